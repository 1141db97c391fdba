package funnel

import (
	"cmp"
	"context"
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
	hasContract     bool
	contractAt      time.Time // activity that recorded the latest contract end
	contractID      int64
	contractExpires time.Time
	complaintAt     time.Time // latest complaint signal
	retentionAt     time.Time // latest retention call
}

// TransitionStep is what the metrics read of a transition.
type TransitionStep struct {
	ID         int64     `json:"id"`
	CustomerID int64     `json:"customer_id"`
	From       Stage     `json:"from"`
	To         Stage     `json:"to"`
	At         time.Time `json:"at"`
}

// ActivityFact is what the metrics read of an activity: Complaint says
// whether it recorded a CompetitorComplaint signal, ContractExpires (zero:
// none) the competitor contract end it recorded.
type ActivityFact struct {
	ID              int64        `json:"id"`
	CustomerID      int64        `json:"customer_id"`
	Kind            ActivityKind `json:"kind"`
	At              time.Time    `json:"at"`
	Verified        bool         `json:"verified"`
	Complaint       bool         `json:"complaint"`
	ContractExpires time.Time    `json:"contract_expires"`
}

// Step is what the metrics read of t.
func (t *Transition) Step() TransitionStep {
	return TransitionStep{ID: t.ID, CustomerID: t.CustomerID, From: t.From, To: t.To, At: t.At}
}

// Fact is what the metrics read of a.
func (a *Activity) Fact() ActivityFact {
	f := ActivityFact{ID: a.ID, CustomerID: a.CustomerID, Kind: a.Kind, At: a.At, Verified: a.Verified, Complaint: slices.Contains(a.Signals, CompetitorComplaint)}
	if a.ContractExpires != nil {
		f.ContractExpires = *a.ContractExpires
	}
	return f
}

// seqStep is a transition with its place in the input (the tie-break of
// equal times and ids).
type seqStep struct {
	TransitionStep
	seq int
}

// MetricsBuilder computes a report from transitions and activities given
// one at a time, in any order, so that a caller may stream them from a
// store instead of loading them: NewMetricsBuilder with the scope's
// customers (in.Customers; in.Transitions and in.Activities are ignored),
// AddTransition and AddActivity for each, then Report. The report is
// Metrics' for the same records. AddTransition and AddActivity may run
// concurrently with each other, each from one goroutine.
type MetricsBuilder struct {
	in    MetricsInput
	idx   map[int64]int
	dense []int32 // idx by id when ids are dense: dense[id] = index+1
	steps []seqStep
	aggs  []contactAgg
	// Visits and verified visits of the period.
	visits, verified int
}

// NewMetricsBuilder starts the report of in's customers.
func NewMetricsBuilder(in MetricsInput) *MetricsBuilder {
	b := &MetricsBuilder{in: in, aggs: make([]contactAgg, len(in.Customers))}
	var minID, maxID int64
	for _, c := range in.Customers {
		minID, maxID = min(minID, c.ID), max(maxID, c.ID)
	}
	// A customer listed twice counts where listed last, as by a map.
	if n := len(in.Customers); n > 0 && minID >= 0 && maxID < int64(4*n+1024) && maxID < 1<<31 {
		b.dense = make([]int32, maxID+1)
		for i, c := range in.Customers {
			b.dense[c.ID] = int32(i + 1)
		}
	} else {
		b.idx = make(map[int64]int, n)
		for i, c := range in.Customers {
			b.idx[c.ID] = i
		}
	}
	return b
}

// index is customer id's place in the input, false when out of scope.
func (b *MetricsBuilder) index(id int64) (int, bool) {
	if b.dense != nil {
		if id < 0 || id >= int64(len(b.dense)) || b.dense[id] == 0 {
			return 0, false
		}
		return int(b.dense[id]) - 1, true
	}
	i, ok := b.idx[id]
	return i, ok
}

// AddTransition takes one transition (those of customers out of scope are
// ignored).
func (b *MetricsBuilder) AddTransition(t TransitionStep) {
	if _, ok := b.index(t.CustomerID); ok {
		b.steps = append(b.steps, seqStep{TransitionStep: t, seq: len(b.steps)})
	}
}

