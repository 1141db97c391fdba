package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"gridplan/data"
	"gridplan/funnel"
)

// FunnelConfig returns the stored funnel configuration, or
// funnel.DefaultConfig() when none was saved.
func (s *Store) FunnelConfig(ctx context.Context) (*funnel.Config, error) {
	var value string
	err := s.read().QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", data.FunnelConfigKey).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return funnel.DefaultConfig(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: funnel config: %w", err)
	}
	var c funnel.Config
	if err := json.Unmarshal([]byte(value), &c); err != nil {
		return nil, fmt.Errorf("sqlite: stored funnel config: %w", err)
	}
	if err := c.Validate(); err != nil { // fills fields added since it was saved
		return nil, fmt.Errorf("stored funnel config: %w", err)
	}
	return &c, nil
}

// SaveFunnelConfig validates c (which normalises it) and replaces the
// stored configuration.
func (s *Store) SaveFunnelConfig(ctx context.Context, c *funnel.Config) error {
	js, err := data.EncodeFunnelConfig(c)
	if err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		_, err := q.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			data.FunnelConfigKey, string(js), micros(s.now()))
		if err != nil {
			return fmt.Errorf("sqlite: save funnel config: %w", err)
		}
		return nil
	})
}

// LockManager checks that manager id exists. SQLite needs no row lock:
// every write transaction holds the database's one write lock.
func (s *Store) LockManager(ctx context.Context, id int64) error {
	ok, err := exists(ctx, s.read(), "managers", id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("manager %d: %w", id, funnel.ErrNotFound)
	}
	return nil
}

// SetFunnelState sets customer id's stage and owner if his stage is still
// expect.
func (s *Store) SetFunnelState(ctx context.Context, id int64, expect, stage funnel.Stage, ownerID int64) error {
	if !stage.Valid() {
		return funnelField("stage", "unknown stage %q", stage)
	}
	if ownerID < 0 {
		return funnelField("owner_id", "must be a positive id or 0 for none, got %d", ownerID)
	}
	return s.write(ctx, func(q querier) error {
		if ownerID != 0 {
			if err := checkManager(ctx, q, ownerID, func(id int64) error {
				return funnelField("owner_id", "manager %d does not exist", id)
			}); err != nil {
				return err
			}
		}
		res, err := q.ExecContext(ctx, "UPDATE customers SET stage = ?, owner_id = ?, updated_at = ? WHERE id = ? AND stage = ?",
			string(stage), nullID(ownerID), micros(s.now()), id, string(expect))
		if err != nil {
			return fmt.Errorf("sqlite: set funnel state of customer %d: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("sqlite: set funnel state of customer %d: %w", id, err)
		}
		if n > 0 {
			return nil
		}
		var now string
		err = q.QueryRowContext(ctx, "SELECT stage FROM customers WHERE id = ?", id).Scan(&now)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("customer %d: %w", id, funnel.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("sqlite: customer %d: %w", id, err)
		}
		return fmt.Errorf("customer %d is at stage %s, not %s any more: %w", id, now, expect, funnel.ErrConflict)
	})
}

// LapseClaims ends every active claim last active before cutoff in one
// UPDATE … RETURNING, and returns them in id order.
func (s *Store) LapseClaims(ctx context.Context, cutoff, now time.Time, reason string) ([]*funnel.Claim, error) {
	if err := data.CheckLapse(cutoff, now, reason); err != nil {
		return nil, err
	}
	var out []*funnel.Claim
	err := s.write(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, `UPDATE claims SET status = ?, ended_at = ?, end_reason = ?, ended_by = NULL
			WHERE status = ? AND last_activity_at < ? RETURNING `+claimCols,
			funnel.ClaimLapsed, micros(now), reason, funnel.ClaimActive, microsCeil(cutoff))
		if err != nil {
			return fmt.Errorf("sqlite: lapse claims: %w", err)
		}
		out, err = collect(rows, scanClaim)
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *funnel.Claim) int { return int(a.ID - b.ID) })
	return out, nil
}
