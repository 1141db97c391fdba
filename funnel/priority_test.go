package funnel

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestPriority(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	days := func(n float64) time.Duration { return time.Duration(n * float64(24*time.Hour)) }
	ago := func(n float64) time.Time { return now.Add(-days(n)) }
	in := func(n float64) *time.Time { t := now.Add(days(n)); return &t }
	tests := []struct {
		name string
		in   PriorityInput
		want float64
	}{
		{"target", PriorityInput{Stage: Target}, 10},
		{"lost", PriorityInput{Stage: Lost, DaysSinceContact: 400}, 0},
		{"list, claim safe", PriorityInput{Stage: List, Claimed: true, LapseIn: days(20)}, 20},
		{"list, half into warning, 15 days silent", PriorityInput{Stage: List, Claimed: true, LapseIn: days(3.5), DaysSinceContact: 15}, 20 + 12.5 + 5},
		{"list, custom warn window", PriorityInput{Stage: List, Claimed: true, LapseIn: days(3.5), WarnDays: 14}, 20 + 25*0.75},
		{"list, overdue claim, never contacted", PriorityInput{Stage: List, Claimed: true, LapseIn: -days(1), DaysSinceContact: -1}, 20 + 25 + 10},
		{"order, 60 days silent", PriorityInput{Stage: Order, DaysSinceContact: 60}, 50 + 10},
		{"signals fade, latest of a kind counts", PriorityInput{Stage: Potential, Signals: []SignalAt{
			{ContractExpiring, ago(0)},
			{CompetitorComplaint, ago(80)},
			{CompetitorComplaint, ago(45)},
			{ProductInquiry, ago(100)},
		}}, 30 + 20 + 7.5},
		{"signal in the future counts full", PriorityInput{Stage: Target, Signals: []SignalAt{{Relocation, now.Add(time.Hour)}}}, 10 + 10},
		{"contract ends in 45 days", PriorityInput{Stage: Target, ContractExpires: in(45)}, 10 + 15},
		{"contract ended 10 days ago", PriorityInput{Stage: Target, ContractExpires: in(-10)}, 10 + 30},
		{"contract ended 40 days ago", PriorityInput{Stage: Target, ContractExpires: in(-40)}, 10},
		{"contract in a year", PriorityInput{Stage: Target, ContractExpires: in(365)}, 10},
		{"in_network silent", PriorityInput{Stage: InNetwork, DaysSinceContact: 200}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Now = now
			if got := Priority(tt.in); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("Priority = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPriorityOrder: the order a manager's list is shown in.
func TestPriorityOrder(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	expires := now.AddDate(0, 0, 10)
	items := map[string]PriorityInput{
		"intent about to lapse":    {Stage: Intent, Claimed: true, LapseIn: 24 * time.Hour, DaysSinceContact: 29},
		"list with expiring rival": {Stage: List, Claimed: true, LapseIn: 20 * 24 * time.Hour, ContractExpires: &expires, Signals: []SignalAt{{ContractExpiring, now.AddDate(0, 0, -2)}}},
		"order, fresh":             {Stage: Order, Claimed: true, LapseIn: 29 * 24 * time.Hour},
		"list, nothing":            {Stage: List, Claimed: true, LapseIn: 25 * 24 * time.Hour, DaysSinceContact: 5},
		"in network":               {Stage: InNetwork},
		"churned":                  {Stage: Churned},
	}
	want := []string{"intent about to lapse", "list with expiring rival", "order, fresh", "list, nothing", "in network", "churned"}
	got := make([]string, 0, len(items))
	for name := range items {
		got = append(got, name)
	}
	score := func(name string) float64 { in := items[name]; in.Now = now; return Priority(in) }
	slices.SortFunc(got, func(a, b string) int {
		if sa, sb := score(a), score(b); sa != sb {
			if sa > sb {
				return -1
			}
			return 1
		}
		return 0
	})
	if !slices.Equal(got, want) {
		for _, n := range got {
			t.Logf("%6.2f %s", score(n), n)
		}
		t.Errorf("order %v, want %v", got, want)
	}
}
