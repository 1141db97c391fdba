package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gridplan/data"
	"gridplan/territory"
)

var _ territory.PlanStore = (*Store)(nil)

const planCols = `id, name, status, number, base_plan_id, version, note, created_by, created_at, updated_at, updated_by,
	submitted_by, submitted_at, approved_by, approved_at, published_by, published_at`

func scanPlan(row interface{ Scan(...any) error }) (*territory.Plan, error) {
	var p territory.Plan
	var base, submitted, approved, published sql.NullInt64
	var created, updated int64
	err := row.Scan(&p.ID, &p.Name, &p.Status, &p.Number, &base, &p.Version, &p.Note, &p.CreatedBy, &created, &updated,
		&p.UpdatedBy, &p.SubmittedBy, &submitted, &p.ApprovedBy, &approved, &p.PublishedBy, &published)
	if err != nil {
		return nil, err
	}
	p.BasePlanID, p.CreatedAt, p.UpdatedAt = base.Int64, fromMicros(created), fromMicros(updated)
	p.SubmittedAt, p.ApprovedAt, p.PublishedAt = optTime(submitted), optTime(approved), optTime(published)
	return &p, nil
}

func optTime(us sql.NullInt64) *time.Time {
	if !us.Valid {
		return nil
	}
	t := fromMicros(us.Int64)
	return &t
}

// optMicros encodes an optional time and brings the caller's copy to what a
// read returns (UTC, whole microseconds).
func optMicros(t **time.Time) any {
	if *t == nil {
		return nil
	}
	e := exact(**t)
	*t = &e
	return micros(e)
}

const planGridCols = `id, plan_id, grid_id, code, name, district_id, boundary, removed, successor_id, version, updated_by, updated_at`

func scanPlanGrid(row interface{ Scan(...any) error }) (*territory.PlanGrid, error) {
	var g territory.PlanGrid
	var gridID, successor sql.NullInt64
	var b []byte
	var removed int
	var at int64
	err := row.Scan(&g.ID, &g.PlanID, &gridID, &g.Code, &g.Name, &g.DistrictID, &b, &removed, &successor, &g.Version, &g.UpdatedBy, &at)
	if err != nil {
		return nil, err
	}
	mp, err := data.DecodeMultiPolygon(b)
	if err != nil {
		return nil, fmt.Errorf("plan grid %d: %w", g.ID, err)
	}
	g.GridID, g.SuccessorID, g.Removed, g.Boundary, g.UpdatedAt = gridID.Int64, successor.Int64, removed != 0, mp, fromMicros(at)
	return &g, nil
}

// checkPlanRefs checks what a plan refers to and the one-published and
// unique-number rules, against every plan but self (0 on create).
func checkPlanRefs(ctx context.Context, q querier, p *territory.Plan, self int64) error {
	if p.BasePlanID != 0 {
		if p.BasePlanID == self {
			return territory.Invalid("base_plan_id", "a plan cannot be based on itself")
		}
		ok, err := exists(ctx, q, "plans", p.BasePlanID)
		if err != nil {
			return err
		}
		if !ok {
			return territory.Invalid("base_plan_id", "plan %d does not exist", p.BasePlanID)
		}
	}
	if p.Status == territory.PlanPublished {
		var id int64
		var name string
		err := q.QueryRowContext(ctx, "SELECT id, name FROM plans WHERE status = 'published' AND id <> ?", self).Scan(&id, &name)
		if err == nil {
			return data.AlreadyPublished(id, name)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: published plan: %w", err)
		}
	}
	if p.Number > 0 {
		var id int64
		err := q.QueryRowContext(ctx, "SELECT id FROM plans WHERE number = ? AND id <> ?", p.Number, self).Scan(&id)
		if err == nil {
			return data.NumberTaken(p.Number, id)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: plan number %d: %w", p.Number, err)
		}
	}
	return nil
}

// CreatePlan validates p and grids and stores them in one transaction
// (nothing is written when anything is refused). p gets its ID, Version 1,
// and CreatedAt/UpdatedAt (now when zero); each grid gets a fresh ID (an ID
// it had is only used to resolve SuccessorIDs within the batch), the plan's
// id, Version 1 and UpdatedAt (now when zero). Errors about a grid name its
// row in grids.
func (s *Store) CreatePlan(ctx context.Context, p *territory.Plan, grids []*territory.PlanGrid) error {
	if err := data.CheckPlan(p); err != nil {
		return err
	}
	if err := data.CheckPlanBatch(grids); err != nil {
		return err
	}
	blobs := make([][]byte, len(grids))
	for i, g := range grids {
		b, err := encodeGeom(g.Boundary)
		if err != nil {
			return fmt.Errorf("plan grid row %d: %w", i, err)
		}
		blobs[i] = b
	}
	now := exact(s.now())
	created, updated := p.CreatedAt, p.UpdatedAt
	stamp(&created, now)
	stamp(&updated, now)
	gridAt := make([]time.Time, len(grids))
	for i, g := range grids {
		gridAt[i] = g.UpdatedAt
		stamp(&gridAt[i], now)
	}
	// Copies, so that a refused plan leaves the caller's optional times as
	// they were.
	sub, appr, pub := p.SubmittedAt, p.ApprovedAt, p.PublishedAt
	var planID int64
	ids := make([]int64, len(grids))
	err := s.atomic(ctx, func(q querier) error {
		if err := checkPlanRefs(ctx, q, p, 0); err != nil {
			return err
		}
		if err := checkDistricts(ctx, q, grids); err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, `INSERT INTO plans (name, status, number, base_plan_id, version, note, created_by,
				created_at, updated_at, updated_by, submitted_by, submitted_at, approved_by, approved_at, published_by, published_at)
				VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.Name, p.Status, p.Number, nullID(p.BasePlanID), p.Note, p.CreatedBy, micros(created), micros(updated), p.UpdatedBy,
			p.SubmittedBy, optMicros(&sub), p.ApprovedBy, optMicros(&appr), p.PublishedBy, optMicros(&pub))
		if isUnique(err) {
			return conflict("plan %q clashes with another plan's status or number", p.Name)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create plan %q: %w", p.Name, err)
		}
		if planID, err = res.LastInsertId(); err != nil {
			return err
		}
		if len(grids) == 0 {
			return nil
		}
		next, err := nextID(ctx, q, "plan_grids", 0)
		if err != nil {
			return err
		}
		newID := make(map[int64]int64, len(grids))
		for i, g := range grids {
			ids[i] = next + int64(i)
			if g.ID > 0 {
				newID[g.ID] = ids[i]
			}
		}
		// Successors are set after every row exists: one may name a row
		// further down the batch.
		in, err := newInserter(ctx, q, "plan_grids", planGridCols)
		if err != nil {
			return err
		}
		defer in.close()
		for i, g := range grids {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			err := in.add(ctx, i, ids[i], planID, nullID(g.GridID), g.Code, g.Name, g.DistrictID, blobs[i], boolInt(g.Removed),
				nil, 1, g.UpdatedBy, micros(gridAt[i]))
			if err != nil {
				return err
			}
		}
		if err := in.flush(ctx); err != nil {
			return err
		}
		for i, g := range grids {
			if g.SuccessorID == 0 {
				continue
			}
			if _, err := q.ExecContext(ctx, "UPDATE plan_grids SET successor_id = ? WHERE id = ?", newID[g.SuccessorID], ids[i]); err != nil {
				return fmt.Errorf("sqlite: plan grid row %d: successor: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	data.StoredBatch(grids, planID, ids, gridAt)
	p.ID, p.Version, p.CreatedAt, p.UpdatedAt = planID, 1, created, updated
	p.SubmittedAt, p.ApprovedAt, p.PublishedAt = sub, appr, pub
	return nil
}

// checkDistricts returns a FieldError on district_id naming the first row
// of grids whose district does not exist.
func checkDistricts(ctx context.Context, q querier, grids []*territory.PlanGrid) error {
	known := map[int64]bool{}
	for i, g := range grids {
		ok, seen := known[g.DistrictID]
		if !seen {
			var err error
			if ok, err = exists(ctx, q, "districts", g.DistrictID); err != nil {
				return err
			}
			known[g.DistrictID] = ok
		}
		if !ok {
			return fmt.Errorf("plan grid row %d: %w", i, territory.Invalid("district_id", "district %d does not exist", g.DistrictID))
		}
	}
	return nil
}

// Plan returns plan id.
func (s *Store) Plan(ctx context.Context, id int64) (*territory.Plan, error) {
	p, err := scanPlan(s.read().QueryRowContext(ctx, "SELECT "+planCols+" FROM plans WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, territory.NotFound("plan", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: plan %d: %w", id, err)
	}
	return p, nil
}

// planOrder is "newest first": by publication for plans that were
// published (so the history reads in version order even when an older
// draft was published later), by creation for the others, then by id.
const planOrder = " ORDER BY coalesce(published_at, created_at) DESC, id DESC"

// Plans returns the plans f selects, newest first.
func (s *Store) Plans(ctx context.Context, f territory.PlanFilter) ([]*territory.Plan, error) {
	if f.Limit < 0 {
		return nil, territory.Invalid("limit", "must not be negative, got %d", f.Limit)
	}
	var w where
	if len(f.Statuses) > 0 {
		marks := make([]string, len(f.Statuses))
		args := make([]any, len(f.Statuses))
		for i, st := range f.Statuses {
			if !data.KnownPlanStatus(st) {
				return nil, territory.Invalid("status", "unknown plan status %q", st)
			}
			marks[i], args[i] = "?", string(st)
		}
		w.add("status IN ("+strings.Join(marks, ", ")+")", args...)
	}
	q := "SELECT " + planCols + " FROM plans" + w.String() + planOrder
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.read().QueryContext(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: plans: %w", err)
	}
	return collect(rows, scanPlan)
}

// UpdatePlan overwrites plan p.ID's name, status, number, base, note, who
// changed it and the submit/approve/publish stamps when p.Version is the
// stored version, then increments p.Version and sets p.UpdatedAt to now.
// Who created it and when stay as stored and are copied into p. A stale
// version is a ConflictError naming who changed the plan and when; it
// writes nothing.
func (s *Store) UpdatePlan(ctx context.Context, p *territory.Plan) error {
	if err := data.CheckPlan(p); err != nil {
		return err
	}
	sub, appr, pub := p.SubmittedAt, p.ApprovedAt, p.PublishedAt
	var createdBy string
	var created int64
	at := exact(s.now())
	err := s.write(ctx, func(q querier) error {
		var version int
		var name, by string
		var updated int64
		err := q.QueryRowContext(ctx, "SELECT version, name, updated_by, updated_at, created_by, created_at FROM plans WHERE id = ?", p.ID).
			Scan(&version, &name, &by, &updated, &createdBy, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return territory.NotFound("plan", p.ID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: plan %d: %w", p.ID, err)
		}
		if version != p.Version {
			return data.StalePlan(p.ID, name, p.Version, version, by, fromMicros(updated))
		}
		if err := checkPlanRefs(ctx, q, p, p.ID); err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `UPDATE plans SET name = ?, status = ?, number = ?, base_plan_id = ?, version = version + 1,
				note = ?, updated_at = ?, updated_by = ?, submitted_by = ?, submitted_at = ?, approved_by = ?, approved_at = ?,
				published_by = ?, published_at = ? WHERE id = ?`,
			p.Name, p.Status, p.Number, nullID(p.BasePlanID), p.Note, micros(at), p.UpdatedBy,
			p.SubmittedBy, optMicros(&sub), p.ApprovedBy, optMicros(&appr), p.PublishedBy, optMicros(&pub), p.ID)
		if isUnique(err) {
			return conflict("plan %d clashes with another plan's status or number", p.ID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: update plan %d: %w", p.ID, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	p.Version++
	p.UpdatedAt, p.CreatedBy, p.CreatedAt = at, createdBy, fromMicros(created)
	p.SubmittedAt, p.ApprovedAt, p.PublishedAt = sub, appr, pub
	return nil
}

// DeletePlan deletes draft id and its grids. A plan in any other status is
// a ConflictError: the history is kept, and a plan waiting for approval is
// sent back to draft first.
func (s *Store) DeletePlan(ctx context.Context, id int64) error {
	return s.write(ctx, func(q querier) error {
		var name string
		var st territory.PlanStatus
		err := q.QueryRowContext(ctx, "SELECT name, status FROM plans WHERE id = ?", id).Scan(&name, &st)
		if errors.Is(err, sql.ErrNoRows) {
			return territory.NotFound("plan", id)
		}
		if err != nil {
			return fmt.Errorf("sqlite: plan %d: %w", id, err)
		}
		if st != territory.PlanDraft {
			return data.PlanNotDraft(id, name, st)
		}
		// ON DELETE CASCADE takes the grids.
		if _, err := q.ExecContext(ctx, "DELETE FROM plans WHERE id = ?", id); err != nil {
			return fmt.Errorf("sqlite: delete plan %d: %w", id, err)
		}
		return nil
	})
}

// PlanGrids returns plan planID's grids by id (removed ones included); a
// missing plan is NotFound.
func (s *Store) PlanGrids(ctx context.Context, planID int64) ([]*territory.PlanGrid, error) {
	q := s.read()
	ok, err := exists(ctx, q, "plans", planID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, territory.NotFound("plan", planID)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+planGridCols+" FROM plan_grids WHERE plan_id = ? ORDER BY id", planID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: grids of plan %d: %w", planID, err)
	}
	return collect(rows, scanPlanGrid)
}

// PlanGrid returns plan grid id.
func (s *Store) PlanGrid(ctx context.Context, id int64) (*territory.PlanGrid, error) {
	g, err := scanPlanGrid(s.read().QueryRowContext(ctx, "SELECT "+planGridCols+" FROM plan_grids WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, territory.NotFound("plan grid", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: plan grid %d: %w", id, err)
	}
	return g, nil
}

// checkPlanGridRefs checks a plan grid of plan g.PlanID against the rest of
// its plan (self is its own id, 0 on create): its district exists, its
// successor is another grid of the plan, its code (unless removed) and its
// live grid are not another grid's.
func checkPlanGridRefs(ctx context.Context, q querier, g *territory.PlanGrid, self int64) error {
	if err := checkDistrict(ctx, q, g.DistrictID); err != nil {
		return err
	}
	if g.SuccessorID != 0 {
		var plan int64
		err := q.QueryRowContext(ctx, "SELECT plan_id FROM plan_grids WHERE id = ?", g.SuccessorID).Scan(&plan)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && plan != g.PlanID) {
			return territory.Invalid("successor_id", "plan grid %d is not a grid of plan %d", g.SuccessorID, g.PlanID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: plan grid %d: %w", g.SuccessorID, err)
		}
	}
	if !g.Removed {
		var other int64
		err := q.QueryRowContext(ctx, "SELECT id FROM plan_grids WHERE plan_id = ? AND code = ? AND removed = 0 AND id <> ?",
			g.PlanID, g.Code, self).Scan(&other)
		if err == nil {
			return data.PlanGridCodeTaken(g.Code, g.PlanID, other)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: plan grid code %q: %w", g.Code, err)
		}
	}
	if g.GridID != 0 {
		var other int64
		err := q.QueryRowContext(ctx, "SELECT id FROM plan_grids WHERE plan_id = ? AND grid_id = ? AND id <> ?",
			g.PlanID, g.GridID, self).Scan(&other)
		if err == nil {
			return data.PlanGridLiveTaken(g.GridID, g.PlanID, other)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: plan grid of live grid %d: %w", g.GridID, err)
		}
	}
	return nil
}

// CreatePlanGrid validates g and adds it to plan g.PlanID with Version 1; g
// gets its ID and UpdatedAt (now when zero).
func (s *Store) CreatePlanGrid(ctx context.Context, g *territory.PlanGrid) error {
	if err := data.CheckPlanGrid(g); err != nil {
		return err
	}
	if g.PlanID <= 0 {
		return territory.Invalid("plan_id", "must be a positive id, got %d", g.PlanID)
	}
	b, err := encodeGeom(g.Boundary)
	if err != nil {
		return err
	}
	at := g.UpdatedAt
	stamp(&at, s.now())
	var id int64
	err = s.write(ctx, func(q querier) error {
		ok, err := exists(ctx, q, "plans", g.PlanID)
		if err != nil {
			return err
		}
		if !ok {
			return territory.Invalid("plan_id", "plan %d does not exist", g.PlanID)
		}
		if err := checkPlanGridRefs(ctx, q, g, 0); err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, `INSERT INTO plan_grids (plan_id, grid_id, code, name, district_id, boundary, removed,
				successor_id, version, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			g.PlanID, nullID(g.GridID), g.Code, g.Name, g.DistrictID, b, boolInt(g.Removed), nullID(g.SuccessorID), g.UpdatedBy, micros(at))
		if err != nil {
			return fmt.Errorf("sqlite: create plan grid %q: %w", g.Code, err)
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return err
	}
	g.ID, g.Version, g.UpdatedAt = id, 1, at
	return nil
}

// UpdatePlanGrid overwrites plan grid g.ID (code, name, district, live
// grid, boundary, removed, successor, who) when g.Version is the stored
// version, then increments g.Version and sets g.UpdatedAt to now. A grid
// stays in its plan: g.PlanID 0 is filled in, another plan is refused. A
// stale version is a ConflictError naming who changed the grid and when;
// it writes nothing.
func (s *Store) UpdatePlanGrid(ctx context.Context, g *territory.PlanGrid) error {
	if err := data.CheckPlanGrid(g); err != nil {
		return err
	}
	b, err := encodeGeom(g.Boundary)
	if err != nil {
		return err
	}
	at := exact(s.now())
	var planID int64
	err = s.write(ctx, func(q querier) error {
		var version int
		var code, by string
		var updated int64
		err := q.QueryRowContext(ctx, "SELECT plan_id, version, code, updated_by, updated_at FROM plan_grids WHERE id = ?", g.ID).
			Scan(&planID, &version, &code, &by, &updated)
		if errors.Is(err, sql.ErrNoRows) {
			return territory.NotFound("plan grid", g.ID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: plan grid %d: %w", g.ID, err)
		}
		if g.PlanID != 0 && g.PlanID != planID {
			return territory.Invalid("plan_id", "plan grid %d belongs to plan %d, not %d", g.ID, planID, g.PlanID)
		}
		if version != g.Version {
			return data.StalePlanGrid(g.ID, planID, code, g.Version, version, by, fromMicros(updated))
		}
		check := *g
		check.PlanID = planID
		if err := checkPlanGridRefs(ctx, q, &check, g.ID); err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, `UPDATE plan_grids SET grid_id = ?, code = ?, name = ?, district_id = ?, boundary = ?,
				removed = ?, successor_id = ?, version = version + 1, updated_by = ?, updated_at = ? WHERE id = ?`,
			nullID(g.GridID), g.Code, g.Name, g.DistrictID, b, boolInt(g.Removed), nullID(g.SuccessorID), g.UpdatedBy, micros(at), g.ID)
		if err != nil {
			return fmt.Errorf("sqlite: update plan grid %d: %w", g.ID, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	g.PlanID, g.UpdatedAt = planID, at
	g.Version++
	return nil
}
