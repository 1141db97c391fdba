package territory

import (
	"errors"
	"strings"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// validPolygon turns a geometry problem into a FieldError on field, keeping
// the ring and point that geo found.
func validPolygon(field string, p orb.Polygon) error {
	if err := geo.ValidatePolygon(p); err != nil {
		return geometryError(field, err)
	}
	return nil
}

func validPoint(field string, p orb.Point) error {
	if err := geo.ValidatePoint(p); err != nil {
		return geometryError(field, err)
	}
	return nil
}

func geometryError(field string, err error) error {
	var ge *geo.GeometryError
	if errors.As(err, &ge) {
		return &FieldError{Field: field, Reason: ge.Error()}
	}
	return &FieldError{Field: field, Reason: err.Error()}
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }
