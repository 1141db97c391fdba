package territory_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/territory"
)

// planFake is an in-memory PlannerStore with the stores' semantics where
// planning relies on them: versions checked and bumped, unique codes, one
// published plan, managers keeping a grid from being deleted, customers of
// a deleted grid left in none. InTx serialises transactions and rolls the
// whole state back when fn fails. fail makes a method fail (by name).
type planFake struct {
	txMu sync.Mutex // one transaction at a time
	mu   sync.Mutex
	st   fakeState
	fail map[string]error
	now  time.Time
}

type fakeState struct {
	districts map[int64]*territory.District
	grids     map[int64]*territory.Grid
	managers  map[int64]*territory.Manager
	customers map[int64]*territory.Customer
	plans     map[int64]*territory.Plan
	planGrids map[int64]*territory.PlanGrid
	next      int64
}

func (s fakeState) clone() fakeState {
	c := s
	c.districts = cloneMap(s.districts)
	c.grids = cloneMap(s.grids)
	c.managers = cloneMap(s.managers)
	c.customers = cloneMap(s.customers)
	c.plans = cloneMap(s.plans)
	c.planGrids = cloneMap(s.planGrids)
	return c
}

func cloneMap[T any](m map[int64]*T) map[int64]*T {
	out := make(map[int64]*T, len(m))
	for k, v := range m {
		c := *v
		out[k] = &c
	}
	return out
}

func newPlanFake() *planFake {
	return &planFake{fail: map[string]error{}, now: time.Date(2026, 11, 26, 10, 42, 0, 0, time.UTC), st: fakeState{
		districts: map[int64]*territory.District{}, grids: map[int64]*territory.Grid{}, managers: map[int64]*territory.Manager{},
		customers: map[int64]*territory.Customer{}, plans: map[int64]*territory.Plan{}, planGrids: map[int64]*territory.PlanGrid{},
		next: 1_000_000,
	}}
}

// planner returns a Planner on f with its transactions.
func (f *planFake) planner() *territory.Planner {
	return &territory.Planner{Store: f, InTx: f.InTx, Now: func() time.Time { return f.now }}
}

func (f *planFake) InTx(ctx context.Context, fn func(territory.PlannerStore) error) error {
	f.txMu.Lock()
	defer f.txMu.Unlock()
	f.mu.Lock()
	saved := f.st.clone()
	f.mu.Unlock()
	if err := fn(f); err != nil {
		f.mu.Lock()
		f.st = saved
		f.mu.Unlock()
		return err
	}
	return nil
}

func (f *planFake) id() int64 { f.st.next++; return f.st.next }

func (f *planFake) failing(name string) error { return f.fail[name] }

func sorted[T any](m map[int64]*T, keep func(*T) bool) []*T {
	ids := slices.Sorted(maps.Keys(m))
	var out []*T
	for _, id := range ids {
		if keep == nil || keep(m[id]) {
			c := *m[id]
			out = append(out, &c)
		}
	}
	return out
}

// Plans.

func (f *planFake) CreatePlan(ctx context.Context, p *territory.Plan, grids []*territory.PlanGrid) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failing("CreatePlan"); err != nil {
		return err
	}
	if p.Status == territory.PlanPublished {
		for _, o := range f.st.plans {
			if o.Status == territory.PlanPublished {
				return &territory.ConflictError{Reason: "another plan is published"}
			}
		}
	}
	p.ID, p.Version = f.id(), 1
	c := *p
	f.st.plans[p.ID] = &c
	ids := map[int64]int64{}
	for _, g := range grids {
		old := g.ID
		g.ID, g.PlanID, g.Version = f.id(), p.ID, 1
		ids[old] = g.ID
	}
	codes := map[string]bool{}
	for _, g := range grids {
		if !g.Removed {
			if codes[g.Code] {
				return &territory.ConflictError{Reason: "duplicate code " + g.Code}
			}
			codes[g.Code] = true
		}
		if g.SuccessorID != 0 {
			g.SuccessorID = ids[g.SuccessorID]
		}
		c := *g
		c.Boundary = g.Boundary.Clone()
		f.st.planGrids[g.ID] = &c
	}
	return nil
}

