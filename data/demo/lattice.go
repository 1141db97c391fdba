package demo

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/territory"
)

// lattice is the jittered vertex lattice the city is cut from. Every grid is
// one quad of it and every district a union of quads, so grids share their
// vertices exactly: no gaps, no overlaps, by construction. Cells grow from
// about 1.1 km at the centre to about twice that at the edge, so the city is
// denser downtown, as real grids are smaller there.
type lattice struct {
	cols, rows int     // cells across and down
	spacingM   float64 // cell size at the centre
	growth     float64 // cell size at the edge is (1+growth)·spacingM
	amp        float64 // warp amplitude, in cells
	lamU, lamV float64 // warp wavelengths, in cells
	phU, phV   float64
	vx, vy     []float64   // vertex positions in metres, index j*(cols+1)+i
	verts      []orb.Point // the same in WGS-84
	cellDist   []int32     // district index of cell r*cols+c; -1 outside the city
	cellGrid   []int32     // grid index of each cell; -1 outside the city
	districts  int
}

// axis maps a lattice coordinate (0…n) to metres from the centre; slope is
// its derivative, the local cell size.
func (l *lattice) axis(u float64, n int) float64 {
	h := float64(n) / 2
	v := u - h
	return l.spacingM * (v + l.growth*v*v*v/(3*h*h))
}

func (l *lattice) slope(u float64, n int) float64 {
	h := float64(n) / 2
	v := u - h
	return l.spacingM * (1 + l.growth*v*v/(h*h))
}

// pos is the smooth (unjittered) position in metres of lattice coordinates
// (u, v): grid lines and roads meander together.
func (l *lattice) pos(u, v float64) (x, y float64) {
	x = l.axis(u, l.cols) + l.slope(u, l.cols)*l.amp*math.Sin(2*math.Pi*v/l.lamV+l.phV)
	y = l.axis(v, l.rows) + l.slope(v, l.rows)*l.amp*math.Sin(2*math.Pi*u/l.lamU+l.phU)
	return x, y
}

func (l *lattice) vertex(i, j int) int32 { return int32(j*(l.cols+1) + i) }

