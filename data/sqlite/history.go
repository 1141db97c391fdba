package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gridplan/funnel"
)

// historyWhere is f as a WHERE clause on a table with customer_id and at.
func historyWhere(f funnel.HistoryFilter) *where {
	var w where
	if !f.Since.IsZero() {
		w.add("at >= ?", microsCeil(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("at < ?", microsCeil(f.Until))
	}
	if f.DistrictID != 0 {
		w.add("customer_id IN (SELECT c.id FROM customers c JOIN grids g ON g.id = c.grid_id WHERE g.district_id = ?)", f.DistrictID)
	}
	return &w
}

// TransitionSteps streams the transitions f selects: id, customer, from,
// to, at.
func (s *Store) TransitionSteps(ctx context.Context, f funnel.HistoryFilter, fn func(funnel.TransitionStep) error) error {
	w := historyWhere(f)
	rows, err := s.read().QueryContext(ctx, "SELECT id, customer_id, from_stage, to_stage, at FROM transitions"+w.String(), w.args...)
	if err != nil {
		return fmt.Errorf("sqlite: transition steps: %w", err)
	}
	defer rows.Close()
	var t funnel.TransitionStep
	var at int64
	for n := 0; rows.Next(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := rows.Scan(&t.ID, &t.CustomerID, &t.From, &t.To, &at); err != nil {
			return fmt.Errorf("sqlite: transition steps: %w", err)
		}
		t.At = fromMicros(at)
		if err := fn(t); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: transition steps: %w", err)
	}
	return nil
}

// complaintJSON is how a competitor complaint reads in the signals' JSON.
const complaintJSON = `"` + string(funnel.CompetitorComplaint) + `"`

// ActivityFacts streams the activities f selects: id, customer, kind, at,
// verified, whether it recorded a competitor complaint, the contract end.
func (s *Store) ActivityFacts(ctx context.Context, f funnel.HistoryFilter, fn func(funnel.ActivityFact) error) error {
	w := historyWhere(f)
	rows, err := s.read().QueryContext(ctx, "SELECT id, customer_id, kind, at, verified, signals, contract_expires FROM activities"+w.String(), w.args...)
	if err != nil {
		return fmt.Errorf("sqlite: activity facts: %w", err)
	}
	defer rows.Close()
	var a funnel.ActivityFact
	var at int64
	var verified int
	var signals string
	var expires sql.NullString
	for n := 0; rows.Next(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := rows.Scan(&a.ID, &a.CustomerID, &a.Kind, &at, &verified, &signals, &expires); err != nil {
			return fmt.Errorf("sqlite: activity facts: %w", err)
		}
		a.At, a.Verified = fromMicros(at), verified != 0
		// The signals are a JSON array of signal names: a name in quotes is
		// an element.
		a.Complaint = strings.Contains(signals, complaintJSON)
		a.ContractExpires = time.Time{}
		d, err := decodeDate(expires)
		if err != nil {
			return fmt.Errorf("sqlite: activity %d: contract_expires: %w", a.ID, err)
		}
		if d != nil {
			a.ContractExpires = *d
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: activity facts: %w", err)
	}
	return nil
}
