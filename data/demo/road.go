package demo

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// NumberSpacingM is the frontage of one house number on one side of a road:
// numbers 1 and 2 face each other at 0–20 m from the road's start, 3 and 4
// at 20–40 m, and so on.
const NumberSpacingM = 20.0

// RoadClass says what kind of road a Road is.
type RoadClass string

// Road classes.
const (
	Arterial RoadClass = "arterial" // 主干道: long, named 路 or 大道
	Street   RoadClass = "street"   // 支路: short, named 路 or 街
)

// Road is the part of a named road that lies in one district: an entry of
// the gazetteer the demo addresses were written from, complete enough for a
// geocoder to interpolate house numbers.
//
// House numbers run along the whole road, across districts, starting from
// the end nearer the city centre. Looking along Line (the direction numbers
// increase), odd numbers are on the left and even numbers on the right; the
// frontage of each number is SpacingM metres long, so number n sits at
// measure ((n-1)/2)·SpacingM … +SpacingM (integer division). A road that
// leaves a district and comes back has one Road per stretch, with disjoint
// number ranges; the stretches of one road share its Name.
type Road struct {
	ID         int64          `json:"id"` // provisional, 1…n
	Name       string         `json:"name"`
	DistrictID int64          `json:"district_id"`
	District   string         `json:"district"`
	Class      RoadClass      `json:"class"`
	Commercial bool           `json:"commercial"` // has a shopping street on it
	Line       orb.LineString `json:"line"`       // WGS-84, in numbering order
	// M is the measure of each vertex of Line: metres along the whole road
	// from its start (where number 1 is), geodesic (geo.DistanceM).
	M         []float64 `json:"m"`
	SpacingM  float64   `json:"spacing_m"`
	MinNumber int       `json:"min_number"`
	MaxNumber int       `json:"max_number"`
}

// Number is the house number at measure m on the left (odd) or right
// (even) side.
func (r *Road) Number(m float64, left bool) int {
	k := int(math.Floor(m / r.SpacingM))
	if left {
		return 2*k + 1
	}
	return 2*k + 2
}

// NumberMeasure is the measure of the middle of number n's frontage.
func (r *Road) NumberMeasure(n int) float64 {
	return float64((n-1)/2)*r.SpacingM + r.SpacingM/2
}

// Length is the length of this stretch in metres.
func (r *Road) Length() float64 { return r.M[len(r.M)-1] - r.M[0] }

// PointAt returns the point on the centre line where number n is: the
// geocoder's interpolation. False when n is not on this stretch.
func (r *Road) PointAt(n int) (orb.Point, bool) {
	if n < r.MinNumber || n > r.MaxNumber {
		return orb.Point{}, false
	}
	return r.pointAtM(r.NumberMeasure(n)), true
}

