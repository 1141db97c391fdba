package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridplan/territory"
)

// TestPlanFlow walks a planner through the whole life of a plan on the
// real router and SQLite store: the first look makes the live grids plan 1;
// a draft; a new grid drawn over customers, previewed (the moved count
// checked against the customers' own locations) and saved; validation;
// publication (the live grids and the customers follow); the history; and
// the restore of version 1 as a new draft, published in turn.
func TestPlanFlow(t *testing.T) {
	w := newPlanWorld(t, Deps{})
	ctx := context.Background()

	// The first look at plans: the live grids become published plan 1.
	rec := w.call(t, "planner", http.MethodGet, "/api/plans", nil)
	wantStatus(t, rec, http.StatusOK)
	var list struct{ Items []*territory.Plan }
	decode(t, rec, &list)
	if len(list.Items) != 1 || list.Items[0].Status != territory.PlanPublished || list.Items[0].Number != 1 {
		t.Fatalf("plans at first look: %+v, want the baseline, published as version 1", list.Items)
	}
	baseline := *list.Items[0] // a copy: decoding into list again reuses its elements

	// A draft of the published plan.
	rec = w.call(t, "planner", http.MethodPost, "/api/plans", map[string]any{"name": "2027 春季调整"})
	wantStatus(t, rec, http.StatusCreated)
	draft := planOf(t, rec)
	if draft.Status != territory.PlanDraft || draft.BasePlanID != baseline.ID || draft.CreatedBy != "planner" {
		t.Fatalf("new draft %+v", draft)
	}
	if loc := rec.Header().Get("Location"); loc != path("/api/plans/%d", draft.ID) {
		t.Errorf("Location %q", loc)
	}
	grids := planGridsOf(t, w, draft.ID)
	for code, want := range map[string][2]int{"XH-01": {5, 2}, "XH-02": {2, 0}, "GS-01": {2, 1}, "GS-99": {0, 0}} {
		if g := grids[code]; g.CustomerCount != want[0] || g.ManagerCount != want[1] {
			t.Errorf("draft grid %s: %d customers %d managers, want %d and %d", code, g.CustomerCount, g.ManagerCount, want[0], want[1])
		}
	}

	// Draw XH-03 over the east of XH-01: C003–C005 are in it.
	drawn := rect(120.1025, 30.25, 120.15, 30.29)
	var inside []int64
	for _, c := range append(append([]*territory.Customer{}, w.own[w.m1.ID]...), w.own[w.m2.ID]...) {
		if planar.PolygonContains(drawn, c.Location) {
			inside = append(inside, c.ID)
		}
	}
	slices.Sort(inside)
	if len(inside) != 3 {
		t.Fatalf("fixture: %d customers inside the drawn grid, want 3", len(inside))
	}
	body := planFeature("XH-03", w.d1.ID, drawn, 0)
	rec = w.call(t, "planner", http.MethodPost, path("/api/plans/%d/preview", draft.ID), map[string]any{"grid": body})
	wantStatus(t, rec, http.StatusOK)
	var preview territory.PlanDiff
	decode(t, rec, &preview)
	var movedIDs []int64
	for _, m := range preview.Customers {
		movedIDs = append(movedIDs, m.ID)
		if m.From != "XH-01" || m.To != "XH-03" {
			t.Errorf("preview move %+v, want XH-01 → XH-03", m)
		}
	}
	if preview.Moved != len(inside) || !slices.Equal(movedIDs, inside) {
		t.Errorf("preview moves %d customers %v, want %d: %v", preview.Moved, movedIDs, len(inside), inside)
	}
	outside := map[int64]int{}
	for _, mo := range preview.ManagersOutside {
		outside[mo.ManagerID] = mo.CustomersOutside
	}
	if outside[w.m1.ID] != 1 || outside[w.m2.ID] != 2 {
		t.Errorf("managers outside their grid %v, want m001: 1 (C004), m002: 2 (C003, C005)", outside)
	}
	// Previewing wrote nothing.
	if n := len(planGridsOf(t, w, draft.ID)); n != 4 {
		t.Fatalf("draft has %d grids after a preview, want 4", n)
	}

	rec = w.call(t, "planner", http.MethodPost, path("/api/plans/%d/grids", draft.ID), body)
	wantStatus(t, rec, http.StatusCreated)
	saved := editOf(t, rec)
	xh03 := gridProps(t, saved.Grid)
	if xh03.Code != "XH-03" || xh03.Version != 1 || xh03.ID == 0 {
		t.Errorf("saved grid %+v", xh03)
	}
	if len(saved.Changed) != 1 || gridProps(t, saved.Changed[0]).Code != "XH-01" {
		t.Errorf("changed grids %d, want XH-01 carved", len(saved.Changed))
	}
	if saved.Diff.Moved != 3 {
		t.Errorf("diff after the save moves %d, want 3", saved.Diff.Moved)
	}
	grids = planGridsOf(t, w, draft.ID)
	if grids["XH-01"].CustomerCount != 2 || grids["XH-03"].CustomerCount != 3 {
		t.Errorf("customer counts after the edit: XH-01 %d, XH-03 %d; want 2 and 3", grids["XH-01"].CustomerCount, grids["XH-03"].CustomerCount)
	}

	rec = w.call(t, "leader", http.MethodGet, path("/api/plans/%d/validation", draft.ID), nil)
	wantStatus(t, rec, http.StatusOK)
	var report territory.ValidationReport
	decode(t, rec, &report)
	if !report.OK {
		t.Fatalf("validation of the draft: %+v", report)
	}

	// Publish: the live grids and the customers follow.
	draft = currentPlan(w, draft.ID)
	rec = w.call(t, "planner", http.MethodPost, path("/api/plans/%d/publish", draft.ID), map[string]any{"version": draft.Version})
	wantStatus(t, rec, http.StatusOK)
	pub := planOf(t, rec)
	if pub.Status != territory.PlanPublished || pub.Number != 2 || pub.PublishedBy != "planner" || pub.PublishedAt == nil {
		t.Errorf("published plan %+v", pub)
	}
	live := liveByCode(t, w)
	if _, ok := live["XH-03"]; !ok {
		t.Fatalf("no live grid XH-03 after publishing: %v", live)
	}
	for _, id := range inside {
		if g := gridOf(t, w, id); g != live["XH-03"].ID {
			t.Errorf("customer %d in live grid %d after publishing, want XH-03's %d", id, g, live["XH-03"].ID)
		}
	}
	if !orb.Equal(live["XH-01"].Boundary, rect(120.08, 30.25, 120.1025, 30.29)) {
		t.Errorf("live XH-01 %v, want it carved to 120.1025", live["XH-01"].Boundary)
	}

	// The history, newest first.
	rec = w.call(t, "leader", http.MethodGet, "/api/plans?status=published,archived", nil)
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &list)
	if len(list.Items) != 2 || list.Items[0].ID != draft.ID || list.Items[1].ID != baseline.ID || list.Items[1].Status != territory.PlanArchived {
		t.Fatalf("history %+v, want [the published draft, the archived baseline]", planSummary(list.Items))
	}

	// Restore version 1 as a new draft and publish it: XH-03 goes, its
	// customers return to XH-01.
	rec = w.call(t, "planner", http.MethodPost, "/api/plans", map[string]any{"name": "restore v1", "from_plan_id": baseline.ID})
	wantStatus(t, rec, http.StatusCreated)
	restore := planOf(t, rec)
	if restore.BasePlanID != baseline.ID || restore.Status != territory.PlanDraft {
		t.Fatalf("restored draft %+v", restore)
	}
	rg := planGridsOf(t, w, restore.ID)
	if !rg["XH-03"].Removed || rg["XH-03"].SuccessorID != rg["XH-01"].ID {
		t.Errorf("restored draft's XH-03 %+v: want removed, succeeded by XH-01 (%d)", rg["XH-03"], rg["XH-01"].ID)
	}
	if rg["XH-01"].CustomerCount != 5 {
		t.Errorf("restored XH-01 holds %d customers, want 5", rg["XH-01"].CustomerCount)
	}
	rec = w.call(t, "admin", http.MethodPost, path("/api/plans/%d/publish", restore.ID), map[string]any{"version": restore.Version})
	wantStatus(t, rec, http.StatusOK)
	live = liveByCode(t, w)
	if _, ok := live["XH-03"]; ok {
		t.Error("live grid XH-03 survived publishing the restored version")
	}
	for _, id := range inside {
		if g := gridOf(t, w, id); g != w.g1.ID {
			t.Errorf("customer %d in grid %d after the restore, want XH-01 (%d)", id, g, w.g1.ID)
		}
	}
	rec = w.call(t, "planner", http.MethodGet, "/api/plans?status=published,archived&limit=10", nil)
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &list)
	if got := planSummary(list.Items); len(list.Items) != 3 || list.Items[0].ID != restore.ID || list.Items[0].Number != 3 {
		t.Errorf("history after the restore: %v", got)
	}
	// History is kept: a published or archived plan is not deleted.
	wantError(t, w.call(t, "planner", http.MethodDelete, path("/api/plans/%d", baseline.ID), nil), http.StatusConflict, "conflict", "")
	_ = ctx
}

