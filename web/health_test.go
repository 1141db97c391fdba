package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestHealth(t *testing.T) {
	w := newWorld(t)
	rec := w.get(t, "", "/healthz")
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Errorf("/healthz = %s", rec.Body)
	}
	wantStatus(t, w.get(t, "", "/readyz"), http.StatusOK)

	if err := w.store.Close(); err != nil {
		t.Fatal(err)
	}
	rec = w.do(t, request{Method: http.MethodGet, Path: "/readyz"})
	wantStatus(t, rec, http.StatusServiceUnavailable)
	if !strings.Contains(rec.Body.String(), "unavailable") {
		t.Errorf("/readyz on a closed store = %s", rec.Body)
	}
	// Liveness does not depend on the store.
	wantStatus(t, w.do(t, request{Method: http.MethodGet, Path: "/healthz"}), http.StatusOK)
}

func TestMetrics(t *testing.T) {
	w := newWorld(t)
	for range 3 {
		wantStatus(t, w.get(t, "leader", path("/api/grids/%d", w.g1.ID)), http.StatusOK)
	}
	wantStatus(t, w.get(t, "leader", path("/api/grids/%d", w.g2.ID)), http.StatusOK)
	wantStatus(t, w.get(t, "leader", "/api/grids/987654"), http.StatusNotFound)
	wantStatus(t, w.get(t, "", "/api/grids"), http.StatusUnauthorized)
	wantStatus(t, w.get(t, "", "/random/path/123"), http.StatusNotFound)

	rec := w.get(t, "", "/metrics")
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	for _, want := range []string{
		`gridplan_http_requests_total{method="GET",route="/api/grids/:id",status="200"} 4`,
		`gridplan_http_requests_total{method="GET",route="/api/grids/:id",status="404"} 1`,
		`gridplan_http_requests_total{method="GET",route="/api/grids",status="401"} 1`,
		`gridplan_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`gridplan_http_request_duration_seconds_count{route="/api/grids/:id"} 5`,
		`gridplan_http_request_duration_seconds_bucket{route="/api/grids/:id",le="+Inf"} 5`,
		"# TYPE gridplan_http_request_duration_seconds histogram",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, raw := range []string{path("/api/grids/%d", w.g1.ID) + `"`, "/random/path"} {
		if strings.Contains(body, raw) {
			t.Errorf("/metrics carries a raw URL %s", raw)
		}
	}
}

// TestSharedRegistry checks that two routers can share one registry (their
// counters are the same ones) and that the default registry serves Go
// runtime metrics.
func TestSharedRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	a := newWorldDeps(t, Deps{Registry: reg})
	b := newWorldDeps(t, Deps{Registry: reg})
	wantStatus(t, a.get(t, "", "/healthz"), http.StatusOK)
	wantStatus(t, b.get(t, "", "/healthz"), http.StatusOK)
	if body := a.get(t, "", "/metrics").Body.String(); !strings.Contains(body, `route="/healthz",status="200"} 2`) {
		t.Errorf("shared counter not at 2:\n%s", body)
	}

	w := &world{handler: NewRouter(Deps{Store: a.store})}
	if body := w.do(t, request{Method: http.MethodGet, Path: "/metrics"}).Body.String(); !strings.Contains(body, "go_goroutines") {
		t.Error("the default registry lacks the Go collector")
	}
}
