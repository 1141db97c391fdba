package demo

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/paulmach/orb"
)

// PlaceKind is the kind of a named place.
type PlaceKind string

// Place kinds.
const (
	Park  PlaceKind = "园区" // business or science park: several buildings, offices and workshops
	Tower PlaceKind = "大厦" // office tower
	Plaza PlaceKind = "广场" // shopping and office complex
)

// Place is a named place businesses sit in: a park, a tower or a plaza, with
// its own road address. Tenants' addresses are the place's address followed
// by the place's name, a building (幢) and a room (室).
type Place struct {
	ID         int64     `json:"id"` // provisional, 1…n
	Name       string    `json:"name"`
	Kind       PlaceKind `json:"kind"`
	Point      orb.Point `json:"point"` // WGS-84, where the place's number is
	DistrictID int64     `json:"district_id"`
	District   string    `json:"district"`
	RoadID     int64     `json:"road_id"` // the Road stretch of its address
	Road       string    `json:"road"`
	Number     int       `json:"number"`
	Buildings  int       `json:"buildings"`
	Floors     int       `json:"floors"`
	Address    string    `json:"address"` // 浙江省杭州市西湖区文三路88号
}

// placeInfo is what the generator keeps about a place.
type placeInfo struct {
	place    *Place
	pc       *piece
	m0, off0 float64 // measure and signed offset (left +) of the place point
	sdAlong  float64 // spread of tenants along the road, m
	sdAcross float64
	tenants  int
}

// buildPlaces puts parks, towers and plazas on the road network: towers
// cluster near district centres, parks lie further out. Together they hold
// about 30% of the businesses.
func (g *gen) buildPlaces() error {
	rng := g.rng(streamPlaces)
	budget := int(0.30 * float64(g.sc.customers))
	used := map[string]bool{}
	var infos []*placeInfo
	for budget > 0 {
		var kind PlaceKind
		var tenants, best int
		var suffixes []string
		pi := &placeInfo{}
		switch r := rng.Float64(); {
		case r < 0.45:
			kind, suffixes, best = Tower, towerSuffixes, 6
			tenants = 15 + int(math.Exp(normal(rng, 3.4, 0.6)))
			pi.sdAlong, pi.sdAcross, pi.off0 = 12, 8, uniform(rng, 30, 50)
		case r < 0.70:
			kind, suffixes, best = Plaza, plazaSuffixes, 4
			tenants = 20 + int(math.Exp(normal(rng, 3.6, 0.5)))
			pi.sdAlong, pi.sdAcross, pi.off0 = 40, 18, uniform(rng, 40, 60)
		default:
			kind, suffixes, best = Park, parkSuffixes, 2
			tenants = 30 + int(math.Exp(normal(rng, 4.3, 0.6)))
			pi.sdAlong, pi.sdAcross, pi.off0 = 80, 22, uniform(rng, 45, 65)
		}
		pi.tenants = min(tenants, budget)
		if rng.IntN(2) == 0 {
			pi.off0 = -pi.off0
		}
		var ok bool
		for range 50 {
			pi.pc, pi.m0, ok = g.centralSample(rng, best)
			if !ok {
				break
			}
			p := pi.pc.pointOn(pi.m0, pi.off0)
			if gi := g.locate(p); gi >= 0 && g.gridDistrict[gi] == pi.pc.dist {
				pi.place = &Place{Point: p}
				break
			}
		}
		if pi.place == nil {
			break // no road room left: the rest go to the streets
		}
		budget -= pi.tenants
		name := placeStems[rng.IntN(len(placeStems))] + suffixes[rng.IntN(len(suffixes))]
		for used[name] {
			name = brand(rng) + suffixes[rng.IntN(len(suffixes))]
		}
		used[name] = true
		r := pi.pc.road
		pl := pi.place
		pl.ID = int64(len(infos) + 1)
		pl.Name, pl.Kind = name, kind
		pl.DistrictID, pl.District = r.DistrictID, r.District
		pl.RoadID, pl.Road = r.ID, r.Name
		pl.Number = r.Number(pi.m0, pi.off0 > 0)
		switch kind {
		case Tower:
			pl.Buildings, pl.Floors = 1+rng.IntN(3), 15+rng.IntN(31)
		case Plaza:
			pl.Buildings, pl.Floors = 2+rng.IntN(5), 3+rng.IntN(6)
		default:
			pl.Buildings, pl.Floors = 4+rng.IntN(17), 3+rng.IntN(10)
		}
		pl.Address = "浙江省杭州市" + pl.District + pl.Road + strconv.Itoa(pl.Number) + "号"
		infos = append(infos, pi)
		g.city.Places = append(g.city.Places, pl)
	}
	g.places = infos
	return nil
}

// centralSample picks a road vertex in a district chosen by size and
// centrality, as the best of k vertices by closeness to the district's
// centre: k = 1 is uniform, larger k clusters harder.
func (g *gen) centralSample(rng *rand.Rand, k int) (*piece, float64, bool) {
	d := g.pickDistrict(rng)
	ps := g.distPieces[d]
	if len(ps) == 0 {
		return nil, 0, false
	}
	var bestPc *piece
	var bestM, bestD float64 = 0, math.Inf(1)
	for range k {
		pc := g.pieces[ps[rng.IntN(len(ps))]]
		v := rng.IntN(len(pc.road.Line))
		x, y := g.fr.xy(pc.road.Line[v])
		if dd := math.Hypot(x-g.distCX[d], y-g.distCY[d]); dd < bestD {
			bestPc, bestM, bestD = pc, pc.road.M[v], dd
		}
	}
	return bestPc, bestM, true
}

// pickDistrict draws a district by its number of grids, weighted up near
// the city centre.
func (g *gen) pickDistrict(rng *rand.Rand) int32 {
	if g.distCum == nil {
		maxR := 0.0
		for d := range g.distCX {
			maxR = math.Max(maxR, math.Hypot(g.distCX[d], g.distCY[d]))
		}
		acc := 0.0
		for d := range g.distCX {
			rho := math.Hypot(g.distCX[d], g.distCY[d]) / math.Max(maxR, 1)
			acc += float64(len(g.distCells[d])) * (0.5 + 2*math.Exp(-3*rho*rho))
			g.distCum = append(g.distCum, acc)
		}
	}
	r := rng.Float64() * g.distCum[len(g.distCum)-1]
	return int32(sort.SearchFloat64s(g.distCum, r))
}
