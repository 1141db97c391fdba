package geocode_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/geo/geocode"
)

// Responses in the shape a Nominatim server (4.x/5.x) returns for
// /search?format=jsonv2: ids and ranks as numbers, coordinates and the
// bounding box as strings.
const (
	nominatimHouse = `[{"place_id":235548736,"licence":"Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",` +
		`"osm_type":"way","osm_id":417401596,"lat":"54.15162075472642","lon":"-4.478852709477056","category":"building",` +
		`"type":"yes","place_rank":30,"importance":0.00000999999999995449,"addresstype":"building","name":"",` +
		`"display_name":"56, Strand Street, Douglas, Isle of Man, IM1 2EN, Isle of Man",` +
		`"boundingbox":["54.1515493","54.1516922","-4.4790053","-4.4787001"]}]`
	nominatimRoad = `[{"place_id":235474325,"licence":"Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",` +
		`"osm_type":"way","osm_id":4373453,"lat":"54.1518512","lon":"-4.4788307","category":"highway","type":"pedestrian",` +
		`"place_rank":26,"importance":0.0533433333333333,"addresstype":"road","name":"Strand Street",` +
		`"display_name":"Strand Street, Douglas, Isle of Man, IM1 2EN, Isle of Man","boundingbox":["54.1505977","54.1529577","-4.4803302","-4.4767813"]}]`
	nominatimShop = `[{"place_id":235519440,"licence":"Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",` +
		`"osm_type":"node","osm_id":5755429521,"lat":"54.086587","lon":"-4.75787","category":"shop","type":"furniture",` +
		`"place_rank":30,"importance":0.00000999999999995449,"addresstype":"shop","name":"5ifth Dimension Kitchens",` +
		`"display_name":"5ifth Dimension Kitchens, Marina Lane, Port Erin, Isle of Man, IM9 6LB, Isle of Man","boundingbox":["54.086537","54.086637","-4.75792","-4.75782"]}]`
	nominatimTown = `[{"place_id":235406271,"licence":"Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",` +
		`"osm_type":"relation","osm_id":1061138,"lat":"54.1521302","lon":"-4.4858694","category":"boundary","type":"administrative",` +
		`"place_rank":16,"importance":0.4589426577420436,"addresstype":"town","name":"Douglas",` +
		`"display_name":"Douglas, Isle of Man","boundingbox":["54.1355563","54.1809018","-4.5158426","-4.4475064"]}]`
)

// fakeNominatim answers /search with a canned body and records requests.
type fakeNominatim struct {
	mu       sync.Mutex
	requests []*http.Request
	body     string
	status   int
	calls    atomic.Int32
	at       []time.Time
}

func (f *fakeNominatim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Clone(context.Background()))
	f.at = append(f.at, time.Now())
	body, status := f.body, f.status
	f.mu.Unlock()
	f.calls.Add(1)
	if r.URL.Path != "/search" {
		http.NotFound(w, r)
		return
	}
	if status == 0 {
		status = http.StatusOK
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(body))
}

func newFakeNominatim(t *testing.T, body string) (*fakeNominatim, *httptest.Server) {
	t.Helper()
	f := &fakeNominatim{body: body}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func TestNominatim(t *testing.T) {
	tests := []struct {
		name string
		body string
		want orb.Point
		prec geocode.Precision
	}{
		{"house", nominatimHouse, orb.Point{-4.478852709477056, 54.15162075472642}, geocode.PrecisionPoint},
		{"shop", nominatimShop, orb.Point{-4.75787, 54.086587}, geocode.PrecisionPlace},
		{"road", nominatimRoad, orb.Point{-4.4788307, 54.1518512}, geocode.PrecisionRoad},
		{"town", nominatimTown, orb.Point{-4.4858694, 54.1521302}, geocode.PrecisionDistrict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFakeNominatim(t, tt.body)
			n, err := geocode.NewNominatim(geocode.NominatimOptions{BaseURL: srv.URL + "/", UserAgent: "gridplan-test/1", CountryCodes: []string{"im", "GB"}, Interval: -1})
			if err != nil {
				t.Fatal(err)
			}
			r, err := n.Geocode(context.Background(), "56 Strand Street, Douglas")
			if err != nil {
				t.Fatal(err)
			}
			if r.Location != tt.want || r.Precision != tt.prec || r.Confidence <= 0 || r.Confidence > 1 || !strings.Contains(r.Matched, "Isle of Man") {
				t.Fatalf("Geocode = %+v, want %v at %s", r, tt.want, tt.prec)
			}
			req := f.requests[0]
			q := req.URL.Query()
			if q.Get("q") != "56 Strand Street, Douglas" || q.Get("format") != "jsonv2" || q.Get("countrycodes") != "im,gb" || q.Get("limit") != "1" {
				t.Fatalf("query %v", q)
			}
			if ua := req.Header.Get("User-Agent"); ua != "gridplan-test/1" {
				t.Fatalf("User-Agent %q", ua)
			}
		})
	}
}

func TestNominatimErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		body   string
		status int
		min    geocode.Precision
		want   error
		says   string
	}{
		{"nothing found", `[]`, 0, 0, geocode.ErrNotFound, "found nothing"},
		{"server error", `{"error":"overloaded"}`, http.StatusServiceUnavailable, 0, nil, "503"},
		{"bad JSON", `<html>`, 0, 0, nil, "decode"},
		{"bad coordinates", `[{"place_id":1,"lat":"north","lon":"1"}]`, 0, 0, nil, "decode"},
		{"coordinates out of range", `[{"place_id":1,"lat":"91","lon":"1"}]`, 0, 0, nil, "latitude 91"},
		{"too coarse", nominatimTown, 0, geocode.PrecisionRoad, geocode.ErrTooCoarse, "boundary/administrative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFakeNominatim(t, tt.body)
			f.status = tt.status
			n, err := geocode.NewNominatim(geocode.NominatimOptions{BaseURL: srv.URL, UserAgent: "t", Interval: -1, MinPrecision: tt.min})
			if err != nil {
				t.Fatal(err)
			}
			_, err = n.Geocode(ctx, "somewhere")
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("err = %v, want %v saying %q", err, tt.want, tt.says)
			}
		})
	}
	_, srv := newFakeNominatim(t, nominatimHouse)
	n, _ := geocode.NewNominatim(geocode.NominatimOptions{BaseURL: srv.URL, UserAgent: "t"})
	if _, err := n.Geocode(ctx, "  "); !errors.Is(err, geocode.ErrEmpty) {
		t.Fatalf("empty: %v", err)
	}
	for _, o := range []geocode.NominatimOptions{
		{UserAgent: "t"},
		{BaseURL: "ftp://x", UserAgent: "t"},
		{BaseURL: srv.URL},
		{BaseURL: srv.URL, UserAgent: "t", CountryCodes: []string{"chn"}},
	} {
		if _, err := geocode.NewNominatim(o); err == nil {
			t.Errorf("NewNominatim(%+v) accepted", o)
		}
	}
}

// Requests are spaced by the interval, however many goroutines ask, and a
// cancelled context stops a wait.
func TestNominatimRateLimit(t *testing.T) {
	f, srv := newFakeNominatim(t, nominatimHouse)
	const interval = 60 * time.Millisecond
	n, err := geocode.NewNominatim(geocode.NominatimOptions{BaseURL: srv.URL, UserAgent: "t", Interval: interval})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := n.Geocode(context.Background(), "56 Strand Street"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	f.mu.Lock()
	at := append([]time.Time(nil), f.at...)
	f.mu.Unlock()
	if len(at) != 4 {
		t.Fatalf("%d requests, want 4", len(at))
	}
	for i := 1; i < len(at); i++ {
		var prev time.Time
		for _, x := range at {
			if x.Before(at[i]) && x.After(prev) {
				prev = x
			}
		}
		if !prev.IsZero() && at[i].Sub(prev) < interval-10*time.Millisecond {
			t.Fatalf("requests %v apart, want ≥ %v", at[i].Sub(prev), interval)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	n2, _ := geocode.NewNominatim(geocode.NominatimOptions{BaseURL: srv.URL, UserAgent: "t", Interval: time.Hour})
	n2.Geocode(context.Background(), "first")
	if _, err := n2.Geocode(ctx, "second"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second request within the hour: %v, want the context's deadline", err)
	}
}
