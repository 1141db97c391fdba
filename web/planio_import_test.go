package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/territory"
)

// newDraft makes a draft from the published plan (the baseline of the
// world's live grids) through the API and returns it.
func newDraft(tb testing.TB, w *world, name string) *territory.Plan {
	tb.Helper()
	wantStatus(tb, w.get(tb, "planner", "/api/plans"), http.StatusOK) // makes the baseline
	rec := w.do(tb, request{Method: "POST", Path: "/api/plans", Body: map[string]any{"name": name}, Cookie: w.session(tb, "planner")})
	wantStatus(tb, rec, http.StatusCreated)
	var p territory.Plan
	decode(tb, rec, &p)
	return &p
}

// planGridsByCode reads a plan's grids through the API.
func planGridsByCode(tb testing.TB, w *world, planID int64) map[string]*AreaFeature {
	tb.Helper()
	rec := w.get(tb, "planner", path("/api/plans/%d/grids", planID))
	wantStatus(tb, rec, http.StatusOK)
	_, fs, err := ReadAreas(rec.Body.Bytes(), geo.WGS84)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]*AreaFeature{}
	for _, f := range fs {
		if f.Prop("removed") != "true" {
			out[f.Prop("code")] = f
		}
	}
	return out
}

// importFile posts body to the plan's import as user.
func importFile(tb testing.TB, w *world, user string, planID int64, query, contentType string, body []byte) (planImportResult, int) {
	tb.Helper()
	rec := w.do(tb, request{Method: "POST", Path: path("/api/plans/%d/import%s", planID, query), Body: body, ContentType: contentType, Cookie: w.session(tb, user)})
	var res planImportResult
	if rec.Code == http.StatusOK {
		decode(tb, rec, &res)
	}
	return res, rec.Code
}

// featureJSON is a GeoJSON Feature with props and a polygon.
func featureJSON(props map[string]any, poly orb.Polygon) map[string]any {
	return map[string]any{"type": "Feature", "properties": props, "geometry": map[string]any{"type": "Polygon", "coordinates": poly}}
}

func collectionJSON(features ...any) map[string]any {
	return map[string]any{"type": "FeatureCollection", "features": features}
}

