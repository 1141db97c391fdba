package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gridplan/territory"
)

const managerCols = "id, code, name, grid_id, role, quota_min, quota_target, quota_max, base_lon, base_lat, phone"

func scanManager(row interface{ Scan(...any) error }) (*territory.Manager, error) {
	var m territory.Manager
	err := row.Scan(&m.ID, &m.Code, &m.Name, &m.GridID, &m.Role, &m.Quota.Min, &m.Quota.Target, &m.Quota.Max,
		&m.Base[0], &m.Base[1], &m.Phone)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// checkGrid returns a FieldError on field when id names no grid.
func checkGrid(ctx context.Context, q querier, field string, id int64) error {
	ok, err := exists(ctx, q, "grids", id)
	if err == nil && !ok {
		err = territory.Invalid(field, "grid %d does not exist", id)
	}
	return err
}

// CreateManager normalizes and validates m, stores it and sets m.ID.
func (s *Store) CreateManager(ctx context.Context, m *territory.Manager) error {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		if err := checkGrid(ctx, q, "grid_id", m.GridID); err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, `INSERT INTO managers (code, name, grid_id, role, quota_min, quota_target, quota_max, base_lon, base_lat, phone)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.Code, m.Name, m.GridID, m.Role, m.Quota.Min, m.Quota.Target, m.Quota.Max, m.Base[0], m.Base[1], m.Phone)
		if isUnique(err) {
			return conflict("manager code %q already exists", m.Code)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create manager %q: %w", m.Code, err)
		}
		m.ID, err = res.LastInsertId()
		return err
	})
}

// Manager returns the manager with id.
func (s *Store) Manager(ctx context.Context, id int64) (*territory.Manager, error) {
	m, err := scanManager(s.read().QueryRowContext(ctx, "SELECT "+managerCols+" FROM managers WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, territory.NotFound("manager", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: manager %d: %w", id, err)
	}
	return m, nil
}

// Managers returns the managers matching f, by id.
func (s *Store) Managers(ctx context.Context, f territory.ManagerFilter) ([]*territory.Manager, error) {
	var w where
	if f.GridID != 0 {
		w.add("grid_id = ?", f.GridID)
	}
	rows, err := s.read().QueryContext(ctx, "SELECT "+managerCols+" FROM managers"+w.page(f.AfterID, f.Limit), w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: managers: %w", err)
	}
	return collect(rows, scanManager)
}

// UpdateManager normalizes, validates and overwrites manager m.ID.
func (s *Store) UpdateManager(ctx context.Context, m *territory.Manager) error {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		if err := checkGrid(ctx, q, "grid_id", m.GridID); err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, `UPDATE managers SET code = ?, name = ?, grid_id = ?, role = ?, quota_min = ?, quota_target = ?,
			quota_max = ?, base_lon = ?, base_lat = ?, phone = ? WHERE id = ?`,
			m.Code, m.Name, m.GridID, m.Role, m.Quota.Min, m.Quota.Target, m.Quota.Max, m.Base[0], m.Base[1], m.Phone, m.ID)
		if isUnique(err) {
			return conflict("manager code %q already exists", m.Code)
		}
		return affected(res, err, "manager", m.ID)
	})
}

// DeleteManager deletes a manager that no customer, claim, activity or
// login refers to.
func (s *Store) DeleteManager(ctx context.Context, id int64) error {
	return s.write(ctx, func(q querier) error {
		var code string
		var customers, claims, activities, followUps, users int
		err := q.QueryRowContext(ctx, `SELECT code,
				(SELECT count(*) FROM customers WHERE owner_id = m.id),
				(SELECT count(*) FROM claims WHERE manager_id = m.id),
				(SELECT count(*) FROM activities WHERE manager_id = m.id),
				(SELECT count(*) FROM follow_ups WHERE manager_id = m.id),
				(SELECT count(*) FROM users WHERE manager_id = m.id)
			FROM managers m WHERE id = ?`, id).Scan(&code, &customers, &claims, &activities, &followUps, &users)
		if errors.Is(err, sql.ErrNoRows) {
			return territory.NotFound("manager", id)
		}
		if err != nil {
			return fmt.Errorf("sqlite: manager %d: %w", id, err)
		}
		var in []string
		for _, x := range []struct {
			n    int
			what string
		}{{customers, "owns %d customers"}, {claims, "has %d claims"}, {activities, "logged %d activities"}, {followUps, "has %d follow-ups"}, {users, "has %d logins"}} {
			if x.n > 0 {
				in = append(in, fmt.Sprintf(x.what, x.n))
			}
		}
		if len(in) > 0 {
			return conflict("manager %s %s: reassign them first", code, strings.Join(in, ", "))
		}
		if _, err := q.ExecContext(ctx, "DELETE FROM managers WHERE id = ?", id); err != nil {
			return fmt.Errorf("sqlite: delete manager %d: %w", id, err)
		}
		return nil
	})
}
