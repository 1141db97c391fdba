package coverage

import (
	"container/heap"
	"context"
	"slices"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/territory"
)

// Limits of Suggest.
const (
	MaxSites         = 50
	MaxSuggestRadius = 50_000 // metres, as a resource's radius
	MinSuggestRes    = 6
	MaxSuggestRes    = 11
	// MaxCandidates bounds the candidate sites: with the resolution chosen
	// from the radius Suggest coarsens until they fit; an explicit
	// resolution with more is refused.
	MaxCandidates = 200_000
)

// SuggestOptions say what to suggest: K sites of radius RadiusM (metres,
// geodesic) at the centres of H3 cells of resolution Res (0: chosen from
// the radius, see ResForRadius), for the uncovered customers in Scope,
// valued by Weights.
type SuggestOptions struct {
	K       int
	RadiusM float64
	Res     int
	Scope   Scope
	Weights Weights
}

// Site is one suggested site: where (an H3 cell's centre), and the
// customers it would bring into coverage beyond the sites ranked before
// it, with their weight.
type Site struct {
	Rank      int
	Cell      h3.Cell
	Center    orb.Point
	Weight    float64
	Customers []int64 // ids, ascending
}

// Suggestion is Suggest's answer. UncoveredWeight and UncoveredCustomers
// are what is in no coverage in scope before any site; CoveredWeight and
// CoveredCustomers what the sites together would cover. Fewer than K sites
// come back when the earlier ones already cover every uncovered customer.
type Suggestion struct {
	AsOf               Date
	Res                int
	RadiusM            float64
	Candidates         int
	Sites              []Site
	UncoveredCustomers int
	UncoveredWeight    float64
	CoveredCustomers   int
	CoveredWeight      float64
	Method             string // "lazy-greedy"
}

// ResForRadius is the candidate resolution for sites of radius r: the
// coarsest (MinSuggestRes..MaxSuggestRes) whose hexagons' average edge is
// at most r/2, so that neighbouring candidates lie about r·0.87 apart or
// closer and the best centre is never far from one of them.
func ResForRadius(radiusM float64) int {
	for res := MinSuggestRes; res < MaxSuggestRes; res++ {
		if h3.HexagonEdgeLengthAvgM(res) <= radiusM/2 {
			return res
		}
	}
	return MaxSuggestRes
}

// Suggest chooses up to K sites that bring the most uncovered weight into
// coverage (the maximal covering location problem): the candidates are the
// centres of the H3 cells that hold uncovered customers in scope, and the
// choice is greedy with lazy evaluation (a candidate's gain is worked out
// again only when it reaches the top of the queue; gains only shrink as
// sites are added, so a fresh top is the best). Greedy is within 1 − 1/e
// of the optimum in theory and much closer in practice; see the package
// documentation for the gap measured against the exact optimum.
func (a *Analyzer) Suggest(ctx context.Context, asOf Date, o SuggestOptions) (*Suggestion, error) {
	switch {
	case o.K < 1 || o.K > MaxSites:
		return nil, territory.Invalid("k", "must be a number of sites from 1 to %d, got %d", MaxSites, o.K)
	case !(o.RadiusM > 0) || o.RadiusM > MaxSuggestRadius:
		return nil, territory.Invalid("radius", "must be a radius in (0, %d] metres, got %v", MaxSuggestRadius, o.RadiusM)
	case o.Res != 0 && (o.Res < MinSuggestRes || o.Res > MaxSuggestRes):
		return nil, territory.Invalid("res", "must be an H3 resolution from %d to %d, got %d", MinSuggestRes, MaxSuggestRes, o.Res)
	}
	m, err := a.newMCLP(ctx, asOf, o)
	if err != nil {
		return nil, err
	}
	out := &Suggestion{AsOf: asOf, Res: m.res, RadiusM: o.RadiusM, Candidates: len(m.cells), Sites: []Site{},
		UncoveredCustomers: len(m.w), Method: "lazy-greedy"}
	for _, x := range m.w {
		out.UncoveredWeight += x
	}
	picks, err := m.greedy(ctx, o.K)
	if err != nil {
		return nil, err
	}
	for i, p := range picks {
		s := Site{Rank: i + 1, Cell: h3.Cell(m.cells[p.cand]), Center: m.centers[p.cand], Weight: p.gain, Customers: make([]int64, len(p.members))}
		for j, k := range p.members {
			s.Customers[j] = a.cs.id[m.cust[k]]
		}
		slices.Sort(s.Customers)
		out.Sites = append(out.Sites, s)
		out.CoveredCustomers += len(s.Customers)
		out.CoveredWeight += s.Weight
	}
	return out, nil
}

// mclp is one maximal covering instance: the uncovered customers in scope
// (indexed by position), their weights, and the candidate discs.
type mclp struct {
	ix      *pointIndex
	cust    []int32   // ix point j is customer cust[j]
	w       []float64 // weight of ix point j
	res     int
	cells   []uint64 // candidates, ascending
	centers []orb.Point
	discs   []reach
	workers int
}