func TestImportPlanGeoJSON(t *testing.T) {
	w := newWorld(t)
	draft := newDraft(t, w, "导入草案")
	smaller := square(orb.Point{120.10, 30.27}, 0.015) // XH-01 shrinks
	open := orb.Polygon{{{120.0, 30.2}, {120.01, 30.2}, {120.01, 30.21}, {120.0, 30.21}}}
	file := collectionJSON(
		featureJSON(map[string]any{"code": "XH-01", "name": "文三（新）"}, smaller),
		featureJSON(map[string]any{"code": "XH-03", "name": "黄龙", "district_code": 330106}, square(orb.Point{120.15, 30.27}, 0.01)),
		featureJSON(map[string]any{"code": "XH-04"}, square(orb.Point{120.15, 30.33}, 0.01)), // district from its place
		featureJSON(map[string]any{"name": "无编号"}, square(orb.Point{120.15, 30.22}, 0.005)),
		featureJSON(map[string]any{"code": "XH-05", "district_code": "999999"}, square(orb.Point{120.15, 30.22}, 0.005)),
		featureJSON(map[string]any{"code": "FAR-01"}, square(orb.Point{100, 40}, 0.01)),
		featureJSON(map[string]any{"code": "XH-03"}, square(orb.Point{120.18, 30.22}, 0.005)),
		featureJSON(map[string]any{"code": "XH-06", "district_id": w.d1.ID}, open),
	)
	res, status := importFile(t, w, "planner", draft.ID, "", "application/geo+json", mustJSON(t, file))
	if status != http.StatusOK {
		t.Fatalf("import: status %d", status)
	}
	if res.PlanID != draft.ID || res.Format != FormatGeoJSON || res.Features != 8 || res.Created != 2 || res.Replaced != 1 || res.Failed != 5 {
		t.Errorf("result %+v", res)
	}
	wantGrids := []string{"0 XH-01 replaced", "1 XH-03 created", "2 XH-04 created"}
	for i, g := range res.Grids {
		if i >= len(wantGrids) || fmt.Sprintf("%d %s %s", g.Index, g.Code, g.Action) != wantGrids[i] || g.PlanGridID == 0 {
			t.Errorf("grid %d: %+v, want %s", i, g, wantGrids[min(i, len(wantGrids)-1)])
		}
	}
	wantErrors := []struct {
		index        int
		field, words string
	}{
		{3, "code", "is required"},
		{4, "district_code", `no district has the code "999999"`},
		{5, "district_code", "lies in no district"},
		{6, "code", `"XH-03" repeats feature 1`},
		{7, "geometry", "ring 0 point 3: ring is not closed"},
	}
	if len(res.Errors) != len(wantErrors) {
		t.Fatalf("errors %+v", res.Errors)
	}
	for i, want := range wantErrors {
		e := res.Errors[i]
		if e.Index != want.index || e.Field != want.field || !strings.Contains(e.Message, want.words) {
			t.Errorf("error %d: %+v, want feature %d, field %s, %q", i, e, want.index, want.field, want.words)
		}
	}

	grids := planGridsByCode(t, w, draft.ID)
	if got := grids["XH-01"]; got == nil || got.Prop("name") != "文三（新）" || !orb.Equal(got.Boundary, orb.MultiPolygon{smaller}) {
		t.Errorf("XH-01 after the import: %v", got)
	}
	for code, district := range map[string]int64{"XH-03": w.d1.ID, "XH-04": w.d1.ID} {
		g := grids[code]
		if g == nil || g.Prop("district_id") != fmt.Sprint(district) {
			t.Errorf("%s: %v", code, g)
		}
	}
	if g := grids["XH-04"]; g != nil && g.Prop("name") != "XH-04" {
		t.Errorf("a grid without a name is named after its code, got %q", g.Prop("name"))
	}
	if len(grids) != 6 {
		t.Errorf("the draft has %d grids, want the 4 copied and 2 new", len(grids))
	}
	// The live grids are untouched until the draft is published.
	if g, err := w.store.Grid(t.Context(), w.g1.ID); err != nil || !orb.Equal(g.Boundary, w.g1.Boundary) {
		t.Errorf("live XH-01 changed by an import into a draft: %v", err)
	}
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// doModified is w.do with a chance to change the request (headers) first.
func doModified(tb testing.TB, w *world, r request, mod func(*http.Request)) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(r.Method, r.Path, bytes.NewReader(r.Body.([]byte)))
	req.Header.Set("Content-Type", r.ContentType)
	if r.Cookie != nil {
		req.AddCookie(r.Cookie)
	}
	mod(req)
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	return rec
}

