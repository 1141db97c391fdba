package postgres

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
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