// pointAtM interpolates the point at measure m, clamped to the stretch.
func (r *Road) pointAtM(m float64) orb.Point {
	s := r.segment(m)
	a, b := r.Line[s], r.Line[s+1]
	t := clampF((m-r.M[s])/(r.M[s+1]-r.M[s]), 0, 1)
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

// segment is the index of the segment holding measure m.
func (r *Road) segment(m float64) int {
	i := sort.SearchFloat64s(r.M, m)
	return clampI(i-1, 0, len(r.M)-2)
}

// Project finds the point of the centre line nearest p: its measure, its
// distance from p in metres and whether p is on the left (odd) side. It
// works in a local metric projection around p, good to centimetres at the
// distances of a street.
func (r *Road) Project(p orb.Point) (m, distM float64, left bool) {
	mPerLat := geo.EarthRadiusM * math.Pi / 180
	mPerLon := mPerLat * math.Cos(p[1]*math.Pi/180)
	best := math.Inf(1)
	for i := 0; i+1 < len(r.Line); i++ {
		ax, ay := (r.Line[i][0]-p[0])*mPerLon, (r.Line[i][1]-p[1])*mPerLat
		bx, by := (r.Line[i+1][0]-p[0])*mPerLon, (r.Line[i+1][1]-p[1])*mPerLat
		dx, dy := bx-ax, by-ay
		l2 := dx*dx + dy*dy
		t := 0.0
		if l2 > 0 {
			t = clampF(-(ax*dx+ay*dy)/l2, 0, 1)
		}
		qx, qy := ax+t*dx, ay+t*dy
		if d := math.Hypot(qx, qy); d < best {
			best = d
			m = r.M[i] + t*(r.M[i+1]-r.M[i])
			// p is the origin: left of a→b when (b-a)×(p-a) > 0.
			left = dx*(-ay)-dy*(-ax) > 0
		}
	}
	return m, best, left
}

// piece is a Road with what the generator needs to place businesses on it.
type piece struct {
	road   *Road
	dist   int32
	grids  []int32   // grid of each vertex
	ux, uy []float64 // unit direction of each segment, metres east/north
}

// pointOn returns the point at measure m, offset offM metres to the left
// (negative: right) of the centre line.
func (pc *piece) pointOn(m, offM float64) orb.Point {
	r := pc.road
	s := r.segment(m)
	p := r.pointAtM(m)
	return geo.Offset(p, -pc.uy[s]*offM, pc.ux[s]*offM)
}

// rawRoad is a road before it is named and cut by districts.
type rawRoad struct {
	major bool
	ns    bool    // runs north-south
	near  float64 // distance of its nearest vertex from the centre, m
	pts   []orb.Point
	grids []int32
}

// buildRoads lays the street network over the lattice: three roads per
// lattice column and row, the middle one an arterial crossing several
// grids, the other two streets broken into blocks; roads meander gently.
// Each road is clipped to the city, numbered from the end nearer the
// centre and cut into one Road per district stretch.
func (g *gen) buildRoads() error {
	rng := g.rng(streamRoads)
	l := g.lat
	var raws []*rawRoad
	family := func(ns bool) {
		across, along := l.cols, l.rows
		if !ns {
			across, along = l.rows, l.cols
		}
		for i := range across {
			for _, off := range []float64{1.0 / 6, 0.5, 5.0 / 6} {
				u := float64(i) + off + uniform(rng, -0.06, 0.06)
				major := off == 0.5
				amp, lam, ph := uniform(rng, 20, 70), uniform(rng, 1500, 4000), uniform(rng, 0, 2*math.Pi)
				for v0 := 0.0; v0 < float64(along); {
					run := float64(2 + rng.IntN(6))
					if major {
						run = float64(12 + rng.IntN(19))
					}
					v1 := math.Min(float64(along), v0+run)
					if major || rng.Float64() < 0.7 {
						if rr := g.traceRoad(ns, major, u, v0, v1, amp, lam, ph); rr != nil {
							raws = append(raws, rr)
						}
					}
					v0 = v1
				}
			}
		}
	}
	family(true)
	family(false)

	// Names: the real arterials nearest the centre, then generated ones.
	names := make([]string, len(raws))
	namer := newRoadNamer(rng)
	for _, ns := range []bool{true, false} {
		var majors []int
		for i, rr := range raws {
			if rr.major && rr.ns == ns {
				majors = append(majors, i)
			}
		}
		slices.SortStableFunc(majors, func(a, b int) int { return cmpF(raws[a].near, raws[b].near) })
		real := realRoadsEW
		if ns {
			real = realRoadsNS
		}
		for k, i := range majors {
			if k < len(real) {
				names[i] = namer.take(real[k])
			}
		}
	}
	for i, rr := range raws {
		if names[i] == "" {
			names[i] = namer.generated(rr.major)
		}
	}

	g.gridSamples = make([][]int64, len(g.city.Grids))
	g.distPieces = make([][]int32, len(g.city.Districts))
	for i, rr := range raws {
		g.cutRoad(rr, names[i])
	}
	return nil
}

// traceRoad samples one road every ~80 m from lattice coordinate v0 to v1
// along a line of constant u, and keeps it from its first to its last
// vertex inside the city. Nil when it never enters the city.
func (g *gen) traceRoad(ns, major bool, u, v0, v1, amp, lam, ph float64) *rawRoad {
	l := g.lat
	alongN := l.rows
	if !ns {
		alongN = l.cols
	}
	rr := &rawRoad{major: major, ns: ns, near: math.Inf(1)}
	for v := v0; ; {
		var x, y float64
		if ns {
			x, y = l.pos(u, v)
			x += amp * math.Sin(2*math.Pi*y/lam+ph)
		} else {
			x, y = l.pos(v, u)
			y += amp * math.Sin(2*math.Pi*x/lam+ph)
		}
		p := g.fr.ll(x, y)
		rr.pts = append(rr.pts, p)
		rr.grids = append(rr.grids, g.locate(p))
		if v >= v1 {
			break
		}
		v = math.Min(v1, v+80/l.slope(v, alongN))
	}
	first, last := -1, -1
	for i, gi := range rr.grids {
		if gi >= 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 || last == first {
		return nil
	}
	rr.pts, rr.grids = rr.pts[first:last+1], rr.grids[first:last+1]
	// Number from the end nearer the centre.
	x0, y0 := g.fr.xy(rr.pts[0])
	x1, y1 := g.fr.xy(rr.pts[len(rr.pts)-1])
	if math.Hypot(x1, y1) < math.Hypot(x0, y0) {
		slices.Reverse(rr.pts)
		slices.Reverse(rr.grids)
	}
	for _, p := range rr.pts {
		x, y := g.fr.xy(p)
		rr.near = math.Min(rr.near, math.Hypot(x, y))
	}
	return rr
}

// cutRoad measures a road and cuts it into one Road per district stretch.
func (g *gen) cutRoad(rr *rawRoad, name string) {
	m := make([]float64, len(rr.pts))
	for i := 1; i < len(rr.pts); i++ {
		m[i] = m[i-1] + geo.DistanceM(rr.pts[i-1], rr.pts[i])
	}
	class := Street
	if rr.major {
		class = Arterial
	}
	district := func(i int) int32 {
		if rr.grids[i] < 0 {
			return -1
		}
		return g.gridDistrict[rr.grids[i]]
	}
	for s := 0; s < len(rr.pts); {
		d := district(s)
		e := s + 1
		for e < len(rr.pts) && district(e) == d {
			e++
		}
		if d >= 0 && e-s >= 2 {
			g.addPiece(name, class, d, rr.pts[s:e], m[s:e], rr.grids[s:e])
		}
		s = e
	}
}

func (g *gen) addPiece(name string, class RoadClass, d int32, pts []orb.Point, m []float64, grids []int32) {
	dist := g.city.Districts[d]
	r := &Road{
		ID:         int64(len(g.city.Roads) + 1),
		Name:       name,
		DistrictID: dist.ID,
		District:   dist.Name,
		Class:      class,
		Line:       slices.Clone(orb.LineString(pts)),
		M:          slices.Clone(m),
		SpacingM:   NumberSpacingM,
	}
	r.MinNumber = r.Number(r.M[0], true)
	r.MaxNumber = r.Number(r.M[len(r.M)-1], false)
	pc := &piece{road: r, dist: d, grids: slices.Clone(grids)}
	mPerLat := geo.EarthRadiusM * math.Pi / 180
	for i := 0; i+1 < len(pts); i++ {
		dx := (pts[i+1][0] - pts[i][0]) * mPerLat * math.Cos(pts[i][1]*math.Pi/180)
		dy := (pts[i+1][1] - pts[i][1]) * mPerLat
		n := math.Hypot(dx, dy)
		pc.ux = append(pc.ux, dx/n)
		pc.uy = append(pc.uy, dy/n)
	}
	pi := int64(len(g.pieces))
	g.city.Roads = append(g.city.Roads, r)
	g.pieces = append(g.pieces, pc)
	g.distPieces[d] = append(g.distPieces[d], int32(pi))
	for v, gi := range grids {
		g.gridSamples[gi] = append(g.gridSamples[gi], pi<<32|int64(v))
	}
}

// sampleInGrid picks a road vertex uniformly from the vertices inside grid
// gi and returns its stretch and measure; false when no road crosses gi.
func (g *gen) sampleInGrid(rng *rand.Rand, gi int32) (*piece, float64, bool) {
	ss := g.gridSamples[gi]
	if len(ss) == 0 {
		return nil, 0, false
	}
	s := ss[rng.IntN(len(ss))]
	pc := g.pieces[s>>32]
	return pc, pc.road.M[s&0xffffffff], true
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
