package territory

import (
	"context"
	"time"

	"github.com/paulmach/orb"
)

// GridStatus says whether a grid is part of the published plan.
type GridStatus string

// Grid statuses.
const (
	GridDraft     GridStatus = "draft"
	GridPublished GridStatus = "published"
)

// Grid is a sales grid (网格): a polygon inside a district, worked by a team
// of customer managers.
//
// Version implements optimistic locking: a store updates a grid only when the
// caller's Version equals the stored one, then increments it; otherwise the
// update fails with ErrConflict and nothing is written.
type Grid struct {
	ID         int64       `json:"id"`
	Code       string      `json:"code"`
	Name       string      `json:"name"`
	DistrictID int64       `json:"district_id"`
	Boundary   orb.Polygon `json:"-"`
	Version    int         `json:"version"`
	Status     GridStatus  `json:"status"`
	UpdatedAt  time.Time   `json:"updated_at"`
	UpdatedBy  string      `json:"updated_by,omitempty"`
}

// Validate checks a grid before it is stored.
func (g *Grid) Validate() error {
	switch {
	case blank(g.Code):
		return Invalid("code", "is required")
	case len(g.Code) > 64:
		return Invalid("code", "is longer than 64 bytes")
	case blank(g.Name):
		return Invalid("name", "is required")
	case g.DistrictID <= 0:
		return Invalid("district_id", "must be a positive id, got %d", g.DistrictID)
	case g.Status != GridDraft && g.Status != GridPublished:
		return Invalid("status", "unknown grid status %q (want draft or published)", g.Status)
	}
	return validPolygon("geometry", g.Boundary)
}

// GridFilter selects grids; zero fields do not filter.
type GridFilter struct {
	DistrictID int64
	Status     GridStatus
}

// GridStore persists grids. CreateGrid sets ID and Version 1; UpdateGrid and
// DeleteGrid refuse a stale Version with ErrConflict.
type GridStore interface {
	CreateGrid(ctx context.Context, g *Grid) error
	Grid(ctx context.Context, id int64) (*Grid, error)
	Grids(ctx context.Context, f GridFilter) ([]*Grid, error)
	UpdateGrid(ctx context.Context, g *Grid) error
	DeleteGrid(ctx context.Context, id int64, version int) error
}
