package balance

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// Reasons of a Change (stable keys; Note says it in a sentence).
const (
	ReasonClosest        = "closest_manager"     // from the pool to the nearest eligible manager
	ReasonClosestFull    = "closest_full"        // the nearest is at his maximum
	ReasonFillsMinimum   = "fills_minimum"       // the receiver needs it for his minimum
	ReasonBestOverall    = "best_overall"        // the least total travel puts it there
	ReasonOverQuotaMoved = "over_quota_moved"    // the holder was above his maximum
	ReasonCloser         = "closer_manager"      // closer by more than the move penalty
	ReasonRebalanced     = "rebalanced"          // moved to make room where it is needed
	ReasonOverQuota      = "over_quota_released" // released: the holder was above his maximum
	ReasonReleased       = "released_to_pool"    // released: the pool keeps the slack
)

// solution builds the Solution of an assignment (manager index per
// customer, -1: the pool).
func (pr *prepared) solution(asg []int32) *Solution {
	p := pr.p
	m := len(p.Managers)
	sol := &Solution{
		Assignments: make(map[string]string, len(p.Customers)),
		Unassigned:  []string{},
		Changes:     []Change{},
		Loads:       make([]ManagerLoad, m),
	}
	before := make([]int, m)
	after := make([]int, m)
	for j, mg := range p.Managers {
		sol.Loads[j] = ManagerLoad{ID: mg.ID, Min: mg.Min, Max: mg.Max}
	}
	assigned := 0
	for i, c := range p.Customers {
		if j := asg[i]; j >= 0 {
			d := geo.DistanceM(c.Point, p.Managers[j].Point)
			sol.Assignments[c.ID] = p.Managers[j].ID
			sol.CostM += d
			sol.Loads[j].TravelM += d
			after[j]++
			assigned++
		} else {
			sol.Unassigned = append(sol.Unassigned, c.ID)
		}
		if b := pr.was(i); b >= 0 {
			before[b]++
			sol.Loads[b].TravelMWas += geo.DistanceM(c.Point, p.Managers[b].Point)
		}
	}
	for j := range sol.Loads {
		l := &sol.Loads[j]
		l.Before, l.After = before[j], after[j]
		switch {
		case l.After > l.Max:
			l.Violation = l.After - l.Max
		case l.After < l.Min:
			l.Violation = l.After - l.Min
		}
	}
	var changed []int
	for i := range p.Customers {
		if pr.was(i) != asg[i] {
			changed = append(changed, i)
		}
	}
	pr.nearestOf(changed)
	for _, i := range changed {
		sol.Changes = append(sol.Changes, pr.change(i, pr.was(i), asg[i], before, after))
	}
	sol.Infeasible = pr.infeasible(asg, assigned, after)
	n := len(p.Customers)
	if sumMax := pr.sumMax(); n-p.Slack > sumMax {
		sol.Notes = append(sol.Notes, fmt.Sprintf("%d customers less slack %d leave %d to assign, but the maximums add up to %d: %d more stay in the pool",
			n, p.Slack, n-p.Slack, sumMax, n-p.Slack-sumMax))
	}
	return sol
}

// was is customer i's manager before: the one he is locked to, else his
// holder, else -1.
func (pr *prepared) was(i int) int32 {
	if j := pr.lockedTo[i]; j >= 0 {
		return j
	}
	return pr.holder[i]
}

func (pr *prepared) sumMax() int {
	s := 0
	for _, m := range pr.p.Managers {
		s += m.Max
	}
	return s
}

func (pr *prepared) eligible(i int, j int32) bool {
	cg, mg := pr.p.Customers[i].GridID, pr.p.Managers[j].GridID
	return pr.p.CrossGrid || cg == 0 || mg == 0 || cg == mg
}

// nearestOf finds the nearest eligible manager (by base point) of the
// customers given, in parallel, with the cell index when every manager is
// eligible; nearest reads it.
func (pr *prepared) nearestOf(cs []int) {
	p := pr.p
	m := len(p.Managers)
	mu := make([]unit, m)
	mp := make([]orb.Point, m)
	byGrid := map[int64][]int32{}
	var anyGrid []int32
	for j, mg := range p.Managers {
		mu[j], mp[j] = toUnit(mg.Point), mg.Point
		if mg.GridID == 0 {
			anyGrid = append(anyGrid, int32(j))
		} else {
			byGrid[mg.GridID] = append(byGrid[mg.GridID], int32(j))
		}
	}
	var cp []orb.Point
	for _, i := range cs {
		cp = append(cp, p.Customers[i].Point)
	}
	ix := newCellIndex(mp, 2, cp)
	pr.near = make(map[int]int32, len(cs))
	out := make([]int32, len(cs))
	workers(len(cs), func(lo, hi int) {
		var t topK
		for k := lo; k < hi; k++ {
			i := cs[k]
			c := p.Customers[i]
			u := toUnit(c.Point)
			t.reset(1)
			if p.CrossGrid || c.GridID == 0 {
				if m > spatialAbove && ix.usable {
					ix.nearest(c.Point, u, mu, &t)
				} else {
					for j := range mu {
						t.add(dot(u, mu[j]), int32(j))
					}
				}
			} else {
				for _, list := range [2][]int32{byGrid[c.GridID], anyGrid} {
					for _, j := range list {
						t.add(dot(u, mu[j]), j)
					}
				}
			}
			out[k] = -1
			if len(t.idx) > 0 {
				out[k] = t.idx[0]
			}
		}
	})
	for k, i := range cs {
		pr.near[i] = out[k]
	}
}

func (pr *prepared) nearest(i int) int32 { return pr.near[i] }

