package route

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// DefaultWeekIterations is the search's iterations per day of a week plan.
const DefaultWeekIterations = 100

// WeekCustomer is a customer of the list with his latest visit before the
// period (nil: never visited).
type WeekCustomer struct {
	Customer
	LastVisit *time.Time
}

// WeekInput is a plan over several working days: each day starts at
// DayStart from Start (ending at End, when set) with Budget.
type WeekInput struct {
	// StartDate is the first day that may be planned (its date and
	// location count; the time of day does not).
	StartDate time.Time
	Days      int            // working days to plan (0: 5)
	Workdays  []time.Weekday // nil: Monday to Friday
	DayStart  int            // minutes after midnight (0: 9:00)
	Budget    time.Duration  // per day (0: 8 hours)
	Start     orb.Point
	End       *orb.Point
	Mode      Mode
	Customers []WeekCustomer
	Config    Config
	Matrix    Matrix
	Seed      uint64
	// Iterations per day (0: DefaultWeekIterations); TimeLimit for the
	// whole plan (0: 10 s).
	Iterations int
	TimeLimit  time.Duration
}

// WeekDay is one planned day.
type WeekDay struct {
	Date  string    `json:"date"` // YYYY-MM-DD
	Route *DayRoute `json:"route"`
}

// Visits is how often the plan visits a customer against his cadence.
type Visits struct {
	CustomerID int64    `json:"customer_id"`
	Name       string   `json:"name"`
	Wanted     int      `json:"wanted"`  // by his stage's cadence over the period
	Planned    int      `json:"planned"` // visits in the plan
	Dates      []string `json:"dates"`
}

// WeekPlan is the plan: the days in order, each a feasible day route;
// the customers it visits not at all (with the reason); every customer's
// visits against his cadence; the period's calendar length.
type WeekPlan struct {
	Days        []WeekDay `json:"days"`
	Unscheduled []Skip    `json:"unscheduled"`
	Visits      []Visits  `json:"visits"`
	PeriodDays  int       `json:"period_days"`
	Priority    float64   `json:"priority"` // collected over the days
	Source      string    `json:"source"`
}

// task is one wanted visit: occurrence q of customer i, allowed on the
// calendar offsets [from, to).
type task struct {
	cust, q  int
	from, to int
	est      float64 // estimated seconds it adds to a day
}

