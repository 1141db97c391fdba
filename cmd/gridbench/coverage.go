package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/data/demo"
	"gridplan/geo"
	"gridplan/territory"
)

// coverageConfig is the coverage benchmark's flags.
type coverageConfig struct {
	customers int
	resources int
	seed      uint64
	runs      int
	workers   int
	asOf      time.Time // the date the analysis is asked for
	checkAsOf time.Time // a second date both sides answer, untimed
	mix       string    // where the resources come from: mixDemo or mixEdges
	db        string
	keep      bool // leave the PostGIS schema for inspection
}

// benchNow is the demo city's reference instant: resources under
// construction or planned come into service after it.
var benchNow = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

const dateLayout = "2006-01-02"

func coverageCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var c coverageConfig
	var asOf, checkAsOf string
	fs := flag.NewFlagSet("coverage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage: gridbench coverage [flags]

Generates a demo city of --customers businesses and --resources network
resources sited around them, then answers for every customer the best
status among the resources covering it as of --as-of (existing > under
construction > planned > none; a resource under construction or planned
whose expected date is on or before that date counts as existing), with
gridplan's coverage analyzer and with the same question in PostGIS (on the
PostgreSQL of --db, in a schema of its own that is dropped at the end).

The resources (--mix) are the demo city's own (demo): fibre cabinets and 5G
sites with radii, serving areas and building accesses as polygons, indoor 5G
and estate broadband as H3 cells of resolution 9 or 10; 70%% existing, 15%%
under construction (due 20–180 days after 2026-11-26), 15%% planned (due
180–720 days after). Or (edges) a mix that works the checks harder: radii
of 100–800 m, 12-vertex star polygons, H3 cell sets mixing resolutions 8 to
12, 5%% of the resources not yet in service without an expected date and 1%%
due exactly on --as-of.

gridplan's time (ours_s) is the full analysis from the customers, resources,
grids and districts in memory, with the analyzer the product uses
(territory/coverage): its build (coverage.New: compile the resources, index
the customers, find the customers each resource covers) plus its analysis
(the reports at province, district and grid level as of --as-of: every
resource's status that day, every customer's best status, the report
counts), each also reported apart; the median of --runs runs, a new
analyzer each run. Listing every customer's covering resources for the
check afterwards is not timed.

PostGIS answers with ST_DWithin on geography with use_spheroid = false for
radius resources (the sphere: gridplan's distances are great-circle distances
on a sphere, and the spheroid would move every circle by up to 0.3%%),
ST_Intersects for polygons, and, for H3 cells (PostGIS has no H3), equality
with the customers' parent cells at each resolution in use, computed in Go at
load time and stored as bigint columns. Its time (postgis_s) is the median
of --runs runs of the fastest of several plans (jit off, work_mem 256MB):
radius resources through the geography GiST index or through a geometry
bounding-box prefilter followed by the exact geography test, with
enable_seqscan on and off, the best status taken by GROUP BY in SQL or by
the client from the streamed (customer, resource, status) rows; each plan's
EXPLAIN is printed. Loading and indexing are reported apart.

