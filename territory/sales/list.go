package sales

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"gridplan/funnel"
	"gridplan/territory"
)

// ListCustomer is a customer as the list and the pool show him.
type ListCustomer struct {
	ID       int64             `json:"id"`
	Name     string            `json:"name"`
	Address  string            `json:"address"`
	Lng      float64           `json:"lng"`
	Lat      float64           `json:"lat"`
	GridID   int64             `json:"grid_id,omitempty"`
	Stage    funnel.Stage      `json:"stage"`
	OwnerID  int64             `json:"owner_id,omitempty"`
	Industry string            `json:"industry,omitempty"`
	Size     territory.Size    `json:"size,omitempty"`
	Carrier  territory.Carrier `json:"carrier"`
	Special  bool              `json:"special"`
}

func listCustomer(cu *territory.Customer) ListCustomer {
	return ListCustomer{ID: cu.ID, Name: cu.Name, Address: cu.Address, Lng: cu.Location[0], Lat: cu.Location[1], GridID: cu.GridID,
		Stage: cu.Stage, OwnerID: cu.OwnerID, Industry: cu.Industry, Size: cu.Size, Carrier: cu.Carrier, Special: cu.Special}
}

// ListItem is one customer of a manager's list with what to do next: his
// claim and its lapse date (Lapsing: inside the warning window), the
// priority that orders the list (higher first), the next action's key
// (funnel.Next…; the page translates it), the latest signal of each kind,
// the last activity and the open follow-ups.
type ListItem struct {
	ListCustomer
	Claim           *funnel.Claim      `json:"claim,omitempty"`
	LapseAt         *time.Time         `json:"lapse_at,omitempty"`
	Lapsing         bool               `json:"lapsing"`
	Priority        float64            `json:"priority"`
	NextAction      string             `json:"next_action"`
	Signals         []funnel.SignalAt  `json:"signals"`
	LastActivityAt  *time.Time         `json:"last_activity_at,omitempty"`
	ContractExpires *time.Time         `json:"contract_expires,omitempty"`
	FollowUps       []*funnel.FollowUp `json:"follow_ups"`
}

// ListGroup is the list's customers at one stage, most urgent first.
type ListGroup struct {
	Stage funnel.Stage `json:"stage"`
	Items []*ListItem  `json:"items"`
}

// QuotaView is a manager's list size against his quota: Count is what
// counts toward it (active claims at the quota stages).
type QuotaView struct {
	Count  int `json:"count"`
	Min    int `json:"min"`
	Target int `json:"target"`
	Max    int `json:"max"`
}

// PoolSummary counts the unclaimed customers of a grid by stage.
type PoolSummary struct {
	GridID   int64                `json:"grid_id"`
	GridCode string               `json:"grid_code"`
	GridName string               `json:"grid_name"`
	Count    int                  `json:"count"`
	Counts   map[funnel.Stage]int `json:"counts"`
}

// DueFollowUp is an open follow-up with its customer's name.
type DueFollowUp struct {
	*funnel.FollowUp
	CustomerName string `json:"customer_name"`
}

// ListView is a manager's list page: his quota, his customers grouped by
// stage (the six steps always present, list first … in_network, then
// target, lost and churned when he holds any), the claims about to lapse
// (soonest first), his open follow-ups (earliest due first), the counts per
// stage and his grid's pool.
type ListView struct {
	Manager   *territory.Manager   `json:"manager"`
	Now       time.Time            `json:"now"`
	Quota     QuotaView            `json:"quota"`
	Counts    map[funnel.Stage]int `json:"counts"`
	Groups    []ListGroup          `json:"groups"`
	Lapsing   []*ListItem          `json:"lapsing"`
	FollowUps []DueFollowUp        `json:"follow_ups"`
	Pool      PoolSummary          `json:"pool"`
}

// groupOrder is the order of ListView.Groups.
var groupOrder = []funnel.Stage{funnel.List, funnel.Potential, funnel.Intent, funnel.Order, funnel.InNetwork, funnel.Target, funnel.Lost, funnel.Churned}