// change explains customer i going from manager b to a (-1: the pool).
func (pr *prepared) change(i int, b, a int32, before, after []int) Change {
	p := pr.p
	c := p.Customers[i]
	ch := Change{CustomerID: c.ID}
	id := func(j int32) string { return p.Managers[j].ID }
	dist := func(j int32) float64 { return geo.DistanceM(c.Point, p.Managers[j].Point) }
	if b >= 0 {
		ch.From = id(b)
	}
	if a >= 0 {
		ch.To = id(a)
		ch.DistanceM = dist(a)
	}
	switch {
	case b < 0: // from the pool
		near := pr.nearest(i)
		mg := p.Managers[a]
		switch {
		case near == a:
			ch.Reason, ch.Note = ReasonClosest, fmt.Sprintf("nearest manager with room, %s away", km(dist(a)))
		case near >= 0 && after[near] >= p.Managers[near].Max:
			ch.Reason, ch.Note = ReasonClosestFull, fmt.Sprintf("the nearest manager %s (%s) is at his maximum %d; %s is %s away",
				id(near), km(dist(near)), p.Managers[near].Max, mg.ID, km(dist(a)))
		case after[a] <= mg.Min:
			ch.Reason, ch.Note = ReasonFillsMinimum, fmt.Sprintf("%s needs %d customers (his minimum); %s away", mg.ID, mg.Min, km(dist(a)))
		default:
			ch.Reason, ch.Note = ReasonBestOverall, fmt.Sprintf("%s away; the nearest manager %s (%s) serves customers closer to him", km(dist(a)), nearID(p, near), kmOr(near, dist))
		}
	case a >= 0: // from holder b to a
		hb, mg := p.Managers[b], p.Managers[a]
		switch {
		case before[b] > hb.Max:
			ch.Reason, ch.Note = ReasonOverQuotaMoved, fmt.Sprintf("%s held %d, above his maximum %d; %s is %s away", hb.ID, before[b], hb.Max, mg.ID, km(dist(a)))
		case dist(a)+p.MovePenaltyM < dist(b):
			ch.Reason, ch.Note = ReasonCloser, fmt.Sprintf("%s is %s away, %s %s: closer by more than the move penalty (%s)", mg.ID, km(dist(a)), hb.ID, km(dist(b)), km(p.MovePenaltyM))
		case after[a] <= mg.Min:
			ch.Reason, ch.Note = ReasonFillsMinimum, fmt.Sprintf("%s needs %d customers (his minimum); %s away", mg.ID, mg.Min, km(dist(a)))
		default:
			ch.Reason, ch.Note = ReasonRebalanced, fmt.Sprintf("moved from %s (%s) to %s (%s) to make room where it is needed", hb.ID, km(dist(b)), mg.ID, km(dist(a)))
		}
	default: // released to the pool
		hb := p.Managers[b]
		if before[b] > hb.Max {
			ch.Reason, ch.Note = ReasonOverQuota, fmt.Sprintf("%s held %d, above his maximum %d: released the claim that costs least to give up (%s away)",
				hb.ID, before[b], hb.Max, km(dist(b)))
		} else {
			ch.Reason, ch.Note = ReasonReleased, fmt.Sprintf("the pool keeps %d customers (slack); this claim is among those that cost least to give up (%s from %s)",
				max(p.Slack, len(p.Customers)-pr.target), km(dist(b)), hb.ID)
		}
	}
	return ch
}

func nearID(p Problem, j int32) string {
	if j < 0 {
		return "-"
	}
	return p.Managers[j].ID
}

func kmOr(j int32, dist func(int32) float64) string {
	if j < 0 {
		return "-"
	}
	return km(dist(j))
}

// km formats metres for a note: "350 m", "1.2 km".
func km(m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%.0f m", m)
	}
	return fmt.Sprintf("%.1f km", m/1000)
}

// infeasible explains, with numbers, why the proposal breaks a constraint,
// or returns "" when it keeps them all.
func (pr *prepared) infeasible(asg []int32, assigned int, after []int) string {
	p := pr.p
	n := len(p.Customers)
	lockedN := n - len(pr.free)
	var under []string
	short := 0
	for j, mg := range p.Managers {
		if after[j] < mg.Min {
			short++
			if len(under) < 5 {
				under = append(under, fmt.Sprintf("%s %d/%d", mg.ID, after[j], mg.Min))
			}
		}
	}
	if assigned == pr.target && short == 0 {
		return ""
	}
	var why []string
	if n-p.Slack < lockedN {
		why = append(why, fmt.Sprintf("%d customers are locked but %d customers less slack %d leave room for %d: the locked stay, nothing else is assigned",
			lockedN, n, p.Slack, max(0, n-p.Slack)))
	} else if assigned < pr.target {
		why = append(why, fmt.Sprintf("only %d of the %d customers to assign can be: the others have no manager of their grid with room (cross-grid is off)",
			assigned, pr.target))
	}
	sumMin := 0
	for j, mg := range p.Managers {
		sumMin += max(mg.Min, pr.locked[j])
	}
	if sumMin > pr.target {
		why = append(why, fmt.Sprintf("the minimums add up to %d but only %d customers are to be assigned (%d customers less slack %d, maximums %d)",
			sumMin, pr.target, n, p.Slack, pr.sumMax()))
	}
	if short > 0 {
		more := ""
		if short > len(under) {
			more = fmt.Sprintf(" and %d more", short-len(under))
		}
		s := fmt.Sprintf("%d managers stay below their minimum (%s%s)", short, strings.Join(under, ", "), more)
		if sumMin <= pr.target && !p.CrossGrid {
			s += ": their grids have too few customers for them"
		}
		why = append(why, s)
	}
	_ = asg
	return "infeasible: " + strings.Join(why, "; ")
}
