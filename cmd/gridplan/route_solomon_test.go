package main

import (
	"encoding/json"
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
)

// routeSolomon is a Solomon-format instance of four customers at the
// corners of a square around the depot; capacity 20 makes two routes of two.
const routeSolomon = "SQUARE4\r\n\r\nVEHICLE\r\nNUMBER     CAPACITY\r\n  4         20\r\n\r\nCUSTOMER\r\n" +
	"CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\r\n \r\n" +
	"    0      50         50          0          0       1000          0\r\n" +
	"    1      40         40         10          0       1000         10\r\n" +
	"    2      40         60         10          0       1000         10\r\n" +
	"    3      60         60         10          0       1000         10\r\n" +
	"    4      60         40         10          0       1000         10\r\n"

func TestRouteSolomon(t *testing.T) {
	path := writeTemp(t, "square4.txt", routeSolomon)
	for _, args := range [][]string{
		{"route", "solomon", path, "--vehicles", "2", "--time-limit", "2s", "--iterations", "500"},
		{"route", "solomon", "--vehicles", "3", "--seed", "7", "--iterations", "500", path},
	} {
		out, stderr, err := runCmd(t, noEnv, "", args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		var got struct {
			Name     string
			Vehicles int
			Distance float64
			Routes   [][]int
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("output %q: %v", out, err)
		}
		if !strings.HasPrefix(out, `{"name":"SQUARE4","vehicles":2,"distance":`) || strings.Count(out, "\n") != 1 {
			t.Errorf("output %q", out)
		}
		// two routes, each over one side of the square: 2·(√200 + 20)
		if want := 2 * (2*14.142135623730951 + 20); got.Distance < want-1e-9 || got.Distance > want+1e-9 {
			t.Errorf("distance %v, want %v", got.Distance, want)
		}
		all := slices.Sorted(slices.Values(slices.Concat(got.Routes...)))
		if !slices.Equal(all, []int{1, 2, 3, 4}) || len(got.Routes) != 2 {
			t.Errorf("routes %v", got.Routes)
		}
	}
}

func TestRouteSolomonErrors(t *testing.T) {
	path := writeTemp(t, "square4.txt", routeSolomon)
	bad := writeTemp(t, "bad.txt", strings.Replace(routeSolomon, "   10          0       1000         10\r\n    4", "   10          0       1000         x\r\n    4", 1))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{path, "--vehicles", "1"}, "infeasible: total demand 40 exceeds 1 vehicles × capacity 20; at least 2 vehicles are needed"},
		{[]string{path, "--vehicles", "-1"}, "--vehicles -1"},
		{[]string{path, "--time-limit", "0s"}, "--time-limit 0s"},
		{[]string{path, "--iterations", "0"}, "--iterations 0"},
		{[]string{}, "name the instance file"},
		{[]string{path, path}, "one instance file"},
		{[]string{bad}, `bad.txt: line 13: SERVICE TIME: "x" is not a number`},
	}
	for _, tt := range tests {
		_, _, err := runCmd(t, noEnv, "", append([]string{"route", "solomon"}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
	_, stderr, err := runCmd(t, noEnv, "", "route", "solomon", "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "--vehicles K") || !strings.Contains(stderr, "-iterations") {
		t.Errorf("--help: %v\n%s", err, stderr)
	}
}
