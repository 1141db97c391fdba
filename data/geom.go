package data

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// DecodeMultiPolygon reads a WKB area: a MultiPolygon, or a Polygon (which
// rows written before districts could have several parts hold) as a
// one-part MultiPolygon.
func DecodeMultiPolygon(b []byte) (orb.MultiPolygon, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("decode WKB: %w", err)
	}
	switch v := g.(type) {
	case orb.MultiPolygon:
		return v, nil
	case orb.Polygon:
		return orb.MultiPolygon{v}, nil
	default:
		return nil, fmt.Errorf("stored geometry is a %s, want a Polygon or MultiPolygon", g.GeoJSONType())
	}
}
