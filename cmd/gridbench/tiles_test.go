package main

import (
	"errors"
	"flag"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

func TestTilesBadArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no customers", []string{"--customers", "0"}, "--customers 0"},
		{"no rate", []string{"--rate", "0"}, "--rate 0"},
		{"no duration", []string{"--duration", "0s"}, "--duration 0s"},
		{"zooms upside down", []string{"--min-zoom", "12", "--max-zoom", "10"}, "--min-zoom 12 --max-zoom 10"},
		{"zoom too deep", []string{"--max-zoom", "30"}, "--max-zoom 30"},
		{"no inflight", []string{"--inflight", "0"}, "--inflight 0"},
		{"stray argument", []string{"now"}, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runBench(t, noEnv, append([]string{"tiles"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	_, stderr, err := runBench(t, noEnv, "tiles", "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "VmHWM") || !strings.Contains(stderr, "-rate") {
		t.Errorf("tiles --help: %v\n%s", err, stderr)
	}
}

// Views cover 1280×800 pixels: 5 or 6 tiles across, 4 or 5 down, all at
// one zoom within the range.
func TestViewURLs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	centres := []orb.Point{{120.1, 30.2}, {120.3, 30.4}}
	urls := viewURLs(rng, centres, 10, 16, 500, false)
	if len(urls) < 500 {
		t.Fatalf("%d urls", len(urls))
	}
	re := regexp.MustCompile(`^/tiles/customers/(\d+)/(\d+)/(\d+)\.mvt$`)
	zooms := map[int]bool{}
	for _, u := range urls {
		m := re.FindStringSubmatch(u)
		if m == nil {
			t.Fatalf("bad url %q", u)
		}
		z, _ := strconv.Atoi(m[1])
		x, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		zooms[z] = true
		if z < 10 || z > 16 {
			t.Fatalf("zoom %d out of range", z)
		}
		// Near one of the centres.
		near := false
		for _, c := range centres {
			ct := maptile.At(c, maptile.Zoom(z))
			near = near || abs(int(ct.X)-x) <= 3 && abs(int(ct.Y)-y) <= 3
		}
		if !near {
			t.Fatalf("%s is far from every centre", u)
		}
	}
	if len(zooms) != 7 {
		t.Errorf("zooms drawn: %v", zooms)
	}
	// Two centres repeat tiles; with unique each comes once.
	seen := map[string]bool{}
	dups := 0
	for _, u := range urls {
		if seen[u] {
			dups++
		}
		seen[u] = true
	}
	if dups == 0 {
		t.Error("fixture: no repeated tile")
	}
	uniq := viewURLs(rand.New(rand.NewPCG(1, 2)), centres, 10, 16, 300, true)
	seen = map[string]bool{}
	for _, u := range uniq {
		if seen[u] {
			t.Fatalf("%s twice with unique", u)
		}
		seen[u] = true
	}
	if len(uniq) < 300 {
		t.Errorf("%d unique urls, want 300", len(uniq))
	}
}

// A small run end to end, served in this process: the load runs, every
// tile answers, and the summary line is there.
func TestTilesSmallRun(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "tiles.db")
	out, stderr, err := runBench(t, noEnv, "tiles", "--customers", "1000", "--rate", "40", "--duration", "1s", "--in-process", "--wrk", "", "--db", db)
	if err != nil {
		t.Fatalf("tiles: %v\n%s\n%s", err, out, stderr)
	}
	m := regexp.MustCompile(`(?m)^tiles customers=1000 requests=(\d+) rate=\d+ p50_ms=[\d.]+ p99_ms=[\d.]+ errors=(\d+) rss_mb=(\d+) hwm_mb=(\d+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no summary line in\n%s", out)
	}
	if n, _ := strconv.Atoi(m[1]); n < 40 {
		t.Errorf("%s requests, want at least 40", m[1])
	}
	if m[2] != "0" {
		t.Errorf("%s errors\n%s", m[2], out)
	}
	if rss, _ := strconv.Atoi(m[3]); rss <= 0 {
		t.Errorf("rss %s MB", m[3])
	}
	// A second run finds the city loaded.
	out, _, err = runBench(t, noEnv, "tiles", "--customers", "1000", "--rate", "40", "--duration", "200ms", "--in-process", "--wrk", "", "--db", db)
	if err != nil || !strings.Contains(out, "already holds this city") {
		t.Errorf("second run: %v\n%s", err, out)
	}
}