// MyList is manager managerID's list page. A manager sees only his own;
// leaders, planners and admins anyone's.
func (s *Service) MyList(ctx context.Context, a Actor, managerID int64) (*ListView, error) {
	if err := canRead(a, managerID); err != nil {
		return nil, err
	}
	st := s.Store
	m, err := manager(ctx, st, managerID)
	if err != nil {
		return nil, err
	}
	cfg, err := s.config(ctx, st)
	if err != nil {
		return nil, err
	}
	now := s.now()
	v := &ListView{Manager: m, Now: now, Counts: map[funnel.Stage]int{}, Lapsing: []*ListItem{}, FollowUps: []DueFollowUp{},
		Quota: QuotaView{Min: m.Quota.Min, Target: m.Quota.Target, Max: m.Quota.Max}}
	for _, stg := range funnel.Stages {
		v.Counts[stg] = 0
	}

	cs, err := st.Customers(ctx, territory.CustomerFilter{OwnerID: m.ID})
	if err != nil {
		return nil, fmt.Errorf("customers of manager %d: %w", m.ID, err)
	}
	claims, err := st.Claims(ctx, funnel.ClaimFilter{ManagerID: m.ID, Status: funnel.ClaimActive})
	if err != nil {
		return nil, fmt.Errorf("claims of manager %d: %w", m.ID, err)
	}
	claimOf := make(map[int64]*funnel.Claim, len(claims))
	for _, c := range claims {
		claimOf[c.CustomerID] = c
	}
	fus, err := st.FollowUps(ctx, funnel.FollowUpFilter{ManagerID: m.ID, OpenOnly: true})
	if err != nil {
		return nil, fmt.Errorf("follow-ups of manager %d: %w", m.ID, err)
	}
	fuOf := map[int64][]*funnel.FollowUp{}
	for _, f := range fus {
		fuOf[f.CustomerID] = append(fuOf[f.CustomerID], f)
	}

	names := map[int64]string{}
	groups := map[funnel.Stage][]*ListItem{}
	for i, cu := range cs {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		names[cu.ID] = cu.Name
		it, err := s.item(ctx, st, cfg, now, cu, claimOf[cu.ID], fuOf[cu.ID])
		if err != nil {
			return nil, err
		}
		v.Counts[cu.Stage]++
		if it.Claim != nil && cfg.CountsTowardQuota(cu.Stage) {
			v.Quota.Count++
		}
		if it.Lapsing {
			v.Lapsing = append(v.Lapsing, it)
		}
		groups[cu.Stage] = append(groups[cu.Stage], it)
	}
	for _, stg := range groupOrder {
		items := groups[stg]
		if len(items) == 0 && stg.Step() <= 1 && stg != funnel.List {
			continue // target, lost and churned only when he holds some
		}
		slices.SortStableFunc(items, func(a, b *ListItem) int { return cmp.Or(cmp.Compare(b.Priority, a.Priority), cmp.Compare(a.ID, b.ID)) })
		if items == nil {
			items = []*ListItem{}
		}
		v.Groups = append(v.Groups, ListGroup{Stage: stg, Items: items})
	}
	slices.SortStableFunc(v.Lapsing, func(a, b *ListItem) int { return cmp.Or(a.LapseAt.Compare(*b.LapseAt), cmp.Compare(a.ID, b.ID)) })
	for _, f := range fus {
		name, ok := names[f.CustomerID]
		if !ok {
			if cu, err := st.Customer(ctx, f.CustomerID); err == nil {
				name = cu.Name
			}
		}
		v.FollowUps = append(v.FollowUps, DueFollowUp{FollowUp: f, CustomerName: name})
	}
	slices.SortStableFunc(v.FollowUps, func(a, b DueFollowUp) int { return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ID, b.ID)) })

	if v.Pool, err = s.poolSummary(ctx, st, m.GridID); err != nil {
		return nil, err
	}
	return v, nil
}

