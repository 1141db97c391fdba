package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/territory"
)

// readExport checks an export's status, type and file name and reads it
// back.
func readExport(tb testing.TB, rec *httptest.ResponseRecorder, contentType, fileName string, crs geo.CRS) []*AreaFeature {
	tb.Helper()
	wantStatus(tb, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, contentType) {
		tb.Errorf("Content-Type %q, want %s", ct, contentType)
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="`+fileName+`"` {
		tb.Errorf("Content-Disposition %q, want file %s", cd, fileName)
	}
	_, fs, err := ReadAreas(rec.Body.Bytes(), crs)
	if err != nil {
		tb.Fatalf("read the export back: %v\n%s", err, rec.Body)
	}
	for _, f := range fs {
		if f.Err != nil {
			tb.Fatalf("exported %s: %v", f.Label("code"), f.Err)
		}
	}
	return fs
}

func codesOf(fs []*AreaFeature) string {
	var codes []string
	for _, f := range fs {
		codes = append(codes, f.Prop("code"))
	}
	sort.Strings(codes)
	return strings.Join(codes, ",")
}

func TestExportGrids(t *testing.T) {
	w := newWorld(t)
	stored := map[string]*territory.Grid{}
	for _, g := range []*territory.Grid{w.g1, w.g2, w.g3, w.gSpare} {
		stored[g.Code] = g
	}

	fs := readExport(t, w.get(t, "zhang", "/api/grids/export"), contentGeoJSON, "gridplan-grids.geojson", geo.WGS84)
	if got := codesOf(fs); got != "GS-01,GS-99,XH-01,XH-02" {
		t.Fatalf("a manager's export holds %s", got)
	}
	for _, f := range fs {
		g := stored[f.Prop("code")]
		wantDistrict := map[int64]string{w.d1.ID: "330106", w.d2.ID: "330105"}[g.DistrictID]
		if f.Prop("name") != g.Name || f.Prop("district_code") != wantDistrict || f.Prop("status") != string(g.Status) || f.Prop("version") != "1" {
			t.Errorf("%s exported with %v", g.Code, f.Props)
		}
		if !orb.Equal(f.Boundary, orb.MultiPolygon{g.Boundary}) {
			t.Errorf("%s exported as %v, stored %v", g.Code, f.Boundary, g.Boundary)
		}
	}

	fs = readExport(t, w.get(t, "leader", path("/api/grids/export?format=kml&district_id=%d&crs=gcj02", w.d1.ID)),
		contentKML, "gridplan-grids-gcj02.kml", geo.GCJ02)
	if got := codesOf(fs); got != "XH-01,XH-02" {
		t.Fatalf("district %d's KML export holds %s", w.d1.ID, got)
	}
	for _, f := range fs {
		if d := maxVertexDiff(t, orb.MultiPolygon{stored[f.Prop("code")].Boundary}, f.Boundary); d > 1e-8 {
			t.Errorf("%s off by %g° after a GCJ-02 round trip", f.Prop("code"), d)
		}
	}

	tests := []struct {
		name, user, path string
		status           int
		code, field      string
	}{
		{"anonymous", "", "/api/grids/export", http.StatusUnauthorized, "unauthorized", ""},
		{"bad format", "planner", "/api/grids/export?format=shp", http.StatusBadRequest, "invalid", "format"},
		{"bad crs", "planner", "/api/grids/export?crs=utm50", http.StatusBadRequest, "invalid", "crs"},
		{"bad status", "planner", "/api/grids/export?status=gone", http.StatusBadRequest, "invalid", "status"},
		{"bad district", "planner", "/api/grids/export?district_id=x", http.StatusBadRequest, "invalid", "district_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, w.get(t, tt.user, tt.path), tt.status, tt.code, tt.field)
		})
	}
}

func TestExportPlan(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	p := &territory.Plan{Name: "二季度草案", Status: territory.PlanDraft, CreatedBy: "planner"}
	keep := &territory.PlanGrid{Code: "XH-01", Name: "文三", GridID: w.g1.ID, DistrictID: w.d1.ID,
		Boundary: orb.MultiPolygon{square(orb.Point{120.10, 30.27}, 0.02), square(orb.Point{120.16, 30.27}, 0.01)}}
	gone := &territory.PlanGrid{Code: "XH-02", Name: "古荡", GridID: w.g2.ID, DistrictID: w.d1.ID, Removed: true,
		Boundary: orb.MultiPolygon{square(orb.Point{120.20, 30.27}, 0.02)}}
	if err := w.store.CreatePlan(ctx, p, []*territory.PlanGrid{keep, gone}); err != nil {
		t.Fatal(err)
	}
	base := path("/api/plans/%d/export", p.ID)
	file := path("gridplan-plan-%d", p.ID)

	fs := readExport(t, w.get(t, "leader", base), contentGeoJSON, file+".geojson", geo.WGS84)
	if len(fs) != 1 || fs[0].Prop("code") != "XH-01" {
		t.Fatalf("export without removed grids: %s", codesOf(fs))
	}
	f := fs[0]
	if f.Prop("id") != path("%d", keep.ID) || f.Prop("grid_id") != path("%d", w.g1.ID) || f.Prop("plan_id") != path("%d", p.ID) ||
		f.Prop("district_code") != "330106" || f.Prop("name") != "文三" || len(f.Boundary) != 2 {
		t.Errorf("exported %v with %d polygons", f.Props, len(f.Boundary))
	}

	fs = readExport(t, w.get(t, "planner", base+"?removed=true&format=kml"), contentKML, file+".kml", geo.WGS84)
	if got := codesOf(fs); got != "XH-01,XH-02" {
		t.Fatalf("export with removed grids: %s", got)
	}
	for _, f := range fs {
		if removed := f.Prop("removed") == "true"; removed != (f.Prop("code") == "XH-02") {
			t.Errorf("%s: removed = %q", f.Prop("code"), f.Prop("removed"))
		}
	}
	if !strings.Contains(w.get(t, "planner", base+"?format=kml").Body.String(), "<name>二季度草案 (plan") {
		t.Error("the KML document is not named after the plan")
	}

	wantError(t, w.get(t, "zhang", base), http.StatusForbidden, "forbidden", "")
	wantError(t, w.get(t, "planner", "/api/plans/999999/export"), http.StatusNotFound, "not_found", "")
	wantError(t, w.get(t, "planner", "/api/plans/abc/export"), http.StatusBadRequest, "invalid", "id")
}
