package demo

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridplan/geo"
	"gridplan/territory"
)

// Resource kinds of the demo city.
const (
	KindFibreCabinet   = "光交箱"   // fibre cabinet: point with radius
	KindSite5G         = "5G基站"  // 5G site: point with radius
	KindBuildingAccess = "楼宇接入"  // building access: polygon around a place
	KindServingArea    = "光网覆盖区" // FTTH serving area: polygon
)

// Coverage shares the resources are drawn for: existing resources cover
// about 58–66% of the businesses, under construction add ~8 points, planned
// ~7 more.
const (
	existingCoverMin = 0.58
	existingCoverMax = 0.66
	underConstrAdd   = 0.08
	plannedAdd       = 0.07
)

// custHash buckets customers into square metric cells for radius queries.
// Customers can be dropped from it once covered, so that resources sited
// later scan only what is still uncovered.
type custHash struct {
	fr         frame
	cellM      float64
	x0, y0     float64
	nx, ny     int
	start, ids []int32 // CSR: ids[start[c]:start[c+1]] are in cell c …
	live       []int32 // … of which the first live[c] are still in the hash
}

func newCustHash(fr frame, pts []orb.Point, cellM float64) *custHash {
	h := &custHash{fr: fr, cellM: cellM, x0: math.Inf(1), y0: math.Inf(1)}
	x1, y1 := math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		x, y := fr.xy(p)
		h.x0, h.y0, x1, y1 = math.Min(h.x0, x), math.Min(h.y0, y), math.Max(x1, x), math.Max(y1, y)
	}
	h.nx, h.ny = int((x1-h.x0)/cellM)+1, int((y1-h.y0)/cellM)+1
	cell := make([]int32, len(pts))
	h.start = make([]int32, h.nx*h.ny+1)
	for i, p := range pts {
		x, y := fr.xy(p)
		cell[i] = int32(int((y-h.y0)/cellM)*h.nx + int((x-h.x0)/cellM))
		h.start[cell[i]+1]++
	}
	for c := 1; c < len(h.start); c++ {
		h.start[c] += h.start[c-1]
	}
	h.ids = make([]int32, len(pts))
	h.live = make([]int32, h.nx*h.ny)
	for c := range h.live {
		h.live[c] = h.start[c+1] - h.start[c]
	}
	fill := append([]int32(nil), h.start[:len(h.start)-1]...)
	for i, c := range cell {
		h.ids[fill[c]] = int32(i)
		fill[c]++
	}
	return h
}

// near calls fn for every customer still in the hash in cells meeting the
// square of half-side rM (plus 2% for the projection) around p, and drops
// those for which fn returns true.
func (h *custHash) near(p orb.Point, rM float64, fn func(i int32) (drop bool)) {
	x, y := h.fr.xy(p)
	r := rM * 1.02
	ix0, ix1 := clampI(int((x-r-h.x0)/h.cellM), 0, h.nx-1), clampI(int((x+r-h.x0)/h.cellM), 0, h.nx-1)
	iy0, iy1 := clampI(int((y-r-h.y0)/h.cellM), 0, h.ny-1), clampI(int((y+r-h.y0)/h.cellM), 0, h.ny-1)
	for iy := iy0; iy <= iy1; iy++ {
		for ix := ix0; ix <= ix1; ix++ {
			c := iy*h.nx + ix
			ids := h.ids[h.start[c] : h.start[c]+h.live[c]]
			for k := 0; k < len(ids); {
				if fn(ids[k]) {
					last := len(ids) - 1
					ids[k], ids[last] = ids[last], ids[k]
					ids = ids[:last]
					continue
				}
				k++
			}
			h.live[c] = int32(len(ids))
		}
	}
}

// Covers reports whether resource r covers point p: within RadiusM
// (geodesic) of a point resource, inside a polygon resource, or in one of
// a cell resource's H3 cells.
func Covers(r *territory.Resource, p orb.Point) bool {
	switch geom := r.Geometry.(type) {
	case orb.Point:
		return geo.DistanceM(geom, p) <= r.RadiusM
	case orb.Polygon:
		return geom.Bound().Contains(p) && planar.PolygonContains(geom, p)
	case nil:
		return cellsCover(r.Cells, p)
	}
	return false
}

// buildResources sites network resources where the businesses are: at
// randomly drawn businesses not yet covered, existing ones until they cover
// the drawn share, then resources under construction, then planned ones.
func (g *gen) buildResources() error {
	if g.opts.Resources > 0 {
		return g.buildResourceCount(g.opts.Resources)
	}
	rng := g.rng(streamResources)
	cs := g.city.Customers
	pts := make([]orb.Point, len(cs))
	for i, c := range cs {
		pts[i] = c.Location
	}
	h := newCustHash(g.fr, pts, 200)
	covered := make([]uint8, len(cs)) // 0 none, else 1 + best status index
	order := rng.Perm(len(cs))
	placeAccess := make([]bool, len(g.places)+1)
	seq := map[string]int{}
	n := float64(len(cs))
	goal := uniform(rng, existingCoverMin, existingCoverMax)
	count := 0
	next := 0
	for si, status := range territory.ResourceStatuses {
		for float64(count) < goal*n && next < len(order) {
			ci := order[next]
			next++
			if covered[ci] != 0 {
				continue
			}
			r := g.resourceAt(rng, int32(ci), status, placeAccess, seq)
			g.city.Resources = append(g.city.Resources, r)
			site, reach, covers := coverage(r)
			h.near(site, reach, func(i int32) bool {
				if covers(cs[i].Location) {
					covered[i] = uint8(si + 1)
					count++
					return true
				}
				return false
			})
		}
		switch status {
		case territory.ResourceExisting:
			goal += underConstrAdd
		case territory.ResourceUnderConstruction:
			goal += plannedAdd
		}
	}
	return nil
}

