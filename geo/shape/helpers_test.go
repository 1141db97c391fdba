package shape_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// base is a point in Hangzhou; test shapes are laid out in metres east and
// north of it.
var base = orb.Point{120.165, 30.272}

// at returns the point x metres east and y metres north of base.
func at(x, y float64) orb.Point { return geo.Offset(base, x, y) }

// rect is the counter-clockwise rectangle [x0, x1] × [y0, y1] in metres.
func rect(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{{at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1), at(x0, y0)}}
}

func ring(pts ...[2]float64) orb.Ring {
	r := make(orb.Ring, 0, len(pts)+1)
	for _, p := range pts {
		r = append(r, at(p[0], p[1]))
	}
	return append(r, r[0])
}

// near reports whether got is within rel (relative) of want.
func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(1, math.Abs(want))
}

// lattice returns n×n quads, about cellM metres wide, cut from one
// jittered vertex lattice (seeded), so neighbours share vertices exactly.
func lattice(tb testing.TB, n int, cellM float64, seed uint64) []orb.MultiPolygon {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	v := make([][]orb.Point, n+1)
	for j := range v {
		v[j] = make([]orb.Point, n+1)
		for i := range v[j] {
			jx, jy := 0.0, 0.0
			if i > 0 && i < n && j > 0 && j < n {
				jx, jy = (rng.Float64()-0.5)*0.3*cellM, (rng.Float64()-0.5)*0.3*cellM
			}
			v[j][i] = at(float64(i)*cellM+jx, float64(j)*cellM+jy)
		}
	}
	var out []orb.MultiPolygon
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			out = append(out, orb.MultiPolygon{{{v[j][i], v[j][i+1], v[j+1][i+1], v[j+1][i], v[j][i]}}})
		}
	}
	return out
}

// hasVertex reports whether mp has p as a vertex, exactly.
func hasVertex(mp orb.MultiPolygon, p orb.Point) bool {
	for _, poly := range mp {
		for _, r := range poly {
			for _, q := range r {
				if q == p {
					return true
				}
			}
		}
	}
	return false
}
