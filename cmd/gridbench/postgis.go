package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"
)

// pgResult is the PostGIS side: the best plan's median and its assignment.
type pgResult struct {
	load     time.Duration
	best     time.Duration
	bestPlan string
	out      []int64
	probes   []int64 // the edge probes' grids
}

// plan is one way of asking PostGIS for the assignment: a query returning
// (point id, grid id) rows, run with enable_seqscan on or off and with or
// without parallel workers. When a point comes with several grids the
// client keeps the lowest id; a point with no row is in none.
type plan struct {
	name       string
	seqscan    bool
	noParallel bool
	sql        string
}

// PostgreSQL joins either way round: a (parallel) scan of the points
// probing the polygons' GiST index once per point, or a nested loop over
// the polygons probing the points' GiST index; enable_seqscan and the
// number of workers sway which one it picks, and the EXPLAIN printed with
// each timing shows what it did. The lowest grid id per point is taken by
// GROUP BY in SQL, or by the client from the streamed pairs.
var plans = []plan{
	{name: "pairs, seqscan on", seqscan: true, sql: joinPairsSQL},
	{name: "pairs, seqscan off", sql: joinPairsSQL},
	{name: "min in SQL, seqscan on", seqscan: true, sql: joinMinSQL},
	{name: "min in SQL, seqscan off", sql: joinMinSQL},
	{name: "min in SQL, seqscan off, no workers", noParallel: true, sql: joinMinSQL},
}

const (
	joinMinSQL   = `SELECT p.id, min(g.id) FROM pts p JOIN grids g ON ST_Intersects(g.geom, p.geom) GROUP BY p.id`
	joinPairsSQL = `SELECT p.id, g.id FROM pts p JOIN grids g ON ST_Intersects(g.geom, p.geom)`
)

// runPostGIS loads the workload into a fresh schema of the database at dsn
// (COPY, GiST indexes, ANALYZE), runs every plan runs times and returns the
// best plan's median and result. The schema is dropped at the end, also on
// error or cancellation.
func runPostGIS(ctx context.Context, dsn string, wl workload, probes []orb.Point, runs int, w io.Writer) (res *pgResult, err error) {
	conn, schema, version, err := openBenchSchema(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer func() {
		if derr := closeBenchSchema(conn, schema, false); derr != nil && err == nil {
			err = derr
		}
	}()

	load, err := loadPostGIS(ctx, conn, wl, w)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "PostGIS %s: loaded and indexed in %s\n", version, load.Round(time.Millisecond))

	res = &pgResult{load: load}
	out := make([]int64, len(wl.pts))
	for _, p := range plans {
		shape, err := explain(ctx, conn, p)
		if err != nil {
			return nil, fmt.Errorf("explain plan %q: %w", p.name, err)
		}
		fmt.Fprintf(w, "PostGIS plan %q:\n%s", p.name, shape)
		var times []time.Duration
		for range runs {
			clear(out)
			d, err := runPlan(ctx, conn, p, out)
			if err != nil {
				return nil, fmt.Errorf("plan %q: %w", p.name, err)
			}
			times = append(times, d)
		}
		med := median(times)
		fmt.Fprintf(w, "PostGIS plan %-38q %s (median of %v) = %.0f points/s\n", p.name, med.Round(time.Millisecond), roundAll(times), float64(len(wl.pts))/med.Seconds())
		if res.out == nil || med < res.best {
			res.best, res.bestPlan = med, p.name
			res.out = append(res.out[:0], out...)
		} else if n, _ := compare(res.out, out); n != 0 {
			return nil, fmt.Errorf("plan %q disagrees with plan %q on %d points", p.name, res.bestPlan, n)
		}
	}
	if res.probes, err = locateProbes(ctx, conn, probes); err != nil {
		return nil, fmt.Errorf("edge probes: %w", err)
	}
	return res, nil
}

// locateProbes assigns the edge probes (grid vertices, edge midpoints,
// points outside the city) with the lowest grid id in SQL.
func locateProbes(ctx context.Context, conn *pgx.Conn, probes []orb.Point) ([]int64, error) {
	if _, err := conn.Exec(ctx, "CREATE TABLE probes (id bigint NOT NULL, geom geometry(Point, 4326) NOT NULL)"); err != nil {
		return nil, err
	}
	_, err := conn.CopyFrom(ctx, pgx.Identifier{"probes"}, []string{"id", "geom"}, pgx.CopyFromSlice(len(probes), func(i int) ([]any, error) {
		p, err := ewkb.Marshal(probes[i], 4326)
		return []any{int64(i + 1), p}, err
	}))
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(probes))
	_, err = runPlan(ctx, conn, plan{name: "probes", seqscan: true,
		sql: `SELECT v.id, min(g.id) FROM probes v JOIN grids g ON ST_Intersects(g.geom, v.geom) GROUP BY v.id`}, out)
	return out, err
}

