package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"

	"gridplan/geo"
	"gridplan/territory"
	"gridplan/territory/coverage"
)

func TestCoverageBadArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no customers", []string{"--customers", "0"}, "--customers 0"},
		{"too many customers", []string{"--customers", "9000000"}, "--customers 9000000"},
		{"no resources", []string{"--resources", "0"}, "--resources 0"},
		{"too many resources", []string{"--resources", "600000"}, "--resources 600000"},
		{"no runs", []string{"--runs", "0"}, "--runs 0"},
		{"negative workers", []string{"--workers", "-2"}, "--workers -2"},
		{"as-of not a date", []string{"--as-of", "soon"}, `--as-of "soon"`},
		{"as-of in another format", []string{"--as-of", "30/06/2027"}, `--as-of "30/06/2027"`},
		{"check-as-of not a date", []string{"--check-as-of", "2027-13-01"}, `--check-as-of "2027-13-01"`},
		{"unknown mix", []string{"--mix", "random"}, `--mix "random"`},
		{"stray argument", []string{"now"}, "unexpected arguments"},
		{"not a number", []string{"--resources", "many"}, "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runBench(t, noEnv, append([]string{"coverage"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	_, stderr, err := runBench(t, noEnv, "coverage", "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("coverage --help: %v", err)
	}
	for _, w := range []string{"-customers", "-resources", "-mix", "-as-of", "-check-as-of", "-runs", "-db", "DATABASE_URL",
		"use_spheroid = false", "ST_Intersects", "PostGIS has no H3", "enable_seqscan", "ours_s"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("coverage --help does not mention %q", w)
		}
	}
}

// cellParent is h3's Parent by bit arithmetic.
func TestCellParent(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 2000 {
		p := orb.Point{-180 + 360*rng.Float64(), -85 + 170*rng.Float64()}
		from := 5 + rng.IntN(geo.CustomerCellRes-4)
		if i%2 == 0 {
			from = geo.CustomerCellRes
		}
		c := geo.Cell(p, from)
		for res := 0; res <= from; res++ {
			if got, want := cellParent(c, res), int64(c.Parent(res)); got != want {
				t.Fatalf("cellParent(%v, %d) = %x, h3 says %x", c, res, got, want)
			}
		}
	}
}

func TestEffectiveRank(t *testing.T) {
	asOf := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
	at := func(y int, m time.Month, d, h int, loc *time.Location) *time.Time {
		v := time.Date(y, m, d, h, 0, 0, 0, loc)
		return &v
	}
	east := time.FixedZone("CST", 8*3600)
	tests := []struct {
		name   string
		status territory.ResourceStatus
		due    *time.Time
		want   uint8
	}{
		{"existing", territory.ResourceExisting, nil, rankExisting},
		{"existing with a date", territory.ResourceExisting, at(2030, 1, 1, 0, time.UTC), rankExisting},
		{"building, no date", territory.ResourceUnderConstruction, nil, rankUnderConstruction},
		{"building, due before", territory.ResourceUnderConstruction, at(2027, 1, 1, 0, time.UTC), rankExisting},
		{"building, due that day", territory.ResourceUnderConstruction, at(2027, 6, 30, 0, time.UTC), rankExisting},
		{"building, due that evening", territory.ResourceUnderConstruction, at(2027, 6, 30, 23, time.UTC), rankExisting},
		{"building, due the day after", territory.ResourceUnderConstruction, at(2027, 7, 1, 0, time.UTC), rankUnderConstruction},
		{"building, due the day after in UTC+8 (the day before in UTC)", territory.ResourceUnderConstruction, at(2027, 7, 1, 7, east), rankUnderConstruction},
		{"building, due that day in UTC+8 (the day after in UTC)", territory.ResourceUnderConstruction, at(2027, 6, 30, 3, east), rankExisting},
		{"planned, due after", territory.ResourcePlanned, at(2028, 1, 1, 0, time.UTC), rankPlanned},
		{"planned, no date", territory.ResourcePlanned, nil, rankPlanned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &territory.Resource{Status: tt.status, ExpectedDate: tt.due}
			if got := effectiveRank(r, asOf); got != tt.want {
				t.Errorf("rank %s, want %s", rankNames[got], rankNames[tt.want])
			}
			if got := coverage.Effective(r, coverage.DateOf(asOf)); uint8(got) != tt.want {
				t.Errorf("the analyzer says %s, want %s", got, rankNames[tt.want])
			}
		})
	}
}

