package coverage

import (
	"slices"
	"sync"
)

// cubeLen is the cells of one cube: status × stage × carrier.
const cubeLen = NumStatuses * NumStages * NumCarriers

// keyLen is the cube cells of one status.
const keyLen = NumStages * NumCarriers

// view is the evaluation of one as-of date: every resource's effective
// status, every customer's count of covering resources per status and
// best status, and the cubes of every grid and district. Its slices are
// written only under the analyzer's write lock (Put, Remove) or before it
// is published.
type view struct {
	date Date
	eff  []Status   // per resource slot
	cnt  [][3]int32 // per customer: covering resources by effective status
	best []Status   // per customer
	grid []int32    // (1 + grids) cubes; cube 0: customers in no grid
	dist []int32    // (1 + districts) cubes; cube 0: customers in no district
}

// evaluate works out date d from the resources' cover lists: the
// customers are split into one range per worker, and each worker walks
// the part of every cover list that falls in its range (the lists are
// sorted), so no two workers touch the same customer.
func (a *Analyzer) evaluate(d Date) *view {
	n := a.cs.len()
	v := &view{
		date: d,
		eff:  make([]Status, len(a.slots)),
		cnt:  make([][3]int32, n),
		best: make([]Status, n),
		grid: make([]int32, (len(a.grids)+1)*cubeLen),
		dist: make([]int32, (len(a.districts)+1)*cubeLen),
	}
	for s, c := range a.slots {
		v.eff[s] = None
		if c != nil {
			v.eff[s] = effective(c.st, c.due, d)
		}
	}
	w := max(1, min(a.workers, n/10000))
	type part struct{ grid, dist []int32 }
	parts := make([]part, w)
	var wg sync.WaitGroup
	for p := range w {
		lo, hi := int32(n*p/w), int32(n*(p+1)/w)
		wg.Go(func() {
			for s, c := range a.slots {
				if c == nil {
					continue
				}
				st := v.eff[s]
				i, _ := slices.BinarySearch(c.cover, lo)
				for _, k := range c.cover[i:] {
					if k >= hi {
						break
					}
					v.cnt[k][st]++
				}
			}
			pt := part{grid: v.grid, dist: v.dist}
			if p > 0 {
				pt = part{grid: make([]int32, len(v.grid)), dist: make([]int32, len(v.dist))}
			}
			for k := lo; k < hi; k++ {
				b := bestOf(&v.cnt[k])
				v.best[k] = b
				key := int(b)*keyLen + int(a.cs.key[k])
				pt.grid[int(a.cs.grid[k])*cubeLen+key]++
				pt.dist[int(a.cs.district[k])*cubeLen+key]++
			}
			parts[p] = pt
		})
	}
	wg.Wait()
	for _, pt := range parts[1:] {
		for i, x := range pt.grid {
			v.grid[i] += x
		}
		for i, x := range pt.dist {
			v.dist[i] += x
		}
	}
	return v
}

// bestOf is the best status with a covering resource, None without.
func bestOf(c *[3]int32) Status {
	switch {
	case c[0] > 0:
		return Existing
	case c[1] > 0:
		return UnderConstruction
	case c[2] > 0:
		return Planned
	}
	return None
}

// apply moves the view from old to now in slot (either may be nil): the
// counts of the customers either covers change, and those whose best
// status changes move between cube cells. It returns how many changed.
func (v *view) apply(a *Analyzer, slot int32, old, now *compiled) int {
	if int(slot) >= len(v.eff) {
		v.eff = append(v.eff, make([]Status, int(slot)+1-len(v.eff))...)
	}
	var oc, nc []int32
	if old != nil {
		st := v.eff[slot]
		oc = old.cover
		for _, k := range oc {
			v.cnt[k][st]--
		}
	}
	v.eff[slot] = None
	if now != nil {
		st := effective(now.st, now.due, v.date)
		v.eff[slot] = st
		nc = now.cover
		for _, k := range nc {
			v.cnt[k][st]++
		}
	}
	changed := 0
	visit := func(k int32) {
		b := bestOf(&v.cnt[k])
		if was := v.best[k]; b != was {
			key := int(a.cs.key[k])
			g, d := int(a.cs.grid[k])*cubeLen, int(a.cs.district[k])*cubeLen
			v.grid[g+int(was)*keyLen+key]--
			v.dist[d+int(was)*keyLen+key]--
			v.grid[g+int(b)*keyLen+key]++
			v.dist[d+int(b)*keyLen+key]++
			v.best[k] = b
			changed++
		}
	}
	i, j := 0, 0
	for i < len(oc) || j < len(nc) {
		switch {
		case j == len(nc) || i < len(oc) && oc[i] < nc[j]:
			visit(oc[i])
			i++
		case i == len(oc) || nc[j] < oc[i]:
			visit(nc[j])
			j++
		default:
			visit(oc[i])
			i, j = i+1, j+1
		}
	}
	return changed
}
