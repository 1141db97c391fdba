package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gridplan/territory/route/vrptw"
)

// routeSolomonBench solves every instance listed in dir/best_known.tsv
// (dir/NAME.txt), each with vrptw.DefaultIterations, c's seed and at most
// c's time limit, with the vehicle count of its best known
// distance-minimising solution (min_distance_vehicles) and compares the
// distance with that solution's (min_distance): the solver minimises the
// distance for a given fleet, which is that column's objective, not the
// hierarchical one (fewest vehicles first) of bks_vehicles/bks_distance.
// Every solution goes through vrptw.Check. It prints a line per instance, the mean gap per family (C1, C2, R1, R2,
// RC1, RC2), then
//
//	solomon instances=N mean_gap_pct=… max_gap_pct=… mean_ms=… vehicles=min_distance_vehicles infeasible=…
//
// An instance the solver cannot serve with those vehicles is reported and
// counted as infeasible, not in the gaps.
func routeSolomonBench(ctx context.Context, dir string, c routeBenchConfig, w io.Writer) error {
	f, err := os.Open(filepath.Join(dir, "best_known.tsv"))
	if err != nil {
		return err
	}
	rows, err := vrptw.ReadBestKnown(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("best_known.tsv: %w", err)
	}
	if len(rows) == 0 {
		return fmt.Errorf("%s: no instances in best_known.tsv", dir)
	}
	type family struct {
		gaps []float64
	}
	families := map[string]*family{}
	var order []string
	var gaps []float64
	var total time.Duration
	infeasible := 0
	for _, bk := range rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		in, err := vrptw.ReadFile(filepath.Join(dir, bk.Instance+".txt"))
		if err != nil {
			return err
		}
		k := bk.MinDistanceVehicles
		start := time.Now()
		sol, err := vrptw.Solve(ctx, in, vrptw.Options{Vehicles: k, Seed: c.Seed, TimeLimit: c.TimeLimit})
		elapsed := time.Since(start)
		total += elapsed
		if errors.Is(err, vrptw.ErrInfeasible) {
			infeasible++
			fmt.Fprintf(w, "%-6s vehicles=%d INFEASIBLE: %v ms=%d\n", bk.Instance, k, err, elapsed.Milliseconds())
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", bk.Instance, err)
		}
		if err := vrptw.Check(in, k, sol); err != nil {
			return fmt.Errorf("%s: infeasible solution: %w", bk.Instance, err)
		}
		gap := 100 * (sol.Distance - bk.MinDistance) / bk.MinDistance
		gaps = append(gaps, gap)
		fam := solomonFamily(bk.Instance)
		if families[fam] == nil {
			families[fam] = &family{}
			order = append(order, fam)
		}
		families[fam].gaps = append(families[fam].gaps, gap)
		fmt.Fprintf(w, "%-6s vehicles=%d/%d distance=%.2f best=%.2f gap_pct=%.2f ms=%d iterations=%d\n",
			bk.Instance, len(sol.Routes), k, sol.Distance, bk.MinDistance, gap, elapsed.Milliseconds(), sol.Iterations)
	}
	slices.Sort(order)
	for _, fam := range order {
		g := families[fam].gaps
		fmt.Fprintf(w, "solomon family=%s instances=%d mean_gap_pct=%.2f max_gap_pct=%.2f\n", fam, len(g), mean(g), slices.Max(g))
	}
	maxGap := math.NaN()
	if len(gaps) > 0 {
		maxGap = slices.Max(gaps)
	}
	fmt.Fprintf(w, "solomon instances=%d mean_gap_pct=%.2f max_gap_pct=%.2f mean_ms=%d vehicles=min_distance_vehicles infeasible=%d\n",
		len(rows), mean(gaps), maxGap, total.Milliseconds()/int64(len(rows)), infeasible)
	return nil
}

// solomonFamily is an instance's family: its letters and the digit after
// them ("RC1" for RC108).
func solomonFamily(name string) string {
	i := strings.IndexFunc(name, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 || i+1 > len(name) {
		return name
	}
	return strings.ToUpper(name[:i+1])
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	t := 0.0
	for _, x := range v {
		t += x
	}
	return t / float64(len(v))
}
