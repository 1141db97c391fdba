package coverage

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/geo"
	"gridplan/territory"
)

// Scope narrows a question to some customers; zero fields do not narrow.
type Scope struct {
	DistrictID int64      // the customers counted in this district
	GridID     int64      // the customers of this grid
	Bound      *orb.Bound // the customers inside this box (edges included)
}

// scope is a resolved Scope.
type scope struct {
	district, grid int32 // 1 + index; 0: any
	bound          *orb.Bound
}

// resolve checks s's ids; an unknown one is a NotFoundError.
func (a *Analyzer) resolve(s Scope) (scope, error) {
	var r scope
	if s.DistrictID != 0 {
		d, ok := a.districtOf[s.DistrictID]
		if !ok {
			return r, territory.NotFound("district", s.DistrictID)
		}
		r.district = d + 1
	}
	if s.GridID != 0 {
		g, ok := a.gridOf[s.GridID]
		if !ok {
			return r, territory.NotFound("grid", s.GridID)
		}
		r.grid = g + 1
	}
	r.bound = s.Bound
	return r, nil
}

// in reports whether customer k is in the scope.
func (s *scope) in(cs *customers, k int32) bool {
	return (s.district == 0 || cs.district[k] == s.district) && (s.grid == 0 || cs.grid[k] == s.grid) &&
		(s.bound == nil || s.bound.Contains(cs.point(k)))
}

// each calls fn for every customer in the scope, in index order: through
// the point index when the scope has a box, else over everyone.
func (s *scope) each(cs *customers, fn func(k int32)) {
	if s.bound != nil {
		cs.ix.search(*s.bound, func(k int32) {
			if s.in(cs, k) {
				fn(k)
			}
		})
		return
	}
	for k := range int32(cs.len()) {
		if (s.district == 0 || cs.district[k] == s.district) && (s.grid == 0 || cs.grid[k] == s.grid) {
			fn(k)
		}
	}
}

// CustomerQuery selects customers by coverage; zero fields do not filter.
// Results are ordered by id; AfterID and Limit page through them.
type CustomerQuery struct {
	Statuses []Status
	Carrier  territory.Carrier
	Scope    Scope
	AfterID  int64
	Limit    int // 0: no limit
}

// CustomerCoverage is one customer's coverage as of a day: his best
// status and the resources of that status that cover him (ids,
// ascending; none for None).
type CustomerCoverage struct {
	ID       int64   `json:"id"`
	Status   Status  `json:"coverage"`
	Covering []int64 `json:"covering"`
}

// CustomerPage is one page of customers; Total counts every customer the
// query selects, across pages; More says another page follows.
type CustomerPage struct {
	Items []CustomerCoverage
	Total int
	More  bool
}

// Customers lists the customers q selects as of day asOf: the attack list
// is Statuses {Existing} with Carrier competitor, the build list Statuses
// {None}.
func (a *Analyzer) Customers(asOf Date, q CustomerQuery) (*CustomerPage, error) {
	sc, err := a.resolve(q.Scope)
	if err != nil {
		return nil, err
	}
	var want [NumStatuses]bool
	for _, s := range q.Statuses {
		if int(s) >= NumStatuses {
			return nil, territory.Invalid("status", "no such status %d", s)
		}
		want[s] = true
	}
	anyStatus := len(q.Statuses) == 0
	carrier := -1
	if q.Carrier != "" {
		if !slices.Contains(territory.Carriers, q.Carrier) {
			return nil, territory.Invalid("carrier", "unknown carrier %q (want ours, competitor, none or unknown)", q.Carrier)
		}
		carrier = CarrierIndex(q.Carrier)
	}
	cs := a.cs
	page := &CustomerPage{Items: []CustomerCoverage{}}
	a.read(asOf, func(v *view) {
		match := func(k int32) bool {
			return (anyStatus || want[v.best[k]]) && (carrier < 0 || int(cs.key[k])%NumCarriers == carrier) && sc.in(cs, k)
		}
		start, _ := slices.BinarySearchFunc(cs.byID, q.AfterID, func(k int32, id int64) int { return cmp.Compare(cs.id[k], id) })
		if start < len(cs.byID) && cs.id[cs.byID[start]] == q.AfterID {
			start++
		}
		for j, k := range cs.byID {
			if !match(k) {
				continue
			}
			page.Total++
			if j < start {
				continue
			}
			if q.Limit > 0 && len(page.Items) == q.Limit {
				page.More = true
				continue
			}
			page.Items = append(page.Items, CustomerCoverage{ID: cs.id[k], Status: v.best[k], Covering: a.coveringRLocked(v, k)})
		}
	})
	return page, nil
}

