package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/territory"
)

// planSnapshot renders every plan and plan grid, to assert that a refused
// request wrote nothing.
func planSnapshot(tb testing.TB, w *world) string {
	tb.Helper()
	ctx := context.Background()
	ps, err := w.store.Plans(ctx, territory.PlanFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "plan %d %q %s v%d #%d\n", p.ID, p.Name, p.Status, p.Version, p.Number)
		gs, err := w.store.PlanGrids(ctx, p.ID)
		if err != nil {
			tb.Fatal(err)
		}
		for _, g := range gs {
			fmt.Fprintf(&b, "  %d %s %s v%d removed=%v succ=%d %v\n", g.ID, g.Code, g.Name, g.Version, g.Removed, g.SuccessorID, g.Boundary)
		}
	}
	return b.String()
}

// TestPlanBadInput sends the plans API every kind of bad request: bad ids,
// geometry that names the ring and point at fault, wrong versions, a split
// line that does not cross its grid, merges of one grid or of grids that
// do not touch. Each gets a clear error naming the field, and none changes
// anything.
func TestPlanBadInput(t *testing.T) {
	w := newPlanWorld(t, Deps{})
	rec := w.call(t, "planner", http.MethodPost, "/api/plans", map[string]any{"name": "draft"})
	wantStatus(t, rec, http.StatusCreated)
	draft := planOf(t, rec)
	baseline := draft.BasePlanID
	// Split XH-01 at 120.11: its east part keeps the grid, the west part
	// becomes XH-01-2, which does not touch XH-02.
	xh01 := planGridsOf(t, w, draft.ID)["XH-01"]
	rec = w.call(t, "planner", http.MethodPost, path("/api/plans/%d/grids/%d/split", draft.ID, xh01.ID),
		map[string]any{"line": map[string]any{"type": "LineString", "coordinates": [][]float64{{120.11, 30.24}, {120.11, 30.30}}}, "version": xh01.Version})
	wantStatus(t, rec, http.StatusOK)
	grids := planGridsOf(t, w, draft.ID)
	west, east, xh02, gs01 := grids["XH-01-2"], grids["XH-01"], grids["XH-02"], grids["GS-01"]
	if west.ID == 0 || !orb.Equal(east.Geometry, orb.MultiPolygon{rect(120.11, 30.25, 120.15, 30.29)}) {
		t.Fatalf("split: XH-01 %v, XH-01-2 %+v", east.Geometry, west)
	}
	baseGrid := planGridsOf(t, w, baseline)["XH-02"]
	p := func(format string, args ...any) func() string {
		return func() string { return fmt.Sprintf(format, args...) }
	}
	plan := fmt.Sprintf("/api/plans/%d", draft.ID)
	gridURL := func(g planGridOut) string { return fmt.Sprintf("%s/grids/%d", plan, g.ID) }
	bowtie := orb.Polygon{{{120.16, 30.26}, {120.20, 30.28}, {120.20, 30.26}, {120.16, 30.28}, {120.16, 30.26}}}
	open := orb.Polygon{{{120.16, 30.26}, {120.20, 30.26}, {120.20, 30.28}, {120.16, 30.28}}}
	line := func(coords any) map[string]any {
		return map[string]any{"line": map[string]any{"type": "LineString", "coordinates": coords}, "version": xh02.Version}
	}
	withProps := func(b map[string]any, kv ...any) map[string]any {
		props := b["properties"].(map[string]any)
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(props, kv[i].(string))
			} else {
				props[kv[i].(string)] = kv[i+1]
			}
		}
		return b
	}
	newGrid := func() map[string]any { return planFeature("XH-09", w.d1.ID, rect(120.16, 30.26, 120.17, 30.27), 0) }
	edit := func(kv ...any) map[string]any {
		return withProps(planFeature("XH-02", w.d1.ID, rect(120.15, 30.25, 120.22, 30.28), xh02.Version), kv...)
	}

	tests := []struct {
		name        string
		method      string
		url         func() string
		body        any
		status      int
		code, field string
		mention     string // the message also says this ("" = nothing more)
	}{
		// Ids.
		{"plan id not a number", "GET", p("/api/plans/abc"), nil, 400, "invalid", "id", ""},
		{"plan id zero", "GET", p("/api/plans/0"), nil, 400, "invalid", "id", ""},
		{"plan id too large", "GET", p("/api/plans/99999999999999999999"), nil, 400, "invalid", "id", ""},
		{"missing plan", "GET", p("/api/plans/987654"), nil, 404, "not_found", "", "plan 987654"},
		{"grids of a missing plan", "GET", p("/api/plans/987654/grids"), nil, 404, "not_found", "", "plan 987654"},
		{"grid id not a number", "PUT", p("%s/grids/x1", plan), edit(), 400, "invalid", "gid", ""},
		{"grid of another plan", "PUT", p("%s/grids/%d", plan, baseGrid.ID), edit(), 404, "not_found", "", "plan grid"},
		{"missing grid", "DELETE", p("%s/grids/987654?version=1", plan), nil, 404, "not_found", "", ""},
		{"compare with a bad id", "GET", p("%s/compare/x", plan), nil, 400, "invalid", "other", ""},
		{"compare with a missing plan", "GET", p("%s/compare/987654", plan), nil, 404, "not_found", "", "plan 987654"},
		{"unknown status filter", "GET", p("/api/plans?status=draft,live"), nil, 400, "invalid", "status", "live"},
		{"limit zero", "GET", p("/api/plans?limit=0"), nil, 400, "invalid", "limit", ""},
		// New plans.
		{"restore of a missing plan", "POST", p("/api/plans"), map[string]any{"name": "x", "from_plan_id": 987654}, 400, "invalid", "from_plan_id", "987654"},
		{"negative source plan", "POST", p("/api/plans"), map[string]any{"name": "x", "from_plan_id": -1}, 400, "invalid", "from_plan_id", ""},
		{"source plan as text", "POST", p("/api/plans"), map[string]any{"name": "x", "from_plan_id": "1"}, 400, "invalid", "from_plan_id", ""},
		{"name too long", "POST", p("/api/plans"), map[string]any{"name": strings.Repeat("网", 201)}, 400, "invalid", "name", ""},
		{"patch without version", "PATCH", p("%s", plan), map[string]any{"name": "x"}, 400, "invalid", "version", ""},
		{"patch stale version", "PATCH", p("%s", plan), map[string]any{"name": "x", "version": draft.Version + 7}, 409, "conflict", "", "yours is"},
		{"patch blank name", "PATCH", p("%s", plan), map[string]any{"name": " ", "version": draft.Version}, 400, "invalid", "name", ""},
		// Geometry.
		{"self-crossing polygon", "POST", p("%s/grids", plan), planFeature("XH-09", w.d1.ID, bowtie, 0), 400, "invalid", "geometry", "ring 0 point"},
		{"second part open", "POST", p("%s/grids", plan), planFeature("XH-09", w.d1.ID, orb.MultiPolygon{rect(120.16, 30.26, 120.17, 30.27), open}, 0), 400, "invalid", "geometry", "polygon 1: ring 0"},
		{"one-number position", "POST", p("%s/grids", plan), map[string]any{"type": "Feature", "properties": map[string]any{"code": "X", "district_id": w.d1.ID},
			"geometry": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{120.16, 30.26}, {120.17}, {120.17, 30.27}, {120.16, 30.26}}}}}, 400, "invalid", "geometry", "ring 0 point 1"},
		{"line as a grid", "POST", p("%s/grids", plan), map[string]any{"type": "Feature", "properties": map[string]any{"code": "X", "district_id": w.d1.ID},
			"geometry": map[string]any{"type": "LineString", "coordinates": [][]float64{{120.16, 30.26}, {120.17, 30.27}}}}, 400, "invalid", "geometry", "Polygon or MultiPolygon"},
		{"latitude out of range", "POST", p("%s/grids", plan), planFeature("XH-09", w.d1.ID, rect(120.16, 90.5, 120.17, 91), 0), 400, "invalid", "geometry", "latitude"},
		{"no geometry", "POST", p("%s/grids", plan), func() any { b := newGrid(); delete(b, "geometry"); return b }(), 400, "invalid", "geometry", ""},
		{"not a feature", "POST", p("%s/grids", plan), func() any { b := newGrid(); b["type"] = "Polygon"; return b }(), 400, "invalid", "type", ""},
		{"new grid without code", "POST", p("%s/grids", plan), withProps(newGrid(), "code", nil), 400, "invalid", "code", ""},
		{"new grid without district", "POST", p("%s/grids", plan), withProps(newGrid(), "district_id", nil), 400, "invalid", "district_id", ""},
		{"new grid in a missing district", "POST", p("%s/grids", plan), withProps(newGrid(), "district_id", 987654), 400, "invalid", "district_id", "987654"},
		{"new grid with an id", "POST", p("%s/grids", plan), withProps(newGrid(), "id", xh02.ID), 400, "invalid", "id", ""},
		{"new grid with a taken code", "POST", p("%s/grids", plan), withProps(newGrid(), "code", "XH-02"), 400, "invalid", "code", "XH-02"},
		{"unknown mode", "POST", p("%s/grids?mode=sideways", plan), newGrid(), 400, "invalid", "mode", ""},
		{"negative snap", "POST", p("%s/grids?snap_m=-1", plan), newGrid(), 400, "invalid", "snap_m", ""},
		{"snap not a number", "POST", p("%s/grids?snap_m=far", plan), newGrid(), 400, "invalid", "snap_m", ""},
		// Versions.
		{"edit without version", "PUT", func() string { return gridURL(xh02) }, edit("version", nil), 400, "invalid", "version", ""},
		{"edit version as text", "PUT", func() string { return gridURL(xh02) }, edit("version", "1"), 400, "invalid", "version", ""},
		{"edit version zero", "PUT", func() string { return gridURL(xh02) }, edit("version", 0), 400, "invalid", "version", ""},
		{"edit stale version", "PUT", func() string { return gridURL(xh02) }, edit("version", xh02.Version+3), 409, "conflict", "", "XH-02"},
		{"edit id differs from path", "PUT", func() string { return gridURL(xh02) }, edit("id", west.ID), 400, "invalid", "id", ""},
		{"edit a published plan", "PUT", p("/api/plans/%d/grids/%d", baseline, baseGrid.ID), withProps(edit(), "version", baseGrid.Version), 409, "conflict", "", "only drafts"},
		{"remove without version", "DELETE", func() string { return gridURL(xh02) }, nil, 400, "invalid", "version", ""},
		{"remove version not a number", "DELETE", func() string { return gridURL(xh02) + "?version=x" }, nil, 400, "invalid", "version", ""},
		{"remove stale version", "DELETE", func() string { return fmt.Sprintf("%s?version=%d", gridURL(xh02), xh02.Version+3) }, nil, 409, "conflict", "", ""},
		{"remove succeeded by itself", "DELETE", func() string { return fmt.Sprintf("%s?version=%d&successor=%d", gridURL(xh02), xh02.Version, xh02.ID) }, nil, 400, "invalid", "successor", ""},
		{"remove succeeded by another plan's grid", "DELETE", func() string {
			return fmt.Sprintf("%s?version=%d&successor=%d", gridURL(xh02), xh02.Version, baseGrid.ID)
		}, nil, 400, "invalid", "successor", ""},
		{"publish without version", "POST", p("%s/publish", plan), map[string]any{}, 400, "invalid", "version", ""},
		{"publish stale version", "POST", p("%s/publish", plan), map[string]any{"version": draft.Version + 9}, 409, "conflict", "", "yours is"},
		{"publish without a body", "POST", p("%s/publish", plan), nil, 400, "invalid", "body", ""},
		{"submit version negative", "POST", p("%s/submit", plan), map[string]any{"version": -2}, 400, "invalid", "version", ""},
		{"delete a published plan", "DELETE", p("/api/plans/%d", baseline), nil, 409, "conflict", "", "only drafts"},
		// Split.
		{"split line misses the grid", "POST", func() string { return gridURL(xh02) + "/split" }, line([][]float64{{120.30, 30.24}, {120.30, 30.30}}), 400, "invalid", "line", ""},
		{"split line ends inside the grid", "POST", func() string { return gridURL(xh02) + "/split" }, line([][]float64{{120.18, 30.24}, {120.18, 30.27}}), 400, "invalid", "line", ""},
		{"split line of one point", "POST", func() string { return gridURL(xh02) + "/split" }, line([][]float64{{120.18, 30.24}}), 400, "invalid", "line", "2 points"},
		{"split line repeats a point", "POST", func() string { return gridURL(xh02) + "/split" }, line([][]float64{{120.18, 30.24}, {120.18, 30.24}, {120.18, 30.30}}), 400, "invalid", "line", "point 1"},
		{"split line out of range", "POST", func() string { return gridURL(xh02) + "/split" }, line([][]float64{{120.18, 30.24}, {190, 30.30}}), 400, "invalid", "line", "point 1"},
		{"split by a polygon", "POST", func() string { return gridURL(xh02) + "/split" }, map[string]any{"line": map[string]any{"type": "Polygon", "coordinates": rect(120.1, 30.2, 120.2, 30.3)}, "version": xh02.Version}, 400, "invalid", "line", ""},
		{"split without a line", "POST", func() string { return gridURL(xh02) + "/split" }, map[string]any{"version": xh02.Version}, 400, "invalid", "line", ""},
		{"split without version", "POST", func() string { return gridURL(xh02) + "/split" }, map[string]any{"line": line([][]float64{{120.18, 30.24}, {120.18, 30.30}})["line"]}, 400, "invalid", "version", ""},
		{"split stale version", "POST", func() string { return gridURL(xh02) + "/split" }, func() any {
			b := line([][]float64{{120.18, 30.24}, {120.18, 30.30}})
			b["version"] = xh02.Version + 4
			return b
		}(), 409, "conflict", "", "XH-02"},
		// Merge.
		{"merge the same grid", "POST", p("%s/merge", plan), map[string]any{"grid_ids": []int64{xh02.ID, xh02.ID}, "versions": []int{xh02.Version, xh02.Version}}, 400, "invalid", "grid_ids", "itself"},
		{"merge one grid", "POST", p("%s/merge", plan), map[string]any{"grid_ids": []int64{xh02.ID}, "versions": []int{xh02.Version}}, 400, "invalid", "grid_ids", ""},
		{"merge grids that do not touch", "POST", p("%s/merge", plan), map[string]any{"grid_ids": []int64{west.ID, xh02.ID}, "versions": []int{west.Version, xh02.Version}}, 400, "invalid", "grid_ids", "one piece"},
		{"merge across districts", "POST", p("%s/merge", plan), map[string]any{"grid_ids": []int64{xh02.ID, gs01.ID}, "versions": []int{xh02.Version, gs01.Version}}, 400, "invalid", "grid_ids", "districts"},
		{"merge with a version missing", "POST", p("%s/merge", plan), map[string]any{"grid_ids": []int64{east.ID, xh02.ID}, "versions": []int{east.Version}}, 400, "invalid", "versions", ""},
		{"merge a grid of another plan", "POST", p("%s/merge", plan), map[string]any{"grid_ids": []int64{xh02.ID, baseGrid.ID}, "versions": []int{1, 1}}, 400, "invalid", "grid_ids", ""},
		{"merge stale", "POST", p("%s/merge", plan), map[string]any{"grid_ids": []int64{east.ID, xh02.ID}, "versions": []int{east.Version, xh02.Version + 1}}, 409, "conflict", "", "XH-02"},
		// Preview.
		{"preview a bad geometry", "POST", p("%s/preview", plan), map[string]any{"grid": planFeature("XH-09", w.d1.ID, bowtie, 0)}, 400, "invalid", "geometry", "ring 0 point"},
		{"preview a new grid without geometry", "POST", p("%s/preview", plan), map[string]any{"grid": func() any { b := newGrid(); delete(b, "geometry"); return b }()}, 400, "invalid", "geometry", ""},
		{"preview a grid of another plan", "POST", p("%s/preview", plan), map[string]any{"grid": withProps(edit(), "id", baseGrid.ID)}, 404, "not_found", "", ""},
	}
	before := planSnapshot(t, w)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := w.call(t, "planner", tt.method, tt.url(), tt.body)
			d := wantError(t, rec, tt.status, tt.code, tt.field)
			if tt.mention != "" && !strings.Contains(d.Message, tt.mention) {
				t.Errorf("message %q does not mention %q", d.Message, tt.mention)
			}
			if after := planSnapshot(t, w); after != before {
				t.Errorf("refused request changed the plans:\n%s\nwant\n%s", after, before)
			}
		})
	}
}
