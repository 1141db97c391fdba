package balance

import (
	"cmp"
	"context"
	"errors"
	"slices"
)

// The assignment step is a min-cost flow on the network
//
//	customer i ──(1, c_ij)──▶ manager j ──(quota)──▶ t
//	         └──(1, pool cost)──▶ pool
//
// over the free (not locked) customers, every one of whom is placed: at a
// real manager or in the pool. It is solved by successive shortest paths:
// one unit at a time along a shortest path in the residual network, found
// by Dijkstra on reduced costs c + p(u) − p(v) ≥ 0, after which the
// potentials p are updated so that they stay non-negative and the flow is
// least-cost for what it carries. Costs are integers (units of 1/scale
// metre, chosen so that every sum fits in int64 with room to spare; see
// newCostModel), which makes Dijkstra and the optimality proof exact.
//
// Feasible input (the minimums fit in the customers to assign) takes two
// stages with the quotas as hard demands:
//
//  1. fillMins: every manager's minimum (less his locked customers) is met
//     by a shortest path found backwards from him to the nearest customer
//     not yet placed, managers taking turns; no search crosses the pool or
//     t, which carry nothing yet, and most end at the first arc.
//  2. placeAll: every other customer, farthest from any manager first, goes
//     along a shortest path to the nearest demand left: the pool while it
//     holds fewer than its share (customers − slack − … ), t (through any
//     manager with room; a manager never goes back below his minimum)
//     while it takes units. When a search grows wide, tighten resets the
//     potentials to distances to the demands left, so that the next ones
//     stay short.
//
// Otherwise (or when a minimum turns out unreachable) the lexicographic
// network takes every customer in turn to t: a real manager's first lo
// units cost −B, the next up to hi cost 0; the pool's first lo units
// (customers to leave out) −2B, any beyond +2B. B exceeds the cost of any
// simple path, so its optimum is lexicographic: the assigned count exact
// when the grids allow it, then as many minimums filled as can be, then
// least travel. It is exact but slower on large feasible input: with every
// minimum at −B, the last customers cross the city to find the last
// manager below his minimum.
//
// Both keep the pool's members in a heap on their reverse reduced cost so
// that a search visits them lazily, in order: the pool may hold thousands
// of customers and most searches need few. Repairs after pricing (a
// customer taken off his manager, who then owes a member: a deficit) use
// the same searches with the deficits as targets and t as a transit node.

const (
	levelB = int64(1) << 55 // one quota level; > any path's travel cost
	inf    = int64(1) << 62
	noNode = int32(-1)
)

// network is the candidate graph and the flow on it.
type network struct {
	n, m int // free customers; real managers (the pool is manager m)

	// Arcs per customer (CSR): manager (m is the pool) and cost.
	start []int32
	to    []int32
	cost  []int64

	lo, hi []int32 // per manager (m+1): tier bounds (pool: hi = n)
	usage  []int32 // units on the manager's arcs to t
	asg    []int32 // customer → manager, or noNode when not yet placed
	asgArc []int32 // customer → its arc to asg
	member [][]int32
	pos    []int32 // customer → index in member[asg] (or in the pool heap)
	pool   []int32 // pool members: heap on poolKey (min first)

	pc []int64 // customer potentials
	pm []int64 // manager potentials (m+1)
	pt int64   // potential of t

	// Dijkstra scratch, valid when the stamp equals epoch.
	epoch       uint32
	dc, dm      []int64
	seenC, finC []uint32
	seenM, finM []uint32
	predM       []int32 // manager → arc that reached it, or fromT
	dt          int64
	seenT, finT bool
	predT       int32 // manager whose tier reached t
	heap        nodeHeap
	aux         auxHeap
	done        []int32 // finalized nodes, in order
	deficit     []int32 // per manager: tier units without a member (repairs)
	deficits    int
	fixes       []int32

	// hardMin: the minimums are node demands already met (fillMins), not
	// a −B tier: a real manager's arc to t costs 0 and never takes back
	// his first lo units.
	hardMin bool
	tDemand int // hardMin: units t still takes (then it is a transit node)
	// Arcs into each manager (indices into to/cost), for fillMins.
	inStart []int32
	inArc   []int32
	inOwner []int32 // the customer of each in-arc
	nextC   []int32 // fillMins: customer → manager his arc leads to
	nextM   []int32 // fillMins: manager → customer leaving him

	relax    int64 // counters for tuning
	dijk     int
	tightens int
}

