package territory

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridplan/geo"
	"gridplan/geo/shape"
)

// edit is a grid edit worked out but not yet written.
type edit struct {
	grid      *PlanGrid   // the edited grid, final shape (ID 0: new)
	changed   []*PlanGrid // neighbours reshaped or removed (copies)
	swallowed []*PlanGrid // those of changed left with nothing: removed, succeeded by grid
}

// checkGridInput validates what a planner sent for a grid.
func checkGridInput(g *PlanGrid) error {
	switch {
	case g == nil:
		return Invalid("body", "a grid is required")
	case blank(g.Code):
		return Invalid("code", "is required")
	case len(g.Code) > 64:
		return Invalid("code", "is longer than 64 bytes")
	case blank(g.Name):
		return Invalid("name", "is required")
	case g.DistrictID <= 0:
		return Invalid("district_id", "must be a positive id, got %d", g.DistrictID)
	case len(g.Boundary) == 0:
		return Invalid("geometry", "is required (a Polygon or MultiPolygon)")
	}
	return validMulti("geometry", g.Boundary)
}

// validMulti checks every polygon of mp, naming the polygon (when there are
// several), ring and point at fault.
func validMulti(field string, mp orb.MultiPolygon) error {
	for i, p := range mp {
		if err := geo.ValidatePolygon(p); err != nil {
			fe := geometryError(field, err).(*FieldError)
			if len(mp) > 1 {
				fe.Reason = fmt.Sprintf("polygon %d: %s", i, fe.Reason)
			}
			return fe
		}
	}
	return nil
}

