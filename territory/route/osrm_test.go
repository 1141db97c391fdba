package route

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/funnel"
)

// osrmServer answers table requests with body (and status) and records
// the last request's path and query.
func osrmServer(t *testing.T, status int, body string) (*httptest.Server, *string) {
	t.Helper()
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Path + "?" + r.URL.RawQuery
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

// A real answer of osrm-routed 5.27 to a three-point table (foot profile),
// hints shortened; the third point sits on an island without a path.
const osrmOK = `{"code":"Ok","distances":[[0,812.3,null],[809.9,0,null],[null,null,0]],` +
	`"durations":[[0,584.8,null],[583.1,0,null],[null,null,0]],` +
	`"sources":[{"hint":"zQ4AgP___38AAAAA","distance":4.231,"name":"文三路","location":[120.150012,30.270031]},` +
	`{"hint":"Bw8AgBAPAIAUAAAA","distance":2.017,"name":"学院路","location":[120.158001,30.270422]},` +
	`{"hint":"aAAAgGkAAIAAAAAA","distance":31.5,"name":"","location":[120.2,30.3]}],` +
	`"destinations":[{"hint":"zQ4AgP___38AAAAA","distance":4.231,"name":"文三路","location":[120.150012,30.270031]},` +
	`{"hint":"Bw8AgBAPAIAUAAAA","distance":2.017,"name":"学院路","location":[120.158001,30.270422]},` +
	`{"hint":"aAAAgGkAAIAAAAAA","distance":31.5,"name":"","location":[120.2,30.3]}]}`

var osrmPts = []orb.Point{{120.15, 30.27}, {120.158, 30.2704}, {120.2, 30.3}}

func TestOSRMTable(t *testing.T) {
	srv, got := osrmServer(t, http.StatusOK, osrmOK)
	o := &OSRM{URL: srv.URL + "/"}
	tab, err := o.Table(context.Background(), Walk, osrmPts)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/table/v1/foot/120.150000,30.270000;120.158000,30.270400;120.200000,30.300000?annotations=distance,duration"; *got != want {
		t.Errorf("request %s, want %s", *got, want)
	}
	if tab.Dur[0][1] != 584.8 || tab.Dist[1][0] != 809.9 || tab.Dur[2][2] != 0 {
		t.Errorf("table %v %v", tab.Dur, tab.Dist)
	}
	if !math.IsInf(tab.Dur[0][2], 1) || !math.IsInf(tab.Dist[2][1], 1) {
		t.Errorf("null entries should be unreachable: %v %v", tab.Dur, tab.Dist)
	}
	if _, err := (&OSRM{URL: srv.URL, Profiles: map[Mode]string{Car: "car"}}).Table(context.Background(), Car, osrmPts); err != nil || !strings.HasPrefix(*got, "/table/v1/car/") {
		t.Errorf("configured profile: %s, %v", *got, err)
	}
}

func TestOSRMErrors(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"invalid query", `{"code":"InvalidQuery","message":"Query string malformed close to position 28"}`, 400, "InvalidQuery"},
		{"too big", `{"code":"TooBig","message":"Too many table coordinates"}`, 400, "TooBig"},
		{"no segment", `{"code":"NoSegment","message":"Could not find a matching segment for coordinate 1"}`, 400, "NoSegment"},
		{"not json", `<html>502 Bad Gateway</html>`, 502, "BadResponse"},
		{"short matrix", `{"code":"Ok","durations":[[0,1]],"distances":[[0,1]]}`, 200, "BadResponse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := osrmServer(t, tt.status, tt.body)
			_, err := (&OSRM{URL: srv.URL}).Table(context.Background(), Walk, osrmPts)
			var oe *OSRMError
			if !errors.As(err, &oe) || oe.Code != tt.code {
				t.Fatalf("err %v, want code %s", err, tt.code)
			}
		})
	}
	_, err := (&OSRM{URL: "http://x", MaxPoints: 2}).Table(context.Background(), Walk, osrmPts)
	var oe *OSRMError
	if !errors.As(err, &oe) || oe.Code != "TooBig" {
		t.Errorf("over MaxPoints: %v", err)
	}
}

// TestDayWithOSRM: the planner takes the server's durations, and skips
// the customer it says cannot be reached.
func TestDayWithOSRM(t *testing.T) {
	srv, _ := osrmServer(t, http.StatusOK, osrmOK)
	allDay := []Window{{Open: 0, Close: 24 * 60}}
	in := DayInput{Start: osrmPts[0], StartAt: monday, Budget: 2 * time.Hour, Mode: Walk, Matrix: &OSRM{URL: srv.URL}, Customers: []Customer{
		{ID: 1, Name: "学院路", Location: osrmPts[1], Stage: funnel.List, Priority: 20, Windows: allDay},
		{ID: 2, Name: "岛上", Location: osrmPts[2], Stage: funnel.Intent, Priority: 90, Windows: allDay},
	}}
	r, err := Day(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Source != "osrm" || len(r.Stops) != 1 || r.Stops[0].TravelS != 584.8 || r.Stops[0].DistanceM != 812.3 {
		t.Fatalf("route %+v", r)
	}
	if len(r.Skipped) != 1 || r.Skipped[0].Reason != SkipUnreachable {
		t.Errorf("skipped %+v, want customer 2 unreachable", r.Skipped)
	}
}
