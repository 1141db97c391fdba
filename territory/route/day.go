package route

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"gridplan/funnel"
	"gridplan/geo"
)

// Defaults of the solver's effort. 50 customers take about … ms with
// the defaults (see bench_test.go).
const (
	DefaultIterations = 200
	DefaultTimeLimit  = 2 * time.Second
)

// Customer is a customer the manager may visit.
type Customer struct {
	ID       int64
	Name     string
	Address  string
	Location orb.Point
	Stage    funnel.Stage
	Industry string
	// Priority is what a visit is worth (funnel.Priority); customers with
	// none are not visited.
	Priority float64
	// Windows are today's opening windows; nil: Config.Hours by industry,
	// empty (non-nil): closed today.
	Windows []Window
	// Service is the visit's length; 0: Config.ServiceMin by stage.
	Service time.Duration
}

// DayInput is a day route to plan.
type DayInput struct {
	Start orb.Point
	End   *orb.Point // nil: the route ends at the last visit
	// StartAt is when the manager sets off; its location is the one the
	// opening hours are read in.
	StartAt   time.Time
	Budget    time.Duration // all the time he has, back at End included
	Mode      Mode
	Customers []Customer
	Config    Config // zero fields: DefaultConfig's
	Matrix    Matrix // nil: Straight with Config.Travel
	// Seed fixes the search's random choices; Iterations (0:
	// DefaultIterations) and TimeLimit (0: DefaultTimeLimit) bound it.
	// The result depends only on the seed when the iterations end first.
	Seed       uint64
	Iterations int
	TimeLimit  time.Duration
}

// Point is a WGS-84 position as the API spells it.
type Point struct {
	Lng float64 `json:"lng"`
	Lat float64 `json:"lat"`
}

func pointOf(p orb.Point) Point { return Point{Lng: p[0], Lat: p[1]} }

// Stop is one visit of a day route. Arrive + Wait = Begin (the visit
// starts); Depart = Begin + Service. Travel and distance are from the
// previous stop (or the start).
type Stop struct {
	Seq        int          `json:"seq"` // 1-based
	CustomerID int64        `json:"customer_id"`
	Name       string       `json:"name"`
	Address    string       `json:"address,omitempty"`
	Stage      funnel.Stage `json:"stage"`
	Industry   string       `json:"industry,omitempty"`
	Priority   float64      `json:"priority"`
	Point
	Arrive    time.Time `json:"arrive"`
	Begin     time.Time `json:"begin"`
	Depart    time.Time `json:"depart"`
	WaitS     float64   `json:"wait_s"`
	ServiceS  float64   `json:"service_s"`
	TravelS   float64   `json:"travel_s"`
	DistanceM float64   `json:"distance_m"`
	Windows   []Window  `json:"windows"` // today's opening hours
}

// SkipReason says why a customer is not on the route.
type SkipReason string

// Skip reasons.
const (
	SkipClosed      SkipReason = "closed"       // not open today
	SkipNoTime      SkipReason = "no_time"      // his hours and the budget leave no room for him (alone, or beside stops worth less)
	SkipLowPriority SkipReason = "low_priority" // the route's stops are all worth at least as much
	SkipUnreachable SkipReason = "unreachable"  // no path to him (the distance matrix says so)
	SkipVisited     SkipReason = "visited"      // visited already today (set by callers)
)

// Skip is a customer left off the route.
type Skip struct {
	CustomerID int64        `json:"customer_id"`
	Name       string       `json:"name"`
	Stage      funnel.Stage `json:"stage"`
	Priority   float64      `json:"priority"`
	Reason     SkipReason   `json:"reason"`
	Point
	Windows []Window `json:"windows"`
}

// DayRoute is a planned day: the stops in order with their times, the
// totals (the leg to the end point included) and the customers skipped.
type DayRoute struct {
	Mode      Mode      `json:"mode"`
	Source    string    `json:"source"` // the distance matrix: haversine or osrm
	Start     Point     `json:"start"`
	End       *Point    `json:"end,omitempty"`
	StartAt   time.Time `json:"start_at"`
	FinishAt  time.Time `json:"finish_at"` // at the end point, or done at the last stop
	Deadline  time.Time `json:"deadline"`  // StartAt + budget
	BudgetS   float64   `json:"budget_s"`
	Stops     []Stop    `json:"stops"`
	Skipped   []Skip    `json:"skipped"`
	Priority  float64   `json:"priority"` // collected: the sum over the stops
	DistanceM float64   `json:"distance_m"`
	DurationS float64   `json:"duration_s"` // FinishAt − StartAt
	TravelS   float64   `json:"travel_s"`
	WaitS     float64   `json:"wait_s"`
	ServiceS  float64   `json:"service_s"`
	// EndTravelS and EndDistanceM are the last leg, to the end point.
	EndTravelS   float64 `json:"end_travel_s"`
	EndDistanceM float64 `json:"end_distance_m"`
	// Baseline is the priority the simple greedy (DayGreedy) collects.
	Baseline   float64 `json:"baseline_priority"`
	Iterations int     `json:"iterations"`
	Seed       uint64  `json:"seed"`
}

