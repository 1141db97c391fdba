package territory

import (
	"context"
	"errors"
	"fmt"

	"github.com/paulmach/orb"
)

// District is a district or county (区/县) of a city of a province; grids cut
// it without gaps or overlaps.
type District struct {
	ID       int64            `json:"id"`
	Code     string           `json:"code"` // e.g. the administrative division code 330106
	Name     string           `json:"name"` // 西湖区
	City     string           `json:"city"` // 杭州市
	Province string           `json:"province"`
	Boundary orb.MultiPolygon `json:"-"` // one polygon usually; islands and exclaves make more
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
	if len(d.Boundary) == 0 {
		return Invalid("boundary", "has no polygons")
	}
	for i, p := range d.Boundary {
		if err := validPolygon("boundary", p); err != nil {
			if len(d.Boundary) > 1 {
				var fe *FieldError
				if errors.As(err, &fe) {
					fe.Reason = fmt.Sprintf("polygon %d: %s", i, fe.Reason)
				}
			}
			return err
		}
	}
	return nil
}

// DistrictStore persists districts.
type DistrictStore interface {
	CreateDistrict(ctx context.Context, d *District) error
	District(ctx context.Context, id int64) (*District, error)
	Districts(ctx context.Context) ([]*District, error)
	UpdateDistrict(ctx context.Context, d *District) error
	DeleteDistrict(ctx context.Context, id int64) error
}
