package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"gridplan/data"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DefaultPath is where the product keeps its database unless told otherwise.
const DefaultPath = "./var/gridplan.db"

// busyTimeoutMS is how long a connection waits for a lock held by another
// process (a CLI import beside the server) before SQLITE_BUSY.
const busyTimeoutMS = 10_000

var _ data.Store = (*Store)(nil)

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Store is the SQLite data.Store. It is safe for concurrent use. A Store
// handed to an InTx function is bound to that transaction; use only it
// inside the function (the outer Store's writes would wait for the
// transaction to end, which never comes).
//
// Connections, and why: SQLite lets one connection write at a time, and a
// deferred transaction that first reads and then writes can fail with
// SQLITE_BUSY at once (busy_timeout does not help when its read snapshot
// went stale) or deadlock against another such transaction. So the store
// keeps two pools on the same file:
//
//   - w, the writer: exactly one connection, and every transaction on it
//     starts with BEGIN IMMEDIATE (_txlock=immediate). All writes and all of
//     InTx go through it, so writers queue in database/sql's pool, in Go,
//     instead of racing for SQLite's lock; nothing in this process can get
//     SQLITE_BUSY from another writer or deadlock on a lock upgrade.
//   - r, the readers: several query_only connections. In WAL mode readers
//     never block the writer nor each other, so list pages and map tiles are
//     served while an import or a transaction runs, and each read sees the
//     last committed state.
//
// busy_timeout remains for other processes using the same file. For
// ":memory:" (each connection would get its own empty database) both pools
// are the one writer connection.
type Store struct {
	w, r *sql.DB
	tx   *sql.Tx // non-nil for the Store passed to an InTx function
	now  func() time.Time
}

// Open opens (creating if needed) the SQLite database at path, or a private
// in-memory one for ":memory:", and checks that it answers. It does not
// migrate: call Migrate.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	memory := path == ":memory:"
	if !memory {
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("sqlite: create directory for %s: %w", path, err)
			}
		}
	}
	pragmas := url.Values{}
	pragmas.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	pragmas.Add("_pragma", "foreign_keys(1)")
	pragmas.Add("_pragma", "cache_size(-65536)")  // 64 MiB page cache for the writer: bulk loads touch random index pages
	pragmas.Add("_pragma", "synchronous(NORMAL)") // durable across crashes in WAL mode; loses at most the last commits on power loss
	if !memory {
		pragmas.Add("_pragma", "journal_mode(WAL)")
	}
	writerDSN := dsn(path, pragmas, "_txlock=immediate")
	w, err := sql.Open("sqlite", writerDSN)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0) // keep the one connection: an in-memory database lives in it
	s := &Store{w: w, r: w, now: time.Now}
	// Touch the writer first so that WAL mode is set before readers attach.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if !memory {
		rp := url.Values{}
		rp.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
		rp.Add("_pragma", "query_only(1)")
		r, err := sql.Open("sqlite", dsn(path, rp, ""))
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
		}
		n := max(4, runtime.NumCPU())
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		s.r = r
		if err := r.PingContext(ctx); err != nil {
			s.Close()
			return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
		}
	}
	return s, nil
}

// dsn builds a modernc.org/sqlite data source name: "file:" URI with the
// connection pragmas as query parameters.
func dsn(path string, pragmas url.Values, extra string) string {
	q := pragmas.Encode()
	if extra != "" {
		q += "&" + extra
	}
	if path == ":memory:" {
		return "file::memory:?" + q
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q
}

// Migrate applies the embedded migrations that are not yet applied.
func (s *Store) Migrate(ctx context.Context) error {
	if s.tx != nil {
		return errors.New("sqlite: Migrate inside a transaction")
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.w, sub)
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	// Not p.Close(): it would close the store's database.
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// InTx runs fn in one IMMEDIATE transaction with a Store bound to it. An
// error from fn rolls back and is returned as is; a panic rolls back and is
// re-raised; nil commits. Inside a transaction, InTx just calls fn.
func (s *Store) InTx(ctx context.Context, fn func(tx data.Store) error) (err error) {
	if s.tx != nil {
		return fn(s)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = tx.Rollback() // fn panicked
		}
	}()
	err = fn(&Store{w: s.w, r: s.r, tx: tx, now: s.now})
	done = true
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// write runs fn in the current transaction, or in a new IMMEDIATE one on
// the writer, so that a write's checks and its statements are atomic.
func (s *Store) write(ctx context.Context, fn func(q querier) error) error {
	if s.tx != nil {
		return fn(s.tx)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// atomic is write for a multi-statement write that must leave nothing
// behind when it fails even inside a caller's transaction (which may go on
// and commit): there it runs under a SAVEPOINT that a failure rolls back.
func (s *Store) atomic(ctx context.Context, fn func(q querier) error) error {
	if s.tx == nil {
		return s.write(ctx, fn)
	}
	if _, err := s.tx.ExecContext(ctx, "SAVEPOINT bulk"); err != nil {
		return fmt.Errorf("sqlite: savepoint: %w", err)
	}
	if err := fn(s.tx); err != nil {
		bg := context.WithoutCancel(ctx)
		if _, rbErr := s.tx.ExecContext(bg, "ROLLBACK TO bulk"); rbErr != nil {
			return errors.Join(err, fmt.Errorf("sqlite: roll back to savepoint: %w", rbErr))
		}
		if _, rbErr := s.tx.ExecContext(bg, "RELEASE bulk"); rbErr != nil {
			return errors.Join(err, fmt.Errorf("sqlite: release savepoint: %w", rbErr))
		}
		return err
	}
	if _, err := s.tx.ExecContext(ctx, "RELEASE bulk"); err != nil {
		return fmt.Errorf("sqlite: release savepoint: %w", err)
	}
	return nil
}

// read is the querier for reads: the transaction, or the reader pool.
func (s *Store) read() querier {
	if s.tx != nil {
		return s.tx
	}
	return s.r
}

// tables in an order safe for deleting rows (children first).
var tables = []string{"plan_grids", "plans", "jobs", "gazetteer", "settings", "follow_ups", "transitions", "activities", "claims", "sessions", "users", "customers", "managers", "grids", "districts", "resources"}

// Empty reports whether the store holds no districts, grids, customers or users.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var any int
	err := s.read().QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM districts) OR EXISTS (SELECT 1 FROM grids) OR
		EXISTS (SELECT 1 FROM customers) OR EXISTS (SELECT 1 FROM users)`).Scan(&any)
	if err != nil {
		return false, fmt.Errorf("sqlite: empty: %w", err)
	}
	return any == 0, nil
}

// Reset deletes every row of every table and restarts the id sequences.
func (s *Store) Reset(ctx context.Context) error {
	return s.write(ctx, func(q querier) error {
		for _, t := range tables {
			if _, err := q.ExecContext(ctx, "DELETE FROM "+t); err != nil {
				return fmt.Errorf("sqlite: reset %s: %w", t, err)
			}
		}
		if _, err := q.ExecContext(ctx, "DELETE FROM sqlite_sequence"); err != nil {
			return fmt.Errorf("sqlite: reset sequences: %w", err)
		}
		return nil
	})
}

// Ping checks that both pools answer.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.read().QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	if s.tx == nil {
		if err := s.w.PingContext(ctx); err != nil {
			return fmt.Errorf("sqlite: ping writer: %w", err)
		}
	}
	return nil
}

// Dialect is "sqlite".
func (s *Store) Dialect() string { return "sqlite" }

// Close closes the database. On a transaction's Store it does nothing.
func (s *Store) Close() error {
	if s.tx != nil {
		return nil
	}
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}
