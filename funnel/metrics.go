package funnel

import (
	"cmp"
	"slices"
	"time"
)

// MetricCustomer is one customer in the scope of a report (a manager's
// list, a grid, a district, the province): the caller chooses the scope by
// the customers it passes.
type MetricCustomer struct {
	ID         int64 `json:"id"`
	Stage      Stage `json:"stage"`
	OwnerID    int64 `json:"owner_id,omitempty"`
	GridID     int64 `json:"grid_id,omitempty"`
	DistrictID int64 `json:"district_id,omitempty"`
	// FirstContactAt and LastContactAt, when set, replace what the given
	// activities say (for a caller that aggregates them in SQL rather than
	// loading every activity).
	FirstContactAt *time.Time `json:"first_contact_at,omitempty"`
	LastContactAt  *time.Time `json:"last_contact_at,omitempty"`
}

// MetricsInput is everything Metrics reads. Transitions and activities of
// customers not in Customers are ignored, so a caller may over-fetch.
type MetricsInput struct {
	Config *Config // nil: the defaults
	// From, To: the period [From, To).
	From, To time.Time
	// Now dates the in-network warnings (zero: To).
	Now       time.Time
	Customers []MetricCustomer
	// Transitions of the customers. Those before From are not required,
	// but make Reached exact (a customer who reached order before the
	// period and is lost now) and give stays that end in the period their
	// start.
	Transitions []*Transition
	// Activities of the customers. Those before From are not required,
	// but make "new contact" exact and feed the warnings (last contact,
	// renewal date, complaints).
	Activities []*Activity
	// TargetOrders, when > 0, asks for DailyContactsNeeded.
	TargetOrders int
}

// Conversion is the share of customers that reached From who also reached To.
type Conversion struct {
	From Stage   `json:"from"`
	To   Stage   `json:"to"`
	Rate float64 `json:"rate"`
}

// Warning kinds for in-network customers (预警).
const (
	WarnNoContact     = "no_contact"     // no activity for NoContactDays
	WarnRenewalNear   = "renewal_near"   // a contract end within RenewalWarnDays
	WarnOpenComplaint = "open_complaint" // a complaint not followed by a retention call
)

// Warning is an early warning on an in-network customer. Since is when the
// silence or complaint began (nil: never contacted on record); Due is the
// contract end date of a renewal_near.
type Warning struct {
	CustomerID int64      `json:"customer_id"`
	Kind       string     `json:"kind"`
	Since      *time.Time `json:"since,omitempty"`
	Due        *time.Time `json:"due,omitempty"`
}

// Report is the funnel of a scope over a period.
type Report struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	Days float64   `json:"days"`
	// Counts: customers at each stage now (every stage, 0 included).
	Counts map[Stage]int `json:"counts"`
	// Reached: customers whose furthest step is at least each of the six
	// steps (from their transitions and current stage; churned implies
	// in_network, lost at least target).
	Reached map[Stage]int `json:"reached"`
	// Conversions between consecutive steps: Reached[next] / Reached[step].
	Conversions []Conversion `json:"conversions"`
	// MedianDaysInStage: median length, in days, of the stays in each step
	// that ended during the period (stays still going are not counted);
	// steps without such a stay are absent.
	MedianDaysInStage map[Stage]float64 `json:"median_days_in_stage"`
	// Contacted: every customer in scope, lost and churned included (a
	// target has been visited by definition); SuccessRate = Counts[in_network]
	// / Contacted (the method expects under 15%).
	Contacted   int     `json:"contacted"`
	SuccessRate float64 `json:"success_rate"`
	// NewContacts: customers whose first activity falls in the period.
	NewContacts       int     `json:"new_contacts"`
	NewContactsPerDay float64 `json:"new_contacts_per_day"`
	// Visits logged in the period, and those verified by position.
	Visits         int `json:"visits"`
	VerifiedVisits int `json:"verified_visits"`
	// OrderRate: customers who reached order (Reached[order]) per contacted.
	OrderRate float64 `json:"order_rate"`
	// DailyContactsNeeded to sign TargetOrders orders over a period as long
	// as this one at OrderRate; nil when not asked or no order observed.
	TargetOrders        int       `json:"target_orders,omitempty"`
	DailyContactsNeeded *float64  `json:"daily_contacts_needed,omitempty"`
	Warnings            []Warning `json:"warnings"`
}