// ErrInput is wrapped by the errors of a bad DayInput or WeekInput.
var ErrInput = errors.New("route: bad input")

func inputErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInput, fmt.Sprintf(format, args...))
}

// Day plans a day route.
func Day(ctx context.Context, in DayInput) (*DayRoute, error) {
	return day(ctx, in, false)
}

// DayGreedy is the simple baseline Day is measured against: customers in
// order of priority, each inserted at its cheapest feasible place.
func DayGreedy(ctx context.Context, in DayInput) (*DayRoute, error) {
	return day(ctx, in, true)
}

// prepared is a DayInput turned into a problem.
type prepared struct {
	in       DayInput
	p        *problem
	windows  [][]Window // per customer (index i ↔ node i+1)
	reasons  []SkipReason
	cands    []int
	midnight time.Time
	source   string
}

func prepare(ctx context.Context, in DayInput) (*prepared, error) {
	if err := geo.ValidatePoint(in.Start); err != nil {
		return nil, inputErr("start: %v", err)
	}
	if in.End != nil {
		if err := geo.ValidatePoint(*in.End); err != nil {
			return nil, inputErr("end: %v", err)
		}
	}
	if in.Budget <= 0 {
		return nil, inputErr("budget must be positive, got %s", in.Budget)
	}
	if in.StartAt.IsZero() {
		return nil, inputErr("start time is required")
	}
	for i, c := range in.Customers {
		if err := geo.ValidatePoint(c.Location); err != nil {
			return nil, inputErr("customer %d (%d): %v", i, c.ID, err)
		}
		if math.IsNaN(c.Priority) || math.IsInf(c.Priority, 0) {
			return nil, inputErr("customer %d (%d): priority %v", i, c.ID, c.Priority)
		}
	}
	if in.Mode == "" {
		in.Mode = Walk
	}
	cfg := in.Config.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, inputErr("%v", err)
	}
	in.Config = cfg
	m := in.Matrix
	if m == nil {
		m = Straight{Travel: cfg.Travel}
	}
	n := len(in.Customers)
	pts := make([]orb.Point, 0, n+2)
	pts = append(pts, in.Start)
	for _, c := range in.Customers {
		pts = append(pts, c.Location)
	}
	if in.End != nil {
		pts = append(pts, *in.End)
	}
	tab, err := m.Table(ctx, in.Mode, pts)
	if err != nil {
		return nil, fmt.Errorf("travel table (%s): %w", m.Source(), err)
	}
	if len(tab.Dur) != len(pts) {
		return nil, fmt.Errorf("travel table (%s): %d rows for %d points", m.Source(), len(tab.Dur), len(pts))
	}
	if in.End == nil { // a free end: the last leg costs nothing
		grow := func(t [][]float64) [][]float64 {
			out := square(n + 2)
			for i := range t {
				copy(out[i], t[i])
			}
			return out
		}
		tab.Dur, tab.Dist = grow(tab.Dur), grow(tab.Dist)
	}

	y, mo, d := in.StartAt.Date()
	midnight := time.Date(y, mo, d, 0, 0, 0, 0, in.StartAt.Location())
	t0 := in.StartAt.Sub(midnight).Seconds()
	p := &problem{n: n, end: n + 1, dur: tab.Dur, dist: tab.Dist, svc: make([]float64, n+2), win: make([][]tw, n+2),
		score: make([]float64, n+2), t0: t0, deadline: t0 + in.Budget.Seconds()}
	pr := &prepared{in: in, p: p, windows: make([][]Window, n), reasons: make([]SkipReason, n), midnight: midnight, source: m.Source()}
	wd := in.StartAt.Weekday()
	for i, c := range in.Customers {
		v := i + 1
		svc := c.Service
		if svc <= 0 {
			svc = cfg.Service(c.Stage)
		}
		p.svc[v] = svc.Seconds()
		p.score[v] = c.Priority
		ws := c.Windows
		if ws == nil {
			ws = cfg.Hours.For(c.ID, c.Industry, wd)
		}
		ws = slices.Clone(ws)
		slices.SortFunc(ws, func(a, b Window) int { return cmp.Compare(a.Open, b.Open) })
		pr.windows[i] = ws
		p.win[v] = []tw{}
		for _, w := range ws {
			if l := float64(w.Close)*60 - p.svc[v]; l >= float64(w.Open)*60 {
				p.win[v] = append(p.win[v], tw{open: float64(w.Open) * 60, latest: l})
			}
		}
		switch {
		case len(ws) == 0:
			pr.reasons[i] = SkipClosed
		case math.IsInf(p.dur[0][v], 1) || math.IsInf(p.dur[v][p.end], 1):
			pr.reasons[i] = SkipUnreachable
		case !p.eval(&sol{seq: []int{v}}):
			pr.reasons[i] = SkipNoTime
		case c.Priority <= 0:
			pr.reasons[i] = SkipLowPriority
		default:
			pr.cands = append(pr.cands, v)
		}
	}
	return pr, nil
}