// buildLattice places the vertices and cuts the city into districts: the
// city is a stack of row intervals whose ends wander; it is split into
// vertical strips whose boundaries wander by at most one cell per row, and
// each strip into bands of rows. A set of cells whose rows are intervals,
// each overlapping the next by at least one cell, is a topological disk, so
// every district outline is one simple ring.
func (g *gen) buildLattice() error {
	rng := g.rng(streamLattice)
	sc := g.sc
	l := &lattice{
		cols: sc.cols, rows: sc.rows, spacingM: 1100, growth: 1.0, amp: 0.28,
		lamU: uniform(rng, 8, 12), lamV: uniform(rng, 8, 12),
		phU: uniform(rng, 0, 2*math.Pi), phV: uniform(rng, 0, 2*math.Pi),
		districts: sc.districts,
	}
	nv := (l.rows + 1) * (l.cols + 1)
	l.vx, l.vy, l.verts = make([]float64, nv), make([]float64, nv), make([]orb.Point, nv)
	const jitter = 0.15 // of the local cell size; keeps every quad convex
	for j := 0; j <= l.rows; j++ {
		for i := 0; i <= l.cols; i++ {
			x, y := l.pos(float64(i), float64(j))
			x += l.slope(float64(i), l.cols) * jitter * (2*rng.Float64() - 1)
			y += l.slope(float64(j), l.rows) * jitter * (2*rng.Float64() - 1)
			v := l.vertex(i, j)
			l.vx[v], l.vy[v] = x, y
			l.verts[v] = g.fr.ll(x, y)
		}
	}

	// The city's row intervals [lo, hi): an irregular oval.
	K, rows, cols := sc.strips, l.rows, l.cols
	half := cols / 2
	lo, hi := make([]int, rows), make([]int, rows)
	walk := func(cur, target, min, max int) int {
		step := rng.IntN(3) - 1
		if rng.Float64() < 0.65 {
			step = sign(target - cur)
		}
		return clampI(cur+step, min, max)
	}
	for r := range rows {
		t := (float64(r) + 0.5 - float64(rows)/2) / (float64(rows) / 2)
		hw := float64(cols) / 2 * (0.62 + 0.38*math.Sqrt(math.Max(0, 1-t*t)))
		tl, th := int(math.Round(float64(cols)/2-hw)), int(math.Round(float64(cols)/2+hw))
		if r == 0 {
			lo[r], hi[r] = clampI(tl, 0, half-K), clampI(th, cols-half+K, cols)
			continue
		}
		lo[r] = walk(lo[r-1], tl, 0, half-K)
		hi[r] = walk(hi[r-1], th, cols-half+K, cols)
	}

	// Strip boundaries b[k][r], k = 0…K; each strip at least 2 cells wide,
	// each boundary moving at most one cell per row.
	b := make([][]int, K+1)
	for k := range b {
		b[k] = make([]int, rows)
	}
	copy(b[0], lo)
	copy(b[K], hi)
	for k := 1; k < K; k++ {
		lam, ph := uniform(rng, 4, 9), uniform(rng, 0, 2*math.Pi)
		for r := range rows {
			d := 0.25 * math.Sin(2*math.Pi*float64(r)/lam+ph)
			target := int(math.Round(float64(lo[r]) + float64(hi[r]-lo[r])*(float64(k)+d)/float64(K)))
			minB, maxB := b[k-1][r]+2, hi[r]-2*(K-k)
			if r > 0 {
				minB, maxB = max(minB, b[k][r-1]-1), min(maxB, b[k][r-1]+1)
				target = walk(b[k][r-1], target, math.MinInt, math.MaxInt)
			}
			if minB > maxB {
				return fmt.Errorf("strip %d row %d: no room between columns %d and %d", k, r, minB, maxB)
			}
			b[k][r] = clampI(target, minB, maxB)
		}
	}

	// Districts per strip, in proportion to the strip's cells, each band at
	// least two rows high.
	cells := make([]float64, K)
	for k := range K {
		for r := range rows {
			cells[k] += float64(b[k+1][r] - b[k][r])
		}
	}
	minN, maxN := make([]int, K), make([]int, K)
	for k := range K {
		minN[k], maxN[k] = 1, rows/2
	}
	bands, err := apportion(sc.districts, cells, minN, maxN)
	if err != nil {
		return fmt.Errorf("districts per strip: %w", err)
	}

	// Trim the strips' ends (more the outer strips) so the outline is not a
	// straight edge, then cut each strip into bands of about equal cells.
	l.cellDist = make([]int32, rows*cols)
	for i := range l.cellDist {
		l.cellDist[i] = -1
	}
	d := int32(0)
	for k := range K {
		spare := rows - 2*bands[k]
		outer := 1.0
		if K > 1 {
			outer = math.Abs(float64(k)-float64(K-1)/2) / (float64(K-1) / 2)
		}
		maxTrim := int(float64(min(spare, rows/5)) * (0.25 + 0.75*outer))
		trim := rng.IntN(maxTrim + 1)
		top := rng.IntN(trim + 1)
		r0, r1 := top, rows-(trim-top)
		pre := make([]float64, r1-r0+1) // pre[i]: cells in rows r0 … r0+i-1
		for r := r0; r < r1; r++ {
			pre[r-r0+1] = pre[r-r0] + float64(b[k+1][r]-b[k][r])
		}
		start := r0
		for band := range bands[k] {
			end := r1
			if band < bands[k]-1 {
				goal := pre[r1-r0] * float64(band+1) / float64(bands[k])
				end = start + 1
				for end < r1 && pre[end-r0] < goal {
					end++
				}
				end = clampI(end+rng.IntN(3)-1, start+2, r1-2*(bands[k]-band-1))
			}
			for r := start; r < end; r++ {
				for c := b[k][r]; c < b[k+1][r]; c++ {
					l.cellDist[r*cols+c] = d
				}
			}
			d++
			start = end
		}
	}
	g.lat = l
	return nil
}

// apportion splits total into len(weights) integers within [minN, maxN],
// in proportion to weights as far as the bounds allow: each unit goes to
// the part furthest below its share.
func apportion(total int, weights []float64, minN, maxN []int) ([]int, error) {
	n := slices.Clone(minN)
	have, room := 0, 0
	var wsum float64
	for k := range n {
		have += n[k]
		room += maxN[k] - minN[k]
		wsum += weights[k]
	}
	if have > total || have+room < total {
		return nil, fmt.Errorf("cannot split %d into %d parts within their bounds", total, len(n))
	}
	for ; have < total; have++ {
		best, bestGap := -1, math.Inf(-1)
		for k := range n {
			if n[k] >= maxN[k] {
				continue
			}
			if gap := weights[k]/wsum*float64(total) - float64(n[k]); gap > bestGap {
				best, bestGap = k, gap
			}
		}
		n[best]++
	}
	return n, nil
}

