package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"gridplan/territory/route/vrptw"
)

func routeSolomonCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var (
		vehicles   int
		iterations int
		timeLimit  time.Duration
		seed       uint64
	)
	fs := newFlagSet("route solomon", `Solve a Solomon VRPTW instance (the original text format: VEHICLE NUMBER and
CAPACITY, then CUST NO., XCOORD., YCOORD., DEMAND, READY TIME, DUE DATE,
SERVICE TIME; row 0 is the depot) with at most --vehicles vehicles of the
file's capacity, minimising the total distance (Euclidean, unrounded; travel
time = distance). Prints
{"name":…,"vehicles":…,"distance":…,"routes":[[customer ids]]}, "vehicles"
being the routes used. The solver is SISR ruin-and-recreate under simulated
annealing (package territory/route/vrptw); it is deterministic for a seed
and --iterations unless --time-limit stops it first. When the vehicles are
too few to serve every customer, it says so and exits with an error.

  gridplan route solomon FILE.txt --vehicles K [--time-limit 5s] [--iterations N] [--seed N]`, stderr)
	fs.IntVar(&vehicles, "vehicles", 0, "fleet size K (0: the file's VEHICLE NUMBER)")
	fs.IntVar(&iterations, "iterations", vrptw.DefaultIterations, "ruin-and-recreate iterations minimising the distance")
	fs.DurationVar(&timeLimit, "time-limit", 5*time.Second, "stop the search after this long (single-threaded) with the best solution so far")
	fs.Uint64Var(&seed, "seed", 1, "random seed")
	path, err := parseWithFile(fs, args)
	if err != nil {
		return err
	}
	switch {
	case vehicles < 0:
		return fmt.Errorf("--vehicles %d: must not be negative", vehicles)
	case iterations < 1:
		return fmt.Errorf("--iterations %d: must be positive", iterations)
	case timeLimit <= 0:
		return fmt.Errorf("--time-limit %v: must be positive", timeLimit)
	}
	in, err := vrptw.ReadFile(path)
	if err != nil {
		return err
	}
	sol, err := vrptw.Solve(ctx, in, vrptw.Options{Vehicles: vehicles, Seed: seed, Iterations: iterations, TimeLimit: timeLimit})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeJSONLine(stdout, struct {
		Name     string  `json:"name"`
		Vehicles int     `json:"vehicles"`
		Distance float64 `json:"distance"`
		Routes   [][]int `json:"routes"`
	}{in.Name, len(sol.Routes), sol.Distance, sol.Routes})
}
