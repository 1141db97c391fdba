package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"gridplan/data"
	"gridplan/funnel"
)

const transitionColumns = `id, customer_id, manager_id, user_id, from_stage, to_stage, at, reason, evidence`

func scanTransition(row pgx.Row) (*funnel.Transition, error) {
	var t funnel.Transition
	var mgr, user *int64
	var evidence map[string]string
	err := row.Scan(&t.ID, &t.CustomerID, &mgr, &user, &t.From, &t.To, &t.At, &t.Reason, &evidence)
	if err != nil {
		return nil, err
	}
	t.ManagerID, t.UserID, t.At = idOrZero(mgr), idOrZero(user), t.At.UTC()
	if len(evidence) > 0 {
		t.Evidence = evidence
	}
	return &t, nil
}

var transitionInsert = []string{"customer_id", "manager_id", "user_id", "from_stage", "to_stage", "at", "reason", "evidence"}

func transitionValues(dst []any, t *funnel.Transition) []any {
	evidence := t.Evidence
	if evidence == nil {
		evidence = map[string]string{}
	}
	return append(dst, t.CustomerID, nullID(t.ManagerID), nullID(t.UserID), string(t.From), string(t.To), t.At, t.Reason, evidence)
}

// CreateTransition validates t, stores it and sets t.ID (At is now when
// zero). Transitions are append-only.
func (s *Store) CreateTransition(ctx context.Context, t *funnel.Transition) error {
	if err := data.PrepareTransition(t, now()); err != nil {
		return err
	}
	err := s.db.QueryRow(ctx, `INSERT INTO transitions (customer_id, manager_id, user_id, from_stage, to_stage, at, reason, evidence)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, transitionValues(nil, t)...).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("create transition of customer %d: %w", t.CustomerID, translate(err))
	}
	return nil
}

// Transitions returns the transitions f selects, by id, one keyset page.
func (s *Store) Transitions(ctx context.Context, f funnel.TransitionFilter) ([]*funnel.Transition, error) {
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
	rows, err := s.db.Query(ctx, `SELECT `+transitionColumns+` FROM transitions`+q.page(f.AfterID, f.Limit), q.args...)
	if err != nil {
		return nil, fmt.Errorf("transitions: %w", translate(err))
	}
	ts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*funnel.Transition, error) { return scanTransition(r) })
	if err != nil {
		return nil, fmt.Errorf("transitions: %w", translate(err))
	}
	return ts, nil
}
