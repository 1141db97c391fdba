package coverage

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
)

// center is the middle of the test instances (Hangzhou).
var center = orb.Point{120.165, 30.272}

func day(s string) Date {
	d, err := ParseDate("date", s)
	if err != nil {
		panic(err)
	}
	return d
}

func datePtr(s string) *time.Time {
	t := day(s).Time()
	return &t
}

func square(c orb.Point, halfDeg float64) orb.Polygon {
	x0, y0, x1, y1 := c[0]-halfDeg, c[1]-halfDeg, c[0]+halfDeg, c[1]+halfDeg
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

// world is a generated instance: two districts side by side (west, east),
// each cut into a 3×2 block of grids, customers over them and around them
// (some in no grid, a few in no district), and resources of every kind.
type world struct {
	in  Input
	rng *rand.Rand
}

// genWorld makes a world of n customers and m resources from seed.
func genWorld(tb testing.TB, seed uint64, n, m int) *world {
	tb.Helper()
	w := &world{rng: rand.New(rand.NewPCG(seed, 17))}
	// Districts: 0.06° wide, 0.04° high, west and east of the centre.
	var nextID int64 = 100
	for di, dx := range []float64{-0.03, 0.03} {
		dc := orb.Point{center[0] + dx, center[1]}
		d := &territory.District{ID: int64(10 + di), Code: fmt.Sprintf("3301%02d", di), Name: fmt.Sprintf("区%d", di),
			City: "杭州市", Province: "浙江省", Boundary: orb.MultiPolygon{{{
				{dc[0] - 0.03, dc[1] - 0.02}, {dc[0] + 0.03, dc[1] - 0.02}, {dc[0] + 0.03, dc[1] + 0.02}, {dc[0] - 0.03, dc[1] + 0.02}, {dc[0] - 0.03, dc[1] - 0.02}}}}}
		w.in.Districts = append(w.in.Districts, d)
		for gx := range 3 {
			for gy := range 2 {
				x0, y0 := dc[0]-0.03+float64(gx)*0.02, dc[1]-0.02+float64(gy)*0.02
				if gx == 2 && gy == 1 {
					continue // a corner without a grid: customers there are in the district only
				}
				nextID++
				w.in.Grids = append(w.in.Grids, &territory.Grid{ID: nextID, Code: fmt.Sprintf("G%d-%d%d", di, gx, gy), Name: "网格",
					DistrictID: d.ID, Boundary: orb.Polygon{{{x0, y0}, {x0 + 0.02, y0}, {x0 + 0.02, y0 + 0.02}, {x0, y0 + 0.02}, {x0, y0}}}})
			}
		}
	}
	for i := range n {
		// Most customers in the districts, clustered; a few outside.
		var p orb.Point
		if w.rng.Float64() < 0.05 {
			p = orb.Point{center[0] + (w.rng.Float64()-0.5)*0.16, center[1] + (w.rng.Float64()-0.5)*0.07}
		} else {
			c := orb.Point{center[0] + (w.rng.Float64()-0.5)*0.1, center[1] + (w.rng.Float64()-0.5)*0.03}
			p = geo.Offset(c, w.rng.NormFloat64()*300, w.rng.NormFloat64()*300)
		}
		l := territory.CustomerLocation{ID: int64(1000 + 3*i), Location: p, Cell: geo.Cell(p, geo.CustomerCellRes),
			Stage: funnel.Stages[w.rng.IntN(len(funnel.Stages))], Carrier: territory.Carriers[w.rng.IntN(len(territory.Carriers))]}
		if w.rng.IntN(5) > 0 {
			l.Size = territory.Sizes[w.rng.IntN(len(territory.Sizes))]
		}
		for _, g := range w.in.Grids {
			if planar.PolygonContains(g.Boundary, p) {
				l.GridID = g.ID
				break
			}
		}
		w.in.Customers = append(w.in.Customers, l)
	}
	for range m {
		w.in.Resources = append(w.in.Resources, w.randomResource(int64(len(w.in.Resources)+1)))
	}
	return w
}

// randomResource makes a resource of a random kind, status and date.
func (w *world) randomResource(id int64) *territory.Resource {
	rng := w.rng
	r := &territory.Resource{ID: id, Name: fmt.Sprintf("R%d", id), Kind: "test"}
	r.Status = territory.ResourceStatuses[rng.IntN(3)]
	if r.Status != territory.ResourceExisting && rng.IntN(4) > 0 {
		r.ExpectedDate = datePtr([]string{"2026-12-31", "2027-03-31", "2027-06-30", "2027-12-31"}[rng.IntN(4)])
	}
	site := orb.Point{center[0] + (rng.Float64()-0.5)*0.12, center[1] + (rng.Float64()-0.5)*0.05}
	switch k := rng.IntN(10); {
	case k < 5:
		r.Geometry, r.RadiusM = site, 100+rng.Float64()*700
	case k < 8:
		r.Geometry = starPolygon(rng, site, 200+rng.Float64()*500, rng.IntN(3) == 0)
	default:
		res := 8 + rng.IntN(3)
		c := geo.Cell(site, res)
		r.Cells = []h3.Cell{c}
		if rng.IntN(2) == 0 { // a neighbour at another resolution, and a child of a listed cell
			r.Cells = append(r.Cells, geo.Cell(geo.Offset(site, 600, 0), res+1), c.Children(res + 1)[0])
		}
	}
	return r
}

// starPolygon is a simple polygon around c; with a hole when hole.
func starPolygon(rng *rand.Rand, c orb.Point, radiusM float64, hole bool) orb.Polygon {
	const n = 9
	ring := make(orb.Ring, 0, n+1)
	for k := range n {
		a := 2 * math.Pi * (float64(k) + (rng.Float64()-0.5)*0.6) / n
		r := radiusM * (0.7 + 0.3*rng.Float64())
		ring = append(ring, geo.Offset(c, r*math.Cos(a), r*math.Sin(a)))
	}
	poly := orb.Polygon{append(ring, ring[0])}
	if hole {
		h := square(c, radiusM/111_000/4)[0]
		slices.Reverse(h)
		poly = append(poly, h)
	}
	return poly
}

// naiveCovers is the coverage rule written plainly: h3's own Parent (cgo),
// DistanceM, PolygonContains.
func naiveCovers(r *territory.Resource, l territory.CustomerLocation) bool {
	if len(r.Cells) > 0 {
		for _, c := range r.Cells {
			if l.Cell.Parent(c.Resolution()) == c {
				return true
			}
		}
		return false
	}
	switch g := r.Geometry.(type) {
	case orb.Point:
		return geo.DistanceM(g, l.Location) <= r.RadiusM
	case orb.Polygon:
		return planar.PolygonContains(g, l.Location)
	}
	return false
}

// naive is every customer's best status and covering ids as of d, by
// testing every pair.
func naive(in Input, d Date) map[int64]CustomerCoverage {
	out := map[int64]CustomerCoverage{}
	for _, l := range in.Customers {
		cc := CustomerCoverage{ID: l.ID, Status: None, Covering: []int64{}}
		for _, r := range in.Resources {
			if !naiveCovers(r, l) {
				continue
			}
			st := Effective(r, d)
			switch {
			case st < cc.Status:
				cc.Status, cc.Covering = st, []int64{r.ID}
			case st == cc.Status:
				cc.Covering = append(cc.Covering, r.ID)
			}
		}
		slices.Sort(cc.Covering)
		out[l.ID] = cc
	}
	return out
}

func mustNew(tb testing.TB, in Input) *Analyzer {
	tb.Helper()
	a, err := New(context.Background(), in, Options{})
	if err != nil {
		tb.Fatalf("new analyzer: %v", err)
	}
	return a
}

// allCoverage lists every customer's coverage as of d.
func allCoverage(tb testing.TB, a *Analyzer, d Date) map[int64]CustomerCoverage {
	tb.Helper()
	page, err := a.Customers(d, CustomerQuery{})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[int64]CustomerCoverage{}
	for _, c := range page.Items {
		out[c.ID] = c
	}
	return out
}

// diffCoverage reports the first differences between two coverages.
func diffCoverage(tb testing.TB, what string, got, want map[int64]CustomerCoverage) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Errorf("%s: %d customers, want %d", what, len(got), len(want))
	}
	bad := 0
	ids := make([]int64, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		g, w := got[id], want[id]
		if g.Status != w.Status || !slices.Equal(g.Covering, w.Covering) {
			if bad++; bad <= 5 {
				tb.Errorf("%s: customer %d: %v %v, want %v %v", what, id, g.Status, g.Covering, w.Status, w.Covering)
			}
		}
	}
	if bad > 5 {
		tb.Errorf("%s: %d customers differ in all", what, bad)
	}
}

func timeIn(tb testing.TB, zone string, y int, m time.Month, d, hh, mm int) time.Time {
	tb.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		tb.Skipf("no time zone data: %v", err)
	}
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}