// Customer is the coverage of the customer with id as of asOf; false when
// the analyzer does not know him.
func (a *Analyzer) Customer(asOf Date, id int64) (CustomerCoverage, bool) {
	k := a.cs.find(id)
	if k < 0 {
		return CustomerCoverage{}, false
	}
	var out CustomerCoverage
	a.read(asOf, func(v *view) {
		out = CustomerCoverage{ID: id, Status: v.best[k], Covering: a.coveringRLocked(v, k)}
	})
	return out, true
}

// coveringRLocked lists the resources of customer k's best status that
// cover him: the resource tree's boxes at his point, then the exact test.
func (a *Analyzer) coveringRLocked(v *view, k int32) []int64 {
	best := v.best[k]
	if best == None {
		return []int64{}
	}
	p, cell := a.cs.point(k), a.cs.cell[k]
	ids := []int64{}
	a.tree.Search(p, p, func(_, _ [2]float64, s int32) bool {
		if c := a.slots[s]; v.eff[s] == best && c.reach.covers(p, cell) {
			ids = append(ids, c.r.ID)
		}
		return true
	})
	if len(a.cellSlots) > 0 {
		for res := 5; res <= geo.CustomerCellRes; res++ {
			for _, s := range a.cellSlots[parentOf(cell, res)] {
				if v.eff[s] == best {
					ids = append(ids, a.slots[s].r.ID)
				}
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids) // a set holding a cell and its parent is found twice
}

// Gap is one H3 cell of the gap map: its customers in no coverage and
// their summed weight.
type Gap struct {
	Cell      h3.Cell
	Uncovered int
	Weight    float64
}

// Gap map resolutions.
const (
	MinGapRes = 7
	MaxGapRes = 10
)

// Gaps maps the customers in no coverage as of asOf (in scope s) to their
// H3 cells of resolution res (MinGapRes..MaxGapRes), with counts and
// weights, by cell. Only cells holding such customers are listed.
func (a *Analyzer) Gaps(asOf Date, res int, s Scope, w Weights) ([]Gap, error) {
	if res < MinGapRes || res > MaxGapRes {
		return nil, territory.Invalid("res", "must be an H3 resolution from %d to %d, got %d", MinGapRes, MaxGapRes, res)
	}
	sc, err := a.resolve(s)
	if err != nil {
		return nil, err
	}
	wt := w.table()
	cs := a.cs
	at := map[uint64]int{}
	var gaps []Gap
	a.read(asOf, func(v *view) {
		sc.each(cs, func(k int32) {
			if v.best[k] != None {
				return
			}
			c := parentOf(cs.cell[k], res)
			i, ok := at[c]
			if !ok {
				i = len(gaps)
				at[c] = i
				gaps = append(gaps, Gap{Cell: h3.Cell(c)})
			}
			gaps[i].Uncovered++
			gaps[i].Weight += wt[cs.key[k]][cs.size[k]]
		})
	})
	slices.SortFunc(gaps, func(x, y Gap) int { return cmp.Compare(x.Cell, y.Cell) })
	if gaps == nil {
		gaps = []Gap{}
	}
	return gaps, nil
}
