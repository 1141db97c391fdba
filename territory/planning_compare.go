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
// team can take. Coverage stays nil until the coverage analyzer exists.
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

// CoverageCounts are the customers a grid's network resources reach, by
// resource status. Left empty until coverage is computed.
type CoverageCounts struct {
	Existing          int `json:"existing"`
	UnderConstruction int `json:"under_construction"`
	Planned           int `json:"planned"`
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
	sa, sb := sides(la), sides(lb)
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
			for _, x := range []struct {
				l *layout
				s map[int64]*GridSide
			}{{la, sa}, {lb, sb}} {
				if g := x.l.locate(cu.Location, cu.GridID); g != nil {
					x.s[g.ID].Customers++
					if cu.OwnerID != 0 {
						x.s[g.ID].Claimed++
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

func sides(l *layout) map[int64]*GridSide {
	out := make(map[int64]*GridSide, len(l.active))
	for _, g := range l.active {
		out[g.ID] = &GridSide{PlanGridID: g.ID, Name: g.Name, AreaKm2: shape.AreaM2(g.Boundary) / 1e6}
	}
	return out
}
