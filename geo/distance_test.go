package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

func TestDistanceM(t *testing.T) {
	tests := []struct {
		name string
		a, b orb.Point
		want float64 // metres
		tol  float64
	}{
		{"same point", orb.Point{120.15, 30.27}, orb.Point{120.15, 30.27}, 0, 1e-9},
		// One degree of latitude on the mean sphere is R·π/180.
		{"one degree north", orb.Point{120, 30}, orb.Point{120, 31}, EarthRadiusM * math.Pi / 180, 1e-6},
		// West Lake (断桥) to Hangzhou East railway station: about 7.1 km.
		{"Hangzhou", orb.Point{120.1512, 30.2590}, orb.Point{120.2127, 30.2906}, 6920, 120},
		{"antipodes", orb.Point{0, 0}, orb.Point{180, 0}, math.Pi * EarthRadiusM, 1e-6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DistanceM(tt.a, tt.b)
			if math.Abs(got-tt.want) > tt.tol {
				t.Fatalf("DistanceM(%v, %v) = %.3f, want %.3f ± %.3f", tt.a, tt.b, got, tt.want, tt.tol)
			}
		})
	}
}

func TestDistanceMAgreesWithH3(t *testing.T) {
	a, b := orb.Point{120.1512, 30.2590}, orb.Point{120.2127, 30.2906}
	ours := DistanceM(a, b)
	theirs := h3.GreatCircleDistanceM(ToLatLng(a), ToLatLng(b))
	// h3 uses a slightly different radius (6371.007180918475 km).
	if rel := math.Abs(ours-theirs) / theirs; rel > 1e-6 {
		t.Fatalf("ours %.3f m, h3 %.3f m: relative difference %.2g", ours, theirs, rel)
	}
}

func TestOffset(t *testing.T) {
	p := orb.Point{120.15, 30.27}
	q := Offset(p, 300, 400)
	if d := DistanceM(p, q); math.Abs(d-500) > 1 {
		t.Fatalf("offset by (300 m, 400 m) landed %.2f m away, want 500", d)
	}
	if q[0] <= p[0] || q[1] <= p[1] {
		t.Fatalf("offset east/north moved to %v from %v", q, p)
	}
}

func TestLatLngRoundTrip(t *testing.T) {
	// 西湖 (West Lake): lon 120.1445, lat 30.2424. H3 must see Lat=30.24.
	p := orb.Point{120.1445, 30.2424}
	ll := ToLatLng(p)
	if ll.Lat != 30.2424 || ll.Lng != 120.1445 {
		t.Fatalf("ToLatLng(%v) = %+v", p, ll)
	}
	c := Cell(p, CustomerCellRes)
	if !c.IsValid() || c.Resolution() != CustomerCellRes {
		t.Fatalf("Cell(%v) = %v, invalid or wrong resolution", p, c)
	}
	if d := DistanceM(p, CellCenter(c)); d > h3.HexagonEdgeLengthAvgM(CustomerCellRes)*1.5 {
		t.Fatalf("cell centre %.1f m from its point: axes swapped?", d)
	}
	if got := FromLatLng(ll); got != p {
		t.Fatalf("FromLatLng(ToLatLng(%v)) = %v", p, got)
	}
}