func day(ctx context.Context, in DayInput, greedyOnly bool) (*DayRoute, error) {
	pr, err := prepare(ctx, in)
	if err != nil {
		return nil, err
	}
	in = pr.in
	iters := in.Iterations
	if iters <= 0 {
		iters = DefaultIterations
	}
	limit := in.TimeLimit
	if limit <= 0 {
		limit = DefaultTimeLimit
	}
	if greedyOnly {
		iters = 0
	}
	best, base, done := pr.p.solve(ctx, pr.cands, in.Seed, iters, time.Now().Add(limit))
	if greedyOnly {
		best = base
	}
	if err := ctx.Err(); err != nil && len(best.seq) == 0 {
		return nil, err
	}
	r := pr.route(best)
	r.Baseline, r.Iterations, r.Seed = base.score, done, in.Seed
	return r, nil
}

// route writes a solution out.
func (pr *prepared) route(s *sol) *DayRoute {
	p, in := pr.p, pr.in
	p.eval(s)
	at := func(sec float64) time.Time {
		return pr.midnight.Add(time.Duration(math.Round(sec*1e3) * float64(time.Millisecond)))
	}
	r := &DayRoute{Mode: in.Mode, Source: pr.source, Start: pointOf(in.Start), StartAt: in.StartAt,
		Deadline: in.StartAt.Add(in.Budget), BudgetS: in.Budget.Seconds(), Stops: []Stop{}, Skipped: []Skip{}}
	if in.End != nil {
		e := pointOf(*in.End)
		r.End = &e
	}
	visited := make([]bool, p.n+2)
	t, prev := p.t0, 0
	for k, v := range s.seq {
		visited[v] = true
		c := in.Customers[v-1]
		a := t + p.dur[prev][v]
		b, _ := p.begin(v, a)
		t = b + p.svc[v]
		st := Stop{Seq: k + 1, CustomerID: c.ID, Name: c.Name, Address: c.Address, Stage: c.Stage, Industry: c.Industry, Priority: c.Priority,
			Point: pointOf(c.Location), Arrive: at(a), Begin: at(b), Depart: at(t), WaitS: b - a, ServiceS: p.svc[v],
			TravelS: p.dur[prev][v], DistanceM: p.dist[prev][v], Windows: orEmpty(pr.windows[v-1])}
		r.Stops = append(r.Stops, st)
		r.Priority += c.Priority
		r.DistanceM += st.DistanceM
		r.TravelS += st.TravelS
		r.WaitS += st.WaitS
		r.ServiceS += st.ServiceS
		prev = v
	}
	r.EndTravelS, r.EndDistanceM = p.dur[prev][p.end], p.dist[prev][p.end]
	r.TravelS += r.EndTravelS
	r.DistanceM += r.EndDistanceM
	r.FinishAt = at(t + r.EndTravelS)
	r.DurationS = r.FinishAt.Sub(r.StartAt).Seconds()
	least := math.Inf(1) // the lowest priority visited
	for _, st := range r.Stops {
		least = math.Min(least, st.Priority)
	}
	for i, c := range in.Customers {
		if visited[i+1] {
			continue
		}
		reason := pr.reasons[i]
		switch {
		case reason != "":
		case c.Priority > least:
			reason = SkipNoTime // worth more than a stop, but he did not fit in
		default:
			reason = SkipLowPriority
		}
		r.Skipped = append(r.Skipped, Skip{CustomerID: c.ID, Name: c.Name, Stage: c.Stage, Priority: c.Priority, Reason: reason,
			Point: pointOf(c.Location), Windows: orEmpty(pr.windows[i])})
	}
	slices.SortStableFunc(r.Skipped, func(a, b Skip) int {
		return cmp.Or(cmp.Compare(b.Priority, a.Priority), cmp.Compare(a.CustomerID, b.CustomerID))
	})
	return r
}

func orEmpty(ws []Window) []Window {
	if ws == nil {
		return []Window{}
	}
	return ws
}
