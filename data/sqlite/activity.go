package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/funnel"
)

const activityCols = "id, customer_id, manager_id, kind, at, note, signals, pos_lon, pos_lat, verified, distance_m, contract_expires"

func scanActivity(row interface{ Scan(...any) error }) (*funnel.Activity, error) {
	var a funnel.Activity
	var at int64
	var signals string
	var lon, lat, dist sql.NullFloat64
	var verified int
	var expires sql.NullString
	if err := row.Scan(&a.ID, &a.CustomerID, &a.ManagerID, &a.Kind, &at, &a.Note, &signals, &lon, &lat, &verified, &dist, &expires); err != nil {
		return nil, err
	}
	if dist.Valid {
		a.DistanceM = &dist.Float64
	}
	var err error
	if a.ContractExpires, err = decodeDate(expires); err != nil {
		return nil, fmt.Errorf("activity %d: contract_expires: %w", a.ID, err)
	}
	a.At, a.Verified = fromMicros(at), verified != 0
	if signals != "" && signals != "[]" {
		if err := json.Unmarshal([]byte(signals), &a.Signals); err != nil {
			return nil, fmt.Errorf("activity %d: signals %q: %w", a.ID, signals, err)
		}
	}
	if lon.Valid && lat.Valid {
		a.Position = &orb.Point{lon.Float64, lat.Float64}
	}
	return &a, nil
}

// activityArgs are a's columns after id.
func activityArgs(a *funnel.Activity) ([]any, error) {
	signals := []funnel.SignalKind{}
	if a.Signals != nil {
		signals = a.Signals
	}
	js, err := json.Marshal(signals)
	if err != nil {
		return nil, fmt.Errorf("encode signals: %w", err)
	}
	var lon, lat any
	if a.Position != nil {
		lon, lat = a.Position[0], a.Position[1]
	}
	var dist any
	if a.DistanceM != nil {
		dist = *a.DistanceM
	}
	return []any{a.CustomerID, a.ManagerID, a.Kind, micros(a.At), a.Note, string(js), lon, lat, boolInt(a.Verified),
		dist, encodeDate(a.ContractExpires)}, nil
}

// exactActivity puts a's time and day in their stored form.
func exactActivity(a *funnel.Activity) {
	a.At = exact(a.At)
	data.PrepareActivityDays(a)
}

const insertActivity = `INSERT INTO activities (customer_id, manager_id, kind, at, note, signals, pos_lon, pos_lat, verified,
	distance_m, contract_expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// CreateActivity validates a, stores it and sets a.ID.
func (s *Store) CreateActivity(ctx context.Context, a *funnel.Activity) error {
	if err := a.Validate(); err != nil {
		return err
	}
	args, err := activityArgs(a)
	if err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		if err := checkFunnelRefs(ctx, q, a.CustomerID, a.ManagerID); err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, insertActivity, args...)
		if err != nil {
			return fmt.Errorf("sqlite: create activity on customer %d: %w", a.CustomerID, err)
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		exactActivity(a)
		return nil
	})
}

// Activities returns the activities matching f, by id.
func (s *Store) Activities(ctx context.Context, f funnel.ActivityFilter) ([]*funnel.Activity, error) {
	var w where
	if f.CustomerID != 0 {
		w.add("customer_id = ?", f.CustomerID)
	}
	if f.ManagerID != 0 {
		w.add("manager_id = ?", f.ManagerID)
	}
	if !f.Since.IsZero() {
		w.add("at >= ?", microsCeil(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("at < ?", microsCeil(f.Until))
	}
	rows, err := s.read().QueryContext(ctx, "SELECT "+activityCols+" FROM activities"+w.page(f.AfterID, f.Limit), w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: activities: %w", err)
	}
	return collect(rows, scanActivity)
}
