package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/territory"
)

// rect is the closed counter-clockwise rectangle [x0, x1] × [y0, y1].
func rect(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

// newPlanWorld is a world whose grids tile their districts exactly, so that
// a plan copied from it validates (the plain world's grids leave most of
// their districts uncovered, which the validation report counts as gaps):
//
//	西湖区 [120.08, 120.22] × [30.25, 30.29]: XH-01 west of 120.15, XH-02 east
//	拱墅区 [120.13, 120.22] × [30.45, 30.49]: GS-01 west of 120.18, GS-99 east
//
// Customers keep their places and are reassigned: XH-01 holds C001–C005
// at (120.10 + 0.001·n, 30.271) (m001 owns 1, 2, 4; m002 owns 3, 5), XH-02
// the pool C008, C009, GS-01 C006 and C007.
func newPlanWorld(tb testing.TB, deps Deps) *world {
	tb.Helper()
	w := newWorldDeps(tb, deps)
	ctx := context.Background()
	must := func(err error, what string) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("tile the world: %s: %v", what, err)
		}
	}
	w.d1.Boundary = orb.MultiPolygon{rect(120.08, 30.25, 120.22, 30.29)}
	w.d2.Boundary = orb.MultiPolygon{rect(120.13, 30.45, 120.22, 30.49)}
	must(w.store.UpdateDistrict(ctx, w.d1), "district 1")
	must(w.store.UpdateDistrict(ctx, w.d2), "district 2")
	for _, r := range []struct {
		g    **territory.Grid
		poly orb.Polygon
	}{
		{&w.g1, rect(120.08, 30.25, 120.15, 30.29)},
		{&w.g2, rect(120.15, 30.25, 120.22, 30.29)},
		{&w.g3, rect(120.13, 30.45, 120.18, 30.49)},
		{&w.gSpare, rect(120.18, 30.45, 120.22, 30.49)},
	} {
		g := *r.g
		g.Boundary = r.poly
		must(w.store.UpdateGrid(ctx, g), "grid "+g.Code)
	}
	_, err := territory.Assign(ctx, w.store, territory.AssignOptions{})
	must(err, "assign")
	return w
}

// call is w.do as username with a JSON body (nil: none).
func (w *world) call(tb testing.TB, username, method, path string, body any) *httptest.ResponseRecorder {
	tb.Helper()
	return w.do(tb, request{Method: method, Path: path, Body: body, Cookie: w.session(tb, username)})
}

// planOf decodes a Plan response.
func planOf(tb testing.TB, rec *httptest.ResponseRecorder) *territory.Plan {
	tb.Helper()
	var p territory.Plan
	decode(tb, rec, &p)
	return &p
}

// planGridsOf is GET /api/plans/:id/grids as planner, by code.
func planGridsOf(tb testing.TB, w *world, planID int64) map[string]planGridOut {
	tb.Helper()
	rec := w.call(tb, "planner", http.MethodGet, path("/api/plans/%d/grids", planID), nil)
	wantStatus(tb, rec, http.StatusOK)
	fc := readCollection(tb, rec.Body.Bytes())
	out := map[string]planGridOut{}
	for _, f := range fc.Features {
		raw, err := json.Marshal(f.Properties)
		if err != nil {
			tb.Fatal(err)
		}
		var g planGridOut
		if err := json.Unmarshal(raw, &g); err != nil {
			tb.Fatal(err)
		}
		g.Geometry = f.Geometry
		if _, dup := out[g.Code]; dup && !g.Removed {
			tb.Fatalf("two grids coded %s in plan %d", g.Code, planID)
		}
		if !g.Removed || out[g.Code].ID == 0 {
			out[g.Code] = g
		}
	}
	return out
}

// planGridOut is a plan grid feature's properties (and geometry).
type planGridOut struct {
	ID            int64  `json:"id"`
	PlanID        int64  `json:"plan_id"`
	GridID        int64  `json:"grid_id"`
	Code          string `json:"code"`
	Name          string `json:"name"`
	DistrictID    int64  `json:"district_id"`
	Version       int    `json:"version"`
	Removed       bool   `json:"removed"`
	SuccessorID   int64  `json:"successor_id"`
	CustomerCount int    `json:"customer_count"`
	ManagerCount  int    `json:"manager_count"`
	Geometry      orb.Geometry
}

