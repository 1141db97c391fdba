package demo

import (
	"fmt"
	"testing"
)

var sinkCity *City

// BenchmarkGenerate measures Generate at the default size and at the
// province scale (one iteration of the latter takes seconds).
func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{DefaultCustomers, 1_000_000} {
		b.Run(fmt.Sprintf("customers=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c, err := Generate(Options{Seed: 1, Customers: n, Now: testNow})
				if err != nil {
					b.Fatal(err)
				}
				sinkCity = c
			}
		})
	}
}
