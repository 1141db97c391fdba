// Package balance proposes list assignments (清单分配): which manager holds
// which customer so that every manager's list stays within his quota, the
// pool keeps its slack, locked claims never move and total travel is least.
// The assignment step is an exact min-cost flow (see Solve).
package balance

import "github.com/paulmach/orb"

// Manager is one manager taking part in a balance: his base point (WGS-84
// lon/lat), quota bounds and the customers whose valid claims he keeps
// (locked: never moved; they count toward his quota).
type Manager struct {
	ID     string    `json:"id"`
	Point  orb.Point `json:"-"`
	Min    int       `json:"min"`
	Max    int       `json:"max"`
	Target int       `json:"target,omitempty"` // informative; 0: (Min+Max)/2
	Locked []string  `json:"locked,omitempty"`
	GridID int64     `json:"grid_id,omitempty"` // 0: any
}

// Customer is one customer that may be assigned. Holder is the manager
// whose claim is movable (lapsed or unworked), "" for the pool; Weight is his
// priority (stage and signals; 0 counts as 1), used to choose whom to leave
// in the pool when not everyone can be assigned.
type Customer struct {
	ID     string    `json:"id"`
	Point  orb.Point `json:"-"`
	Holder string    `json:"holder,omitempty"`
	Weight float64   `json:"weight,omitempty"`
	GridID int64     `json:"grid_id,omitempty"`
}

// Problem is one balance. Slack customers stay in the pool: exactly
// min(len(Customers) − Slack, Σ Max) are assigned (locked ones included).
// MovePenaltyM is added to the cost of giving a held customer to someone
// else than his holder (metres). CrossGrid lets a manager receive customers
// of other grids (GridID both non-zero and different is otherwise
// forbidden). Compact iterates assignment and list medoids (cost to the
// medoid instead of the base) up to CompactRounds times (default 10).
type Problem struct {
	Managers      []Manager
	Customers     []Customer
	Slack         int
	MovePenaltyM  float64
	CrossGrid     bool
	Compact       bool
	CompactRounds int
}

// Change is one proposed change with its reason (a stable key and a
// human sentence).
type Change struct {
	CustomerID string  `json:"customer_id"`
	From       string  `json:"from,omitempty"` // "" : the pool
	To         string  `json:"to,omitempty"`   // "" : back to the pool
	DistanceM  float64 `json:"distance_m"`     // to the new manager's point
	Reason     string  `json:"reason"`         // e.g. "closest_with_room", "over_quota_released", "kept"
	Note       string  `json:"note"`
}

// ManagerLoad is a manager's list before and after.
type ManagerLoad struct {
	ID         string  `json:"id"`
	Before     int     `json:"before"`
	After      int     `json:"after"`
	Min        int     `json:"min"`
	Max        int     `json:"max"`
	TravelM    float64 `json:"travel_m"`     // Σ distance of his customers to his point, after
	TravelMWas float64 `json:"travel_m_was"` // … before (held customers)
	Violation  int     `json:"violation"`    // after − max (>0) or after − min (<0) when infeasible
}

// Solution is the proposal: every customer's manager ("" : pool), the
// changes against the current holders, the loads, the total cost (metres,
// haversine, R = 6,371,008.8 m, customer to his manager's point) and, when
// the problem is infeasible, why, with numbers (and the best feasible
// proposal of the relaxed problem, violations shown in Loads).
type Solution struct {
	Assignments map[string]string `json:"assignments"`
	Unassigned  []string          `json:"unassigned"`
	CostM       float64           `json:"cost_m"`
	Changes     []Change          `json:"changes"`
	Loads       []ManagerLoad     `json:"loads"`
	Infeasible  string            `json:"infeasible,omitempty"`
	// Notes say what shaped the proposal without making it infeasible
	// (e.g. more customers than every maximum allows).
	Notes []string `json:"notes,omitempty"`
	// CompactCostM is, in compact mode, the total distance from each
	// assigned customer to his list's medoid (what that mode minimises).
	CompactCostM float64 `json:"compact_cost_m,omitempty"`
	Stats        Stats   `json:"stats"`
}
