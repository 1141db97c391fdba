package sales

// List balancing in the product (清单均衡): Propose builds a balance.Problem
// from the stored grid or district and solves it; Accept applies the
// changes a planner kept, one transaction per change, each checked again
// against the store.
//
// What takes part in a balance of a scope (a grid, or every grid of a
// district):
//
//   - managers: the managers of the scope's grids, with their base point
//     and quota (min, target, max);
//   - held customers: every customer on the list of one of those managers
//     with an active claim at a stage that counts toward the quota
//     (funnel.Config.CountsTowardQuota: list … order by default). Those
//     are what a quota counts, so only they take part; in-network
//     customers kept by their manager without a claim, and customers of
//     managers outside the scope, are left alone. A claim is valid — and
//     locked: never moved — while it is not lapsing (funnel.Lapsing false:
//     a qualifying activity within LapseDays − WarnDays). A lapsing claim
//     (inside the warning window, or overdue and not yet ended by the
//     lapse job) is movable: it may stay, go to a colleague or back to the
//     pool, at MovePenaltyM of cost when it leaves its holder. A held
//     customer outside the scope's grids is locked whatever his claim
//     (the scope cannot give him to anyone else);
//   - pool customers: the unclaimed customers of the scope's grids that
//     would count toward a quota once claimed: target, lost and churned
//     (a claim puts them at list) and the later stages a lapse left in the
//     pool. Unclaimed in-network customers are retention work, not list
//     work, and stay out.
//
// Weights are funnel.Priority (stage, signals, a competitor contract
// ending, a lapsing claim, neglect), from the customers' activities of the
// last year. Slack, the customers left in the pool, defaults to 10% of the
// customers taking part (rounded down).

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
	"gridplan/territory/balance"
)

// Balance defaults and limits.
const (
	// DefaultSlackShare of the customers taking part stay in the pool when
	// the request names no slack.
	DefaultSlackShare = 0.10
	// DefaultMovePenaltyM is the cost of moving an existing claim (metres).
	DefaultMovePenaltyM = 300.0
	// MaxMovePenaltyM bounds the move penalty (100 km).
	MaxMovePenaltyM = 100_000.0
	// MaxAcceptChanges bounds one accept.
	MaxAcceptChanges = 20_000
	// balanceActivityDays: the activities read for the weights (signals
	// fade over 90 days; a contract recorded a while ago may end soon).
	balanceActivityDays = 365
	// balancePerCustomerReads: up to this many customers, their activities
	// are read customer by customer; beyond, in one query of the period.
	balancePerCustomerReads = 1500
)

// ProposeInput is what a planner asks the balancer: a grid or a district
// (exactly one), the slack (nil: DefaultSlackShare of the customers taking
// part), cross-grid assignment, compact lists and the move penalty (nil:
// DefaultMovePenaltyM).
type ProposeInput struct {
	GridID       int64
	DistrictID   int64
	Slack        *int
	CrossGrid    bool
	Compact      bool
	MovePenaltyM *float64
}

// ProposalScope is what was balanced.
type ProposalScope struct {
	Kind    string  `json:"kind"` // grid or district
	ID      int64   `json:"id"`
	Code    string  `json:"code"`
	Name    string  `json:"name"`
	GridIDs []int64 `json:"grid_ids"`
}

// ProposalParams are the settings the proposal was computed with (the
// defaults filled in).
type ProposalParams struct {
	Slack        int     `json:"slack"`
	CrossGrid    bool    `json:"cross_grid"`
	Compact      bool    `json:"compact"`
	MovePenaltyM float64 `json:"move_penalty_m"`
}

// ProposalManager is a manager of the proposal with his list before and
// after: Before counts his held customers taking part (locked and
// movable), After his proposed list; travel is the sum of the haversine
// distances from his base to his customers (metres); Violation is After −
// Max (> 0) or After − Min (< 0) when the quotas cannot all hold.
type ProposalManager struct {
	ID            int64   `json:"id"`
	Code          string  `json:"code"`
	Name          string  `json:"name"`
	GridID        int64   `json:"grid_id"`
	Lng           float64 `json:"lng"`
	Lat           float64 `json:"lat"`
	Min           int     `json:"min"`
	Target        int     `json:"target"`
	Max           int     `json:"max"`
	Locked        int     `json:"locked"`
	Before        int     `json:"before"`
	After         int     `json:"after"`
	Gained        int     `json:"gained"`
	Lost          int     `json:"lost"`
	TravelBeforeM float64 `json:"travel_before_m"`
	TravelAfterM  float64 `json:"travel_after_m"`
	Violation     int     `json:"violation"`
}