// The benchmark's ranks are the analyzer's statuses.
func TestRanksAreAnalyzerStatuses(t *testing.T) {
	if len(coverage.Statuses) != len(rankNames) {
		t.Fatalf("%d analyzer statuses, %d ranks", len(coverage.Statuses), len(rankNames))
	}
	for i, s := range coverage.Statuses {
		if int(s) != i || s.String() != rankNames[i] {
			t.Errorf("analyzer status %d is %d %q, rank %d is %q", i, s, s, i, rankNames[i])
		}
	}
	for _, st := range territory.ResourceStatuses {
		if got, want := statusRank(st), uint8(coverage.Effective(&territory.Resource{Status: st}, 0)); got != want {
			t.Errorf("%s: rank %d, analyzer %d", st, got, want)
		}
	}
}

func TestAnswerFromPairs(t *testing.T) {
	a := answerFromPairs(4, []coverPair{
		{cust: 0, rank: rankPlanned, res: 7},
		{cust: 0, rank: rankUnderConstruction, res: 9},
		{cust: 0, rank: rankUnderConstruction, res: 3},
		{cust: 2, rank: rankExisting, res: 5},
		{cust: 2, rank: rankExisting, res: 1},
		{cust: 2, rank: rankPlanned, res: 2},
		{cust: 3, rank: rankPlanned, res: 4},
		{cust: 2, rank: rankExisting, res: 5},
	})
	wantRank := []uint8{rankUnderConstruction, rankNone, rankExisting, rankPlanned}
	wantIDs := [][]int64{{3, 9}, {}, {1, 5}, {4}}
	if !slices.Equal(a.rank, wantRank) {
		t.Errorf("ranks %v, want %v", a.rank, wantRank)
	}
	for i, want := range wantIDs {
		if got := a.covering(i); !slices.Equal(got, want) {
			t.Errorf("customer %d covered by %v, want %v", i, got, want)
		}
	}
	if err := checkAnswer(a, 4); err != nil {
		t.Error(err)
	}
	if err := checkAnswer(a, 5); err == nil {
		t.Error("an answer for 4 customers passes for 5")
	}
}

// testCustomers scatters n customers over a 20 km square around the demo
// city's centre.
func testCustomers(tb testing.TB, n int, seed uint64) []territory.CustomerLocation {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	cs := make([]territory.CustomerLocation, n)
	for i := range cs {
		p := geo.Offset(orb.Point{120.165, 30.272}, 20000*(rng.Float64()-0.5), 20000*(rng.Float64()-0.5))
		cs[i] = territory.CustomerLocation{ID: int64(i + 1), Location: p, Cell: geo.Cell(p, geo.CustomerCellRes)}
	}
	return cs
}

