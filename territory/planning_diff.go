package territory

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"gridplan/geo"
	"gridplan/geo/shape"
)

// PlanDiff is what publishing a plan would do to customers and managers:
// each customer's current grid (the published plan's, i.e. the live grid
// the store has for it) against the grid the plan puts it in, by the rule
// of grid assignment (gridindex: lowest live grid id wins where grids meet;
// grids new in the plan come after every existing grid, in plan grid id
// order, as publication creates them).
type PlanDiff struct {
	// Moved counts the customers whose grid changes (into another grid or
	// out of every grid).
	Moved int `json:"moved"`
	// Customers lists the first MaxDiffCustomers of them by id;
	// CustomersTotal is how many there are in all (= Moved).
	Customers      []CustomerMove `json:"customers"`
	CustomersTotal int            `json:"customers_total"`
	// Grids has a line for every grid whose shape changes or whose
	// customers change, by code.
	Grids []GridDelta `json:"grids"`
	// ManagersOutside lists the managers the plan touches (a list customer
	// of theirs changes grid, or their grid is removed) who would have list
	// customers outside their grid, by manager id.
	ManagersOutside []ManagerOutside `json:"managers_outside"`
}

// MaxDiffCustomers bounds PlanDiff.Customers: a list for a person to read.
const MaxDiffCustomers = 500

// CustomerMove is one customer changing grid. From and To are grid codes
// ("" for none); FromGridID is the live grid it is in now, ToPlanGridID the
// plan grid it goes to (0 for none).
type CustomerMove struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	From         string `json:"from"`
	To           string `json:"to"`
	FromGridID   int64  `json:"from_grid_id,omitempty"`
	ToPlanGridID int64  `json:"to_plan_grid_id,omitempty"`
}

// GridDelta is one grid's customer count now (Before: in the live grid it
// stands for; 0 for a new grid) and under the plan (After: 0 for a removed
// grid). PlanGridID is 0 for a live grid the plan does not have at all.
// CoverageBefore and Coverage count the same customers by best network
// coverage today (nil when the Planner has no Coverage).
type GridDelta struct {
	PlanGridID     int64           `json:"plan_grid_id"`
	GridID         int64           `json:"grid_id"`
	Code           string          `json:"code"`
	Before         int             `json:"before"`
	After          int             `json:"after"`
	Removed        bool            `json:"removed,omitempty"`
	Reshaped       bool            `json:"reshaped,omitempty"` // new, removed, or shape changed
	CoverageBefore *CoverageCounts `json:"coverage_before"`
	Coverage       *CoverageCounts `json:"coverage"`
}

// ManagerOutside is a manager whose list would reach outside his grid.
// GridID is his grid now; PlanGridID the plan grid he would be on (the
// successor when his grid is removed; 0 when none). CustomersOutside counts
// his list customers that would lie outside it, CustomersOutsideBefore
// those outside his grid today.
type ManagerOutside struct {
	ManagerID              int64  `json:"manager_id"`
	Name                   string `json:"name"`
	GridID                 int64  `json:"grid_id"`
	PlanGridID             int64  `json:"plan_grid_id"`
	CustomersOutside       int    `json:"customers_outside"`
	CustomersOutsideBefore int    `json:"customers_outside_before"`
}

// layout is a plan's grids set against the live grids: where customers land
// under the plan.
//
// Where the two agree, the plan changes nobody's grid: a customer outside
// the bounding boxes of every grid the plan adds, removes or reshapes (old
// and new shapes) is held by exactly the same polygons as today, so he
// stays in the grid the store says he is in. Only customers inside those
// boxes are located afresh (R-tree + point in polygon, in assignment
// priority order). That keeps a preview of one redrawn grid down to the
// few hundred customers around it.
type layout struct {
	grids   []*PlanGrid
	byID    map[int64]*PlanGrid
	live    map[int64]*Grid
	active  []*PlanGrid // not removed, in assignment priority order
	ix      *geo.Index[int32]
	forLive map[int64]*PlanGrid // live grid id → the plan grid standing for it
	absent  []*Grid             // live grids the plan does not mention
	// changed plan grids (by id) and their boxes (old and new shapes)
	changed map[int64]bool
	boxes   []orb.Bound
	boxTree rtree.RTreeG[int32]
}

