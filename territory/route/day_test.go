package route

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/funnel"
	"gridplan/geo"
)

// checkRoute checks a route against its input: every stop begins inside
// one of the customer's windows and ends by its close, the times add up,
// the route finishes by the deadline, and every customer is either a stop
// or skipped, once.
func checkRoute(tb testing.TB, in DayInput, r *DayRoute) {
	tb.Helper()
	cfg := in.Config.withDefaults()
	byID := map[int64]Customer{}
	for _, c := range in.Customers {
		byID[c.ID] = c
	}
	seen := map[int64]bool{}
	y, m, d := in.StartAt.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, in.StartAt.Location())
	prev := in.StartAt
	const slack = time.Millisecond
	for i, st := range r.Stops {
		c, ok := byID[st.CustomerID]
		if !ok || seen[c.ID] {
			tb.Fatalf("stop %d: customer %d unknown or twice", i+1, st.CustomerID)
		}
		seen[c.ID] = true
		if st.Seq != i+1 {
			tb.Errorf("stop %d has seq %d", i+1, st.Seq)
		}
		if st.Arrive.Before(prev.Add(-slack)) || st.Begin.Before(st.Arrive.Add(-slack)) || st.Depart.Before(st.Begin) {
			tb.Errorf("stop %d: times out of order: prev %s arrive %s begin %s depart %s", i+1, prev, st.Arrive, st.Begin, st.Depart)
		}
		ws := c.Windows
		if ws == nil {
			ws = cfg.Hours.For(c.ID, c.Industry, in.StartAt.Weekday())
		}
		inside := false
		for _, w := range ws {
			open := midnight.Add(time.Duration(w.Open) * time.Minute)
			closes := midnight.Add(time.Duration(w.Close) * time.Minute)
			if !st.Begin.Before(open.Add(-slack)) && !st.Depart.After(closes.Add(slack)) {
				inside = true
			}
		}
		if !inside {
			tb.Errorf("stop %d (%d, %s): visit %s–%s outside its hours %v", i+1, c.ID, c.Industry, st.Begin.Format("15:04:05"), st.Depart.Format("15:04:05"), ws)
		}
		prev = st.Depart
	}
	if r.FinishAt.After(r.Deadline.Add(slack)) || r.Deadline != in.StartAt.Add(in.Budget) {
		tb.Errorf("finishes at %s, deadline %s (budget %s from %s)", r.FinishAt, r.Deadline, in.Budget, in.StartAt)
	}
	for _, s := range r.Skipped {
		if seen[s.CustomerID] {
			tb.Errorf("customer %d both visited and skipped", s.CustomerID)
		}
		seen[s.CustomerID] = true
	}
	if len(seen) != len(in.Customers) {
		tb.Errorf("%d customers accounted for, %d given", len(seen), len(in.Customers))
	}
	sum := 0.0
	for _, st := range r.Stops {
		sum += st.Priority
	}
	if math.Abs(sum-r.Priority) > 1e-6 {
		tb.Errorf("priority %v, stops sum to %v", r.Priority, sum)
	}
}

