package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"gridplan/data"
	"gridplan/funnel"
)

// FunnelConfig returns the stored funnel configuration, or
// funnel.DefaultConfig() when none was saved.
func (s *Store) FunnelConfig(ctx context.Context) (*funnel.Config, error) {
	var value []byte
	err := s.db.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, data.FunnelConfigKey).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) {
		return funnel.DefaultConfig(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("funnel config: %w", translate(err))
	}
	var c funnel.Config
	if err := json.Unmarshal(value, &c); err != nil {
		return nil, fmt.Errorf("postgres: stored funnel config: %w", err)
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
	_, err = s.db.Exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		data.FunnelConfigKey, string(js), now())
	if err != nil {
		return fmt.Errorf("save funnel config: %w", translate(err))
	}
	return nil
}

// LockManager locks manager id's row until the transaction ends, so that
// list changes of one manager (quota check, then claim) run one at a time.
// FOR NO KEY UPDATE rather than FOR UPDATE: it excludes other LockManager
// calls but not the foreign-key checks of other transactions' activities
// and claims naming him. Outside a transaction it only checks that he
// exists.
func (s *Store) LockManager(ctx context.Context, id int64) error {
	var one int
	err := s.db.QueryRow(ctx, `SELECT 1 FROM managers WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("manager %d: %w", id, funnel.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("lock manager %d: %w", id, translate(err))
	}
	return nil
}

// SetFunnelState sets customer id's stage and owner if his stage is still
// expect, in one conditional UPDATE.
func (s *Store) SetFunnelState(ctx context.Context, id int64, expect, stage funnel.Stage, ownerID int64) error {
	if !stage.Valid() {
		return &funnel.FieldError{Field: "stage", Reason: fmt.Sprintf("unknown stage %q", stage)}
	}
	if ownerID < 0 {
		return &funnel.FieldError{Field: "owner_id", Reason: fmt.Sprintf("must be a positive id or 0 for none, got %d", ownerID)}
	}
	tag, err := s.db.Exec(ctx, `UPDATE customers SET stage = $2, owner_id = $3, updated_at = $4 WHERE id = $1 AND stage = $5`,
		id, string(stage), nullID(ownerID), now(), string(expect))
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == codeForeignKey && pe.ConstraintName == "customers_owner_id_fkey" {
			return &funnel.FieldError{Field: "owner_id", Reason: fmt.Sprintf("manager %d does not exist", ownerID)}
		}
		return fmt.Errorf("set funnel state of customer %d: %w", id, translate(err))
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	var stored string
	err = s.db.QueryRow(ctx, `SELECT stage FROM customers WHERE id = $1`, id).Scan(&stored)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("customer %d: %w", id, funnel.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("customer %d: %w", id, translate(err))
	}
	return fmt.Errorf("customer %d is at stage %s, not %s any more: %w", id, stored, expect, funnel.ErrConflict)
}

// LapseClaims ends every active claim last active before cutoff in one
// UPDATE … RETURNING, and returns them in id order. Run concurrently, the
// second UPDATE waits for the first's row locks and then finds those rows
// no longer active (READ COMMITTED re-checks the condition), so each claim
// lapses once.
func (s *Store) LapseClaims(ctx context.Context, cutoff, at time.Time, reason string) ([]*funnel.Claim, error) {
	if err := data.CheckLapse(cutoff, at, reason); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `UPDATE claims SET status = $1, ended_at = $2, end_reason = $3, ended_by = NULL
		WHERE status = $4 AND last_activity_at < $5 RETURNING `+claimColumns,
		string(funnel.ClaimLapsed), stamp(at), reason, string(funnel.ClaimActive), cutoff)
	if err != nil {
		return nil, fmt.Errorf("lapse claims: %w", translate(err))
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*funnel.Claim, error) { return scanClaim(r) })
	if err != nil {
		return nil, fmt.Errorf("lapse claims: %w", translate(err))
	}
	slices.SortFunc(cs, func(a, b *funnel.Claim) int { return int(a.ID - b.ID) })
	return cs, nil
}
