package main

import (
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

func TestBalanceInstance(t *testing.T) {
	out, stderr, err := runCmd(t, noEnv, "", "balance", "--instance", "testdata/balance/small.json")
	if err != nil {
		t.Fatalf("balance: %v\n%s", err, stderr)
	}
	if !strings.HasPrefix(out, `{"assignments":{`) || !strings.Contains(out, `},"unassigned":[`) || !strings.Contains(out, `"cost_m":`) {
		t.Fatalf("output does not start with assignments, unassigned, cost_m:\n%s", out)
	}
	var res struct {
		Assignments map[string]string `json:"assignments"`
		Unassigned  []string          `json:"unassigned"`
		CostM       float64           `json:"cost_m"`
		Infeasible  string            `json:"infeasible"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	// 5 customers less slack 1: 4 assigned; c4 stays with east (locked),
	// c5 goes to east (next to him), west takes c1 and c2; c3 stays out.
	want := map[string]string{"c1": "west", "c2": "west", "c4": "east", "c5": "east"}
	if len(res.Assignments) != len(want) {
		t.Fatalf("assignments %v, want %v", res.Assignments, want)
	}
	for c, m := range want {
		if res.Assignments[c] != m {
			t.Fatalf("assignments %v, want %v", res.Assignments, want)
		}
	}
	if len(res.Unassigned) != 1 || res.Unassigned[0] != "c3" || res.Infeasible != "" {
		t.Fatalf("unassigned %v, infeasible %q", res.Unassigned, res.Infeasible)
	}
	pt := func(lng, lat float64) orb.Point { return orb.Point{lng, lat} }
	west, east := pt(120.150, 30.270), pt(120.180, 30.270)
	cost := geo.DistanceM(pt(120.151, 30.271), west) + geo.DistanceM(pt(120.152, 30.269), west) +
		geo.DistanceM(pt(120.149, 30.270), east) + geo.DistanceM(pt(120.181, 30.270), east)
	if math.Abs(res.CostM-cost) > 1e-6 {
		t.Fatalf("cost_m %v, want %v", res.CostM, cost)
	}

	// From stdin, to a file.
	b, err := os.ReadFile("testdata/balance/small.json")
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "out.json")
	if _, stderr, err := runCmd(t, noEnv, string(b), "balance", "--instance", "-", "--out", dst, "--indent"); err != nil {
		t.Fatalf("balance from stdin: %v\n%s", err, stderr)
	}
	if got, err := os.ReadFile(dst); err != nil || !strings.Contains(string(got), `"cost_m"`) {
		t.Fatalf("--out: %v %s", err, got)
	}
}

func TestBalanceErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no instance", nil, "--instance is required"},
		{"missing file", []string{"--instance", filepath.Join(dir, "nope.json")}, "no such file"},
		{"not json", []string{"--instance", write("bad.json", "{")}, "read instance"},
		{"unknown field", []string{"--instance", write("field.json", `{"managers":[],"customers":[],"slak":1}`)}, `unknown field "slak"`},
		{"missing coordinates", []string{"--instance", write("nolat.json", `{"managers":[{"id":"m","lng":120,"max":1}],"customers":[]}`)}, `manager "m" (managers[0]): lat and lng are required`},
		{"duplicate customer", []string{"--instance", write("dup.json", `{"managers":[{"id":"m","lat":30,"lng":120,"max":1}],"customers":[{"id":"c","lat":30,"lng":120},{"id":"c","lat":30,"lng":120}]}`)}, `customer "c": duplicate id`},
		{"locked unknown", []string{"--instance", write("locked.json", `{"managers":[{"id":"m","lat":30,"lng":120,"max":1,"locked":["x"]}],"customers":[]}`)}, `locked customer "x" is not one of the customers`},
		{"negative slack", []string{"--instance", write("slack.json", `{"managers":[],"customers":[],"slack":-1}`)}, "slack: must not be negative"},
		{"stray argument", []string{"--instance", "x.json", "more"}, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, noEnv, "", append([]string{"balance"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
	_, stderr, err := runCmd(t, noEnv, "", "balance", "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	for _, w := range []string{"-instance", "-out", "-compact", "-cross-grid", "-move-penalty", "cost_m", "6,371,008.8", "min-cost flow"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("balance --help does not mention %q", w)
		}
	}
}

func TestBalanceInfeasibleInstance(t *testing.T) {
	p := filepath.Join(t.TempDir(), "inf.json")
	body := `{"managers":[{"id":"a","lat":30.27,"lng":120.15,"min":3,"max":5},{"id":"b","lat":30.27,"lng":120.16,"min":3,"max":5}],
	"customers":[{"id":"c1","lat":30.27,"lng":120.151},{"id":"c2","lat":30.27,"lng":120.152},{"id":"c3","lat":30.27,"lng":120.161},{"id":"c4","lat":30.27,"lng":120.162}],"slack":0}`
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCmd(t, noEnv, "", "balance", "--instance", p)
	if err != nil {
		t.Fatalf("balance: %v", err)
	}
	if !strings.Contains(out, `"infeasible":"infeasible: the minimums add up to 6 but only 4`) || !strings.Contains(stderr, "minimums add up to 6") {
		t.Fatalf("no explanation:\n%s\n%s", out, stderr)
	}
}
