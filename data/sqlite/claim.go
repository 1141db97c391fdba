package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gridplan/funnel"
)

const claimCols = "id, customer_id, manager_id, status, claimed_at, last_activity_at, ended_at, end_reason, ended_by"

func scanClaim(row interface{ Scan(...any) error }) (*funnel.Claim, error) {
	var c funnel.Claim
	var claimed, last int64
	var ended, endedBy sql.NullInt64
	if err := row.Scan(&c.ID, &c.CustomerID, &c.ManagerID, &c.Status, &claimed, &last, &ended, &c.EndReason, &endedBy); err != nil {
		return nil, err
	}
	c.EndedBy = endedBy.Int64
	c.ClaimedAt, c.LastActivityAt = fromMicros(claimed), fromMicros(last)
	if ended.Valid {
		t := fromMicros(ended.Int64)
		c.EndedAt = &t
	}
	return &c, nil
}

// claimArgs are c's columns after id, times in their stored form.
func claimArgs(c *funnel.Claim) []any {
	var ended any
	if c.EndedAt != nil {
		ended = micros(*c.EndedAt)
	}
	return []any{c.CustomerID, c.ManagerID, c.Status, micros(c.ClaimedAt), micros(c.LastActivityAt), ended, c.EndReason, nullID(c.EndedBy)}
}

// exactClaim puts c's times in their stored form.
func exactClaim(c *funnel.Claim) {
	c.ClaimedAt, c.LastActivityAt = exact(c.ClaimedAt), exact(c.LastActivityAt)
	if c.EndedAt != nil {
		t := exact(*c.EndedAt)
		c.EndedAt = &t
	}
}

// checkEndedBy returns a *funnel.FieldError when c names a user who ended
// it that does not exist.
func checkEndedBy(ctx context.Context, q querier, c *funnel.Claim) error {
	if c.EndedBy == 0 {
		return nil
	}
	ok, err := exists(ctx, q, "users", c.EndedBy)
	if err != nil {
		return err
	}
	if !ok {
		return funnelField("ended_by", "user %d does not exist", c.EndedBy)
	}
	return nil
}

// checkFunnelRefs returns a *funnel.FieldError when the customer or the
// manager does not exist.
func checkFunnelRefs(ctx context.Context, q querier, customerID, managerID int64) error {
	ok, err := exists(ctx, q, "customers", customerID)
	if err != nil {
		return err
	}
	if !ok {
		return funnelField("customer_id", "customer %d does not exist", customerID)
	}
	return checkManager(ctx, q, managerID, func(id int64) error {
		return funnelField("manager_id", "manager %d does not exist", id)
	})
}

func activeClaimConflict(customerID int64) error {
	return fmt.Errorf("customer %d already has an active claim: %w", customerID, funnel.ErrConflict)
}

// CreateClaim validates c, stores it and sets c.ID. A second active claim
// for the customer is funnel.ErrConflict.
func (s *Store) CreateClaim(ctx context.Context, c *funnel.Claim) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		if err := checkFunnelRefs(ctx, q, c.CustomerID, c.ManagerID); err != nil {
			return err
		}
		if err := checkEndedBy(ctx, q, c); err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, `INSERT INTO claims (customer_id, manager_id, status, claimed_at, last_activity_at, ended_at, end_reason, ended_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, claimArgs(c)...)
		if isUnique(err) {
			return activeClaimConflict(c.CustomerID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create claim on customer %d: %w", c.CustomerID, err)
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		exactClaim(c)
		return nil
	})
}

// Claim returns the claim with id.
func (s *Store) Claim(ctx context.Context, id int64) (*funnel.Claim, error) {
	c, err := scanClaim(s.read().QueryRowContext(ctx, "SELECT "+claimCols+" FROM claims WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("claim %d: %w", id, funnel.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim %d: %w", id, err)
	}
	return c, nil
}

// Claims returns the claims matching f, by id.
func (s *Store) Claims(ctx context.Context, f funnel.ClaimFilter) ([]*funnel.Claim, error) {
	var w where
	if f.CustomerID != 0 {
		w.add("customer_id = ?", f.CustomerID)
	}
	if f.ManagerID != 0 {
		w.add("manager_id = ?", f.ManagerID)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if !f.LastActivityBefore.IsZero() {
		w.add("last_activity_at < ?", microsCeil(f.LastActivityBefore))
	}
	if !f.EndedSince.IsZero() {
		w.add("ended_at >= ?", microsCeil(f.EndedSince))
	}
	rows, err := s.read().QueryContext(ctx, "SELECT "+claimCols+" FROM claims"+w.page(f.AfterID, f.Limit), w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: claims: %w", err)
	}
	return collect(rows, scanClaim)
}

// UpdateClaim validates and overwrites claim c.ID.
func (s *Store) UpdateClaim(ctx context.Context, c *funnel.Claim) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		if err := checkFunnelRefs(ctx, q, c.CustomerID, c.ManagerID); err != nil {
			return err
		}
		if err := checkEndedBy(ctx, q, c); err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, `UPDATE claims SET customer_id = ?, manager_id = ?, status = ?, claimed_at = ?,
			last_activity_at = ?, ended_at = ?, end_reason = ?, ended_by = ? WHERE id = ?`, append(claimArgs(c), c.ID)...)
		if isUnique(err) {
			return activeClaimConflict(c.CustomerID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: update claim %d: %w", c.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return fmt.Errorf("sqlite: update claim %d: %w", c.ID, err)
			}
			return fmt.Errorf("claim %d: %w", c.ID, funnel.ErrNotFound)
		}
		exactClaim(c)
		return nil
	})
}
