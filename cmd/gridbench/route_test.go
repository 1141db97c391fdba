package main

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRouteBench(t *testing.T) {
	tsplib := writeFiles(t, map[string]string{
		"optima.tsv": "name\tnodes\tedge_weight_type\toptimal_tour_length\tsource\nsquare\t4\tEUC_2D\t40\ttest\n",
		"square.tsp": "NAME: square\nTYPE: TSP\nDIMENSION: 4\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 10 10\n3 10 0\n4 0 10\nEOF\n",
	})
	opDir := writeFiles(t, map[string]string{
		"OP_format.txt": "not an instance",
		"Tiny/a.txt":    "10 1\n0 0 0\n4 0 0\n2 1 10\n2 -3 30\n2 4 50\n",
	})
	out, stderr, err := runBench(t, noEnv, "route", "--tsplib", tsplib, "--op", opDir, "--time-limit", "20ms")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{
		"square     n=4    EUC_2D  optimum=40      length=40 ",
		"tsplib instances=1 mean_gap_pct=0.000 max_gap_pct=0.000 mean_ms=",
		"Tiny/a ",
		"score=60 ",
		"exact=60 optimal",
		"op instances=1 total_score=60 mean_ms=",
		"exact_checked=1 exact_matched=1\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRouteBenchErrors(t *testing.T) {
	if _, _, err := runBench(t, noEnv, "route", "--help"); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: %v", err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"route"}, "give --tsplib"},
		{[]string{"route", "--tsplib", t.TempDir()}, "optima.tsv"},
		{[]string{"route", "--op", t.TempDir()}, "no instances"},
		{[]string{"route", "--op", "x", "--time-limit", "0s"}, "--time-limit"},
	} {
		_, _, err := runBench(t, noEnv, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
}
