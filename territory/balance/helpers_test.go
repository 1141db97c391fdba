package balance

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// randomProblem is a small instance around Hangzhou: n customers, m
// managers with quotas, some locked and held customers, grids when grids
// > 0.
func randomProblem(rng *rand.Rand, n, m, grids int) Problem {
	centre := orb.Point{120.165, 30.272}
	var p Problem
	for j := range m {
		lo := rng.IntN(4)
		p.Managers = append(p.Managers, Manager{
			ID:    fmt.Sprintf("m%d", j),
			Point: geo.Offset(centre, rng.NormFloat64()*3000, rng.NormFloat64()*3000),
			Min:   lo, Max: lo + 1 + rng.IntN(5),
		})
		if grids > 0 {
			p.Managers[j].GridID = int64(1 + j%grids)
		}
	}
	for i := range n {
		c := Customer{ID: fmt.Sprintf("c%d", i), Point: geo.Offset(centre, rng.NormFloat64()*4000, rng.NormFloat64()*4000)}
		if grids > 0 {
			c.GridID = int64(1 + rng.IntN(grids))
		}
		if rng.IntN(5) == 0 && m > 0 {
			c.Holder = p.Managers[rng.IntN(m)].ID
		}
		p.Customers = append(p.Customers, c)
	}
	for i := range p.Customers {
		c := &p.Customers[i]
		if c.Holder != "" && rng.IntN(3) == 0 {
			for j := range p.Managers {
				mg := &p.Managers[j]
				if mg.ID == c.Holder && len(mg.Locked) < mg.Max {
					mg.Locked = append(mg.Locked, c.ID)
				}
			}
		}
	}
	p.Slack = rng.IntN(3)
	if rng.IntN(2) == 0 {
		p.MovePenaltyM = float64(rng.IntN(3000))
	}
	return p
}

// objective is what Solve minimises, in metres, for an assignment (the
// pool's constant weight term left out: weights are equal in the tests).
func objective(p Problem, asg map[string]string) float64 {
	mp := map[string]orb.Point{}
	for _, m := range p.Managers {
		mp[m.ID] = m.Point
	}
	var s float64
	for _, c := range p.Customers {
		to, ok := asg[c.ID]
		if ok {
			s += geo.DistanceM(c.Point, mp[to])
		}
		if c.Holder != "" && to != c.Holder {
			s += p.MovePenaltyM
		}
	}
	return s
}

// bruteForce enumerates every assignment of the free customers and returns
// the least objective of those that keep every constraint (assigned count
// exact, quotas, grids; a holder may keep a customer of another grid), or
// +Inf when none does.
func bruteForce(p Problem) float64 {
	locked := map[string]string{}
	for _, m := range p.Managers {
		for _, id := range m.Locked {
			locked[id] = m.ID
		}
	}
	sumMax := 0
	for _, m := range p.Managers {
		sumMax += m.Max
	}
	target := max(0, min(len(p.Customers)-p.Slack, sumMax))
	var free []int
	asg := map[string]string{}
	load := make([]int, len(p.Managers))
	for i, c := range p.Customers {
		if to, ok := locked[c.ID]; ok {
			asg[c.ID] = to
			for j, m := range p.Managers {
				if m.ID == to {
					load[j]++
				}
			}
		} else {
			free = append(free, i)
		}
	}
	best := math.Inf(1)
	var rec func(k, count int)
	rec = func(k, count int) {
		if k == len(free) {
			if count != target {
				return
			}
			for j, m := range p.Managers {
				if load[j] < m.Min || load[j] > m.Max {
					return
				}
			}
			best = min(best, objective(p, asg))
			return
		}
		c := p.Customers[free[k]]
		rec(k+1, count) // pool
		for j, m := range p.Managers {
			if load[j] == m.Max || (!p.CrossGrid && c.GridID != 0 && m.GridID != 0 && c.GridID != m.GridID && c.Holder != m.ID) {
				continue
			}
			load[j]++
			asg[c.ID] = m.ID
			rec(k+1, count+1)
			delete(asg, c.ID)
			load[j]--
		}
	}
	rec(0, len(p.Customers)-len(free))
	return best
}

func relClose(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*max(1, math.Abs(a), math.Abs(b))
}
