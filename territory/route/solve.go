package route

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// The orienteering solver with time windows. Nodes: 0 is the start,
// 1 … n the customers, n+1 the end (travel to it costs nothing when the
// route has no end point). Times are seconds after the day's local
// midnight.

const eps = 1e-6

// tw is an opening window: service may begin from open until latest
// (the close minus the service time).
type tw struct{ open, latest float64 }

type problem struct {
	n, end    int
	dur, dist [][]float64
	svc       []float64
	win       [][]tw // nil: open all day; empty: closed
	score     []float64
	t0        float64
	deadline  float64
}

// begin is when service at node can start on arriving at a, in the first
// window that still admits it.
func (p *problem) begin(node int, a float64) (float64, bool) {
	ws := p.win[node]
	if ws == nil {
		return a, !math.IsInf(a, 1)
	}
	for _, w := range ws {
		if a <= w.latest+eps {
			if a < w.open {
				return w.open, true
			}
			return a, true
		}
	}
	return 0, false
}

// sol is a route: the customers in visiting order with its schedule
// (dep[k] is the departure from the k-th node, dep[0] the start).
type sol struct {
	seq    []int
	dep    []float64
	la     []float64 // la[k]: the latest arrival at the k-th customer (k = len(seq): the end) that keeps the rest feasible
	score  float64
	finish float64
	dist   float64
}

func (s *sol) clone() *sol {
	return &sol{seq: slices.Clone(s.seq), dep: slices.Clone(s.dep), la: slices.Clone(s.la), score: s.score, finish: s.finish, dist: s.dist}
}

// eval schedules seq into s and reports whether it is feasible.
func (p *problem) eval(s *sol) bool {
	s.dep = slices.Grow(s.dep[:0], len(s.seq)+1)[:len(s.seq)+1]
	t, prev := p.t0, 0
	s.dep[0] = t
	score, dist := 0.0, 0.0
	for k, v := range s.seq {
		st, ok := p.begin(v, t+p.dur[prev][v])
		if !ok {
			return false
		}
		t = st + p.svc[v]
		s.dep[k+1] = t
		score += p.score[v]
		dist += p.dist[prev][v]
		prev = v
	}
	s.finish = t + p.dur[prev][p.end]
	s.score, s.dist = score, dist+p.dist[prev][p.end]
	if s.finish > p.deadline+eps {
		return false
	}
	// Backward: arriving later than la[k] at the k-th stop makes the rest
	// infeasible; arriving earlier never does (one waits).
	n := len(s.seq)
	s.la = slices.Grow(s.la[:0], n+1)[:n+1]
	s.la[n] = p.deadline
	next := p.end
	for k := n - 1; k >= 0; k-- {
		v := s.seq[k]
		s.la[k] = p.latestArrival(v, s.la[k+1]-p.dur[v][next]-p.svc[v])
		next = v
	}
	return true
}

// latestArrival is the latest arrival at node that lets service begin by
// latestBegin inside one of its windows.
func (p *problem) latestArrival(node int, latestBegin float64) float64 {
	ws := p.win[node]
	if ws == nil {
		return latestBegin
	}
	for i := len(ws) - 1; i >= 0; i-- {
		if ws[i].open <= latestBegin+eps {
			return math.Min(ws[i].latest, latestBegin)
		}
	}
	return math.Inf(-1)
}

// insertion checks inserting j before position k (0 … len(seq)) of a
// scheduled route in constant time (against la); it answers the local cost
// (detour, wait and service) and whether the route stays feasible.
func (p *problem) insertion(s *sol, j, k int) (cost float64, ok bool) {
	prev, next := 0, p.end
	if k > 0 {
		prev = s.seq[k-1]
	}
	if k < len(s.seq) {
		next = s.seq[k]
	}
	a := s.dep[k] + p.dur[prev][j]
	st, ok := p.begin(j, a)
	if !ok || st+p.svc[j]+p.dur[j][next] > s.la[k]+eps {
		return 0, false
	}
	return p.dur[prev][j] + (st - a) + p.svc[j] + p.dur[j][next] - p.dur[prev][next], true
}

// better orders routes: more priority, then an earlier finish, then less
// distance.
func better(a, b *sol) bool {
	switch {
	case a.score > b.score+1e-9:
		return true
	case a.score < b.score-1e-9:
		return false
	case a.finish < b.finish-1e-3:
		return true
	case a.finish > b.finish+1e-3:
		return false
	}
	return a.dist < b.dist-1e-3
}

// search is one run of the solver.
type search struct {
	p        *problem
	rng      *rand.Rand
	cands    []int  // customers worth visiting: feasible alone, score > 0
	in       []bool // in the current route
	tabu     []bool
	deadline time.Time
	ctx      context.Context
}

