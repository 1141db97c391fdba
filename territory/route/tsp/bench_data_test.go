package tsp

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// benchmarksDir finds the shared benchmark data: $GRIDPLAN_BENCHMARKS, else
// ../shared/benchmarks beside the repository root. Without it the test
// skips, under CI too: the benchmark data is not a CI dependency.
func benchmarksDir(tb testing.TB, sub string) string {
	tb.Helper()
	dir := os.Getenv("GRIDPLAN_BENCHMARKS")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			tb.Fatal(err)
		}
		for root := wd; ; root = filepath.Dir(root) {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				dir = filepath.Join(root, "..", "shared", "benchmarks")
				break
			}
			if filepath.Dir(root) == root {
				break
			}
		}
	}
	dir = filepath.Join(dir, sub)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		tb.Skipf("benchmark data %s not found (set GRIDPLAN_BENCHMARKS to the benchmarks folder); benchmark data is not a CI dependency", dir)
	}
	return dir
}

// optima reads optima.tsv: instance name → optimal tour length.
func optima(tb testing.TB, dir string) map[string]int64 {
	tb.Helper()
	f, err := os.Open(filepath.Join(dir, "optima.tsv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if line == 1 {
			continue
		}
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) < 4 {
			continue
		}
		v, err := strconv.ParseInt(fs[3], 10, 64)
		if err != nil {
			tb.Fatalf("optima.tsv line %d: %v", line, err)
		}
		out[fs[0]] = v
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}
