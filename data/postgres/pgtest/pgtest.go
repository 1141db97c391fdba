// Package pgtest is for tests only: it gives each test a fresh PostgreSQL
// schema of the database at TEST_DATABASE_URL, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable, and drops it when
// the test ends.
//
// Without TEST_DATABASE_URL a test skips, except under CI=true, where it
// fails: a skipped store would hide a broken one. A database that is
// configured but does not answer fails the test, CI or not: whoever set
// TEST_DATABASE_URL meant it to be used.
//
// The package does not import gridplan/data/postgres, so that package's own
// tests can use it too; Open takes the opener instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SchemaPrefix starts the name of every schema URL creates.
const SchemaPrefix = "gridplan_test_"

// testURL returns TEST_DATABASE_URL or skips (fails under CI=true).
func testURL(tb testing.TB) string {
	tb.Helper()
	raw := os.Getenv("TEST_DATABASE_URL")
	if raw == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("TEST_DATABASE_URL is not set, but CI=true requires the PostgreSQL paths to be tested " +
				"(e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
		}
		tb.Skip("TEST_DATABASE_URL is not set: skipping the PostgreSQL tests")
	}
	return raw
}

var admin struct {
	once sync.Once
	pool *pgxpool.Pool
	err  error
}

// Require skips or fails tb as described in the package comment unless
// TEST_DATABASE_URL is set and answers. It returns the pool, shared by the
// whole test binary, that creates and drops the schemas.
func Require(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	raw := testURL(tb)
	admin.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		admin.pool, admin.err = pgxpool.New(ctx, raw)
		if admin.err == nil {
			admin.err = admin.pool.Ping(ctx)
		}
	})
	if admin.err != nil {
		tb.Fatalf("TEST_DATABASE_URL is set but the database does not answer: %v", admin.err)
	}
	return admin.pool
}

// URL returns TEST_DATABASE_URL with its search_path set to a fresh schema
// of its own (random name, so that goose's version table lands there too),
// dropped again when tb ends.
func URL(tb testing.TB) string {
	tb.Helper()
	pool := Require(tb)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	schema := SchemaPrefix + hex.EncodeToString(b[:])
	u, err := url.Parse(testURL(tb))
	if err != nil {
		tb.Fatal("TEST_DATABASE_URL is not a URL") // the error may quote the password
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	ctx := context.Background()
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return u.String()
}

// Store is what Open needs of a store.
type Store interface {
	Migrate(context.Context) error
	Close() error
}

// Open opens a store with open (postgres.Open, typically) on URL(tb),
// migrates it and closes it when tb ends, before its schema is dropped.
func Open[S Store](tb testing.TB, open func(context.Context, string) (S, error)) S {
	tb.Helper()
	raw := URL(tb)
	ctx := context.Background()
	s, err := open(ctx, raw)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() }) // runs before the schema is dropped
	if err := s.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s
}
