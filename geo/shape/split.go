package shape

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/peterstace/simplefeatures/geom"

	"gridplan/geo"
)

// ErrSplit is wrapped by every error of SplitByLine that is about the line
// rather than the polygon: check with errors.Is.
var ErrSplit = errors.New("cannot split")

// onEdgeDeg is how far (in degrees, about 0.1 mm) a point may be from a
// ring and still count as on it: the line a planner snaps to a grid's edge
// in the browser lands within nanodegrees of it.
const onEdgeDeg = 1e-9

// SplitByLine cuts p along line and returns the parts, largest first.
//
// The line must cross the polygon from edge to edge: each stretch of it
// inside the polygon must start and end on the polygon's outer boundary
// (on it or beyond it), so a line that stops inside is refused, naming
// where. It must not cross itself. A line running through a hole cuts the
// parts the hole separates. A line that only touches the polygon, or runs
// along its edge, does not split it and is refused too. Errors about the
// line wrap ErrSplit; an invalid polygon gives the *geo.GeometryError.
//
// How: the line is clipped to the polygon's outer ring (simplefeatures
// intersection); each resulting chord cuts the ring-bounded part holding
// it in two (the two rings formed by the chord and either arc of the
// boundary between its ends); last, each part is intersected with the
// original polygon, which puts the holes back and separates what they
// disconnect.
func SplitByLine(p orb.Polygon, line orb.LineString) ([]orb.Polygon, error) {
	if err := geo.ValidatePolygon(p); err != nil {
		return nil, fmt.Errorf("shape: split: polygon: %w", err)
	}
	line, err := cleanLine(line)
	if err != nil {
		return nil, err
	}
	outer := orb.Polygon{p[0]}
	chordsG, err := geom.Intersection(FromLineString(line).AsGeometry(), FromPolygon(outer).AsGeometry())
	if err != nil {
		return nil, fmt.Errorf("shape: split: clip the line: %w", err)
	}
	chords := ToLineStrings(chordsG)
	if len(chords) == 0 {
		return nil, fmt.Errorf("shape: split: %w: the line does not cross the polygon", ErrSplit)
	}
	parts := []orb.Ring{p[0]}
	for _, c := range chords {
		for _, end := range []orb.Point{c[0], c[len(c)-1]} {
			if d := ringDistDeg(p[0], end); d > onEdgeDeg {
				return nil, fmt.Errorf("shape: split: %w: the line ends inside the polygon at (%.7f, %.7f), %.1f m from its edge; draw it across the polygon, from outside to outside",
					ErrSplit, end[0], end[1], d*mPerDeg*math.Cos(end[1]*math.Pi/180))
			}
		}
		mid, ok := interiorSample(c, p[0])
		if !ok {
			continue // runs along the boundary: cuts nothing
		}
		k := slices.IndexFunc(parts, func(r orb.Ring) bool { return planar.RingContains(r, mid) })
		if k < 0 {
			continue
		}
		a, b, ok := cutRing(parts[k], c)
		if !ok {
			continue
		}
		parts[k] = a
		parts = append(parts, b)
	}
	var out []orb.Polygon
	whole := orb.MultiPolygon{p}
	for _, r := range parts {
		in, err := Intersection(orb.MultiPolygon{{r}}, whole)
		if err != nil {
			return nil, fmt.Errorf("shape: split: %w", err)
		}
		for _, q := range in {
			if PolygonAreaM2(q) > 1e-6 { // a zero-width sliver is not a part
				out = append(out, q)
			}
		}
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("shape: split: %w: the line touches the polygon but does not cut it in two", ErrSplit)
	}
	sortByArea(out)
	return out, nil
}

// cleanLine checks a split line and drops repeated points (a double click).
func cleanLine(line orb.LineString) (orb.LineString, error) {
	var out orb.LineString
	for i, pt := range line {
		if err := geo.ValidatePoint(pt); err != nil {
			return nil, fmt.Errorf("shape: split: %w: line point %d: %v", ErrSplit, i, err)
		}
		if len(out) == 0 || out[len(out)-1] != pt {
			out = append(out, pt)
		}
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("shape: split: %w: the line needs at least 2 distinct points, got %d", ErrSplit, len(out))
	}
	if !FromLineString(out).IsSimple() {
		return nil, fmt.Errorf("shape: split: %w: the line crosses itself", ErrSplit)
	}
	return out, nil
}

