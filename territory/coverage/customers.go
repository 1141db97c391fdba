package coverage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/geo"
	"gridplan/territory"
)

// area is a grid or a district as the reports name it.
type area struct {
	id       int64
	code     string
	name     string
	district int32  // grids: 1 + index of the district, 0 when unknown
	province string // districts
}

// customers is the analyzer's copy of the customers, one slice per fact
// (no pointers: the garbage collector never walks a million of them),
// ordered as the point index sorted them, so customer k is the index's
// point k. It never changes after New.
type customers struct {
	ix       *pointIndex // positions: ix.lon[k], ix.lat[k]
	id       []int64
	cell     []uint64 // resolution geo.CustomerCellRes
	grid     []int32  // 1 + index into Analyzer.grids, 0: in no (known) grid
	district []int32  // 1 + index into Analyzer.districts, 0: in none
	key      []uint8  // stage index × NumCarriers + carrier index: the cube cell besides status
	size     []uint8  // sizeIndex
	byID     []int32  // customer indices by ascending id

	cellOnce sync.Once
	byCell   []int32  // customer indices by ascending cell (built on first need)
	cells    []uint64 // cell[byCell[j]]
}

func (cs *customers) len() int { return len(cs.id) }

func (cs *customers) point(k int32) orb.Point { return orb.Point{cs.ix.lon[k], cs.ix.lat[k]} }

// find is the index of the customer with id, -1 when there is none.
func (cs *customers) find(id int64) int32 {
	j, ok := slices.BinarySearchFunc(cs.byID, id, func(k int32, id int64) int { return cmp.Compare(cs.id[k], id) })
	if !ok {
		return -1
	}
	return cs.byID[j]
}

// cellOrder builds (once) the customers' order by cell, which turns an H3
// cell of a coverage set into one run of customers: all its resolution-12
// descendants.
func (cs *customers) cellOrder() {
	cs.cellOnce.Do(func() {
		type pair struct {
			cell uint64
			k    int32
		}
		pairs := make([]pair, cs.len())
		for k, c := range cs.cell {
			pairs[k] = pair{c, int32(k)}
		}
		slices.SortFunc(pairs, func(a, b pair) int { return cmp.Or(cmp.Compare(a.cell, b.cell), cmp.Compare(a.k, b.k)) })
		cs.byCell = make([]int32, len(pairs))
		cs.cells = make([]uint64, len(pairs))
		for j, p := range pairs {
			cs.byCell[j], cs.cells[j] = p.k, p.cell
		}
	})
}

// newCustomers copies locs (any order; ids must be unique and locations
// valid), attributes each to its grid and district, and indexes their
// positions with rows rowH high.
func newCustomers(ctx context.Context, locs []territory.CustomerLocation, gridOf map[int64]int32, grids []area,
	districtIndex *geo.Index[int32], rowH float64) (*customers, error) {
	n := len(locs)
	lon, lat := make([]float64, n), make([]float64, n)
	for i := range locs {
		l := &locs[i]
		if err := geo.ValidatePoint(l.Location); err != nil {
			return nil, fmt.Errorf("customer %d: location: %w", l.ID, err)
		}
		lon[i], lat[i] = l.Location[0], l.Location[1]
	}
	ix, perm := newPointIndex(lon, lat, rowH)
	cs := &customers{
		ix: ix, id: make([]int64, n), cell: make([]uint64, n), grid: make([]int32, n), district: make([]int32, n),
		key: make([]uint8, n), size: make([]uint8, n), byID: make([]int32, n),
	}
	inv := make([]int32, n) // input position → customer index
	for k, i := range perm {
		if k%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		l := &locs[i]
		cs.id[k] = l.ID
		c := uint64(l.Cell)
		if !isCell(c, geo.CustomerCellRes) || cellRes(c) != geo.CustomerCellRes {
			c = uint64(geo.Cell(l.Location, geo.CustomerCellRes)) // a store always has it; this is for hand-made input
		}
		cs.cell[k] = c
		if g, ok := gridOf[l.GridID]; ok && l.GridID != 0 {
			cs.grid[k] = g + 1
			cs.district[k] = grids[g].district
		}
		if cs.district[k] == 0 && districtIndex != nil {
			if d, ok := districtIndex.Locate(l.Location); ok {
				cs.district[k] = d + 1
			}
		}
		cs.key[k] = uint8(StageIndex(l.Stage)*NumCarriers + CarrierIndex(l.Carrier))
		cs.size[k] = uint8(sizeIndex(l.Size))
		inv[i] = int32(k)
	}
	// Stores hand customers over by id: then the input order is the id
	// order, and no sort is needed.
	if slices.IsSortedFunc(locs, func(x, y territory.CustomerLocation) int { return cmp.Compare(x.ID, y.ID) }) {
		copy(cs.byID, inv)
	} else {
		type pair struct {
			id int64
			k  int32
		}
		pairs := make([]pair, n)
		for k, id := range cs.id {
			pairs[k] = pair{id, int32(k)}
		}
		slices.SortFunc(pairs, func(a, b pair) int { return cmp.Compare(a.id, b.id) })
		for j, p := range pairs {
			cs.byID[j] = p.k
		}
	}
	for j := 1; j < n; j++ {
		if cs.id[cs.byID[j]] == cs.id[cs.byID[j-1]] {
			return nil, fmt.Errorf("customer %d: listed twice", cs.id[cs.byID[j]])
		}
	}
	return cs, nil
}

// cellRes is the resolution field of an H3 index.
func cellRes(c uint64) int { return int(c >> 52 & 0xF) }

// isCell reports whether c is an H3 cell index (mode 1) of resolution res
// or finer. Bit tests only: h3's IsValid crosses cgo.
func isCell(c uint64, res int) bool { return c>>59&0xF == 1 && cellRes(c) >= res }

// parentOf is the ancestor of cell c at resolution res (res ≤ c's): the
// resolution field set to res, the digits below it set to 7, as H3 lays
// out its 64-bit index. Bit work, no cgo; tested against h3.
func parentOf(c uint64, res int) uint64 {
	const resMask = uint64(0xF) << 52
	return c&^resMask | uint64(res)<<52 | (uint64(1)<<(3*(15-res)) - 1)
}

// descendants is the range [lo, hi] of the resolution-12 indexes that
// descend from cell c (resolution ≤ 12): c's digits, then digits res+1..12
// anything, then 13..15 unused (7). Sorted resolution-12 cells put them in
// one run.
func descendants(c uint64) (lo, hi uint64) {
	const resMask = uint64(0xF) << 52
	res := cellRes(c)
	hi = c&^resMask | uint64(geo.CustomerCellRes)<<52
	free := uint64(1)<<(3*(15-res)) - uint64(1)<<(3*(15-geo.CustomerCellRes)) // digits res+1..12
	return hi &^ free, hi
}

// cellCenter is the centre of cell c, {lon, lat}.
func cellCenter(c uint64) orb.Point { return geo.CellCenter(h3.Cell(c)) }