// The generated resources pass Validate, come out the same for the same
// seed, have every shape and status in about the promised shares, mix H3
// resolutions, and put some expected dates exactly on the as-of date and
// leave some out.
func TestBenchResources(t *testing.T) {
	cs := testCustomers(t, 2000, 1)
	asOf := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
	rs, err := benchResources(cs, 4000, 7, benchNow, asOf)
	if err != nil {
		t.Fatal(err)
	}
	again, err := benchResources(cs, 4000, 7, benchNow, asOf)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rs {
		if rs[i].Name != again[i].Name || rs[i].RadiusM != again[i].RadiusM || len(rs[i].Cells) != len(again[i].Cells) {
			t.Fatalf("resource %d differs between two runs with the same seed", i+1)
		}
	}
	var radius, poly, cells, onDate, noDate int
	status := map[territory.ResourceStatus]int{}
	res := map[int]bool{}
	for i, r := range rs {
		if r.ID != int64(i+1) {
			t.Fatalf("resource %d has id %d", i+1, r.ID)
		}
		status[r.Status]++
		switch g := r.Geometry.(type) {
		case orb.Point:
			radius++
			if r.RadiusM < 100 || r.RadiusM > 800 {
				t.Errorf("resource %d: radius %v", r.ID, r.RadiusM)
			}
		case orb.Polygon:
			poly++
			if err := geo.ValidatePolygon(g); err != nil {
				t.Errorf("resource %d: %v", r.ID, err)
			}
		default:
			cells++
			for _, c := range r.Cells {
				res[c.Resolution()] = true
			}
		}
		if r.Status != territory.ResourceExisting {
			switch {
			case r.ExpectedDate == nil:
				noDate++
			case r.ExpectedDate.Equal(asOf):
				onDate++
			}
		}
	}
	share := func(name string, got int, want float64) {
		t.Helper()
		if f := float64(got) / float64(len(rs)); f < want*0.8 || f > want*1.2 {
			t.Errorf("%s: %d of %d, want about %.0f%%", name, got, len(rs), 100*want)
		}
	}
	share("radius", radius, shareRadius)
	share("polygon", poly, sharePolygon)
	share("cells", cells, 1-shareRadius-sharePolygon)
	share("existing", status[territory.ResourceExisting], shareExisting)
	share("under construction", status[territory.ResourceUnderConstruction], shareBuilding)
	share("planned", status[territory.ResourcePlanned], 1-shareExisting-shareBuilding)
	if onDate == 0 || noDate == 0 {
		t.Errorf("%d resources due exactly on %s and %d without a date; want some of each", onDate, asOf.Format(dateLayout), noDate)
	}
	if len(res) < 4 {
		t.Errorf("cell resolutions %v, want a mix of at least 4", res)
	}
}

// covers is the plain definition of coverage the reference analyzers use.
func covers(r *territory.Resource, cu territory.CustomerLocation) bool {
	switch g := r.Geometry.(type) {
	case orb.Point:
		return geo.DistanceM(g, cu.Location) <= r.RadiusM
	case orb.Polygon:
		return planar.PolygonContains(g, cu.Location)
	}
	for _, c := range r.Cells {
		if cellParent(cu.Cell, c.Resolution()) == int64(c) {
			return true
		}
	}
	return false
}

// bruteCoverage tries every resource on every customer.
func bruteCoverage(_ context.Context, wl coverWorkload, asOf time.Time, _ int) (*coverAnswer, time.Duration, time.Duration, error) {
	t0 := time.Now()
	rs, cs := wl.resources, wl.customers
	var pairs []coverPair
	for i, cu := range cs {
		for _, r := range rs {
			if covers(r, cu) {
				pairs = append(pairs, coverPair{cust: int32(i), rank: effectiveRank(r, asOf), res: r.ID})
			}
		}
	}
	return answerFromPairs(len(cs), pairs), 0, time.Since(t0), nil
}

