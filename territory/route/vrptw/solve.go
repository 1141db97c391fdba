package vrptw

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// ErrInfeasible reports that the vehicles given cannot serve every customer:
// provably (a customer out of reach, total demand over the fleet's capacity)
// or because the search found no way within its budget.
var ErrInfeasible = errors.New("infeasible")

// DefaultIterations is the ruin-and-recreate budget of the distance
// minimisation when Options.Iterations is zero.
const DefaultIterations = 100_000

// Options configure Solve. The zero value solves with the instance's
// vehicle number, seed 0 and DefaultIterations, without a time limit.
type Options struct {
	// Vehicles is the fleet size K; 0 takes the instance's VEHICLE NUMBER.
	Vehicles int
	// Seed drives every random choice: the same instance, options and seed
	// give the same solution unless the time limit or the context stops
	// the search first.
	Seed uint64
	// Iterations is the number of ruin-and-recreate steps that minimise the
	// distance (0: DefaultIterations). Placing customers that do not fit in
	// K routes at first takes up to as many more.
	Iterations int
	// TimeLimit stops the search early (0: none); the best solution found
	// so far is returned.
	TimeLimit time.Duration
}

// Solution is a set of routes from the depot and back.
type Solution struct {
	// Routes lists the customer numbers of each vehicle used, in visiting
	// order; vehicles left at the depot are not listed.
	Routes [][]int
	// Distance is the routes' total Euclidean length.
	Distance float64
	// Unserved lists the customers no route serves; empty unless Solve
	// returned ErrInfeasible.
	Unserved []int
	// Iterations is the number of ruin-and-recreate steps made.
	Iterations int
}

// Solve routes at most opts.Vehicles vehicles to serve every customer of the
// instance within capacities and time windows and minimises the total
// distance.
//
// When the vehicles cannot serve every customer, the error wraps
// ErrInfeasible; if the search ran, the solution returned with it is the
// best partial one, its Unserved customers left out. A cancelled context
// ends the search like the time limit does.
func Solve(ctx context.Context, in *Instance, opts Options) (*Solution, error) {
	if in == nil || len(in.Nodes) < 2 {
		return nil, errors.New("vrptw: no customers")
	}
	k := opts.Vehicles
	if k == 0 {
		k = in.Vehicles
	}
	if k < 1 {
		return nil, fmt.Errorf("vrptw: %d vehicles: want at least 1", k)
	}
	iters := opts.Iterations
	if iters <= 0 {
		iters = DefaultIterations
	}
	s := newSolver(in, k, opts.Seed)
	if err := s.precheck(); err != nil {
		return nil, err
	}
	var deadline time.Time
	if opts.TimeLimit > 0 {
		deadline = time.Now().Add(opts.TimeLimit)
	}
	s.stop = func() bool {
		return ctx.Err() != nil || (!deadline.IsZero() && time.Now().After(deadline))
	}

	sol := s.solution(s.search(iters))
	if err := Check(in, k, sol); err != nil {
		return nil, fmt.Errorf("vrptw: internal error: %w", err) // a bug, not bad input
	}
	if len(sol.Unserved) > 0 {
		return sol, fmt.Errorf("%w: %d vehicles: found no way to serve %d of %d customers (%d iterations); try more vehicles or a longer search",
			ErrInfeasible, k, len(sol.Unserved), s.n, s.iters)
	}
	return sol, nil
}

// SISR's parameters (Christiaens and Vanden Berghe, 2020).
const (
	avgRemoved = 10   // c̄: average number of customers removed
	maxString  = 10   // L^max: longest string removed
	splitRate  = 0.5  // α: share of split-string removals
	splitDepth = 0.5  // chance to keep one more customer inside a split string
	blinkRate  = 0.01 // γ: chance to skip an insertion position
	// tailRate is the share of annealing steps that exchange route tails
	// (2-opt*) instead of ruin and recreate.
	tailRate = 0.1
	// Simulated annealing's temperatures, in mean depot round trips
	// (about 10 and 0.1 distance units on Solomon's instances).
	initialTemp = 0.2
	finalTemp   = 0.002
	// bankPenalty is what a customer left out costs while annealing, in
	// mean depot round trips.
	bankPenalty = 1.0
	// Up to maxChains annealing chains, one per chainIterations of the
	// budget, compete for the second half of it.
	maxChains       = 8
	chainIterations = 10_000
)

