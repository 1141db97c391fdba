package web

// Canvassing routes: a manager's route for a day and his plan for a week,
// over his list (the sales service's list view gives the customers and
// their priorities), solved by territory/route. A manager reads his own;
// leaders, planners and admins anyone's. Marking a stop visited is the
// funnel's POST /api/customers/:id/activities (a visit with the position):
// the next route of the day leaves the customers visited today out.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
	"gridplan/territory/route"
	"gridplan/territory/sales"
)

// RouteConfig configures the route planner: OSRMURL, when set, is an OSRM
// server whose table service gives travel times and distances (the
// haversine estimate otherwise, and whenever the server fails); Location
// is the zone of dates and business hours (nil: China Standard Time);
// Planner overrides route.DefaultConfig (speeds, service times, cadences,
// business hours by industry).
type RouteConfig struct {
	OSRMURL  string
	Location *time.Location
	Planner  route.Config
}

// Route planning limits.
const (
	DefaultRouteBudget = 8 * time.Hour
	MaxRouteBudget     = 16 * time.Hour
	DefaultDayStart    = 9 * 60 // minutes after midnight
	MaxWeekDays        = 20
	// routeTimeLimit bounds a day's search, weekTimeLimit a week's.
	routeTimeLimit = 1500 * time.Millisecond
	weekTimeLimit  = 8 * time.Second
	// visitLookback is how far back the week plan looks for last visits.
	visitLookback = 90 * 24 * time.Hour
)

// chinaTime is UTC+8 without a tz database.
var chinaTime = time.FixedZone("CST", 8*3600)

func (s *server) registerRoutes(g *gin.RouterGroup) {
	g.GET("/:id/route", allow(ReadRoutes), s.managerRoute)
	g.GET("/:id/week", allow(ReadRoutes), s.managerWeek)
}

func (s *server) routeLocation() *time.Location {
	if s.Route.Location != nil {
		return s.Route.Location
	}
	return chinaTime
}

// routeMatrix is the OSRM matrix when configured, else nil (haversine).
func (s *server) routeMatrix() route.Matrix {
	if s.Route.OSRMURL == "" {
		return nil
	}
	return &route.OSRM{URL: s.Route.OSRMURL}
}

// routeParams are the query parameters both endpoints share.
type routeParams struct {
	start  orb.Point
	end    *orb.Point
	budget time.Duration
	mode   route.Mode
	seed   uint64
}

// parseLatLng reads "lat,lng" (the order people copy from map apps).
func parseLatLng(field, raw string) (orb.Point, error) {
	a, b, ok := strings.Cut(raw, ",")
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lng, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if !ok || err1 != nil || err2 != nil {
		return orb.Point{}, invalid(field, "want lat,lng in WGS-84 degrees, got %q", raw)
	}
	p := orb.Point{lng, lat}
	if err := geo.ValidatePoint(p); err != nil || lat < -90 || lat > 90 {
		return p, invalid(field, "(%v, %v) is not a WGS-84 latitude,longitude", lat, lng)
	}
	return p, nil
}

// parseRouteParams reads start (default: the manager's base), end,
// budget, mode and seed.
func parseRouteParams(c *gin.Context, m *territory.Manager) (routeParams, error) {
	p := routeParams{start: m.Base, budget: DefaultRouteBudget, mode: route.Walk}
	var err error
	if raw := c.Query("start"); raw != "" {
		if p.start, err = parseLatLng("start", raw); err != nil {
			return p, err
		}
	}
	if raw := c.Query("end"); raw != "" {
		e, err := parseLatLng("end", raw)
		if err != nil {
			return p, err
		}
		p.end = &e
	}
	if raw := c.Query("budget"); raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 || d > MaxRouteBudget {
			return p, invalid("budget", "want a duration up to %s such as 8h or 4h30m, got %q", MaxRouteBudget, raw)
		}
		p.budget = d
	}
	if raw := c.Query("mode"); raw != "" {
		if p.mode, err = route.ParseMode(raw); err != nil {
			return p, invalid("mode", "%v", err)
		}
	}
	if raw := c.Query("seed"); raw != "" {
		if p.seed, err = strconv.ParseUint(raw, 10, 64); err != nil {
			return p, invalid("seed", "want a non-negative integer, got %q", raw)
		}
	}
	return p, nil
}

// parseDate reads a YYYY-MM-DD query parameter in loc; def when absent.
func parseDate(c *gin.Context, name string, loc *time.Location, def time.Time) (time.Time, error) {
	raw := c.Query(name)
	if raw == "" {
		y, m, d := def.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, loc), nil
	}
	t, err := time.ParseInLocation(time.DateOnly, raw, loc)
	if err != nil {
		return t, invalid(name, "want a date YYYY-MM-DD, got %q", raw)
	}
	return t, nil
}

// parseClock reads an HH:MM query parameter as minutes after midnight;
// -1 when absent.
func parseClock(c *gin.Context, name string) (int, error) {
	raw := c.Query(name)
	if raw == "" {
		return -1, nil
	}
	m, err := route.ParseClock(raw)
	if err != nil || m >= 24*60 {
		return 0, invalid(name, "want a time of day HH:MM, got %q", raw)
	}
	return m, nil
}

