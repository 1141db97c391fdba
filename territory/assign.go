package territory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/geo/gridindex"
)

// Grid assignment puts every customer in the grid whose polygon holds its
// location, by the rule of package gridindex: the lowest grid id among the
// grids whose closed polygon contains the point (so a point on an edge two
// grids share goes to the older grid), none when no grid does. Every grid
// counts, drafts included: a draft grid is a planner's proposal, and seeing
// which customers it takes is the point of drawing it.

// GridLister lists grids; GridStore satisfies it.
type GridLister interface {
	Grids(ctx context.Context, f GridFilter) ([]*Grid, error)
}

// LoadGridIndex builds the point→grid index over every stored grid, with
// its H3 cell cache at the resolution the grids' sizes call for. Query it
// with LocateCell(customer.Location, customer.Cell) to use the cache.
func LoadGridIndex(ctx context.Context, s GridLister) (*gridindex.Index, error) {
	grids, err := s.Grids(ctx, GridFilter{})
	if err != nil {
		return nil, fmt.Errorf("load grids: %w", err)
	}
	return NewGridIndex(ctx, grids, gridindex.Options{})
}

// NewGridIndex builds the point→grid index over grids.
func NewGridIndex(ctx context.Context, grids []*Grid, opts gridindex.Options) (*gridindex.Index, error) {
	gs := make([]gridindex.Grid, len(grids))
	for i, g := range grids {
		gs[i] = gridindex.Grid{ID: g.ID, Polygon: g.Boundary}
	}
	return gridindex.Build(ctx, gs, opts)
}

// AssignStore is what reassigning every customer needs.
type AssignStore interface {
	GridLister
	Districts(ctx context.Context) ([]*District, error)
	CountCustomers(ctx context.Context, f CustomerFilter) (int, error)
	CustomerGridStore
}

// AssignOptions tune Assign.
type AssignOptions struct {
	// DryRun computes the moves without writing them.
	DryRun bool
	// Index configures the grid index (zero: cache at a chosen resolution).
	Index gridindex.Options
	// Progress, when not nil, is told how many customers have been
	// located (stage "locate") and then written (stage "move").
	Progress func(stage string, done, total int)
}

// DistrictCount is one district's line of an assignment.
type DistrictCount struct {
	DistrictID int64  `json:"district_id"` // 0: outside every district
	Code       string `json:"code,omitempty"`
	Name       string `json:"name,omitempty"`
	Grids      int    `json:"grids"`
	// Customers in the district's grids after the assignment.
	Customers int `json:"customers"`
	// MovedIn counts customers that changed grid and now are in this
	// district (in one of its grids, or unassigned inside its boundary);
	// MovedOut those that changed grid and were in one of its grids.
	MovedIn  int `json:"moved_in"`
	MovedOut int `json:"moved_out"`
	// Unassigned customers lie inside the district's boundary but in no
	// grid.
	Unassigned int `json:"unassigned"`
}

// GridCount is one grid's line of an assignment.
type GridCount struct {
	GridID     int64 `json:"grid_id"`
	DistrictID int64 `json:"district_id"`
	Customers  int   `json:"customers"`
	MovedIn    int   `json:"moved_in"`
	MovedOut   int   `json:"moved_out"`
}

// AssignResult is what Assign found and did.
type AssignResult struct {
	Customers  int             `json:"customers"`
	Assigned   int             `json:"assigned"`
	Unassigned int             `json:"unassigned"`
	Moves      []GridMove      `json:"moves"`
	Districts  []DistrictCount `json:"districts"` // by district id; a last line with id 0 when some customers are outside every district
	Grids      []GridCount     `json:"grids"`     // by grid id
	Index      gridindex.Stats `json:"index"`
	Written    bool            `json:"written"` // false on a dry run
	Elapsed    time.Duration   `json:"elapsed"`
}

