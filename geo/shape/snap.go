package shape

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"gridplan/geo"
)

// Snap returns mp with its vertices moved onto its neighbours so that
// edges drawn close to a neighbour's edge become that edge exactly:
//
//  1. a vertex within tolM metres of a neighbour's vertex moves onto the
//     nearest such vertex (an exact copy of its coordinates);
//  2. otherwise, a vertex within tolM of a neighbour's edge moves onto the
//     nearest point of the nearest such edge;
//  3. then every neighbour vertex lying within tolM of an edge of the
//     result (strictly between its ends) is inserted into that edge, in
//     order, so that an edge running along two neighbours picks up the
//     corner between them and shared edges have the same vertices on both
//     sides.
//
// Vertices merged by snapping are dropped; a ring that collapses is
// dropped (a polygon whose outer ring collapses disappears). Distances are
// measured in a local metric plane (longitude scaled by the cosine of the
// shape's mid latitude). Neighbours are anything to stick to: other grids,
// the district boundary. A tolM of zero (or less) returns a copy of mp.
//
// Snapping can fold a shape drawn carelessly (two vertices snapped past
// each other): the result is checked with geo.ValidatePolygon and an error
// wrapping the *geo.GeometryError names the polygon, ring and point.
// Callers may then fall back to the unsnapped shape.
func Snap(mp orb.MultiPolygon, neighbours []orb.MultiPolygon, tolM float64) (orb.MultiPolygon, error) {
	if math.IsNaN(tolM) || math.IsInf(tolM, 0) {
		return nil, fmt.Errorf("shape: snap: tolerance %v m is not a finite number", tolM)
	}
	if tolM <= 0 || len(mp) == 0 {
		return clone(mp), nil
	}
	s := newSnapper(mp, neighbours, tolM)
	var out orb.MultiPolygon
	for pi, p := range mp {
		var q orb.Polygon
		for ri, r := range p {
			sr := s.ring(r)
			if sr == nil {
				if ri == 0 {
					break // outer ring collapsed: the polygon is gone
				}
				continue
			}
			q = append(q, sr)
		}
		if len(q) == 0 {
			continue
		}
		if err := geo.ValidatePolygon(q); err != nil {
			if len(mp) > 1 {
				return nil, fmt.Errorf("shape: snap within %g m: polygon %d: %w", tolM, pi, err)
			}
			return nil, fmt.Errorf("shape: snap within %g m: %w", tolM, err)
		}
		out = append(out, q)
	}
	return out, nil
}

type snapSeg struct {
	a, b     orb.Point
	axy, bxy [2]float64
}

type snapper struct {
	f     frame
	tol   float64
	verts []orb.Point
	vxy   [][2]float64
	vtree rtree.RTreeG[int32]
	segs  []snapSeg
	stree rtree.RTreeG[int32]
}

func newSnapper(mp orb.MultiPolygon, neighbours []orb.MultiPolygon, tolM float64) *snapper {
	b := mp.Bound()
	s := &snapper{f: newFrame(b.Center()), tol: tolM}
	// Only what lies near mp matters: a district boundary may have
	// thousands of vertices far away.
	area := s.f.pad(b, 2*tolM)
	seen := make(map[orb.Point]bool)
	for _, n := range neighbours {
		if !n.Bound().Intersects(area) {
			continue
		}
		for _, p := range n {
			for _, r := range p {
				for i, v := range r {
					if i > 0 {
						a := r[i-1]
						sb := orb.Bound{Min: a, Max: a}.Extend(v)
						if sb.Intersects(area) && a != v {
							axy, bxy := s.f.xy(a), s.f.xy(v)
							s.stree.Insert(sb.Min, sb.Max, int32(len(s.segs)))
							s.segs = append(s.segs, snapSeg{a: a, b: v, axy: axy, bxy: bxy})
						}
					}
					if seen[v] || !area.Contains(v) {
						continue
					}
					seen[v] = true
					s.vtree.Insert(v, v, int32(len(s.verts)))
					s.verts = append(s.verts, v)
					s.vxy = append(s.vxy, s.f.xy(v))
				}
			}
		}
	}
	return s
}

// near returns the box of points within tol metres of b (roughly).
func (s *snapper) near(b orb.Bound) orb.Bound { return s.f.pad(b, s.tol*1.01) }

