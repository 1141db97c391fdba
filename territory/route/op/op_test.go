package op

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gridplan/territory/route/internal/benchdata"
)

const smallOP = "10\t1\n0 0 0\n4 0 0\n2 1 10\n2 -3 30\n\n2 4 50\n"

func TestRead(t *testing.T) {
	in, err := Read(strings.NewReader(smallOP))
	if err != nil {
		t.Fatal(err)
	}
	if in.Tmax != 10 || in.Paths != 1 || len(in.Points) != 5 || in.Scores[4] != 50 || in.Points[3] != (Point{2, -3}) {
		t.Fatalf("got %+v", in)
	}
	if d := in.Dist(0, 3); math.Abs(d-math.Sqrt(13)) > 1e-12 {
		t.Errorf("Dist = %v", d)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, file string
		line       int
		field      string
	}{
		{"empty", "", 0, "header"},
		{"header fields", "10\n0 0 0\n", 1, "header"},
		{"tmax", "ten 1\n0 0 0\n1 1 0\n", 1, "Tmax"},
		{"negative tmax", "-1 1\n0 0 0\n1 1 0\n", 1, "Tmax"},
		{"paths", "10 x\n0 0 0\n1 1 0\n", 1, "P"},
		{"two paths", "10 2\n0 0 0\n1 1 0\n", 1, "P"},
		{"x", "10 1\n0 0 0\nx 1 0\n", 3, "x"},
		{"y", "10 1\n0 0 0\n1 Inf 0\n", 3, "y"},
		{"score", "10 1\n0 0 0\n1 1 -5\n", 3, "score"},
		{"fields", "10 1\n0 0 0\n1 1\n", 3, "point"},
		{"one point", "10 1\n0 0 0\n", 0, "point"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.file))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if !errors.Is(err, ErrFormat) || pe.Line != tt.line || pe.Field != tt.field {
				t.Errorf("err = %v: line %d field %q, want line %d field %q", err, pe.Line, pe.Field, tt.line, tt.field)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	f.Add(smallOP)
	f.Add("5 1\n1.5e1 -2 3\n0 0 0\n")
	f.Fuzz(func(t *testing.T, s string) {
		in, err := Read(strings.NewReader(s))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), pe.Field) {
				t.Fatalf("error %v is no *ParseError naming its field", err)
			}
			return
		}
		if len(in.Points) < 2 || len(in.Points) != len(in.Scores) || in.Tmax < 0 {
			t.Fatalf("bad instance %+v", in)
		}
		if len(in.Points) <= 12 {
			r, err := Solve(context.Background(), in.Problem(), Options{MaxIterations: 20})
			if errors.Is(err, ErrInfeasible) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkRoute(t, in.Problem(), r)
		}
	})
}

// randomProblem is n points in a 10×10 square, scores 1–9, start 0 and
// end 1 (or 0 for a round trip).
func randomProblem(n int, seed uint64, budget float64, roundTrip bool) *Problem {
	r := rand.New(rand.NewPCG(seed, 3))
	in := &Instance{Tmax: budget, Paths: 1}
	for range n {
		in.Points = append(in.Points, Point{r.Float64() * 10, r.Float64() * 10})
		in.Scores = append(in.Scores, float64(1+r.IntN(9)))
	}
	in.Scores[0], in.Scores[1] = 0, 0
	p := in.Problem()
	if roundTrip {
		p.End = 0
	}
	return p
}

// checkRoute checks that r is a feasible route of p with the score and
// length it claims.
func checkRoute(tb testing.TB, p *Problem, r Result) {
	tb.Helper()
	x := r.Route
	if len(x) < 2 || x[0] != p.Start || x[len(x)-1] != p.End {
		tb.Fatalf("route %v does not run from %d to %d", x, p.Start, p.End)
	}
	seen := map[int]bool{}
	var score, length float64
	for k, v := range x {
		if v < 0 || v >= p.N {
			tb.Fatalf("route %v: point %d out of range", x, v)
		}
		if k > 0 {
			length += p.Dist(x[k-1], v)
		}
		if k == len(x)-1 && v == x[0] {
			break // a round trip's end
		}
		if seen[v] {
			tb.Fatalf("route %v visits %d twice", x, v)
		}
		seen[v] = true
		score += p.Score[v]
	}
	if length > p.Budget+1e-9 {
		tb.Errorf("route length %v over the budget %v", length, p.Budget)
	}
	if math.Abs(length-r.Length) > 1e-9 || math.Abs(score-r.Score) > 1e-9 {
		tb.Errorf("claims score %v length %v, measures %v %v", r.Score, r.Length, score, length)
	}
}

// bruteForce is the best score over every ordered choice of points (naive
// baseline for tiny n).
func bruteForce(p *Problem) float64 {
	var cand []int
	for i := range p.N {
		if i != p.Start && i != p.End {
			cand = append(cand, i)
		}
	}
	base := p.Score[p.Start]
	if p.End != p.Start {
		base += p.Score[p.End]
	}
	best := base
	used := make([]bool, p.N)
	var rec func(last int, length, score float64)
	rec = func(last int, length, score float64) {
		if length+p.Dist(last, p.End) <= p.Budget+1e-9 {
			best = max(best, score)
		}
		for _, v := range cand {
			if !used[v] {
				if l := length + p.Dist(last, v); l+p.Dist(v, p.End) <= p.Budget+1e-9 {
					used[v] = true
					rec(v, l, score+p.Score[v])
					used[v] = false
				}
			}
		}
	}
	rec(p.Start, 0, base)
	return best
}