type solver struct {
	in    *Instance
	n     int // customers
	k     int // vehicles
	w     int // matrix width: n+1
	dist  []float64
	ready []float64
	due   []float64
	svc   []float64
	dem   []int
	q     int
	adj   [][]int32 // per customer, customers by increasing distance (itself first)
	rng   *rand.Rand
	stop  func() bool
	iters int

	removed []int // scratch
	tail    []int
	loadsA  []int
	loadsB  []int
	ruined  []bool
	keys    []float64
}

// route is one vehicle's path with its schedule.
type route struct {
	path   []int     // 0, customers…, 0
	start  []float64 // earliest service start at path[i] (at the end: return time)
	latest []float64 // latest service start at path[i] keeping the rest feasible
	load   int
	length float64
}

type state struct {
	routes []route
	bank   []int   // customers not in a route
	where  []int32 // route of a customer, -1 in the bank
	length float64
}

func newSolver(in *Instance, k int, seed uint64) *solver {
	n := in.Customers()
	s := &solver{in: in, n: n, k: k, w: n + 1, q: in.Capacity,
		rng:    rand.New(rand.NewPCG(seed, 0x5eed50107011)),
		ruined: make([]bool, k),
		keys:   make([]float64, n+1),
	}
	s.dist = make([]float64, s.w*s.w)
	for i := range s.w {
		for j := range s.w {
			s.dist[i*s.w+j] = in.Distance(i, j)
		}
	}
	s.ready, s.due, s.svc, s.dem = make([]float64, s.w), make([]float64, s.w), make([]float64, s.w), make([]int, s.w)
	for i, c := range in.Nodes {
		s.ready[i], s.due[i], s.svc[i], s.dem[i] = c.Ready, c.Due, c.Service, c.Demand
	}
	s.adj = make([][]int32, s.w)
	for c := 1; c <= n; c++ {
		a := make([]int32, 0, n)
		for o := 1; o <= n; o++ {
			a = append(a, int32(o))
		}
		row := s.dist[c*s.w:]
		slices.SortStableFunc(a, func(x, y int32) int {
			if x == int32(c) || y == int32(c) {
				return cmp.Compare(b2i(y == int32(c)), b2i(x == int32(c)))
			}
			return cmp.Compare(row[x], row[y])
		})
		s.adj[c] = a
	}
	return s
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *solver) d(i, j int) float64 { return s.dist[i*s.w+j] }

// precheck finds what no search can fix: a customer out of any vehicle's
// reach, or more demand than the fleet carries.
func (s *solver) precheck() error {
	total := 0
	for c := 1; c <= s.n; c++ {
		total += s.dem[c]
		if s.dem[c] > s.q {
			return fmt.Errorf("%w: customer %d's demand %d exceeds the vehicle capacity %d", ErrInfeasible, c, s.dem[c], s.q)
		}
		t := max(s.ready[c], s.ready[0]+s.svc[0]+s.d(0, c))
		if t > s.due[c] {
			return fmt.Errorf("%w: customer %d cannot be reached by his due date %g (earliest arrival %.2f)", ErrInfeasible, c, s.due[c], t)
		}
		if back := t + s.svc[c] + s.d(c, 0); back > s.due[0] {
			return fmt.Errorf("%w: a vehicle serving customer %d is back at the depot at %.2f at the earliest, after its due date %g", ErrInfeasible, c, back, s.due[0])
		}
	}
	if total > s.k*s.q {
		return fmt.Errorf("%w: total demand %d exceeds %d vehicles × capacity %d; at least %d vehicles are needed",
			ErrInfeasible, total, s.k, s.q, (total+s.q-1)/s.q)
	}
	return nil
}

