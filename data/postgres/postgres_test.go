package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridplan/data"
	"gridplan/data/postgres/pgtest"
	"gridplan/data/storetest"
)

// The PostgreSQL tests need a database: TEST_DATABASE_URL, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. Without it they
// skip, except under CI=true, where a skipped store would hide a broken one.
// See package pgtest.

// mustOpen returns a Store on a fresh schema of its own (pgtest.URL),
// migrated, and dropped again when tb ends.
func mustOpen(tb testing.TB) *Store {
	tb.Helper()
	return pgtest.Open(tb, func(ctx context.Context, url string) (*Store, error) {
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			return nil, err
		}
		cfg.MaxConns = 4
		return openConfig(ctx, cfg)
	})
}

func TestConformance(t *testing.T) {
	pgtest.Require(t) // skip or fail once, not once per case
	storetest.Run(t, func(t *testing.T) data.Store { return mustOpen(t) })
}
