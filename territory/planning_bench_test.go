package territory_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/territory"
)

// Benchmarks of what a planner waits for, on the real SQLite store: the
// preview of a grid drawn over a corner of four grids (the interactive
// case), the preview of a whole draft, and validation.
//
//	go test ./territory -run XXX -bench Planning$ -benchtime 10x
//	GRIDPLAN_BENCH_CUSTOMERS=1000000 go test ./territory -run XXX -bench Planning$ -benchtime 3x -timeout 30m
//
// The 20k demo city has 100 grids; the 1M one (loading it takes minutes)
// about 5,000.

type benchCity struct {
	p     *territory.Planner
	draft *territory.Plan
	drawn *territory.PlanGrid
}

func planningCity(b *testing.B) *benchCity {
	b.Helper()
	n := 20000
	if v := os.Getenv("GRIDPLAN_BENCH_CUSTOMERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("GRIDPLAN_BENCH_CUSTOMERS=%q: %v", v, err)
		}
	}
	ctx := context.Background()
	_, p := sqlitePlanner(b, n)
	d, err := p.NewDraft(ctx, "bench", 0, "bench")
	if err != nil {
		b.Fatal(err)
	}
	gs := mustGrids(b, p, d.ID)
	g, corner := busyCorner(b, p, gs)
	drawn := &territory.PlanGrid{Code: "BENCH-1", Name: "bench", DistrictID: g.DistrictID, Boundary: squareAt(corner, 300)}
	// The draft holds one saved edit, so "the whole draft" has work too.
	// Elsewhere: away from the corner the benchmark draws over.
	away := padBox(squareAt(corner, 3000).Bound())
	g2 := gs[0]
	for _, o := range gs {
		if !o.Boundary.Bound().Intersects(away) {
			g2 = o
			break
		}
	}
	c2 := g2.Boundary[0][0][2]
	if _, err := p.SaveGrid(ctx, d.ID, &territory.PlanGrid{Code: "BENCH-0", Name: "bench", DistrictID: g2.DistrictID,
		Boundary: squareAt(c2, 250)}, territory.EditOptions{}, "bench"); err != nil {
		b.Fatal(err)
	}
	b.Logf("city: %d customers, %d grids", n, len(gs))
	return &benchCity{p: p, draft: d, drawn: drawn}
}

var (
	sinkDiff   *territory.PlanDiff
	sinkReport *territory.ValidationReport
)

func BenchmarkPlanning(b *testing.B) {
	c := planningCity(b)
	ctx := context.Background()
	b.Run("preview-edit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d, err := c.p.Preview(ctx, c.draft.ID, c.drawn, territory.EditOptions{})
			if err != nil {
				b.Fatal(err)
			}
			sinkDiff = d
		}
		b.ReportMetric(float64(sinkDiff.Moved), "moved")
	})
	b.Run("preview-draft", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d, err := c.p.Preview(ctx, c.draft.ID, nil, territory.EditOptions{})
			if err != nil {
				b.Fatal(err)
			}
			sinkDiff = d
		}
		b.ReportMetric(float64(sinkDiff.Moved), "moved")
	})
	b.Run("validate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := c.p.Validate(ctx, c.draft.ID)
			if err != nil {
				b.Fatal(err)
			}
			sinkReport = r
		}
		b.ReportMetric(float64(sinkReport.Errors), "errors")
		b.ReportMetric(float64(sinkReport.Warnings), "warnings")
	})
}

func padBox(b orb.Bound) orb.Bound { return b }

// busyCorner returns a corner shared by four grids of one district with at
// least 20 customers within 300 m (the city's edge is empty country).
func busyCorner(tb testing.TB, p *territory.Planner, gs []*territory.PlanGrid) (*territory.PlanGrid, orb.Point) {
	tb.Helper()
	for _, g := range gs[len(gs)/4:] {
		for _, v := range g.Boundary[0][0] {
			n := 0
			for _, o := range gs {
				if o.DistrictID == g.DistrictID && slices.Contains(o.Boundary[0][0], v) {
					n++
				}
			}
			if n != 4 {
				continue
			}
			b := squareAt(v, 300).Bound()
			if c, _ := p.Store.CountCustomers(context.Background(), territory.CustomerFilter{Bound: &b}); c >= 20 {
				return g, v
			}
		}
	}
	tb.Fatal("no busy corner")
	return nil, orb.Point{}
}
