package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/paulmach/orb/encoding/wkb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/territory"
)

const resourceCols = "id, code, name, kind, status, geometry, cells, radius_m, capacity, expected_date"

func scanResource(row interface{ Scan(...any) error }) (*territory.Resource, error) {
	var r territory.Resource
	var code sql.NullString
	var geom, cells []byte
	var due sql.NullString
	if err := row.Scan(&r.ID, &code, &r.Name, &r.Kind, &r.Status, &geom, &cells, &r.RadiusM, &r.Capacity, &due); err != nil {
		return nil, err
	}
	r.Code = code.String
	var err error
	if geom != nil {
		if r.Geometry, err = wkb.Unmarshal(geom); err != nil {
			return nil, fmt.Errorf("resource %d: decode geometry: %w", r.ID, err)
		}
	}
	if cells != nil {
		if r.Cells, err = decodeCells(cells); err != nil {
			return nil, fmt.Errorf("resource %d: %w", r.ID, err)
		}
	}
	if r.ExpectedDate, err = decodeDate(due); err != nil {
		return nil, fmt.Errorf("resource %d: %w", r.ID, err)
	}
	return &r, nil
}

// encodeCells packs H3 cells as 8-byte little-endian integers; nil for none.
func encodeCells(cs []h3.Cell) []byte {
	if len(cs) == 0 {
		return nil
	}
	b := make([]byte, 0, 8*len(cs))
	for _, c := range cs {
		b = binary.LittleEndian.AppendUint64(b, uint64(c))
	}
	return b
}

// decodeCells unpacks what encodeCells wrote.
func decodeCells(b []byte) ([]h3.Cell, error) {
	if len(b) == 0 || len(b)%8 != 0 {
		return nil, fmt.Errorf("decode cells: %d bytes is not a whole number of 8-byte cells", len(b))
	}
	cs := make([]h3.Cell, len(b)/8)
	for i := range cs {
		cs[i] = h3.Cell(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return cs, nil
}

// resourceArgs are r's columns after id: geometry as WKB (NULL for a cell
// resource), cells packed (NULL for a geometry resource) and the coverage
// box.
func resourceArgs(r *territory.Resource) ([]any, error) {
	var geom any
	if r.Geometry != nil {
		b, err := encodeGeom(r.Geometry)
		if err != nil {
			return nil, err
		}
		geom = b
	}
	var cells any
	if b := encodeCells(r.Cells); b != nil {
		cells = b
	}
	var code any
	if r.Code != "" {
		code = r.Code
	}
	cb := r.CoverageBound()
	return []any{code, r.Name, r.Kind, r.Status, geom, cells, r.RadiusM, r.Capacity, encodeDate(r.ExpectedDate),
		cb.Min[0], cb.Min[1], cb.Max[0], cb.Max[1]}, nil
}

// resourceConflict explains a unique clash of a resource write: the code is
// the one unique column besides the id.
func resourceConflict(err error, r *territory.Resource) error {
	if isUnique(err) {
		return conflict("resource code %q already exists", r.Code)
	}
	return err
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
		res, err := q.ExecContext(ctx, `INSERT INTO resources (code, name, kind, status, geometry, cells, radius_m, capacity, expected_date,
			min_lon, min_lat, max_lon, max_lat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
		if err != nil {
			return fmt.Errorf("sqlite: create resource %q: %w", r.Name, resourceConflict(err, r))
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
		res, err := q.ExecContext(ctx, `UPDATE resources SET code = ?, name = ?, kind = ?, status = ?, geometry = ?, cells = ?, radius_m = ?,
			capacity = ?, expected_date = ?, min_lon = ?, min_lat = ?, max_lon = ?, max_lat = ? WHERE id = ?`, append(args, r.ID)...)
		return affected(res, resourceConflict(err, r), "resource", r.ID)
	})
}

// DeleteResource deletes resource id.
func (s *Store) DeleteResource(ctx context.Context, id int64) error {
	return s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, "DELETE FROM resources WHERE id = ?", id)
		return affected(res, err, "resource", id)
	})
}
