package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"gridplan/data"
	"gridplan/territory"
)

var _ territory.PlanStore = (*Store)(nil)

// The partial unique indexes of 00003 (PostgreSQL reports a unique index's
// name as the violated constraint).
const (
	onePublishedPlan = "plans_one_published_idx"
	planNumberKey    = "plans_number_idx"
	planGridCodeKey  = "plan_grids_code_idx"
	planGridLiveKey  = "plan_grids_grid_id_idx"
)

const planColumns = `id, name, status, number, base_plan_id, version, note, created_by, created_at, updated_at, updated_by,
	submitted_by, submitted_at, approved_by, approved_at, published_by, published_at`

func scanPlan(row pgx.Row) (*territory.Plan, error) {
	var p territory.Plan
	var base *int64
	err := row.Scan(&p.ID, &p.Name, &p.Status, &p.Number, &base, &p.Version, &p.Note, &p.CreatedBy, &p.CreatedAt, &p.UpdatedAt,
		&p.UpdatedBy, &p.SubmittedBy, &p.SubmittedAt, &p.ApprovedBy, &p.ApprovedAt, &p.PublishedBy, &p.PublishedAt)
	if err != nil {
		return nil, err
	}
	p.BasePlanID = idOrZero(base)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	for _, t := range []**time.Time{&p.SubmittedAt, &p.ApprovedAt, &p.PublishedAt} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
	return &p, nil
}

// optStamp brings an optional time to what a timestamptz round trip returns.
func optStamp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	s := stamp(*t)
	return &s
}

const planGridColumns = `id, plan_id, grid_id, code, name, district_id, boundary, removed, successor_id, version, updated_by, updated_at`

func scanPlanGrid(row pgx.Row) (*territory.PlanGrid, error) {
	var g territory.PlanGrid
	var gridID, successor *int64
	var b []byte
	err := row.Scan(&g.ID, &g.PlanID, &gridID, &g.Code, &g.Name, &g.DistrictID, &b, &g.Removed, &successor, &g.Version, &g.UpdatedBy, &g.UpdatedAt)
	if err != nil {
		return nil, err
	}
	mp, err := data.DecodeMultiPolygon(b)
	if err != nil {
		return nil, fmt.Errorf("plan grid %d: %w", g.ID, err)
	}
	g.GridID, g.SuccessorID, g.Boundary, g.UpdatedAt = idOrZero(gridID), idOrZero(successor), mp, g.UpdatedAt.UTC()
	return &g, nil
}

// translatePlan is translate with the plan tables' partial unique indexes
// explained; the checks before each write find these first, so they are
// what a concurrent writer (another replica) runs into.
func translatePlan(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == codeUnique {
		switch pe.ConstraintName {
		case onePublishedPlan:
			return &territory.ConflictError{Reason: "another plan was published meanwhile: only one plan is published at a time"}
		case planNumberKey:
			return &territory.ConflictError{Reason: "another plan took this version number meanwhile"}
		case planGridCodeKey:
			return &territory.ConflictError{Reason: "another grid of the plan has this code"}
		case planGridLiveKey:
			return &territory.ConflictError{Reason: "another grid of the plan stands for this live grid"}
		}
	}
	return translate(err)
}

// checkPlanRefs checks what a plan refers to and the one-published and
// unique-number rules, against every plan but self (0 on create).
func (s *Store) checkPlanRefs(ctx context.Context, p *territory.Plan, self int64) error {
	if p.BasePlanID != 0 {
		if p.BasePlanID == self {
			return territory.Invalid("base_plan_id", "a plan cannot be based on itself")
		}
		var one int
		err := s.db.QueryRow(ctx, `SELECT 1 FROM plans WHERE id = $1`, p.BasePlanID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return territory.Invalid("base_plan_id", "plan %d does not exist", p.BasePlanID)
		}
		if err != nil {
			return fmt.Errorf("base plan %d: %w", p.BasePlanID, translate(err))
		}
	}
	if p.Status == territory.PlanPublished {
		var id int64
		var name string
		err := s.db.QueryRow(ctx, `SELECT id, name FROM plans WHERE status = 'published' AND id <> $1`, self).Scan(&id, &name)
		if err == nil {
			return data.AlreadyPublished(id, name)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("published plan: %w", translate(err))
		}
	}
	if p.Number > 0 {
		var id int64
		err := s.db.QueryRow(ctx, `SELECT id FROM plans WHERE number = $1 AND id <> $2`, p.Number, self).Scan(&id)
		if err == nil {
			return data.NumberTaken(p.Number, id)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("plan number %d: %w", p.Number, translate(err))
		}
	}
	return nil
}

