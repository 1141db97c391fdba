package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"gridplan/data"
	"gridplan/data/sqlite"
	"gridplan/data/storetest"
)

// MustOpen opens a migrated store in a fresh temporary file and closes it
// when tb ends.
func MustOpen(tb testing.TB) *sqlite.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "var", "gridplan.db"))
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store { return MustOpen(t) })
}