// planFeature is a grid Feature body for the plans API.
func planFeature(code string, districtID int64, geom orb.Geometry, version int) map[string]any {
	props := map[string]any{"code": code, "name": "网格 " + code, "district_id": districtID}
	if version > 0 {
		props["version"] = version
	}
	gt := "Polygon"
	if _, ok := geom.(orb.MultiPolygon); ok {
		gt = "MultiPolygon"
	}
	var coords any = geom
	return map[string]any{"type": "Feature", "geometry": map[string]any{"type": gt, "coordinates": coords}, "properties": props}
}

// editOut is an EditResult response.
type editOut struct {
	Grid    json.RawMessage     `json:"grid"`
	Changed []json.RawMessage   `json:"changed"`
	Diff    *territory.PlanDiff `json:"diff"`
}

func editOf(tb testing.TB, rec *httptest.ResponseRecorder) *editOut {
	tb.Helper()
	var e editOut
	decode(tb, rec, &e)
	if e.Grid == nil || e.Diff == nil {
		tb.Fatalf("edit result without grid or diff: %s", rec.Body)
	}
	return &e
}

// gridProps reads the properties of a Feature in an edit result.
func gridProps(tb testing.TB, raw json.RawMessage) planGridOut {
	tb.Helper()
	f := readFeature(tb, raw)
	b, _ := json.Marshal(f.Properties)
	var g planGridOut
	if err := json.Unmarshal(b, &g); err != nil {
		tb.Fatal(err)
	}
	g.Geometry = f.Geometry
	return g
}

// matrixPlans are the plans the role matrix's /api/plans rows work on, one
// set per world: created on first use, straight through the service.
type matrixPlans struct {
	edit, submit, approve, publish, remove *territory.Plan
}

var matrixPlanSets sync.Map // *world → *matrixPlans

// planSet returns w's matrix plans. It first tiles w's districts and grids
// as newPlanWorld does (the plans must validate to be submitted and
// published); the rows before the plan rows have run by then.
func planSet(w *world) *matrixPlans {
	if v, ok := matrixPlanSets.Load(w); ok {
		return v.(*matrixPlans)
	}
	ctx := context.Background()
	check := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	// Through the direct-edit recorder, so that the published plan
	// mirrors the reshaped grids.
	rec, err := beginDirectEdit(ctx, w.store, time.Now, "planner")
	check(err)
	w.d1.Boundary = orb.MultiPolygon{rect(120.08, 30.25, 120.22, 30.29)}
	w.d2.Boundary = orb.MultiPolygon{rect(120.13, 30.45, 120.22, 30.49)}
	check(w.store.UpdateDistrict(ctx, w.d1))
	check(w.store.UpdateDistrict(ctx, w.d2))
	gs, err := w.store.Grids(ctx, territory.GridFilter{})
	check(err)
	shapes := map[string]orb.Polygon{
		"XH-01": rect(120.08, 30.25, 120.15, 30.29), "XH-02": rect(120.15, 30.25, 120.22, 30.29),
		"GS-01": rect(120.13, 30.45, 120.22, 30.49), // the matrix deleted GS-99 in some worlds
	}
	for _, g := range gs {
		if poly, ok := shapes[g.Code]; ok {
			g.Boundary = poly
			check(w.store.UpdateGrid(ctx, g))
		} else {
			// GS-99, and grids the earlier rows created (none has managers).
			check(w.store.DeleteGrid(ctx, g.ID, g.Version))
		}
	}
	_, err = territory.Assign(ctx, w.store, territory.AssignOptions{})
	check(err)
	check(rec.commit(ctx, time.Now, "tiled for the matrix"))
	pl := &territory.Planner{Store: w.store}
	draft := func(name string) *territory.Plan {
		p, err := pl.NewDraft(ctx, name, 0, "planner")
		check(err)
		return p
	}
	set := &matrixPlans{edit: draft("edits"), submit: draft("to submit"), approve: draft("to approve"),
		publish: draft("to publish"), remove: draft("to delete")}
	set.approve, err = pl.Submit(ctx, set.approve.ID, set.approve.Version, "planner")
	check(err)
	matrixPlanSets.Store(w, set)
	return set
}

func must2[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// matrixPlanGrid is the grid coded code of w's edit plan, as stored now.
func matrixPlanGrid(w *world, code string) *territory.PlanGrid {
	gs := must2(w.store.PlanGrids(context.Background(), planSet(w).edit.ID))
	for _, g := range gs {
		if g.Code == code && !g.Removed {
			return g
		}
	}
	panic("no plan grid " + code)
}

// currentPlan is plan id as stored now.
func currentPlan(w *world, id int64) *territory.Plan {
	return must2(w.store.Plan(context.Background(), id))
}
