package gridindex

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/geo"
)

// Grid is one polygon to index under its id. Ids are positive: 0 means "in
// no grid" to every caller.
type Grid struct {
	ID      int64
	Polygon orb.Polygon
}

// NoCache as Options.CacheRes builds an index without the H3 cell cache.
const NoCache = -1

// Options configure Build. The zero value chooses everything.
type Options struct {
	// CacheRes is the H3 resolution of the cell cache, from MinCacheRes to
	// geo.CustomerCellRes; 0 chooses it from the grids' sizes (ChooseRes),
	// NoCache builds no cache.
	CacheRes int
	// Workers bounds the goroutines that build the cache; 0 means
	// GOMAXPROCS.
	Workers int
}

// MinCacheRes is the coarsest cache resolution Build accepts (res 5 cells
// are about 250 km², larger than any sales grid).
const MinCacheRes = 5

// Stats describes a built index.
type Stats struct {
	Grids       int           `json:"grids"`
	CacheRes    int           `json:"cache_res"`    // 0: no cache
	CachedCells int           `json:"cached_cells"` // cells the cache answers for
	TreeBuild   time.Duration `json:"tree_build"`   // validation, sorting, R-tree
	CacheBuild  time.Duration `json:"cache_build"`
}

// Index answers which grid holds a point. Build it with Build; the zero
// Index holds no grids and answers "none" everywhere.
type Index struct {
	ids    []int64 // ascending: a grid's position is its priority on shared edges
	polys  []orb.Polygon
	bounds []orb.Bound
	tr     rtree.RTreeG[int32]

	// The cell cache: a disc per H3 cell at resolution res (see doc.go).
	res    int
	cells  map[uint64]disc
	kx     float64 // longitude scale of the disc metric
	origin orb.Point

	stats Stats
}

// disc is a cache entry: grid (position in ids) holds every point within
// sqrt(r2) of the centre origin+(x, y), in the scaled metric. float32 keeps
// an entry at 16 bytes; the build computes r2 from the rounded centre, so
// rounding costs nothing but a few millimetres of disc.
type disc struct {
	grid int32
	x, y float32 // centre minus origin, degrees
	r2   float32
}

// Build indexes grids. It refuses an id that is not positive or appears
// twice, and a polygon that geo.ValidatePolygon refuses, naming the grid.
// The cache build stops early when ctx is cancelled.
func Build(ctx context.Context, grids []Grid, opts Options) (*Index, error) {
	t0 := time.Now()
	if opts.CacheRes != 0 && opts.CacheRes != NoCache && (opts.CacheRes < MinCacheRes || opts.CacheRes > geo.CustomerCellRes) {
		return nil, fmt.Errorf("grid index: cache resolution %d: want %d to %d, 0 (choose) or %d (none)",
			opts.CacheRes, MinCacheRes, geo.CustomerCellRes, NoCache)
	}
	sorted := slices.Clone(grids)
	slices.SortFunc(sorted, func(a, b Grid) int { return cmp.Compare(a.ID, b.ID) })
	ix := &Index{
		ids:    make([]int64, len(sorted)),
		polys:  make([]orb.Polygon, len(sorted)),
		bounds: make([]orb.Bound, len(sorted)),
	}
	for i, g := range sorted {
		if g.ID <= 0 {
			return nil, fmt.Errorf("grid index: grid id %d: must be positive", g.ID)
		}
		if i > 0 && sorted[i-1].ID == g.ID {
			return nil, fmt.Errorf("grid index: grid %d appears twice", g.ID)
		}
		if err := geo.ValidatePolygon(g.Polygon); err != nil {
			return nil, fmt.Errorf("grid index: grid %d: %w", g.ID, err)
		}
		b := g.Polygon.Bound()
		ix.ids[i], ix.polys[i], ix.bounds[i] = g.ID, g.Polygon, b
		ix.tr.Insert(b.Min, b.Max, int32(i))
	}
	ix.stats = Stats{Grids: len(sorted), TreeBuild: time.Since(t0)}
	if opts.CacheRes == NoCache || len(sorted) == 0 {
		return ix, nil
	}
	res := opts.CacheRes
	if res == 0 {
		res = ChooseRes(ix.polys)
	}
	t1 := time.Now()
	if err := ix.buildCache(ctx, res, opts.Workers); err != nil {
		return nil, err
	}
	ix.stats.CacheRes, ix.stats.CachedCells, ix.stats.CacheBuild = res, len(ix.cells), time.Since(t1)
	return ix, nil
}

// Stats returns the index's size and build times.
func (ix *Index) Stats() Stats { return ix.stats }

// Len is the number of grids.
func (ix *Index) Len() int { return len(ix.ids) }