// TestDayProperties: on random instances (walk, e-bike and car; tight and
// loose budgets; with and without an end point) every time window and the
// budget are respected, the priority is never below the simple greedy's,
// and the same seed gives the same route.
func TestDayProperties(t *testing.T) {
	ctx := context.Background()
	for seed := uint64(1); seed <= 24; seed++ {
		in := instance(t, seed, 10+int(seed)*2, 1500)
		in.Mode = Modes[seed%3]
		in.Budget = time.Duration(2+seed%7) * time.Hour
		in.StartAt = monday.Add(time.Duration(seed%5) * 24 * time.Hour).Add(time.Duration(seed%4) * 37 * time.Minute)
		if seed%2 == 0 {
			e := geo.Offset(in.Start, 800, -300)
			in.End = &e
		}
		in.Iterations, in.TimeLimit = 60, time.Minute
		r, err := Day(ctx, in)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		checkRoute(t, in, r)
		g, err := DayGreedy(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		checkRoute(t, in, g)
		if r.Priority < g.Priority-1e-9 {
			t.Errorf("seed %d: priority %v below the greedy's %v", seed, r.Priority, g.Priority)
		}
		if r.Baseline != g.Priority {
			t.Errorf("seed %d: baseline %v, greedy %v", seed, r.Baseline, g.Priority)
		}
		again, err := Day(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r, again) {
			t.Errorf("seed %d: two runs differ: %v vs %v stops, priority %v vs %v", seed, len(r.Stops), len(again.Stops), r.Priority, again.Priority)
		}
		t.Logf("seed %d %s %s: %d of %d customers, priority %.1f (greedy %.1f), %.1f km, %s", seed, in.Mode, in.Budget, len(r.Stops), len(in.Customers),
			r.Priority, g.Priority, r.DistanceM/1000, time.Duration(r.DurationS)*time.Second)
	}
}

// TestDaySkipReasons: a customer closed today, one too far for the budget,
// one without priority and one the others outrank each get their reason.
func TestDaySkipReasons(t *testing.T) {
	start := orb.Point{120.15, 30.27}
	near := func(e, n float64) orb.Point { return geo.Offset(start, e, n) }
	allDay := []Window{{Open: 0, Close: 24 * 60}}
	in := DayInput{Start: start, StartAt: monday, Budget: time.Hour, Mode: Walk, Customers: []Customer{
		{ID: 1, Name: "开着", Location: near(200, 0), Stage: funnel.Intent, Priority: 50, Windows: []Window{{Open: 9 * 60, Close: 18 * 60}}},
		{ID: 2, Name: "关门", Location: near(100, 0), Stage: funnel.Intent, Priority: 90, Windows: []Window{}},
		{ID: 3, Name: "太远", Location: near(20000, 0), Stage: funnel.Intent, Priority: 90, Windows: allDay},
		{ID: 4, Name: "无", Location: near(0, 100), Stage: funnel.Lost, Priority: 0, Windows: allDay},
		{ID: 5, Name: "次要", Location: near(-1500, 0), Stage: funnel.List, Priority: 10, Industry: "零售"},
		{ID: 6, Name: "周日", Location: near(0, -100), Stage: funnel.List, Priority: 10, Industry: "软件和信息技术服务"},
	}}
	in.StartAt = time.Date(2026, 12, 6, 9, 30, 0, 0, cst) // a Sunday: offices closed
	r, err := Day(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	checkRoute(t, in, r)
	if len(r.Stops) != 1 || r.Stops[0].CustomerID != 1 {
		t.Fatalf("stops %+v, want customer 1 alone", r.Stops)
	}
	want := map[int64]SkipReason{2: SkipClosed, 3: SkipNoTime, 4: SkipLowPriority, 5: SkipLowPriority, 6: SkipClosed}
	for _, s := range r.Skipped {
		if want[s.CustomerID] != s.Reason {
			t.Errorf("customer %d (%s) skipped for %s, want %s", s.CustomerID, s.Name, s.Reason, want[s.CustomerID])
		}
	}
}

// TestDayWaitsForOpening: a restaurant reached before 10:00 is visited at
// 10:00 with the wait reported; one reached between lunch and dinner at
// 17:00.
func TestDayWaitsForOpening(t *testing.T) {
	start := orb.Point{120.15, 30.27}
	in := DayInput{Start: start, StartAt: monday.Add(-30 * time.Minute), Budget: 3 * time.Hour, Mode: Walk, Customers: []Customer{
		{ID: 1, Name: "面馆", Location: geo.Offset(start, 300, 0), Stage: funnel.Potential, Priority: 40, Industry: "餐饮"},
	}}
	r, err := Day(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	checkRoute(t, in, r)
	if len(r.Stops) != 1 {
		t.Fatalf("stops %+v", r.Stops)
	}
	st := r.Stops[0]
	if got := st.Begin.Format("15:04"); got != "10:00" || st.WaitS <= 0 {
		t.Errorf("begins %s after waiting %vs, want 10:00 after a wait", got, st.WaitS)
	}
	in.StartAt, in.Budget = time.Date(2026, 11, 30, 14, 0, 0, 0, cst), 4*time.Hour
	r, err = Day(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Stops[0].Begin.Format("15:04"); got != "17:00" {
		t.Errorf("afternoon visit begins %s, want 17:00", got)
	}
}

// TestDayBeatsGreedyOnAverage: the search does what it is for: on 50
// customers with time windows it collects more than the greedy baseline.
func TestDayBeatsGreedyOnAverage(t *testing.T) {
	var gain float64
	for seed := uint64(1); seed <= 8; seed++ {
		in := instance(t, seed, 50, 1200)
		in.Budget = 5 * time.Hour
		r, err := Day(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		checkRoute(t, in, r)
		gain += r.Priority/r.Baseline - 1
		t.Logf("seed %d: %d stops, priority %.0f vs greedy %.0f, %d iterations", seed, len(r.Stops), r.Priority, r.Baseline, r.Iterations)
	}
	if gain <= 0 {
		t.Errorf("mean gain over the greedy %.2f%%", gain/8*100)
	}
	t.Logf("mean gain over the greedy: %.1f%%", gain/8*100)
}