func (s *solver) newState() *state {
	st := &state{routes: make([]route, s.k), where: make([]int32, s.w), bank: make([]int, 0, s.n)}
	for r := range st.routes {
		rt := &st.routes[r]
		rt.path = make([]int, 2, s.n+2)
		rt.start = make([]float64, 2, s.n+2)
		rt.latest = make([]float64, 2, s.n+2)
		s.schedule(rt)
	}
	for c := range st.where {
		st.where[c] = -1
	}
	return st
}

func (s *solver) copyState(dst, src *state) {
	for r := range src.routes {
		d, o := &dst.routes[r], &src.routes[r]
		d.path = append(d.path[:0], o.path...)
		d.start = append(d.start[:0], o.start...)
		d.latest = append(d.latest[:0], o.latest...)
		d.load, d.length = o.load, o.length
	}
	dst.bank = append(dst.bank[:0], src.bank...)
	copy(dst.where, src.where)
	dst.length = src.length
}

// schedule recomputes a route's load, length, earliest and latest service
// starts.
func (s *solver) schedule(rt *route) {
	p := rt.path
	m := len(p)
	rt.start = rt.start[:m]
	rt.latest = rt.latest[:m]
	t, length, load := s.ready[0], 0.0, 0
	rt.start[0] = t
	for i := 1; i < m; i++ {
		a, b := p[i-1], p[i]
		d := s.d(a, b)
		length += d
		load += s.dem[b]
		t = max(s.ready[b], t+s.svc[a]+d)
		rt.start[i] = t
	}
	rt.latest[m-1] = s.due[0]
	for i := m - 2; i >= 0; i-- {
		a, b := p[i], p[i+1]
		rt.latest[i] = min(s.due[a], rt.latest[i+1]-s.svc[a]-s.d(a, b))
	}
	rt.load, rt.length = load, length
}

func (s *solver) total(st *state) {
	st.length = 0
	for r := range st.routes {
		st.length += st.routes[r].length
	}
}

// search runs a few short annealing chains from different starts, then
// anneals the best of them for the rest of the budget: chains started in a
// poor basin (clusters split between routes whose time horizons leave no
// slack to exchange them, as in C2 instances) are left behind.
func (s *solver) search(iters int) *state {
	numChains := min(maxChains, max(1, iters/chainIterations))
	trial := iters / (2 * numChains)
	var best *state
	for ch := range numChains {
		var st *state
		if ch == 0 {
			st = s.construct()
		} else {
			st = s.newState()
			all := make([]int, s.n)
			for i := range all {
				all[i] = i + 1
			}
			s.recreateOrdered(st, all, orderRandom)
		}
		if len(st.bank) > 0 {
			budget := iters
			if ch > 0 {
				budget = trial
			}
			s.placeAll(st, budget)
		}
		if len(st.bank) == 0 {
			s.anneal(st, trial)
		}
		if best == nil || len(st.bank) < len(best.bank) || (len(st.bank) == len(best.bank) && st.length < best.length) {
			best = st
		}
		if s.stop() {
			return best
		}
	}
	if len(best.bank) == 0 {
		s.anneal(best, iters-numChains*trial)
	}
	return best
}

// construct inserts every customer greedily into empty routes, trying a few
// orders, and keeps the best start.
func (s *solver) construct() *state {
	var best *state
	cand := s.newState()
	all := make([]int, s.n)
	for order := range orders {
		s.copyState(cand, s.newState())
		for i := range all {
			all[i] = i + 1
		}
		s.recreateOrdered(cand, all, order)
		if best == nil || len(cand.bank) < len(best.bank) || (len(cand.bank) == len(best.bank) && cand.length < best.length) {
			if best == nil {
				best = s.newState()
			}
			s.copyState(best, cand)
		}
	}
	return best
}