// tightenAbove is the relaxations of one search above which placeAll
// tightens the potentials.
const tightenAbove = 20000

const fromT = int32(-2)

// Node encoding in the heap: customers 0..n-1, managers n..n+m, t, the pool
// cursor.
func (g *network) nodeT() int32      { return int32(g.n + g.m + 1) }
func (g *network) nodeCursor() int32 { return int32(g.n + g.m + 2) }

// newNetwork builds an empty flow on the arcs given per customer (to and
// cost as CSR, every customer with its pool arc).
func newNetwork(n, m int, start, to []int32, cost []int64, lo, hi []int32) *network {
	g := &network{n: n, m: m, start: start, to: to, cost: cost, lo: lo, hi: hi}
	g.usage = make([]int32, m+1)
	g.asg = make([]int32, n)
	g.asgArc = make([]int32, n)
	g.pos = make([]int32, n)
	g.member = make([][]int32, m)
	g.pc = make([]int64, n)
	g.pm = make([]int64, m+1)
	g.dc = make([]int64, n)
	g.dm = make([]int64, m+1)
	g.seenC = make([]uint32, n)
	g.finC = make([]uint32, n)
	g.seenM = make([]uint32, m+1)
	g.finM = make([]uint32, m+1)
	g.predM = make([]int32, m+1)
	g.deficit = make([]int32, m+1)
	for i := range g.asg {
		g.asg[i] = noNode
	}
	for j := 0; j <= m; j++ {
		if c, ok := g.fwdTier(int32(j)); ok {
			g.pm[j] = -c
		}
	}
	for i := range n {
		g.pc[i] = g.initPotential(int32(i))
	}
	return g
}

// initPotential is the least potential of customer i that keeps every arc
// out of it non-negative.
func (g *network) initPotential(i int32) int64 {
	p := -inf
	for a := g.start[i]; a < g.start[i+1]; a++ {
		p = max(p, g.pm[g.to[a]]-g.cost[a])
	}
	return p
}

// fwdTier is the cost of manager j's next unit to t, and whether it has
// room.
func (g *network) fwdTier(j int32) (int64, bool) {
	u := g.usage[j]
	if int(j) == g.m {
		switch {
		case g.hardMin: // the pool is a demand of its own, not linked to t
			return 0, false
		case u < g.lo[j]:
			return -2 * levelB, true
		}
		return 2 * levelB, true
	}
	switch {
	case g.hardMin:
		return 0, u < g.hi[j]
	case u < g.lo[j]:
		return -levelB, true
	case u < g.hi[j]:
		return 0, true
	}
	return 0, false
}

// revTier is the cost of taking manager j's last unit back from t (the
// negated cost of the tier it used), and whether there is one.
func (g *network) revTier(j int32) (int64, bool) {
	u := g.usage[j]
	if u == 0 {
		return 0, false
	}
	if int(j) == g.m {
		switch {
		case g.hardMin:
			return 0, false
		case u <= g.lo[j]:
			return 2 * levelB, true
		}
		return -2 * levelB, true
	}
	if g.hardMin {
		return 0, u > g.lo[j]
	}
	if u <= g.lo[j] {
		return levelB, true
	}
	return 0, true
}

// poolKey orders the pool's members: the reduced cost of the reverse arc
// pool → i is pm[pool] − cost − pc[i], least first.
func (g *network) poolKey(i int32) int64 { return -g.cost[g.asgArc[i]] - g.pc[i] }