func planSummary(ps []*territory.Plan) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%d %q %s v%d", p.ID, p.Name, p.Status, p.Number))
	}
	return out
}

// liveByCode returns the live grids by code.
func liveByCode(tb testing.TB, w *world) map[string]*territory.Grid {
	tb.Helper()
	gs, err := w.store.Grids(context.Background(), territory.GridFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]*territory.Grid{}
	for _, g := range gs {
		out[g.Code] = g
	}
	return out
}

// Two planners edit the same grid of a draft from the same version: the
// second save is a 409 naming the first planner, and changes nothing; so is
// a stale rename of the plan.
func TestPlanConflictingSaves(t *testing.T) {
	w := newPlanWorld(t, Deps{})
	rec := w.call(t, "planner", http.MethodPost, "/api/plans", map[string]any{"name": "draft"})
	wantStatus(t, rec, http.StatusCreated)
	draft := planOf(t, rec)
	xh02 := planGridsOf(t, w, draft.ID)["XH-02"]
	url := path("/api/plans/%d/grids/%d", draft.ID, xh02.ID)

	mine := planFeature("XH-02", w.d1.ID, rect(120.15, 30.25, 120.22, 30.28), xh02.Version)
	rec = w.call(t, "planner", http.MethodPut, url+"?mode=fit", mine)
	wantStatus(t, rec, http.StatusOK)
	if v := gridProps(t, editOf(t, rec).Grid).Version; v != xh02.Version+1 {
		t.Errorf("version after the save %d, want %d", v, xh02.Version+1)
	}
	theirs := planFeature("XH-02", w.d1.ID, rect(120.16, 30.25, 120.22, 30.29), xh02.Version)
	rec = w.call(t, "admin", http.MethodPut, url, theirs)
	d := wantError(t, rec, http.StatusConflict, "conflict", "")
	if !strings.Contains(d.Message, "planner") || !strings.Contains(d.Message, "XH-02") {
		t.Errorf("conflict message %q does not name the grid and who changed it", d.Message)
	}
	if got := planGridsOf(t, w, draft.ID)["XH-02"]; !orb.Equal(got.Geometry, orb.MultiPolygon{rect(120.15, 30.25, 120.22, 30.28)}) {
		t.Errorf("XH-02 after the refused save %v, want the first planner's shape", got.Geometry)
	}

	// The plan itself: two renames from version 1.
	v := currentPlan(w, draft.ID).Version
	rec = w.call(t, "planner", http.MethodPatch, path("/api/plans/%d", draft.ID), map[string]any{"name": "春季", "note": "先改西湖", "version": v})
	wantStatus(t, rec, http.StatusOK)
	if p := planOf(t, rec); p.Name != "春季" || p.Note != "先改西湖" || p.Version != v+1 || p.UpdatedBy != "planner" {
		t.Errorf("renamed plan %+v", p)
	}
	rec = w.call(t, "admin", http.MethodPatch, path("/api/plans/%d", draft.ID), map[string]any{"name": "秋季", "version": v})
	if d := wantError(t, rec, http.StatusConflict, "conflict", ""); !strings.Contains(d.Message, "planner") {
		t.Errorf("stale rename message %q does not name who changed the plan", d.Message)
	}
	if p := currentPlan(w, draft.ID); p.Name != "春季" {
		t.Errorf("plan renamed to %q by a stale request", p.Name)
	}
}

