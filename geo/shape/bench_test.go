package shape_test

import (
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo/shape"
)

var (
	sinkMP    orb.MultiPolygon
	sinkParts []orb.Polygon
	sinkOv    []shape.Overlap
	sinkF     float64
)

// A grid and its eight neighbours of a jittered 1 km lattice: what one
// planner's edit touches.
func benchNeighbourhood(b *testing.B) (orb.MultiPolygon, []orb.MultiPolygon) {
	grids := lattice(b, 3, 1000, 1)
	return grids[4], append(append([]orb.MultiPolygon{}, grids[:4]...), grids[5:]...)
}

func BenchmarkUnion(b *testing.B) {
	g, ns := benchNeighbourhood(b)
	b.ReportAllocs()
	for b.Loop() {
		sinkMP, _ = shape.Union(g, ns[3])
	}
}

func BenchmarkDifference(b *testing.B) {
	g, ns := benchNeighbourhood(b)
	bigger := orb.MultiPolygon{rect(500, 500, 2500, 2500)}
	_ = g
	b.ReportAllocs()
	for b.Loop() {
		sinkMP, _ = shape.Difference(ns[3], bigger)
	}
}

func BenchmarkSnap(b *testing.B) {
	g, ns := benchNeighbourhood(b)
	drawn := orb.MultiPolygon{{{}}}
	for _, v := range g[0][0] {
		drawn[0][0] = append(drawn[0][0], orb.Point{v[0] + 2e-5, v[1] - 1e-5})
	}
	b.ReportAllocs()
	for b.Loop() {
		sinkMP, _ = shape.Snap(drawn, ns, 5)
	}
}

func BenchmarkSplitByLine(b *testing.B) {
	sq := rect(0, 0, 1000, 1000)
	ln := line([2]float64{-100, 300}, [2]float64{500, 500}, [2]float64{1100, 400})
	b.ReportAllocs()
	for b.Loop() {
		sinkParts, _ = shape.SplitByLine(sq, ln)
	}
}

func BenchmarkAreaM2(b *testing.B) {
	g, _ := benchNeighbourhood(b)
	b.ReportAllocs()
	for b.Loop() {
		sinkF = shape.AreaM2(g)
	}
}

// Overlaps and gaps of a 10×10 lattice (100 grids, about a demo city's).
func BenchmarkOverlaps100(b *testing.B) {
	grids := lattice(b, 10, 1000, 1)
	b.ReportAllocs()
	for b.Loop() {
		sinkOv, _ = shape.Overlaps(b.Context(), grids, shape.SliverM2)
	}
}

func BenchmarkGaps100(b *testing.B) {
	grids := lattice(b, 10, 1000, 1)
	district := orb.MultiPolygon{rect(0, 0, 10000, 10000)}
	b.ReportAllocs()
	for b.Loop() {
		sinkParts, _ = shape.Gaps(district, grids, shape.SliverM2)
	}
}