Both sides must agree on every customer's status at --as-of and at
--check-as-of, and on the resources covering it with that status (compared
with PostGIS's streamed rows). A customer where they differ is a mismatch;
the first ones are listed. The last line is

  coverage customers=N resources=R ours_s=… postgis_s=… ratio=… mismatches=…

Flags:
`)
		fs.PrintDefaults()
	}
	fs.IntVar(&c.customers, "customers", 1_000_000, "businesses in the demo city")
	fs.IntVar(&c.resources, "resources", 50_000, "network resources sited around the businesses")
	fs.Uint64Var(&c.seed, "seed", 1, "random seed of the demo city and its resources")
	fs.IntVar(&c.runs, "runs", 3, "timed runs of each side; the median is reported")
	fs.IntVar(&c.workers, "workers", 0, "goroutines for gridplan's analysis (0: GOMAXPROCS)")
	fs.StringVar(&c.mix, "mix", mixDemo, "resources: "+mixDemo+" (the demo city's) or "+mixEdges+" (harder on the checks)")
	fs.StringVar(&asOf, "as-of", "2027-03-31", "date the coverage is asked for (YYYY-MM-DD)")
	fs.StringVar(&checkAsOf, "check-as-of", "2027-12-31", "second date both sides must agree on, untimed (YYYY-MM-DD)")
	fs.StringVar(&c.db, "db", e.str("DATABASE_URL", defaultDB), "PostgreSQL with PostGIS (env DATABASE_URL)")
	fs.BoolVar(&c.keep, "keep-schema", false, "leave the PostGIS schema for inspection (its name is printed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("coverage: unexpected arguments %q", fs.Args())
	}
	switch {
	case c.customers < 1 || c.customers > demo.MaxCustomers:
		return fmt.Errorf("--customers %d: want 1 to %d", c.customers, demo.MaxCustomers)
	case c.resources < 1 || c.resources > maxBenchResources:
		return fmt.Errorf("--resources %d: want 1 to %d", c.resources, maxBenchResources)
	case c.runs < 1 || c.runs > 20:
		return fmt.Errorf("--runs %d: want 1 to 20", c.runs)
	case c.workers < 0:
		return fmt.Errorf("--workers %d: must not be negative", c.workers)
	case c.mix != mixDemo && c.mix != mixEdges:
		return fmt.Errorf("--mix %q: want %s or %s", c.mix, mixDemo, mixEdges)
	}
	var err error
	if c.asOf, err = time.Parse(dateLayout, asOf); err != nil {
		return fmt.Errorf("--as-of %q: want a date YYYY-MM-DD", asOf)
	}
	if c.checkAsOf, err = time.Parse(dateLayout, checkAsOf); err != nil {
		return fmt.Errorf("--check-as-of %q: want a date YYYY-MM-DD", checkAsOf)
	}
	if c.workers == 0 {
		c.workers = runtime.GOMAXPROCS(0)
	}
	return benchCoverage(ctx, c, gridplanCoverage, stdout)
}

// maxBenchResources bounds --resources: ten times the 50,000.
const maxBenchResources = 500_000

// Resource mixes.
const (
	mixDemo  = "demo"
	mixEdges = "edges"
)

// Statuses as ranks, best first: what both sides compute per customer.
const (
	rankExisting = iota
	rankUnderConstruction
	rankPlanned
	rankNone
)

var rankNames = []string{"existing", "under_construction", "planned", "none"}

func statusRank(s territory.ResourceStatus) uint8 {
	switch s {
	case territory.ResourceExisting:
		return rankExisting
	case territory.ResourceUnderConstruction:
		return rankUnderConstruction
	case territory.ResourcePlanned:
		return rankPlanned
	}
	return rankNone
}

// effectiveRank is r's status as of asOf: under construction or planned
// with an expected date on or before that day counts as existing. Each
// date is the calendar day in its own location (stores keep expected dates
// as midnight UTC), as the analyzer reads them.
func effectiveRank(r *territory.Resource, asOf time.Time) uint8 {
	rank := statusRank(r.Status)
	if rank != rankExisting && r.ExpectedDate != nil && !calendarDay(*r.ExpectedDate).After(calendarDay(asOf)) {
		return rankExisting
	}
	return rank
}

// calendarDay is t's calendar day in t's location, as midnight UTC.
func calendarDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// coverAnswer is one side's answer for every customer (index = id - 1): its
// best rank and the resources of that rank covering it.
type coverAnswer struct {
	rank []uint8
	// The covering resources of customer i are ids[start[i]:start[i+1]],
	// ascending; start is nil when the side did not say.
	start []int32
	ids   []int64
}

// covering returns the covering resources of customer i, or nil.
func (a *coverAnswer) covering(i int) []int64 {
	if a.start == nil {
		return nil
	}
	return a.ids[a.start[i]:a.start[i+1]]
}

// coverPair is one covering: customer index, resource id, its rank.
type coverPair struct {
	cust int32
	rank uint8
	res  int64
}

// answerFromPairs keeps, per customer, the resources of its best rank.
func answerFromPairs(n int, pairs []coverPair) *coverAnswer {
	a := &coverAnswer{rank: make([]uint8, n), start: make([]int32, n+1)}
	for i := range a.rank {
		a.rank[i] = rankNone
	}
	for _, p := range pairs {
		a.rank[p.cust] = min(a.rank[p.cust], p.rank)
	}
	for _, p := range pairs {
		if p.rank == a.rank[p.cust] {
			a.start[p.cust+1]++
		}
	}
	for i := range n {
		a.start[i+1] += a.start[i]
	}
	a.ids = make([]int64, a.start[n])
	fill := slices.Clone(a.start[:n])
	for _, p := range pairs {
		if p.rank == a.rank[p.cust] {
			a.ids[fill[p.cust]] = p.res
			fill[p.cust]++
		}
	}
	// Sort each list and drop repeats (a cell set may hold a cell and its
	// descendant: two rows, one resource).
	w := int32(0)
	for i := range n {
		ids := a.ids[a.start[i]:a.start[i+1]]
		slices.Sort(ids)
		a.start[i] = w
		w += int32(copy(a.ids[w:], slices.Compact(ids)))
	}
	a.start[n] = w
	a.ids = a.ids[:w]
	return a
}

// oursFunc is gridplan's side as the benchmark sees it: the full analysis
// of the workload as of a date, with the analyzer's index build and its
// evaluation timed apart (converting its result to a coverAnswer is not
// timed).
type oursFunc func(ctx context.Context, wl coverWorkload, asOf time.Time, workers int) (ans *coverAnswer, build, analyze time.Duration, err error)

// coverWorkload is what both sides analyse. The grids and districts are
// for gridplan's reports; PostGIS answers per customer only.
type coverWorkload struct {
	customers []territory.CustomerLocation // ids 1..n in order
	resources []*territory.Resource        // ids 1..r in order
	grids     []*territory.Grid
	districts []*territory.District
}

func benchCoverage(ctx context.Context, c coverageConfig, ours oursFunc, w io.Writer) error {
	t0 := time.Now()
	opts := demo.Options{Seed: c.seed, Customers: c.customers, Now: benchNow}
	if c.mix == mixDemo {
		opts.Resources = c.resources
	}
	city, err := demo.Generate(opts)
	if err != nil {
		return fmt.Errorf("generate demo city: %w", err)
	}
	wl := coverWorkload{customers: make([]territory.CustomerLocation, len(city.Customers)), grids: city.Grids, districts: city.Districts}
	for i, cu := range city.Customers {
		wl.customers[i] = territory.CustomerLocation{ID: cu.ID, Location: cu.Location, Cell: cu.Cell, GridID: cu.GridID, Stage: cu.Stage, OwnerID: cu.OwnerID, Carrier: cu.Carrier, Size: cu.Size}
		if cu.ID != int64(i+1) {
			return fmt.Errorf("demo customer %d has id %d", i+1, cu.ID)
		}
	}
	wl.resources = city.Resources
	city = nil
	tGen := time.Since(t0)
	if c.mix == mixEdges {
		if wl.resources, err = benchResources(wl.customers, c.resources, c.seed, benchNow, c.asOf); err != nil {
			return err
		}
	}
	for i, r := range wl.resources {
		if r.ID != int64(i+1) {
			return fmt.Errorf("resource %d has id %d", i+1, r.ID)
		}
	}
	n, r := len(wl.customers), len(wl.resources)
	if r != c.resources {
		return fmt.Errorf("%d resources, asked for %d", r, c.resources)
	}
	fmt.Fprintf(w, "demo city: %d businesses and %d resources (mix %s) generated in %s\n", n, r, c.mix, tGen.Round(time.Millisecond))
	fmt.Fprintf(w, "resources: %s\n", describeResources(wl.resources, c.asOf))
	fmt.Fprintf(w, "machine: %d CPUs, GOMAXPROCS %d; gridplan uses %d goroutines; load average %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), c.workers, loadAvg())

	// gridplan.
	var builds, analyses, totals []time.Duration
	var mine *coverAnswer
	for range c.runs {
		runtime.GC() // the previous run's garbage is not this run's cost
		ans, build, analyze, err := ours(ctx, wl, c.asOf, c.workers)
		if err != nil {
			return fmt.Errorf("gridplan coverage: %w", err)
		}
		if err := checkAnswer(ans, n); err != nil {
			return fmt.Errorf("gridplan coverage: %w", err)
		}
		mine = ans
		builds, analyses, totals = append(builds, build), append(analyses, analyze), append(totals, build+analyze)
	}
	oursD := median(totals)
	fmt.Fprintf(w, "gridplan: build %s, analysis %s (medians of %v and %v); full analysis %s (median of %v)\n",
		median(builds).Round(time.Microsecond), median(analyses).Round(time.Microsecond), roundAll(builds), roundAll(analyses),
		oursD.Round(time.Microsecond), roundAll(totals))
	fmt.Fprintf(w, "gridplan statuses as of %s: %s\n", c.asOf.Format(dateLayout), rankCounts(mine.rank))
	mineCheck, _, _, err := ours(ctx, wl, c.checkAsOf, c.workers)
	if err != nil {
		return fmt.Errorf("gridplan coverage as of %s: %w", c.checkAsOf.Format(dateLayout), err)
	}
	if err := checkAnswer(mineCheck, n); err != nil {
		return fmt.Errorf("gridplan coverage as of %s: %w", c.checkAsOf.Format(dateLayout), err)
	}

	// PostGIS.
	pg, err := runCoveragePostGIS(ctx, c.db, wl, c.asOf, c.checkAsOf, c.runs, c.keep, w)
	if err != nil {
		return fmt.Errorf("postgis: %w", err)
	}

	// The checks.
	ix := resourceIndex(wl.resources)
	statusDiff, ex := compareRanks(mine.rank, pg.best.rank)
	idDiff, exIDs := compareCovering(mine, pg.pairs)
	checkDiff, exCheck := compareRanks(mineCheck.rank, pg.check.rank)
	mismatched := map[int]bool{}
	for _, set := range [][]int{statusDiff, idDiff, checkDiff} {
		for _, i := range set {
			mismatched[i] = true
		}
	}
	for _, i := range ex {
		fmt.Fprintf(w, "mismatch as of %s: %s\n", c.asOf.Format(dateLayout), explainMismatch(wl, ix, i, mine, pg.pairs, c.asOf))
	}
	for _, i := range exIDs {
		fmt.Fprintf(w, "covering resources differ: %s\n", explainMismatch(wl, ix, i, mine, pg.pairs, c.asOf))
	}
	for _, i := range exCheck {
		fmt.Fprintf(w, "mismatch as of %s: customer %d: gridplan %s, PostGIS %s\n", c.checkAsOf.Format(dateLayout), i+1, rankNames[mineCheck.rank[i]], rankNames[pg.check.rank[i]])
	}
	fmt.Fprintf(w, "PostGIS statuses as of %s: %s\n", c.asOf.Format(dateLayout), rankCounts(pg.best.rank))
	fmt.Fprintf(w, "check as of %s: %d customers, %d with a different status, %d with different covering resources (PostGIS plan %q)\n",
		c.asOf.Format(dateLayout), n, len(statusDiff), len(idDiff), pg.pairsPlan)
	fmt.Fprintf(w, "check as of %s: statuses %s; %d customers with a different status\n",
		c.checkAsOf.Format(dateLayout), rankCounts(mineCheck.rank), len(checkDiff))
	fmt.Fprintf(w, "PostGIS: %s per analysis (median of %d, plan %q); loading and indexing took %s more\n",
		pg.bestTime.Round(time.Millisecond), c.runs, pg.bestPlan, pg.load.Round(time.Millisecond))
	fmt.Fprintf(w, "load average at the end: %s\n", loadAvg())
	fmt.Fprintf(w, "coverage customers=%d resources=%d ours_s=%.3f postgis_s=%.3f ratio=%.1f mismatches=%d\n",
		n, r, oursD.Seconds(), pg.bestTime.Seconds(), pg.bestTime.Seconds()/oursD.Seconds(), len(mismatched))
	return nil
}

// checkAnswer guards against an answer of the wrong shape.
func checkAnswer(a *coverAnswer, n int) error {
	switch {
	case a == nil:
		return fmt.Errorf("no answer")
	case len(a.rank) != n:
		return fmt.Errorf("answer for %d customers, want %d", len(a.rank), n)
	case a.start != nil && (len(a.start) != n+1 || int(a.start[n]) != len(a.ids)):
		return fmt.Errorf("covering lists do not match %d customers", n)
	}
	for i, r := range a.rank {
		if r > rankNone {
			return fmt.Errorf("customer %d: rank %d", i+1, r)
		}
	}
	return nil
}

// compareRanks returns the customers whose ranks differ and up to five of
// them to show.
func compareRanks(a, b []uint8) (diff, ex []int) {
	for i := range a {
		if a[i] != b[i] {
			diff = append(diff, i)
		}
	}
	return diff, diff[:min(5, len(diff))]
}

// compareCovering returns the customers of equal rank whose covering
// resources differ, and up to five of them; nothing when a side did not
// list them.
func compareCovering(a, b *coverAnswer) (diff, ex []int) {
	if a.start == nil || b.start == nil {
		return nil, nil
	}
	for i := range a.rank {
		if a.rank[i] == b.rank[i] && !slices.Equal(a.covering(i), b.covering(i)) {
			diff = append(diff, i)
		}
	}
	return diff, diff[:min(5, len(diff))]
}

// resourceIndex maps resource ids to resources.
func resourceIndex(rs []*territory.Resource) map[int64]*territory.Resource {
	m := make(map[int64]*territory.Resource, len(rs))
	for _, r := range rs {
		m[r.ID] = r
	}
	return m
}

// explainMismatch describes customer i and the resources either side says
// cover it, with how far inside or outside each one's reach it lies.
func explainMismatch(wl coverWorkload, ix map[int64]*territory.Resource, i int, a, b *coverAnswer, asOf time.Time) string {
	cu := wl.customers[i]
	var s strings.Builder
	fmt.Fprintf(&s, "customer %d at (%.9f, %.9f) cell %v: gridplan %s %v, PostGIS %s %v",
		cu.ID, cu.Location[0], cu.Location[1], cu.Cell, rankNames[a.rank[i]], a.covering(i), rankNames[b.rank[i]], b.covering(i))
	seen := map[int64]bool{}
	for _, id := range append(slices.Clone(a.covering(i)), b.covering(i)...) {
		r := ix[id]
		if seen[id] || r == nil {
			continue
		}
		seen[id] = true
		fmt.Fprintf(&s, "; resource %d %s as of the date: %s", id, rankNames[effectiveRank(r, asOf)], reach(r, cu))
	}
	return s.String()
}

// reach says how a resource reaches a customer, for mismatch reports.
func reach(r *territory.Resource, cu territory.CustomerLocation) string {
	switch g := r.Geometry.(type) {
	case orb.Point:
		d := geo.DistanceM(g, cu.Location)
		return fmt.Sprintf("radius %.3f m, distance %.6f m (%+.2e m)", r.RadiusM, d, d-r.RadiusM)
	case orb.Polygon:
		return fmt.Sprintf("polygon of %d vertices, contains %v", len(g[0])-1, planar.PolygonContains(g, cu.Location))
	}
	var hits []string
	for _, c := range r.Cells {
		if cellParent(cu.Cell, c.Resolution()) == int64(c) {
			hits = append(hits, c.String())
		}
	}
	return fmt.Sprintf("%d H3 cells, holding the customer: %v", len(r.Cells), hits)
}

// cellParent is c's ancestor at resolution res (res ≤ c's resolution), by
// the H3 bit layout: the resolution field set to res and the digits below
// it set to 7 (unused). Pure Go, so computing eight parents of a million
// cells costs milliseconds, not cgo calls; tested against h3's Parent.
func cellParent(c h3.Cell, res int) int64 {
	v := uint64(c)&^(uint64(0xF)<<52) | uint64(res)<<52
	return int64(v | (uint64(1)<<(uint(15-res)*3) - 1))
}

func rankCounts(rank []uint8) string {
	var n [4]int
	for _, r := range rank {
		n[r]++
	}
	parts := make([]string, 4)
	for k := range n {
		parts[k] = fmt.Sprintf("%s %d (%.1f%%)", rankNames[k], n[k], 100*float64(n[k])/float64(max(1, len(rank))))
	}
	return strings.Join(parts, ", ")
}

// Shares of the benchmark's resources, by shape and by status.
const (
	shareRadius   = 0.60 // point + radius 100–800 m
	sharePolygon  = 0.37 // serving-area polygon, 150–800 m across its centre
	shareExisting = 0.60
	shareBuilding = 0.20 // under construction; the rest is planned
)

// benchResources sites n resources around randomly drawn customers: 60%
// points with a radius of 100–800 m (fibre cabinets, 5G sites), 37%
// serving-area polygons, 3% sets of H3 cells of resolution 8 to 10, half of
// them mixing two resolutions. 60% exist, 20% are under construction (due
// 20–400 days after now), 20% planned (due 120–900 days after now); of
// those, 5% have no expected date and 1% are due exactly on asOf, so that
// the as-of rule is exercised at its edge. Every resource passes Validate.
func benchResources(cs []territory.CustomerLocation, n int, seed uint64, now, asOf time.Time) ([]*territory.Resource, error) {
	rng := rand.New(rand.NewPCG(seed, 0x636f766572616765)) // "coverage"
	day := func(after int) *time.Time {
		d := calendarDay(now).AddDate(0, 0, after)
		return &d
	}
	rs := make([]*territory.Resource, n)
	for i := range rs {
		cu := cs[rng.IntN(len(cs))]
		site := geo.Offset(cu.Location, 50*rng.NormFloat64(), 50*rng.NormFloat64())
		r := &territory.Resource{ID: int64(i + 1)}
		switch x := rng.Float64(); {
		case x < shareExisting:
			r.Status = territory.ResourceExisting
		case x < shareExisting+shareBuilding:
			r.Status, r.ExpectedDate = territory.ResourceUnderConstruction, day(20+rng.IntN(381))
		default:
			r.Status, r.ExpectedDate = territory.ResourcePlanned, day(120+rng.IntN(781))
		}
		if r.ExpectedDate != nil {
			switch x := rng.Float64(); {
			case x < 0.05:
				r.ExpectedDate = nil
			case x < 0.06:
				d := calendarDay(asOf)
				r.ExpectedDate = &d
			}
		}
		switch x := rng.Float64(); {
		case x < shareRadius:
			r.Geometry, r.RadiusM = site, math.Round(100+700*rng.Float64())
			r.Kind = demo.KindFibreCabinet
			if r.RadiusM > 400 {
				r.Kind = demo.KindSite5G
			}
		case x < shareRadius+sharePolygon:
			r.Kind, r.Geometry = demo.KindServingArea, benchStar(rng, site, 150+650*rng.Float64())
		default:
			res := 8 + rng.IntN(3)
			r.Kind, r.Cells = demo.KindBuildingAccess, h3.GridDisk(geo.Cell(site, res), rng.IntN(4))
			if rng.IntN(2) == 0 { // a second, finer patch beside the first
				near := geo.Offset(site, 600*rng.NormFloat64(), 600*rng.NormFloat64())
				r.Cells = append(r.Cells, h3.GridDisk(geo.Cell(near, res+2), 1+rng.IntN(3))...)
			}
		}
		r.Name = fmt.Sprintf("%s-%06d", r.Kind, r.ID)
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("benchmark resource %d: %w", r.ID, err)
		}
		rs[i] = r
	}
	return rs, nil
}

// benchStar is a counter-clockwise polygon of 12 vertices around c at
// 60–100% of radiusM, at increasing angles: star-shaped around c, hence
// simple.
func benchStar(rng *rand.Rand, c orb.Point, radiusM float64) orb.Polygon {
	const n = 12
	ring := make(orb.Ring, 0, n+1)
	for k := range n {
		a := 2 * math.Pi * (float64(k) + 0.6*(rng.Float64()-0.5)) / n
		r := radiusM * (0.6 + 0.4*rng.Float64())
		ring = append(ring, geo.Offset(c, r*math.Cos(a), r*math.Sin(a)))
	}
	return orb.Polygon{append(ring, ring[0])}
}

// describeResources counts the resources by shape and status, and those
// counting as existing by asOf.
func describeResources(rs []*territory.Resource, asOf time.Time) string {
	var radius, poly, cellSets, cells, due int
	status := map[territory.ResourceStatus]int{}
	res := map[int]int{}
	for _, r := range rs {
		status[r.Status]++
		if r.Status != territory.ResourceExisting && effectiveRank(r, asOf) == rankExisting {
			due++
		}
		switch r.Geometry.(type) {
		case orb.Point:
			radius++
		case orb.Polygon:
			poly++
		default:
			cellSets++
			cells += len(r.Cells)
			for _, c := range r.Cells {
				res[c.Resolution()]++
			}
		}
	}
	var resList []string
	for k := 5; k <= geo.CustomerCellRes; k++ {
		if res[k] > 0 {
			resList = append(resList, fmt.Sprintf("%d at res %d", res[k], k))
		}
	}
	return fmt.Sprintf("%d point+radius, %d polygons, %d H3 cell sets (%d cells: %s); %d existing, %d under construction, %d planned, %d of these due by %s",
		radius, poly, cellSets, cells, strings.Join(resList, ", "),
		status[territory.ResourceExisting], status[territory.ResourceUnderConstruction], status[territory.ResourcePlanned], due, asOf.Format(dateLayout))
}