// With approval required, a planner's draft is published only after a
// leader (not the submitter) approves it.
func TestPlanApproval(t *testing.T) {
	w := newPlanWorld(t, Deps{RequireApproval: true})
	rec := w.call(t, "planner", http.MethodPost, "/api/plans", map[string]any{"name": "needs approval"})
	wantStatus(t, rec, http.StatusCreated)
	p := planOf(t, rec)
	publish := path("/api/plans/%d/publish", p.ID)

	d := wantError(t, w.call(t, "planner", http.MethodPost, publish, map[string]any{"version": p.Version}), http.StatusConflict, "conflict", "")
	if !strings.Contains(d.Message, "approval") {
		t.Errorf("unapproved publish message %q", d.Message)
	}
	rec = w.call(t, "planner", http.MethodPost, path("/api/plans/%d/submit", p.ID), map[string]any{"version": p.Version})
	wantStatus(t, rec, http.StatusOK)
	p = planOf(t, rec)
	if p.Status != territory.PlanPending || p.SubmittedBy != "planner" {
		t.Fatalf("submitted plan %+v", p)
	}
	approve := path("/api/plans/%d/approve", p.ID)
	wantError(t, w.call(t, "planner", http.MethodPost, approve, map[string]any{"version": p.Version}), http.StatusForbidden, "forbidden", "")
	wantError(t, w.call(t, "leader", http.MethodPost, approve, map[string]any{"version": p.Version + 5}), http.StatusConflict, "conflict", "")
	rec = w.call(t, "leader", http.MethodPost, approve, map[string]any{"version": p.Version})
	wantStatus(t, rec, http.StatusOK)
	p = planOf(t, rec)
	if p.ApprovedBy != "leader" || p.Status != territory.PlanPending {
		t.Fatalf("approved plan %+v", p)
	}
	wantError(t, w.call(t, "leader", http.MethodPost, publish, map[string]any{"version": p.Version}), http.StatusForbidden, "forbidden", "")
	rec = w.call(t, "planner", http.MethodPost, publish, map[string]any{"version": p.Version})
	wantStatus(t, rec, http.StatusOK)
	if got := planOf(t, rec); got.Status != territory.PlanPublished {
		t.Errorf("published plan %+v", got)
	}

	// The approver must be a second person: an admin who submitted cannot
	// approve his own plan.
	rec = w.call(t, "admin", http.MethodPost, "/api/plans", map[string]any{"name": "admin's"})
	wantStatus(t, rec, http.StatusCreated)
	p = planOf(t, rec)
	rec = w.call(t, "admin", http.MethodPost, path("/api/plans/%d/submit", p.ID), map[string]any{"version": p.Version})
	wantStatus(t, rec, http.StatusOK)
	p = planOf(t, rec)
	d = wantError(t, w.call(t, "admin", http.MethodPost, path("/api/plans/%d/approve", p.ID), map[string]any{"version": p.Version}), http.StatusForbidden, "forbidden", "")
	if !strings.Contains(d.Message, "second person") {
		t.Errorf("self-approval message %q", d.Message)
	}
}

