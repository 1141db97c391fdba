package sqlite

import (
	"context"
	"fmt"
	"strings"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

// progressEvery is how many rows a bulk load writes between progress calls.
const progressEvery = 5000

// bulkBatch is how many rows one INSERT statement of a bulk load carries:
// fewer trips through database/sql and the driver. 64 rows × 16 columns
// stays far below SQLite's limit of 32,766 parameters.
const bulkBatch = 64

// nextID is the first id free in table for a load whose explicit ids reach
// up to maxGiven: above every stored id and every id AUTOINCREMENT ever gave.
func nextID(ctx context.Context, q querier, table string, maxGiven int64) (int64, error) {
	var top int64
	err := q.QueryRowContext(ctx, `SELECT max(
			coalesce((SELECT max(id) FROM `+table+`), 0),
			coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0))`, table).Scan(&top)
	if err != nil {
		return 0, fmt.Errorf("sqlite: next id of %s: %w", table, err)
	}
	return max(top, maxGiven) + 1, nil
}

// bulkLoad is the shared loop of the bulk loads: in one transaction, give
// every row with id 0 the next free id (max(id)+1 …), insert the rows with
// one prepared statement, report progress, and on failure let explain turn
// the driver error of row i into a domain error. Ids are written back (by
// setID) only when everything committed.
type bulkLoad struct {
	table   string
	cols    string // column list, id first
	n       int
	id      func(i int) int64
	setID   func(i int, id int64)
	args    func(i int) ([]any, error)
	explain func(ctx context.Context, q querier, i int, err error) error
}

func (s *Store) runBulk(ctx context.Context, b bulkLoad, progress data.Progress) error {
	if b.n == 0 {
		return nil
	}
	ids := make([]int64, b.n)
	var maxGiven int64
	for i := range b.n {
		ids[i] = b.id(i)
		maxGiven = max(maxGiven, ids[i])
	}
	err := s.atomic(ctx, func(q querier) error {
		next, err := nextID(ctx, q, b.table, maxGiven)
		if err != nil {
			return err
		}
		for i := range ids {
			if ids[i] == 0 {
				ids[i] = next
				next++
			}
		}
		ncol := strings.Count(b.cols, ",") + 1
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", ncol), ", ") + ")"
		insert := "INSERT INTO " + b.table + " (" + b.cols + ") VALUES "
		single, err := q.PrepareContext(ctx, insert+one)
		if err != nil {
			return fmt.Errorf("sqlite: prepare %s load: %w", b.table, err)
		}
		defer single.Close()
		batch, err := q.PrepareContext(ctx, insert+strings.TrimSuffix(strings.Repeat(one+", ", bulkBatch), ", "))
		if err != nil {
			return fmt.Errorf("sqlite: prepare %s load: %w", b.table, err)
		}
		defer batch.Close()
		rowArgs := func(i int) ([]any, error) {
			args, err := b.args(i)
			if err != nil {
				return nil, err
			}
			return append([]any{ids[i]}, args...), nil
		}
		// insertOne inserts row i alone, explaining a failure.
		insertOne := func(i int) error {
			args, err := rowArgs(i)
			if err != nil {
				return err
			}
			if _, err := single.ExecContext(ctx, args...); err != nil {
				return b.explain(ctx, q, i, err)
			}
			return nil
		}
		args := make([]any, 0, bulkBatch*ncol)
		lastReport := 0
		for start := 0; start < b.n; start += bulkBatch {
			if err := ctx.Err(); err != nil {
				return err
			}
			end := min(start+bulkBatch, b.n)
			if end-start < bulkBatch {
				for i := start; i < end; i++ {
					if err := insertOne(i); err != nil {
						return err
					}
				}
			} else {
				args = args[:0]
				for i := start; i < end; i++ {
					ra, err := rowArgs(i)
					if err != nil {
						return err
					}
					args = append(args, ra...)
				}
				if _, err := batch.ExecContext(ctx, args...); err != nil {
					// The failed statement left nothing behind: replay
					// its rows one by one to find and name the bad one.
					for i := start; i < end; i++ {
						if err := insertOne(i); err != nil {
							return err
						}
					}
					return fmt.Errorf("sqlite: %s rows %d–%d: %w", b.table, start, end-1, err)
				}
			}
			if progress != nil && end-lastReport >= progressEvery && end < b.n {
				progress(end)
				lastReport = end
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, id := range ids {
		b.setID(i, id)
	}
	if progress != nil {
		progress(b.n)
	}
	return nil
}

// BulkCustomers normalizes, validates and inserts cs in one transaction.
// Rows with ID 0 get fresh ids, written back; CreatedAt/UpdatedAt are set
// when zero. On any error nothing is written, and the error names the row
// (its index in cs).
func (s *Store) BulkCustomers(ctx context.Context, cs []*territory.Customer, progress data.Progress) error {
	now := exact(s.now())
	for i, c := range cs {
		c.Normalize()
		if err := c.Validate(); err != nil {
			return fmt.Errorf("customer row %d: %w", i, err)
		}
	}
	created := make([]int64, len(cs))
	updated := make([]int64, len(cs))
	for i, c := range cs {
		ct, ut := c.CreatedAt, c.UpdatedAt
		stamp(&ct, now)
		stamp(&ut, now)
		created[i], updated[i] = micros(ct), micros(ut)
	}
	err := s.runBulk(ctx, bulkLoad{
		table: "customers",
		cols:  customerCols,
		n:     len(cs),
		id:    func(i int) int64 { return cs[i].ID },
		setID: func(i int, id int64) {
			c := cs[i]
			c.ID, c.CreatedAt, c.UpdatedAt = id, fromMicros(created[i]), fromMicros(updated[i])
		},
		args: func(i int) ([]any, error) {
			c := cs[i]
			return []any{c.ExternalID, c.Name, c.Address, c.Location[0], c.Location[1], int64(c.Cell), nullID(c.GridID),
				c.Industry, c.Size, c.Carrier, boolInt(c.Special), c.Stage, nullID(c.OwnerID), created[i], updated[i]}, nil
		},
		explain: func(ctx context.Context, q querier, i int, err error) error {
			c := cs[i]
			if isUnique(err) {
				return fmt.Errorf("customer row %d: %w", i, conflict("customer external id %q (or id %d) already exists", c.ExternalID, c.ID))
			}
			if refErr := checkCustomerRefs(ctx, q, c); refErr != nil {
				return fmt.Errorf("customer row %d: %w", i, refErr)
			}
			return fmt.Errorf("sqlite: customer row %d: %w", i, err)
		},
	}, progress)
	return err
}

// BulkClaims validates and inserts cs in one transaction; see BulkCustomers.
// The one-active-claim rule holds: a clash is funnel.ErrConflict.
func (s *Store) BulkClaims(ctx context.Context, cs []*funnel.Claim, progress data.Progress) error {
	for i, c := range cs {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("claim row %d: %w", i, err)
		}
	}
	return s.runBulk(ctx, bulkLoad{
		table: "claims",
		cols:  claimCols,
		n:     len(cs),
		id:    func(i int) int64 { return cs[i].ID },
		setID: func(i int, id int64) { cs[i].ID = id; exactClaim(cs[i]) },
		args:  func(i int) ([]any, error) { return claimArgs(cs[i]), nil },
		explain: func(ctx context.Context, q querier, i int, err error) error {
			c := cs[i]
			if isUnique(err) {
				var clash int
				_ = q.QueryRowContext(ctx, "SELECT count(*) FROM claims WHERE id = ?", c.ID).Scan(&clash)
				if clash > 0 {
					return fmt.Errorf("claim row %d: id %d already exists: %w", i, c.ID, funnel.ErrConflict)
				}
				return fmt.Errorf("claim row %d: %w", i, activeClaimConflict(c.CustomerID))
			}
			if refErr := checkFunnelRefs(ctx, q, c.CustomerID, c.ManagerID); refErr != nil {
				return fmt.Errorf("claim row %d: %w", i, refErr)
			}
			if refErr := checkEndedBy(ctx, q, c); refErr != nil {
				return fmt.Errorf("claim row %d: %w", i, refErr)
			}
			return fmt.Errorf("sqlite: claim row %d: %w", i, err)
		},
	}, progress)
}

// BulkActivities validates and inserts as in one transaction; see
// BulkCustomers.
func (s *Store) BulkActivities(ctx context.Context, as []*funnel.Activity, progress data.Progress) error {
	for i, a := range as {
		if err := a.Validate(); err != nil {
			return fmt.Errorf("activity row %d: %w", i, err)
		}
	}
	return s.runBulk(ctx, bulkLoad{
		table: "activities",
		cols:  activityCols,
		n:     len(as),
		id:    func(i int) int64 { return as[i].ID },
		setID: func(i int, id int64) { as[i].ID = id; exactActivity(as[i]) },
		args:  func(i int) ([]any, error) { return activityArgs(as[i]) },
		explain: func(ctx context.Context, q querier, i int, err error) error {
			a := as[i]
			if isUnique(err) {
				return fmt.Errorf("activity row %d: id %d already exists: %w", i, a.ID, funnel.ErrConflict)
			}
			if refErr := checkFunnelRefs(ctx, q, a.CustomerID, a.ManagerID); refErr != nil {
				return fmt.Errorf("activity row %d: %w", i, refErr)
			}
			return fmt.Errorf("sqlite: activity row %d: %w", i, err)
		},
	}, progress)
}

// BulkTransitions validates and inserts ts in one transaction; see
// BulkCustomers.
func (s *Store) BulkTransitions(ctx context.Context, ts []*funnel.Transition, progress data.Progress) error {
	now := s.now()
	for i, t := range ts {
		if err := data.PrepareTransition(t, now); err != nil {
			return fmt.Errorf("transition row %d: %w", i, err)
		}
	}
	return s.runBulk(ctx, bulkLoad{
		table: "transitions",
		cols:  transitionCols,
		n:     len(ts),
		id:    func(i int) int64 { return ts[i].ID },
		setID: func(i int, id int64) { ts[i].ID = id },
		args:  func(i int) ([]any, error) { return transitionArgs(ts[i]) },
		explain: func(ctx context.Context, q querier, i int, err error) error {
			t := ts[i]
			if isUnique(err) {
				return fmt.Errorf("transition row %d: id %d already exists: %w", i, t.ID, funnel.ErrConflict)
			}
			if refErr := checkTransitionRefs(ctx, q, t); refErr != nil {
				return fmt.Errorf("transition row %d: %w", i, refErr)
			}
			return fmt.Errorf("sqlite: transition row %d: %w", i, err)
		},
	}, progress)
}

// BulkFollowUps validates and inserts fs in one transaction; see
// BulkCustomers.
func (s *Store) BulkFollowUps(ctx context.Context, fs []*funnel.FollowUp, progress data.Progress) error {
	now := s.now()
	for i, f := range fs {
		if err := data.PrepareFollowUp(f, now); err != nil {
			return fmt.Errorf("follow-up row %d: %w", i, err)
		}
	}
	return s.runBulk(ctx, bulkLoad{
		table: "follow_ups",
		cols:  followUpCols,
		n:     len(fs),
		id:    func(i int) int64 { return fs[i].ID },
		setID: func(i int, id int64) { fs[i].ID = id },
		args:  func(i int) ([]any, error) { return followUpArgs(fs[i]), nil },
		explain: func(ctx context.Context, q querier, i int, err error) error {
			f := fs[i]
			if isUnique(err) {
				return fmt.Errorf("follow-up row %d: id %d already exists: %w", i, f.ID, funnel.ErrConflict)
			}
			if refErr := checkFollowUpRefs(ctx, q, f); refErr != nil {
				return fmt.Errorf("follow-up row %d: %w", i, refErr)
			}
			return fmt.Errorf("sqlite: follow-up row %d: %w", i, err)
		},
	}, progress)
}
