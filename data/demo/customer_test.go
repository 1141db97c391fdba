package demo

import (
	"math"
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
)

var (
	externalIDRE = regexp.MustCompile(`^HZ-\d{6,}$`)
	chineseRE    = regexp.MustCompile(`^\p{Han}[\p{Han}0-9]+$`)
)

func TestCustomers(t *testing.T) {
	c := mustCity(t)
	n := len(c.Customers)
	gix := gridIndex(t, c)
	ids := map[string]bool{}
	names := map[string]bool{}
	sizes := map[territory.Size]int{}
	carriers := map[territory.Carrier]int{}
	industries := map[string]int{}
	special := 0
	for i, cu := range c.Customers {
		if cu.ID != int64(i+1) || !externalIDRE.MatchString(cu.ExternalID) || ids[cu.ExternalID] {
			t.Fatalf("customer %d: id %d, external id %q (repeated: %v)", i, cu.ID, cu.ExternalID, ids[cu.ExternalID])
		}
		ids[cu.ExternalID] = true
		if !chineseRE.MatchString(cu.Name) {
			t.Fatalf("customer %s: name %q is not a Chinese name", cu.ExternalID, cu.Name)
		}
		names[cu.Name] = true
		if _, ok := industriesByLabel()[cu.Industry]; !ok {
			t.Fatalf("customer %s: industry %q", cu.ExternalID, cu.Industry)
		}
		industries[cu.Industry]++
		sizes[cu.Size]++
		carriers[cu.Carrier]++
		if cu.Special {
			special++
			if cu.Industry != "物业管理" {
				t.Fatalf("special customer %s %s is in %s, want 物业管理", cu.ExternalID, cu.Name, cu.Industry)
			}
		}
		if gi, ok := gix.Locate(cu.Location); !ok || int64(gi+1) != cu.GridID {
			t.Fatalf("customer %s in grid %d, but its point is in grid %d", cu.ExternalID, cu.GridID, gi+1)
		}
		if cu.Cell != geo.Cell(cu.Location, geo.CustomerCellRes) {
			t.Fatalf("customer %s: cell %v is not the cell of %v", cu.ExternalID, cu.Cell, cu.Location)
		}
		if cu.CreatedAt.IsZero() || cu.UpdatedAt.Before(cu.CreatedAt) || !cu.UpdatedAt.Before(testNow) {
			t.Fatalf("customer %s: created %v updated %v", cu.ExternalID, cu.CreatedAt, cu.UpdatedAt)
		}
		if err := cu.Validate(); err != nil {
			t.Fatalf("customer %s: %v", cu.ExternalID, err)
		}
	}
	if u := share(len(names), n); u < 0.9 {
		t.Errorf("only %.1f%% of names are distinct", 100*u)
	}
	for _, s := range territory.Sizes {
		if sizes[s] == 0 {
			t.Errorf("no %s businesses", s)
		}
	}
	if ms := share(sizes[territory.SizeMicro]+sizes[territory.SizeSmall], n); ms < 0.85 {
		t.Errorf("micro and small are %.1f%%, want most", 100*ms)
	}
	if sizes[territory.SizeMicro] < sizes[territory.SizeSmall] || sizes[territory.SizeMedium] < sizes[territory.SizeLarge] {
		t.Errorf("sizes %v: want micro > small > … > large", sizes)
	}
	wantCarrier := map[territory.Carrier][2]float64{
		territory.CarrierOurs: {0.06, 0.15}, territory.CarrierCompetitor: {0.35, 0.65},
		territory.CarrierNone: {0.08, 0.25}, territory.CarrierUnknown: {0.15, 0.40},
	}
	for cr, r := range wantCarrier {
		if s := share(carriers[cr], n); s < r[0] || s > r[1] {
			t.Errorf("carrier %s: %.1f%%, want %.0f–%.0f%%", cr, 100*s, 100*r[0], 100*r[1])
		}
	}
	if s := share(special, n); s < 0.005 || s > 0.05 {
		t.Errorf("special customers %.2f%%, want a few percent", 100*s)
	}
	if len(industries) < 15 {
		t.Errorf("only %d industries: %v", len(industries), industries)
	}
	t.Logf("sizes %v, carriers %v, special %d, distinct names %d", sizes, carriers, special, len(names))
}

