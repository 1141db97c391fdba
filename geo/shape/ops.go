package shape

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"

	"gridplan/geo"
)

// SliverM2 is the area below which a piece or a hole left by an overlay is
// noise rather than territory: a strip 1 mm wide and 1 km long is 1 m². A
// real edit's floating-point noise leaves square millimetres; anything a
// planner means to draw is hundreds of square metres at least.
const SliverM2 = 1.0

// mPerDeg is the length of one degree of a great circle on gridplan's
// sphere (geo.EarthRadiusM).
const mPerDeg = geo.EarthRadiusM * math.Pi / 180

// Union returns the area covered by a or b.
func Union(a, b orb.MultiPolygon) (orb.MultiPolygon, error) {
	g, err := geom.Union(Geometry(a), Geometry(b))
	if err != nil {
		return nil, fmt.Errorf("shape: union: %w", err)
	}
	return ToMultiPolygon(g), nil
}

// UnionAll returns the area covered by any of ms, dissolving shared edges.
func UnionAll(ms []orb.MultiPolygon) (orb.MultiPolygon, error) {
	gs := make([]geom.Geometry, 0, len(ms))
	for _, m := range ms {
		if len(m) > 0 {
			gs = append(gs, Geometry(m))
		}
	}
	if len(gs) == 0 {
		return nil, nil
	}
	g, err := geom.UnionMany(gs)
	if err != nil {
		return nil, fmt.Errorf("shape: union of %d shapes: %w", len(gs), err)
	}
	return ToMultiPolygon(g), nil
}

// Difference returns the part of a outside b.
func Difference(a, b orb.MultiPolygon) (orb.MultiPolygon, error) {
	if len(a) == 0 {
		return nil, nil
	}
	if len(b) == 0 || !a.Bound().Intersects(b.Bound()) {
		return clone(a), nil
	}
	g, err := geom.Difference(Geometry(a), Geometry(b))
	if err != nil {
		return nil, fmt.Errorf("shape: difference: %w", err)
	}
	return ToMultiPolygon(g), nil
}

// Intersection returns the area a and b share; nil when they only touch
// along edges or at points, or not at all.
func Intersection(a, b orb.MultiPolygon) (orb.MultiPolygon, error) {
	if len(a) == 0 || len(b) == 0 || !a.Bound().Intersects(b.Bound()) {
		return nil, nil
	}
	g, err := geom.Intersection(Geometry(a), Geometry(b))
	if err != nil {
		return nil, fmt.Errorf("shape: intersection: %w", err)
	}
	return ToMultiPolygon(g), nil
}

// Pieces returns the connected parts of mp: its polygons after dissolving
// those that share an edge. Parts that touch only at a point stay apart (a
// grid joined to itself by one corner is two places to walk between).
// Largest first.
func Pieces(mp orb.MultiPolygon) ([]orb.Polygon, error) {
	var ps []orb.Polygon
	if len(mp) <= 1 {
		ps = append(ps, mp...)
	} else {
		u, err := UnionAll([]orb.MultiPolygon{mp})
		if err != nil {
			return nil, fmt.Errorf("shape: pieces: %w", err)
		}
		ps = u
	}
	sortByArea(ps)
	return ps, nil
}

// Clean drops the polygons of mp, and the holes of the rest, whose area is
// below minAreaM2: the slivers overlays leave along edges that nearly
// coincide.
func Clean(mp orb.MultiPolygon, minAreaM2 float64) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, p := range mp {
		if len(p) == 0 || ringAreaM2(p[0]) < minAreaM2 {
			continue
		}
		q := orb.Polygon{p[0]}
		for _, h := range p[1:] {
			if ringAreaM2(h) >= minAreaM2 {
				q = append(q, h)
			}
		}
		if PolygonAreaM2(q) >= minAreaM2 {
			out = append(out, q)
		}
	}
	return out
}