// AddActivity takes one activity (those of customers out of scope, or at
// or after the period's end, are ignored). Of two activities recording a
// contract end at the same time, the one with the greater id counts.
func (b *MetricsBuilder) AddActivity(a ActivityFact) {
	i, ok := b.index(a.CustomerID)
	if !ok || !a.At.Before(b.in.To) {
		return
	}
	if !a.At.Before(b.in.From) && IsVisit(a.Kind) {
		b.visits++
		if a.Verified {
			b.verified++
		}
	}
	g := &b.aggs[i]
	if g.first.IsZero() || a.At.Before(g.first) {
		g.first = a.At
	}
	if a.At.After(g.last) {
		g.last = a.At
	}
	if !a.ContractExpires.IsZero() && (!g.hasContract || a.At.After(g.contractAt) || (a.At.Equal(g.contractAt) && a.ID >= g.contractID)) {
		g.hasContract, g.contractAt, g.contractID, g.contractExpires = true, a.At, a.ID, a.ContractExpires
	}
	if a.Complaint && a.At.After(g.complaintAt) {
		g.complaintAt = a.At
	}
	if a.Kind == RetentionCall && a.At.After(g.retentionAt) {
		g.retentionAt = a.At
	}
}

// Metrics computes the report of in. It is pure and linear in its input
// (plus sorting the transitions).
func Metrics(in MetricsInput) *Report {
	b := NewMetricsBuilder(in)
	for _, t := range in.Transitions {
		b.AddTransition(t.Step())
	}
	for _, a := range in.Activities {
		b.AddActivity(a.Fact())
	}
	return b.Report()
}

// Report computes the report from what was added.
func (b *MetricsBuilder) Report() *Report {
	in := b.in
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
	furthest := make([]int, len(in.Customers))
	entered := make([]time.Time, len(in.Customers))
	for i, c := range in.Customers {
		f := c.Stage.Step()
		if c.Stage == Churned {
			f = InNetwork.Step()
		}
		furthest[i] = f
	}
	// Each customer's transitions in time order: bucketed by customer (a
	// counting sort on the customer's place), then each bucket sorted.
	start := make([]int32, len(in.Customers)+1)
	for _, t := range b.steps {
		i, _ := b.index(t.CustomerID)
		start[i+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	sorted := make([]seqStep, len(b.steps))
	next := slices.Clone(start[:len(in.Customers)])
	for _, t := range b.steps {
		i, _ := b.index(t.CustomerID)
		sorted[next[i]] = t
		next[i]++
	}
	stays := map[Stage][]float64{}
	for i := range in.Customers {
		ts := sorted[start[i]:start[i+1]]
		if len(ts) == 0 {
			continue
		}
		if len(ts) > 1 {
			slices.SortFunc(ts, func(x, y seqStep) int {
				return cmp.Or(x.At.Compare(y.At), cmp.Compare(x.ID, y.ID), cmp.Compare(x.seq, y.seq))
			})
		}
		for k, t := range ts {
			furthest[i] = max(furthest[i], t.From.Step(), t.To.Step())
			if t.To == InNetwork {
				entered[i] = t.At
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
		a, c := Steps[k], Steps[k+1]
		r.Conversions = append(r.Conversions, Conversion{From: a, To: c, Rate: ratio(r.Reached[c], r.Reached[a])})
	}
	for s, d := range stays {
		r.MedianDaysInStage[s] = median(d)
	}
	r.SuccessRate = ratio(r.Counts[InNetwork], r.Contacted)
	r.OrderRate = ratio(r.Reached[Order], r.Contacted)

	r.Visits, r.VerifiedVisits = b.visits, b.verified
	for i, c := range in.Customers {
		g := b.aggs[i]
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
			r.Warnings = append(r.Warnings, warnings(cfg, now, c.ID, &g, entered[i])...)
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
	if due := g.contractExpires; g.hasContract && !day(due).Before(day(now)) && !day(due).After(day(now).AddDate(0, 0, cfg.renewalWarnDays())) {
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

// HistoryFilter selects the history a report streams: records at or after
// Since and before Until (zero: unbounded); DistrictID, when not 0, only
// those of customers whose grid lies in that district.
type HistoryFilter struct {
	Since, Until time.Time
	DistrictID   int64
}

// MetricsStore streams the history a funnel report reads, only the columns
// it needs, in no particular order, stopping at fn's first error, which it
// returns. fn must not use the store.
type MetricsStore interface {
	TransitionSteps(ctx context.Context, f HistoryFilter, fn func(TransitionStep) error) error
	ActivityFacts(ctx context.Context, f HistoryFilter, fn func(ActivityFact) error) error
}
