package sqlite

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/pressly/goose/v3"

	"gridplan/data/storetest"
	"gridplan/funnel"
	"gridplan/territory"
)

// migrator is the goose provider Migrate uses, for stepping through
// versions.
func migrator(tb testing.TB, s *Store) *goose.Provider {
	tb.Helper()
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		tb.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.w, sub)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestMigrateResourceCells applies 00004 to a store holding resources from
// before it: rows, ids and the AUTOINCREMENT high-water mark survive the
// table rebuild; going down drops what the old schema cannot hold.
func TestMigrateResourceCells(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := migrator(t, s)
	if _, err := p.UpTo(ctx, 3); err != nil {
		t.Fatalf("up to 3: %v", err)
	}
	// Three resources in the old schema; the last is deleted, so the next
	// id must be 4, not 3.
	for i, name := range []string{"a", "b", "c"} {
		_, err := s.w.ExecContext(ctx, `INSERT INTO resources (name, kind, status, geometry, radius_m, capacity, expected_date,
			min_lon, min_lat, max_lon, max_lat) VALUES (?, 'olt', 'existing', ?, 100, 8, '2027-01-31', 120, 30, 120.1, 30.1)`,
			name, mustWKB(t, orb.Point{120.05 + float64(i)*0.01, 30.05}))
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.w.ExecContext(ctx, "DELETE FROM resources WHERE name = 'c'"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	rs, err := s.Resources(ctx, territory.ResourceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].ID != 1 || rs[1].ID != 2 || rs[1].Name != "b" || rs[1].Geometry != (orb.Point{120.06, 30.05}) ||
		rs[1].ExpectedDate == nil || rs[1].ExpectedDate.Format("2006-01-02") != "2027-01-31" || rs[1].Code != "" {
		t.Fatalf("after the migration: %+v", rs)
	}
	cells := storetest.NewCellResource("cells", storetest.CellsAround(storetest.Hangzhou, 9, 1))
	cells.Code = "C-1"
	if err := s.CreateResource(ctx, cells); err != nil {
		t.Fatal(err)
	}
	if cells.ID != 4 {
		t.Errorf("new resource got id %d, want 4 (ids are never reused)", cells.ID)
	}

	if _, err := p.DownTo(ctx, 3); err != nil {
		t.Fatalf("down to 3: %v", err)
	}
	var n, seq int
	if err := s.w.QueryRowContext(ctx, "SELECT count(*) FROM resources").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := s.w.QueryRowContext(ctx, "SELECT seq FROM sqlite_sequence WHERE name = 'resources'").Scan(&seq); err != nil {
		t.Fatal(err)
	}
	if n != 2 || seq != 4 {
		t.Errorf("after going down: %d resources, sequence %d; want the 2 geometry resources and 4", n, seq)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
}

func mustWKB(tb testing.TB, g orb.Geometry) []byte {
	tb.Helper()
	b, err := encodeGeom(g)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestMigrateFunnel steps 00005 up and down on a store holding claims:
// claims keep their rows, ids and high-water mark through the rebuild that
// going down needs (ended_by is in a foreign key), the unique index of one
// active claim per customer comes back, and up again works.
func TestMigrateFunnel(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := migrator(t, s)
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	f := storetest.Seed(t, s, "01")
	u := storetest.NewUser("planner", territory.RolePlanner, 0)
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	cs := storetest.MustCustomers(t, s, "c", f.Grid.ID, 3)
	end := storetest.Epoch.Add(time.Hour)
	var claims []*funnel.Claim
	for i, c := range cs {
		cl := storetest.NewClaim(c.ID, f.Manager.ID)
		if i > 0 {
			cl.Status, cl.EndedAt, cl.EndReason, cl.EndedBy = funnel.ClaimReleased, &end, "released", u.ID
		}
		if err := s.CreateClaim(ctx, cl); err != nil {
			t.Fatal(err)
		}
		claims = append(claims, cl)
	}
	if _, err := s.w.ExecContext(ctx, "DELETE FROM claims WHERE id = ?", claims[2].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateTransition(ctx, &funnel.Transition{CustomerID: cs[0].ID, From: funnel.Target, To: funnel.List}); err != nil {
		t.Fatal(err)
	}

	if _, err := p.DownTo(ctx, 4); err != nil {
		t.Fatalf("down to 4: %v", err)
	}
	var n, seq int
	if err := s.w.QueryRowContext(ctx, "SELECT count(*), (SELECT seq FROM sqlite_sequence WHERE name = 'claims') FROM claims").Scan(&n, &seq); err != nil {
		t.Fatal(err)
	}
	if n != 2 || seq != int(claims[2].ID) {
		t.Errorf("after going down: %d claims, sequence %d; want 2 and %d", n, seq, claims[2].ID)
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO claims (customer_id, manager_id, status, claimed_at, last_activity_at)
		VALUES (?, ?, 'active', 0, 0)`, cs[0].ID, f.Manager.ID)
	if !isUnique(err) {
		t.Errorf("a second active claim after going down: %v, want a unique violation", err)
	}
	var tables int
	if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master
		WHERE type = 'table' AND name IN ('transitions', 'follow_ups', 'settings')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("%d of the new tables survive going down", tables)
	}

	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	got, err := s.Claims(ctx, funnel.ClaimFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != claims[0].ID || got[1].ID != claims[1].ID || got[1].EndedBy != 0 || got[1].EndReason != "released" {
		t.Fatalf("claims after down and up: %+v", got)
	}
	next := storetest.NewClaim(cs[2].ID, f.Manager.ID)
	if err := s.CreateClaim(ctx, next); err != nil {
		t.Fatal(err)
	}
	if next.ID <= claims[2].ID {
		t.Errorf("new claim got id %d, want > %d (ids are never reused)", next.ID, claims[2].ID)
	}
}
