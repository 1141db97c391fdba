// Command gridplan is the one gridplan binary: it serves the web app and API,
// applies migrations, loads the demo city and manages users.
//
//	gridplan serve [--addr :8080] [--db sqlite:./var/gridplan.db | postgres://…] [--demo]
//	gridplan migrate [--db …]
//	gridplan demo [--customers 20000] [--seed 1] [--reset] [--db …]
//	gridplan users add --username NAME --role planner [--manager m001] [--db …]
//	gridplan import customers FILE [--crs wgs84|gcj02|bd09] [--map …] [--db …]
//	gridplan import districts FILE --crs wgs84|gcj02|bd09 [--city 杭州市 --province 浙江省] [--db …]
//	gridplan import resources FILE [--crs wgs84|gcj02|bd09] [--db …]
//	gridplan coverage report [--format xlsx|csv|json] [--as-of YYYY-MM-DD] [--out FILE] [--db …]
//	gridplan funnel lapse [--db …]
//	gridplan geocode [--gazetteer FILE] < addresses.txt > results.csv
//	gridplan assign [--db …]
//	gridplan balance --instance FILE.json [--out FILE] [--compact]
//	gridplan route tsp FILE.tsp [--time-limit 1s] [--seed N]
//	gridplan route op FILE.txt [--time-limit 1s]
//	gridplan route solomon FILE.txt --vehicles K
//
// Every subcommand takes --help.
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

const usage = `gridplan — grid territory planner for telecom SME sales teams

Usage:
  gridplan <command> [flags]

Commands:
  serve     start the web server and API (applies migrations first)
  migrate   apply database migrations
  demo      load the demo city (Hangzhou-like) into the store
  users     manage logins (users add)
  import    import customers from CSV/XLSX (import customers FILE),
            districts from GeoJSON/KML boundaries (import districts FILE --crs …)
            or network resources from CSV/GeoJSON (import resources FILE)
  coverage  coverage report per province, district and grid (XLSX, CSV, JSON)
  funnel    the sales funnel's jobs (funnel lapse: end claims without activity)
  geocode   geocode addresses read from stdin, CSV on stdout
  assign    reassign every customer to its grid
  balance   balance managers' lists on a JSON instance (exact min-cost flow)
  route     solve a benchmark instance and print JSON (route tsp|op|solomon FILE)

Run "gridplan <command> --help" for a command's flags.
Environment: DATABASE_URL, GRIDPLAN_ADDR, GRIDPLAN_LOG_LEVEL, GRIDPLAN_LOG_FORMAT,
GRIDPLAN_SECURE_COOKIES, GRIDPLAN_PASSWORD (users add).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gridplan:", err)
		os.Exit(1)
	}
}

// run is main without the process: tests call it with their own arguments
// and writers.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runEnv(ctx, args, envFromOS(), stdin, stdout, stderr)
}

// runEnv is run with the environment given as a lookup function.
func runEnv(ctx context.Context, args []string, env env, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serveCmd(ctx, rest, env, stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, rest, env, stdout, stderr)
	case "demo":
		return demoCmd(ctx, rest, env, stdout, stderr)
	case "users":
		return usersCmd(ctx, rest, env, stdin, stdout, stderr)
	case "import":
		return importKindCmd(ctx, rest, env, stdin, stdout, stderr)
	case "geocode":
		return geocodeCmd(ctx, rest, env, stdin, stdout, stderr)
	case "assign":
		return assignCmd(ctx, rest, env, stdout, stderr)
	case "coverage":
		return coverageCmd(ctx, rest, env, stdout, stderr)
	case "funnel":
		return funnelCmd(ctx, rest, env, stdout, stderr)
	case "balance":
		return balanceCmd(ctx, rest, stdin, stdout, stderr)
	case "route":
		return routeCmd(ctx, rest, env, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return flag.ErrHelp
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
