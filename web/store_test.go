package web

import (
	"context"
	"path/filepath"
	"testing"

	"gridplan/data"
	"gridplan/data/sqlite"
)

// openStore returns a fresh, migrated embedded SQLite store in a temp file,
// closed at cleanup.
func openStore(tb testing.TB) data.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "gridplan.db"))
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		tb.Fatalf("migrate sqlite: %v", err)
	}
	return s
}
