package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// routeJS is GET /api/managers/:id/route as the page reads it.
type routeJS struct {
	Date    string `json:"date"`
	Source  string `json:"source"`
	Warning string `json:"warning"`
	Start   struct {
		Lng float64 `json:"lng"`
		Lat float64 `json:"lat"`
	} `json:"start"`
	StartAt  string  `json:"start_at"`
	Priority float64 `json:"priority"`
	Stops    []struct {
		Seq        int     `json:"seq"`
		CustomerID int64   `json:"customer_id"`
		Name       string  `json:"name"`
		Lng        float64 `json:"lng"`
		Lat        float64 `json:"lat"`
		Arrive     string  `json:"arrive"`
	} `json:"stops"`
	Skipped []struct {
		CustomerID int64  `json:"customer_id"`
		Reason     string `json:"reason"`
	} `json:"skipped"`
	Visited []struct {
		CustomerID int64  `json:"customer_id"`
		Reason     string `json:"reason"`
	} `json:"visited"`
}

func (r routeJS) stopIDs() []int64 {
	var out []int64
	for _, s := range r.Stops {
		out = append(out, s.CustomerID)
	}
	return out
}

// checkRouteDoc validates a route or week response against openapi.json.
func checkRouteDoc(tb testing.TB, route string, rec *httptest.ResponseRecorder) {
	tb.Helper()
	doc := loadOpenAPI(tb)
	item := doc.Paths.Value(route)
	if item == nil {
		tb.Fatalf("%s is not documented", route)
	}
	checkResponse(tb, doc, item, item.Get, "GET", route, rec)
}

// TestRouteDay: a manager's route covers his list (every customer a stop
// or skipped with a reason), starts at his base, matches the OpenAPI
// document; a visit logged marks the stop visited and the next route
// leaves it out.
func TestRouteDay(t *testing.T) {
	onBothStores(t, func(t *testing.T, w *world) {
		url := path("/api/managers/%d/route?start_time=09:00&budget=4h", w.m1.ID)
		rec := w.get(t, "zhang", url)
		wantStatus(t, rec, http.StatusOK)
		checkRouteDoc(t, "/api/managers/{id}/route", rec)
		var r routeJS
		decode(t, rec, &r)
		if r.Date != "2026-11-26" || r.Source != "haversine" || r.StartAt != "2026-11-26T09:00:00+08:00" {
			t.Errorf("date %s source %s start %s", r.Date, r.Source, r.StartAt)
		}
		if r.Start.Lng != w.m1.Base[0] || r.Start.Lat != w.m1.Base[1] {
			t.Errorf("starts at %v, want the base %v", r.Start, w.m1.Base)
		}
		own := w.own[w.m1.ID]
		if len(r.Stops)+len(r.Skipped) != len(own) || len(r.Stops) == 0 {
			t.Fatalf("%d stops + %d skipped, %d customers on the list: %s", len(r.Stops), len(r.Skipped), len(own), rec.Body)
		}
		for i, s := range r.Stops {
			if s.Seq != i+1 {
				t.Errorf("stop %d has seq %d", i+1, s.Seq)
			}
		}

		// Visit the first stop: the route of the day leaves it out.
		first := r.Stops[0]
		act := w.post(t, "zhang", path("/api/customers/%d/activities", first.CustomerID),
			map[string]any{"kind": "visit_door", "position": map[string]any{"lat": first.Lat, "lng": first.Lng}})
		wantStatus(t, act, http.StatusCreated)
		rec = w.get(t, "zhang", url)
		wantStatus(t, rec, http.StatusOK)
		var again routeJS
		decode(t, rec, &again)
		for _, id := range again.stopIDs() {
			if id == first.CustomerID {
				t.Errorf("customer %d visited today is still a stop", id)
			}
		}
		if len(again.Visited) != 1 || again.Visited[0].CustomerID != first.CustomerID || again.Visited[0].Reason != "visited" {
			t.Errorf("visited %+v, want customer %d", again.Visited, first.CustomerID)
		}
		// Tomorrow he is due again.
		rec = w.get(t, "zhang", path("/api/managers/%d/route?date=2026-11-27&start_time=09:00&budget=4h", w.m1.ID))
		var tomorrow routeJS
		decode(t, rec, &tomorrow)
		if len(tomorrow.Visited) != 0 || tomorrow.Date != "2026-11-27" {
			t.Errorf("tomorrow: visited %+v, date %s", tomorrow.Visited, tomorrow.Date)
		}
	})
}

