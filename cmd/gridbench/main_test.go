package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"gridplan/data/demo"
)

func runBench(t *testing.T, e env, args ...string) (string, string, error) {
	t.Helper()
	var out, errw bytes.Buffer
	err := run(context.Background(), args, e, &out, &errw)
	return out.String(), errw.String(), err
}

func noEnv(string) (string, bool) { return "", false }

func TestUsage(t *testing.T) {
	out, _, err := runBench(t, noEnv, "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "assign") {
		t.Fatalf("--help: %v\n%s", err, out)
	}
	_, stderr, err := runBench(t, noEnv, "assign", "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("assign --help: %v", err)
	}
	for _, w := range []string{"-customers", "-grids", "-runs", "-db", "DATABASE_URL", "enable_seqscan", "lowest grid id"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("assign --help does not mention %q", w)
		}
	}
}

func TestBadArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no benchmark", nil, "no benchmark"},
		{"unknown benchmark", []string{"sort"}, `unknown benchmark "sort"`},
		{"no customers", []string{"assign", "--customers", "0"}, "--customers 0"},
		{"too many customers", []string{"assign", "--customers", "9000000"}, "--customers 9000000"},
		{"no grids", []string{"assign", "--grids", "0"}, "--grids 0"},
		{"negative grids", []string{"assign", "--grids", "-5"}, "--grids -5"},
		{"no runs", []string{"assign", "--runs", "0"}, "--runs 0"},
		{"negative workers", []string{"assign", "--workers", "-1"}, "--workers -1"},
		{"stray argument", []string{"assign", "now"}, "unexpected arguments"},
		{"not a number", []string{"assign", "--customers", "many"}, "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runBench(t, noEnv, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// gridTarget finds the Options.Grids that gives the wanted grid count, or
// the nearest the city's shape allows: the count moves in steps of a
// lattice row or column.
func TestGridTarget(t *testing.T) {
	tests := []struct {
		customers, want, slack int
		scan                   bool // check against every target within ±10%
	}{
		{200_000, 1000, 10, false},
		{200_000, 400, 12, false},
		{50_000, 600, 15, true},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.want), func(t *testing.T) {
			target, got, err := gridTarget(tt.customers, tt.want, 1)
			if err != nil {
				t.Fatal(err)
			}
			if abs(got-tt.want) > tt.slack {
				t.Fatalf("gridTarget(%d, %d) = target %d, %d grids; want within %d", tt.customers, tt.want, target, got, tt.slack)
			}
			n, err := demo.CountGrids(demo.Options{Seed: 1, Customers: tt.customers, Grids: target})
			if err != nil || n != got {
				t.Fatalf("CountGrids with target %d = %d, %v; gridTarget said %d", target, n, err, got)
			}
			if !tt.scan {
				return
			}
			for g := tt.want * 9 / 10; g <= tt.want*11/10; g++ {
				n, err := demo.CountGrids(demo.Options{Seed: 1, Customers: tt.customers, Grids: g})
				if err != nil {
					t.Fatal(err)
				}
				if abs(n-tt.want) < abs(got-tt.want) {
					t.Fatalf("target %d gives %d grids, nearer %d than gridTarget's %d", g, n, tt.want, got)
				}
			}
		})
	}
}

func TestMedianAndCompare(t *testing.T) {
	if m := median([]time.Duration{5, 1, 3}); m != 3 {
		t.Errorf("median of 5 1 3 = %v", m)
	}
	if m := median([]time.Duration{4, 1, 3, 2}); m != 2 {
		t.Errorf("median of 4 1 3 2 = %v", m)
	}
	n, ex := compare([]int64{1, 2, 3, 0}, []int64{1, 5, 3, 7})
	if n != 2 || len(ex) != 2 || ex[0] != 1 || ex[1] != 3 {
		t.Errorf("compare = %d, %v", n, ex)
	}
}

// postgisURL returns TEST_DATABASE_URL when it answers and has PostGIS.
// Otherwise the test skips, or fails under CI=true, which must run the
// PostGIS side (.ci/run installs the extension).
func postgisURL(t *testing.T) string {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true requires the PostGIS benchmark to run: "+format, args...)
		}
		t.Skipf(format, args...)
	}
	dsn := os.Getenv("TEST_DATABASE_URL")
	if dsn == "" {
		missing("TEST_DATABASE_URL is not set")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		missing("PostgreSQL at TEST_DATABASE_URL does not answer: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS postgis"); err != nil {
		missing("PostGIS is not installed (apt-get install -y postgresql-15-postgis-3): %v", err)
	}
	return dsn
}

func benchSchemas(t *testing.T, dsn string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'gridbench\_%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var finalLine = regexp.MustCompile(`(?m)\Aassign customers=(\d+) grids=(\d+) ours_per_s=(\d+) postgis_per_s=(\d+) ratio=([0-9.]+) mismatches=(\d+)\n\z`)

// The whole benchmark at a small scale, PostGIS included: both sides agree
// on every point, the last line has the promised shape and the schema is
// gone afterwards.
func TestAssignBenchmarkPostGIS(t *testing.T) {
	dsn := postgisURL(t)
	before := benchSchemas(t, dsn)
	out, _, err := runBench(t, noEnv, "assign", "--customers", "3000", "--grids", "40", "--runs", "1", "--db", dsn)
	if err != nil {
		t.Fatalf("gridbench assign: %v\n%s", err, out)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(out, "\n"), "\n")
	last := lines[len(lines)-1] + "\n"
	m := finalLine.FindStringSubmatch(last)
	if m == nil {
		t.Fatalf("last line %q does not have the promised shape; output:\n%s", last, out)
	}
	if m[1] != "3000" || m[6] != "0" {
		t.Errorf("last line %q: want customers=3000 and mismatches=0", last)
	}
	grids, _ := strconv.Atoi(m[2])
	if grids < 30 || grids > 60 {
		t.Errorf("%d grids, want about 40", grids)
	}
	for _, want := range []string{"PostGIS plan", "Nested Loop", "Index Scan using", "0 assigned differently", "H3 cache at resolution",
		"grid vertices: 0 differ", "edge midpoints: 0 differ", "400 points outside the city: 0 differ"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if after := benchSchemas(t, dsn); after != before {
		t.Errorf("%d gridbench schemas after the run, %d before: the schema was not dropped", after, before)
	}
}

// A database that does not answer is an error that says what to do.
func TestAssignBenchmarkNoDatabase(t *testing.T) {
	_, _, err := runBench(t, noEnv, "assign", "--customers", "500", "--grids", "24", "--runs", "1", "--db", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err == nil || !strings.Contains(err.Error(), "is PostgreSQL running") {
		t.Fatalf("err = %v, want a connection error that says what to check", err)
	}
}