// placeAll puts every customer not yet placed, in the order given.
func (g *network) placeAll(ctx context.Context, order []int32) error {
	lastTighten := -1 << 30
	for k, i := range order {
		if k%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if g.asg[i] == noNode {
			before := g.relax
			if err := g.augment(i); err != nil {
				return err
			}
			// A wide search: tighten the potentials, at most every 256
			// placements.
			if g.hardMin && g.relax-before > tightenAbove && k-lastTighten >= 256 {
				g.tighten()
				g.tightens++
				lastTighten = k
			}
		}
	}
	return nil
}

var errNoPath = errors.New("balance: internal error: no augmenting path")

// augment places customer r along a shortest path: to t when every tier
// unit is matched (normal), else to a manager with a deficit (repairs).
func (g *network) augment(r int32) error {
	g.dijk++
	g.epoch++
	if g.epoch == 0 { // wrapped: clear the stamps
		clear(g.seenC)
		clear(g.finC)
		clear(g.seenM)
		clear(g.finM)
		g.epoch = 1
	}
	ep := g.epoch
	repair := g.deficits > 0
	tTarget := !repair && (!g.hardMin || g.tDemand > 0)
	g.heap = g.heap[:0]
	g.done = g.done[:0]
	g.seenT, g.finT = false, false
	g.dc[r] = 0
	g.seenC[r] = ep
	g.heap.push(0, r)
	n := int32(g.n)
	nodeT, cursor := g.nodeT(), g.nodeCursor()
	var poolBase int64 // distance of the pool when its cursor runs
	target := noNode
	var dTarget int64

	relaxC := func(i int32, d int64) {
		g.finC[i] = ep
		g.done = append(g.done, i)
		pi := g.pc[i]
		own := g.asg[i]
		for a := g.start[i]; a < g.start[i+1]; a++ {
			j := g.to[a]
			if j == own || g.finM[j] == ep {
				continue
			}
			nd := d + g.cost[a] + pi - g.pm[j]
			g.relax++
			if g.seenM[j] != ep || nd < g.dm[j] {
				g.seenM[j] = ep
				g.dm[j] = nd
				g.predM[j] = a
				g.heap.push(nd, n+j)
			}
		}
	}
	relaxT := func(j int32, d int64) {
		c, ok := g.fwdTier(j)
		if !ok || g.finT {
			return
		}
		nd := d + c + g.pm[j] - g.pt
		if !g.seenT || nd < g.dt {
			g.seenT = true
			g.dt = nd
			g.predT = j
			g.heap.push(nd, nodeT)
		}
	}
	for len(g.heap) > 0 {
		d, v := g.heap.pop()
		switch {
		case v < n: // customer
			if g.finC[v] == ep || d > g.dc[v] {
				continue
			}
			relaxC(v, d)
		case v == nodeT:
			if g.finT || d > g.dt {
				continue
			}
			if tTarget {
				target, dTarget = nodeT, d
				break
			}
			g.finT = true
			g.done = append(g.done, nodeT)
			for j := int32(0); j <= int32(g.m); j++ {
				c, ok := g.revTier(j)
				if !ok || g.finM[j] == ep {
					continue
				}
				nd := d + c + g.pt - g.pm[j]
				if g.seenM[j] != ep || nd < g.dm[j] {
					g.seenM[j] = ep
					g.dm[j] = nd
					g.predM[j] = fromT
					g.heap.push(nd, n+j)
				}
			}
		case v == cursor: // the pool's next member
			h := g.aux.pop()
			i := g.pool[h]
			g.seenC[i] = ep
			g.dc[i] = d
			relaxC(i, d)
			for _, c := range [2]int32{2*h + 1, 2*h + 2} {
				if int(c) < len(g.pool) {
					g.aux.push(g.poolKey(g.pool[c]), c)
				}
			}
			if len(g.aux) > 0 {
				g.heap.push(poolBase+g.aux[0].key, cursor)
			}
		default: // manager
			j := v - n
			if g.finM[j] == ep || d > g.dm[j] {
				continue
			}
			g.finM[j] = ep
			g.done = append(g.done, v)
			if g.deficit[j] > 0 || (g.hardMin && int(j) == g.m && g.usage[j] < g.lo[j]) {
				target, dTarget = v, d
				break
			}
			if !g.finT {
				relaxT(j, d)
			}
			if int(j) == g.m {
				if len(g.pool) > 0 {
					// Reverse arcs pool → i cost pm[pool] − c − pc[i]: the
					// heap's keys plus a constant.
					poolBase = d + g.pm[j]
					g.aux = g.aux[:0]
					g.aux.push(g.poolKey(g.pool[0]), 0)
					g.heap.push(poolBase+g.aux[0].key, cursor)
				}
				continue
			}
			pj := g.pm[j]
			for _, i := range g.member[j] {
				if g.finC[i] == ep {
					continue
				}
				nd := d - g.cost[g.asgArc[i]] + pj - g.pc[i]
				g.relax++
				if g.seenC[i] != ep || nd < g.dc[i] {
					g.seenC[i] = ep
					g.dc[i] = nd
					g.heap.push(nd, i)
				}
			}
		}
		if target != noNode {
			break
		}
	}
	if target == noNode {
		return errNoPath
	}

	// Potentials: p(v) −= dTarget − d(v) for every finalized v. A pool
	// member's potential only falls, so his key only rises: sift those
	// down, deepest first, which leaves a valid heap.
	g.fixes = g.fixes[:0]
	for _, v := range g.done {
		switch {
		case v < n:
			g.pc[v] -= dTarget - g.dc[v]
			if g.asg[v] == int32(g.m) {
				g.fixes = append(g.fixes, g.pos[v])
			}
		case v == nodeT:
			g.pt -= dTarget - g.dt
		default:
			j := v - n
			g.pm[j] -= dTarget - g.dm[j]
		}
	}
	if len(g.fixes) > 0 {
		slices.Sort(g.fixes)
		for k := len(g.fixes) - 1; k >= 0; k-- {
			g.poolDown(g.fixes[k])
		}
	}

	// Walk the path back from the target and move the customers along it.
	var j int32
	switch {
	case target == nodeT:
		j = g.predT
		g.usage[j]++
		g.tDemand--
	case g.deficit[target-n] > 0:
		j = target - n
		g.deficit[j]--
		g.deficits--
	default: // the pool's demand (hardMin)
		j = target - n
		g.usage[j]++
	}
	for {
		a := g.predM[j]
		if a == fromT {
			g.usage[j]--
			j = g.predT
			g.usage[j]++
			continue
		}
		i := g.arcOwner(a)
		from := g.asg[i]
		g.detach(i)
		g.attach(i, j, a)
		if i == r {
			break
		}
		j = from
	}
	if g.pt < -levelB || g.pt > levelB {
		g.normalize()
	}
	return nil
}

