package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"gridplan/data/sqlite"
	"gridplan/data/storetest"
	"gridplan/geo/geocode"
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

// benchN is n, or GRIDPLAN_BENCH_ROWS when set (for quick runs).
func benchN(n int) int {
	if v, err := strconv.Atoi(os.Getenv("GRIDPLAN_BENCH_ROWS")); err == nil && v > 0 {
		return v
	}
	return n
}

var sinkCount int

// BenchmarkUpsertCustomers upserts 100,000 import rows: "first" into an
// empty store (every row inserted), "again" the same rows once more (every
// row unchanged: the idempotent re-import), "tenth-changed" with every
// tenth row's name changed. rows/s is the figure to read.
func BenchmarkUpsertCustomers(b *testing.B) {
	n := benchN(100_000)
	ctx := context.Background()
	// run times UpsertCustomers of the rows setup returns (untimed).
	run := func(b *testing.B, setup func(i int) (*sqlite.Store, []*territory.Customer), want territory.UpsertResult) {
		b.ReportAllocs()
		var total time.Duration
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			s, cs := setup(i)
			b.StartTimer()
			start := time.Now()
			res, err := s.UpsertCustomers(ctx, cs, nil)
			total += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			if res != want {
				b.Fatalf("result %+v, want %+v", res, want)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "rows/s")
	}
	b.Run(fmt.Sprintf("first/n=%d", n), func(b *testing.B) {
		run(b, func(i int) (*sqlite.Store, []*territory.Customer) {
			s := MustOpen(b)
			f := storetest.Seed(b, s, "01")
			return s, storetest.ImportRows(storetest.GenCustomers(n, "u", []int64{f.Grid.ID}, 1))
		}, territory.UpsertResult{Inserted: n})
	})
	// One store holding the n rows for the re-imports.
	s := MustOpen(b)
	f := storetest.Seed(b, s, "01")
	gen := storetest.GenCustomers(n, "u", []int64{f.Grid.ID}, 1)
	if _, err := s.UpsertCustomers(ctx, storetest.ImportRows(gen), nil); err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("again/n=%d", n), func(b *testing.B) {
		run(b, func(int) (*sqlite.Store, []*territory.Customer) { return s, storetest.ImportRows(gen) },
			territory.UpsertResult{Unchanged: n})
	})
	b.Run(fmt.Sprintf("tenth-changed/n=%d", n), func(b *testing.B) {
		run(b, func(i int) (*sqlite.Store, []*territory.Customer) {
			cs := storetest.ImportRows(gen)
			for k := 0; k < n; k += 10 {
				cs[k].Name = fmt.Sprintf("企业 %d v%d", k, i)
			}
			return s, cs
		}, territory.UpsertResult{Updated: (n + 9) / 10, Unchanged: n - (n+9)/10})
	})
}

// BenchmarkCustomerLocations streams every customer of a store holding
// 1,000,000 (loaded once, untimed: about ten seconds).
func BenchmarkCustomerLocations(b *testing.B) {
	n := benchN(1_000_000)
	ctx := context.Background()
	s := MustOpen(b)
	f := storetest.Seed(b, s, "01")
	if err := s.BulkCustomers(ctx, storetest.GenCustomers(n, "l", []int64{f.Grid.ID}, 1), nil); err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkCount = 0
			err := s.CustomerLocations(ctx, nil, func(l territory.CustomerLocation) error {
				sinkCount++
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			if sinkCount != n {
				b.Fatalf("%d locations, want %d", sinkCount, n)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkGazetteer replaces a source of 1,000,000 address points (that
// is: deletes the million stored and writes them again) and streams them
// back.
func BenchmarkGazetteer(b *testing.B) {
	n := benchN(1_000_000)
	ctx := context.Background()
	s := MustOpen(b)
	entries := storetest.GenEntries("bench", n, 0)
	if err := s.ReplaceGazetteer(ctx, "bench", entries, nil); err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("replace/n=%d", n), func(b *testing.B) {
		for b.Loop() {
			if err := s.ReplaceGazetteer(ctx, "bench", entries, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run(fmt.Sprintf("entries/n=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkCount = 0
			if err := s.GazetteerEntries(ctx, func(geocode.Entry) error { sinkCount++; return nil }); err != nil {
				b.Fatal(err)
			}
			if sinkCount != n {
				b.Fatalf("%d entries, want %d", sinkCount, n)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// BenchmarkMoveCustomers moves 100,000 customers to another grid and back.
func BenchmarkMoveCustomers(b *testing.B) {
	n := benchN(100_000)
	ctx := context.Background()
	s := MustOpen(b)
	f1, f2 := storetest.Seed(b, s, "01"), storetest.Seed(b, s, "02")
	grids := []int64{f1.Grid.ID, f2.Grid.ID}
	cs := storetest.GenCustomers(n, "m", grids[:1], 1)
	if err := s.BulkCustomers(ctx, cs, nil); err != nil {
		b.Fatal(err)
	}
	moves := make([]territory.GridMove, n)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for k, c := range cs {
			moves[k] = territory.GridMove{CustomerID: c.ID, To: grids[(i+1)%2]}
		}
		if err := s.MoveCustomers(ctx, moves); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
