package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data/demo"
	"gridplan/geo"
	"gridplan/territory/balance"
)

// balanceConfig is the balance benchmark's flags.
type balanceConfig struct {
	customers int
	managers  int
	seed      uint64
	solvers   []string
	timeLimit time.Duration
	keep      string
}

// lpSolvers are the LP solvers the benchmark knows, by command name.
var lpSolvers = []string{"cbc", "glpsol"}

func balanceCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var c balanceConfig
	var solvers string
	fs := flag.NewFlagSet("balance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage: gridbench balance [flags]

Generates a city-like list-balancing instance (--customers in clusters of
different sizes and spreads over about 30 km around the demo city's centre,
--managers placed where the customers are, quotas 30–70 scaled to
customers/managers so that it is feasible, 2%% slack, every thirtieth
customer locked to a nearby manager), solves it with gridplan's balancer
(an exact min-cost flow on a sparse candidate graph, proved optimal on all
customer–manager pairs by pricing), writes the same problem as a linear
program in CPLEX LP format (x_ij for every customer–manager pair, costs in
metres to the micrometre; a network-flow LP, so its optimum is integral) and
solves it with each LP solver (CBC: cbc, Debian coinor-cbc; GLPK: glpsol,
Debian glpk-utils) under --time-limit, and prints every objective and time
(the solvers' times are wall-clock, reading the LP file included). Ends with
one line

  balance customers=N managers=M ours_s=… lp_s=… ratio=… objective_gap=…

where lp_s is the fastest LP solver that finished and objective_gap the
relative difference of our objective from its.

Flags:
`)
		fs.PrintDefaults()
	}
	fs.IntVar(&c.customers, "customers", 5000, "customers in the instance")
	fs.IntVar(&c.managers, "managers", 100, "managers in the instance")
	fs.Uint64Var(&c.seed, "seed", 1, "random seed of the instance")
	fs.StringVar(&solvers, "solvers", "cbc,glpsol", "LP solvers to run, comma-separated (cbc, glpsol; empty: none)")
	fs.DurationVar(&c.timeLimit, "time-limit", 15*time.Minute, "time limit of each LP solver")
	fs.StringVar(&c.keep, "keep", "", "keep the LP file and the solvers' output in this directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("balance: unexpected arguments %q", fs.Args())
	}
	switch {
	case c.customers < 1 || c.customers > 2_000_000:
		return fmt.Errorf("--customers %d: want 1 to 2000000", c.customers)
	case c.managers < 1 || c.managers > c.customers:
		return fmt.Errorf("--managers %d: want 1 to --customers", c.managers)
	case c.timeLimit <= 0:
		return fmt.Errorf("--time-limit %s: must be positive", c.timeLimit)
	}
	for _, s := range strings.Split(solvers, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !contains(lpSolvers, s) {
			return fmt.Errorf("--solvers: unknown solver %q (want cbc, glpsol)", s)
		}
		c.solvers = append(c.solvers, s)
	}
	return benchBalance(ctx, c, stdout)
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func benchBalance(ctx context.Context, c balanceConfig, w io.Writer) error {
	p := balanceInstance(c.customers, c.managers, c.seed)
	locked := 0
	for _, m := range p.Managers {
		locked += len(m.Locked)
	}
	fmt.Fprintf(w, "instance: %d customers, %d managers (quotas %d–%d), slack %d, %d locked; seed %d\n",
		len(p.Customers), len(p.Managers), p.Managers[0].Min, p.Managers[0].Max, p.Slack, locked, c.seed)
	fmt.Fprintf(w, "machine: %d CPUs, GOMAXPROCS %d; load average %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAvg())

	t0 := time.Now()
	sol, err := balance.Solve(ctx, p)
	if err != nil {
		return fmt.Errorf("balance: %w", err)
	}
	ours := time.Since(t0)
	st := sol.Stats
	fmt.Fprintf(w, "gridplan: objective %.6f m in %s (candidate graph %d arcs, %d pricing rounds adding %d arcs, %d shortest-path searches; build %.3fs, flow %.3fs, pricing %.3fs)\n",
		sol.CostM, ours.Round(time.Millisecond), st.Arcs, st.PricingRounds, st.AddedArcs, st.Searches, st.BuildS, st.FlowS, st.PriceS)
	if sol.Infeasible != "" {
		fmt.Fprintf(w, "gridplan: %s\n", sol.Infeasible)
	}

	dir := c.keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "gridbench-balance-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	lpFile := filepath.Join(dir, "balance.lp")
	var lockedM float64
	if len(c.solvers) > 0 {
		t1 := time.Now()
		var vars int
		if lockedM, vars, err = writeBalanceLP(lpFile, p); err != nil {
			return err
		}
		fmt.Fprintf(w, "LP: %d variables written to %s in %s; the locked customers add a constant %.6f m\n",
			vars, lpFile, time.Since(t1).Round(time.Millisecond), lockedM)
	}

	bestS, bestObj, best := math.Inf(1), 0.0, ""
	for _, s := range c.solvers {
		obj, d, err := runLPSolver(ctx, s, lpFile, dir, c.timeLimit)
		if err != nil {
			fmt.Fprintf(w, "%s: %v\n", s, err)
			continue
		}
		obj += lockedM
		fmt.Fprintf(w, "%s: objective %.6f m in %s (gap to gridplan %.2e)\n", s, obj, d.Round(time.Millisecond), relGap(sol.CostM, obj))
		if d.Seconds() < bestS {
			bestS, bestObj, best = d.Seconds(), obj, s
		}
	}
	fmt.Fprintf(w, "load average at the end: %s\n", loadAvg())
	if best == "" {
		fmt.Fprintf(w, "balance customers=%d managers=%d ours_s=%.3f lp_s=- ratio=- objective_gap=-\n", len(p.Customers), len(p.Managers), ours.Seconds())
		if len(c.solvers) > 0 {
			return errors.New("balance: no LP solver finished")
		}
		return nil
	}
	fmt.Fprintf(w, "balance customers=%d managers=%d ours_s=%.3f lp_s=%.3f ratio=%.1f objective_gap=%.2e\n",
		len(p.Customers), len(p.Managers), ours.Seconds(), bestS, bestS/ours.Seconds(), relGap(sol.CostM, bestObj))
	return nil
}

func relGap(ours, lp float64) float64 { return math.Abs(ours-lp) / math.Max(1, math.Abs(lp)) }

// balanceInstance is the benchmark's instance: n customers in clusters
// around the demo city's centre, m managers where the customers are,
// quotas 30–70 scaled to n/m, 2% slack, every thirtieth customer locked to
// the nearest of five random managers (within his minimum).
func balanceInstance(n, m int, seed uint64) balance.Problem {
	rng := rand.New(rand.NewPCG(seed, 7))
	type cluster struct {
		at     orb.Point
		sd     float64
		weight float64
	}
	cs := make([]cluster, max(1, n/400))
	var total float64
	for i := range cs {
		r := 15000 * math.Sqrt(rng.Float64())
		a := 2 * math.Pi * rng.Float64()
		cs[i] = cluster{geo.Offset(demo.Center, r*math.Cos(a), r*math.Sin(a)), 200 + 1500*rng.Float64(), math.Exp(rng.NormFloat64())}
		total += cs[i].weight
	}
	pick := func() cluster {
		x := rng.Float64() * total
		for _, c := range cs {
			if x -= c.weight; x <= 0 {
				return c
			}
		}
		return cs[len(cs)-1]
	}
	var p balance.Problem
	for i := range n {
		c := pick()
		p.Customers = append(p.Customers, balance.Customer{ID: fmt.Sprintf("c%07d", i), Point: geo.Offset(c.at, c.sd*rng.NormFloat64(), c.sd*rng.NormFloat64())})
	}
	avg := float64(n) / float64(m)
	lo, hi := int(math.Floor(avg*30/50)), int(math.Ceil(avg*70/50))
	for j := range m {
		at := p.Customers[rng.IntN(n)].Point
		p.Managers = append(p.Managers, balance.Manager{ID: fmt.Sprintf("m%05d", j), Point: geo.Offset(at, 300*rng.NormFloat64(), 300*rng.NormFloat64()), Min: lo, Max: hi})
	}
	for i := 0; i < n; i += 30 {
		best, bd := -1, math.Inf(1)
		for range 5 {
			j := rng.IntN(m)
			if d := geo.DistanceM(p.Customers[i].Point, p.Managers[j].Point); d < bd {
				best, bd = j, d
			}
		}
		if mg := &p.Managers[best]; len(mg.Locked) < mg.Min {
			mg.Locked = append(mg.Locked, p.Customers[i].ID)
		}
	}
	p.Slack = n / 50
	return p
}

// writeBalanceLP writes p (no holders, no grids) as a CPLEX LP file:
//
//	minimise Σ d_ij x_ij over free customers i and managers j
//	c_i:  Σ_j x_ij ≤ 1
//	m_j:  min_j − locked_j ≤ Σ_i x_ij ≤ max_j − locked_j
//	n:    Σ x_ij = min(customers − slack, Σ max) − locked
//	x_ij ≥ 0
//
// and returns the locked customers' constant distance and the variables.
func writeBalanceLP(path string, p balance.Problem) (lockedM float64, vars int, err error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	idx := make(map[string]int, len(p.Customers))
	for i, c := range p.Customers {
		idx[c.ID] = i
	}
	locked := map[string]bool{}
	sumMax := 0
	for _, m := range p.Managers {
		sumMax += m.Max
		for _, id := range m.Locked {
			locked[id] = true
			lockedM += geo.DistanceM(p.Customers[idx[id]].Point, m.Point)
		}
	}
	var free []int
	for i, c := range p.Customers {
		if !locked[c.ID] {
			free = append(free, i)
		}
	}
	target := max(0, min(len(p.Customers)-p.Slack, sumMax)-len(locked))
	x := func(k, j int) string { return "x" + strconv.Itoa(k) + "_" + strconv.Itoa(j) }
	fmt.Fprintln(w, "\\ gridplan balance instance")
	fmt.Fprintln(w, "Minimize")
	fmt.Fprint(w, " obj:")
	col := 0
	for k, i := range free {
		for j, m := range p.Managers {
			fmt.Fprintf(w, " + %.6f %s", geo.DistanceM(p.Customers[i].Point, m.Point), x(k, j))
			vars++
			if col++; col%4 == 0 {
				fmt.Fprint(w, "\n ")
			}
		}
	}
	fmt.Fprintln(w, "\nSubject To")
	for k := range free {
		fmt.Fprintf(w, " c%d:", k)
		for j := range p.Managers {
			fmt.Fprintf(w, " + %s", x(k, j))
		}
		fmt.Fprintln(w, " <= 1")
	}
	for j, m := range p.Managers {
		lo, hi := max(0, m.Min-len(m.Locked)), m.Max-len(m.Locked)
		fmt.Fprintf(w, " m%d:", j)
		for k := range free {
			fmt.Fprintf(w, " + %s", x(k, j))
			if (k+1)%16 == 0 {
				fmt.Fprint(w, "\n ")
			}
		}
		fmt.Fprintf(w, " >= %d\n", lo)
		fmt.Fprintf(w, " mx%d:", j)
		for k := range free {
			fmt.Fprintf(w, " + %s", x(k, j))
			if (k+1)%16 == 0 {
				fmt.Fprint(w, "\n ")
			}
		}
		fmt.Fprintf(w, " <= %d\n", hi)
	}
	fmt.Fprint(w, " n:")
	col = 0
	for k := range free {
		for j := range p.Managers {
			fmt.Fprintf(w, " + %s", x(k, j))
			if col++; col%16 == 0 {
				fmt.Fprint(w, "\n ")
			}
		}
	}
	fmt.Fprintf(w, " = %d\n", target)
	fmt.Fprintln(w, "End") // x ≥ 0 by default; x ≤ 1 follows from c_i
	if err := w.Flush(); err != nil {
		return 0, 0, err
	}
	return lockedM, vars, f.Close()
}

var (
	cbcObjective  = regexp.MustCompile(`(?m)^Optimal - objective value\s+(\S+)`)
	glpkObjective = regexp.MustCompile(`(?m)^Objective:\s+\S+\s+=\s+(\S+)`)
	glpkOptimal   = regexp.MustCompile(`(?m)^Status:\s+OPTIMAL`)
)

// runLPSolver solves the LP file with solver (cbc or glpsol) under limit
// and returns its optimal objective and wall-clock time; an error when it
// is missing, fails, runs out of time or does not report an optimum.
func runLPSolver(ctx context.Context, solver, lpFile, dir string, limit time.Duration) (float64, time.Duration, error) {
	bin, err := exec.LookPath(solver)
	if err != nil {
		return 0, 0, fmt.Errorf("not installed (%w)", err)
	}
	out := filepath.Join(dir, solver+".out")
	var args []string
	switch solver {
	case "cbc":
		args = []string{lpFile, "sec", strconv.Itoa(int(math.Ceil(limit.Seconds()))), "solve", "solution", out}
	case "glpsol":
		args = []string{"--lp", lpFile, "--tmlim", strconv.Itoa(int(math.Ceil(limit.Seconds()))), "-o", out}
	}
	cctx, cancel := context.WithTimeout(ctx, limit+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(cctx, bin, args...)
	log, err := os.Create(filepath.Join(dir, solver+".log"))
	if err != nil {
		return 0, 0, err
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	t0 := time.Now()
	err = cmd.Run()
	d := time.Since(t0)
	if err != nil {
		return 0, d, fmt.Errorf("%s failed after %s: %w (log in %s)", solver, d.Round(time.Millisecond), err, log.Name())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return 0, d, fmt.Errorf("no solution file: %w", err)
	}
	var m []string
	switch solver {
	case "cbc":
		m = cbcObjective.FindStringSubmatch(string(b))
	case "glpsol":
		if glpkOptimal.Match(b) {
			m = glpkObjective.FindStringSubmatch(string(b))
		}
	}
	if m == nil {
		head := string(b)
		if len(head) > 200 {
			head = head[:200]
		}
		return 0, d, fmt.Errorf("no optimum reported after %s (time limit %s?): %q", d.Round(time.Millisecond), limit, head)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, d, fmt.Errorf("objective %q: %w", m[1], err)
	}
	return v, d, nil
}
