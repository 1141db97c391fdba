package vrptw

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gridplan/territory/route/internal/benchdata"
)

// solveChecked solves and checks the solution, whatever the error.
func solveChecked(tb testing.TB, in *Instance, opts Options) (*Solution, error) {
	tb.Helper()
	sol, err := Solve(context.Background(), in, opts)
	if sol != nil {
		k := opts.Vehicles
		if k == 0 {
			k = in.Vehicles
		}
		if cerr := Check(in, k, sol); cerr != nil {
			tb.Fatalf("%s with %d vehicles: infeasible solution: %v", in.Name, k, cerr)
		}
		if err == nil && len(sol.Unserved) > 0 {
			tb.Fatalf("%s: no error but %d customers unserved", in.Name, len(sol.Unserved))
		}
	}
	return sol, err
}

// bruteForce is the optimal distance with at most k routes, by enumerating
// every sequence of routes (tiny instances only).
func bruteForce(in *Instance, k int) float64 {
	n := in.Customers()
	best := math.Inf(1)
	used := make([]bool, n+1)
	var walk func(routes, served, last, load int, t, dist float64)
	walk = func(routes, served, last, load int, t, dist float64) {
		if dist >= best {
			return
		}
		if last != 0 { // close the route
			back := t + in.Nodes[last].Service + in.Distance(last, 0)
			if back <= in.Nodes[0].Due {
				d := dist + in.Distance(last, 0)
				if served == n {
					best = min(best, d)
				} else if routes < k {
					walk(routes+1, served, 0, 0, in.Nodes[0].Ready, d)
				}
			}
		}
		for c := 1; c <= n; c++ {
			cu := in.Nodes[c]
			if used[c] || load+cu.Demand > in.Capacity {
				continue
			}
			start := math.Max(cu.Ready, t+in.Nodes[last].Service+in.Distance(last, c))
			if start > cu.Due {
				continue
			}
			used[c] = true
			walk(routes, served+1, c, load+cu.Demand, start, dist+in.Distance(last, c))
			used[c] = false
		}
	}
	walk(1, 0, 0, 0, in.Nodes[0].Ready, 0)
	return best
}

func TestSolveTinyOptimal(t *testing.T) {
	in := mustRead(t, "testdata/tiny.txt")
	for _, k := range []int{3, 4} {
		want := bruteForce(in, k)
		sol, err := solveChecked(t, in, Options{Vehicles: k, Iterations: 2000})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(sol.Distance-want) > 1e-9 {
			t.Errorf("%d vehicles: distance %.6f, optimum %.6f (%v)", k, sol.Distance, want, sol.Routes)
		}
	}
}

// randomInstance makes a Solomon-like instance: customers uniform in a
// 100×100 square, a tenth of them in tight windows, service time 10.
func randomInstance(seed uint64, n, capacity int, horizon float64) *Instance {
	rng := rand.New(rand.NewPCG(seed, 7))
	in := &Instance{Name: fmt.Sprintf("rand-%d-%d", seed, n), Vehicles: n, Capacity: capacity}
	in.Nodes = append(in.Nodes, Customer{X: 50, Y: 50, Due: horizon})
	for i := 1; i <= n; i++ {
		c := Customer{ID: i, X: rng.Float64() * 100, Y: rng.Float64() * 100, Demand: 1 + rng.IntN(30), Service: 10, Due: horizon}
		d := in.Distance(0, 0) + math.Hypot(c.X-50, c.Y-50)
		if rng.IntN(3) == 0 { // a window that a direct trip can meet
			c.Ready = d + rng.Float64()*(horizon-2*d-10)/2
			c.Due = c.Ready + 20 + rng.Float64()*60
		} else {
			c.Due = horizon - d - c.Service
		}
		in.Nodes = append(in.Nodes, c)
	}
	return in
}

func TestSolveRandom(t *testing.T) {
	for seed := range uint64(12) {
		n := 10 + int(seed)*5
		in := randomInstance(seed, n, 100, 600)
		t.Run(in.Name, func(t *testing.T) {
			k := max(2, n/5)
			sol, err := solveChecked(t, in, Options{Vehicles: k, Seed: seed, Iterations: 1500})
			switch {
			case errors.Is(err, ErrInfeasible):
				if sol != nil && len(sol.Unserved) == 0 {
					t.Errorf("ErrInfeasible without unserved customers")
				}
				t.Logf("%d vehicles: %v", k, err)
			case err != nil:
				t.Fatal(err)
			case len(sol.Routes) > k:
				t.Errorf("%d routes for %d vehicles", len(sol.Routes), k)
			}
		})
	}
}