// Assign reassigns every customer: it builds the grid index from the
// store, streams every customer's location, and moves (in one store
// transaction) those whose grid differs. Counts come per grid and per
// district.
func Assign(ctx context.Context, s AssignStore, opts AssignOptions) (*AssignResult, error) {
	start := time.Now()
	grids, err := s.Grids(ctx, GridFilter{})
	if err != nil {
		return nil, fmt.Errorf("assign: load grids: %w", err)
	}
	districts, err := s.Districts(ctx)
	if err != nil {
		return nil, fmt.Errorf("assign: load districts: %w", err)
	}
	total, err := s.CountCustomers(ctx, CustomerFilter{})
	if err != nil {
		return nil, fmt.Errorf("assign: count customers: %w", err)
	}
	ix, err := NewGridIndex(ctx, grids, opts.Index)
	if err != nil {
		return nil, fmt.Errorf("assign: %w", err)
	}
	t := newTally(grids, districts)
	progress := func(stage string, done int) {
		if opts.Progress != nil {
			opts.Progress(stage, done, total)
		}
	}
	var moves []GridMove
	n := 0
	err = s.CustomerLocations(ctx, nil, func(c CustomerLocation) error {
		to, _ := ix.LocateCell(c.Location, c.Cell)
		if to != c.GridID {
			moves = append(moves, GridMove{CustomerID: c.ID, From: c.GridID, To: to})
		}
		t.add(c.Location, c.GridID, to)
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			progress("locate", n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("assign: read customers: %w", err)
	}
	progress("locate", n)
	res := t.result()
	res.Customers, res.Moves, res.Index = n, moves, ix.Stats()
	if !opts.DryRun && len(moves) > 0 {
		if opts.Progress != nil {
			opts.Progress("move", 0, len(moves))
		}
		if err := s.MoveCustomers(ctx, moves); err != nil {
			return nil, fmt.Errorf("assign: move %d customers: %w", len(moves), err)
		}
		if opts.Progress != nil {
			opts.Progress("move", len(moves), len(moves))
		}
	}
	res.Written = !opts.DryRun
	res.Elapsed = time.Since(start)
	return res, nil
}

// tally counts an assignment per grid and district.
type tally struct {
	grids     map[int64]*GridCount
	districts map[int64]*DistrictCount
	order     []*DistrictCount
	areas     *geo.Index[int64] // district boundaries, for unassigned customers
	assigned  int
	none      int
}

func newTally(grids []*Grid, districts []*District) *tally {
	t := &tally{grids: map[int64]*GridCount{}, districts: map[int64]*DistrictCount{}, areas: geo.NewIndex[int64]()}
	districts = slices.Clone(districts)
	slices.SortFunc(districts, func(a, b *District) int { return cmp.Compare(a.ID, b.ID) })
	for _, d := range districts {
		dc := &DistrictCount{DistrictID: d.ID, Code: d.Code, Name: d.Name}
		t.districts[d.ID] = dc
		t.order = append(t.order, dc)
		for _, p := range d.Boundary { // in id order: a shared edge goes to the lower id
			t.areas.Add(d.ID, p)
		}
	}
	for _, g := range grids {
		t.grids[g.ID] = &GridCount{GridID: g.ID, DistrictID: g.DistrictID}
		t.district(g.DistrictID).Grids++
	}
	return t
}

// district returns the line of district id, adding one (the "outside every
// district" line for 0, or a district the store did not list) if needed.
func (t *tally) district(id int64) *DistrictCount {
	dc, ok := t.districts[id]
	if !ok {
		dc = &DistrictCount{DistrictID: id}
		t.districts[id] = dc
		t.order = append(t.order, dc)
	}
	return dc
}

// where returns the district a customer at p in grid g counts for.
func (t *tally) where(p orb.Point, g int64) *DistrictCount {
	if gc, ok := t.grids[g]; ok {
		return t.district(gc.DistrictID)
	}
	id, _ := t.areas.Locate(p)
	return t.district(id)
}

func (t *tally) add(p orb.Point, from, to int64) {
	dst := t.where(p, to)
	if to != 0 {
		t.assigned++
		dst.Customers++
		t.grids[to].Customers++
	} else {
		t.none++
		dst.Unassigned++
	}
	if from == to {
		return
	}
	dst.MovedIn++
	if to != 0 {
		t.grids[to].MovedIn++
	}
	if gc, ok := t.grids[from]; ok {
		gc.MovedOut++
		t.district(gc.DistrictID).MovedOut++
	} else if from != 0 {
		// The customer's old grid no longer exists (it cannot, with the
		// store's foreign key; counted where the customer lies).
		t.where(p, 0).MovedOut++
	}
}

func (t *tally) result() *AssignResult {
	res := &AssignResult{Assigned: t.assigned, Unassigned: t.none}
	slices.SortFunc(t.order, func(a, b *DistrictCount) int {
		switch { // id 0 (outside every district) last
		case a.DistrictID == 0:
			return 1
		case b.DistrictID == 0:
			return -1
		}
		return cmp.Compare(a.DistrictID, b.DistrictID)
	})
	for _, dc := range t.order {
		res.Districts = append(res.Districts, *dc)
	}
	for _, gc := range t.grids {
		res.Grids = append(res.Grids, *gc)
	}
	slices.SortFunc(res.Grids, func(a, b GridCount) int { return cmp.Compare(a.GridID, b.GridID) })
	return res
}

// GridChange is one grid's geometry changing: Old is nil for a new grid,
// New is nil for a deleted one.
type GridChange struct {
	GridID int64
	Old    orb.Polygon
	New    orb.Polygon
}

// RedrawStore is what reassigning after a grid change needs.
type RedrawStore interface {
	GridLister
	CustomerGridStore
}

// Diff is what a redraw did to customers.
type Diff struct {
	// Area is the box searched: the union of the old and new polygons'
	// bounding boxes. Only customers in it can change grid.
	Area orb.Bound `json:"-"`
	// Examined is the number of customers in Area.
	Examined int `json:"examined"`
	// Moves lists every customer that changed grid, by customer id.
	Moves []GridMove `json:"moves"`
}

// Redraw reassigns the customers one grid's change can affect: those
// inside the union of the old and new polygons' bounding boxes, since a
// point outside both polygons keeps the same set of grids holding it. The
// grids are read from the store with ch applied on top (New replaces the
// stored polygon of ch.GridID, or removes the grid when nil), so Redraw may
// run before the change is written (a delete: move the customers out, then
// delete the grid) or after it (a create or an update). Run it in the same
// transaction as the grid write so that grids and customers change
// together. Moves are written with MoveCustomers and returned.
func Redraw(ctx context.Context, s RedrawStore, ch GridChange) (*Diff, error) {
	if ch.GridID <= 0 {
		return nil, Invalid("grid_id", "must be a positive id, got %d", ch.GridID)
	}
	var area orb.Bound
	switch {
	case ch.Old == nil && ch.New == nil:
		return nil, Invalid("geometry", "grid %d: a change needs an old or a new polygon", ch.GridID)
	case ch.Old == nil:
		area = ch.New.Bound()
	case ch.New == nil:
		area = ch.Old.Bound()
	default:
		area = ch.Old.Bound().Union(ch.New.Bound())
	}
	// A hair wider, so that a store comparing bounds strictly still hands
	// over a customer sitting exactly on a polygon's extreme vertex.
	area = area.Pad(1e-9)

	stored, err := s.Grids(ctx, GridFilter{})
	if err != nil {
		return nil, fmt.Errorf("redraw grid %d: load grids: %w", ch.GridID, err)
	}
	// Only grids reaching into the area can hold its customers.
	grids := make([]*Grid, 0, 16)
	for _, g := range stored {
		if g.ID == ch.GridID || !g.Boundary.Bound().Intersects(area) {
			continue
		}
		grids = append(grids, g)
	}
	if ch.New != nil {
		grids = append(grids, &Grid{ID: ch.GridID, Boundary: ch.New})
	}
	ix, err := NewGridIndex(ctx, grids, gridindex.Options{CacheRes: gridindex.NoCache})
	if err != nil {
		return nil, fmt.Errorf("redraw grid %d: %w", ch.GridID, err)
	}
	d := &Diff{Area: area}
	err = s.CustomerLocations(ctx, &area, func(c CustomerLocation) error {
		d.Examined++
		if to, _ := ix.Locate(c.Location); to != c.GridID {
			d.Moves = append(d.Moves, GridMove{CustomerID: c.ID, From: c.GridID, To: to})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redraw grid %d: read customers: %w", ch.GridID, err)
	}
	if len(d.Moves) > 0 {
		if err := s.MoveCustomers(ctx, d.Moves); err != nil {
			return nil, fmt.Errorf("redraw grid %d: move %d customers: %w", ch.GridID, len(d.Moves), err)
		}
	}
	return d, nil
}
