package shape_test

import (
	"math"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo/shape"
)

func TestSnap(t *testing.T) {
	west := orb.MultiPolygon{rect(0, 0, 1000, 1000)}
	// Two neighbours stacked on the west: the corner between them is at
	// (1000, 500).
	lower := orb.MultiPolygon{rect(0, 0, 1000, 500)}
	upper := orb.MultiPolygon{rect(0, 500, 1000, 1000)}
	tests := []struct {
		name       string
		drawn      orb.MultiPolygon
		neighbours []orb.MultiPolygon
		tolM       float64
		// region the drawn grid and its neighbours should tile exactly
		// after snapping (no overlap, no gap), or nil to skip that check
		tile        orb.MultiPolygon
		wantVertex  []orb.Point // must be vertices of the result
		wantSame    bool        // the result must equal the input
		wantPolygon int         // number of polygons in the result
	}{
		{
			name:        "edge drawn 2 m off snaps onto the neighbour's vertices",
			drawn:       orb.MultiPolygon{{ring([2]float64{1002, 1.5}, [2]float64{2000, 0}, [2]float64{2000, 1000}, [2]float64{998.5, 999})}},
			neighbours:  []orb.MultiPolygon{west},
			tolM:        5,
			tile:        orb.MultiPolygon{rect(0, 0, 2000, 1000)},
			wantVertex:  []orb.Point{at(1000, 0), at(1000, 1000)},
			wantPolygon: 1,
		},
		{
			name:        "the corner between two neighbours is inserted",
			drawn:       orb.MultiPolygon{{ring([2]float64{1003, -2}, [2]float64{2000, 0}, [2]float64{2000, 1000}, [2]float64{1001, 1001})}},
			neighbours:  []orb.MultiPolygon{lower, upper},
			tolM:        5,
			tile:        orb.MultiPolygon{rect(0, 0, 2000, 1000)},
			wantVertex:  []orb.Point{at(1000, 0), at(1000, 500), at(1000, 1000)},
			wantPolygon: 1,
		},
		{
			name: "a vertex near the middle of an edge moves onto the edge",
			drawn: orb.MultiPolygon{{ring([2]float64{1000, 0}, [2]float64{2000, 0}, [2]float64{2000, 1000},
				[2]float64{1000, 1000}, [2]float64{1003, 300})}},
			neighbours:  []orb.MultiPolygon{west},
			tolM:        5,
			tile:        orb.MultiPolygon{rect(0, 0, 2000, 1000)},
			wantPolygon: 1,
		},
		{
			name:        "floating-point noise on a shared edge",
			drawn:       orb.MultiPolygon{{{noisy(at(1000, 0), 3e-10), at(2000, 0), at(2000, 1000), noisy(at(1000, 1000), -2e-10), noisy(at(1000, 0), 3e-10)}}},
			neighbours:  []orb.MultiPolygon{west},
			tolM:        5,
			tile:        orb.MultiPolygon{rect(0, 0, 2000, 1000)},
			wantVertex:  []orb.Point{at(1000, 0), at(1000, 1000)},
			wantPolygon: 1,
		},
		{
			name:        "beyond the tolerance nothing moves",
			drawn:       orb.MultiPolygon{rect(1008, 0, 2000, 1000)},
			neighbours:  []orb.MultiPolygon{west},
			tolM:        5,
			wantSame:    true,
			wantPolygon: 1,
		},
		{
			name:        "zero tolerance: a copy",
			drawn:       orb.MultiPolygon{rect(1002, 0, 2000, 1000)},
			neighbours:  []orb.MultiPolygon{west},
			tolM:        0,
			wantSame:    true,
			wantPolygon: 1,
		},
		{
			name:        "a sliver within the tolerance of an edge collapses",
			drawn:       orb.MultiPolygon{rect(1001, 100, 1003, 900)},
			neighbours:  []orb.MultiPolygon{west},
			tolM:        5,
			wantPolygon: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := shape.Snap(tt.drawn, tt.neighbours, tt.tolM)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.wantPolygon {
				t.Fatalf("%d polygons, want %d: %v", len(got), tt.wantPolygon, got)
			}
			if tt.wantSame && !orb.Equal(got, tt.drawn) {
				t.Errorf("changed:\n got %v\nwant %v", got, tt.drawn)
			}
			for _, v := range tt.wantVertex {
				if !hasVertex(got, v) {
					t.Errorf("result lacks vertex %v: %v", v, got)
				}
			}
			if tt.tile == nil {
				return
			}
			assertTiles(t, tt.tile, append([]orb.MultiPolygon{got}, tt.neighbours...))
		})
	}
}

// noisy moves p by d degrees in both directions: the error of a vertex
// dragged onto a point in a browser.
func noisy(p orb.Point, d float64) orb.Point { return orb.Point{p[0] + d, p[1] - d} }

// assertTiles checks that parts cover region with no overlap and no gap
// bigger than a hundredth of a square metre.
func assertTiles(tb testing.TB, region orb.MultiPolygon, parts []orb.MultiPolygon) {
	tb.Helper()
	const tiny = 0.01
	ov, err := shape.Overlaps(tb.Context(), parts, tiny)
	if err != nil {
		tb.Fatal(err)
	}
	for _, o := range ov {
		tb.Errorf("parts %d and %d overlap by %.4f m²", o.A, o.B, o.AreaM2)
	}
	gaps, err := shape.Gaps(region, parts, tiny)
	if err != nil {
		tb.Fatal(err)
	}
	for _, g := range gaps {
		tb.Errorf("gap of %.4f m² at %v", shape.PolygonAreaM2(g), g.Bound())
	}
}

func TestSnapRefuses(t *testing.T) {
	if _, err := shape.Snap(orb.MultiPolygon{rect(0, 0, 1, 1)}, nil, math.NaN()); err == nil {
		t.Error("a NaN tolerance should be refused")
	}
}

// After snapping, the carve a planner's edit does (neighbour minus the new
// grid) leaves no sliver along the shared edge.
func TestSnapThenCarveLeavesNoSliver(t *testing.T) {
	grids := lattice(t, 4, 1000, 7)
	// Redraw grid 5 (row 1, col 1) a little bigger and sloppily: each
	// vertex pushed 3 m outwards, plus noise.
	old := grids[5][0][0]
	c := old.Bound().Center()
	var drawn orb.Ring
	for _, v := range old[:len(old)-1] {
		dx, dy := v[0]-c[0], v[1]-c[1]
		l := math.Hypot(dx, dy)
		drawn = append(drawn, orb.Point{v[0] + dx/l*3e-5 + 1e-11, v[1] + dy/l*3e-5 - 1e-11}) // ≈ 3 m
	}
	drawn = append(drawn, drawn[0])
	var others []orb.MultiPolygon
	for i, g := range grids {
		if i != 5 {
			others = append(others, g)
		}
	}
	snapped, err := shape.Snap(orb.MultiPolygon{{drawn}}, others, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range old[:len(old)-1] {
		if !hasVertex(snapped, v) {
			t.Errorf("snapped grid lacks the original corner %v", v)
		}
	}
	carved := []orb.MultiPolygon{snapped}
	for _, o := range others {
		rest, err := shape.Difference(o, snapped)
		if err != nil {
			t.Fatal(err)
		}
		carved = append(carved, rest)
	}
	whole, err := shape.UnionAll(grids)
	if err != nil {
		t.Fatal(err)
	}
	assertTiles(t, whole, carved)
}
