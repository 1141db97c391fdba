package sqlite

// Placeholders so the tree compiles while the plan store is written; this
// file is deleted when it lands.

import (
	"context"
	"errors"

	"gridplan/territory"
)

var errPlanNotYet = errors.New("plans: not implemented yet")

func (s *Store) CreatePlan(ctx context.Context, p *territory.Plan, grids []*territory.PlanGrid) error {
	return errPlanNotYet
}
func (s *Store) Plan(ctx context.Context, id int64) (*territory.Plan, error) {
	return nil, errPlanNotYet
}
func (s *Store) Plans(ctx context.Context, f territory.PlanFilter) ([]*territory.Plan, error) {
	return nil, errPlanNotYet
}
func (s *Store) UpdatePlan(ctx context.Context, p *territory.Plan) error { return errPlanNotYet }
func (s *Store) DeletePlan(ctx context.Context, id int64) error          { return errPlanNotYet }
func (s *Store) PlanGrids(ctx context.Context, planID int64) ([]*territory.PlanGrid, error) {
	return nil, errPlanNotYet
}
func (s *Store) PlanGrid(ctx context.Context, id int64) (*territory.PlanGrid, error) {
	return nil, errPlanNotYet
}
func (s *Store) CreatePlanGrid(ctx context.Context, g *territory.PlanGrid) error {
	return errPlanNotYet
}
func (s *Store) UpdatePlanGrid(ctx context.Context, g *territory.PlanGrid) error {
	return errPlanNotYet
}