// interiorSample returns a point of chord c strictly inside ring r: the
// midpoint of its first segment whose midpoint is off the boundary.
func interiorSample(c orb.LineString, r orb.Ring) (orb.Point, bool) {
	for i := 0; i+1 < len(c); i++ {
		m := orb.Point{(c[i][0] + c[i+1][0]) / 2, (c[i][1] + c[i+1][1]) / 2}
		if ringDistDeg(r, m) > onEdgeDeg && planar.RingContains(r, m) {
			return m, true
		}
	}
	return orb.Point{}, false
}

// ringPos locates q on ring r: the index of the nearest segment plus the
// fraction along it, and the distance in degrees.
func ringPos(r orb.Ring, q orb.Point) (pos, d float64) {
	d = math.Inf(1)
	for i := 0; i+1 < len(r); i++ {
		a, b := [2]float64(r[i]), [2]float64(r[i+1])
		t, di := project([2]float64(q), a, b)
		if di < d {
			pos, d = float64(i)+t, di
		}
	}
	n := float64(len(r) - 1)
	if pos >= n {
		pos -= n
	}
	return pos, d
}

func ringDistDeg(r orb.Ring, q orb.Point) float64 {
	_, d := ringPos(r, q)
	return d
}

// arc returns the vertices of closed ring r met walking forward from
// position from to position to (exclusive of both ends).
func arc(r orb.Ring, from, to float64) []orb.Point {
	n := len(r) - 1
	span := math.Mod(to-from+float64(n), float64(n))
	type v struct {
		d float64
		p orb.Point
	}
	var vs []v
	for k := 0; k < n; k++ {
		d := math.Mod(float64(k)-from+float64(n), float64(n))
		if d > 0 && d < span {
			vs = append(vs, v{d, r[k]})
		}
	}
	slices.SortFunc(vs, func(a, b v) int { return cmp.Compare(a.d, b.d) })
	out := make([]orb.Point, len(vs))
	for i, x := range vs {
		out[i] = x.p
	}
	return out
}

// cutRing cuts ring r along chord c, whose ends lie on r and whose
// interior lies inside it, into the two rings on either side.
func cutRing(r orb.Ring, c orb.LineString) (orb.Ring, orb.Ring, bool) {
	p, q := c[0], c[len(c)-1]
	pp, _ := ringPos(r, p)
	pq, _ := ringPos(r, q)
	if pp == pq {
		return nil, nil, false
	}
	// Ends within noise of a vertex become that vertex, so no part gets a
	// needle-thin spike.
	snapEnd := func(x orb.Point, pos float64) orb.Point {
		for _, k := range []int{int(math.Floor(pos)), int(math.Ceil(pos)) % (len(r) - 1)} {
			if [2]float64(r[k]) != [2]float64(x) && dist(r[k], x) <= 1e-12 {
				return r[k]
			}
		}
		return x
	}
	c = slices.Clone(c)
	c[0], c[len(c)-1] = snapEnd(p, pp), snapEnd(q, pq)

	one := append(orb.Ring{}, c...)              // p … q
	one = append(one, arc(r, pq, pp)...)         // q → p along r
	one = append(one, c[0])                      // close
	two := append(orb.Ring{}, c[len(c)-1])       // q
	two = append(two, reversed(c[:len(c)-1])...) // … p
	two = append(two, arc(r, pp, pq)...)         // p → q along r
	two = append(two, c[len(c)-1])               // close
	one, two = closeRing(one), closeRing(two)
	if len(one) < 4 || len(two) < 4 {
		return nil, nil, false
	}
	return one, two, true
}

func reversed(ps []orb.Point) []orb.Point {
	out := slices.Clone(ps)
	slices.Reverse(out)
	return out
}

// closeRing drops consecutive repeats of a built ring and closes it.
func closeRing(r orb.Ring) orb.Ring {
	pts := dedupe(r[:len(r)-1])
	if len(pts) < 3 {
		return nil
	}
	return append(orb.Ring(pts), pts[0])
}
