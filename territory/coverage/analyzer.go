package coverage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"gridplan/geo"
	"gridplan/territory"
)

// Input is what an analysis reads: every customer, every resource, and the
// grids and districts that reports are made of. Customers may come in any
// order; ids must be unique. Grids and Districts name the report rows: a
// customer counts in the grid his GridID names and in that grid's
// district; a customer in no grid counts in the district whose boundary
// holds him (when districts have boundaries), else in no district.
type Input struct {
	Customers []territory.CustomerLocation
	Resources []*territory.Resource
	Grids     []*territory.Grid
	Districts []*territory.District
}

// Options tune an Analyzer; zero fields get defaults.
type Options struct {
	// Workers is how many goroutines a full analysis uses (default
	// GOMAXPROCS).
	Workers int
	// MaxViews is how many as-of dates the analyzer keeps evaluated (and
	// updates incrementally) at once; others are evaluated again when
	// asked for, about 10 ms per 200,000 customer–resource pairs.
	// Default 4.
	MaxViews int
}

// Analyzer answers coverage questions about a fixed set of customers and a
// changing set of resources: each customer's best coverage as of any date,
// reports per grid, district and province, gap maps, where to build next.
// Build one with New; change its resources with Put and Remove, which
// re-evaluate only the customers the resource reaches (before and after).
// All methods are safe for concurrent use.
//
// For each resource the analyzer keeps the customers it covers (whatever
// the date): a date's evaluation is then one pass over those lists. The
// lists come from a point index of the customers (rows of latitude sorted
// by longitude): each resource reads the customers in its box and tests
// them exactly: geodesic distance for a radius, planar.PolygonContains for
// a polygon, the customer's resolution-12 cell's ancestors for a set of
// H3 cells.
type Analyzer struct {
	cs         *customers
	grids      []area // by id
	gridOf     map[int64]int32
	districts  []area // by id
	districtOf map[int64]int32
	provinces  []string // distinct, sorted
	workers    int
	maxViews   int

	// mu guards the resources and the views' contents: Put and Remove
	// write, queries read.
	mu     sync.RWMutex
	slots  []*compiled // nil: free
	slotOf map[int64]int32
	free   []int32
	tree   rtree.RTreeG[int32] // disc and polygon slots by reach bound
	// cellSlots holds the cell-set slots by cell: a customer's cell's
	// ancestors find them exactly (a box of a cell's vertices does not
	// quite hold the cell, whose edges are arcs).
	cellSlots map[uint64][]int32

	// viewMu guards the list of views (which dates are kept, in which
	// order); queries holding mu's read lock add to it.
	viewMu sync.Mutex
	views  []*view // most recently used first
}

// New analyses in: it validates every resource (a bad one is an error
// naming it and the field), indexes the customers and works out what each
// resource covers, in parallel. Dates are evaluated when first asked for.
func New(ctx context.Context, in Input, opt Options) (*Analyzer, error) {
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.MaxViews <= 0 {
		opt.MaxViews = 4
	}
	a := &Analyzer{workers: opt.Workers, maxViews: opt.MaxViews, gridOf: map[int64]int32{}, districtOf: map[int64]int32{},
		slotOf: map[int64]int32{}, cellSlots: map[uint64][]int32{}}

	ds := slices.Clone(in.Districts)
	slices.SortFunc(ds, func(x, y *territory.District) int { return cmp.Compare(x.ID, y.ID) })
	var dix *geo.Index[int32]
	for i, d := range ds {
		if _, dup := a.districtOf[d.ID]; dup {
			return nil, fmt.Errorf("district %d: listed twice", d.ID)
		}
		a.districtOf[d.ID] = int32(i)
		a.districts = append(a.districts, area{id: d.ID, code: d.Code, name: d.Name, province: d.Province})
		for _, p := range d.Boundary {
			if dix == nil {
				dix = geo.NewIndex[int32]()
			}
			dix.Add(int32(i), p)
		}
		if !slices.Contains(a.provinces, d.Province) {
			a.provinces = append(a.provinces, d.Province)
		}
	}
	slices.Sort(a.provinces)
	gs := slices.Clone(in.Grids)
	slices.SortFunc(gs, func(x, y *territory.Grid) int { return cmp.Compare(x.ID, y.ID) })
	for i, g := range gs {
		if _, dup := a.gridOf[g.ID]; dup {
			return nil, fmt.Errorf("grid %d: listed twice", g.ID)
		}
		a.gridOf[g.ID] = int32(i)
		ar := area{id: g.ID, code: g.Code, name: g.Name}
		if d, ok := a.districtOf[g.DistrictID]; ok {
			ar.district = d + 1
		}
		a.grids = append(a.grids, ar)
	}

	res := make([]*compiled, 0, len(in.Resources))
	for _, r := range in.Resources {
		c, err := compile(cloneResource(r))
		if err != nil {
			return nil, err
		}
		res = append(res, c)
	}
	slices.SortFunc(res, byID)
	for i := 1; i < len(res); i++ {
		if res[i].r.ID == res[i-1].r.ID {
			return nil, fmt.Errorf("resource %d: listed twice", res[i].r.ID)
		}
	}
	var err error
	a.cs, err = newCustomers(ctx, in.Customers, a.gridOf, a.grids, dix, rowHeight(typicalHeight(res)))
	if err != nil {
		return nil, err
	}
	if err := a.parallel(ctx, len(res), func(i int) { res[i].cover = coverOf(&res[i].reach, a.cs) }); err != nil {
		return nil, err
	}
	a.slots = res
	for i, c := range res {
		a.slotOf[c.r.ID] = int32(i)
		a.indexLocked(int32(i), c)
	}
	return a, nil
}