// buildDistricts traces each district's outline from the lattice edges,
// names the districts after the real ones by where they lie, and orders
// them by name (上城区 first).
func (g *gen) buildDistricts() error {
	l := g.lat
	D := l.districts
	cellsOf := make([][]int32, D)
	for ci, d := range l.cellDist {
		if d >= 0 {
			cellsOf[d] = append(cellsOf[d], int32(ci))
		}
	}
	cx, cy, area := make([]float64, D), make([]float64, D), make([]float64, D)
	for d, cs := range cellsOf {
		if len(cs) == 0 {
			return fmt.Errorf("district %d has no cells", d)
		}
		for _, ci := range cs {
			x, y, a := l.cellCentroid(int(ci))
			cx[d] += x * a
			cy[d] += y * a
			area[d] += a
		}
		cx[d] /= area[d]
		cy[d] /= area[d]
	}

	// Name by position: the real districts' bearing and ring from the centre.
	maxDist := 0.0
	for d := range D {
		maxDist = math.Max(maxDist, math.Hypot(cx[d], cy[d]))
	}
	// The district holding the centre is downtown (上城区).
	downtown := int32(-1)
	for ci, d := range l.cellDist {
		if d >= 0 && l.cellHolds(ci, 0, 0) {
			downtown = d
		}
	}
	names := districtNames(D)
	order := make([]int, 0, D) // order[i] = old index of the district named names[i]
	taken := make([]bool, D)
	for _, nm := range names {
		best, bestCost := -1, math.Inf(1)
		for d := range D {
			if taken[d] {
				continue
			}
			rho := math.Hypot(cx[d], cy[d]) / maxDist
			cost := math.Abs(rho - math.Min(nm.ring, 3)/3)
			if nm.ring == 0 && int32(d) == downtown {
				cost = -1
			}
			if nm.ring > 0 && nm.ring < 4 {
				bearing := math.Atan2(cy[d], cx[d]) * 180 / math.Pi
				diff := math.Abs(math.Mod(bearing-nm.bearing+540, 360) - 180)
				cost += 0.6 * diff / 180
			}
			if cost < bestCost {
				best, bestCost = d, cost
			}
		}
		taken[best] = true
		order = append(order, best)
	}
	newIndex := make([]int32, D)
	for i, old := range order {
		newIndex[old] = int32(i)
	}
	for ci, d := range l.cellDist {
		if d >= 0 {
			l.cellDist[ci] = newIndex[d]
		}
	}

	g.city = &City{Options: g.opts}
	g.distCX, g.distCY = make([]float64, D), make([]float64, D)
	g.distCells = make([][]int32, D)
	for i, old := range order {
		ring, err := l.outline(cellsOf[old], int32(i))
		if err != nil {
			return fmt.Errorf("district %s: %w", names[i].name, err)
		}
		g.city.Districts = append(g.city.Districts, &territory.District{
			ID:       int64(i + 1),
			Code:     names[i].code,
			Name:     names[i].name,
			City:     "杭州市",
			Province: "浙江省",
			Boundary: orb.MultiPolygon{{ring}},
		})
		g.distCX[i], g.distCY[i] = cx[old], cy[old]
		g.distCells[i] = cellsOf[old]
	}
	return nil
}

// cellCentroid returns the centroid and area in metres of cell ci.
func (l *lattice) cellCentroid(ci int) (x, y, area float64) {
	r, c := ci/l.cols, ci%l.cols
	vs := [4]int32{l.vertex(c, r), l.vertex(c+1, r), l.vertex(c+1, r+1), l.vertex(c, r+1)}
	for k := range 4 {
		a, b := vs[k], vs[(k+1)%4]
		cross := l.vx[a]*l.vy[b] - l.vx[b]*l.vy[a]
		area += cross
		x += (l.vx[a] + l.vx[b]) * cross
		y += (l.vy[a] + l.vy[b]) * cross
	}
	area /= 2
	return x / (6 * area), y / (6 * area), area
}

// cellHolds reports whether the point (x, y) in metres lies in convex
// cell ci (boundary included).
func (l *lattice) cellHolds(ci int, x, y float64) bool {
	r, c := ci/l.cols, ci%l.cols
	vs := [4]int32{l.vertex(c, r), l.vertex(c+1, r), l.vertex(c+1, r+1), l.vertex(c, r+1)}
	for k := range 4 {
		a, b := vs[k], vs[(k+1)%4]
		if (l.vx[b]-l.vx[a])*(y-l.vy[a])-(l.vy[b]-l.vy[a])*(x-l.vx[a]) < 0 {
			return false
		}
	}
	return true
}

