package territory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"gridplan/geo/shape"
)

// ViolationKind names what a validation rule found.
type ViolationKind string

// Violation kinds.
const (
	ViolationOverlap         ViolationKind = "overlap"               // two grids cover the same ground
	ViolationGap             ViolationKind = "gap"                   // ground of a district no grid covers
	ViolationPieces          ViolationKind = "pieces"                // a grid in several separate parts
	ViolationEmpty           ViolationKind = "empty"                 // a grid with no area, or no customers
	ViolationQuotaMin        ViolationKind = "quota_min"             // too few customers for the managers' minimum lists
	ViolationQuotaMax        ViolationKind = "quota_max"             // more customers than the managers' lists can hold
	ViolationRemovedManagers ViolationKind = "removed_with_managers" // a grid that goes, whose managers have nowhere to go
	ViolationOutside         ViolationKind = "outside_district"      // part of a grid outside its district
)

// Severity says whether a violation blocks publishing.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"   // blocks Submit and Publish
	SeverityWarning Severity = "warning" // shown; the planner decides
)

// Violation is one finding of Validate, with the geometry to zoom to.
type Violation struct {
	Kind        ViolationKind     `json:"kind"`
	Severity    Severity          `json:"severity"`
	PlanGridIDs []int64           `json:"plan_grid_ids"`
	Message     string            `json:"message"`
	Geometry    *geojson.Geometry `json:"geometry,omitempty"`
}

// ValidationReport is what Validate found. OK is true when no violation is
// an error, i.e. when the plan may be published.
type ValidationReport struct {
	OK         bool        `json:"ok"`
	Errors     int         `json:"errors"`
	Warnings   int         `json:"warnings"`
	Violations []Violation `json:"violations"`
}

// Validate checks plan planID as publication would. Errors (they block
// Submit and Publish):
//
//   - overlap: two grids share at least shape.SliverM2 (1 m²) of ground; the
//     geometry is the shared area. Smaller overlaps are floating-point noise.
//   - gap: ground of a district that has grids, at least 1 m², that no grid
//     covers (customers there would be in no grid); the geometry is the gap.
//   - pieces: a grid in several parts (touching at a point counts as
//     separate); live grids are single polygons. The geometry is the
//     smaller parts.
//   - empty (no area): a grid whose neighbours took all its ground.
//   - outside_district: at least 1 m² of a grid outside its district, or a
//     grid whose district does not exist.
//   - removed_with_managers: a removed grid, or a live grid the plan lacks,
//     that has managers and no successor to hand them to.
//
// Warnings (shown; the planner decides):
//
//   - gap: a district with no grid at all (a district just imported).
//   - empty (no customers): a grid no customer lies in.
//   - quota_min: fewer customers in a grid than the sum of its managers'
//     minimum quotas: their lists cannot all be filled.
//   - quota_max: more listed customers (stages list … order, the ones on
//     a manager's list) than the sum of its managers' maximum quotas, or
//     customers and no manager: part of the grid goes unworked. Customers
//     still at target are the grid's pool and do not count: the method wants
//     unclaimed room in every grid.
//
// Customer counts are the plan's (see PlanDiff for the rule); the managers
// of a grid are those of the live grid it stands for, plus those of the
// removed grids it succeeds.
func (p *Planner) Validate(ctx context.Context, planID int64) (*ValidationReport, error) {
	if _, err := p.Store.Plan(ctx, planID); err != nil {
		return nil, lookup("plan", planID, err)
	}
	grids, err := planGrids(ctx, p.Store, planID)
	if err != nil {
		return nil, err
	}
	r, err := validate(ctx, p.Store, grids)
	if err != nil {
		return nil, fmt.Errorf("validate plan %d: %w", planID, err)
	}
	return r, nil
}

