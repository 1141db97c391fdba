package territory_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/geo/shape"
	"gridplan/territory"
)

// cityPlanner is the 20k demo city in a fake store, its baseline plan and
// a fresh draft.
func cityPlanner(tb testing.TB) (*planFake, *territory.Planner, *territory.Plan) {
	tb.Helper()
	f := newPlanFake()
	loadCity(tb, f)
	p := f.planner()
	d, err := p.NewDraft(context.Background(), "", 0, "alice")
	if err != nil {
		tb.Fatal(err)
	}
	return f, p, d
}

func mustGrids(tb testing.TB, p *territory.Planner, planID int64) []*territory.PlanGrid {
	tb.Helper()
	gs, err := p.Store.PlanGrids(context.Background(), planID)
	if err != nil {
		tb.Fatal(err)
	}
	return gs
}

func byCode(tb testing.TB, gs []*territory.PlanGrid, code string) *territory.PlanGrid {
	tb.Helper()
	for _, g := range gs {
		if g.Code == code {
			return g
		}
	}
	tb.Fatalf("no grid %s", code)
	return nil
}

// inner returns a grid of the plan and a corner of it shared by four
// grids (an inner lattice vertex), with the codes of those four.
func inner(tb testing.TB, gs []*territory.PlanGrid) (*territory.PlanGrid, orb.Point, []string) {
	tb.Helper()
	for _, g := range gs[len(gs)/3:] {
		for _, v := range g.Boundary[0][0] {
			var codes []string
			for _, o := range gs {
				if !o.Removed && slices.Contains(o.Boundary[0][0], v) && o.DistrictID == g.DistrictID {
					codes = append(codes, o.Code)
				}
			}
			if len(codes) == 4 {
				return g, v, codes
			}
		}
	}
	tb.Fatal("no inner vertex")
	return nil, orb.Point{}, nil
}

// squareAt is a square of side 2·halfM metres centred on c.
func squareAt(c orb.Point, halfM float64) orb.MultiPolygon {
	a, b := geo.Offset(c, -halfM, -halfM), geo.Offset(c, halfM, halfM)
	return orb.MultiPolygon{{{a, {b[0], a[1]}, b, {a[0], b[1]}, a}}}
}

// gridOfCustomers returns every customer's live grid.
func gridOfCustomers(f *planFake) map[int64]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[int64]int64, len(f.st.customers))
	for id, c := range f.st.customers {
		out[id] = c.GridID
	}
	return out
}

func changedCount(before, after map[int64]int64) int {
	n := 0
	for id, g := range before {
		if after[id] != g {
			n++
		}
	}
	return n
}

// assertAssigned checks that every customer is in the grid the assignment
// rule gives over the live grids.
func assertAssigned(tb testing.TB, f *planFake) {
	tb.Helper()
	grids, _ := f.Grids(context.Background(), territory.GridFilter{})
	f.mu.Lock()
	defer f.mu.Unlock()
	bad := 0
	for _, c := range f.st.customers {
		if want := bruteForce(grids, c.Location); c.GridID != want {
			bad++
		}
	}
	if bad > 0 {
		tb.Errorf("%d customers are not in the grid that holds them", bad)
	}
}

func wantKinds(tb testing.TB, r *territory.ValidationReport, sev territory.Severity) map[territory.ViolationKind]int {
	tb.Helper()
	out := map[territory.ViolationKind]int{}
	for _, v := range r.Violations {
		if v.Severity == sev {
			out[v.Kind]++
		}
	}
	return out
}