// normalize shifts every potential so that p(t) = 0.
func (g *network) normalize() {
	s := g.pt
	for i := range g.pc {
		g.pc[i] -= s
	}
	for j := range g.pm {
		g.pm[j] -= s
	}
	g.pt = 0
}

// arcOwner is the customer whose arc a is (binary search in start).
func (g *network) arcOwner(a int32) int32 {
	lo, hi := 0, g.n // start[lo] <= a < start[hi]
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if g.start[mid] <= a {
			lo = mid
		} else {
			hi = mid
		}
	}
	return int32(lo)
}

// detach removes customer i from his manager's members (the tier units
// are left as they are).
func (g *network) detach(i int32) {
	j := g.asg[i]
	switch {
	case j == noNode:
		return
	case int(j) == g.m:
		g.poolRemove(g.pos[i])
	default:
		ms := g.member[j]
		k := g.pos[i]
		last := ms[len(ms)-1]
		ms[k] = last
		g.pos[last] = k
		g.member[j] = ms[:len(ms)-1]
	}
	g.asg[i] = noNode
}

// attach makes customer i a member of manager j through arc a.
func (g *network) attach(i, j, a int32) {
	g.asg[i] = j
	g.asgArc[i] = a
	if int(j) == g.m {
		g.pos[i] = int32(len(g.pool))
		g.pool = append(g.pool, i)
		g.poolUp(int32(len(g.pool) - 1))
		return
	}
	g.pos[i] = int32(len(g.member[j]))
	g.member[j] = append(g.member[j], i)
}