// checkDistricts returns a FieldError on district_id naming the first row
// of grids whose district does not exist.
func (s *Store) checkDistricts(ctx context.Context, grids []*territory.PlanGrid) error {
	want := make([]int64, 0, 8)
	seen := map[int64]bool{}
	for _, g := range grids {
		if !seen[g.DistrictID] {
			seen[g.DistrictID] = true
			want = append(want, g.DistrictID)
		}
	}
	if len(want) == 0 {
		return nil
	}
	rows, err := s.db.Query(ctx, `SELECT id FROM districts WHERE id = ANY($1)`, want)
	if err != nil {
		return fmt.Errorf("districts: %w", translate(err))
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("districts: %w", translate(err))
	}
	ok := make(map[int64]bool, len(found))
	for _, id := range found {
		ok[id] = true
	}
	for i, g := range grids {
		if !ok[g.DistrictID] {
			return fmt.Errorf("plan grid row %d: %w", i, territory.Invalid("district_id", "district %d does not exist", g.DistrictID))
		}
	}
	return nil
}

// CreatePlan validates p and grids and stores them in one transaction
// (nothing is written when anything is refused). p gets its ID, Version 1,
// and CreatedAt/UpdatedAt (now when zero); each grid gets a fresh ID (an ID
// it had is only used to resolve SuccessorIDs within the batch), the plan's
// id, Version 1 and UpdatedAt (now when zero). Errors about a grid name its
// row in grids. The grids are written with COPY.
func (s *Store) CreatePlan(ctx context.Context, p *territory.Plan, grids []*territory.PlanGrid) error {
	if err := data.CheckPlan(p); err != nil {
		return err
	}
	if err := data.CheckPlanBatch(grids); err != nil {
		return err
	}
	blobs := make([][]byte, len(grids))
	for i, g := range grids {
		b, err := marshalGeom("geometry", g.Boundary)
		if err != nil {
			return fmt.Errorf("plan grid row %d: %w", i, err)
		}
		blobs[i] = b
	}
	at := now()
	created, updated := stampOr(p.CreatedAt, at), stampOr(p.UpdatedAt, at)
	gridAt := make([]time.Time, len(grids))
	for i, g := range grids {
		gridAt[i] = stampOr(g.UpdatedAt, at)
	}
	sub, appr, pub := optStamp(p.SubmittedAt), optStamp(p.ApprovedAt), optStamp(p.PublishedAt)
	var planID int64
	var ids []int64
	err := s.inTxStore(ctx, func(tx *Store) error {
		if err := tx.checkPlanRefs(ctx, p, 0); err != nil {
			return err
		}
		if err := tx.checkDistricts(ctx, grids); err != nil {
			return err
		}
		err := tx.db.QueryRow(ctx, `INSERT INTO plans (name, status, number, base_plan_id, version, note, created_by,
				created_at, updated_at, updated_by, submitted_by, submitted_at, approved_by, approved_at, published_by, published_at)
				VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			p.Name, p.Status, p.Number, nullID(p.BasePlanID), p.Note, p.CreatedBy, created, updated, p.UpdatedBy,
			p.SubmittedBy, sub, p.ApprovedBy, appr, p.PublishedBy, pub).Scan(&planID)
		if err != nil {
			return fmt.Errorf("create plan %q: %w", p.Name, translatePlan(err))
		}
		if len(grids) == 0 {
			return nil
		}
		if ids, err = tx.reserveIDs(ctx, "plan_grids_id_seq", len(grids)); err != nil {
			return fmt.Errorf("plan grids: %w", err)
		}
		newID := data.BatchIDs(grids, ids)
		// Successors are set after every row exists: one may name a row
		// further down the batch.
		src := pgx.CopyFromSlice(len(grids), func(i int) ([]any, error) {
			g := grids[i]
			return []any{ids[i], planID, nullID(g.GridID), g.Code, g.Name, g.DistrictID, blobs[i], g.Removed, nil, 1,
				g.UpdatedBy, gridAt[i]}, nil
		})
		cols := []string{"id", "plan_id", "grid_id", "code", "name", "district_id", "boundary", "removed", "successor_id",
			"version", "updated_by", "updated_at"}
		if _, err := tx.db.CopyFrom(ctx, pgx.Identifier{"plan_grids"}, cols, src); err != nil {
			return fmt.Errorf("plan grids: %w", translatePlan(err))
		}
		var from, to []int64
		for i, g := range grids {
			if g.SuccessorID != 0 {
				from, to = append(from, ids[i]), append(to, newID[g.SuccessorID])
			}
		}
		if len(from) > 0 {
			_, err := tx.db.Exec(ctx, `UPDATE plan_grids p SET successor_id = s.successor
				FROM unnest($1::bigint[], $2::bigint[]) AS s(id, successor) WHERE p.id = s.id`, from, to)
			if err != nil {
				return fmt.Errorf("plan grid successors: %w", translatePlan(err))
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

// Plan returns plan id.
func (s *Store) Plan(ctx context.Context, id int64) (*territory.Plan, error) {
	p, err := scanPlan(s.db.QueryRow(ctx, `SELECT `+planColumns+` FROM plans WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "plan", id)
	}
	return p, nil
}

// planOrder is "newest first": by publication for plans that were
// published (so the history reads in version order even when an older
// draft was published later), by creation for the others, then by id.
const planOrder = ` ORDER BY coalesce(published_at, created_at) DESC, id DESC`

// Plans returns the plans f selects, newest first.
func (s *Store) Plans(ctx context.Context, f territory.PlanFilter) ([]*territory.Plan, error) {
	if f.Limit < 0 {
		return nil, territory.Invalid("limit", "must not be negative, got %d", f.Limit)
	}
	var q filter
	if len(f.Statuses) > 0 {
		sts := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			if !data.KnownPlanStatus(st) {
				return nil, territory.Invalid("status", "unknown plan status %q", st)
			}
			sts[i] = string(st)
		}
		q.add("status = ANY(?)", sts)
	}
	sql := `SELECT ` + planColumns + ` FROM plans` + q.where() + planOrder
	if f.Limit > 0 {
		q.args = append(q.args, f.Limit)
		sql += fmt.Sprintf(" LIMIT $%d", len(q.args))
	}
	rows, err := s.db.Query(ctx, sql, q.args...)
	if err != nil {
		return nil, fmt.Errorf("plans: %w", translate(err))
	}
	ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*territory.Plan, error) { return scanPlan(r) })
	if err != nil {
		return nil, fmt.Errorf("plans: %w", translate(err))
	}
	return ps, nil
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
	sub, appr, pub := optStamp(p.SubmittedAt), optStamp(p.ApprovedAt), optStamp(p.PublishedAt)
	at := now()
	var version int
	var createdBy string
	var created time.Time
	err := s.inTxStore(ctx, func(tx *Store) error {
		// Lock the row and check the version first: a stale edit is told
		// so, whatever else may be wrong with it.
		var stored int
		var name, by string
		var updated time.Time
		err := tx.db.QueryRow(ctx, `SELECT version, name, updated_by, updated_at FROM plans WHERE id = $1 FOR UPDATE`, p.ID).
			Scan(&stored, &name, &by, &updated)
		if err != nil {
			return notFound(err, "plan", p.ID)
		}
		if stored != p.Version {
			return data.StalePlan(p.ID, name, p.Version, stored, by, updated)
		}
		if err := tx.checkPlanRefs(ctx, p, p.ID); err != nil {
			return err
		}
		err = tx.db.QueryRow(ctx, `UPDATE plans SET name = $3, status = $4, number = $5, base_plan_id = $6,
				version = version + 1, note = $7, updated_at = $8, updated_by = $9, submitted_by = $10, submitted_at = $11,
				approved_by = $12, approved_at = $13, published_by = $14, published_at = $15
			WHERE id = $1 AND version = $2 RETURNING version, created_by, created_at`,
			p.ID, p.Version, p.Name, p.Status, p.Number, nullID(p.BasePlanID), p.Note, at, p.UpdatedBy,
			p.SubmittedBy, sub, p.ApprovedBy, appr, p.PublishedBy, pub).Scan(&version, &createdBy, &created)
		if err != nil {
			return fmt.Errorf("update plan %d: %w", p.ID, translatePlan(err))
		}
		return nil
	})
	if err != nil {
		return err
	}
	p.Version, p.UpdatedAt, p.CreatedBy, p.CreatedAt = version, at, createdBy, created.UTC()
	p.SubmittedAt, p.ApprovedAt, p.PublishedAt = sub, appr, pub
	return nil
}

