package op

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"gridplan/territory/route/internal/stopclock"
)

// DefaultTimeLimit is Solve's time limit when Options sets neither a time
// limit nor an iteration budget.
const DefaultTimeLimit = time.Second

// eps is the tolerance of length comparisons: a route is within the
// budget when its length is at most Budget + eps.
const eps = 1e-9

// ErrInfeasible means that not even the direct way from start to end fits
// the budget.
var ErrInfeasible = errors.New("op: the budget does not reach from start to end")

// Options tune Solve. The zero value runs for DefaultTimeLimit with seed 0.
type Options struct {
	// TimeLimit stops the search after this long (0: no limit, but see
	// DefaultTimeLimit).
	TimeLimit time.Duration
	// MaxIterations stops the search after this many shakes (0: no
	// limit). With the same seed and budget the result is the same on
	// every machine.
	MaxIterations int
	// Seed seeds the pseudo-random shakes.
	Seed uint64
}

// Result is a route and how it was found.
type Result struct {
	// Route lists the points visited, Start first and End last.
	Route []int
	// Score is the sum of the visited points' scores (a point visited as
	// both start and end counts once); Length the route's length.
	Score, Length float64
	// Iterations counts the shakes tried; Improvements those that gave a
	// new best route.
	Iterations, Improvements int
	// Elapsed is the whole run; BestAt when the best route was found.
	Elapsed, BestAt time.Duration
}

// Solve finds a route from p.Start to p.End within p.Budget with the
// greatest score. It stops at the time limit, the iteration budget or when
// ctx ends and returns the best route found (a cancelled context is no
// error once a route exists). It runs on the calling goroutine only.
func Solve(ctx context.Context, p *Problem, opt Options) (Result, error) {
	t0 := time.Now()
	if err := p.validate(); err != nil {
		return Result{}, err
	}
	if opt.TimeLimit < 0 || opt.MaxIterations < 0 {
		return Result{}, fmt.Errorf("op: negative option in %+v", opt)
	}
	if opt.TimeLimit == 0 && opt.MaxIterations == 0 {
		opt.TimeLimit = DefaultTimeLimit
	}
	stopped := stopclock.Stopper(ctx, t0, opt.TimeLimit)
	s := newSolver(p, opt.Seed)
	if s.dist(p.Start, p.End) > p.Budget+eps {
		return Result{}, ErrInfeasible
	}
	cur := s.newRoute([]int{p.Start, p.End})
	s.localSearch(cur, nil)
	best := cur.clone()
	res := Result{BestAt: time.Since(t0)}
	stall := 0
	for it := 0; opt.MaxIterations == 0 || it < opt.MaxIterations; it++ {
		if stopped() {
			break
		}
		res.Iterations++
		next := cur.clone()
		removed := s.shake(next)
		s.localSearch(next, removed)
		s.localSearch(next, nil)
		if next.better(cur) || s.rng.IntN(4) == 0 {
			cur = next
		}
		if cur.better(best) {
			best = cur.clone()
			res.Improvements++
			res.BestAt = time.Since(t0)
			stall = 0
		} else if stall++; stall >= 10+2*len(cur.nodes) {
			cur = best.clone()
			stall = 0
		}
	}
	res.Route = best.nodes
	res.Score, res.Length = s.scoreOf(best.nodes), s.lengthOf(best.nodes)
	res.Elapsed = time.Since(t0)
	return res, nil
}

func (p *Problem) validate() error {
	switch {
	case p == nil || p.N < 1:
		return errors.New("op: no points")
	case p.N > MaxPoints:
		return fmt.Errorf("op: %d points: at most %d", p.N, MaxPoints)
	case len(p.Score) != p.N:
		return fmt.Errorf("op: %d scores for %d points", len(p.Score), p.N)
	case p.Start < 0 || p.Start >= p.N || p.End < 0 || p.End >= p.N:
		return fmt.Errorf("op: start %d or end %d outside 0..%d", p.Start, p.End, p.N-1)
	case p.Budget < 0 || math.IsNaN(p.Budget) || math.IsInf(p.Budget, 0):
		return fmt.Errorf("op: budget %v: want a finite number ≥ 0", p.Budget)
	case p.Dist == nil:
		return errors.New("op: no distance function")
	}
	for i, v := range p.Score {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("op: point %d: score %v: want a finite number ≥ 0", i, v)
		}
	}
	return nil
}

// route is a path from start to end with its score and length.
type route struct {
	nodes         []int
	score, length float64
}

func (r *route) clone() *route {
	return &route{nodes: slices.Clone(r.nodes), score: r.score, length: r.length}
}

// better: more score, or as much for a shorter path.
func (r *route) better(o *route) bool {
	if r.score != o.score {
		return r.score > o.score+eps
	}
	return r.length < o.length-eps
}

