package balance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/territory"
)

func mustSolve(tb testing.TB, p Problem) *Solution {
	tb.Helper()
	sol, err := Solve(context.Background(), p)
	if err != nil {
		tb.Fatalf("Solve: %v", err)
	}
	return sol
}

// checkSolution verifies the constraints that hold whatever the input:
// locked customers stay, nobody is assigned twice or to a stranger, the
// cost is the sum of the distances, the loads are the counts, and (when
// feasible) the count and the quotas.
func checkSolution(tb testing.TB, p Problem, sol *Solution) {
	tb.Helper()
	mgr := map[string]Manager{}
	sumMax := 0
	for _, m := range p.Managers {
		mgr[m.ID] = m
		sumMax += m.Max
	}
	load := map[string]int{}
	var cost float64
	unassigned := map[string]bool{}
	for _, id := range sol.Unassigned {
		unassigned[id] = true
	}
	for _, c := range p.Customers {
		to, ok := sol.Assignments[c.ID]
		if ok == unassigned[c.ID] {
			tb.Fatalf("customer %s: assigned %v and unassigned %v", c.ID, ok, unassigned[c.ID])
		}
		if !ok {
			continue
		}
		m, known := mgr[to]
		if !known {
			tb.Fatalf("customer %s assigned to unknown manager %q", c.ID, to)
		}
		if !p.CrossGrid && c.GridID != 0 && m.GridID != 0 && c.GridID != m.GridID && c.Holder != m.ID && !slices.Contains(m.Locked, c.ID) {
			tb.Fatalf("customer %s of grid %d assigned to %s of grid %d", c.ID, c.GridID, m.ID, m.GridID)
		}
		load[to]++
		cost += geo.DistanceM(c.Point, m.Point)
	}
	for _, m := range p.Managers {
		for _, id := range m.Locked {
			if sol.Assignments[id] != m.ID {
				tb.Fatalf("locked customer %s moved from %s to %q", id, m.ID, sol.Assignments[id])
			}
		}
	}
	if !relClose(cost, sol.CostM) {
		tb.Fatalf("cost_m %v, the distances add up to %v", sol.CostM, cost)
	}
	for _, l := range sol.Loads {
		if l.After != load[l.ID] {
			tb.Fatalf("load of %s: %d, counted %d", l.ID, l.After, load[l.ID])
		}
	}
	if sol.Infeasible != "" {
		return
	}
	want := max(0, min(len(p.Customers)-p.Slack, sumMax))
	if got := len(sol.Assignments); got != want {
		tb.Fatalf("assigned %d, want exactly %d", got, want)
	}
	for _, m := range p.Managers {
		if load[m.ID] < m.Min || load[m.ID] > m.Max {
			tb.Fatalf("manager %s holds %d, quota [%d, %d]", m.ID, load[m.ID], m.Min, m.Max)
		}
	}
}

// Small random instances against every assignment enumerated.
func TestSolveMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for k := range 400 {
		p := randomProblem(rng, 3+rng.IntN(6), 1+rng.IntN(3), rng.IntN(3))
		if k%5 == 0 {
			p.CrossGrid = true
		}
		sol := mustSolve(t, p)
		checkSolution(t, p, sol)
		want := bruteForce(p)
		if math.IsInf(want, 1) {
			if sol.Infeasible == "" {
				t.Fatalf("instance %d: no feasible assignment exists, Solve says feasible: %+v", k, sol.Loads)
			}
			continue
		}
		if sol.Infeasible != "" {
			t.Fatalf("instance %d: Solve says %q, brute force finds %v", k, sol.Infeasible, want)
		}
		if got := objective(p, sol.Assignments); !relClose(got, want) {
			t.Fatalf("instance %d: objective %v, brute force %v", k, got, want)
		}
	}
}

// The hard-minimum stages and the lexicographic network agree on feasible
// instances of every size (both are exact; they take different paths).
func TestHardAndLexAgree(t *testing.T) {
	for _, tc := range []struct{ n, m, grids int }{{200, 5, 0}, {600, 12, 3}, {2000, 40, 0}, {1500, 30, 6}} {
		t.Run(fmt.Sprintf("%dx%d", tc.n, tc.m), func(t *testing.T) {
			p := cityProblem(tc.n, tc.m, uint64(tc.n))
			if tc.grids > 0 {
				gridded(&p, tc.grids)
			}
			a := mustSolve(t, p)
			forceLex = true
			b := mustSolve(t, p)
			forceLex = false
			checkSolution(t, p, a)
			checkSolution(t, p, b)
			if a.Infeasible != b.Infeasible {
				t.Fatalf("infeasible: hard %q, lex %q", a.Infeasible, b.Infeasible)
			}
			if oa, ob := objective(p, a.Assignments), objective(p, b.Assignments); !relClose(oa, ob) {
				t.Fatalf("objective: hard %v, lex %v", oa, ob)
			}
		})
	}
}