// DeletePlan deletes draft id and its grids. A plan in any other status is
// a ConflictError: the history is kept, and a plan waiting for approval is
// sent back to draft first.
func (s *Store) DeletePlan(ctx context.Context, id int64) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM plans WHERE id = $1 AND status = 'draft'`, id)
	if err != nil {
		return fmt.Errorf("delete plan %d: %w", id, translatePlan(err))
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	var name string
	var st territory.PlanStatus
	if err := s.db.QueryRow(ctx, `SELECT name, status FROM plans WHERE id = $1`, id).Scan(&name, &st); err != nil {
		return notFound(err, "plan", id)
	}
	return data.PlanNotDraft(id, name, st)
}

// PlanGrids returns plan planID's grids by id (removed ones included); a
// missing plan is NotFound.
func (s *Store) PlanGrids(ctx context.Context, planID int64) ([]*territory.PlanGrid, error) {
	rows, err := s.db.Query(ctx, `SELECT `+planGridColumns+` FROM plan_grids WHERE plan_id = $1 ORDER BY id`, planID)
	if err != nil {
		return nil, fmt.Errorf("grids of plan %d: %w", planID, translate(err))
	}
	gs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*territory.PlanGrid, error) { return scanPlanGrid(r) })
	if err != nil {
		return nil, fmt.Errorf("grids of plan %d: %w", planID, translate(err))
	}
	if len(gs) == 0 {
		// No grids: an empty plan, or no plan at all.
		var one int
		if err := s.db.QueryRow(ctx, `SELECT 1 FROM plans WHERE id = $1`, planID).Scan(&one); err != nil {
			return nil, notFound(err, "plan", planID)
		}
	}
	return gs, nil
}

// PlanGrid returns plan grid id.
func (s *Store) PlanGrid(ctx context.Context, id int64) (*territory.PlanGrid, error) {
	g, err := scanPlanGrid(s.db.QueryRow(ctx, `SELECT `+planGridColumns+` FROM plan_grids WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "plan grid", id)
	}
	return g, nil
}

