package tsp

import (
	"fmt"
	"math"
)

// MaxNodes bounds the instances Solve takes: the distance matrix is held in
// full (4 bytes a pair).
const MaxNodes = 4000

// Matrix is a symmetric integer distance matrix.
type Matrix struct {
	n int
	d []int32
}

// NewMatrix fills an n×n matrix from dist, which must be symmetric,
// non-negative and fit an int32 (dist(i, i) is not asked).
func NewMatrix(n int, dist func(i, j int) int) (*Matrix, error) {
	if n < 1 || n > MaxNodes {
		return nil, fmt.Errorf("tsp: %d nodes: want 1 to %d", n, MaxNodes)
	}
	m := &Matrix{n: n, d: make([]int32, n*n)}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			v := dist(i, j)
			if v < 0 || v > math.MaxInt32 {
				return nil, fmt.Errorf("tsp: distance %d between nodes %d and %d: want 0 to %d", v, i+1, j+1, math.MaxInt32)
			}
			m.d[i*n+j], m.d[j*n+i] = int32(v), int32(v)
		}
	}
	return m, nil
}

// Len is the number of nodes.
func (m *Matrix) Len() int { return m.n }

// At is the distance between nodes i and j (0-based).
func (m *Matrix) At(i, j int) int { return int(m.d[i*m.n+j]) }

// TourLength is the length of the closed tour through the given nodes.
func (m *Matrix) TourLength(tour []int) int64 {
	var sum int64
	for k := range tour {
		sum += int64(m.d[tour[k]*m.n+tour[(k+1)%len(tour)]])
	}
	return sum
}
