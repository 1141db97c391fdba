package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

// brokenStore fails or panics where told, to reach the 500 paths.
type brokenStore struct {
	data.Store
	err error
}

func (s *brokenStore) Districts(context.Context) ([]*territory.District, error) { return nil, s.err }
func (s *brokenStore) Grids(context.Context, territory.GridFilter) ([]*territory.Grid, error) {
	panic("boom: secret-panic-detail")
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		code   string
		msg    string // substring of the message sent
		field  string
	}{
		{"field error", territory.Invalid("code", "is required"), 400, "invalid", "code: is required", "code"},
		{"wrapped field error", fmt.Errorf("grid 3: %w", territory.Invalid("geometry", "ring 0: bad")), 400, "invalid", "ring 0: bad", "geometry"},
		{"funnel field error", func() error { _, err := funnel.ParseStage("x"); return err }(), 400, "invalid", "unknown stage", "stage"},
		{"not found", fmt.Errorf("read: %w", territory.NotFound("grid", 7)), 404, "not_found", "grid 7 not found", ""},
		{"bare not found", fmt.Errorf("driver said no rows: %w", territory.ErrNotFound), 404, "not_found", "not found", ""},
		{"conflict", &territory.ConflictError{Reason: "grid code \"X\" is taken"}, 409, "conflict", "is taken", ""},
		{"bare conflict hides detail", fmt.Errorf("%w: duplicate key value violates unique constraint \"grids_code_key\"", territory.ErrConflict), 409, "conflict", "conflict", ""},
		{"funnel conflict", fmt.Errorf("claim: %w", funnel.ErrConflict), 409, "conflict", "conflict", ""},
		{"unauthorized", unauthorized("login required"), 401, "unauthorized", "login required", ""},
		{"forbidden", forbidden("no"), 403, "forbidden", "no", ""},
		{"bare forbidden", territory.ErrForbidden, 403, "forbidden", "may not", ""},
		{"too large", fmt.Errorf("%w: %w", errTooLarge, &http.MaxBytesError{Limit: 10}), 413, "too_large", "larger than 10 bytes", ""},
		{"internal", errors.New("pq: password authentication failed for user hunter2"), 500, "internal", "internal error", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, d := classify(tt.err)
			if status != tt.status || d.Code != tt.code || d.Field != tt.field || !strings.Contains(d.Message, tt.msg) {
				t.Errorf("classify(%v) = %d %+v; want %d %s %q field %q", tt.err, status, d, tt.status, tt.code, tt.msg, tt.field)
			}
			if strings.Contains(tt.name, "hides") && strings.Contains(d.Message, "grids_code_key") {
				t.Errorf("driver detail leaked: %q", d.Message)
			}
		})
	}
}

func TestInternalErrorsDoNotLeak(t *testing.T) {
	secret := errors.New("dial tcp 10.0.0.7:5432: password=hunter2 rejected")
	w2 := newWorldWith(t, Deps{}, func(s data.Store) data.Store {
		return &brokenStore{Store: s, err: fmt.Errorf("list districts: %w", secret)}
	})

	rec := w2.get(t, "leader", "/api/districts")
	d := wantError(t, rec, http.StatusInternalServerError, "internal", "")
	if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(d.Message, "10.0.0.7") {
		t.Errorf("internal error leaked: %s", rec.Body)
	}
	if logs := w2.logs.String(); !strings.Contains(logs, "hunter2") || !strings.Contains(logs, `"route":"/api/districts"`) {
		t.Errorf("internal error not logged with its cause and route:\n%s", logs)
	}

	rec = w2.get(t, "leader", "/api/grids")
	wantError(t, rec, http.StatusInternalServerError, "internal", "")
	if strings.Contains(rec.Body.String(), "secret-panic-detail") {
		t.Errorf("panic text leaked: %s", rec.Body)
	}
	if logs := w2.logs.String(); !strings.Contains(logs, "panic in handler") || !strings.Contains(logs, "secret-panic-detail") {
		t.Errorf("panic not logged:\n%s", logs)
	}
	// The server survives the panic.
	wantStatus(t, w2.get(t, "leader", "/api/me"), http.StatusOK)
}

func TestRoutingErrors(t *testing.T) {
	w := newWorld(t)
	wantError(t, w.get(t, "leader", "/api/nothing-here"), http.StatusNotFound, "not_found", "")
	wantError(t, w.get(t, "", "/no/such/page"), http.StatusNotFound, "not_found", "")
	rec := w.do(t, request{Method: http.MethodPatch, Path: "/api/grids/1", Body: `{}`, Cookie: w.session(t, "planner")})
	wantError(t, rec, http.StatusMethodNotAllowed, "method_not_allowed", "")
}