// loadPostGIS creates and fills the two tables and indexes them.
func loadPostGIS(ctx context.Context, conn *pgx.Conn, wl workload, w io.Writer) (time.Duration, error) {
	t0 := time.Now()
	for _, ddl := range []string{
		"CREATE TABLE grids (id bigint NOT NULL, geom geometry(Polygon, 4326) NOT NULL)",
		"CREATE TABLE pts (id bigint NOT NULL, geom geometry(Point, 4326) NOT NULL)",
	} {
		if _, err := conn.Exec(ctx, ddl); err != nil {
			return 0, fmt.Errorf("%s: %w", ddl, err)
		}
	}
	_, err := conn.CopyFrom(ctx, pgx.Identifier{"grids"}, []string{"id", "geom"}, pgx.CopyFromSlice(len(wl.grids), func(i int) ([]any, error) {
		g, err := ewkb.Marshal(wl.grids[i].Polygon, 4326)
		if err != nil {
			return nil, fmt.Errorf("grid %d: %w", wl.grids[i].ID, err)
		}
		return []any{wl.grids[i].ID, g}, nil
	}))
	if err != nil {
		return 0, fmt.Errorf("copy grids: %w", err)
	}
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"pts"}, []string{"id", "geom"}, pgx.CopyFromSlice(len(wl.pts), func(i int) ([]any, error) {
		p, err := ewkb.Marshal(wl.pts[i], 4326)
		if err != nil {
			return nil, fmt.Errorf("point %d: %w", i+1, err)
		}
		return []any{int64(i + 1), p}, nil
	}))
	if err != nil {
		return 0, fmt.Errorf("copy points: %w", err)
	}
	tCopy := time.Since(t0)
	t1 := time.Now()
	for _, ddl := range []string{
		"CREATE INDEX pts_geom ON pts USING gist (geom)",
		"CREATE INDEX grids_geom ON grids USING gist (geom)",
		"ANALYZE pts",
		"ANALYZE grids",
	} {
		if _, err := conn.Exec(ctx, ddl); err != nil {
			return 0, fmt.Errorf("%s: %w", ddl, err)
		}
	}
	fmt.Fprintf(w, "PostGIS load: COPY %d points and %d polygons %s; GiST indexes and ANALYZE %s\n",
		len(wl.pts), len(wl.grids), tCopy.Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
	return time.Since(t0), nil
}

// explain returns PostgreSQL's plan for p, indented, without running it.
func explain(ctx context.Context, conn *pgx.Conn, p plan) (string, error) {
	if err := setPlan(ctx, conn, p); err != nil {
		return "", err
	}
	defer resetPlan(conn)
	rows, err := conn.Query(ctx, "EXPLAIN (COSTS OFF) "+p.sql, pgx.QueryExecModeExec)
	if err != nil {
		return "", err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("    " + l + "\n")
	}
	return b.String(), nil
}

// setPlan applies p's settings; resetPlan undoes them.
func setPlan(ctx context.Context, conn *pgx.Conn, p plan) error {
	sets := []string{"SET enable_seqscan = on"}
	if !p.seqscan {
		sets[0] = "SET enable_seqscan = off"
	}
	if p.noParallel {
		sets = append(sets, "SET max_parallel_workers_per_gather = 0")
	}
	for _, set := range sets {
		if _, err := conn.Exec(ctx, set); err != nil {
			return fmt.Errorf("%s: %w", set, err)
		}
	}
	return nil
}

func resetPlan(conn *pgx.Conn) {
	conn.Exec(context.Background(), "RESET enable_seqscan")
	conn.Exec(context.Background(), "RESET max_parallel_workers_per_gather")
}

// runPlan runs one plan and fills out[point id - 1] with its grid (0: none).
func runPlan(ctx context.Context, conn *pgx.Conn, p plan, out []int64) (time.Duration, error) {
	if err := setPlan(ctx, conn, p); err != nil {
		return 0, err
	}
	defer resetPlan(conn)
	t0 := time.Now()
	// No cached prepared statement: PostgreSQL would keep the first plan
	// of a parameterless statement and ignore the settings of later ones.
	rows, err := conn.Query(ctx, p.sql, pgx.QueryExecModeExec)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var pid int64
	var gid *int64
	for rows.Next() {
		if err := rows.Scan(&pid, &gid); err != nil {
			return 0, err
		}
		if pid < 1 || int(pid) > len(out) {
			return 0, fmt.Errorf("point id %d out of range", pid)
		}
		if gid == nil {
			continue
		}
		if cur := &out[pid-1]; *cur == 0 || *gid < *cur {
			*cur = *gid
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

// openBenchSchema connects to the PostgreSQL at dsn, makes sure PostGIS is
// there, and creates a fresh schema of a random name that the session then
// works in (search_path), tuned as every PostGIS side of gridbench is: JIT
// off (it costs more than it saves on these queries), work_mem 256MB.
// closeBenchSchema undoes it.
func openBenchSchema(ctx context.Context, dsn string) (conn *pgx.Conn, schema, version string, err error) {
	conn, err = pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, "", "", fmt.Errorf("connect (is PostgreSQL running? set --db or DATABASE_URL): %w", err)
	}
	defer func() {
		if err != nil {
			conn.Close(context.Background())
		}
	}()
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis"); err != nil {
		return nil, "", "", fmt.Errorf("create extension postgis (install it: apt-get install -y postgresql-15-postgis-3): %w", err)
	}
	if err := conn.QueryRow(ctx, "SELECT postgis_lib_version()").Scan(&version); err != nil {
		return nil, "", "", fmt.Errorf("postgis version: %w", err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema = pgx.Identifier{"gridbench_" + hex.EncodeToString(b[:])}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return nil, "", "", fmt.Errorf("create schema: %w", err)
	}
	for _, set := range []string{
		"SET search_path = " + schema + ", public",
		"SET jit = off",
		"SET work_mem = '256MB'",
	} {
		if _, err := conn.Exec(ctx, set); err != nil {
			conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			return nil, "", "", fmt.Errorf("%s: %w", set, err)
		}
	}
	return conn, schema, version, nil
}

// closeBenchSchema drops schema (unless keep) and closes conn; it runs on
// its own deadline, so that a cancelled benchmark still cleans up.
func closeBenchSchema(conn *pgx.Conn, schema string, keep bool) error {
	defer conn.Close(context.Background())
	if keep {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		return fmt.Errorf("drop schema %s: %w", schema, err)
	}
	return nil
}
