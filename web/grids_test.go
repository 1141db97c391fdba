package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"gridplan/territory"
)

func readFeature(tb testing.TB, body []byte) *geojson.Feature {
	tb.Helper()
	f, err := geojson.UnmarshalFeature(body)
	if err != nil {
		tb.Fatalf("not a GeoJSON Feature: %v: %s", err, body)
	}
	return f
}

func readCollection(tb testing.TB, body []byte) *geojson.FeatureCollection {
	tb.Helper()
	fc, err := geojson.UnmarshalFeatureCollection(body)
	if err != nil {
		tb.Fatalf("not a GeoJSON FeatureCollection: %v: %s", err, body)
	}
	return fc
}

// gridsOf snapshots every grid, to assert that a refused request wrote nothing.
func gridsOf(tb testing.TB, w *world) string {
	tb.Helper()
	gs, err := w.store.Grids(context.Background(), territory.GridFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	for _, g := range gs {
		fmt.Fprintf(&b, "%d %s %s %d v%d %s %s %v\n", g.ID, g.Code, g.Name, g.DistrictID, g.Version, g.Status, g.UpdatedBy, g.Boundary)
	}
	return b.String()
}

func TestGridReads(t *testing.T) {
	w := newWorld(t)
	rec := w.get(t, "leader", "/api/grids")
	wantStatus(t, rec, http.StatusOK)
	fc := readCollection(t, rec.Body.Bytes())
	if len(fc.Features) != 4 {
		t.Fatalf("%d grids, want 4", len(fc.Features))
	}
	f := fc.Features[0]
	if _, ok := f.Geometry.(orb.Polygon); !ok {
		t.Errorf("grid geometry %T, want Polygon", f.Geometry)
	}
	for _, k := range []string{"id", "code", "name", "district_id", "version", "status", "updated_at", "updated_by"} {
		if _, ok := f.Properties[k]; !ok {
			t.Errorf("grid feature lacks property %q: %v", k, f.Properties)
		}
	}
	if f.Properties.MustString("code") != "XH-01" || f.Properties.MustInt("version") != 1 {
		t.Errorf("first grid properties %v", f.Properties)
	}

	tests := []struct {
		query string
		codes string
	}{
		{fmt.Sprintf("?district_id=%d", w.d1.ID), "XH-01 XH-02"},
		{fmt.Sprintf("?district_id=%d", w.d2.ID), "GS-01 GS-99"},
		{"?status=published", "XH-01 GS-01"},
		{fmt.Sprintf("?district_id=%d&status=draft", w.d1.ID), "XH-02"},
		{"?district_id=999999", ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := w.get(t, "zhang", "/api/grids"+tt.query)
			wantStatus(t, rec, http.StatusOK)
			var codes []string
			for _, f := range readCollection(t, rec.Body.Bytes()).Features {
				codes = append(codes, f.Properties.MustString("code"))
			}
			if got := strings.Join(codes, " "); got != tt.codes {
				t.Errorf("codes %q, want %q", got, tt.codes)
			}
		})
	}

	rec = w.get(t, "zhang", path("/api/grids/%d", w.g3.ID))
	wantStatus(t, rec, http.StatusOK)
	if g := readFeature(t, rec.Body.Bytes()); g.Properties.MustString("code") != "GS-01" || g.ID.(float64) != float64(w.g3.ID) {
		t.Errorf("grid %d = %s", w.g3.ID, rec.Body)
	}
}

func TestDistrictReads(t *testing.T) {
	w := newWorld(t)
	rec := w.get(t, "zhang", "/api/districts")
	wantStatus(t, rec, http.StatusOK)
	fc := readCollection(t, rec.Body.Bytes())
	if len(fc.Features) != 2 {
		t.Fatalf("%d districts, want 2", len(fc.Features))
	}
	p := fc.Features[0].Properties
	if p.MustString("code") != "330106" || p.MustString("name") != "西湖区" || p.MustString("city") != "杭州市" ||
		p.MustString("province") != "浙江省" || p.MustInt("id") != int(w.d1.ID) {
		t.Errorf("district properties %v", p)
	}
	rec = w.get(t, "zhang", path("/api/districts/%d", w.d2.ID))
	wantStatus(t, rec, http.StatusOK)
	if f := readFeature(t, rec.Body.Bytes()); f.Properties.MustString("code") != "330105" {
		t.Errorf("district %d = %s", w.d2.ID, rec.Body)
	}
	wantError(t, w.get(t, "zhang", "/api/districts/987654"), http.StatusNotFound, "not_found", "")
	wantError(t, w.get(t, "zhang", "/api/districts/x"), http.StatusBadRequest, "invalid", "id")
}

