package sales_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"gridplan/data"
	"gridplan/data/postgres"
	"gridplan/data/sqlite"
	"gridplan/territory"
	"gridplan/territory/sales"
)

// benchStore opens the store GRIDPLAN_BENCH_DB names (a postgres:// URL or
// sqlite:PATH) holding a demo city, e.g. one of a province:
//
//	psql -h 127.0.0.1 -U postgres -c 'create database gridplan_bench'
//	go run ./cmd/gridplan demo --customers 1000000 --reset \
//	  --db 'postgres://postgres@127.0.0.1:5432/gridplan_bench?sslmode=disable'
//	GRIDPLAN_BENCH_DB='postgres://postgres@127.0.0.1:5432/gridplan_bench?sslmode=disable' \
//	  go test ./territory/sales -run '^$' -bench Metrics -benchtime 5x
//
// Without the variable the benchmarks skip. They only read.
func benchStore(tb testing.TB) data.Store {
	tb.Helper()
	dsn := os.Getenv("GRIDPLAN_BENCH_DB")
	if dsn == "" {
		tb.Skip("GRIDPLAN_BENCH_DB is not set (a store holding a demo city)")
	}
	ctx := context.Background()
	var (
		st  data.Store
		err error
	)
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		st, err = sqlite.Open(ctx, p)
	} else {
		st, err = postgres.Open(ctx, dsn)
	}
	if err != nil {
		tb.Fatalf("open %s: %v", dsn, err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// benchQueries are the reports the benchmarks time: the province and its
// largest district over the 30 days through today.
func benchQueries(tb testing.TB, st data.Store) (province, district sales.MetricsQuery) {
	tb.Helper()
	ctx := context.Background()
	to := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	from := to.AddDate(0, 0, -30)
	gs, err := st.Grids(ctx, territory.GridFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	districtOf := map[int64]int64{}
	for _, g := range gs {
		districtOf[g.ID] = g.DistrictID
	}
	n := map[int64]int{}
	err = st.CustomerLocations(ctx, nil, func(l territory.CustomerLocation) error {
		if d := districtOf[l.GridID]; d != 0 {
			n[d]++
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	var best int64
	for d, c := range n {
		if c > n[best] || (c == n[best] && d < best) {
			best = d
		}
	}
	tb.Logf("largest district %d: %d customers", best, n[best])
	return sales.MetricsQuery{Level: sales.LevelProvince, From: from, To: to},
		sales.MetricsQuery{Level: sales.LevelDistrict, ID: best, From: from, To: to}
}

func benchMetrics(b *testing.B, district, records bool) {
	st := benchStore(b)
	pq, dq := benchQueries(b, st)
	q := pq
	if district {
		q = dq
	}
	svc := &sales.Service{Store: st}
	a := sales.Actor{UserID: 1, Role: territory.RoleLeader}
	ctx := context.Background()
	for b.Loop() {
		report := svc.Metrics
		if records {
			report = svc.MetricsRecords
		}
		v, err := report(ctx, a, q)
		if err != nil {
			b.Fatal(err)
		}
		if v.Contacted == 0 {
			b.Fatal("empty report")
		}
	}
}

// The reports as served (streamed), and as computed before from full
// records (…Records).
func BenchmarkMetricsProvince(b *testing.B)        { benchMetrics(b, false, false) }
func BenchmarkMetricsDistrict(b *testing.B)        { benchMetrics(b, true, false) }
func BenchmarkMetricsProvinceRecords(b *testing.B) { benchMetrics(b, false, true) }
func BenchmarkMetricsDistrictRecords(b *testing.B) { benchMetrics(b, true, true) }

// TestBenchCityMetricsEqual: on the GRIDPLAN_BENCH_DB city, the streamed
// province and district reports equal those from full records.
func TestBenchCityMetricsEqual(t *testing.T) {
	st := benchStore(t)
	pq, dq := benchQueries(t, st)
	svc := &sales.Service{Store: st}
	a := sales.Actor{UserID: 1, Role: territory.RoleLeader}
	ctx := context.Background()
	for _, q := range []sales.MetricsQuery{pq, dq} {
		start := time.Now()
		got, err := svc.Metrics(ctx, a, q)
		if err != nil {
			t.Fatal(err)
		}
		mid := time.Now()
		want, err := svc.MetricsRecords(ctx, a, q)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
			t.Errorf("%s %d: streamed report differs\n got %.2000s\nwant %.2000s", q.Level, q.ID, g, w)
		}
		t.Logf("%s %d: streamed %v, records %v; contacted %d, %d warnings", q.Level, q.ID, mid.Sub(start).Round(time.Millisecond), time.Since(mid).Round(time.Millisecond), want.Contacted, len(want.Warnings))
	}
}
