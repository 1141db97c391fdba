package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/data/storetest"
	"gridplan/funnel"
	"gridplan/territory"
)

// openT opens a migrated store at path (":memory:" or a file) and closes it
// when tb ends.
func openT(tb testing.TB, path string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s
}

func TestOpenArguments(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, ""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
	// Parent directories are created; Open alone does not migrate.
	path := filepath.Join(t.TempDir(), "a dir #1", "b?", "gridplan.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	if _, err := s.Empty(ctx); err == nil {
		t.Error("Empty on an unmigrated store succeeded: Open must not migrate")
	}
	for i := range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("migrate #%d: %v", i+1, err)
		}
	}
	if empty, err := s.Empty(ctx); err != nil || !empty {
		t.Errorf("Empty after migrate = %v, %v", empty, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file not at %q: %v", path, err)
	}
}

// TestPragmas checks the connection settings that the concurrency design
// relies on, on the writer and on every reader.
func TestPragmas(t *testing.T) {
	s := openT(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	pragma := func(q querier, name string) string {
		t.Helper()
		var v string
		if err := q.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v); err != nil {
			t.Fatalf("pragma %s: %v", name, err)
		}
		return v
	}
	tests := []struct {
		name   string
		q      querier
		pragma string
		want   string
	}{
		{"writer wal", s.w, "journal_mode", "wal"},
		{"writer foreign keys", s.w, "foreign_keys", "1"},
		{"writer busy timeout", s.w, "busy_timeout", fmt.Sprint(busyTimeoutMS)},
		{"writer synchronous normal", s.w, "synchronous", "1"},
		{"reader wal", s.r, "journal_mode", "wal"},
		{"reader query only", s.r, "query_only", "1"},
		{"reader busy timeout", s.r, "busy_timeout", fmt.Sprint(busyTimeoutMS)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pragma(tt.q, tt.pragma); got != tt.want {
				t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
			}
		})
	}
	if s.w.Stats().MaxOpenConnections != 1 {
		t.Errorf("writer pool allows %d connections, want 1", s.w.Stats().MaxOpenConnections)
	}
	if _, err := s.r.ExecContext(ctx, "DELETE FROM districts"); err == nil {
		t.Error("a reader connection accepted a write")
	}
}

func TestMemory(t *testing.T) {
	s := openT(t, ":memory:")
	ctx := context.Background()
	f := storetest.Seed(t, s, "01")
	storetest.MustCustomers(t, s, "m", f.Grid.ID, 10)
	if n, err := s.CountCustomers(ctx, territory.CustomerFilter{}); err != nil || n != 10 {
		t.Fatalf("CountCustomers = %d, %v", n, err)
	}
	// The one connection serves transactions and reads in turn.
	err := s.InTx(ctx, func(tx data.Store) error {
		return tx.CreateCustomer(ctx, storetest.NewCustomer("in-tx", 0, storetest.Hangzhou))
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountCustomers(ctx, territory.CustomerFilter{}); n != 11 {
		t.Errorf("CountCustomers = %d, want 11", n)
	}
}

// TestPersistence reopens a file store: the data and the schema version stay.
func TestPersistence(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keep.db")
	s := openT(t, path)
	f := storetest.Seed(t, s, "01")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openT(t, path)
	g, err := s2.Grid(ctx, f.Grid.ID)
	if err != nil {
		t.Fatalf("grid after reopen: %v", err)
	}
	if g.Code != f.Grid.Code || g.Version != 1 {
		t.Errorf("grid after reopen = %+v", g)
	}
}

// TestReadsDuringTransaction: a read outside an open transaction is served
// by the reader pool at once, sees the last committed state, and does not
// wait for the transaction.
func TestReadsDuringTransaction(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "r.db"))
	f := storetest.Seed(t, s, "01")
	storetest.MustCustomers(t, s, "before", f.Grid.ID, 3)
	err := s.InTx(ctx, func(tx data.Store) error {
		if err := tx.CreateCustomer(ctx, storetest.NewCustomer("uncommitted", f.Grid.ID, storetest.Hangzhou)); err != nil {
			return err
		}
		type result struct {
			n   int
			err error
		}
		done := make(chan result, 1)
		go func() {
			n, err := s.CountCustomers(ctx, territory.CustomerFilter{})
			done <- result{n, err}
		}()
		select {
		case r := <-done:
			if r.err != nil || r.n != 3 {
				return fmt.Errorf("outside read during tx = %d, %v; want 3 (committed rows only)", r.n, r.err)
			}
		case <-time.After(5 * time.Second):
			return errors.New("a read outside the transaction waited for it")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountCustomers(ctx, territory.CustomerFilter{}); n != 4 {
		t.Errorf("after commit: %d customers, want 4", n)
	}
}

func TestErrorMessages(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "e.db"))
	f := storetest.Seed(t, s, "01")
	storetest.MustCustomers(t, s, "c", f.Grid.ID, 1)
	stale := *f.Grid
	stale.Version = 7
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"grid code", s.CreateGrid(ctx, storetest.NewGrid(f.District.ID, "XH-01")), `grid code "XH-01" already exists`},
		{"district code", s.CreateDistrict(ctx, storetest.NewDistrict("330101")), `district code "330101" already exists`},
		{"manager code", s.CreateManager(ctx, storetest.NewManager(f.Grid.ID, "m01")), `manager code "m01" already exists`},
		{"external id", s.CreateCustomer(ctx, storetest.NewCustomer("c-0", 0, storetest.Hangzhou)), `customer external id "c-0" already exists`},
		{"missing district", s.CreateGrid(ctx, storetest.NewGrid(99, "G")), "district_id: district 99 does not exist"},
		{"stale grid", s.UpdateGrid(ctx, &stale), "grid XH-01 was changed by someone else (version 1, yours 7): reload it"},
		{"district with grids", s.DeleteDistrict(ctx, f.District.ID), "district 330101 still has 1 grids"},
		{"grid with managers", s.DeleteGrid(ctx, f.Grid.ID, 1), "grid XH-01 still has 1 managers"},
		{"missing grid", s.DeleteGrid(ctx, 99, 1), "grid 99 not found"},
		{"bulk row", s.BulkCustomers(ctx, []*territory.Customer{storetest.NewCustomer("a", 0, storetest.Hangzhou), {Name: "x"}}, nil), "customer row 1: external_id: is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", tt.err, tt.want)
			}
		})
	}
}

