package geocode

import (
	"math"
	"sort"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// line is a road centre line with the measure (metres from its start) of
// each vertex, for interpolating along it.
type line struct {
	pts orb.LineString
	m   []float64
}

func newLine(ls orb.LineString) *line {
	l := &line{pts: ls, m: make([]float64, len(ls))}
	for i := 1; i < len(ls); i++ {
		l.m[i] = l.m[i-1] + geo.DistanceM(ls[i-1], ls[i])
	}
	return l
}

func (l *line) length() float64 { return l.m[len(l.m)-1] }

// mPerDeg returns metres per degree of longitude and latitude at lat.
func mPerDeg(lat float64) (lon, la float64) {
	la = geo.EarthRadiusM * math.Pi / 180
	return la * math.Cos(lat*math.Pi/180), la
}

// at returns the point at measure m (clamped to the line), offM metres to
// the left of the line (negative: right).
func (l *line) at(m, offM float64) orb.Point {
	m = math.Max(0, math.Min(m, l.length()))
	s := sort.SearchFloat64s(l.m, m) - 1
	s = max(0, min(s, len(l.pts)-2))
	a, b := l.pts[s], l.pts[s+1]
	t := 0.0
	if d := l.m[s+1] - l.m[s]; d > 0 {
		t = (m - l.m[s]) / d
	}
	p := orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
	if offM == 0 {
		return p
	}
	kx, ky := mPerDeg(p[1])
	dx, dy := (b[0]-a[0])*kx, (b[1]-a[1])*ky
	n := math.Hypot(dx, dy)
	if n == 0 {
		return p
	}
	return geo.Offset(p, -dy/n*offM, dx/n*offM)
}

// project finds the point of the line nearest p: its measure, p's signed
// distance from the line (left positive) and the absolute distance, in
// metres, on a local projection around p.
func (l *line) project(p orb.Point) (m, off, dist float64) {
	kx, ky := mPerDeg(p[1])
	dist = math.Inf(1)
	for i := 0; i+1 < len(l.pts); i++ {
		ax, ay := (l.pts[i][0]-p[0])*kx, (l.pts[i][1]-p[1])*ky
		bx, by := (l.pts[i+1][0]-p[0])*kx, (l.pts[i+1][1]-p[1])*ky
		dx, dy := bx-ax, by-ay
		l2 := dx*dx + dy*dy
		t := 0.0
		if l2 > 0 {
			t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
		}
		qx, qy := ax+t*dx, ay+t*dy
		if d := math.Hypot(qx, qy); d < dist {
			dist = d
			m = l.m[i] + t*(l.m[i+1]-l.m[i])
			// p is the origin: left of a→b when (b-a)×(p-a) > 0.
			if dx*(-ay)-dy*(-ax) > 0 {
				off = d
			} else {
				off = -d
			}
		}
	}
	return m, off, dist
}
