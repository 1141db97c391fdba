package web

// Browser test of the manager's route page (web/ui/src/route, #/route) on
// a demo city of its own (it logs a visit): at a phone's viewport the
// manager opens today's route and sees the API's stops numbered on the
// map and in the list, navigate links whose coordinates are geo's
// conversions (GCJ-02 for Amap, BD-09 for Baidu, WGS-84 for Apple and
// Google), exports GPX, marks the first stop visited (the visit is stored
// and the route planned again without it) and opens the week plan.

import (
	"encoding/xml"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// routeQueryJS is the query the page last sent (window.gridplan.route.query).
type routeQueryJS struct {
	Date      string `json:"date"`
	StartTime string `json:"start_time"`
	Mode      string `json:"mode"`
	Budget    string `json:"budget"`
	Start     string `json:"start"`
}

func (q routeQueryJS) values() string {
	v := url.Values{}
	for k, s := range map[string]string{"date": q.Date, "start_time": q.StartTime, "mode": q.Mode, "budget": q.Budget, "start": q.Start} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v.Encode()
}

// routePageJS is the page's last route (the API's answer) with its query.
type routePageJS struct {
	Query routeQueryJS `json:"query"`
	Route struct {
		Iterations int `json:"iterations"`
		Stops      []struct {
			Seq        int     `json:"seq"`
			CustomerID int64   `json:"customer_id"`
			Name       string  `json:"name"`
			Lng        float64 `json:"lng"`
			Lat        float64 `json:"lat"`
		} `json:"stops"`
		Visited []struct {
			CustomerID int64 `json:"customer_id"`
		} `json:"visited"`
	} `json:"route"`
}

func (p *page) routeState() routePageJS {
	p.t.Helper()
	return evalJS[routePageJS](p, `({query: window.gridplan.route.query, route: window.gridplan.route.route})`)
}

// waitRoute waits until the route page has loaded at least n routes and is ready.
func (p *page) waitRoute(what string, n int) {
	p.t.Helper()
	p.waitFor(what, fmt.Sprintf(`(() => { const r = window.gridplan && window.gridplan.route;
		const el = document.querySelector("[data-testid=route-page]");
		return r && r.loads >= %d && el && el.dataset.state === "ready"; })()`, n))
}

// gpxDoc is the part of a GPX file the test reads.
type gpxDoc struct {
	XMLName xml.Name `xml:"gpx"`
	Version string   `xml:"version,attr"`
	Wpts    []struct {
		Lat  float64 `xml:"lat,attr"`
		Lon  float64 `xml:"lon,attr"`
		Name string  `xml:"name"`
	} `xml:"wpt"`
	Trkpts []struct {
		Lat float64 `xml:"lat,attr"`
	} `xml:"trk>trkseg>trkpt"`
}

// near reports whether a and b agree to the 6 decimals the links carry.
func near(a, b orb.Point) bool { return math.Abs(a[0]-b[0]) <= 1.5e-6 && math.Abs(a[1]-b[1]) <= 1.5e-6 }

func parseLngLat(tb testing.TB, s string, latFirst bool) orb.Point {
	tb.Helper()
	parts := strings.Split(s, ",")
	if len(parts) < 2 {
		tb.Fatalf("coordinates %q", s)
	}
	a, err1 := strconv.ParseFloat(parts[0], 64)
	b, err2 := strconv.ParseFloat(parts[1], 64)
	if err1 != nil || err2 != nil {
		tb.Fatalf("coordinates %q", s)
	}
	if latFirst {
		return orb.Point{b, a}
	}
	return orb.Point{a, b}
}

func TestBrowserRouteManager(t *testing.T) {
	site := newListsSite(t)
	m := site.City.Managers[0]
	p := newPage(t, site, phone)
	p.loginAs(m.Code)

	// The navigation offers the route; the page plans today from his base.
	p.waitFor("the route link", `document.querySelector(".main-nav a[data-page=route]")`)
	if got := p.text(".main-nav a[data-page=route]"); got != "Route" {
		t.Errorf("navigation %q, want Route", got)
	}
	p.click(".main-nav a[data-page=route]")
	p.waitRoute("today's route", 1)
	// From 9:00, so that the test does not depend on the hour it runs at.
	p.setValue("[data-testid=route-start-time]", "09:00")
	p.click("[data-testid=route-plan]")
	p.waitRoute("the route from 9:00", 2)
	st := p.routeState()
	if len(st.Route.Stops) < 3 {
		t.Fatalf("only %d stops: %+v", len(st.Route.Stops), st.Route)
	}
	if st.Query.StartTime != "09:00" || st.Query.Mode != "walk" || st.Query.Budget != "8h" {
		t.Errorf("query %+v", st.Query)
	}

	// The API answers the same route to the same query.
	var api routePageJS
	p.apiGet(fmt.Sprintf("/api/managers/%d/route?%s", m.ID, st.Query.values()), &api.Route)
	ids := func(r routePageJS) []int64 {
		var out []int64
		for _, s := range r.Route.Stops {
			out = append(out, s.CustomerID)
		}
		return out
	}
	if api.Route.Iterations == st.Route.Iterations {
		if !slices.Equal(ids(api), ids(st)) {
			t.Errorf("page's stops %v, the API's %v", ids(st), ids(api))
		}
	} else {
		t.Logf("a time limit cut the search (%d vs %d iterations): stops not compared", api.Route.Iterations, st.Route.Iterations)
	}
	// Numbered on the map and in the list, in order.
	if n := p.count(".route-map .route-num"); n != len(st.Route.Stops) {
		t.Errorf("%d numbered markers, %d stops", n, len(st.Route.Stops))
	}
	listed := evalJS[[]int64](p, `[...document.querySelectorAll("[data-testid=route-stops] li[data-customer]")].map(li => Number(li.dataset.customer))`)
	badges := evalJS[[]string](p, `[...document.querySelectorAll("[data-testid=route-stops] .route-badge")].map(b => b.textContent)`)
	if !slices.Equal(listed, ids(st)) {
		t.Errorf("list %v, route %v", listed, ids(st))
	}
	for i, b := range badges {
		if b != strconv.Itoa(i+1) {
			t.Errorf("badge %d reads %q", i+1, b)
		}
	}
	if w := evalJS[float64](p, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %v px wide on a 390 px phone", w)
	}
	p.shot("route")

	// Navigate links: each app's datum, converted as geo converts.
	first := st.Route.Stops[0]
	wgs := orb.Point{first.Lng, first.Lat}
	links := evalJS[map[string]string](p, fmt.Sprintf(`Object.fromEntries([...document.querySelectorAll("[data-testid=route-stops] li[data-customer='%d'] a[data-app]")].map(a => [a.dataset.app, a.href]))`, first.CustomerID))
	for _, app := range []string{"amap", "baidu", "apple", "google"} {
		if links[app] == "" {
			t.Fatalf("no %s link: %v", app, links)
		}
	}
	amap, err := url.Parse(links["amap"])
	if err != nil || amap.Host != "uri.amap.com" || amap.Path != "/navigation" || amap.Query().Get("coordinate") != "gaode" || amap.Query().Get("mode") != "walk" {
		t.Errorf("amap link %s", links["amap"])
	}
	to := amap.Query().Get("to")
	if gcj := geo.WGS84ToGCJ02(wgs); !near(parseLngLat(t, to, false), gcj) || !strings.HasSuffix(to, ","+first.Name) {
		t.Errorf("amap to=%s, want GCJ-02 %v and the name %s", to, gcj, first.Name)
	} else if near(parseLngLat(t, to, false), wgs) {
		t.Errorf("amap link carries the WGS-84 point")
	}
	baidu, _ := url.Parse(links["baidu"])
	dest := strings.TrimPrefix(strings.Split(baidu.Query().Get("destination"), "|")[0], "latlng:")
	if bd := geo.WGS84ToBD09(wgs); baidu.Query().Get("coord_type") != "bd09ll" || !near(parseLngLat(t, dest, true), bd) || baidu.Query().Get("mode") != "walking" {
		t.Errorf("baidu link %s, want BD-09 %v", links["baidu"], bd)
	}
	apple, _ := url.Parse(links["apple"])
	if apple.Host != "maps.apple.com" || !near(parseLngLat(t, apple.Query().Get("daddr"), true), wgs) {
		t.Errorf("apple link %s, want WGS-84 %v", links["apple"], wgs)
	}
	google, _ := url.Parse(links["google"])
	if google.Host != "www.google.com" || google.Path != "/maps/dir/" || google.Query().Get("api") != "1" || !near(parseLngLat(t, google.Query().Get("destination"), true), wgs) {
		t.Errorf("google link %s, want WGS-84 %v", links["google"], wgs)
	}

	// GPX: valid XML with a waypoint per stop, in order.
	p.click("[data-testid=route-gpx]")
	p.waitFor("the GPX", `window.gridplan.route.lastExport && window.gridplan.route.lastExport.startsWith("<?xml")`)
	var gpx gpxDoc
	if err := xml.Unmarshal([]byte(evalJS[string](p, `window.gridplan.route.lastExport`)), &gpx); err != nil {
		t.Fatalf("GPX is not valid XML: %v", err)
	}
	if gpx.Version != "1.1" || len(gpx.Wpts) != len(st.Route.Stops) || len(gpx.Trkpts) < len(st.Route.Stops)+1 {
		t.Fatalf("GPX %s: %d waypoints, %d track points for %d stops", gpx.Version, len(gpx.Wpts), len(gpx.Trkpts), len(st.Route.Stops))
	}
	for i, w := range gpx.Wpts {
		s := st.Route.Stops[i]
		if w.Name != fmt.Sprintf("%d. %s", s.Seq, s.Name) || w.Lat != s.Lat || w.Lon != s.Lng {
			t.Errorf("waypoint %d: %q (%v, %v), want %d. %s (%v, %v)", i+1, w.Name, w.Lat, w.Lon, s.Seq, s.Name, s.Lat, s.Lng)
		}
	}
	p.click("[data-testid=route-geojson]")
	p.waitFor("the GeoJSON", `window.gridplan.route.lastExport.startsWith("{")`)

	// Mark the first stop visited, standing at it: the visit is stored
	// (verified by the position) and the route is planned again without it.
	p.emulatePosition(first.Lat, first.Lng)
	p.click(fmt.Sprintf("[data-testid=route-stops] li[data-customer='%d'] button[data-action=visited]", first.CustomerID))
	p.waitRoute("the route planned again", 3)
	var acts []activityJS
	acts = listItems[activityJS](t, p.fetch("GET", fmt.Sprintf("/api/customers/%d/activities", first.CustomerID), nil))
	if len(acts) == 0 || acts[len(acts)-1].Kind != "visit_door" || !acts[len(acts)-1].Verified {
		t.Fatalf("activities of customer %d: %+v, want a verified visit last", first.CustomerID, acts)
	}
	after := p.routeState()
	if slices.Contains(ids(after), first.CustomerID) {
		t.Errorf("customer %d still on the route after the visit: %v", first.CustomerID, ids(after))
	}
	if len(after.Route.Visited) != 1 || after.Route.Visited[0].CustomerID != first.CustomerID {
		t.Errorf("visited %+v", after.Route.Visited)
	}
	if after.Query.Start == "" || !near(parseLngLat(t, after.Query.Start, true), wgs) || len(after.Route.Stops) == 0 {
		t.Errorf("planned again from %q with %d stops, want from the stop (%v, %v)", after.Query.Start, len(after.Route.Stops), first.Lat, first.Lng)
	}
	if n := p.count(".route-map .route-num"); n != len(after.Route.Stops) {
		t.Errorf("%d numbered markers after the visit, %d stops", n, len(after.Route.Stops))
	}
	p.shot("visited")

	// The week plan.
	p.click("[data-testid=route-tab-week]")
	p.waitFor("the week plan", `(window.gridplan.route.weekLoads || 0) >= 1 && document.querySelectorAll("[data-testid=week-day]").length > 0`)
	if n := p.count("[data-testid=week-day]"); n != 5 {
		t.Errorf("%d days in the week plan, want 5", n)
	}
	if n := p.count("[data-testid=week-day] li[data-customer]"); n == 0 {
		t.Error("the week plan has no visits")
	}
	p.shot("week")
}

// TestBrowserRouteChinese: the page in Chinese, the navigation's 今日路线.
func TestBrowserRouteChinese(t *testing.T) {
	site := newBrowserSite(t)
	m := site.City.Managers[1]
	p := newPage(t, site, pageOptions{Width: 390, Height: 844, AcceptLanguage: "zh-CN,zh"})
	p.loginAs(m.Code)
	p.waitFor("the route link", `document.querySelector(".main-nav a[data-page=route]")`)
	if got := p.text(".main-nav a[data-page=route]"); got != "今日路线" {
		t.Errorf("navigation %q, want 今日路线", got)
	}
	p.click(".main-nav a[data-page=route]")
	p.waitRoute("the route", 1)
	if got := p.text("[data-testid=route-tab-week]"); got != "本周" {
		t.Errorf("week tab %q", got)
	}
	p.shot("route-zh")
}
