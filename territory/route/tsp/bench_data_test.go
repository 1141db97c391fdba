package tsp

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

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
