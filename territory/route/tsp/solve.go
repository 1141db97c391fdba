package tsp

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"gridplan/territory/route/internal/stopclock"
)

// DefaultTimeLimit is Solve's time limit when Options sets neither a time
// limit nor an iteration budget.
const DefaultTimeLimit = time.Second

// Options tune Solve. The zero value runs for DefaultTimeLimit with seed 0.
type Options struct {
	// TimeLimit stops the search after this long (0: no limit, but see
	// DefaultTimeLimit).
	TimeLimit time.Duration
	// MaxIterations stops the search after this many kicks of the
	// iterated local search (0: no limit). With the same seed and budget
	// the result is the same on every machine.
	MaxIterations int
	// Seed seeds the pseudo-random kicks.
	Seed uint64
	// Neighbours is the length of each node's candidate list (0: 10).
	Neighbours int
}

// Result is a tour and how it was found.
type Result struct {
	// Tour visits every node once (0-based), starting with node 0.
	Tour []int
	// Length is the closed tour's length.
	Length int64
	// StartLength is the nearest-neighbour start's length.
	StartLength int64
	// Iterations counts the kicks tried; Improvements those that gave a
	// new best tour.
	Iterations, Improvements int
	// Elapsed is the whole run; BestAt when the best tour was found.
	Elapsed, BestAt time.Duration
}

// Solve finds a short closed tour through every node of m. It stops at the
// time limit, the iteration budget or when ctx ends, and returns the best
// tour found so far (a cancelled context is not an error once a tour
// exists). It runs on the calling goroutine only.
func Solve(ctx context.Context, m *Matrix, opt Options) (Result, error) {
	t0 := time.Now()
	if m == nil || m.n < 1 {
		return Result{}, errors.New("tsp: empty instance")
	}
	if opt.TimeLimit < 0 || opt.MaxIterations < 0 || opt.Neighbours < 0 {
		return Result{}, fmt.Errorf("tsp: negative option in %+v", opt)
	}
	if opt.TimeLimit == 0 && opt.MaxIterations == 0 {
		opt.TimeLimit = DefaultTimeLimit
	}
	n := m.n
	if n <= 8 {
		tour := exact(m)
		l := m.TourLength(tour)
		el := time.Since(t0)
		return Result{Tour: tour, Length: l, StartLength: l, Elapsed: el, BestAt: el}, nil
	}
	k := opt.Neighbours
	if k == 0 {
		k = 10
	}
	s := newSearch(m, min(k, n-1), opt.Seed)
	start := s.length()
	stopped := stopclock.Stopper(ctx, t0, opt.TimeLimit)
	s.stop = stopped
	s.localSearch()
	s.stop = nil
	res := Result{StartLength: start}
	cur := s.length()
	res.BestAt = time.Since(t0)
	best := slices.Clone(s.tour)
	bestLen := cur
	saveTour := slices.Clone(s.tour)
	savePos := slices.Clone(s.pos)
	for it := 0; opt.MaxIterations == 0 || it < opt.MaxIterations; it++ {
		if it&15 == 0 && stopped() {
			break
		}
		res.Iterations++
		delta := s.kick()
		delta -= s.localSearch()
		if delta <= 0 {
			cur += delta
			copy(saveTour, s.tour)
			copy(savePos, s.pos)
			if cur < bestLen {
				bestLen = cur
				copy(best, s.tour)
				res.Improvements++
				res.BestAt = time.Since(t0)
			}
		} else {
			copy(s.tour, saveTour)
			copy(s.pos, savePos)
		}
	}
	tour := make([]int, n)
	at := slices.Index(best, 0)
	for i := range n {
		tour[i] = int(best[(at+i)%n])
	}
	res.Tour, res.Length, res.Elapsed = tour, bestLen, time.Since(t0)
	return res, nil
}

// exact solves tiny instances by trying every tour through node 0.
func exact(m *Matrix) []int {
	n := m.n
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	best := slices.Clone(perm)
	bestLen := m.TourLength(perm)
	// Heap's algorithm over perm[1:].
	c := make([]int, n)
	for i := 1; i < n-1; {
		if c[i] < i {
			if i%2 == 0 {
				perm[1], perm[i+1] = perm[i+1], perm[1]
			} else {
				perm[c[i]+1], perm[i+1] = perm[i+1], perm[c[i]+1]
			}
			if l := m.TourLength(perm); l < bestLen {
				bestLen = l
				copy(best, perm)
			}
			c[i]++
			i = 1
		} else {
			c[i] = 0
			i++
		}
	}
	return best
}