// maxPreciseBoxes bounds the reshaped grids whose changed area newLayout
// works out exactly.
const maxPreciseBoxes = 64

func newLayout(grids []*PlanGrid, live []*Grid) *layout {
	l := &layout{grids: grids, byID: map[int64]*PlanGrid{}, live: map[int64]*Grid{}, forLive: map[int64]*PlanGrid{},
		changed: map[int64]bool{}, ix: geo.NewIndex[int32]()}
	for _, g := range live {
		l.live[g.ID] = g
	}
	for _, g := range grids {
		l.byID[g.ID] = g
		if g.GridID > 0 && l.live[g.GridID] != nil {
			if prev := l.forLive[g.GridID]; prev == nil || prev.Removed {
				l.forLive[g.GridID] = g
			}
		}
		if !g.Removed && len(g.Boundary) > 0 {
			l.active = append(l.active, g)
		}
	}
	slices.SortFunc(l.active, func(a, b *PlanGrid) int {
		la, lb := l.liveOf(a), l.liveOf(b)
		switch {
		case la == 0 && lb != 0:
			return 1
		case la != 0 && lb == 0:
			return -1
		case la != lb:
			return cmp.Compare(la, lb)
		}
		return cmp.Compare(a.ID, b.ID)
	})
	for i, g := range l.active {
		for _, poly := range g.Boundary {
			l.ix.Add(int32(i), poly)
		}
	}
	addBox := func(b orb.Bound) {
		l.boxTree.Insert(b.Min, b.Max, int32(len(l.boxes)))
		l.boxes = append(l.boxes, b)
	}
	var reshaped []*PlanGrid
	for _, g := range grids {
		lg := l.live[l.liveOf(g)]
		switch {
		case g.Removed && lg == nil:
			continue // removed and not live: nothing to undo
		case g.Removed || len(g.Boundary) == 0:
			if lg != nil {
				addBox(lg.Boundary.Bound())
			}
		case lg == nil:
			addBox(g.Boundary.Bound())
		case len(g.Boundary) == 1 && orb.Equal(g.Boundary[0], lg.Boundary):
			continue // unchanged
		default:
			reshaped = append(reshaped, g)
		}
		l.changed[g.ID] = true
	}
	// A reshaped grid can only change the grid of customers where its old
	// and new shapes differ: a neighbour a carve bit a corner off needs
	// the corner's box, not the whole grid's. When many grids changed, the
	// boxes end up merged into one scan anyway, so the overlay work is
	// skipped.
	for _, g := range reshaped {
		old, now := shape.Multi(l.live[g.GridID].Boundary), g.Boundary
		if len(reshaped) <= maxPreciseBoxes {
			a, err1 := shape.Difference(old, now)
			b, err2 := shape.Difference(now, old)
			if err1 == nil && err2 == nil {
				for _, part := range append(a, b...) {
					addBox(part.Bound())
				}
				continue
			}
		}
		addBox(old.Bound())
		addBox(now.Bound())
	}
	for _, lg := range live {
		if l.forLive[lg.ID] == nil {
			l.absent = append(l.absent, lg)
			addBox(lg.Boundary.Bound())
		}
	}
	return l
}

// liveOf is the live grid g stands for, 0 for a grid that will be created
// (new, or restored from a version whose live grid was deleted since).
func (l *layout) liveOf(g *PlanGrid) int64 {
	if g != nil && g.GridID > 0 && l.live[g.GridID] != nil {
		return g.GridID
	}
	return 0
}

