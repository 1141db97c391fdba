package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"gridplan/data"
	"gridplan/data/storetest"
)

// The PostgreSQL tests need a database: TEST_DATABASE_URL, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. Without it they
// skip, except under CI=true, where a skipped store would hide a broken one.

// testURL returns TEST_DATABASE_URL or skips (fails under CI=true).
func testURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("TEST_DATABASE_URL is not set, but CI=true requires the PostgreSQL store to be tested " +
				"(e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
		}
		tb.Skip("TEST_DATABASE_URL is not set: skipping the PostgreSQL store")
	}
	return url
}

var admin struct {
	once sync.Once
	pool *pgxpool.Pool
	err  error
}

// adminPool is one pool for creating and dropping test schemas. A database
// that is configured but does not answer fails the test, CI or not: whoever
// set TEST_DATABASE_URL meant it to be used.
func adminPool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	url := testURL(tb)
	admin.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		admin.pool, admin.err = pgxpool.New(ctx, url)
		if admin.err == nil {
			admin.err = admin.pool.Ping(ctx)
		}
	})
	if admin.err != nil {
		tb.Fatalf("TEST_DATABASE_URL is set but the database does not answer: %v", opaque(admin.err))
	}
	return admin.pool
}

// mustOpen returns a Store on a fresh schema of its own (random name, put
// first on the search_path so that goose's version table lands there too),
// migrated, and dropped again when tb ends.
func mustOpen(tb testing.TB) *Store {
	tb.Helper()
	ctx := context.Background()
	pool := adminPool(tb)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	schema := "gridplan_test_" + hex.EncodeToString(b[:])
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	cfg, err := pgxpool.ParseConfig(testURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.MaxConns = 4
	s, err := openConfig(ctx, cfg)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { s.Close() }) // runs before the schema is dropped
	if err := s.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	adminPool(t) // skip or fail once, not once per case
	storetest.Run(t, func(t *testing.T) data.Store { return mustOpen(t) })
}
