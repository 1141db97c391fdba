package main

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A small instance end to end: ours against both LP solvers, which must
// agree to 1e-6. Without them the test skips, and fails under CI=true.
func TestBalanceBench(t *testing.T) {
	for _, s := range lpSolvers {
		if _, err := exec.LookPath(s); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true requires %s (apt-get install coinor-cbc glpk-utils): %v", s, err)
			}
			t.Skipf("%s not installed: %v", s, err)
		}
	}
	out, stderr, err := runBench(t, noEnv, "balance", "--customers", "400", "--managers", "10", "--seed", "3", "--time-limit", "2m")
	if err != nil {
		t.Fatalf("balance: %v\n%s\n%s", err, out, stderr)
	}
	for _, s := range []string{"cbc: objective", "glpsol: objective"} {
		if !strings.Contains(out, s) {
			t.Fatalf("no %q in the output:\n%s", s, out)
		}
	}
	m := regexp.MustCompile(`(?m)^balance customers=400 managers=10 ours_s=(\S+) lp_s=(\S+) ratio=(\S+) objective_gap=(\S+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no summary line:\n%s", out)
	}
	gap, err := strconv.ParseFloat(m[4], 64)
	if err != nil || gap > 1e-6 {
		t.Fatalf("objective_gap %s (%v), want ≤ 1e-6:\n%s", m[4], err, out)
	}
	for _, g := range regexp.MustCompile(`gap to gridplan (\S+)\)`).FindAllStringSubmatch(out, -1) {
		if v, err := strconv.ParseFloat(g[1], 64); err != nil || v > 1e-6 {
			t.Fatalf("a solver's gap %s:\n%s", g[1], out)
		}
	}
}

func TestBalanceBenchArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no customers", []string{"--customers", "0"}, "--customers 0"},
		{"no managers", []string{"--managers", "0"}, "--managers 0"},
		{"more managers than customers", []string{"--customers", "5", "--managers", "6"}, "--managers 6"},
		{"unknown solver", []string{"--solvers", "gurobi"}, `unknown solver "gurobi"`},
		{"bad time limit", []string{"--time-limit", "0s"}, "--time-limit 0s"},
		{"stray argument", []string{"now"}, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runBench(t, noEnv, append([]string{"balance"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	_, stderr, err := runBench(t, noEnv, "balance", "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("balance --help: %v", err)
	}
	for _, w := range []string{"-customers", "-managers", "-solvers", "-time-limit", "CPLEX LP", "lp_s", "objective_gap"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("balance --help does not mention %q", w)
		}
	}
	// Ours alone.
	out, _, err := runBench(t, noEnv, "balance", "--customers", "300", "--managers", "6", "--solvers", "")
	if err != nil || !strings.Contains(out, "lp_s=- ratio=- objective_gap=-") {
		t.Fatalf("ours alone: %v\n%s", err, out)
	}
}
