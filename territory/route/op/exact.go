package op

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// MaxExactPoints bounds the points worth visiting (positive score, not
// start or end) that SolveExact takes: its table has 2^k·k entries.
const MaxExactPoints = 19

// SolveExact finds an optimal route by dynamic programming over subsets
// (Held–Karp): the shortest path from the start through every subset of
// the points worth visiting to each last point. It is for checking Solve
// on small instances.
func SolveExact(p *Problem) (Result, error) {
	if err := p.validate(); err != nil {
		return Result{}, err
	}
	s := newSolver(p, 0)
	if s.dist(p.Start, p.End) > p.Budget+eps {
		return Result{}, ErrInfeasible
	}
	c := s.cand
	k := len(c)
	if k > MaxExactPoints {
		return Result{}, fmt.Errorf("op: %d points worth visiting: SolveExact takes at most %d", k, MaxExactPoints)
	}
	full := 1 << k
	inf := math.Inf(1)
	dp := make([]float64, full*max(k, 1))
	for i := range dp {
		dp[i] = inf
	}
	for j := range k {
		dp[(1<<j)*k+j] = s.dist(p.Start, c[j])
	}
	bestMask, bestLast := 0, -1
	bestScore, bestLen := 0.0, s.dist(p.Start, p.End)
	maskScore := make([]float64, full)
	for mask := 1; mask < full; mask++ {
		low := bits.TrailingZeros(uint(mask))
		maskScore[mask] = maskScore[mask&(mask-1)] + s.score[c[low]]
		for j := range k {
			l := dp[mask*k+j]
			if l == inf || mask&(1<<j) == 0 {
				continue
			}
			if total := l + s.dist(c[j], p.End); total <= p.Budget+eps {
				if sc := maskScore[mask]; sc > bestScore+eps || (sc >= bestScore-eps && total < bestLen-eps) {
					bestMask, bestLast, bestScore, bestLen = mask, j, sc, total
				}
			}
			for nx := range k {
				if mask&(1<<nx) != 0 {
					continue
				}
				if v := l + s.dist(c[j], c[nx]); v < dp[(mask|1<<nx)*k+nx] {
					dp[(mask|1<<nx)*k+nx] = v
				}
			}
		}
	}
	// Walk the table back from the best end.
	nodes := []int{p.End}
	for mask, j := bestMask, bestLast; j >= 0; {
		nodes = append(nodes, c[j])
		prev := mask &^ (1 << j)
		if prev == 0 {
			break
		}
		want := dp[mask*k+j]
		next := -1
		for i := range k {
			if prev&(1<<i) != 0 && math.Abs(dp[prev*k+i]+s.dist(c[i], c[j])-want) <= 1e-9*max(1, want) {
				next = i
				break
			}
		}
		mask, j = prev, next
	}
	nodes = append(nodes, p.Start)
	slices.Reverse(nodes)
	return Result{Route: nodes, Score: s.scoreOf(nodes), Length: s.lengthOf(nodes)}, nil
}
