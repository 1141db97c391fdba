package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/geo"
	"gridplan/territory"
)

// resourceBody is a POST/PUT body for a resource: geometry nil sends a
// null geometry.
func resourceBody(geometry any, props map[string]any) map[string]any {
	return map[string]any{"type": "Feature", "geometry": geometry, "properties": props}
}

func pointGeom(p orb.Point) map[string]any {
	return map[string]any{"type": "Point", "coordinates": []float64{p[0], p[1]}}
}

func polygonGeom(p orb.Polygon) map[string]any {
	return map[string]any{"type": "Polygon", "coordinates": p}
}

// hexCells are the resolution-res cell holding p and its k-ring, as hex.
func hexCells(p orb.Point, res, k int) []string {
	var out []string
	for _, c := range h3.GridDisk(h3.LatLngToCell(geo.ToLatLng(p), res), k) {
		out = append(out, c.String())
	}
	return out
}

// resourceFeatureOut is a resource Feature as the API answers it.
type resourceFeatureOut struct {
	Type       string         `json:"type"`
	Geometry   *geometryIn    `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

// checkDoc validates rec against openapi.json's operation for method and
// route.
func checkDoc(tb testing.TB, doc *openapi3.T, method, route string, rec *httptest.ResponseRecorder) {
	tb.Helper()
	item := doc.Paths.Value(route)
	if item == nil || item.GetOperation(method) == nil {
		tb.Fatalf("%s %s is not documented", method, route)
	}
	checkResponse(tb, doc, item, item.GetOperation(method), method, route, rec)
}

func resourceCount(tb testing.TB, w *world) int {
	tb.Helper()
	rs, err := w.store.Resources(context.Background(), territory.ResourceFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	return len(rs)
}

func TestResourceCRUD(t *testing.T) {
	doc := loadOpenAPI(t)
	w := newWorld(t)
	planner := w.session(t, "planner")
	do := func(method, path string, body any) *httptest.ResponseRecorder {
		return w.do(t, request{Method: method, Path: path, Body: body, Cookie: planner})
	}

	// A point with a radius.
	rec := do("POST", "/api/resources", resourceBody(pointGeom(orb.Point{120.11, 30.28}), map[string]any{
		"code": "HZ-CAB-9", "name": "天目山路光交箱", "kind": "fibre_cabinet", "status": "under_construction",
		"radius_m": 350.5, "capacity": 144, "expected_date": "2027-03-31"}))
	wantStatus(t, rec, http.StatusCreated)
	checkDoc(t, doc, "POST", "/api/resources", rec)
	var point resourceFeatureOut
	decode(t, rec, &point)
	id := int64(point.Properties["id"].(float64))
	if rec.Header().Get("Location") != path("/api/resources/%d", id) || point.Properties["code"] != "HZ-CAB-9" ||
		point.Properties["expected_date"] != "2027-03-31" || point.Properties["radius_m"] != 350.5 || point.Geometry.Type != "Point" {
		t.Errorf("created %s (Location %q)", rec.Body, rec.Header().Get("Location"))
	}
	stored, err := w.store.Resource(context.Background(), id)
	if err != nil || stored.Geometry != (orb.Point{120.11, 30.28}) || stored.ExpectedDate.Format("2006-01-02") != "2027-03-31" || stored.Status != territory.ResourceUnderConstruction {
		t.Fatalf("stored %+v, %v", stored, err)
	}

	// A set of H3 cells with a null geometry.
	cells := hexCells(orb.Point{120.12, 30.26}, 9, 1)
	rec = do("POST", "/api/resources", resourceBody(nil, map[string]any{"name": "园区楼宇接入", "kind": "building_access", "status": "planned", "cells": cells}))
	wantStatus(t, rec, http.StatusCreated)
	checkDoc(t, doc, "POST", "/api/resources", rec)
	var cellRes resourceFeatureOut
	decode(t, rec, &cellRes)
	cellID := int64(cellRes.Properties["id"].(float64))
	if !strings.Contains(rec.Body.String(), `"geometry":null`) || fmt.Sprint(cellRes.Properties["cells"]) != fmt.Sprint(cells) {
		t.Errorf("cell resource answered %s", rec.Body)
	}
	if _, ok := cellRes.Properties["radius_m"]; ok {
		t.Errorf("a cell resource has no radius: %s", rec.Body)
	}

	// GET one; the list carries the cells and finds the cell resource by
	// its cells' box.
	rec = w.get(t, "zhang", path("/api/resources/%d", cellID))
	wantStatus(t, rec, http.StatusOK)
	checkDoc(t, doc, "GET", "/api/resources/{id}", rec)
	rec = w.get(t, "leader", "/api/resources?bbox=120.115,30.255,120.125,30.265")
	wantStatus(t, rec, http.StatusOK)
	checkDoc(t, doc, "GET", "/api/resources", rec)
	var fc struct{ Features []resourceFeatureOut }
	decode(t, rec, &fc)
	if len(fc.Features) != 1 || fc.Features[0].Properties["name"] != "园区楼宇接入" {
		t.Errorf("bbox list %s", rec.Body)
	}

	// PUT turns the cells into a polygon and clears what is left out.
	poly := square(orb.Point{120.12, 30.26}, 0.004)
	rec = do("PUT", path("/api/resources/%d", cellID), resourceBody(polygonGeom(poly), map[string]any{"name": "园区光网覆盖区", "kind": "ftth_area", "status": "existing"}))
	wantStatus(t, rec, http.StatusOK)
	checkDoc(t, doc, "PUT", "/api/resources/{id}", rec)
	got, err := w.store.Resource(context.Background(), cellID)
	if err != nil || got.Cells != nil || !orb.Equal(got.Geometry, poly) || got.Status != territory.ResourceExisting || got.Name != "园区光网覆盖区" {
		t.Errorf("after PUT: %+v %v", got, err)
	}
	// … and back to cells, keeping the code.
	rec = do("PUT", path("/api/resources/%d", id), resourceBody(nil, map[string]any{"code": "HZ-CAB-9", "name": "x", "kind": "olt", "status": "existing", "cells": cells[:2]}))
	wantStatus(t, rec, http.StatusOK)
	if got, _ := w.store.Resource(context.Background(), id); len(got.Cells) != 2 || got.Geometry != nil || got.ExpectedDate != nil || got.Code != "HZ-CAB-9" {
		t.Errorf("after PUT to cells: %+v", got)
	}

	// A second resource may not take the code.
	rec = do("POST", "/api/resources", resourceBody(pointGeom(orb.Point{120.1, 30.2}), map[string]any{"code": "HZ-CAB-9", "name": "dup", "kind": "olt", "status": "existing", "radius_m": 10}))
	wantError(t, rec, http.StatusConflict, "conflict", "")
	checkDoc(t, doc, "POST", "/api/resources", rec)
	if !strings.Contains(rec.Body.String(), "HZ-CAB-9") {
		t.Errorf("conflict does not name the code: %s", rec.Body)
	}

	// DELETE, then 404s.
	rec = do("DELETE", path("/api/resources/%d", id), nil)
	wantStatus(t, rec, http.StatusNoContent)
	for _, r := range []struct{ method, route string }{{"GET", "/api/resources/{id}"}, {"DELETE", "/api/resources/{id}"}, {"PUT", "/api/resources/{id}"}} {
		body := any(nil)
		if r.method == "PUT" {
			body = resourceBody(pointGeom(orb.Point{120.1, 30.2}), map[string]any{"name": "x", "kind": "olt", "status": "existing", "radius_m": 10})
		}
		rec = do(r.method, path("/api/resources/%d", id), body)
		wantError(t, rec, http.StatusNotFound, "not_found", "")
		checkDoc(t, doc, r.method, r.route, rec)
	}
	if n := resourceCount(t, w); n != 4 {
		t.Errorf("%d resources, want the world's 3 and one created", n)
	}
}

// TestResourceBadInput sends each kind of bad resource to POST and PUT: a
// 400 naming the field (and the ring and point, the item), nothing written.
func TestResourceBadInput(t *testing.T) {
	w := newWorldDeps(t, Deps{MaxBodyBytes: 4 << 20}) // room for 100,001 cells
	doc := loadOpenAPI(t)
	planner := w.session(t, "planner")
	props := func(over map[string]any) map[string]any {
		p := map[string]any{"name": "光交箱", "kind": "fibre_cabinet", "status": "existing", "radius_m": 300}
		for k, v := range over {
			if v == nil {
				delete(p, k)
			} else {
				p[k] = v
			}
		}
		return p
	}
	pt := pointGeom(orb.Point{120.15, 30.27})
	cellsProps := func(cells any) map[string]any {
		return map[string]any{"name": "楼宇", "kind": "building_access", "status": "planned", "cells": cells}
	}
	tooMany := make([]string, territory.MaxResourceCells+1)
	for i := range tooMany {
		tooMany[i] = "8931aa42a5bffff"
	}
	bowtie := orb.Polygon{{{120, 30}, {120.1, 30.1}, {120.1, 30}, {120, 30.1}, {120, 30}}}
	unclosed := orb.Polygon{{{120, 30}, {120.1, 30}, {120.1, 30.1}, {120, 30.1}}}
	tests := []struct {
		name  string
		body  any
		field string
		says  string
	}{
		{"not a feature", map[string]any{"type": "Point", "properties": props(nil)}, "type", `"Feature"`},
		{"no properties", map[string]any{"type": "Feature", "geometry": pt}, "properties", "required"},
		{"self-crossing polygon", resourceBody(polygonGeom(bowtie), props(map[string]any{"radius_m": nil})), "geometry", "ring 0 point"},
		{"unclosed ring", resourceBody(polygonGeom(unclosed), props(map[string]any{"radius_m": nil})), "geometry", "ring 0"},
		{"polygon point of one number", resourceBody(map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{120, 30}, {120.1}, {120.1, 30.1}, {120, 30}}}}, props(nil)), "geometry", "ring 0 point 1"},
		{"point off the globe", resourceBody(pointGeom(orb.Point{190, 30}), props(nil)), "geometry", "190"},
		{"point of one number", resourceBody(map[string]any{"type": "Point", "coordinates": []float64{120}}, props(nil)), "geometry", "[lng, lat]"},
		{"line", resourceBody(map[string]any{"type": "LineString", "coordinates": [][]float64{{120, 30}, {121, 30}}}, props(nil)), "geometry", "LineString"},
		{"no geometry nor cells", resourceBody(nil, props(nil)), "geometry", "is required"},
		{"negative radius", resourceBody(pt, props(map[string]any{"radius_m": -5})), "radius_m", "(0, 50000]"},
		{"zero radius", resourceBody(pt, props(map[string]any{"radius_m": 0})), "radius_m", "(0, 50000]"},
		{"absurd radius", resourceBody(pt, props(map[string]any{"radius_m": 50001})), "radius_m", "got 50001"},
		{"no radius", resourceBody(pt, props(map[string]any{"radius_m": nil})), "radius_m", "needs a radius"},
		{"radius as text", resourceBody(pt, props(map[string]any{"radius_m": "300"})), "radius_m", "a number"},
		{"polygon with radius", resourceBody(polygonGeom(square(orb.Point{120.1, 30.2}, 0.01)), props(nil)), "radius_m", "only point resources"},
		{"unknown status", resourceBody(pt, props(map[string]any{"status": "rumoured"})), "status", `unknown resource status "rumoured"`},
		{"Chinese status", resourceBody(pt, props(map[string]any{"status": "现有"})), "status", "existing, under_construction or planned"},
		{"no status", resourceBody(pt, props(map[string]any{"status": nil})), "status", "required"},
		{"date with slashes", resourceBody(pt, props(map[string]any{"status": "planned", "expected_date": "2027/03/01"})), "expected_date", "YYYY-MM-DD"},
		{"date day first", resourceBody(pt, props(map[string]any{"status": "planned", "expected_date": "01-03-2027"})), "expected_date", "YYYY-MM-DD"},
		{"date with time", resourceBody(pt, props(map[string]any{"status": "planned", "expected_date": "2027-03-01T00:00:00Z"})), "expected_date", "YYYY-MM-DD"},
		{"no such day", resourceBody(pt, props(map[string]any{"status": "planned", "expected_date": "2027-02-30"})), "expected_date", "calendar date"},
		{"date as number", resourceBody(pt, props(map[string]any{"status": "planned", "expected_date": 20270301})), "expected_date", "a string"},
		{"empty kind", resourceBody(pt, props(map[string]any{"kind": ""})), "kind", "must not be empty"},
		{"blank kind", resourceBody(pt, props(map[string]any{"kind": "   "})), "kind", "must not be empty"},
		{"no kind", resourceBody(pt, props(map[string]any{"kind": nil})), "kind", "required"},
		{"no name", resourceBody(pt, props(map[string]any{"name": nil})), "name", "required"},
		{"blank name", resourceBody(pt, props(map[string]any{"name": " "})), "name", "required"},
		{"negative capacity", resourceBody(pt, props(map[string]any{"capacity": -1})), "capacity", "negative"},
		{"fractional capacity", resourceBody(pt, props(map[string]any{"capacity": 1.5})), "capacity", "an integer"},
		{"blank code", resourceBody(pt, props(map[string]any{"code": " "})), "code", "blank"},
		{"invalid cell", resourceBody(nil, cellsProps([]string{"8931aa42a5bffff", "zzz"})), "cells", "item 1"},
		{"cell too coarse", resourceBody(nil, cellsProps([]string{"8431aa5ffffffff"})), "cells", "resolution 5 to 12"},
		{"cell as number", resourceBody(nil, cellsProps([]any{8931})), "cells", "a string"},
		{"too many cells", resourceBody(nil, cellsProps(tooMany)), "cells", "at most 100000"},
		{"cells and geometry", resourceBody(pt, cellsProps([]string{"8931aa42a5bffff"})), "geometry", "not both"},
		{"cells with radius", resourceBody(nil, map[string]any{"name": "x", "kind": "olt", "status": "planned", "radius_m": 10, "cells": []string{"8931aa42a5bffff"}}), "radius_m", "only point resources"},
	}
	target := w.res[0]
	for _, tt := range tests {
		for _, m := range []struct{ method, path, route string }{
			{"POST", "/api/resources", "/api/resources"},
			{"PUT", path("/api/resources/%d", target.ID), "/api/resources/{id}"},
		} {
			t.Run(m.method+" "+tt.name, func(t *testing.T) {
				rec := w.do(t, request{Method: m.method, Path: m.path, Body: tt.body, Cookie: planner})
				d := wantError(t, rec, http.StatusBadRequest, "invalid", tt.field)
				if !strings.Contains(d.Message, tt.says) {
					t.Errorf("message %q does not say %q", d.Message, tt.says)
				}
				checkDoc(t, doc, m.method, m.route, rec)
			})
		}
	}
	if n := resourceCount(t, w); n != 3 {
		t.Errorf("%d resources after bad writes, want the world's 3", n)
	}
	got, err := w.store.Resource(context.Background(), target.ID)
	if err != nil || got.Name != target.Name || got.RadiusM != target.RadiusM {
		t.Errorf("refused PUTs changed the resource: %+v %v", got, err)
	}
	// Not JSON: 415; too large for the default limit: 413.
	rec := w.do(t, request{Method: "POST", Path: "/api/resources", Body: "name=x", ContentType: "application/x-www-form-urlencoded", Cookie: planner})
	wantError(t, rec, http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type")
	small := newWorld(t)
	rec = small.do(t, request{Method: "POST", Path: "/api/resources", Body: resourceBody(nil, cellsProps(tooMany)), Cookie: small.session(t, "planner")})
	wantError(t, rec, http.StatusRequestEntityTooLarge, "too_large", "")
	checkDoc(t, doc, "POST", "/api/resources", rec)
}

func TestResourceRoles(t *testing.T) {
	w := newWorld(t)
	body := resourceBody(pointGeom(orb.Point{120.15, 30.27}), map[string]any{"name": "x", "kind": "olt", "status": "existing", "radius_m": 100})
	for _, user := range []string{"zhang", "leader"} {
		for _, r := range []request{
			{Method: "POST", Path: "/api/resources", Body: body},
			{Method: "PUT", Path: path("/api/resources/%d", w.res[0].ID), Body: body},
			{Method: "DELETE", Path: path("/api/resources/%d", w.res[0].ID)},
			{Method: "POST", Path: "/api/resources/import", Body: "name,kind,status,lng,lat,radius_m\nx,olt,existing,120,30,5\n", ContentType: "text/csv"},
		} {
			r.Cookie = w.session(t, user)
			rec := w.do(t, r)
			d := wantError(t, rec, http.StatusForbidden, "forbidden", "")
			if !strings.Contains(d.Message, "edit network resources") {
				t.Errorf("%s %s as %s: %q", r.Method, r.Path, user, d.Message)
			}
		}
	}
	if n := resourceCount(t, w); n != 3 {
		t.Errorf("%d resources, want 3", n)
	}
}

func TestResourceImportAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	w := newWorld(t)
	planner := w.session(t, "planner")
	const csvFile = "编码,名称,类型,状态,经度,纬度,半径,容量,预计日期,H3\n" +
		"R-1,文三路光交箱,光交箱,现有,120.1500,30.2700,350,144,,\n" +
		"R-2,古墩路5G基站,5G基站,在建,120.1000,30.2900,500,,2027-03-31,\n" +
		"R-3,园区楼宇接入,楼宇接入,规划,,,,,2028/1/15,8931aa42a5bffff;8931aa42a57ffff\n" +
		"R-4,坏状态,光交箱,传说,120.15,30.27,300,,,\n" +
		"R-5,太远,光交箱,现有,120.15,30.27,60000,,,\n" +
		"R-6,坏日期,光交箱,规划,120.15,30.27,300,,明年,\n"
	rec := w.do(t, request{Method: "POST", Path: "/api/resources/import?filename=r.csv", Body: csvFile, ContentType: "text/csv", Cookie: planner})
	wantStatus(t, rec, http.StatusOK)
	checkDoc(t, doc, "POST", "/api/resources/import", rec)
	var res struct {
		File                                         string
		Format                                       string
		Rows, Inserted, Updated, Unchanged, Rejected int
		Rejects                                      []struct {
			Line          int
			Column, Field string
			Reason        string
		}
	}
	decode(t, rec, &res)
	if res.File != "r.csv" || res.Format != "csv" || res.Rows != 6 || res.Inserted != 3 || res.Rejected != 3 || len(res.Rejects) != 3 {
		t.Fatalf("result %s", rec.Body)
	}
	wantRejects := []struct {
		line          int
		column, field string
	}{{5, "状态", "status"}, {6, "半径", "radius_m"}, {7, "预计日期", "expected_date"}}
	for i, wr := range wantRejects {
		if r := res.Rejects[i]; r.Line != wr.line || r.Column != wr.column || r.Field != wr.field || r.Reason == "" {
			t.Errorf("reject %d: %+v, want line %d column %s field %s", i, r, wr.line, wr.column, wr.field)
		}
	}
	if n := resourceCount(t, w); n != 6 {
		t.Errorf("%d resources, want 3 + 3", n)
	}
	// Again: nothing changes.
	rec = w.do(t, request{Method: "POST", Path: "/api/resources/import", Body: csvFile, ContentType: "text/csv", Cookie: planner})
	decode(t, rec, &res)
	if res.Unchanged != 3 || res.Inserted+res.Updated != 0 || resourceCount(t, w) != 6 {
		t.Errorf("second import %s", rec.Body)
	}

	// GeoJSON as a multipart upload, in GCJ-02, dry run first.
	gj := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[120.16,30.28]},` +
		`"properties":{"code":"R-1","name":"文三路光交箱","kind":"光交箱","status":"existing","radius_m":400}},` +
		`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120,30],[120.1,30.1],[120.1,30],[120,30.1],[120,30]]]},"properties":{"name":"bad","kind":"x","status":"planned"}}]}`
	upload := func(query string) *httptest.ResponseRecorder {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("crs", "gcj02")
		fw, _ := mw.CreateFormFile("file", "r.geojson")
		fw.Write([]byte(gj))
		mw.Close()
		return w.do(t, request{Method: "POST", Path: "/api/resources/import" + query, Body: buf.Bytes(), ContentType: mw.FormDataContentType(), Cookie: planner})
	}
	rec = upload("?dry_run=true")
	wantStatus(t, rec, http.StatusOK)
	var gres struct {
		Format, CRS       string
		Updated, Rejected int
		DryRun            bool `json:"dry_run"`
		Rejects           []struct {
			Feature *int
			Field   string
			Reason  string
		}
	}
	decode(t, rec, &gres)
	if gres.Format != "geojson" || gres.CRS != "gcj02" || gres.Updated != 1 || gres.Rejected != 1 || !gres.DryRun ||
		gres.Rejects[0].Feature == nil || *gres.Rejects[0].Feature != 1 || gres.Rejects[0].Field != "geometry" || !strings.Contains(gres.Rejects[0].Reason, "ring 0 point") {
		t.Fatalf("dry run %s", rec.Body)
	}
	checkDoc(t, doc, "POST", "/api/resources/import", rec)
	rs, _ := w.store.Resources(context.Background(), territory.ResourceFilter{})
	i := slices.IndexFunc(rs, func(r *territory.Resource) bool { return r.Code == "R-1" })
	if rs[i].RadiusM != 350 {
		t.Fatalf("dry run wrote: %+v", rs[i])
	}
	rec = upload("")
	decode(t, rec, &gres)
	got, _ := w.store.Resource(context.Background(), rs[i].ID)
	want, _ := geo.ToWGS84(orb.Point{120.16, 30.28}, geo.GCJ02)
	if gres.Updated != 1 || got.RadiusM != 400 || got.Geometry != want {
		t.Errorf("GeoJSON import %s: stored %+v, want at %v", rec.Body, got, want)
	}

	// Whole-file refusals.
	bad := []struct {
		name, body, contentType, query, field, says string
		status                                      int
	}{
		{"missing columns", "名称,类型\nx,y\n", "text/csv", "", "file", "status (status/状态)", 400},
		{"empty", "   ", "text/csv", "", "file", "empty", 400},
		{"bad crs", csvFile, "text/csv", "?crs=utm50", "crs", "utm50", 400},
		{"bad format", csvFile, "text/csv", "?format=xlsx", "format", "csv or geojson", 400},
		{"bad dry_run", csvFile, "text/csv", "?dry_run=perhaps", "dry_run", "true or false", 400},
		{"not geojson", `{"type":"Topology"}`, "application/geo+json", "", "file", "FeatureCollection", 400},
		{"wrong type", "x", "image/png", "", "Content-Type", "multipart/form-data", 415},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			rec := w.do(t, request{Method: "POST", Path: "/api/resources/import" + tt.query, Body: tt.body, ContentType: tt.contentType, Cookie: planner})
			code := map[int]string{400: "invalid", 415: "unsupported_media_type"}[tt.status]
			d := wantError(t, rec, tt.status, code, tt.field)
			if !strings.Contains(d.Message, tt.says) {
				t.Errorf("message %q does not say %q", d.Message, tt.says)
			}
			checkDoc(t, doc, "POST", "/api/resources/import", rec)
		})
	}
	if n := resourceCount(t, w); n != 6 {
		t.Errorf("%d resources after refused files, want 6", n)
	}
}
