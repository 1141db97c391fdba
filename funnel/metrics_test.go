package funnel

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func d(month time.Month, day int) time.Time {
	return time.Date(2026, month, day, 10, 0, 0, 0, time.UTC)
}

func tp(t time.Time) *time.Time { return &t }

// metricsFixture is a ten-customer scope whose numbers are worked out by
// hand in TestMetrics. Period: October 2026 (31 days).
func metricsFixture() MetricsInput {
	tr := func(id, cust int64, from, to Stage, at time.Time) *Transition {
		return &Transition{ID: id, CustomerID: cust, From: from, To: to, At: at}
	}
	act := func(cust int64, kind ActivityKind, at time.Time, verified bool) *Activity {
		return &Activity{CustomerID: cust, ManagerID: 1, Kind: kind, At: at, Verified: verified}
	}
	c4contract := act(4, VisitBuilding, d(10, 1), true)
	c4contract.ContractExpires = tp(time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC))
	c4complaint := act(4, Phone, d(10, 15), true)
	c4complaint.Signals = []SignalKind{CompetitorComplaint}
	c9complaint := act(9, Phone, d(6, 1), true)
	c9complaint.Signals = []SignalKind{CompetitorComplaint}
	c9contract := act(9, RetentionCall, d(7, 1), true)
	c9contract.ContractExpires = tp(time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC))
	return MetricsInput{
		From: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		To:   time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		Customers: []MetricCustomer{
			{ID: 1, Stage: Target},
			{ID: 2, Stage: List, OwnerID: 1},
			{ID: 3, Stage: Potential, OwnerID: 1},
			{ID: 4, Stage: InNetwork},
			{ID: 5, Stage: Lost},
			{ID: 6, Stage: Churned},
			{ID: 7, Stage: Lost, FirstContactAt: tp(d(10, 20))},
			{ID: 8, Stage: InNetwork},
			{ID: 9, Stage: InNetwork},
			{ID: 10, Stage: Intent, OwnerID: 1},
		},
		// Deliberately out of time order: Metrics sorts per customer.
		Transitions: []*Transition{
			tr(30, 10, Potential, Intent, d(10, 22)),
			tr(1, 2, Target, List, d(9, 20)),
			tr(2, 3, Target, List, d(9, 1)),
			tr(3, 3, List, Potential, d(10, 11)),
			tr(4, 4, Target, List, d(8, 1)),
			tr(5, 4, List, Potential, d(8, 11)),
			tr(6, 4, Potential, Intent, d(8, 21)),
			tr(7, 4, Intent, Order, d(9, 1)),
			tr(8, 4, Order, InNetwork, d(10, 1)),
			tr(9, 5, Target, List, d(9, 5)),
			tr(10, 5, List, Potential, d(9, 25)),
			tr(11, 5, Potential, Lost, d(10, 20)),
			tr(28, 10, Target, List, d(10, 2)),
			tr(29, 10, List, Potential, d(10, 12)),
			tr(99, 99, Order, InNetwork, d(10, 5)), // not in scope
		},
		Activities: []*Activity{
			act(1, VisitDoor, d(11, 1), true), // at To: after the period
			act(2, Phone, d(9, 15), true),
			act(2, VisitStreet, d(10, 5), true),
			act(3, VisitDoor, d(10, 11), false),
			c4contract,
			c4complaint,
			c9complaint,
			c9contract,
			act(10, VisitDoor, d(10, 2), false),
			act(10, VisitStreet, d(10, 12), true),
			act(99, VisitDoor, d(10, 3), true), // not in scope
		},
		TargetOrders: 8,
	}
}