// TestBBoxUsesIndex checks that the customer bbox filter and the id
// pagination are answered from indexes, not by scanning the table.
func TestBBoxUsesIndex(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "i.db"))
	b := orb.Bound{Min: orb.Point{120.1, 30.2}, Max: orb.Point{120.2, 30.3}}
	w := customerWhere(territory.CustomerFilter{Bound: &b})
	rows, err := s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN SELECT id FROM customers"+w.String(), w.args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "customers_lon_lat") {
		t.Errorf("bbox plan %q does not use customers_lon_lat", p)
	}
}

// TestDeleteCustomerCascades: a customer's claims and activities go with it.
func TestDeleteCustomerCascades(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "d.db"))
	f := storetest.Seed(t, s, "01")
	cs := storetest.MustCustomers(t, s, "c", f.Grid.ID, 2)
	for _, c := range cs {
		storetest.Must(t, s.CreateClaim(ctx, storetest.NewClaim(c.ID, f.Manager.ID)), "claim")
		storetest.Must(t, s.CreateActivity(ctx, storetest.NewActivity(c.ID, f.Manager.ID, storetest.Epoch)), "activity")
	}
	storetest.Must(t, s.DeleteCustomer(ctx, cs[0].ID), "delete customer")
	claims, _ := s.Claims(ctx, funnel.ClaimFilter{})
	acts, _ := s.Activities(ctx, funnel.ActivityFilter{})
	if len(claims) != 1 || claims[0].CustomerID != cs[1].ID || len(acts) != 1 || acts[0].CustomerID != cs[1].ID {
		t.Errorf("after deleting a customer: claims %+v, activities %+v; want only the other customer's", claims, acts)
	}
}

// TestBulkProgress: progress comes every progressEvery rows or so, then
// once with the total.
func TestBulkProgress(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "b.db"))
	cs := storetest.GenCustomers(12_345, "p", nil, 7)
	var calls []int
	storetest.Must(t, s.BulkCustomers(ctx, cs, func(done int) { calls = append(calls, done) }), "bulk")
	if len(calls) != 3 || calls[2] != 12_345 || calls[0] < progressEvery || calls[0] >= progressEvery+bulkBatch || calls[1] < 2*progressEvery {
		t.Errorf("progress calls %v, want about every %d rows and the total last", calls, progressEvery)
	}
	// Ids continue after the highest id ever given, also after deletes.
	storetest.Must(t, s.DeleteCustomer(ctx, cs[len(cs)-1].ID), "delete last")
	more := storetest.GenCustomers(2, "q", nil, 8)
	storetest.Must(t, s.BulkCustomers(ctx, more, nil), "bulk again")
	if more[0].ID != cs[len(cs)-1].ID+1 {
		t.Errorf("next bulk id %d, want %d (ids are never reused)", more[0].ID, cs[len(cs)-1].ID+1)
	}
}

// TestBulkCancel: a cancelled context stops a load and writes nothing.
func TestBulkCancel(t *testing.T) {
	s := openT(t, filepath.Join(t.TempDir(), "c.db"))
	ctx, cancel := context.WithCancel(context.Background())
	cs := storetest.GenCustomers(20_000, "x", nil, 9)
	err := s.BulkCustomers(ctx, cs, func(done int) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("BulkCustomers after cancel = %v, want context.Canceled", err)
	}
	if n, err := s.CountCustomers(context.Background(), territory.CustomerFilter{}); err != nil || n != 0 {
		t.Errorf("a cancelled load left %d customers (%v)", n, err)
	}
	if cs[0].ID != 0 {
		t.Errorf("a cancelled load wrote back id %d", cs[0].ID)
	}
}
