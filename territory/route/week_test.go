package route

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"gridplan/funnel"
)

// weekInstance is a manager's list of n customers for a week from Monday.
func weekInstance(tb testing.TB, seed uint64, n int) WeekInput {
	tb.Helper()
	d := instance(tb, seed, n, 1200)
	in := WeekInput{StartDate: monday, Days: 5, Start: d.Start, Mode: Walk, Seed: seed, Budget: 7 * time.Hour}
	for _, c := range d.Customers {
		in.Customers = append(in.Customers, WeekCustomer{Customer: c})
	}
	return in
}

// checkWeek checks every day as a day route, the gaps between visits to
// one customer, and that every customer is visited or said why not.
func checkWeek(tb testing.TB, in WeekInput, w *WeekPlan) {
	tb.Helper()
	cfg := in.Config.withDefaults()
	byID := map[int64]WeekCustomer{}
	for _, c := range in.Customers {
		byID[c.ID] = c
	}
	dates := map[int64][]time.Time{}
	for _, d := range w.Days {
		day, err := time.ParseInLocation(time.DateOnly, d.Date, in.StartDate.Location())
		if err != nil {
			tb.Fatal(err)
		}
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			tb.Errorf("%s is a weekend day", d.Date)
		}
		din := DayInput{Start: in.Start, End: in.End, StartAt: day.Add(9 * time.Hour), Budget: in.Budget, Mode: in.Mode, Config: in.Config}
		for _, st := range d.Route.Stops {
			din.Customers = append(din.Customers, byID[st.CustomerID].Customer)
			dates[st.CustomerID] = append(dates[st.CustomerID], day)
		}
		for _, s := range d.Route.Skipped {
			din.Customers = append(din.Customers, byID[s.CustomerID].Customer)
		}
		checkRoute(tb, din, d.Route)
	}
	for id, ds := range dates {
		for i := 1; i < len(ds); i++ {
			if gap := ds[i].Sub(ds[i-1]).Hours() / 24; gap < float64(cfg.MinGapDays) {
				tb.Errorf("customer %d visited %s and %s: %v days apart, want ≥ %d", id, ds[i-1].Format(time.DateOnly), ds[i].Format(time.DateOnly), gap, cfg.MinGapDays)
			}
		}
	}
	unscheduled := map[int64]bool{}
	for _, s := range w.Unscheduled {
		unscheduled[s.CustomerID] = true
		if len(dates[s.CustomerID]) > 0 {
			tb.Errorf("customer %d both visited and unscheduled", s.CustomerID)
		}
	}
	for _, c := range in.Customers {
		if len(dates[c.ID]) == 0 && !unscheduled[c.ID] {
			tb.Errorf("customer %d neither visited nor unscheduled", c.ID)
		}
	}
}

// TestWeekCoversTheList: 40 customers over five days: every one visited
// at least once, intent customers not more often than every MinGapDays,
// loads even, the highest priorities earliest, the same seed the same plan.
func TestWeekCoversTheList(t *testing.T) {
	in := weekInstance(t, 3, 40)
	w, err := Week(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	checkWeek(t, in, w)
	if len(w.Days) != 5 || w.Days[0].Date != "2026-11-30" || w.Days[4].Date != "2026-12-04" || w.PeriodDays != 7 {
		t.Fatalf("days %d from %s to %s, period %d", len(w.Days), w.Days[0].Date, w.Days[len(w.Days)-1].Date, w.PeriodDays)
	}
	for _, u := range w.Unscheduled {
		t.Errorf("customer %d (%s, priority %.0f) unscheduled: %s", u.CustomerID, u.Stage, u.Priority, u.Reason)
	}
	var durs []float64
	firstPri := make([]float64, len(w.Days))
	firstN := make([]int, len(w.Days))
	seen := map[int64]bool{}
	for i, d := range w.Days {
		durs = append(durs, d.Route.ServiceS+d.Route.TravelS)
		for _, st := range d.Route.Stops {
			if !seen[st.CustomerID] {
				seen[st.CustomerID] = true
				firstPri[i] += st.Priority
				firstN[i]++
			}
		}
		t.Logf("%s: %d stops, priority %.0f, %.1f km, work %s, finish %s", d.Date, len(d.Route.Stops), d.Route.Priority, d.Route.DistanceM/1000,
			time.Duration(durs[i])*time.Second, d.Route.FinishAt.Format("15:04"))
	}
	lo, hi := math.Inf(1), 0.0
	for _, x := range durs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	if hi-lo > 0.5*hi {
		t.Errorf("uneven days: work from %s to %s", time.Duration(lo)*time.Second, time.Duration(hi)*time.Second)
	}
	if a, b := firstPri[0]/float64(max(1, firstN[0])), firstPri[4]/float64(max(1, firstN[4])); firstN[4] > 0 && a < b {
		t.Errorf("first visits on Monday average priority %.1f, on Friday %.1f: want the highest earliest", a, b)
	}
	again, err := Week(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(w, again) {
		t.Error("two runs with the same seed differ")
	}
}

// TestWeekCadence: over two weeks an intent customer (weekly) is visited
// twice, a potential one (every two weeks) once, and one visited yesterday
// not before MinGapDays have passed.
func TestWeekCadence(t *testing.T) {
	in := weekInstance(t, 5, 12)
	in.Days = 10
	yesterday := monday.AddDate(0, 0, -1)
	for i := range in.Customers {
		c := &in.Customers[i]
		c.Windows = nil
		switch i % 3 {
		case 0:
			c.Stage = funnel.Intent
		case 1:
			c.Stage = funnel.Potential
		case 2:
			c.Stage, c.LastVisit = funnel.Intent, &yesterday
		}
	}
	w, err := Week(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	checkWeek(t, in, w)
	if w.PeriodDays != 14 {
		t.Errorf("period %d days, want 14", w.PeriodDays)
	}
	for i, v := range w.Visits {
		c := in.Customers[i]
		want := map[funnel.Stage]int{funnel.Intent: 2, funnel.Potential: 1}[c.Stage]
		if v.Wanted != want || v.Planned != want {
			t.Errorf("customer %d (%s): wanted %d, planned %d (%v), want %d", c.ID, c.Stage, v.Wanted, v.Planned, v.Dates, want)
		}
		if c.LastVisit != nil && len(v.Dates) > 0 && v.Dates[0] < "2026-12-02" {
			t.Errorf("customer %d visited yesterday is planned on %s", c.ID, v.Dates[0])
		}
	}
}
