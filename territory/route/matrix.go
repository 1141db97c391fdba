package route

import (
	"context"
	"math"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// Table is travel between points: Dur[i][j] seconds and Dist[i][j] metres
// from point i to point j; +Inf where no path exists.
type Table struct {
	Dur  [][]float64
	Dist [][]float64
}

// Matrix computes travel tables for a mode. Source names it in results
// ("haversine", "osrm").
type Matrix interface {
	Table(ctx context.Context, mode Mode, pts []orb.Point) (*Table, error)
	Source() string
}

// Straight is the default Matrix: the great-circle distance times the
// mode's detour factor, at the mode's speed.
type Straight struct {
	Travel map[Mode]Travel // nil: DefaultConfig's
}

var _ Matrix = Straight{}

// Source is "haversine".
func (Straight) Source() string { return "haversine" }

// Table computes the table; it never fails but for a cancelled context.
func (s Straight) Table(ctx context.Context, mode Mode, pts []orb.Point) (*Table, error) {
	tr := Config{Travel: s.Travel}.withDefaults().travel(mode)
	mps := tr.SpeedKmh / 3.6
	n := len(pts)
	t := &Table{Dur: square(n), Dist: square(n)}
	for i := range n {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for j := i + 1; j < n; j++ {
			d := geo.DistanceM(pts[i], pts[j]) * tr.Detour
			t.Dist[i][j], t.Dist[j][i] = d, d
			t.Dur[i][j], t.Dur[j][i] = d/mps, d/mps
		}
	}
	return t, nil
}

func square(n int) [][]float64 {
	flat := make([]float64, n*n)
	out := make([][]float64, n)
	for i := range out {
		out[i] = flat[i*n : (i+1)*n : (i+1)*n]
	}
	return out
}

func inf() float64 { return math.Inf(1) }