// industriesByLabel indexes the industry table by its Chinese label.
func industriesByLabel() map[string]industry {
	m := map[string]industry{}
	for _, ind := range industries {
		m[ind.label] = ind
	}
	return m
}

// Businesses cluster: counts per H3 resolution-8 cell over the whole city
// (empty cells included) vary far more than their mean (a Poisson process
// gives a variance-to-mean ratio of 1), and nearest neighbours are much
// closer than for random points of the same density (Clark–Evans ratio
// well below 1). Uniform points in the same city are the baseline: the
// statistics must tell the two apart.
func TestClustering(t *testing.T) {
	c := mustCity(t)
	// Cells wholly inside the city: a cell cut by the city's edge would
	// count low for any point process.
	dix := districtIndex(t, c)
	var cells []h3.Cell
	for _, d := range c.Districts {
		var loop h3.GeoLoop
		for _, p := range d.Boundary[0][0] {
			loop = append(loop, geo.ToLatLng(p))
		}
	cell:
		for _, cell := range h3.PolygonToCells(h3.GeoPolygon{GeoLoop: loop}, 8) {
			for _, v := range h3.CellToBoundary(cell) {
				if _, ok := dix.Locate(geo.FromLatLng(v)); !ok {
					continue cell
				}
			}
			cells = append(cells, cell)
		}
	}
	pts := make([]orb.Point, len(c.Customers))
	for i, cu := range c.Customers {
		pts[i] = cu.Location
	}
	uniformPts := uniformInCity(t, c, len(pts))
	areaM2 := 0.0
	for _, d := range c.Districts {
		areaM2 += planarAreaM2(d.Boundary[0][0])
	}
	tests := []struct {
		name           string
		pts            []orb.Point
		minVMR, maxVMR float64
		minNN, maxNN   float64
	}{
		{"city", pts, 5, math.Inf(1), 0, 0.5},
		{"uniform baseline", uniformPts, 0.7, 1.5, 0.9, 1.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vmr := varianceToMean(tt.pts, cells)
			nn := nearestNeighbourRatio(tt.pts, areaM2)
			t.Logf("variance/mean per res-8 cell %.2f over %d cells; nearest-neighbour ratio %.3f", vmr, len(cells), nn)
			if vmr < tt.minVMR || vmr > tt.maxVMR {
				t.Errorf("variance/mean %.2f, want %.1f–%.1f", vmr, tt.minVMR, tt.maxVMR)
			}
			if nn < tt.minNN || nn > tt.maxNN {
				t.Errorf("nearest-neighbour ratio %.3f, want %.2f–%.2f", nn, tt.minNN, tt.maxNN)
			}
		})
	}
}

// uniformInCity draws n points uniformly over the city's districts.
func uniformInCity(tb testing.TB, c *City, n int) []orb.Point {
	tb.Helper()
	dix := districtIndex(tb, c)
	b := c.Districts[0].Boundary.Bound()
	for _, d := range c.Districts {
		b = b.Union(d.Boundary.Bound())
	}
	rng := rand.New(rand.NewPCG(5, 6))
	out := make([]orb.Point, 0, n)
	for len(out) < n {
		p := orb.Point{uniform(rng, b.Min[0], b.Max[0]), uniform(rng, b.Min[1], b.Max[1])}
		if _, ok := dix.Locate(p); ok {
			out = append(out, p)
		}
	}
	return out
}

