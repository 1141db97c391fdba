package funnel

import (
	"math"
	"time"
)

// SignalAt is one opportunity signal with when it was recorded.
type SignalAt struct {
	Kind SignalKind `json:"kind"`
	At   time.Time  `json:"at"`
}

// PriorityInput is what Priority weighs for one customer.
type PriorityInput struct {
	Stage   Stage
	Signals []SignalAt // every signal recorded on the customer (older ones weigh less)
	// Claimed: the customer is on a list; LapseIn is then the time left
	// before the claim lapses (negative: overdue) and WarnDays (0: 7) the
	// window in which that becomes urgent.
	Claimed  bool
	LapseIn  time.Duration
	WarnDays int
	// DaysSinceContact since the last activity; negative: never contacted.
	DaysSinceContact int
	// ContractExpires is the latest competitor contract end recorded.
	ContractExpires *time.Time
	Now             time.Time
}

// Priority weights. The sum orders a manager's work: higher is more
// urgent. Points, not probabilities; only the order matters.
const (
	// Stage: the closer to an order, the more a visit is worth; in-network
	// customers are retention, outcomes wait for a restart.
	PriorityStageStep = 10.0 // per step for list (2) … order (5): 20 … 50; target 10
	PriorityInNetwork = 5.0
	// Signals: each distinct kind adds its weight, fading linearly to 0
	// over SignalFadeDays after it was recorded (the latest of a kind counts).
	SignalFadeDays = 90
	// ContractWindowDays: a competitor contract ending within this many
	// days adds up to PriorityContract, the more the nearer (full weight
	// once it has ended, for another ContractWindowDays/3).
	ContractWindowDays = 90
	PriorityContract   = 30.0
	// PriorityLapse is added in full to an overdue claim, ramping up over
	// the warning window: losing a worked customer to the pool wastes work.
	PriorityLapse = 25.0
	// PriorityNeglect: up to this much for a listed customer not contacted
	// for NeglectDays (or never).
	PriorityNeglect = 10.0
	NeglectDays     = 30
)

// SignalWeights are the points of each signal kind: an expiring contract
// and a complaint about the competitor are the strongest openings.
var SignalWeights = map[SignalKind]float64{
	ContractExpiring:    20,
	CompetitorComplaint: 15,
	ProductInquiry:      15,
	NewNeed:             12,
	Relocation:          10,
}

// Priority scores how urgently a customer deserves the manager's next
// visit; see the weights above.
func Priority(in PriorityInput) float64 {
	p := 0.0
	switch s := in.Stage; {
	case s == InNetwork:
		p += PriorityInNetwork
	case s.Step() > 0:
		p += PriorityStageStep * float64(s.Step())
	}

	latest := map[SignalKind]time.Time{}
	for _, s := range in.Signals {
		if t, ok := latest[s.Kind]; !ok || s.At.After(t) {
			latest[s.Kind] = s.At
		}
	}
	for _, k := range SignalKinds { // fixed order: a stable float sum
		at, ok := latest[k]
		if !ok {
			continue
		}
		age := in.Now.Sub(at).Hours() / 24
		p += SignalWeights[k] * clamp01(1-math.Max(age, 0)/SignalFadeDays)
	}

	if e := in.ContractExpires; e != nil {
		left := e.Sub(in.Now).Hours() / 24
		switch {
		case left < -ContractWindowDays/3:
		case left <= 0:
			p += PriorityContract
		case left < ContractWindowDays:
			p += PriorityContract * (1 - left/ContractWindowDays)
		}
	}

	if in.Claimed {
		warn := in.WarnDays
		if warn <= 0 {
			warn = DefaultWarnDays
		}
		window := time.Duration(warn) * 24 * time.Hour
		p += PriorityLapse * clamp01(1-float64(in.LapseIn)/float64(window))
	}

	if in.Stage.Step() >= List.Step() && in.Stage != InNetwork {
		d := float64(in.DaysSinceContact)
		if d < 0 {
			d = NeglectDays
		}
		p += PriorityNeglect * clamp01(d/NeglectDays)
	}
	return p
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }
