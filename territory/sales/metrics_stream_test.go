package sales_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"gridplan/data"
	"gridplan/data/demo"
	"gridplan/territory"
	"gridplan/territory/sales"
)

// TestMetricsStreamedEqualsRecords: on a demo city, in SQLite and in
// PostgreSQL, the reports of the province, every district and some grids,
// computed from the store's lean streams (what Metrics does), equal those
// computed from full records (what it did before), for several periods.
func TestMetricsStreamedEqualsRecords(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) data.Store
	}{{"sqlite", openSQLite}, {"postgres", openPostgres}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := tc.open(t)
			now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
			city, err := demo.Generate(demo.Options{Seed: 5, Customers: 3000, Now: now})
			must(t, err)
			must(t, demo.Load(ctx, st, city, nil))
			svc := &sales.Service{Store: st, Now: func() time.Time { return now }}
			a := sales.Actor{Role: territory.RoleLeader}
			to := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
			var qs []sales.MetricsQuery
			for _, days := range []int{30, 90, 365} {
				from := to.AddDate(0, 0, -days)
				qs = append(qs, sales.MetricsQuery{Level: sales.LevelProvince, From: from, To: to, TargetOrders: 25})
				ds, err := st.Districts(ctx)
				must(t, err)
				for _, d := range ds {
					qs = append(qs, sales.MetricsQuery{Level: sales.LevelDistrict, ID: d.ID, From: from, To: to})
				}
				gs, err := st.Grids(ctx, territory.GridFilter{})
				must(t, err)
				for i, g := range gs {
					if i%7 == 0 {
						qs = append(qs, sales.MetricsQuery{Level: sales.LevelGrid, ID: g.ID, From: from, To: to})
					}
				}
			}
			// A period in the past: history after it is not read.
			qs = append(qs, sales.MetricsQuery{Level: sales.LevelProvince, From: to.AddDate(0, 0, -200), To: to.AddDate(0, 0, -100)})
			compared, warned := 0, 0
			for _, q := range qs {
				got, err := svc.Metrics(ctx, a, q)
				must(t, err)
				want, err := svc.MetricsRecords(ctx, a, q)
				must(t, err)
				g, w := jsonOf(t, got), jsonOf(t, want)
				if g != w {
					t.Errorf("%s %d %s…%s: streamed report differs\n got %s\nwant %s", q.Level, q.ID, q.From.Format(time.DateOnly), q.To.Format(time.DateOnly), g, w)
				}
				compared++
				warned += len(want.Warnings)
				if q.Level == sales.LevelProvince && (want.Contacted != 3000 || len(want.MedianDaysInStage) == 0 || want.NewContacts == 0 || want.Visits == 0) {
					t.Errorf("province report too thin to compare: %+v", want.Report)
				}
			}
			if warned == 0 {
				t.Error("no report has a warning: the warnings were not compared")
			}
			t.Logf("%d reports equal", compared)
		})
	}
}

func jsonOf(tb testing.TB, v any) string {
	tb.Helper()
	js, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(js)
}