func TestMetrics(t *testing.T) {
	r := Metrics(metricsFixture())

	wantCounts := map[Stage]int{Target: 1, List: 1, Potential: 1, Intent: 1, Order: 0, InNetwork: 3, Lost: 2, Churned: 1}
	if !reflect.DeepEqual(r.Counts, wantCounts) {
		t.Errorf("counts %v, want %v", r.Counts, wantCounts)
	}
	// Furthest steps: 1:target 2:list 3:potential 4:in_network 5:potential
	// (lost from there) 6:in_network (churned) 7:target (lost, no history)
	// 8,9:in_network 10:intent.
	wantReached := map[Stage]int{Target: 10, List: 8, Potential: 7, Intent: 5, Order: 4, InNetwork: 4}
	if !reflect.DeepEqual(r.Reached, wantReached) {
		t.Errorf("reached %v, want %v", r.Reached, wantReached)
	}
	wantConv := []Conversion{
		{Target, List, 0.8}, {List, Potential, 7.0 / 8}, {Potential, Intent, 5.0 / 7}, {Intent, Order, 0.8}, {Order, InNetwork, 1},
	}
	if !reflect.DeepEqual(r.Conversions, wantConv) {
		t.Errorf("conversions %v, want %v", r.Conversions, wantConv)
	}
	// Stays ending in October: list 40 (c3) and 10 (c10) days; potential
	// 25 (c5) and 10 (c10); order 30 (c4). c4's earlier stays ended before.
	wantMedian := map[Stage]float64{List: 25, Potential: 17.5, Order: 30}
	if !reflect.DeepEqual(r.MedianDaysInStage, wantMedian) {
		t.Errorf("median days %v, want %v", r.MedianDaysInStage, wantMedian)
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"days", r.Days, 31},
		{"contacted", float64(r.Contacted), 10},
		{"success rate", r.SuccessRate, 0.3},
		{"order rate", r.OrderRate, 0.4},
		// First contact in October: c3 (10-11), c4 (10-01), c10 (10-02),
		// c7 (given); not c2 (09-15), c9 (06-01), c1 (only at To).
		{"new contacts", float64(r.NewContacts), 4},
		{"new contacts per day", r.NewContactsPerDay, 4.0 / 31},
		{"visits", float64(r.Visits), 5},
		{"verified visits", float64(r.VerifiedVisits), 3},
		{"target orders", float64(r.TargetOrders), 8},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// 8 orders at 0.4 per contact = 20 contacts over 31 days.
	if r.DailyContactsNeeded == nil || math.Abs(*r.DailyContactsNeeded-20.0/31) > 1e-12 {
		t.Errorf("daily contacts needed %v, want %v", r.DailyContactsNeeded, 20.0/31)
	}
	wantWarn := []Warning{
		{CustomerID: 4, Kind: WarnRenewalNear, Due: tp(time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC))},
		{CustomerID: 4, Kind: WarnOpenComplaint, Since: tp(d(10, 15))},
		{CustomerID: 8, Kind: WarnNoContact},
		{CustomerID: 9, Kind: WarnNoContact, Since: tp(d(7, 1))},
	}
	if !reflect.DeepEqual(r.Warnings, wantWarn) {
		t.Errorf("warnings\n got %s\nwant %s", mustJSON(t, r.Warnings), mustJSON(t, wantWarn))
	}
}

func TestMetricsEmpty(t *testing.T) {
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	r := Metrics(MetricsInput{From: from, To: from.AddDate(0, 0, 7), TargetOrders: 5})
	for _, s := range Stages {
		if n, ok := r.Counts[s]; !ok || n != 0 {
			t.Errorf("counts[%s] = %d, %v", s, n, ok)
		}
	}
	for _, s := range Steps {
		if _, ok := r.Reached[s]; !ok {
			t.Errorf("reached[%s] absent", s)
		}
	}
	if len(r.Conversions) != 5 || r.Conversions[0].Rate != 0 || r.SuccessRate != 0 || r.Days != 7 {
		t.Errorf("empty report %+v", r)
	}
	if r.DailyContactsNeeded != nil {
		t.Error("contacts needed without any order observed")
	}
	b := mustJSON(t, r)
	for _, key := range []string{`"counts":{`, `"reached":{`, `"conversions":[`, `"median_days_in_stage":{}`, `"success_rate":0`,
		`"new_contacts_per_day":0`, `"verified_visits":0`, `"warnings":[]`, `"target_orders":5`} {
		if !strings.Contains(b, key) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}
	if strings.Contains(b, "daily_contacts_needed") {
		t.Errorf("unknown need encoded: %s", b)
	}
}