func (g *network) poolLess(a, b int32) bool {
	ka, kb := g.poolKey(g.pool[a]), g.poolKey(g.pool[b])
	if ka != kb {
		return ka < kb
	}
	return g.pool[a] < g.pool[b]
}

func (g *network) poolSwap(a, b int32) {
	g.pool[a], g.pool[b] = g.pool[b], g.pool[a]
	g.pos[g.pool[a]] = a
	g.pos[g.pool[b]] = b
}

func (g *network) poolUp(k int32) {
	for k > 0 {
		p := (k - 1) / 2
		if !g.poolLess(k, p) {
			return
		}
		g.poolSwap(k, p)
		k = p
	}
}

func (g *network) poolDown(k int32) {
	n := int32(len(g.pool))
	for {
		c := 2*k + 1
		if c >= n {
			return
		}
		if c+1 < n && g.poolLess(c+1, c) {
			c++
		}
		if !g.poolLess(c, k) {
			return
		}
		g.poolSwap(k, c)
		k = c
	}
}

func (g *network) poolFix(k int32) {
	g.poolUp(k)
	g.poolDown(g.pos[g.pool[k]])
}

func (g *network) poolRemove(k int32) {
	last := int32(len(g.pool) - 1)
	if k != last {
		g.poolSwap(k, last)
	}
	g.pool = g.pool[:last]
	if k != last {
		g.poolFix(k)
	}
}

// unplace takes customer i off his manager for a repair: his tier unit
// stays, the manager owes a member (deficit), and his potential is raised
// so that every arc out of him is non-negative again (he has no arc in).
func (g *network) unplace(i int32) {
	j := g.asg[i]
	if j == noNode {
		return
	}
	g.detach(i)
	g.deficit[j]++
	g.deficits++
	g.pc[i] = g.initPotential(i)
}

// reducedOK reports whether every residual arc has a non-negative reduced
// cost (a test helper's check of the invariant).
func (g *network) reducedOK() error {
	for i := range g.n {
		for a := g.start[i]; a < g.start[i+1]; a++ {
			j := g.to[a]
			rc := g.cost[a] + g.pc[i] - g.pm[j]
			if j == g.asg[i] {
				rc = -rc
			}
			if rc < 0 {
				return errors.New("negative reduced cost on a customer arc")
			}
		}
	}
	for j := int32(0); j <= int32(g.m); j++ {
		if c, ok := g.fwdTier(j); ok && c+g.pm[j]-g.pt < 0 {
			return errors.New("negative reduced cost on a tier arc")
		}
		if c, ok := g.revTier(j); ok && c+g.pt-g.pm[j] < 0 {
			return errors.New("negative reduced cost on a reverse tier arc")
		}
	}
	return nil
}

// nodeHeap is a binary min-heap of (key, node) with lazy deletion.
type nodeHeap []heapItem

type heapItem struct {
	key  int64
	node int32
}

func (h *nodeHeap) push(key int64, node int32) {
	*h = append(*h, heapItem{key, node})
	s := *h
	k := len(s) - 1
	for k > 0 {
		p := (k - 1) / 2
		if s[p].key <= key {
			break
		}
		s[k] = s[p]
		k = p
	}
	s[k] = heapItem{key, node}
}

