package gridindex

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/geo"
)

// marginDeg is how far (about a millimetre) a cached disc stays from every
// grid edge. planar.PolygonContains can misjudge only points within a few
// ulps (~1e-14°) of an edge, so a point in the disc is decided the same way
// by the exact test with a factor of a million to spare.
const marginDeg = 1e-8

// maxCacheCells bounds a cache whose resolution Build chose (about 16 bytes
// and a map slot per cell): a province of grids fits; a continent of them
// gets a coarser resolution rather than gigabytes.
const maxCacheCells = 8_000_000

// entry is a cache entry on its way into the map.
type entry struct {
	key uint64
	d   disc
}

// cacheBuild is the shared, read-only state of one cache build.
type cacheBuild struct {
	ix     *Index
	res    int
	capDeg float64 // disc radius cap: beyond it a disc buys nothing
	minDeg float64 // smaller discs are not worth a map slot
}

// buildCache fills ix.cells: every cell at res whose centre lies inside one
// grid gets the largest disc (up to capDeg) around the centre that stays
// marginDeg clear of every grid boundary. Cells are found per grid by a
// flood fill over H3 neighbours from seeds inside the polygon, so the work
// is proportional to the grids' area in cells (about 1 µs a cell, mostly
// cgo). Grids are shared among workers.
func (ix *Index) buildCache(ctx context.Context, res, workers int) error {
	all := ix.bounds[0]
	for _, b := range ix.bounds[1:] {
		all = all.Union(b)
	}
	if res == 0 {
		return fmt.Errorf("grid index: cache resolution 0")
	}
	// A chosen resolution is coarsened when the grids' area would need
	// more than maxCacheCells cells.
	var areaM2 float64
	for i, p := range ix.polys {
		areaM2 += math.Abs(planar.Area(p)) * mPerDegLat * mPerDegLat * math.Cos(ix.bounds[i].Center()[1]*math.Pi/180)
	}
	for res > MinCacheRes && areaM2/h3.HexagonAreaAvgM2(res) > maxCacheCells {
		res--
	}
	ix.res = res
	ix.origin = all.Min
	ix.kx = math.Cos(all.Center()[1] * math.Pi / 180)
	edgeDeg := h3.HexagonEdgeLengthAvgM(res) / mPerDegLat
	cb := &cacheBuild{ix: ix, res: res, capDeg: 1.5 * edgeDeg, minDeg: 0.25 * edgeDeg}

	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(ix.ids)))
	var next atomic.Int64
	parts := make([][]entry, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			visited := make(map[h3.Cell]struct{}, 512)
			var queue []h3.Cell
			var out []entry
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ix.ids) || ctx.Err() != nil {
					break
				}
				clear(visited)
				out, queue = cb.grid(i, visited, queue[:0], out)
			}
			parts[w] = out
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("grid index: cell cache: %w", err)
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	ix.cells = make(map[uint64]disc, n)
	for _, p := range parts {
		for _, e := range p {
			// A key is stored by the one grid holding its centre; should two
			// ever meet, either disc is correct on its own.
			ix.cells[e.key] = e.d
		}
	}
	return nil
}

// grid floods the cells whose centres lie in grid i and appends the ones
// worth caching to out.
func (cb *cacheBuild) grid(i int, visited map[h3.Cell]struct{}, queue []h3.Cell, out []entry) ([]entry, []h3.Cell) {
	ix := cb.ix
	poly, bound := ix.polys[i], ix.bounds[i]

	// Grids that a disc of this grid could reach.
	reach := bound
	reach.Min[0] -= cb.capDeg / ix.kx
	reach.Max[0] += cb.capDeg / ix.kx
	reach.Min[1] -= cb.capDeg
	reach.Max[1] += cb.capDeg
	var near []int32
	ix.tr.Search(reach.Min, reach.Max, func(_, _ [2]float64, j int32) bool {
		if int(j) != i {
			near = append(near, j)
		}
		return true
	})

	// Seeds: the centroid, and some outer-ring vertices when the centroid
	// lies outside (a crescent). A part of the polygon that the flood cannot
	// reach from the seeds (past a thin neck) is only left to the exact test.
	push := func(c h3.Cell) {
		if c == 0 {
			return
		}
		if _, ok := visited[c]; !ok {
			visited[c] = struct{}{}
			queue = append(queue, c)
		}
	}
	centroid, _ := planar.CentroidArea(poly)
	push(geo.Cell(centroid, cb.res))
	if !planar.PolygonContains(poly, centroid) {
		ring := poly[0]
		step := max(1, len(ring)/8)
		for k := 0; k < len(ring)-1; k += step {
			push(geo.Cell(ring[k], cb.res))
		}
	}

	for len(queue) > 0 {
		c := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		// The entry stores the centre as float32 offsets; everything uses
		// the rounded centre, which is what queries will see.
		exact := geo.CellCenter(c)
		x, y := float32(exact[0]-ix.origin[0]), float32(exact[1]-ix.origin[1])
		center := orb.Point{ix.origin[0] + float64(x), ix.origin[1] + float64(y)}
		if !bound.Contains(center) || !planar.PolygonContains(poly, center) {
			continue
		}
		for _, n := range h3.GridDisk(c, 1) {
			push(n)
		}
		if r2, ok := cb.radius2(i, center, near); ok {
			out = append(out, entry{key: uint64(c), d: disc{grid: int32(i), x: x, y: y, r2: r2}})
		}
	}
	return out, queue
}

// radius2 returns the squared radius of the disc around center (inside
// grid i) that stays marginDeg clear of every grid's boundary, rounded down
// to float32, or false when the disc is too small to be worth a map slot or
// center lies in another grid too (overlapping grids).
func (cb *cacheBuild) radius2(i int, center orb.Point, near []int32) (float32, bool) {
	ix := cb.ix
	r2 := min(cb.capDeg*cb.capDeg, dist2(ix.polys[i], center, ix.kx))
	for _, j := range near {
		r := math.Sqrt(r2)
		b := ix.bounds[j]
		if b.Max[0] < center[0]-r/ix.kx || b.Min[0] > center[0]+r/ix.kx || b.Max[1] < center[1]-r || b.Min[1] > center[1]+r {
			continue // its box is beyond the disc, so is the grid
		}
		if planar.PolygonContains(ix.polys[j], center) {
			return 0, false
		}
		r2 = min(r2, dist2(ix.polys[j], center, ix.kx))
	}
	r := math.Sqrt(r2) - marginDeg
	if r < cb.minDeg {
		return 0, false
	}
	rr := r * r
	r2f := float32(rr)
	if float64(r2f) > rr { // never round the radius up
		r2f = math.Nextafter32(r2f, 0)
	}
	return r2f, true
}

// dist2 is the squared distance from c to the nearest edge of any ring of
// poly, in degrees with longitude scaled by kx.
func dist2(poly orb.Polygon, c orb.Point, kx float64) float64 {
	best := math.Inf(1)
	for _, ring := range poly {
		for k := 0; k+1 < len(ring); k++ {
			ax, ay := (ring[k][0]-c[0])*kx, ring[k][1]-c[1]
			bx, by := (ring[k+1][0]-c[0])*kx, ring[k+1][1]-c[1]
			dx, dy := bx-ax, by-ay
			t := 0.0
			if l2 := dx*dx + dy*dy; l2 > 0 {
				t = max(0, min(1, -(ax*dx+ay*dy)/l2))
			}
			px, py := ax+t*dx, ay+t*dy
			best = min(best, px*px+py*py)
		}
	}
	return best
}