// ProposalCustomer is a customer taking part: his point, his holder now
// (0: the pool), his proposed manager (0: the pool), whether his claim is
// locked (valid) or lapsing (movable), and his weight.
type ProposalCustomer struct {
	ID       int64        `json:"id"`
	Name     string       `json:"name"`
	Lng      float64      `json:"lng"`
	Lat      float64      `json:"lat"`
	GridID   int64        `json:"grid_id"`
	Stage    funnel.Stage `json:"stage"`
	Holder   int64        `json:"holder"`
	Proposed int64        `json:"proposed"`
	Locked   bool         `json:"locked"`
	Lapsing  bool         `json:"lapsing"`
	Weight   float64      `json:"weight"`
}

// ProposalChange is one proposed change: customer from his holder (0: the
// pool) to a manager (0: back to the pool), the distance to the new
// manager's base, the balancer's reason (a stable key) and note, and a
// warning when the change is already known to be refused on accept (the
// manager's lapsed claim of the customer is cooling down).
type ProposalChange struct {
	CustomerID   int64   `json:"customer_id"`
	CustomerName string  `json:"customer_name"`
	From         int64   `json:"from"`
	To           int64   `json:"to"`
	DistanceM    float64 `json:"distance_m"`
	Reason       string  `json:"reason"`
	Note         string  `json:"note"`
	Warning      string  `json:"warning,omitempty"`
}

// Proposal is a balance of a scope as the review page draws it.
type Proposal struct {
	At         time.Time          `json:"at"`
	Scope      ProposalScope      `json:"scope"`
	Params     ProposalParams     `json:"params"`
	Pool       int                `json:"pool"`    // unclaimed customers taking part
	Held       int                `json:"held"`    // held customers taking part
	LockedN    int                `json:"locked"`  // … of which locked
	Movable    int                `json:"movable"` // … of which movable (lapsing)
	Assigned   int                `json:"assigned"`
	CostM      float64            `json:"cost_m"`
	Infeasible string             `json:"infeasible,omitempty"`
	Notes      []string           `json:"notes"`                    // what shaped the proposal (the balancer's, and ours)
	CompactM   float64            `json:"compact_cost_m,omitempty"` // compact mode: Σ distance to the lists' medoids
	SolveMS    float64            `json:"solve_ms"`
	Managers   []ProposalManager  `json:"managers"`
	Customers  []ProposalCustomer `json:"customers"`
	Changes    []ProposalChange   `json:"changes"`
}

// canBalance lets planners and admins balance lists.
func canBalance(a Actor) error {
	if a.Role == territory.RolePlanner || a.Role == territory.RoleAdmin {
		return nil
	}
	return forbidden("role %s may not balance lists", a.Role)
}

// balanceScope resolves the input's grid or district to its grids.
func (s *Service) balanceScope(ctx context.Context, st Store, in ProposeInput) (ProposalScope, []*territory.Grid, error) {
	var sc ProposalScope
	switch {
	case in.GridID < 0:
		return sc, nil, territory.Invalid("grid_id", "must be a positive id, got %d", in.GridID)
	case in.DistrictID < 0:
		return sc, nil, territory.Invalid("district_id", "must be a positive id, got %d", in.DistrictID)
	case in.GridID > 0 && in.DistrictID > 0:
		return sc, nil, territory.Invalid("grid_id", "give grid_id or district_id, not both")
	case in.GridID == 0 && in.DistrictID == 0:
		return sc, nil, territory.Invalid("grid_id", "grid_id or district_id is required: which grid or district to balance")
	}
	if in.GridID > 0 {
		g, err := st.Grid(ctx, in.GridID)
		if err != nil {
			if isNotFound(err) {
				return sc, nil, territory.Invalid("grid_id", "no grid %d", in.GridID)
			}
			return sc, nil, fmt.Errorf("grid %d: %w", in.GridID, err)
		}
		return ProposalScope{Kind: "grid", ID: g.ID, Code: g.Code, Name: g.Name, GridIDs: []int64{g.ID}}, []*territory.Grid{g}, nil
	}
	d, err := st.District(ctx, in.DistrictID)
	if err != nil {
		if isNotFound(err) {
			return sc, nil, territory.Invalid("district_id", "no district %d", in.DistrictID)
		}
		return sc, nil, fmt.Errorf("district %d: %w", in.DistrictID, err)
	}
	gs, err := st.Grids(ctx, territory.GridFilter{DistrictID: d.ID})
	if err != nil {
		return sc, nil, fmt.Errorf("grids of district %d: %w", d.ID, err)
	}
	slices.SortFunc(gs, func(a, b *territory.Grid) int { return cmp.Compare(a.ID, b.ID) })
	sc = ProposalScope{Kind: "district", ID: d.ID, Code: d.Code, Name: d.Name, GridIDs: []int64{}}
	for _, g := range gs {
		sc.GridIDs = append(sc.GridIDs, g.ID)
	}
	return sc, gs, nil
}

