package geo

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func square(x, y, s float64) orb.Ring {
	return orb.Ring{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}
}

func TestValidatePolygon(t *testing.T) {
	tests := []struct {
		name      string
		poly      orb.Polygon
		wantErr   string // substring; "" means valid
		wantRing  int
		wantPoint int
	}{
		{name: "square", poly: orb.Polygon{square(120, 30, 0.01)}},
		{name: "square with hole", poly: orb.Polygon{square(120, 30, 0.01), square(120.002, 30.002, 0.002)}},
		{name: "no rings", poly: orb.Polygon{}, wantErr: "no rings", wantRing: -1, wantPoint: -1},
		{name: "three points", poly: orb.Polygon{{{120, 30}, {120.1, 30}, {120, 30}}}, wantErr: "at least 4", wantRing: 0, wantPoint: -1},
		{name: "unclosed", poly: orb.Polygon{{{120, 30}, {120.1, 30}, {120.1, 30.1}, {120, 30.1}}}, wantErr: "not closed", wantRing: 0, wantPoint: 3},
		{name: "bow tie", poly: orb.Polygon{{{120, 30}, {120.1, 30.1}, {120.1, 30}, {120, 30.1}, {120, 30}}}, wantErr: "self-intersection", wantRing: 0, wantPoint: 2},
		{name: "longitude out of range", poly: orb.Polygon{{{120, 30}, {190, 30}, {190, 31}, {120, 31}, {120, 30}}}, wantErr: "longitude 190", wantRing: 0, wantPoint: 1},
		{name: "latitude out of range", poly: orb.Polygon{{{120, 30}, {121, 30}, {121, 95}, {120, 30}}}, wantErr: "latitude 95", wantRing: 0, wantPoint: 2},
		{name: "NaN", poly: orb.Polygon{{{120, 30}, {121, math.NaN()}, {121, 31}, {120, 30}}}, wantErr: "not a number", wantRing: 0, wantPoint: 1},
		{name: "infinite", poly: orb.Polygon{{{120, 30}, {math.Inf(1), 30}, {121, 31}, {120, 30}}}, wantErr: "infinite", wantRing: 0, wantPoint: 1},
		{name: "zero area", poly: orb.Polygon{{{120, 30}, {121, 30}, {122, 30}, {120, 30}}}, wantErr: "zero area", wantRing: 0, wantPoint: -1},
		{name: "repeated point", poly: orb.Polygon{{{120, 30}, {121, 30}, {121, 30}, {121, 31}, {120, 30}}}, wantErr: "repeated point", wantRing: 0, wantPoint: 2},
		{name: "hole outside", poly: orb.Polygon{square(120, 30, 0.01), square(121, 31, 0.001)}, wantErr: "outside", wantRing: 1, wantPoint: 0},
		{name: "hole crossing shell", poly: orb.Polygon{square(120, 30, 0.01), square(120.005, 30.005, 0.01)}, wantErr: "intersect", wantRing: 1},
		{name: "touching itself at a vertex", poly: orb.Polygon{{{0, 0}, {2, 0}, {1, 1}, {2, 2}, {0, 2}, {1, 1}, {0, 0}}}, wantErr: "self-intersection", wantRing: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePolygon(tt.poly)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidatePolygon: unexpected error %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidatePolygon accepted an invalid polygon, want error containing %q", tt.wantErr)
			}
			if !errors.Is(err, ErrInvalidGeometry) {
				t.Fatalf("error %v does not wrap ErrInvalidGeometry", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not mention %q", err, tt.wantErr)
			}
			var ge *GeometryError
			if !errors.As(err, &ge) {
				t.Fatalf("error %T is not a *GeometryError", err)
			}
			if ge.Ring != tt.wantRing {
				t.Fatalf("error at ring %d, want ring %d (%v)", ge.Ring, tt.wantRing, err)
			}
			if tt.wantPoint != 0 && ge.Point != tt.wantPoint {
				t.Fatalf("error at point %d, want point %d (%v)", ge.Point, tt.wantPoint, err)
			}
		})
	}
}

func TestValidatePoint(t *testing.T) {
	for _, p := range []orb.Point{{181, 0}, {0, -91}, {math.NaN(), 0}, {0, math.Inf(-1)}} {
		if err := ValidatePoint(p); err == nil {
			t.Errorf("ValidatePoint(%v) accepted an invalid point", p)
		}
	}
	if err := ValidatePoint(orb.Point{120.15, 30.27}); err != nil {
		t.Errorf("ValidatePoint(Hangzhou) = %v", err)
	}
}

// A ring with many vertices must still be checked quickly and correctly.
func TestValidatePolygonLargeRing(t *testing.T) {
	const n = 20000
	ring := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / n
		ring = append(ring, orb.Point{120 + 0.1*math.Cos(a), 30 + 0.1*math.Sin(a)})
	}
	ring = append(ring, ring[0])
	if err := ValidatePolygon(orb.Polygon{ring}); err != nil {
		t.Fatalf("circle with %d vertices: %v", n, err)
	}
	// Swap two vertices far apart: the ring now crosses itself.
	ring[100], ring[n/2] = ring[n/2], ring[100]
	if err := ValidatePolygon(orb.Polygon{ring}); err == nil {
		t.Fatal("crossed circle accepted")
	}
}

func FuzzValidatePolygon(f *testing.F) {
	f.Add(0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0)
	f.Add(0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0)
	f.Fuzz(func(t *testing.T, x0, y0, x1, y1, x2, y2, x3, y3 float64) {
		ring := orb.Ring{{x0, y0}, {x1, y1}, {x2, y2}, {x3, y3}, {x0, y0}}
		err := ValidatePolygon(orb.Polygon{ring})
		if err != nil {
			var ge *GeometryError
			if !errors.As(err, &ge) {
				t.Fatalf("error %T is not a *GeometryError", err)
			}
			return
		}
		// A valid quadrilateral must not have crossing opposite edges.
		if segmentsIntersect(ring[0], ring[1], ring[2], ring[3]) || segmentsIntersect(ring[1], ring[2], ring[3], ring[4]) {
			t.Fatalf("accepted self-intersecting ring %v", ring)
		}
	})
}