// Overlapping grids (made through the direct API, which takes shapes as
// drawn) block publication: the 409 carries the validation report, whose
// overlap names both grids.
func TestPlanPublishBlockedByOverlap(t *testing.T) {
	w := newPlanWorld(t, Deps{})
	rec := w.call(t, "planner", http.MethodPut, path("/api/grids/%d", w.g2.ID),
		gridFeatureBody("XH-02", w.d1.ID, rect(120.14, 30.25, 120.22, 30.29), w.g2.Version))
	wantStatus(t, rec, http.StatusOK)
	rec = w.call(t, "planner", http.MethodPost, "/api/plans", map[string]any{"name": "with an overlap"})
	wantStatus(t, rec, http.StatusCreated)
	p := planOf(t, rec)
	grids := planGridsOf(t, w, p.ID)

	rec = w.call(t, "planner", http.MethodPost, path("/api/plans/%d/publish", p.ID), map[string]any{"version": p.Version})
	wantStatus(t, rec, http.StatusConflict)
	var refusal struct {
		Error  errorDetail
		Report *territory.ValidationReport
	}
	decode(t, rec, &refusal)
	if refusal.Error.Code != "conflict" || !strings.Contains(refusal.Error.Message, "overlap") || refusal.Report == nil || refusal.Report.OK {
		t.Fatalf("refusal %s", rec.Body)
	}
	found := false
	for _, v := range refusal.Report.Violations {
		ids := slices.Clone(v.PlanGridIDs)
		slices.Sort(ids)
		if v.Kind == "overlap" && v.Severity == "error" && v.Geometry != nil &&
			slices.Equal(ids, []int64{grids["XH-01"].ID, grids["XH-02"].ID}) {
			found = true
		}
	}
	if !found {
		t.Errorf("no overlap of XH-01 and XH-02 in the report: %+v", refusal.Report.Violations)
	}
	if got := currentPlan(w, p.ID); got.Status != territory.PlanDraft {
		t.Errorf("refused plan is %s", got.Status)
	}
	// Submitting is refused the same way.
	rec = w.call(t, "planner", http.MethodPost, path("/api/plans/%d/submit", p.ID), map[string]any{"version": p.Version})
	wantStatus(t, rec, http.StatusConflict)
}

