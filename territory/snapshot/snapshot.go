package snapshot

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/tidwall/rtree"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
)

// The H3 resolutions whose counts a Snapshot precomputes. Resolution 4
// hexagons are ~1,800 km² (a province on a few dozen), resolution 9 ones
// ~0.1 km² (a few blocks).
const (
	MinHexRes = 4
	MaxHexRes = 9
)

// KeyZoom is the Web Mercator zoom of the customers' Z-order keys: tiles of
// any zoom up to it are contiguous runs of the order.
const KeyZoom = 31

// Point is one customer as the map sees it. It holds no pointer, so that
// the garbage collector never scans a snapshot's million points.
type Point struct {
	ID      int64
	Loc     orb.Point // WGS-84 {lon, lat}
	Cell    h3.Cell   // resolution geo.CustomerCellRes
	GridID  int64     // 0: in no grid
	OwnerID int64     // 0: in the grid's pool
	stage   uint8     // 1 + index into funnel.Stages; 0: not a known stage
}

// PointOf is the Point of a customer location.
func PointOf(l territory.CustomerLocation) Point {
	p := Point{ID: l.ID, Loc: l.Location, Cell: l.Cell, GridID: l.GridID, OwnerID: l.OwnerID}
	for i, st := range funnel.Stages {
		if st == l.Stage {
			p.stage = uint8(i + 1)
		}
	}
	return p
}

// Stage is the customer's funnel stage; "" when the store held a stage
// funnel.Stages does not know.
func (p *Point) Stage() funnel.Stage {
	if p.stage == 0 {
		return ""
	}
	return funnel.Stages[p.stage-1]
}

// Hex is the number of customers in one H3 cell.
type Hex struct {
	Cell  h3.Cell
	Count int
	// Ring is the cell's boundary, closed, {lon, lat}. Shared: read only.
	Ring orb.Ring
}

// hexLayer is the occupied cells of one resolution, their counts and
// boundaries in flat, pointer-free slices (ring i is
// ring[ringAt[i]:ringAt[i+1]]), with an R-tree over their boxes whose data
// is the cell's index.
type hexLayer struct {
	cells  []h3.Cell
	counts []int32
	ringAt []int32
	ring   []orb.Point
	tree   rtree.RTreeG[int32]
}

// hex returns cell i of the layer.
func (l *hexLayer) hex(i int32) Hex {
	a, b := l.ringAt[i], l.ringAt[i+1]
	return Hex{Cell: l.cells[i], Count: int(l.counts[i]), Ring: orb.Ring(l.ring[a:b:b])}
}

// Snapshot is an immutable copy of the customers' map facts. Build makes
// one; every method is safe for concurrent use.
type Snapshot struct {
	stamp    string
	revision uint64
	keys     []uint64 // Z-order keys, ascending; parallel to pts
	pts      []Point
	// owned holds the indices into pts of owned customers, grouped by
	// owner, ascending within a group (so in key order too); owners maps
	// an owner to his group's [start, end).
	owned  []int32
	owners map[int64][2]int32
	hexes  [MaxHexRes + 1]*hexLayer
	grids  map[int64]int // customers per grid id (0: in no grid)
}

// Locations is what Build reads: territory.CustomerGridStore's walk.
type Locations interface {
	CustomerLocations(ctx context.Context, bound *orb.Bound, fn func(territory.CustomerLocation) error) error
}