// Locate returns the grid holding p by the exact test: the lowest id among
// the grids whose closed polygon contains p, or false when none does.
func (ix *Index) Locate(p orb.Point) (int64, bool) {
	best := int32(-1)
	ix.tr.Search(p, p, func(_, _ [2]float64, i int32) bool {
		if (best < 0 || i < best) && planar.PolygonContains(ix.polys[i], p) {
			best = i
		}
		return true
	})
	if best < 0 {
		return 0, false
	}
	return ix.ids[best], true
}

// LocateCell returns the grid holding p, as Locate does, using cell (the
// H3 cell of p at any resolution not coarser than the cache's, such as a
// customer's stored resolution-12 cell) to answer from the cache when it
// can. A wrong or zero cell is harmless: it only misses the cache.
func (ix *Index) LocateCell(p orb.Point, cell h3.Cell) (int64, bool) {
	if id, ok := ix.FromCache(p, cell); ok {
		return id, true
	}
	return ix.Locate(p)
}

// FromCache answers from the cache alone: the grid holding p when the cache
// knows it, false when the caller must ask Locate (which may still find a
// grid). Exposed for tests and statistics.
func (ix *Index) FromCache(p orb.Point, cell h3.Cell) (int64, bool) {
	if ix.cells == nil {
		return 0, false
	}
	c := uint64(cell)
	if c>>59&0xF != 1 || int(c>>52&0xF) < ix.res { // not a cell, or coarser than the cache
		return 0, false
	}
	d, ok := ix.cells[parentOf(c, ix.res)]
	if !ok {
		return 0, false
	}
	dx := (p[0] - (ix.origin[0] + float64(d.x))) * ix.kx
	dy := p[1] - (ix.origin[1] + float64(d.y))
	if dx*dx+dy*dy <= float64(d.r2) {
		return ix.ids[d.grid], true
	}
	return 0, false
}

// parentOf returns the ancestor of cell c at resolution res (res ≤ c's):
// the resolution field set to res and the digits below it set to 7, as H3
// lays out its 64-bit index. Pure bit work, no cgo; tested against h3.
func parentOf(c uint64, res int) uint64 {
	const resMask = uint64(0xF) << 52
	return c&^resMask | uint64(res)<<52 | (uint64(1)<<(3*(15-res)) - 1)
}

// LocateAll sets out[i] to the grid holding pts[i], 0 when none, using
// cells[i] for the cache when cells is not nil. It splits the work over
// workers goroutines (0 means GOMAXPROCS) and checks ctx between chunks.
func (ix *Index) LocateAll(ctx context.Context, pts []orb.Point, cells []h3.Cell, out []int64, workers int) error {
	if len(out) != len(pts) || (cells != nil && len(cells) != len(pts)) {
		return fmt.Errorf("grid index: locate all: %d points, %d cells, %d outputs", len(pts), len(cells), len(out))
	}
	const chunk = 4096
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, (len(pts)+chunk-1)/chunk))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(pts) || ctx.Err() != nil {
					return
				}
				hi := min(lo+chunk, len(pts))
				for i := lo; i < hi; i++ {
					var cell h3.Cell
					if cells != nil {
						cell = cells[i]
					}
					out[i], _ = ix.LocateCell(pts[i], cell)
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("grid index: locate all: %w", err)
	}
	return nil
}

// Search calls fn with the id and polygon of every grid whose bounding box
// meets b, in id order, until fn returns false.
func (ix *Index) Search(b orb.Bound, fn func(id int64, poly orb.Polygon) bool) {
	var hits []int32
	ix.tr.Search(b.Min, b.Max, func(_, _ [2]float64, i int32) bool {
		hits = append(hits, i)
		return true
	})
	slices.Sort(hits)
	for _, i := range hits {
		if !fn(ix.ids[i], ix.polys[i]) {
			return
		}
	}
}

// mPerDegLat is the length of one degree of latitude on the mean sphere.
const mPerDegLat = geo.EarthRadiusM * math.Pi / 180

// ChooseRes picks the cache resolution for polygons: the coarsest one whose
// average cell edge is at most a twelfth of the median polygon's side
// (square root of its area), so that about four in five points of a typical
// grid fall in cells wholly inside it, while the cache stays near 150 cells
// per grid. Resolution 10 (66 m edges) for grids of 1–2 km², the demo city's.
func ChooseRes(polys []orb.Polygon) int {
	if len(polys) == 0 {
		return geo.CustomerCellRes
	}
	sides := make([]float64, len(polys))
	for i, p := range polys {
		c := p.Bound().Center()
		areaM2 := math.Abs(planar.Area(p)) * mPerDegLat * mPerDegLat * math.Cos(c[1]*math.Pi/180)
		sides[i] = math.Sqrt(areaM2)
	}
	slices.Sort(sides)
	side := sides[len(sides)/2]
	for res := MinCacheRes; res < geo.CustomerCellRes; res++ {
		if h3.HexagonEdgeLengthAvgM(res) <= side/12 {
			return res
		}
	}
	return geo.CustomerCellRes
}
