package tsp

import (
	"context"
	"testing"
)

var sinkLength int64

// BenchmarkSolve is 2,000 kicks of the iterated local search on 200
// random points.
func BenchmarkSolve(b *testing.B) {
	m := randomInstance(b, 200, 1)
	b.ReportAllocs()
	for b.Loop() {
		r, err := Solve(context.Background(), m, Options{MaxIterations: 2000, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		sinkLength = r.Length
	}
}

// BenchmarkDescent is the first descent (2-opt and Or-opt from the
// nearest-neighbour tour) on 1,000 random points.
func BenchmarkDescent(b *testing.B) {
	m := randomInstance(b, 1000, 1)
	b.ReportAllocs()
	for b.Loop() {
		s := newSearch(m, 10, 1)
		sinkLength = s.localSearch()
	}
}

// BenchmarkNaive2opt is the baseline the neighbour lists beat: plain
// first-improvement 2-opt over all pairs from the same start.
func BenchmarkNaive2opt(b *testing.B) {
	m := randomInstance(b, 1000, 1)
	b.ReportAllocs()
	for b.Loop() {
		s := newSearch(m, 10, 1)
		t := s.tour
		n := len(t)
		for improved := true; improved; {
			improved = false
			for i := 0; i < n-2; i++ {
				for j := i + 2; j < n; j++ {
					a, bb, c, d := t[i], t[i+1], t[j], t[(j+1)%n]
					if a == d {
						continue
					}
					if s.dist(a, c)+s.dist(bb, d) < s.dist(a, bb)+s.dist(c, d) {
						for x, y := i+1, j; x < y; x, y = x+1, y-1 {
							t[x], t[y] = t[y], t[x]
						}
						improved = true
					}
				}
			}
		}
		sinkLength = s.length()
	}
}
