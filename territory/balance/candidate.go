package balance

import (
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// The candidate graph: every customer's k nearest eligible managers, every
// manager's nearest eligible customers (enough to fill his maximum twice)
// and the customer's holder. The flow is solved exactly on it; then every
// customer–manager pair outside it is priced with the final potentials
// (price), and when some pair's reduced cost is negative those pairs join
// the graph and the flow is solved again, until none is: the solution is
// then optimal on the complete graph (the potentials prove it).

const (
	nearestManagers = 6 // per customer
	nearestFactor   = 2 // a manager's nearest customers: this many times his maximum
	minNearest      = 20
)

// unit is a point on the unit sphere; the chord between two of them is
// monotone in their haversine distance, so nearest by dot product is
// nearest by distance.
type unit [3]float64

func toUnit(p orb.Point) unit {
	lat, lng := p[1]*math.Pi/180, p[0]*math.Pi/180
	c := math.Cos(lat)
	return unit{c * math.Cos(lng), c * math.Sin(lng), math.Sin(lat)}
}

func dot(a, b unit) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// costModel turns metres into integer cost units.
type costModel struct {
	scale    float64 // units per metre
	penalty  float64 // metres
	poolBase float64 // metres per unit of weight for leaving a customer in the pool
}

func (c costModel) units(m float64) int64 { return int64(math.Round(m * c.scale)) }

// newCostModel chooses the scale so that a path of every node's arcs, at
// the largest cost any pair can have, stays below 2^54 (levelB is 2^55):
// sub-micrometre resolution at city scale.
func newCostModel(maxCostM float64, nodes int, penalty float64) costModel {
	s := float64(int64(1)<<54) / (float64(2*nodes+8) * max(maxCostM, 1))
	return costModel{scale: min(s, 1<<30), penalty: penalty, poolBase: poolWeightM}
}

// instance is the flow problem of one assignment step over the free
// customers (rows) and the managers.
type instance struct {
	cu     []unit      // free customers' unit vectors
	cp     []orb.Point // … their points
	cgrid  []int64
	holder []int32 // manager index or -1
	weight []float64
	mu     []unit // managers (points used for cost)
	mp     []orb.Point
	mgrid  []int64
	hi     []int32 // maximum − locked
	cross  bool
	cm     costModel

	// Eligible managers by grid (when !cross): managers of grid g and of
	// grid 0.
	byGrid  map[int64][]int32
	all     []int32
	custsBy map[int64][]int32 // free customers by grid
	allC    []int32

	mix, cix *cellIndex // managers', customers' cells
}

// spatialAbove is the eligible list length from which searches use the
// cell index rather than a scan.
const spatialAbove = 64

func (in *instance) eligibleManagers(i int) []int32 {
	if in.cross || in.cgrid[i] == 0 {
		return in.all
	}
	return in.byGrid[in.cgrid[i]]
}

func (in *instance) eligibleCustomers(j int) []int32 {
	if in.cross || in.mgrid[j] == 0 {
		return in.allC
	}
	return in.custsBy[in.mgrid[j]]
}

func (in *instance) index() {
	m, n := len(in.mp), len(in.cp)
	in.mix = newCellIndex(in.mp, 2, in.cp)
	in.cix = newCellIndex(in.cp, 8, in.mp)
	in.all = make([]int32, m)
	for j := range m {
		in.all[j] = int32(j)
	}
	in.allC = make([]int32, n)
	for i := range n {
		in.allC[i] = int32(i)
	}
	if in.cross {
		return
	}
	in.byGrid = map[int64][]int32{}
	var anyGrid []int32
	for j, g := range in.mgrid {
		if g == 0 {
			anyGrid = append(anyGrid, int32(j))
		}
	}
	for j, g := range in.mgrid {
		if g != 0 {
			if _, ok := in.byGrid[g]; !ok {
				in.byGrid[g] = slices.Clone(anyGrid)
			}
			in.byGrid[g] = append(in.byGrid[g], int32(j))
		}
	}
	in.custsBy = map[int64][]int32{}
	var anyC []int32
	for i, g := range in.cgrid {
		if g == 0 {
			anyC = append(anyC, int32(i))
		}
	}
	for i, g := range in.cgrid {
		if g != 0 {
			if _, ok := in.custsBy[g]; !ok {
				in.custsBy[g] = slices.Clone(anyC)
			}
			in.custsBy[g] = append(in.custsBy[g], int32(i))
		}
	}
	// Customers of a grid without managers only have grid-0 managers.
	for _, g := range in.cgrid {
		if _, ok := in.byGrid[g]; !ok && g != 0 {
			in.byGrid[g] = anyGrid
		}
	}
	for _, g := range in.mgrid {
		if _, ok := in.custsBy[g]; !ok && g != 0 {
			in.custsBy[g] = anyC
		}
	}
}

// cost is the integer cost of customer i with manager j.
func (in *instance) cost(i int, j int32) int64 {
	d := geo.DistanceM(in.cp[i], in.mp[j])
	if h := in.holder[i]; h >= 0 && h != j {
		d += in.cm.penalty
	}
	return in.cm.units(d)
}

// poolCost is the integer cost of leaving customer i in the pool.
func (in *instance) poolCost(i int) int64 {
	d := in.cm.poolBase * in.weight[i]
	if in.holder[i] >= 0 {
		d += in.cm.penalty
	}
	return in.cm.units(d)
}

// workers runs fn(lo, hi) over [0, n) split in parallel chunks.
func workers(n int, fn func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	if n < 2048 || w == 1 {
		fn(0, n)
		return
	}
	chunk := (n + 4*w - 1) / (4 * w)
	var wg sync.WaitGroup
	next := make(chan int, 4*w)
	for lo := 0; lo < n; lo += chunk {
		next <- lo
	}
	close(next)
	for range w {
		wg.Go(func() {
			for lo := range next {
				fn(lo, min(n, lo+chunk))
			}
		})
	}
	wg.Wait()
}

// topK keeps the k largest (dot, index) pairs, ties to the lower index.
type topK struct {
	k   int
	dot []float64
	idx []int32
}

func (t *topK) reset(k int) {
	t.k = k
	t.dot = t.dot[:0]
	t.idx = t.idx[:0]
}

func (t *topK) add(d float64, i int32) {
	n := len(t.dot)
	if n == t.k {
		if d <= t.dot[n-1] {
			return
		}
		n--
		t.dot, t.idx = t.dot[:n], t.idx[:n]
	}
	k := n
	for k > 0 && t.dot[k-1] < d {
		k--
	}
	t.dot = slices.Insert(t.dot, k, d)
	t.idx = slices.Insert(t.idx, k, i)
}

// candidates returns each free customer's candidate managers (sorted).
func (in *instance) candidates() [][]int32 {
	n, m := len(in.cp), len(in.mp)
	out := make([][]int32, n)
	workers(n, func(lo, hi int) {
		var t topK
		for i := lo; i < hi; i++ {
			el := in.eligibleManagers(i)
			t.reset(min(nearestManagers, len(el)))
			u := in.cu[i]
			if len(el) == m && m > spatialAbove && in.mix.usable {
				in.mix.nearest(in.cp[i], u, in.mu, &t)
			} else {
				for _, j := range el {
					t.add(dot(u, in.mu[j]), j)
				}
			}
			c := slices.Clone(t.idx)
			if h := in.holder[i]; h >= 0 {
				c = append(c, h)
			}
			out[i] = c
		}
	})
	// Each manager's nearest customers.
	near := make([][]int32, m)
	workers(m, func(lo, hi int) {
		var t topK
		for j := lo; j < hi; j++ {
			el := in.eligibleCustomers(j)
			t.reset(min(max(minNearest, nearestFactor*int(in.hi[j])), len(el)))
			u := in.mu[j]
			if len(el) == n && n > spatialAbove && in.cix.usable {
				in.cix.nearest(in.mp[j], u, in.cu, &t)
			} else {
				for _, i := range el {
					t.add(dot(u, in.cu[i]), i)
				}
			}
			near[j] = slices.Clone(t.idx)
		}
	})
	for j, cs := range near {
		for _, i := range cs {
			out[i] = append(out[i], int32(j))
		}
	}
	for i := range out {
		slices.Sort(out[i])
		out[i] = slices.Compact(out[i])
	}
	return out
}

// build turns candidate lists into the network's arrays per customer
// (CSR), the pool arc last in each customer's list.
func (in *instance) build(cand [][]int32) (start, to []int32, cost []int64) {
	n, m := len(in.cp), len(in.mp)
	total := n
	for _, c := range cand {
		total += len(c)
	}
	start = make([]int32, n+1)
	to = make([]int32, total)
	cost = make([]int64, total)
	for i, c := range cand {
		start[i+1] = start[i] + int32(len(c)) + 1
	}
	workers(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			a := start[i]
			for _, j := range cand[i] {
				to[a], cost[a] = j, in.cost(i, j)
				a++
			}
			to[a], cost[a] = int32(m), in.poolCost(i)
		}
	})
	return start, to, cost
}

