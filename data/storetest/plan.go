package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/territory"
)

// What the plan cases pin down beyond territory.PlanStore's doc comments:
//
//   - CreatePlan gives every grid a fresh id (an id the caller set only
//     resolves SuccessorIDs within the batch) and writes nothing when one
//     row is bad; errors name the row;
//   - at most one plan is published, and a version number is given once
//     (ConflictError), checked on CreatePlan and UpdatePlan alike;
//   - a stale UpdatePlan or UpdatePlanGrid is a ConflictError naming who
//     changed the row and when, and writes nothing;
//   - DeletePlan deletes drafts only (ConflictError naming the status) and
//     takes their grids along;
//   - plans list newest first: published (and archived) ones by publication
//     time, the others by creation time, then by id;
//   - plan grids list by id; a plan grid's boundary round-trips exactly,
//     several parts, holes and an empty boundary included;
//   - among a plan's grids that are not removed codes are unique, and no
//     two grids stand for the same live grid (ConflictError);
//   - a district is not deleted while a plan has grids in it.
var planCases = []testCase{
	{"plan/crud", testPlanCRUD},
	{"plan/round-trip", testPlanRoundTrip},
	{"plan/versions", testPlanVersions},
	{"plan/grid-versions", testPlanGridVersions},
	{"plan/one-published", testPlanOnePublished},
	{"plan/publish-swap-in-tx", testPlanPublishSwap},
	{"plan/delete-drafts-only", testPlanDeleteDraftsOnly},
	{"plan/delete-cascades", testPlanDeleteCascades},
	{"plan/filter-order-limit", testPlanFilter},
	{"plan/invalid", testPlanInvalid},
	{"plan/unique-codes-and-grids", testPlanUnique},
	{"plan/successors", testPlanSuccessors},
	{"plan/create-all-or-nothing", testPlanAllOrNothing},
	{"plan/district-restricted", testPlanDistrictRestricted},
	{"plan/large-5000-grids", testPlanLarge},
}

// NewPlan returns a valid plan with the given name and status, created by
// "planner".
func NewPlan(name string, st territory.PlanStatus) *territory.Plan {
	return &territory.Plan{Name: name, Status: st, CreatedBy: "planner", UpdatedBy: "planner"}
}

// NewPlanGrid returns a valid plan grid of district districtID with the
// given code: a one-part 0.02° square around c.
func NewPlanGrid(districtID int64, code string, c orb.Point) *territory.PlanGrid {
	return &territory.PlanGrid{
		Code:       code,
		Name:       "网格 " + code,
		DistrictID: districtID,
		Boundary:   orb.MultiPolygon{Square(c, 0.01)},
		UpdatedBy:  "planner",
	}
}

// LatticePlanGrids returns n plan grids of district districtID tiling a
// lattice of cells of side cellDeg east and north of Hangzhou, each a ring
// of 4·perSide+1 points (perSide points per side: grids drawn by hand have
// more than four corners), codes prefix-0000 ….
func LatticePlanGrids(districtID int64, prefix string, n, perSide int, cellDeg float64) []*territory.PlanGrid {
	cols := 1
	for cols*cols < n {
		cols++
	}
	out := make([]*territory.PlanGrid, n)
	for i := range n {
		x0 := Hangzhou[0] + float64(i%cols)*cellDeg
		y0 := Hangzhou[1] + float64(i/cols)*cellDeg
		ring := make(orb.Ring, 0, 4*perSide+1)
		step := cellDeg / float64(perSide)
		for k := range perSide {
			ring = append(ring, orb.Point{x0 + float64(k)*step, y0})
		}
		for k := range perSide {
			ring = append(ring, orb.Point{x0 + cellDeg, y0 + float64(k)*step})
		}
		for k := range perSide {
			ring = append(ring, orb.Point{x0 + cellDeg - float64(k)*step, y0 + cellDeg})
		}
		for k := range perSide {
			ring = append(ring, orb.Point{x0, y0 + cellDeg - float64(k)*step})
		}
		ring = append(ring, ring[0])
		out[i] = &territory.PlanGrid{
			Code:       fmt.Sprintf("%s-%04d", prefix, i),
			Name:       fmt.Sprintf("网格 %d", i),
			DistrictID: districtID,
			Boundary:   orb.MultiPolygon{{ring}},
			GridID:     0,
			UpdatedBy:  "planner",
		}
	}
	return out
}

// twoParts is a boundary of two polygons, the first with a hole: a grid
// split by a river, as a draft may hold until the planner fixes it.
func twoParts() orb.MultiPolygon {
	return orb.MultiPolygon{
		SquareWithHole(orb.Point{120.1012345678901, 30.2712345678901}, 0.01),
		Square(orb.Point{120.1312345678901, 30.2712345678901}, 0.004),
	}
}

