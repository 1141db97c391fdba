package geo

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// checkerboard returns n×n unit-ish squares near Hangzhou with ids row*n+col.
func checkerboard(n int, size float64) ([]int, []orb.Polygon) {
	var ids []int
	var polys []orb.Polygon
	for r := range n {
		for c := range n {
			ids = append(ids, r*n+c)
			polys = append(polys, orb.Polygon{square(120+float64(c)*size, 30+float64(r)*size, size)})
		}
	}
	return ids, polys
}

func TestIndexLocate(t *testing.T) {
	ids, polys := checkerboard(10, 0.01)
	ix := NewIndex[int]()
	for i := range ids {
		ix.Add(ids[i], polys[i])
	}
	tests := []struct {
		name string
		p    orb.Point
		want int
		ok   bool
	}{
		{"first cell", orb.Point{120.005, 30.005}, 0, true},
		{"row 3 col 7", orb.Point{120.075, 30.035}, 37, true},
		{"outside west", orb.Point{119.99, 30.05}, 0, false},
		{"outside north", orb.Point{120.05, 30.2}, 0, false},
		// On the shared edge of cells 0 and 1: the cell added first wins.
		{"shared edge", orb.Point{120.01, 30.005}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ix.Locate(tt.p)
			if ok != tt.ok || (ok && got != tt.want) {
				t.Fatalf("Locate(%v) = %d, %v; want %d, %v", tt.p, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// The index must agree with a brute-force scan over all polygons.
func TestIndexMatchesBruteForce(t *testing.T) {
	ids, polys := checkerboard(20, 0.005)
	// Irregular polygons: triangles cut from each square leave uncovered gaps.
	ix := NewIndex[int]()
	tri := make([]orb.Polygon, len(polys))
	for i, p := range polys {
		r := p[0]
		tri[i] = orb.Polygon{{r[0], r[1], r[2], r[0]}}
		ix.Add(ids[i], tri[i])
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		p := orb.Point{120 + rng.Float64()*0.11 - 0.005, 30 + rng.Float64()*0.11 - 0.005}
		want, wantOK := -1, false
		for i, poly := range tri {
			if planar.PolygonContains(poly, p) {
				want, wantOK = ids[i], true
				break
			}
		}
		got, ok := ix.Locate(p)
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("Locate(%v) = %d, %v; brute force %d, %v", p, got, ok, want, wantOK)
		}
	}
}

func TestIndexSearch(t *testing.T) {
	ids, polys := checkerboard(10, 0.01)
	ix := NewIndex[int]()
	for i := range ids {
		ix.Add(ids[i], polys[i])
	}
	var n int
	ix.Search(orb.Bound{Min: orb.Point{120.001, 30.001}, Max: orb.Point{120.019, 30.019}}, func(int, orb.Polygon) bool { n++; return true })
	if n != 4 {
		t.Fatalf("search over a 2×2 block found %d polygons, want 4", n)
	}
	if ix.Len() != 100 {
		t.Fatalf("Len() = %d", ix.Len())
	}
}
