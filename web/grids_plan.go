package web

// The issue-2 direct grid edits (POST, PUT, DELETE /api/grids) keep their
// contract (the edit is taken as drawn: no snapping, no carving, overlaps
// allowed, a stale version is a 409) but each one is also a version of the
// grid layout: a one-step plan, published at once, so that the plan history
// lists every change to the live grids, whoever made it and however.

import (
	"context"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/territory"
)

// directEdit records, inside the transaction of a direct grid edit, the
// layout before and after it.
type directEdit struct {
	tx   data.Store
	user string
	base *territory.Plan // the published plan before the edit
}

// beginDirectEdit makes sure the layout before the edit is a published
// plan (the baseline, on a store that has none yet). Call it first in the
// edit's transaction, before the live grids change.
func beginDirectEdit(ctx context.Context, tx data.Store, now func() time.Time, user string) (*directEdit, error) {
	// A Planner without InTx works on tx directly: everything stays in the
	// edit's transaction and rolls back with it.
	pl := &territory.Planner{Store: tx, Now: now}
	base, err := pl.EnsureBaseline(ctx, user)
	if err != nil {
		return nil, fmt.Errorf("plan history: %w", err)
	}
	return &directEdit{tx: tx, user: user, base: base}, nil
}

// commit publishes the live grids as they now are as a new plan named
// what (the previous one is archived): draft, edit and publish in one
// step, as the history shows it.
func (d *directEdit) commit(ctx context.Context, now func() time.Time, what string) error {
	live, err := d.tx.Grids(ctx, territory.GridFilter{})
	if err != nil {
		return fmt.Errorf("plan history: load live grids: %w", err)
	}
	at := now().UTC()
	grids := make([]*territory.PlanGrid, len(live))
	for i, g := range live {
		grids[i] = &territory.PlanGrid{GridID: g.ID, Code: g.Code, Name: g.Name, DistrictID: g.DistrictID,
			Boundary: orb.MultiPolygon{g.Boundary}, UpdatedBy: g.UpdatedBy, UpdatedAt: at}
	}
	number, err := nextPlanNumber(ctx, d.tx)
	if err != nil {
		return err
	}
	d.base.Status, d.base.UpdatedBy = territory.PlanArchived, d.user
	if err := d.tx.UpdatePlan(ctx, d.base); err != nil {
		return fmt.Errorf("plan history: archive plan %d: %w", d.base.ID, err)
	}
	p := &territory.Plan{
		Name: what, Status: territory.PlanPublished, Number: number, BasePlanID: d.base.ID,
		Note:      "a direct edit through /api/grids, published at once",
		CreatedBy: d.user, CreatedAt: at, UpdatedAt: at, UpdatedBy: d.user, PublishedBy: d.user, PublishedAt: &at,
	}
	if err := d.tx.CreatePlan(ctx, p, grids); err != nil {
		return fmt.Errorf("plan history: record %q: %w", what, err)
	}
	return nil
}

// nextPlanNumber is the version number the next publication gets.
func nextPlanNumber(ctx context.Context, s territory.PlanStore) (int, error) {
	ps, err := s.Plans(ctx, territory.PlanFilter{Statuses: []territory.PlanStatus{territory.PlanPublished, territory.PlanArchived}})
	if err != nil {
		return 0, fmt.Errorf("plan history: number the version: %w", err)
	}
	n := 0
	for _, p := range ps {
		n = max(n, p.Number)
	}
	return n + 1, nil
}