// search is the local search state: the tour as an array of nodes and
// each node's position in it, the candidate lists and the queue of nodes
// whose don't-look bit is off.
type search struct {
	n      int
	d      []int32
	tour   []int32
	pos    []int32
	neigh  [][]int32
	queue  []int32 // ring buffer of n slots
	qHead  int
	qLen   int
	queued []bool
	rng    *rand.Rand
	buf    []int32
	// stop, when set, is asked every 256 nodes whether to end the local
	// search early (the first descent on a big instance).
	stop func() bool
}

func newSearch(m *Matrix, k int, seed uint64) *search {
	n := m.n
	s := &search{
		n:      n,
		d:      m.d,
		tour:   make([]int32, 0, n),
		pos:    make([]int32, n),
		neigh:  make([][]int32, n),
		queue:  make([]int32, n),
		queued: make([]bool, n),
		rng:    rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		buf:    make([]int32, n),
	}
	// The k nearest of each node, by distance then index: insertion into a
	// sorted list of k, O(n²) for small k.
	for a := range n {
		row := m.d[a*n : (a+1)*n]
		list := make([]int32, 0, k)
		for j := range n {
			if j == a {
				continue
			}
			dj := row[j]
			if len(list) == k && dj >= row[list[k-1]] {
				continue // ties keep the lower index, already listed
			}
			if len(list) < k {
				list = append(list, int32(j))
			} else {
				list[k-1] = int32(j)
			}
			for i := len(list) - 1; i > 0 && row[list[i-1]] > dj; i-- {
				list[i], list[i-1] = list[i-1], list[i]
			}
		}
		s.neigh[a] = list
	}
	// Nearest-neighbour start from node 0.
	used := make([]bool, n)
	c := int32(0)
	used[0] = true
	s.tour = append(s.tour, 0)
	for len(s.tour) < n {
		next := int32(-1)
		for _, x := range s.neigh[c] {
			if !used[x] {
				next = x
				break
			}
		}
		if next < 0 {
			row := m.d[int(c)*n : (int(c)+1)*n]
			for j := range n {
				if !used[j] && (next < 0 || row[j] < row[next]) {
					next = int32(j)
				}
			}
		}
		used[next] = true
		s.tour = append(s.tour, next)
		c = next
	}
	for i, x := range s.tour {
		s.pos[x] = int32(i)
	}
	for i := range n {
		s.push(int32(i))
	}
	return s
}

func (s *search) dist(a, b int32) int64 { return int64(s.d[int(a)*s.n+int(b)]) }

func (s *search) succ(c int32) int32 {
	p := s.pos[c] + 1
	if int(p) == s.n {
		p = 0
	}
	return s.tour[p]
}

func (s *search) pred(c int32) int32 {
	p := s.pos[c] - 1
	if p < 0 {
		p = int32(s.n - 1)
	}
	return s.tour[p]
}

func (s *search) length() int64 {
	var l int64
	for i := range s.n {
		l += s.dist(s.tour[i], s.tour[(i+1)%s.n])
	}
	return l
}

func (s *search) push(c int32) {
	if s.queued[c] {
		return
	}
	s.queued[c] = true
	s.queue[(s.qHead+s.qLen)%s.n] = c
	s.qLen++
}

func (s *search) pop() int32 {
	c := s.queue[s.qHead]
	s.qHead = (s.qHead + 1) % s.n
	s.qLen--
	s.queued[c] = false
	return c
}

// reversePath reverses the tour path from a to b (following succ), or
// the rest of the tour when that is shorter: the cycle is the same.
func (s *search) reversePath(a, b int32) {
	n := int32(s.n)
	i, j := s.pos[a], s.pos[b]
	l := j - i
	if l < 0 {
		l += n
	}
	l++
	if 2*l > n {
		i, j = j+1, i-1
		if i == n {
			i = 0
		}
		if j < 0 {
			j = n - 1
		}
		l = n - l
	}
	for range l / 2 {
		ci, cj := s.tour[i], s.tour[j]
		s.tour[i], s.pos[cj] = cj, i
		s.tour[j], s.pos[ci] = ci, j
		if i++; i == n {
			i = 0
		}
		if j--; j < 0 {
			j = n - 1
		}
	}
}

// move2 replaces the tour edges (a,b) and (c,d), where b follows a and d
// follows c in the same direction, with (a,c) and (b,d).
func (s *search) move2(a, b, c, d int32) {
	if s.succ(a) == b {
		s.reversePath(b, c)
	} else {
		s.reversePath(c, b)
	}
}

// localSearch applies improving 2-opt and Or-opt moves until no queued
// node has one, and returns the total gain.
func (s *search) localSearch() int64 {
	var gain int64
	for k := 1; s.qLen > 0; k++ {
		if s.stop != nil && k&255 == 0 && s.stop() {
			s.qHead, s.qLen = 0, 0
			clear(s.queued)
			break
		}
		a := s.pop()
		for {
			g := s.improve2opt(a)
			if g == 0 {
				g = s.improveOrOpt(a)
			}
			if g == 0 {
				break
			}
			gain += g
		}
	}
	return gain
}