func samePlan(tb testing.TB, got, want *territory.Plan) {
	tb.Helper()
	SameTime(tb, "plan.CreatedAt", got.CreatedAt, want.CreatedAt)
	SameTime(tb, "plan.UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	for _, tt := range []struct {
		what      string
		got, want *time.Time
	}{{"SubmittedAt", got.SubmittedAt, want.SubmittedAt}, {"ApprovedAt", got.ApprovedAt, want.ApprovedAt}, {"PublishedAt", got.PublishedAt, want.PublishedAt}} {
		switch {
		case (tt.got == nil) != (tt.want == nil):
			tb.Errorf("plan.%s = %v, want %v", tt.what, tt.got, tt.want)
		case tt.got != nil:
			SameTime(tb, "plan."+tt.what, *tt.got, *tt.want)
		}
	}
	g, w := *got, *want
	g.CreatedAt, w.CreatedAt, g.UpdatedAt, w.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	g.SubmittedAt, w.SubmittedAt, g.ApprovedAt, w.ApprovedAt, g.PublishedAt, w.PublishedAt = nil, nil, nil, nil, nil, nil
	sameValue(tb, "plan", g, w)
}

func samePlanGrid(tb testing.TB, got, want *territory.PlanGrid) {
	tb.Helper()
	SameTime(tb, "planGrid.UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	g, w := *got, *want
	g.UpdatedAt, w.UpdatedAt = time.Time{}, time.Time{}
	if len(g.Boundary) == 0 && len(w.Boundary) == 0 {
		g.Boundary, w.Boundary = nil, nil // empty and nil are the same area
	}
	sameValue(tb, "plan grid", g, w)
}

func samePlanGrids(tb testing.TB, got, want []*territory.PlanGrid) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%d plan grids, want %d", len(got), len(want))
	}
	for i := range got {
		samePlanGrid(tb, got[i], want[i])
	}
}

func planIDs(ps []*territory.Plan) []int64 {
	return ids(ps, func(p *territory.Plan) int64 { return p.ID })
}

// mustPlan creates a plan of status st with grids and returns it.
func mustPlan(tb testing.TB, s data.Store, name string, st territory.PlanStatus, grids ...*territory.PlanGrid) *territory.Plan {
	tb.Helper()
	p := NewPlan(name, st)
	Must(tb, s.CreatePlan(tb.Context(), p, grids), "create plan "+name)
	return p
}

func testPlanCRUD(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	a := NewPlanGrid(f.District.ID, "XH-01", orb.Point{120.10, 30.27})
	a.GridID = f.Grid.ID
	b := NewPlanGrid(f.District.ID, "XH-02", orb.Point{120.12, 30.27})
	p := NewPlan("2027 春季调整", territory.PlanDraft)
	p.Note = "合并文三路两个网格"
	Must(t, s.CreatePlan(ctx, p, []*territory.PlanGrid{a, b}), "create plan")
	if p.ID <= 0 || p.Version != 1 {
		t.Fatalf("CreatePlan left ID %d Version %d, want a positive id and version 1", p.ID, p.Version)
	}
	stamped(t, "plan.CreatedAt", p.CreatedAt)
	stamped(t, "plan.UpdatedAt", p.UpdatedAt)
	for _, g := range []*territory.PlanGrid{a, b} {
		if g.ID <= 0 || g.PlanID != p.ID || g.Version != 1 {
			t.Fatalf("CreatePlan left grid %s ID %d PlanID %d Version %d", g.Code, g.ID, g.PlanID, g.Version)
		}
		stamped(t, "planGrid.UpdatedAt", g.UpdatedAt)
	}
	if b.ID <= a.ID {
		t.Errorf("grid ids %d, %d not increasing in slice order", a.ID, b.ID)
	}

	got, err := s.Plan(ctx, p.ID)
	Must(t, err, "read plan")
	samePlan(t, got, p)
	gs, err := s.PlanGrids(ctx, p.ID)
	Must(t, err, "read plan grids")
	samePlanGrids(t, gs, []*territory.PlanGrid{a, b})
	g, err := s.PlanGrid(ctx, b.ID)
	Must(t, err, "read plan grid")
	samePlanGrid(t, g, b)

	// A grid added later lists after the others.
	c := NewPlanGrid(f.District.ID, "XH-03", orb.Point{120.14, 30.27})
	c.PlanID = p.ID
	Must(t, s.CreatePlanGrid(ctx, c), "create plan grid")
	if c.ID <= b.ID || c.Version != 1 {
		t.Errorf("CreatePlanGrid left ID %d (after %d) Version %d", c.ID, b.ID, c.Version)
	}
	stamped(t, "planGrid.UpdatedAt", c.UpdatedAt)

	// Updating a grid changes what it says and bumps its version only.
	c.Name, c.Code, c.UpdatedBy = "西溪网格", "XH-33", "王规划"
	c.Boundary = orb.MultiPolygon{Square(orb.Point{120.15, 30.28}, 0.012)}
	Must(t, s.UpdatePlanGrid(ctx, c), "update plan grid")
	if c.Version != 2 {
		t.Errorf("UpdatePlanGrid left Version %d, want 2", c.Version)
	}
	g, err = s.PlanGrid(ctx, c.ID)
	Must(t, err, "read updated plan grid")
	samePlanGrid(t, g, c)
	gs, err = s.PlanGrids(ctx, p.ID)
	Must(t, err, "read plan grids")
	samePlanGrids(t, gs, []*territory.PlanGrid{a, b, c})

	// Updating the plan keeps who created it and when.
	created, createdBy := p.CreatedAt, p.CreatedBy
	upd := *p
	upd.Name, upd.Note, upd.UpdatedBy, upd.CreatedBy, upd.CreatedAt = "2027 春季", "", "李规划", "forged", time.Time{}
	Must(t, s.UpdatePlan(ctx, &upd), "update plan")
	if upd.Version != 2 || upd.CreatedBy != createdBy || !upd.CreatedAt.Equal(created) {
		t.Errorf("UpdatePlan left Version %d CreatedBy %q CreatedAt %s, want 2, %q, %s", upd.Version, upd.CreatedBy, upd.CreatedAt, createdBy, created)
	}
	if upd.UpdatedAt.Before(p.UpdatedAt) {
		t.Errorf("UpdatePlan moved UpdatedAt back from %s to %s", p.UpdatedAt, upd.UpdatedAt)
	}
	got, err = s.Plan(ctx, p.ID)
	Must(t, err, "read updated plan")
	samePlan(t, got, &upd)

	all, err := s.Plans(ctx, territory.PlanFilter{})
	Must(t, err, "list plans")
	sameValue(t, "plan ids", planIDs(all), []int64{p.ID})

	Must(t, s.DeletePlan(ctx, p.ID), "delete draft")
	_, err = s.Plan(ctx, p.ID)
	WantNotFound(t, err)
	WantNotFound(t, s.DeletePlan(ctx, p.ID))
	_, err = s.PlanGrids(ctx, p.ID)
	WantNotFound(t, err)
}

