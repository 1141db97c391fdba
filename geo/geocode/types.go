package geocode

import (
	"context"
	"errors"

	"github.com/paulmach/orb"
)

// Precision is how exactly a result locates an address, best first.
type Precision int

// Precisions, finest first. A caller's minimum precision rejects anything
// coarser (a larger value).
const (
	PrecisionPoint        Precision = iota + 1 // an address point of the gazetteer
	PrecisionPlace                             // a named place: 园区, 大厦, 广场 …
	PrecisionInterpolated                      // house number interpolated along its road
	PrecisionRoad                              // somewhere on the road
	PrecisionDistrict                          // the district's centroid
)

var precisionNames = [...]string{"", "point", "place", "interpolated", "road", "district"}

func (p Precision) String() string {
	if p >= PrecisionPoint && p <= PrecisionDistrict {
		return precisionNames[p]
	}
	return "unknown"
}

// ParsePrecision reads point, place, interpolated, road or district.
func ParsePrecision(s string) (Precision, error) {
	for i := PrecisionPoint; i <= PrecisionDistrict; i++ {
		if precisionNames[i] == s {
			return i, nil
		}
	}
	return 0, errors.New("unknown precision " + s + " (want point, place, interpolated, road or district)")
}

// AtLeast reports whether p is as fine as min or finer.
func (p Precision) AtLeast(min Precision) bool { return p >= PrecisionPoint && p <= min }

// Result is a geocoded address.
type Result struct {
	Location   orb.Point // WGS-84
	Precision  Precision
	Confidence float64 // 0..1: how sure the match is (typos, missing parts lower it)
	Matched    string  // the gazetteer entry matched, as text
}

// Errors; check with errors.Is. The wrapping error says why.
var (
	ErrNotFound  = errors.New("address not found")
	ErrTooCoarse = errors.New("address found only coarser than the minimum precision")
	ErrEmpty     = errors.New("empty address")
)

// Kind is what a gazetteer entry is.
type Kind string

// Gazetteer entry kinds.
const (
	KindAddress  Kind = "address"  // an address point: number + street
	KindPlace    Kind = "place"    // a named place (Name), with its own street address
	KindRoad     Kind = "road"     // a road's centre line (Geometry is a LineString)
	KindDistrict Kind = "district" // a district's centroid (Name is the district)
)

// Entry is one gazetteer record, in the columns of OpenAddresses
// (LON,LAT,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,POSTCODE) plus a kind, a
// name for places and districts, and the source it came from.
type Entry struct {
	Source   string // "demo", "openaddresses:FILE" …; ReplaceGazetteer replaces per source
	Kind     Kind
	Name     string
	Number   string
	Street   string
	Unit     string
	City     string
	District string
	Region   string
	Postcode string
	Geometry orb.Geometry // orb.Point, or orb.LineString for roads
}

// GazetteerStore persists gazetteer entries.
type GazetteerStore interface {
	// ReplaceGazetteer replaces every entry of source with entries (whose
	// Source must equal source), in one transaction.
	ReplaceGazetteer(ctx context.Context, source string, entries []Entry, progress func(done int)) error
	// GazetteerEntries calls fn for every stored entry, in insertion order,
	// stopping at fn's first error.
	GazetteerEntries(ctx context.Context, fn func(Entry) error) error
}