// referenceCoverage is the trivial indexed analysis the harness is tested
// with: an R-tree of the geometries' coverage boxes, and the cell sets by
// cell (a customer's res-12 cell can lie just outside the hexagon of its
// ancestor, so boxes would miss some).
func referenceCoverage(_ context.Context, wl coverWorkload, asOf time.Time, _ int) (*coverAnswer, time.Duration, time.Duration, error) {
	t0 := time.Now()
	rs, cs := wl.resources, wl.customers
	var tr rtree.RTreeG[*territory.Resource]
	byCell := map[int64][]*territory.Resource{}
	var resolutions []int
	for _, r := range rs {
		if r.Geometry == nil {
			for _, c := range r.Cells {
				byCell[int64(c)] = append(byCell[int64(c)], r)
				if !slices.Contains(resolutions, c.Resolution()) {
					resolutions = append(resolutions, c.Resolution())
				}
			}
			continue
		}
		b := r.CoverageBound()
		tr.Insert(b.Min, b.Max, r)
	}
	build := time.Since(t0)
	t1 := time.Now()
	var pairs []coverPair
	for i, cu := range cs {
		tr.Search(cu.Location, cu.Location, func(_, _ [2]float64, r *territory.Resource) bool {
			if covers(r, cu) {
				pairs = append(pairs, coverPair{cust: int32(i), rank: effectiveRank(r, asOf), res: r.ID})
			}
			return true
		})
		var seen []int64
		for _, res := range resolutions {
			for _, r := range byCell[cellParent(cu.Cell, res)] {
				if !slices.Contains(seen, r.ID) { // a resource may hold a cell and its descendant
					seen = append(seen, r.ID)
					pairs = append(pairs, coverPair{cust: int32(i), rank: effectiveRank(r, asOf), res: r.ID})
				}
			}
		}
	}
	return answerFromPairs(len(cs), pairs), build, time.Since(t1), nil
}

// The reference analysis agrees with brute force on a small city, as of
// two dates, down to the covering resources.
func TestReferenceCoverage(t *testing.T) {
	cs := testCustomers(t, 3000, 2)
	asOf := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
	rs, err := benchResources(cs, 600, 3, benchNow, asOf)
	if err != nil {
		t.Fatal(err)
	}
	for _, date := range []time.Time{asOf, benchNow} {
		wl := coverWorkload{customers: cs, resources: rs}
		want, _, _, _ := bruteCoverage(context.Background(), wl, date, 1)
		got, _, _, _ := referenceCoverage(context.Background(), wl, date, 1)
		if diff, ex := compareRanks(got.rank, want.rank); len(diff) != 0 {
			t.Fatalf("as of %s: %d customers differ, e.g. %v", date.Format(dateLayout), len(diff), ex)
		}
		if diff, ex := compareCovering(got, want); len(diff) != 0 {
			t.Fatalf("as of %s: covering resources of %d customers differ, e.g. %v", date.Format(dateLayout), len(diff), ex)
		}
		var n [4]int
		for _, r := range want.rank {
			n[r]++
		}
		for k, c := range n {
			if c == 0 {
				t.Errorf("as of %s: no customer %s; the instance does not exercise every status", date.Format(dateLayout), rankNames[k])
			}
		}
	}
}

var coverageLine = regexp.MustCompile(`(?m)\Acoverage customers=(\d+) resources=(\d+) ours_s=([0-9.]+) postgis_s=([0-9.]+) ratio=([0-9.]+) mismatches=(\d+)\n\z`)

func lastLine(out string) string {
	lines := strings.SplitAfter(strings.TrimSuffix(out, "\n"), "\n")
	return lines[len(lines)-1] + "\n"
}