func testPlanRoundTrip(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	base := mustPlan(t, s, "baseline", territory.PlanArchived)

	multi := NewPlanGrid(f.District.ID, "XH-01", Hangzhou)
	multi.Boundary = twoParts()
	multi.GridID = f.Grid.ID
	multi.UpdatedAt = Epoch
	empty := NewPlanGrid(f.District.ID, "XH-02", Hangzhou)
	empty.Boundary = orb.MultiPolygon{}                      // carved away entirely by its neighbours
	removed := NewPlanGrid(f.District.ID, "XH-01", Hangzhou) // removed: may share a code
	removed.Removed, removed.ID, removed.SuccessorID = true, 7, 8
	successor := NewPlanGrid(f.District.ID, "XH-03", orb.Point{120.2, 30.3})
	successor.ID = 8
	fine := Epoch.Add(123 * time.Nanosecond)
	sub, appr, pub := Epoch.Add(time.Hour), Epoch.Add(2*time.Hour), fine.Add(3*time.Hour)
	p := &territory.Plan{
		Name: "全市网格 v7 — 含飞地", Status: territory.PlanPublished, Number: 7, BasePlanID: base.ID, Note: "多行\n备注",
		CreatedBy: "planner", CreatedAt: Epoch, UpdatedAt: Epoch.Add(time.Minute), UpdatedBy: "leader",
		SubmittedBy: "planner", SubmittedAt: &sub, ApprovedBy: "leader", ApprovedAt: &appr, PublishedBy: "planner", PublishedAt: &pub,
	}
	Must(t, s.CreatePlan(ctx, p, []*territory.PlanGrid{multi, empty, removed, successor}), "create plan")
	if !p.PublishedAt.Equal(pub.Truncate(time.Microsecond)) {
		t.Errorf("PublishedAt came back as %s, want it to the microsecond %s", p.PublishedAt, pub.Truncate(time.Microsecond))
	}
	if removed.SuccessorID != successor.ID {
		t.Errorf("SuccessorID = %d, want the new id %d of the successor row", removed.SuccessorID, successor.ID)
	}
	got, err := s.Plan(ctx, p.ID)
	Must(t, err, "read plan")
	samePlan(t, got, p)
	gs, err := s.PlanGrids(ctx, p.ID)
	Must(t, err, "read plan grids")
	samePlanGrids(t, gs, []*territory.PlanGrid{multi, empty, removed, successor})
	if len(gs[0].Boundary) != 2 || len(gs[0].Boundary[0]) != 2 {
		t.Errorf("multi-part boundary came back with %d parts", len(gs[0].Boundary))
	}
	SameTime(t, "planGrid.UpdatedAt (given)", gs[0].UpdatedAt, Epoch)

	// Clearing the optional fields clears them.
	p.SubmittedAt, p.ApprovedAt, p.PublishedAt, p.BasePlanID, p.Number = nil, nil, nil, 0, 0
	p.SubmittedBy, p.ApprovedBy, p.PublishedBy, p.Status = "", "", "", territory.PlanDraft
	Must(t, s.UpdatePlan(ctx, p), "clear plan")
	got, err = s.Plan(ctx, p.ID)
	Must(t, err, "read cleared plan")
	samePlan(t, got, p)
	multi.Boundary, multi.GridID = orb.MultiPolygon{Square(Hangzhou, 0.001)}, 0
	Must(t, s.UpdatePlanGrid(ctx, multi), "update grid to one part")
	g, err := s.PlanGrid(ctx, multi.ID)
	Must(t, err, "read grid")
	samePlanGrid(t, g, multi)
}