func (f *planFake) Plan(ctx context.Context, id int64) (*territory.Plan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.st.plans[id]
	if !ok {
		return nil, territory.NotFound("plan", id)
	}
	c := *p
	return &c, nil
}

func (f *planFake) Plans(ctx context.Context, flt territory.PlanFilter) ([]*territory.Plan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps := sorted(f.st.plans, func(p *territory.Plan) bool {
		return len(flt.Statuses) == 0 || slices.Contains(flt.Statuses, p.Status)
	})
	slices.Reverse(ps)
	if flt.Limit > 0 && len(ps) > flt.Limit {
		ps = ps[:flt.Limit]
	}
	return ps, nil
}

func (f *planFake) UpdatePlan(ctx context.Context, p *territory.Plan) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failing("UpdatePlan"); err != nil {
		return err
	}
	cur, ok := f.st.plans[p.ID]
	if !ok {
		return territory.NotFound("plan", p.ID)
	}
	if cur.Version != p.Version {
		return &territory.ConflictError{Reason: fmt.Sprintf("plan %d is at version %d", p.ID, cur.Version)}
	}
	for _, o := range f.st.plans {
		if o.ID != p.ID && p.Status == territory.PlanPublished && o.Status == territory.PlanPublished {
			return &territory.ConflictError{Reason: "another plan is published"}
		}
		if o.ID != p.ID && p.Number > 0 && o.Number == p.Number {
			return &territory.ConflictError{Reason: "number taken"}
		}
	}
	p.Version++
	p.UpdatedAt = f.now
	c := *p
	f.st.plans[p.ID] = &c
	return nil
}

func (f *planFake) DeletePlan(ctx context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.st.plans, id)
	for gid, g := range f.st.planGrids {
		if g.PlanID == id {
			delete(f.st.planGrids, gid)
		}
	}
	return nil
}

func (f *planFake) PlanGrids(ctx context.Context, planID int64) ([]*territory.PlanGrid, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.st.plans[planID]; !ok {
		return nil, territory.NotFound("plan", planID)
	}
	return sorted(f.st.planGrids, func(g *territory.PlanGrid) bool { return g.PlanID == planID }), nil
}

func (f *planFake) PlanGrid(ctx context.Context, id int64) (*territory.PlanGrid, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	g, ok := f.st.planGrids[id]
	if !ok {
		return nil, territory.NotFound("plan grid", id)
	}
	c := *g
	return &c, nil
}

func (f *planFake) planGridCodeFree(g *territory.PlanGrid) error {
	for _, o := range f.st.planGrids {
		if o.PlanID == g.PlanID && o.ID != g.ID && !o.Removed && !g.Removed && o.Code == g.Code {
			return &territory.ConflictError{Reason: fmt.Sprintf("grid code %q is already used by plan grid %d", g.Code, o.ID)}
		}
	}
	return nil
}

func (f *planFake) CreatePlanGrid(ctx context.Context, g *territory.PlanGrid) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failing("CreatePlanGrid"); err != nil {
		return err
	}
	if _, ok := f.st.plans[g.PlanID]; !ok {
		return territory.NotFound("plan", g.PlanID)
	}
	if err := f.planGridCodeFree(g); err != nil {
		return err
	}
	g.ID, g.Version, g.UpdatedAt = f.id(), 1, f.now
	c := *g
	c.Boundary = g.Boundary.Clone()
	f.st.planGrids[g.ID] = &c
	return nil
}

func (f *planFake) UpdatePlanGrid(ctx context.Context, g *territory.PlanGrid) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failing("UpdatePlanGrid"); err != nil {
		return err
	}
	cur, ok := f.st.planGrids[g.ID]
	if !ok {
		return territory.NotFound("plan grid", g.ID)
	}
	if cur.Version != g.Version {
		return &territory.ConflictError{Reason: fmt.Sprintf("grid %s was changed by %s", cur.Code, cur.UpdatedBy)}
	}
	g.PlanID = cur.PlanID
	if err := f.planGridCodeFree(g); err != nil {
		return err
	}
	g.Version++
	g.UpdatedAt = f.now
	c := *g
	c.Boundary = g.Boundary.Clone()
	f.st.planGrids[g.ID] = &c
	return nil
}

