package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"

	"gridplan/geo"
	"gridplan/territory"
)

// coverPGResult is the PostGIS side of the coverage benchmark.
type coverPGResult struct {
	load      time.Duration
	bestTime  time.Duration
	bestPlan  string
	best      *coverAnswer // the fastest plan's answer
	pairs     *coverAnswer // the fastest streaming plan's answer, with the covering resources
	pairsPlan string
	check     *coverAnswer // the fastest plan's answer as of the check date
}

// coverPlan is one way of asking PostGIS the coverage question.
type coverPlan struct {
	name       string
	radius     string // the join condition of radius resources (rpt r) and customers (cust c)
	pairs      bool   // stream (customer, resource, rank) rows; else the best rank per customer by GROUP BY
	seqscan    bool
	noParallel bool
}

// The two ways to find the customers within a radius: ST_DWithin on
// geography, which PostGIS answers through the geography GiST index of the
// customers (expanding each site by its radius), or a geometry
// bounding-box prefilter on the customers' geometry GiST index (each box
// computed at load time from the radius, 1% larger than needed) followed
// by the exact geography test without its own index condition.
// use_spheroid is false: the sphere is what gridplan measures on.
const (
	radiusGeography = `ST_DWithin(r.geog, c.geog, r.radius_m, false)`
	radiusBox       = `c.geom && r.box AND _ST_DWithin(r.geog, c.geog, r.radius_m, false)`
)

var coverPlans = []coverPlan{
	{name: "geography index, best in SQL, seqscan on", radius: radiusGeography, seqscan: true},
	{name: "geography index, best in SQL, seqscan off", radius: radiusGeography},
	{name: "geometry box, best in SQL, seqscan on", radius: radiusBox, seqscan: true},
	{name: "geometry box, best in SQL, seqscan off", radius: radiusBox},
	{name: "geometry box, rows to client, seqscan off", radius: radiusBox, pairs: true},
}

// coverageSQL is plan p's query as of asOf. A resource's rank is its status
// (0 existing, 1 under construction, 2 planned), 0 when its expected date
// is on or before asOf. H3 cell resources are matched per resolution in use
// against the customers' parent cell of that resolution.
func coverageSQL(p coverPlan, asOf time.Time, resolutions []int) string {
	rank := fmt.Sprintf(`CASE WHEN r.status > 0 AND r.expected <= DATE '%s' THEN 0 ELSE r.status END`, asOf.Format(dateLayout))
	parts := []string{
		`SELECT c.id AS cid, r.id AS rid, ` + rank + ` AS rank FROM rpt r JOIN cust c ON ` + p.radius,
		`SELECT c.id, r.id, ` + rank + ` FROM rpoly r JOIN cust c ON ST_Intersects(r.geom, c.geom)`,
	}
	for _, res := range resolutions {
		parts = append(parts, fmt.Sprintf(`SELECT c.id, r.id, %s FROM rcell r JOIN cust c ON c.c%d = r.cell WHERE r.res = %d`, rank, res, res))
	}
	union := strings.Join(parts, "\nUNION ALL\n")
	if p.pairs {
		return union
	}
	return "SELECT cid, min(rank) FROM (\n" + union + "\n) p GROUP BY cid"
}

// runCoveragePostGIS loads the workload into a fresh schema of the
// database at dsn, runs every plan runs times as of asOf and the fastest
// once more as of checkAsOf. The schema is dropped at the end, also on
// error or cancellation, unless keep.
func runCoveragePostGIS(ctx context.Context, dsn string, wl coverWorkload, asOf, checkAsOf time.Time, runs int, keep bool, w io.Writer) (res *coverPGResult, err error) {
	conn, schema, version, err := openBenchSchema(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if keep {
		fmt.Fprintf(w, "PostGIS schema %s is kept (--keep-schema): drop it with DROP SCHEMA %s CASCADE\n", schema, schema)
	}
	defer func() {
		if derr := closeBenchSchema(conn, schema, keep); derr != nil && err == nil {
			err = derr
		}
	}()

	resolutions, load, err := loadCoverage(ctx, conn, wl, w)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "PostGIS %s: loaded and indexed in %s\n", version, load.Round(time.Millisecond))

	n := len(wl.customers)
	res = &coverPGResult{load: load}
	var best coverPlan
	var pairsTime time.Duration
	for _, cp := range coverPlans {
		p := plan{name: cp.name, seqscan: cp.seqscan, noParallel: cp.noParallel, sql: coverageSQL(cp, asOf, resolutions)}
		shape, err := explain(ctx, conn, p)
		if err != nil {
			return nil, fmt.Errorf("explain plan %q: %w", p.name, err)
		}
		fmt.Fprintf(w, "PostGIS plan %q:\n%s", p.name, shape)
		var times []time.Duration
		var ans *coverAnswer
		for range runs {
			d, a, err := runCoverPlan(ctx, conn, p, cp.pairs, n)
			if err != nil {
				return nil, fmt.Errorf("plan %q: %w", p.name, err)
			}
			times, ans = append(times, d), a
		}
		med := median(times)
		fmt.Fprintf(w, "PostGIS plan %-48q %s (median of %v)\n", p.name, med.Round(time.Millisecond), roundAll(times))
		if res.best != nil {
			if diff, _ := compareRanks(res.best.rank, ans.rank); len(diff) != 0 {
				return nil, fmt.Errorf("plan %q disagrees with plan %q on %d customers", p.name, res.bestPlan, len(diff))
			}
		}
		if res.best == nil || med < res.bestTime {
			res.best, res.bestTime, res.bestPlan, best = ans, med, p.name, cp
		}
		if cp.pairs && (res.pairs == nil || med < pairsTime) {
			res.pairs, res.pairsPlan, pairsTime = ans, p.name, med
		}
	}
	p := plan{name: best.name, seqscan: best.seqscan, noParallel: best.noParallel, sql: coverageSQL(best, checkAsOf, resolutions)}
	if _, res.check, err = runCoverPlan(ctx, conn, p, best.pairs, n); err != nil {
		return nil, fmt.Errorf("plan %q as of %s: %w", p.name, checkAsOf.Format(dateLayout), err)
	}
	return res, nil
}