// The direct grid edits of /api/grids are one-step plans: each publishes a
// version that the history lists, and the newest one mirrors the live grids.
func TestDirectEditsAreOneStepPlans(t *testing.T) {
	w := newWorld(t)
	rec := w.call(t, "planner", http.MethodPost, "/api/grids", gridFeatureBody("XH-03", w.d1.ID, square(orb.Point{120.12, 30.31}, 0.01), 0))
	wantStatus(t, rec, http.StatusCreated)
	rec = w.call(t, "admin", http.MethodPut, path("/api/grids/%d", w.g2.ID), gridFeatureBody("XH-02", w.d1.ID, square(orb.Point{120.2, 30.27}, 0.03), 1))
	wantStatus(t, rec, http.StatusOK)
	// Refused edits leave no trace in the history.
	wantStatus(t, w.call(t, "admin", http.MethodPut, path("/api/grids/%d", w.g2.ID), gridFeatureBody("XH-02", w.d1.ID, square(orb.Point{120.2, 30.27}, 0.03), 1)), http.StatusConflict)
	wantStatus(t, w.call(t, "planner", http.MethodDelete, path("/api/grids/%d?version=1", w.g1.ID), nil), http.StatusConflict)
	rec = w.call(t, "planner", http.MethodDelete, path("/api/grids/%d?version=1", w.gSpare.ID), nil)
	wantStatus(t, rec, http.StatusNoContent)

	rec = w.call(t, "leader", http.MethodGet, "/api/plans?status=published,archived", nil)
	wantStatus(t, rec, http.StatusOK)
	var list struct{ Items []*territory.Plan }
	decode(t, rec, &list)
	want := []struct {
		name, by string
		number   int
		status   territory.PlanStatus
	}{
		{"Grid GS-99 deleted", "planner", 4, territory.PlanPublished},
		{"Grid XH-02 changed", "admin", 3, territory.PlanArchived},
		{"Grid XH-03 created", "planner", 2, territory.PlanArchived},
		{"Baseline", "planner", 1, territory.PlanArchived},
	}
	if len(list.Items) != len(want) {
		t.Fatalf("history %v, want %d versions", planSummary(list.Items), len(want))
	}
	for i, wp := range want {
		p := list.Items[i]
		if p.Name != wp.name || p.Number != wp.number || p.Status != wp.status || p.PublishedBy != wp.by {
			t.Errorf("version %d: %q #%d %s by %q, want %q #%d %s by %q", i, p.Name, p.Number, p.Status, p.PublishedBy, wp.name, wp.number, wp.status, wp.by)
		}
	}
	// The newest version is the live layout.
	live := liveByCode(t, w)
	grids := planGridsOf(t, w, list.Items[0].ID)
	if len(grids) != len(live) {
		t.Fatalf("newest version has %d grids, the map %d", len(grids), len(live))
	}
	for code, lg := range live {
		g := grids[code]
		if g.GridID != lg.ID || !orb.Equal(g.Geometry, orb.MultiPolygon{lg.Boundary}) {
			t.Errorf("version grid %s (live %d) %v, live grid %d %v", code, g.GridID, g.Geometry, lg.ID, lg.Boundary)
		}
	}
	// The version before the deletion still has GS-99.
	if _, ok := planGridsOf(t, w, list.Items[1].ID)["GS-99"]; !ok {
		t.Error("the archived version before the deletion lacks GS-99")
	}
}

// A manager gets 403 from every route under /api/plans, whatever the
// method: routes are read from the router itself, so a route added later
// is covered too.
func TestPlanRoutesForbiddenToManagers(t *testing.T) {
	w := newPlanWorld(t, Deps{})
	rec := w.call(t, "planner", http.MethodPost, "/api/plans", map[string]any{"name": "draft"})
	wantStatus(t, rec, http.StatusCreated)
	p := planOf(t, rec)
	g := planGridsOf(t, w, p.ID)["XH-01"]
	repl := strings.NewReplacer(":id", fmt.Sprint(p.ID), ":gid", fmt.Sprint(g.ID), ":other", fmt.Sprint(p.BasePlanID))
	n := 0
	for _, r := range w.handler.(*gin.Engine).Routes() {
		if r.Path != "/api/plans" && !strings.HasPrefix(r.Path, "/api/plans/") {
			continue
		}
		n++
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			var body any
			if r.Method != http.MethodGet && r.Method != http.MethodDelete {
				body = map[string]any{"name": "x", "version": 1}
			}
			wantError(t, w.call(t, "zhang", r.Method, repl.Replace(r.Path), body), http.StatusForbidden, "forbidden", "")
		})
	}
	if n < 17 {
		t.Errorf("only %d /api/plans routes registered, want at least the 17 of the plans API", n)
	}
	// Nothing the manager sent changed the plan.
	if got := currentPlan(w, p.ID); got.Version != p.Version || got.Name != "draft" {
		t.Errorf("plan after the manager's requests %+v", got)
	}
}