func TestSolveOptimalSmall(t *testing.T) {
	for seed := uint64(1); seed <= 12; seed++ {
		for _, round := range []bool{false, true} {
			t.Run(fmt.Sprintf("seed%d/round%v", seed, round), func(t *testing.T) {
				p := randomProblem(9, seed, 12+float64(seed), round)
				want := bruteForce(p)
				ex, err := SolveExact(p)
				if err != nil {
					t.Fatal(err)
				}
				checkRoute(t, p, ex)
				if ex.Score != want {
					t.Errorf("SolveExact score %v, brute force %v", ex.Score, want)
				}
				r, err := Solve(context.Background(), p, Options{MaxIterations: 300, Seed: seed})
				if err != nil {
					t.Fatal(err)
				}
				checkRoute(t, p, r)
				if r.Score != want {
					t.Errorf("Solve score %v, optimum %v (route %v)", r.Score, want, r.Route)
				}
			})
		}
	}
}

func TestSolveProperties(t *testing.T) {
	for _, tt := range []struct {
		name   string
		n      int
		budget float64
		round  bool
	}{
		{"two points", 2, 20, false},
		{"one point round trip", 1, 0, true},
		{"tight", 30, 10, false},
		{"medium", 60, 25, false},
		{"round trip", 60, 25, true},
		{"everything fits", 40, 1000, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := randomProblem(max(tt.n, 2), 7, tt.budget, tt.round)
			if tt.n == 1 {
				p.N, p.Score = 1, p.Score[:1]
			}
			r, err := Solve(context.Background(), p, Options{MaxIterations: 200, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			checkRoute(t, p, r)
			if tt.budget == 1000 && len(r.Route) != tt.n+boolInt(tt.round) {
				t.Errorf("everything fits, route has %d points", len(r.Route))
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestSolveDeterministic(t *testing.T) {
	p := randomProblem(60, 3, 30, false)
	a, err := Solve(context.Background(), p, Options{MaxIterations: 100, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Solve(context.Background(), p, Options{MaxIterations: 100, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Route, b.Route) || a.Score != b.Score {
		t.Errorf("two runs differ: %v %v", a.Route, b.Route)
	}
}

func TestSolveTimeLimit(t *testing.T) {
	p := randomProblem(200, 4, 40, false)
	const limit = 100 * time.Millisecond
	t0 := time.Now()
	r, err := Solve(context.Background(), p, Options{TimeLimit: limit})
	if err != nil {
		t.Fatal(err)
	}
	// The limit is checked between iterations; one on 200 points takes a
	// few milliseconds (tens under -race on a busy machine).
	if el := time.Since(t0); el > limit+500*time.Millisecond {
		t.Errorf("took %v with a %v limit", el, limit)
	}
	checkRoute(t, p, r)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err = Solve(ctx, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Iterations != 0 {
		t.Errorf("cancelled: %d iterations", r.Iterations)
	}
	checkRoute(t, p, r)
}

func TestSolveErrors(t *testing.T) {
	p := randomProblem(5, 1, 1, false)
	p.Budget = p.Dist(0, 1) / 2
	if _, err := Solve(context.Background(), p, Options{}); !errors.Is(err, ErrInfeasible) {
		t.Errorf("err = %v, want ErrInfeasible", err)
	}
	for _, bad := range []func(*Problem){
		func(p *Problem) { p.Score = p.Score[:2] },
		func(p *Problem) { p.End = 9 },
		func(p *Problem) { p.Budget = math.NaN() },
		func(p *Problem) { p.Dist = nil },
		func(p *Problem) { p.Score[2] = -1 },
	} {
		p := randomProblem(5, 1, 10, false)
		bad(p)
		if _, err := Solve(context.Background(), p, Options{}); err == nil {
			t.Errorf("bad problem accepted: %+v", p)
		}
	}
}

// TestTsiligirides2Exact checks Solve against SolveExact on two of the
// Tsiligirides set 2 instances (21 points) of the shared benchmarks; the
// exact table takes a few seconds under -race, so gridbench route --op
// checks the others.
func TestTsiligirides2Exact(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dir := benchdata.Dir(t, "orienteering")
	for _, name := range []string{"tsiligirides_problem_2_budget_23.txt", "tsiligirides_problem_2_budget_38.txt"} {
		f := filepath.Join(dir, "Tsiligirides_2", name)
		in, err := ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p := in.Problem()
		ex, err := SolveExact(p)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Solve(context.Background(), p, Options{MaxIterations: 500, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		checkRoute(t, p, r)
		checkRoute(t, p, ex)
		if r.Score != ex.Score {
			t.Errorf("%s: score %v, optimum %v", in.Name, r.Score, ex.Score)
		}
	}
}