// typicalHeight is the median height in degrees of the disc and polygon
// resources' boxes: what the customer index's rows are cut for.
func typicalHeight(res []*compiled) float64 {
	var hs []float64
	for _, c := range res {
		if c.reach.kind != kindCells {
			hs = append(hs, c.reach.bound.Max[1]-c.reach.bound.Min[1])
		}
	}
	if len(hs) == 0 {
		return 0
	}
	slices.Sort(hs)
	return hs[len(hs)/2]
}

// parallel runs fn(0..n-1) on the analyzer's workers, items handed out in
// small batches; it stops early when ctx ends.
func (a *Analyzer) parallel(ctx context.Context, n int, fn func(i int)) error {
	const batch = 64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(a.workers, max(1, n/batch)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				lo := int(next.Add(batch)) - batch
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+batch, n); i++ {
					fn(i)
				}
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// cloneResource copies r deeply enough that the caller may change his copy.
func cloneResource(r *territory.Resource) *territory.Resource {
	if r == nil {
		return nil
	}
	c := *r
	if r.Geometry != nil {
		c.Geometry = orb.Clone(r.Geometry)
	}
	c.Cells = slices.Clone(r.Cells)
	if r.ExpectedDate != nil {
		d := *r.ExpectedDate
		c.ExpectedDate = &d
	}
	return &c
}

// Len is the number of customers analysed.
func (a *Analyzer) Len() int { return a.cs.len() }

// Resources is the number of resources.
func (a *Analyzer) Resources() int {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return len(a.slotOf)
}

// Resource returns a copy of the resource with id, nil when the analyzer
// does not hold it.
func (a *Analyzer) Resource(id int64) *territory.Resource {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if s, ok := a.slotOf[id]; ok {
		return cloneResource(a.slots[s].r)
	}
	return nil
}

// Change is what one Put or Remove did.
type Change struct {
	// Reevaluated counts the customers whose coverage was evaluated again:
	// those the resource reached before or reaches now. Nobody else.
	Reevaluated int `json:"reevaluated"`
	// Changed counts, over the dates kept evaluated, the customers whose
	// best coverage changed (a customer counts once per date).
	Changed int `json:"changed"`
}

// Put adds resource r, or replaces the one with its id (moved, reshaped,
// status or date changed): the same call for all three, so replaying a
// change is harmless. r must pass Validate and have an id; the analyzer
// keeps a copy. Only the customers r reached before and reaches now are
// evaluated again, in every date kept.
func (a *Analyzer) Put(r *territory.Resource) (Change, error) {
	c, err := compile(cloneResource(r))
	if err != nil {
		return Change{}, err
	}
	c.cover = coverOf(&c.reach, a.cs) // customers never change: no lock needed
	a.mu.Lock()
	defer a.mu.Unlock()
	slot, ok := a.slotOf[c.r.ID]
	var old *compiled
	if ok {
		old = a.slots[slot]
	} else {
		slot = a.allocLocked()
		a.slotOf[c.r.ID] = slot
	}
	ch := a.applyLocked(slot, old, c)
	if old != nil {
		a.unindexLocked(slot, old)
	}
	a.indexLocked(slot, c)
	a.slots[slot] = c
	return ch, nil
}

// Remove drops the resource with id; removing one the analyzer does not
// hold changes nothing.
func (a *Analyzer) Remove(id int64) Change {
	a.mu.Lock()
	defer a.mu.Unlock()
	slot, ok := a.slotOf[id]
	if !ok {
		return Change{}
	}
	old := a.slots[slot]
	ch := a.applyLocked(slot, old, nil)
	a.unindexLocked(slot, old)
	a.slots[slot] = nil
	delete(a.slotOf, id)
	a.free = append(a.free, slot)
	return ch
}

// indexLocked adds slot's reach to the tree or the cell map.
func (a *Analyzer) indexLocked(slot int32, c *compiled) {
	if c.reach.kind != kindCells {
		a.tree.Insert(c.reach.bound.Min, c.reach.bound.Max, slot)
		return
	}
	for _, cell := range c.reach.cells {
		a.cellSlots[cell] = append(a.cellSlots[cell], slot)
	}
}

// unindexLocked takes slot's reach out of the tree or the cell map.
func (a *Analyzer) unindexLocked(slot int32, c *compiled) {
	if c.reach.kind != kindCells {
		a.tree.Delete(c.reach.bound.Min, c.reach.bound.Max, slot)
		return
	}
	for _, cell := range c.reach.cells {
		ss := slices.DeleteFunc(a.cellSlots[cell], func(s int32) bool { return s == slot })
		if len(ss) == 0 {
			delete(a.cellSlots, cell)
		} else {
			a.cellSlots[cell] = ss
		}
	}
}

// Sync makes the analyzer's resources those of rs (another process wrote
// to the store): it puts the resources that are new or whose coverage
// differs (status, expected day, geometry, radius or cells) and removes
// those rs lacks. Invalid resources are left out and reported together in
// the error; everything valid is applied all the same.
func (a *Analyzer) Sync(rs []*territory.Resource) (Change, error) {
	var total Change
	var errs []error
	keep := make(map[int64]bool, len(rs))
	for _, r := range rs {
		if r == nil {
			continue
		}
		keep[r.ID] = true
		a.mu.RLock()
		s, ok := a.slotOf[r.ID]
		same := ok && sameCoverage(a.slots[s].r, r)
		a.mu.RUnlock()
		if same {
			continue
		}
		ch, err := a.Put(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		total.Reevaluated += ch.Reevaluated
		total.Changed += ch.Changed
	}
	a.mu.RLock()
	var gone []int64
	for id := range a.slotOf {
		if !keep[id] {
			gone = append(gone, id)
		}
	}
	a.mu.RUnlock()
	slices.Sort(gone)
	for _, id := range gone {
		ch := a.Remove(id)
		total.Reevaluated += ch.Reevaluated
		total.Changed += ch.Changed
	}
	return total, errors.Join(errs...)
}

// sameCoverage reports whether two resources cover the same customers with
// the same status on every day.
func sameCoverage(x, y *territory.Resource) bool {
	if x.Status != y.Status || x.RadiusM != y.RadiusM || !slices.Equal(x.Cells, y.Cells) ||
		(x.ExpectedDate == nil) != (y.ExpectedDate == nil) || x.ExpectedDate != nil && DateOf(*x.ExpectedDate) != DateOf(*y.ExpectedDate) {
		return false
	}
	if x.Geometry == nil || y.Geometry == nil {
		return x.Geometry == nil && y.Geometry == nil
	}
	return orb.Equal(x.Geometry, y.Geometry)
}

func (a *Analyzer) allocLocked() int32 {
	if n := len(a.free); n > 0 {
		s := a.free[n-1]
		a.free = a.free[:n-1]
		return s
	}
	a.slots = append(a.slots, nil)
	return int32(len(a.slots) - 1)
}

// applyLocked moves every kept view from old to now in slot (either may
// be nil).
func (a *Analyzer) applyLocked(slot int32, old, now *compiled) Change {
	var ch Change
	var oc, nc []int32
	if old != nil {
		oc = old.cover
	}
	if now != nil {
		nc = now.cover
	}
	ch.Reevaluated = unionLen(oc, nc)
	a.viewMu.Lock()
	defer a.viewMu.Unlock()
	for _, v := range a.views {
		ch.Changed += v.apply(a, slot, old, now)
	}
	return ch
}

// unionLen is the size of the union of two ascending lists.
func unionLen(x, y []int32) int {
	n, i, j := 0, 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case j == len(y) || i < len(x) && x[i] < y[j]:
			i++
		case i == len(x) || y[j] < x[i]:
			j++
		default:
			i, j = i+1, j+1
		}
		n++
	}
	return n
}

// viewRLocked returns the evaluation of date d, evaluating it when it is
// not kept. The caller holds mu's read lock (so no Put runs meanwhile) and
// must not keep the view past it.
func (a *Analyzer) viewRLocked(d Date) *view {
	a.viewMu.Lock()
	for i, v := range a.views {
		if v.date == d {
			copy(a.views[1:i+1], a.views[:i]) // most recent first
			a.views[0] = v
			a.viewMu.Unlock()
			return v
		}
	}
	a.viewMu.Unlock()
	v := a.evaluate(d)
	a.viewMu.Lock()
	defer a.viewMu.Unlock()
	for _, o := range a.views {
		if o.date == d { // another reader evaluated it meanwhile
			return o
		}
	}
	a.views = append([]*view{v}, a.views...)
	if len(a.views) > a.maxViews {
		a.views = a.views[:a.maxViews]
	}
	return v
}

// read runs fn with the evaluation of asOf's day, under mu's read lock.
func (a *Analyzer) read(asOf Date, fn func(v *view)) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	fn(a.viewRLocked(asOf))
}
