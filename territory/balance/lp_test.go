package balance

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"gridplan/geo"
)

// lpSolver returns the path of an LP solver, skipping the test when it is
// missing (failing instead under CI=true, which must run it).
func lpSolver(t *testing.T, name string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true requires %s (apt-get install glpk-utils coinor-cbc): %v", name, err)
		}
		t.Skipf("%s not installed: %v", name, err)
	}
	return bin
}

// writeLP writes p as a CPLEX LP: x_ij for every eligible pair (and the
// holder's), cost distance plus the move penalty, minus the penalty of
// releasing a held customer (so that the objective is objective() less a
// constant, returned).
func writeLP(t *testing.T, p Problem, path string) float64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	pr, err := prepare(p)
	if err != nil {
		t.Fatal(err)
	}
	var constant float64
	type v struct {
		name string
		k, j int
	}
	var vars []v
	for k, i := range pr.free {
		c := p.Customers[i]
		if c.Holder != "" {
			constant += p.MovePenaltyM
		}
		for j := range p.Managers {
			if pr.eligible(int(i), int32(j)) || pr.holder[i] == int32(j) {
				vars = append(vars, v{fmt.Sprintf("x%d_%d", k, j), k, j})
			}
		}
	}
	fmt.Fprintln(w, "Minimize\n obj:")
	for _, x := range vars {
		i := pr.free[x.k]
		c := p.Customers[i]
		cost := geo.DistanceM(c.Point, p.Managers[x.j].Point)
		if c.Holder != "" {
			if pr.holder[i] != int32(x.j) {
				cost += p.MovePenaltyM
			}
			cost -= p.MovePenaltyM // not released
		}
		fmt.Fprintf(w, " %+.9f %s\n", cost, x.name)
	}
	fmt.Fprintln(w, "Subject To")
	byK := map[int][]string{}
	byJ := map[int][]string{}
	for _, x := range vars {
		byK[x.k] = append(byK[x.k], x.name)
		byJ[x.j] = append(byJ[x.j], x.name)
	}
	row := func(name string, xs []string, op string, rhs int) {
		if len(xs) == 0 {
			xs = []string{"zero"}
		}
		fmt.Fprintf(w, " %s:", name)
		for _, x := range xs {
			fmt.Fprintf(w, " + %s", x)
		}
		fmt.Fprintf(w, " %s %d\n", op, rhs)
	}
	for k := range pr.free {
		row(fmt.Sprint("c", k), byK[k], "<=", 1)
	}
	for j, m := range p.Managers {
		row(fmt.Sprint("lo", j), byJ[j], ">=", max(0, m.Min-pr.locked[j]))
		row(fmt.Sprint("hi", j), byJ[j], "<=", m.Max-pr.locked[j])
	}
	var all []string
	for _, x := range vars {
		all = append(all, x.name)
	}
	row("n", all, "=", max(0, pr.target-(len(p.Customers)-len(pr.free))))
	fmt.Fprintln(w, "Bounds\n zero = 0\nEnd")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	// The locked customers' distances are constant too.
	for j, m := range p.Managers {
		for _, id := range m.Locked {
			for _, c := range p.Customers {
				if c.ID == id {
					constant += geo.DistanceM(c.Point, p.Managers[j].Point)
				}
			}
		}
	}
	return constant
}

var glpkObj = regexp.MustCompile(`(?m)^Objective:\s+\S+\s+=\s+(\S+)`)

// Medium instances (grids, holders, a move penalty, locked claims) against
// GLPK's LP optimum: a network-flow LP, so its optimum is integral and
// equal to the best assignment's.
func TestSolveMatchesGLPK(t *testing.T) {
	bin := lpSolver(t, "glpsol")
	for seed := uint64(1); seed <= 3; seed++ {
		p := cityProblem(500, 10, seed)
		if seed == 2 {
			gridded(&p, 3)
		}
		if seed == 3 {
			p.Slack = 60
		}
		sol := mustSolve(t, p)
		checkSolution(t, p, sol)
		dir := t.TempDir()
		lp, out := filepath.Join(dir, "p.lp"), filepath.Join(dir, "p.out")
		constant := writeLP(t, p, lp)
		if b, err := exec.CommandContext(context.Background(), bin, "--lp", lp, "-o", out).CombinedOutput(); err != nil {
			t.Fatalf("glpsol: %v\n%s", err, b)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		m := glpkObj.FindSubmatch(b)
		if m == nil {
			t.Fatalf("no objective in glpsol's output:\n%.500s", b)
		}
		lpObj, err := strconv.ParseFloat(string(m[1]), 64)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := objective(p, sol.Assignments), lpObj+constant; !relClose(got, want) {
			t.Fatalf("seed %d: objective %.6f, GLPK %.6f (gap %.2e)", seed, got, want, (got-want)/want)
		}
	}
}
