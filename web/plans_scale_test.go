package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridplan/data/demo"
	"gridplan/data/sqlite"
	"gridplan/territory"
)

// TestPlanScale measures the plan workflow through the router on a demo
// city of GRIDPLAN_PLAN_SCALE customers with about 5,000 grids (a
// province's), in a SQLite file: the baseline, a draft, one grid edit with
// its diff, validation, and publication. It only runs when the variable is
// set (loading the city takes a while):
//
//	GRIDPLAN_PLAN_SCALE=200000 go test ./web -run TestPlanScale -v
func TestPlanScale(t *testing.T) {
	raw := os.Getenv("GRIDPLAN_PLAN_SCALE")
	if raw == "" {
		t.Skip("set GRIDPLAN_PLAN_SCALE=<customers> to measure the plan workflow at scale")
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1000 {
		t.Fatalf("GRIDPLAN_PLAN_SCALE=%q: want a number of customers ≥ 1000", raw)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "scale.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	city, err := demo.Generate(demo.Options{Seed: 1, Customers: n, Grids: 5350, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, st, city, nil); err != nil {
		t.Fatal(err)
	}
	gs, err := st.Grids(ctx, territory.GridFilter{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo city: %d customers, %d grids, loaded in %s", n, len(gs), time.Since(start).Round(time.Millisecond))

	w := &world{store: st, clock: &clock{now: t0}, users: map[string]*territory.User{}}
	w.handler = NewRouter(Deps{Store: st, Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), Now: w.clock.Now})
	us, err := st.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		w.users[u.Username] = u
	}
	// step runs one request as the planner and logs how long it took.
	step := func(what string, method, url string, body any, want int) []byte {
		t.Helper()
		began := time.Now()
		rec := w.call(t, "planner", method, url, body)
		took := time.Since(began)
		wantStatus(t, rec, want)
		t.Logf("%-40s %8s", what, took.Round(time.Millisecond))
		return rec.Body.Bytes()
	}
	step("baseline (first GET /api/plans)", http.MethodGet, "/api/plans", nil, http.StatusOK)
	var draft territory.Plan
	if err := json.Unmarshal(step("new draft (copies every grid)", http.MethodPost, "/api/plans", map[string]any{"name": "scale"}, http.StatusCreated), &draft); err != nil {
		t.Fatal(err)
	}
	step("GET /api/plans/:id/grids (first: snapshot)", http.MethodGet, path("/api/plans/%d/grids", draft.ID), nil, http.StatusOK)
	step("GET /api/plans/:id/grids (again)", http.MethodGet, path("/api/plans/%d/grids", draft.ID), nil, http.StatusOK)
	step("validation of the unchanged draft", http.MethodGet, path("/api/plans/%d/validation", draft.ID), nil, http.StatusOK)
	// Redraw one grid with customers: widen it by a quarter to the east
	// (carve: the neighbours there give up the ground), so that the draft
	// still validates and can be published.
	grids := planGridsOf(t, w, draft.ID)
	var g planGridOut
	for _, x := range grids {
		if x.CustomerCount > 0 && (g.ID == 0 || x.ID < g.ID) {
			g = x
		}
	}
	b := g.Geometry.Bound()
	wider := rect(b.Min[0], b.Min[1], b.Max[0]+(b.Max[0]-b.Min[0])*0.25, b.Max[1])
	var edit editOut
	if err := json.Unmarshal(step("edit one grid (carve) + diff", http.MethodPut, path("/api/plans/%d/grids/%d", draft.ID, g.ID),
		planFeature(g.Code, g.DistrictID, wider, g.Version), http.StatusOK), &edit); err != nil {
		t.Fatal(err)
	}
	t.Logf("the edit moves %d customers and reshapes %d neighbours", edit.Diff.Moved, len(edit.Changed))
	step("preview of the whole draft", http.MethodPost, path("/api/plans/%d/preview", draft.ID), nil, http.StatusOK)
	var rep territory.ValidationReport
	if err := json.Unmarshal(step("validation after the edit", http.MethodGet, path("/api/plans/%d/validation", draft.ID), nil, http.StatusOK), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		t.Fatalf("the draft does not validate: %d errors, first %+v", rep.Errors, rep.Violations[0])
	}
	p, err := st.Plan(ctx, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	step(fmt.Sprintf("publish (%d grids, %d customers)", len(grids), n), http.MethodPost, path("/api/plans/%d/publish", draft.ID),
		map[string]any{"version": p.Version}, http.StatusOK)
	// A direct edit is a one-step plan: a copy of every live grid.
	lg := gs[len(gs)/2]
	step("direct PUT /api/grids (one-step plan)", http.MethodPut, path("/api/grids/%d", lg.ID),
		gridFeatureBody(lg.Code, lg.DistrictID, lg.Boundary, lg.Version), http.StatusOK)
}
