package shape_test

import (
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo/shape"
)

func TestOverlaps(t *testing.T) {
	shapes := []orb.MultiPolygon{
		{rect(0, 0, 1000, 1000)},
		{rect(1000, 0, 2000, 1000)},   // neighbour of 0: shares an edge only
		{rect(1900, 0, 3000, 1000)},   // overlaps 1 by 100 m × 1000 m
		nil,                           // an empty grid is skipped
		{rect(0, 0, 1000, 1000.0001)}, // overlaps 0 almost entirely
	}
	got, err := shape.Overlaps(t.Context(), shapes, shape.SliverM2)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		a, b int
		m2   float64
	}{{0, 4, 1e6}, {1, 2, 1e5}}
	if len(got) != len(want) {
		t.Fatalf("%d overlaps, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].A != w.a || got[i].B != w.b || !near(got[i].AreaM2, w.m2, 2e-3) {
			t.Errorf("overlap %d = (%d, %d, %.0f m²), want (%d, %d, %.0f m²)", i, got[i].A, got[i].B, got[i].AreaM2, w.a, w.b, w.m2)
		}
	}
}

func TestGaps(t *testing.T) {
	district := orb.MultiPolygon{rect(0, 0, 3000, 1000)}
	tests := []struct {
		name  string
		parts []orb.MultiPolygon
		want  []float64
	}{
		{"tiled", []orb.MultiPolygon{{rect(0, 0, 1000, 1000)}, {rect(1000, 0, 3000, 1000)}}, nil},
		{"a strip left", []orb.MultiPolygon{{rect(0, 0, 1000, 1000)}, {rect(1100, 0, 3000, 1000)}}, []float64{1e5}},
		{"two holes, largest first", []orb.MultiPolygon{{rect(0, 0, 1000, 1000)}, {rect(1100, 0, 2800, 1000)}}, []float64{2e5, 1e5}},
		{"nothing drawn", nil, []float64{3e6}},
		{"a sliver only", []orb.MultiPolygon{{rect(0, 0, 1000, 1000)}, {rect(1000.0005, 0, 3000, 1000)}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := shape.Gaps(district, tt.parts, shape.SliverM2)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d gaps, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				if a := shape.PolygonAreaM2(got[i]); !near(a, w, 2e-3) {
					t.Errorf("gap %d: %.0f m², want %.0f", i, a, w)
				}
			}
		})
	}
}
