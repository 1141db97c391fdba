package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gridplan/territory/route/op"
	"gridplan/territory/route/tsp"
)

// routeBenchConfig is what the route benchmarks share: the time limit and
// seed of every solve (each solve runs on one core, one after the other).
type routeBenchConfig struct {
	TimeLimit time.Duration
	Seed      uint64
}

func routeCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var c routeBenchConfig
	var tsplibDir, opDir, solomonDir string
	fs := flag.NewFlagSet("route", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: gridbench route [--tsplib DIR] [--op DIR] [--solomon DIR] [--time-limit 1s] [--seed 1]

Runs the route solvers on published benchmark instances, one instance at a
time on one core, each with --time-limit.

--tsplib DIR solves every instance listed in DIR/optima.tsv (DIR/NAME.tsp),
checks each tour (a permutation, its length re-scored) and prints per
instance the length, the gap to the optimum, the time and when the best
tour was found, then one line

  tsplib instances=N mean_gap_pct=… max_gap_pct=… mean_ms=… mean_best_ms=…

--op DIR solves every orienteering instance in DIR's sub-folders (the
format of ../shared/benchmarks/orienteering), checks each route (start,
end, no repeats, within Tmax, score re-counted) and prints its score,
length and time; instances with at most 19 points worth visiting are also
solved exactly (dynamic programming over subsets) and compared. The last
line is

  op instances=N total_score=… mean_ms=… exact_checked=… exact_matched=…

--solomon DIR runs the VRPTW benchmark (see its own output).