// inChanged reports whether p lies in the box of a changed grid.
func (l *layout) inChanged(p orb.Point) bool {
	hit := false
	l.boxTree.Search(p, p, func(_, _ [2]float64, _ int32) bool {
		hit = true
		return false
	})
	return hit
}

// locate returns the plan grid holding a customer at p who is in live grid
// liveGrid today (0: none), nil when no grid of the plan holds him.
func (l *layout) locate(p orb.Point, liveGrid int64) *PlanGrid {
	if l.inChanged(p) {
		if i, ok := l.ix.Locate(p); ok {
			return l.active[i]
		}
		return nil
	}
	if g := l.forLive[liveGrid]; g != nil && !g.Removed {
		return g
	}
	return nil
}

// moves reports whether a customer in live grid from goes elsewhere when
// the plan puts him in to.
func (l *layout) moves(from int64, to *PlanGrid) bool {
	if to == nil {
		return from != 0
	}
	return l.liveOf(to) == 0 || l.liveOf(to) != from
}

// managerGrid is the plan grid a manager of live grid g would be on.
func (l *layout) managerGrid(liveGrid int64) *PlanGrid {
	return successorOf(l.forLive[liveGrid], l.byID)
}

// code of a live grid or plan grid, for messages.
func (l *layout) liveCode(id int64) string {
	if g := l.live[id]; g != nil {
		return g.Code
	}
	return ""
}

// scanBoxes calls fn once for every customer inside any of boxes (several
// small boxes are read one by one, many are read as their union). It reads
// the light CustomerLocation rows; names are fetched only for the moves
// listed.
func scanBoxes(ctx context.Context, s CustomerGridStore, boxes []orb.Bound, fn func(CustomerLocation) error) error {
	if len(boxes) == 0 {
		return nil
	}
	if len(boxes) > 32 {
		u := boxes[0]
		for _, b := range boxes[1:] {
			u = u.Union(b)
		}
		boxes = []orb.Bound{u}
	}
	seen := map[int64]bool{}
	for _, b := range boxes {
		b = b.Pad(1e-9) // a customer on a box's edge is in it
		err := s.CustomerLocations(ctx, &b, func(c CustomerLocation) error {
			if len(boxes) > 1 {
				if seen[c.ID] {
					return nil
				}
				seen[c.ID] = true
			}
			return fn(c)
		})
		if err != nil {
			return fmt.Errorf("read customers: %w", err)
		}
	}
	return nil
}