// gridded puts the managers and customers of p in grids cut by longitude
// (managers by their point, customers by theirs), so that grids hold about
// as many customers as their managers need.
func gridded(p *Problem, grids int) {
	var lngs []float64
	for _, c := range p.Customers {
		lngs = append(lngs, c.Point[0])
	}
	slices.Sort(lngs)
	cut := func(lng float64) int64 {
		k, _ := slices.BinarySearch(lngs, lng)
		return int64(1 + min(grids-1, k*grids/len(lngs)))
	}
	for i := range p.Customers {
		p.Customers[i].GridID = cut(p.Customers[i].Point[0])
	}
	for j := range p.Managers {
		p.Managers[j].GridID = cut(p.Managers[j].Point[0])
		p.Managers[j].Min = 0 // grids differ in size: keep it feasible
	}
}

func TestSolveProperties(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		p := cityProblem(1500+int(seed)*300, 30+int(seed)*3, seed)
		if seed%2 == 0 {
			gridded(&p, 4)
		}
		sol := mustSolve(t, p)
		checkSolution(t, p, sol)
		if sol.Infeasible != "" {
			t.Fatalf("seed %d: %s", seed, sol.Infeasible)
		}
		if sol.Stats.PricingRounds < 1 {
			t.Fatalf("seed %d: no pricing round", seed)
		}
		for _, ch := range sol.Changes {
			if ch.Reason == "" || ch.Note == "" {
				t.Fatalf("seed %d: change without reason: %+v", seed, ch)
			}
		}
	}
}

func TestSolveDeterministic(t *testing.T) {
	p := cityProblem(3000, 60, 9)
	a, _ := json.Marshal(mustSolve(t, p).Assignments)
	for range 2 {
		b, _ := json.Marshal(mustSolve(t, p).Assignments)
		if string(a) != string(b) {
			t.Fatal("two solves of the same problem differ")
		}
	}
}

func TestSolveInfeasible(t *testing.T) {
	at := func(east, north float64) orb.Point { return geo.Offset(orb.Point{120.165, 30.272}, east, north) }
	customers := func(n int, grid int64) []Customer {
		var cs []Customer
		for i := range n {
			cs = append(cs, Customer{ID: fmt.Sprintf("g%dc%d", grid, i), Point: at(float64(i*50), 0), GridID: grid})
		}
		return cs
	}
	tests := []struct {
		name     string
		p        Problem
		want     []string // in Infeasible
		assigned int
	}{
		{
			name: "too few customers for every minimum",
			p: Problem{
				Managers:  []Manager{{ID: "a", Point: at(0, 0), Min: 5, Max: 9}, {ID: "b", Point: at(500, 0), Min: 5, Max: 9}},
				Customers: customers(8, 0),
			},
			want:     []string{"minimums add up to 10", "only 8 customers", "below their minimum"},
			assigned: 8,
		},
		{
			name: "slack leaves too few for the minimums",
			p: Problem{
				Managers:  []Manager{{ID: "a", Point: at(0, 0), Min: 4, Max: 9}},
				Customers: customers(8, 0),
				Slack:     6,
			},
			want:     []string{"minimums add up to 4", "only 2 customers", "8 customers less slack 6"},
			assigned: 2,
		},
		{
			name: "a grid too small for its manager",
			p: Problem{
				Managers:  []Manager{{ID: "a", Point: at(0, 0), Min: 5, Max: 9, GridID: 1}, {ID: "b", Point: at(0, 0), Min: 0, Max: 20, GridID: 2}},
				Customers: append(customers(3, 1), customers(10, 2)...),
			},
			want:     []string{"a 3/5", "their grids have too few customers"},
			assigned: 13,
		},
		{
			name: "customers of a grid without managers",
			p: Problem{
				Managers:  []Manager{{ID: "a", Point: at(0, 0), Min: 0, Max: 20, GridID: 1}},
				Customers: append(customers(4, 1), customers(4, 2)...),
			},
			want:     []string{"only 4 of the 8", "cross-grid is off"},
			assigned: 4,
		},
		{
			name: "more locked than the slack allows",
			p: Problem{
				Managers:  []Manager{{ID: "a", Point: at(0, 0), Min: 0, Max: 9, Locked: []string{"g0c0", "g0c1", "g0c2"}}},
				Customers: customers(4, 0),
				Slack:     3,
			},
			want:     []string{"3 customers are locked", "leave room for 1"},
			assigned: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sol := mustSolve(t, tt.p)
			checkSolution(t, tt.p, sol)
			if sol.Infeasible == "" {
				t.Fatalf("feasible? loads %+v", sol.Loads)
			}
			for _, w := range tt.want {
				if !strings.Contains(sol.Infeasible, w) {
					t.Errorf("infeasible %q does not say %q", sol.Infeasible, w)
				}
			}
			if got := len(sol.Assignments); got != tt.assigned {
				t.Errorf("assigned %d, want %d (the relaxed problem's best)", got, tt.assigned)
			}
			viol := 0
			for _, l := range sol.Loads {
				viol += abs(l.Violation)
			}
			if tt.assigned == len(tt.p.Customers)-tt.p.Slack && viol == 0 && !strings.Contains(sol.Infeasible, "locked") {
				t.Errorf("no violation shown in loads: %+v", sol.Loads)
			}
		})
	}
}

