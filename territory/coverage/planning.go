package coverage

import "gridplan/territory"

// Planning returns the coverage as of day asOf in the form grid planning
// reads it (territory.CoverageView, for Planner.Coverage). It is a copy
// (a byte per customer and the counts per grid), so a plan comparison
// walking a million customers takes no lock, and later Puts do not show
// in it.
func (a *Analyzer) Planning(asOf Date) territory.CoverageView {
	pv := &planningView{cs: a.cs, grids: map[int64]territory.CoverageCounts{}}
	a.read(asOf, func(v *view) {
		pv.best = append([]Status(nil), v.best...)
		for i, g := range a.grids {
			var c Cube
			c.addFlat(v.grid[(i+1)*cubeLen : (i+2)*cubeLen])
			n := c.ByStatus()
			pv.grids[g.id] = territory.CoverageCounts{Existing: n[Existing], UnderConstruction: n[UnderConstruction],
				Planned: n[Planned], None: n[None]}
		}
	})
	return pv
}

type planningView struct {
	cs    *customers
	best  []Status
	grids map[int64]territory.CoverageCounts
}

var _ territory.CoverageView = (*planningView)(nil)

func (p *planningView) CustomerCoverage(id int64) territory.ResourceStatus {
	k := p.cs.find(id)
	if k < 0 {
		return ""
	}
	return p.best[k].ResourceStatus()
}

func (p *planningView) GridCoverage(gridID int64) territory.CoverageCounts { return p.grids[gridID] }