// diffPlan is the PlanDiff of grids (a plan's grids, possibly with an
// unsaved edit applied) against the live grids; with cv not nil each grid
// line counts its customers by coverage too: the live grid's counts, less
// the customers moving out, plus those moving in.
func diffPlan(ctx context.Context, s PlannerStore, grids []*PlanGrid, cv CoverageView) (*PlanDiff, error) {
	live, err := s.Grids(ctx, GridFilter{})
	if err != nil {
		return nil, fmt.Errorf("load live grids: %w", err)
	}
	l := newLayout(grids, live)
	d := &PlanDiff{Customers: []CustomerMove{}, Grids: []GridDelta{}, ManagersOutside: []ManagerOutside{}}
	in := map[int64]int{}  // plan grid id → customers moving in
	out := map[int64]int{} // live grid id → customers moving out
	// The same by coverage, when cv is there.
	inCov, outCov := map[int64]*CoverageCounts{}, map[int64]*CoverageCounts{}
	countCov := func(m map[int64]*CoverageCounts, id int64, st ResourceStatus) {
		if m[id] == nil {
			m[id] = &CoverageCounts{}
		}
		m[id].add(st, 1)
	}
	owners := map[int64]bool{}
	var moves []CustomerMove
	err = scanBoxes(ctx, s, l.boxes, func(c CustomerLocation) error {
		to := l.locate(c.Location, c.GridID)
		if !l.moves(c.GridID, to) {
			return nil
		}
		m := CustomerMove{ID: c.ID, From: l.liveCode(c.GridID), FromGridID: c.GridID}
		var st ResourceStatus
		if cv != nil {
			st = cv.CustomerCoverage(c.ID)
		}
		if to != nil {
			m.To, m.ToPlanGridID = to.Code, to.ID
			in[to.ID]++
			countCov(inCov, to.ID, st)
		}
		if c.GridID != 0 {
			out[c.GridID]++
			countCov(outCov, c.GridID, st)
		}
		if c.OwnerID != 0 {
			owners[c.OwnerID] = true
		}
		moves = append(moves, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(moves, func(a, b CustomerMove) int { return cmp.Compare(a.ID, b.ID) })
	d.Moved, d.CustomersTotal = len(moves), len(moves)
	d.Customers = append(d.Customers, moves[:min(len(moves), MaxDiffCustomers)]...)
	for i := range d.Customers {
		c, err := s.Customer(ctx, d.Customers[i].ID)
		if err != nil {
			return nil, lookup("customer", d.Customers[i].ID, err)
		}
		d.Customers[i].Name = c.Name
	}

	// Per grid: every changed grid, and every grid customers enter or leave.
	before := func(liveID int64) (int, error) {
		if liveID == 0 {
			return 0, nil
		}
		n, err := s.CountCustomers(ctx, CustomerFilter{GridID: liveID})
		if err != nil {
			return 0, fmt.Errorf("count the customers of grid %d: %w", liveID, err)
		}
		return n, nil
	}
	for _, g := range grids {
		lid := l.liveOf(g)
		if !l.changed[g.ID] && in[g.ID] == 0 && out[lid] == 0 {
			continue
		}
		if g.Removed && lid == 0 {
			continue
		}
		b, err := before(lid)
		if err != nil {
			return nil, err
		}
		after := 0
		alive := !g.Removed && len(g.Boundary) > 0
		if alive {
			after = b - out[lid] + in[g.ID]
		}
		gd := GridDelta{PlanGridID: g.ID, GridID: lid, Code: g.Code, Before: b, After: after,
			Removed: g.Removed, Reshaped: l.changed[g.ID]}
		if cv != nil {
			gd.CoverageBefore, gd.Coverage = &CoverageCounts{}, &CoverageCounts{}
			if lid != 0 {
				*gd.CoverageBefore = cv.GridCoverage(lid)
			}
			if alive {
				*gd.Coverage = gd.CoverageBefore.plus(inCov[g.ID]).minus(outCov[lid])
			}
		}
		d.Grids = append(d.Grids, gd)
	}
	for _, lg := range l.absent {
		b, err := before(lg.ID)
		if err != nil {
			return nil, err
		}
		gd := GridDelta{GridID: lg.ID, Code: lg.Code, Before: b, Removed: true, Reshaped: true}
		if cv != nil {
			cb := cv.GridCoverage(lg.ID)
			gd.CoverageBefore, gd.Coverage = &cb, &CoverageCounts{}
		}
		d.Grids = append(d.Grids, gd)
	}
	slices.SortFunc(d.Grids, func(a, b GridDelta) int {
		return cmp.Or(cmp.Compare(a.Code, b.Code), cmp.Compare(a.PlanGridID, b.PlanGridID))
	})

	// Managers: owners of moved customers, and the managers of grids that go.
	gone := map[int64]bool{}
	for _, g := range grids {
		if lid := l.liveOf(g); g.Removed && lid != 0 {
			gone[lid] = true
		}
	}
	for _, lg := range l.absent {
		gone[lg.ID] = true
	}
	for lid := range gone {
		ms, err := s.Managers(ctx, ManagerFilter{GridID: lid})
		if err != nil {
			return nil, fmt.Errorf("managers of grid %d: %w", lid, err)
		}
		for _, m := range ms {
			owners[m.ID] = true
		}
	}
	ids := make([]int64, 0, len(owners))
	for id := range owners {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		m, err := s.Manager(ctx, id)
		if err != nil {
			return nil, lookup("manager", id, err)
		}
		mo, err := managerOutside(ctx, s, l, m)
		if err != nil {
			return nil, err
		}
		if mo.CustomersOutside > 0 {
			d.ManagersOutside = append(d.ManagersOutside, mo)
		}
	}
	return d, nil
}

// managerOutside counts m's list customers outside his grid, now and
// under the plan.
func managerOutside(ctx context.Context, s CustomerStore, l *layout, m *Manager) (ManagerOutside, error) {
	mo := ManagerOutside{ManagerID: m.ID, Name: m.Name, GridID: m.GridID}
	home := l.managerGrid(m.GridID)
	if home != nil {
		mo.PlanGridID = home.ID
	}
	cs, err := s.Customers(ctx, CustomerFilter{OwnerID: m.ID})
	if err != nil {
		return mo, fmt.Errorf("list of manager %d: %w", m.ID, err)
	}
	for _, c := range cs {
		if c.GridID != m.GridID {
			mo.CustomersOutsideBefore++
		}
		if to := l.locate(c.Location, c.GridID); to == nil || home == nil || to.ID != home.ID {
			mo.CustomersOutside++
		}
	}
	return mo, nil
}

// Preview says what publishing plan planID would do: with proposed nil,
// the plan as it is; otherwise the plan with proposed applied as SaveGrid
// would apply it (snapped, clipped, carving or fitting per opt; ID 0 for a
// new grid, else the grid's id and the Version it was loaded at), without
// writing anything. Invalid input gets the same errors SaveGrid gives.
func (p *Planner) Preview(ctx context.Context, planID int64, proposed *PlanGrid, opt EditOptions) (*PlanDiff, error) {
	if _, err := p.Store.Plan(ctx, planID); err != nil {
		return nil, lookup("plan", planID, err)
	}
	grids, err := planGrids(ctx, p.Store, planID)
	if err != nil {
		return nil, err
	}
	if proposed != nil {
		e, err := planEdit(ctx, p.Store, planID, grids, proposed, opt)
		if err != nil {
			return nil, editErr("preview", proposed, err)
		}
		grids = applied(grids, e)
	}
	cv, err := p.coverage(ctx)
	if err != nil {
		return nil, fmt.Errorf("preview plan %d: %w", planID, err)
	}
	d, err := diffPlan(ctx, p.Store, grids, cv)
	if err != nil {
		return nil, fmt.Errorf("preview plan %d: %w", planID, err)
	}
	return d, nil
}

// plus is c + x (x may be nil).
func (c CoverageCounts) plus(x *CoverageCounts) CoverageCounts {
	if x != nil {
		c.Existing += x.Existing
		c.UnderConstruction += x.UnderConstruction
		c.Planned += x.Planned
		c.None += x.None
	}
	return c
}

// minus is c − x (x may be nil).
func (c CoverageCounts) minus(x *CoverageCounts) CoverageCounts {
	if x != nil {
		c.Existing -= x.Existing
		c.UnderConstruction -= x.UnderConstruction
		c.Planned -= x.Planned
		c.None -= x.None
	}
	return c
}

// previewID is the id a new grid has in a preview: above every stored id,
// as the id publication will give it is above every existing grid's.
const previewID = math.MaxInt64

// applied returns grids with edit e in place of the grids it changes; a new
// grid gets previewID.
func applied(grids []*PlanGrid, e *edit) []*PlanGrid {
	out := slices.Clone(grids)
	g := *e.grid
	if g.ID == 0 {
		g.ID = previewID
		out = append(out, &g)
	}
	repl := map[int64]*PlanGrid{g.ID: &g}
	for _, c := range e.changed {
		c := *c
		if c.Removed {
			c.SuccessorID = g.ID
		}
		repl[c.ID] = &c
	}
	for i, o := range out {
		if r, ok := repl[o.ID]; ok {
			out[i] = r
		}
	}
	return out
}
