package postgres

import (
	"context"
	"fmt"
	"time"

	"gridplan/data"
	"gridplan/funnel"
)

// historyFilter is f as a WHERE clause on a table with customer_id and at.
func historyFilter(f funnel.HistoryFilter) *filter {
	var q filter
	if !f.Since.IsZero() {
		q.add("at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		q.add("at < ?", f.Until)
	}
	if f.DistrictID != 0 {
		q.add("customer_id IN (SELECT c.id FROM customers c JOIN grids g ON g.id = c.grid_id WHERE g.district_id = ?)", f.DistrictID)
	}
	return &q
}

// TransitionSteps streams the transitions f selects: id, customer, from,
// to, at.
func (s *Store) TransitionSteps(ctx context.Context, f funnel.HistoryFilter, fn func(funnel.TransitionStep) error) error {
	q := historyFilter(f)
	rows, err := s.db.Query(ctx, `SELECT id, customer_id, from_stage, to_stage, at FROM transitions`+q.where(), q.args...)
	if err != nil {
		return fmt.Errorf("transition steps: %w", translate(err))
	}
	defer rows.Close()
	var t funnel.TransitionStep
	var from, to string
	for n := 0; rows.Next(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := rows.Scan(&t.ID, &t.CustomerID, &from, &to, &t.At); err != nil {
			return fmt.Errorf("transition steps: %w", translate(err))
		}
		t.From, t.To, t.At = funnel.Stage(from), funnel.Stage(to), t.At.UTC()
		if err := fn(t); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("transition steps: %w", translate(err))
	}
	return nil
}

// ActivityFacts streams the activities f selects: id, customer, kind, at,
// verified, whether it recorded a competitor complaint, the contract end.
func (s *Store) ActivityFacts(ctx context.Context, f funnel.HistoryFilter, fn func(funnel.ActivityFact) error) error {
	q := historyFilter(f)
	rows, err := s.db.Query(ctx, `SELECT id, customer_id, kind, at, verified, '`+string(funnel.CompetitorComplaint)+`' = ANY(signals), contract_expires
		FROM activities`+q.where(), q.args...)
	if err != nil {
		return fmt.Errorf("activity facts: %w", translate(err))
	}
	defer rows.Close()
	var a funnel.ActivityFact
	var kind string
	var expires *time.Time
	for n := 0; rows.Next(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := rows.Scan(&a.ID, &a.CustomerID, &kind, &a.At, &a.Verified, &a.Complaint, &expires); err != nil {
			return fmt.Errorf("activity facts: %w", translate(err))
		}
		a.Kind, a.At = funnel.ActivityKind(kind), a.At.UTC()
		a.ContractExpires = time.Time{}
		if expires != nil {
			a.ContractExpires = data.Day(*expires)
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("activity facts: %w", translate(err))
	}
	return nil
}
