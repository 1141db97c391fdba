package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"gridplan/funnel"
)

const claimColumns = `id, customer_id, manager_id, status, claimed_at, last_activity_at, ended_at, end_reason, ended_by`

func scanClaim(row pgx.Row) (*funnel.Claim, error) {
	var c funnel.Claim
	var ended *time.Time
	var endedBy *int64
	err := row.Scan(&c.ID, &c.CustomerID, &c.ManagerID, &c.Status, &c.ClaimedAt, &c.LastActivityAt, &ended, &c.EndReason, &endedBy)
	if err != nil {
		return nil, err
	}
	c.EndedBy = idOrZero(endedBy)
	c.ClaimedAt, c.LastActivityAt = c.ClaimedAt.UTC(), c.LastActivityAt.UTC()
	if ended != nil {
		e := ended.UTC()
		c.EndedAt = &e
	}
	return &c, nil
}

// prepareClaim validates c and brings its times to what the store keeps.
func prepareClaim(c *funnel.Claim) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.EndedBy < 0 {
		return &funnel.FieldError{Field: "ended_by", Reason: fmt.Sprintf("must be a positive id or 0 for the system, got %d", c.EndedBy)}
	}
	c.ClaimedAt, c.LastActivityAt = stamp(c.ClaimedAt), stamp(c.LastActivityAt)
	if c.EndedAt != nil {
		e := stamp(*c.EndedAt)
		c.EndedAt = &e
	}
	return nil
}

var claimInsert = []string{"customer_id", "manager_id", "status", "claimed_at", "last_activity_at", "ended_at", "end_reason", "ended_by"}

func claimValues(dst []any, c *funnel.Claim) []any {
	return append(dst, c.CustomerID, c.ManagerID, string(c.Status), c.ClaimedAt, c.LastActivityAt, c.EndedAt, c.EndReason, nullID(c.EndedBy))
}

// claimNotFound is funnel's not-found for claim id.
func claimNotFound(err error, id int64) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("claim %d: %w", id, funnel.ErrNotFound)
	}
	return fmt.Errorf("claim %d: %w", id, translate(err))
}

// CreateClaim validates c, stores it and sets c.ID. A second active claim
// on one customer fails with funnel.ErrConflict.
func (s *Store) CreateClaim(ctx context.Context, c *funnel.Claim) error {
	if err := prepareClaim(c); err != nil {
		return err
	}
	err := s.db.QueryRow(ctx, `INSERT INTO claims (customer_id, manager_id, status, claimed_at, last_activity_at, ended_at, end_reason, ended_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, claimValues(nil, c)...).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("create claim of customer %d: %w", c.CustomerID, translate(err))
	}
	return nil
}

// Claim returns claim id (funnel.ErrNotFound when there is none).
func (s *Store) Claim(ctx context.Context, id int64) (*funnel.Claim, error) {
	c, err := scanClaim(s.db.QueryRow(ctx, `SELECT `+claimColumns+` FROM claims WHERE id = $1`, id))
	if err != nil {
		return nil, claimNotFound(err, id)
	}
	return c, nil
}

// Claims returns the claims f selects, by id, one keyset page.
func (s *Store) Claims(ctx context.Context, f funnel.ClaimFilter) ([]*funnel.Claim, error) {
	var q filter
	if f.CustomerID != 0 {
		q.add("customer_id = ?", f.CustomerID)
	}
	if f.ManagerID != 0 {
		q.add("manager_id = ?", f.ManagerID)
	}
	if f.Status != "" {
		q.add("status = ?", string(f.Status))
	}
	if !f.LastActivityBefore.IsZero() {
		q.add("last_activity_at < ?", f.LastActivityBefore)
	}
	if !f.EndedSince.IsZero() {
		q.add("ended_at >= ?", f.EndedSince)
	}
	rows, err := s.db.Query(ctx, `SELECT `+claimColumns+` FROM claims`+q.page(f.AfterID, f.Limit), q.args...)
	if err != nil {
		return nil, fmt.Errorf("claims: %w", translate(err))
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*funnel.Claim, error) { return scanClaim(r) })
	if err != nil {
		return nil, fmt.Errorf("claims: %w", translate(err))
	}
	return cs, nil
}

// UpdateClaim validates c and replaces claim c.ID. Reactivating a claim of
// a customer that has another active one fails with funnel.ErrConflict.
func (s *Store) UpdateClaim(ctx context.Context, c *funnel.Claim) error {
	if err := prepareClaim(c); err != nil {
		return err
	}
	tag, err := s.db.Exec(ctx, `UPDATE claims SET customer_id = $2, manager_id = $3, status = $4, claimed_at = $5,
			last_activity_at = $6, ended_at = $7, end_reason = $8, ended_by = $9
		WHERE id = $1`, append([]any{c.ID}, claimValues(nil, c)...)...)
	if err != nil {
		return fmt.Errorf("update claim %d: %w", c.ID, translate(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("claim %d: %w", c.ID, funnel.ErrNotFound)
	}
	return nil
}
