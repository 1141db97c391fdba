package web

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gridplan/funnel"
	"gridplan/territory/sales"
)

// The province report is served from memory until a write succeeds or the
// TTL passes; a refused write keeps it.
func TestFunnelProvinceCache(t *testing.T) {
	w := newWorld(t)
	province := func() int {
		t.Helper()
		rec := w.get(t, "leader", "/api/funnel/metrics?level=province")
		wantStatus(t, rec, http.StatusOK)
		var r struct {
			Counts map[funnel.Stage]int `json:"counts"`
		}
		decode(t, rec, &r)
		return r.Counts[funnel.List]
	}
	list := province()
	// A write behind the API's back (another replica) is not seen …
	cu := w.poolCustomer(t, w.g1, funnel.Target)
	cu.Stage = funnel.List
	if err := w.store.UpdateCustomer(context.Background(), cu); err != nil {
		t.Fatal(err)
	}
	if got := province(); got != list {
		t.Fatalf("list %d right after an outside write, want the kept %d", got, list)
	}
	// … until the TTL has passed.
	w.clock.Add(MetricsCacheTTL + time.Second)
	if got := province(); got != list+1 {
		t.Fatalf("list %d after the TTL, want %d", got, list+1)
	}
	// A refused write through the API keeps the report; a successful one
	// (a claim: target → list) drops it at once.
	other := w.poolCustomer(t, w.g1, funnel.Target)
	wantStatus(t, w.post(t, "zhang", path("/api/customers/%d/claim", 999999), nil), http.StatusNotFound)
	if got := province(); got != list+1 {
		t.Fatalf("list %d after a refused write, want the kept %d", got, list+1)
	}
	wantStatus(t, w.post(t, "zhang", path("/api/customers/%d/claim", other.ID), nil), http.StatusCreated)
	if got := province(); got != list+2 {
		t.Fatalf("list %d after a claim, want %d", got, list+2)
	}
}

// Concurrent requests for one report compute it once.
func TestMetricsCacheSingleFlight(t *testing.T) {
	m := newMetricsCache()
	var calls atomic.Int32
	release := make(chan struct{})
	compute := func(context.Context) (*sales.MetricsView, error) {
		calls.Add(1)
		<-release
		return &sales.MetricsView{Name: "浙江省"}, nil
	}
	q := sales.MetricsQuery{Level: sales.LevelProvince, From: t0, To: t0.AddDate(0, 0, 30)}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			v, err := m.get(context.Background(), q, t0, compute)
			if err != nil || v.Name != "浙江省" {
				t.Errorf("get: %v, %v", v, err)
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // let them all arrive
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("computed %d times, want once", n)
	}
}
