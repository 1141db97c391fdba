package vrptw

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// BestKnown is one row of a best-known-solutions table (best_known.tsv in
// the shared benchmarks): the best published distances under the usual
// hierarchical objective (fewest vehicles, then distance) and when only the
// distance counts, each with its vehicle count.
type BestKnown struct {
	Instance            string
	Vehicles            int     // bks_vehicles: fewest vehicles known
	Distance            float64 // bks_distance: best distance with that many
	MinDistanceVehicles int     // min_distance_vehicles
	MinDistance         float64 // min_distance: best distance with any number of vehicles
}

// ReadBestKnown reads a tab-separated table whose header names at least the
// columns instance, bks_vehicles, bks_distance, min_distance_vehicles and
// min_distance, in any order.
func ReadBestKnown(r io.Reader) ([]BestKnown, error) {
	sc := bufio.NewScanner(r)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, err
		}
		return nil, &ParseError{Line: 1, Msg: "empty table, want a header"}
	}
	cols := map[string]int{}
	for i, h := range strings.Split(sc.Text(), "\t") {
		cols[strings.TrimSpace(h)] = i
	}
	names := []string{"instance", "bks_vehicles", "bks_distance", "min_distance_vehicles", "min_distance"}
	idx := make([]int, len(names))
	for i, n := range names {
		c, ok := cols[n]
		if !ok {
			return nil, &ParseError{Line: 1, Msg: fmt.Sprintf("no column %q", n)}
		}
		idx[i] = c
	}
	var out []BestKnown
	for line := 2; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		f := strings.Split(sc.Text(), "\t")
		get := func(i int) (string, error) {
			if idx[i] >= len(f) {
				return "", &ParseError{Line: line, Field: names[i], Msg: "missing"}
			}
			return strings.TrimSpace(f[idx[i]]), nil
		}
		var b BestKnown
		var err error
		if b.Instance, err = get(0); err != nil {
			return nil, err
		}
		for i := 1; i < len(names); i++ {
			s, err := get(i)
			if err != nil {
				return nil, err
			}
			switch i {
			case 1:
				b.Vehicles, err = parseInt(s, line, names[i], 1)
			case 2:
				b.Distance, err = parseFloat(s, line, names[i], 0)
			case 3:
				b.MinDistanceVehicles, err = parseInt(s, line, names[i], 1)
			case 4:
				b.MinDistance, err = parseFloat(s, line, names[i], 0)
			}
			if err != nil {
				return nil, err
			}
		}
		out = append(out, b)
	}
	return out, sc.Err()
}