func TestGridCreate(t *testing.T) {
	w := newWorld(t)
	body := gridFeatureBody("XH-03", w.d1.ID, square(orb.Point{120.12, 30.31}, 0.01), 0)
	delete(body["properties"].(map[string]any), "status") // new grids are drafts
	rec := w.do(t, request{Method: http.MethodPost, Path: "/api/grids", Body: body, Cookie: w.session(t, "planner")})
	wantStatus(t, rec, http.StatusCreated)
	f := readFeature(t, rec.Body.Bytes())
	id := int64(f.Properties.MustInt("id"))
	if loc := rec.Header().Get("Location"); loc != path("/api/grids/%d", id) {
		t.Errorf("Location %q", loc)
	}
	if f.Properties.MustInt("version") != 1 || f.Properties.MustString("status") != "draft" || f.Properties.MustString("updated_by") != "planner" {
		t.Errorf("created grid properties %v", f.Properties)
	}
	g, err := w.store.Grid(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if g.Code != "XH-03" || g.UpdatedBy != "planner" || !orb.Equal(g.Boundary, square(orb.Point{120.12, 30.31}, 0.01)) {
		t.Errorf("stored grid %+v", g)
	}

	// A second grid with the same code is a conflict naming it.
	before := gridsOf(t, w)
	rec = w.do(t, request{Method: http.MethodPost, Path: "/api/grids", Body: body, Cookie: w.session(t, "admin")})
	if d := wantError(t, rec, http.StatusConflict, "conflict", ""); !strings.Contains(d.Message, "XH-03") {
		t.Errorf("conflict message %q does not name the code", d.Message)
	}
	if gridsOf(t, w) != before {
		t.Error("a refused duplicate changed the grids")
	}
}

func TestGridCreateRejects(t *testing.T) {
	w := newWorld(t)
	good := func() map[string]any {
		return gridFeatureBody("BAD-1", w.d1.ID, square(orb.Point{120.12, 30.31}, 0.01), 0)
	}
	edit := func(f func(b map[string]any)) map[string]any { b := good(); f(b); return b }
	props := func(b map[string]any) map[string]any { return b["properties"].(map[string]any) }
	geom := func(coords any) func(b map[string]any) {
		return func(b map[string]any) { b["geometry"] = map[string]any{"type": "Polygon", "coordinates": coords} }
	}
	big := `{"type":"Feature","properties":{"code":"BIG","name":"x","district_id":1},"geometry":{"type":"Polygon","coordinates":[[` +
		strings.Repeat("[120.1,30.2],", 100000) + `[120.1,30.2]]]}}`

	tests := []struct {
		name   string
		body   any
		ctype  string
		status int
		code   string
		field  string
	}{
		{"three ring points", edit(geom([][][]float64{{{120, 30}, {120.1, 30}, {120, 30}}})), "", 400, "invalid", "geometry"},
		{"unclosed ring", edit(geom([][][]float64{{{120, 30}, {120.1, 30}, {120.1, 30.1}, {120, 30.1}}})), "", 400, "invalid", "geometry"},
		{"self-intersection", edit(geom([][][]float64{{{120, 30}, {120.1, 30.1}, {120.1, 30}, {120, 30.1}, {120, 30}}})), "", 400, "invalid", "geometry"},
		{"longitude out of range", edit(geom([][][]float64{{{200, 30}, {200.1, 30}, {200.1, 30.1}, {200, 30}}})), "", 400, "invalid", "geometry"},
		{"latitude out of range", edit(geom([][][]float64{{{120, 95}, {120.1, 95}, {120.1, 95.1}, {120, 95}}})), "", 400, "invalid", "geometry"},
		{"one-number position", edit(geom([][][]float64{{{120}, {120.1, 30}, {120.1, 30.1}, {120}}})), "", 400, "invalid", "geometry"},
		{"no rings", edit(geom([][][]float64{})), "", 400, "invalid", "geometry"},
		{"coordinates not arrays", edit(geom("abc")), "", 400, "invalid", "geometry"},
		{"point geometry", edit(func(b map[string]any) {
			b["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{120, 30}}
		}), "", 400, "invalid", "geometry"},
		{"multipolygon geometry", edit(func(b map[string]any) {
			b["geometry"] = map[string]any{"type": "MultiPolygon", "coordinates": []orb.Polygon{square(orb.Point{120, 30}, 0.01)}}
		}), "", 400, "invalid", "geometry"},
		{"no geometry", edit(func(b map[string]any) { delete(b, "geometry") }), "", 400, "invalid", "geometry"},
		{"NaN literal", `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[NaN,30],[120.1,30],[120.1,30.1],[NaN,30]]]},"properties":{"code":"N","name":"n","district_id":1}}`, "", 400, "invalid", "body"},
		{"not a feature", edit(func(b map[string]any) { b["type"] = "FeatureCollection" }), "", 400, "invalid", "type"},
		{"no properties", edit(func(b map[string]any) { delete(b, "properties") }), "", 400, "invalid", "properties"},
		{"no code", edit(func(b map[string]any) { delete(props(b), "code") }), "", 400, "invalid", "code"},
		{"blank code", edit(func(b map[string]any) { props(b)["code"] = "  " }), "", 400, "invalid", "code"},
		{"no name", edit(func(b map[string]any) { delete(props(b), "name") }), "", 400, "invalid", "name"},
		{"no district", edit(func(b map[string]any) { delete(props(b), "district_id") }), "", 400, "invalid", "district_id"},
		{"unknown district", edit(func(b map[string]any) { props(b)["district_id"] = 987654 }), "", 400, "invalid", "district_id"},
		{"negative district", edit(func(b map[string]any) { props(b)["district_id"] = -1 }), "", 400, "invalid", "district_id"},
		{"district not a number", edit(func(b map[string]any) { props(b)["district_id"] = "abc" }), "", 400, "invalid", "district_id"},
		{"fractional district", edit(func(b map[string]any) { props(b)["district_id"] = 1.5 }), "", 400, "invalid", "district_id"},
		{"bad status", edit(func(b map[string]any) { props(b)["status"] = "live" }), "", 400, "invalid", "status"},
		{"malformed JSON", `{"type":"Feature",`, "", 400, "invalid", "body"},
		{"trailing data", `{"type":"Feature"} {}`, "", 400, "invalid", "body"},
		{"array body", `[1,2]`, "", 400, "invalid", "body"},
		{"empty body", nil, "", 400, "invalid", "body"},
		{"oversized body", big, "", 413, "too_large", ""},
		{"form body", "type=Feature", "application/x-www-form-urlencoded", 415, "unsupported_media_type", "Content-Type"},
		{"text body", `{"type":"Feature"}`, "text/plain", 415, "unsupported_media_type", "Content-Type"},
	}
	before := gridsOf(t, w)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := w.do(t, request{Method: http.MethodPost, Path: "/api/grids", Body: tt.body, ContentType: tt.ctype, Cookie: w.session(t, "planner")})
			d := wantError(t, rec, tt.status, tt.code, tt.field)
			if tt.field == "body" && strings.HasPrefix(tt.name, "NaN") && !strings.Contains(d.Message, "byte") {
				t.Errorf("malformed-JSON message %q gives no byte offset", d.Message)
			}
			if after := gridsOf(t, w); after != before {
				t.Errorf("refused request changed the grids:\n%s\nwant\n%s", after, before)
			}
		})
	}
}