func testPlanVersions(t *testing.T, s data.Store) {
	ctx := t.Context()
	p := mustPlan(t, s, "draft", territory.PlanDraft)
	first := *p
	first.Name, first.UpdatedBy = "张三's rename", "张三"
	Must(t, s.UpdatePlan(ctx, &first), "first update")

	// The second planner still holds version 1.
	second := *p
	second.Name, second.UpdatedBy = "李四's rename", "李四"
	err := s.UpdatePlan(ctx, &second)
	WantConflict(t, err, "张三", first.UpdatedAt.Format("2006-01-02 15:04:05"), "version 2", "yours is 1")
	if second.Version != 1 {
		t.Errorf("a refused UpdatePlan changed Version to %d", second.Version)
	}
	got, err := s.Plan(ctx, p.ID)
	Must(t, err, "read plan")
	samePlan(t, got, &first)

	// Reloaded, the second planner gets through.
	got.Name, got.UpdatedBy = "李四's rename", "李四"
	Must(t, s.UpdatePlan(ctx, got), "update at the current version")
	if got.Version != 3 {
		t.Errorf("Version %d after two updates, want 3", got.Version)
	}

	missing := *p
	missing.ID += 1000
	WantNotFound(t, s.UpdatePlan(ctx, &missing))
}

func testPlanGridVersions(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	g := NewPlanGrid(f.District.ID, "XH-01", Hangzhou)
	mustPlan(t, s, "draft", territory.PlanDraft, g)

	mine := *g
	mine.Boundary, mine.UpdatedBy = orb.MultiPolygon{Square(Hangzhou, 0.02)}, "张三"
	Must(t, s.UpdatePlanGrid(ctx, &mine), "first save")
	theirs := *g
	theirs.Boundary, theirs.UpdatedBy = orb.MultiPolygon{Square(Hangzhou, 0.03)}, "李四"
	err := s.UpdatePlanGrid(ctx, &theirs)
	WantConflict(t, err, "XH-01", "张三", mine.UpdatedAt.Format("2006-01-02 15:04:05"), "version 2", "yours is 1")
	if theirs.Version != 1 {
		t.Errorf("a refused UpdatePlanGrid changed Version to %d", theirs.Version)
	}
	got, err := s.PlanGrid(ctx, g.ID)
	Must(t, err, "read grid")
	samePlanGrid(t, got, &mine)

	// A grid stays in its plan; PlanID 0 means "its own".
	other := mustPlan(t, s, "other", territory.PlanDraft)
	moved := *got
	moved.PlanID = other.ID
	WantField(t, s.UpdatePlanGrid(ctx, &moved), "plan_id")
	zero := *got
	zero.PlanID = 0
	Must(t, s.UpdatePlanGrid(ctx, &zero), "update with PlanID 0")
	if zero.PlanID != g.PlanID || zero.Version != 3 {
		t.Errorf("after update PlanID %d Version %d, want %d and 3", zero.PlanID, zero.Version, g.PlanID)
	}
	missing := *got
	missing.ID += 1000
	WantNotFound(t, s.UpdatePlanGrid(ctx, &missing))
	_, err = s.PlanGrid(ctx, missing.ID)
	WantNotFound(t, err)
}

func testPlanOnePublished(t *testing.T, s data.Store) {
	ctx := t.Context()
	v1 := NewPlan("v1", territory.PlanPublished)
	v1.Number = 1
	Must(t, s.CreatePlan(ctx, v1, nil), "create published plan")

	dup := NewPlan("v1 again", territory.PlanPublished)
	WantConflict(t, s.CreatePlan(ctx, dup, nil), "v1", "already published")
	if dup.ID != 0 {
		t.Errorf("a refused CreatePlan set ID %d", dup.ID)
	}

	d := mustPlan(t, s, "draft", territory.PlanDraft)
	d.Status = territory.PlanPublished
	WantConflict(t, s.UpdatePlan(ctx, d), "already published")
	d.Status = territory.PlanDraft
	got, err := s.Plan(ctx, d.ID)
	Must(t, err, "read draft")
	samePlan(t, got, d)

	// Version numbers are given once, published or archived.
	d.Number = 1
	WantConflict(t, s.UpdatePlan(ctx, d), "1")
	d.Number = 0

	// Re-saving the published plan itself is no clash.
	v1.Note = "基线"
	Must(t, s.UpdatePlan(ctx, v1), "update the published plan")

	published, err := s.Plans(ctx, territory.PlanFilter{Statuses: []territory.PlanStatus{territory.PlanPublished}})
	Must(t, err, "list published")
	sameValue(t, "published plans", planIDs(published), []int64{v1.ID})
}

func testPlanPublishSwap(t *testing.T, s data.Store) {
	ctx := t.Context()
	v1 := NewPlan("v1", territory.PlanPublished)
	v1.Number = 1
	Must(t, s.CreatePlan(ctx, v1, nil), "create v1")
	v2 := mustPlan(t, s, "v2", territory.PlanDraft)

	// A failed publish leaves both as they were.
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx data.Store) error {
		a, b := *v1, *v2
		a.Status = territory.PlanArchived
		if err := tx.UpdatePlan(ctx, &a); err != nil {
			return err
		}
		b.Status, b.Number = territory.PlanPublished, 2
		if err := tx.UpdatePlan(ctx, &b); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	for _, want := range []*territory.Plan{v1, v2} {
		got, err := s.Plan(ctx, want.ID)
		Must(t, err, "read plan")
		samePlan(t, got, want)
	}

	// Archive, then publish, in one transaction.
	at := time.Now().Add(time.Minute)
	err = s.InTx(ctx, func(tx data.Store) error {
		v1.Status = territory.PlanArchived
		if err := tx.UpdatePlan(ctx, v1); err != nil {
			return err
		}
		v2.Status, v2.Number, v2.PublishedBy, v2.PublishedAt = territory.PlanPublished, 2, "planner", &at
		return tx.UpdatePlan(ctx, v2)
	})
	Must(t, err, "publish v2")
	history, err := s.Plans(ctx, territory.PlanFilter{Statuses: []territory.PlanStatus{territory.PlanPublished, territory.PlanArchived}})
	Must(t, err, "history")
	if len(history) != 2 || history[0].ID != v2.ID || history[0].Status != territory.PlanPublished || history[1].Status != territory.PlanArchived {
		t.Errorf("history after publish: %+v", history)
	}
}

