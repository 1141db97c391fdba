package postgres

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"gridplan/data/storetest"
	"gridplan/geo/geocode"
	"gridplan/territory"
)

// Run with TEST_DATABASE_URL set, e.g.
//
//	go test ./data/postgres -run '^$' -bench . -benchtime 3x
//
// BENCH_BULK_ROWS overrides the size of the large bulk load (1,000,000).

var sinkCount int

// benchGrids seeds a store with two grids for generated customers.
func benchGrids(b *testing.B, s *Store) []int64 {
	b.Helper()
	f1, f2 := storetest.Seed(b, s, "01"), storetest.Seed(b, s, "02")
	return []int64{f1.Grid.ID, f2.Grid.ID}
}

// truncateCustomers empties the customers table between iterations.
func truncateCustomers(b *testing.B, s *Store) {
	b.Helper()
	if _, err := s.pool.Exec(b.Context(), "TRUNCATE customers CASCADE"); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkBulkCustomers loads generated customers with BulkCustomers
// (COPY in chunks of copyChunk rows, one transaction) into an empty
// customers table with all its indexes; rows/s is the figure to read.
func BenchmarkBulkCustomers(b *testing.B) {
	large := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_BULK_ROWS")); err == nil && v > 0 {
		large = v
	}
	run := func(b *testing.B, n, chunk int) {
		s := mustOpen(b)
		grids := benchGrids(b, s)
		defer func(old int) { copyChunk = old }(copyChunk)
		copyChunk = chunk
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			truncateCustomers(b, s)
			cs := storetest.GenCustomers(n, "b", grids, uint64(i+1))
			b.StartTimer()
			if err := s.BulkCustomers(b.Context(), cs, func(done int) { sinkCount = done }); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	}
	b.Run("rows=10000", func(b *testing.B) { run(b, 10_000, copyChunk) })
	// Chunk size: one COPY per chunk, progress between chunks.
	for _, chunk := range []int{1_000, 5_000, 50_000, 1 << 30} {
		b.Run(fmt.Sprintf("rows=100000/chunk=%d", chunk), func(b *testing.B) { run(b, 100_000, chunk) })
	}
	b.Run(fmt.Sprintf("rows=%d", large), func(b *testing.B) { run(b, large, copyChunk) })
	// The same without dropping and rebuilding the secondary indexes.
	b.Run(fmt.Sprintf("rows=%d/keep-indexes", large), func(b *testing.B) {
		defer func(old int) { rebuildIndexesAt = old }(rebuildIndexesAt)
		rebuildIndexesAt = 1 << 62
		run(b, large, copyChunk)
	})
}

// BenchmarkCreateCustomerNaive is the baseline BulkCustomers is measured
// against: one INSERT per row through CreateCustomer, each its own
// transaction, as a loop over an import would do without the bulk API.
func BenchmarkCreateCustomerNaive(b *testing.B) {
	const n = 2_000
	s := mustOpen(b)
	grids := benchGrids(b, s)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		truncateCustomers(b, s)
		cs := storetest.GenCustomers(n, "n", grids, uint64(i+1))
		b.StartTimer()
		for _, c := range cs {
			if err := s.CreateCustomer(b.Context(), c); err != nil {
				b.Fatal(err)
			}
		}
		sinkCount = len(cs)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// benchN is n, or BENCH_ROWS when set (for quick runs).
func benchN(n int) int {
	if v, err := strconv.Atoi(os.Getenv("BENCH_ROWS")); err == nil && v > 0 {
		return v
	}
	return n
}

// BenchmarkUpsertCustomers upserts 100,000 import rows: "first" into an
// empty customers table (every row inserted; the COPY path with deferred
// indexes), "first-nonempty" the same beside 100,000 other customers (COPY
// with live indexes), "again" the same rows once more (every row unchanged:
// the idempotent re-import), "tenth-changed" with every tenth row's name
// changed. rows/s is the figure to read.
func BenchmarkUpsertCustomers(b *testing.B) {
	n := benchN(100_000)
	ctx := context.Background()
	s := mustOpen(b)
	grids := benchGrids(b, s)
	gen := storetest.GenCustomers(n, "u", grids, 1)
	// run times UpsertCustomers of the rows setup returns (untimed).
	run := func(b *testing.B, setup func(i int) []*territory.Customer, want territory.UpsertResult) {
		b.ReportAllocs()
		var total time.Duration
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			cs := setup(i)
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
		run(b, func(int) []*territory.Customer {
			truncateCustomers(b, s)
			return storetest.ImportRows(gen)
		}, territory.UpsertResult{Inserted: n})
	})
	b.Run(fmt.Sprintf("first-nonempty/n=%d", n), func(b *testing.B) {
		run(b, func(i int) []*territory.Customer {
			truncateCustomers(b, s)
			if err := s.BulkCustomers(ctx, storetest.GenCustomers(n, "other", grids, 2), nil); err != nil {
				b.Fatal(err)
			}
			return storetest.ImportRows(gen)
		}, territory.UpsertResult{Inserted: n})
	})
	b.Run(fmt.Sprintf("again/n=%d", n), func(b *testing.B) {
		run(b, func(int) []*territory.Customer { return storetest.ImportRows(gen) }, territory.UpsertResult{Unchanged: n})
	})
	b.Run(fmt.Sprintf("tenth-changed/n=%d", n), func(b *testing.B) {
		run(b, func(i int) []*territory.Customer {
			cs := storetest.ImportRows(gen)
			for k := 0; k < n; k += 10 {
				cs[k].Name = fmt.Sprintf("企业 %d v%d", k, i)
			}
			return cs
		}, territory.UpsertResult{Updated: (n + 9) / 10, Unchanged: n - (n+9)/10})
	})
}

// BenchmarkCustomerLocations streams every customer of a store holding
// 1,000,000 (loaded once, untimed).
func BenchmarkCustomerLocations(b *testing.B) {
	n := benchN(1_000_000)
	ctx := context.Background()
	s := mustOpen(b)
	if err := s.BulkCustomers(ctx, storetest.GenCustomers(n, "l", benchGrids(b, s), 1), nil); err != nil {
		b.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, "VACUUM ANALYZE customers"); err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkCount = 0
			err := s.CustomerLocations(ctx, nil, func(territory.CustomerLocation) error { sinkCount++; return nil })
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

// BenchmarkMoveCustomers moves 100,000 customers to another grid and back.
func BenchmarkMoveCustomers(b *testing.B) {
	n := benchN(100_000)
	ctx := context.Background()
	s := mustOpen(b)
	grids := benchGrids(b, s)
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

// BenchmarkGazetteer replaces a source of 1,000,000 address points (that
// is: deletes the million stored and writes them again) and streams them
// back.
func BenchmarkGazetteer(b *testing.B) {
	n := benchN(1_000_000)
	ctx := context.Background()
	s := mustOpen(b)
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
