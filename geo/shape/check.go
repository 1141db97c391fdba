package shape

import (
	"context"
	"fmt"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Overlap is the area two shapes of a layout both cover.
type Overlap struct {
	A, B   int // indexes into the shapes given, A < B
	Area   orb.MultiPolygon
	AreaM2 float64
}

// Overlaps finds every pair of shapes sharing at least minAreaM2 of area
// (shapes that share only edges share no area). Candidate pairs come from
// an R-tree over the shapes' bounding boxes, so a layout of n grids costs
// about n intersections, not n². Pairs come in order of A, then B.
func Overlaps(ctx context.Context, shapes []orb.MultiPolygon, minAreaM2 float64) ([]Overlap, error) {
	var tr rtree.RTreeG[int]
	for i, s := range shapes {
		if len(s) > 0 {
			b := s.Bound()
			tr.Insert(b.Min, b.Max, i)
		}
	}
	var out []Overlap
	for i, s := range shapes {
		if len(s) == 0 {
			continue
		}
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		b := s.Bound()
		var cands []int
		tr.Search(b.Min, b.Max, func(_, _ [2]float64, j int) bool {
			if j > i {
				cands = append(cands, j)
			}
			return true
		})
		slices.Sort(cands)
		for _, j := range cands {
			in, err := Intersection(s, shapes[j])
			if err != nil {
				return nil, fmt.Errorf("shapes %d and %d: %w", i, j, err)
			}
			in = Clean(in, minAreaM2)
			if a := AreaM2(in); len(in) > 0 && a >= minAreaM2 {
				out = append(out, Overlap{A: i, B: j, Area: in, AreaM2: a})
			}
		}
	}
	return out, nil
}

// Gaps returns the parts of area that none of parts covers, each at least
// minAreaM2, largest first: the holes a layout of grids leaves in its
// district.
func Gaps(area orb.MultiPolygon, parts []orb.MultiPolygon, minAreaM2 float64) ([]orb.Polygon, error) {
	u, err := UnionAll(parts)
	if err != nil {
		return nil, fmt.Errorf("shape: gaps: %w", err)
	}
	rest, err := Difference(area, u)
	if err != nil {
		return nil, fmt.Errorf("shape: gaps: %w", err)
	}
	rest = Clean(rest, minAreaM2)
	sortByArea(rest)
	return rest, nil
}
