package balance

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/territory"
)

// poolWeightM is what leaving a customer in the pool costs in the
// objective, per unit of his weight (metres). With equal weights the pool's
// size is fixed and the term is a constant; with unequal ones the customers
// of least weight stay in the pool first.
const poolWeightM = 1000

// DefaultCompactRounds bounds the compact mode's assignment–medoid rounds.
const DefaultCompactRounds = 10

// maxPricingRounds guards the pricing loop; every round adds arcs, so it
// ends anyway, but a bug should not hang a server.
const maxPricingRounds = 1000

// Stats describe how a Solve went (for benchmarks and logs).
type Stats struct {
	FreeCustomers int     `json:"free_customers"`
	Arcs          int     `json:"arcs"`           // candidate arcs at the end (pool arcs included)
	PricingRounds int     `json:"pricing_rounds"` // passes over every customer–manager pair
	AddedArcs     int     `json:"added_arcs"`     // arcs the pricing added
	Searches      int     `json:"searches"`       // shortest-path searches
	CompactRounds int     `json:"compact_rounds"`
	BuildS        float64 `json:"build_s"`
	FlowS         float64 `json:"flow_s"`
	PriceS        float64 `json:"price_s"`
}

// prepared is a validated problem with indices.
type prepared struct {
	p        Problem
	mgrIdx   map[string]int32
	lockedTo []int32 // per customer: manager index or -1
	holder   []int32 // per customer: manager index or -1
	free     []int32 // customers not locked, in input order
	locked   []int   // per manager
	target   int     // customers to assign, locked included
	near     map[int]int32
}

// Solve proposes the assignment of p's customers to its managers that
// keeps every manager within [Min, Max], leaves p.Slack customers in the
// pool (exactly min(len(Customers) − Slack, Σ Max) are assigned), never
// moves a locked customer, and minimises the total distance from each
// customer to his manager's point plus MovePenaltyM per held customer
// given to another or released. The assignment is an exact min-cost flow
// (see flow.go); with Compact the cost is to the list's medoid instead,
// alternating assignment and medoids while the cost falls.
//
// Invalid input is an error naming the item (a *territory.FieldError,
// errors.Is territory.ErrInvalid). An infeasible problem is not an error:
// the Solution says why with numbers (Infeasible) and proposes the best
// assignment of the relaxed problem: as close to the count as the grids
// allow, then as many minimums filled as can be, then least travel; the
// violations are in Loads.
func Solve(ctx context.Context, p Problem) (*Solution, error) {
	pr, err := prepare(p)
	if err != nil {
		return nil, err
	}
	var st Stats
	st.FreeCustomers = len(pr.free)
	points := make([]orb.Point, len(p.Managers))
	for j, m := range p.Managers {
		points[j] = m.Point
	}
	asg, err := pr.assign(ctx, points, &st)
	if err != nil {
		return nil, err
	}
	var compactCost float64
	if p.Compact {
		asg, compactCost, err = pr.compact(ctx, asg, &st)
		if err != nil {
			return nil, err
		}
	}
	sol := pr.solution(asg)
	sol.CompactCostM = compactCost
	sol.Stats = st
	return sol, nil
}

