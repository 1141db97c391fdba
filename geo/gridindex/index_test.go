package gridindex_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/data/demo"
	"gridplan/geo"
	"gridplan/geo/gridindex"
)

func square(x, y, s float64) orb.Polygon {
	return orb.Polygon{{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}}
}

// bruteForce is the rule itself: the lowest id among the grids whose
// closed polygon contains p, scanning every grid.
func bruteForce(grids []gridindex.Grid, p orb.Point) int64 {
	var best int64
	for _, g := range grids {
		if (best == 0 || g.ID < best) && planar.PolygonContains(g.Polygon, p) {
			best = g.ID
		}
	}
	return best
}

func mustBuild(tb testing.TB, grids []gridindex.Grid, opts gridindex.Options) *gridindex.Index {
	tb.Helper()
	ix, err := gridindex.Build(context.Background(), grids, opts)
	if err != nil {
		tb.Fatalf("build: %v", err)
	}
	return ix
}

var (
	cityOnce sync.Once
	cityVal  *demo.City
	cityErr  error
)

// demoCity is the 20,000-business demo city (94 grids), generated once.
func demoCity(tb testing.TB) *demo.City {
	tb.Helper()
	cityOnce.Do(func() {
		cityVal, cityErr = demo.Generate(demo.Options{Seed: 1, Customers: 20000, Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	})
	if cityErr != nil {
		tb.Fatalf("demo city: %v", cityErr)
	}
	return cityVal
}

func demoGrids(tb testing.TB) []gridindex.Grid {
	tb.Helper()
	city := demoCity(tb)
	grids := make([]gridindex.Grid, len(city.Grids))
	for i, g := range city.Grids {
		grids[i] = gridindex.Grid{ID: g.ID, Polygon: g.Boundary}
	}
	return grids
}

func TestBuildRejects(t *testing.T) {
	ok := square(120, 30, 0.01)
	tests := []struct {
		name  string
		grids []gridindex.Grid
		opts  gridindex.Options
		want  string
	}{
		{"zero id", []gridindex.Grid{{ID: 0, Polygon: ok}}, gridindex.Options{}, "grid id 0: must be positive"},
		{"negative id", []gridindex.Grid{{ID: -4, Polygon: ok}}, gridindex.Options{}, "grid id -4"},
		{"duplicate id", []gridindex.Grid{{ID: 3, Polygon: ok}, {ID: 3, Polygon: square(121, 30, 0.01)}}, gridindex.Options{}, "grid 3 appears twice"},
		{"unclosed ring", []gridindex.Grid{{ID: 5, Polygon: orb.Polygon{{{120, 30}, {120.1, 30}, {120.1, 30.1}, {120, 30.1}}}}}, gridindex.Options{}, "grid 5: ring 0"},
		{"NaN vertex", []gridindex.Grid{{ID: 6, Polygon: orb.Polygon{{{120, 30}, {math.NaN(), 30}, {120.1, 30.1}, {120, 30}}}}}, gridindex.Options{}, "grid 6: ring 0 point 1"},
		{"no rings", []gridindex.Grid{{ID: 7, Polygon: orb.Polygon{}}}, gridindex.Options{}, "grid 7"},
		{"cache res too fine", []gridindex.Grid{{ID: 1, Polygon: ok}}, gridindex.Options{CacheRes: 13}, "cache resolution 13"},
		{"cache res too coarse", []gridindex.Grid{{ID: 1, Polygon: ok}}, gridindex.Options{CacheRes: 2}, "cache resolution 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gridindex.Build(context.Background(), tt.grids, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Build error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestBuildCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := gridindex.Build(ctx, demoGrids(t), gridindex.Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Build with a cancelled context: %v, want context.Canceled", err)
	}
}

// Hand-made cases for the edge rule, on both paths.
func TestLocateRule(t *testing.T) {
	// A 2×2 block of 0.01° squares (ids 4, 2 / 9, 7 from south-west), a
	// square with a hole (id 20) and two overlapping squares (ids 31, 30).
	holed := square(120.1, 30, 0.02)
	holed = append(holed, orb.Ring{{120.105, 30.005}, {120.105, 30.015}, {120.115, 30.015}, {120.115, 30.005}, {120.105, 30.005}})
	grids := []gridindex.Grid{
		{ID: 4, Polygon: square(120, 30, 0.01)},
		{ID: 2, Polygon: square(120.01, 30, 0.01)},
		{ID: 9, Polygon: square(120, 30.01, 0.01)},
		{ID: 7, Polygon: square(120.01, 30.01, 0.01)},
		{ID: 20, Polygon: holed},
		{ID: 31, Polygon: square(120.2, 30, 0.02)},
		{ID: 30, Polygon: square(120.21, 30.01, 0.02)},
	}
	tests := []struct {
		name string
		p    orb.Point
		want int64
	}{
		{"inside 4", orb.Point{120.005, 30.005}, 4},
		{"inside 7", orb.Point{120.015, 30.015}, 7},
		{"edge 4|2", orb.Point{120.01, 30.005}, 2},
		{"edge 4|9", orb.Point{120.005, 30.01}, 4},
		{"edge 9|7", orb.Point{120.01, 30.015}, 7},
		{"vertex of all four", orb.Point{120.01, 30.01}, 2},
		{"outer corner of 9", orb.Point{120, 30.02}, 9},
		{"outer edge of 4", orb.Point{120, 30.005}, 4},
		{"just outside 4", orb.Point{119.99999999, 30.005}, 0},
		{"in the hole", orb.Point{120.11, 30.01}, 0},
		// planar.PolygonContains counts a hole's boundary as the hole's.
		{"on the hole's edge", orb.Point{120.105, 30.01}, 0},
		{"in the holed grid", orb.Point{120.102, 30.01}, 20},
		{"overlap of 31 and 30", orb.Point{120.215, 30.015}, 30},
		{"only 31", orb.Point{120.205, 30.005}, 31},
		{"only 30", orb.Point{120.225, 30.025}, 30},
		{"far away", orb.Point{0, 0}, 0},
	}
	for _, res := range []int{gridindex.NoCache, 10, 11} {
		ix := mustBuild(t, grids, gridindex.Options{CacheRes: res})
		for _, tt := range tests {
			t.Run(fmt.Sprintf("res %d/%s", res, tt.name), func(t *testing.T) {
				if got := bruteForce(grids, tt.p); got != tt.want {
					t.Fatalf("the test is wrong: brute force says %d, want %d", got, tt.want)
				}
				cell := geo.Cell(tt.p, geo.CustomerCellRes)
				got, ok := ix.LocateCell(tt.p, cell)
				if got != tt.want || ok != (tt.want != 0) {
					t.Errorf("res %d: LocateCell(%v) = %d, %v; want %d", res, tt.p, got, ok, tt.want)
				}
				if got, _ := ix.Locate(tt.p); got != tt.want {
					t.Errorf("res %d: Locate(%v) = %d, want %d", res, tt.p, got, tt.want)
				}
			})
		}
	}
}

// testPoints draws n points over b (widened by a tenth so that some fall
// outside every grid), plus every grid vertex, points on every edge and
// points a hair off every edge on both sides.
func testPoints(grids []gridindex.Grid, b orb.Bound, n int, rng *rand.Rand) []orb.Point {
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	pts := make([]orb.Point, 0, n)
	for range n {
		pts = append(pts, orb.Point{b.Min[0] - 0.05*w + 1.1*w*rng.Float64(), b.Min[1] - 0.05*h + 1.1*h*rng.Float64()})
	}
	for _, g := range grids {
		for _, ring := range g.Polygon {
			for k := 0; k+1 < len(ring); k++ {
				a, c := ring[k], ring[k+1]
				pts = append(pts, a)
				for _, t := range []float64{0.5, rng.Float64()} {
					on := orb.Point{a[0] + t*(c[0]-a[0]), a[1] + t*(c[1]-a[1])}
					pts = append(pts, on,
						orb.Point{math.Nextafter(on[0], math.Inf(1)), on[1]},
						orb.Point{on[0], math.Nextafter(on[1], math.Inf(-1))},
						orb.Point{on[0] + 1e-9, on[1] - 1e-9}, orb.Point{on[0] - 1e-9, on[1] + 1e-9})
				}
			}
		}
	}
	return pts
}

// The index, with and without its cache, must agree with the brute-force
// rule on 120,000 random points over the demo city and on every vertex and
// edge of its grids, whether the cell passed along is the point's own, a
// coarser or finer one, or somebody else's.
func TestMatchesBruteForceOnDemoCity(t *testing.T) {
	grids := demoGrids(t)
	rng := rand.New(rand.NewPCG(11, 12))
	var all orb.Bound
	for i, g := range grids {
		if i == 0 {
			all = g.Polygon.Bound()
		}
		all = all.Union(g.Polygon.Bound())
	}
	pts := testPoints(grids, all, 120_000, rng)
	want := make([]int64, len(pts))
	for i, p := range pts {
		want[i] = bruteForce(grids, p)
	}
	cells := make([]h3.Cell, len(pts))
	for i, p := range pts {
		cells[i] = geo.Cell(p, geo.CustomerCellRes)
	}
	t.Logf("%d points (%d on or next to edges and vertices)", len(pts), len(pts)-120_000)

	exact := mustBuild(t, grids, gridindex.Options{CacheRes: gridindex.NoCache})
	cached := mustBuild(t, grids, gridindex.Options{})
	st := cached.Stats()
	if st.CacheRes != 10 || st.CachedCells < 1000 {
		t.Fatalf("cache stats %+v: want resolution 10 and thousands of cells", st)
	}
	t.Logf("cache: res %d, %d cells, built in %v", st.CacheRes, st.CachedCells, st.CacheBuild)

	cellOf := map[string]func(i int) h3.Cell{
		"own cell":      func(i int) h3.Cell { return cells[i] },
		"own res 10":    func(i int) h3.Cell { return cells[i].Parent(10) },
		"own res 11":    func(i int) h3.Cell { return cells[i].Parent(11) },
		"coarser res 8": func(i int) h3.Cell { return cells[i].Parent(8) },
		"another's":     func(i int) h3.Cell { return cells[(i+1)%len(cells)] },
		"none":          func(int) h3.Cell { return 0 },
	}
	for name, cell := range cellOf {
		t.Run(name, func(t *testing.T) {
			hits := 0
			for i, p := range pts {
				got, ok := cached.LocateCell(p, cell(i))
				if got != want[i] || ok != (want[i] != 0) {
					t.Fatalf("LocateCell(%v, %v) = %d, %v; brute force %d", p, cell(i), got, ok, want[i])
				}
				if got, ok := cached.FromCache(p, cell(i)); ok {
					hits++
					if got != want[i] {
						t.Fatalf("FromCache(%v) = %d; brute force %d", p, got, want[i])
					}
				}
			}
			t.Logf("%.1f%% answered from the cache", 100*float64(hits)/float64(len(pts)))
		})
	}
	t.Run("exact", func(t *testing.T) {
		for i, p := range pts {
			if got, _ := exact.Locate(p); got != want[i] {
				t.Fatalf("Locate(%v) = %d; brute force %d", p, got, want[i])
			}
		}
	})
}

// Most customers of the demo city are answered from the cache.
func TestCacheHitRateOnCustomers(t *testing.T) {
	city := demoCity(t)
	grids := demoGrids(t)
	ix := mustBuild(t, grids, gridindex.Options{})
	hits := 0
	for _, c := range city.Customers {
		want := bruteForce(grids, c.Location)
		got, _ := ix.LocateCell(c.Location, c.Cell)
		if got != want {
			t.Fatalf("customer %d at %v: got %d, brute force %d", c.ID, c.Location, got, want)
		}
		if _, ok := ix.FromCache(c.Location, c.Cell); ok {
			hits++
		}
	}
	rate := float64(hits) / float64(len(city.Customers))
	t.Logf("%.1f%% of %d customers answered from the cache", 100*rate, len(city.Customers))
	if rate < 0.7 {
		t.Fatalf("only %.1f%% of customers answered from the cache, want at least 70%%", 100*rate)
	}
}

// Overlapping grids and holes, with random points dense around them.
func TestMatchesBruteForceOverlaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	var grids []gridindex.Grid
	for id := int64(1); id <= 60; id++ {
		x, y, s := 120+rng.Float64()*0.1, 30+rng.Float64()*0.1, 0.005+rng.Float64()*0.03
		p := square(x, y, s)
		if id%3 == 0 { // a hole
			p = append(p, orb.Ring{{x + s/4, y + s/4}, {x + s/4, y + s/2}, {x + s/2, y + s/2}, {x + s/2, y + s/4}, {x + s/4, y + s/4}})
		}
		grids = append(grids, gridindex.Grid{ID: id * 3, Polygon: p})
	}
	ix := mustBuild(t, grids, gridindex.Options{CacheRes: 11})
	if ix.Stats().CachedCells == 0 {
		t.Fatal("no cached cells")
	}
	pts := testPoints(grids, orb.Bound{Min: orb.Point{120, 30}, Max: orb.Point{120.13, 30.13}}, 100_000, rng)
	hits := 0
	for _, p := range pts {
		want := bruteForce(grids, p)
		cell := geo.Cell(p, geo.CustomerCellRes)
		if got, _ := ix.LocateCell(p, cell); got != want {
			t.Fatalf("LocateCell(%v) = %d; brute force %d", p, got, want)
		}
		if _, ok := ix.FromCache(p, cell); ok {
			hits++
		}
	}
	t.Logf("%d points, %.1f%% from the cache", len(pts), 100*float64(hits)/float64(len(pts)))
}

// LocateAll from several goroutines equals one LocateCell after another;
// run under -race it also shows the index is safe to share.
func TestLocateAllConcurrent(t *testing.T) {
	city := demoCity(t)
	ix := mustBuild(t, demoGrids(t), gridindex.Options{})
	pts := make([]orb.Point, len(city.Customers))
	cells := make([]h3.Cell, len(city.Customers))
	for i, c := range city.Customers {
		pts[i], cells[i] = c.Location, c.Cell
	}
	out := make([]int64, len(pts))
	if err := ix.LocateAll(context.Background(), pts, cells, out, 4); err != nil {
		t.Fatal(err)
	}
	assigned := 0
	for i, p := range pts {
		if want, _ := ix.LocateCell(p, cells[i]); out[i] != want {
			t.Fatalf("point %d: LocateAll %d, LocateCell %d", i, out[i], want)
		}
		if out[i] != 0 {
			assigned++
		}
	}
	if assigned < len(pts)*9/10 {
		t.Fatalf("only %d of %d demo customers in a grid", assigned, len(pts))
	}
	if err := ix.LocateAll(context.Background(), pts, cells[:1], out, 2); err == nil {
		t.Fatal("LocateAll accepted cells of the wrong length")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ix.LocateAll(ctx, pts, nil, out, 2); !errors.Is(err, context.Canceled) {
		t.Fatalf("LocateAll with a cancelled context: %v", err)
	}
}

func TestEmptyIndex(t *testing.T) {
	ix := mustBuild(t, nil, gridindex.Options{})
	if id, ok := ix.LocateCell(orb.Point{120, 30}, geo.Cell(orb.Point{120, 30}, 12)); ok || id != 0 {
		t.Fatalf("empty index located a point in grid %d", id)
	}
	var zero gridindex.Index
	if _, ok := zero.Locate(orb.Point{120, 30}); ok {
		t.Fatal("zero index located a point")
	}
}

func TestSearchInIDOrder(t *testing.T) {
	ix := mustBuild(t, demoGrids(t), gridindex.Options{CacheRes: gridindex.NoCache})
	var ids []int64
	ix.Search(orb.Bound{Min: demo.Center, Max: demo.Center}.Pad(0.02), func(id int64, _ orb.Polygon) bool {
		ids = append(ids, id)
		return true
	})
	if len(ids) < 2 {
		t.Fatalf("search around the centre found %v", ids)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("search order %v, want ascending ids", ids)
		}
	}
}

func TestChooseRes(t *testing.T) {
	tests := []struct {
		name string
		side float64 // degrees
		want int
	}{
		{"1 km grids", 0.01, 10},
		{"3 km grids", 0.03, 9},
		{"20 km grids", 0.2, 7},
		{"100 m grids", 0.001, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			polys := []orb.Polygon{square(120, 30, tt.side), square(121, 30, tt.side), square(122, 30, tt.side*2)}
			if got := gridindex.ChooseRes(polys); got != tt.want {
				t.Fatalf("ChooseRes = %d, want %d", got, tt.want)
			}
		})
	}
}