func TestContactsPerDay(t *testing.T) {
	r := &Report{OrderRate: 0.1, Days: 30}
	tests := []struct {
		name   string
		r      *Report
		target int
		want   float64
		ok     bool
	}{
		{"10% over 30 days, 6 orders", r, 6, 2, true},
		{"no target", r, 0, 0, false},
		{"no orders observed", &Report{Days: 30}, 6, 0, false},
		{"empty period", &Report{OrderRate: 0.1}, 6, 0, false},
	}
	for _, tt := range tests {
		got, ok := tt.r.ContactsPerDay(tt.target)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// TestMetricsWarnings: the boundaries of each early warning, one
// in-network customer at a time.
func TestMetricsWarnings(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	act := func(kind ActivityKind, at time.Time, signals ...SignalKind) *Activity {
		return &Activity{CustomerID: 1, ManagerID: 1, Kind: kind, At: at, Signals: signals, Verified: true}
	}
	expiring := func(at, ends time.Time) *Activity {
		a := act(Phone, at, ContractExpiring)
		a.ContractExpires = &ends
		return a
	}
	recent := act(Phone, now.AddDate(0, 0, -1))
	tests := []struct {
		name  string
		cfg   *Config
		last  *time.Time
		trans []*Transition
		acts  []*Activity
		want  []string
	}{
		{"contacted yesterday", nil, nil, nil, []*Activity{recent}, nil},
		{"silent 89 days", nil, nil, nil, []*Activity{act(Phone, now.AddDate(0, 0, -89))}, nil},
		{"silent 90 days", nil, nil, nil, []*Activity{act(Phone, now.AddDate(0, 0, -90))}, []string{WarnNoContact}},
		{"custom no-contact days", &Config{NoContactDays: 30}, nil, nil, []*Activity{act(Phone, now.AddDate(0, 0, -31))}, []string{WarnNoContact}},
		{"last contact given by caller", nil, tp(now.AddDate(0, 0, -2)), nil, []*Activity{act(Phone, now.AddDate(0, 0, -200))}, nil},
		{"activated recently, no activity", nil, nil, []*Transition{{CustomerID: 1, From: Order, To: InNetwork, At: now.AddDate(0, 0, -10)}}, nil, nil},
		{"never contacted", nil, nil, nil, nil, []string{WarnNoContact}},
		{"renewal in 60 days", nil, nil, nil, []*Activity{recent, expiring(now.AddDate(0, 0, -100), now.AddDate(0, 0, 60))}, []string{WarnRenewalNear}},
		{"renewal in 61 days", nil, nil, nil, []*Activity{recent, expiring(now.AddDate(0, 0, -100), now.AddDate(0, 0, 61))}, nil},
		{"renewal today", nil, nil, nil, []*Activity{recent, expiring(now.AddDate(0, 0, -100), now.Add(-8*time.Hour))}, []string{WarnRenewalNear}},
		{"renewal passed", nil, nil, nil, []*Activity{recent, expiring(now.AddDate(0, 0, -100), now.AddDate(0, 0, -1))}, nil},
		{"latest recorded end wins", nil, nil, nil, []*Activity{recent, expiring(now.AddDate(0, 0, -100), now.AddDate(0, 0, 10)), expiring(now.AddDate(0, 0, -5), now.AddDate(1, 0, 0))}, nil},
		{"open complaint", nil, nil, nil, []*Activity{act(Phone, now.AddDate(0, 0, -3), CompetitorComplaint)}, []string{WarnOpenComplaint}},
		{"complaint answered by a retention call", nil, nil, nil, []*Activity{act(Phone, now.AddDate(0, 0, -3), CompetitorComplaint), act(RetentionCall, now.AddDate(0, 0, -1))}, nil},
		{"retention call before complaint", nil, nil, nil, []*Activity{act(RetentionCall, now.AddDate(0, 0, -5)), act(Phone, now.AddDate(0, 0, -3), CompetitorComplaint)}, []string{WarnOpenComplaint}},
		{"complaint before activation", nil, nil, []*Transition{{CustomerID: 1, From: Order, To: InNetwork, At: now.AddDate(0, 0, -10)}},
			[]*Activity{act(Phone, now.AddDate(0, 0, -20), CompetitorComplaint)}, nil},
		{"all three", nil, nil, nil, []*Activity{act(Phone, now.AddDate(0, 0, -120), CompetitorComplaint), expiring(now.AddDate(0, 0, -100), now.AddDate(0, 0, 30))},
			[]string{WarnNoContact, WarnRenewalNear, WarnOpenComplaint}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Metrics(MetricsInput{
				Config: tt.cfg, From: now.AddDate(0, -1, 0), To: now, Now: now,
				Customers:   []MetricCustomer{{ID: 1, Stage: InNetwork, LastContactAt: tt.last}, {ID: 2, Stage: Intent}},
				Transitions: tt.trans, Activities: tt.acts,
			})
			var kinds []string
			for _, w := range r.Warnings {
				if w.CustomerID != 1 {
					t.Errorf("warning on a customer not in network: %+v", w)
				}
				kinds = append(kinds, w.Kind)
			}
			if !reflect.DeepEqual(kinds, tt.want) {
				t.Errorf("warnings %v, want %v", kinds, tt.want)
			}
		})
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
