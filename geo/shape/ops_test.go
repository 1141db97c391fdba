package shape_test

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"

	"gridplan/geo"
	"gridplan/geo/shape"
)

func TestConvertRoundTrip(t *testing.T) {
	holed := rect(0, 0, 1000, 1000)
	holed = append(holed, ring([2]float64{200, 200}, [2]float64{200, 400}, [2]float64{400, 400}, [2]float64{400, 200}))
	tests := []struct {
		name string
		mp   orb.MultiPolygon
	}{
		{"square", orb.MultiPolygon{rect(0, 0, 10, 10)}},
		{"with hole", orb.MultiPolygon{holed}},
		{"two parts", orb.MultiPolygon{rect(0, 0, 10, 10), rect(20, 0, 30, 10)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := shape.Geometry(tt.mp)
			if err := g.Validate(); err != nil {
				t.Fatalf("simplefeatures says invalid: %v", err)
			}
			if back := shape.ToMultiPolygon(g); !orb.Equal(back, tt.mp) {
				t.Errorf("round trip changed the shape:\n got %v\nwant %v", back, tt.mp)
			}
		})
	}
}

func TestToMultiPolygonKeepsOnlyArea(t *testing.T) {
	gc := geom.NewGeometryCollection([]geom.Geometry{
		shape.FromLineString(orb.LineString{at(0, 0), at(5, 5)}).AsGeometry(),
		shape.FromPolygon(rect(0, 0, 10, 10)).AsGeometry(),
	})
	got := shape.ToMultiPolygon(gc.AsGeometry())
	if len(got) != 1 || !orb.Equal(got[0], rect(0, 0, 10, 10)) {
		t.Errorf("got %v, want the one square", got)
	}
	if got := shape.ToMultiPolygon(shape.FromLineString(orb.LineString{at(0, 0), at(5, 5)}).AsGeometry()); got != nil {
		t.Errorf("a line has no area, got %v", got)
	}
}

func TestAreaM2(t *testing.T) {
	holed := rect(0, 0, 1000, 1000)
	holed = append(holed, ring([2]float64{200, 200}, [2]float64{200, 300}, [2]float64{300, 300}, [2]float64{300, 200}))
	tests := []struct {
		name string
		mp   orb.MultiPolygon
		want float64
	}{
		{"1 km square", orb.MultiPolygon{rect(0, 0, 1000, 1000)}, 1e6},
		{"clockwise", orb.MultiPolygon{{orb.Ring{at(0, 0), at(0, 1000), at(1000, 1000), at(1000, 0), at(0, 0)}}}, 1e6},
		{"hole", orb.MultiPolygon{holed}, 1e6 - 1e4},
		{"two parts", orb.MultiPolygon{rect(0, 0, 100, 100), rect(200, 0, 300, 50)}, 1e4 + 5e3},
		{"far north", orb.MultiPolygon{{{geo.Offset(orb.Point{10, 60}, 0, 0), geo.Offset(orb.Point{10, 60}, 2000, 0),
			geo.Offset(orb.Point{10, 60}, 2000, 2000), geo.Offset(orb.Point{10, 60}, 0, 2000), geo.Offset(orb.Point{10, 60}, 0, 0)}}}, 4e6},
		{"empty", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// geo.Offset is itself a local approximation: 0.1% is its error
			// over a kilometre or two, not the projection's.
			if got := shape.AreaM2(tt.mp); !near(got, tt.want, 1e-3) {
				t.Errorf("AreaM2 = %.1f, want %.1f", got, tt.want)
			}
		})
	}
}

// The area is exact on the sphere for the lon/lat region, and exactly
// additive: a vertex inserted on an edge changes nothing.
func TestAreaM2Exact(t *testing.T) {
	const rad = math.Pi / 180
	r := geo.EarthRadiusM
	box := orb.Polygon{{{120, 30}, {121, 30}, {121, 31}, {120, 31}, {120, 30}}}
	want := r * r * 1 * rad * (math.Sin(31*rad) - math.Sin(30*rad))
	if got := shape.PolygonAreaM2(box); !near(got, want, 1e-12) {
		t.Errorf("1°×1° box: %.3f m², want %.3f", got, want)
	}
	tri := orb.Polygon{{at(0, 0), at(1000, 300), at(200, 900), at(0, 0)}}
	mid := orb.Point{(tri[0][0][0] + tri[0][1][0]) / 2, (tri[0][0][1] + tri[0][1][1]) / 2}
	more := orb.Polygon{{tri[0][0], mid, tri[0][1], tri[0][2], tri[0][0]}}
	if a, b := shape.PolygonAreaM2(tri), shape.PolygonAreaM2(more); !near(a, b, 1e-10) {
		t.Errorf("a vertex on an edge changed the area: %.9f → %.9f", a, b)
	}
}

