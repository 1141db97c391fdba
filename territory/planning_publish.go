package territory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// Submit asks for plan planID (a draft at version) to be approved. The plan
// must pass validation (no errors). It then waits for Approve; editing it
// returns it to draft.
func (p *Planner) Submit(ctx context.Context, planID int64, version int, user string) (*Plan, error) {
	return p.changePlan(ctx, planID, version, "submit", func(s PlannerStore, pl *Plan) error {
		if pl.Status != PlanDraft {
			return &ConflictError{Reason: fmt.Sprintf("plan %d (%s) is %s: only a draft can be submitted", pl.ID, pl.Name, pl.Status)}
		}
		if err := p.mustBeValid(ctx, s, pl, "submitted"); err != nil {
			return err
		}
		now := p.now()
		pl.Status, pl.SubmittedBy, pl.SubmittedAt, pl.ApprovedBy, pl.ApprovedAt = PlanPending, user, &now, "", nil
		pl.UpdatedBy, pl.UpdatedAt = user, now
		return nil
	})
}

// ErrSamePerson is the refusal of an approval by the person who submitted
// the plan; it wraps ErrForbidden.
var ErrSamePerson = fmt.Errorf("%w: approval needs a second person", ErrForbidden)

// Approve records user's approval of plan planID, which must be waiting for
// approval at version. The approver must not be the submitter (the caller
// checks that user is a leader). The plan stays pending; Publish publishes
// it.
func (p *Planner) Approve(ctx context.Context, planID int64, version int, user string) (*Plan, error) {
	return p.changePlan(ctx, planID, version, "approve", func(s PlannerStore, pl *Plan) error {
		switch {
		case pl.Status != PlanPending:
			return &ConflictError{Reason: fmt.Sprintf("plan %d (%s) is %s: only a submitted plan can be approved", pl.ID, pl.Name, pl.Status)}
		case pl.ApprovedBy != "":
			return &ConflictError{Reason: fmt.Sprintf("plan %d (%s) is already approved by %s", pl.ID, pl.Name, pl.ApprovedBy)}
		case strings.EqualFold(strings.TrimSpace(user), strings.TrimSpace(pl.SubmittedBy)):
			return fmt.Errorf("%w: plan %d was submitted by %s, who cannot approve it too", ErrSamePerson, pl.ID, pl.SubmittedBy)
		}
		now := p.now()
		pl.ApprovedBy, pl.ApprovedAt, pl.UpdatedBy, pl.UpdatedAt = user, &now, user, now
		return nil
	})
}