// Build reads every customer from src and indexes them. stamp is the
// store's DataStamp read before the walk began (so that a write racing the
// walk shows as a changed stamp later); the snapshot only keeps it.
func Build(ctx context.Context, src Locations, stamp string) (*Snapshot, error) {
	type keyed struct {
		key uint64
		i   int32
	}
	var (
		pts   []Point
		order []keyed
		h     = newHash()
	)
	err := src.CustomerLocations(ctx, nil, func(l territory.CustomerLocation) error {
		if len(pts) == math.MaxInt32 {
			return fmt.Errorf("more than %d customers", math.MaxInt32)
		}
		h.add(l)
		order = append(order, keyed{key: KeyOf(l.Location), i: int32(len(pts))})
		pts = append(pts, PointOf(l))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot: read customers: %w", err)
	}
	// Equal keys keep id order (the walk's), so the order is a function of
	// the data alone.
	slices.SortStableFunc(order, func(a, b keyed) int { return cmp.Compare(a.key, b.key) })
	s := &Snapshot{
		stamp:    stamp,
		revision: h.sum(),
		keys:     make([]uint64, len(order)),
		pts:      make([]Point, len(order)),
		owners:   map[int64][2]int32{},
		grids:    map[int64]int{},
	}
	cells := make([]uint64, 0, len(pts))
	for j, o := range order {
		p := pts[o.i]
		s.keys[j], s.pts[j] = o.key, p
		s.grids[p.GridID]++
		if p.OwnerID != 0 {
			s.owned = append(s.owned, int32(j))
		}
		if isCell(uint64(p.Cell), MaxHexRes) {
			cells = append(cells, uint64(p.Cell))
		}
	}
	// Group by owner; within an owner the indices stay ascending.
	slices.SortStableFunc(s.owned, func(a, b int32) int { return cmp.Compare(s.pts[a].OwnerID, s.pts[b].OwnerID) })
	for i := 0; i < len(s.owned); {
		j, owner := i, s.pts[s.owned[i]].OwnerID
		for j < len(s.owned) && s.pts[s.owned[j]].OwnerID == owner {
			j++
		}
		s.owners[owner] = [2]int32{int32(i), int32(j)}
		i = j
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slices.Sort(cells)
	parents := make([]uint64, len(cells))
	for res := MinHexRes; res <= MaxHexRes; res++ {
		for i, c := range cells {
			parents[i] = parentOf(c, res)
		}
		// Sorted cells of one resolution have sorted parents (a parent's
		// digits are a prefix of its children's); cells of mixed
		// resolutions would not, hence the check.
		if !slices.IsSorted(parents) {
			slices.Sort(parents)
		}
		s.hexes[res] = newHexLayer(parents)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// newHexLayer counts the equal neighbours of sorted (cells of one
// resolution), gives each cell its boundary (one cgo call each: tens of
// thousands of cells, not millions) and indexes their boxes.
func newHexLayer(sorted []uint64) *hexLayer {
	l := &hexLayer{ringAt: []int32{0}}
	for i := 0; i < len(sorted); {
		j := i + 1
		for j < len(sorted) && sorted[j] == sorted[i] {
			j++
		}
		c := h3.Cell(sorted[i])
		ring := cellRing(c)
		b := ring.Bound()
		l.tree.Insert(b.Min, b.Max, int32(len(l.cells)))
		l.cells = append(l.cells, c)
		l.counts = append(l.counts, int32(j-i))
		l.ring = append(l.ring, ring...)
		l.ringAt = append(l.ringAt, int32(len(l.ring)))
		i = j
	}
	return l
}

// cellRing is c's boundary as a closed orb ring.
func cellRing(c h3.Cell) orb.Ring {
	bd := h3.CellToBoundary(c)
	ring := make(orb.Ring, 0, len(bd)+1)
	for _, ll := range bd {
		ring = append(ring, geo.FromLatLng(ll))
	}
	return append(ring, ring[0])
}

// cellRes is the resolution field of an H3 index.
func cellRes(c uint64) int { return int(c >> 52 & 0xF) }

// isCell reports whether c is an H3 cell index (mode 1) of resolution res
// or finer: one that has a parent at res. Bit tests only: h3's IsValid
// crosses cgo.
func isCell(c uint64, res int) bool { return c>>59&0xF == 1 && cellRes(c) >= res }

// parentOf returns the ancestor of cell c at resolution res (res ≤ c's):
// the resolution field set to res and the digits below it set to 7, as H3
// lays out its 64-bit index. Pure bit work, no cgo (h3's Parent costs
// about a microsecond through cgo; a million customers at six resolutions
// would take seconds); tested against h3.
func parentOf(c uint64, res int) uint64 {
	const resMask = uint64(0xF) << 52
	return c&^resMask | uint64(res)<<52 | (uint64(1)<<(3*(15-res)) - 1)
}

// KeyOf is the Z-order key of p: its Web Mercator tile column and row at
// KeyZoom, bits interleaved (column in the even bits).
func KeyOf(p orb.Point) uint64 {
	f := maptile.Fraction(p, KeyZoom)
	const top = float64(1<<KeyZoom - 1)
	x, y := math.Max(0, math.Min(top, f[0])), math.Max(0, math.Min(top, f[1]))
	return interleave(uint32(x), uint32(y))
}

// TileRange is the half-open key range [lo, hi) of the points in tile t.
// t.Z must be at most KeyZoom.
func TileRange(t maptile.Tile) (lo, hi uint64) {
	shift := 2 * (KeyZoom - uint(t.Z))
	k := interleave(t.X, t.Y)
	return k << shift, (k + 1) << shift
}

// interleave spreads x over the even bits and y over the odd bits.
func interleave(x, y uint32) uint64 { return spread(x) | spread(y)<<1 }

// spread moves bit i of v to bit 2i.
func spread(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

// Stamp is the store's DataStamp this snapshot was built at.
func (s *Snapshot) Stamp() string { return s.stamp }

// Revision is a hash of the snapshot's content (every customer's id,
// location, grid, stage and owner, in id order): equal revisions mean equal
// tiles, on any replica and across restarts.
func (s *Snapshot) Revision() uint64 { return s.revision }

// Len is the number of customers.
func (s *Snapshot) Len() int { return len(s.pts) }

// CustomerCount is the number of customers in grid gridID (0: in no grid).
func (s *Snapshot) CustomerCount(gridID int64) int { return s.grids[gridID] }

// OwnerCount is the number of customers in owner's list.
func (s *Snapshot) OwnerCount(owner int64) int { return len(s.ownedBy(owner)) }

// ownedBy is owner's group of s.owned.
func (s *Snapshot) ownedBy(owner int64) []int32 {
	r, ok := s.owners[owner]
	if !ok {
		return nil
	}
	return s.owned[r[0]:r[1]]
}

// TilePoints calls fn for every customer in tile t (the tile that
// maptile.At gives for his location at t.Z), or only owner's when owner is
// not 0, in Z-order, and returns how many it called fn for. fn must not
// keep p past the call's snapshot.
func (s *Snapshot) TilePoints(t maptile.Tile, owner int64, fn func(p *Point)) int {
	lo, hi := TileRange(t)
	if owner == 0 {
		i, _ := slices.BinarySearch(s.keys, lo)
		j, _ := slices.BinarySearch(s.keys, hi)
		for k := i; k < j; k++ {
			fn(&s.pts[k])
		}
		return j - i
	}
	own := s.ownedBy(owner)
	i, _ := slices.BinarySearchFunc(own, lo, func(ix int32, key uint64) int { return cmp.Compare(s.keys[ix], key) })
	j, _ := slices.BinarySearchFunc(own, hi, func(ix int32, key uint64) int { return cmp.Compare(s.keys[ix], key) })
	for _, ix := range own[i:j] {
		fn(&s.pts[ix])
	}
	return j - i
}

// Hexes returns the cells of resolution res (MinHexRes..MaxHexRes) that
// hold customers, or owner's customers when owner is not 0, and whose box
// meets b, with their counts. Every customer of a cell is counted, also
// those outside b.
func (s *Snapshot) Hexes(b orb.Bound, res int, owner int64) ([]Hex, error) {
	if res < MinHexRes || res > MaxHexRes {
		return nil, fmt.Errorf("snapshot: hex resolution %d outside %d..%d", res, MinHexRes, MaxHexRes)
	}
	var out []Hex
	if owner == 0 {
		l := s.hexes[res]
		l.tree.Search(b.Min, b.Max, func(_, _ [2]float64, i int32) bool {
			out = append(out, l.hex(i))
			return true
		})
		// The tree's order depends on its insertion history; cell order
		// makes equal snapshots give byte-equal tiles.
		slices.SortFunc(out, func(a, b Hex) int { return cmp.Compare(a.Cell, b.Cell) })
		return out, nil
	}
	counts := map[uint64]int{}
	for _, ix := range s.ownedBy(owner) {
		if c := uint64(s.pts[ix].Cell); isCell(c, res) {
			counts[parentOf(c, res)]++
		}
	}
	for c, n := range counts {
		ring := cellRing(h3.Cell(c))
		if ring.Bound().Intersects(b) {
			out = append(out, Hex{Cell: h3.Cell(c), Count: n, Ring: ring})
		}
	}
	slices.SortFunc(out, func(a, b Hex) int { return cmp.Compare(a.Cell, b.Cell) })
	return out, nil
}