// Live grids.

func (f *planFake) CreateGrid(ctx context.Context, g *territory.Grid) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.st.grids {
		if o.Code == g.Code {
			return &territory.ConflictError{Reason: "grid code taken: " + g.Code}
		}
	}
	g.ID, g.Version, g.UpdatedAt = f.id(), 1, f.now
	c := *g
	f.st.grids[g.ID] = &c
	return nil
}

func (f *planFake) Grid(ctx context.Context, id int64) (*territory.Grid, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	g, ok := f.st.grids[id]
	if !ok {
		return nil, territory.NotFound("grid", id)
	}
	c := *g
	return &c, nil
}

func (f *planFake) Grids(ctx context.Context, flt territory.GridFilter) ([]*territory.Grid, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return sorted(f.st.grids, func(g *territory.Grid) bool {
		return (flt.DistrictID == 0 || g.DistrictID == flt.DistrictID) && (flt.Status == "" || g.Status == flt.Status)
	}), nil
}

func (f *planFake) UpdateGrid(ctx context.Context, g *territory.Grid) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failing("UpdateGrid"); err != nil {
		return err
	}
	cur, ok := f.st.grids[g.ID]
	if !ok {
		return territory.NotFound("grid", g.ID)
	}
	if cur.Version != g.Version {
		return &territory.ConflictError{Reason: "stale grid"}
	}
	for _, o := range f.st.grids {
		if o.ID != g.ID && o.Code == g.Code {
			return &territory.ConflictError{Reason: "grid code taken: " + g.Code}
		}
	}
	g.Version++
	g.UpdatedAt = f.now
	c := *g
	f.st.grids[g.ID] = &c
	return nil
}

func (f *planFake) DeleteGrid(ctx context.Context, id int64, version int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	cur, ok := f.st.grids[id]
	if !ok {
		return territory.NotFound("grid", id)
	}
	if cur.Version != version {
		return &territory.ConflictError{Reason: "stale grid"}
	}
	for _, m := range f.st.managers {
		if m.GridID == id {
			return &territory.ConflictError{Reason: fmt.Sprintf("grid %s still has managers", cur.Code)}
		}
	}
	for _, c := range f.st.customers {
		if c.GridID == id {
			c.GridID = 0
		}
	}
	delete(f.st.grids, id)
	return nil
}

// Districts.

func (f *planFake) CreateDistrict(ctx context.Context, d *territory.District) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d.ID = f.id()
	c := *d
	f.st.districts[d.ID] = &c
	return nil
}

func (f *planFake) District(ctx context.Context, id int64) (*territory.District, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.st.districts[id]
	if !ok {
		return nil, territory.NotFound("district", id)
	}
	c := *d
	return &c, nil
}

func (f *planFake) Districts(ctx context.Context) ([]*territory.District, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return sorted(f.st.districts, nil), nil
}

func (f *planFake) UpdateDistrict(ctx context.Context, d *territory.District) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := *d
	f.st.districts[d.ID] = &c
	return nil
}

func (f *planFake) DeleteDistrict(ctx context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.st.districts, id)
	return nil
}

// Managers.

func (f *planFake) CreateManager(ctx context.Context, m *territory.Manager) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m.ID = f.id()
	c := *m
	f.st.managers[m.ID] = &c
	return nil
}

func (f *planFake) Manager(ctx context.Context, id int64) (*territory.Manager, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.st.managers[id]
	if !ok {
		return nil, territory.NotFound("manager", id)
	}
	c := *m
	return &c, nil
}

func (f *planFake) Managers(ctx context.Context, flt territory.ManagerFilter) ([]*territory.Manager, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return sorted(f.st.managers, func(m *territory.Manager) bool { return flt.GridID == 0 || m.GridID == flt.GridID }), nil
}

func (f *planFake) UpdateManager(ctx context.Context, m *territory.Manager) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failing("UpdateManager"); err != nil {
		return err
	}
	if _, ok := f.st.grids[m.GridID]; !ok {
		return territory.Invalid("grid_id", "grid %d does not exist", m.GridID)
	}
	c := *m
	f.st.managers[m.ID] = &c
	return nil
}

