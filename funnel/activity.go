package funnel

import (
	"context"
	"slices"
	"time"

	"github.com/paulmach/orb"
)

// ActivityKind is a standard sales action of the method.
type ActivityKind string

// Activity kinds. The three visits are the method's sweeps: 扫楼 (building),
// 扫街 (street) and 上门 (door-to-door appointment).
const (
	VisitBuilding ActivityKind = "visit_building"
	VisitStreet   ActivityKind = "visit_street"
	VisitDoor     ActivityKind = "visit_door"
	Phone         ActivityKind = "phone"
	Event         ActivityKind = "event"
	Proposal      ActivityKind = "proposal"
	Demo          ActivityKind = "demo"
	Bid           ActivityKind = "bid"
	Negotiation   ActivityKind = "negotiation"
	Activation    ActivityKind = "activation"
	RetentionCall ActivityKind = "retention_call"
)

// ActivityKinds lists every kind.
var ActivityKinds = []ActivityKind{VisitBuilding, VisitStreet, VisitDoor, Phone, Event, Proposal, Demo, Bid, Negotiation, Activation, RetentionCall}

// SignalKind is an opportunity signal (商机) the method names.
type SignalKind string

// Signal kinds.
const (
	CompetitorComplaint SignalKind = "competitor_complaint" // complaint about a competitor's service or price
	NewNeed             SignalKind = "new_need"             // a new communication need
	ProductInquiry      SignalKind = "product_inquiry"      // asks about our products
	ContractExpiring    SignalKind = "contract_expiring"    // a competitor's contract is about to expire
	Relocation          SignalKind = "relocation"           // moves or reorganises its communications
)

// SignalKinds lists every kind.
var SignalKinds = []SignalKind{CompetitorComplaint, NewNeed, ProductInquiry, ContractExpiring, Relocation}

// Activity is one logged sales action on a customer.
type Activity struct {
	ID         int64        `json:"id"`
	CustomerID int64        `json:"customer_id"`
	ManagerID  int64        `json:"manager_id"`
	Kind       ActivityKind `json:"kind"`
	At         time.Time    `json:"at"`
	Note       string       `json:"note,omitempty"`
	Signals    []SignalKind `json:"signals,omitempty"`
	// Position is where the manager's phone was when a visit was logged.
	Position *orb.Point `json:"position,omitempty"`
	// Verified is false for a visit logged too far from the customer (or
	// without a position); DistanceM is how far, when a position was given.
	Verified  bool     `json:"verified"`
	DistanceM *float64 `json:"distance_m,omitempty"`
	// ContractExpires is the competitor contract's end, recorded with a
	// contract_expiring signal (required with it).
	ContractExpires *time.Time `json:"contract_expires,omitempty"`
}

// Validate checks an activity before it is stored.
func (a *Activity) Validate() error {
	switch {
	case a.CustomerID <= 0:
		return invalid("customer_id", "must be a positive id, got %d", a.CustomerID)
	case a.ManagerID <= 0:
		return invalid("manager_id", "must be a positive id, got %d", a.ManagerID)
	case !knownKind(a.Kind):
		return invalid("kind", "unknown activity kind %q", a.Kind)
	case a.At.IsZero():
		return invalid("at", "is required")
	}
	for i, s := range a.Signals {
		if !knownSignal(s) {
			return invalid("signals", "item %d: unknown signal %q", i, s)
		}
	}
	if slices.Contains(a.Signals, ContractExpiring) && a.ContractExpires == nil {
		return invalid("contract_expires", "is required with a contract_expiring signal")
	}
	if p := a.Position; p != nil && (p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 || p[0] != p[0] || p[1] != p[1]) {
		return invalid("position", "(%v, %v) is not a WGS-84 longitude/latitude", p[0], p[1])
	}
	return nil
}

func knownKind(k ActivityKind) bool {
	for _, x := range ActivityKinds {
		if x == k {
			return true
		}
	}
	return false
}

func knownSignal(s SignalKind) bool {
	for _, x := range SignalKinds {
		if x == s {
			return true
		}
	}
	return false
}

// ActivityFilter selects activities; zero fields do not filter.
type ActivityFilter struct {
	CustomerID int64
	ManagerID  int64
	Since      time.Time // at or after
	Until      time.Time // before
	AfterID    int64
	Limit      int
}

// ActivityStore persists activities. Activities are append-only.
type ActivityStore interface {
	CreateActivity(ctx context.Context, a *Activity) error
	Activities(ctx context.Context, f ActivityFilter) ([]*Activity, error)
}
