package geocode

import (
	"math"
	"sort"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// Interpolation limits.
const (
	// maxScan bounds how far interpolation looks for a neighbour of the
	// same parity among a road's sorted points.
	maxScan = 64
	// maxLineDistM is how far from a centre line both neighbours may lie
	// for the interpolation to run along that line.
	maxLineDistM = 150.0
	// maxExtrapolateM bounds how far beyond its last known neighbour a
	// number is placed.
	maxExtrapolateM = 250.0
	// maxExtrapolateNumbers bounds how many numbers beyond the last known
	// one a number is extrapolated.
	maxExtrapolateNumbers = 10
)

// interpolate places house number n between its nearest neighbours of the
// same parity on the road (odd and even numbers face each other on two
// sides), in proportion to the numbers: along the centre line, keeping
// the neighbours' side and setback, when the road has a line near both;
// on the straight line between them otherwise. Beyond the last number on
// one side it extrapolates from the two nearest, a little way. gap is the
// distance in numbers between the neighbours used: the bigger, the less
// sure the result. Roads numbered on one side only fall back to
// neighbours of any parity.
func (r *road) interpolate(n int) (orb.Point, int, bool) {
	for _, parity := range [2]bool{true, false} {
		lo, hi, lo2, hi2 := r.neighbours(n, parity)
		switch {
		case lo >= 0 && hi >= 0:
			a, b := &r.pts[lo], &r.pts[hi]
			t := float64(n-int(a.num)) / float64(b.num-a.num)
			return r.between(a.p, b.p, t), int(b.num - a.num), true
		case !parity:
			// Extrapolation needs two neighbours on one side of the road.
		case lo >= 0 && lo2 >= 0 && n-int(r.pts[lo].num) <= maxExtrapolateNumbers:
			a, b := &r.pts[lo2], &r.pts[lo]
			t := float64(n-int(a.num)) / float64(b.num-a.num) // > 1
			if p, ok := r.beyond(a.p, b.p, t); ok {
				return p, 2 * (n - int(b.num)), true
			}
		case hi >= 0 && hi2 >= 0 && int(r.pts[hi].num)-n <= maxExtrapolateNumbers:
			a, b := &r.pts[hi2], &r.pts[hi]
			t := float64(n-int(a.num)) / float64(b.num-a.num) // > 1 going down
			if p, ok := r.beyond(a.p, b.p, t); ok {
				return p, 2 * (int(b.num) - n), true
			}
		}
	}
	return orb.Point{}, 0, false
}

// neighbours finds, among the points sorted by number, the nearest below
// and above n (and the next ones out), of n's parity when parity is set.
// -1 where there is none.
func (r *road) neighbours(n int, parity bool) (lo, hi, lo2, hi2 int) {
	lo, hi, lo2, hi2 = -1, -1, -1, -1
	ok := func(num int32) bool { return !parity || int(num)%2 == n%2 }
	i := sort.Search(len(r.pts), func(i int) bool { return int(r.pts[i].num) >= n })
	for j, k := i-1, 0; j >= 0 && k < maxScan && lo2 < 0; j, k = j-1, k+1 {
		if int(r.pts[j].num) < n && ok(r.pts[j].num) {
			if lo < 0 {
				lo = j
			} else if r.pts[j].num < r.pts[lo].num {
				lo2 = j
			}
		}
	}
	for j, k := i, 0; j < len(r.pts) && k < maxScan && hi2 < 0; j, k = j+1, k+1 {
		if int(r.pts[j].num) > n && ok(r.pts[j].num) {
			if hi < 0 {
				hi = j
			} else if r.pts[j].num > r.pts[hi].num {
				hi2 = j
			}
		}
	}
	return lo, hi, lo2, hi2
}

// between returns the point at fraction t from a to b: along the road's
// centre line when one passes near both, else on the straight segment.
func (r *road) between(a, b orb.Point, t float64) orb.Point {
	if l, ma, oa, mb, ob, ok := r.lineNear(a, b); ok {
		return l.at(ma+t*(mb-ma), oa+t*(ob-oa))
	}
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

// beyond extrapolates past b, away from a, to fraction t > 1 of a→b,
// refusing to go more than maxExtrapolateM past b or off the line's end.
func (r *road) beyond(a, b orb.Point, t float64) (orb.Point, bool) {
	if l, ma, oa, mb, ob, ok := r.lineNear(a, b); ok {
		m := ma + t*(mb-ma)
		if math.Abs(m-mb) > maxExtrapolateM || m < -20 || m > l.length()+20 {
			return orb.Point{}, false
		}
		off := ob
		if math.Signbit(oa) == math.Signbit(ob) {
			off = (oa + ob) / 2
		}
		return l.at(m, off), true
	}
	p := orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
	if geo.DistanceM(p, b) > maxExtrapolateM {
		return orb.Point{}, false
	}
	return p, true
}

// lineNear finds the road line passing nearest both a and b (each within
// maxLineDistM) and their measures and signed offsets along it.
func (r *road) lineNear(a, b orb.Point) (l *line, ma, oa, mb, ob float64, ok bool) {
	best := math.Inf(1)
	for _, cand := range r.lines {
		m1, o1, d1 := cand.project(a)
		if d1 > maxLineDistM {
			continue
		}
		m2, o2, d2 := cand.project(b)
		if d2 > maxLineDistM || d1+d2 >= best {
			continue
		}
		best, l, ma, oa, mb, ob, ok = d1+d2, cand, m1, o1, m2, o2, true
	}
	return
}

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x3400 && r <= 0x9FFF {
			return true
		}
	}
	return false
}