func (f *planFake) DeleteManager(ctx context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.st.managers, id)
	return nil
}

// Customers.

func (f *planFake) CreateCustomer(ctx context.Context, c *territory.Customer) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c.ID = f.id()
	cc := *c
	f.st.customers[c.ID] = &cc
	return nil
}

func (f *planFake) Customer(ctx context.Context, id int64) (*territory.Customer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.st.customers[id]
	if !ok {
		return nil, territory.NotFound("customer", id)
	}
	cc := *c
	return &cc, nil
}

func (f *planFake) CustomerByExternalID(ctx context.Context, ext string) (*territory.Customer, error) {
	return nil, errors.New("not in the fake")
}

func (f *planFake) customerMatch(flt territory.CustomerFilter) func(*territory.Customer) bool {
	return func(c *territory.Customer) bool {
		return (flt.GridID == 0 || c.GridID == flt.GridID) && (flt.OwnerID == 0 || c.OwnerID == flt.OwnerID) &&
			(flt.Stage == "" || c.Stage == flt.Stage) && (flt.Bound == nil || flt.Bound.Contains(c.Location)) && c.ID > flt.AfterID
	}
}

func (f *planFake) Customers(ctx context.Context, flt territory.CustomerFilter) ([]*territory.Customer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failing("Customers"); err != nil {
		return nil, err
	}
	cs := sorted(f.st.customers, f.customerMatch(flt))
	if flt.Limit > 0 && len(cs) > flt.Limit {
		cs = cs[:flt.Limit]
	}
	return cs, nil
}

func (f *planFake) CountCustomers(ctx context.Context, flt territory.CustomerFilter) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	flt.AfterID = 0
	n := 0
	match := f.customerMatch(flt)
	for _, c := range f.st.customers {
		if match(c) {
			n++
		}
	}
	return n, nil
}

func (f *planFake) UpdateCustomer(ctx context.Context, c *territory.Customer) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	cc := *c
	f.st.customers[c.ID] = &cc
	return nil
}

func (f *planFake) DeleteCustomer(ctx context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.st.customers, id)
	return nil
}

func (f *planFake) CustomerLocations(ctx context.Context, bound *orb.Bound, fn func(territory.CustomerLocation) error) error {
	f.mu.Lock()
	cs := sorted(f.st.customers, func(c *territory.Customer) bool { return bound == nil || bound.Contains(c.Location) })
	f.mu.Unlock()
	for _, c := range cs {
		if err := fn(territory.CustomerLocation{ID: c.ID, Location: c.Location, Cell: c.Cell, GridID: c.GridID, Stage: c.Stage, OwnerID: c.OwnerID}); err != nil {
			return err
		}
	}
	return nil
}

func (f *planFake) MoveCustomers(ctx context.Context, moves []territory.GridMove) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failing("MoveCustomers"); err != nil {
		return err
	}
	for _, m := range moves {
		c, ok := f.st.customers[m.CustomerID]
		if !ok {
			return territory.NotFound("customer", m.CustomerID)
		}
		if _, ok := f.st.grids[m.To]; m.To != 0 && !ok {
			return territory.Invalid("grid_id", "grid %d does not exist", m.To)
		}
		c.GridID = m.To
	}
	return nil
}

var _ territory.PlannerStore = (*planFake)(nil)

// loadCity fills f with the 20k demo city (districts, grids, managers,
// customers; ids as the city gives them).
func loadCity(tb testing.TB, f *planFake) {
	tb.Helper()
	city := demoCity(tb)
	for _, d := range city.Districts {
		c := *d
		f.st.districts[d.ID] = &c
	}
	for _, g := range city.Grids {
		c := *g
		f.st.grids[g.ID] = &c
	}
	for _, m := range city.Managers {
		c := *m
		f.st.managers[m.ID] = &c
	}
	for i, cu := range city.Customers {
		c := *cu
		c.ID = int64(i + 1)
		f.st.customers[c.ID] = &c
	}
}
