package geo

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// Index maps points to the polygons that contain them: an R-tree over the
// polygons' bounding boxes finds candidates, then planar.PolygonContains
// decides exactly. It is built once and then only read, so concurrent
// Locate calls are safe; to change it, build a new one and swap it in whole.
type Index[K comparable] struct {
	tr    rtree.RTreeG[int32]
	keys  []K
	polys []orb.Polygon
}

// NewIndex returns an empty index; add polygons with Add before sharing it.
func NewIndex[K comparable]() *Index[K] { return &Index[K]{} }

// Add puts poly into the index under key. Not safe concurrently with anything.
func (ix *Index[K]) Add(key K, poly orb.Polygon) {
	b := poly.Bound()
	ix.tr.Insert(b.Min, b.Max, int32(len(ix.keys)))
	ix.keys = append(ix.keys, key)
	ix.polys = append(ix.polys, poly)
}

// Len is the number of polygons in the index.
func (ix *Index[K]) Len() int { return len(ix.keys) }

// Locate returns the key of a polygon containing p. When polygons share an
// edge and p lies on it, the polygon added first wins, so the answer is
// deterministic.
func (ix *Index[K]) Locate(p orb.Point) (K, bool) {
	best := int32(-1)
	ix.tr.Search(p, p, func(_, _ [2]float64, i int32) bool {
		if (best < 0 || i < best) && planar.PolygonContains(ix.polys[i], p) {
			best = i
		}
		return true
	})
	if best < 0 {
		var zero K
		return zero, false
	}
	return ix.keys[best], true
}

// Search calls fn for every polygon whose bounding box meets b, until fn
// returns false.
func (ix *Index[K]) Search(b orb.Bound, fn func(key K, poly orb.Polygon) bool) {
	ix.tr.Search(b.Min, b.Max, func(_, _ [2]float64, i int32) bool {
		return fn(ix.keys[i], ix.polys[i])
	})
}