// varianceToMean of the point counts over cells (zeros included); points
// outside cells are ignored.
func varianceToMean(pts []orb.Point, cells []h3.Cell) float64 {
	count := make(map[h3.Cell]float64, len(cells))
	for _, c := range cells {
		count[c] = 0
	}
	for _, p := range pts {
		c := geo.Cell(p, 8)
		if _, ok := count[c]; ok {
			count[c]++
		}
	}
	var sum, sum2 float64
	for _, v := range count {
		sum += v
		sum2 += v * v
	}
	k := float64(len(count))
	mean := sum / k
	return (sum2/k - mean*mean) / mean
}

// nearestNeighbourRatio is the Clark–Evans ratio: mean distance to the
// nearest other point over 0.5/√density, the expectation for random points.
func nearestNeighbourRatio(pts []orb.Point, areaM2 float64) float64 {
	fr := newFrame(Center)
	xy := make([][2]float64, len(pts))
	for i, p := range pts {
		xy[i][0], xy[i][1] = fr.xy(p)
	}
	const cell = 300.0
	buckets := map[[2]int][]int{}
	for i, q := range xy {
		k := [2]int{int(math.Floor(q[0] / cell)), int(math.Floor(q[1] / cell))}
		buckets[k] = append(buckets[k], i)
	}
	var total float64
	for i, q := range xy {
		k := [2]int{int(math.Floor(q[0] / cell)), int(math.Floor(q[1] / cell))}
		best := math.Inf(1)
		for ring := 1; ; ring++ {
			for dx := -ring; dx <= ring; dx++ {
				for dy := -ring; dy <= ring; dy++ {
					for _, j := range buckets[[2]int{k[0] + dx, k[1] + dy}] {
						if j != i {
							best = math.Min(best, math.Hypot(xy[j][0]-q[0], xy[j][1]-q[1]))
						}
					}
				}
			}
			if best <= float64(ring)*cell {
				break
			}
		}
		total += best
	}
	expected := 0.5 / math.Sqrt(float64(len(pts))/areaM2)
	return total / float64(len(pts)) / expected
}

// planarAreaM2 is the area of a lon/lat ring in square metres on the
// demo's local frame.
func planarAreaM2(r orb.Ring) float64 {
	fr := newFrame(Center)
	m := make(orb.Ring, len(r))
	for i, p := range r {
		m[i][0], m[i][1] = fr.xy(p)
	}
	return math.Abs(planar.Area(m))
}

func TestFunnelShape(t *testing.T) {
	c := mustCity(t)
	count := map[funnel.Stage]int{}
	for _, cu := range c.Customers {
		count[cu.Stage]++
	}
	contacted := 0
	for _, s := range funnel.Steps {
		if count[s] == 0 {
			t.Errorf("no customers at %s", s)
		}
		contacted += count[s]
	}
	t.Logf("stages %v", count)
	for i := 1; i+1 < len(funnel.Steps)-1; i++ { // list > potential > intent > order
		a, b := funnel.Steps[i], funnel.Steps[i+1]
		if count[b] >= count[a] {
			t.Errorf("%s %d ≥ %s %d: the funnel must narrow", b, count[b], a, count[a])
		}
	}
	if count[funnel.Target] <= count[funnel.List] {
		t.Errorf("target %d ≤ list %d: targets are the base", count[funnel.Target], count[funnel.List])
	}
	if s := share(count[funnel.InNetwork], contacted); s > 0.15 || s < 0.05 {
		t.Errorf("in network %.1f%% of the contacted, want at most 15%% (and some)", 100*s)
	}
	if count[funnel.Lost] == 0 || count[funnel.Churned] == 0 || share(count[funnel.Lost]+count[funnel.Churned], len(c.Customers)) > 0.05 {
		t.Errorf("lost %d, churned %d: want a few", count[funnel.Lost], count[funnel.Churned])
	}
	for _, cu := range c.Customers {
		if (cu.Stage == funnel.InNetwork) != (cu.Carrier == territory.CarrierOurs) {
			t.Fatalf("customer %s at %s has carrier %s", cu.ExternalID, cu.Stage, cu.Carrier)
		}
	}
}
