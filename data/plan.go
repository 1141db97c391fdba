package data

// Checks both stores run before writing a plan or a plan grid, so that they
// refuse the same input with the same words.

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gridplan/geo"
	"gridplan/territory"
)

// MaxPlanNameRunes bounds a plan's name: it is a label in a list, not a
// document (the note is for prose).
const MaxPlanNameRunes = 200

// CheckPlan validates a plan before a store writes it.
func CheckPlan(p *territory.Plan) error {
	if p == nil {
		return errors.New("plan is nil")
	}
	switch {
	case strings.TrimSpace(p.Name) == "":
		return territory.Invalid("name", "is required")
	case utf8.RuneCountInString(p.Name) > MaxPlanNameRunes:
		return territory.Invalid("name", "is longer than %d characters", MaxPlanNameRunes)
	case !KnownPlanStatus(p.Status):
		return territory.Invalid("status", "unknown plan status %q (want draft, pending_approval, published or archived)", p.Status)
	case p.Number < 0:
		return territory.Invalid("number", "must not be negative, got %d", p.Number)
	case p.BasePlanID < 0:
		return territory.Invalid("base_plan_id", "must not be negative, got %d", p.BasePlanID)
	}
	return CheckTexts("name", p.Name, "note", p.Note, "created_by", p.CreatedBy, "updated_by", p.UpdatedBy,
		"submitted_by", p.SubmittedBy, "approved_by", p.ApprovedBy, "published_by", p.PublishedBy)
}

// KnownPlanStatus reports whether st is one of the four plan statuses.
func KnownPlanStatus(st territory.PlanStatus) bool {
	switch st {
	case territory.PlanDraft, territory.PlanPending, territory.PlanPublished, territory.PlanArchived:
		return true
	}
	return false
}

// CheckPlanGrid validates a plan grid before a store writes it. The boundary
// may be empty (a grid carved away entirely by its neighbours is something
// the validation report shows, not something the store refuses) and may
// have several parts; each part must be a valid polygon, and the error names
// the part, ring and point at fault.
func CheckPlanGrid(g *territory.PlanGrid) error {
	if g == nil {
		return errors.New("plan grid is nil")
	}
	switch {
	case strings.TrimSpace(g.Code) == "":
		return territory.Invalid("code", "is required")
	case len(g.Code) > 64:
		return territory.Invalid("code", "is longer than 64 bytes")
	case strings.TrimSpace(g.Name) == "":
		return territory.Invalid("name", "is required")
	case g.DistrictID <= 0:
		return territory.Invalid("district_id", "must be a positive id, got %d", g.DistrictID)
	case g.GridID < 0:
		return territory.Invalid("grid_id", "must not be negative, got %d", g.GridID)
	case g.SuccessorID < 0:
		return territory.Invalid("successor_id", "must not be negative, got %d", g.SuccessorID)
	case g.SuccessorID != 0 && !g.Removed:
		return territory.Invalid("successor_id", "only a removed grid has a successor")
	case g.SuccessorID != 0 && g.SuccessorID == g.ID:
		return territory.Invalid("successor_id", "a grid cannot succeed itself")
	}
	if err := CheckTexts("code", g.Code, "name", g.Name, "updated_by", g.UpdatedBy); err != nil {
		return err
	}
	for i, p := range g.Boundary {
		if err := geo.ValidatePolygon(p); err != nil {
			reason := err.Error()
			if len(g.Boundary) > 1 {
				reason = fmt.Sprintf("polygon %d: %s", i, reason)
			}
			return territory.Invalid("geometry", "%s", reason)
		}
	}
	return nil
}

// StalePlan is the conflict of a plan write based on version when the
// stored plan is at current, last changed by who at when.
func StalePlan(id int64, name string, version, current int, who string, when time.Time) error {
	return &territory.ConflictError{Reason: fmt.Sprintf(
		"plan %d (%s) was changed by %s at %s (it is at version %d, yours is %d): reload it and try again",
		id, name, someone(who), when.UTC().Format("2006-01-02 15:04:05 UTC"), current, version)}
}

// StalePlanGrid is the conflict of a plan grid write based on version when
// the stored grid is at current, last changed by who at when.
func StalePlanGrid(id, planID int64, code string, version, current int, who string, when time.Time) error {
	return &territory.ConflictError{Reason: fmt.Sprintf(
		"grid %s (plan grid %d of plan %d) was changed by %s at %s (it is at version %d, yours is %d): reload it and apply your edit again",
		code, id, planID, someone(who), when.UTC().Format("2006-01-02 15:04:05 UTC"), current, version)}
}

