package shape_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/geo/shape"
)

func line(pts ...[2]float64) orb.LineString {
	ls := make(orb.LineString, len(pts))
	for i, p := range pts {
		ls[i] = at(p[0], p[1])
	}
	return ls
}

func TestSplitByLine(t *testing.T) {
	square := rect(0, 0, 1000, 1000)
	// An L: the line across both arms cuts it in three.
	ell := orb.Polygon{ring([2]float64{0, 0}, [2]float64{1000, 0}, [2]float64{1000, 400}, [2]float64{400, 400},
		[2]float64{400, 1000}, [2]float64{0, 1000})}
	holed := rect(0, 0, 1000, 1000)
	holed = append(holed, ring([2]float64{400, 400}, [2]float64{400, 600}, [2]float64{600, 600}, [2]float64{600, 400}))
	onEdge := line([2]float64{500, 0}, [2]float64{500, 1000})
	onEdge[0] = orb.Point{(square[0][0][0] + square[0][1][0]) / 2, square[0][0][1]} // exactly on the south edge
	tests := []struct {
		name      string
		poly      orb.Polygon
		line      orb.LineString
		wantParts []float64 // areas in m², largest first
	}{
		{"straight across", square, line([2]float64{300, -100}, [2]float64{300, 1100}), []float64{7e5, 3e5}},
		{"through two vertices (diagonal)", square, line([2]float64{-100, -100}, [2]float64{1100, 1100}), []float64{5e5, 5e5}},
		{"bent line", square, line([2]float64{-100, 500}, [2]float64{500, 500}, [2]float64{500, 1100}), []float64{7.5e5, 2.5e5}},
		{"starting exactly on the edge", square, onEdge, []float64{5e5, 5e5}},
		{"out and back in: three parts", square, line([2]float64{200, -100}, [2]float64{200, 1100}, [2]float64{800, 1100}, [2]float64{800, -100}),
			[]float64{6e5, 2e5, 2e5}},
		{"one chord through the corner arm of an L", ell, line([2]float64{200, -100}, [2]float64{200, 200}, [2]float64{1100, 200}),
			[]float64{6.4e5 - 1.6e5, 1.6e5}},
		{"across both arms of an L: three parts", ell, line([2]float64{-100, 700}, [2]float64{700, 700}, [2]float64{700, -100}),
			[]float64{4e5, 1.2e5, 1.2e5}},
		{"through a hole", holed, line([2]float64{500, -100}, [2]float64{500, 1100}), []float64{4.8e5, 4.8e5}},
		{"beside a hole: the hole stays in one part", holed, line([2]float64{200, -100}, [2]float64{200, 1100}), []float64{7.6e5, 2e5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, err := shape.SplitByLine(tt.poly, tt.line)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != len(tt.wantParts) {
				t.Fatalf("%d parts, want %d: %v", len(parts), len(tt.wantParts), parts)
			}
			var sum float64
			mps := make([]orb.MultiPolygon, len(parts))
			for i, p := range parts {
				if err := geo.ValidatePolygon(p); err != nil {
					t.Errorf("part %d is invalid: %v", i, err)
				}
				a := shape.PolygonAreaM2(p)
				if !near(a, tt.wantParts[i], 5e-3) {
					t.Errorf("part %d: %.0f m², want %.0f", i, a, tt.wantParts[i])
				}
				sum += a
				mps[i] = orb.MultiPolygon{p}
			}
			if whole := shape.PolygonAreaM2(tt.poly); !near(sum, whole, 1e-9) {
				t.Errorf("parts add up to %.3f m², the polygon has %.3f", sum, whole)
			}
			ov, err := shape.Overlaps(context.Background(), mps, 1e-6)
			if err != nil {
				t.Fatal(err)
			}
			if len(ov) > 0 {
				t.Errorf("parts overlap: %+v", ov)
			}
			gaps, err := shape.Gaps(orb.MultiPolygon{tt.poly}, mps, 1e-6)
			if err != nil {
				t.Fatal(err)
			}
			if len(gaps) > 0 {
				t.Errorf("parts leave %d gaps", len(gaps))
			}
		})
	}
}

func TestSplitByLineRefuses(t *testing.T) {
	square := rect(0, 0, 1000, 1000)
	tests := []struct {
		name  string
		poly  orb.Polygon
		line  orb.LineString
		want  string // in the message
		line_ bool   // an ErrSplit (about the line), else a polygon error
	}{
		{"ends inside", square, line([2]float64{500, -100}, [2]float64{500, 400}), "ends inside the polygon at (120.", true},
		{"starts inside", square, line([2]float64{500, 600}, [2]float64{500, 1100}), "ends inside", true},
		{"misses", square, line([2]float64{1500, -100}, [2]float64{1500, 1100}), "does not cross", true},
		{"along an edge", square, line([2]float64{-100, 0}, [2]float64{1100, 0}), "does not cut it in two", true},
		{"crosses itself", square, line([2]float64{-100, 500}, [2]float64{1100, 500}, [2]float64{500, 1100}, [2]float64{500, -100}), "crosses itself", true},
		{"one point", square, line([2]float64{-100, 500}, [2]float64{-100, 500}), "at least 2 distinct points", true},
		{"bad coordinate", square, orb.LineString{at(0, 0), {200, 0}}, "line point 1", true},
		{"invalid polygon", orb.Polygon{ring([2]float64{0, 0}, [2]float64{1000, 1000}, [2]float64{1000, 0}, [2]float64{0, 1000})},
			line([2]float64{500, -100}, [2]float64{500, 1100}), "self-intersection", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := shape.SplitByLine(tt.poly, tt.line)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if got := errors.Is(err, shape.ErrSplit); got != tt.line_ {
				t.Errorf("errors.Is(err, ErrSplit) = %v, want %v", got, tt.line_)
			}
			var ge *geo.GeometryError
			if !tt.line_ && !errors.As(err, &ge) {
				t.Errorf("a polygon error should carry the *geo.GeometryError: %v", err)
			}
		})
	}
}
