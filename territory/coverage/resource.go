package coverage

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridplan/geo"
	"gridplan/territory"
)

// reach is the coverage test of one resource, compiled for speed: a disc
// (point + radius, geodesic), a polygon, or a set of H3 cells.
type reach struct {
	bound orb.Bound // holds everything covered (a radius's box slightly padded)
	kind  uint8

	// disc
	center  orb.Point
	radiusM float64
	disc    discTest

	// polygon
	poly orb.Polygon

	// cells: sorted, and the resolutions present as bits
	cells []uint64
	resAt uint16
}

const (
	kindDisc uint8 = iota
	kindPolygon
	kindCells
)

// compiled is a resource as the analyzer holds it: its reach, its stored
// status and expected day, and the customers it covers (ascending indices).
type compiled struct {
	r     *territory.Resource
	st    Status
	due   Date // 0: none
	reach reach
	cover []int32
}

// compile validates r and compiles its reach.
func compile(r *territory.Resource) (*compiled, error) {
	if r == nil {
		return nil, territory.Invalid("resource", "is missing")
	}
	if r.ID <= 0 {
		return nil, territory.Invalid("id", "resource %q: must be a positive id, got %d", r.Name, r.ID)
	}
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("resource %d: %w", r.ID, err)
	}
	c := &compiled{r: r, st: statusOf(r.Status)}
	if r.ExpectedDate != nil {
		c.due = DateOf(*r.ExpectedDate)
	}
	c.reach = newReach(r)
	return c, nil
}

// newReach compiles a validated resource's coverage.
func newReach(r *territory.Resource) reach {
	if len(r.Cells) > 0 {
		rc := reach{kind: kindCells, bound: r.CoverageBound()}
		rc.cells = make([]uint64, len(r.Cells))
		for i, c := range r.Cells {
			rc.cells[i] = uint64(c)
			rc.resAt |= 1 << cellRes(uint64(c))
		}
		slices.Sort(rc.cells)
		rc.cells = slices.Compact(rc.cells)
		return rc
	}
	switch g := r.Geometry.(type) {
	case orb.Point:
		b := r.CoverageBound()
		// A spherical disc reaches a hair further east and west than the
		// box CoverageBound draws (by about (r/R)²/6 of its half-width):
		// pad, so the box is only ever a superset.
		pad := (b.Max[0] - b.Min[0]) * 1e-4
		b.Min[0], b.Max[0] = math.Max(-180, b.Min[0]-pad), math.Min(180, b.Max[0]+pad)
		b.Min[1], b.Max[1] = math.Max(-90, b.Min[1]-1e-9), math.Min(90, b.Max[1]+1e-9)
		return reach{kind: kindDisc, bound: b, center: g, radiusM: r.RadiusM, disc: newDiscTest(g, r.RadiusM, b)}
	case orb.Polygon:
		return reach{kind: kindPolygon, bound: g.Bound(), poly: g}
	}
	return reach{kind: kindPolygon, bound: orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{-1, -1}}} // unreachable after Validate
}

// covers reports whether the reach holds a customer at p in cell (its
// resolution-12 cell): within the radius by geo.DistanceM, inside or on
// the polygon by planar.PolygonContains, or in one of the cells.
func (rc *reach) covers(p orb.Point, cell uint64) bool {
	switch rc.kind {
	case kindDisc:
		return rc.bound.Contains(p) && rc.disc.covers(p)
	case kindPolygon:
		return rc.bound.Contains(p) && planar.PolygonContains(rc.poly, p)
	}
	for res := 0; res <= 15; res++ {
		if rc.resAt&(1<<res) == 0 {
			continue
		}
		if _, ok := slices.BinarySearch(rc.cells, parentOf(cell, res)); ok {
			return true
		}
	}
	return false
}