// Insertion orders of recreate, with their weights.
const (
	orderRandom = iota
	orderDemand
	orderFar
	orderClose
	orderNarrow
	orderDue
	orders
)

var orderWeight = [orders]int{orderRandom: 4, orderDemand: 4, orderFar: 2, orderClose: 1, orderNarrow: 2, orderDue: 2}

var orderWeightSum = func() int {
	t := 0
	for _, w := range orderWeight {
		t += w
	}
	return t
}()

func (s *solver) recreate(st *state, custs []int) {
	x := s.rng.IntN(orderWeightSum)
	order := 0
	for ; x >= orderWeight[order]; order++ {
		x -= orderWeight[order]
	}
	s.recreateOrdered(st, custs, order)
}

// recreateOrdered inserts custs one by one at their cheapest feasible
// position (skipping each with the blink rate); those that fit nowhere go to
// the bank.
func (s *solver) recreateOrdered(st *state, custs []int, order int) {
	switch order {
	case orderRandom:
		s.rng.Shuffle(len(custs), func(i, j int) { custs[i], custs[j] = custs[j], custs[i] })
	default:
		for _, c := range custs {
			switch order {
			case orderDemand:
				s.keys[c] = -float64(s.dem[c])
			case orderFar:
				s.keys[c] = -s.d(0, c)
			case orderClose:
				s.keys[c] = s.d(0, c)
			case orderNarrow:
				s.keys[c] = s.due[c] - s.ready[c]
			case orderDue:
				s.keys[c] = s.due[c]
			}
		}
		slices.SortFunc(custs, func(a, b int) int {
			if c := cmp.Compare(s.keys[a], s.keys[b]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
	}
	for _, c := range custs {
		bestR, bestP, bestCost := -1, 0, math.Inf(1)
		triedEmpty := false
		for r := range st.routes {
			rt := &st.routes[r]
			if len(rt.path) == 2 {
				if triedEmpty {
					continue
				}
				triedEmpty = true
			}
			if rt.load+s.dem[c] > s.q {
				continue
			}
			p := rt.path
			rowC := s.dist[c*s.w : c*s.w+s.w]
			for i := 1; i < len(p); i++ {
				prev, next := p[i-1], p[i]
				if rt.start[i-1] > s.due[c] {
					break
				}
				cost := s.dist[prev*s.w+c] + rowC[next] - s.dist[prev*s.w+next]
				if cost >= bestCost {
					continue
				}
				t := max(s.ready[c], rt.start[i-1]+s.svc[prev]+s.dist[prev*s.w+c])
				if t > s.due[c] {
					continue
				}
				if max(s.ready[next], t+s.svc[c]+rowC[next]) > rt.latest[i] {
					continue
				}
				if s.rng.Float64() < blinkRate {
					continue
				}
				bestR, bestP, bestCost = r, i, cost
			}
		}
		if bestR < 0 {
			st.bank = append(st.bank, c)
			st.where[c] = -1
			continue
		}
		rt := &st.routes[bestR]
		rt.path = slices.Insert(rt.path, bestP, c)
		s.schedule(rt)
		st.where[c] = int32(bestR)
	}
	s.total(st)
}

// ruin removes strings of customers close to a random seed customer, at
// most one string per route, and returns them.
func (s *solver) ruin(st *state) []int {
	s.removed = s.removed[:0]
	used, served := 0, 0
	for r := range st.routes {
		if m := len(st.routes[r].path) - 2; m > 0 {
			used++
			served += m
		}
		s.ruined[r] = false
	}
	if used == 0 {
		return s.removed
	}
	lsMax := min(float64(maxString), float64(served)/float64(used))
	ksMax := 4*avgRemoved/(1+lsMax) - 1
	ks := int(1 + s.rng.Float64()*ksMax)
	seed := 1 + s.rng.IntN(s.n)
	for st.where[seed] < 0 {
		seed = 1 + s.rng.IntN(s.n)
	}
	done := 0
	for _, c32 := range s.adj[seed] {
		if done >= ks {
			break
		}
		c := int(c32)
		r := st.where[c]
		if r < 0 || s.ruined[r] {
			continue
		}
		rt := &st.routes[r]
		card := len(rt.path) - 2
		lMax := min(float64(card), lsMax)
		l := int(1 + s.rng.Float64()*lMax)
		pos := slices.Index(rt.path, c) // 1-based position among customers
		if l < card && s.rng.Float64() < splitRate {
			m := 1
			for l+m < card && s.rng.Float64() < splitDepth {
				m++
			}
			lo := s.stringAt(pos, l+m, card)
			keep := lo + s.rng.IntN(l+1) // the m kept customers start here
			for i := lo + l + m - 1; i >= lo; i-- {
				if i >= keep && i < keep+m {
					continue
				}
				s.take(st, rt, i)
			}
		} else {
			lo := s.stringAt(pos, l, card)
			for i := lo + l - 1; i >= lo; i-- {
				s.take(st, rt, i)
			}
		}
		s.schedule(rt)
		s.ruined[r] = true
		done++
	}
	s.total(st)
	return s.removed
}

// stringAt picks a random string of length l among a route's card customers
// (path positions 1..card) that contains position pos.
func (s *solver) stringAt(pos, l, card int) int {
	from := max(1, pos-l+1)
	to := min(pos, card-l+1)
	return from + s.rng.IntN(to-from+1)
}

func (s *solver) take(st *state, rt *route, i int) {
	c := rt.path[i]
	rt.path = slices.Delete(rt.path, i, i+1)
	st.where[c] = -1
	s.removed = append(s.removed, c)
}

// placeAll searches for a solution that serves every customer with the
// vehicles given (SISR's fleet minimisation): ruin and recreate, keeping the
// result when fewer customers are left over, or as many but ones left over
// less often so far.
func (s *solver) placeAll(best *state, budget int) {
	absent := make([]int, s.w)
	cur, cand := s.newState(), s.newState()
	s.copyState(cur, best)
	sumAbsent := func(st *state) int {
		t := 0
		for _, c := range st.bank {
			t += absent[c]
		}
		return t
	}
	var batch []int
	for it := 0; it < budget && len(best.bank) > 0; it++ {
		if it%16 == 0 && s.stop() {
			return
		}
		s.iters++
		s.copyState(cand, cur)
		batch = append(batch[:0], s.ruin(cand)...)
		batch = append(batch, cand.bank...)
		cand.bank = cand.bank[:0]
		s.recreate(cand, batch)
		if len(cand.bank) < len(cur.bank) || sumAbsent(cand) < sumAbsent(cur) {
			cur, cand = cand, cur
			if len(cur.bank) < len(best.bank) {
				s.copyState(best, cur)
			}
		}
		for _, c := range cur.bank {
			absent[c]++
		}
	}
}

// anneal minimises the distance of a solution that serves every customer:
// ruin and recreate under simulated annealing, cooling geometrically over
// the budget. A customer that recreate cannot place costs bankPenalty times
// the mean depot round trip, so the search may cross tight spots by leaving
// a few out for a while; only solutions serving everyone become the best.
func (s *solver) anneal(best *state, budget int) {
	cur, cand := s.newState(), s.newState()
	s.copyState(cur, best)
	trip := 0.0
	for c := 1; c <= s.n; c++ {
		trip += 2 * s.d(0, c)
	}
	trip /= float64(s.n)
	penalty := bankPenalty * trip
	t0, tf := initialTemp*trip, finalTemp*trip
	cost := func(st *state) float64 { return st.length + penalty*float64(len(st.bank)) }
	var batch []int
	for it := 0; it < budget; it++ {
		if it%16 == 0 && s.stop() {
			return
		}
		s.iters++
		temp := t0 * math.Pow(tf/t0, float64(it)/float64(budget))
		s.copyState(cand, cur)
		if s.rng.Float64() < tailRate {
			if !s.exchangeTails(cand) {
				continue
			}
		} else {
			batch = append(batch[:0], s.ruin(cand)...)
			batch = append(batch, cand.bank...)
			cand.bank = cand.bank[:0]
			s.recreate(cand, batch)
		}
		if cost(cand) < cost(cur)-temp*math.Log(s.rng.Float64()) {
			cur, cand = cand, cur
			if len(cur.bank) == 0 && cur.length < best.length-1e-9 {
				s.copyState(best, cur)
			}
		}
	}
}

// exchangeTails is a 2-opt* move: for a random customer's route and the
// route of his nearest neighbour served by another vehicle, it swaps the
// two routes' tails at the cheapest feasible pair of cut points (even if
// that lengthens them: annealing judges). It moves whole groups of
// customers between routes while each keeps its place in time, which string
// removals cannot do when the routes have little slack. It reports whether
// it found a move.
func (s *solver) exchangeTails(st *state) bool {
	seed := 1 + s.rng.IntN(s.n)
	ra := st.where[seed]
	if ra < 0 {
		return false
	}
	rb := int32(-1)
	for _, c := range s.adj[seed] {
		if r := st.where[c]; r >= 0 && r != ra {
			rb = r
			break
		}
	}
	if rb < 0 {
		return false
	}
	a, b := &st.routes[ra], &st.routes[rb]
	pa, pb := a.path, b.path
	loadA := s.prefixLoads(pa, &s.loadsA)
	loadB := s.prefixLoads(pb, &s.loadsB)
	la, lb := len(pa), len(pb)
	bestI, bestJ, bestDelta := -1, -1, math.Inf(1)
	for i := 0; i < la-1; i++ { // a keeps pa[:i+1], takes pb[j+1:]
		ai, an := pa[i], pa[i+1]
		outA := a.start[i] + s.svc[ai]
		for j := 0; j < lb-1; j++ {
			if (i == 0 && j == 0) || (i == la-2 && j == lb-2) {
				continue // the same two routes
			}
			bj, bn := pb[j], pb[j+1]
			delta := s.d(ai, bn) + s.d(bj, an) - s.d(ai, an) - s.d(bj, bn)
			if delta >= bestDelta {
				continue
			}
			if loadA[i]+loadB[lb-1]-loadB[j] > s.q || loadB[j]+loadA[la-1]-loadA[i] > s.q {
				continue
			}
			if max(s.ready[bn], outA+s.d(ai, bn)) > b.latest[j+1] {
				continue
			}
			if max(s.ready[an], b.start[j]+s.svc[bj]+s.d(bj, an)) > a.latest[i+1] {
				continue
			}
			bestI, bestJ, bestDelta = i, j, delta
		}
	}
	if bestI < 0 {
		return false
	}
	s.tail = append(s.tail[:0], pa[bestI+1:]...)
	a.path = append(a.path[:bestI+1], pb[bestJ+1:]...)
	b.path = append(b.path[:bestJ+1], s.tail...)
	for _, c := range a.path[1 : len(a.path)-1] {
		st.where[c] = ra
	}
	for _, c := range b.path[1 : len(b.path)-1] {
		st.where[c] = rb
	}
	s.schedule(a)
	s.schedule(b)
	s.total(st)
	return true
}

// prefixLoads fills buf with the load picked up along path up to each
// position.
func (s *solver) prefixLoads(path []int, buf *[]int) []int {
	l := (*buf)[:0]
	t := 0
	for _, c := range path {
		t += s.dem[c]
		l = append(l, t)
	}
	*buf = l
	return l
}

func (s *solver) solution(st *state) *Solution {
	sol := &Solution{Iterations: s.iters}
	for r := range st.routes {
		p := st.routes[r].path
		if len(p) > 2 {
			sol.Routes = append(sol.Routes, slices.Clone(p[1:len(p)-1]))
			sol.Distance += st.routes[r].length
		}
	}
	sol.Unserved = slices.Clone(st.bank)
	slices.Sort(sol.Unserved)
	return sol
}
