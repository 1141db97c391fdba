package postgres

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"gridplan/data/storetest"
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
