package vrptw

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	in := mustRead(t, "testdata/tiny.txt")
	good := &Solution{Routes: [][]int{{7, 8, 5, 6}, {3, 4}, {1, 2}}}
	good.Distance = routesLength(in, good.Routes)
	if err := Check(in, 3, good); err != nil {
		t.Fatalf("feasible solution rejected: %v", err)
	}
	tests := []struct {
		name     string
		edit     func(in *Instance)
		vehicles int
		routes   [][]int
		unserved []int
		distance float64 // 0: the routes' length
		want     string
	}{
		{"too many routes", nil, 2, good.Routes, nil, 0, "3 routes for 2 vehicles"},
		{"empty route", nil, 4, [][]int{{7, 8, 5, 6}, {}, {3, 4}, {1, 2}}, nil, 0, "route 2 is empty"},
		{"twice", nil, 3, [][]int{{7, 8, 5, 6}, {1, 3, 4}, {1, 2}}, nil, 0, "route 3: customer 1 is served twice"},
		{"unknown", nil, 3, [][]int{{7, 8, 5, 6}, {3, 4, 9}, {1, 2}}, nil, 100, "customer 9 does not exist"},
		{"missing", nil, 3, [][]int{{7, 8, 5, 6}, {3}, {1, 2}}, nil, 0, "customer 4 is neither"},
		{"unserved listed", nil, 3, [][]int{{7, 8, 5, 6}, {3}, {1, 2}}, []int{4}, 0, ""},
		{"unserved and served", nil, 3, good.Routes, []int{4}, 0, "unserved: customer 4 is served twice"},
		{"capacity", func(in *Instance) { in.Capacity = 40 }, 3, good.Routes, nil, 0, "route 1: load 50 exceeds the capacity 40"},
		{"due date", nil, 3, [][]int{{7, 8, 5, 6}, {4, 3}, {1, 2}}, nil, 0, "route 2: service of customer 3 starts at 114.1421, after his due date 60"},
		{"depot horizon", func(in *Instance) { in.Nodes[0].Due = 150 }, 3, good.Routes, nil, 0, "route 1: back at the depot at"},
		{"distance", nil, 3, good.Routes, nil, 1, "distance 1.000000, but the routes measure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := mustRead(t, "testdata/tiny.txt")
			if tt.edit != nil {
				tt.edit(in)
			}
			sol := &Solution{Routes: tt.routes, Unserved: tt.unserved, Distance: tt.distance}
			if sol.Distance == 0 {
				sol.Distance = routesLength(in, tt.routes)
			}
			err := Check(in, tt.vehicles, sol)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("err = %v, want none", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func mustRead(tb testing.TB, path string) *Instance {
	tb.Helper()
	in, err := ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return in
}

func routesLength(in *Instance, routes [][]int) float64 {
	total := 0.0
	for _, r := range routes {
		prev := 0
		for _, c := range r {
			total += in.Distance(prev, c)
			prev = c
		}
		total += in.Distance(prev, 0)
	}
	return total
}
