package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRouteSolomonBench(t *testing.T) {
	dir := t.TempDir()
	tiny, err := os.ReadFile("../../territory/route/vrptw/testdata/tiny.txt")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("T101.txt", string(tiny))
	write("T201.txt", string(tiny))
	// T101's best known is the optimum (3 vehicles), T201's 10% below it,
	// with 2 vehicles: too few.
	write("best_known.tsv", "instance\tbks_vehicles\tbks_distance\tmin_distance_vehicles\tmin_distance\n"+
		"T101\t3\t191.7256\t3\t191.7256\n"+
		"T201\t3\t191.7256\t2\t172.5530\n")
	out, _, err := runBench(t, noEnv, "route", "--solomon", dir, "--time-limit", "200ms")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"T101   vehicles=3/3 distance=191.73 best=191.73 gap_pct=0.00 ",
		"T201   vehicles=2 INFEASIBLE: infeasible: total demand 110 exceeds 2 vehicles",
		"solomon family=T1 instances=1 mean_gap_pct=0.00 max_gap_pct=0.00\n",
		"solomon instances=2 mean_gap_pct=0.00 max_gap_pct=0.00 mean_ms=",
		" vehicles=min_distance_vehicles infeasible=1\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSolomonFamily(t *testing.T) {
	for name, want := range map[string]string{"C101": "C1", "RC208": "RC2", "R112": "R1", "x": "x"} {
		if got := solomonFamily(name); got != want {
			t.Errorf("solomonFamily(%q) = %q, want %q", name, got, want)
		}
	}
}
