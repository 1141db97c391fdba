package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/paulmach/orb"

	"gridplan/territory/balance"
)

const balanceSummary = `Balance managers' lists on an instance read from a JSON file (or - for
stdin) and write the proposal as JSON to stdout (or --out): the verification
interface of the list balancer.

Input:
  {"managers":[{"id":"m1","lat":30.27,"lng":120.16,"min":30,"max":70,"locked":["c9"]}, …],
   "customers":[{"id":"c1","lat":30.28,"lng":120.17}, …],
   "slack":K}
  Optional: a customer's "holder" (manager id of a movable claim), "weight"
  and "grid_id"; a manager's "grid_id"; "move_penalty_m", "cross_grid",
  "compact" at the top level (or the flags below).

Output:
  {"assignments":{"c1":"m1", …},"unassigned":["c7", …],"cost_m":123456.7, …}
  exactly min(customers − slack, Σ max) customers are assigned, locked ones to
  their manager, every manager within [min, max], and cost_m (the total
  haversine distance, R = 6,371,008.8 m, from each assigned customer to his
  manager's point) is least: the assignment is an exact min-cost flow. When
  that is impossible, "infeasible" says why with numbers and the proposal is
  the best of the relaxed problem ("loads" shows the violations). Also
  "changes" (with reasons), "loads", "notes", "stats" and "solve_s".

Invalid input (duplicate ids, unknown locked ids, a customer locked to two
managers, min above max, more locked than max, coordinates out of range,
negative slack) is an error naming the item, exit status 1.`

// balanceInstance is the JSON instance.
type balanceInstance struct {
	Managers []struct {
		ID     string   `json:"id"`
		Lat    *float64 `json:"lat"`
		Lng    *float64 `json:"lng"`
		Min    int      `json:"min"`
		Max    int      `json:"max"`
		Locked []string `json:"locked"`
		GridID int64    `json:"grid_id"`
	} `json:"managers"`
	Customers []struct {
		ID     string   `json:"id"`
		Lat    *float64 `json:"lat"`
		Lng    *float64 `json:"lng"`
		Holder string   `json:"holder"`
		Weight float64  `json:"weight"`
		GridID int64    `json:"grid_id"`
	} `json:"customers"`
	Slack        int      `json:"slack"`
	MovePenaltyM *float64 `json:"move_penalty_m"`
	CrossGrid    *bool    `json:"cross_grid"`
	Compact      *bool    `json:"compact"`
}

// balanceOutput is what the command writes: the three fields
// first, then the rest of the solution.
type balanceOutput struct {
	Assignments  map[string]string     `json:"assignments"`
	Unassigned   []string              `json:"unassigned"`
	CostM        float64               `json:"cost_m"`
	Infeasible   string                `json:"infeasible,omitempty"`
	Notes        []string              `json:"notes,omitempty"`
	CompactCostM float64               `json:"compact_cost_m,omitempty"`
	SolveS       float64               `json:"solve_s"`
	Loads        []balance.ManagerLoad `json:"loads"`
	Changes      []balance.Change      `json:"changes"`
	Stats        balance.Stats         `json:"stats"`
}

func balanceCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("balance", balanceSummary, stderr)
	instance := fs.String("instance", "", "the instance JSON file (- for stdin); required")
	out := fs.String("out", "", "write the proposal here instead of stdout")
	penalty := fs.Float64("move-penalty", 0, "metres added per held customer given to another or released (overrides the instance's move_penalty_m)")
	cross := fs.Bool("cross-grid", false, "let managers receive customers of other grids (or the instance's cross_grid)")
	compact := fs.Bool("compact", false, "compact lists: cost to each list's medoid, alternating assignment and medoids (or the instance's compact)")
	rounds := fs.Int("compact-rounds", balance.DefaultCompactRounds, "at most this many assignment–medoid rounds with --compact")
	indent := fs.Bool("indent", false, "indent the JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("balance: unexpected arguments %q", fs.Args())
	}
	if *instance == "" {
		fs.Usage()
		return fmt.Errorf("balance: --instance is required")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	var r io.Reader = stdin
	if *instance != "-" {
		f, err := os.Open(*instance)
		if err != nil {
			return fmt.Errorf("balance: %w", err)
		}
		defer f.Close()
		r = f
	}
	p, err := readBalanceInstance(bufio.NewReader(r))
	if err != nil {
		return fmt.Errorf("balance: %s: %w", *instance, err)
	}
	if set["move-penalty"] {
		p.MovePenaltyM = *penalty
	}
	if set["cross-grid"] {
		p.CrossGrid = *cross
	}
	if set["compact"] {
		p.Compact = *compact
	}
	p.CompactRounds = *rounds

	t0 := time.Now()
	sol, err := balance.Solve(ctx, p)
	if err != nil {
		return fmt.Errorf("balance: %w", err)
	}
	res := balanceOutput{
		Assignments: sol.Assignments, Unassigned: sol.Unassigned, CostM: sol.CostM,
		Infeasible: sol.Infeasible, Notes: sol.Notes, CompactCostM: sol.CompactCostM,
		SolveS: time.Since(t0).Seconds(), Loads: sol.Loads, Changes: sol.Changes, Stats: sol.Stats,
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("balance: %w", err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	if *indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(res); err != nil {
		return fmt.Errorf("balance: write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("balance: write: %w", err)
	}
	if sol.Infeasible != "" {
		fmt.Fprintln(stderr, "gridplan balance:", sol.Infeasible)
	}
	return nil
}

// readBalanceInstance decodes the instance JSON into a Problem; a missing
// coordinate is an error naming the item.
func readBalanceInstance(r io.Reader) (balance.Problem, error) {
	var in balanceInstance
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return balance.Problem{}, fmt.Errorf("read instance: %w", err)
	}
	p := balance.Problem{Slack: in.Slack}
	if in.MovePenaltyM != nil {
		p.MovePenaltyM = *in.MovePenaltyM
	}
	if in.CrossGrid != nil {
		p.CrossGrid = *in.CrossGrid
	}
	if in.Compact != nil {
		p.Compact = *in.Compact
	}
	for k, m := range in.Managers {
		if m.Lat == nil || m.Lng == nil {
			return p, fmt.Errorf("manager %q (managers[%d]): lat and lng are required", m.ID, k)
		}
		p.Managers = append(p.Managers, balance.Manager{ID: m.ID, Point: orb.Point{*m.Lng, *m.Lat}, Min: m.Min, Max: m.Max, Locked: m.Locked, GridID: m.GridID})
	}
	for k, c := range in.Customers {
		if c.Lat == nil || c.Lng == nil {
			return p, fmt.Errorf("customer %q (customers[%d]): lat and lng are required", c.ID, k)
		}
		p.Customers = append(p.Customers, balance.Customer{ID: c.ID, Point: orb.Point{*c.Lng, *c.Lat}, Holder: c.Holder, Weight: c.Weight, GridID: c.GridID})
	}
	return p, nil
}