// newMCLP collects the uncovered customers in scope as of asOf and the
// candidate sites.
func (a *Analyzer) newMCLP(ctx context.Context, asOf Date, o SuggestOptions) (*mclp, error) {
	sc, err := a.resolve(o.Scope)
	if err != nil {
		return nil, err
	}
	wt := o.Weights.table()
	cs := a.cs
	var ks []int32
	a.read(asOf, func(v *view) {
		sc.each(cs, func(k int32) {
			if v.best[k] == None {
				ks = append(ks, k)
			}
		})
	})
	lon, lat := make([]float64, len(ks)), make([]float64, len(ks))
	for j, k := range ks {
		lon[j], lat[j] = cs.ix.lon[k], cs.ix.lat[k]
	}
	m := &mclp{workers: a.workers}
	degH := 2 * o.RadiusM / 111_195 // a disc's box height in degrees
	var perm []int32
	m.ix, perm = newPointIndex(lon, lat, rowHeight(degH))
	m.cust, m.w = make([]int32, len(ks)), make([]float64, len(ks))
	for j, i := range perm {
		k := ks[i]
		m.cust[j], m.w[j] = k, wt[cs.key[k]][cs.size[k]]
	}
	res := o.Res
	if res == 0 {
		res = ResForRadius(o.RadiusM)
	}
	for {
		m.cells = m.cells[:0]
		for _, k := range m.cust {
			m.cells = append(m.cells, parentOf(cs.cell[k], res))
		}
		slices.Sort(m.cells)
		m.cells = slices.Compact(m.cells)
		if len(m.cells) <= MaxCandidates {
			break
		}
		if o.Res != 0 || res == MinSuggestRes {
			return nil, territory.Invalid("res", "%d candidate cells at resolution %d, more than %d: choose a coarser resolution or a district",
				len(m.cells), res, MaxCandidates)
		}
		res--
	}
	m.res = res
	m.centers = make([]orb.Point, len(m.cells))
	m.discs = make([]reach, len(m.cells))
	err = a.parallel(ctx, len(m.cells), func(i int) {
		c := cellCenter(m.cells[i])
		m.centers[i] = c
		m.discs[i] = newReach(&territory.Resource{Geometry: c, RadiusM: o.RadiusM})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// members calls fn for every customer (ix position) candidate c's disc
// covers, in position order.
func (m *mclp) members(c int, fn func(j int32)) {
	d := &m.discs[c]
	m.ix.search(d.bound, func(j int32) {
		if d.disc.coversXY(m.ix.lon[j], m.ix.lat[j]) {
			fn(j)
		}
	})
}

// gain is the weight candidate c would add, given covered.
func (m *mclp) gain(c int, covered []bool) float64 {
	g := 0.0
	m.members(c, func(j int32) {
		if !covered[j] {
			g += m.w[j]
		}
	})
	return g
}

// pick is one chosen candidate, its marginal gain and the customers it
// newly covers.
type pick struct {
	cand    int
	gain    float64
	members []int32
}

// greedy chooses up to k candidates by lazy greedy.
func (m *mclp) greedy(ctx context.Context, k int) ([]pick, error) {
	covered := make([]bool, len(m.w))
	q := &gainQueue{cells: m.cells, items: make([]gainItem, len(m.cells))}
	err := parallelN(ctx, m.workers, len(m.cells), func(i int) {
		q.items[i] = gainItem{cand: int32(i), gain: m.gain(i, covered), round: 0}
	})
	if err != nil {
		return nil, err
	}
	heap.Init(q)
	var picks []pick
	for round := int32(0); len(picks) < k && q.Len() > 0; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		top := q.items[0]
		if top.gain <= 0 {
			break
		}
		if top.round != round { // stale: work it out again and let it sink
			q.items[0].gain, q.items[0].round = m.gain(int(top.cand), covered), round
			heap.Fix(q, 0)
			continue
		}
		heap.Pop(q)
		p := pick{cand: int(top.cand), gain: top.gain}
		m.members(p.cand, func(j int32) {
			if !covered[j] {
				covered[j] = true
				p.members = append(p.members, j)
			}
		})
		picks = append(picks, p)
		round++
	}
	return picks, nil
}

// gainItem is a candidate with its gain as worked out in round.
type gainItem struct {
	cand  int32
	round int32
	gain  float64
}

// gainQueue is a max-heap by gain, ties to the lower cell: deterministic.
type gainQueue struct {
	cells []uint64
	items []gainItem
}

func (q *gainQueue) Len() int { return len(q.items) }
func (q *gainQueue) Less(i, j int) bool {
	a, b := q.items[i], q.items[j]
	if a.gain != b.gain {
		return a.gain > b.gain
	}
	return q.cells[a.cand] < q.cells[b.cand]
}
func (q *gainQueue) Swap(i, j int) { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *gainQueue) Push(x any)    { q.items = append(q.items, x.(gainItem)) }
func (q *gainQueue) Pop() any {
	x := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return x
}

// parallelN runs fn(0..n-1) on workers goroutines.
func parallelN(ctx context.Context, workers, n int, fn func(i int)) error {
	a := Analyzer{workers: workers}
	return a.parallel(ctx, n, fn)
}
