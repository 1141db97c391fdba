package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gridplan/data"
	"gridplan/funnel"
)

const followUpCols = "id, customer_id, manager_id, activity_id, due, reason, created_at, done_at"

func scanFollowUp(row interface{ Scan(...any) error }) (*funnel.FollowUp, error) {
	var f funnel.FollowUp
	var act, done sql.NullInt64
	var due string
	var created int64
	if err := row.Scan(&f.ID, &f.CustomerID, &f.ManagerID, &act, &due, &f.Reason, &created, &done); err != nil {
		return nil, err
	}
	d, err := time.Parse(dateLayout, due)
	if err != nil {
		return nil, fmt.Errorf("follow-up %d: stored due %q: %w", f.ID, due, err)
	}
	f.ActivityID, f.Due, f.CreatedAt = act.Int64, d, fromMicros(created)
	if done.Valid {
		t := fromMicros(done.Int64)
		f.DoneAt = &t
	}
	return &f, nil
}

// followUpArgs are f's columns after id.
func followUpArgs(f *funnel.FollowUp) []any {
	var done any
	if f.DoneAt != nil {
		done = micros(*f.DoneAt)
	}
	return []any{f.CustomerID, f.ManagerID, nullID(f.ActivityID), f.Due.UTC().Format(dateLayout), f.Reason, micros(f.CreatedAt), done}
}

// checkFollowUpRefs returns a *funnel.FieldError when f's customer, manager
// or activity does not exist.
func checkFollowUpRefs(ctx context.Context, q querier, f *funnel.FollowUp) error {
	if err := checkFunnelRefs(ctx, q, f.CustomerID, f.ManagerID); err != nil {
		return err
	}
	if f.ActivityID == 0 {
		return nil
	}
	ok, err := exists(ctx, q, "activities", f.ActivityID)
	if err != nil {
		return err
	}
	if !ok {
		return funnelField("activity_id", "activity %d does not exist", f.ActivityID)
	}
	return nil
}

// CreateFollowUp validates f, stores it and sets f.ID (CreatedAt is now
// when zero; Due is kept as a day).
func (s *Store) CreateFollowUp(ctx context.Context, f *funnel.FollowUp) error {
	if err := data.PrepareFollowUp(f, s.now()); err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		if err := checkFollowUpRefs(ctx, q, f); err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, `INSERT INTO follow_ups (customer_id, manager_id, activity_id, due, reason, created_at, done_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, followUpArgs(f)...)
		if err != nil {
			return fmt.Errorf("sqlite: create follow-up on customer %d: %w", f.CustomerID, err)
		}
		if f.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return nil
	})
}

// FollowUps returns the follow-ups matching f, by id.
func (s *Store) FollowUps(ctx context.Context, f funnel.FollowUpFilter) ([]*funnel.FollowUp, error) {
	var w where
	if f.CustomerID != 0 {
		w.add("customer_id = ?", f.CustomerID)
	}
	if f.ManagerID != 0 {
		w.add("manager_id = ?", f.ManagerID)
	}
	if f.OpenOnly {
		w.add("done_at IS NULL")
	}
	if !f.DueBefore.IsZero() {
		w.add("due < ?", data.DayBound(f.DueBefore).Format(dateLayout))
	}
	rows, err := s.read().QueryContext(ctx, "SELECT "+followUpCols+" FROM follow_ups"+w.page(f.AfterID, f.Limit), w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: follow-ups: %w", err)
	}
	return collect(rows, scanFollowUp)
}

// UpdateFollowUp validates and overwrites follow-up f.ID.
func (s *Store) UpdateFollowUp(ctx context.Context, f *funnel.FollowUp) error {
	if err := data.PrepareFollowUp(f, s.now()); err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		if err := checkFollowUpRefs(ctx, q, f); err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, `UPDATE follow_ups SET customer_id = ?, manager_id = ?, activity_id = ?, due = ?, reason = ?,
			created_at = ?, done_at = ? WHERE id = ?`, append(followUpArgs(f), f.ID)...)
		if err != nil {
			return fmt.Errorf("sqlite: update follow-up %d: %w", f.ID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("sqlite: update follow-up %d: %w", f.ID, err)
		}
		if n == 0 {
			return fmt.Errorf("follow-up %d: %w", f.ID, funnel.ErrNotFound)
		}
		return nil
	})
}
