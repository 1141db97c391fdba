package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"gridplan/data/sqlite"
	"gridplan/data/storetest"
	"gridplan/territory"
)

// BenchmarkBulkCustomers loads n customers into a fresh file store per
// iteration and reports rows/s. "naive" is the baseline: CreateCustomer per
// row, each its own transaction. Set GRIDPLAN_BENCH_1M=1 to add the
// 1,000,000-row load (about 2 GB of garbage and tens of seconds).
func BenchmarkBulkCustomers(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if os.Getenv("GRIDPLAN_BENCH_1M") != "" {
		sizes = append(sizes, 1_000_000)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("bulk/n=%d", n), func(b *testing.B) {
			benchLoad(b, n, func(ctx context.Context, s *sqlite.Store, cs []*territory.Customer) error {
				return s.BulkCustomers(ctx, cs, nil)
			})
		})
	}
	b.Run("naive/n=2000", func(b *testing.B) {
		benchLoad(b, 2000, func(ctx context.Context, s *sqlite.Store, cs []*territory.Customer) error {
			for _, c := range cs {
				if err := s.CreateCustomer(ctx, c); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

func benchLoad(b *testing.B, n int, load func(ctx context.Context, s *sqlite.Store, cs []*territory.Customer) error) {
	ctx := context.Background()
	b.ReportAllocs()
	var total time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		s := MustOpen(b)
		f := storetest.Seed(b, s, "01")
		cs := storetest.GenCustomers(n, fmt.Sprintf("b%d", i), []int64{f.Grid.ID}, 1)
		b.StartTimer()
		start := time.Now()
		if err := load(ctx, s, cs); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		b.StopTimer()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "rows/s")
}
