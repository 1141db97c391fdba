package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/territory"
)

const resourceColumns = `id, code, name, kind, status, geometry, cells, radius_m, capacity, expected_date`

func scanResource(row pgx.Row) (*territory.Resource, error) {
	var r territory.Resource
	var code *string
	var geom []byte
	var cells []int64
	var expected *time.Time
	if err := row.Scan(&r.ID, &code, &r.Name, &r.Kind, &r.Status, &geom, &cells, &r.RadiusM, &r.Capacity, &expected); err != nil {
		return nil, err
	}
	if code != nil {
		r.Code = *code
	}
	if geom != nil {
		g, err := wkb.Unmarshal(geom)
		if err != nil {
			return nil, fmt.Errorf("resource %d: geometry: decode WKB: %w", r.ID, err)
		}
		r.Geometry = g
	}
	if len(cells) > 0 {
		r.Cells = make([]h3.Cell, len(cells))
		for i, c := range cells {
			r.Cells[i] = h3.Cell(c)
		}
	}
	if expected != nil {
		// A date comes back as midnight UTC.
		d := time.Date(expected.Year(), expected.Month(), expected.Day(), 0, 0, 0, 0, time.UTC)
		r.ExpectedDate = &d
	}
	return &r, nil
}

// resourceArgs are the column values of r after id: code … max_lat. A
// resource covers by geometry (WKB) or by cells (bigint[]); the other is
// NULL, as is a missing code.
func resourceArgs(r *territory.Resource) ([]any, error) {
	var g []byte
	if r.Geometry != nil {
		var err error
		if g, err = marshalGeom("geometry", r.Geometry); err != nil {
			return nil, err
		}
	}
	var cells []int64
	if len(r.Cells) > 0 {
		cells = make([]int64, len(r.Cells))
		for i, c := range r.Cells {
			cells[i] = int64(c)
		}
	}
	var code *string
	if r.Code != "" {
		code = &r.Code
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
	return []any{code, r.Name, r.Kind, string(r.Status), g, cells, r.RadiusM, r.Capacity, expected,
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
	err = s.db.QueryRow(ctx, `INSERT INTO resources (code, name, kind, status, geometry, cells, radius_m, capacity, expected_date,
			min_lon, min_lat, max_lon, max_lat)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`, args...).Scan(&r.ID)
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
	tag, err := s.db.Exec(ctx, `UPDATE resources SET code = $2, name = $3, kind = $4, status = $5, geometry = $6, cells = $7,
			radius_m = $8, capacity = $9, expected_date = $10, min_lon = $11, min_lat = $12, max_lon = $13, max_lat = $14
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