func TestSolveDeterministic(t *testing.T) {
	in := randomInstance(99, 60, 150, 800)
	opts := Options{Vehicles: 12, Seed: 42, Iterations: 3000}
	a, err := solveChecked(t, in, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := solveChecked(t, in, opts)
	if err != nil {
		t.Fatal(err)
	}
	if a.Distance != b.Distance || !slices.EqualFunc(a.Routes, b.Routes, slices.Equal) || a.Iterations != b.Iterations {
		t.Errorf("same seed, different solutions: %.6f %v / %.6f %v", a.Distance, a.Routes, b.Distance, b.Routes)
	}
}

func TestSolveTimeLimit(t *testing.T) {
	in := randomInstance(5, 100, 200, 1000)
	const limit = 150 * time.Millisecond
	start := time.Now()
	sol, err := solveChecked(t, in, Options{Vehicles: 25, Iterations: math.MaxInt32, TimeLimit: limit})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if elapsed > limit+250*time.Millisecond { // set-up, the race detector, a busy machine
		t.Errorf("took %v with a %v limit", elapsed, limit)
	}
	if sol.Iterations == 0 || sol.Iterations >= math.MaxInt32 {
		t.Errorf("%d iterations", sol.Iterations)
	}
}

func TestSolveCancelled(t *testing.T) {
	in := randomInstance(6, 50, 200, 1000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sol, err := Solve(ctx, in, Options{Vehicles: 20, Iterations: math.MaxInt32})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(in, 20, sol); err != nil {
		t.Fatal(err)
	}
}

func TestSolveInfeasible(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(in *Instance)
		vehicles int
		want     string
		searched bool // the search ran and returns its best partial solution
	}{
		{"total demand", nil, 2, "total demand 110 exceeds 2 vehicles × capacity 50; at least 3 vehicles are needed", false},
		{"demand", func(in *Instance) { in.Nodes[4].Demand = 60 }, 8, "customer 4's demand 60 exceeds the vehicle capacity 50", false},
		{"due date", func(in *Instance) { in.Nodes[3].Due = 20 }, 3, "customer 3 cannot be reached by his due date 20", false},
		{"horizon", func(in *Instance) { in.Nodes[0].Due = 80 }, 8, "is back at the depot at", false},
		{"windows", func(in *Instance) {
			// customers 1, 3, 7 and 8 all want service at exactly 40
			for _, c := range []int{1, 3, 7, 8} {
				in.Nodes[c].Ready, in.Nodes[c].Due = 40, 40
			}
			in.Capacity = 1000
		}, 3, "3 vehicles: found no way to serve 1 of 8 customers", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := mustRead(t, "testdata/tiny.txt")
			if tt.edit != nil {
				tt.edit(in)
			}
			sol, err := solveChecked(t, in, Options{Vehicles: tt.vehicles, Iterations: 500})
			if !errors.Is(err, ErrInfeasible) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrInfeasible with %q", err, tt.want)
			}
			if tt.searched != (sol != nil) {
				t.Fatalf("solution %v, want one: %v", sol, tt.searched)
			}
			if sol != nil && len(sol.Unserved) == 0 {
				t.Errorf("no unserved customer listed")
			}
		})
	}
}

func TestSolveBadInput(t *testing.T) {
	in := mustRead(t, "testdata/tiny.txt")
	if _, err := Solve(context.Background(), in, Options{Vehicles: -1}); err == nil {
		t.Error("negative vehicles accepted")
	}
	if _, err := Solve(context.Background(), &Instance{}, Options{}); err == nil {
		t.Error("empty instance accepted")
	}
}

// TestSolomon solves a few real instances briefly with the vehicle counts
// of the best known distance-minimising solutions; the full run is
// "gridbench route --solomon".
func TestSolomon(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	dir := benchdata.Dir(t, "solomon")
	f, err := os.Open(filepath.Join(dir, "best_known.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := ReadBestKnown(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 56 {
		t.Errorf("%d best known rows, want 56", len(rows))
	}
	for _, name := range []string{"C201", "R205", "RC103"} {
		i := slices.IndexFunc(rows, func(b BestKnown) bool { return b.Instance == name })
		if i < 0 {
			t.Fatalf("%s: no best known row", name)
		}
		bk := rows[i]
		t.Run(name, func(t *testing.T) {
			in := mustRead(t, filepath.Join(dir, name+".txt"))
			if in.Customers() != 100 {
				t.Fatalf("%d customers", in.Customers())
			}
			sol, err := solveChecked(t, in, Options{Vehicles: bk.MinDistanceVehicles, Seed: 1, Iterations: 10_000})
			if err != nil {
				t.Fatal(err)
			}
			gap := 100 * (sol.Distance - bk.MinDistance) / bk.MinDistance
			t.Logf("%s: %d vehicles, distance %.2f, best known %.2f, gap %.2f%%", name, len(sol.Routes), sol.Distance, bk.MinDistance, gap)
			if gap > 5 {
				t.Errorf("gap %.2f%% after 10,000 iterations", gap)
			}
		})
	}
	t.Run("too few vehicles", func(t *testing.T) {
		in := mustRead(t, filepath.Join(dir, "C101.txt"))
		_, err := Solve(context.Background(), in, Options{Vehicles: 9})
		if !errors.Is(err, ErrInfeasible) || !strings.Contains(err.Error(), "at least 10 vehicles") {
			t.Errorf("C101 with 9 vehicles: %v", err)
		}
	})
}
