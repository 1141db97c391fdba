// Command gridbench drives gridplan's benchmarks that need more than a Go
// benchmark: whole workloads beside the system they compete with.
//
//	gridbench assign [--customers 1000000] [--grids 5000] [--runs 3] [--db postgres://…]
//	gridbench tiles [--customers 1000000] [--db sqlite:PATH|postgres://…] [--rate 300] [--duration 30s]
//	gridbench coverage [--customers 1000000] [--resources 50000] [--as-of 2027-06-30] [--runs 3] [--db postgres://…]
//	gridbench balance [--customers 5000] [--managers 100] [--seed 1] [--solvers cbc,glpsol]
//	gridbench route [--tsplib DIR] [--op DIR] [--solomon DIR] [--time-limit 1s] [--seed 1]
//
// assign generates a demo city, assigns every business to its grid with
// gridplan's index (R-tree + exact point-in-polygon + H3 cell cache) and with
// the same join in PostGIS, checks that both put every point in the same
// grid, and prints both throughputs, ending with one line
//
//	assign customers=N grids=M ours_per_s=… postgis_per_s=… ratio=… mismatches=…
//
// tiles loads the demo city into a store, serves it with "gridplan serve",
// requests customer map tiles as map users would (open-loop at a fixed
// rate, then closed-loop with wrk when installed) and prints the latency
// percentiles and the server's resident memory, ending with one line
//
//	tiles customers=N requests=… rate=… p50_ms=… p99_ms=… errors=… rss_mb=… hwm_mb=…
//
// coverage answers, for every business of a demo city, the best status
// (existing, under construction, planned, none) among the network resources
// covering it as of a date, with gridplan's coverage analyzer and with the
// same question in PostGIS, checks that both agree on every business, and
// ends with one line
//
//	coverage customers=N resources=R ours_s=… postgis_s=… ratio=… mismatches=…
//
// route runs the route solvers on published benchmark instances (TSPLIB
// against optima.tsv, orienteering, Solomon VRPTW), one instance at a time
// on one core, and ends each part with one line, e.g.
//
//	tsplib instances=N mean_gap_pct=… max_gap_pct=… mean_ms=… mean_best_ms=…
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `gridbench — gridplan's side-by-side benchmarks

Usage:
  gridbench <benchmark> [flags]

Benchmarks:
  assign    assign demo businesses to grids: gridplan's index against PostGIS
  tiles     customer map tiles under load: latency percentiles and server memory
  coverage  every customer's best covering resource status: gridplan's analyzer against PostGIS
  balance   list balancing: gridplan's exact min-cost flow against CBC and GLPK on the same LP
  route     route solvers on TSPLIB, orienteering and Solomon instances: gaps and times

Run "gridbench <benchmark> --help" for its flags.
Environment: DATABASE_URL (the PostgreSQL with PostGIS; default ` + defaultDB + `).
`

// defaultDB is the local PostgreSQL the benchmark uses without --db or
// DATABASE_URL.
const defaultDB = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gridbench:", err)
		os.Exit(1)
	}
}

// env is the environment as a lookup function, so tests can supply their own.
type env func(key string) (string, bool)

func (e env) str(key, def string) string {
	if v, ok := e(key); ok && v != "" {
		return v
	}
	return def
}

// run is main without the process.
func run(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no benchmark given")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "assign":
		return assignCmd(ctx, rest, e, stdout, stderr)
	case "tiles":
		return tilesCmd(ctx, rest, e, stdout, stderr)
	case "coverage":
		return coverageCmd(ctx, rest, e, stdout, stderr)
	case "balance":
		return balanceCmd(ctx, rest, e, stdout, stderr)
	case "route":
		return routeCmd(ctx, rest, e, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return flag.ErrHelp
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown benchmark %q", cmd)
	}
}