func (h *nodeHeap) pop() (int64, int32) {
	s := *h
	top := s[0]
	last := s[len(s)-1]
	s = s[:len(s)-1]
	*h = s
	n := len(s)
	if n == 0 {
		return top.key, top.node
	}
	k := 0
	for {
		c := 2*k + 1
		if c >= n {
			break
		}
		if c+1 < n && s[c+1].key < s[c].key {
			c++
		}
		if s[c].key >= last.key {
			break
		}
		s[k] = s[c]
		k = c
	}
	s[k] = last
	return top.key, top.node
}

// auxHeap enumerates the pool heap in order: entries are positions in it.
type auxHeap []heapItem

func (h *auxHeap) push(key int64, at int32) { (*nodeHeap)(h).push(key, at) }
func (h *auxHeap) pop() int32 {
	_, at := (*nodeHeap)(h).pop()
	return at
}

// fillMins is the first stage with hard minimums: the network starts
// empty with zero potentials, and every manager's minimum (a node demand of
// lo) is met by a shortest path found backwards from him to the nearest
// customer not yet placed, managers taking turns one unit at a time so
// that lists fill at the same pace everywhere. Neither the pool nor t
// carries flow yet, so no path crosses them. It returns the managers whose
// minimum no path can reach (the caller then solves the lexicographic
// problem instead). On success the pool's and t's potentials are set so
// that every arc is non-negative for the second stage (placeAll).
func (g *network) fillMins(ctx context.Context) (short []int32, err error) {
	g.hardMin = true
	for i := range g.pc {
		g.pc[i] = 0
	}
	for j := range g.pm {
		g.pm[j] = 0
	}
	g.pt = 0
	g.buildIn()
	g.nextC = make([]int32, g.n)
	g.nextM = make([]int32, g.m)
	need := make([]int32, 0, g.m)
	for j := range g.m {
		if g.lo[j] > 0 {
			need = append(need, int32(j))
		}
	}
	for len(need) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		next := need[:0]
		for _, j := range need {
			if !g.fillOne(j) {
				short = append(short, j)
				continue
			}
			if g.usage[j] < g.lo[j] {
				next = append(next, j)
			}
		}
		need = next
	}
	if len(short) > 0 {
		return short, nil
	}
	// The pool (empty; a demand of lo[m]) and t (no flow): i → pool needs
	// pm[pool] ≤ c + pc, j → t (0) needs pt ≤ pm[j].
	pp := inf
	for i := range g.n {
		pp = min(pp, g.cost[g.start[i+1]-1]+g.pc[i]) // the pool arc is last
	}
	if g.n == 0 {
		pp = 0
	}
	g.pm[g.m] = pp
	g.pt = inf
	for j := range g.m {
		if _, ok := g.fwdTier(int32(j)); ok {
			g.pt = min(g.pt, g.pm[j])
		}
	}
	if g.pt == inf {
		g.pt = 0
	}
	return nil, nil
}

// buildIn indexes the arcs into each real manager.
func (g *network) buildIn() {
	g.inStart = make([]int32, g.m+2)
	for _, j := range g.to {
		g.inStart[j+1]++
	}
	for j := 0; j <= g.m; j++ {
		g.inStart[j+1] += g.inStart[j]
	}
	g.inArc = make([]int32, len(g.to))
	g.inOwner = make([]int32, len(g.to))
	next := append([]int32(nil), g.inStart[:g.m+1]...)
	for i := range g.n {
		for a := g.start[i]; a < g.start[i+1]; a++ {
			j := g.to[a]
			g.inArc[next[j]] = a
			g.inOwner[next[j]] = int32(i)
			next[j]++
		}
	}
	// Cheapest first (fillOne stops early on them).
	for j := 0; j < g.m; j++ {
		lo, hi := g.inStart[j], g.inStart[j+1]
		arcs, owners := g.inArc[lo:hi], g.inOwner[lo:hi]
		idx := make([]int32, len(arcs))
		for k := range idx {
			idx[k] = int32(k)
		}
		slices.SortFunc(idx, func(x, y int32) int {
			if c := cmp.Compare(g.cost[arcs[x]], g.cost[arcs[y]]); c != 0 {
				return c
			}
			return cmp.Compare(arcs[x], arcs[y])
		})
		sa, so := make([]int32, len(arcs)), make([]int32, len(arcs))
		for k, x := range idx {
			sa[k], so[k] = arcs[x], owners[x]
		}
		copy(arcs, sa)
		copy(owners, so)
	}
}

