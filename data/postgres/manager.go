package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"gridplan/territory"
)

const managerColumns = `id, code, name, grid_id, role, quota_min, quota_target, quota_max, base_lon, base_lat, phone`

func scanManager(row pgx.Row) (*territory.Manager, error) {
	var m territory.Manager
	err := row.Scan(&m.ID, &m.Code, &m.Name, &m.GridID, &m.Role, &m.Quota.Min, &m.Quota.Target, &m.Quota.Max,
		&m.Base[0], &m.Base[1], &m.Phone)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// CreateManager normalizes and validates m, stores it and sets m.ID.
func (s *Store) CreateManager(ctx context.Context, m *territory.Manager) error {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	err := s.db.QueryRow(ctx, `INSERT INTO managers (code, name, grid_id, role, quota_min, quota_target, quota_max, base_lon, base_lat, phone)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		m.Code, m.Name, m.GridID, m.Role, m.Quota.Min, m.Quota.Target, m.Quota.Max, m.Base[0], m.Base[1], m.Phone).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("create manager %q: %w", m.Code, translate(err))
	}
	return nil
}

// Manager returns manager id.
func (s *Store) Manager(ctx context.Context, id int64) (*territory.Manager, error) {
	m, err := scanManager(s.db.QueryRow(ctx, `SELECT `+managerColumns+` FROM managers WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "manager", id)
	}
	return m, nil
}

// Managers returns the managers f selects, by id, one keyset page.
func (s *Store) Managers(ctx context.Context, f territory.ManagerFilter) ([]*territory.Manager, error) {
	var q filter
	if f.GridID != 0 {
		q.add("grid_id = ?", f.GridID)
	}
	rows, err := s.db.Query(ctx, `SELECT `+managerColumns+` FROM managers`+q.page(f.AfterID, f.Limit), q.args...)
	if err != nil {
		return nil, fmt.Errorf("managers: %w", translate(err))
	}
	ms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*territory.Manager, error) { return scanManager(r) })
	if err != nil {
		return nil, fmt.Errorf("managers: %w", translate(err))
	}
	return ms, nil
}

// UpdateManager normalizes and validates m and replaces manager m.ID.
func (s *Store) UpdateManager(ctx context.Context, m *territory.Manager) error {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	tag, err := s.db.Exec(ctx, `UPDATE managers SET code = $2, name = $3, grid_id = $4, role = $5,
			quota_min = $6, quota_target = $7, quota_max = $8, base_lon = $9, base_lat = $10, phone = $11
		WHERE id = $1`,
		m.ID, m.Code, m.Name, m.GridID, m.Role, m.Quota.Min, m.Quota.Target, m.Quota.Max, m.Base[0], m.Base[1], m.Phone)
	if err != nil {
		return fmt.Errorf("update manager %d: %w", m.ID, translate(err))
	}
	if tag.RowsAffected() == 0 {
		return territory.NotFound("manager", m.ID)
	}
	return nil
}

// DeleteManager deletes manager id; it is refused (ConflictError) while
// customers, claims, activities or user logins refer to him.
func (s *Store) DeleteManager(ctx context.Context, id int64) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM managers WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete manager %d: %w", id, translateDelete(err, "manager", id))
	}
	if tag.RowsAffected() == 0 {
		return territory.NotFound("manager", id)
	}
	return nil
}
