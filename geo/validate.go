package geo

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// ErrInvalidGeometry is wrapped by every *GeometryError.
var ErrInvalidGeometry = errors.New("invalid geometry")

// GeometryError says what is wrong with a geometry and where: the ring (0 is
// the outer ring, 1… the holes) and the point index within it, or -1 when the
// problem is not at one point.
type GeometryError struct {
	Ring   int
	Point  int
	Reason string
}

func (e *GeometryError) Error() string {
	switch {
	case e.Ring < 0:
		return e.Reason
	case e.Point < 0:
		return fmt.Sprintf("ring %d: %s", e.Ring, e.Reason)
	default:
		return fmt.Sprintf("ring %d point %d: %s", e.Ring, e.Point, e.Reason)
	}
}

// Unwrap lets errors.Is(err, ErrInvalidGeometry) match.
func (e *GeometryError) Unwrap() error { return ErrInvalidGeometry }

// ValidatePoint checks that p is a finite WGS-84 longitude/latitude.
func ValidatePoint(p orb.Point) error {
	if reason := pointProblem(p); reason != "" {
		return &GeometryError{Ring: -1, Point: -1, Reason: reason}
	}
	return nil
}

func pointProblem(p orb.Point) string {
	switch {
	case math.IsNaN(p[0]) || math.IsNaN(p[1]):
		return fmt.Sprintf("coordinate (%v, %v) is not a number", p[0], p[1])
	case math.IsInf(p[0], 0) || math.IsInf(p[1], 0):
		return fmt.Sprintf("coordinate (%v, %v) is infinite", p[0], p[1])
	case p[0] < -180 || p[0] > 180:
		return fmt.Sprintf("longitude %v out of range [-180, 180]", p[0])
	case p[1] < -90 || p[1] > 90:
		return fmt.Sprintf("latitude %v out of range [-90, 90]", p[1])
	}
	return ""
}

// ValidatePolygon checks that poly is a simple polygon fit to be a grid or a
// district: every ring closed with at least 4 points, finite coordinates in
// range, non-zero area, no ring crossing itself or another ring, holes inside
// the outer ring.
func ValidatePolygon(poly orb.Polygon) error {
	if len(poly) == 0 {
		return &GeometryError{Ring: -1, Point: -1, Reason: "polygon has no rings"}
	}
	for ri, ring := range poly {
		if len(ring) < 4 {
			return &GeometryError{Ring: ri, Point: -1, Reason: fmt.Sprintf("ring has %d points, a closed ring needs at least 4", len(ring))}
		}
		for pi, p := range ring {
			if reason := pointProblem(p); reason != "" {
				return &GeometryError{Ring: ri, Point: pi, Reason: reason}
			}
		}
		if !ring.Closed() {
			return &GeometryError{Ring: ri, Point: len(ring) - 1, Reason: fmt.Sprintf("ring is not closed: last point %v differs from first %v", ring[len(ring)-1], ring[0])}
		}
	}
	if e := findCrossing(poly); e != nil {
		return e
	}
	for ri, ring := range poly {
		if planar.Area(ring) == 0 {
			return &GeometryError{Ring: ri, Point: -1, Reason: "ring has zero area"}
		}
	}
	for ri := 1; ri < len(poly); ri++ {
		if !planar.RingContains(poly[0], poly[ri][0]) {
			return &GeometryError{Ring: ri, Point: 0, Reason: "hole lies outside the outer ring"}
		}
	}
	return nil
}

type segment struct {
	ring, idx int // segment idx joins point idx and idx+1 of ring
	a, b      orb.Point
	minX      float64
	maxX      float64
}

// findCrossing reports the first pair of segments that touch or cross other
// than at the vertex adjacent segments share. Segments are swept by their x
// extent, so ordinary rings cost about O(n log n) rather than O(n²).
func findCrossing(poly orb.Polygon) *GeometryError {
	var segs []segment
	for ri, ring := range poly {
		for i := 0; i+1 < len(ring); i++ {
			a, b := ring[i], ring[i+1]
			if a == b {
				return &GeometryError{Ring: ri, Point: i + 1, Reason: fmt.Sprintf("repeated point %v", a)}
			}
			segs = append(segs, segment{ring: ri, idx: i, a: a, b: b, minX: math.Min(a[0], b[0]), maxX: math.Max(a[0], b[0])})
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].minX < segs[j].minX })
	for i := range segs {
		s := &segs[i]
		for j := i + 1; j < len(segs) && segs[j].minX <= s.maxX; j++ {
			t := &segs[j]
			if adjacent(poly, s, t) {
				continue
			}
			if segmentsIntersect(s.a, s.b, t.a, t.b) {
				first, second := s, t
				if first.ring > second.ring || (first.ring == second.ring && first.idx > second.idx) {
					first, second = second, first
				}
				if first.ring == second.ring {
					return &GeometryError{Ring: first.ring, Point: second.idx, Reason: fmt.Sprintf("self-intersection: edge %d–%d crosses edge %d–%d", first.idx, first.idx+1, second.idx, second.idx+1)}
				}
				return &GeometryError{Ring: second.ring, Point: second.idx, Reason: fmt.Sprintf("rings %d and %d intersect", first.ring, second.ring)}
			}
		}
	}
	return nil
}

// adjacent reports whether two segments of the same ring share an endpoint by
// construction (consecutive, or first and last of the closed ring).
func adjacent(poly orb.Polygon, s, t *segment) bool {
	if s.ring != t.ring {
		return false
	}
	last := len(poly[s.ring]) - 2
	d := s.idx - t.idx
	if d == 1 || d == -1 {
		return true
	}
	return (s.idx == 0 && t.idx == last) || (t.idx == 0 && s.idx == last)
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func onSegment(a, b, p orb.Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

// segmentsIntersect reports whether closed segments ab and cd share a point.
func segmentsIntersect(a, b, c, d orb.Point) bool {
	d1, d2 := orient(c, d, a), orient(c, d, b)
	d3, d4 := orient(a, b, c), orient(a, b, d)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && onSegment(c, d, a)) || (d2 == 0 && onSegment(c, d, b)) ||
		(d3 == 0 && onSegment(a, b, c)) || (d4 == 0 && onSegment(a, b, d))
}
