package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"gridplan/data"
	"gridplan/territory"
)

const districtColumns = `id, code, name, city, province, boundary`

func scanDistrict(row pgx.Row) (*territory.District, error) {
	var d territory.District
	var boundary []byte
	if err := row.Scan(&d.ID, &d.Code, &d.Name, &d.City, &d.Province, &boundary); err != nil {
		return nil, err
	}
	p, err := data.DecodeMultiPolygon(boundary)
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
	b, err := marshalGeom("boundary", d.Boundary)
	if err != nil {
		return err
	}
	err = s.db.QueryRow(ctx, `INSERT INTO districts (code, name, city, province, boundary)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		d.Code, d.Name, d.City, d.Province, b).Scan(&d.ID)
	if err != nil {
		return fmt.Errorf("create district %q: %w", d.Code, translate(err))
	}
	return nil
}

// District returns district id.
func (s *Store) District(ctx context.Context, id int64) (*territory.District, error) {
	d, err := scanDistrict(s.db.QueryRow(ctx, `SELECT `+districtColumns+` FROM districts WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "district", id)
	}
	return d, nil
}

// Districts returns every district, by id.
func (s *Store) Districts(ctx context.Context) ([]*territory.District, error) {
	rows, err := s.db.Query(ctx, `SELECT `+districtColumns+` FROM districts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("districts: %w", translate(err))
	}
	ds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*territory.District, error) { return scanDistrict(r) })
	if err != nil {
		return nil, fmt.Errorf("districts: %w", translate(err))
	}
	return ds, nil
}

// UpdateDistrict validates d and replaces the stored district d.ID.
func (s *Store) UpdateDistrict(ctx context.Context, d *territory.District) error {
	if err := d.Validate(); err != nil {
		return err
	}
	b, err := marshalGeom("boundary", d.Boundary)
	if err != nil {
		return err
	}
	tag, err := s.db.Exec(ctx, `UPDATE districts SET code = $2, name = $3, city = $4, province = $5, boundary = $6
		WHERE id = $1`, d.ID, d.Code, d.Name, d.City, d.Province, b)
	if err != nil {
		return fmt.Errorf("update district %d: %w", d.ID, translate(err))
	}
	if tag.RowsAffected() == 0 {
		return territory.NotFound("district", d.ID)
	}
	return nil
}

// DeleteDistrict deletes district id; it is refused (ConflictError) while
// grids belong to it.
func (s *Store) DeleteDistrict(ctx context.Context, id int64) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM districts WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete district %d: %w", id, translateDelete(err, "district", id))
	}
	if tag.RowsAffected() == 0 {
		return territory.NotFound("district", id)
	}
	return nil
}
