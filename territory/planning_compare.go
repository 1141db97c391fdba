package territory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"gridplan/geo/shape"
)

// Comparison sets two plans side by side, grid by grid. A grid of one plan
// is matched with the grid of the other that stands for the same live grid,
// else with the one that has the same code.
type Comparison struct {
	A     *Plan            `json:"a"`
	B     *Plan            `json:"b"`
	Grids []GridComparison `json:"grids"` // by code
}

// GridComparison is one grid in both plans; A or B is nil where the plan
// does not have it.
type GridComparison struct {
	Code   string    `json:"code"`
	GridID int64     `json:"grid_id,omitempty"`
	A      *GridSide `json:"a"`
	B      *GridSide `json:"b"`
}

// GridSide is a grid as one plan has it. Customers are those the plan puts
// in it (PlanDiff's rule), Claimed those of them in a manager's list;
// Managers, with their summed quotas, those whose live grid it stands for or
// succeeds; Headroom = QuotaMax − Claimed, how many more list customers the
// team can take. Coverage counts its customers by best network coverage
// today; nil when the Planner has no Coverage.
type GridSide struct {
	PlanGridID int64           `json:"plan_grid_id"`
	Name       string          `json:"name"`
	AreaKm2    float64         `json:"area_km2"`
	Customers  int             `json:"customers"`
	Claimed    int             `json:"claimed"`
	Managers   int             `json:"managers"`
	QuotaMin   int             `json:"quota_min"`
	QuotaMax   int             `json:"quota_max"`
	Headroom   int             `json:"headroom"`
	Coverage   *CoverageCounts `json:"coverage"`
}

// CoverageCounts count a grid's customers by their best network coverage
// (existing > under construction > planned > none; see territory/coverage):
// each customer counts once, so the four add up to the grid's customers.
type CoverageCounts struct {
	Existing          int `json:"existing"`
	UnderConstruction int `json:"under_construction"`
	Planned           int `json:"planned"`
	None              int `json:"none"`
}

// add counts n customers of best coverage st ("" for none); negative n
// takes them away.
func (c *CoverageCounts) add(st ResourceStatus, n int) {
	switch st {
	case ResourceExisting:
		c.Existing += n
	case ResourceUnderConstruction:
		c.UnderConstruction += n
	case ResourcePlanned:
		c.Planned += n
	default:
		c.None += n
	}
}

// CoverageView is what planning asks of the coverage analyzer (package
// territory/coverage implements it, as of one day). It must be cheap to
// call a million times.
type CoverageView interface {
	// CustomerCoverage is the best coverage of the customer with id: a
	// ResourceStatus, or "" when no resource covers him or the view does
	// not know him (a customer added since it was built).
	CustomerCoverage(id int64) ResourceStatus
	// GridCoverage counts the customers of live grid gridID by best
	// coverage.
	GridCoverage(gridID int64) CoverageCounts
}

// coverage is the Planner's coverage view, nil without one.
func (p *Planner) coverage(ctx context.Context) (CoverageView, error) {
	if p.Coverage == nil {
		return nil, nil
	}
	cv, err := p.Coverage(ctx)
	if err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	return cv, nil
}

// Compare compares plans a and b (any statuses).
func (p *Planner) Compare(ctx context.Context, a, b int64) (*Comparison, error) {
	c := &Comparison{Grids: []GridComparison{}}
	var ga, gb []*PlanGrid
	for _, x := range []struct {
		id    int64
		plan  **Plan
		grids *[]*PlanGrid
	}{{a, &c.A, &ga}, {b, &c.B, &gb}} {
		pl, err := p.Store.Plan(ctx, x.id)
		if err != nil {
			return nil, lookup("plan", x.id, err)
		}
		gs, err := planGrids(ctx, p.Store, x.id)
		if err != nil {
			return nil, err
		}
		*x.plan, *x.grids = pl, gs
	}
	live, err := p.Store.Grids(ctx, GridFilter{})
	if err != nil {
		return nil, fmt.Errorf("compare: load live grids: %w", err)
	}
	la, lb := newLayout(ga, live), newLayout(gb, live)
	cv, err := p.coverage(ctx)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	sa, sb := sides(la, cv != nil), sides(lb, cv != nil)
	managers, err := p.Store.Managers(ctx, ManagerFilter{})
	if err != nil {
		return nil, fmt.Errorf("compare: load managers: %w", err)
	}
	for _, m := range managers {
		for _, x := range []struct {
			l *layout
			s map[int64]*GridSide
		}{{la, sa}, {lb, sb}} {
			if g := x.l.managerGrid(m.GridID); g != nil && x.s[g.ID] != nil {
				side := x.s[g.ID]
				side.Managers++
				side.QuotaMin += m.Quota.Min
				side.QuotaMax += m.Quota.Max
			}
		}
	}
	const page = 10000
	for after := int64(0); ; {
		cs, err := p.Store.Customers(ctx, CustomerFilter{AfterID: after, Limit: page})
		if err != nil {
			return nil, fmt.Errorf("compare: read customers: %w", err)
		}
		for _, cu := range cs {
			var st ResourceStatus
			if cv != nil {
				st = cv.CustomerCoverage(cu.ID)
			}
			for _, x := range []struct {
				l *layout
				s map[int64]*GridSide
			}{{la, sa}, {lb, sb}} {
				if g := x.l.locate(cu.Location, cu.GridID); g != nil {
					side := x.s[g.ID]
					side.Customers++
					if cu.OwnerID != 0 {
						side.Claimed++
					}
					if side.Coverage != nil {
						side.Coverage.add(st, 1)
					}
				}
			}
		}
		if len(cs) < page {
			break
		}
		after = cs[len(cs)-1].ID
	}
	for _, s := range []map[int64]*GridSide{sa, sb} {
		for _, side := range s {
			side.Headroom = side.QuotaMax - side.Claimed
		}
	}

	// Match: same live grid, else same code.
	rows := map[string]*GridComparison{}
	key := func(l *layout, g *PlanGrid) string {
		if id := l.liveOf(g); id != 0 {
			return fmt.Sprintf("grid:%d", id)
		}
		return "code:" + g.Code
	}
	for _, g := range la.active {
		k := key(la, g)
		rows[k] = &GridComparison{Code: g.Code, GridID: la.liveOf(g), A: sa[g.ID]}
	}
	for _, g := range lb.active {
		k := key(lb, g)
		if r := rows[k]; r != nil && r.B == nil {
			r.B = sb[g.ID]
			continue
		}
		if r := rows["code:"+g.Code]; r != nil && r.B == nil {
			r.B = sb[g.ID]
			continue
		}
		rows[k+"/b"] = &GridComparison{Code: g.Code, GridID: lb.liveOf(g), B: sb[g.ID]}
	}
	for _, r := range rows {
		c.Grids = append(c.Grids, *r)
	}
	slices.SortFunc(c.Grids, func(x, y GridComparison) int {
		return cmp.Or(cmp.Compare(x.Code, y.Code), cmp.Compare(x.GridID, y.GridID))
	})
	return c, nil
}

// sides makes a GridSide for every active grid of l, with zero coverage
// counts when withCoverage.
func sides(l *layout, withCoverage bool) map[int64]*GridSide {
	out := make(map[int64]*GridSide, len(l.active))
	for _, g := range l.active {
		out[g.ID] = &GridSide{PlanGridID: g.ID, Name: g.Name, AreaKm2: shape.AreaM2(g.Boundary) / 1e6}
		if withCoverage {
			out[g.ID].Coverage = &CoverageCounts{}
		}
	}
	return out
}
