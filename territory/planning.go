package territory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"gridplan/geo/shape"
)

// Grid planning: planners redraw grids in a draft plan, see what the draft
// does to customers and managers, validate it, and publish it (after a
// leader's approval when the server requires one). A plan is a complete set
// of grids; exactly one is published, and the live grids (GridStore) mirror
// it with stable ids (PlanGrid.GridID), so managers and customers keep their
// grid across versions. See Planner.

// PlannerStore is everything planning reads and writes.
type PlannerStore interface {
	PlanStore
	GridStore
	DistrictStore
	ManagerStore
	CustomerStore
	CustomerGridStore
}

// Planner edits, checks and publishes grid plans. Store is used for reads
// outside transactions; InTx runs a function in one store transaction (the
// store's own InTx, adapted) and every write goes through it, so an edit
// and the neighbours it reshapes, or a publication and everything it
// rewrites, land together or not at all. Now defaults to time.Now.
// RequireApproval makes publication wait for a leader's approval (Submit,
// then Approve by someone other than the submitter). Coverage, when set,
// gives today's network coverage of the customers: diffs and comparisons
// then count each grid's customers by coverage (without it those counts
// stay nil).
type Planner struct {
	Store           PlannerStore
	InTx            func(ctx context.Context, fn func(PlannerStore) error) error
	Now             func() time.Time
	RequireApproval bool
	Coverage        func(ctx context.Context) (CoverageView, error)
}

// DefaultSnapM is the snapping tolerance of an edit when EditOptions.SnapM
// is 0: vertices drawn within 5 m of a neighbouring grid's vertex or edge,
// or of the district boundary, land on it. A finger on a phone or a mouse at
// street zoom misses by about that much.
const DefaultSnapM = 5.0

// EditMode says who gets the area an edited grid and its neighbours both
// claim.
type EditMode string

// Edit modes.
const (
	// EditCarve (the default): the edited shape is what the planner drew;
	// overlapping neighbours give up the overlap. A neighbour left with
	// nothing is removed, its managers passing to the edited grid.
	EditCarve EditMode = "carve"
	// EditFit: neighbours keep what they cover; the edited shape loses it.
	EditFit EditMode = "fit"
)

// EditOptions tune a grid edit.
type EditOptions struct {
	// SnapM is the snapping tolerance in metres: 0 means DefaultSnapM, a
	// negative value turns snapping off.
	SnapM float64  `json:"snap_m,omitempty"`
	Mode  EditMode `json:"mode,omitempty"` // "" means EditCarve
	// NoDiff leaves EditResult.Diff nil: a batch of edits (a file import)
	// asks for the plan's diff once at the end instead of after every grid,
	// each diff costing a pass over the customers.
	NoDiff bool `json:"-"`
}

// normalize checks opt and fills its defaults.
func (opt EditOptions) normalize() (EditOptions, error) {
	switch {
	case math.IsNaN(opt.SnapM) || math.IsInf(opt.SnapM, 0):
		return opt, Invalid("snap_m", "must be a number of metres, got %v", opt.SnapM)
	case opt.SnapM > 1000:
		return opt, Invalid("snap_m", "at most 1000 m, got %g", opt.SnapM)
	case opt.SnapM == 0:
		opt.SnapM = DefaultSnapM
	case opt.SnapM < 0:
		opt.SnapM = 0
	}
	switch opt.Mode {
	case "":
		opt.Mode = EditCarve
	case EditCarve, EditFit:
	default:
		return opt, Invalid("mode", "unknown edit mode %q (want carve or fit)", opt.Mode)
	}
	return opt, nil
}

// EditResult is what an edit did: the grid as saved, the other grids it
// changed (neighbours reshaped or removed by a carve, grids absorbed by a
// merge, the new grids of a split), and the plan's diff against the
// published plan after the edit.
type EditResult struct {
	Grid    *PlanGrid   `json:"grid"`
	Changed []*PlanGrid `json:"changed"`
	Diff    *PlanDiff   `json:"diff"`
}

func (p *Planner) now() time.Time {
	if p.Now != nil {
		return p.Now().UTC()
	}
	return time.Now().UTC()
}

// tx runs fn in a transaction, or directly on Store when InTx is nil (a
// store without transactions, such as a test fake).
func (p *Planner) tx(ctx context.Context, fn func(PlannerStore) error) error {
	if p.InTx == nil {
		return fn(p.Store)
	}
	return p.InTx(ctx, fn)
}

