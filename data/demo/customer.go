package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
)

// Address is a customer's postal address in parts. String gives the form
// stored on the customer: 浙江省杭州市{District}{Road}{Number}号, followed by
// {Place}{Building}幢{Room}室 for a tenant of a park, tower or plaza.
type Address struct {
	District string `json:"district"`
	RoadID   int64  `json:"road_id"` // the Road stretch the number is on
	Road     string `json:"road"`
	Number   int    `json:"number"`
	PlaceID  int64  `json:"place_id,omitempty"` // 0 on the street
	Place    string `json:"place,omitempty"`
	Building int    `json:"building,omitempty"`
	Room     int    `json:"room,omitempty"`
}

// String is the postal address as written on the customer.
func (a Address) String() string {
	var b strings.Builder
	b.Grow(96)
	b.WriteString("浙江省杭州市")
	b.WriteString(a.District)
	b.WriteString(a.Road)
	b.WriteString(strconv.Itoa(a.Number))
	b.WriteString("号")
	if a.Place != "" {
		b.WriteString(a.Place)
		b.WriteString(strconv.Itoa(a.Building))
		b.WriteString("幢")
		b.WriteString(strconv.Itoa(a.Room))
		b.WriteString("室")
	}
	return b.String()
}

// Where a business sits; it decides the industry mix and the size.
const (
	inBackground uint8 = iota
	onShoppingStreet
	inPark
	inTower
	inPlaza
)

// custInfo is what the generator knows of a business before it becomes a
// territory.Customer.
type custInfo struct {
	p       orb.Point
	grid    int32
	where   uint8
	special bool
	addr    Address
}

// buildCustomers places the businesses: tenants in gaussian blobs around
// the places, dense rows along shopping streets on both sides, a floor of
// businesses in every grid (so every grid team has a list to work), and a
// thinner background along all roads. Each business is put at a measure
// along a road and an offset to one side, so its address (road, house
// number, side) is right by construction.
func (g *gen) buildCustomers() error {
	rng := g.rng(streamCustomers)
	n := g.sc.customers
	g.cust = make([]custInfo, 0, n)

	// Tenants of places.
	for _, pi := range g.places {
		pl := pi.place
		for t := range pi.tenants {
			var p orb.Point
			gi := int32(-1)
			for try := 0; try < 30 && gi < 0; try++ {
				m := pi.m0 + clampF(normal(rng, 0, pi.sdAlong), -2.5*pi.sdAlong, 2.5*pi.sdAlong)
				m = clampF(m, pi.pc.road.M[0], pi.pc.road.M[len(pi.pc.road.M)-1])
				off := clampF(math.Abs(pi.off0)+normal(rng, 0, pi.sdAcross), 8, 95)
				if t == 0 { // the property manager's office is at the place's number
					m, off = pi.m0, math.Abs(pi.off0)
				}
				if pi.off0 < 0 {
					off = -off
				}
				p = pi.pc.pointOn(m, off)
				if gi = g.locate(p); gi >= 0 && g.gridDistrict[gi] != pi.pc.dist {
					gi = -1
				}
			}
			if gi < 0 {
				continue // the street takes it below
			}
			where := inPark
			switch pl.Kind {
			case Tower:
				where = inTower
			case Plaza:
				where = inPlaza
			}
			room := (1+rng.IntN(pl.Floors))*100 + 1 + rng.IntN(20)
			g.cust = append(g.cust, custInfo{p: p, grid: gi, where: where, special: t == 0, addr: Address{
				District: pl.District, RoadID: pl.RoadID, Road: pl.Road, Number: pl.Number,
				PlaceID: pl.ID, Place: pl.Name, Building: 1 + rng.IntN(pl.Buildings), Room: room,
			}})
		}
	}

	// Shopping streets: stretches of road near district centres.
	type stretch struct {
		pc     *piece
		m0, m1 float64
	}
	var streets []stretch
	var cum []float64
	for try := 0; len(streets) < max(4, n/1500) && try < 100*max(4, n/1500); try++ {
		pc, m, ok := g.centralSample(rng, 3)
		if !ok {
			break
		}
		half := uniform(rng, 250, 900)
		m0, m1 := math.Max(m-half, pc.road.M[0]), math.Min(m+half, pc.road.M[len(pc.road.M)-1])
		if m1-m0 < 200 {
			continue
		}
		pc.road.Commercial = true
		streets = append(streets, stretch{pc, m0, m1})
		w := (m1 - m0) * uniform(rng, 0.6, 1.4)
		if len(cum) > 0 {
			w += cum[len(cum)-1]
		}
		cum = append(cum, w)
	}
	for range int(0.33 * float64(n)) {
		if len(streets) == 0 {
			break
		}
		s := streets[searchCum(cum, rng.Float64()*cum[len(cum)-1])]
		g.streetBusiness(rng, s.pc, func() float64 { return uniform(rng, s.m0, s.m1) }, 12, 45, 0, -1, onShoppingStreet)
	}

	// A floor in every grid, then the background along all roads.
	counts := make([]int, len(g.city.Grids))
	for _, c := range g.cust {
		counts[c.grid]++
	}
	floor := min(70, n/len(g.city.Grids)/2)
	for gi := range counts {
		for try := 0; counts[gi] < floor && len(g.cust) < n && try < 40*floor; try++ {
			pc, m, ok := g.sampleInGrid(rng, int32(gi))
			if !ok {
				break
			}
			if ok, _, _ := g.streetBusiness(rng, pc, func() float64 { return m + uniform(rng, -40, 40) }, 10, 60, 0, int32(gi), inBackground); ok {
				counts[gi]++
			}
		}
	}
	var all []int64
	for _, ss := range g.gridSamples {
		all = append(all, ss...)
	}
	// A third of the background shares a building with the business placed
	// before it: shops and workshops come in rows, not alone.
	var prev *piece
	var prevM, prevOff float64
	for try := 0; len(g.cust) < n; try++ {
		if try > 50*n+1000 {
			return fmt.Errorf("placed only %d of %d businesses: no room along the roads", len(g.cust), n)
		}
		var ok bool
		var m, off float64
		if prev != nil && rng.Float64() < 0.35 {
			a := math.Abs(prevOff)
			ok, m, off = g.streetBusiness(rng, prev, func() float64 { return prevM + uniform(rng, -5, 5) },
				math.Max(8, a-3), a+3, int(math.Copysign(1, prevOff)), -1, inBackground)
		} else {
			s := all[rng.IntN(len(all))]
			pc, m0 := g.pieces[s>>32], g.pieces[s>>32].road.M[s&0xffffffff]
			if ok, m, off = g.streetBusiness(rng, pc, func() float64 { return m0 + uniform(rng, -40, 40) }, 10, 60, 0, -1, inBackground); ok {
				prev = pc
			}
		}
		if ok {
			prevM, prevOff = m, off
		}
	}

	// Shuffle so that ids and external ids do not group by kind of place.
	shuf := g.rng(streamShuffle)
	shuf.Shuffle(len(g.cust), func(i, j int) { g.cust[i], g.cust[j] = g.cust[j], g.cust[i] })
	return g.makeCustomers()
}

