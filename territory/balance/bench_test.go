package balance

import (
	"context"
	"testing"
)

var solSink *Solution

func benchmarkSolve(b *testing.B, n, m int) {
	p := cityProblem(n, m, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sol, err := Solve(context.Background(), p)
		if err != nil {
			b.Fatal(err)
		}
		solSink = sol
	}
	b.ReportMetric(float64(solSink.Stats.Searches), "searches")
	b.ReportMetric(float64(solSink.Stats.PricingRounds), "pricing_rounds")
}

// The benchmark's sizes: 5,000 × 100 (cbc takes about 7 s) and 100,000 ×
// 2,000 (a district; target under 10 s on 2 cores).
func BenchmarkSolve5kx100(b *testing.B)  { benchmarkSolve(b, 5000, 100) }
func BenchmarkSolve20kx400(b *testing.B) { benchmarkSolve(b, 20000, 400) }
func BenchmarkSolve100kx2k(b *testing.B) { benchmarkSolve(b, 100000, 2000) }

// The lexicographic network alone (the path taken for infeasible input),
// the baseline the two-stage solve improves on.
func BenchmarkSolveLex5kx100(b *testing.B) {
	forceLex = true
	defer func() { forceLex = false }()
	benchmarkSolve(b, 5000, 100)
}