// AreaM2 is the area of mp in square metres (holes subtracted, parts
// added): the area on gridplan's sphere (geo.EarthRadiusM) of the region
// that mp encloses in the lon/lat plane, the very region the planar set
// operations and point-in-polygon tests work with (edges straight in
// lon/lat). It is computed exactly, by Green's theorem: ∬ R² cos φ dλ dφ
// becomes R² ∮ λ cos φ dφ, whose integral along a straight lon/lat segment
// has a closed form. So areas add up exactly: the parts of a split sum to
// the whole, whatever vertices the overlay inserted. Parts are assumed not
// to overlap (a valid multipolygon).
func AreaM2(mp orb.MultiPolygon) float64 {
	var a float64
	for _, p := range mp {
		a += PolygonAreaM2(p)
	}
	return a
}

// PolygonAreaM2 is AreaM2 of one polygon.
func PolygonAreaM2(p orb.Polygon) float64 {
	if len(p) == 0 {
		return 0
	}
	a := ringAreaM2(p[0])
	for _, h := range p[1:] {
		a -= ringAreaM2(h)
	}
	return math.Max(0, a)
}

// ringAreaM2 is the unsigned spherical area of the lon/lat region a ring
// encloses (see AreaM2).
func ringAreaM2(r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	lon0 := r[0][0] // λ measured from here: the integral is the same, the rounding smaller
	var s float64
	for i := range r { // an open ring is closed by the last step; a closed one's is empty
		s += greenStep(r[i], r[(i+1)%len(r)], lon0)
	}
	return math.Abs(s) * geo.EarthRadiusM * geo.EarthRadiusM
}

// greenStep is ∫ λ cos φ dφ along the lon/lat segment ab (radians, λ from
// lon0), λ linear in φ:
//
//	λ1 (sin φ2 − sin φ1) + Δλ (sin φ2 + (cos φ2 − cos φ1)/Δφ)
//
// with the differences written as products (half-angle forms) so that a
// short segment loses no precision.
func greenStep(a, b orb.Point, lon0 float64) float64 {
	const rad = math.Pi / 180
	l1, l2 := (a[0]-lon0)*rad, (b[0]-lon0)*rad
	p1, p2 := a[1]*rad, b[1]*rad
	half := (p2 - p1) / 2
	if half == 0 {
		return 0 // along a parallel dφ vanishes
	}
	pm := (p1 + p2) / 2
	return l1*(2*math.Cos(pm)*math.Sin(half)) + (l2-l1)*(math.Sin(p2)-math.Sin(pm)*math.Sin(half)/half)
}

func sortByArea(ps []orb.Polygon) {
	type entry struct {
		p orb.Polygon
		a float64
	}
	es := make([]entry, len(ps))
	for i, p := range ps {
		es[i] = entry{p, PolygonAreaM2(p)}
	}
	slices.SortStableFunc(es, func(x, y entry) int { return cmp.Compare(y.a, x.a) })
	for i := range es {
		ps[i] = es[i].p
	}
}

func clone(mp orb.MultiPolygon) orb.MultiPolygon {
	if mp == nil {
		return nil
	}
	return mp.Clone()
}

// frame is a local plane in metres around a reference point: longitude
// scaled by the cosine of the reference latitude. Good to a few parts per
// thousand over tens of kilometres, which is all snapping tolerances need.
type frame struct {
	lon0, lat0 float64
	kx, ky     float64 // metres per degree
}

func newFrame(c orb.Point) frame {
	return frame{lon0: c[0], lat0: c[1], kx: mPerDeg * math.Cos(c[1]*math.Pi/180), ky: mPerDeg}
}

func (f frame) xy(p orb.Point) [2]float64 {
	return [2]float64{(p[0] - f.lon0) * f.kx, (p[1] - f.lat0) * f.ky}
}

// pad grows b by m metres on every side.
func (f frame) pad(b orb.Bound, m float64) orb.Bound {
	dx, dy := m/f.kx, m/f.ky
	return orb.Bound{Min: orb.Point{b.Min[0] - dx, b.Min[1] - dy}, Max: orb.Point{b.Max[0] + dx, b.Max[1] + dy}}
}
