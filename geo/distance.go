package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadiusM is the mean Earth radius (IUGG R1) used for every distance in
// gridplan, so that costs reported by the balancer and the router agree with
// an outside haversine computed the same way.
const EarthRadiusM = 6371008.8

// DistanceM is the great-circle (haversine) distance between a and b in metres.
func DistanceM(a, b orb.Point) float64 {
	lat1 := a[1] * math.Pi / 180
	lat2 := b[1] * math.Pi / 180
	dLat := lat2 - lat1
	dLon := (b[0] - a[0]) * math.Pi / 180
	s := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * EarthRadiusM * math.Asin(math.Min(1, math.Sqrt(s)))
}

// Offset returns the point reached from p by moving eastM metres east and
// northM metres north, on a local equirectangular approximation. It is meant
// for distances of a few kilometres (building a demo city, jittering points).
func Offset(p orb.Point, eastM, northM float64) orb.Point {
	const mPerDegLat = EarthRadiusM * math.Pi / 180
	lat := p[1] + northM/mPerDegLat
	lon := p[0] + eastM/(mPerDegLat*math.Cos(p[1]*math.Pi/180))
	return orb.Point{lon, lat}
}