// TestRouteParams: start, end, mode, budget and dates are read or refused
// by field; a manager reads only his own route, a leader anyone's.
func TestRouteParams(t *testing.T) {
	w := newWorld(t)
	base := path("/api/managers/%d/route", w.m1.ID)
	start := geo.Offset(w.m1.Base, 300, 200)
	rec := w.get(t, "zhang", base+fmt.Sprintf("?start=%v,%v&end=%v,%v&mode=ebike&budget=3h30m&date=2026-11-30&start_time=13:00&seed=7",
		start[1], start[0], w.m1.Base[1], w.m1.Base[0]))
	wantStatus(t, rec, http.StatusOK)
	checkRouteDoc(t, "/api/managers/{id}/route", rec)
	var r struct {
		routeJS
		Mode     string  `json:"mode"`
		BudgetS  float64 `json:"budget_s"`
		Seed     uint64  `json:"seed"`
		FinishAt string  `json:"finish_at"`
		End      *struct {
			Lng float64 `json:"lng"`
		} `json:"end"`
		Config struct {
			SpeedKmh float64 `json:"speed_kmh"`
		} `json:"config"`
	}
	decode(t, rec, &r)
	if r.Mode != "ebike" || r.BudgetS != 3.5*3600 || r.Seed != 7 || r.End == nil || r.StartAt != "2026-11-30T13:00:00+08:00" || r.Config.SpeedKmh != 15 {
		t.Errorf("mode %s budget %v seed %d end %v start %s speed %v", r.Mode, r.BudgetS, r.Seed, r.End, r.StartAt, r.Config.SpeedKmh)
	}
	if math.Abs(r.Start.Lng-start[0]) > 1e-9 {
		t.Errorf("start %v, want %v", r.Start, start)
	}
	for _, tt := range []struct{ query, field string }{
		{"start=30.27", "start"}, {"start=120.1,30.27", "start"}, {"end=x,y", "end"}, {"mode=bus", "mode"},
		{"budget=eight", "budget"}, {"budget=20h", "budget"}, {"budget=-1h", "budget"}, {"date=2026-13-01", "date"},
		{"start_time=25:00", "start_time"}, {"seed=-1", "seed"},
	} {
		wantError(t, w.get(t, "zhang", base+"?"+tt.query), http.StatusBadRequest, "invalid", tt.field)
	}
	wantError(t, w.get(t, "zhang", path("/api/managers/%d/route", w.m2.ID)), http.StatusForbidden, "forbidden", "")
	wantStatus(t, w.get(t, "leader", path("/api/managers/%d/route", w.m2.ID)), http.StatusOK)
	wantError(t, w.get(t, "leader", "/api/managers/999999/route"), http.StatusNotFound, "not_found", "")
	wantError(t, w.get(t, "zhang", path("/api/managers/%d/week?days=0", w.m1.ID)), http.StatusBadRequest, "invalid", "days")
	wantError(t, w.get(t, "zhang", path("/api/managers/%d/week?start_date=tomorrow", w.m1.ID)), http.StatusBadRequest, "invalid", "start_date")
}