// fillOne gives manager j0 one more member along a shortest path from a
// customer not yet placed (Dijkstra on the reverse residual network, e =
// distance to j0); false when none can reach him.
func (g *network) fillOne(j0 int32) bool {
	g.dijk++
	g.epoch++
	if g.epoch == 0 {
		clear(g.seenC)
		clear(g.finC)
		clear(g.seenM)
		clear(g.finM)
		g.epoch = 1
	}
	ep := g.epoch
	n := int32(g.n)
	g.heap = g.heap[:0]
	g.done = g.done[:0]
	g.seenM[j0], g.dm[j0] = ep, 0
	g.heap.push(0, n+j0)
	target := noNode
	var e int64
	bound := inf // the least distance of a free customer reached
	for len(g.heap) > 0 {
		d, v := g.heap.pop()
		if v < n {
			if g.finC[v] == ep || d > g.dc[v] {
				continue
			}
			g.finC[v] = ep
			g.done = append(g.done, v)
			j := g.asg[v]
			if j == noNode {
				target, e = v, d
				break
			}
			// Reverse arc j → v (v leaves j): cost −c.
			if g.finM[j] == ep {
				continue
			}
			nd := d - g.cost[g.asgArc[v]] + g.pm[j] - g.pc[v]
			if g.seenM[j] != ep || nd < g.dm[j] {
				g.seenM[j], g.dm[j], g.nextM[j] = ep, nd, v
				g.heap.push(nd, n+j)
			}
			continue
		}
		j := v - n
		if g.finM[j] == ep || d > g.dm[j] {
			continue
		}
		g.finM[j] = ep
		g.done = append(g.done, v)
		pj := g.pm[j]
		// In this stage every customer's potential is ≥ 0 (they start at 0
		// and only rise), so the arc from i costs at least d + c − pj: with
		// the arcs cheapest first, stop once that reaches the best free
		// customer seen (bound), beyond which nothing is finalized.
		for k := g.inStart[j]; k < g.inStart[j+1]; k++ {
			a, i := g.inArc[k], g.inOwner[k]
			if d+g.cost[a]-pj >= bound {
				break
			}
			if g.finC[i] == ep || g.asg[i] == j {
				continue
			}
			nd := d + g.cost[a] + g.pc[i] - pj
			g.relax++
			if g.seenC[i] != ep || nd < g.dc[i] {
				g.seenC[i], g.dc[i], g.nextC[i] = ep, nd, a
				g.heap.push(nd, i)
				if g.asg[i] == noNode {
					bound = min(bound, nd)
				}
			}
		}
	}
	if target == noNode {
		return false
	}
	// p(v) += e − d(v) for every finalized v (d: distance to j0).
	for _, v := range g.done {
		if v < n {
			g.pc[v] += e - g.dc[v]
		} else {
			g.pm[v-n] += e - g.dm[v-n]
		}
	}
	// Walk forward from the customer found to j0.
	i := target
	for {
		a := g.nextC[i]
		j := g.to[a]
		g.detach(i)
		g.attach(i, j, a)
		if j == j0 {
			g.usage[j]++
			return true
		}
		i = g.nextM[j]
	}
}

