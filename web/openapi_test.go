package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
)

// loadOpenAPI parses and validates the embedded document with kin-openapi.
func loadOpenAPI(tb testing.TB) *openapi3.T {
	tb.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openAPIDoc)
	if err != nil {
		tb.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		tb.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	return doc
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// routeAliases name the documented form of routes gin cannot spell: a
// parameter followed by a literal suffix in the same segment.
var routeAliases = map[string]string{
	"/tiles/customers/{z}/{x}/{y}": "/tiles/customers/{z}/{x}/{y}.mvt",
}

// openAPIPath turns a gin route (/api/grids/:id, /assets/*file) into its
// OpenAPI template (/api/grids/{id}, /assets/{file}).
func openAPIPath(ginPath string) string {
	p := ginParam.ReplaceAllString(ginPath, "{$1}")
	if a, ok := routeAliases[p]; ok {
		return a
	}
	return p
}

// TestOpenAPIRoutes fails when a route of the router is not in
// openapi.json, or a documented operation is not routed.
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	w := newWorld(t)
	routed := map[string]bool{}
	for _, r := range w.handler.(*gin.Engine).Routes() {
		routed[r.Method+" "+openAPIPath(r.Path)] = true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	var missing, extra []string
	for k := range routed {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !routed[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	for _, k := range missing {
		t.Errorf("route %s is not documented in web/openapi.json", k)
	}
	for _, k := range extra {
		t.Errorf("web/openapi.json documents %s, which the router does not serve", k)
	}
	if len(routed) < 40 {
		t.Errorf("only %d routes: is the router complete?", len(routed))
	}
}

// TestOpenAPIServed checks GET /api/openapi.json: public, JSON, the
// embedded document.
func TestOpenAPIServed(t *testing.T) {
	w := newWorld(t)
	rec := w.get(t, "", "/api/openapi.json")
	wantStatus(t, rec, http.StatusOK)
	var doc map[string]any
	decode(t, rec, &doc)
	if doc["openapi"] != "3.0.3" || !bytes.Equal(rec.Body.Bytes(), openAPIDoc) {
		t.Errorf("served %.100s…", rec.Body)
	}
}

// TestOpenAPIResponses sends real requests through the router and checks
// each response (status, content type, and JSON bodies against their
// schemas) with kin-openapi's validator.
func TestOpenAPIResponses(t *testing.T) {
	doc := loadOpenAPI(t)
	w := newWorld(t)
	cust := w.own[w.m1.ID][0]
	draft := newDraft(t, w, "文档草案")
	pg := planGridsByCode(t, w, draft.ID)["XH-01"]
	gridFile := mustJSON(t, collectionJSON(featureJSON(map[string]any{"code": "XH-31", "district_id": w.d1.ID}, square(orb.Point{120.15, 30.22}, 0.005))))
	tests := []struct {
		user, method, route, path string
		status                    int
		body                      any
		contentType               string
	}{
		{"", "GET", "/healthz", "/healthz", 200, nil, ""},
		{"", "GET", "/readyz", "/readyz", 200, nil, ""},
		{"", "GET", "/api/openapi.json", "/api/openapi.json", 200, nil, ""},
		{"", "GET", "/api/me", "/api/me", 401, nil, ""},
		{"planner", "GET", "/api/me", "/api/me", 200, nil, ""},
		{"zhang", "GET", "/api/me", "/api/me", 200, nil, ""},
		{"planner", "GET", "/api/config", "/api/config", 200, nil, ""},
		{"planner", "GET", "/api/districts", "/api/districts", 200, nil, ""},
		{"planner", "GET", "/api/districts/{id}", path("/api/districts/%d", w.d1.ID), 200, nil, ""},
		{"planner", "GET", "/api/districts/{id}", "/api/districts/999999", 404, nil, ""},
		{"planner", "GET", "/api/grids", "/api/grids", 200, nil, ""},
		{"planner", "GET", "/api/grids", "/api/grids?status=nonsense", 400, nil, ""},
		{"planner", "GET", "/api/grids/{id}", path("/api/grids/%d", w.g1.ID), 200, nil, ""},
		{"planner", "GET", "/api/grids/export", "/api/grids/export", 200, nil, ""},
		{"planner", "GET", "/api/grids/export", "/api/grids/export?format=kml", 200, nil, ""},
		{"zhang", "GET", "/api/managers", "/api/managers", 200, nil, ""},
		{"planner", "GET", "/api/managers/{id}", path("/api/managers/%d", w.m1.ID), 200, nil, ""},
		{"zhang", "GET", "/api/managers/{id}", path("/api/managers/%d", w.m3.ID), 403, nil, ""},
		{"planner", "GET", "/api/customers", "/api/customers?limit=2", 200, nil, ""},
		{"zhang", "GET", "/api/customers/{id}", path("/api/customers/%d", cust.ID), 200, nil, ""},
		{"planner", "GET", "/api/resources", "/api/resources", 200, nil, ""},
		{"admin", "GET", "/api/users", "/api/users", 200, nil, ""},
		{"leader", "GET", "/api/users", "/api/users", 403, nil, ""},
		{"planner", "GET", "/api/imports", "/api/imports", 200, nil, ""},
		{"planner", "GET", "/api/search", "/api/search?q=%E7%A7%91%E6%8A%80", 200, nil, ""},
		{"zhang", "GET", "/api/search", "/api/search?q=%E7%A7%91%E6%8A%80", 200, nil, ""},
		{"planner", "GET", "/api/search", "/api/search", 400, nil, ""},
		{"planner", "GET", "/api/plans", "/api/plans", 200, nil, ""},
		{"zhang", "GET", "/api/plans", "/api/plans", 403, nil, ""},
		{"planner", "GET", "/api/plans/{id}", path("/api/plans/%d", draft.ID), 200, nil, ""},
		{"planner", "GET", "/api/plans/{id}/grids", path("/api/plans/%d/grids", draft.ID), 200, nil, ""},
		{"planner", "GET", "/api/plans/{id}/validation", path("/api/plans/%d/validation", draft.ID), 200, nil, ""},
		{"leader", "POST", "/api/plans/{id}/preview", path("/api/plans/%d/preview", draft.ID), 200, map[string]any{}, ""},
		{"planner", "PUT", "/api/plans/{id}/grids/{gid}", path("/api/plans/%s/grids/%s", pg.Prop("plan_id"), pg.Prop("id")), 200,
			featureJSON(map[string]any{"version": 1}, square(orb.Point{120.10, 30.27}, 0.018)), ""},
		{"planner", "PUT", "/api/plans/{id}/grids/{gid}", path("/api/plans/%s/grids/%s", pg.Prop("plan_id"), pg.Prop("id")), 409,
			featureJSON(map[string]any{"version": 1}, square(orb.Point{120.10, 30.27}, 0.017)), ""}, // stale: 409
		{"planner", "POST", "/api/plans/{id}/publish", path("/api/plans/%d/publish", draft.ID), 409, map[string]any{"version": 99}, ""},
		{"planner", "GET", "/api/plans/{id}/compare/{other}", path("/api/plans/%d/compare/%d", draft.ID, draft.ID), 200, nil, ""},
		{"planner", "GET", "/api/plans/{id}/export", path("/api/plans/%d/export?format=kml", draft.ID), 200, nil, ""},
		{"planner", "POST", "/api/plans/{id}/import", path("/api/plans/%d/import", draft.ID), 200, gridFile, "application/geo+json"},
		{"planner", "POST", "/api/plans/{id}/import", path("/api/plans/%d/import", draft.ID), 400, "<kml></kml>", "application/vnd.google-earth.kml+xml"},
		{"planner", "GET", "/tiles/customers/{z}/{x}/{y}.mvt", customerTilePath(w, 15), 200, nil, ""},
		{"planner", "GET", "/tiles/customers/{z}/{x}/{y}.mvt", "/tiles/customers/99/0/0.mvt", 400, nil, ""},
		{"", "POST", "/api/login", "/api/login", 401, map[string]any{"username": "planner", "password": "wrong"}, ""},
		{"", "GET", "/", "/", 0, nil, ""}, // 200, or 503 when the front end was not built
		{"", "GET", "/assets/{file}", "/assets/no-such-file.js", 404, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.user+" "+tt.path, func(t *testing.T) {
			item := doc.Paths.Value(tt.route)
			if item == nil {
				t.Skipf("%s is not documented (TestOpenAPIRoutes says so)", tt.route)
			}
			oper := item.GetOperation(tt.method)
			if oper == nil {
				t.Fatalf("%s %s is not documented", tt.method, tt.route)
			}
			rec := w.do(t, request{Method: tt.method, Path: tt.path, Body: tt.body, ContentType: tt.contentType, Cookie: w.session(t, tt.user)})
			if tt.status != 0 && rec.Code != tt.status {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			checkResponse(t, doc, item, oper, tt.method, tt.route, rec)
		})
	}
}

// checkResponse validates rec against the operation's documented
// responses: JSON bodies against their schema; other types by status and
// content type only.
func checkResponse(tb testing.TB, doc *openapi3.T, item *openapi3.PathItem, oper *openapi3.Operation, method, route string, rec *httptest.ResponseRecorder) {
	tb.Helper()
	req := httptest.NewRequest(method, route, nil)
	mt, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req,
			Route:   &routers.Route{Spec: doc, Path: route, PathItem: item, Method: method, Operation: oper},
		},
		Status:  rec.Code,
		Header:  rec.Header(),
		Body:    io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: mt != "application/json", MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		body := rec.Body.String()
		if len(body) > 600 {
			body = body[:600] + "…"
		}
		tb.Fatalf("%s %s → %d %s does not match openapi.json: %v\nbody: %s", method, route, rec.Code, mt, err, body)
	}
	if mt != "application/json" {
		resp := oper.Responses.Status(rec.Code)
		if resp == nil || resp.Value == nil || resp.Value.Content.Get(mt) == nil {
			tb.Fatalf("%s %s → %d with Content-Type %q, which openapi.json does not list", method, route, rec.Code, mt)
		}
	}
	if rec.Code >= 400 && mt == "application/json" {
		var e errorBody
		if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error.Code == "" {
			tb.Fatalf("%s %s → %d without the error shape: %s", method, route, rec.Code, rec.Body)
		}
	}
}