Flags:
`)
		fs.PrintDefaults()
	}
	fs.StringVar(&tsplibDir, "tsplib", "", "folder with TSPLIB .tsp files and optima.tsv")
	fs.StringVar(&opDir, "op", "", "folder with orienteering instance sets (one sub-folder per set)")
	fs.StringVar(&solomonDir, "solomon", "", "folder with Solomon VRPTW instances and best_known.tsv")
	fs.DurationVar(&c.TimeLimit, "time-limit", time.Second, "time limit of each solve")
	fs.Uint64Var(&c.Seed, "seed", 1, "random seed of each solve")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("route: unexpected arguments %q", fs.Args())
	}
	if tsplibDir == "" && opDir == "" && solomonDir == "" {
		fs.Usage()
		return errors.New("route: give --tsplib, --op or --solomon DIR")
	}
	if c.TimeLimit <= 0 {
		return fmt.Errorf("--time-limit %v: must be positive", c.TimeLimit)
	}
	if tsplibDir != "" {
		if err := routeTSPLIB(ctx, tsplibDir, c, stdout); err != nil {
			return err
		}
	}
	if opDir != "" {
		if err := routeOP(ctx, opDir, c, stdout); err != nil {
			return err
		}
	}
	if solomonDir != "" {
		if err := routeSolomonBench(ctx, solomonDir, c, stdout); err != nil {
			return err
		}
	}
	return nil
}

// tsplibOptimum is one row of optima.tsv.
type tsplibOptimum struct {
	name    string
	optimum int64
}

// readOptima reads optima.tsv: a header, then name, nodes,
// edge_weight_type, optimal_tour_length, source.
func readOptima(path string) ([]tsplibOptimum, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []tsplibOptimum
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if line == 1 || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) < 4 {
			return nil, fmt.Errorf("%s:%d: want at least 4 tab-separated fields", path, line)
		}
		v, err := strconv.ParseInt(fs[3], 10, 64)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("%s:%d: optimal_tour_length %q", path, line, fs[3])
		}
		out = append(out, tsplibOptimum{fs[0], v})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no instances", path)
	}
	return out, nil
}

func routeTSPLIB(ctx context.Context, dir string, c routeBenchConfig, w io.Writer) error {
	rows, err := readOptima(filepath.Join(dir, "optima.tsv"))
	if err != nil {
		return err
	}
	var sumGap, maxGap float64
	var sumMs, sumBestMs float64
	for _, row := range rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		in, err := tsp.ReadFile(filepath.Join(dir, row.name+".tsp"))
		if err != nil {
			return err
		}
		m, err := in.Matrix()
		if err != nil {
			return fmt.Errorf("%s: %w", row.name, err)
		}
		res, err := tsp.Solve(ctx, m, tsp.Options{TimeLimit: c.TimeLimit, Seed: c.Seed})
		if err != nil {
			return fmt.Errorf("%s: %w", row.name, err)
		}
		if err := checkTour(res.Tour, in.Dimension()); err != nil {
			return fmt.Errorf("%s: %w", row.name, err)
		}
		length := in.TourLength(res.Tour)
		if length != res.Length {
			return fmt.Errorf("%s: the solver says %d, the tour re-scores to %d", row.name, res.Length, length)
		}
		gap := 100 * float64(length-row.optimum) / float64(row.optimum)
		ms := float64(res.Elapsed.Microseconds()) / 1000
		bestMs := float64(res.BestAt.Microseconds()) / 1000
		sumGap += gap
		maxGap = max(maxGap, gap)
		sumMs += ms
		sumBestMs += bestMs
		fmt.Fprintf(w, "%-10s n=%-4d %-7s optimum=%-7d length=%-7d gap_pct=%.3f ms=%.0f best_ms=%.1f kicks=%d\n",
			row.name, in.Dimension(), in.EdgeWeightType, row.optimum, length, gap, ms, bestMs, res.Iterations)
	}
	n := float64(len(rows))
	fmt.Fprintf(w, "tsplib instances=%d mean_gap_pct=%.3f max_gap_pct=%.3f mean_ms=%.0f mean_best_ms=%.1f\n",
		len(rows), sumGap/n, maxGap, sumMs/n, sumBestMs/n)
	return nil
}

// checkTour checks that tour visits 0..n-1 once each.
func checkTour(tour []int, n int) error {
	if len(tour) != n {
		return fmt.Errorf("tour has %d nodes, want %d", len(tour), n)
	}
	seen := make([]bool, n)
	for _, v := range tour {
		if v < 0 || v >= n || seen[v] {
			return fmt.Errorf("tour is no permutation (node %d)", v+1)
		}
		seen[v] = true
	}
	return nil
}

func routeOP(ctx context.Context, dir string, c routeBenchConfig, w io.Writer) error {
	sets, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var instances, checked, matched int
	var totalScore, sumMs float64
	for _, set := range sets {
		if !set.IsDir() {
			continue
		}
		files, err := filepath.Glob(filepath.Join(dir, set.Name(), "*.txt"))
		if err != nil {
			return err
		}
		slices.Sort(files)
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			in, err := op.ReadFile(f)
			if err != nil {
				return err
			}
			p := in.Problem()
			res, err := op.Solve(ctx, p, op.Options{TimeLimit: c.TimeLimit, Seed: c.Seed})
			if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			if err := checkOPRoute(in, res); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			ms := float64(res.Elapsed.Microseconds()) / 1000
			line := fmt.Sprintf("%s/%-36s n=%-3d tmax=%-4g score=%-5g length=%-8.3f ms=%.0f best_ms=%.1f",
				set.Name(), in.Name, len(in.Points), in.Tmax, res.Score, res.Length, ms, float64(res.BestAt.Microseconds())/1000)
			if ex, err := op.SolveExact(p); err == nil {
				checked++
				verdict := "optimal"
				if ex.Score == res.Score {
					matched++
				} else {
					verdict = "BELOW"
				}
				line += fmt.Sprintf(" exact=%g %s", ex.Score, verdict)
			}
			fmt.Fprintln(w, line)
			instances++
			totalScore += res.Score
			sumMs += ms
		}
	}
	if instances == 0 {
		return fmt.Errorf("%s: no instances (want one sub-folder of .txt files per set)", dir)
	}
	fmt.Fprintf(w, "op instances=%d total_score=%g mean_ms=%.0f exact_checked=%d exact_matched=%d\n",
		instances, totalScore, sumMs/float64(instances), checked, matched)
	return nil
}

// checkOPRoute checks a route against the instance: from point 0 to
// point 1, no point twice, within Tmax, the score and length re-counted.
func checkOPRoute(in *op.Instance, res op.Result) error {
	x := res.Route
	if len(x) < 2 || x[0] != 0 || x[len(x)-1] != 1 {
		return fmt.Errorf("route %v does not run from point 0 to point 1", x)
	}
	seen := make([]bool, len(in.Points))
	var score, length float64
	for k, v := range x {
		if v < 0 || v >= len(seen) || seen[v] {
			return fmt.Errorf("route %v: point %d repeated or out of range", x, v)
		}
		seen[v] = true
		score += in.Scores[v]
		if k > 0 {
			length += in.Dist(x[k-1], v)
		}
	}
	if length > in.Tmax+1e-9 {
		return fmt.Errorf("route length %v over Tmax %v", length, in.Tmax)
	}
	if score != res.Score || math.Abs(length-res.Length) > 1e-9 {
		return fmt.Errorf("solver says score %v length %v, route re-counts to %v %v", res.Score, res.Length, score, length)
	}
	return nil
}
