package territory

import (
	"context"
	"time"

	"github.com/paulmach/orb"
)

// PlanStatus is where a grid plan stands.
type PlanStatus string

// Plan statuses. Exactly one plan is published at a time: the live grids
// (GridStore) mirror it. Publishing another archives it.
const (
	PlanDraft     PlanStatus = "draft"            // being edited
	PlanPending   PlanStatus = "pending_approval" // submitted, waiting for a leader
	PlanPublished PlanStatus = "published"        // current
	PlanArchived  PlanStatus = "archived"         // an earlier published version
)

// Plan is one version of the whole grid layout: a complete set of grids.
// Planners edit a draft (a copy of the published plan, or of any earlier
// version when restoring one), see what it does, and publish it; the
// published and archived plans are the history.
type Plan struct {
	ID     int64      `json:"id"`
	Name   string     `json:"name"`
	Status PlanStatus `json:"status"`
	// Number is the version number given at publication (1, 2, …); 0 for a
	// plan never published.
	Number int `json:"number,omitempty"`
	// BasePlanID is the plan this one was copied from (0 for the first).
	BasePlanID int64 `json:"base_plan_id,omitempty"`
	// Version locks plan-level changes (name, status) optimistically.
	Version   int       `json:"version"`
	Note      string    `json:"note,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// UpdatedBy is who last changed the plan (name, note, status): what a
	// planner whose save was refused as stale is told.
	UpdatedBy   string     `json:"updated_by,omitempty"`
	SubmittedBy string     `json:"submitted_by,omitempty"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	ApprovedBy  string     `json:"approved_by,omitempty"`
	ApprovedAt  *time.Time `json:"approved_at,omitempty"`
	PublishedBy string     `json:"published_by,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

// PlanGrid is a grid as a plan has it. GridID links it to the live grid it
// becomes on publication (0 for a grid new in this plan: publishing creates
// the live grid and records its id), so that managers and customers keep
// their grid across versions. The boundary may have several parts while a
// draft is edited; the validation report flags that and publication needs
// one part.
type PlanGrid struct {
	ID         int64            `json:"id"`
	PlanID     int64            `json:"plan_id"`
	GridID     int64            `json:"grid_id,omitempty"`
	Code       string           `json:"code"`
	Name       string           `json:"name"`
	DistrictID int64            `json:"district_id"`
	Boundary   orb.MultiPolygon `json:"-"`
	// SuccessorID is, for a grid removed from the plan (Removed), the plan
	// grid that takes over its managers on publication (set by a merge).
	Removed     bool      `json:"removed,omitempty"`
	SuccessorID int64     `json:"successor_id,omitempty"`
	Version     int       `json:"version"` // optimistic lock per grid within the plan
	UpdatedBy   string    `json:"updated_by,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// PlanFilter selects plans, newest first; zero fields do not filter.
type PlanFilter struct {
	Statuses []PlanStatus
	Limit    int
}

// PlanStore persists plans and their grids. CreatePlan stores a plan with
// its grids in one transaction. UpdatePlan and UpdatePlanGrid refuse a stale
// Version with ErrConflict and write nothing; they increment it on success.
type PlanStore interface {
	CreatePlan(ctx context.Context, p *Plan, grids []*PlanGrid) error
	Plan(ctx context.Context, id int64) (*Plan, error)
	Plans(ctx context.Context, f PlanFilter) ([]*Plan, error)
	UpdatePlan(ctx context.Context, p *Plan) error
	DeletePlan(ctx context.Context, id int64) error
	PlanGrids(ctx context.Context, planID int64) ([]*PlanGrid, error)
	PlanGrid(ctx context.Context, id int64) (*PlanGrid, error)
	CreatePlanGrid(ctx context.Context, g *PlanGrid) error
	UpdatePlanGrid(ctx context.Context, g *PlanGrid) error
}