// improve2opt applies the first improving 2-opt move at a's edges, pushes
// the touched nodes and returns its gain (0: none).
func (s *search) improve2opt(a int32) int64 {
	for dir := 0; dir < 2; dir++ {
		next := s.succ
		if dir == 1 {
			next = s.pred
		}
		b := next(a)
		dab := s.dist(a, b)
		for _, c := range s.neigh[a] {
			g1 := dab - s.dist(a, c)
			if g1 <= 0 {
				break
			}
			d := next(c)
			if c == b || d == a {
				continue
			}
			if g := g1 + s.dist(c, d) - s.dist(b, d); g > 0 {
				s.move2(a, b, c, d)
				s.push(a)
				s.push(b)
				s.push(c)
				s.push(d)
				return g
			}
		}
	}
	return 0
}

// improveOrOpt tries moving a segment of 1 to 3 nodes that ends at a
// between two neighbouring nodes elsewhere, reversed or not.
func (s *search) improveOrOpt(a int32) int64 {
	n := int32(s.n)
	for l := int32(1); l <= 3; l++ {
		for dir := 0; dir < 2; dir++ {
			if l == 1 && dir == 1 {
				break
			}
			// The segment f..e follows succ; a is f (dir 0) or e (dir 1).
			var f, e int32
			if dir == 0 {
				f, e = a, s.tour[(s.pos[a]+l-1)%n]
			} else {
				f, e = s.tour[(s.pos[a]-l+1+n)%n], a
			}
			p, nx := s.pred(f), s.succ(e)
			g0 := s.dist(p, f) + s.dist(e, nx) - s.dist(p, nx)
			if g0 <= 0 {
				continue
			}
			pf := s.pos[f]
			inSeg := func(c int32) bool {
				o := s.pos[c] - pf
				if o < 0 {
					o += n
				}
				return o < l
			}
			for end := 0; end < 2; end++ {
				x, o := f, e // x is joined to the neighbour c, o to d
				if end == 1 {
					x, o = e, f
				}
				for _, c := range s.neigh[x] {
					g1 := g0 - s.dist(x, c)
					if g1 <= 0 {
						break
					}
					if inSeg(c) {
						continue
					}
					for side := 0; side < 2; side++ {
						d := s.succ(c)
						if side == 1 {
							d = s.pred(c)
						}
						if inSeg(d) {
							continue
						}
						g := g1 + s.dist(c, d) - s.dist(o, d)
						if g <= 0 {
							continue
						}
						// Normalise to the edge (c2,d2) with d2 = succ(c2) and
						// the segment's end next to c2.
						c2, d2, near := c, d, x
						if side == 1 {
							c2, d2, near = d, c, o
						}
						s.orMove(f, e, p, nx, c2, d2, near == e)
						for _, v := range [...]int32{p, nx, f, e, c, d} {
							s.push(v)
						}
						return g
					}
				}
			}
		}
	}
	return 0
}

// orMove moves the segment f..e (following succ; p before it, nx after)
// between c and d = succ(c): as c e..f d when reversed, else c f..e d.
func (s *search) orMove(f, e, p, nx, c, d int32, reversed bool) {
	s.move2(p, f, c, d)  // p c … nx e … f d
	s.move2(p, c, nx, e) // p nx … c e … f d
	if !reversed && f != e {
		s.move2(c, e, f, d) // c f … e d
	}
}

// kick swaps two short adjacent segments after a random node (a local
// double bridge), pushes the nodes at the changed edges and returns the
// length change.
func (s *search) kick() int64 {
	n := s.n
	maxSeg := min(50, (n-2)/2)
	l1 := 1 + s.rng.IntN(maxSeg)
	l2 := 1 + s.rng.IntN(maxSeg)
	i := s.rng.IntN(n)
	at := func(k int) int32 { return s.tour[(i+k)%n] }
	a, b0, b1, c0, c1, nx := at(0), at(1), at(l1), at(l1+1), at(l1+l2), at(l1+l2+1)
	delta := s.dist(a, c0) + s.dist(c1, b0) + s.dist(b1, nx) -
		s.dist(a, b0) - s.dist(b1, c0) - s.dist(c1, nx)
	buf := s.buf[:0]
	for k := l1 + 1; k <= l1+l2; k++ {
		buf = append(buf, at(k))
	}
	for k := 1; k <= l1; k++ {
		buf = append(buf, at(k))
	}
	for k, c := range buf {
		p := (i + 1 + k) % n
		s.tour[p] = c
		s.pos[c] = int32(p)
	}
	for _, v := range [...]int32{a, b0, b1, c0, c1, nx} {
		s.push(v)
	}
	return delta
}