// planEdit works out the edit of g (ID 0: a new grid) against the plan's
// grids: checks, snapping, clipping to the district, carving or fitting.
// It reads only districts from s and writes nothing.
func planEdit(ctx context.Context, s DistrictStore, planID int64, grids []*PlanGrid, in *PlanGrid, opt EditOptions) (*edit, error) {
	opt, err := opt.normalize()
	if err != nil {
		return nil, err
	}
	if err := checkGridInput(in); err != nil {
		return nil, err
	}
	g := *in
	g.Code, g.Name = strings.TrimSpace(g.Code), strings.TrimSpace(g.Name)
	g.PlanID, g.Removed, g.SuccessorID = planID, false, 0
	var cur *PlanGrid
	if g.ID != 0 {
		if cur, err = findGrid(grids, planID, g.ID); err != nil {
			return nil, err
		}
		if cur.Removed {
			return nil, &ConflictError{Reason: fmt.Sprintf("grid %s was removed from this plan: reload the plan", cur.Code)}
		}
		if g.Version != cur.Version {
			return nil, staleGrid(cur, g.Version)
		}
		g.GridID = cur.GridID
	} else {
		g.GridID, g.Version = 0, 0
	}
	for _, o := range grids {
		if !o.Removed && o.ID != g.ID && o.Code == g.Code {
			return nil, Invalid("code", "%q is already the code of another grid of this plan (plan grid %d)", g.Code, o.ID)
		}
	}
	d, err := s.District(ctx, g.DistrictID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, Invalid("district_id", "district %d does not exist", g.DistrictID)
		}
		return nil, fmt.Errorf("district %d: %w", g.DistrictID, err)
	}
	e := &edit{grid: &g}
	if cur != nil && cur.DistrictID == g.DistrictID && orb.Equal(cur.Boundary, g.Boundary) {
		g.Boundary = cur.Boundary.Clone()
		return e, nil // a rename: no shape work, no neighbour touched
	}

	// Neighbours: every other grid near the drawn shape, any district (a
	// grid across the district line is an edge to snap to as well).
	f := 1.0 + opt.SnapM
	near := padM(g.Boundary.Bound(), f)
	var neighbours []*PlanGrid
	for _, o := range grids {
		if !o.Removed && o.ID != g.ID && len(o.Boundary) > 0 && o.Boundary.Bound().Intersects(near) {
			neighbours = append(neighbours, o)
		}
	}
	shp := g.Boundary
	if opt.SnapM > 0 {
		stick := make([]orb.MultiPolygon, 0, len(neighbours)+1)
		for _, o := range neighbours {
			stick = append(stick, o.Boundary)
		}
		stick = append(stick, d.Boundary)
		// A shape that snapping would fold keeps the planner's own
		// vertices; the validation report shows any sliver left.
		if snapped, err := shape.Snap(shp, stick, opt.SnapM); err == nil && len(snapped) > 0 {
			shp = snapped
		}
	}
	clipped, err := shape.Intersection(shp, d.Boundary)
	if err != nil {
		return nil, fmt.Errorf("clip grid %s to district %s: %w", g.Code, d.Name, err)
	}
	clipped = shape.Clean(clipped, shape.SliverM2)
	if len(clipped) == 0 {
		return nil, Invalid("geometry", "lies outside district %s (%s): draw the grid inside it", d.Name, d.Code)
	}
	switch opt.Mode {
	case EditFit:
		var others []orb.MultiPolygon
		for _, o := range neighbours {
			others = append(others, o.Boundary)
		}
		covered, err := shape.UnionAll(others)
		if err != nil {
			return nil, fmt.Errorf("fit grid %s: %w", g.Code, err)
		}
		if clipped, err = shape.Difference(clipped, covered); err != nil {
			return nil, fmt.Errorf("fit grid %s: %w", g.Code, err)
		}
		clipped = shape.Clean(clipped, shape.SliverM2)
		if len(clipped) == 0 {
			return nil, Invalid("geometry", "lies entirely inside other grids: in fit mode a grid keeps only what no other grid covers")
		}
	case EditCarve:
		for _, o := range neighbours {
			in, err := shape.Intersection(o.Boundary, clipped)
			if err != nil {
				return nil, fmt.Errorf("carve grid %s out of %s: %w", g.Code, o.Code, err)
			}
			if shape.AreaM2(in) < shape.SliverM2 {
				continue // touches, or overlaps by noise only
			}
			rest, err := shape.Difference(o.Boundary, clipped)
			if err != nil {
				return nil, fmt.Errorf("carve grid %s out of %s: %w", g.Code, o.Code, err)
			}
			c := *o
			c.Boundary = shape.Clean(rest, shape.SliverM2)
			if len(c.Boundary) == 0 {
				c.Boundary, c.Removed = o.Boundary.Clone(), true // kept for the map; the grid is gone
				e.swallowed = append(e.swallowed, &c)
			}
			e.changed = append(e.changed, &c)
		}
	}
	g.Boundary = clipped
	if err := validMulti("geometry", g.Boundary); err != nil {
		return nil, fmt.Errorf("the edited shape came out invalid, redraw it: %w", err)
	}
	// A neighbour the carve reshaped must be storable too, or the preview
	// would promise an edit the save then refuses: a corner placed exactly
	// on the neighbour's outer edge leaves it a hole touching that edge.
	for _, c := range e.changed {
		if c.Removed {
			continue
		}
		if err := validMulti("geometry", c.Boundary); err != nil {
			var fe *FieldError
			errors.As(err, &fe)
			return nil, Invalid("geometry", "carving it out of grid %s would leave %s invalid (%s): move the corners that touch %s's outer edge a little off it, or draw in fit mode",
				c.Code, c.Code, fe.Reason, c.Code)
		}
	}
	return e, nil
}

// padM grows b by m metres on every side (a local approximation).
func padM(b orb.Bound, m float64) orb.Bound {
	const mPerDeg = geo.EarthRadiusM * math.Pi / 180
	dy := m / mPerDeg
	dx := m / (mPerDeg * math.Max(0.01, math.Cos(b.Center()[1]*math.Pi/180)))
	return orb.Bound{Min: orb.Point{b.Min[0] - dx, b.Min[1] - dy}, Max: orb.Point{b.Max[0] + dx, b.Max[1] + dy}}
}

// SaveGrid creates (g.ID 0) or updates a grid of draft planID. The shape
// is snapped to neighbouring grids and the district boundary (opt.SnapM),
// clipped to the grid's district, and then either carves its area out of
// the neighbours it overlaps or fits into what they leave (opt.Mode). An
// update must carry the Version it was loaded at: a stale one gets a
// *ConflictError saying who changed the grid and when. Editing a plan that
// waits for approval returns it to draft. The result holds the saved grid,
// the neighbours it reshaped and the plan's diff after the edit.
func (p *Planner) SaveGrid(ctx context.Context, planID int64, g *PlanGrid, opt EditOptions, user string) (*EditResult, error) {
	var res *EditResult
	err := p.tx(ctx, func(s PlannerStore) error {
		grids, err := p.editableGrids(ctx, s, planID, user)
		if err != nil {
			return err
		}
		e, err := planEdit(ctx, s, planID, grids, g, opt)
		if err != nil {
			return err
		}
		res, err = p.write(ctx, s, e, user)
		return err
	})
	if err != nil {
		return nil, editErr("save", g, err)
	}
	if opt.NoDiff {
		if res.Changed == nil {
			res.Changed = []*PlanGrid{}
		}
		return res, nil
	}
	return p.withDiff(ctx, planID, res)
}

