package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// CRS is a coordinate system in which coordinates reach gridplan. Everything
// is stored as WGS-84; GCJ-02 (the "Mars" datum every map provider licensed
// in mainland China must use: AutoNavi/高德, Tencent) and BD-09 (Baidu's
// further offset of GCJ-02) are converted on the way in.
type CRS string

// Coordinate systems.
const (
	WGS84 CRS = "wgs84"
	GCJ02 CRS = "gcj02"
	BD09  CRS = "bd09"
)

// ParseCRS accepts wgs84, gcj02 or bd09 (any case, with or without "-").
func ParseCRS(s string) (CRS, error) {
	switch normalizeCRS(s) {
	case "wgs84", "epsg4326":
		return WGS84, nil
	case "gcj02", "mars":
		return GCJ02, nil
	case "bd09", "bd09ll", "baidu":
		return BD09, nil
	}
	return "", fmt.Errorf("unknown coordinate system %q (want wgs84, gcj02 or bd09)", s)
}

func normalizeCRS(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			out = append(out, c+'a'-'A')
		case c == '-' || c == '_' || c == ' ' || c == ':':
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

// ToWGS84 converts p from crs to WGS-84. A GCJ-02 or BD-09 coordinate must
// lie in mainland China (where those datums exist); outside it is an error,
// because such a point is almost always a swapped or mislabelled coordinate.
func ToWGS84(p orb.Point, crs CRS) (orb.Point, error) {
	if err := ValidatePoint(p); err != nil {
		return p, err
	}
	switch crs {
	case WGS84, "":
		return p, nil
	case GCJ02:
		if !InChina(p) {
			return p, &GeometryError{Ring: -1, Point: -1, Reason: fmt.Sprintf("(%v, %v) is outside China, where GCJ-02 is not defined", p[0], p[1])}
		}
		return GCJ02ToWGS84(p), nil
	case BD09:
		if !InChina(p) {
			return p, &GeometryError{Ring: -1, Point: -1, Reason: fmt.Sprintf("(%v, %v) is outside China, where BD-09 is not defined", p[0], p[1])}
		}
		return BD09ToWGS84(p), nil
	}
	return p, fmt.Errorf("unknown coordinate system %q", crs)
}

// InChina reports whether p lies in the rough box where the Chinese datums
// apply (the same box the public GCJ-02 implementations use).
func InChina(p orb.Point) bool {
	return p[0] >= 72.004 && p[0] <= 137.8347 && p[1] >= 0.8293 && p[1] <= 55.8271
}

// Krasovsky 1940 ellipsoid, which the GCJ-02 obfuscation is defined on.
const (
	gcjA  = 6378245.0
	gcjEE = 0.00669342162296594323
)

func gcjOffset(lon, lat float64) (dLon, dLat float64) {
	x, y := lon-105.0, lat-35.0
	dLat = -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	dLon = 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	common := (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	dLat += common + (20.0*math.Sin(y*math.Pi)+40.0*math.Sin(y/3.0*math.Pi))*2.0/3.0 +
		(160.0*math.Sin(y/12.0*math.Pi)+320*math.Sin(y*math.Pi/30.0))*2.0/3.0
	dLon += common + (20.0*math.Sin(x*math.Pi)+40.0*math.Sin(x/3.0*math.Pi))*2.0/3.0 +
		(150.0*math.Sin(x/12.0*math.Pi)+300.0*math.Sin(x/30.0*math.Pi))*2.0/3.0
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLon, dLat
}

// WGS84ToGCJ02 applies the GCJ-02 offset (a few hundred metres in China).
func WGS84ToGCJ02(p orb.Point) orb.Point {
	if !InChina(p) {
		return p
	}
	dLon, dLat := gcjOffset(p[0], p[1])
	return orb.Point{p[0] + dLon, p[1] + dLat}
}

// GCJ02ToWGS84 inverts WGS84ToGCJ02. The offset has no closed-form inverse;
// the usual one-step approximation is off by up to a couple of metres, so
// this iterates to better than 1e-9° (about 0.1 mm).
func GCJ02ToWGS84(p orb.Point) orb.Point {
	if !InChina(p) {
		return p
	}
	w := p
	for range 30 {
		g := WGS84ToGCJ02(w)
		dx, dy := g[0]-p[0], g[1]-p[1]
		w = orb.Point{w[0] - dx, w[1] - dy}
		if math.Abs(dx) < 1e-10 && math.Abs(dy) < 1e-10 {
			break
		}
	}
	return w
}

const bdXPi = math.Pi * 3000.0 / 180.0

// GCJ02ToBD09 applies Baidu's offset on top of GCJ-02.
func GCJ02ToBD09(p orb.Point) orb.Point {
	x, y := p[0], p[1]
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) + 0.000003*math.Cos(x*bdXPi)
	return orb.Point{z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006}
}

// BD09ToGCJ02 removes Baidu's offset, iterating like GCJ02ToWGS84 because
// the published one-step inverse is approximate too.
func BD09ToGCJ02(p orb.Point) orb.Point {
	x, y := p[0]-0.0065, p[1]-0.006
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*bdXPi)
	g := orb.Point{z * math.Cos(theta), z * math.Sin(theta)}
	for range 30 {
		b := GCJ02ToBD09(g)
		dx, dy := b[0]-p[0], b[1]-p[1]
		g = orb.Point{g[0] - dx, g[1] - dy}
		if math.Abs(dx) < 1e-10 && math.Abs(dy) < 1e-10 {
			break
		}
	}
	return g
}

// BD09ToWGS84 converts a Baidu coordinate to WGS-84.
func BD09ToWGS84(p orb.Point) orb.Point { return GCJ02ToWGS84(BD09ToGCJ02(p)) }

// WGS84ToBD09 converts a WGS-84 coordinate to Baidu's.
func WGS84ToBD09(p orb.Point) orb.Point { return GCJ02ToBD09(WGS84ToGCJ02(p)) }