// changePlan runs a step of plan planID's way to publication (submit,
// approve, publish) in one transaction: it loads the plan, refuses a stale
// version, lets change check and change the plan, and saves it. Errors say
// "<what> plan <id>: …".
func (p *Planner) changePlan(ctx context.Context, planID int64, version int, what string, change func(s PlannerStore, pl *Plan) error) (*Plan, error) {
	var out *Plan
	err := p.tx(ctx, func(s PlannerStore) error {
		pl, err := s.Plan(ctx, planID)
		if err != nil {
			return lookup("plan", planID, err)
		}
		if pl.Version != version {
			return stalePlan(pl, version)
		}
		if err := change(s, pl); err != nil {
			return err
		}
		if err := s.UpdatePlan(ctx, pl); err != nil {
			return err
		}
		out = pl
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s plan %d: %w", what, planID, err)
	}
	return out, nil
}

// mustBeValid refuses a plan whose validation finds errors, listing the
// first few.
func (p *Planner) mustBeValid(ctx context.Context, s PlannerStore, pl *Plan, what string) error {
	grids, err := planGrids(ctx, s, pl.ID)
	if err != nil {
		return err
	}
	r, err := validate(ctx, s, grids)
	if err != nil {
		return err
	}
	if r.OK {
		return nil
	}
	var msgs []string
	for _, v := range r.Violations {
		if v.Severity == SeverityError && len(msgs) < 3 {
			msgs = append(msgs, v.Message)
		}
	}
	more := ""
	if r.Errors > len(msgs) {
		more = fmt.Sprintf(" (and %d more)", r.Errors-len(msgs))
	}
	return &ConflictError{Reason: fmt.Sprintf("plan %d (%s) cannot be %s: validation found %d errors: %s%s; see its validation report",
		pl.ID, pl.Name, what, r.Errors, strings.Join(msgs, "; "), more)}
}

// Publish makes plan planID (at version) the current layout, in one
// transaction: it must pass validation (and, with RequireApproval, be
// submitted and approved); the published plan is archived; the live grids
// are rewritten to match the plan (grids reshaped or renamed are updated,
// new grids created and their ids recorded in the plan, removed grids
// deleted after their managers move to the successor's grid); every
// customer is reassigned (Assign); and the plan gets the next version
// number.
func (p *Planner) Publish(ctx context.Context, planID int64, version int, user string) (*Plan, error) {
	if _, err := p.EnsureBaseline(ctx, user); err != nil {
		return nil, err
	}
	return p.changePlan(ctx, planID, version, "publish", func(s PlannerStore, pl *Plan) error {
		switch {
		case pl.Status != PlanDraft && pl.Status != PlanPending:
			return &ConflictError{Reason: fmt.Sprintf("plan %d (%s) is %s: only a draft can be published (make a new draft from it to restore it)", pl.ID, pl.Name, pl.Status)}
		case p.RequireApproval && (pl.Status != PlanPending || pl.ApprovedBy == ""):
			return &ConflictError{Reason: fmt.Sprintf("plan %d (%s) needs a leader's approval before it is published: submit it and have it approved", pl.ID, pl.Name)}
		}
		if err := p.mustBeValid(ctx, s, pl, "published"); err != nil {
			return err
		}
		old, err := published(ctx, s)
		if err != nil {
			return err
		}
		now := p.now()
		if old != nil && old.ID != pl.ID {
			old.Status, old.UpdatedBy, old.UpdatedAt = PlanArchived, user, now
			if err := s.UpdatePlan(ctx, old); err != nil {
				return fmt.Errorf("archive plan %d: %w", old.ID, err)
			}
		}
		if err := p.writeLive(ctx, s, pl.ID, user); err != nil {
			return err
		}
		if _, err := Assign(ctx, s, AssignOptions{}); err != nil {
			return err
		}
		number, err := nextNumber(ctx, s)
		if err != nil {
			return err
		}
		pl.Status, pl.Number, pl.PublishedBy, pl.PublishedAt = PlanPublished, number, user, &now
		pl.UpdatedBy, pl.UpdatedAt = user, now
		return nil
	})
}

// writeLive rewrites the live grids to match plan planID.
func (p *Planner) writeLive(ctx context.Context, s PlannerStore, planID int64, user string) error {
	grids, err := planGrids(ctx, s, planID)
	if err != nil {
		return err
	}
	live, err := s.Grids(ctx, GridFilter{})
	if err != nil {
		return fmt.Errorf("load live grids: %w", err)
	}
	l := newLayout(grids, live)
	var update, create []*PlanGrid
	var drop []*Grid
	for _, g := range grids {
		lg := l.live[l.liveOf(g)]
		switch {
		case g.Removed && lg != nil:
			drop = append(drop, lg)
		case g.Removed:
		case len(g.Boundary) != 1:
			return &ConflictError{Reason: fmt.Sprintf("grid %s is not one piece", g.Code)} // validation catches it first
		case lg == nil:
			create = append(create, g)
		default:
			update = append(update, g)
		}
	}
	drop = append(drop, l.absent...)

	// Codes are unique among live grids: a live grid whose code another
	// grid takes over steps aside first.
	takes := map[string]int64{} // code → the live grid that will have it (0: a new one)
	for _, g := range append(slices.Clone(update), create...) {
		takes[g.Code] = l.liveOf(g)
	}
	for _, lg := range live {
		if id, ok := takes[lg.Code]; ok && id != lg.ID {
			lg.Code = fmt.Sprintf("~%d", lg.ID)
			lg.UpdatedBy = user
			if err := s.UpdateGrid(ctx, lg); err != nil {
				return fmt.Errorf("free code for grid %d: %w", lg.ID, err)
			}
		}
	}
	for _, g := range update {
		lg := l.live[g.GridID]
		if lg.Code == g.Code && lg.Name == g.Name && lg.DistrictID == g.DistrictID && lg.Status == GridPublished &&
			equalPolygon(lg, g) {
			continue
		}
		lg.Code, lg.Name, lg.DistrictID, lg.Boundary, lg.Status, lg.UpdatedBy = g.Code, g.Name, g.DistrictID, g.Boundary[0], GridPublished, user
		if err := s.UpdateGrid(ctx, lg); err != nil {
			return fmt.Errorf("update live grid %s: %w", g.Code, err)
		}
	}
	liveFor := map[int64]int64{} // plan grid id → its live grid id
	for _, g := range update {
		liveFor[g.ID] = g.GridID
	}
	for _, g := range create { // in plan grid id order: ids ascend as the preview assumed
		ng := &Grid{Code: g.Code, Name: g.Name, DistrictID: g.DistrictID, Boundary: g.Boundary[0], Status: GridPublished, UpdatedBy: user}
		if err := s.CreateGrid(ctx, ng); err != nil {
			return fmt.Errorf("create live grid %s: %w", g.Code, err)
		}
		liveFor[g.ID] = ng.ID
		c := *g
		c.GridID, c.UpdatedBy = ng.ID, user
		if err := s.UpdatePlanGrid(ctx, &c); err != nil {
			return fmt.Errorf("record live grid of %s: %w", g.Code, err)
		}
	}
	for _, lg := range drop {
		ms, err := s.Managers(ctx, ManagerFilter{GridID: lg.ID})
		if err != nil {
			return fmt.Errorf("managers of grid %d: %w", lg.ID, err)
		}
		if len(ms) > 0 {
			succ := l.managerGrid(lg.ID)
			if succ == nil || liveFor[succ.ID] == 0 {
				return &ConflictError{Reason: fmt.Sprintf("grid %s is removed but its %d managers have no successor grid", lg.Code, len(ms))}
			}
			for _, m := range ms {
				m.GridID = liveFor[succ.ID]
				if err := s.UpdateManager(ctx, m); err != nil {
					return fmt.Errorf("move manager %s to grid %s: %w", m.Code, succ.Code, err)
				}
			}
		}
		if err := s.DeleteGrid(ctx, lg.ID, lg.Version); err != nil {
			return fmt.Errorf("delete live grid %d: %w", lg.ID, err)
		}
	}
	return nil
}

func equalPolygon(lg *Grid, g *PlanGrid) bool {
	return len(g.Boundary) == 1 && orb.Equal(lg.Boundary, g.Boundary[0])
}