func someone(who string) string {
	if strings.TrimSpace(who) == "" {
		return "someone else"
	}
	return who
}

// PlanNotDraft is the conflict of deleting plan id, which has status st.
func PlanNotDraft(id int64, name string, st territory.PlanStatus) error {
	return &territory.ConflictError{Reason: fmt.Sprintf("plan %d (%s) is %s: only drafts can be deleted", id, name, st)}
}

// AlreadyPublished is the conflict of publishing a second plan while plan
// id is published.
func AlreadyPublished(id int64, name string) error {
	return &territory.ConflictError{Reason: fmt.Sprintf("plan %d (%s) is already published: only one plan is published at a time; archive it first", id, name)}
}

// NumberTaken is the conflict of giving a plan a version number that plan
// id already has.
func NumberTaken(number int, id int64) error {
	return &territory.ConflictError{Reason: fmt.Sprintf("version number %d is already plan %d's", number, id)}
}

// PlanGridCodeTaken is the conflict of two grids of one plan (neither
// removed) with the same code.
func PlanGridCodeTaken(code string, planID, otherID int64) error {
	return &territory.ConflictError{Reason: fmt.Sprintf("grid code %q is already used by plan grid %d of plan %d", code, otherID, planID)}
}

// PlanGridLiveTaken is the conflict of two grids of one plan standing for
// the same live grid.
func PlanGridLiveTaken(gridID, planID, otherID int64) error {
	return &territory.ConflictError{Reason: fmt.Sprintf("live grid %d is already in plan %d as plan grid %d", gridID, planID, otherID)}
}

// CheckPlanBatch checks the grids of a new plan as a whole, before any is
// written: each is valid; no two that are not removed share a code; no two
// stand for the same live grid; and a SuccessorID names another grid of the
// batch by the ID it has in the slice (stores map it to the new id). Errors
// name the row (its index in grids).
func CheckPlanBatch(grids []*territory.PlanGrid) error {
	codes := make(map[string]int, len(grids))
	lives := make(map[int64]int, len(grids))
	given := make(map[int64]int, len(grids))
	for i, g := range grids {
		if g == nil {
			return fmt.Errorf("plan grid row %d: is nil", i)
		}
		if g.ID < 0 {
			return fmt.Errorf("plan grid row %d: %w", i, territory.Invalid("id", "must not be negative, got %d", g.ID))
		}
		if g.ID > 0 {
			if j, ok := given[g.ID]; ok {
				return fmt.Errorf("plan grid rows %d and %d: %w", j, i, territory.Invalid("id", "two grids have the id %d", g.ID))
			}
			given[g.ID] = i
		}
	}
	for i, g := range grids {
		if err := CheckPlanGrid(g); err != nil {
			return fmt.Errorf("plan grid row %d: %w", i, err)
		}
		if !g.Removed {
			if j, ok := codes[g.Code]; ok {
				return &territory.ConflictError{Reason: fmt.Sprintf("plan grid rows %d and %d have the same code %q", j, i, g.Code)}
			}
			codes[g.Code] = i
		}
		if g.GridID != 0 {
			if j, ok := lives[g.GridID]; ok {
				return &territory.ConflictError{Reason: fmt.Sprintf("plan grid rows %d and %d both stand for live grid %d", j, i, g.GridID)}
			}
			lives[g.GridID] = i
		}
		if g.SuccessorID != 0 {
			if _, ok := given[g.SuccessorID]; !ok {
				return fmt.Errorf("plan grid row %d: %w", i, territory.Invalid("successor_id",
					"names no grid of this plan (%d is not the id of another row)", g.SuccessorID))
			}
		}
	}
	return nil
}

// BatchIDs maps the ID each grid of a batch has in the slice (see
// CheckPlanBatch) to the id the store gives it, ids[i] for grids[i].
func BatchIDs(grids []*territory.PlanGrid, ids []int64) map[int64]int64 {
	newID := make(map[int64]int64, len(grids))
	for i, g := range grids {
		if g.ID > 0 {
			newID[g.ID] = ids[i]
		}
	}
	return newID
}

// StoredBatch records on grids what CreatePlan stored: ids[i] is the id of
// grids[i], at[i] its UpdatedAt, planID its plan, and each SuccessorID is
// mapped from the batch's ids to the stored ones.
func StoredBatch(grids []*territory.PlanGrid, planID int64, ids []int64, at []time.Time) {
	newID := BatchIDs(grids, ids)
	for i, g := range grids {
		g.ID, g.PlanID, g.Version, g.UpdatedAt = ids[i], planID, 1, at[i]
		if g.SuccessorID != 0 {
			g.SuccessorID = newID[g.SuccessorID]
		}
	}
}