// EnsureBaseline returns the published plan, creating it first when there
// is none: plan 1, published, holding the live grids as they are (the demo
// city and stores from before plans existed start this way). Two callers
// racing both get the one plan.
func (p *Planner) EnsureBaseline(ctx context.Context, user string) (*Plan, error) {
	if pl, err := published(ctx, p.Store); err != nil || pl != nil {
		return pl, err
	}
	var out *Plan
	err := p.tx(ctx, func(s PlannerStore) error {
		pl, err := published(ctx, s)
		if err != nil || pl != nil {
			out = pl
			return err
		}
		live, err := s.Grids(ctx, GridFilter{})
		if err != nil {
			return fmt.Errorf("load live grids: %w", err)
		}
		number, err := nextNumber(ctx, s)
		if err != nil {
			return err
		}
		now := p.now()
		pl = &Plan{Name: "Baseline", Status: PlanPublished, Number: number, Note: "the grids as they were when planning started",
			CreatedBy: user, CreatedAt: now, UpdatedAt: now, UpdatedBy: user, PublishedBy: user, PublishedAt: &now}
		grids := make([]*PlanGrid, 0, len(live))
		for _, g := range live {
			grids = append(grids, &PlanGrid{GridID: g.ID, Code: g.Code, Name: g.Name, DistrictID: g.DistrictID,
				Boundary: shape.Multi(g.Boundary), UpdatedBy: g.UpdatedBy, UpdatedAt: now})
		}
		if err := s.CreatePlan(ctx, pl, grids); err != nil {
			return fmt.Errorf("create the baseline plan: %w", err)
		}
		out = pl
		return nil
	})
	if errors.Is(err, ErrConflict) {
		// Someone else created it between our read and our write.
		if pl, err2 := published(ctx, p.Store); err2 == nil && pl != nil {
			return pl, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("baseline plan: %w", err)
	}
	return out, nil
}

// published returns the published plan, nil when there is none.
func published(ctx context.Context, s PlanStore) (*Plan, error) {
	ps, err := s.Plans(ctx, PlanFilter{Statuses: []PlanStatus{PlanPublished}, Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("find the published plan: %w", err)
	}
	if len(ps) == 0 {
		return nil, nil
	}
	return ps[0], nil
}

// nextNumber is the version number the next publication gets.
func nextNumber(ctx context.Context, s PlanStore) (int, error) {
	ps, err := s.Plans(ctx, PlanFilter{Statuses: []PlanStatus{PlanPublished, PlanArchived}})
	if err != nil {
		return 0, fmt.Errorf("number the version: %w", err)
	}
	n := 0
	for _, pl := range ps {
		n = max(n, pl.Number)
	}
	return n + 1, nil
}

// NewDraft copies a plan into a new draft: the published plan when
// fromPlanID is 0, or any other (an archived version: "restore as a new
// draft"; another draft: a variant). The grids are copied with their live
// grid ids. When the source is not the published plan, live grids it does
// not have are added to the draft as removed, each with as successor the
// copied grid of its district that overlaps it most, so that publishing the
// draft deletes them and hands their managers on (the planner can change
// the successor with RemoveGrid). An empty name becomes "Draft of …".
func (p *Planner) NewDraft(ctx context.Context, name string, fromPlanID int64, user string) (*Plan, error) {
	if fromPlanID < 0 {
		return nil, Invalid("from_plan_id", "must not be negative, got %d", fromPlanID)
	}
	pub, err := p.EnsureBaseline(ctx, user)
	if err != nil {
		return nil, err
	}
	if fromPlanID == 0 {
		fromPlanID = pub.ID
	}
	var out *Plan
	err = p.tx(ctx, func(s PlannerStore) error {
		src, err := s.Plan(ctx, fromPlanID)
		if err != nil {
			return lookup("plan", fromPlanID, err)
		}
		srcGrids, err := s.PlanGrids(ctx, src.ID)
		if err != nil {
			return fmt.Errorf("load the grids of plan %d: %w", src.ID, err)
		}
		now := p.now()
		var grids []*PlanGrid
		have := map[int64]bool{}
		for _, g := range srcGrids {
			if g.Removed {
				continue
			}
			c := &PlanGrid{ID: int64(len(grids) + 1), GridID: g.GridID, Code: g.Code, Name: g.Name, DistrictID: g.DistrictID,
				Boundary: g.Boundary.Clone(), UpdatedBy: user, UpdatedAt: now}
			grids = append(grids, c)
			if g.GridID > 0 {
				have[g.GridID] = true
			}
		}
		if src.Status != PlanPublished {
			live, err := s.Grids(ctx, GridFilter{})
			if err != nil {
				return fmt.Errorf("load live grids: %w", err)
			}
			copied := grids
			for _, lg := range live {
				if have[lg.ID] {
					continue
				}
				gone := &PlanGrid{ID: int64(len(grids) + 1), GridID: lg.ID, Code: lg.Code, Name: lg.Name, DistrictID: lg.DistrictID,
					Boundary: shape.Multi(lg.Boundary), Removed: true, UpdatedBy: user, UpdatedAt: now}
				gone.SuccessorID = largestOverlap(gone, copied)
				grids = append(grids, gone)
			}
		}
		if strings.TrimSpace(name) == "" {
			name = "Draft of " + src.Name
			if src.Number > 0 {
				name = fmt.Sprintf("Draft of version %d (%s)", src.Number, src.Name)
			}
		}
		pl := &Plan{Name: name, Status: PlanDraft, BasePlanID: src.ID, CreatedBy: user, CreatedAt: now, UpdatedAt: now, UpdatedBy: user}
		if err := s.CreatePlan(ctx, pl, grids); err != nil {
			return fmt.Errorf("create the draft: %w", err)
		}
		out = pl
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("new draft from plan %d: %w", fromPlanID, err)
	}
	return out, nil
}

// largestOverlap returns the ID of the grid of g's district among cands
// that overlaps g most, 0 when none does.
func largestOverlap(g *PlanGrid, cands []*PlanGrid) int64 {
	var best int64
	bestM2 := shape.SliverM2
	b := g.Boundary.Bound()
	for _, c := range cands {
		if c.Removed || c.DistrictID != g.DistrictID || !c.Boundary.Bound().Intersects(b) {
			continue
		}
		in, err := shape.Intersection(g.Boundary, c.Boundary)
		if err != nil {
			continue
		}
		if a := shape.AreaM2(in); a > bestM2 {
			best, bestM2 = c.ID, a
		}
	}
	return best
}

// lookup turns a store's not-found into a NotFoundError naming kind and id
// and wraps anything else.
func lookup(kind string, id int64, err error) error {
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return err
	}
	if errors.Is(err, ErrNotFound) {
		return NotFound(kind, id)
	}
	return fmt.Errorf("%s %d: %w", kind, id, err)
}

// editable loads plan planID for an edit by user: a draft as it is; a plan
// waiting for approval goes back to draft (its submission and any approval
// are void, since the leader approved something else); published and
// archived plans are refused.
func (p *Planner) editable(ctx context.Context, s PlannerStore, planID int64, user string) (*Plan, error) {
	pl, err := s.Plan(ctx, planID)
	if err != nil {
		return nil, lookup("plan", planID, err)
	}
	switch pl.Status {
	case PlanDraft:
		return pl, nil
	case PlanPending:
		pl.Status, pl.SubmittedBy, pl.SubmittedAt, pl.ApprovedBy, pl.ApprovedAt = PlanDraft, "", nil, "", nil
		pl.UpdatedBy, pl.UpdatedAt = user, p.now()
		if err := s.UpdatePlan(ctx, pl); err != nil {
			return nil, fmt.Errorf("return plan %d to draft: %w", planID, err)
		}
		return pl, nil
	}
	return nil, &ConflictError{Reason: fmt.Sprintf("plan %d (%s) is %s: only drafts can be edited; make a new draft from it", pl.ID, pl.Name, pl.Status)}
}

// staleGrid is the conflict of an edit based on version v of g.
func staleGrid(g *PlanGrid, v int) error {
	who := g.UpdatedBy
	if strings.TrimSpace(who) == "" {
		who = "someone else"
	}
	return &ConflictError{Reason: fmt.Sprintf("grid %s was changed by %s at %s (it is at version %d, yours is %d): reload it and apply your edit again",
		g.Code, who, g.UpdatedAt.UTC().Format("2006-01-02 15:04:05 UTC"), g.Version, v)}
}

// stalePlan is the conflict of a plan action based on version v of pl.
func stalePlan(pl *Plan, v int) error {
	who := pl.UpdatedBy
	if strings.TrimSpace(who) == "" {
		who = "someone else"
	}
	return &ConflictError{Reason: fmt.Sprintf("plan %d (%s) was changed by %s at %s (it is at version %d, yours is %d): reload it and try again",
		pl.ID, pl.Name, who, pl.UpdatedAt.UTC().Format("2006-01-02 15:04:05 UTC"), pl.Version, v)}
}

// editableGrids opens draft planID for an edit by user (editable) and
// returns its grids (planGrids).
func (p *Planner) editableGrids(ctx context.Context, s PlannerStore, planID int64, user string) ([]*PlanGrid, error) {
	if _, err := p.editable(ctx, s, planID, user); err != nil {
		return nil, err
	}
	return planGrids(ctx, s, planID)
}

// planGrids loads the grids of plan planID, ordered by id.
func planGrids(ctx context.Context, s PlanStore, planID int64) ([]*PlanGrid, error) {
	gs, err := s.PlanGrids(ctx, planID)
	if err != nil {
		return nil, fmt.Errorf("load the grids of plan %d: %w", planID, err)
	}
	gs = slices.Clone(gs)
	slices.SortFunc(gs, func(a, b *PlanGrid) int { return cmp.Compare(a.ID, b.ID) })
	return gs, nil
}

// findGrid returns the grid of gs with id, or a NotFoundError.
func findGrid(gs []*PlanGrid, planID, id int64) (*PlanGrid, error) {
	for _, g := range gs {
		if g.ID == id {
			return g, nil
		}
	}
	return nil, &NotFoundError{Kind: "plan grid", Key: fmt.Sprintf("%d of plan %d", id, planID)}
}

// successorOf follows removed grids' successors from g to the active grid
// that takes over, nil when the chain ends without one.
func successorOf(g *PlanGrid, byID map[int64]*PlanGrid) *PlanGrid {
	for hops := 0; g != nil && hops <= len(byID); hops++ {
		if !g.Removed {
			return g
		}
		g = byID[g.SuccessorID]
	}
	return nil
}

func boundOf(mp orb.MultiPolygon) orb.Bound {
	if len(mp) == 0 {
		return orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	}
	return mp.Bound()
}
