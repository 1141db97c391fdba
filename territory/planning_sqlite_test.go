package territory_test

// The planner against the real embedded store: its transactions, foreign
// keys (a grid with managers cannot be deleted, customers of a deleted grid
// lose it), unique codes and version checks.

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gridplan/data"
	"gridplan/data/demo"
	"gridplan/data/sqlite"
	"gridplan/geo/shape"
	"gridplan/territory"
)

// sqlitePlanner opens a fresh SQLite store with a small demo city loaded.
func sqlitePlanner(tb testing.TB, customers int) (*sqlite.Store, *territory.Planner) {
	tb.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "plan.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 10, 42, 0, 0, time.UTC)
	city, err := demo.Generate(demo.Options{Seed: 11, Customers: customers, Now: now})
	if err != nil {
		tb.Fatal(err)
	}
	if err := demo.Load(ctx, s, city, nil); err != nil {
		tb.Fatal(err)
	}
	return s, &territory.Planner{
		Store: s,
		InTx: func(ctx context.Context, fn func(territory.PlannerStore) error) error {
			return s.InTx(ctx, func(tx data.Store) error { return fn(tx) })
		},
		Now: func() time.Time { return now },
	}
}

// liveGrids returns every customer's grid in store s.
func liveGrids(tb testing.TB, s territory.CustomerGridStore) map[int64]int64 {
	tb.Helper()
	out := map[int64]int64{}
	err := s.CustomerLocations(context.Background(), nil, func(c territory.CustomerLocation) error {
		out[c.ID] = c.GridID
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestPlannerOnSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, p := sqlitePlanner(t, 2000)
	d, err := p.NewDraft(ctx, "redraw", 0, "alice")
	if err != nil {
		t.Fatal(err)
	}
	gs := mustGrids(t, p, d.ID)
	g, corner, _ := inner(t, gs)
	drawn := &territory.PlanGrid{Code: "NEW-01", Name: "新网格", DistrictID: g.DistrictID, Boundary: squareAt(corner, 300)}
	pre, err := p.Preview(ctx, d.ID, drawn, territory.EditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.SaveGrid(ctx, d.ID, drawn, territory.EditOptions{}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if pre.Moved == 0 || res.Diff.Moved != pre.Moved {
		t.Fatalf("preview moved %d, save's diff %d", pre.Moved, res.Diff.Moved)
	}

	// A second planner with the stale version of a reshaped neighbour.
	stale := *res.Changed[0]
	stale.Version--
	stale.Name = "bob's"
	if _, err := p.SaveGrid(ctx, d.ID, &stale, territory.EditOptions{}, "bob"); !errors.Is(err, territory.ErrConflict) ||
		!strings.Contains(err.Error(), "was changed by alice") {
		t.Errorf("stale save: %v", err)
	}

	// Merge two grids the carve did not touch as well, so publication
	// deletes a grid with managers.
	touched := map[int64]bool{res.Grid.ID: true}
	for _, c := range res.Changed {
		touched[c.ID] = true
	}
	var n *territory.PlanGrid
	cur := mustGrids(t, p, d.ID)
	g = nil
	for _, a := range cur {
		for _, o := range cur {
			if g == nil && !touched[a.ID] && !touched[o.ID] && a.ID != o.ID && a.DistrictID == o.DistrictID && a.GridID != 0 && o.GridID != 0 && sharesEdge(o, a) {
				g, n = a, o
			}
		}
	}
	if g == nil {
		t.Fatal("no two neighbours to merge")
	}
	gMgrs, _ := s.Managers(ctx, territory.ManagerFilter{GridID: g.GridID})
	mres, err := p.MergeGrids(ctx, d.ID, []int64{n.ID, g.ID}, []int{n.Version, g.Version}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	r, err := p.Validate(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK {
		t.Fatalf("validation: %+v", r.Violations[0])
	}
	before := liveGrids(t, s)
	d, _ = s.Plan(ctx, d.ID)
	pub, err := p.Publish(ctx, d.ID, d.Version, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if n := changedCount(before, liveGrids(t, s)); n != mres.Diff.Moved {
		t.Errorf("publishing moved %d customers, the diff said %d", n, mres.Diff.Moved)
	}
	if pub.Number != 2 {
		t.Errorf("version %d, want 2", pub.Number)
	}
	if _, err := s.Grid(ctx, g.GridID); !errors.Is(err, territory.ErrNotFound) {
		t.Errorf("merged-away grid: %v", err)
	}
	after, _ := s.Managers(ctx, territory.ManagerFilter{GridID: n.GridID})
	if len(gMgrs) == 0 || len(after) < len(gMgrs) {
		t.Errorf("survivor has %d managers; the absorbed grid had %d", len(after), len(gMgrs))
	}
	live, _ := s.Grids(ctx, territory.GridFilter{})
	assertAssignedLive(t, s, live)

	// Restore version 1.
	restore, err := p.NewDraft(ctx, "", d.BasePlanID, "bob")
	if err != nil {
		t.Fatal(err)
	}
	pre, err = p.Preview(ctx, restore.ID, nil, territory.EditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	before = liveGrids(t, s)
	if _, err := p.Publish(ctx, restore.ID, restore.Version, "bob"); err != nil {
		t.Fatal(err)
	}
	if n := changedCount(before, liveGrids(t, s)); n != pre.Moved {
		t.Errorf("restoring moved %d customers, its preview said %d", n, pre.Moved)
	}
	live, _ = s.Grids(ctx, territory.GridFilter{})
	if len(live) != len(gs) {
		t.Errorf("%d live grids after restoring, want %d", len(live), len(gs))
	}
	var area float64
	for _, lg := range live {
		area += shape.PolygonAreaM2(lg.Boundary)
	}
	var want float64
	for _, g := range gs {
		want += shape.AreaM2(g.Boundary)
	}
	if d := area - want; d > 1 || d < -1 {
		t.Errorf("restored layout covers %.0f m², version 1 %.0f", area, want)
	}
	assertAssignedLive(t, s, live)
}

func assertAssignedLive(tb testing.TB, s territory.CustomerGridStore, live []*territory.Grid) {
	tb.Helper()
	bad := 0
	err := s.CustomerLocations(context.Background(), nil, func(c territory.CustomerLocation) error {
		if bruteForce(live, c.Location) != c.GridID {
			bad++
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if bad > 0 {
		tb.Errorf("%d customers are not in the grid that holds them", bad)
	}
}
