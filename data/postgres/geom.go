package postgres

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"gridplan/geo"
)

// Geometries are stored as little-endian WKB in bytea columns: PostGIS is
// not needed, because every spatial question is answered in Go.

func marshalGeom(field string, g orb.Geometry) ([]byte, error) {
	b, err := wkb.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("%s: encode WKB: %w", field, err)
	}
	return b, nil
}

func unmarshalPolygon(field string, b []byte) (orb.Polygon, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("%s: decode WKB: %w", field, err)
	}
	p, ok := g.(orb.Polygon)
	if !ok {
		return nil, fmt.Errorf("%s: stored geometry is a %s, want a Polygon", field, g.GeoJSONType())
	}
	return p, nil
}

// coverageBound is the bounding box of what a resource covers: a polygon's
// own box, or a point grown by its radius (local equirectangular, as
// geo.Offset; clamped to the WGS-84 range).
func coverageBound(g orb.Geometry, radiusM float64) orb.Bound {
	p, ok := g.(orb.Point)
	if !ok {
		return g.Bound()
	}
	sw := geo.Offset(p, -radiusM, -radiusM)
	ne := geo.Offset(p, radiusM, radiusM)
	clamp := func(v, lo, hi float64) float64 {
		if math.IsNaN(v) {
			return lo
		}
		return math.Max(lo, math.Min(hi, v))
	}
	return orb.Bound{
		Min: orb.Point{clamp(sw[0], -180, 180), clamp(sw[1], -90, 90)},
		Max: orb.Point{clamp(ne[0], -180, 180), clamp(ne[1], -90, 90)},
	}
}
