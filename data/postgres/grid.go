package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"gridplan/territory"
)

const gridColumns = `id, code, name, district_id, boundary, version, status, updated_at, updated_by`

func scanGrid(row pgx.Row) (*territory.Grid, error) {
	var g territory.Grid
	var boundary []byte
	if err := row.Scan(&g.ID, &g.Code, &g.Name, &g.DistrictID, &boundary, &g.Version, &g.Status, &g.UpdatedAt, &g.UpdatedBy); err != nil {
		return nil, err
	}
	g.UpdatedAt = g.UpdatedAt.UTC()
	p, err := unmarshalPolygon("geometry", boundary)
	if err != nil {
		return nil, fmt.Errorf("grid %d: %w", g.ID, err)
	}
	g.Boundary = p
	return &g, nil
}

// CreateGrid validates g, stores it and sets g.ID, g.Version (1) and
// g.UpdatedAt when zero.
func (s *Store) CreateGrid(ctx context.Context, g *territory.Grid) error {
	if err := g.Validate(); err != nil {
		return err
	}
	b, err := marshalGeom("geometry", g.Boundary)
	if err != nil {
		return err
	}
	updated := stampOr(g.UpdatedAt, now())
	var id int64
	err = s.db.QueryRow(ctx, `INSERT INTO grids (code, name, district_id, boundary, version, status, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, 1, $5, $6, $7) RETURNING id`,
		g.Code, g.Name, g.DistrictID, b, g.Status, updated, g.UpdatedBy).Scan(&id)
	if err != nil {
		return fmt.Errorf("create grid %q: %w", g.Code, translate(err))
	}
	g.ID, g.Version, g.UpdatedAt = id, 1, updated
	return nil
}

// Grid returns grid id.
func (s *Store) Grid(ctx context.Context, id int64) (*territory.Grid, error) {
	g, err := scanGrid(s.db.QueryRow(ctx, `SELECT `+gridColumns+` FROM grids WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "grid", id)
	}
	return g, nil
}

// Grids returns the grids f selects, by id.
func (s *Store) Grids(ctx context.Context, f territory.GridFilter) ([]*territory.Grid, error) {
	var q filter
	if f.DistrictID != 0 {
		q.add("district_id = ?", f.DistrictID)
	}
	if f.Status != "" {
		q.add("status = ?", f.Status)
	}
	rows, err := s.db.Query(ctx, `SELECT `+gridColumns+` FROM grids`+q.page(0, 0), q.args...)
	if err != nil {
		return nil, fmt.Errorf("grids: %w", translate(err))
	}
	gs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*territory.Grid, error) { return scanGrid(r) })
	if err != nil {
		return nil, fmt.Errorf("grids: %w", translate(err))
	}
	return gs, nil
}

// UpdateGrid validates g and replaces grid g.ID if its stored version is
// still g.Version; then g.Version is the new version and g.UpdatedAt now.
// A stale version is a ConflictError and writes nothing.
func (s *Store) UpdateGrid(ctx context.Context, g *territory.Grid) error {
	if err := g.Validate(); err != nil {
		return err
	}
	b, err := marshalGeom("geometry", g.Boundary)
	if err != nil {
		return err
	}
	updated := now()
	var version int
	err = s.db.QueryRow(ctx, `UPDATE grids SET code = $3, name = $4, district_id = $5, boundary = $6,
			status = $7, updated_at = $8, updated_by = $9, version = version + 1
		WHERE id = $1 AND version = $2 RETURNING version`,
		g.ID, g.Version, g.Code, g.Name, g.DistrictID, b, g.Status, updated, g.UpdatedBy).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return s.staleGrid(ctx, "update", g.ID, g.Version)
	}
	if err != nil {
		return fmt.Errorf("update grid %d: %w", g.ID, translate(err))
	}
	g.Version, g.UpdatedAt = version, updated
	return nil
}

// DeleteGrid deletes grid id if its stored version is version. Its
// customers become ungridded; it is refused (ConflictError) while managers
// belong to it.
func (s *Store) DeleteGrid(ctx context.Context, id int64, version int) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM grids WHERE id = $1 AND version = $2`, id, version)
	if err != nil {
		return fmt.Errorf("delete grid %d: %w", id, translateDelete(err, "grid", id))
	}
	if tag.RowsAffected() == 0 {
		return s.staleGrid(ctx, "delete", id, version)
	}
	return nil
}

// staleGrid explains why a versioned write of grid id matched no row: the
// grid is gone (NotFoundError) or was changed since (ConflictError).
func (s *Store) staleGrid(ctx context.Context, op string, id int64, version int) error {
	var current int
	err := s.db.QueryRow(ctx, `SELECT version FROM grids WHERE id = $1`, id).Scan(&current)
	if err != nil {
		return fmt.Errorf("%s grid %d: %w", op, id, notFound(err, "grid", id))
	}
	return &territory.ConflictError{Reason: fmt.Sprintf(
		"grid %d was changed by someone else: it is at version %d, this %s was based on version %d; reload it and try again",
		id, current, op, version)}
}
