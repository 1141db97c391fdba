package main

import (
	"context"
	"fmt"
	"strings"

	"gridplan/data"
	"gridplan/data/postgres"
	"gridplan/data/sqlite"
)

// openStore opens the store named by dsn: "sqlite:PATH" or a postgres:// URL.
func openStore(ctx context.Context, dsn string) (data.Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, fmt.Errorf(`--db %q: sqlite needs a path, e.g. "sqlite:./var/gridplan.db"`, dsn)
		}
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		return s, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		return s, nil
	default:
		return nil, fmt.Errorf(`--db %q: want "sqlite:PATH" or a postgres:// URL`, dsn)
	}
}

// openMigrated opens the store and applies pending migrations.
func openMigrated(ctx context.Context, dsn string) (data.Store, error) {
	s, err := openStore(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return s, nil
}