func (x *search) mark(s *sol) {
	clear(x.in)
	for _, v := range s.seq {
		x.in[v] = true
	}
}

// greedy inserts customers into s while any fits: the one with the best
// ratio of priority to cost (key), at its cheapest feasible position.
// noise > 0 randomises the ratios (for the perturbation's repairs).
func (x *search) greedy(s *sol, key func(score, cost float64) float64, noise float64) {
	p := x.p
	x.mark(s)
	for {
		bestJ, bestK, bestR := -1, -1, math.Inf(-1)
		for _, j := range x.cands {
			if x.in[j] || x.tabu[j] {
				continue
			}
			cj, kj := math.Inf(1), -1
			for k := 0; k <= len(s.seq); k++ {
				if c, ok := p.insertion(s, j, k); ok && c < cj {
					cj, kj = c, k
				}
			}
			if kj < 0 {
				continue
			}
			r := key(p.score[j], math.Max(cj, 1))
			if noise > 0 {
				r *= 1 + noise*(x.rng.Float64()-0.5)
			}
			if r > bestR {
				bestJ, bestK, bestR = j, kj, r
			}
		}
		if bestJ < 0 {
			return
		}
		s.seq = slices.Insert(s.seq, bestK, bestJ)
		x.in[bestJ] = true
		p.eval(s)
	}
}

// byPriority inserts customers in order of priority (highest first), each
// at its cheapest feasible position, skipping those that do not fit: the
// simple greedy baseline.
func (x *search) byPriority(s *sol) {
	p := x.p
	order := slices.Clone(x.cands)
	slices.SortStableFunc(order, func(a, b int) int {
		if p.score[a] != p.score[b] {
			if p.score[a] > p.score[b] {
				return -1
			}
			return 1
		}
		return a - b
	})
	for _, j := range order {
		cj, kj := math.Inf(1), -1
		for k := 0; k <= len(s.seq); k++ {
			if c, ok := p.insertion(s, j, k); ok && c < cj {
				cj, kj = c, k
			}
		}
		if kj >= 0 {
			s.seq = slices.Insert(s.seq, kj, j)
			p.eval(s)
		}
	}
}

// shorten improves the order of a route's customers for time (2-opt
// reversals and or-opt moves of 1–3 customers), first improvement, until
// none is left. A move is scheduled only when it cuts the travel time.
func (x *search) shorten(s *sol) {
	p := x.p
	t := &sol{}
	node := func(seq []int, k int) int { // 0 before the route, end after it
		switch {
		case k < 0:
			return 0
		case k >= len(seq):
			return p.end
		}
		return seq[k]
	}
	var fwd, bwd []float64
	for improved := true; improved; {
		improved = false
		n := len(s.seq)
		// 2-opt: reverse seq[i..j]; fwd/bwd are the travel sums along and
		// against the route (for asymmetric tables).
		fwd, bwd = append(fwd[:0], 0), append(bwd[:0], 0)
		for k := 0; k+1 < n; k++ {
			a, b := s.seq[k], s.seq[k+1]
			fwd = append(fwd, fwd[k]+p.dur[a][b])
			bwd = append(bwd, bwd[k]+p.dur[b][a])
		}
		for i := 0; i < n-1 && !improved; i++ {
			pi, si := node(s.seq, i-1), s.seq[i]
			for j := i + 1; j < n; j++ {
				sj, nj := s.seq[j], node(s.seq, j+1)
				d := p.dur[pi][sj] + p.dur[si][nj] - p.dur[pi][si] - p.dur[sj][nj] + (bwd[j] - bwd[i]) - (fwd[j] - fwd[i])
				if d >= -1e-6 {
					continue
				}
				t.seq = append(t.seq[:0], s.seq...)
				slices.Reverse(t.seq[i : j+1])
				if p.eval(t) && better(t, s) {
					s.seq, t.seq = t.seq, s.seq
					p.eval(s)
					improved = true
					break
				}
			}
		}
		if improved {
			continue
		}
		// or-opt: move seq[i:i+l] between rest[k-1] and rest[k], rest
		// being the route without it.
		for l := 1; l <= 3 && !improved; l++ {
			for i := 0; i+l <= n && !improved; i++ {
				first, last := s.seq[i], s.seq[i+l-1]
				before, after := node(s.seq, i-1), node(s.seq, i+l)
				removed := p.dur[before][after] - p.dur[before][first] - p.dur[last][after]
				rest := func(k int) int {
					if k >= i {
						k += l
					}
					return node(s.seq, k)
				}
				for k := 0; k <= n-l; k++ {
					if k == i {
						continue
					}
					a, b := rest(k-1), rest(k)
					if removed+p.dur[a][first]+p.dur[last][b]-p.dur[a][b] >= -1e-6 {
						continue
					}
					t.seq = t.seq[:0]
					for m := 0; m < n-l; m++ {
						if m == k {
							t.seq = append(t.seq, s.seq[i:i+l]...)
						}
						t.seq = append(t.seq, rest(m))
					}
					if k == n-l {
						t.seq = append(t.seq, s.seq[i:i+l]...)
					}
					if p.eval(t) && better(t, s) {
						s.seq, t.seq = t.seq, s.seq
						p.eval(s)
						improved = true
						break
					}
				}
			}
		}
	}
}