// The whole coverage benchmark at a small scale, PostGIS included, with the
// reference analysis as gridplan's side: every plan agrees with it on every
// customer (as of both dates, down to the covering resources), the last
// line has the promised shape and the schema is gone afterwards. An
// analysis that ignores the as-of rule, or that measures on the spheroid,
// is caught.
func TestCoverageBenchmarkPostGIS(t *testing.T) {
	dsn := postgisURL(t)
	before := benchSchemas(t, dsn)
	cfg := coverageConfig{customers: 3000, resources: 400, seed: 1, runs: 1, workers: 1,
		asOf: time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), checkAsOf: benchNow, mix: mixEdges, db: dsn}
	run := func(t *testing.T, ours oursFunc) (string, []string) {
		t.Helper()
		var out bytes.Buffer
		if err := benchCoverage(context.Background(), cfg, ours, &out); err != nil {
			t.Fatalf("coverage benchmark: %v\n%s", err, out.String())
		}
		m := coverageLine.FindStringSubmatch(lastLine(out.String()))
		if m == nil {
			t.Fatalf("last line %q does not have the promised shape; output:\n%s", lastLine(out.String()), out.String())
		}
		return out.String(), m
	}

	for _, mix := range []string{mixDemo, mixEdges} {
		t.Run("gridplan, mix "+mix, func(t *testing.T) {
			out, _, err := runBench(t, noEnv, "coverage", "--customers", "3000", "--resources", "400", "--mix", mix, "--runs", "1", "--db", dsn)
			if err != nil {
				t.Fatalf("gridbench coverage: %v\n%s", err, out)
			}
			m := coverageLine.FindStringSubmatch(lastLine(out))
			if m == nil {
				t.Fatalf("last line %q does not have the promised shape; output:\n%s", lastLine(out), out)
			}
			if m[1] != "3000" || m[2] != "400" || m[6] != "0" {
				t.Errorf("last line %q: want customers=3000 resources=400 mismatches=0\n%s", m[0], out)
			}
			for _, want := range []string{"gridplan: build ", "0 with a different status, 0 with different covering resources",
				"; 0 customers with a different status", "mix " + mix} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
	t.Run("reference", func(t *testing.T) {
		out, m := run(t, referenceCoverage)
		if m[1] != "3000" || m[2] != "400" || m[6] != "0" {
			t.Errorf("last line %q: want customers=3000 resources=400 mismatches=0\n%s", m[0], out)
		}
		for _, want := range []string{"0 with a different status, 0 with different covering resources", "; 0 customers with a different status",
			"Index Scan using cust_geog", "Index Scan using cust_geom", "Index Scan using cust_c", "rows to client", "H3 cell sets"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("ignores the as-of date", func(t *testing.T) {
		stale := func(ctx context.Context, wl coverWorkload, _ time.Time, w int) (*coverAnswer, time.Duration, time.Duration, error) {
			return referenceCoverage(ctx, wl, benchNow, w)
		}
		out, m := run(t, stale)
		if n, _ := strconv.Atoi(m[6]); n == 0 || !strings.Contains(out, "mismatch as of 2027-06-30: customer ") {
			t.Errorf("an analysis ignoring --as-of passes: %q\n%s", m[0], out)
		}
	})
	t.Run("measures on the spheroid", func(t *testing.T) {
		// A radius 0.5% short moves circle edges by 0.5–4 m: the
		// customers there change status.
		short := func(ctx context.Context, wl coverWorkload, asOf time.Time, w int) (*coverAnswer, time.Duration, time.Duration, error) {
			shrunk := make([]*territory.Resource, len(wl.resources))
			for i, r := range wl.resources {
				c := *r
				c.RadiusM *= 0.995
				shrunk[i] = &c
			}
			wl.resources = shrunk
			return referenceCoverage(ctx, wl, asOf, w)
		}
		out, m := run(t, short)
		if n, _ := strconv.Atoi(m[6]); n == 0 || !strings.Contains(out, "radius") {
			t.Errorf("an analysis with radii 0.5%% short passes: %q\n%s", m[0], out)
		}
	})
	if after := benchSchemas(t, dsn); after != before {
		t.Errorf("%d gridbench schemas after the runs, %d before: a schema was not dropped", after, before)
	}
}

// A database that does not answer is an error that says what to do.
func TestCoverageBenchmarkNoDatabase(t *testing.T) {
	cfg := coverageConfig{customers: 500, resources: 50, seed: 1, runs: 1, workers: 1, asOf: benchNow, checkAsOf: benchNow, mix: mixDemo,
		db: "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"}
	err := benchCoverage(context.Background(), cfg, referenceCoverage, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "is PostgreSQL running") {
		t.Fatalf("err = %v, want a connection error that says what to check", err)
	}
}