func TestContentTypeRequired(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name   string
		req    request
		status int
	}{
		{"login as form", request{Method: "POST", Path: "/api/login", Body: "username=a&password=b", ContentType: "application/x-www-form-urlencoded"}, 415},
		{"login as text", request{Method: "POST", Path: "/api/login", Body: `{"username":"admin","password":"x"}`, ContentType: "text/plain"}, 415},
		{"login JSON with charset", request{Method: "POST", Path: "/api/login", Body: `{"username":"admin","password":"` + testPassword + `"}`, ContentType: "application/json; charset=utf-8"}, 200},
		{"grid as multipart", request{Method: "POST", Path: "/api/grids", Body: "--x--", ContentType: "multipart/form-data; boundary=x"}, 415},
		{"grid as geo+json", request{Method: "POST", Path: "/api/grids", Body: gridFeatureBody("GEO-1", 1, square(orb.Point{120.13, 30.32}, 0.005), 0), ContentType: "application/geo+json"}, 201},
		{"put without type", request{Method: "PUT", Path: "/api/grids/1", Body: "{}", ContentType: "none"}, 415},
		{"delete with text body", request{Method: "DELETE", Path: "/api/users/1", Body: "x", ContentType: "text/plain"}, 415},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.req.Path != "/api/login" {
				tt.req.Cookie = w.session(t, "admin")
			}
			if tt.req.ContentType == "none" {
				tt.req.ContentType = " "
			}
			rec := w.do(t, tt.req)
			if tt.status == 415 {
				wantError(t, rec, 415, "unsupported_media_type", "Content-Type")
			} else {
				wantStatus(t, rec, tt.status)
			}
		})
	}
}

// TestBodyLimit checks the 413 both for a declared length and for a body of
// unknown length (chunked) that crosses the limit while being read.
func TestBodyLimit(t *testing.T) {
	w := newWorldDeps(t, Deps{MaxBodyBytes: 512})
	body := `{"username":"admin","password":"` + strings.Repeat("x", 600) + `"}`
	before := gridsOf(t, w)
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/api/login", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if chunked {
				req.ContentLength = -1
				req.Body = io.NopCloser(strings.NewReader(body))
			}
			rec := httptest.NewRecorder()
			w.handler.ServeHTTP(rec, req)
			wantError(t, rec, http.StatusRequestEntityTooLarge, "too_large", "")

			req = httptest.NewRequest(http.MethodPost, "/api/grids", strings.NewReader(`{"type":"Feature","pad":"`+strings.Repeat("x", 600)+`"}`))
			req.Header.Set("Content-Type", "application/json")
			req.AddCookie(w.session(t, "planner"))
			if chunked {
				req.ContentLength = -1
			}
			rec = httptest.NewRecorder()
			w.handler.ServeHTTP(rec, req)
			wantError(t, rec, http.StatusRequestEntityTooLarge, "too_large", "")
		})
	}
	if gridsOf(t, w) != before {
		t.Error("an oversized request changed the grids")
	}
}

func TestRequestIDAndLog(t *testing.T) {
	w := newWorld(t)
	req := httptest.NewRequest(http.MethodGet, "/api/grids/"+fmt.Sprint(w.g1.ID), nil)
	req.Header.Set(requestIDHeader, "trace-abc.123")
	req.AddCookie(w.session(t, "zhang"))
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	wantStatus(t, rec, http.StatusOK)
	if got := rec.Header().Get(requestIDHeader); got != "trace-abc.123" {
		t.Errorf("request id %q not echoed", got)
	}
	logs := w.logs.String()
	for _, want := range []string{`"method":"GET"`, `"route":"/api/grids/:id"`, `"status":200`, `"duration":`, `"user":"zhang"`, `"request_id":"trace-abc.123"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("request log lacks %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, fmt.Sprintf(`"/api/grids/%d"`, w.g1.ID)) {
		t.Errorf("log carries the raw URL instead of the route:\n%s", logs)
	}

	req = httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set(requestIDHeader, "bad id with spaces <script>")
	rec = httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	if got := rec.Header().Get(requestIDHeader); len(got) != 16 || strings.Contains(got, " ") {
		t.Errorf("an unsafe request id was not replaced: %q", got)
	}
}