func testPlanDeleteDraftsOnly(t *testing.T, s data.Store) {
	ctx := t.Context()
	for _, st := range []territory.PlanStatus{territory.PlanPending, territory.PlanPublished, territory.PlanArchived} {
		t.Run(string(st), func(t *testing.T) {
			p := mustPlan(t, s, "plan "+string(st), st)
			WantConflict(t, s.DeletePlan(ctx, p.ID), string(st), "only drafts")
			_, err := s.Plan(ctx, p.ID)
			Must(t, err, "plan survives")
		})
	}
	WantNotFound(t, s.DeletePlan(ctx, 987654))
}

func testPlanDeleteCascades(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	keep := NewPlanGrid(f.District.ID, "XH-01", Hangzhou)
	kept := mustPlan(t, s, "kept", territory.PlanArchived, keep)
	a := NewPlanGrid(f.District.ID, "XH-01", Hangzhou)
	b := NewPlanGrid(f.District.ID, "XH-02", Hangzhou)
	b.Removed, b.ID, a.ID, b.SuccessorID = true, 2, 1, 1
	draft := NewPlan("restore of kept", territory.PlanDraft)
	draft.BasePlanID = kept.ID
	Must(t, s.CreatePlan(ctx, draft, []*territory.PlanGrid{a, b}), "create draft")
	// A draft based on the one deleted forgets its base.
	child := NewPlan("child", territory.PlanDraft)
	child.BasePlanID = draft.ID
	Must(t, s.CreatePlan(ctx, child, nil), "create child")

	Must(t, s.DeletePlan(ctx, draft.ID), "delete draft")
	for _, g := range []*territory.PlanGrid{a, b} {
		_, err := s.PlanGrid(ctx, g.ID)
		WantNotFound(t, err)
	}
	got, err := s.PlanGrid(ctx, keep.ID)
	Must(t, err, "other plan's grid survives")
	samePlanGrid(t, got, keep)
	c, err := s.Plan(ctx, child.ID)
	Must(t, err, "child survives")
	if c.BasePlanID != 0 {
		t.Errorf("child's BasePlanID = %d after its base was deleted, want 0", c.BasePlanID)
	}
}

func testPlanFilter(t *testing.T, s data.Store) {
	ctx := t.Context()
	at := func(h int) *time.Time { x := Epoch.Add(time.Duration(h) * time.Hour); return &x }
	mk := func(name string, st territory.PlanStatus, number int, created, published int) *territory.Plan {
		p := NewPlan(name, st)
		p.Number, p.CreatedAt = number, *at(created)
		if published > 0 {
			p.PublishedAt = at(published)
		}
		Must(t, s.CreatePlan(ctx, p, nil), "create "+name)
		return p
	}
	// v2 was drafted before v1 but published after it.
	v2 := mk("v2", territory.PlanArchived, 2, 1, 5)
	v1 := mk("v1", territory.PlanArchived, 1, 2, 3)
	v3 := mk("v3", territory.PlanPublished, 3, 6, 7)
	d1 := mk("d1", territory.PlanDraft, 0, 4, 0)
	d2 := mk("d2", territory.PlanDraft, 0, 8, 0)
	pend := mk("pending", territory.PlanPending, 0, 8, 0) // same time as d2: the higher id first

	history := []territory.PlanStatus{territory.PlanPublished, territory.PlanArchived}
	tests := []struct {
		name string
		f    territory.PlanFilter
		want []int64
	}{
		{"all newest first", territory.PlanFilter{}, []int64{pend.ID, d2.ID, v3.ID, v2.ID, d1.ID, v1.ID}},
		{"history", territory.PlanFilter{Statuses: history}, []int64{v3.ID, v2.ID, v1.ID}},
		{"drafts", territory.PlanFilter{Statuses: []territory.PlanStatus{territory.PlanDraft}}, []int64{d2.ID, d1.ID}},
		{"pending", territory.PlanFilter{Statuses: []territory.PlanStatus{territory.PlanPending}}, []int64{pend.ID}},
		{"limit", territory.PlanFilter{Statuses: history, Limit: 2}, []int64{v3.ID, v2.ID}},
		{"limit above count", territory.PlanFilter{Limit: 100}, []int64{pend.ID, d2.ID, v3.ID, v2.ID, d1.ID, v1.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Plans(ctx, tt.f)
			Must(t, err, "Plans")
			sameValue(t, "plan ids", planIDs(got), tt.want)
		})
	}
	t.Run("unknown status", func(t *testing.T) {
		_, err := s.Plans(ctx, territory.PlanFilter{Statuses: []territory.PlanStatus{"live"}})
		WantField(t, err, "status")
	})
	t.Run("negative limit", func(t *testing.T) {
		_, err := s.Plans(ctx, territory.PlanFilter{Limit: -1})
		WantField(t, err, "limit")
	})
}