func isNotFound(err error) bool {
	return errors.Is(err, territory.ErrNotFound) || errors.Is(err, funnel.ErrNotFound)
}

// member is one customer taking part while the problem is built.
type member struct {
	cu      *territory.Customer
	holder  int64
	locked  bool
	lapsing bool
	claim   *funnel.Claim
}

// Propose balances the lists of a grid or a district: see the package
// comment above for who takes part. Planners and admins only.
func (s *Service) Propose(ctx context.Context, a Actor, in ProposeInput) (*Proposal, error) {
	if err := canBalance(a); err != nil {
		return nil, err
	}
	if in.Slack != nil && *in.Slack < 0 {
		return nil, territory.Invalid("slack", "must not be negative, got %d", *in.Slack)
	}
	penalty := DefaultMovePenaltyM
	if in.MovePenaltyM != nil {
		penalty = *in.MovePenaltyM
		if math.IsNaN(penalty) || penalty < 0 || penalty > MaxMovePenaltyM {
			return nil, territory.Invalid("move_penalty_m", "must be from 0 to %.0f metres, got %v", MaxMovePenaltyM, penalty)
		}
	}
	st := s.Store
	scope, grids, err := s.balanceScope(ctx, st, in)
	if err != nil {
		return nil, err
	}
	cfg, err := s.config(ctx, st)
	if err != nil {
		return nil, err
	}
	now := s.now()
	inScope := make(map[int64]bool, len(grids))
	for _, g := range grids {
		inScope[g.ID] = true
	}

	// The managers of the scope's grids.
	var managers []*territory.Manager
	for _, g := range grids {
		ms, err := st.Managers(ctx, territory.ManagerFilter{GridID: g.ID})
		if err != nil {
			return nil, fmt.Errorf("managers of grid %d: %w", g.ID, err)
		}
		managers = append(managers, ms...)
	}
	slices.SortFunc(managers, func(a, b *territory.Manager) int { return cmp.Compare(a.ID, b.ID) })
	mgrOf := make(map[int64]*territory.Manager, len(managers))
	for _, m := range managers {
		mgrOf[m.ID] = m
	}

	// Their held customers (active claims at quota stages), then the pool.
	var members []*member
	seen := map[int64]bool{}
	for _, m := range managers {
		claims, err := st.Claims(ctx, funnel.ClaimFilter{ManagerID: m.ID, Status: funnel.ClaimActive})
		if err != nil {
			return nil, fmt.Errorf("claims of manager %d: %w", m.ID, err)
		}
		claimOf := make(map[int64]*funnel.Claim, len(claims))
		for _, c := range claims {
			claimOf[c.CustomerID] = c
		}
		cs, err := st.Customers(ctx, territory.CustomerFilter{OwnerID: m.ID})
		if err != nil {
			return nil, fmt.Errorf("customers of manager %d: %w", m.ID, err)
		}
		for _, cu := range cs {
			c := claimOf[cu.ID]
			if c == nil || !cfg.CountsTowardQuota(cu.Stage) || geo.ValidatePoint(cu.Location) != nil {
				continue
			}
			lapsing := funnel.Lapsing(cfg, now, c)
			members = append(members, &member{cu: cu, holder: m.ID, claim: c, lapsing: lapsing, locked: !lapsing || !inScope[cu.GridID]})
			seen[cu.ID] = true
		}
	}
	for _, g := range grids {
		cs, err := st.Customers(ctx, territory.CustomerFilter{GridID: g.ID})
		if err != nil {
			return nil, fmt.Errorf("customers of grid %d: %w", g.ID, err)
		}
		for _, cu := range cs {
			if cu.OwnerID != 0 || seen[cu.ID] || geo.ValidatePoint(cu.Location) != nil {
				continue
			}
			if !cfg.CountsTowardQuota(claimedStage(cu.Stage)) {
				continue
			}
			members = append(members, &member{cu: cu})
			seen[cu.ID] = true
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	weights, err := s.balanceWeights(ctx, st, cfg, now, members)
	if err != nil {
		return nil, err
	}

	// The problem. Managers go by their code (unique), so the balancer's
	// notes read "m012 needs 30 customers".
	p := balance.Problem{MovePenaltyM: penalty, CrossGrid: in.CrossGrid, Compact: in.Compact}
	for _, m := range managers {
		p.Managers = append(p.Managers, balance.Manager{ID: m.Code, Point: m.Base, Min: m.Quota.Min, Max: m.Quota.Max, Target: m.Quota.Target, GridID: m.GridID})
	}
	mi := make(map[int64]int, len(managers))
	for i, m := range managers {
		mi[m.ID] = i
	}
	out := &Proposal{At: now, Scope: scope, Managers: []ProposalManager{}, Customers: []ProposalCustomer{}, Changes: []ProposalChange{}, Notes: []string{}}
	for i, mb := range members {
		bc := balance.Customer{ID: idKey(mb.cu.ID), Point: mb.cu.Location, Weight: weights[i], GridID: mb.cu.GridID}
		if mb.holder != 0 {
			bc.Holder = mgrOf[mb.holder].Code
			out.Held++
			if mb.locked {
				out.LockedN++
				k := mi[mb.holder]
				p.Managers[k].Locked = append(p.Managers[k].Locked, bc.ID)
			} else {
				out.Movable++
			}
		} else {
			out.Pool++
		}
		p.Customers = append(p.Customers, bc)
	}
	// A manager holding more valid claims than his maximum (his quota was
	// lowered since) keeps them and receives no one.
	for k := range p.Managers {
		bm := &p.Managers[k]
		if len(bm.Locked) > bm.Max {
			out.Notes = append(out.Notes, fmt.Sprintf("%s holds %d valid claims, above his maximum %d: he keeps them and receives no one", bm.ID, len(bm.Locked), bm.Max))
			bm.Max = len(bm.Locked)
			bm.Min = min(bm.Min, bm.Max)
		}
	}
	p.Slack = int(math.Floor(DefaultSlackShare * float64(len(p.Customers))))
	if in.Slack != nil {
		p.Slack = *in.Slack
	}
	out.Params = ProposalParams{Slack: p.Slack, CrossGrid: in.CrossGrid, Compact: in.Compact, MovePenaltyM: penalty}

	start := time.Now()
	sol, err := balance.Solve(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("balance %s %d: %w", scope.Kind, scope.ID, err)
	}
	out.SolveMS = float64(time.Since(start).Microseconds()) / 1000
	out.Infeasible = sol.Infeasible
	out.Notes = append(out.Notes, sol.Notes...)
	out.CompactM = round1(sol.CompactCostM)
	byCode := make(map[string]*territory.Manager, len(managers))
	for _, m := range managers {
		byCode[m.Code] = m
	}

	// What the page draws: every customer with his holder and proposed
	// manager, the changes, the loads recomputed here from the assignment.
	views := make([]ProposalManager, len(managers))
	for i, m := range managers {
		views[i] = ProposalManager{ID: m.ID, Code: m.Code, Name: m.Name, GridID: m.GridID, Lng: m.Base[0], Lat: m.Base[1],
			Min: m.Quota.Min, Target: m.Quota.Target, Max: m.Quota.Max}
	}
	nameOf := make(map[int64]string, len(members))
	for i, mb := range members {
		cu := mb.cu
		nameOf[cu.ID] = cu.Name
		proposed := int64(0)
		if to, ok := sol.Assignments[idKey(cu.ID)]; ok && to != "" {
			m := byCode[to]
			if m == nil {
				return nil, fmt.Errorf("balance: customer %d assigned to unknown manager %q", cu.ID, to)
			}
			proposed = m.ID
		}
		out.Customers = append(out.Customers, ProposalCustomer{ID: cu.ID, Name: cu.Name, Lng: cu.Location[0], Lat: cu.Location[1], GridID: cu.GridID,
			Stage: cu.Stage, Holder: mb.holder, Proposed: proposed, Locked: mb.locked, Lapsing: mb.lapsing, Weight: weights[i]})
		if mb.holder != 0 {
			v := &views[mi[mb.holder]]
			v.Before++
			v.TravelBeforeM += geo.DistanceM(mgrOf[mb.holder].Base, cu.Location)
			if mb.locked {
				v.Locked++
			}
			if proposed != mb.holder {
				v.Lost++
			}
		}
		if proposed != 0 {
			v := &views[mi[proposed]]
			v.After++
			v.TravelAfterM += geo.DistanceM(mgrOf[proposed].Base, cu.Location)
			if proposed != mb.holder {
				v.Gained++
			}
			out.Assigned++
		}
	}
	for i := range views {
		v := &views[i]
		switch {
		case v.After > v.Max:
			v.Violation = v.After - v.Max
		case v.After < v.Min:
			v.Violation = v.After - v.Min
		}
		v.TravelBeforeM, v.TravelAfterM = round1(v.TravelBeforeM), round1(v.TravelAfterM)
		out.CostM += v.TravelAfterM
	}
	out.CostM = round1(out.CostM)
	out.Managers = views

	holderOf := make(map[int64]int64, len(members))
	for _, mb := range members {
		holderOf[mb.cu.ID] = mb.holder
	}
	for _, ch := range sol.Changes {
		cid, err := strconv.ParseInt(ch.CustomerID, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("balance: change of unknown customer %q", ch.CustomerID)
		}
		from, to, err := managerKeys(ch.From, ch.To, byCode)
		if err != nil {
			return nil, err
		}
		if from == to {
			continue // kept
		}
		pc := ProposalChange{CustomerID: cid, CustomerName: nameOf[cid], From: from, To: to, DistanceM: round1(ch.DistanceM), Reason: ch.Reason, Note: ch.Note}
		if to != 0 {
			if w, err := s.cooldownWarning(ctx, st, cfg, now, cid, to); err != nil {
				return nil, err
			} else {
				pc.Warning = w
			}
		}
		out.Changes = append(out.Changes, pc)
	}
	slices.SortStableFunc(out.Changes, func(a, b ProposalChange) int {
		return cmp.Or(cmp.Compare(a.To, b.To), cmp.Compare(a.From, b.From), cmp.Compare(a.CustomerID, b.CustomerID))
	})
	s.log().Info("balance proposed", "scope", scope.Kind, "id", scope.ID, "user", a.UserID, "managers", len(managers),
		"customers", len(members), "changes", len(out.Changes), "cost_m", out.CostM, "solve_ms", out.SolveMS)
	return out, nil
}

// managerKeys reads a change's from and to, manager codes ("" : the pool).
func managerKeys(from, to string, byCode map[string]*territory.Manager) (int64, int64, error) {
	parse := func(s string) (int64, error) {
		if s == "" {
			return 0, nil
		}
		m := byCode[s]
		if m == nil {
			return 0, fmt.Errorf("balance: change names unknown manager %q", s)
		}
		return m.ID, nil
	}
	f, err := parse(from)
	if err != nil {
		return 0, 0, err
	}
	t, err := parse(to)
	return f, t, err
}

// cooldownWarning says when manager may not claim the customer yet.
func (s *Service) cooldownWarning(ctx context.Context, st Store, cfg *funnel.Config, now time.Time, customerID, managerID int64) (string, error) {
	lapsed, err := lastLapsed(ctx, st, customerID, managerID)
	if err != nil || lapsed == nil {
		return "", err
	}
	var cd *funnel.CooldownError
	if errors.As(funnel.CheckClaim(cfg, now, managerID, nil, lapsed, 0, 1), &cd) {
		return cd.Error(), nil
	}
	return "", nil
}

// claimedStage is the stage a claim puts a pool customer at.
func claimedStage(s funnel.Stage) funnel.Stage {
	if s == funnel.Target || s == funnel.Lost || s == funnel.Churned {
		return funnel.List
	}
	return s
}

// balanceWeights are the members' priorities (funnel.Priority).
func (s *Service) balanceWeights(ctx context.Context, st Store, cfg *funnel.Config, now time.Time, members []*member) ([]float64, error) {
	idx := make(map[int64]int, len(members))
	for i, mb := range members {
		idx[mb.cu.ID] = i
	}
	acts := make([][]*funnel.Activity, len(members))
	since := now.AddDate(0, 0, -balanceActivityDays)
	if len(members) <= balancePerCustomerReads {
		for i, mb := range members {
			as, err := st.Activities(ctx, funnel.ActivityFilter{CustomerID: mb.cu.ID, Since: since})
			if err != nil {
				return nil, fmt.Errorf("activities of customer %d: %w", mb.cu.ID, err)
			}
			acts[i] = as
		}
	} else {
		as, err := st.Activities(ctx, funnel.ActivityFilter{Since: since})
		if err != nil {
			return nil, fmt.Errorf("activities: %w", err)
		}
		for _, a := range as {
			if i, ok := idx[a.CustomerID]; ok {
				acts[i] = append(acts[i], a)
			}
		}
	}
	out := make([]float64, len(members))
	for i, mb := range members {
		in := funnel.PriorityInput{Stage: mb.cu.Stage, DaysSinceContact: -1, Now: now, WarnDays: cfg.WarnDays}
		var last time.Time
		for _, a := range acts[i] {
			if a.At.After(last) {
				last = a.At
			}
			for _, k := range a.Signals {
				in.Signals = append(in.Signals, funnel.SignalAt{Kind: k, At: a.At})
			}
			if a.ContractExpires != nil && (in.ContractExpires == nil || a.ContractExpires.After(*in.ContractExpires)) {
				ce := *a.ContractExpires
				in.ContractExpires = &ce
			}
		}
		if !last.IsZero() {
			in.DaysSinceContact = int(now.Sub(last).Hours() / 24)
		}
		if mb.claim != nil {
			in.Claimed, in.LapseIn = true, funnel.LapseAt(cfg, mb.claim).Sub(now)
		}
		out[i] = round1(math.Max(funnel.Priority(in), 0)) + 1 // 0 would count as 1 anyway: keep the order
	}
	return out, nil
}

func idKey(id int64) string { return strconv.FormatInt(id, 10) }

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// AcceptChange is one change a planner accepts: customer from his holder
// (0: the pool) to a manager (0: back to the pool), as proposed.
type AcceptChange struct {
	CustomerID int64 `json:"customer_id"`
	From       int64 `json:"from"`
	To         int64 `json:"to"`
}

// AcceptInput is the changes to apply. CrossGrid allows a manager to
// receive a customer of another grid (as the proposal did when asked to).
type AcceptInput struct {
	Changes   []AcceptChange
	CrossGrid bool
}

// Accept outcomes.
const (
	AcceptApplied = "applied"
	AcceptRefused = "refused"
)

// AcceptResult is what became of one change: applied, with the ended
// claim (moved from a manager) and the new one (given to a manager), or
// refused with the reason (Code: stale — the customer's holder changed
// since the proposal; valid — the holder worked the claim since, it is no
// longer movable; full — the receiving list has no room; cooldown;
// grid — the receiving manager works another grid; not_found).
type AcceptResult struct {
	AcceptChange
	Status   string        `json:"status"`
	Code     string        `json:"code,omitempty"`
	Reason   string        `json:"reason,omitempty"`
	Ended    *funnel.Claim `json:"ended,omitempty"`
	Claim    *funnel.Claim `json:"claim,omitempty"`
	Stage    funnel.Stage  `json:"stage,omitempty"`
	OwnerNow int64         `json:"owner"`
}

// refusal is a change refused with a code and a reason.
type refusal struct{ code, reason string }

func (r *refusal) Error() string { return r.reason }

func refuse(code, format string, args ...any) error {
	return &refusal{code: code, reason: fmt.Sprintf(format, args...)}
}

// ValidateAccept checks the shape of an accept (400s naming the field).
func ValidateAccept(in AcceptInput) error {
	if len(in.Changes) == 0 {
		return territory.Invalid("changes", "is required: at least one change to accept")
	}
	if len(in.Changes) > MaxAcceptChanges {
		return territory.Invalid("changes", "at most %d changes at once, got %d", MaxAcceptChanges, len(in.Changes))
	}
	seen := make(map[int64]int, len(in.Changes))
	for i, c := range in.Changes {
		switch {
		case c.CustomerID <= 0:
			return territory.Invalid(fmt.Sprintf("changes[%d].customer_id", i), "must be a positive id, got %d", c.CustomerID)
		case c.From < 0:
			return territory.Invalid(fmt.Sprintf("changes[%d].from", i), "must be a manager id, or 0 for the pool; got %d", c.From)
		case c.To < 0:
			return territory.Invalid(fmt.Sprintf("changes[%d].to", i), "must be a manager id, or 0 for the pool; got %d", c.To)
		case c.From == c.To:
			return territory.Invalid(fmt.Sprintf("changes[%d].to", i), "equals from: nothing to change")
		}
		if j, dup := seen[c.CustomerID]; dup {
			return territory.Invalid(fmt.Sprintf("changes[%d].customer_id", i), "customer %d is already changed by changes[%d]", c.CustomerID, j)
		}
		seen[c.CustomerID] = i
	}
	return nil
}

// Accept applies the changes a planner kept, each in a transaction of its
// own after checking it against the store as it is now: from must still
// hold the customer (0: he must still be in the pool) with a claim that
// is still movable (lapsing); to must exist, work the customer's grid
// (unless CrossGrid), have room under his quota and no cooldown on the
// customer. An applied change ends from's claim (released, end reason
// "balanced: …", ended by the planner) and creates to's claim as a claim
// does (target, lost and churned move to list; to the pool: list goes
// back to target), the stage changes recorded as transitions by the
// planner with the reason. A refused change changes nothing and says why;
// the others are applied all the same. Changes that release room are
// applied first; a change refused for a full list is tried once more at
// the end. Results are in the input's order.
func (s *Service) Accept(ctx context.Context, a Actor, in AcceptInput) ([]AcceptResult, error) {
	if err := canBalance(a); err != nil {
		return nil, err
	}
	if err := ValidateAccept(in); err != nil {
		return nil, err
	}
	order := make([]int, len(in.Changes))
	for i := range order {
		order[i] = i
	}
	rank := func(c AcceptChange) int {
		switch {
		case c.To == 0:
			return 0 // frees room
		case c.From != 0:
			return 1 // frees room for one, takes it from another
		}
		return 2
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(rank(in.Changes[x]), rank(in.Changes[y])) })
	out := make([]AcceptResult, len(in.Changes))
	var retry []int
	for _, i := range order {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := s.acceptOne(ctx, a, in.Changes[i], in.CrossGrid)
		if err != nil {
			return nil, err
		}
		out[i] = r
		if r.Code == "full" {
			retry = append(retry, i)
		}
	}
	for _, i := range retry {
		r, err := s.acceptOne(ctx, a, in.Changes[i], in.CrossGrid)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	applied := 0
	for _, r := range out {
		if r.Status == AcceptApplied {
			applied++
		}
	}
	s.log().Info("balance accepted", "user", a.UserID, "changes", len(out), "applied", applied, "refused", len(out)-applied)
	return out, nil
}

// acceptOne applies one change in one transaction; a refusal is a result,
// not an error.
func (s *Service) acceptOne(ctx context.Context, a Actor, ch AcceptChange, crossGrid bool) (AcceptResult, error) {
	res := AcceptResult{AcceptChange: ch}
	now := s.now()
	err := s.inTx(ctx, func(tx Store) error {
		// Lock both lists, lower id first (no deadlock between accepts).
		ids := []int64{}
		for _, id := range []int64{ch.From, ch.To} {
			if id != 0 {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		for _, id := range ids {
			if err := tx.LockManager(ctx, id); err != nil {
				if isNotFound(err) {
					return refuse("not_found", "manager %d does not exist", id)
				}
				return fmt.Errorf("lock manager %d: %w", id, err)
			}
		}
		cu, err := tx.Customer(ctx, ch.CustomerID)
		if err != nil {
			if isNotFound(err) {
				return refuse("not_found", "customer %d does not exist", ch.CustomerID)
			}
			return fmt.Errorf("customer %d: %w", ch.CustomerID, err)
		}
		cfg, err := s.config(ctx, tx)
		if err != nil {
			return err
		}
		held, err := activeClaim(ctx, tx, cu.ID)
		if err != nil {
			return err
		}
		holder := cu.OwnerID
		if held != nil {
			holder = held.ManagerID
		}
		name := func(id int64) string {
			if id == 0 {
				return "the pool"
			}
			if m, err := tx.Manager(ctx, id); err == nil {
				return holderName(m)
			}
			return fmt.Sprintf("manager %d", id)
		}
		if holder != ch.From {
			if holder == 0 {
				return refuse("stale", "customer %d is in the pool now, no longer held by %s", cu.ID, name(ch.From))
			}
			since := ""
			if held != nil {
				since = " since " + held.ClaimedAt.Format(time.DateOnly)
			}
			return refuse("stale", "customer %d is held by %s%s, not by %s", cu.ID, name(holder), since, name(ch.From))
		}
		if ch.From != 0 {
			if held == nil {
				return refuse("valid", "customer %d is kept by %s without a claim: not movable", cu.ID, name(ch.From))
			}
			if !funnel.Lapsing(cfg, now, held) {
				return refuse("valid", "%s worked customer %d since the proposal (last activity %s): the claim is valid and stays",
					name(ch.From), cu.ID, held.LastActivityAt.Format(time.DateOnly))
			}
		}
		var to *territory.Manager
		if ch.To != 0 {
			if to, err = tx.Manager(ctx, ch.To); err != nil {
				if isNotFound(err) {
					return refuse("not_found", "manager %d does not exist", ch.To)
				}
				return fmt.Errorf("manager %d: %w", ch.To, err)
			}
			if !crossGrid && (cu.GridID == 0 || cu.GridID != to.GridID) {
				return refuse("grid", "customer %d is not in %s's grid (cross-grid was not allowed)", cu.ID, holderName(to))
			}
			lapsed, err := lastLapsed(ctx, tx, cu.ID, to.ID)
			if err != nil {
				return err
			}
			count, err := quotaCount(ctx, tx, cfg, to.ID)
			if err != nil {
				return err
			}
			switch err := funnel.CheckClaim(cfg, now, to.ID, nil, lapsed, count, to.Quota.Max); {
			case err == nil:
			case errors.As(err, new(*funnel.QuotaError)):
				return refuse("full", "%s's list is full: %d of %d", holderName(to), count, to.Quota.Max)
			case errors.As(err, new(*funnel.CooldownError)):
				return refuse("cooldown", "%s", err.Error())
			default:
				return refuse("conflict", "%s", err.Error())
			}
		}

		// Apply: end the movable claim, then claim for to or return to the pool.
		if held != nil {
			reason := "balanced: released to the pool"
			if to != nil {
				reason = "balanced: moved to " + holderName(to)
			}
			if err := endClaim(ctx, tx, held, funnel.ClaimReleased, now, reason, a.UserID); err != nil {
				return err
			}
			res.Ended = held
		}
		if to == nil {
			if err := backToPool(ctx, tx, cu, ch.From, a.UserID, now, "balanced: released to the pool"); err != nil {
				return err
			}
		} else {
			c := &funnel.Claim{CustomerID: cu.ID, ManagerID: to.ID, Status: funnel.ClaimActive, ClaimedAt: now, LastActivityAt: now}
			if err := tx.CreateClaim(ctx, c); err != nil {
				if errors.Is(err, funnel.ErrConflict) || errors.Is(err, territory.ErrConflict) {
					return refuse("stale", "customer %d was claimed by someone else at the same moment", cu.ID)
				}
				return fmt.Errorf("create claim: %w", err)
			}
			from := cu.Stage
			stage := claimedStage(from)
			if err := setState(ctx, tx, cu, stage, to.ID); err != nil {
				if errors.Is(err, territory.ErrConflict) {
					return refuse("stale", "%s", err.Error())
				}
				return err
			}
			if stage != from {
				t := &funnel.Transition{CustomerID: cu.ID, ManagerID: to.ID, UserID: a.UserID, From: from, To: stage, At: now,
					Reason: "balanced: claimed for " + holderName(to)}
				if err := tx.CreateTransition(ctx, t); err != nil {
					return fmt.Errorf("record transition: %w", err)
				}
			}
			res.Claim = c
		}
		res.Stage, res.OwnerNow = cu.Stage, cu.OwnerID
		return nil
	})
	var rf *refusal
	switch {
	case errors.As(err, &rf):
		return AcceptResult{AcceptChange: ch, Status: AcceptRefused, Code: rf.code, Reason: rf.reason}, nil
	case err != nil:
		return res, fmt.Errorf("accept change of customer %d: %w", ch.CustomerID, err)
	}
	res.Status = AcceptApplied
	s.log().Info("balance change applied", "user", a.UserID, "customer", ch.CustomerID, "from", ch.From, "to", ch.To)
	return res, nil
}