func editErr(verb string, g *PlanGrid, err error) error {
	var fe *FieldError
	if errors.As(err, &fe) || g == nil {
		return err // already says which field; the web layer shows it as is
	}
	if g.ID == 0 {
		return fmt.Errorf("%s new grid %q: %w", verb, g.Code, err)
	}
	return fmt.Errorf("%s plan grid %d: %w", verb, g.ID, err)
}

// write stores an edit: the edited grid first (a new one gets its id), then
// the neighbours, swallowed ones succeeded by the edited grid.
func (p *Planner) write(ctx context.Context, s PlannerStore, e *edit, user string) (*EditResult, error) {
	now := p.now()
	g := e.grid
	g.UpdatedBy, g.UpdatedAt = user, now
	if g.ID == 0 {
		if err := s.CreatePlanGrid(ctx, g); err != nil {
			return nil, fmt.Errorf("create grid %s: %w", g.Code, err)
		}
	} else if err := s.UpdatePlanGrid(ctx, g); err != nil {
		return nil, fmt.Errorf("update grid %s: %w", g.Code, err)
	}
	for _, c := range e.swallowed {
		c.SuccessorID = g.ID
	}
	for _, c := range e.changed {
		c.UpdatedBy, c.UpdatedAt = user, now
		if err := s.UpdatePlanGrid(ctx, c); err != nil {
			return nil, fmt.Errorf("reshape grid %s: %w", c.Code, err)
		}
	}
	return &EditResult{Grid: g, Changed: e.changed}, nil
}

// withDiff adds the plan's diff to an edit's result, after the write.
func (p *Planner) withDiff(ctx context.Context, planID int64, res *EditResult) (*EditResult, error) {
	grids, err := planGrids(ctx, p.Store, planID)
	if err != nil {
		return nil, err
	}
	cv, err := p.coverage(ctx)
	if err != nil {
		return nil, fmt.Errorf("plan %d: diff after the edit: %w", planID, err)
	}
	if res.Diff, err = diffPlan(ctx, p.Store, grids, cv); err != nil {
		return nil, fmt.Errorf("plan %d: diff after the edit: %w", planID, err)
	}
	if res.Changed == nil {
		res.Changed = []*PlanGrid{}
	}
	return res, nil
}

