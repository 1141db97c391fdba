package demo

import (
	"math"
	"slices"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridplan/geo"
	"gridplan/geo/geocode"
)

// GazetteerSource is the Source of the demo city's gazetteer entries.
const GazetteerSource = "demo"

// StageGazetteer is Load's last stage: the city's gazetteer (Gazetteer)
// stored with the store's ReplaceGazetteer under GazetteerSource.
const StageGazetteer = "gazetteer"

// GazetteerSetbackM is how far from the centre line, on its side, the
// address point of a house number without a business stands.
const GazetteerSetbackM = 25.0

// gazetteerShare is the share of house numbers without a business that get
// an address point: a real gazetteer lists most buildings, not every
// frontage.
const gazetteerShare = 0.5

// Gazetteer returns the demo city as a geocoder gazetteer (Source "demo"):
// a centroid per district, the centre line of every road stretch, every
// named place at its address, and address points along every road. A
// house number where businesses are has its point where they are: the
// place's point for a park, tower or plaza, else the business nearest the
// middle of the businesses at that number (a building). Of the other
// numbers, about half (chosen by a hash, so the same city gives the same
// gazetteer) get a point at the middle of their frontage,
// GazetteerSetbackM to their side: odd left, even right, looking along
// the road. It works before and after Load, and does not change c.
func (c *City) Gazetteer() []geocode.Entry {
	type ref struct {
		city, province string
	}
	dists := map[string]ref{}
	var out []geocode.Entry
	for _, d := range c.Districts {
		dists[d.Name] = ref{d.City, d.Province}
		p, _ := planar.CentroidArea(d.Boundary)
		out = append(out, geocode.Entry{Source: GazetteerSource, Kind: geocode.KindDistrict, Name: d.Name,
			District: d.Name, City: d.City, Region: d.Province, Geometry: p})
	}
	for _, r := range c.Roads {
		d := dists[r.District]
		out = append(out, geocode.Entry{Source: GazetteerSource, Kind: geocode.KindRoad, Street: r.Name,
			District: r.District, City: d.city, Region: d.province, Geometry: slices.Clone(r.Line)})
	}
	type key struct {
		road   int64
		number int
	}
	placeAt := map[key]*Place{}
	for _, p := range c.Places {
		d := dists[p.District]
		out = append(out, geocode.Entry{Source: GazetteerSource, Kind: geocode.KindPlace, Name: p.Name,
			Number: strconv.Itoa(p.Number), Street: p.Road, District: p.District, City: d.city, Region: d.province,
			Geometry: p.Point})
		placeAt[key{p.RoadID, p.Number}] = p
	}
	atNumber := map[key][]orb.Point{}
	for i, a := range c.Addresses {
		if a.Place == "" {
			k := key{a.RoadID, a.Number}
			atNumber[k] = append(atNumber[k], c.Customers[i].Location)
		}
	}
	for _, r := range c.Roads {
		d := dists[r.District]
		for n := r.MinNumber; n <= r.MaxNumber; n++ {
			k := key{r.ID, n}
			var p orb.Point
			switch pts := atNumber[k]; {
			case placeAt[k] != nil:
				p = placeAt[k].Point
			case len(pts) > 0:
				p = medoid(pts)
			case hashShare(c.Options.Seed, uint64(r.ID), uint64(n)) < gazetteerShare:
				p = r.sidePoint(n, GazetteerSetbackM)
			default:
				continue
			}
			out = append(out, geocode.Entry{Source: GazetteerSource, Kind: geocode.KindAddress,
				Number: strconv.Itoa(n), Street: r.Name, District: r.District, City: d.city, Region: d.province,
				Geometry: p})
		}
	}
	return out
}

// sidePoint is the middle of number n's frontage, setbackM metres to its
// side of the centre line.
func (r *Road) sidePoint(n int, setbackM float64) orb.Point {
	m := r.NumberMeasure(n)
	p := r.pointAtM(m)
	s := r.segment(m)
	a, b := r.Line[s], r.Line[s+1]
	mPerLat := geo.EarthRadiusM * math.Pi / 180
	dx := (b[0] - a[0]) * mPerLat * math.Cos(a[1]*math.Pi/180)
	dy := (b[1] - a[1]) * mPerLat
	l := math.Hypot(dx, dy)
	if l == 0 {
		return p
	}
	off := setbackM
	if n%2 == 0 {
		off = -off // even numbers on the right
	}
	return geo.Offset(p, -dy/l*off, dx/l*off)
}

// medoid is the point of pts with the least total distance to the others:
// a real building among the businesses sharing a number.
func medoid(pts []orb.Point) orb.Point {
	if len(pts) <= 2 {
		return pts[0]
	}
	best, bestSum := 0, math.Inf(1)
	for i, p := range pts {
		sum := 0.0
		for _, q := range pts {
			sum += geo.DistanceM(p, q)
		}
		if sum < bestSum {
			best, bestSum = i, sum
		}
	}
	return pts[best]
}

// hashShare maps (seed, a, b) to [0, 1) deterministically (splitmix64).
func hashShare(seed, a, b uint64) float64 {
	x := seed ^ (a * 0x9e3779b97f4a7c15) ^ (b * 0xc2b2ae3d27d4eb4f)
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}