// prepare validates p and indexes it.
func prepare(p Problem) (*prepared, error) {
	if p.Slack < 0 {
		return nil, territory.Invalid("slack", "must not be negative, got %d", p.Slack)
	}
	if !finite(p.MovePenaltyM) || p.MovePenaltyM < 0 {
		return nil, territory.Invalid("move_penalty_m", "want a finite number ≥ 0, got %v", p.MovePenaltyM)
	}
	if p.CompactRounds < 0 {
		return nil, territory.Invalid("compact_rounds", "must not be negative, got %d", p.CompactRounds)
	}
	pr := &prepared{p: p, mgrIdx: make(map[string]int32, len(p.Managers))}
	for j, m := range p.Managers {
		field := fmt.Sprintf("manager %q", m.ID)
		switch {
		case m.ID == "":
			return nil, territory.Invalid(fmt.Sprintf("managers[%d]", j), "id is empty")
		case pr.hasManager(m.ID):
			return nil, territory.Invalid(field, "duplicate id")
		case m.Min < 0:
			return nil, territory.Invalid(field, "min %d is negative", m.Min)
		case m.Min > m.Max:
			return nil, territory.Invalid(field, "min %d is above max %d", m.Min, m.Max)
		case len(m.Locked) > m.Max:
			return nil, territory.Invalid(field, "%d locked customers are more than his max %d", len(m.Locked), m.Max)
		}
		if err := checkPoint(field, m.Point); err != nil {
			return nil, err
		}
		pr.mgrIdx[m.ID] = int32(j)
	}
	custIdx := make(map[string]int, len(p.Customers))
	pr.lockedTo = make([]int32, len(p.Customers))
	pr.holder = make([]int32, len(p.Customers))
	for i, c := range p.Customers {
		field := fmt.Sprintf("customer %q", c.ID)
		if c.ID == "" {
			return nil, territory.Invalid(fmt.Sprintf("customers[%d]", i), "id is empty")
		}
		if _, dup := custIdx[c.ID]; dup {
			return nil, territory.Invalid(field, "duplicate id")
		}
		custIdx[c.ID] = i
		if err := checkPoint(field, c.Point); err != nil {
			return nil, err
		}
		if !finite(c.Weight) || c.Weight < 0 {
			return nil, territory.Invalid(field, "weight: want a finite number ≥ 0, got %v", c.Weight)
		}
		pr.lockedTo[i], pr.holder[i] = -1, -1
		if c.Holder != "" {
			h, ok := pr.mgrIdx[c.Holder]
			if !ok {
				return nil, territory.Invalid(field, "holder %q is not one of the managers", c.Holder)
			}
			pr.holder[i] = h
		}
	}
	pr.locked = make([]int, len(p.Managers))
	for j, m := range p.Managers {
		for _, id := range m.Locked {
			i, ok := custIdx[id]
			if !ok {
				return nil, territory.Invalid(fmt.Sprintf("manager %q", m.ID), "locked customer %q is not one of the customers", id)
			}
			if k := pr.lockedTo[i]; k >= 0 {
				if int(k) == j {
					return nil, territory.Invalid(fmt.Sprintf("manager %q", m.ID), "customer %q is locked twice", id)
				}
				return nil, territory.Invalid(fmt.Sprintf("customer %q", id), "locked to two managers, %q and %q", p.Managers[k].ID, m.ID)
			}
			if h := pr.holder[i]; h >= 0 && int(h) != j {
				return nil, territory.Invalid(fmt.Sprintf("customer %q", id), "locked to %q but held by %q", m.ID, p.Customers[i].Holder)
			}
			pr.lockedTo[i] = int32(j)
			pr.locked[j]++
		}
	}
	sumMax := 0
	for _, m := range p.Managers {
		sumMax += m.Max
	}
	pr.target = min(len(p.Customers)-p.Slack, sumMax)
	pr.target = max(pr.target, 0)
	for i := range p.Customers {
		if pr.lockedTo[i] < 0 {
			pr.free = append(pr.free, int32(i))
		}
	}
	return pr, nil
}

func (pr *prepared) hasManager(id string) bool {
	_, ok := pr.mgrIdx[id]
	return ok
}