// streetBusiness adds one business on road stretch pc at a measure drawn by
// at (clamped to the stretch), offMin…offMax metres from the centre line on
// side (+1 left, -1 right, 0 either). It must land in pc's district and,
// when wantGrid ≥ 0, in that grid; it tries a few draws and reports whether
// one was added, at which measure and signed offset.
func (g *gen) streetBusiness(rng *rand.Rand, pc *piece, at func() float64, offMin, offMax float64, side int, wantGrid int32, where uint8) (bool, float64, float64) {
	r := pc.road
	for range 8 {
		m := clampF(at(), r.M[0], r.M[len(r.M)-1])
		left := side > 0 || (side == 0 && rng.IntN(2) == 0)
		off := uniform(rng, offMin, offMax)
		if !left {
			off = -off
		}
		p := pc.pointOn(m, off)
		gi := g.locate(p)
		if gi < 0 || g.gridDistrict[gi] != pc.dist || (wantGrid >= 0 && gi != wantGrid) {
			continue
		}
		g.cust = append(g.cust, custInfo{p: p, grid: gi, where: where, special: where == inBackground && rng.Float64() < 0.025,
			addr: Address{District: r.District, RoadID: r.ID, Road: r.Name, Number: r.Number(m, left)}})
		return true, m, off
	}
	return false, 0, 0
}

// searchCum returns the first index whose cumulative weight exceeds r.
func searchCum(cum []float64, r float64) int {
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cum[mid] > r {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// makeCustomers turns the placed businesses into customers with names,
// industries, sizes and external ids. Stages, carriers and owners come with
// the funnel.
func (g *gen) makeCustomers() error {
	rng := g.rng(streamAttributes)
	n := len(g.cust)
	slab := make([]territory.Customer, n)
	g.city.Customers = make([]*territory.Customer, n)
	g.city.Addresses = make([]Address, n)
	for i := range g.cust {
		ci := &g.cust[i]
		var label string
		var sizes [4]float64 // micro, small, medium, large
		switch {
		case ci.special:
			label, sizes = "物业管理", [4]float64{20, 55, 22, 3}
		case ci.where == inPark:
			label, sizes = pick(rng, parkIndustries), [4]float64{40, 38, 17, 5}
		case ci.where == inTower:
			label, sizes = pick(rng, officeIndustries), [4]float64{45, 37, 14, 4}
		case ci.where == inPlaza:
			label, sizes = pick(rng, plazaIndustries), [4]float64{62, 30, 7, 1}
		case ci.where == onShoppingStreet:
			label, sizes = pick(rng, streetIndustries), [4]float64{84, 14, 1.8, 0.2}
		default:
			label, sizes = pick(rng, backgroundIndustries), [4]float64{78, 17, 4, 1}
		}
		name := companyName(rng, label)
		if ci.special && ci.addr.Place != "" && rng.IntN(2) == 0 {
			name = ci.addr.Place + "物业服务中心"
		}
		c := &slab[i]
		*c = territory.Customer{
			ID:         int64(i + 1),
			ExternalID: "HZ-" + pad(i+1, 6),
			Name:       name,
			Address:    ci.addr.String(),
			Location:   ci.p,
			Cell:       geo.Cell(ci.p, geo.CustomerCellRes),
			GridID:     int64(ci.grid + 1),
			Industry:   label,
			Size:       territory.Sizes[pickIndex(rng, sizes[:])],
			Special:    ci.special,
			Stage:      funnel.Target,
			Carrier:    territory.CarrierUnknown,
		}
		c.Normalize()
		g.city.Customers[i] = c
		g.city.Addresses[i] = ci.addr
	}
	if n != g.sc.customers {
		return fmt.Errorf("placed %d businesses, want %d", n, g.sc.customers)
	}
	return nil
}

// pickIndex draws an index of ws by weight.
func pickIndex(rng *rand.Rand, ws []float64) int {
	var total float64
	for _, w := range ws {
		total += w
	}
	r := rng.Float64() * total
	for i, w := range ws {
		if r < w {
			return i
		}
		r -= w
	}
	return len(ws) - 1
}
