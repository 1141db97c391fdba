package web

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestJSONCompressed: the JSON API is gzipped for clients that accept it —
// successes and errors alike decode — and plain for those that do not.
func TestJSONCompressed(t *testing.T) {
	w := newWorld(t)
	cookie := w.session(t, "planner")
	tests := []struct {
		name, path string
		status     int
	}{
		{"grids", "/api/grids", http.StatusOK},
		{"districts", "/api/districts", http.StatusOK},
		{"bad id", "/api/grids/abc", http.StatusBadRequest},
		{"missing", "/api/grids/987654", http.StatusNotFound},
	}
	for _, tt := range tests {
		for _, gz := range []bool{true, false} {
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			req.AddCookie(cookie)
			if gz {
				req.Header.Set("Accept-Encoding", "gzip")
			}
			rec := httptest.NewRecorder()
			w.handler.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("%s (gzip %v): status %d, want %d: %s", tt.name, gz, rec.Code, tt.status, rec.Body)
			}
			var body io.Reader = rec.Body
			if enc := rec.Header().Get("Content-Encoding"); enc == "gzip" {
				if !gz {
					t.Fatalf("%s: gzipped for a client that did not ask", tt.name)
				}
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatalf("%s: %v", tt.name, err)
				}
				body = zr
			} else if gz && tt.status == http.StatusOK {
				t.Fatalf("%s: a client accepting gzip got %q", tt.name, enc)
			}
			var v map[string]any
			if err := json.NewDecoder(body).Decode(&v); err != nil {
				t.Fatalf("%s (gzip %v): body is not JSON: %v", tt.name, gz, err)
			}
			if tt.status != http.StatusOK && v["error"] == nil {
				t.Fatalf("%s (gzip %v): %v lacks the error object", tt.name, gz, v)
			}
		}
	}
}
