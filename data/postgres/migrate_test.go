package postgres

import (
	"context"
	"io/fs"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/paulmach/orb"
	"github.com/pressly/goose/v3"

	"gridplan/data/storetest"
	"gridplan/territory"
)

// TestMigrateResourceCells steps 00004 down and up on a store holding a
// cell resource and a point resource: down drops the cell resource (the old
// schema cannot hold it) and keeps the other; up again accepts cells.
func TestMigrateResourceCells(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	point := storetest.NewResource("point", orb.Point{120.1, 30.2}, 250)
	point.Code = "P-1"
	cells := storetest.NewCellResource("cells", storetest.CellsAround(storetest.Hangzhou, 9, 1))
	for _, r := range []*territory.Resource{point, cells} {
		if err := s.CreateResource(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 3); err != nil {
		t.Fatalf("down to 3: %v", err)
	}
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM resources WHERE id = $1", point.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after going down: point resource rows %d (%v), want 1", n, err)
	}
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM resources").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after going down: %d resources (%v), want only the point", n, err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	got, err := s.Resource(ctx, point.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Code != "" || got.Geometry != point.Geometry {
		t.Errorf("point after down and up: %+v", got)
	}
	again := storetest.NewCellResource("cells again", cells.Cells)
	if err := s.CreateResource(ctx, again); err != nil {
		t.Fatalf("create cell resource after up: %v", err)
	}
}
