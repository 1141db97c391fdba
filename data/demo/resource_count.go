package demo

import (
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/geo"
	"gridplan/territory"
)

// MaxResources bounds Options.Resources.
const MaxResources = 1_000_000

// Resource kinds that cover by H3 cells, sited only when Options.Resources
// asks for a number of resources.
const (
	KindIndoor5G  = "5G室分" // indoor 5G distribution: resolution-10 cells around a building
	KindCommunity = "小区宽带" // residential-estate broadband: resolution-9 cells
)

// Status shares of the resources a counted city sites: most are in
// service, the rest split between building and planning.
const (
	countedUnderConstruction = 0.15
	countedPlanned           = 0.15
	countedCellShare         = 0.10 // resources that cover by H3 cells
)

// buildResourceCount sites exactly n resources (Options.Resources) at
// randomly drawn businesses, whether or not they are covered already: the
// coverage analyzer's benchmark wants a given number, not a given share.
// The mix: 70% existing, 15% under construction, 15% planned (with
// expected dates 20–180 and 180–720 days out); 10% cover by H3 cells (an
// indoor system or an estate), the rest as the default city does (fibre
// cabinets and 5G sites with radii, serving areas and building accesses as
// polygons).
func (g *gen) buildResourceCount(n int) error {
	rng := g.rng(streamResources)
	placeAccess := make([]bool, len(g.places)+1)
	seq := map[string]int{}
	g.city.Resources = make([]*territory.Resource, 0, n)
	for range n {
		ci := int32(rng.IntN(len(g.cust)))
		status := territory.ResourceExisting
		switch x := rng.Float64(); {
		case x < countedPlanned:
			status = territory.ResourcePlanned
		case x < countedPlanned+countedUnderConstruction:
			status = territory.ResourceUnderConstruction
		}
		var r *territory.Resource
		if rng.Float64() < countedCellShare {
			r = g.cellResourceAt(rng, ci, status, seq)
		} else {
			r = g.resourceAt(rng, ci, status, placeAccess, seq)
		}
		g.city.Resources = append(g.city.Resources, r)
	}
	return nil
}

// cellResourceAt makes a resource of the given status covering H3 cells
// around business ci: an indoor 5G system (its resolution-10 cell and, half
// the time, the ring around it) or an estate's broadband (its
// resolution-9 cell, with its ring a third of the time).
func (g *gen) cellResourceAt(rng *rand.Rand, ci int32, status territory.ResourceStatus, seq map[string]int) *territory.Resource {
	c := g.cust[ci]
	r := &territory.Resource{ID: int64(len(g.city.Resources) + 1), Status: status}
	switch status {
	case territory.ResourceUnderConstruction:
		r.ExpectedDate = ptr(g.dateAfterNow(20 + rng.IntN(161)))
	case territory.ResourcePlanned:
		r.ExpectedDate = ptr(g.dateAfterNow(180 + rng.IntN(541)))
	}
	res, k := 10, 0
	r.Kind = KindIndoor5G
	if rng.Float64() < 0.5 {
		k = 1
	}
	if rng.Float64() < 0.4 {
		res, k, r.Kind = 9, 0, KindCommunity
		if rng.Float64() < 1.0/3 {
			k = 1
		}
	}
	site := geo.Offset(c.p, normal(rng, 0, 15), normal(rng, 0, 15))
	r.Cells = h3.GridDisk(h3.LatLngToCell(geo.ToLatLng(site), res), k)
	r.Capacity = []int{64, 128, 256}[rng.IntN(3)]
	seq[r.Kind]++
	r.Name = c.addr.Road + r.Kind + "-" + pad(seq[r.Kind], 3)
	return r
}

// cellsCover reports whether a cell resource holds p: whether one of its
// cells is an ancestor of (or is) p's cell at geo.CustomerCellRes, the cell
// customers are stored with. That is how the coverage analyzer decides;
// near a cell's edge it can differ from the coarser cell p lies in, since H3
// children do not tile their parent exactly.
func cellsCover(cells []h3.Cell, p orb.Point) bool {
	own := h3.LatLngToCell(geo.ToLatLng(p), geo.CustomerCellRes)
	for _, c := range cells {
		if res := c.Resolution(); res <= geo.CustomerCellRes && own.Parent(res) == c {
			return true
		}
	}
	return false
}

// cellsReach is a cell resource's centre and how far from it it reaches
// (metres): the centre of its cells' box and half its diagonal.
func cellsReach(r *territory.Resource) (orb.Point, float64) {
	b := r.CoverageBound()
	return b.Center(), math.Max(1, geo.DistanceM(b.Min, b.Max)/2)
}
