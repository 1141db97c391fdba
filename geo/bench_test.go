package geo

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

var sinkInt int

func benchPoints(n int) []orb.Point {
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{120 + rng.Float64()*0.5, 30 + rng.Float64()*0.5}
	}
	return pts
}

// BenchmarkLocate: 2,500 grid polygons, R-tree then exact test.
func BenchmarkLocate(b *testing.B) {
	ids, polys := checkerboard(50, 0.01)
	ix := NewIndex[int]()
	for i := range ids {
		ix.Add(ids[i], polys[i])
	}
	pts := benchPoints(4096)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k, _ := ix.Locate(pts[i&4095])
		sinkInt += k
		i++
	}
}

// BenchmarkLocateNaive is the baseline: test every polygon.
func BenchmarkLocateNaive(b *testing.B) {
	ids, polys := checkerboard(50, 0.01)
	pts := benchPoints(4096)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := pts[i&4095]
		for j, poly := range polys {
			if planar.PolygonContains(poly, p) {
				sinkInt += ids[j]
				break
			}
		}
		i++
	}
}