// ContactsPerDay is how many new contacts a day sign targetOrders orders
// over the report's period at its observed OrderRate; false when no order
// was observed (no rate to extrapolate) or the period is empty.
func (r *Report) ContactsPerDay(targetOrders int) (float64, bool) {
	if r.OrderRate <= 0 || r.Days <= 0 || targetOrders <= 0 {
		return 0, false
	}
	return float64(targetOrders) / r.OrderRate / r.Days, true
}

// contactAgg is what the warnings and new contacts need of one customer's
// activities, gathered in one pass.
type contactAgg struct {
	first, last     time.Time
	contractAt      time.Time // activity that recorded the latest contract end
	contractExpires time.Time
	complaintAt     time.Time // latest complaint signal
	retentionAt     time.Time // latest retention call
}

// Metrics computes the report of in. It is pure and linear in its input
// (plus sorting each customer's transitions).
func Metrics(in MetricsInput) *Report {
	cfg := in.Config
	now := in.Now
	if now.IsZero() {
		now = in.To
	}
	r := &Report{
		From: in.From, To: in.To,
		Counts:            map[Stage]int{},
		Reached:           map[Stage]int{},
		MedianDaysInStage: map[Stage]float64{},
		Warnings:          []Warning{},
		TargetOrders:      max(in.TargetOrders, 0),
	}
	if in.To.After(in.From) {
		r.Days = in.To.Sub(in.From).Hours() / 24
	}
	inPeriod := func(t time.Time) bool { return !t.Before(in.From) && t.Before(in.To) }

	idx := make(map[int64]int, len(in.Customers))
	for i, c := range in.Customers {
		idx[c.ID] = i
	}
	for _, s := range Stages {
		r.Counts[s] = 0
	}
	for _, s := range Steps {
		r.Reached[s] = 0
	}
	for _, c := range in.Customers {
		r.Counts[c.Stage]++
	}
	r.Contacted = len(in.Customers)

	// Reached and stays, from each customer's transitions in time order.
	byCustomer := map[int64][]*Transition{}
	for _, t := range in.Transitions {
		if _, ok := idx[t.CustomerID]; ok {
			byCustomer[t.CustomerID] = append(byCustomer[t.CustomerID], t)
		}
	}
	furthest := make([]int, len(in.Customers))
	enteredNetwork := map[int64]time.Time{}
	for i, c := range in.Customers {
		f := c.Stage.Step()
		if c.Stage == Churned {
			f = InNetwork.Step()
		}
		furthest[i] = f
	}
	stays := map[Stage][]float64{}
	for id, ts := range byCustomer {
		slices.SortStableFunc(ts, func(a, b *Transition) int {
			return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
		})
		i := idx[id]
		for k, t := range ts {
			furthest[i] = max(furthest[i], t.From.Step(), t.To.Step())
			if t.To == InNetwork {
				enteredNetwork[id] = t.At
			}
			if k == 0 {
				continue
			}
			prev := ts[k-1]
			// A gap in the record (prev.To ≠ t.From) hides the real stay.
			if prev.To == t.From && t.From.Step() > 0 && inPeriod(t.At) {
				stays[t.From] = append(stays[t.From], t.At.Sub(prev.At).Hours()/24)
			}
		}
	}
	for _, f := range furthest {
		f = max(f, Target.Step()) // a lost customer was at least a target
		for _, s := range Steps[:f] {
			r.Reached[s]++
		}
	}
	for k := 0; k+1 < len(Steps); k++ {
		a, b := Steps[k], Steps[k+1]
		r.Conversions = append(r.Conversions, Conversion{From: a, To: b, Rate: ratio(r.Reached[b], r.Reached[a])})
	}
	for s, d := range stays {
		r.MedianDaysInStage[s] = median(d)
	}
	r.SuccessRate = ratio(r.Counts[InNetwork], r.Contacted)
	r.OrderRate = ratio(r.Reached[Order], r.Contacted)

	// Activities: visits of the period, and per-customer aggregates.
	aggs := make([]contactAgg, len(in.Customers))
	for _, a := range in.Activities {
		i, ok := idx[a.CustomerID]
		if !ok || !a.At.Before(in.To) {
			continue
		}
		if inPeriod(a.At) && IsVisit(a.Kind) {
			r.Visits++
			if a.Verified {
				r.VerifiedVisits++
			}
		}
		g := &aggs[i]
		if g.first.IsZero() || a.At.Before(g.first) {
			g.first = a.At
		}
		if a.At.After(g.last) {
			g.last = a.At
		}
		if a.ContractExpires != nil && !a.At.Before(g.contractAt) {
			g.contractAt, g.contractExpires = a.At, *a.ContractExpires
		}
		if slices.Contains(a.Signals, CompetitorComplaint) && a.At.After(g.complaintAt) {
			g.complaintAt = a.At
		}
		if a.Kind == RetentionCall && a.At.After(g.retentionAt) {
			g.retentionAt = a.At
		}
	}
	for i, c := range in.Customers {
		g := &aggs[i]
		if c.FirstContactAt != nil {
			g.first = *c.FirstContactAt
		}
		if c.LastContactAt != nil {
			g.last = *c.LastContactAt
		}
		if !g.first.IsZero() && inPeriod(g.first) {
			r.NewContacts++
		}
		if c.Stage == InNetwork {
			r.Warnings = append(r.Warnings, warnings(cfg, now, c.ID, g, enteredNetwork[c.ID])...)
		}
	}
	if r.Days > 0 {
		r.NewContactsPerDay = float64(r.NewContacts) / r.Days
	}
	if v, ok := r.ContactsPerDay(r.TargetOrders); ok {
		r.DailyContactsNeeded = &v
	}
	slices.SortStableFunc(r.Warnings, func(a, b Warning) int { return cmp.Compare(a.CustomerID, b.CustomerID) })
	return r
}

