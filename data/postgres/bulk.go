package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

// copyChunk is how many rows one COPY statement carries. Progress is
// reported after each chunk, from the caller's goroutine, so a count means
// rows the server has taken; a chunk is large enough that the extra round
// trips cost little (BenchmarkBulkCustomers/chunk=… compares sizes). A
// variable only so that the benchmark can vary it.
var copyChunk = 5000

// rebuildIndexesAt is the smallest load into an empty table that drops the
// table's secondary indexes and its own unique constraints before the COPY
// and builds them again after it (deferIndexes): one sorted index build is
// much cheaper than a million scattered index inserts (BenchmarkBulkCustomers
// measures both). Only an empty table gets this treatment, because dropping
// an index locks the table against readers until the load commits; for the
// first import or the demo city nobody is reading it yet.
var rebuildIndexesAt = 50_000

// bulkTable says how one entity is bulk-loaded.
type bulkTable[T any] struct {
	table   string // also the name used in row errors: "customers: row 12"
	seq     string // the id sequence
	columns []string
	id      func(T) *int64
	values  func(dst []any, x T) []any // appends the values of columns, in order
	// rowNum maps an index in the loaded rows to the number errors give
	// the row (nil: the index itself), for a load of a subset of the
	// caller's rows (UpsertCustomers' new customers).
	rowNum func(i int) int
}

// row is the number errors give to loaded row i.
func (t bulkTable[T]) row(i int) int {
	if t.rowNum == nil {
		return i
	}
	return t.rowNum(i)
}