// price returns, per free customer, the eligible managers outside his arcs
// whose reduced cost under the network's potentials is negative (nil when
// none). The test is cheap first: a pair needs pm[j] − pc[i] > 0, and then
// its cost is at least R·chord (asin x ≥ x), compared squared.
func (in *instance) price(g *network, cand [][]int32) [][]int32 {
	n, m := len(in.cp), len(in.mp)
	out := make([][]int32, n)
	rs := geo.EarthRadiusM * in.cm.scale
	rs2 := rs * rs
	maxPM := -inf
	for j := range m {
		maxPM = max(maxPM, g.pm[j])
	}
	workers(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			pi := g.pc[i]
			u := in.cu[i]
			own := g.asg[i]
			var bad []int32
			try := func(j int32) {
				need := g.pm[j] - pi // violation iff cost < need
				if need <= 0 || j == own {
					return
				}
				ch2 := 2 - 2*dot(u, in.mu[j]) - 1e-15
				nf := float64(need) + 1
				if ch2 > 0 && ch2*rs2 >= nf*nf {
					return
				}
				if _, ok := slices.BinarySearch(cand[i], j); ok {
					return
				}
				if in.cost(i, j) < need {
					bad = append(bad, j)
				}
			}
			el := in.eligibleManagers(i)
			if maxPM-pi <= 0 {
				// No manager can be cheap enough.
			} else if len(el) == m && m > spatialAbove && in.mix.usable {
				// Only managers closer than (maxPM − pc)/scale can be.
				in.mix.within(in.cp[i], float64(maxPM-pi+1)/in.cm.scale, try)
			} else {
				for _, j := range el {
					try(j)
				}
			}
			if len(bad) > 1 {
				slices.Sort(bad)
				bad = slices.Compact(bad)
			}
			out[i] = bad
		}
	})
	return out
}
