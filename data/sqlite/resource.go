package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/paulmach/orb/encoding/wkb"

	"gridplan/territory"
)

const resourceCols = "id, name, kind, status, geometry, radius_m, capacity, expected_date"

func scanResource(row interface{ Scan(...any) error }) (*territory.Resource, error) {
	var r territory.Resource
	var b []byte
	var due sql.NullString
	if err := row.Scan(&r.ID, &r.Name, &r.Kind, &r.Status, &b, &r.RadiusM, &r.Capacity, &due); err != nil {
		return nil, err
	}
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("resource %d: decode geometry: %w", r.ID, err)
	}
	r.Geometry = g
	if r.ExpectedDate, err = decodeDate(due); err != nil {
		return nil, fmt.Errorf("resource %d: %w", r.ID, err)
	}
	return &r, nil
}

// resourceArgs are r's columns after id: geometry as WKB and its coverage box.
func resourceArgs(r *territory.Resource) ([]any, error) {
	b, err := encodeGeom(r.Geometry)
	if err != nil {
		return nil, err
	}
	cb := r.CoverageBound()
	return []any{r.Name, r.Kind, r.Status, b, r.RadiusM, r.Capacity, encodeDate(r.ExpectedDate),
		cb.Min[0], cb.Min[1], cb.Max[0], cb.Max[1]}, nil
}

// CreateResource validates r, stores it and sets r.ID.
func (s *Store) CreateResource(ctx context.Context, r *territory.Resource) error {
	if err := r.Validate(); err != nil {
		return err
	}
	args, err := resourceArgs(r)
	if err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `INSERT INTO resources (name, kind, status, geometry, radius_m, capacity, expected_date,
			min_lon, min_lat, max_lon, max_lat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
		if err != nil {
			return fmt.Errorf("sqlite: create resource %q: %w", r.Name, err)
		}
		r.ID, err = res.LastInsertId()
		return err
	})
}

// Resource returns the resource with id.
func (s *Store) Resource(ctx context.Context, id int64) (*territory.Resource, error) {
	r, err := scanResource(s.read().QueryRowContext(ctx, "SELECT "+resourceCols+" FROM resources WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, territory.NotFound("resource", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: resource %d: %w", id, err)
	}
	return r, nil
}

// Resources returns the resources matching f, by id. With a Bound, a
// resource matches when its coverage box (a point grown by its radius)
// meets the bound.
func (s *Store) Resources(ctx context.Context, f territory.ResourceFilter) ([]*territory.Resource, error) {
	var w where
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	if b := f.Bound; b != nil {
		w.add("min_lon <= ? AND max_lon >= ? AND min_lat <= ? AND max_lat >= ?", b.Max[0], b.Min[0], b.Max[1], b.Min[1])
	}
	rows, err := s.read().QueryContext(ctx, "SELECT "+resourceCols+" FROM resources"+w.page(0, 0), w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: resources: %w", err)
	}
	return collect(rows, scanResource)
}

// UpdateResource validates and overwrites resource r.ID.
func (s *Store) UpdateResource(ctx context.Context, r *territory.Resource) error {
	if err := r.Validate(); err != nil {
		return err
	}
	args, err := resourceArgs(r)
	if err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `UPDATE resources SET name = ?, kind = ?, status = ?, geometry = ?, radius_m = ?, capacity = ?,
			expected_date = ?, min_lon = ?, min_lat = ?, max_lon = ?, max_lat = ? WHERE id = ?`, append(args, r.ID)...)
		return affected(res, err, "resource", r.ID)
	})
}

// DeleteResource deletes resource id.
func (s *Store) DeleteResource(ctx context.Context, id int64) error {
	return s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, "DELETE FROM resources WHERE id = ?", id)
		return affected(res, err, "resource", id)
	})
}
