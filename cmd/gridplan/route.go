package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"gridplan/territory/route/op"
	"gridplan/territory/route/tsp"
)

const routeUsage = `Usage: gridplan route <tsp|op|solomon> FILE [flags]

Solve a published benchmark instance and print the solution as JSON on one
line (the verification interfaces of the route solvers):

  tsp      a TSPLIB file (EUC_2D, CEIL_2D, ATT or GEO):
           {"name":…,"length":…,"tour":[1-based node ids]}
  op       an orienteering instance ("Tmax P", then "x y score"; first point
           the start, second the end):
           {"name":…,"score":…,"length":…,"route":[0-based point indexes]}
  solomon  a Solomon VRPTW instance (--vehicles K):
           {"name":…,"vehicles":…,"distance":…,"routes":[[customer ids]]}

Run "gridplan route tsp --help" for a command's flags.
`

// routeCmd dispatches `gridplan route SUBCOMMAND`.
func routeCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, routeUsage)
		return errors.New("route: say what to solve: gridplan route tsp|op|solomon FILE")
	}
	switch args[0] {
	case "tsp":
		return routeTSPCmd(ctx, args[1:], stdout, stderr)
	case "op":
		return routeOPCmd(ctx, args[1:], stdout, stderr)
	case "solomon":
		return routeSolomonCmd(ctx, args[1:], e, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, routeUsage)
		return flag.ErrHelp
	}
	fmt.Fprint(stderr, routeUsage)
	return fmt.Errorf("route: unknown command %q (want tsp, op or solomon)", args[0])
}

// parseWithFile parses flags that may come before or after the one FILE
// argument and returns it.
func parseWithFile(fs *flag.FlagSet, args []string) (string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch len(files) {
	case 0:
		fs.Usage()
		return "", fmt.Errorf("%s: name the instance file", fs.Name())
	case 1:
		return files[0], nil
	}
	return "", fmt.Errorf("%s: one instance file, got %q", fs.Name(), files)
}

// solveFlags are the flags every route solver takes.
type solveFlags struct {
	timeLimit time.Duration
	seed      uint64
}

func (c *solveFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&c.timeLimit, "time-limit", time.Second, "stop the search after this long (single-threaded)")
	fs.Uint64Var(&c.seed, "seed", 1, "random seed (same seed and time: same search)")
}

func (c *solveFlags) check() error {
	if c.timeLimit <= 0 {
		return fmt.Errorf("--time-limit %v: must be positive", c.timeLimit)
	}
	return nil
}

func routeTSPCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c solveFlags
	fs := newFlagSet("route tsp", `Solve a symmetric TSP in TSPLIB format (NODE_COORD_SECTION with EUC_2D,
CEIL_2D, ATT or GEO distances, computed as TSPLIB95 defines them) and print
{"name":…,"length":…,"tour":[1-based node ids]}. The solver is iterated
local search (2-opt and Or-opt with neighbour lists and don't-look bits,
double-bridge kicks); it uses one core and stops at --time-limit.

  gridplan route tsp FILE.tsp [--time-limit 1s] [--seed N]`, stderr)
	c.register(fs)
	path, err := parseWithFile(fs, args)
	if err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	in, err := tsp.ReadFile(path)
	if err != nil {
		return err
	}
	m, err := in.Matrix()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	res, err := tsp.Solve(ctx, m, tsp.Options{TimeLimit: c.timeLimit, Seed: c.seed})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tour := make([]int, len(res.Tour))
	for i, v := range res.Tour {
		tour[i] = v + 1
	}
	return writeJSONLine(stdout, struct {
		Name   string `json:"name"`
		Length int64  `json:"length"`
		Tour   []int  `json:"tour"`
	}{in.Name, res.Length, tour})
}

func routeOPCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c solveFlags
	fs := newFlagSet("route op", `Solve an orienteering instance (first line "Tmax P" with P = 1, then
"x y score" per point; the first point is the start, the second the end;
Euclidean distances): the route from start to end within Tmax with the
greatest score. Prints {"name":…,"score":…,"length":…,"route":[0-based point
indexes, start to end]}; the name is the file's, without extension.

  gridplan route op FILE.txt [--time-limit 1s] [--seed N]`, stderr)
	c.register(fs)
	path, err := parseWithFile(fs, args)
	if err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	in, err := op.ReadFile(path)
	if err != nil {
		return err
	}
	res, err := op.Solve(ctx, in.Problem(), op.Options{TimeLimit: c.timeLimit, Seed: c.seed})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeJSONLine(stdout, struct {
		Name   string  `json:"name"`
		Score  float64 `json:"score"`
		Length float64 `json:"length"`
		Route  []int   `json:"route"`
	}{in.Name, res.Score, res.Length, res.Route})
}

// writeJSONLine writes v as one line of JSON.
func writeJSONLine(w io.Writer, v any) error {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}
