package main

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// routeTSP is a 10-node EUC_2D instance: two rows of five on a grid, whose
// optimal tour (around the rectangle) is 2·40 + 2·10 = 100 long.
const routeTSP = "NAME : ladder\nTYPE : TSP\nDIMENSION : 10\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n" +
	"1 0 0\n2 10 0\n3 20 0\n4 30 0\n5 40 0\n6 0 10\n7 10 10\n8 20 10\n9 30 10\n10 40 10\nEOF\n"

// routeOP: start (0,0), end (4,0), Tmax 10; the best route takes the
// 50-point (2,4) and not the 30-point (2,-3) it has no time for.
const routeOP = "10 1\n0 0 0\n4 0 0\n2 1 10\n2 -3 30\n2 4 50\n"

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRouteTSP(t *testing.T) {
	path := writeTemp(t, "ladder.tsp", routeTSP)
	for _, args := range [][]string{
		{"route", "tsp", path, "--time-limit", "50ms"},
		{"route", "tsp", "--time-limit", "50ms", "--seed", "3", path},
	} {
		out, stderr, err := runCmd(t, noEnv, "", args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		var got struct {
			Name   string
			Length int64
			Tour   []int
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("output %q: %v", out, err)
		}
		if !strings.HasPrefix(out, `{"name":"ladder","length":100,"tour":[1,`) || strings.Count(out, "\n") != 1 {
			t.Errorf("output %q", out)
		}
		sorted := slices.Sorted(slices.Values(got.Tour))
		if want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; !slices.Equal(sorted, want) {
			t.Errorf("tour %v is no permutation of 1..10", got.Tour)
		}
	}
}

func TestRouteOP(t *testing.T) {
	path := writeTemp(t, "tiny.txt", routeOP)
	out, stderr, err := runCmd(t, noEnv, "", "route", "op", path, "--time-limit", "50ms")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var got struct {
		Name   string
		Score  float64
		Length float64
		Route  []int
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	// Both orders of the two visits are equally long.
	if got.Name != "tiny" || got.Score != 60 || got.Length > 10 ||
		(!slices.Equal(got.Route, []int{0, 2, 4, 1}) && !slices.Equal(got.Route, []int{0, 4, 2, 1})) {
		t.Errorf("got %+v", got)
	}
}

func TestRouteErrors(t *testing.T) {
	bad := writeTemp(t, "bad.tsp", strings.Replace(routeTSP, "3 20 0", "3 20 zero", 1))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"route"}, "say what to solve"},
		{"unknown", []string{"route", "vrp"}, "unknown command"},
		{"no file", []string{"route", "tsp"}, "name the instance file"},
		{"two files", []string{"route", "tsp", "a", "b"}, "one instance file"},
		{"bad limit", []string{"route", "op", "x", "--time-limit", "0s"}, "--time-limit"},
		{"bad file", []string{"route", "tsp", bad}, "line 8: y"},
		{"missing file", []string{"route", "op", filepath.Join(t.TempDir(), "none.txt")}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, noEnv, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	for _, args := range [][]string{{"route", "--help"}, {"route", "tsp", "--help"}, {"route", "op", "-h"}} {
		if _, _, err := runCmd(t, noEnv, "", args...); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: err = %v, want flag.ErrHelp", args, err)
		}
	}
}
