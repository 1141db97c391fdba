package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"gridplan/data"
	"gridplan/funnel"
)

const followUpColumns = `id, customer_id, manager_id, activity_id, due, reason, created_at, done_at`

func scanFollowUp(row pgx.Row) (*funnel.FollowUp, error) {
	var f funnel.FollowUp
	var act *int64
	var done *time.Time
	err := row.Scan(&f.ID, &f.CustomerID, &f.ManagerID, &act, &f.Due, &f.Reason, &f.CreatedAt, &done)
	if err != nil {
		return nil, err
	}
	f.ActivityID, f.Due, f.CreatedAt = idOrZero(act), data.Day(f.Due), f.CreatedAt.UTC()
	if done != nil {
		d := done.UTC()
		f.DoneAt = &d
	}
	return &f, nil
}

var followUpInsert = []string{"customer_id", "manager_id", "activity_id", "due", "reason", "created_at", "done_at"}

func followUpValues(dst []any, f *funnel.FollowUp) []any {
	return append(dst, f.CustomerID, f.ManagerID, nullID(f.ActivityID), f.Due, f.Reason, f.CreatedAt, f.DoneAt)
}

// CreateFollowUp validates f, stores it and sets f.ID (CreatedAt is now
// when zero; Due is kept as a day).
func (s *Store) CreateFollowUp(ctx context.Context, f *funnel.FollowUp) error {
	if err := data.PrepareFollowUp(f, now()); err != nil {
		return err
	}
	err := s.db.QueryRow(ctx, `INSERT INTO follow_ups (customer_id, manager_id, activity_id, due, reason, created_at, done_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, followUpValues(nil, f)...).Scan(&f.ID)
	if err != nil {
		return fmt.Errorf("create follow-up on customer %d: %w", f.CustomerID, translate(err))
	}
	return nil
}

// FollowUps returns the follow-ups f selects, by id, one keyset page.
func (s *Store) FollowUps(ctx context.Context, f funnel.FollowUpFilter) ([]*funnel.FollowUp, error) {
	var q filter
	if f.CustomerID != 0 {
		q.add("customer_id = ?", f.CustomerID)
	}
	if f.ManagerID != 0 {
		q.add("manager_id = ?", f.ManagerID)
	}
	if f.OpenOnly {
		q.conds = append(q.conds, "done_at IS NULL")
	}
	if !f.DueBefore.IsZero() {
		q.add("due < ?::date", data.DayBound(f.DueBefore))
	}
	rows, err := s.db.Query(ctx, `SELECT `+followUpColumns+` FROM follow_ups`+q.page(f.AfterID, f.Limit), q.args...)
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", translate(err))
	}
	fs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*funnel.FollowUp, error) { return scanFollowUp(r) })
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", translate(err))
	}
	return fs, nil
}

// UpdateFollowUp validates f and replaces follow-up f.ID.
func (s *Store) UpdateFollowUp(ctx context.Context, f *funnel.FollowUp) error {
	if err := data.PrepareFollowUp(f, now()); err != nil {
		return err
	}
	tag, err := s.db.Exec(ctx, `UPDATE follow_ups SET customer_id = $2, manager_id = $3, activity_id = $4, due = $5, reason = $6,
			created_at = $7, done_at = $8
		WHERE id = $1`, followUpValues([]any{f.ID}, f)...)
	if err != nil {
		return fmt.Errorf("update follow-up %d: %w", f.ID, translate(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("follow-up %d: %w", f.ID, funnel.ErrNotFound)
	}
	return nil
}