// weightOf is c's weight, 0 counting as 1.
func weightOf(c Customer) float64 {
	if c.Weight == 0 {
		return 1
	}
	return c.Weight
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func checkPoint(field string, p orb.Point) error {
	lng, lat := p[0], p[1]
	switch {
	case !finite(lng) || !finite(lat):
		return territory.Invalid(field, "coordinates are not numbers (lat %v, lng %v)", lat, lng)
	case lat < -90 || lat > 90:
		return territory.Invalid(field, "latitude %v is outside −90…90", lat)
	case lng < -180 || lng > 180:
		return territory.Invalid(field, "longitude %v is outside −180…180", lng)
	}
	return nil
}

// assign solves one assignment step with the managers at points: every
// customer's manager index, or -1 for the pool.
func (pr *prepared) assign(ctx context.Context, points []orb.Point, st *Stats) ([]int32, error) {
	t0 := time.Now()
	p := pr.p
	n, m := len(pr.free), len(p.Managers)
	in := &instance{
		cu: make([]unit, n), cp: make([]orb.Point, n), cgrid: make([]int64, n),
		holder: make([]int32, n), weight: make([]float64, n),
		mu: make([]unit, m), mp: points, mgrid: make([]int64, m), hi: make([]int32, m),
		cross: p.CrossGrid,
	}
	for j, mg := range p.Managers {
		in.mu[j] = toUnit(points[j])
		in.mgrid[j] = mg.GridID
		in.hi[j] = int32(mg.Max - pr.locked[j])
	}
	maxW := 1.0
	for k, i := range pr.free {
		c := p.Customers[i]
		in.cp[k], in.cu[k], in.cgrid[k] = c.Point, toUnit(c.Point), c.GridID
		in.holder[k] = pr.holder[i]
		in.weight[k] = weightOf(c)
		maxW = max(maxW, in.weight[k])
	}
	// The largest cost any pair can have: twice the farthest point from one.
	var far float64
	if n > 0 && m > 0 {
		o := in.cp[0]
		for _, q := range in.cp {
			far = max(far, geo.DistanceM(o, q))
		}
		for _, q := range points {
			far = max(far, geo.DistanceM(o, q))
		}
	}
	in.cm = newCostModel(max(2*far, poolWeightM*maxW)+p.MovePenaltyM, n+m+2, p.MovePenaltyM)
	in.index()

	// Assigned among the free: the target less the locked, at least 0;
	// the pool's share is the rest.
	lockedN := len(p.Customers) - n
	real := min(n, max(0, pr.target-lockedN))
	lo := make([]int32, m+1)
	sumLo := 0
	for j, mg := range p.Managers {
		lo[j] = int32(max(0, mg.Min-pr.locked[j]))
		sumLo += int(lo[j])
	}
	lo[m] = int32(n - real)
	hi := append(append([]int32(nil), in.hi...), int32(n))

	cand := in.candidates()
	start, to, cost := in.build(cand)
	st.BuildS += time.Since(t0).Seconds()
	t1 := time.Now()
	// Hard minimums first when they can all be met; else (or when a
	// minimum turns out unreachable) the lexicographic network.
	var g *network
	if sumLo <= real && !forceLex {
		g = newNetwork(n, m, start, to, cost, lo, hi)
		short, err := g.fillMins(ctx)
		if err != nil {
			return nil, err
		}
		if len(short) > 0 {
			st.Searches += g.dijk
			g = nil
		} else {
			g.tDemand = real - sumLo
		}
	}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	// Farthest from any manager first: placing them while every list has
	// room keeps the later searches short (about 30% fewer relaxations
	// than input order on city instances; nearest first is 4× worse).
	{
		near := make([]int64, n)
		for i := range n {
			near[i] = inf
			for a := start[i]; a < start[i+1]-1; a++ {
				near[i] = min(near[i], cost[a])
			}
		}
		slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(near[b], near[a]) })
	}
	if g != nil {
		err := g.placeAll(ctx, order)
		if errors.Is(err, errNoPath) { // a customer reaches no demand left
			st.Searches += g.dijk
			g = nil
		} else if err != nil {
			return nil, err
		}
	}
	if g == nil {
		g = newNetwork(n, m, start, to, cost, lo, hi)
		if err := g.placeAll(ctx, order); err != nil {
			return nil, err
		}
	}
	st.FlowS += time.Since(t1).Seconds()
	for round := 0; ; round++ {
		if round == maxPricingRounds {
			return nil, fmt.Errorf("balance: pricing did not settle in %d rounds", round)
		}
		t2 := time.Now()
		bad := in.price(g, cand)
		st.PricingRounds++
		st.PriceS += time.Since(t2).Seconds()
		added := 0
		for i, b := range bad {
			if len(b) > 0 {
				cand[i] = mergeSorted(cand[i], b)
				added += len(b)
			}
		}
		if added == 0 {
			break
		}
		st.AddedArcs += added
		t3 := time.Now()
		g.start, g.to, g.cost = in.build(cand)
		g.remapArcs()
		for i, b := range bad {
			if len(b) > 0 {
				g.unplace(int32(i))
			}
		}
		for i, b := range bad {
			if len(b) > 0 {
				if err := g.augment(int32(i)); err != nil {
					return nil, err
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st.FlowS += time.Since(t3).Seconds()
	}
	st.Arcs = len(g.to)
	st.Searches += g.dijk

	out := make([]int32, len(p.Customers))
	for i := range out {
		out[i] = pr.lockedTo[i]
	}
	for k, i := range pr.free {
		j := g.asg[k]
		if int(j) == m {
			j = -1
		}
		out[i] = j
	}
	return out, nil
}

// mergeSorted merges two sorted lists without duplicates.
func mergeSorted(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	i, k := 0, 0
	for i < len(a) || k < len(b) {
		switch {
		case k == len(b) || (i < len(a) && a[i] < b[k]):
			out = append(out, a[i])
			i++
		case i == len(a) || b[k] < a[i]:
			out = append(out, b[k])
			k++
		default:
			out = append(out, a[i])
			i++
			k++
		}
	}
	return out
}

// remapArcs points every placed customer's arc index at his manager in
// the rebuilt arrays.
func (g *network) remapArcs() {
	for i := range g.n {
		j := g.asg[i]
		if j == noNode {
			continue
		}
		for a := g.start[i]; a < g.start[i+1]; a++ {
			if g.to[a] == j {
				g.asgArc[i] = a
				break
			}
		}
	}
}

// forceLex makes assign skip the hard-minimum stages (tests compare both).
var forceLex bool