func TestEnsureBaseline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newPlanFake()
	loadCity(t, f)
	p := f.planner()
	b, err := p.EnsureBaseline(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != territory.PlanPublished || b.Number != 1 {
		t.Errorf("baseline is %s number %d, want published 1", b.Status, b.Number)
	}
	gs := mustGrids(t, p, b.ID)
	if len(gs) != len(demoCity(t).Grids) {
		t.Errorf("baseline has %d grids, the city %d", len(gs), len(demoCity(t).Grids))
	}
	for _, g := range gs {
		if g.GridID == 0 || len(g.Boundary) != 1 {
			t.Fatalf("grid %s: live id %d, %d polygons", g.Code, g.GridID, len(g.Boundary))
		}
	}
	again, err := p.EnsureBaseline(ctx, "bob")
	if err != nil || again.ID != b.ID {
		t.Errorf("second call: plan %v, %v; want the same plan %d", again, err, b.ID)
	}
	r, err := p.Validate(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK {
		t.Errorf("the demo city's own layout has %d errors: %+v", r.Errors, r.Violations[:min(3, len(r.Violations))])
	}
	t.Logf("demo baseline: %d warnings %v", r.Warnings, wantKinds(t, r, territory.SeverityWarning))
}

// The heart of it: draw a new grid over customers, the preview says how
// many move, saving says the same, and publishing moves exactly those.
func TestPreviewSaveAndPublishAgree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, p, d := cityPlanner(t)
	gs := mustGrids(t, p, d.ID)
	g, corner, codes := inner(t, gs)
	drawn := &territory.PlanGrid{Code: "NEW-01", Name: "新网格", DistrictID: g.DistrictID, Boundary: squareAt(corner, 300)}

	pre, err := p.Preview(ctx, d.ID, drawn, territory.EditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pre.Moved == 0 || pre.Moved != pre.CustomersTotal || len(pre.Customers) != min(pre.Moved, territory.MaxDiffCustomers) {
		t.Fatalf("preview: moved %d, total %d, listed %d", pre.Moved, pre.CustomersTotal, len(pre.Customers))
	}
	for _, m := range pre.Customers {
		if m.To != "NEW-01" || !slices.Contains(codes, m.From) {
			t.Errorf("customer %d moves %q → %q; want from one of %v to NEW-01", m.ID, m.From, m.To, codes)
		}
	}
	if len(mustGrids(t, p, d.ID)) != len(gs) {
		t.Fatal("preview wrote a grid")
	}
	t.Logf("a 600 m square over the corner of %v moves %d customers", codes, pre.Moved)

	res, err := p.SaveGrid(ctx, d.ID, drawn, territory.EditOptions{}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if res.Diff.Moved != pre.Moved {
		t.Errorf("saved diff moves %d, the preview said %d", res.Diff.Moved, pre.Moved)
	}
	if len(res.Changed) != 4 {
		t.Errorf("carving reshaped %d neighbours, want the 4 around the corner", len(res.Changed))
	}
	if a := shape.AreaM2(res.Grid.Boundary); math.Abs(a-360000)/360000 > 0.01 {
		t.Errorf("new grid has %.0f m², want about 360000", a)
	}
	r, err := p.Validate(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK {
		t.Fatalf("after a carve: %d errors: %+v", r.Errors, r.Violations[0])
	}

	before := gridOfCustomers(f)
	counts := map[int64]int{} // plan grid → after
	for _, gd := range res.Diff.Grids {
		counts[gd.PlanGridID] = gd.After
	}
	pub, err := p.Publish(ctx, d.ID, d.Version, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if pub.Status != territory.PlanPublished || pub.Number != 2 {
		t.Errorf("published plan: %s number %d, want published 2", pub.Status, pub.Number)
	}
	after := gridOfCustomers(f)
	if n := changedCount(before, after); n != pre.Moved {
		t.Errorf("publishing moved %d customers, the preview said %d", n, pre.Moved)
	}
	assertAssigned(t, f)
	for _, pg := range mustGrids(t, p, d.ID) {
		want, ok := counts[pg.ID]
		if !ok {
			continue
		}
		n, _ := f.CountCustomers(ctx, territory.CustomerFilter{GridID: pg.GridID})
		if n != want {
			t.Errorf("grid %s has %d customers after publishing, the diff said %d", pg.Code, n, want)
		}
	}
	live, _ := f.Grids(ctx, territory.GridFilter{})
	if len(live) != len(gs)+1 {
		t.Errorf("%d live grids, want %d", len(live), len(gs)+1)
	}
	plans, _ := f.Plans(ctx, territory.PlanFilter{Statuses: []territory.PlanStatus{territory.PlanArchived}})
	if len(plans) != 1 || plans[0].Number != 1 {
		t.Errorf("archived: %+v, want the baseline", plans)
	}
}

// A redraw whose vertices miss the neighbours by a few metres, with
// floating-point noise on top: snapping leaves neither gap nor overlap;
// without snapping the validation report finds the gaps.
func TestSaveGridSnapsToNeighbours(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name     string
		snapM    float64
		wantGaps bool
	}{{"snapped", 0, false}, {"unsnapped", -1, true}} {
		t.Run(tt.name, func(t *testing.T) {
			_, p, d := cityPlanner(t)
			gs := mustGrids(t, p, d.ID)
			g, _, _ := inner(t, gs)
			c := g.Boundary.Bound().Center()
			var ring orb.Ring
			for i, v := range g.Boundary[0][0][:len(g.Boundary[0][0])-1] {
				// Pull every vertex 3 m towards the centre, plus noise.
				dx, dy := v[0]-c[0], v[1]-c[1]
				k := 3 / geo.DistanceM(v, c)
				ring = append(ring, orb.Point{v[0] - dx*k + float64(i)*1e-11, v[1] - dy*k - 1e-11})
			}
			ring = append(ring, ring[0])
			edit := *g
			edit.Boundary = orb.MultiPolygon{{ring}}
			if _, err := p.SaveGrid(ctx, d.ID, &edit, territory.EditOptions{SnapM: tt.snapM}, "alice"); err != nil {
				t.Fatal(err)
			}
			r, err := p.Validate(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			errs := wantKinds(t, r, territory.SeverityError)
			if got := errs[territory.ViolationGap] > 0; got != tt.wantGaps {
				t.Errorf("gaps: %v, want %v (errors %v)", got, tt.wantGaps, errs)
			}
			if errs[territory.ViolationOverlap] > 0 {
				t.Errorf("overlaps after the edit: %v", errs)
			}
			if tt.wantGaps {
				for _, v := range r.Violations {
					if v.Kind == territory.ViolationGap && (v.Geometry == nil || !slices.Contains(v.PlanGridIDs, g.ID)) {
						t.Errorf("gap violation without geometry or without grid %d: %+v", g.ID, v)
					}
				}
			}
		})
	}
}

func TestSaveGridFitAndCarve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, mode := range []territory.EditMode{territory.EditCarve, territory.EditFit} {
		t.Run(string(mode), func(t *testing.T) {
			_, p, d := cityPlanner(t)
			gs := mustGrids(t, p, d.ID)
			g, corner, _ := inner(t, gs)
			// Grow g by a square at its corner: a quarter is g's own.
			edit := *g
			u, err := shape.Union(g.Boundary, squareAt(corner, 200))
			if err != nil {
				t.Fatal(err)
			}
			edit.Boundary = u
			res, err := p.SaveGrid(ctx, d.ID, &edit, territory.EditOptions{Mode: mode}, "alice")
			if err != nil {
				t.Fatal(err)
			}
			grew := shape.AreaM2(res.Grid.Boundary) - shape.AreaM2(g.Boundary)
			switch mode {
			case territory.EditCarve:
				want := shape.AreaM2(u) - shape.AreaM2(g.Boundary)
				if math.Abs(grew-want) > 1 || len(res.Changed) != 3 {
					t.Errorf("carve: grew %.0f m² (want %.0f), reshaped %d (want 3)", grew, want, len(res.Changed))
				}
			case territory.EditFit:
				if math.Abs(grew) > 1 || len(res.Changed) != 0 {
					t.Errorf("fit: grew %.0f m² (want 0: the neighbours keep theirs), reshaped %d", grew, len(res.Changed))
				}
			}
			r, _ := p.Validate(ctx, d.ID)
			if !r.OK {
				t.Errorf("%d errors: %+v", r.Errors, r.Violations[0])
			}
		})
	}
}

// A neighbour entirely inside the carved shape is removed and handed to
// the edited grid.
func TestSaveGridSwallowsNeighbour(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, p, d := cityPlanner(t)
	gs := mustGrids(t, p, d.ID)
	g, _, _ := inner(t, gs)
	var victim *territory.PlanGrid
	for _, o := range gs {
		if o.ID != g.ID && o.DistrictID == g.DistrictID && len(o.Boundary) == 1 && sharesEdge(o, g) {
			victim = o
			break
		}
	}
	if victim == nil {
		t.Fatal("no neighbour")
	}
	edit := *g
	u, _ := shape.Union(g.Boundary, victim.Boundary)
	edit.Boundary = u
	res, err := p.SaveGrid(ctx, d.ID, &edit, territory.EditOptions{}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	var gone *territory.PlanGrid
	for _, c := range res.Changed {
		if c.ID == victim.ID {
			gone = c
		}
	}
	if gone == nil || !gone.Removed || gone.SuccessorID != g.ID {
		t.Fatalf("swallowed neighbour: %+v, want removed with successor %d", gone, g.ID)
	}
	pub, err := p.Publish(ctx, d.ID, d.Version, "alice")
	if err != nil {
		t.Fatal(err)
	}
	_ = pub
	ms, _ := f.Managers(ctx, territory.ManagerFilter{GridID: victim.GridID})
	if len(ms) != 0 {
		t.Errorf("managers still on the deleted grid")
	}
	if _, err := f.Grid(ctx, victim.GridID); !errors.Is(err, territory.ErrNotFound) {
		t.Errorf("the swallowed live grid still exists: %v", err)
	}
	assertAssigned(t, f)
}

func sharesEdge(a, b *territory.PlanGrid) bool {
	n := 0
	for _, v := range a.Boundary[0][0][1:] {
		if slices.Contains(b.Boundary[0][0], v) {
			n++
		}
	}
	return n >= 2
}

func TestSaveGridConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, p, d := cityPlanner(t)
	g := mustGrids(t, p, d.ID)[5]
	a := *g
	a.Name = "renamed by alice"
	if _, err := p.SaveGrid(ctx, d.ID, &a, territory.EditOptions{}, "王芳"); err != nil {
		t.Fatal(err)
	}
	b := *g // still at the old version
	b.Name = "renamed by bob"
	_, err := p.SaveGrid(ctx, d.ID, &b, territory.EditOptions{}, "bob")
	var ce *territory.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, territory.ErrConflict) {
		t.Fatalf("stale save: %v, want a *ConflictError", err)
	}
	want := "grid " + g.Code + " was changed by 王芳 at 2026-11-26 10:42:00 UTC"
	if !strings.Contains(ce.Reason, want) || !strings.Contains(ce.Reason, "reload") {
		t.Errorf("message %q should say %q and to reload", ce.Reason, want)
	}
	for _, fn := range []func() error{
		func() error { _, err := p.RemoveGrid(ctx, d.ID, g.ID, g.Version, 0, "bob"); return err },
		func() error {
			_, err := p.SplitGrid(ctx, d.ID, g.ID, g.Version, orb.LineString{{0, 0}, {1, 1}}, "bob")
			return err
		},
		func() error {
			o := mustGrids(t, p, d.ID)[6]
			_, err := p.MergeGrids(ctx, d.ID, []int64{o.ID, g.ID}, []int{o.Version, g.Version}, "bob")
			return err
		},
	} {
		if err := fn(); !errors.Is(err, territory.ErrConflict) {
			t.Errorf("stale version: %v, want a conflict", err)
		}
	}
}

func TestSaveGridRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, p, d := cityPlanner(t)
	gs := mustGrids(t, p, d.ID)
	g, corner, _ := inner(t, gs)
	bow := orb.MultiPolygon{{{geo.Offset(corner, 0, 0), geo.Offset(corner, 100, 100), geo.Offset(corner, 100, 0),
		geo.Offset(corner, 0, 100), geo.Offset(corner, 0, 0)}}}
	far := squareAt(orb.Point{corner[0] + 1, corner[1]}, 100)
	fresh := func(mut func(*territory.PlanGrid)) *territory.PlanGrid {
		n := &territory.PlanGrid{Code: "N-1", Name: "n", DistrictID: g.DistrictID, Boundary: squareAt(corner, 100)}
		mut(n)
		return n
	}
	cases := []struct {
		name  string
		plan  int64
		grid  *territory.PlanGrid
		opt   territory.EditOptions
		field string // a FieldError on it, or "" for the sentinel below
		is    error
		says  string
	}{
		{"self-intersecting", d.ID, fresh(func(n *territory.PlanGrid) { n.Boundary = bow }), territory.EditOptions{}, "geometry", nil, "ring 0 point"},
		{"second polygon bad", d.ID, fresh(func(n *territory.PlanGrid) { n.Boundary = append(squareAt(corner, 10), bow[0]) }), territory.EditOptions{}, "geometry", nil, "polygon 1: ring 0"},
		{"no geometry", d.ID, fresh(func(n *territory.PlanGrid) { n.Boundary = nil }), territory.EditOptions{}, "geometry", nil, "required"},
		{"no code", d.ID, fresh(func(n *territory.PlanGrid) { n.Code = " " }), territory.EditOptions{}, "code", nil, "required"},
		{"code taken", d.ID, fresh(func(n *territory.PlanGrid) { n.Code = g.Code }), territory.EditOptions{}, "code", nil, "already the code"},
		{"unknown district", d.ID, fresh(func(n *territory.PlanGrid) { n.DistrictID = 999999 }), territory.EditOptions{}, "district_id", nil, "does not exist"},
		{"outside its district", d.ID, fresh(func(n *territory.PlanGrid) { n.Boundary = far }), territory.EditOptions{}, "geometry", nil, "lies outside district"},
		{"fit inside others", d.ID, fresh(func(*territory.PlanGrid) {}), territory.EditOptions{Mode: territory.EditFit}, "geometry", nil, "entirely inside other grids"},
		{"bad mode", d.ID, fresh(func(*territory.PlanGrid) {}), territory.EditOptions{Mode: "glue"}, "mode", nil, "carve or fit"},
		{"NaN snap", d.ID, fresh(func(*territory.PlanGrid) {}), territory.EditOptions{SnapM: math.NaN()}, "snap_m", nil, "number"},
		{"unknown grid", d.ID, fresh(func(n *territory.PlanGrid) { n.ID = 424242 }), territory.EditOptions{}, "", territory.ErrNotFound, "424242"},
		{"unknown plan", 777777, fresh(func(*territory.PlanGrid) {}), territory.EditOptions{}, "", territory.ErrNotFound, "plan 777777"},
		{"published plan", d.BasePlanID, fresh(func(*territory.PlanGrid) {}), territory.EditOptions{}, "", territory.ErrConflict, "only drafts can be edited"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.SaveGrid(ctx, tt.plan, tt.grid, tt.opt, "alice")
			if err == nil {
				t.Fatal("accepted")
			}
			if tt.field != "" {
				var fe *territory.FieldError
				if !errors.As(err, &fe) || fe.Field != tt.field {
					t.Fatalf("error %v, want a FieldError on %s", err, tt.field)
				}
			} else if !errors.Is(err, tt.is) {
				t.Fatalf("error %v, want %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
			// Preview refuses the same way.
			if tt.plan == d.ID {
				if _, perr := p.Preview(ctx, tt.plan, tt.grid, tt.opt); perr == nil || perr.Error() != err.Error() && tt.field != "" {
					t.Errorf("preview: %v, save: %v", perr, err)
				}
			}
		})
	}
	if n := len(mustGrids(t, p, d.ID)); n != len(gs) {
		t.Errorf("refused edits left %d grids, want %d", n, len(gs))
	}
	_ = f
}

func TestRemoveGridNeedsSuccessor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, p, d := cityPlanner(t)
	gs := mustGrids(t, p, d.ID)
	g, _, _ := inner(t, gs)
	ms, _ := f.Managers(ctx, territory.ManagerFilter{GridID: g.GridID})
	if len(ms) == 0 {
		t.Fatal("the demo grid has no managers")
	}
	res, err := p.RemoveGrid(ctx, d.ID, g.ID, g.Version, 0, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Grid.Removed {
		t.Fatal("not removed")
	}
	if res.Diff.Moved == 0 {
		t.Error("removing a grid with customers moves nobody?")
	}
	r, _ := p.Validate(ctx, d.ID)
	errs := wantKinds(t, r, territory.SeverityError)
	if errs[territory.ViolationRemovedManagers] != 1 || errs[territory.ViolationGap] != 1 {
		t.Errorf("errors %v, want one removed_with_managers and one gap", errs)
	}
	if len(res.Diff.ManagersOutside) == 0 {
		t.Error("the removed grid's managers lose their whole list: they should be listed")
	}
	d, _ = f.Plan(ctx, d.ID)
	if _, err := p.Publish(ctx, d.ID, d.Version, "alice"); !errors.Is(err, territory.ErrConflict) || !strings.Contains(err.Error(), "validation found") {
		t.Errorf("publishing with errors: %v", err)
	}
	// Naming a successor clears that error.
	var succ *territory.PlanGrid
	for _, o := range gs {
		if o.ID != g.ID && o.DistrictID == g.DistrictID && sharesEdge(o, g) {
			succ = o
			break
		}
	}
	if _, err := p.RemoveGrid(ctx, d.ID, g.ID, res.Grid.Version, succ.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	r, _ = p.Validate(ctx, d.ID)
	if errs := wantKinds(t, r, territory.SeverityError); errs[territory.ViolationRemovedManagers] != 0 {
		t.Errorf("still %v", errs)
	}
	if _, err := p.RemoveGrid(ctx, d.ID, succ.ID, succ.Version, succ.ID, "alice"); err == nil {
		t.Error("a grid succeeding itself was accepted")
	}
}

func TestMergeGrids(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, p, d := cityPlanner(t)
	gs := mustGrids(t, p, d.ID)
	g, _, _ := inner(t, gs)
	var n *territory.PlanGrid
	for _, o := range gs {
		if o.ID != g.ID && o.DistrictID == g.DistrictID && sharesEdge(o, g) {
			n = o
			break
		}
	}
	gMgrs, _ := f.Managers(ctx, territory.ManagerFilter{GridID: g.GridID})
	nMgrs, _ := f.Managers(ctx, territory.ManagerFilter{GridID: n.GridID})
	before, _ := f.CountCustomers(ctx, territory.CustomerFilter{GridID: g.GridID})
	nBefore, _ := f.CountCustomers(ctx, territory.CustomerFilter{GridID: n.GridID})

	cmpBase, err := p.Compare(ctx, d.BasePlanID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.MergeGrids(ctx, d.ID, []int64{n.ID, g.ID}, []int{n.Version, g.Version}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Grid.Boundary) != 1 || len(res.Grid.Boundary[0]) != 1 {
		t.Errorf("merged grid: %d polygons, %d rings; want one ring", len(res.Grid.Boundary), len(res.Grid.Boundary[0]))
	}
	if a, want := shape.AreaM2(res.Grid.Boundary), shape.AreaM2(g.Boundary)+shape.AreaM2(n.Boundary); math.Abs(a-want) > 1 {
		t.Errorf("merged area %.0f, want %.0f", a, want)
	}
	if len(res.Changed) != 1 || !res.Changed[0].Removed || res.Changed[0].SuccessorID != n.ID {
		t.Errorf("absorbed grid: %+v", res.Changed)
	}
	if res.Diff.Moved != before {
		t.Errorf("merge moves %d customers, want the %d of the absorbed grid", res.Diff.Moved, before)
	}
	if len(res.Diff.ManagersOutside) != 0 {
		t.Errorf("managers outside after a merge: %+v (their customers all go with them)", res.Diff.ManagersOutside)
	}

	cmp, err := p.Compare(ctx, d.BasePlanID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range cmp.Grids {
		switch row.GridID {
		case g.GridID:
			if row.A == nil || row.B != nil {
				t.Errorf("absorbed grid row: %+v", row)
			}
		case n.GridID:
			if row.A == nil || row.B == nil || row.B.Customers != before+nBefore || row.B.Managers != len(gMgrs)+len(nMgrs) {
				t.Errorf("survivor row: %+v / %+v, want %d customers and %d managers", row.A, row.B, before+nBefore, len(gMgrs)+len(nMgrs))
			}
			if row.B != nil && row.B.Headroom != row.B.QuotaMax-row.B.Claimed {
				t.Errorf("headroom %d, want %d − %d", row.B.Headroom, row.B.QuotaMax, row.B.Claimed)
			}
		}
	}
	if len(cmp.Grids) != len(cmpBase.Grids) {
		t.Errorf("compare rows: %d, want %d (one per grid of either plan)", len(cmp.Grids), len(cmpBase.Grids))
	}

	d, _ = f.Plan(ctx, d.ID)
	if _, err := p.Publish(ctx, d.ID, d.Version, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Grid(ctx, g.GridID); !errors.Is(err, territory.ErrNotFound) {
		t.Errorf("absorbed live grid still there: %v", err)
	}
	after, _ := f.Managers(ctx, territory.ManagerFilter{GridID: n.GridID})
	if len(after) != len(gMgrs)+len(nMgrs) {
		t.Errorf("survivor has %d managers, want %d", len(after), len(gMgrs)+len(nMgrs))
	}
	if c, _ := f.CountCustomers(ctx, territory.CustomerFilter{GridID: n.GridID}); c != before+nBefore {
		t.Errorf("survivor has %d customers, want %d", c, before+nBefore)
	}
	assertAssigned(t, f)

	// Refusals.
	d2, _ := p.NewDraft(ctx, "again", 0, "alice")
	gs2 := mustGrids(t, p, d2.ID)
	far := gs2[0]
	for _, o := range gs2 {
		if o.DistrictID == far.DistrictID && o.ID != far.ID && !sharesEdge(o, far) && !o.Boundary.Bound().Intersects(far.Boundary.Bound()) {
			if _, err := p.MergeGrids(ctx, d2.ID, []int64{far.ID, o.ID}, []int{far.Version, o.Version}, "alice"); !isField(err, "grid_ids") {
				t.Errorf("merging grids apart: %v, want a FieldError on grid_ids", err)
			}
			break
		}
	}
	if _, err := p.MergeGrids(ctx, d2.ID, []int64{far.ID}, []int{1}, "alice"); !isField(err, "grid_ids") {
		t.Errorf("merging one grid: %v", err)
	}
	if _, err := p.MergeGrids(ctx, d2.ID, []int64{far.ID, far.ID + 1}, []int{1}, "alice"); !isField(err, "versions") {
		t.Errorf("versions missing: %v", err)
	}
}

func isField(err error, field string) bool {
	var fe *territory.FieldError
	return errors.As(err, &fe) && fe.Field == field
}

func TestSplitGrid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, p, d := cityPlanner(t)
	gs := mustGrids(t, p, d.ID)
	g, _, _ := inner(t, gs)
	b := g.Boundary.Bound()
	mid := b.Center()
	line := orb.LineString{{mid[0], b.Min[1] - 0.001}, {mid[0], b.Max[1] + 0.001}}

	res, err := p.SplitGrid(ctx, d.ID, g.ID, g.Version, line, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changed) != 1 || res.Changed[0].Code != g.Code+"-2" {
		t.Fatalf("new parts: %+v, want one coded %s-2", res.Changed, g.Code)
	}
	sum := shape.AreaM2(res.Grid.Boundary) + shape.AreaM2(res.Changed[0].Boundary)
	if math.Abs(sum-shape.AreaM2(g.Boundary)) > 1 {
		t.Errorf("parts add up to %.0f m², the grid had %.0f", sum, shape.AreaM2(g.Boundary))
	}
	if res.Grid.GridID != g.GridID || res.Changed[0].GridID != 0 {
		t.Errorf("the larger part keeps the live grid (%d), the other is new: got %d and %d", g.GridID, res.Grid.GridID, res.Changed[0].GridID)
	}
	r, _ := p.Validate(ctx, d.ID)
	if !r.OK {
		t.Fatalf("after a split: %+v", r.Violations[0])
	}
	before := gridOfCustomers(f)
	d, _ = f.Plan(ctx, d.ID)
	if _, err := p.Publish(ctx, d.ID, d.Version, "alice"); err != nil {
		t.Fatal(err)
	}
	if n := changedCount(before, gridOfCustomers(f)); n != res.Diff.Moved || n == 0 {
		t.Errorf("publishing moved %d, the split's diff said %d", n, res.Diff.Moved)
	}
	assertAssigned(t, f)

	// The line must cross the grid.
	d2, _ := p.NewDraft(ctx, "", 0, "alice")
	g2 := byCode(t, mustGrids(t, p, d2.ID), g.Code) // the larger half now
	b = g2.Boundary.Bound()
	mid = b.Center()
	short := orb.LineString{{mid[0], b.Min[1] - 0.001}, mid}
	if _, err := p.SplitGrid(ctx, d2.ID, g2.ID, g2.Version, short, "alice"); !isField(err, "line") || !strings.Contains(err.Error(), "ends inside") {
		t.Errorf("a line ending inside: %v", err)
	}
	// An end a metre short of the edge is extended onto it.
	almost := orb.LineString{{mid[0], b.Min[1] - 0.001}, {mid[0], b.Max[1] + 0.001}}
	top := nearestBoundaryPoint(g2.Boundary[0][0], orb.Point{mid[0], b.Max[1]})
	almost[1] = geo.Offset(top, 0, -1)
	if _, err := p.SplitGrid(ctx, d2.ID, g2.ID, g2.Version, almost, "alice"); err != nil {
		t.Errorf("a line ending 1 m short of the edge: %v", err)
	}
}

// nearestBoundaryPoint returns the point of r straight below (south of) q
// on the edge crossing q's meridian nearest to q.
func nearestBoundaryPoint(r orb.Ring, q orb.Point) orb.Point {
	best, bestD := q, math.Inf(1)
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if (a[0]-q[0])*(b[0]-q[0]) > 0 || a[0] == b[0] {
			continue
		}
		t := (q[0] - a[0]) / (b[0] - a[0])
		p := orb.Point{q[0], a[1] + t*(b[1]-a[1])}
		if d := math.Abs(p[1] - q[1]); d < bestD {
			best, bestD = p, d
		}
	}
	return best
}

func TestValidateFindsEachKind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, p, d := cityPlanner(t)
	gs := mustGrids(t, p, d.ID)
	g, corner, _ := inner(t, gs)
	var other *territory.PlanGrid
	for _, o := range gs {
		if o.DistrictID != g.DistrictID {
			other = o
			break
		}
	}
	// Written straight to the store, as an import or an old client might:
	// the planner's own edits would have prevented each of these.
	write := func(c *territory.PlanGrid) {
		t.Helper()
		var err error
		if c.ID == 0 {
			err = f.CreatePlanGrid(ctx, c)
		} else {
			err = f.UpdatePlanGrid(ctx, c)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	write(&territory.PlanGrid{PlanID: d.ID, Code: "OVER", Name: "overlap", DistrictID: g.DistrictID, Boundary: squareAt(corner, 150)})
	pieces := *other
	pieces.Boundary = append(other.Boundary.Clone(), squareAt(other.Boundary.Bound().Center(), 50)[0])
	// A second, separate part: move the small square outside the grid but
	// inside its district by using a far corner of the grid itself.
	pieces.Boundary[1] = squareAt(other.Boundary[0][0][0], 20)[0]
	write(&pieces)
	r, err := p.Validate(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	errs := wantKinds(t, r, territory.SeverityError)
	over := byCode(t, mustGrids(t, p, d.ID), "OVER")
	n := 0
	for _, v := range r.Violations {
		if v.Kind == territory.ViolationOverlap && slices.Contains(v.PlanGridIDs, over.ID) {
			n++
		}
	}
	if n != 4 {
		t.Errorf("overlaps with the square: %d, want 4 (it lies over a corner of four grids)", n)
	}
	if r.OK || r.Errors == 0 {
		t.Error("report OK with overlaps")
	}
	for _, v := range r.Violations {
		if v.Severity == territory.SeverityError && v.Geometry == nil {
			t.Errorf("%s without a geometry to zoom to: %s", v.Kind, v.Message)
		}
		if v.Kind == territory.ViolationOverlap && len(v.PlanGridIDs) != 2 {
			t.Errorf("overlap names %v, want two grids", v.PlanGridIDs)
		}
	}
	if errs[territory.ViolationPieces]+errs[territory.ViolationOutside] == 0 {
		t.Errorf("a grid with a stray part: no pieces or outside_district error: %v", errs)
	}

	empty := *byCode(t, mustGrids(t, p, d.ID), g.Code)
	empty.Boundary = nil
	write(&empty)
	r, _ = p.Validate(ctx, d.ID)
	if wantKinds(t, r, territory.SeverityError)[territory.ViolationEmpty] != 1 {
		t.Errorf("a grid without area: %v", wantKinds(t, r, territory.SeverityError))
	}
	if wantKinds(t, r, territory.SeverityError)[territory.ViolationGap] != 0 {
		// The overlapping square and the neighbours still cover most, but
		// the emptied grid's ground is uncovered.
		t.Log("gap found where the emptied grid was, as expected")
	}
	if r.Violations[0].Severity != territory.SeverityError {
		t.Error("errors should come first")
	}
}

func TestApprovalFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, p, d := cityPlanner(t)
	p.RequireApproval = true
	g := mustGrids(t, p, d.ID)[3]
	rename := *g
	rename.Name = "改名"
	if _, err := p.SaveGrid(ctx, d.ID, &rename, territory.EditOptions{}, "alice"); err != nil {
		t.Fatal(err)
	}
	d, _ = f.Plan(ctx, d.ID)
	if _, err := p.Publish(ctx, d.ID, d.Version, "alice"); !errors.Is(err, territory.ErrConflict) || !strings.Contains(err.Error(), "approval") {
		t.Errorf("publishing unapproved: %v", err)
	}
	if _, err := p.Approve(ctx, d.ID, d.Version, "leader"); !errors.Is(err, territory.ErrConflict) {
		t.Errorf("approving a draft: %v", err)
	}
	d, err := p.Submit(ctx, d.ID, d.Version, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != territory.PlanPending || d.SubmittedBy != "alice" {
		t.Errorf("submitted: %s by %q", d.Status, d.SubmittedBy)
	}
	if _, err := p.Approve(ctx, d.ID, d.Version, "alice"); !errors.Is(err, territory.ErrForbidden) || !errors.Is(err, territory.ErrSamePerson) {
		t.Errorf("self-approval: %v, want ErrForbidden", err)
	}
	if _, err := p.Approve(ctx, d.ID, d.Version-1, "lily"); !errors.Is(err, territory.ErrConflict) {
		t.Errorf("stale approval: %v", err)
	}
	d, err = p.Approve(ctx, d.ID, d.Version, "lily")
	if err != nil {
		t.Fatal(err)
	}
	if d.ApprovedBy != "lily" || d.ApprovedAt == nil {
		t.Errorf("approval not recorded: %+v", d)
	}
	pub, err := p.Publish(ctx, d.ID, d.Version, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if pub.Status != territory.PlanPublished || pub.Number != 2 || pub.PublishedBy != "alice" {
		t.Errorf("published: %+v", pub)
	}
	live, _ := f.Grid(ctx, g.GridID)
	if live.Name != "改名" || live.Status != territory.GridPublished {
		t.Errorf("live grid: %q %s", live.Name, live.Status)
	}

	// An edit after submission sends the plan back to draft and voids the
	// approval.
	d2, _ := p.NewDraft(ctx, "second", 0, "alice")
	d2, _ = p.Submit(ctx, d2.ID, d2.Version, "alice")
	d2, _ = p.Approve(ctx, d2.ID, d2.Version, "lily")
	g2 := mustGrids(t, p, d2.ID)[0]
	r2 := *g2
	r2.Name = "late change"
	if _, err := p.SaveGrid(ctx, d2.ID, &r2, territory.EditOptions{}, "alice"); err != nil {
		t.Fatal(err)
	}
	d2, _ = f.Plan(ctx, d2.ID)
	if d2.Status != territory.PlanDraft || d2.ApprovedBy != "" {
		t.Errorf("after an edit: %s approved by %q; want a draft, approval void", d2.Status, d2.ApprovedBy)
	}
	if _, err := p.SaveGrid(ctx, pub.ID, &r2, territory.EditOptions{}, "alice"); !errors.Is(err, territory.ErrConflict) {
		t.Errorf("editing the published plan: %v", err)
	}
}

// Restoring version 1 after a merge brings the absorbed grid back as a new
// live grid; restoring after a split removes the split-off grid, handing it
// to the grid it came from.
func TestRestoreVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, p, d := cityPlanner(t)
	base := d.BasePlanID
	gs := mustGrids(t, p, d.ID)
	g, _, _ := inner(t, gs)
	b := g.Boundary.Bound()
	line := orb.LineString{{b.Center()[0], b.Min[1] - 0.001}, {b.Center()[0], b.Max[1] + 0.001}}
	res, err := p.SplitGrid(ctx, d.ID, g.ID, g.Version, line, "alice")
	if err != nil {
		t.Fatal(err)
	}
	d, _ = f.Plan(ctx, d.ID)
	if _, err := p.Publish(ctx, d.ID, d.Version, "alice"); err != nil {
		t.Fatal(err)
	}
	split := byCode(t, mustGrids(t, p, d.ID), res.Changed[0].Code)

	restore, err := p.NewDraft(ctx, "", base, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(restore.Name, "version 1") {
		t.Errorf("restore draft is named %q", restore.Name)
	}
	rg := mustGrids(t, p, restore.ID)
	gone := byCode(t, rg, split.Code)
	if !gone.Removed || gone.GridID != split.GridID || gone.SuccessorID != byCode(t, rg, g.Code).ID {
		t.Errorf("the split-off grid in the restore: %+v; want removed, succeeded by %s", gone, g.Code)
	}
	pre, err := p.Preview(ctx, restore.ID, nil, territory.EditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	before := gridOfCustomers(f)
	restore, _ = f.Plan(ctx, restore.ID)
	if _, err := p.Publish(ctx, restore.ID, restore.Version, "bob"); err != nil {
		t.Fatal(err)
	}
	if n := changedCount(before, gridOfCustomers(f)); n != pre.Moved || n != res.Diff.Moved {
		t.Errorf("restoring moved %d customers; preview said %d, the split had moved %d", n, pre.Moved, res.Diff.Moved)
	}
	live, _ := f.Grids(ctx, territory.GridFilter{})
	if len(live) != len(gs) {
		t.Errorf("%d live grids after the restore, want %d", len(live), len(gs))
	}
	lg, _ := f.Grid(ctx, g.GridID)
	if !orb.Equal(lg.Boundary, g.Boundary[0]) {
		t.Error("the restored grid does not have its version-1 shape")
	}
	plans, _ := f.Plans(ctx, territory.PlanFilter{Statuses: []territory.PlanStatus{territory.PlanPublished}})
	if len(plans) != 1 || plans[0].Number != 3 {
		t.Errorf("published: %+v, want version 3", plans)
	}
}

// A failure in the middle of a publication leaves everything as it was.
func TestPublishRollsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, p, d := cityPlanner(t)
	gs := mustGrids(t, p, d.ID)
	g, corner, _ := inner(t, gs)
	if _, err := p.SaveGrid(ctx, d.ID, &territory.PlanGrid{Code: "X", Name: "x", DistrictID: g.DistrictID, Boundary: squareAt(corner, 300)},
		territory.EditOptions{}, "alice"); err != nil {
		t.Fatal(err)
	}
	liveBefore, _ := f.Grids(ctx, territory.GridFilter{})
	custBefore := gridOfCustomers(f)
	f.fail["MoveCustomers"] = errors.New("disk full")
	d, _ = f.Plan(ctx, d.ID)
	if _, err := p.Publish(ctx, d.ID, d.Version, "alice"); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("publish: %v, want the store's error", err)
	}
	delete(f.fail, "MoveCustomers")
	liveAfter, _ := f.Grids(ctx, territory.GridFilter{})
	if len(liveAfter) != len(liveBefore) {
		t.Errorf("%d live grids after a failed publication, want %d", len(liveAfter), len(liveBefore))
	}
	if n := changedCount(custBefore, gridOfCustomers(f)); n != 0 {
		t.Errorf("%d customers moved by a failed publication", n)
	}
	if st, _ := f.Plan(ctx, d.ID); st.Status != territory.PlanDraft {
		t.Errorf("plan is %s after a failed publication", st.Status)
	}
	if base, _ := f.Plan(ctx, d.BasePlanID); base.Status != territory.PlanPublished {
		t.Errorf("baseline is %s after a failed publication", base.Status)
	}
}

func TestPlanNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, p, _ := cityPlanner(t)
	checks := map[string]error{}
	_, checks["validate"] = p.Validate(ctx, 9999)
	_, checks["preview"] = p.Preview(ctx, 9999, nil, territory.EditOptions{})
	_, checks["compare"] = p.Compare(ctx, 9999, 1)
	_, checks["publish"] = p.Publish(ctx, 9999, 1, "a")
	_, checks["draft"] = p.NewDraft(ctx, "", 9999, "a")
	for name, err := range checks {
		if !errors.Is(err, territory.ErrNotFound) || !strings.Contains(err.Error(), "9999") {
			t.Errorf("%s: %v, want not found naming 9999", name, err)
		}
	}
}

// TestValidateQuotas: a grid's pool (targets) never counts against its
// managers' maximum lists; listed customers (list … order) do; too few
// customers for the minimum lists and customers with no manager are flagged.
func TestValidateQuotas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, p, d := cityPlanner(t)
	gs := mustGrids(t, p, d.ID)
	managers, _ := f.Managers(ctx, territory.ManagerFilter{})
	team := map[int64][]*territory.Manager{}
	for _, m := range managers {
		team[m.GridID] = append(team[m.GridID], m)
	}
	var g *territory.PlanGrid
	for _, c := range gs {
		if len(team[c.GridID]) > 0 {
			g = c
			break
		}
	}
	hi, lo := 0, 0
	for _, m := range team[g.GridID] {
		hi, lo = hi+m.Quota.Max, lo+m.Quota.Min
	}
	var members []*territory.Customer
	f.mu.Lock()
	for _, c := range f.st.customers {
		if c.GridID == g.GridID {
			members = append(members, c)
		}
	}
	home := map[*territory.Customer]orb.Point{}
	for _, c := range members {
		home[c] = c.Location
	}
	f.mu.Unlock()
	// setStages gives the grid's first keep customers stage and moves the
	// rest out of every grid (as a re-import with new coordinates would).
	setStages := func(stage funnel.Stage, keep int) int {
		f.mu.Lock()
		defer f.mu.Unlock()
		for i, c := range members {
			c.Stage, c.Location, c.GridID = stage, home[c], g.GridID
			if i >= keep {
				c.Location, c.GridID = orb.Point{0, 0}, 0
			}
		}
		return min(keep, len(members))
	}
	quota := func() (min, max int) {
		t.Helper()
		r, err := p.Validate(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range r.Violations {
			if !slices.Contains(v.PlanGridIDs, g.ID) {
				continue
			}
			switch v.Kind {
			case territory.ViolationQuotaMin:
				min++
			case territory.ViolationQuotaMax:
				max++
			}
		}
		return min, max
	}

	if n := setStages(funnel.Target, 1<<30); n <= hi {
		t.Skipf("grid %s has %d customers, not more than its managers' %d: pick another city", g.Code, n, hi)
	}
	if mn, mx := quota(); mn != 0 || mx != 0 {
		t.Errorf("a grid full of targets (its pool): quota_min %d, quota_max %d; want neither", mn, mx)
	}
	setStages(funnel.List, 1<<30)
	if _, mx := quota(); mx != 1 {
		t.Errorf("more listed customers than %d maximum places: quota_max %d, want 1", hi, mx)
	}
	setStages(funnel.Target, lo-1)
	if mn, _ := quota(); mn != 1 {
		t.Errorf("%d customers for %d minimum places: quota_min %d, want 1", lo-1, lo, mn)
	}
}

// TestCarveLeavingNeighbourInvalid: a grid drawn with a corner exactly on
// its neighbour's outer edge would leave the neighbour a hole touching that
// edge. Preview and save must refuse it alike, naming the neighbour, and
// nothing is written (a preview that promised what the save then refused
// was a real bug).
func TestCarveLeavingNeighbourInvalid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newPlanFake()
	sq := orb.Polygon{{{120, 30}, {120.01, 30}, {120.01, 30.01}, {120, 30.01}, {120, 30}}}
	f.st.districts[1] = &territory.District{ID: 1, Code: "330106", Name: "西湖区", City: "杭州市", Province: "浙江省", Boundary: orb.MultiPolygon{sq}}
	f.st.grids[10] = &territory.Grid{ID: 10, Code: "BIG", Name: "大网格", DistrictID: 1, Boundary: sq, Version: 1, Status: territory.GridPublished}
	p := f.planner()
	d, err := p.NewDraft(ctx, "", 0, "alice")
	if err != nil {
		t.Fatal(err)
	}
	// A diamond whose west corner lies on BIG's west edge.
	diamond := orb.MultiPolygon{{{{120.0, 30.005}, {120.002, 30.003}, {120.004, 30.005}, {120.002, 30.007}, {120.0, 30.005}}}}
	g := &territory.PlanGrid{PlanID: d.ID, Code: "NEW", Name: "新网格", DistrictID: 1, Boundary: diamond}
	opt := territory.EditOptions{SnapM: -1} // exactly as drawn
	_, perr := p.Preview(ctx, d.ID, g, opt)
	_, serr := p.SaveGrid(ctx, d.ID, g, opt, "alice")
	for name, err := range map[string]error{"preview": perr, "save": serr} {
		var fe *territory.FieldError
		if !errors.As(err, &fe) || fe.Field != "geometry" || !strings.Contains(fe.Reason, "BIG") {
			t.Errorf("%s: %v, want a geometry error naming grid BIG", name, err)
		}
	}
	if gs := mustGrids(t, p, d.ID); len(gs) != 1 || !orb.Equal(gs[0].Boundary, orb.MultiPolygon{sq}) {
		t.Errorf("the refused edit wrote something: %d grids", len(gs))
	}
	// Off the edge by a few metres, the same diamond carves cleanly.
	g.Boundary = orb.MultiPolygon{{{{120.0001, 30.005}, {120.002, 30.003}, {120.004, 30.005}, {120.002, 30.007}, {120.0001, 30.005}}}}
	if _, err := p.SaveGrid(ctx, d.ID, g, opt, "alice"); err != nil {
		t.Fatalf("a diamond inside BIG: %v", err)
	}
}