// warnings of one in-network customer at now; entered is when he entered
// in_network (zero: unknown).
func warnings(cfg *Config, now time.Time, id int64, g *contactAgg, entered time.Time) []Warning {
	var out []Warning
	// Silence counts from the last contact, or from activation when he was
	// never contacted since.
	since := g.last
	if entered.After(since) {
		since = entered
	}
	if since.IsZero() || !now.Before(since.AddDate(0, 0, cfg.noContactDays())) {
		w := Warning{CustomerID: id, Kind: WarnNoContact}
		if !since.IsZero() {
			w.Since = &since
		}
		out = append(out, w)
	}
	// A renewal already past is not warned: nothing records whether it
	// was renewed, and it would warn for ever.
	if due := g.contractExpires; !g.contractAt.IsZero() && !day(due).Before(day(now)) && !day(due).After(day(now).AddDate(0, 0, cfg.renewalWarnDays())) {
		out = append(out, Warning{CustomerID: id, Kind: WarnRenewalNear, Due: &due})
	}
	// A complaint from before activation was the competitor's opening, not
	// ours to close; after it, it stays open until a retention call.
	if c := g.complaintAt; !c.IsZero() && !c.Before(entered) && !g.retentionAt.After(c) {
		out = append(out, Warning{CustomerID: id, Kind: WarnOpenComplaint, Since: &c})
	}
	return out
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
