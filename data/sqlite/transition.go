package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"gridplan/data"
	"gridplan/funnel"
)

const transitionCols = "id, customer_id, manager_id, user_id, from_stage, to_stage, at, reason, evidence"

func scanTransition(row interface{ Scan(...any) error }) (*funnel.Transition, error) {
	var t funnel.Transition
	var mgr, user sql.NullInt64
	var at int64
	var evidence string
	if err := row.Scan(&t.ID, &t.CustomerID, &mgr, &user, &t.From, &t.To, &at, &t.Reason, &evidence); err != nil {
		return nil, err
	}
	t.ManagerID, t.UserID, t.At = mgr.Int64, user.Int64, fromMicros(at)
	if evidence != "" && evidence != "{}" {
		if err := json.Unmarshal([]byte(evidence), &t.Evidence); err != nil {
			return nil, fmt.Errorf("transition %d: evidence %q: %w", t.ID, evidence, err)
		}
	}
	return &t, nil
}

// transitionArgs are t's columns after id.
func transitionArgs(t *funnel.Transition) ([]any, error) {
	evidence := "{}"
	if len(t.Evidence) > 0 {
		js, err := json.Marshal(t.Evidence)
		if err != nil {
			return nil, fmt.Errorf("encode evidence: %w", err)
		}
		evidence = string(js)
	}
	return []any{t.CustomerID, nullID(t.ManagerID), nullID(t.UserID), string(t.From), string(t.To), micros(t.At), t.Reason, evidence}, nil
}

// checkTransitionRefs returns a *funnel.FieldError when t's customer,
// manager or user does not exist.
func checkTransitionRefs(ctx context.Context, q querier, t *funnel.Transition) error {
	for _, ref := range []struct {
		field, table, what string
		id                 int64
	}{
		{"customer_id", "customers", "customer", t.CustomerID},
		{"manager_id", "managers", "manager", t.ManagerID},
		{"user_id", "users", "user", t.UserID},
	} {
		if ref.id == 0 {
			continue
		}
		ok, err := exists(ctx, q, ref.table, ref.id)
		if err != nil {
			return err
		}
		if !ok {
			return funnelField(ref.field, "%s %d does not exist", ref.what, ref.id)
		}
	}
	return nil
}

// CreateTransition validates t, stores it and sets t.ID (At is now when
// zero).
func (s *Store) CreateTransition(ctx context.Context, t *funnel.Transition) error {
	if err := data.PrepareTransition(t, s.now()); err != nil {
		return err
	}
	args, err := transitionArgs(t)
	if err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		if err := checkTransitionRefs(ctx, q, t); err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, `INSERT INTO transitions (customer_id, manager_id, user_id, from_stage, to_stage, at, reason, evidence)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, args...)
		if err != nil {
			return fmt.Errorf("sqlite: create transition of customer %d: %w", t.CustomerID, err)
		}
		if t.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return nil
	})
}

// Transitions returns the transitions matching f, by id.
func (s *Store) Transitions(ctx context.Context, f funnel.TransitionFilter) ([]*funnel.Transition, error) {
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
	rows, err := s.read().QueryContext(ctx, "SELECT "+transitionCols+" FROM transitions"+w.page(f.AfterID, f.Limit), w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: transitions: %w", err)
	}
	return collect(rows, scanTransition)
}