// TestRouteWeek: the week plan visits the whole list over the days.
func TestRouteWeek(t *testing.T) {
	onBothStores(t, func(t *testing.T, w *world) {
		rec := w.get(t, "zhang", path("/api/managers/%d/week?start_date=2026-11-30&days=5", w.m1.ID))
		wantStatus(t, rec, http.StatusOK)
		checkRouteDoc(t, "/api/managers/{id}/week", rec)
		var wk struct {
			Days []struct {
				Date  string  `json:"date"`
				Route routeJS `json:"route"`
			} `json:"days"`
			Visits []struct {
				CustomerID int64 `json:"customer_id"`
				Planned    int   `json:"planned"`
			} `json:"visits"`
			Unscheduled []any `json:"unscheduled"`
		}
		decode(t, rec, &wk)
		if len(wk.Days) != 5 || wk.Days[0].Date != "2026-11-30" || wk.Days[4].Date != "2026-12-04" {
			t.Fatalf("days %+v", wk.Days)
		}
		for _, v := range wk.Visits {
			if v.Planned == 0 {
				t.Errorf("customer %d not visited in the week: %s", v.CustomerID, rec.Body)
			}
		}
		if len(wk.Visits) != len(w.own[w.m1.ID]) || len(wk.Unscheduled) != 0 {
			t.Errorf("visits %+v, unscheduled %v", wk.Visits, wk.Unscheduled)
		}
	})
}

// fakeOSRM answers table requests like osrm-routed: straight-line
// distances ×1.2 at 1.25 m/s, in its response shape.
func fakeOSRM(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/table/v1/")
		_, coords, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || r.URL.Query().Get("annotations") != "distance,duration" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"code":"InvalidUrl","message":"URL string malformed close to position 9: \"/tab\""}`)
			return
		}
		var pts []orb.Point
		for _, c := range strings.Split(coords, ";") {
			a, b, _ := strings.Cut(c, ",")
			lng, _ := strconv.ParseFloat(a, 64)
			lat, _ := strconv.ParseFloat(b, 64)
			pts = append(pts, orb.Point{lng, lat})
		}
		out := map[string]any{"code": "Ok"}
		dur, dist := make([][]float64, len(pts)), make([][]float64, len(pts))
		for i := range pts {
			dur[i], dist[i] = make([]float64, len(pts)), make([]float64, len(pts))
			for j := range pts {
				dist[i][j] = math.Round(geo.DistanceM(pts[i], pts[j])*12) / 10
				dur[i][j] = math.Round(dist[i][j]/1.25*10) / 10
			}
		}
		out["durations"], out["distances"] = dur, dist
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestRouteOSRM: with an OSRM server configured its times are used; when
// it fails the route still comes, on the haversine estimate, with a warning.
func TestRouteOSRM(t *testing.T) {
	srv := fakeOSRM(t)
	w := newWorldDeps(t, Deps{Route: RouteConfig{OSRMURL: srv.URL}})
	rec := w.get(t, "zhang", path("/api/managers/%d/route?date=2026-11-30&budget=4h", w.m1.ID))
	wantStatus(t, rec, http.StatusOK)
	var r routeJS
	decode(t, rec, &r)
	if r.Source != "osrm" || r.Warning != "" || len(r.Stops) == 0 {
		t.Errorf("source %s warning %q stops %d", r.Source, r.Warning, len(r.Stops))
	}

	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"code":"InvalidQuery","message":"Query string malformed close to position 28"}`)
	}))
	t.Cleanup(down.Close)
	w = newWorldDeps(t, Deps{Route: RouteConfig{OSRMURL: down.URL}})
	for _, u := range []string{path("/api/managers/%d/route?date=2026-11-30", w.m1.ID), path("/api/managers/%d/week?start_date=2026-11-30", w.m1.ID)} {
		rec = w.get(t, "zhang", u)
		wantStatus(t, rec, http.StatusOK)
		var r struct {
			Source, Warning string
		}
		decode(t, rec, &r)
		if r.Source != "haversine" || !strings.Contains(r.Warning, "InvalidQuery") {
			t.Errorf("%s: source %s, warning %q", u, r.Source, r.Warning)
		}
	}
}