// TestImportPlanKMLAndRoundTrip uploads a GCJ-02 KML as a multipart form,
// then exports the draft and imports the export into another draft: the
// grid the KML changed is replaced, the others are found unchanged.
func TestImportPlanKMLAndRoundTrip(t *testing.T) {
	w := newWorld(t)
	draft := newDraft(t, w, "KML 草案")
	want := square(orb.Point{120.15, 30.47}, 0.012) // GS-01, a little smaller
	var kml bytes.Buffer
	gcj := exportArea{Name: "拱墅一", Boundary: orb.MultiPolygon{want}, Props: []areaProp{{"code", "GS-01"}, {"district_code", "330105"}}}
	if err := writeAreasKML(&kml, "from 奥维", []exportArea{gcj}, geo.GCJ02); err != nil {
		t.Fatal(err)
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("file", "grids.kml")
	if err == nil {
		_, err = fw.Write(kml.Bytes())
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	res, status := importFile(t, w, "planner", draft.ID, "?crs=gcj02&snap_m=0", mw.FormDataContentType(), form.Bytes())
	if status != http.StatusOK || res.Format != FormatKML || res.Replaced != 1 || res.Failed != 0 {
		t.Fatalf("KML import: status %d, %+v", status, res)
	}
	got := planGridsByCode(t, w, draft.ID)["GS-01"]
	if got == nil || got.Prop("name") != "拱墅一" {
		t.Fatalf("GS-01 after the KML import: %v", got)
	}
	if d := maxVertexDiff(t, orb.MultiPolygon{want}, got.Boundary); d > 1e-7 {
		t.Errorf("GS-01 off its WGS-84 shape by %g° after a GCJ-02 round trip", d)
	}

	rec := w.get(t, "planner", path("/api/plans/%d/export", draft.ID))
	wantStatus(t, rec, http.StatusOK)
	other := newDraft(t, w, "再导入")
	res, status = importFile(t, w, "planner", other.ID, "", "", rec.Body.Bytes())
	// The other draft is a copy of the published plan: only GS-01 differs.
	if status != http.StatusOK || res.Created != 0 || res.Failed != 0 || res.Replaced != 1 || res.Unchanged != 3 {
		t.Fatalf("re-import of an export: status %d, %+v", status, res)
	}
	for _, g := range res.Grids {
		if (g.Action == "replaced") != (g.Code == "GS-01") {
			t.Errorf("%s %s", g.Code, g.Action)
		}
	}
	if d := maxVertexDiff(t, orb.MultiPolygon{want}, planGridsByCode(t, w, other.ID)["GS-01"].Boundary); d > 1e-7 {
		t.Errorf("GS-01 moved by %g° in the export → import round trip", d)
	}
}

func TestImportPlanRefusals(t *testing.T) {
	w := newWorld(t)
	draft := newDraft(t, w, "拒绝")
	ok := mustJSON(t, collectionJSON(featureJSON(map[string]any{"code": "XH-09", "district_id": w.d1.ID}, square(orb.Point{120.15, 30.22}, 0.005))))
	var published int64
	{
		rec := w.get(t, "planner", "/api/plans?status=published")
		var list struct{ Items []territory.Plan }
		decode(t, rec, &list)
		if len(list.Items) != 1 {
			t.Fatalf("published plans: %s", rec.Body)
		}
		published = list.Items[0].ID
	}
	tests := []struct {
		name, user, path, ctype string
		body                    []byte
		origin                  string
		status                  int
		code, field             string
	}{
		{"anonymous", "", path("/api/plans/%d/import", draft.ID), "application/json", ok, "", 401, "unauthorized", ""},
		{"manager", "zhang", path("/api/plans/%d/import", draft.ID), "application/json", ok, "", 403, "forbidden", ""},
		{"leader", "leader", path("/api/plans/%d/import", draft.ID), "application/json", ok, "", 403, "forbidden", ""},
		{"cross-site", "planner", path("/api/plans/%d/import", draft.ID), "application/json", ok, "http://evil.example", 403, "forbidden", ""},
		{"unknown plan", "planner", "/api/plans/999999/import", "application/json", ok, "", 404, "not_found", ""},
		{"published plan", "planner", path("/api/plans/%d/import", published), "application/json", ok, "", 409, "conflict", ""},
		{"bad crs", "planner", path("/api/plans/%d/import?crs=utm", draft.ID), "application/json", ok, "", 400, "invalid", "crs"},
		{"bad mode", "planner", path("/api/plans/%d/import?mode=glue", draft.ID), "application/json", ok, "", 400, "invalid", "mode"},
		{"not a grid file", "planner", path("/api/plans/%d/import", draft.ID), "text/plain", []byte("code,name\n"), "", 400, "invalid", "file"},
		{"empty", "planner", path("/api/plans/%d/import", draft.ID), "application/json", []byte{}, "", 400, "invalid", "file"},
		{"no features", "planner", path("/api/plans/%d/import", draft.ID), "application/json", []byte(`{"type":"FeatureCollection","features":[]}`), "", 400, "invalid", "file"},
		{"png", "planner", path("/api/plans/%d/import", draft.ID), "image/png", ok, "", 415, "unsupported_media_type", "Content-Type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request{Method: "POST", Path: tt.path, Body: tt.body, ContentType: tt.ctype, Cookie: w.session(t, tt.user)}
			rec := doModified(t, w, req, func(r *http.Request) {
				if tt.origin != "" {
					r.Header.Set("Origin", tt.origin)
				}
			})
			wantError(t, rec, tt.status, tt.code, tt.field)
		})
	}
	// Nothing of the above reached the draft.
	if _, ok := planGridsByCode(t, w, draft.ID)["XH-09"]; ok {
		t.Error("a refused import wrote a grid")
	}
}