// runCoverPlan runs one plan and returns its time and answer. The time is
// the query with its rows streamed to the client and every customer's best
// rank taken; gathering a streaming plan's covering resources per customer
// afterwards is not timed.
func runCoverPlan(ctx context.Context, conn *pgx.Conn, p plan, pairs bool, n int) (time.Duration, *coverAnswer, error) {
	if err := setPlan(ctx, conn, p); err != nil {
		return 0, nil, err
	}
	defer resetPlan(conn)
	rank := make([]uint8, n)
	for i := range rank {
		rank[i] = rankNone
	}
	var got []coverPair
	t0 := time.Now()
	// No cached prepared statement: PostgreSQL would keep the first plan
	// of a parameterless statement and ignore the settings of later ones.
	rows, err := conn.Query(ctx, p.sql, pgx.QueryExecModeExec)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var cid, rid int64
	var r int32
	dest := []any{&cid, &r}
	if pairs {
		dest = []any{&cid, &rid, &r}
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return 0, nil, err
		}
		if cid < 1 || cid > int64(n) || r < rankExisting || r > rankPlanned {
			return 0, nil, fmt.Errorf("row (customer %d, rank %d) out of range", cid, r)
		}
		i := cid - 1
		rank[i] = min(rank[i], uint8(r))
		if pairs {
			got = append(got, coverPair{cust: int32(i), rank: uint8(r), res: rid})
		}
	}
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	d := time.Since(t0)
	if !pairs {
		return d, &coverAnswer{rank: rank}, nil
	}
	return d, answerFromPairs(n, got), nil
}

