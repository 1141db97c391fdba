package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"gridplan/data"
)

//go:embed migrations/*.sql
var migrations embed.FS

var _ data.Store = (*Store)(nil)

// dbtx is what both the pool and a transaction offer; every query method of
// Store goes through it, so one set of methods serves both. Begin on a
// transaction starts a savepoint.
type dbtx interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

// Store is a data.Store on a PostgreSQL database. The Store returned by Open
// runs each call on a pooled connection; the one InTx hands to fn runs every
// call in that transaction.
type Store struct {
	pool *pgxpool.Pool
	db   dbtx
	inTx bool
}

// Open connects to the database at url (a postgres:// URL or key=value DSN)
// and checks that it answers. It does not migrate: call Migrate. URL
// parameters that pgx does not know, such as search_path=gridplan, are sent
// to the server as run-time parameters, so one database can hold several
// gridplan schemas.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the URL, password included.
		return nil, errors.New("postgres: cannot parse the database URL")
	}
	return openConfig(ctx, cfg)
}

func openConfig(ctx context.Context, cfg *pgxpool.Config) (*Store, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open: %w", opaque(err))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, opaque(err))
	}
	return &Store{pool: pool, db: pool}, nil
}

// Dialect is "postgres".
func (s *Store) Dialect() string { return "postgres" }

// Close closes the pool. On a transaction-bound Store it does nothing: the
// transaction ends when InTx returns.
func (s *Store) Close() error {
	if !s.inTx {
		s.pool.Close()
	}
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if s.inTx {
		_, err := s.db.Exec(ctx, "SELECT 1")
		return translate(err)
	}
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping: %w", opaque(err))
	}
	return nil
}

// InTx runs fn in one transaction with a Store bound to it: an error from fn
// rolls back and is returned, a panic rolls back and panics on, nil commits.
// On a Store already in a transaction fn runs in a savepoint of it, so a
// failed nested step can be recovered from by the outer fn. The Store
// handed to fn is bound to one connection: use it from one goroutine.
func (s *Store) InTx(ctx context.Context, fn func(tx data.Store) error) error {
	return s.inTxStore(ctx, func(tx *Store) error { return fn(tx) })
}

// inTxStore is InTx with the concrete type, for the bulk loaders.
func (s *Store) inTxStore(ctx context.Context, fn func(tx *Store) error) error {
	// pgx.BeginFunc defers the rollback, so it also runs when fn panics.
	// fn's own error is returned as it is; only the driver's are translated.
	var fnErr error
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		fnErr = fn(&Store{pool: s.pool, db: tx, inTx: true})
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("transaction: %w", translate(err))
	}
	return nil
}

// Migrate applies the embedded migrations that are not yet applied, in the
// first schema of the connection's search_path. Concurrent Migrate calls on
// one schema (several replicas starting at once) are serialised by an
// advisory lock keyed on the schema name. It always runs on the pool, also
// when called on a transaction-bound Store.
func (s *Store) Migrate(ctx context.Context) error {
	var schema *string
	if err := s.pool.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("migrate: %w", opaque(err))
	}
	if schema == nil {
		return fmt.Errorf("migrate: no schema of the search_path exists; create it first")
	}
	h := fnv.New64a()
	h.Write([]byte("gridplan:" + *schema))
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64())), lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close() // does not close the pool
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate schema %q: %w", *schema, opaque(err))
	}
	return nil
}

// Empty reports whether the store holds no districts, grids, customers or users.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var empty bool
	err := s.db.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM districts)
		AND NOT EXISTS (SELECT 1 FROM grids)
		AND NOT EXISTS (SELECT 1 FROM customers)
		AND NOT EXISTS (SELECT 1 FROM users)`).Scan(&empty)
	if err != nil {
		return false, fmt.Errorf("empty: %w", translate(err))
	}
	return empty, nil
}

// Reset deletes every row of every table and restarts the id sequences.
func (s *Store) Reset(ctx context.Context) error {
	_, err := s.db.Exec(ctx, `TRUNCATE districts, grids, managers, customers, resources,
		users, sessions, claims, activities, transitions, follow_ups, settings, jobs, gazetteer, plans, plan_grids
		RESTART IDENTITY CASCADE`)
	if err != nil {
		return fmt.Errorf("reset: %w", translate(err))
	}
	return nil
}

// now is the store's clock reading: UTC, whole microseconds (what
// timestamptz keeps).
func now() time.Time { return stamp(time.Now()) }

// stamp brings t to what a timestamptz round trip returns.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// stampOr returns stamp(t), or def when t is zero.
func stampOr(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return stamp(t)
}

// nullID maps the domain's "0 = none" to SQL NULL.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func idOrZero(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

// filter builds the WHERE clause of a list query from optional conditions,
// numbering the placeholders as it goes.
type filter struct {
	conds []string
	args  []any
}

// add appends cond, whose one "?" stands for v.
func (f *filter) add(cond string, v any) {
	f.args = append(f.args, v)
	f.conds = append(f.conds, strings.Replace(cond, "?", fmt.Sprintf("$%d", len(f.args)), 1))
}

// where is " WHERE c1 AND c2 …", or "" without conditions.
func (f *filter) where() string {
	if len(f.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.conds, " AND ")
}

// page adds keyset paging: ids after afterID, in id order, at most limit
// (0: all). It returns the whole query tail.
func (f *filter) page(afterID int64, limit int) string {
	if afterID > 0 {
		f.add("id > ?", afterID)
	}
	tail := f.where() + " ORDER BY id"
	if limit > 0 {
		f.args = append(f.args, limit)
		tail += fmt.Sprintf(" LIMIT $%d", len(f.args))
	}
	return tail
}
