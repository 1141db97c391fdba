package coverage

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// pointIndex finds the points in a box. Points are cut into rows of
// latitude rowH high and sorted by (row, longitude): a box is then, for
// each row it spans, one contiguous run found by a binary search on
// longitude. Nothing but two float slices and the row starts: no tree, no
// pointers, and the sorted order keeps neighbours close in memory.
type pointIndex struct {
	lat0  float64 // south edge of row 0
	rowH  float64 // degrees of latitude per row
	start []int32 // row r holds points start[r]:start[r+1]
	lon   []float64
	lat   []float64
}

// maxRows bounds the row table (a row start costs 4 bytes).
const maxRows = 1 << 22

// newPointIndex indexes the points (lon[i], lat[i]) with rows about rowH
// degrees high and returns the index and the permutation it sorted them
// by: the index's point k is the caller's point perm[k]. Equal positions
// keep the caller's order, so the result depends on the input alone.
func newPointIndex(lon, lat []float64, rowH float64) (*pointIndex, []int32) {
	ix := &pointIndex{rowH: rowH}
	if len(lon) == 0 {
		ix.start = []int32{0, 0}
		return ix, nil
	}
	lo, hi := slices.Min(lat), slices.Max(lat)
	if n := (hi - lo) / rowH; n > maxRows-2 {
		ix.rowH = (hi - lo) / (maxRows - 2)
	}
	ix.lat0 = lo
	rows := ix.row(hi) + 1
	// Counting sort by row, then each row by longitude.
	rowOf := make([]int32, len(lat))
	ix.start = make([]int32, rows+1)
	for i, y := range lat {
		r := int32(ix.row(y))
		rowOf[i] = r
		ix.start[r+1]++
	}
	for r := 1; r <= rows; r++ {
		ix.start[r] += ix.start[r-1]
	}
	// Sorting (lon, i) pairs in place is several times faster than
	// sorting indices that compare through the lon slice.
	type pair struct {
		lon float64
		i   int32
	}
	pairs := make([]pair, len(lat))
	fill := slices.Clone(ix.start[:rows])
	for i, r := range rowOf {
		pairs[fill[r]] = pair{lon[i], int32(i)}
		fill[r]++
	}
	for r := 0; r < rows; r++ {
		run := pairs[ix.start[r]:ix.start[r+1]]
		slices.SortFunc(run, func(a, b pair) int { return cmp.Or(cmp.Compare(a.lon, b.lon), cmp.Compare(a.i, b.i)) })
	}
	perm := make([]int32, len(lat))
	ix.lon = make([]float64, len(lon))
	ix.lat = make([]float64, len(lat))
	for k, p := range pairs {
		perm[k] = p.i
		ix.lon[k], ix.lat[k] = p.lon, lat[p.i]
	}
	return ix, perm
}

// row is the row of latitude y, clamped to the table.
func (ix *pointIndex) row(y float64) int {
	r := math.Floor((y - ix.lat0) / ix.rowH)
	switch {
	case r < 0 || r != r:
		return 0
	case r > float64(len(ix.start)-2) && len(ix.start) >= 2:
		return len(ix.start) - 2
	}
	return int(r)
}

// len is the number of points.
func (ix *pointIndex) len() int { return len(ix.lon) }

// search calls fn for every point in b (edges included), in index order.
func (ix *pointIndex) search(b orb.Bound, fn func(k int32)) {
	if len(ix.lon) == 0 || b.Max[1] < ix.lat0 {
		return
	}
	r0, r1 := ix.row(b.Min[1]), ix.row(b.Max[1])
	minLon, maxLon, minLat, maxLat := b.Min[0], b.Max[0], b.Min[1], b.Max[1]
	for r := r0; r <= r1; r++ {
		lo, hi := int(ix.start[r]), int(ix.start[r+1])
		lons := ix.lon[lo:hi]
		k, _ := slices.BinarySearch(lons, minLon)
		for ; k < len(lons) && lons[k] <= maxLon; k++ {
			if y := ix.lat[lo+k]; y >= minLat && y <= maxLat {
				fn(int32(lo + k))
			}
		}
	}
}

// rowHeight picks the row height for boxes typically h degrees high: a
// quarter of it, so a box spans about five rows and reads little beyond
// its edges, within [minRowH, maxRowH].
func rowHeight(h float64) float64 {
	const minRowH, maxRowH, fallback = 0.0002, 0.05, 0.002
	if !(h > 0) {
		return fallback
	}
	return math.Max(minRowH, math.Min(maxRowH, h/4))
}