// item builds one list item from the customer's activities.
func (s *Service) item(ctx context.Context, st Store, cfg *funnel.Config, now time.Time, cu *territory.Customer, claim *funnel.Claim, fus []*funnel.FollowUp) (*ListItem, error) {
	acts, err := st.Activities(ctx, funnel.ActivityFilter{CustomerID: cu.ID})
	if err != nil {
		return nil, fmt.Errorf("activities of customer %d: %w", cu.ID, err)
	}
	it := &ListItem{ListCustomer: listCustomer(cu), Claim: claim, Signals: []funnel.SignalAt{}, FollowUps: fus}
	if it.FollowUps == nil {
		it.FollowUps = []*funnel.FollowUp{}
	}
	latest := map[funnel.SignalKind]time.Time{}
	var all []funnel.SignalAt
	var last time.Time
	for _, a := range acts {
		if a.At.After(last) {
			last = a.At
		}
		for _, k := range a.Signals {
			all = append(all, funnel.SignalAt{Kind: k, At: a.At})
			if t, ok := latest[k]; !ok || a.At.After(t) {
				latest[k] = a.At
			}
		}
		if a.ContractExpires != nil && (it.ContractExpires == nil || a.ContractExpires.After(*it.ContractExpires)) {
			ce := *a.ContractExpires
			it.ContractExpires = &ce
		}
	}
	for _, k := range funnel.SignalKinds {
		if t, ok := latest[k]; ok {
			it.Signals = append(it.Signals, funnel.SignalAt{Kind: k, At: t})
		}
	}
	in := funnel.PriorityInput{Stage: cu.Stage, Signals: all, DaysSinceContact: -1, ContractExpires: it.ContractExpires, Now: now, WarnDays: cfg.WarnDays}
	if !last.IsZero() {
		l := last
		it.LastActivityAt = &l
		in.DaysSinceContact = int(now.Sub(last).Hours() / 24)
	}
	if claim != nil {
		at := funnel.LapseAt(cfg, claim)
		it.LapseAt, it.Lapsing = &at, funnel.Lapsing(cfg, now, claim)
		in.Claimed, in.LapseIn = true, at.Sub(now)
	}
	it.Priority = funnel.Priority(in)
	it.NextAction = funnel.NextAction(cu.Stage, len(it.Signals) > 0)
	return it, nil
}

// poolSummary counts the grid's unclaimed customers by stage.
func (s *Service) poolSummary(ctx context.Context, st Store, gridID int64) (PoolSummary, error) {
	p := PoolSummary{GridID: gridID, Counts: map[funnel.Stage]int{}}
	for _, stg := range funnel.Stages {
		p.Counts[stg] = 0
	}
	if gridID == 0 {
		return p, nil
	}
	g, err := st.Grid(ctx, gridID)
	if err != nil {
		return p, lookupErr("grid", gridID, err)
	}
	p.GridCode, p.GridName = g.Code, g.Name
	cs, err := st.Customers(ctx, territory.CustomerFilter{GridID: gridID})
	if err != nil {
		return p, fmt.Errorf("customers of grid %d: %w", gridID, err)
	}
	for _, cu := range cs {
		if cu.OwnerID == 0 {
			p.Count++
			p.Counts[cu.Stage]++
		}
	}
	return p, nil
}

// PoolItem is an unclaimed customer of a grid; CooldownUntil, for the
// asking manager, is when he may claim him again after his claim lapsed.
type PoolItem struct {
	ListCustomer
	CooldownUntil *time.Time `json:"cooldown_until,omitempty"`
}

// PoolView is a grid's pool: every unclaimed customer counted by stage,
// the first Limit listed in id order (Total of them in all).
type PoolView struct {
	PoolSummary
	Items []PoolItem `json:"items"`
}

