// Package benchdata finds the shared benchmark data (TSPLIB, Solomon,
// orienteering instances) for the tests of the route solvers.
package benchdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir is the folder sub of the shared benchmark data: $GRIDPLAN_BENCHMARKS,
// else ../shared/benchmarks beside the repository root. Without it the test
// skips, under CI too: the benchmark data is not a CI dependency.
func Dir(tb testing.TB, sub string) string {
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
