package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/data/demo"
	"gridplan/geo"
	"gridplan/geo/gridindex"
)

// assignConfig is the assign benchmark's flags.
type assignConfig struct {
	customers int
	grids     int
	seed      uint64
	runs      int
	workers   int
	db        string
}

func assignCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var c assignConfig
	fs := flag.NewFlagSet("assign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage: gridbench assign [flags]

Generates a demo city of --customers businesses cut into about --grids grids,
assigns every business to its grid with gridplan's index and with the same
join in PostGIS (on the PostgreSQL of --db, in a schema of its own that is
dropped at the end), checks that both agree on every point, and on every grid
vertex, edge midpoint and some points just outside the city, and prints both
throughputs. A point on an edge shared by grids goes to the lowest grid id on
both sides; a point in no grid is unassigned.

Each side is timed --runs times and the median is reported. PostGIS runs with
jit off and work_mem 256MB, and the fastest of several plans is reported: the
join either way round (points probing the polygons' index, or polygons
probing the points' index), swayed with enable_seqscan on and off and with or
without parallel workers, the lowest grid id per point taken in SQL or by the
client; each plan's EXPLAIN is printed. Loading and indexing are reported
apart from the join on both sides.

Flags:
`)
		fs.PrintDefaults()
	}
	fs.IntVar(&c.customers, "customers", 1_000_000, "businesses in the demo city")
	fs.IntVar(&c.grids, "grids", 5000, "grids to aim at (the city's shape makes it approximate; the exact count is printed)")
	fs.Uint64Var(&c.seed, "seed", 1, "random seed of the demo city")
	fs.IntVar(&c.runs, "runs", 3, "timed runs of each side; the median is reported")
	fs.IntVar(&c.workers, "workers", 0, "goroutines for gridplan's assignment (0: GOMAXPROCS)")
	fs.StringVar(&c.db, "db", e.str("DATABASE_URL", defaultDB), "PostgreSQL with PostGIS (env DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("assign: unexpected arguments %q", fs.Args())
	}
	switch {
	case c.customers < 1 || c.customers > demo.MaxCustomers:
		return fmt.Errorf("--customers %d: want 1 to %d", c.customers, demo.MaxCustomers)
	case c.grids < 1 || c.grids > demo.MaxGrids:
		return fmt.Errorf("--grids %d: want 1 to %d", c.grids, demo.MaxGrids)
	case c.runs < 1 || c.runs > 20:
		return fmt.Errorf("--runs %d: want 1 to 20", c.runs)
	case c.workers < 0:
		return fmt.Errorf("--workers %d: must not be negative", c.workers)
	}
	if c.workers == 0 {
		c.workers = runtime.GOMAXPROCS(0)
	}
	return benchAssign(ctx, c, stdout)
}

// workload is what both sides assign.
type workload struct {
	grids []gridindex.Grid
	pts   []orb.Point
	cells []h3.Cell
}

func benchAssign(ctx context.Context, c assignConfig, w io.Writer) error {
	t0 := time.Now()
	target, got, err := gridTarget(c.customers, c.grids, c.seed)
	if err != nil {
		return err
	}
	city, err := demo.Generate(demo.Options{Seed: c.seed, Customers: c.customers, Grids: target, Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		return fmt.Errorf("generate demo city: %w", err)
	}
	wl := workload{
		grids: make([]gridindex.Grid, len(city.Grids)),
		pts:   make([]orb.Point, len(city.Customers)),
		cells: make([]h3.Cell, len(city.Customers)),
	}
	for i, g := range city.Grids {
		wl.grids[i] = gridindex.Grid{ID: g.ID, Polygon: g.Boundary}
	}
	for i, cu := range city.Customers {
		wl.pts[i], wl.cells[i] = cu.Location, cu.Cell
	}
	city = nil
	if got != len(wl.grids) {
		return fmt.Errorf("demo city has %d grids, CountGrids said %d", len(wl.grids), got)
	}
	n, m := len(wl.pts), len(wl.grids)
	fmt.Fprintf(w, "demo city: %d businesses, %d grids (asked for %d; Options.Grids %d), generated in %s\n",
		n, m, c.grids, target, time.Since(t0).Round(time.Millisecond))
	fmt.Fprintf(w, "machine: %d CPUs, GOMAXPROCS %d; gridplan uses %d goroutines; load average %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), c.workers, loadAvg())

	ours, err := runOurs(ctx, wl, c, w)
	if err != nil {
		return err
	}
	probes, kinds := edgeProbes(wl.grids)
	pg, err := runPostGIS(ctx, c.db, wl, probes, c.runs, w)
	if err != nil {
		return fmt.Errorf("postgis: %w", err)
	}

	mismatches, examples := compare(ours.out, pg.out)
	for _, i := range examples {
		fmt.Fprintf(w, "mismatch: point %d at (%.9f, %.9f): gridplan %d, PostGIS %d\n", i+1, wl.pts[i][0], wl.pts[i][1], ours.out[i], pg.out[i])
	}
	if err := checkProbes(ctx, wl, probes, kinds, pg.probes, w); err != nil {
		return err
	}
	assigned := 0
	for _, g := range ours.out {
		if g != 0 {
			assigned++
		}
	}
	oursPerS := float64(n) / ours.assign.Seconds()
	pgPerS := float64(n) / pg.best.Seconds()
	fmt.Fprintf(w, "check: %d points, %d in a grid, %d in none; %d assigned differently\n", n, assigned, n-assigned, mismatches)
	fmt.Fprintf(w, "gridplan: %s per assignment (median of %d) = %.0f points/s; with its index build (%s) %.0f points/s\n",
		ours.assign.Round(time.Microsecond), c.runs, oursPerS, ours.build.Round(time.Millisecond), float64(n)/(ours.assign+ours.build).Seconds())
	fmt.Fprintf(w, "PostGIS: %s per join (median of %d, plan %q) = %.0f points/s; loading and indexing took %s more\n",
		pg.best.Round(time.Millisecond), c.runs, pg.bestPlan, pgPerS, pg.load.Round(time.Millisecond))
	fmt.Fprintf(w, "load average at the end: %s\n", loadAvg())
	fmt.Fprintf(w, "assign customers=%d grids=%d ours_per_s=%.0f postgis_per_s=%.0f ratio=%.1f mismatches=%d\n",
		n, m, oursPerS, pgPerS, oursPerS/pgPerS, mismatches)
	return nil
}

// gridTarget finds the Options.Grids that makes the demo city of customers
// businesses have (as near as it gets to) want grids, and that count.
func gridTarget(customers, want int, seed uint64) (target, got int, err error) {
	opts := demo.Options{Seed: seed, Customers: customers}
	target, bestDiff := want, math.MaxInt
	tried := map[int]int{}
	t := want
	for range 8 {
		if _, seen := tried[t]; seen {
			break
		}
		opts.Grids = t
		n, err := demo.CountGrids(opts)
		if err != nil {
			return 0, 0, fmt.Errorf("demo city with %d grids: %w", t, err)
		}
		tried[t] = n
		if d := abs(n - want); d < bestDiff {
			target, got, bestDiff = t, n, d
		}
		if n == want {
			break
		}
		next := int(math.Round(float64(t) * float64(want) / float64(n)))
		if next == t {
			next += sign(want - n)
		}
		t = max(1, min(demo.MaxGrids, next))
	}
	return target, got, nil
}

func abs(v int) int { return max(v, -v) }

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// oursResult is gridplan's side: medians and the assignment itself.
type oursResult struct {
	build, assign time.Duration
	out           []int64
}

// runOurs builds the index and assigns every point, runs times; it also
// times, once each, the exact test alone and the cache on one goroutine,
// to show what each part is worth.
func runOurs(ctx context.Context, wl workload, c assignConfig, w io.Writer) (*oursResult, error) {
	var builds, assigns, trees, caches []time.Duration
	res := &oursResult{out: make([]int64, len(wl.pts))}
	var ix *gridindex.Index
	for range c.runs {
		t0 := time.Now()
		var err error
		ix, err = gridindex.Build(ctx, wl.grids, gridindex.Options{Workers: c.workers})
		if err != nil {
			return nil, err
		}
		builds = append(builds, time.Since(t0))
		st := ix.Stats()
		trees, caches = append(trees, st.TreeBuild), append(caches, st.CacheBuild)
		t1 := time.Now()
		if err := ix.LocateAll(ctx, wl.pts, wl.cells, res.out, c.workers); err != nil {
			return nil, err
		}
		assigns = append(assigns, time.Since(t1))
	}
	res.build, res.assign = median(builds), median(assigns)
	st := ix.Stats()
	hits := 0
	for i, p := range wl.pts {
		if _, ok := ix.FromCache(p, wl.cells[i]); ok {
			hits++
		}
	}
	fmt.Fprintf(w, "gridplan index: R-tree over %d grids %s; H3 cache at resolution %d, %d cells, %s (medians)\n",
		st.Grids, median(trees).Round(time.Microsecond), st.CacheRes, st.CachedCells, median(caches).Round(time.Millisecond))
	fmt.Fprintf(w, "gridplan assign: %s (median of %v), %.1f%% of points answered from the cache\n",
		res.assign.Round(time.Microsecond), roundAll(assigns), 100*float64(hits)/float64(len(wl.pts)))

	// The parts, once each.
	exact, err := gridindex.Build(ctx, wl.grids, gridindex.Options{CacheRes: gridindex.NoCache})
	if err != nil {
		return nil, err
	}
	scratch := make([]int64, len(wl.pts))
	t := time.Now()
	if err := exact.LocateAll(ctx, wl.pts, nil, scratch, c.workers); err != nil {
		return nil, err
	}
	dExact := time.Since(t)
	if n, _ := compare(res.out, scratch); n != 0 {
		return nil, fmt.Errorf("the index with and without its cache disagree on %d points", n)
	}
	t = time.Now()
	if err := ix.LocateAll(ctx, wl.pts, wl.cells, scratch, 1); err != nil {
		return nil, err
	}
	dOne := time.Since(t)
	fmt.Fprintf(w, "gridplan parts: exact test only (no cache) %s = %.0f points/s; cache on 1 goroutine %s = %.0f points/s\n",
		dExact.Round(time.Microsecond), float64(len(wl.pts))/dExact.Seconds(), dOne.Round(time.Microsecond), float64(len(wl.pts))/dOne.Seconds())
	return res, nil
}

// compare counts the points assigned differently and returns up to five of
// them.
func compare(a, b []int64) (int, []int) {
	n := 0
	var ex []int
	for i := range a {
		if a[i] != b[i] {
			n++
			if len(ex) < 5 {
				ex = append(ex, i)
			}
		}
	}
	return n, ex
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

// loadAvg is the 1, 5 and 15 minute load averages (Linux), or "unknown":
// printed because a busy machine slows PostgreSQL's several processes more
// than one Go process, which flatters the ratio.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// Kinds of edge probes.
const (
	probeVertex = iota
	probeMidpoint
	probeOutside
)

var probeKinds = []string{"grid vertices", "edge midpoints", "points outside the city"}

// edgeProbes returns the points where the shared-edge rule matters: every
// distinct grid vertex (shared by up to four grids, exactly), the midpoint
// of every grid edge (on the edge as far as float64 allows) and points
// just outside the city, with the kind of each.
func edgeProbes(grids []gridindex.Grid) ([]orb.Point, []int) {
	var pts []orb.Point
	var kinds []int
	seen := map[orb.Point]bool{}
	all := grids[0].Polygon.Bound()
	for _, g := range grids {
		all = all.Union(g.Polygon.Bound())
		for _, ring := range g.Polygon {
			for k := 0; k+1 < len(ring); k++ {
				a, b := ring[k], ring[k+1]
				for kind, p := range []orb.Point{a, {(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}} {
					if !seen[p] {
						seen[p] = true
						pts = append(pts, p)
						kinds = append(kinds, kind) // probeVertex, probeMidpoint
					}
				}
			}
		}
	}
	for i := range 100 {
		t := float64(i) / 100
		dx, dy := all.Max[0]-all.Min[0], all.Max[1]-all.Min[1]
		for _, p := range []orb.Point{
			{all.Min[0] + t*dx, all.Min[1] - 0.001}, {all.Min[0] + t*dx, all.Max[1] + 0.001},
			{all.Min[0] - 0.001, all.Min[1] + t*dy}, {all.Max[0] + 0.001, all.Min[1] + t*dy},
		} {
			pts = append(pts, p)
			kinds = append(kinds, probeOutside)
		}
	}
	return pts, kinds
}

// checkProbes compares gridplan's and PostGIS's answers on the edge probes
// and prints the count per kind; a difference on a vertex or outside the
// city is an error of the rule, one at an edge midpoint a difference of
// floating-point robustness (GEOS decides orientation exactly, orb with a
// slope comparison) on a point that lies on the edge only to within an ulp.
func checkProbes(ctx context.Context, wl workload, probes []orb.Point, kinds []int, pg []int64, w io.Writer) error {
	ix, err := gridindex.Build(ctx, wl.grids, gridindex.Options{})
	if err != nil {
		return err
	}
	n := make([]int, len(probeKinds))
	diff := make([]int, len(probeKinds))
	for i, p := range probes {
		got, _ := ix.LocateCell(p, geo.Cell(p, geo.CustomerCellRes))
		n[kinds[i]]++
		if got != pg[i] {
			diff[kinds[i]]++
			if diff[kinds[i]] <= 3 {
				fmt.Fprintf(w, "edge probe differs: %s (%.12f, %.12f): gridplan %d, PostGIS %d\n", probeKinds[kinds[i]], p[0], p[1], got, pg[i])
			}
		}
	}
	var parts []string
	for k, name := range probeKinds {
		parts = append(parts, fmt.Sprintf("%d %s: %d differ", n[k], name, diff[k]))
	}
	fmt.Fprintf(w, "edge check: %s\n", strings.Join(parts, "; "))
	return nil
}