func abs(v int) int { return max(v, -v) }

func TestSolveInvalid(t *testing.T) {
	pt := orb.Point{120.1, 30.2}
	ok := func() Problem {
		return Problem{
			Managers:  []Manager{{ID: "m1", Point: pt, Min: 0, Max: 3}, {ID: "m2", Point: pt, Min: 0, Max: 3}},
			Customers: []Customer{{ID: "c1", Point: pt}, {ID: "c2", Point: pt}},
		}
	}
	tests := []struct {
		name   string
		change func(p *Problem)
		want   string
	}{
		{"duplicate manager", func(p *Problem) { p.Managers[1].ID = "m1" }, `manager "m1": duplicate id`},
		{"duplicate customer", func(p *Problem) { p.Customers[1].ID = "c1" }, `customer "c1": duplicate id`},
		{"empty manager id", func(p *Problem) { p.Managers[1].ID = "" }, "managers[1]: id is empty"},
		{"unknown locked", func(p *Problem) { p.Managers[0].Locked = []string{"c9"} }, `manager "m1": locked customer "c9" is not one of the customers`},
		{"locked to two", func(p *Problem) { p.Managers[0].Locked = []string{"c1"}; p.Managers[1].Locked = []string{"c1"} }, `customer "c1": locked to two managers, "m1" and "m2"`},
		{"locked twice", func(p *Problem) { p.Managers[0].Locked = []string{"c1", "c1"} }, `customer "c1" is locked twice`},
		{"min above max", func(p *Problem) { p.Managers[1].Min = 5 }, `manager "m2": min 5 is above max 3`},
		{"negative min", func(p *Problem) { p.Managers[1].Min = -1 }, `manager "m2": min -1 is negative`},
		{"more locked than max", func(p *Problem) { p.Managers[0].Max = 1; p.Managers[0].Locked = []string{"c1", "c2"} }, `manager "m1": 2 locked customers are more than his max 1`},
		{"NaN latitude", func(p *Problem) { p.Customers[1].Point[1] = math.NaN() }, `customer "c2": coordinates are not numbers`},
		{"latitude out of range", func(p *Problem) { p.Managers[0].Point[1] = 91 }, `manager "m1": latitude 91 is outside`},
		{"longitude out of range", func(p *Problem) { p.Customers[0].Point[0] = -181 }, `customer "c1": longitude -181 is outside`},
		{"negative slack", func(p *Problem) { p.Slack = -1 }, "slack: must not be negative"},
		{"negative penalty", func(p *Problem) { p.MovePenaltyM = -5 }, "move_penalty_m"},
		{"unknown holder", func(p *Problem) { p.Customers[0].Holder = "m7" }, `customer "c1": holder "m7" is not one of the managers`},
		{"locked but held by another", func(p *Problem) { p.Customers[0].Holder = "m2"; p.Managers[0].Locked = []string{"c1"} }, `customer "c1": locked to "m1" but held by "m2"`},
		{"negative weight", func(p *Problem) { p.Customers[0].Weight = -1 }, `customer "c1": weight`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok()
			tt.change(&p)
			_, err := Solve(context.Background(), p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			}
			if !errors.Is(err, territory.ErrInvalid) {
				t.Fatalf("err = %v is not territory.ErrInvalid", err)
			}
		})
	}
	if _, err := Solve(context.Background(), ok()); err != nil {
		t.Fatalf("the valid problem: %v", err)
	}
}

