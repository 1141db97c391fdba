package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gridplan/territory"
)

const gridCols = "id, code, name, district_id, boundary, version, status, updated_at, updated_by"

func scanGrid(row interface{ Scan(...any) error }) (*territory.Grid, error) {
	var g territory.Grid
	var b []byte
	var at int64
	if err := row.Scan(&g.ID, &g.Code, &g.Name, &g.DistrictID, &b, &g.Version, &g.Status, &at, &g.UpdatedBy); err != nil {
		return nil, err
	}
	p, err := decodePolygon(b)
	if err != nil {
		return nil, fmt.Errorf("grid %d: %w", g.ID, err)
	}
	g.Boundary, g.UpdatedAt = p, fromMicros(at)
	return &g, nil
}

// checkDistrict returns a FieldError on district_id when it names no district.
func checkDistrict(ctx context.Context, q querier, id int64) error {
	ok, err := exists(ctx, q, "districts", id)
	if err == nil && !ok {
		err = territory.Invalid("district_id", "district %d does not exist", id)
	}
	return err
}

// CreateGrid validates g, stores it with Version 1 and sets g.ID (and
// UpdatedAt when zero).
func (s *Store) CreateGrid(ctx context.Context, g *territory.Grid) error {
	if err := g.Validate(); err != nil {
		return err
	}
	b, err := encodeGeom(g.Boundary)
	if err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		if err := checkDistrict(ctx, q, g.DistrictID); err != nil {
			return err
		}
		at := g.UpdatedAt
		stamp(&at, s.now())
		res, err := q.ExecContext(ctx, `INSERT INTO grids (code, name, district_id, boundary, version, status, updated_at, updated_by)
			VALUES (?, ?, ?, ?, 1, ?, ?, ?)`, g.Code, g.Name, g.DistrictID, b, g.Status, micros(at), g.UpdatedBy)
		if isUnique(err) {
			return conflict("grid code %q already exists", g.Code)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create grid %q: %w", g.Code, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		g.ID, g.Version, g.UpdatedAt = id, 1, at
		return nil
	})
}

// Grid returns the grid with id.
func (s *Store) Grid(ctx context.Context, id int64) (*territory.Grid, error) {
	g, err := scanGrid(s.read().QueryRowContext(ctx, "SELECT "+gridCols+" FROM grids WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, territory.NotFound("grid", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: grid %d: %w", id, err)
	}
	return g, nil
}

// Grids returns the grids matching f, by id.
func (s *Store) Grids(ctx context.Context, f territory.GridFilter) ([]*territory.Grid, error) {
	var w where
	if f.DistrictID != 0 {
		w.add("district_id = ?", f.DistrictID)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	rows, err := s.read().QueryContext(ctx, "SELECT "+gridCols+" FROM grids"+w.page(0, 0), w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: grids: %w", err)
	}
	return collect(rows, scanGrid)
}

// UpdateGrid overwrites grid g.ID when g.Version is the stored version, then
// increments g.Version and sets g.UpdatedAt to now. A stale version is a
// conflict and writes nothing.
func (s *Store) UpdateGrid(ctx context.Context, g *territory.Grid) error {
	if err := g.Validate(); err != nil {
		return err
	}
	b, err := encodeGeom(g.Boundary)
	if err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		if _, err := gridVersion(ctx, q, g.ID, g.Version); err != nil {
			return err
		}
		if err := checkDistrict(ctx, q, g.DistrictID); err != nil {
			return err
		}
		at := exact(s.now())
		_, err := q.ExecContext(ctx, `UPDATE grids SET code = ?, name = ?, district_id = ?, boundary = ?, version = version + 1,
			status = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
			g.Code, g.Name, g.DistrictID, b, g.Status, micros(at), g.UpdatedBy, g.ID)
		if isUnique(err) {
			return conflict("grid code %q already exists", g.Code)
		}
		if err != nil {
			return fmt.Errorf("sqlite: update grid %d: %w", g.ID, err)
		}
		g.Version++
		g.UpdatedAt = at
		return nil
	})
}

// gridVersion checks that grid id exists at version and returns its code.
func gridVersion(ctx context.Context, q querier, id int64, version int) (string, error) {
	var stored int
	var code string
	err := q.QueryRowContext(ctx, "SELECT version, code FROM grids WHERE id = ?", id).Scan(&stored, &code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", territory.NotFound("grid", id)
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: grid %d: %w", id, err)
	}
	if stored != version {
		return "", conflict("grid %s was changed by someone else (version %d, yours %d): reload it", code, stored, version)
	}
	return code, nil
}

// DeleteGrid deletes grid id at version; its customers become ungridded. A
// grid that still has managers is not deleted.
func (s *Store) DeleteGrid(ctx context.Context, id int64, version int) error {
	return s.write(ctx, func(q querier) error {
		code, err := gridVersion(ctx, q, id, version)
		if err != nil {
			return err
		}
		var managers int
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM managers WHERE grid_id = ?", id).Scan(&managers); err != nil {
			return fmt.Errorf("sqlite: managers of grid %d: %w", id, err)
		}
		if managers > 0 {
			return conflict("grid %s still has %d managers: move them to another grid first", code, managers)
		}
		// ON DELETE SET NULL ungrids the customers.
		if _, err := q.ExecContext(ctx, "DELETE FROM grids WHERE id = ?", id); err != nil {
			return fmt.Errorf("sqlite: delete grid %d: %w", id, err)
		}
		return nil
	})
}