// vertex moves v onto the nearest neighbour vertex, else edge, in range.
func (s *snapper) vertex(v orb.Point) orb.Point {
	vxy := s.f.xy(v)
	box := s.near(orb.Bound{Min: v, Max: v})
	best, bestD := -1, s.tol
	s.vtree.Search(box.Min, box.Max, func(_, _ [2]float64, i int32) bool {
		if d := dist(vxy, s.vxy[i]); d <= bestD && (best < 0 || d < bestD || i < int32(best)) {
			best, bestD = int(i), d
		}
		return true
	})
	if best >= 0 {
		return s.verts[best]
	}
	var to orb.Point
	found := false
	bestD = s.tol
	s.stree.Search(box.Min, box.Max, func(_, _ [2]float64, i int32) bool {
		sg := &s.segs[i]
		t, d := project(vxy, sg.axy, sg.bxy)
		if d <= bestD {
			bestD, found = d, true
			to = orb.Point{sg.a[0] + t*(sg.b[0]-sg.a[0]), sg.a[1] + t*(sg.b[1]-sg.a[1])}
		}
		return true
	})
	if found {
		return to
	}
	return v
}

// ring snaps one ring; nil when it collapses.
func (s *snapper) ring(r orb.Ring) orb.Ring {
	if len(r) < 4 {
		return nil
	}
	open := make([]orb.Point, 0, len(r))
	for _, v := range r[:len(r)-1] {
		open = append(open, s.vertex(v))
	}
	open = dedupe(open)
	if len(open) < 3 {
		return nil
	}
	// Pick up neighbour vertices along each edge.
	type cut struct {
		t float64
		p orb.Point
	}
	out := make(orb.Ring, 0, len(open)+8)
	var cuts []cut
	for i, a := range open {
		b := open[(i+1)%len(open)]
		out = append(out, a)
		axy, bxy := s.f.xy(a), s.f.xy(b)
		box := s.near(orb.Bound{Min: a, Max: a}.Extend(b))
		cuts = cuts[:0]
		s.vtree.Search(box.Min, box.Max, func(_, _ [2]float64, j int32) bool {
			w := s.verts[j]
			if w == a || w == b {
				return true
			}
			t, d := project(s.vxy[j], axy, bxy)
			if d <= s.tol && t > 0 && t < 1 && dist(s.vxy[j], axy) > 1e-6 && dist(s.vxy[j], bxy) > 1e-6 {
				cuts = append(cuts, cut{t, w})
			}
			return true
		})
		slices.SortFunc(cuts, func(x, y cut) int { return cmp.Compare(x.t, y.t) })
		for _, c := range cuts {
			out = append(out, c.p)
		}
	}
	open = dedupe(out)
	if len(open) < 3 {
		return nil
	}
	ring := append(orb.Ring(open), open[0])
	if ringAreaM2(ring) == 0 {
		return nil
	}
	return ring
}

// dedupe drops consecutive repeated points and zero-width spikes
// (…, p, q, p, … becomes …, p, …), treating pts as a cycle, until none is
// left. Rings are small; the quadratic worst case does not matter.
func dedupe(pts []orb.Point) []orb.Point {
	pts = slices.Clone(pts)
	for len(pts) >= 3 {
		n := len(pts)
		drop := map[int]bool{}
		for i := 0; i < n && len(drop) == 0; i++ {
			j, k := (i+1)%n, (i+2)%n
			switch {
			case pts[i] == pts[j]:
				drop[j] = true
			case pts[i] == pts[k]:
				drop[j], drop[k] = true, true
			}
		}
		if len(drop) == 0 {
			break
		}
		out := pts[:0:0]
		for i, p := range pts {
			if !drop[i] {
				out = append(out, p)
			}
		}
		pts = out
	}
	if len(pts) == 2 && pts[0] == pts[1] {
		pts = pts[:1]
	}
	return pts
}

func dist(a, b [2]float64) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }

// project returns where p projects on segment ab (t in [0, 1]) and its
// distance to the segment.
func project(p, a, b [2]float64) (t, d float64) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 > 0 {
		t = ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / l2
		t = math.Max(0, math.Min(1, t))
	}
	return t, dist(p, [2]float64{a[0] + t*dx, a[1] + t*dy})
}