// loadCoverage creates, fills and indexes the tables: cust (point as
// geometry and geography, and its parent H3 cell at each resolution the
// cell resources use), rpt (radius resources, with their bounding box),
// rpoly (polygon resources) and rcell (one row per H3 cell of a cell
// resource). It returns the resolutions in use and the time taken.
func loadCoverage(ctx context.Context, conn *pgx.Conn, wl coverWorkload, w io.Writer) ([]int, time.Duration, error) {
	t0 := time.Now()
	var pts, polys, cellSets []*territory.Resource
	var resolutions []int
	for _, r := range wl.resources {
		switch r.Geometry.(type) {
		case orb.Point:
			pts = append(pts, r)
		case orb.Polygon:
			polys = append(polys, r)
		default:
			cellSets = append(cellSets, r)
			for _, c := range r.Cells {
				if !slices.Contains(resolutions, c.Resolution()) {
					resolutions = append(resolutions, c.Resolution())
				}
			}
		}
	}
	slices.Sort(resolutions)

	// The customers' parent cells, in Go: PostGIS has no H3.
	tH3 := time.Now()
	n := len(wl.customers)
	parents := make([][]int64, len(resolutions))
	for k, res := range resolutions {
		parents[k] = make([]int64, n)
		for i, cu := range wl.customers {
			parents[k][i] = cellParent(cu.Cell, res)
		}
	}
	dH3 := time.Since(tH3)

	custCols := []string{"id", "geom", "geog"}
	ddl := "CREATE TABLE cust (id bigint NOT NULL, geom geometry(Point, 4326) NOT NULL, geog geography(Point, 4326) NOT NULL"
	for _, res := range resolutions {
		custCols = append(custCols, fmt.Sprintf("c%d", res))
		ddl += fmt.Sprintf(", c%d bigint NOT NULL", res)
	}
	ddl += ")"
	const status = "status smallint NOT NULL, expected date"
	for _, q := range []string{
		ddl,
		"CREATE TABLE rpt (id bigint NOT NULL, " + status + ", radius_m float8 NOT NULL, geom geometry(Point, 4326) NOT NULL, geog geography(Point, 4326) NOT NULL, box geometry(Polygon, 4326))",
		"CREATE TABLE rpoly (id bigint NOT NULL, " + status + ", geom geometry(Polygon, 4326) NOT NULL)",
		"CREATE TABLE rcell (id bigint NOT NULL, " + status + ", res smallint NOT NULL, cell bigint NOT NULL)",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", q, err)
		}
	}
	tCopy := time.Now()
	_, err := conn.CopyFrom(ctx, pgx.Identifier{"cust"}, custCols, pgx.CopyFromSlice(n, func(i int) ([]any, error) {
		cu := wl.customers[i]
		p, err := ewkb.Marshal(cu.Location, 4326)
		if err != nil {
			return nil, fmt.Errorf("customer %d: %w", cu.ID, err)
		}
		row := []any{cu.ID, p, p}
		for k := range resolutions {
			row = append(row, parents[k][i])
		}
		return row, nil
	}))
	if err != nil {
		return nil, 0, fmt.Errorf("copy customers: %w", err)
	}
	statusCols := func(r *territory.Resource) []any {
		var due any
		if r.ExpectedDate != nil {
			due = calendarDay(*r.ExpectedDate)
		}
		return []any{r.ID, int16(statusRank(r.Status)), due}
	}
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"rpt"}, []string{"id", "status", "expected", "radius_m", "geom", "geog"}, pgx.CopyFromSlice(len(pts), func(i int) ([]any, error) {
		r := pts[i]
		p, err := ewkb.Marshal(r.Geometry, 4326)
		if err != nil {
			return nil, fmt.Errorf("resource %d: %w", r.ID, err)
		}
		return append(statusCols(r), r.RadiusM, p, p), nil
	}))
	if err != nil {
		return nil, 0, fmt.Errorf("copy radius resources: %w", err)
	}
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"rpoly"}, []string{"id", "status", "expected", "geom"}, pgx.CopyFromSlice(len(polys), func(i int) ([]any, error) {
		r := polys[i]
		p, err := ewkb.Marshal(r.Geometry, 4326)
		if err != nil {
			return nil, fmt.Errorf("resource %d: %w", r.ID, err)
		}
		return append(statusCols(r), p), nil
	}))
	if err != nil {
		return nil, 0, fmt.Errorf("copy polygon resources: %w", err)
	}
	var cellRows [][]any
	for _, r := range cellSets {
		for _, c := range r.Cells {
			cellRows = append(cellRows, append(statusCols(r), int16(c.Resolution()), int64(c)))
		}
	}
	if _, err = conn.CopyFrom(ctx, pgx.Identifier{"rcell"}, []string{"id", "status", "expected", "res", "cell"}, pgx.CopyFromRows(cellRows)); err != nil {
		return nil, 0, fmt.Errorf("copy cell resources: %w", err)
	}
	dCopy := time.Since(tCopy)

	tIndex := time.Now()
	// The box of a radius: r/R radians of latitude, r/(R cos φ) of
	// longitude, 1% larger (PostGIS's sphere is 3 cm smaller than
	// gridplan's; the margin dwarfs that).
	box := fmt.Sprintf("UPDATE rpt SET box = ST_Expand(geom, 1.01 * radius_m / (%[1]f * cos(radians(ST_Y(geom)))), 1.01 * radius_m / %[1]f)", mPerDegLat)
	ddls := []string{
		box,
		"CREATE INDEX cust_geom ON cust USING gist (geom)",
		"CREATE INDEX cust_geog ON cust USING gist (geog)",
		"CREATE INDEX rpt_geog ON rpt USING gist (geog)",
		"CREATE INDEX rpt_box ON rpt USING gist (box)",
		"CREATE INDEX rpoly_geom ON rpoly USING gist (geom)",
		"CREATE INDEX rcell_cell ON rcell (res, cell)",
	}
	for _, res := range resolutions {
		ddls = append(ddls, fmt.Sprintf("CREATE INDEX cust_c%[1]d ON cust (c%[1]d)", res))
	}
	ddls = append(ddls, "ANALYZE cust", "ANALYZE rpt", "ANALYZE rpoly", "ANALYZE rcell")
	for _, q := range ddls {
		if _, err := conn.Exec(ctx, q); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", q, err)
		}
	}
	fmt.Fprintf(w, "PostGIS load: parent H3 cells of the customers at resolutions %v in Go %s; COPY %d customers, %d radius, %d polygon and %d cell resources (%d cells) %s; boxes, indexes and ANALYZE %s\n",
		resolutions, dH3.Round(time.Millisecond), n, len(pts), len(polys), len(cellSets), len(cellRows), dCopy.Round(time.Millisecond), time.Since(tIndex).Round(time.Millisecond))
	return resolutions, time.Since(t0), nil
}

// mPerDegLat is a degree of latitude in metres on gridplan's sphere.
const mPerDegLat = geo.EarthRadiusM * math.Pi / 180
