package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"gridplan/territory"
)

const resourceColumns = `id, name, kind, status, geometry, radius_m, capacity, expected_date`

func scanResource(row pgx.Row) (*territory.Resource, error) {
	var r territory.Resource
	var geom []byte
	var expected *time.Time
	if err := row.Scan(&r.ID, &r.Name, &r.Kind, &r.Status, &geom, &r.RadiusM, &r.Capacity, &expected); err != nil {
		return nil, err
	}
	g, err := wkb.Unmarshal(geom)
	if err != nil {
		return nil, fmt.Errorf("resource %d: geometry: decode WKB: %w", r.ID, err)
	}
	r.Geometry = g
	if expected != nil {
		// A date comes back as midnight UTC.
		d := time.Date(expected.Year(), expected.Month(), expected.Day(), 0, 0, 0, 0, time.UTC)
		r.ExpectedDate = &d
	}
	return &r, nil
}

// resourceArgs are the column values of r after id: name … max_lat.
func resourceArgs(r *territory.Resource) ([]any, error) {
	g, err := marshalGeom("geometry", r.Geometry)
	if err != nil {
		return nil, err
	}
	b := r.CoverageBound()
	var expected *time.Time
	if r.ExpectedDate != nil {
		// A date column keeps the calendar day the caller meant, in the
		// caller's zone.
		y, m, d := r.ExpectedDate.Date()
		t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		expected = &t
	}
	return []any{r.Name, r.Kind, string(r.Status), g, r.RadiusM, r.Capacity, expected,
		b.Min[0], b.Min[1], b.Max[0], b.Max[1]}, nil
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
	err = s.db.QueryRow(ctx, `INSERT INTO resources (name, kind, status, geometry, radius_m, capacity, expected_date,
			min_lon, min_lat, max_lon, max_lat)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, args...).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("create resource %q: %w", r.Name, translate(err))
	}
	return nil
}

// Resource returns resource id.
func (s *Store) Resource(ctx context.Context, id int64) (*territory.Resource, error) {
	r, err := scanResource(s.db.QueryRow(ctx, `SELECT `+resourceColumns+` FROM resources WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "resource", id)
	}
	return r, nil
}

// Resources returns the resources f selects, by id. With a Bound, a
// resource matches when the bounding box of its coverage (a point resource
// grown by its radius) meets the bound.
func (s *Store) Resources(ctx context.Context, f territory.ResourceFilter) ([]*territory.Resource, error) {
	var q filter
	if f.Status != "" {
		q.add("status = ?", string(f.Status))
	}
	if f.Kind != "" {
		q.add("kind = ?", f.Kind)
	}
	if b := f.Bound; b != nil {
		q.add("max_lon >= ?", b.Min[0])
		q.add("min_lon <= ?", b.Max[0])
		q.add("max_lat >= ?", b.Min[1])
		q.add("min_lat <= ?", b.Max[1])
	}
	rows, err := s.db.Query(ctx, `SELECT `+resourceColumns+` FROM resources`+q.page(0, 0), q.args...)
	if err != nil {
		return nil, fmt.Errorf("resources: %w", translate(err))
	}
	rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*territory.Resource, error) { return scanResource(r) })
	if err != nil {
		return nil, fmt.Errorf("resources: %w", translate(err))
	}
	return rs, nil
}

// UpdateResource validates r and replaces resource r.ID.
func (s *Store) UpdateResource(ctx context.Context, r *territory.Resource) error {
	if err := r.Validate(); err != nil {
		return err
	}
	args, err := resourceArgs(r)
	if err != nil {
		return err
	}
	tag, err := s.db.Exec(ctx, `UPDATE resources SET name = $2, kind = $3, status = $4, geometry = $5, radius_m = $6,
			capacity = $7, expected_date = $8, min_lon = $9, min_lat = $10, max_lon = $11, max_lat = $12
		WHERE id = $1`, append([]any{r.ID}, args...)...)
	if err != nil {
		return fmt.Errorf("update resource %d: %w", r.ID, translate(err))
	}
	if tag.RowsAffected() == 0 {
		return territory.NotFound("resource", r.ID)
	}
	return nil
}

// DeleteResource deletes resource id.
func (s *Store) DeleteResource(ctx context.Context, id int64) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM resources WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete resource %d: %w", id, translateDelete(err, "resource", id))
	}
	if tag.RowsAffected() == 0 {
		return territory.NotFound("resource", id)
	}
	return nil
}