func TestGridUpdate(t *testing.T) {
	w := newWorld(t)
	url := path("/api/grids/%d", w.g2.ID)
	newPoly := square(orb.Point{120.20, 30.27}, 0.03)
	body := gridFeatureBody("XH-02", w.d1.ID, newPoly, 1)
	body["properties"].(map[string]any)["status"] = "published"

	rec := w.do(t, request{Method: http.MethodPut, Path: url, Body: body, Cookie: w.session(t, "planner")})
	wantStatus(t, rec, http.StatusOK)
	f := readFeature(t, rec.Body.Bytes())
	if f.Properties.MustInt("version") != 2 || f.Properties.MustString("updated_by") != "planner" || f.Properties.MustString("status") != "published" {
		t.Errorf("updated grid properties %v", f.Properties)
	}
	g, err := w.store.Grid(context.Background(), w.g2.ID)
	if err != nil || g.Version != 2 || !orb.Equal(g.Boundary, newPoly) || g.UpdatedBy != "planner" {
		t.Fatalf("stored grid after update %+v, %v", g, err)
	}

	// The same edit again carries version 1, now stale: 409, nothing written.
	before := gridsOf(t, w)
	body["properties"].(map[string]any)["name"] = "overwritten"
	rec = w.do(t, request{Method: http.MethodPut, Path: url, Body: body, Cookie: w.session(t, "admin")})
	d := wantError(t, rec, http.StatusConflict, "conflict", "")
	if !strings.Contains(d.Message, "changed by someone else") {
		t.Errorf("stale-version message %q", d.Message)
	}
	if gridsOf(t, w) != before {
		t.Error("a stale update changed the grids")
	}

	tests := []struct {
		name   string
		url    string
		body   any
		status int
		code   string
		field  string
	}{
		{"no version", url, gridFeatureBody("XH-02", w.d1.ID, newPoly, 0), 400, "invalid", "version"},
		{"version not a number", url, func() any {
			b := gridFeatureBody("XH-02", w.d1.ID, newPoly, 2)
			b["properties"].(map[string]any)["version"] = "2"
			return b
		}(), 400, "invalid", "version"},
		{"bad geometry", url, gridFeatureBody("XH-02", w.d1.ID, orb.Polygon{{{120, 30}, {121, 31}, {121, 30}, {120, 31}, {120, 30}}}, 2), 400, "invalid", "geometry"},
		{"unknown district", url, gridFeatureBody("XH-02", 987654, newPoly, 2), 400, "invalid", "district_id"},
		{"taken code", url, gridFeatureBody("XH-01", w.d1.ID, newPoly, 2), 409, "conflict", ""},
		{"missing grid", "/api/grids/987654", gridFeatureBody("X", w.d1.ID, newPoly, 1), 404, "not_found", ""},
		{"bad id", "/api/grids/abc", gridFeatureBody("X", w.d1.ID, newPoly, 1), 400, "invalid", "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := w.do(t, request{Method: http.MethodPut, Path: tt.url, Body: tt.body, Cookie: w.session(t, "planner")})
			wantError(t, rec, tt.status, tt.code, tt.field)
			if gridsOf(t, w) != before {
				t.Error("a refused update changed the grids")
			}
		})
	}
}