// Pool lists the unclaimed customers of a grid. A manager sees only his
// own grid's; leaders, planners and admins any.
func (s *Service) Pool(ctx context.Context, a Actor, gridID int64, limit int) (*PoolView, error) {
	st := s.Store
	var cooldown map[int64]time.Time
	switch a.Role {
	case territory.RoleLeader, territory.RolePlanner, territory.RoleAdmin:
	case territory.RoleManager:
		if a.ManagerID <= 0 {
			return nil, forbidden("this login is not linked to a manager")
		}
		m, err := manager(ctx, st, a.ManagerID)
		if err != nil {
			return nil, err
		}
		if gridID != m.GridID {
			return nil, forbidden("managers see only their own grid's pool")
		}
		if cooldown, err = s.cooldowns(ctx, st, m.ID); err != nil {
			return nil, err
		}
	default:
		return nil, forbidden("role %s may not read the pool", a.Role)
	}
	sum, err := s.poolSummary(ctx, st, gridID)
	if err != nil {
		return nil, err
	}
	v := &PoolView{PoolSummary: sum, Items: []PoolItem{}}
	cs, err := st.Customers(ctx, territory.CustomerFilter{GridID: gridID})
	if err != nil {
		return nil, fmt.Errorf("customers of grid %d: %w", gridID, err)
	}
	for _, cu := range cs {
		if cu.OwnerID != 0 {
			continue
		}
		if limit > 0 && len(v.Items) >= limit {
			break
		}
		it := PoolItem{ListCustomer: listCustomer(cu)}
		if u, ok := cooldown[cu.ID]; ok {
			it.CooldownUntil = &u
		}
		v.Items = append(v.Items, it)
	}
	return v, nil
}

// cooldowns maps the customers manager may not claim again yet (his
// claim of them lapsed recently) to the day he may.
func (s *Service) cooldowns(ctx context.Context, st Store, managerID int64) (map[int64]time.Time, error) {
	cfg, err := s.config(ctx, st)
	if err != nil {
		return nil, err
	}
	now := s.now()
	cs, err := st.Claims(ctx, funnel.ClaimFilter{ManagerID: managerID, Status: funnel.ClaimLapsed, EndedSince: now.AddDate(0, 0, -cfg.CooldownDays)})
	if err != nil {
		return nil, fmt.Errorf("lapsed claims of manager %d: %w", managerID, err)
	}
	out := map[int64]time.Time{}
	for _, c := range cs {
		err := funnel.CheckClaim(cfg, now, managerID, nil, c, 0, 1)
		if ce, ok := err.(*funnel.CooldownError); ok {
			if u, seen := out[c.CustomerID]; !seen || ce.Until.After(u) {
				out[c.CustomerID] = ce.Until
			}
		}
	}
	return out, nil
}

// canRead lets a manager read only his own list; leaders, planners and
// admins anyone's.
func canRead(a Actor, managerID int64) error {
	switch a.Role {
	case territory.RoleLeader, territory.RolePlanner, territory.RoleAdmin:
		return nil
	case territory.RoleManager:
		if a.ManagerID <= 0 {
			return forbidden("this login is not linked to a manager")
		}
		if a.ManagerID != managerID {
			return forbidden("managers see only their own list")
		}
		return nil
	}
	return forbidden("role %s may not read lists", a.Role)
}

// Activities lists a customer's activities, oldest first (a manager: his
// own customers and his grid's pool).
func (s *Service) Activities(ctx context.Context, a Actor, customerID int64) ([]*funnel.Activity, error) {
	cu, err := customer(ctx, s.Store, customerID)
	if err != nil {
		return nil, err
	}
	if err := s.readScope(ctx, s.Store, a, cu); err != nil {
		return nil, err
	}
	as, err := s.Store.Activities(ctx, funnel.ActivityFilter{CustomerID: cu.ID})
	if err != nil {
		return nil, fmt.Errorf("activities of customer %d: %w", cu.ID, err)
	}
	if as == nil {
		as = []*funnel.Activity{}
	}
	return as, nil
}

// Transitions lists a customer's stage changes, oldest first (a manager:
// his own customers and his grid's pool).
func (s *Service) Transitions(ctx context.Context, a Actor, customerID int64) ([]*funnel.Transition, error) {
	cu, err := customer(ctx, s.Store, customerID)
	if err != nil {
		return nil, err
	}
	if err := s.readScope(ctx, s.Store, a, cu); err != nil {
		return nil, err
	}
	ts, err := s.Store.Transitions(ctx, funnel.TransitionFilter{CustomerID: cu.ID})
	if err != nil {
		return nil, fmt.Errorf("transitions of customer %d: %w", cu.ID, err)
	}
	if ts == nil {
		ts = []*funnel.Transition{}
	}
	return ts, nil
}
