package balance

import (
	"math"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// cellIndex buckets points on a uniform grid of an equirectangular
// projection (metres around the points' mean latitude), for the nearest
// and within-radius searches of the candidate graph and the pricing. The
// projection's distances are within the factor stretch of the haversine
// ones (the east–west scale differs by cos(lat)/cos(lat0) across the
// extent; 2% more covers the curvature), so a search for radius r looks in
// radius stretch·r and stays exact. It refuses extents where that factor
// would be poor (usable false): the callers then scan everything.
type cellIndex struct {
	usable  bool
	lat0cos float64
	minX    float64
	minY    float64
	size    float64 // cell side, metres
	nx, ny  int
	start   []int32 // per cell (CSR)
	items   []int32
	stretch float64
}

func projector(pts ...[]orb.Point) (cos0 float64, stretch float64, ok bool) {
	minLat, maxLat := math.Inf(1), math.Inf(-1)
	minLng, maxLng := math.Inf(1), math.Inf(-1)
	for _, ps := range pts {
		for _, p := range ps {
			minLat, maxLat = min(minLat, p[1]), max(maxLat, p[1])
			minLng, maxLng = min(minLng, p[0]), max(maxLng, p[0])
		}
	}
	if math.IsInf(minLat, 0) || maxLat-minLat > 6 || maxLng-minLng > 12 || math.Max(math.Abs(minLat), math.Abs(maxLat)) > 75 {
		return 0, 0, false
	}
	lat0 := (minLat + maxLat) / 2
	cos0 = math.Cos(lat0 * math.Pi / 180)
	worst := math.Cos(math.Max(math.Abs(minLat), math.Abs(maxLat)) * math.Pi / 180)
	best := math.Cos(math.Min(math.Abs(minLat), math.Abs(maxLat)) * math.Pi / 180)
	if minLat < 0 && maxLat > 0 {
		best = 1
	}
	stretch = 1.02 * math.Max(cos0/worst, best/cos0)
	return cos0, stretch, true
}

func (c *cellIndex) xy(p orb.Point) (float64, float64) {
	const mPerDeg = geo.EarthRadiusM * math.Pi / 180
	return p[0] * mPerDeg * c.lat0cos, p[1] * mPerDeg
}

// newCellIndex indexes pts with about perCell points a cell; all is every
// point set the searches will query from (for the projection's extent).
func newCellIndex(pts []orb.Point, perCell int, all ...[]orb.Point) *cellIndex {
	c := &cellIndex{}
	cos0, stretch, ok := projector(append(all, pts)...)
	if !ok || len(pts) == 0 {
		return c
	}
	c.usable, c.lat0cos, c.stretch = true, cos0, stretch
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		x, y := c.xy(p)
		minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
	}
	w, h := max(maxX-minX, 1), max(maxY-minY, 1)
	cells := max(1, len(pts)/max(1, perCell))
	c.size = max(math.Sqrt(w*h/float64(cells)), 1)
	c.nx, c.ny = int(w/c.size)+1, int(h/c.size)+1
	for c.nx*c.ny > 4*cells+16 { // a thin extent: widen the cells
		c.size *= 1.5
		c.nx, c.ny = int(w/c.size)+1, int(h/c.size)+1
	}
	c.minX, c.minY = minX, minY
	c.start = make([]int32, c.nx*c.ny+1)
	cellOf := make([]int32, len(pts))
	for i, p := range pts {
		k := c.cell(p)
		cellOf[i] = int32(k)
		c.start[k+1]++
	}
	for k := range c.nx * c.ny {
		c.start[k+1] += c.start[k]
	}
	next := append([]int32(nil), c.start[:c.nx*c.ny]...)
	c.items = make([]int32, len(pts))
	for i, k := range cellOf {
		c.items[next[k]] = int32(i)
		next[k]++
	}
	return c
}

func (c *cellIndex) cellXY(p orb.Point) (int, int) {
	x, y := c.xy(p)
	cx := int(math.Floor((x - c.minX) / c.size))
	cy := int(math.Floor((y - c.minY) / c.size))
	return cx, cy
}

func (c *cellIndex) cell(p orb.Point) int {
	cx, cy := c.cellXY(p)
	cx, cy = min(max(cx, 0), c.nx-1), min(max(cy, 0), c.ny-1)
	return cy*c.nx + cx
}

// ring calls fn with every item of the cells at Chebyshev ring r around
// cell (cx, cy) (which may lie outside the grid).
func (c *cellIndex) ring(cx, cy, r int, fn func(item int32)) {
	visit := func(x, y int) {
		if x < 0 || y < 0 || x >= c.nx || y >= c.ny {
			return
		}
		k := y*c.nx + x
		for _, it := range c.items[c.start[k]:c.start[k+1]] {
			fn(it)
		}
	}
	if r == 0 {
		visit(cx, cy)
		return
	}
	for x := cx - r; x <= cx+r; x++ {
		visit(x, cy-r)
		visit(x, cy+r)
	}
	for y := cy - r + 1; y <= cy+r-1; y++ {
		visit(cx-r, y)
		visit(cx+r, y)
	}
}

// rings is how many rings cover radius metres (true distance) around a
// point.
func (c *cellIndex) rings(radiusM float64) int {
	return int(math.Ceil(radiusM*c.stretch/c.size)) + 1
}

// maxRings is the ring count after which everything has been seen.
func (c *cellIndex) maxRings(cx, cy int) int {
	return max(cx, c.nx-1-cx, cy, c.ny-1-cy, 0)
}

// nearest adds to t the items nearest p (by the dot product of their unit
// vectors us) until t holds its k and no unseen cell can hold a nearer one.
func (c *cellIndex) nearest(p orb.Point, u unit, us []unit, t *topK) {
	cx, cy := c.cellXY(p)
	last := c.maxRings(cx, cy)
	for r := 0; r <= last; r++ {
		c.ring(cx, cy, r, func(it int32) { t.add(dot(u, us[it]), it) })
		if len(t.dot) == t.k && t.k > 0 {
			// Everything beyond ring r is at least r·size/stretch away.
			kth := chordToM(t.dot[len(t.dot)-1])
			if float64(r)*c.size/c.stretch > kth {
				return
			}
		}
	}
}

// within calls fn with every item within radiusM (true distance) of p, and
// maybe some more.
func (c *cellIndex) within(p orb.Point, radiusM float64, fn func(item int32)) {
	cx, cy := c.cellXY(p)
	n := min(c.rings(radiusM), c.maxRings(cx, cy))
	for r := 0; r <= n; r++ {
		c.ring(cx, cy, r, fn)
	}
}

// chordToM is the haversine distance of two unit vectors with dot product
// d.
func chordToM(d float64) float64 {
	ch := math.Sqrt(max(0, 2-2*d))
	return 2 * geo.EarthRadiusM * math.Asin(min(1, ch/2))
}
