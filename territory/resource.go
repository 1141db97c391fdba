package territory

import (
	"context"
	"math"
	"time"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/geo"
)

// ResourceStatus is where a network resource stands.
type ResourceStatus string

// Resource statuses, best coverage first.
const (
	ResourceExisting          ResourceStatus = "existing"
	ResourceUnderConstruction ResourceStatus = "under_construction"
	ResourcePlanned           ResourceStatus = "planned"
)

// ResourceStatuses lists every status, best first.
var ResourceStatuses = []ResourceStatus{ResourceExisting, ResourceUnderConstruction, ResourcePlanned}

// Resource is a network resource that can serve customers: a fibre cabinet,
// an OLT, a building access, a 5G site … Kind is data, not an enum. It covers
// one of: a point with a radius (geodesic metres), a serving-area polygon, or
// a set of H3 cells (Cells, with Geometry nil).
type Resource struct {
	ID int64 `json:"id"`
	// Code is the resource's id in the operator's own inventory (its
	// external key): optional, unique when set, so that importing the same
	// file again updates rather than duplicates.
	Code     string         `json:"code,omitempty"`
	Name     string         `json:"name"`
	Kind     string         `json:"kind"`
	Status   ResourceStatus `json:"status"`
	Geometry orb.Geometry   `json:"-"` // orb.Point (with RadiusM) or orb.Polygon; nil with Cells
	RadiusM  float64        `json:"radius_m,omitempty"`
	// Cells is a coverage given as H3 cells (any resolution from 5 to 12, mixed
	// allowed): a customer is covered when a cell holds it.
	Cells    []h3.Cell `json:"-"`
	Capacity int       `json:"capacity,omitempty"` // ports or lines; 0 when unknown
	// ExpectedDate is when a resource under construction or planned should
	// be in service.
	ExpectedDate *time.Time `json:"expected_date,omitempty"`
}

// Validate checks a resource before it is stored.
func (r *Resource) Validate() error {
	switch {
	case r.Code != "" && blank(r.Code):
		return Invalid("code", "must not be blank (leave it empty for none)")
	case len(r.Code) > 128:
		return Invalid("code", "is longer than 128 bytes")
	case blank(r.Name):
		return Invalid("name", "is required")
	case blank(r.Kind):
		return Invalid("kind", "is required")
	case !oneOf(r.Status, ResourceStatuses):
		return Invalid("status", "unknown status %q (want existing, under_construction or planned)", r.Status)
	case r.Capacity < 0:
		return Invalid("capacity", "must not be negative, got %d", r.Capacity)
	}
	if len(r.Cells) > 0 {
		if r.Geometry != nil {
			return Invalid("geometry", "a resource covers by geometry or by H3 cells, not both")
		}
		if r.RadiusM != 0 {
			return Invalid("radius_m", "only point resources have a radius")
		}
		if len(r.Cells) > MaxResourceCells {
			return Invalid("cells", "at most %d cells, got %d", MaxResourceCells, len(r.Cells))
		}
		for i, c := range r.Cells {
			if !c.IsValid() || c.Resolution() < 5 || c.Resolution() > geo.CustomerCellRes {
				return Invalid("cells", "item %d: %v is not an H3 cell of resolution 5 to %d", i, c, geo.CustomerCellRes)
			}
		}
		return nil
	}
	switch g := r.Geometry.(type) {
	case orb.Point:
		if r.RadiusM <= 0 || r.RadiusM > 50000 || r.RadiusM != r.RadiusM {
			return Invalid("radius_m", "a point resource needs a radius in (0, 50000] metres, got %v", r.RadiusM)
		}
		return validPoint("geometry", g)
	case orb.Polygon:
		if r.RadiusM != 0 {
			return Invalid("radius_m", "only point resources have a radius")
		}
		return validPolygon("geometry", g)
	case nil:
		return Invalid("geometry", "is required (a Point with radius_m, a Polygon, or H3 cells)")
	default:
		return Invalid("geometry", "must be a Point or a Polygon, got %s", g.GeoJSONType())
	}
}

// MaxResourceCells bounds a cell-set coverage (a district at resolution 9 is
// a few thousand cells).
const MaxResourceCells = 100_000

// ResourceFilter selects resources; zero fields do not filter.
type ResourceFilter struct {
	Status ResourceStatus
	Kind   string
	Bound  *orb.Bound
}

// ResourceStore persists resources.
type ResourceStore interface {
	CreateResource(ctx context.Context, r *Resource) error
	Resource(ctx context.Context, id int64) (*Resource, error)
	Resources(ctx context.Context, f ResourceFilter) ([]*Resource, error)
	UpdateResource(ctx context.Context, r *Resource) error
	DeleteResource(ctx context.Context, id int64) error
}

// CoverageBound is the bounding box of what r covers: a polygon's own box,
// or its point grown by the radius. Stores index it so a map view finds the
// resources that can reach into it, not just those whose point lies inside.
func (r *Resource) CoverageBound() orb.Bound {
	if r.Geometry == nil && len(r.Cells) > 0 {
		var b orb.Bound
		for i, c := range r.Cells {
			var cb orb.Bound
			for j, ll := range h3.CellToBoundary(c) {
				if p := geo.FromLatLng(ll); j == 0 {
					cb = orb.Bound{Min: p, Max: p}
				} else {
					cb = cb.Extend(p)
				}
			}
			if i == 0 {
				b = cb
			} else {
				b = b.Union(cb)
			}
		}
		return b
	}
	p, ok := r.Geometry.(orb.Point)
	if !ok {
		if r.Geometry == nil {
			return orb.Bound{}
		}
		return r.Geometry.Bound()
	}
	const mPerDegLat = geo.EarthRadiusM * math.Pi / 180
	dLat := r.RadiusM / mPerDegLat
	minLon, maxLon := -180.0, 180.0 // near a pole a radius spans every longitude
	if cos := math.Cos(p[1] * math.Pi / 180); cos > 1e-6 && dLat/cos < 180 {
		minLon, maxLon = math.Max(-180, p[0]-dLat/cos), math.Min(180, p[0]+dLat/cos)
	}
	return orb.Bound{
		Min: orb.Point{minLon, math.Max(-90, p[1]-dLat)},
		Max: orb.Point{maxLon, math.Min(90, p[1]+dLat)},
	}
}