func testPlanInvalid(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	bowtie := orb.Polygon{{{120.10, 30.25}, {120.12, 30.27}, {120.12, 30.25}, {120.10, 30.27}, {120.10, 30.25}}}
	draft := mustPlan(t, s, "draft", territory.PlanDraft, NewPlanGrid(f.District.ID, "XH-01", Hangzhou))
	other := mustPlan(t, s, "other", territory.PlanDraft, NewPlanGrid(f.District.ID, "XH-09", Hangzhou))
	otherGrids, err := s.PlanGrids(ctx, other.ID)
	Must(t, err, "other's grids")
	grid := func(mod func(g *territory.PlanGrid)) *territory.PlanGrid {
		g := NewPlanGrid(f.District.ID, "XH-02", Hangzhou)
		mod(g)
		return g
	}
	plan := func(mod func(p *territory.Plan)) *territory.Plan {
		p := NewPlan("p", territory.PlanDraft)
		mod(p)
		return p
	}
	tests := []struct {
		name    string
		call    func() error
		field   string
		mention string // the error also names this ("" = nothing more)
	}{
		{"plan without name", func() error { return s.CreatePlan(ctx, plan(func(p *territory.Plan) { p.Name = " " }), nil) }, "name", ""},
		{"plan name too long", func() error {
			return s.CreatePlan(ctx, plan(func(p *territory.Plan) { p.Name = strings.Repeat("网", data.MaxPlanNameRunes+1) }), nil)
		}, "name", ""},
		{"plan unknown status", func() error { return s.CreatePlan(ctx, plan(func(p *territory.Plan) { p.Status = "live" }), nil) }, "status", ""},
		{"plan negative number", func() error { return s.CreatePlan(ctx, plan(func(p *territory.Plan) { p.Number = -1 }), nil) }, "number", ""},
		{"plan missing base", func() error { return s.CreatePlan(ctx, plan(func(p *territory.Plan) { p.BasePlanID = 99999 }), nil) }, "base_plan_id", "99999"},
		{"plan note with NUL", func() error { return s.CreatePlan(ctx, plan(func(p *territory.Plan) { p.Note = "a\x00b" }), nil) }, "note", ""},
		{"update plan based on itself", func() error {
			p := *draft
			p.BasePlanID = p.ID
			return s.UpdatePlan(ctx, &p)
		}, "base_plan_id", ""},
		{"grid without code (row named)", func() error {
			return s.CreatePlan(ctx, plan(func(*territory.Plan) {}), []*territory.PlanGrid{grid(func(*territory.PlanGrid) {}), grid(func(g *territory.PlanGrid) { g.Code = "" })})
		}, "code", "row 1"},
		{"grid without name", func() error {
			return s.CreatePlan(ctx, plan(func(*territory.Plan) {}), []*territory.PlanGrid{grid(func(g *territory.PlanGrid) { g.Name = "" })})
		}, "name", "row 0"},
		{"grid self-crossing part names polygon ring and point", func() error {
			return s.CreatePlan(ctx, plan(func(*territory.Plan) {}), []*territory.PlanGrid{grid(func(g *territory.PlanGrid) {
				g.Boundary = orb.MultiPolygon{Square(Hangzhou, 0.01), bowtie}
			})})
		}, "geometry", "polygon 1: ring 0 point 2"},
		{"grid missing district (row named)", func() error {
			return s.CreatePlan(ctx, plan(func(*territory.Plan) {}), []*territory.PlanGrid{grid(func(*territory.PlanGrid) {}), grid(func(g *territory.PlanGrid) { g.Code, g.DistrictID = "X", 99999 })})
		}, "district_id", "row 1"},
		{"grid successor not in the batch", func() error {
			return s.CreatePlan(ctx, plan(func(*territory.Plan) {}), []*territory.PlanGrid{grid(func(g *territory.PlanGrid) { g.Removed, g.SuccessorID = true, 42 })})
		}, "successor_id", "42"},
		{"grid successor but not removed", func() error {
			return s.CreatePlan(ctx, plan(func(*territory.Plan) {}), []*territory.PlanGrid{grid(func(g *territory.PlanGrid) { g.ID, g.SuccessorID = 1, 2 }), grid(func(g *territory.PlanGrid) { g.ID, g.Code = 2, "Y" })})
		}, "successor_id", "removed"},
		{"create grid in a missing plan", func() error { return s.CreatePlanGrid(ctx, grid(func(g *territory.PlanGrid) { g.PlanID = 99999 })) }, "plan_id", "99999"},
		{"create grid without a plan", func() error { return s.CreatePlanGrid(ctx, grid(func(g *territory.PlanGrid) { g.PlanID = 0 })) }, "plan_id", ""},
		{"create grid with another plan's successor", func() error {
			return s.CreatePlanGrid(ctx, grid(func(g *territory.PlanGrid) { g.PlanID, g.Removed, g.SuccessorID = draft.ID, true, otherGrids[0].ID }))
		}, "successor_id", ""},
		{"create grid in a missing district", func() error {
			return s.CreatePlanGrid(ctx, grid(func(g *territory.PlanGrid) { g.PlanID, g.DistrictID = draft.ID, 99999 }))
		}, "district_id", "99999"},
		{"update grid open ring", func() error {
			g := *otherGrids[0]
			g.Boundary = orb.MultiPolygon{{{{120.1, 30.2}, {120.2, 30.2}, {120.2, 30.3}, {120.1, 30.3}}}}
			return s.UpdatePlanGrid(ctx, &g)
		}, "geometry", "ring 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			WantField(t, err, tt.field)
			if tt.mention != "" && !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
	// Nothing of the refused writes is stored.
	all, err := s.Plans(ctx, territory.PlanFilter{})
	Must(t, err, "list plans")
	sameValue(t, "plans after refusals", planIDs(all), []int64{other.ID, draft.ID})
	gs, err := s.PlanGrids(ctx, draft.ID)
	Must(t, err, "draft grids")
	if len(gs) != 1 {
		t.Errorf("draft has %d grids after refused writes, want 1", len(gs))
	}
}

func testPlanUnique(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	a := NewPlanGrid(f.District.ID, "XH-01", Hangzhou)
	a.GridID = f.Grid.ID
	p := mustPlan(t, s, "draft", territory.PlanDraft, a)
	// Another plan may use the same code and live grid.
	b := NewPlanGrid(f.District.ID, "XH-01", Hangzhou)
	b.GridID = f.Grid.ID
	mustPlan(t, s, "other", territory.PlanDraft, b)

	t.Run("same code in one batch", func(t *testing.T) {
		err := s.CreatePlan(ctx, NewPlan("x", territory.PlanDraft), []*territory.PlanGrid{
			NewPlanGrid(f.District.ID, "A", Hangzhou), NewPlanGrid(f.District.ID, "B", Hangzhou), NewPlanGrid(f.District.ID, "A", Hangzhou)})
		WantConflict(t, err, "rows 0 and 2", `"A"`)
	})
	t.Run("same live grid in one batch", func(t *testing.T) {
		x, y := NewPlanGrid(f.District.ID, "A", Hangzhou), NewPlanGrid(f.District.ID, "B", Hangzhou)
		x.GridID, y.GridID = f.Grid.ID, f.Grid.ID
		WantConflict(t, s.CreatePlan(ctx, NewPlan("x", territory.PlanDraft), []*territory.PlanGrid{x, y}), "rows 0 and 1")
	})
	t.Run("new grid with a taken code", func(t *testing.T) {
		g := NewPlanGrid(f.District.ID, "XH-01", Hangzhou)
		g.PlanID = p.ID
		WantConflict(t, s.CreatePlanGrid(ctx, g), "XH-01", fmt.Sprint(a.ID))
	})
	t.Run("new grid for a taken live grid", func(t *testing.T) {
		g := NewPlanGrid(f.District.ID, "XH-05", Hangzhou)
		g.PlanID, g.GridID = p.ID, f.Grid.ID
		WantConflict(t, s.CreatePlanGrid(ctx, g), fmt.Sprint(f.Grid.ID))
	})
	t.Run("rename onto a taken code", func(t *testing.T) {
		g := NewPlanGrid(f.District.ID, "XH-06", Hangzhou)
		g.PlanID = p.ID
		Must(t, s.CreatePlanGrid(ctx, g), "create")
		g.Code = "XH-01"
		WantConflict(t, s.UpdatePlanGrid(ctx, g), "XH-01")
		g.Version = 1
		// Removed grids do not hold their code.
		g.Removed = true
		Must(t, s.UpdatePlanGrid(ctx, g), "removed grid may share a code")
		g2 := NewPlanGrid(f.District.ID, "XH-06", Hangzhou)
		g2.PlanID = p.ID
		Must(t, s.CreatePlanGrid(ctx, g2), "the removed grid's old code is free")
		// Bringing it back with a taken code is refused.
		g.Removed = false
		WantConflict(t, s.UpdatePlanGrid(ctx, g), "XH-01")
	})
}

func testPlanSuccessors(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	// A batch whose successor comes after the grid it succeeds, with ids
	// the caller chose to refer by.
	gone := NewPlanGrid(f.District.ID, "XH-01", Hangzhou)
	gone.ID, gone.Removed, gone.SuccessorID = 101, true, 100
	keep := NewPlanGrid(f.District.ID, "XH-02", Hangzhou)
	keep.ID = 100
	p := mustPlan(t, s, "merge", territory.PlanDraft, gone, keep)
	if gone.SuccessorID != keep.ID || keep.ID == 100 && gone.ID == 101 {
		t.Fatalf("ids not remapped: gone %d → %d, keep %d", gone.ID, gone.SuccessorID, keep.ID)
	}
	gs, err := s.PlanGrids(ctx, p.ID)
	Must(t, err, "grids")
	samePlanGrids(t, gs, []*territory.PlanGrid{gone, keep})

	// Copying a plan (the grids as read, ids and all) remaps the successors
	// to the copy's own grids.
	cp := NewPlan("copy", territory.PlanDraft)
	cp.BasePlanID = p.ID
	Must(t, s.CreatePlan(ctx, cp, gs), "copy plan")
	if gs[0].ID == gone.ID || gs[0].SuccessorID != gs[1].ID || gs[0].PlanID != cp.ID {
		t.Errorf("copy: grid %d (plan %d) successor %d, want a new id in plan %d succeeded by %d", gs[0].ID, gs[0].PlanID, gs[0].SuccessorID, cp.ID, gs[1].ID)
	}
	orig, err := s.PlanGrid(ctx, gone.ID)
	Must(t, err, "original")
	samePlanGrid(t, orig, gone)

	// Undoing the merge.
	gone.Removed, gone.SuccessorID = false, 0
	Must(t, s.UpdatePlanGrid(ctx, gone), "undo merge")
	got, err := s.PlanGrid(ctx, gone.ID)
	Must(t, err, "read")
	samePlanGrid(t, got, gone)
	// A grid cannot succeed itself.
	gone.Removed, gone.SuccessorID = true, gone.ID
	WantField(t, s.UpdatePlanGrid(ctx, gone), "successor_id")
}

func testPlanAllOrNothing(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	grids := LatticePlanGrids(f.District.ID, "G", 300, 2, 0.01)
	grids[250].DistrictID = 99999
	p := NewPlan("bad", territory.PlanDraft)
	err := s.CreatePlan(ctx, p, grids)
	WantField(t, err, "district_id")
	if !strings.Contains(err.Error(), "row 250") {
		t.Errorf("error %q does not name row 250", err)
	}
	if p.ID != 0 || grids[0].ID != 0 {
		t.Errorf("a refused CreatePlan set ids: plan %d, grid %d", p.ID, grids[0].ID)
	}
	// Inside a caller's transaction too, and the transaction can go on.
	err = s.InTx(ctx, func(tx data.Store) error {
		if err := tx.CreatePlan(ctx, NewPlan("bad", territory.PlanDraft), grids); err == nil {
			return errors.New("bad plan accepted in tx")
		}
		return tx.CreatePlan(ctx, NewPlan("good", territory.PlanDraft), grids[:10])
	})
	Must(t, err, "tx after refused plan")
	all, err := s.Plans(ctx, territory.PlanFilter{})
	Must(t, err, "plans")
	if len(all) != 1 || all[0].Name != "good" {
		t.Fatalf("plans after refusals: %+v", all)
	}
	gs, err := s.PlanGrids(ctx, all[0].ID)
	Must(t, err, "grids")
	if len(gs) != 10 {
		t.Errorf("good plan has %d grids, want 10", len(gs))
	}
}

func testPlanDistrictRestricted(t *testing.T, s data.Store) {
	ctx := t.Context()
	d := NewDistrict("330199")
	Must(t, s.CreateDistrict(ctx, d), "district")
	p := mustPlan(t, s, "v1", territory.PlanArchived, NewPlanGrid(d.ID, "A", Hangzhou))
	WantConflict(t, s.DeleteDistrict(ctx, d.ID), "plan")
	_, err := s.District(ctx, d.ID)
	Must(t, err, "district survives")
	_, err = s.PlanGrids(ctx, p.ID)
	Must(t, err, "plan survives")
	// Reset clears plans too.
	Must(t, s.Reset(ctx), "reset")
	all, err := s.Plans(ctx, territory.PlanFilter{})
	Must(t, err, "plans after reset")
	if len(all) != 0 {
		t.Errorf("%d plans after Reset", len(all))
	}
}

// LargePlanGrids is the size of the large plan case: a province's grids.
const LargePlanGrids = 5000

// largePlanBudget is how long creating the large plan may take: "well
// under a second" without the race detector; the race detector slows
// SQLite's transpiled C about 30×, so under it the bound only catches a
// pathological slowdown (a statement per vertex, say).
func largePlanBudget() time.Duration {
	if raceEnabled {
		return 20 * time.Second
	}
	return time.Second
}

func testPlanLarge(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	grids := LatticePlanGrids(f.District.ID, "XH", LargePlanGrids, 8, 0.01) // 33 points a ring
	grids[17].Boundary = append(grids[17].Boundary, Square(orb.Point{121, 31}, 0.001))
	grids[42].Removed, grids[42].ID, grids[43].ID, grids[42].SuccessorID = true, 1, 2, 2
	p := NewPlan("全省网格", territory.PlanDraft)
	start := time.Now()
	Must(t, s.CreatePlan(ctx, p, grids), "create large plan")
	took := time.Since(start)
	t.Logf("CreatePlan with %d grids (33-point rings): %s", len(grids), took.Round(time.Millisecond))
	if took > largePlanBudget() {
		t.Errorf("CreatePlan with %d grids took %s, want under %s", len(grids), took, largePlanBudget())
	}
	start = time.Now()
	gs, err := s.PlanGrids(ctx, p.ID)
	Must(t, err, "read large plan")
	t.Logf("PlanGrids of %d grids: %s", len(gs), time.Since(start).Round(time.Millisecond))
	samePlanGrids(t, gs, grids)
	increasing(t, "plan grid ids", ids(gs, func(g *territory.PlanGrid) int64 { return g.ID }))
}