// tighten resets the potentials (hardMin) to distances to the nearest
// demand left (t while it takes units, the pool while below its share,
// managers owed a member): a backward Dijkstra over the whole residual
// network. Any potentials that keep reduced costs non-negative are valid;
// these make every node's shortest path to a demand cost 0, so the next
// searches stop almost at once instead of wading through the spread the
// first stage left between the managers' potentials.
func (g *network) tighten() {
	if len(g.inArc) != len(g.to) {
		g.buildIn()
	}
	g.epoch++
	if g.epoch == 0 {
		clear(g.seenC)
		clear(g.finC)
		clear(g.seenM)
		clear(g.finM)
		g.epoch = 1
	}
	ep := g.epoch
	n := int32(g.n)
	nodeT := g.nodeT()
	g.heap = g.heap[:0]
	g.done = g.done[:0]
	g.seenT, g.finT = false, false
	if g.tDemand > 0 {
		g.seenT, g.dt = true, 0
		g.heap.push(0, nodeT)
	}
	pool := int32(g.m)
	for j := int32(0); j <= pool; j++ {
		if g.deficit[j] > 0 || (j == pool && g.usage[j] < g.lo[j]) {
			g.seenM[j], g.dm[j] = ep, 0
			g.heap.push(0, n+j)
		}
	}
	var e int64
	for len(g.heap) > 0 {
		d, v := g.heap.pop()
		switch {
		case v < n:
			if g.finC[v] == ep || d > g.dc[v] {
				continue
			}
			g.finC[v] = ep
			g.done = append(g.done, v)
			e = d
			j := g.asg[v]
			if j == noNode || g.finM[j] == ep {
				continue
			}
			nd := d - g.cost[g.asgArc[v]] + g.pm[j] - g.pc[v]
			if g.seenM[j] != ep || nd < g.dm[j] {
				g.seenM[j], g.dm[j] = ep, nd
				g.heap.push(nd, n+j)
			}
		case v == nodeT:
			if g.finT || d > g.dt {
				continue
			}
			g.finT = true
			g.done = append(g.done, v)
			e = d
			for j := int32(0); j < pool; j++ {
				if _, ok := g.fwdTier(j); !ok || g.finM[j] == ep {
					continue
				}
				nd := d + g.pm[j] - g.pt
				if g.seenM[j] != ep || nd < g.dm[j] {
					g.seenM[j], g.dm[j] = ep, nd
					g.heap.push(nd, n+j)
				}
			}
		default:
			j := v - n
			if g.finM[j] == ep || d > g.dm[j] {
				continue
			}
			g.finM[j] = ep
			g.done = append(g.done, v)
			e = d
			if _, ok := g.revTier(j); ok && !g.finT {
				nd := d + g.pt - g.pm[j]
				if !g.seenT || nd < g.dt {
					g.seenT, g.dt = true, nd
					g.heap.push(nd, nodeT)
				}
			}
			pj := g.pm[j]
			for k := g.inStart[j]; k < g.inStart[j+1]; k++ {
				a, i := g.inArc[k], g.inOwner[k]
				if g.finC[i] == ep || g.asg[i] == j {
					continue
				}
				nd := d + g.cost[a] + g.pc[i] - pj
				if g.seenC[i] != ep || nd < g.dc[i] {
					g.seenC[i], g.dc[i] = ep, nd
					g.heap.push(nd, i)
				}
			}
		}
	}
	// p(v) += E − e(v), E the largest distance reached (nodes not reached
	// keep theirs).
	for _, v := range g.done {
		switch {
		case v < n:
			g.pc[v] += e - g.dc[v]
		case v == nodeT:
			g.pt += e - g.dt
		default:
			g.pm[v-n] += e - g.dm[v-n]
		}
	}
	// Pool members' keys changed: rebuild the heap.
	for k := len(g.pool)/2 - 1; k >= 0; k-- {
		g.poolDown(int32(k))
	}
	g.normalize()
}