// RemoveGrid removes a grid from draft planID (version is the one it was
// loaded at). successorID names the grid of the plan that takes over its
// managers when the plan is published (0: none yet; the validation report
// blocks publishing while the removed grid has managers and no successor).
// The area becomes a gap until another grid covers it: MergeGrids hands it
// to a neighbour in one step. Removing a removed grid again changes its
// successor.
func (p *Planner) RemoveGrid(ctx context.Context, planID, planGridID int64, version int, successorID int64, user string) (*EditResult, error) {
	var res *EditResult
	err := p.tx(ctx, func(s PlannerStore) error {
		grids, err := p.editableGrids(ctx, s, planID, user)
		if err != nil {
			return err
		}
		g, err := findGrid(grids, planID, planGridID)
		if err != nil {
			return err
		}
		if g.Version != version {
			return staleGrid(g, version)
		}
		if successorID != 0 {
			if successorID == g.ID {
				return Invalid("successor_id", "a grid cannot succeed itself")
			}
			succ, err := findGrid(grids, planID, successorID)
			if err != nil {
				return Invalid("successor_id", "grid %d is not a grid of plan %d", successorID, planID)
			}
			if succ.Removed {
				return Invalid("successor_id", "grid %s is removed too: name a grid the plan keeps", succ.Code)
			}
		}
		c := *g
		c.Removed, c.SuccessorID = true, successorID
		c.UpdatedBy, c.UpdatedAt = user, p.now()
		if err := s.UpdatePlanGrid(ctx, &c); err != nil {
			return fmt.Errorf("remove grid %s: %w", g.Code, err)
		}
		res = &EditResult{Grid: &c}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("remove plan grid %d: %w", planGridID, err)
	}
	return p.withDiff(ctx, planID, res)
}

// SplitGrid cuts a grid of draft planID in two (or more) along line, which
// must cross it from edge to edge (a line whose end lies inside the grid
// within DefaultSnapM of its edge is extended onto the edge). The largest
// part keeps the grid (its id, live grid, managers); every other part
// becomes a new grid coded "<code>-2", "-3", … in the same district.
// EditResult.Grid is the kept part, Changed the new grids.
func (p *Planner) SplitGrid(ctx context.Context, planID, planGridID int64, version int, line orb.LineString, user string) (*EditResult, error) {
	var res *EditResult
	err := p.tx(ctx, func(s PlannerStore) error {
		grids, err := p.editableGrids(ctx, s, planID, user)
		if err != nil {
			return err
		}
		g, err := findGrid(grids, planID, planGridID)
		if err != nil {
			return err
		}
		if g.Removed {
			return &ConflictError{Reason: fmt.Sprintf("grid %s was removed from this plan: reload the plan", g.Code)}
		}
		if g.Version != version {
			return staleGrid(g, version)
		}
		var parts []orb.Polygon
		crossed := false
		var lineErr error
		for _, poly := range g.Boundary {
			ps, err := shape.SplitByLine(poly, reachEdges(poly, line, DefaultSnapM))
			switch {
			case err == nil:
				parts = append(parts, ps...)
				crossed = true
			case errors.Is(err, shape.ErrSplit):
				parts = append(parts, poly) // this part of the grid is not cut
				if lineErr == nil {
					lineErr = err
				}
			default:
				return Invalid("geometry", "grid %s cannot be split: %v", g.Code, err)
			}
		}
		if !crossed {
			return Invalid("line", "%s", strings.TrimPrefix(lineErr.Error(), "shape: split: "))
		}
		kept := largestFirst(parts)
		c := *g
		c.Boundary = orb.MultiPolygon{kept[0]}
		now := p.now()
		c.UpdatedBy, c.UpdatedAt = user, now
		if err := s.UpdatePlanGrid(ctx, &c); err != nil {
			return fmt.Errorf("split grid %s: %w", g.Code, err)
		}
		res = &EditResult{Grid: &c, Changed: []*PlanGrid{}}
		used := map[string]bool{}
		for _, o := range grids {
			if !o.Removed {
				used[o.Code] = true
			}
		}
		n := 2
		for _, part := range kept[1:] {
			code := fmt.Sprintf("%s-%d", g.Code, n)
			for used[code] || len(code) > 64 {
				n++
				code = fmt.Sprintf("%s-%d", g.Code, n)
			}
			used[code] = true
			ng := &PlanGrid{PlanID: planID, Code: code, Name: fmt.Sprintf("%s (%d)", g.Name, n), DistrictID: g.DistrictID,
				Boundary: orb.MultiPolygon{part}, UpdatedBy: user, UpdatedAt: now}
			n++
			if err := s.CreatePlanGrid(ctx, ng); err != nil {
				return fmt.Errorf("split grid %s: create %s: %w", g.Code, code, err)
			}
			res.Changed = append(res.Changed, ng)
		}
		return nil
	})
	if err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return nil, err
		}
		return nil, fmt.Errorf("split plan grid %d: %w", planGridID, err)
	}
	return p.withDiff(ctx, planID, res)
}

// largestFirst orders polygons by area, largest first, keeping the order of
// equals.
func largestFirst(ps []orb.Polygon) []orb.Polygon {
	ps = slices.Clone(ps)
	slices.SortStableFunc(ps, func(a, b orb.Polygon) int {
		aa, ab := shape.PolygonAreaM2(a), shape.PolygonAreaM2(b)
		switch {
		case aa > ab:
			return -1
		case aa < ab:
			return 1
		}
		return 0
	})
	return ps
}