type solver struct {
	n          int
	d          []float64
	score      []float64
	budget     float64
	start, end int
	in         []bool // on the current route (interior points)
	rng        *rand.Rand
	cand       []int // points worth visiting: positive score, not start or end
	tops       []top3
}

// top3 is an unvisited point's three cheapest insertion edges (before
// positions at, for extra lengths ext; -1: none).
type top3 struct {
	v   int
	at  [3]int
	ext [3]float64
}

func newSolver(p *Problem, seed uint64) *solver {
	n := p.N
	s := &solver{
		n: n, d: make([]float64, n*n), score: p.Score, budget: p.Budget,
		start: p.Start, end: p.End, in: make([]bool, n),
		rng: rand.New(rand.NewPCG(seed, 0x5851f42d4c957f2d)),
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			v := p.Dist(i, j)
			s.d[i*n+j], s.d[j*n+i] = v, v
		}
	}
	for i := range n {
		if i != p.Start && i != p.End && p.Score[i] > 0 {
			s.cand = append(s.cand, i)
		}
	}
	return s
}

func (s *solver) dist(i, j int) float64 { return s.d[i*s.n+j] }

func (s *solver) lengthOf(nodes []int) float64 {
	var l float64
	for k := 1; k < len(nodes); k++ {
		l += s.dist(nodes[k-1], nodes[k])
	}
	return l
}

func (s *solver) scoreOf(nodes []int) float64 {
	var sc float64
	for k, v := range nodes {
		if k == len(nodes)-1 && v == nodes[0] {
			break
		}
		sc += s.score[v]
	}
	return sc
}

func (s *solver) newRoute(nodes []int) *route {
	return &route{nodes: nodes, score: s.scoreOf(nodes), length: s.lengthOf(nodes)}
}

// mark sets s.in to r's interior points.
func (s *solver) mark(r *route) {
	clear(s.in)
	for _, v := range r.nodes[1 : len(r.nodes)-1] {
		s.in[v] = true
	}
}

// localSearch shortens r and adds or swaps points until no move improves
// it; points in tabu are not inserted.
func (s *solver) localSearch(r *route, tabu []int) {
	s.mark(r)
	for _, v := range tabu {
		s.in[v] = true // looks visited to insert and replace
	}
	for {
		s.shorten(r)
		if s.insert(r) {
			continue
		}
		if s.replace(r) {
			continue
		}
		break
	}
	for _, v := range tabu {
		s.in[v] = false
	}
	r.length = s.lengthOf(r.nodes) // drop the rounding of summed deltas
}

// shorten applies improving 2-opt and Or-opt moves with the ends fixed.
func (s *solver) shorten(r *route) {
	for s.twoOpt(r) || s.orOpt(r) {
	}
}

func (s *solver) twoOpt(r *route) bool {
	x := r.nodes
	improved := false
	for i := 0; i+3 < len(x); i++ {
		for j := i + 2; j+1 < len(x); j++ {
			g := s.dist(x[i], x[i+1]) + s.dist(x[j], x[j+1]) - s.dist(x[i], x[j]) - s.dist(x[i+1], x[j+1])
			if g > eps {
				slices.Reverse(x[i+1 : j+1])
				r.length -= g
				improved = true
			}
		}
	}
	return improved
}

// orOpt moves a stretch of 1 to 3 interior points elsewhere, reversed or
// not; it applies the first improving move.
func (s *solver) orOpt(r *route) bool {
	x := r.nodes
	m := len(x)
	for l := 1; l <= 3; l++ {
		for i := 1; i+l < m; i++ { // stretch x[i..i+l-1], interior
			p, f, e, nx := x[i-1], x[i], x[i+l-1], x[i+l]
			g0 := s.dist(p, f) + s.dist(e, nx) - s.dist(p, nx)
			if g0 <= eps {
				continue
			}
			for j := 0; j+1 < m; j++ { // insert between x[j] and x[j+1]
				if j >= i-1 && j < i+l {
					continue
				}
				a, b := x[j], x[j+1]
				dab := s.dist(a, b)
				fwd := s.dist(a, f) + s.dist(e, b) - dab
				rev := s.dist(a, e) + s.dist(f, b) - dab
				if g0-min(fwd, rev) <= eps {
					continue
				}
				seg := slices.Clone(x[i : i+l])
				if rev < fwd {
					slices.Reverse(seg)
				}
				rest := slices.Delete(x, i, i+l)
				at := j + 1
				if j >= i {
					at -= l
				}
				r.nodes = slices.Insert(rest, at, seg...)
				r.length -= g0 - min(fwd, rev)
				return true
			}
		}
	}
	return false
}

