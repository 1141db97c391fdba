package balance

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// cityProblem is a city-like instance: n customers in clusters of
// different sizes and spreads over about 30 km, m managers placed where the
// customers are, quotas 30–70 scaled to n/m, about 2% slack, a few locked
// and held claims.
func cityProblem(n, m int, seed uint64) Problem {
	rng := rand.New(rand.NewPCG(seed, 7))
	centre := orb.Point{120.165, 30.272}
	type cluster struct {
		at     orb.Point
		sd     float64
		weight float64
	}
	k := max(1, n/400)
	cs := make([]cluster, k)
	var total float64
	for i := range cs {
		r := 15000 * math.Sqrt(rng.Float64())
		a := 2 * math.Pi * rng.Float64()
		cs[i] = cluster{geo.Offset(centre, r*math.Cos(a), r*math.Sin(a)), 200 + 1500*rng.Float64(), math.Exp(rng.NormFloat64())}
		total += cs[i].weight
	}
	pick := func() cluster {
		x := rng.Float64() * total
		for _, c := range cs {
			if x -= c.weight; x <= 0 {
				return c
			}
		}
		return cs[len(cs)-1]
	}
	var p Problem
	for i := range n {
		c := pick()
		p.Customers = append(p.Customers, Customer{ID: fmt.Sprintf("c%06d", i), Point: geo.Offset(c.at, c.sd*rng.NormFloat64(), c.sd*rng.NormFloat64())})
	}
	avg := float64(n) / float64(m)
	lo, hi := int(math.Floor(avg*30/50)), int(math.Ceil(avg*70/50))
	for j := range m {
		at := p.Customers[rng.IntN(n)].Point
		p.Managers = append(p.Managers, Manager{ID: fmt.Sprintf("m%04d", j), Point: geo.Offset(at, 300*rng.NormFloat64(), 300*rng.NormFloat64()), Min: lo, Max: hi})
	}
	// Claims: every tenth customer held by a random nearby manager, a
	// third of those locked (within his max).
	for i := 0; i < n; i += 10 {
		c := &p.Customers[i]
		best, bd := -1, math.Inf(1)
		for t := 0; t < 5; t++ {
			j := rng.IntN(m)
			if d := geo.DistanceM(c.Point, p.Managers[j].Point); d < bd {
				best, bd = j, d
			}
		}
		c.Holder = p.Managers[best].ID
		if mg := &p.Managers[best]; i%30 == 0 && len(mg.Locked) < mg.Min {
			mg.Locked = append(mg.Locked, c.ID)
		}
	}
	p.Slack = n / 50
	p.MovePenaltyM = 500
	return p
}