// Week spreads the list over the working days: every customer at least
// once when his hours and the budgets allow, those whose stage asks for
// more (Config.CadenceDays) more often, never two visits to one customer
// less than Config.MinGapDays apart; first visits before repeat ones, the
// highest priorities on the earliest days that still keep the days' loads
// even; each day then solved by Day, and what a day could not fit tried on
// another.
func Week(ctx context.Context, in WeekInput) (*WeekPlan, error) {
	if in.Days == 0 {
		in.Days = 5
	}
	if in.Days < 0 || in.Days > 31 {
		return nil, inputErr("days: want 1 to 31, got %d", in.Days)
	}
	if in.Budget == 0 {
		in.Budget = 8 * time.Hour
	}
	if in.DayStart == 0 {
		in.DayStart = 9 * 60
	}
	if in.DayStart < 0 || in.DayStart >= 24*60 {
		return nil, inputErr("day start: want minutes 0 to 1439, got %d", in.DayStart)
	}
	if in.StartDate.IsZero() {
		return nil, inputErr("start date is required")
	}
	if in.Iterations <= 0 {
		in.Iterations = DefaultWeekIterations
	}
	if in.TimeLimit <= 0 {
		in.TimeLimit = 10 * time.Second
	}
	if in.Mode == "" {
		in.Mode = Walk
	}
	if err := geo.ValidatePoint(in.Start); err != nil {
		return nil, inputErr("start: %v", err)
	}
	cfg := in.Config.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, inputErr("%v", err)
	}
	workday := [7]bool{}
	if in.Workdays == nil {
		in.Workdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	for _, d := range in.Workdays {
		workday[d] = true
	}
	if !slices.Contains(workday[:], true) {
		return nil, inputErr("no working day in the week")
	}
	deadline := time.Now().Add(in.TimeLimit)

	// The days, as calendar offsets from the first.
	y, m, d := in.StartDate.Date()
	first := time.Date(y, m, d, 0, 0, 0, 0, in.StartDate.Location())
	var dates []time.Time
	var offset []int
	for o := 0; len(dates) < in.Days; o++ {
		t := first.AddDate(0, 0, o)
		if workday[t.Weekday()] {
			dates, offset = append(dates, t), append(offset, o)
		}
	}
	period := offset[len(offset)-1] + 1
	for !workday[first.AddDate(0, 0, period).Weekday()] { // the weekend after belongs to the period
		period++
	}

	// One travel table for everything: the estimates here, the days below.
	n := len(in.Customers)
	pts := []orb.Point{in.Start}
	for _, c := range in.Customers {
		if err := geo.ValidatePoint(c.Location); err != nil {
			return nil, inputErr("customer %d: %v", c.ID, err)
		}
		pts = append(pts, c.Location)
	}
	if in.End != nil {
		pts = append(pts, *in.End)
	}
	mx := in.Matrix
	if mx == nil {
		mx = Straight{Travel: cfg.Travel}
	}
	tab, err := mx.Table(ctx, in.Mode, pts)
	if err != nil {
		return nil, fmt.Errorf("travel table (%s): %w", mx.Source(), err)
	}
	cached := newCachedMatrix(mx.Source(), pts, tab)

	plan := &WeekPlan{Days: make([]WeekDay, len(dates)), Unscheduled: []Skip{}, Visits: make([]Visits, n), PeriodDays: period, Source: mx.Source()}
	windows := func(i int, day int) []Window {
		c := in.Customers[i]
		if c.Windows != nil {
			return c.Windows
		}
		return cfg.Hours.For(c.ID, c.Industry, dates[day].Weekday())
	}
	// Wanted visits.
	var tasks []task
	skip := func(i int, r SkipReason) {
		c := in.Customers[i]
		plan.Unscheduled = append(plan.Unscheduled, Skip{CustomerID: c.ID, Name: c.Name, Stage: c.Stage, Priority: c.Priority, Reason: r,
			Point: pointOf(c.Location), Windows: []Window{}})
	}
	for i, c := range in.Customers {
		v := &plan.Visits[i]
		v.CustomerID, v.Name, v.Dates = c.ID, c.Name, []string{}
		if c.Priority <= 0 {
			skip(i, SkipLowPriority)
			continue
		}
		open := false
		for day := range dates {
			open = open || len(windows(i, day)) > 0
		}
		if !open {
			skip(i, SkipClosed)
			continue
		}
		k := 1
		if cad := cfg.CadenceDays[c.Stage]; cad > 0 && cad < period {
			k = period / cad
		}
		v.Wanted = k
		svc := c.Service
		if svc <= 0 {
			svc = cfg.Service(c.Stage)
		}
		// The visit's share of travel: to its nearest neighbour.
		near := tab.Dur[0][i+1]
		for j := range n {
			if j != i {
				near = math.Min(near, tab.Dur[j+1][i+1])
			}
		}
		if math.IsInf(near, 1) {
			skip(i, SkipUnreachable)
			continue
		}
		earliest := 0
		if c.LastVisit != nil {
			earliest = max(0, int(math.Ceil(c.LastVisit.Sub(first).Hours()/24))+cfg.MinGapDays)
		}
		for q := range k {
			from, to := q*period/k, (q+1)*period/k
			if q == 0 {
				from = min(max(from, earliest), period-1)
				to = max(to, from+1)
			}
			tasks = append(tasks, task{cust: i, q: q, from: from, to: to, est: svc.Seconds() + near})
		}
	}
	slices.SortStableFunc(tasks, func(a, b task) int {
		return cmp.Or(cmp.Compare(a.q, b.q), cmp.Compare(in.Customers[b.cust].Priority, in.Customers[a.cust].Priority),
			cmp.Compare(in.Customers[a.cust].ID, in.Customers[b.cust].ID))
	})

	// Assignment: the earliest allowed day under the even load, else the
	// least loaded day with room.
	total := 0.0
	for _, t := range tasks {
		total += t.est
	}
	capacity := in.Budget.Seconds()
	target := math.Min(capacity, total/float64(len(dates))) * 1.1
	load := make([]float64, len(dates))
	onDay := make([][]int, len(dates)) // customers per day
	daysOf := make([][]int, n)         // days per customer
	allowed := func(t task, day int) bool {
		o := offset[day]
		if o < t.from || o >= t.to || len(windows(t.cust, day)) == 0 {
			return false
		}
		for _, other := range daysOf[t.cust] {
			if abs(offset[other]-o) < cfg.MinGapDays {
				return false
			}
		}
		return true
	}
	place := func(t task, day int) {
		load[day] += t.est
		onDay[day] = append(onDay[day], t.cust)
		daysOf[t.cust] = append(daysOf[t.cust], day)
	}
	var unplaced []task
	for _, t := range tasks {
		best := -1
		for day := range dates {
			if allowed(t, day) && load[day]+t.est <= target {
				best = day
				break
			}
		}
		if best < 0 {
			for day := range dates {
				if allowed(t, day) && load[day]+t.est <= capacity && (best < 0 || load[day] < load[best]) {
					best = day
				}
			}
		}
		if best < 0 {
			unplaced = append(unplaced, t)
			continue
		}
		place(t, best)
	}

	// Solve each day; what a day leaves out is tried on the other allowed
	// days, least loaded first, accepted where it fits without dropping
	// anyone.
	solve := func(day int, custs []int) (*DayRoute, error) {
		din := DayInput{Start: in.Start, End: in.End, StartAt: dates[day].Add(time.Duration(in.DayStart) * time.Minute), Budget: in.Budget,
			Mode: in.Mode, Config: cfg, Matrix: cached, Seed: in.Seed + uint64(day), Iterations: in.Iterations}
		slices.Sort(custs)
		for _, i := range custs {
			c := in.Customers[i].Customer
			c.Windows = windows(i, day)
			din.Customers = append(din.Customers, c)
		}
		left := time.Until(deadline)
		if left < 50*time.Millisecond {
			left = 50 * time.Millisecond
		}
		din.TimeLimit = left / time.Duration(len(dates))
		return Day(ctx, din)
	}
	idx := map[int64]int{}
	for i, c := range in.Customers {
		idx[c.ID] = i
	}
	for day := range dates {
		r, err := solve(day, onDay[day])
		if err != nil {
			return nil, fmt.Errorf("day %s: %w", dates[day].Format(time.DateOnly), err)
		}
		plan.Days[day] = WeekDay{Date: dates[day].Format(time.DateOnly), Route: r}
		kept := onDay[day][:0]
		for _, st := range r.Stops {
			kept = append(kept, idx[st.CustomerID])
		}
		for _, s := range r.Skipped {
			i := idx[s.CustomerID]
			daysOf[i] = slices.DeleteFunc(daysOf[i], func(x int) bool { return x == day })
			for _, t := range tasks {
				if t.cust == i {
					unplaced = append(unplaced, t) // its first task: widest choice
					break
				}
			}
		}
		onDay[day] = kept
	}
	slices.SortStableFunc(unplaced, func(a, b task) int {
		return cmp.Or(cmp.Compare(a.q, b.q), cmp.Compare(in.Customers[b.cust].Priority, in.Customers[a.cust].Priority))
	})
	for _, t := range unplaced {
		if ctx.Err() != nil || time.Now().After(deadline) {
			break
		}
		if len(daysOf[t.cust]) > t.q && t.q > 0 {
			continue
		}
		t.to = period // any day now (after his last visit, for a first one)
		if t.q > 0 {
			t.from = 0
		}
		order := make([]int, 0, len(dates))
		for day := range dates {
			if allowed(t, day) && !slices.Contains(onDay[day], t.cust) {
				order = append(order, day)
			}
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(len(plan.Days[a].Route.Stops), len(plan.Days[b].Route.Stops)) })
		for _, day := range order {
			r, err := solve(day, append(slices.Clone(onDay[day]), t.cust))
			if err != nil {
				return nil, err
			}
			if len(r.Stops) == len(onDay[day])+1 {
				plan.Days[day].Route = r
				onDay[day] = append(onDay[day], t.cust)
				daysOf[t.cust] = append(daysOf[t.cust], day)
				break
			}
		}
	}

	// Write out.
	for day, wd := range plan.Days {
		plan.Priority += wd.Route.Priority
		for _, st := range wd.Route.Stops {
			v := &plan.Visits[idx[st.CustomerID]]
			v.Planned++
			v.Dates = append(v.Dates, plan.Days[day].Date)
		}
	}
	for i, v := range plan.Visits {
		if v.Planned == 0 && v.Wanted > 0 {
			skip(i, SkipNoTime)
		}
	}
	slices.SortStableFunc(plan.Unscheduled, func(a, b Skip) int {
		return cmp.Or(cmp.Compare(b.Priority, a.Priority), cmp.Compare(a.CustomerID, b.CustomerID))
	})
	return plan, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// cachedMatrix answers sub-tables of one table computed up front.
type cachedMatrix struct {
	source string
	index  map[orb.Point]int
	tab    *Table
}

func newCachedMatrix(source string, pts []orb.Point, tab *Table) *cachedMatrix {
	c := &cachedMatrix{source: source, index: make(map[orb.Point]int, len(pts)), tab: tab}
	for i, p := range pts {
		if _, ok := c.index[p]; !ok {
			c.index[p] = i
		}
	}
	return c
}

func (c *cachedMatrix) Source() string { return c.source }

func (c *cachedMatrix) Table(_ context.Context, _ Mode, pts []orb.Point) (*Table, error) {
	ix := make([]int, len(pts))
	for k, p := range pts {
		i, ok := c.index[p]
		if !ok {
			return nil, fmt.Errorf("point %v is not in the week's table", p)
		}
		ix[k] = i
	}
	t := &Table{Dur: square(len(pts)), Dist: square(len(pts))}
	for a, i := range ix {
		for b, j := range ix {
			t.Dur[a][b], t.Dist[a][b] = c.tab.Dur[i][j], c.tab.Dist[i][j]
		}
	}
	return t, nil
}