// reachEdges moves an end of line that lies inside poly within tolM metres
// of its outer ring onto the nearest point of the ring: a line a planner
// meant to start on the edge and started just short of it.
func reachEdges(poly orb.Polygon, line orb.LineString, tolM float64) orb.LineString {
	if len(line) < 2 || len(poly) == 0 {
		return line
	}
	out := slices.Clone(line)
	for _, i := range []int{0, len(out) - 1} {
		q := out[i]
		if !insideStrictly(poly[0], q) {
			continue
		}
		best, bestM := q, tolM
		r := poly[0]
		for k := 0; k+1 < len(r); k++ {
			if c := nearestOnSegment(r[k], r[k+1], q); geo.DistanceM(c, q) <= bestM {
				best, bestM = c, geo.DistanceM(c, q)
			}
		}
		out[i] = best
	}
	return out
}

// insideStrictly reports whether q lies in r (an end exactly on the edge
// is left alone by the caller either way: the nearest edge point is itself).
func insideStrictly(r orb.Ring, q orb.Point) bool { return planar.RingContains(r, q) }

// nearestOnSegment is the point of segment ab nearest q, in a local plane.
func nearestOnSegment(a, b, q orb.Point) orb.Point {
	k := math.Cos(q[1] * math.Pi / 180)
	dx, dy := (b[0]-a[0])*k, b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return a
	}
	t := ((q[0]-a[0])*k*dx + (q[1]-a[1])*dy) / l2
	t = math.Max(0, math.Min(1, t))
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

// MergeGrids merges grids of draft planID into the first of ids: it takes
// the union of their shapes, and the others are removed with it as their
// successor (their managers join it on publication). versions are the
// versions the grids were loaded at, in the same order. The grids must be in
// one district and the union must be one piece.
func (p *Planner) MergeGrids(ctx context.Context, planID int64, ids []int64, versions []int, user string) (*EditResult, error) {
	switch {
	case len(ids) < 2:
		return nil, Invalid("grid_ids", "name at least two grids to merge, got %d", len(ids))
	case len(versions) != len(ids):
		return nil, Invalid("versions", "give one version per grid: %d grids, %d versions", len(ids), len(versions))
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			return nil, Invalid("grid_ids", "grid %d is named twice", id)
		}
		seen[id] = true
	}
	var res *EditResult
	err := p.tx(ctx, func(s PlannerStore) error {
		grids, err := p.editableGrids(ctx, s, planID, user)
		if err != nil {
			return err
		}
		merged := make([]*PlanGrid, len(ids))
		shapes := make([]orb.MultiPolygon, len(ids))
		for i, id := range ids {
			g, err := findGrid(grids, planID, id)
			if err != nil {
				return err
			}
			if g.Removed {
				return &ConflictError{Reason: fmt.Sprintf("grid %s was removed from this plan: reload the plan", g.Code)}
			}
			if g.Version != versions[i] {
				return staleGrid(g, versions[i])
			}
			if g.DistrictID != merged0(merged, g).DistrictID {
				return Invalid("grid_ids", "grids %s and %s are in different districts: only grids of one district merge", merged[0].Code, g.Code)
			}
			merged[i], shapes[i] = g, g.Boundary
		}
		u, err := shape.UnionAll(shapes)
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		u = shape.Clean(u, shape.SliverM2)
		if pieces, err := shape.Pieces(u); err != nil {
			return fmt.Errorf("merge: %w", err)
		} else if len(pieces) != 1 {
			return Invalid("grid_ids", "the grids do not form one piece (they would make a grid of %d parts): merge neighbours", len(pieces))
		}
		now := p.now()
		surv := *merged[0]
		surv.Boundary, surv.UpdatedBy, surv.UpdatedAt = u, user, now
		if err := s.UpdatePlanGrid(ctx, &surv); err != nil {
			return fmt.Errorf("merge into %s: %w", surv.Code, err)
		}
		res = &EditResult{Grid: &surv}
		for _, g := range merged[1:] {
			c := *g
			c.Removed, c.SuccessorID, c.UpdatedBy, c.UpdatedAt = true, surv.ID, user, now
			if err := s.UpdatePlanGrid(ctx, &c); err != nil {
				return fmt.Errorf("merge %s into %s: %w", g.Code, surv.Code, err)
			}
			res.Changed = append(res.Changed, &c)
		}
		return nil
	})
	if err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return nil, err
		}
		return nil, fmt.Errorf("merge grids %v of plan %d: %w", ids, planID, err)
	}
	return p.withDiff(ctx, planID, res)
}

// merged0 is the first grid of a merge, or g when it is the first.
func merged0(merged []*PlanGrid, g *PlanGrid) *PlanGrid {
	if merged[0] != nil {
		return merged[0]
	}
	return g
}