func TestGridDelete(t *testing.T) {
	w := newWorld(t)
	before := gridsOf(t, w)
	tests := []struct {
		name   string
		url    string
		status int
		code   string
		field  string
	}{
		{"no version", path("/api/grids/%d", w.gSpare.ID), 400, "invalid", "version"},
		{"version not a number", path("/api/grids/%d?version=x", w.gSpare.ID), 400, "invalid", "version"},
		{"version zero", path("/api/grids/%d?version=0", w.gSpare.ID), 400, "invalid", "version"},
		{"stale version", path("/api/grids/%d?version=7", w.gSpare.ID), 409, "conflict", ""},
		{"grid with managers", path("/api/grids/%d?version=1", w.g1.ID), 409, "conflict", ""}, // the store says why
		{"missing grid", "/api/grids/987654?version=1", 404, "not_found", ""},
		{"negative id", "/api/grids/-1?version=1", 400, "invalid", "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := w.do(t, request{Method: http.MethodDelete, Path: tt.url, Cookie: w.session(t, "planner")})
			d := wantError(t, rec, tt.status, tt.code, tt.field)
			if tt.name == "grid with managers" && !strings.Contains(d.Message, "manager") {
				t.Errorf("message %q does not say the managers are in the way", d.Message)
			}
			if tt.name == "stale version" && !strings.Contains(d.Message, "changed by someone else") {
				t.Errorf("stale-version message %q", d.Message)
			}
			if gridsOf(t, w) != before {
				t.Error("a refused delete changed the grids")
			}
		})
	}
	rec := w.do(t, request{Method: http.MethodDelete, Path: path("/api/grids/%d?version=1", w.gSpare.ID), Cookie: w.session(t, "planner")})
	wantStatus(t, rec, http.StatusNoContent)
	wantError(t, w.get(t, "planner", path("/api/grids/%d", w.gSpare.ID)), http.StatusNotFound, "not_found", "")
}

func TestGridBadQueries(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		url   string
		field string
	}{
		{"/api/grids/abc", "id"},
		{"/api/grids/-1", "id"},
		{"/api/grids/0", "id"},
		{"/api/grids/1.5", "id"},
		{"/api/grids/99999999999999999999", "id"},
		{"/api/grids?district_id=x", "district_id"},
		{"/api/grids?district_id=-1", "district_id"},
		{"/api/grids?district_id=", "district_id"},
		{"/api/grids?status=live", "status"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			wantError(t, w.get(t, "leader", tt.url), http.StatusBadRequest, "invalid", tt.field)
		})
	}
}

// TestGridConcurrentEdits races two edits of the same version: exactly one
// wins, the other hears that someone else changed the grid.
func TestGridConcurrentEdits(t *testing.T) {
	w := newWorld(t)
	url := path("/api/grids/%d", w.g2.ID)
	users := []string{"planner", "admin"}
	cookies := []*http.Cookie{w.session(t, users[0]), w.session(t, users[1])}
	codes := make([]int, 2)
	msgs := make([]string, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			body := gridFeatureBody("XH-02", w.d1.ID, square(orb.Point{120.20, 30.27}, 0.02+0.005*float64(i+1)), 1)
			rec := w.do(t, request{Method: http.MethodPut, Path: url, Body: body, Cookie: cookies[i]})
			codes[i], msgs[i] = rec.Code, rec.Body.String()
		})
	}
	wg.Wait()
	slices.Sort(codes)
	if codes[0] != http.StatusOK || codes[1] != http.StatusConflict {
		t.Fatalf("statuses %v, want one 200 and one 409: %q", codes, msgs)
	}
	g, err := w.store.Grid(context.Background(), w.g2.ID)
	if err != nil || g.Version != 2 {
		t.Fatalf("grid after the race: %+v, %v; want version 2", g, err)
	}
}
