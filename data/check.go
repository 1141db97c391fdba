package data

// Checks both stores run before writing, so that they refuse the same input
// with the same words.

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/geo/geocode"
	"gridplan/territory"
)

var gazetteerKinds = []geocode.Kind{geocode.KindAddress, geocode.KindPlace, geocode.KindRoad, geocode.KindDistrict}

// CheckTexts returns a FieldError on the first of the (field, value) pairs
// whose value is not valid UTF-8 or holds a NUL byte: PostgreSQL refuses
// both in text, and both stores refuse the same input.
func CheckTexts(pairs ...string) error {
	for k := 0; k+1 < len(pairs); k += 2 {
		v := pairs[k+1]
		if !utf8.ValidString(v) {
			return territory.Invalid(pairs[k], "is not valid UTF-8")
		}
		if strings.IndexByte(v, 0) >= 0 {
			return territory.Invalid(pairs[k], "contains a NUL byte")
		}
	}
	return nil
}

// Distinct returns xs without repeats, in first-seen order.
func Distinct[T comparable](xs []T) []T {
	seen := make(map[T]struct{}, len(xs))
	out := make([]T, 0, len(xs))
	for _, x := range xs {
		if _, ok := seen[x]; !ok {
			seen[x] = struct{}{}
			out = append(out, x)
		}
	}
	return out
}

// PrepareUpsert normalizes and validates every row and refuses a repeated
// external id, naming the rows; nothing is written when it fails.
func PrepareUpsert(ctx context.Context, cs []*territory.Customer) error {
	first := make(map[string]int, len(cs))
	for i, c := range cs {
		if c == nil {
			return fmt.Errorf("customer row %d: is nil", i)
		}
		c.Normalize()
		if err := c.Validate(); err != nil {
			return fmt.Errorf("customer row %d: %w", i, err)
		}
		if err := CheckTexts("external_id", c.ExternalID, "name", c.Name, "address", c.Address, "industry", c.Industry); err != nil {
			return fmt.Errorf("customer row %d: %w", i, err)
		}
		if j, ok := first[c.ExternalID]; ok {
			return &territory.ConflictError{Reason: fmt.Sprintf("customer rows %d and %d have the same external id %q", j, i, c.ExternalID)}
		}
		first[c.ExternalID] = i
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

// SameImport reports whether stored already holds c's imported fields: the
// ones an import may change (name, address, location, cell, grid, industry,
// size, carrier, special).
func SameImport(stored, c *territory.Customer) bool {
	return stored.Name == c.Name && stored.Address == c.Address && stored.Location == c.Location &&
		stored.Cell == c.Cell && stored.GridID == c.GridID && stored.Industry == c.Industry &&
		stored.Size == c.Size && stored.Carrier == c.Carrier && stored.Special == c.Special
}

// CheckGazetteerEntry validates gazetteer entry i of a replacement of source.
func CheckGazetteerEntry(i int, source string, e *geocode.Entry) error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("gazetteer row %d: %w", i, territory.Invalid(field, format, args...))
	}
	if e.Source != source {
		return bad("source", "is %q, but the source being replaced is %q", e.Source, source)
	}
	if err := CheckTexts("source", e.Source, "name", e.Name, "number", e.Number, "street", e.Street, "unit", e.Unit,
		"city", e.City, "district", e.District, "region", e.Region, "postcode", e.Postcode); err != nil {
		return fmt.Errorf("gazetteer row %d: %w", i, err)
	}
	known := false
	for _, k := range gazetteerKinds {
		known = known || e.Kind == k
	}
	if !known {
		return bad("kind", "unknown kind %q (want address, place, road or district)", e.Kind)
	}
	switch g := e.Geometry.(type) {
	case orb.Point:
		if err := geo.ValidatePoint(g); err != nil {
			return bad("geometry", "%v", err)
		}
	case orb.LineString:
		if len(g) < 2 {
			return bad("geometry", "a LineString needs at least 2 points, got %d", len(g))
		}
		for j, p := range g {
			if err := geo.ValidatePoint(p); err != nil {
				return bad("geometry", "point %d: %v", j, err)
			}
		}
	case nil:
		return bad("geometry", "is required")
	default:
		return bad("geometry", "must be a Point or a LineString, got a %s", g.GeoJSONType())
	}
	return nil
}

// CheckMoves refuses moves that cannot be right whatever the store holds: a
// negative grid, or one customer moved twice (which of the two would win
// is not obvious to the caller).
func CheckMoves(moves []territory.GridMove) error {
	first := make(map[int64]int, len(moves))
	for i, m := range moves {
		if m.To < 0 {
			return fmt.Errorf("move %d: %w", i, territory.Invalid("grid_id", "must not be negative, got %d", m.To))
		}
		if j, ok := first[m.CustomerID]; ok {
			return fmt.Errorf("move %d: %w", i, territory.Invalid("customer_id", "customer %d is already moved by move %d", m.CustomerID, j))
		}
		first[m.CustomerID] = i
	}
	return nil
}