// checkPlanGridRefs checks a plan grid of plan g.PlanID against the rest of
// its plan (self is its own id, 0 on create): its district exists, its
// successor is another grid of the plan, its code (unless removed) and its
// live grid are not another grid's.
func (s *Store) checkPlanGridRefs(ctx context.Context, g *territory.PlanGrid, self int64) error {
	var one int
	err := s.db.QueryRow(ctx, `SELECT 1 FROM districts WHERE id = $1`, g.DistrictID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return territory.Invalid("district_id", "district %d does not exist", g.DistrictID)
	}
	if err != nil {
		return fmt.Errorf("district %d: %w", g.DistrictID, translate(err))
	}
	if g.SuccessorID != 0 {
		var plan int64
		err := s.db.QueryRow(ctx, `SELECT plan_id FROM plan_grids WHERE id = $1`, g.SuccessorID).Scan(&plan)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && plan != g.PlanID) {
			return territory.Invalid("successor_id", "plan grid %d is not a grid of plan %d", g.SuccessorID, g.PlanID)
		}
		if err != nil {
			return fmt.Errorf("plan grid %d: %w", g.SuccessorID, translate(err))
		}
	}
	if !g.Removed {
		var other int64
		err := s.db.QueryRow(ctx, `SELECT id FROM plan_grids WHERE plan_id = $1 AND code = $2 AND NOT removed AND id <> $3`,
			g.PlanID, g.Code, self).Scan(&other)
		if err == nil {
			return data.PlanGridCodeTaken(g.Code, g.PlanID, other)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("plan grid code %q: %w", g.Code, translate(err))
		}
	}
	if g.GridID != 0 {
		var other int64
		err := s.db.QueryRow(ctx, `SELECT id FROM plan_grids WHERE plan_id = $1 AND grid_id = $2 AND id <> $3`,
			g.PlanID, g.GridID, self).Scan(&other)
		if err == nil {
			return data.PlanGridLiveTaken(g.GridID, g.PlanID, other)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("plan grid of live grid %d: %w", g.GridID, translate(err))
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
	b, err := marshalGeom("geometry", g.Boundary)
	if err != nil {
		return err
	}
	at := stampOr(g.UpdatedAt, now())
	var id int64
	err = s.inTxStore(ctx, func(tx *Store) error {
		var one int
		err := tx.db.QueryRow(ctx, `SELECT 1 FROM plans WHERE id = $1`, g.PlanID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return territory.Invalid("plan_id", "plan %d does not exist", g.PlanID)
		}
		if err != nil {
			return fmt.Errorf("plan %d: %w", g.PlanID, translate(err))
		}
		if err := tx.checkPlanGridRefs(ctx, g, 0); err != nil {
			return err
		}
		err = tx.db.QueryRow(ctx, `INSERT INTO plan_grids (plan_id, grid_id, code, name, district_id, boundary, removed,
				successor_id, version, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10) RETURNING id`,
			g.PlanID, nullID(g.GridID), g.Code, g.Name, g.DistrictID, b, g.Removed, nullID(g.SuccessorID), g.UpdatedBy, at).Scan(&id)
		if err != nil {
			return fmt.Errorf("create plan grid %q: %w", g.Code, translatePlan(err))
		}
		return nil
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
	b, err := marshalGeom("geometry", g.Boundary)
	if err != nil {
		return err
	}
	at := now()
	var planID int64
	var version int
	err = s.inTxStore(ctx, func(tx *Store) error {
		// Lock the row: the checks below and the write see one state.
		var stored int
		var code, by string
		var updated time.Time
		err := tx.db.QueryRow(ctx, `SELECT plan_id, version, code, updated_by, updated_at FROM plan_grids WHERE id = $1 FOR UPDATE`, g.ID).
			Scan(&planID, &stored, &code, &by, &updated)
		if err != nil {
			return notFound(err, "plan grid", g.ID)
		}
		if g.PlanID != 0 && g.PlanID != planID {
			return territory.Invalid("plan_id", "plan grid %d belongs to plan %d, not %d", g.ID, planID, g.PlanID)
		}
		if stored != g.Version {
			return data.StalePlanGrid(g.ID, planID, code, g.Version, stored, by, updated)
		}
		check := *g
		check.PlanID = planID
		if err := tx.checkPlanGridRefs(ctx, &check, g.ID); err != nil {
			return err
		}
		err = tx.db.QueryRow(ctx, `UPDATE plan_grids SET grid_id = $2, code = $3, name = $4, district_id = $5, boundary = $6,
				removed = $7, successor_id = $8, version = version + 1, updated_by = $9, updated_at = $10
			WHERE id = $1 RETURNING version`,
			g.ID, nullID(g.GridID), g.Code, g.Name, g.DistrictID, b, g.Removed, nullID(g.SuccessorID), g.UpdatedBy, at).Scan(&version)
		if err != nil {
			return fmt.Errorf("update plan grid %d: %w", g.ID, translatePlan(err))
		}
		return nil
	})
	if err != nil {
		return err
	}
	g.PlanID, g.Version, g.UpdatedAt = planID, version, at
	return nil
}
