package balance

import (
	"context"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// compact alternates assignment and medoids, starting from the assignment
// to the managers' bases: each list's centre becomes the member with the
// least total distance to the others (or stays where it was when no member
// beats it), then the customers are assigned again to the centres. Both
// steps can only lower the objective (distance to the centre plus move
// penalties), so it stops when it no longer falls, after at most
// CompactRounds rounds. It returns the best assignment and its total
// distance to the centres.
func (pr *prepared) compact(ctx context.Context, asg []int32, st *Stats) ([]int32, float64, error) {
	rounds := pr.p.CompactRounds
	if rounds == 0 {
		rounds = DefaultCompactRounds
	}
	centres := pr.medoids(asg, nil)
	best, bestObj, bestDist := asg, 0.0, 0.0
	bestObj, bestDist = pr.compactCost(asg, centres)
	for range rounds {
		next, err := pr.assign(ctx, centres, st)
		if err != nil {
			return nil, 0, err
		}
		st.CompactRounds++
		nc := pr.medoids(next, centres)
		obj, dist := pr.compactCost(next, nc)
		if obj >= bestObj-1e-9*max(1, bestObj) {
			break
		}
		best, bestObj, bestDist, centres = next, obj, dist, nc
	}
	return best, bestDist, nil
}

// medoids returns each manager's list centre: the member (locked ones
// included) with the least total distance to the other members, or the
// previous centre when none is better; the base for an empty list.
func (pr *prepared) medoids(asg []int32, prev []orb.Point) []orb.Point {
	p := pr.p
	lists := make([][]orb.Point, len(p.Managers))
	for i, j := range asg {
		if j >= 0 {
			lists[j] = append(lists[j], p.Customers[i].Point)
		}
	}
	out := make([]orb.Point, len(p.Managers))
	workers(len(lists), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			out[j] = p.Managers[j].Point
			l := lists[j]
			if len(l) == 0 {
				continue
			}
			sum := func(c orb.Point) float64 {
				s := 0.0
				for _, q := range l {
					s += geo.DistanceM(c, q)
				}
				return s
			}
			bestS := -1.0
			if prev != nil {
				out[j], bestS = prev[j], sum(prev[j])
			}
			for _, c := range l {
				if s := sum(c); bestS < 0 || s < bestS {
					out[j], bestS = c, s
				}
			}
		}
	})
	return out
}

// compactCost is the objective of compact mode (distance of each assigned
// customer to his list's centre, the move penalties and the pool's weight
// term) and its distance part alone.
func (pr *prepared) compactCost(asg []int32, centres []orb.Point) (obj, dist float64) {
	p := pr.p
	for i, j := range asg {
		if j >= 0 {
			d := geo.DistanceM(p.Customers[i].Point, centres[j])
			dist += d
			obj += d
		}
		if pr.lockedTo[i] >= 0 {
			continue
		}
		if h := pr.holder[i]; h >= 0 && h != j {
			obj += p.MovePenaltyM
		}
		if j < 0 {
			obj += poolWeightM * weightOf(p.Customers[i])
		}
	}
	return obj, dist
}
