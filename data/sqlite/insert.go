package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// inserter writes rows into one table with a prepared INSERT of bulkBatch
// rows at a time, and the remainder one by one: the write path of the
// upsert and of the gazetteer, which (unlike runBulk) check everything
// before writing and so need no replay to name a failed row.
type inserter struct {
	table         string
	ncol          int
	single, batch *sql.Stmt
	args          []any // the pending rows' values, ncol per row
	first         int   // caller's number of the first pending row, for errors
}

func newInserter(ctx context.Context, q querier, table, cols string) (*inserter, error) {
	ncol := strings.Count(cols, ",") + 1
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", ncol), ", ") + ")"
	insert := "INSERT INTO " + table + " (" + cols + ") VALUES "
	single, err := q.PrepareContext(ctx, insert+one)
	if err != nil {
		return nil, fmt.Errorf("sqlite: prepare %s insert: %w", table, err)
	}
	batch, err := q.PrepareContext(ctx, insert+strings.TrimSuffix(strings.Repeat(one+", ", bulkBatch), ", "))
	if err != nil {
		single.Close()
		return nil, fmt.Errorf("sqlite: prepare %s insert: %w", table, err)
	}
	return &inserter{table: table, ncol: ncol, single: single, batch: batch, args: make([]any, 0, bulkBatch*ncol)}, nil
}

// add queues one row (ncol values), writing a batch when one is full. row
// is the caller's number for it, used in errors.
func (in *inserter) add(ctx context.Context, row int, values ...any) error {
	if len(in.args) == 0 {
		in.first = row
	}
	in.args = append(in.args, values...)
	if len(in.args) < bulkBatch*in.ncol {
		return nil
	}
	if _, err := in.batch.ExecContext(ctx, in.args...); err != nil {
		return fmt.Errorf("sqlite: insert %s rows from %d: %w", in.table, in.first, err)
	}
	in.args = in.args[:0]
	return nil
}

// flush writes the rows still queued.
func (in *inserter) flush(ctx context.Context) error {
	for i := 0; i < len(in.args); i += in.ncol {
		if _, err := in.single.ExecContext(ctx, in.args[i:i+in.ncol]...); err != nil {
			return fmt.Errorf("sqlite: insert %s row %d: %w", in.table, in.first+i/in.ncol, err)
		}
	}
	in.args = in.args[:0]
	return nil
}

func (in *inserter) close() {
	in.single.Close()
	in.batch.Close()
}
