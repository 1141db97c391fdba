package route

import (
	"context"
	"testing"
	"time"
)

// Sinks keep the compiler from dropping the benchmarked work.
var (
	sinkRoute *DayRoute
)

// benchDay is the Done-when instance: a manager's 50 customers over a
// grid of about 2.4 × 2.4 km, business hours by industry, on foot, 8 hours.
func benchDay(b *testing.B, greedy bool) {
	in := instance(b, 42, 50, 1200)
	ctx := context.Background()
	b.ReportAllocs()
	var pr float64
	for b.Loop() {
		var err error
		if greedy {
			sinkRoute, err = DayGreedy(ctx, in)
		} else {
			sinkRoute, err = Day(ctx, in)
		}
		if err != nil {
			b.Fatal(err)
		}
		pr = sinkRoute.Priority
	}
	b.ReportMetric(pr, "priority")
	b.ReportMetric(float64(len(sinkRoute.Stops)), "stops")
}

// BenchmarkDay50: Day with its defaults on 50 customers (Done when: < 200 ms).
func BenchmarkDay50(b *testing.B) { benchDay(b, false) }

// BenchmarkDayGreedy50 is the naive baseline on the same instance.
func BenchmarkDayGreedy50(b *testing.B) { benchDay(b, true) }

// TestDay50Under200ms is the Done-when figure as a test: the best of five
// runs of BenchmarkDay50's instance takes less than 200 ms (not under the
// race detector, which slows everything about tenfold).
func TestDay50Under200ms(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("timing: not under -race or -short")
	}
	in := instance(t, 42, 50, 1200)
	best := time.Hour
	for range 5 {
		t0 := time.Now()
		r, err := Day(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		checkRoute(t, in, r)
		best = min(best, time.Since(t0))
	}
	t.Logf("50 customers: best of 5 runs %s", best)
	if best >= 200*time.Millisecond {
		t.Errorf("50 customers take %s, want < 200 ms", best)
	}
}