// coverOf lists the customers rc covers, by ascending index.
func coverOf(rc *reach, cs *customers) []int32 {
	var out []int32
	switch rc.kind {
	case kindDisc:
		cs.ix.search(rc.bound, func(k int32) {
			if rc.disc.coversXY(cs.ix.lon[k], cs.ix.lat[k]) {
				out = append(out, k)
			}
		})
	case kindPolygon:
		cs.ix.search(rc.bound, func(k int32) {
			if planar.PolygonContains(rc.poly, orb.Point{cs.ix.lon[k], cs.ix.lat[k]}) {
				out = append(out, k)
			}
		})
	case kindCells:
		cs.cellOrder()
		for _, c := range rc.cells {
			lo, hi := descendants(c)
			i, _ := slices.BinarySearch(cs.cells, lo)
			for j := i; j < len(cs.cells) && cs.cells[j] <= hi; j++ {
				out = append(out, cs.byCell[j])
			}
		}
		slices.Sort(out)
		out = slices.Compact(out) // a set may hold a cell and its parent
	}
	return slices.Clip(out)
}

// discTest decides "geo.DistanceM(center, p) <= radiusM" with the same
// answer as that call, but mostly without its six trigonometric calls: a
// flat-earth value brackets the haversine, and only points in the thin
// band where the bracket cannot decide get the exact call.
//
// With Δφ, Δλ in radians, haversine is h = sin²(Δφ/2) + cosφ₀·cosφ·
// sin²(Δλ/2) and d = 2R·asin(√h). For small angles sin²(x/2) lies in
// [(x/2)²(1 − x²/12), (x/2)²] and asin²(y) in [y², y²(1 + y²/2)], so with
// c = cosφ₀·cosφ the flat value Δφ² + c·Δλ² is (d/R)² within a relative
// ε ≤ (Δφ² + Δλ²)/12 + (d/R)²/8; c itself is bracketed by its extremes
// over the box's latitudes (the box holds every point tested). The quick
// answers carry a margin of discMargin, used only where ε is below half of
// it (radii up to 50 km away from the poles: ε < 2e-5); a disc where it is
// not is tested exactly throughout. The margin is far above float64's
// rounding, so the quick answers are always DistanceM's.
type discTest struct {
	center     orb.Point
	radiusM    float64
	exactOnly  bool    // near a pole or the antimeridian, or huge: always call DistanceM
	cMin, cMax float64 // bracket of cosφ₀·cosφ
	r2         float64 // (radius/R)²
}

const discMargin = 1e-4

func newDiscTest(center orb.Point, radiusM float64, b orb.Bound) discTest {
	t := discTest{center: center, radiusM: radiusM}
	const rad = math.Pi / 180
	a := radiusM / geo.EarthRadiusM
	dLat, dLon := (b.Max[1]-b.Min[1])*rad/2, (b.Max[0]-b.Min[0])*rad/2 // the largest |Δφ|, |Δλ|
	eps := (dLat*dLat+dLon*dLon)/12 + a*a/4                            // a²/4 ≥ the asin term, (d/R)²/8
	if b.Min[1] <= -80 || b.Max[1] >= 80 || b.Min[0] <= -180 || b.Max[0] >= 180 || eps > discMargin/2 {
		t.exactOnly = true
		return t
	}
	c0 := math.Cos(center[1] * rad)
	cLo, cHi := math.Cos(b.Min[1]*rad), math.Cos(b.Max[1]*rad)
	t.cMin = c0 * math.Min(cLo, cHi)
	t.cMax = c0 * math.Max(cLo, cHi)
	if b.Min[1] <= 0 && b.Max[1] >= 0 {
		t.cMax = c0 // the band holds the equator, where cos is 1
	}
	t.r2 = a * a
	return t
}

func (t *discTest) covers(p orb.Point) bool { return t.coversXY(p[0], p[1]) }

func (t *discTest) coversXY(lon, lat float64) bool {
	if !t.exactOnly {
		const rad = math.Pi / 180
		dy, dx := (lat-t.center[1])*rad, (lon-t.center[0])*rad
		dy2, dx2 := dy*dy, dx*dx
		if (dy2+t.cMax*dx2)*(1+discMargin) <= t.r2 {
			return true
		}
		if (dy2+t.cMin*dx2)*(1-discMargin) > t.r2 {
			return false
		}
	}
	return geo.DistanceM(t.center, orb.Point{lon, lat}) <= t.radiusM
}

// byID orders compiled resources by id, for deterministic lists.
func byID(a, b *compiled) int { return cmp.Compare(a.r.ID, b.r.ID) }