func validate(ctx context.Context, s PlannerStore, grids []*PlanGrid) (*ValidationReport, error) {
	districts, err := s.Districts(ctx)
	if err != nil {
		return nil, fmt.Errorf("load districts: %w", err)
	}
	live, err := s.Grids(ctx, GridFilter{})
	if err != nil {
		return nil, fmt.Errorf("load live grids: %w", err)
	}
	l := newLayout(grids, live)
	var vs []Violation
	add := func(kind ViolationKind, sev Severity, ids []int64, g orb.Geometry, format string, args ...any) {
		v := Violation{Kind: kind, Severity: sev, PlanGridIDs: ids, Message: fmt.Sprintf(format, args...)}
		if v.PlanGridIDs == nil {
			v.PlanGridIDs = []int64{}
		}
		if g != nil {
			v.Geometry = geojson.NewGeometry(g)
		}
		vs = append(vs, v)
	}

	// Shapes, grid by grid.
	dByID := map[int64]*District{}
	for _, d := range districts {
		dByID[d.ID] = d
	}
	perDistrict := map[int64][]*PlanGrid{}
	for i, g := range grids {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if g.Removed {
			continue
		}
		if len(g.Boundary) == 0 {
			add(ViolationEmpty, SeverityError, []int64{g.ID}, nil,
				"grid %s has no area left (its neighbours took all of it): remove it or redraw it", g.Code)
			continue
		}
		perDistrict[g.DistrictID] = append(perDistrict[g.DistrictID], g)
		pieces, err := shape.Pieces(g.Boundary)
		if err != nil {
			return nil, fmt.Errorf("grid %s: %w", g.Code, err)
		}
		if len(pieces) > 1 {
			add(ViolationPieces, SeverityError, []int64{g.ID}, orb.MultiPolygon(pieces[1:]),
				"grid %s is in %d separate pieces (the smaller ones are shown): a grid must be one piece; merge them into neighbours or redraw it", g.Code, len(pieces))
		}
		d := dByID[g.DistrictID]
		if d == nil {
			add(ViolationOutside, SeverityError, []int64{g.ID}, g.Boundary, "grid %s is in district %d, which does not exist", g.Code, g.DistrictID)
			continue
		}
		outside, err := shape.Difference(g.Boundary, d.Boundary)
		if err != nil {
			return nil, fmt.Errorf("grid %s: %w", g.Code, err)
		}
		if outside = shape.Clean(outside, shape.SliverM2); len(outside) > 0 {
			add(ViolationOutside, SeverityError, []int64{g.ID}, outside,
				"%s of grid %s lie outside its district %s", area(shape.AreaM2(outside)), g.Code, d.Name)
		}
	}

	// Overlaps and gaps, district by district.
	for _, d := range districts {
		gs := perDistrict[d.ID]
		if len(gs) == 0 {
			add(ViolationGap, SeverityWarning, nil, d.Boundary, "district %s has no grids", d.Name)
			continue
		}
		shapes := make([]orb.MultiPolygon, len(gs))
		var sum float64
		for i, g := range gs {
			shapes[i] = g.Boundary
			sum += shape.AreaM2(g.Boundary)
		}
		u, err := shape.UnionAll(shapes)
		if err != nil {
			return nil, fmt.Errorf("district %s: %w", d.Name, err)
		}
		// Overlaps show as area counted twice; look for the pairs only
		// when there is some.
		if sum-shape.AreaM2(u) >= shape.SliverM2 {
			ovs, err := shape.Overlaps(ctx, shapes, shape.SliverM2)
			if err != nil {
				return nil, fmt.Errorf("district %s: %w", d.Name, err)
			}
			for _, o := range ovs {
				a, b := gs[o.A], gs[o.B]
				add(ViolationOverlap, SeverityError, []int64{a.ID, b.ID}, o.Area,
					"grids %s and %s overlap by %s: a customer there would be in both", a.Code, b.Code, area(o.AreaM2))
			}
		}
		gaps, err := shape.Difference(d.Boundary, u)
		if err != nil {
			return nil, fmt.Errorf("district %s: %w", d.Name, err)
		}
		for _, gap := range largestFirst(shape.Clean(gaps, shape.SliverM2)) {
			near := padM(gap.Bound(), 1)
			var ids []int64
			var codes []string
			for _, g := range gs {
				if g.Boundary.Bound().Intersects(near) {
					ids, codes = append(ids, g.ID), append(codes, g.Code)
				}
			}
			where := "in district " + d.Name
			if len(codes) > 0 {
				where += " next to " + strings.Join(codes, ", ")
			}
			add(ViolationGap, SeverityError, ids, gap, "a gap of %s %s: customers there would be in no grid", area(shape.PolygonAreaM2(gap)), where)
		}
	}

	// Customers and managers.
	counts := map[int64]int{} // customers per plan grid
	listed := map[int64]int{} // of them, on a manager's list (list … order)
	n := 0
	err = s.CustomerLocations(ctx, nil, func(c CustomerLocation) error {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if g := l.locate(c.Location, c.GridID); g != nil {
			counts[g.ID]++
			if c.Stage.Claimed() {
				listed[g.ID]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count customers: %w", err)
	}
	managers, err := s.Managers(ctx, ManagerFilter{})
	if err != nil {
		return nil, fmt.Errorf("load managers: %w", err)
	}
	team := map[int64][]*Manager{} // plan grid id → its managers under the plan
	onLive := map[int64]int{}      // live grid id → managers on it today
	for _, m := range managers {
		onLive[m.GridID]++
		if g := l.managerGrid(m.GridID); g != nil {
			team[g.ID] = append(team[g.ID], m)
		}
	}
	for _, g := range l.active {
		c := counts[g.ID]
		if c == 0 {
			add(ViolationEmpty, SeverityWarning, []int64{g.ID}, g.Boundary, "grid %s holds no customers", g.Code)
		}
		var lo, hi int
		for _, m := range team[g.ID] {
			lo, hi = lo+m.Quota.Min, hi+m.Quota.Max
		}
		switch ms := len(team[g.ID]); {
		case ms == 0 && c > 0:
			add(ViolationQuotaMax, SeverityWarning, []int64{g.ID}, g.Boundary, "grid %s has %d customers and no manager", g.Code, c)
		case ms > 0 && c < lo:
			add(ViolationQuotaMin, SeverityWarning, []int64{g.ID}, g.Boundary,
				"grid %s has %d customers: too few for its %d managers' minimum lists (%d in all)", g.Code, c, ms, lo)
		case ms > 0 && listed[g.ID] > hi:
			add(ViolationQuotaMax, SeverityWarning, []int64{g.ID}, g.Boundary,
				"grid %s has %d customers on lists: more than its %d managers' maximum lists hold (%d in all)", g.Code, listed[g.ID], ms, hi)
		}
	}
	for _, g := range grids {
		lid := l.liveOf(g)
		if !g.Removed || lid == 0 || onLive[lid] == 0 || successorOf(g, l.byID) != nil {
			continue
		}
		add(ViolationRemovedManagers, SeverityError, []int64{g.ID}, g.Boundary,
			"grid %s is removed but its %d managers have no grid to go to: name a successor grid", g.Code, onLive[lid])
	}
	for _, lg := range l.absent {
		if onLive[lg.ID] > 0 {
			add(ViolationRemovedManagers, SeverityError, nil, lg.Boundary,
				"live grid %s (%d managers) is not in this plan: it was created after the plan was copied; make a new draft", lg.Code, onLive[lg.ID])
		}
	}

	r := &ValidationReport{Violations: vs}
	if r.Violations == nil {
		r.Violations = []Violation{}
	}
	order := map[ViolationKind]int{ViolationOverlap: 0, ViolationGap: 1, ViolationPieces: 2, ViolationEmpty: 3, ViolationOutside: 4,
		ViolationRemovedManagers: 5, ViolationQuotaMin: 6, ViolationQuotaMax: 7}
	slices.SortStableFunc(r.Violations, func(a, b Violation) int {
		return cmp.Or(cmp.Compare(sevRank(a.Severity), sevRank(b.Severity)), cmp.Compare(order[a.Kind], order[b.Kind]),
			cmp.Compare(firstID(a), firstID(b)))
	})
	for _, v := range r.Violations {
		if v.Severity == SeverityError {
			r.Errors++
		} else {
			r.Warnings++
		}
	}
	r.OK = r.Errors == 0
	return r, nil
}

func sevRank(s Severity) int {
	if s == SeverityError {
		return 0
	}
	return 1
}

func firstID(v Violation) int64 {
	if len(v.PlanGridIDs) == 0 {
		return 0
	}
	return v.PlanGridIDs[0]
}

// area formats square metres for people: m² below a hectare, then km².
func area(m2 float64) string {
	if m2 < 10000 {
		return fmt.Sprintf("%.0f m²", m2)
	}
	return fmt.Sprintf("%.2f km²", m2/1e6)
}
