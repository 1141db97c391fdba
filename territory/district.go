package territory

import (
	"context"

	"github.com/paulmach/orb"
)

// District is a district or county (区/县) of a city of a province; grids cut
// it without gaps or overlaps.
type District struct {
	ID       int64       `json:"id"`
	Code     string      `json:"code"` // e.g. the administrative division code 330106
	Name     string      `json:"name"` // 西湖区
	City     string      `json:"city"` // 杭州市
	Province string      `json:"province"`
	Boundary orb.Polygon `json:"-"`
}

// Validate checks a district before it is stored.
func (d *District) Validate() error {
	switch {
	case blank(d.Code):
		return Invalid("code", "is required")
	case blank(d.Name):
		return Invalid("name", "is required")
	case blank(d.City):
		return Invalid("city", "is required")
	case blank(d.Province):
		return Invalid("province", "is required")
	}
	return validPolygon("boundary", d.Boundary)
}

// DistrictStore persists districts.
type DistrictStore interface {
	CreateDistrict(ctx context.Context, d *District) error
	District(ctx context.Context, id int64) (*District, error)
	Districts(ctx context.Context) ([]*District, error)
	UpdateDistrict(ctx context.Context, d *District) error
	DeleteDistrict(ctx context.Context, id int64) error
}