// routeList is the manager and his list as route customers (the list
// view's priorities), with the visits logged on them since a time.
type routeList struct {
	manager *territory.Manager
	items   []route.Customer
	visits  map[int64][]time.Time // customer → visit times, oldest first
}

// loadRouteList reads manager id's list (a manager: only his own) and his
// visit activities since since.
func (s *server) loadRouteList(ctx context.Context, c *gin.Context, id int64, since time.Time) (*routeList, error) {
	a := actor(c)
	if scopeOf(c) == ScopeOwn {
		own, err := ownManagerID(c)
		if err != nil {
			return nil, err
		}
		if own != id {
			return nil, forbidden("managers see only their own route")
		}
	}
	lv, err := s.sales().MyList(ctx, a, id)
	if err != nil {
		var fe *sales.ForbiddenError
		if errors.As(err, &fe) {
			return nil, forbidden("%s", fe.Reason)
		}
		return nil, fmt.Errorf("list of manager %d: %w", id, err)
	}
	out := &routeList{manager: lv.Manager, visits: map[int64][]time.Time{}}
	for _, g := range lv.Groups {
		for _, it := range g.Items {
			out.items = append(out.items, route.Customer{ID: it.ID, Name: it.Name, Address: it.Address, Location: orb.Point{it.Lng, it.Lat},
				Stage: it.Stage, Industry: it.Industry, Priority: it.Priority})
		}
	}
	acts, err := s.Store.Activities(ctx, funnel.ActivityFilter{ManagerID: id, Since: since})
	if err != nil {
		return nil, fmt.Errorf("activities of manager %d: %w", id, err)
	}
	for _, act := range acts {
		switch act.Kind {
		case funnel.VisitDoor, funnel.VisitBuilding, funnel.VisitStreet:
			out.visits[act.CustomerID] = append(out.visits[act.CustomerID], act.At)
		}
	}
	return out, nil
}

// routeOut is GET /api/managers/:id/route: the day route with the date,
// the manager and, when the OSRM server failed, why the haversine
// estimate stands in.
type routeOut struct {
	*route.DayRoute
	Stops []stopOut `json:"stops"` // DayRoute's, with the map apps' coordinates
	// StartBD09 is the start in BD-09: Baidu's direction links need an origin.
	StartBD09 lngLat         `json:"start_bd09"`
	Date      string         `json:"date"`
	Manager   routeManager   `json:"manager"`
	Visited   []route.Skip   `json:"visited"`
	Warning   string         `json:"warning,omitempty"`
	Config    routeConfigOut `json:"config"`
}

// stopOut is a stop with its position in the datums of China's map apps
// (geo's conversions): GCJ-02 for Amap (高德), BD-09 for Baidu; Apple and
// Google take WGS-84.
type stopOut struct {
	route.Stop
	GCJ02 lngLat `json:"gcj02"`
	BD09  lngLat `json:"bd09"`
}

func stopsOut(ss []route.Stop) []stopOut {
	out := make([]stopOut, len(ss))
	for i, st := range ss {
		p := orb.Point{st.Lng, st.Lat}
		g, b := geo.WGS84ToGCJ02(p), geo.WGS84ToBD09(p)
		out[i] = stopOut{Stop: st, GCJ02: lngLat{Lng: g[0], Lat: g[1]}, BD09: lngLat{Lng: b[0], Lat: b[1]}}
	}
	return out
}

// routeManager names the manager a route is for.
type routeManager struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// routeConfigOut is what the page shows of the assumptions.
type routeConfigOut struct {
	SpeedKmh float64 `json:"speed_kmh"`
	Detour   float64 `json:"detour"`
}

