package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/funnel"
)

const activityColumns = `id, customer_id, manager_id, kind, at, note, signals, pos_lon, pos_lat, verified, distance_m, contract_expires`

func scanActivity(row pgx.Row) (*funnel.Activity, error) {
	var a funnel.Activity
	var signals []string
	var lon, lat *float64
	var expires *time.Time
	err := row.Scan(&a.ID, &a.CustomerID, &a.ManagerID, &a.Kind, &a.At, &a.Note, &signals, &lon, &lat, &a.Verified, &a.DistanceM, &expires)
	if err != nil {
		return nil, err
	}
	if expires != nil {
		d := data.Day(*expires)
		a.ContractExpires = &d
	}
	a.At = a.At.UTC()
	if len(signals) > 0 {
		a.Signals = make([]funnel.SignalKind, len(signals))
		for i, s := range signals {
			a.Signals[i] = funnel.SignalKind(s)
		}
	}
	if lon != nil && lat != nil {
		a.Position = &orb.Point{*lon, *lat}
	}
	return &a, nil
}

// prepareActivity validates a and brings its time to what the store keeps.
func prepareActivity(a *funnel.Activity) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.At = stamp(a.At)
	data.PrepareActivityDays(a)
	return nil
}

var activityInsert = []string{"customer_id", "manager_id", "kind", "at", "note", "signals", "pos_lon", "pos_lat", "verified",
	"distance_m", "contract_expires"}

func activityValues(dst []any, a *funnel.Activity) []any {
	signals := make([]string, len(a.Signals))
	for i, s := range a.Signals {
		signals[i] = string(s)
	}
	var lon, lat *float64
	if a.Position != nil {
		lon, lat = &a.Position[0], &a.Position[1]
	}
	return append(dst, a.CustomerID, a.ManagerID, string(a.Kind), a.At, a.Note, signals, lon, lat, a.Verified,
		a.DistanceM, a.ContractExpires)
}

// CreateActivity validates a, stores it and sets a.ID. Activities are
// append-only.
func (s *Store) CreateActivity(ctx context.Context, a *funnel.Activity) error {
	if err := prepareActivity(a); err != nil {
		return err
	}
	err := s.db.QueryRow(ctx, `INSERT INTO activities (customer_id, manager_id, kind, at, note, signals, pos_lon, pos_lat, verified,
			distance_m, contract_expires)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, activityValues(nil, a)...).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("create activity on customer %d: %w", a.CustomerID, translate(err))
	}
	return nil
}

// Activities returns the activities f selects, by id, one keyset page.
func (s *Store) Activities(ctx context.Context, f funnel.ActivityFilter) ([]*funnel.Activity, error) {
	var q filter
	if f.CustomerID != 0 {
		q.add("customer_id = ?", f.CustomerID)
	}
	if f.ManagerID != 0 {
		q.add("manager_id = ?", f.ManagerID)
	}
	if !f.Since.IsZero() {
		q.add("at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		q.add("at < ?", f.Until)
	}
	rows, err := s.db.Query(ctx, `SELECT `+activityColumns+` FROM activities`+q.page(f.AfterID, f.Limit), q.args...)
	if err != nil {
		return nil, fmt.Errorf("activities: %w", translate(err))
	}
	as, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*funnel.Activity, error) { return scanActivity(r) })
	if err != nil {
		return nil, fmt.Errorf("activities: %w", translate(err))
	}
	return as, nil
}
