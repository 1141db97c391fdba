package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gridplan/data"
	"gridplan/territory"
)

const districtCols = "id, code, name, city, province, boundary"

func scanDistrict(row interface{ Scan(...any) error }) (*territory.District, error) {
	var d territory.District
	var b []byte
	if err := row.Scan(&d.ID, &d.Code, &d.Name, &d.City, &d.Province, &b); err != nil {
		return nil, err
	}
	p, err := data.DecodeMultiPolygon(b)
	if err != nil {
		return nil, fmt.Errorf("district %d: %w", d.ID, err)
	}
	d.Boundary = p
	return &d, nil
}

// CreateDistrict validates d, stores it and sets d.ID.
func (s *Store) CreateDistrict(ctx context.Context, d *territory.District) error {
	if err := d.Validate(); err != nil {
		return err
	}
	b, err := encodeGeom(d.Boundary)
	if err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `INSERT INTO districts (code, name, city, province, boundary) VALUES (?, ?, ?, ?, ?)`,
			d.Code, d.Name, d.City, d.Province, b)
		if isUnique(err) {
			return conflict("district code %q already exists", d.Code)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create district %q: %w", d.Code, err)
		}
		d.ID, err = res.LastInsertId()
		return err
	})
}

// District returns the district with id.
func (s *Store) District(ctx context.Context, id int64) (*territory.District, error) {
	d, err := scanDistrict(s.read().QueryRowContext(ctx, "SELECT "+districtCols+" FROM districts WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, territory.NotFound("district", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: district %d: %w", id, err)
	}
	return d, nil
}

// Districts returns every district by id.
func (s *Store) Districts(ctx context.Context) ([]*territory.District, error) {
	rows, err := s.read().QueryContext(ctx, "SELECT "+districtCols+" FROM districts ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("sqlite: districts: %w", err)
	}
	return collect(rows, scanDistrict)
}

// UpdateDistrict validates d and overwrites the stored district d.ID.
func (s *Store) UpdateDistrict(ctx context.Context, d *territory.District) error {
	if err := d.Validate(); err != nil {
		return err
	}
	b, err := encodeGeom(d.Boundary)
	if err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `UPDATE districts SET code = ?, name = ?, city = ?, province = ?, boundary = ? WHERE id = ?`,
			d.Code, d.Name, d.City, d.Province, b, d.ID)
		if isUnique(err) {
			return conflict("district code %q already exists", d.Code)
		}
		return affected(res, err, "district", d.ID)
	})
}

// DeleteDistrict deletes a district that has no grids left.
func (s *Store) DeleteDistrict(ctx context.Context, id int64) error {
	return s.write(ctx, func(q querier) error {
		var code string
		err := q.QueryRowContext(ctx, "SELECT code FROM districts WHERE id = ?", id).Scan(&code)
		if errors.Is(err, sql.ErrNoRows) {
			return territory.NotFound("district", id)
		}
		if err != nil {
			return fmt.Errorf("sqlite: district %d: %w", id, err)
		}
		var grids int
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM grids WHERE district_id = ?", id).Scan(&grids); err != nil {
			return fmt.Errorf("sqlite: grids of district %d: %w", id, err)
		}
		if grids > 0 {
			return conflict("district %s still has %d grids: delete or move them first", code, grids)
		}
		var planned int
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM plan_grids WHERE district_id = ?", id).Scan(&planned); err != nil {
			return fmt.Errorf("sqlite: plan grids of district %d: %w", id, err)
		}
		if planned > 0 {
			return conflict("district %s still has %d grids in grid plans (drafts or history)", code, planned)
		}
		_, err = q.ExecContext(ctx, "DELETE FROM districts WHERE id = ?", id)
		if err != nil {
			return fmt.Errorf("sqlite: delete district %d: %w", id, err)
		}
		return nil
	})
}

// affected turns an UPDATE/DELETE result into nil, a driver error, or
// NotFound when no row had the id.
func affected(res sql.Result, err error, kind string, id int64) error {
	if err != nil {
		return fmt.Errorf("sqlite: write %s %d: %w", kind, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: write %s %d: %w", kind, id, err)
	}
	if n == 0 {
		return territory.NotFound(kind, id)
	}
	return nil
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: scan: %w", err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: rows: %w", err)
	}
	return out, nil
}