func TestSetOps(t *testing.T) {
	a := orb.MultiPolygon{rect(0, 0, 1000, 1000)}
	right := orb.MultiPolygon{rect(1000, 0, 2000, 1000)}
	half := orb.MultiPolygon{rect(500, 0, 1500, 1000)}
	far := orb.MultiPolygon{rect(5000, 0, 6000, 1000)}
	tests := []struct {
		name       string
		op         func(a, b orb.MultiPolygon) (orb.MultiPolygon, error)
		a, b       orb.MultiPolygon
		wantAreaM2 float64
		wantParts  int
	}{
		{"union of neighbours is one part", shape.Union, a, right, 2e6, 1},
		{"union of overlapping", shape.Union, a, half, 1.5e6, 1},
		{"union of far apart", shape.Union, a, far, 2e6, 2},
		{"difference takes the overlap", shape.Difference, a, half, 5e5, 1},
		{"difference with a neighbour changes nothing", shape.Difference, a, right, 1e6, 1},
		{"difference with nothing", shape.Difference, a, nil, 1e6, 1},
		{"difference of everything", shape.Difference, a, a, 0, 0},
		{"intersection of overlapping", shape.Intersection, a, half, 5e5, 1},
		{"neighbours only touch: no area", shape.Intersection, a, right, 0, 0},
		{"intersection with nothing", shape.Intersection, a, nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.op(tt.a, tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if a := shape.AreaM2(got); !near(a, tt.wantAreaM2, 2e-3) {
				t.Errorf("area = %.1f m², want %.1f", a, tt.wantAreaM2)
			}
			if len(got) != tt.wantParts {
				t.Errorf("%d parts, want %d: %v", len(got), tt.wantParts, got)
			}
		})
	}
}

// Edges that should coincide but carry floating-point noise, as a vertex
// dragged onto a neighbour's edge in a browser does: the overlay must not
// leave anything a planner could see.
func TestSetOpsNearCoincidentEdges(t *testing.T) {
	a := orb.MultiPolygon{rect(0, 0, 1000, 1000)}
	for _, noise := range []float64{1e-13, 1e-11, 1e-9, -1e-9, 1e-8} { // degrees: 1e-8 is about 1 mm
		b := orb.MultiPolygon{rect(1000, 0, 2000, 1000)}
		// Move b's west edge by noise, differently at each end, so the two
		// edges are not even parallel.
		b[0][0][0][0] += noise
		b[0][0][3][0] -= noise / 3
		b[0][0][4] = b[0][0][0]
		u, err := shape.Union(a, b)
		if err != nil {
			t.Fatalf("noise %g: union: %v", noise, err)
		}
		u = shape.Clean(u, shape.SliverM2)
		if len(u) != 1 || len(u[0]) != 1 {
			t.Errorf("noise %g: union has %d parts, first with %d rings; want one part without holes", noise, len(u), len(u[0]))
		}
		d, err := shape.Difference(b, a)
		if err != nil {
			t.Fatalf("noise %g: difference: %v", noise, err)
		}
		if got := shape.AreaM2(shape.Clean(d, shape.SliverM2)); !near(got, 1e6, 2e-3) {
			t.Errorf("noise %g: b − a = %.1f m², want about 1e6", noise, got)
		}
		if pieces := shape.Clean(d, shape.SliverM2); len(pieces) != 1 {
			t.Errorf("noise %g: b − a has %d pieces after cleaning, want 1", noise, len(pieces))
		}
		in, err := shape.Intersection(a, b)
		if err != nil {
			t.Fatalf("noise %g: intersection: %v", noise, err)
		}
		if got := shape.AreaM2(in); got >= shape.SliverM2 {
			t.Errorf("noise %g: overlap of %.4f m², want below %g", noise, got, shape.SliverM2)
		}
	}
}

func TestPieces(t *testing.T) {
	tests := []struct {
		name string
		mp   orb.MultiPolygon
		want int
	}{
		{"one", orb.MultiPolygon{rect(0, 0, 10, 10)}, 1},
		{"sharing an edge", orb.MultiPolygon{rect(0, 0, 10, 10), rect(10, 0, 20, 10)}, 1},
		{"touching at a corner", orb.MultiPolygon{rect(0, 0, 10, 10), rect(10, 10, 20, 20)}, 2},
		{"apart", orb.MultiPolygon{rect(0, 0, 10, 10), rect(30, 0, 40, 10)}, 2},
		{"none", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := shape.Pieces(tt.mp)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != tt.want {
				t.Fatalf("%d pieces, want %d", len(ps), tt.want)
			}
			for i := 1; i < len(ps); i++ {
				if shape.PolygonAreaM2(ps[i]) > shape.PolygonAreaM2(ps[i-1]) {
					t.Errorf("piece %d is larger than piece %d: want largest first", i, i-1)
				}
			}
		})
	}
}

func TestClean(t *testing.T) {
	holed := rect(0, 0, 1000, 1000)
	holed = append(holed,
		ring([2]float64{100, 100}, [2]float64{100, 100.0001}, [2]float64{900, 100.0001}, [2]float64{900, 100}), // 0.08 m² sliver hole
		ring([2]float64{200, 200}, [2]float64{200, 300}, [2]float64{300, 300}, [2]float64{300, 200}))           // real hole
	mp := orb.MultiPolygon{holed, rect(2000, 0, 2000.001, 500)} // 0.5 m² sliver part
	got := shape.Clean(mp, shape.SliverM2)
	if len(got) != 1 {
		t.Fatalf("%d parts, want 1 (the sliver part dropped)", len(got))
	}
	if len(got[0]) != 2 {
		t.Errorf("%d rings, want 2 (outer and the real hole; the sliver hole filled)", len(got[0]))
	}
}