// bestInsertion is where v adds the least length to r: before position
// at, for extra length.
func (s *solver) bestInsertion(x []int, v int) (at int, extra float64) {
	extra = math.Inf(1)
	for k := 1; k < len(x); k++ {
		if e := s.dist(x[k-1], v) + s.dist(v, x[k]) - s.dist(x[k-1], x[k]); e < extra {
			at, extra = k, e
		}
	}
	return at, extra
}

// insert adds unvisited points while they fit, best score per extra length
// first, shortening the path after each; it reports whether it added any.
func (s *solver) insert(r *route) bool {
	added := false
	for {
		bestV, bestAt := -1, 0
		var bestRatio, bestExtra float64
		for _, v := range s.cand {
			if s.in[v] {
				continue
			}
			at, extra := s.bestInsertion(r.nodes, v)
			if r.length+extra > s.budget+eps {
				continue
			}
			ratio := s.score[v] / max(extra, 1e-12)
			if bestV < 0 || ratio > bestRatio || (ratio == bestRatio && extra < bestExtra) {
				bestV, bestAt, bestRatio, bestExtra = v, at, ratio, extra
			}
		}
		if bestV < 0 {
			return added
		}
		r.nodes = slices.Insert(r.nodes, bestAt, bestV)
		r.length += bestExtra
		r.score += s.score[bestV]
		s.in[bestV] = true
		added = true
		s.shorten(r)
	}
}

// replace swaps one visited point for an unvisited one when that raises
// the score, or keeps it and shortens the path; the first such swap is
// applied.
func (s *solver) replace(r *route) bool {
	x := r.nodes
	// The three cheapest insertion edges of every unvisited candidate: at
	// least one of them survives the removal of a visited point, which
	// takes away only the two edges at it.
	tops := s.tops[:0]
	for _, v := range s.cand {
		if s.in[v] {
			continue
		}
		t := top3{v: v, at: [3]int{-1, -1, -1}, ext: [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}}
		for k := 1; k < len(x); k++ {
			e := s.dist(x[k-1], v) + s.dist(v, x[k]) - s.dist(x[k-1], x[k])
			switch {
			case e < t.ext[0]:
				t.at, t.ext = [3]int{k, t.at[0], t.at[1]}, [3]float64{e, t.ext[0], t.ext[1]}
			case e < t.ext[1]:
				t.at[2], t.ext[2], t.at[1], t.ext[1] = t.at[1], t.ext[1], k, e
			case e < t.ext[2]:
				t.at[2], t.ext[2] = k, e
			}
		}
		tops = append(tops, t)
	}
	s.tops = tops[:0]
	for i := 1; i+1 < len(x); i++ {
		u := x[i]
		p, nx := x[i-1], x[i+1]
		without := r.length - s.dist(p, u) - s.dist(u, nx) + s.dist(p, nx)
		for _, t := range tops {
			v := t.v
			if s.score[v] < s.score[u] {
				continue
			}
			// Best place for v in the path without u: between p and nx
			// (before position i+1 of x), or a surviving cheap edge.
			at := i + 1
			extra := s.dist(p, v) + s.dist(v, nx) - s.dist(p, nx)
			for c := range 3 {
				if k := t.at[c]; k >= 0 && k != i && k != i+1 {
					if t.ext[c] < extra {
						at, extra = k, t.ext[c]
					}
					break
				}
			}
			l := without + extra
			if l > s.budget+eps {
				continue
			}
			if s.score[v] > s.score[u] || l < r.length-eps {
				x = slices.Delete(x, i, i+1)
				if at > i {
					at--
				}
				r.nodes = slices.Insert(x, at, v)
				r.length = l
				r.score += s.score[v] - s.score[u]
				s.in[u], s.in[v] = false, true
				return true
			}
		}
	}
	return false
}

// shake removes a random stretch of the route's interior, or some random
// points of it, and returns what it removed.
func (s *solver) shake(r *route) []int {
	interior := len(r.nodes) - 2
	if interior <= 0 {
		return nil
	}
	var removed []int
	if s.rng.IntN(2) == 0 {
		l := 1 + s.rng.IntN(max(1, min(interior, 1+interior/2)))
		i := 1 + s.rng.IntN(interior-l+1)
		removed = slices.Clone(r.nodes[i : i+l])
		r.nodes = slices.Delete(r.nodes, i, i+l)
	} else {
		k := 1 + s.rng.IntN(max(1, min(interior, 1+interior/3)))
		for range k {
			i := 1 + s.rng.IntN(len(r.nodes)-2)
			removed = append(removed, r.nodes[i])
			r.nodes = slices.Delete(r.nodes, i, i+1)
		}
	}
	r.score, r.length = s.scoreOf(r.nodes), s.lengthOf(r.nodes)
	return removed
}