// load copies rows into t in one transaction (a savepoint when s is
// already in one). Rows with ID 0 get ids from the table's sequence, in row
// order; rows with an id keep it and the sequence is moved past the largest
// so that later inserts do not collide. The ids are written back only once
// everything is written.
func (t bulkTable[T]) load(ctx context.Context, s *Store, rows []T, progress data.Progress) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]int64, len(rows))
	fresh, maxExplicit := 0, int64(0)
	for i, r := range rows {
		id := *t.id(r)
		switch {
		case id < 0:
			return fmt.Errorf("%s: row %d: id must not be negative, got %d", t.table, i, id)
		case id == 0:
			fresh++
		default:
			maxExplicit = max(maxExplicit, id)
		}
		ids[i] = id
	}
	err := s.inTxStore(ctx, func(tx *Store) error {
		if maxExplicit > 0 {
			// The lock keeps concurrent inserts from drawing ids while the
			// sequence moves; it lasts until the transaction ends.
			if _, err := tx.db.Exec(ctx, `LOCK TABLE `+t.table+` IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return fmt.Errorf("%s: lock: %w", t.table, translate(err))
			}
			q := fmt.Sprintf(`SELECT setval('%[1]s', GREATEST($1, last_value)) FROM %[1]s`, t.seq)
			if _, err := tx.db.Exec(ctx, q, maxExplicit); err != nil {
				return fmt.Errorf("%s: move id sequence: %w", t.table, translate(err))
			}
		}
		if fresh > 0 {
			next, err := tx.reserveIDs(ctx, t.seq, fresh)
			if err != nil {
				return fmt.Errorf("%s: %w", t.table, err)
			}
			for i := range ids {
				if ids[i] == 0 {
					ids[i], next = next[0], next[1:]
				}
			}
		}
		var builds []string
		if len(rows) >= rebuildIndexesAt {
			var err error
			if builds, err = tx.deferIndexes(ctx, t.table); err != nil {
				return fmt.Errorf("%s: %w", t.table, err)
			}
		}
		cols := append([]string{"id"}, t.columns...)
		for start := 0; start < len(rows); start += copyChunk {
			chunk := rows[start:min(start+copyChunk, len(rows))]
			// pgx encodes each row before asking for the next, so one
			// row buffer serves the whole chunk.
			row := make([]any, 0, len(cols))
			src := pgx.CopyFromSlice(len(chunk), func(i int) ([]any, error) {
				row = t.values(append(row[:0], ids[start+i]), chunk[i])
				return row, nil
			})
			if _, err := tx.db.CopyFrom(ctx, pgx.Identifier{t.table}, cols, src); err != nil {
				return t.rowError(err, rows, start)
			}
			if progress != nil {
				progress(start + len(chunk))
			}
		}
		for _, build := range builds {
			// A unique constraint built now reports a duplicate by value:
			// rowError finds the row.
			if _, err := tx.db.Exec(ctx, build); err != nil {
				return t.rowError(err, rows, 0)
			}
		}
		if len(rows) >= rebuildIndexesAt {
			// Without statistics the planner guesses an empty table and
			// picks nested loops for the first reports (a district's funnel
			// on the 1M demo: 13.6 s before, 0.8 s after); autovacuum gets
			// there only minutes later.
			if _, err := tx.db.Exec(ctx, "ANALYZE "+pgx.Identifier{t.table}.Sanitize()); err != nil {
				return fmt.Errorf("%s: analyze: %w", t.table, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, r := range rows {
		*t.id(r) = ids[i]
	}
	return nil
}

// deferIndexes prepares a large load into table: if the table is empty it
// drops the indexes that back no constraint, the unique constraints that no
// foreign key relies on and the table's own foreign keys, and returns the
// statements that build them again after the COPY, foreign keys last.
// Checking a foreign key row by row through its trigger is what a large COPY
// spends most on (1.7M activities: 21 s with the two keys, 1.3 s without;
// adding them back afterwards validates all rows in one join, 1.4 s).
// Dropping a foreign key also locks the referenced table (customers,
// managers) until the load commits; like the index rebuild, this happens only
// for a large load into an empty table, i.e. a first import or the demo
// city. It runs in the load's transaction, so a failed load brings
// everything back.
func (s *Store) deferIndexes(ctx context.Context, table string) ([]string, error) {
	var empty bool
	if err := s.db.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+table+`)`).Scan(&empty); err != nil || !empty {
		return nil, translate(err)
	}
	if _, err := s.db.Exec(ctx, `LOCK TABLE `+table+` IN ACCESS EXCLUSIVE MODE`); err != nil {
		return nil, fmt.Errorf("lock: %w", translate(err))
	}
	// Someone may have written between the check and the lock.
	if err := s.db.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+table+`)`).Scan(&empty); err != nil || !empty {
		return nil, translate(err)
	}
	// One row per index or constraint: the statement dropping it and the
	// one building it again; plain indexes first, so they are rebuilt first.
	rows, err := s.db.Query(ctx, `
		SELECT 'DROP INDEX ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i
		WHERE i.indrelid = $1::regclass
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
		UNION ALL
		SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', $1::regclass, c.conname),
		       format('ALTER TABLE %s ADD CONSTRAINT %I %s', $1::regclass, c.conname, pg_get_constraintdef(c.oid))
		FROM pg_constraint c
		WHERE c.conrelid = $1::regclass AND c.contype = 'u'
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
		UNION ALL
		SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', $1::regclass, c.conname),
		       format('ALTER TABLE %s ADD CONSTRAINT %I %s', $1::regclass, c.conname, pg_get_constraintdef(c.oid))
		FROM pg_constraint c
		WHERE c.conrelid = $1::regclass AND c.contype = 'f'`, table)
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", translate(err))
	}
	type deferred struct{ drop, build string }
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (deferred, error) {
		var d deferred
		return d, r.Scan(&d.drop, &d.build)
	})
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", translate(err))
	}
	builds := make([]string, 0, len(list))
	for _, d := range list {
		if _, err := s.db.Exec(ctx, d.drop); err != nil {
			return nil, fmt.Errorf("%s: %w", d.drop, translate(err))
		}
		builds = append(builds, d.build)
	}
	if len(builds) > 0 {
		// More sort memory for the builds, for this transaction only.
		if _, err := s.db.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
			return nil, fmt.Errorf("set maintenance_work_mem: %w", translate(err))
		}
	}
	return builds, nil
}

// reserveIDs draws n values from sequence seq, in increasing order.
func (s *Store) reserveIDs(ctx context.Context, seq string, n int) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT nextval($1::regclass) FROM generate_series(1, $2) ORDER BY 1`, seq, n)
	if err != nil {
		return nil, fmt.Errorf("reserve %d ids: %w", n, translate(err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("reserve %d ids: %w", n, translate(err))
	}
	if len(ids) != n {
		return nil, fmt.Errorf("reserve %d ids: got %d", n, len(ids))
	}
	return ids, nil
}

// copyLine finds the failing row in a COPY error's context.
var copyLine = regexp.MustCompile(`COPY \S+, line (\d+)`)

// rowError names the row a failed COPY chunk (starting at row start), or a
// deferred unique constraint, choked on: from the line the server reports
// or else from the key in the error's detail: the first row from start
// holding a missing foreign key, the second holding a duplicated value.
func (t bulkTable[T]) rowError(err error, rows []T, start int) error {
	terr := translate(err)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", t.table, terr)
	}
	if m := copyLine.FindStringSubmatch(pe.Where); m != nil {
		if line, convErr := strconv.Atoi(m[1]); convErr == nil && line >= 1 {
			return fmt.Errorf("%s: row %d: %w", t.table, t.row(start+line-1), terr)
		}
	}
	c, known := constraints[pe.ConstraintName]
	val := detailValue(pe)
	col := slices.Index(t.columns, c.field)
	if !known || val == "" || col < 0 || (pe.Code != codeForeignKey && pe.Code != codeUnique) {
		return fmt.Errorf("%s: %w", t.table, terr)
	}
	want := 1 // occurrences of val to find
	if pe.Code == codeUnique {
		want = 2
	}
	for i := start; i < len(rows); i++ {
		if sqlText(t.values(nil, rows[i])[col]) == val {
			if want--; want == 0 {
				return fmt.Errorf("%s: row %d: %w", t.table, t.row(i), terr)
			}
		}
	}
	return fmt.Errorf("%s: %w", t.table, terr)
}

// sqlText renders an id or text value as PostgreSQL prints it in a key
// detail.
func sqlText(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case *int64:
		if x == nil {
			return "NULL"
		}
		return strconv.FormatInt(*x, 10)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

var customerTable = bulkTable[*territory.Customer]{
	table: "customers", seq: "customers_id_seq", columns: customerInsert,
	id: func(c *territory.Customer) *int64 { return &c.ID }, values: customerValues,
}

var claimTable = bulkTable[*funnel.Claim]{
	table: "claims", seq: "claims_id_seq", columns: claimInsert,
	id: func(c *funnel.Claim) *int64 { return &c.ID }, values: claimValues,
}

var activityTable = bulkTable[*funnel.Activity]{
	table: "activities", seq: "activities_id_seq", columns: activityInsert,
	id: func(a *funnel.Activity) *int64 { return &a.ID }, values: activityValues,
}

// BulkCustomers validates every customer (normalizing it, as
// CreateCustomer does) and then COPYs them in one transaction: on any
// error nothing is written, and the error names the row ("customers: row 12").
func (s *Store) BulkCustomers(ctx context.Context, cs []*territory.Customer, progress data.Progress) error {
	t := now()
	for i, c := range cs {
		if c == nil {
			return fmt.Errorf("customers: row %d: is nil", i)
		}
		if err := prepareCustomer(c, t); err != nil {
			return fmt.Errorf("customers: row %d: %w", i, err)
		}
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return customerTable.load(ctx, s, cs, progress)
}

// BulkClaims validates every claim and COPYs them in one transaction. Two
// active claims on one customer fail with funnel.ErrConflict.
func (s *Store) BulkClaims(ctx context.Context, cs []*funnel.Claim, progress data.Progress) error {
	for i, c := range cs {
		if c == nil {
			return fmt.Errorf("claims: row %d: is nil", i)
		}
		if err := prepareClaim(c); err != nil {
			return fmt.Errorf("claims: row %d: %w", i, err)
		}
	}
	return claimTable.load(ctx, s, cs, progress)
}

// BulkActivities validates every activity and COPYs them in one transaction.
func (s *Store) BulkActivities(ctx context.Context, as []*funnel.Activity, progress data.Progress) error {
	for i, a := range as {
		if a == nil {
			return fmt.Errorf("activities: row %d: is nil", i)
		}
		if err := prepareActivity(a); err != nil {
			return fmt.Errorf("activities: row %d: %w", i, err)
		}
	}
	return activityTable.load(ctx, s, as, progress)
}

var transitionTable = bulkTable[*funnel.Transition]{
	table: "transitions", seq: "transitions_id_seq", columns: transitionInsert,
	id: func(t *funnel.Transition) *int64 { return &t.ID }, values: transitionValues,
}

var followUpTable = bulkTable[*funnel.FollowUp]{
	table: "follow_ups", seq: "follow_ups_id_seq", columns: followUpInsert,
	id: func(f *funnel.FollowUp) *int64 { return &f.ID }, values: followUpValues,
}

// BulkTransitions validates every transition and COPYs them in one
// transaction.
func (s *Store) BulkTransitions(ctx context.Context, ts []*funnel.Transition, progress data.Progress) error {
	t := now()
	for i, x := range ts {
		if err := data.PrepareTransition(x, t); err != nil {
			return fmt.Errorf("transitions: row %d: %w", i, err)
		}
	}
	return transitionTable.load(ctx, s, ts, progress)
}

// BulkFollowUps validates every follow-up and COPYs them in one
// transaction.
func (s *Store) BulkFollowUps(ctx context.Context, fs []*funnel.FollowUp, progress data.Progress) error {
	t := now()
	for i, f := range fs {
		if err := data.PrepareFollowUp(f, t); err != nil {
			return fmt.Errorf("follow-ups: row %d: %w", i, err)
		}
	}
	return followUpTable.load(ctx, s, fs, progress)
}