// Compact mode never ends with a larger medoid cost than the base
// assignment's lists have around their own medoids.
func TestCompactImprovesMedoidCost(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		p := cityProblem(1200, 24, seed)
		base := mustSolve(t, p)
		p.Compact = true
		sol := mustSolve(t, p)
		checkSolution(t, p, sol)
		pr, err := prepare(p)
		if err != nil {
			t.Fatal(err)
		}
		asg := func(s *Solution) []int32 {
			out := make([]int32, len(p.Customers))
			for i, c := range p.Customers {
				out[i] = -1
				if to, ok := s.Assignments[c.ID]; ok {
					out[i] = pr.mgrIdx[to]
				}
			}
			return out
		}
		b := asg(base)
		_, baseCost := pr.compactCost(b, pr.medoids(b, nil))
		if sol.CompactCostM > baseCost*(1+1e-9) {
			t.Fatalf("seed %d: compact cost %v above the base lists' medoid cost %v", seed, sol.CompactCostM, baseCost)
		}
		t.Logf("seed %d: medoid cost %.0f → %.0f m in %d rounds", seed, baseCost, sol.CompactCostM, sol.Stats.CompactRounds)
	}
}

func TestChangeReasons(t *testing.T) {
	at := func(east float64) orb.Point { return geo.Offset(orb.Point{120.165, 30.272}, east, 0) }
	p := Problem{
		Managers: []Manager{{ID: "a", Point: at(0), Min: 0, Max: 2}, {ID: "b", Point: at(5000), Min: 0, Max: 5}},
		Customers: []Customer{
			{ID: "h1", Point: at(10), Holder: "a"}, {ID: "h2", Point: at(20), Holder: "a"},
			{ID: "h3", Point: at(4000), Holder: "a"}, // a holds four, max 2
			{ID: "p1", Point: at(4900)},              // pool → b, closest
			{ID: "h4", Point: at(4950), Holder: "a"}, // far from a, near b
		},
		MovePenaltyM: 100,
	}
	sol := mustSolve(t, p)
	checkSolution(t, p, sol)
	reasons := map[string]string{}
	for _, ch := range sol.Changes {
		reasons[ch.CustomerID] = ch.Reason
	}
	if reasons["p1"] != ReasonClosest {
		t.Errorf("p1: reason %q, want %q (changes %+v)", reasons["p1"], ReasonClosest, sol.Changes)
	}
	for _, id := range []string{"h3", "h4"} {
		if r := reasons[id]; r != ReasonOverQuotaMoved {
			t.Errorf("%s: reason %q, want %q (changes %+v)", id, r, ReasonOverQuotaMoved, sol.Changes)
		}
	}
	if _, moved := reasons["h1"]; moved {
		t.Errorf("h1 moved: %+v", sol.Changes)
	}
}

func TestSolveEdgeCases(t *testing.T) {
	pt := orb.Point{120.1, 30.2}
	tests := []struct {
		name string
		p    Problem
		n    int
	}{
		{"nothing", Problem{}, 0},
		{"no managers", Problem{Customers: []Customer{{ID: "c", Point: pt}}}, 0},
		{"no customers", Problem{Managers: []Manager{{ID: "m", Point: pt, Max: 3}}}, 0},
		{"all locked", Problem{Managers: []Manager{{ID: "m", Point: pt, Max: 3, Locked: []string{"c"}}}, Customers: []Customer{{ID: "c", Point: pt}}}, 1},
		{"slack above customers", Problem{Managers: []Manager{{ID: "m", Point: pt, Max: 3}}, Customers: []Customer{{ID: "c", Point: pt}}, Slack: 5}, 0},
		{"same point", Problem{Managers: []Manager{{ID: "m", Point: pt, Max: 3}}, Customers: []Customer{{ID: "c", Point: pt}, {ID: "d", Point: pt}}}, 2},
		{"antipodes", Problem{Managers: []Manager{{ID: "m", Point: orb.Point{0, 0}, Max: 3}}, Customers: []Customer{{ID: "c", Point: orb.Point{180, 0}}}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sol := mustSolve(t, tt.p)
			checkSolution(t, tt.p, sol)
			if len(sol.Assignments) != tt.n {
				t.Fatalf("assigned %d, want %d", len(sol.Assignments), tt.n)
			}
		})
	}
}

func TestSolveCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Solve(ctx, cityProblem(3000, 60, 1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// Unequal weights: the customers of least weight stay in the pool.
func TestWeightsChooseThePool(t *testing.T) {
	pt := orb.Point{120.1, 30.2}
	p := Problem{Managers: []Manager{{ID: "m", Point: pt, Max: 10}}, Slack: 2}
	for i := range 6 {
		p.Customers = append(p.Customers, Customer{ID: fmt.Sprint("c", i), Point: geo.Offset(pt, float64(100*i), 0), Weight: float64(6 - i)})
	}
	p.Customers[0].Weight = 0.1 // nearest, least weight
	sol := mustSolve(t, p)
	slices.Sort(sol.Unassigned)
	if want := []string{"c0", "c5"}; !slices.Equal(sol.Unassigned, want) {
		t.Fatalf("unassigned %v, want %v", sol.Unassigned, want)
	}
}