func (s *server) managerRoute(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	loc := s.routeLocation()
	now := s.Now().In(loc)
	date, err := parseDate(c, "date", loc, now)
	if err != nil {
		fail(c, err)
		return
	}
	clock, err := parseClock(c, "start_time")
	if err != nil {
		fail(c, err)
		return
	}
	rl, err := s.loadRouteList(ctx, c, id, date)
	if err != nil {
		fail(c, err)
		return
	}
	p, err := parseRouteParams(c, rl.manager)
	if err != nil {
		fail(c, err)
		return
	}
	startAt := date.Add(DefaultDayStart * time.Minute)
	switch {
	case clock >= 0:
		startAt = date.Add(time.Duration(clock) * time.Minute)
	case sameDay(now, date) && now.After(startAt):
		startAt = now.Truncate(time.Minute) // today, later than 9:00: from now
	}
	// Customers visited on the day are done: left out, listed as visited.
	in := route.DayInput{Start: p.start, End: p.end, StartAt: startAt, Budget: p.budget, Mode: p.mode, Seed: p.seed,
		Config: s.Route.Planner, Matrix: s.routeMatrix(), TimeLimit: routeTimeLimit}
	visited := []route.Skip{}
	next := date.AddDate(0, 0, 1)
	for _, cu := range rl.items {
		if visitedBetween(rl.visits[cu.ID], date, next) {
			visited = append(visited, route.Skip{CustomerID: cu.ID, Name: cu.Name, Stage: cu.Stage, Priority: cu.Priority, Reason: route.SkipVisited,
				Point: route.Point{Lng: cu.Location[0], Lat: cu.Location[1]}, Windows: []route.Window{}})
			continue
		}
		in.Customers = append(in.Customers, cu)
	}
	r, warning, err := planWithFallback(ctx, s.Logger, "plan the route", in.Matrix, func(m route.Matrix) (*route.DayRoute, error) {
		in.Matrix = m
		return route.Day(ctx, in)
	})
	if err != nil {
		fail(c, err)
		return
	}
	tr := plannerTravel(s.Route.Planner, p.mode)
	sb := geo.WGS84ToBD09(p.start)
	c.JSON(http.StatusOK, routeOut{DayRoute: r, Stops: stopsOut(r.Stops), StartBD09: lngLat{Lng: sb[0], Lat: sb[1]}, Date: date.Format(time.DateOnly), Visited: visited, Warning: warning,
		Manager: routeManager{ID: rl.manager.ID, Code: rl.manager.Code, Name: rl.manager.Name}, Config: routeConfigOut(tr)})
}

// planWithFallback runs plan on matrix (nil: the haversine estimate) and,
// when the OSRM server fails, once more on the haversine estimate with a
// warning for the page. Bad input is a 400; what names the work in errors.
func planWithFallback[T any](ctx context.Context, log *slog.Logger, what string, matrix route.Matrix, plan func(route.Matrix) (T, error)) (T, string, error) {
	r, err := plan(matrix)
	warning := ""
	if err != nil && matrix != nil && !errors.Is(err, route.ErrInput) && ctx.Err() == nil {
		log.Warn("osrm failed; using the haversine estimate", "err", err)
		warning = "the routing server failed (" + err.Error() + "); times are straight-line estimates"
		r, err = plan(nil)
	}
	var zero T
	if errors.Is(err, route.ErrInput) {
		return zero, "", invalid("", "%v", err)
	}
	if err != nil {
		return zero, "", fmt.Errorf("%s: %w", what, err)
	}
	return r, warning, nil
}

func plannerTravel(cfg route.Config, m route.Mode) route.Travel {
	if t, ok := cfg.Travel[m]; ok {
		return t
	}
	return route.DefaultConfig().Travel[m]
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

func visitedBetween(ts []time.Time, from, to time.Time) bool {
	for _, t := range ts {
		if !t.Before(from) && t.Before(to) {
			return true
		}
	}
	return false
}

// weekOut is GET /api/managers/:id/week.
type weekOut struct {
	*route.WeekPlan
	StartDate string       `json:"start_date"`
	Manager   routeManager `json:"manager"`
	Mode      route.Mode   `json:"mode"`
	Warning   string       `json:"warning,omitempty"`
}

func (s *server) managerWeek(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	loc := s.routeLocation()
	now := s.Now().In(loc)
	start, err := parseDate(c, "start_date", loc, now)
	if err != nil {
		fail(c, err)
		return
	}
	days := 5
	if raw := c.Query("days"); raw != "" {
		if days, err = strconv.Atoi(raw); err != nil || days < 1 || days > MaxWeekDays {
			fail(c, invalid("days", "want 1 to %d working days, got %q", MaxWeekDays, raw))
			return
		}
	}
	clock, err := parseClock(c, "day_start")
	if err != nil {
		fail(c, err)
		return
	}
	if clock < 0 {
		clock = DefaultDayStart
	}
	rl, err := s.loadRouteList(ctx, c, id, start.Add(-visitLookback))
	if err != nil {
		fail(c, err)
		return
	}
	p, err := parseRouteParams(c, rl.manager)
	if err != nil {
		fail(c, err)
		return
	}
	in := route.WeekInput{StartDate: start, Days: days, DayStart: clock, Budget: p.budget, Start: p.start, End: p.end, Mode: p.mode,
		Config: s.Route.Planner, Matrix: s.routeMatrix(), Seed: p.seed, TimeLimit: weekTimeLimit}
	for _, cu := range rl.items {
		wc := route.WeekCustomer{Customer: cu}
		for _, t := range rl.visits[cu.ID] { // a visit today counts too: the gap runs from it
			if wc.LastVisit == nil || t.After(*wc.LastVisit) {
				v := t
				wc.LastVisit = &v
			}
		}
		in.Customers = append(in.Customers, wc)
	}
	w, warning, err := planWithFallback(ctx, s.Logger, "plan the week", in.Matrix, func(m route.Matrix) (*route.WeekPlan, error) {
		in.Matrix = m
		return route.Week(ctx, in)
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, weekOut{WeekPlan: w, StartDate: start.Format(time.DateOnly), Mode: p.mode, Warning: warning,
		Manager: routeManager{ID: rl.manager.ID, Code: rl.manager.Code, Name: rl.manager.Name}})
}