// swap replaces a customer of the route by a left-out one of higher
// priority where that stays feasible (first improvement), then fills.
func (x *search) swap(s *sol) bool {
	p := x.p
	x.mark(s)
	t := &sol{}
	for i := 0; i < len(s.seq); i++ {
		out := s.seq[i]
		t.seq = slices.Delete(slices.Clone(s.seq), i, i+1)
		if !p.eval(t) {
			continue // cannot happen with the triangle inequality; be safe
		}
		bestJ, bestK, bestGain := -1, -1, 0.0
		for _, j := range x.cands {
			if x.in[j] || p.score[j] <= p.score[out]+1e-9 {
				continue
			}
			for k := 0; k <= len(t.seq); k++ {
				if _, ok := p.insertion(t, j, k); ok {
					if g := p.score[j] - p.score[out]; g > bestGain {
						bestJ, bestK, bestGain = j, k, g
					}
					break
				}
			}
		}
		if bestJ >= 0 {
			s.seq = slices.Insert(t.seq, bestK, bestJ)
			p.eval(s)
			return true
		}
	}
	return false
}

func ratio(score, cost float64) float64  { return score / cost }
func ratio2(score, cost float64) float64 { return score * score / cost }

// improve is the local search: shorten, fill, swap, until stable.
func (x *search) improve(s *sol) {
	for range 20 {
		x.shorten(s)
		before := len(s.seq)
		x.greedy(s, ratio, 0)
		swapped := x.swap(s)
		if !swapped && len(s.seq) == before {
			return
		}
	}
}

func (x *search) expired() bool {
	return x.ctx.Err() != nil || (!x.deadline.IsZero() && time.Now().After(x.deadline))
}

// solve runs the greedy constructions, then iterated local search for at
// most iters iterations or until the deadline.
func (p *problem) solve(ctx context.Context, cands []int, seed uint64, iters int, deadline time.Time) (best *sol, baseline *sol, done int) {
	x := &search{p: p, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), cands: cands,
		in: make([]bool, p.n+2), tabu: make([]bool, p.n+2), deadline: deadline, ctx: ctx}
	empty := func() *sol { s := &sol{}; p.eval(s); return s }

	baseline = empty()
	x.byPriority(baseline)
	best = baseline.clone()
	for _, key := range []func(float64, float64) float64{ratio, ratio2} {
		s := empty()
		x.greedy(s, key, 0)
		x.improve(s)
		if better(s, best) {
			best = s
		}
	}
	b2 := baseline.clone()
	x.improve(b2)
	if better(b2, best) {
		best = b2
	}
	cur := best.clone()
	stale := 0
	for done = 0; done < iters; done++ {
		if x.expired() {
			break
		}
		c := cur.clone()
		x.perturb(c)
		x.improve(c)
		switch {
		case better(c, best):
			best, cur, stale = c.clone(), c, 0
		case c.score >= cur.score*0.98-1e-9:
			cur = c
			stale++
		default:
			stale++
		}
		if stale > 25 {
			cur, stale = best.clone(), 0
		}
	}
	return best, baseline, done
}

// perturb removes a random stretch of the route (and a few random
// customers), then refills it without them first, with noisy ratios.
func (x *search) perturb(s *sol) {
	p := x.p
	clear(x.tabu)
	n := len(s.seq)
	if n > 0 {
		l := 1 + x.rng.IntN(max(1, n/3))
		i := x.rng.IntN(n - l + 1)
		for _, v := range s.seq[i : i+l] {
			x.tabu[v] = true
		}
		s.seq = slices.Delete(s.seq, i, i+l)
		for range x.rng.IntN(3) {
			if len(s.seq) == 0 {
				break
			}
			k := x.rng.IntN(len(s.seq))
			x.tabu[s.seq[k]] = true
			s.seq = slices.Delete(s.seq, k, k+1)
		}
	}
	p.eval(s)
	x.greedy(s, ratio, 0.5)
	clear(x.tabu)
	x.greedy(s, ratio2, 0.3)
}