// coverage returns a resource's site, how far from it it reaches (metres)
// and its Covers test with the polygon's bound computed once.
func coverage(r *territory.Resource) (orb.Point, float64, func(orb.Point) bool) {
	switch geom := r.Geometry.(type) {
	case orb.Point:
		return geom, r.RadiusM, func(p orb.Point) bool { return geo.DistanceM(geom, p) <= r.RadiusM }
	case orb.Polygon:
		b := geom.Bound()
		return b.Center(), geo.DistanceM(b.Min, b.Max) / 2, func(p orb.Point) bool {
			return b.Contains(p) && planar.PolygonContains(geom, p)
		}
	case nil:
		c, reach := cellsReach(r)
		return c, reach, func(p orb.Point) bool { return cellsCover(r.Cells, p) }
	}
	return orb.Point{}, 0, func(orb.Point) bool { return false }
}

// resourceAt makes a resource of the given status for business ci: a
// building access around its place when it is a tenant (once per place),
// else a fibre cabinet, a 5G site or a serving area near it.
func (g *gen) resourceAt(rng *rand.Rand, ci int32, status territory.ResourceStatus, placeAccess []bool, seq map[string]int) *territory.Resource {
	c := g.cust[ci]
	r := &territory.Resource{ID: int64(len(g.city.Resources) + 1), Status: status}
	switch status {
	case territory.ResourceUnderConstruction:
		r.ExpectedDate = ptr(g.dateAfterNow(20 + rng.IntN(161)))
	case territory.ResourcePlanned:
		r.ExpectedDate = ptr(g.dateAfterNow(180 + rng.IntN(541)))
	}
	if pid := c.addr.PlaceID; pid > 0 && !placeAccess[pid] && rng.Float64() < 0.8 {
		if poly, ok := g.placeFootprint(g.places[pid-1]); ok {
			placeAccess[pid] = true
			r.Kind, r.Name, r.Geometry = KindBuildingAccess, c.addr.Place+KindBuildingAccess, poly
			r.Capacity = 96 * (1 + rng.IntN(5))
			return r
		}
	}
	site := geo.Offset(c.p, normal(rng, 0, 25), normal(rng, 0, 25))
	next := func(kind string) string {
		seq[kind]++
		return c.addr.Road + kind + "-" + pad(seq[kind], 3)
	}
	switch x := rng.Float64(); {
	case x < 0.55:
		r.Kind, r.Geometry, r.RadiusM = KindFibreCabinet, site, math.Round(uniform(rng, 250, 400))
		r.Capacity = []int{144, 288}[rng.IntN(2)]
	case x < 0.8:
		r.Kind, r.Geometry, r.RadiusM = KindSite5G, site, math.Round(uniform(rng, 300, 600))
	default:
		r.Kind, r.Geometry = KindServingArea, starPolygon(rng, site, uniform(rng, 300, 600))
		r.Capacity = []int{1024, 2048}[rng.IntN(2)]
	}
	r.Name = next(r.Kind)
	return r
}

// dateAfterNow is midnight UTC of the day days after Now.
func (g *gen) dateAfterNow(days int) time.Time {
	d := g.opts.Now.UTC().AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

// starPolygon is a counter-clockwise polygon of 10 vertices around c at
// 70–100% of radiusM: star-shaped around c, hence simple.
func starPolygon(rng *rand.Rand, c orb.Point, radiusM float64) orb.Polygon {
	const n = 10
	ring := make(orb.Ring, 0, n+1)
	for k := range n {
		a := 2 * math.Pi * (float64(k) + uniform(rng, -0.3, 0.3)) / n
		r := radiusM * uniform(rng, 0.7, 1)
		ring = append(ring, geo.Offset(c, r*math.Cos(a), r*math.Sin(a)))
	}
	return orb.Polygon{append(ring, ring[0])}
}

// placeFootprint is the quadrilateral a place's tenants fill: along its
// road ±2.5 spreads, from the kerb to 100 m back, on the place's side.
func (g *gen) placeFootprint(pi *placeInfo) (orb.Polygon, bool) {
	r := pi.pc.road
	ma := math.Max(pi.m0-2.5*pi.sdAlong, r.M[0])
	mb := math.Min(pi.m0+2.5*pi.sdAlong, r.M[len(r.M)-1])
	s := 1.0
	if pi.off0 < 0 {
		s = -1
	}
	ring := orb.Ring{pi.pc.pointOn(ma, 4*s), pi.pc.pointOn(mb, 4*s), pi.pc.pointOn(mb, 100*s), pi.pc.pointOn(ma, 100*s)}
	ring = append(ring, ring[0])
	if planar.Area(ring) < 0 {
		for i, j := 0, len(ring)-1; i < j; i, j = i+1, j-1 {
			ring[i], ring[j] = ring[j], ring[i]
		}
	}
	poly := orb.Polygon{ring}
	if mb-ma < 10 || geo.ValidatePolygon(poly) != nil {
		return nil, false
	}
	return poly, true
}