// cellRing is the counter-clockwise ring of a cell.
func (l *lattice) cellRing(ci int) orb.Ring {
	r, c := ci/l.cols, ci%l.cols
	return orb.Ring{
		l.verts[l.vertex(c, r)], l.verts[l.vertex(c+1, r)],
		l.verts[l.vertex(c+1, r+1)], l.verts[l.vertex(c, r+1)],
		l.verts[l.vertex(c, r)],
	}
}

// outline traces the counter-clockwise boundary of the cells of district d:
// the cell edges whose other side is another district or outside, chained
// end to start. A district that is not a disk (a hole, or cells touching
// only at a corner) is reported, not drawn wrong.
func (l *lattice) outline(cells []int32, d int32) (orb.Ring, error) {
	in := func(r, c int) bool {
		return r >= 0 && r < l.rows && c >= 0 && c < l.cols && l.cellDist[r*l.cols+c] == d
	}
	next := make(map[int32]int32, 4*len(cells))
	start := int32(math.MaxInt32)
	add := func(a, b int32) error {
		if _, dup := next[a]; dup {
			return fmt.Errorf("outline touches itself at lattice vertex %d", a)
		}
		next[a] = b
		start = min(start, a)
		return nil
	}
	for _, ci := range cells {
		r, c := int(ci)/l.cols, int(ci)%l.cols
		v00, v10, v11, v01 := l.vertex(c, r), l.vertex(c+1, r), l.vertex(c+1, r+1), l.vertex(c, r+1)
		edges := [4]struct {
			nr, nc int
			a, b   int32
		}{{r - 1, c, v00, v10}, {r, c + 1, v10, v11}, {r + 1, c, v11, v01}, {r, c - 1, v01, v00}}
		for _, e := range edges {
			if !in(e.nr, e.nc) {
				if err := add(e.a, e.b); err != nil {
					return nil, err
				}
			}
		}
	}
	ring := make(orb.Ring, 0, len(next)+1)
	v := start
	for {
		ring = append(ring, l.verts[v])
		v = next[v]
		if v == start {
			break
		}
		if len(ring) > len(next) {
			return nil, fmt.Errorf("outline does not close")
		}
	}
	if len(ring) != len(next) {
		return nil, fmt.Errorf("outline is %d rings, want one (the district has a hole)", 1+len(next)-len(ring))
	}
	return append(ring, ring[0]), nil
}

// buildGrids makes one grid per city cell, numbered within its district
// from the north-west, and indexes them for point location.
func (g *gen) buildGrids() error {
	l := g.lat
	l.cellGrid = make([]int32, len(l.cellDist))
	for i := range l.cellGrid {
		l.cellGrid[i] = -1
	}
	g.index = geo.NewIndex[int32]()
	updated := g.opts.Now.Add(-30 * 24 * time.Hour).Truncate(time.Second).UTC()
	for d, cells := range g.distCells {
		cells = slices.Clone(cells)
		slices.SortFunc(cells, func(a, b int32) int {
			ra, rb := int(a)/l.cols, int(b)/l.cols
			if ra != rb {
				return rb - ra // north first
			}
			return int(a - b)
		})
		dist := g.city.Districts[d]
		for n, ci := range cells {
			gi := int32(len(g.city.Grids))
			poly := orb.Polygon{l.cellRing(int(ci))}
			g.city.Grids = append(g.city.Grids, &territory.Grid{
				ID:         int64(gi + 1),
				Code:       dist.Code + "-" + pad(n+1, 2),
				Name:       dist.Name + "第" + pad(n+1, 2) + "网格",
				DistrictID: dist.ID,
				Boundary:   poly,
				Version:    1,
				Status:     territory.GridPublished,
				UpdatedAt:  updated,
				UpdatedBy:  "planner",
			})
			g.gridCell = append(g.gridCell, ci)
			g.gridDistrict = append(g.gridDistrict, int32(d))
			l.cellGrid[ci] = gi
			g.index.Add(gi, poly)
		}
	}
	return nil
}

// locate returns the grid index containing p, or -1.
func (g *gen) locate(p orb.Point) int32 {
	gi, ok := g.index.Locate(p)
	if !ok {
		return -1
	}
	return gi
}

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func clampI(v, lo, hi int) int { return max(lo, min(hi, v)) }
