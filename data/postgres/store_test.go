package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"gridplan/data"
	"gridplan/data/storetest"
	"gridplan/funnel"
	"gridplan/territory"
)

// These tests pin what is particular to PostgreSQL; the behaviour shared
// with SQLite is the conformance suite's (TestConformance).

func TestOpenRefusesBadTargets(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tests := []struct {
		name, url, want string
	}{
		{"unparseable", "postgres://u:secret@[::1", "cannot parse"},
		{"nobody listening", "postgres://u:secret@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", "127.0.0.1:1/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(ctx, tt.url)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q leaks the password", err)
			}
			var pe *pgconn.PgError
			var ce *pgconn.ConnectError
			if errors.As(err, &pe) || errors.As(err, &ce) {
				t.Errorf("error %v exposes a pgconn type", err)
			}
		})
	}
}

// TestOpenerPolicy runs this test binary's TestConformance in a child process
// under each environment and checks that it skips or fails as promised.
func TestOpenerPolicy(t *testing.T) {
	if os.Getenv("GRIDPLAN_POLICY_CHILD") != "" {
		t.Skip("already the child")
	}
	tests := []struct {
		name, url, ci string
		fail          bool
		want          string
	}{
		{"unset", "", "", false, "SKIP"},
		{"unset under CI", "", "true", true, "CI=true requires"},
		{"unreachable", "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", "", true, "does not answer"},
		{"unreachable under CI", "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", "true", true, "does not answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestConformance$", "-test.v")
			cmd.Env = append(os.Environ(), "GRIDPLAN_POLICY_CHILD=1", "TEST_DATABASE_URL="+tt.url, "CI="+tt.ci)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tt.fail {
				t.Errorf("child failed=%v (%v), want %v:\n%s", failed, err, tt.fail, out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("child output does not say %q:\n%s", tt.want, out)
			}
		})
	}
}

func TestCancelledContext(t *testing.T) {
	s := mustOpen(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.Districts(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Districts on a cancelled context: %v, want context.Canceled", err)
	}
	err = s.BulkCustomers(ctx, storetest.GenCustomers(10, "c", nil, 1), nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("BulkCustomers on a cancelled context: %v, want context.Canceled", err)
	}
}

func TestMigrate(t *testing.T) {
	s := mustOpen(t)
	ctx := t.Context()
	// Again: nothing left to apply, nothing breaks.
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	// goose's table is in the test's own schema, not in public.
	var schema string
	err := s.pool.QueryRow(ctx, `SELECT table_schema FROM information_schema.tables WHERE table_name = 'goose_db_version'
		AND table_schema = current_schema()`).Scan(&schema)
	if err != nil {
		t.Fatalf("goose_db_version not in the current schema: %v", err)
	}
	if !strings.HasPrefix(schema, "gridplan_test_") {
		t.Errorf("goose_db_version in schema %q", schema)
	}
	// Concurrent Migrate calls (replicas starting together) serialise.
	errs := make(chan error, 3)
	for range 3 {
		go func() { errs <- s.Migrate(ctx) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Migrate: %v", err)
		}
	}
}

// TestBBoxUsesIndex checks that the customer bounding-box filter can be
// answered from customers_lon_lat_idx (the planner would scan a table this
// small, so sequential scans are switched off to ask whether it could).
func TestBBoxUsesIndex(t *testing.T) {
	s := mustOpen(t)
	ctx := t.Context()
	b := storetest.Square(storetest.Hangzhou, 0.01).Bound()
	q := customerFilter(territory.CustomerFilter{Bound: &b})
	sql := `EXPLAIN SELECT ` + customerColumns + ` FROM customers` + q.page(0, 0)
	var plan []string
	err := s.InTx(ctx, func(tx data.Store) error {
		db := tx.(*Store).db
		if _, err := db.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
			return err
		}
		rows, err := db.Query(ctx, sql, q.args...)
		if err != nil {
			return err
		}
		plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(plan, "\n"); !strings.Contains(text, "customers_lon_lat_idx") {
		t.Errorf("bbox query does not use customers_lon_lat_idx:\n%s", text)
	}
}

func TestErrorMessages(t *testing.T) {
	s := mustOpen(t)
	ctx := t.Context()
	f := storetest.Seed(t, s, "01")
	c := storetest.NewCustomer("c-1", f.Grid.ID, storetest.Hangzhou)
	c.OwnerID = f.Manager.ID
	storetest.Must(t, s.CreateCustomer(ctx, c), "create customer")
	u := storetest.NewUser("m01", territory.RoleManager, f.Manager.ID)
	storetest.Must(t, s.CreateUser(ctx, u), "create user")

	dupGrid := storetest.NewGrid(f.District.ID, "XH-01")
	badGrid := storetest.NewGrid(987654, "XH-99")
	orphan := storetest.NewCustomer("c-2", 0, storetest.Hangzhou)
	orphan.OwnerID = 987654
	tests := []struct {
		name  string
		err   error
		want  string
		check func(t *testing.T, err error)
	}{
		{"unique grid code", s.CreateGrid(ctx, dupGrid), `grid code "XH-01" already exists`,
			func(t *testing.T, err error) { storetest.WantConflict(t, err) }},
		{"unique external id", s.CreateCustomer(ctx, storetest.NewCustomer("c-1", 0, storetest.Hangzhou)),
			`customer external_id "c-1" already exists`, func(t *testing.T, err error) { storetest.WantConflict(t, err) }},
		{"missing district", s.CreateGrid(ctx, badGrid), "district_id: district 987654 does not exist",
			func(t *testing.T, err error) { storetest.WantField(t, err, "district_id") }},
		{"missing owner", s.CreateCustomer(ctx, orphan), "owner_id: manager 987654 does not exist",
			func(t *testing.T, err error) { storetest.WantField(t, err, "owner_id") }},
		{"missing claim customer", s.CreateClaim(ctx, storetest.NewClaim(987654, f.Manager.ID)), "customer 987654 does not exist",
			func(t *testing.T, err error) { storetest.WantFunnelField(t, err, "customer_id") }},
		{"district with grids", s.DeleteDistrict(ctx, f.District.ID), fmt.Sprintf("district %d still has grids", f.District.ID),
			func(t *testing.T, err error) { storetest.WantConflict(t, err) }},
		{"grid with managers", s.DeleteGrid(ctx, f.Grid.ID, f.Grid.Version), fmt.Sprintf("grid %d still has managers", f.Grid.ID),
			func(t *testing.T, err error) { storetest.WantConflict(t, err) }},
		{"manager with customers", s.DeleteManager(ctx, f.Manager.ID), fmt.Sprintf("manager %d still has", f.Manager.ID),
			func(t *testing.T, err error) { storetest.WantConflict(t, err) }},
		{"stale grid", s.DeleteGrid(ctx, f.Grid.ID, f.Grid.Version+1), "is at version 1",
			func(t *testing.T, err error) { storetest.WantConflict(t, err) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("no error")
			}
			tt.check(t, tt.err)
			if !strings.Contains(tt.err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", tt.err, tt.want)
			}
			var pe *pgconn.PgError
			if errors.As(tt.err, &pe) {
				t.Errorf("error %v exposes *pgconn.PgError", tt.err)
			}
		})
	}
}

func TestInTxSavepoints(t *testing.T) {
	s := mustOpen(t)
	ctx := t.Context()
	storetest.Must(t, s.CreateDistrict(ctx, storetest.NewDistrict("330106")), "create district")

	// A failed nested InTx is undone alone: the outer transaction goes on
	// and commits what it did before and after.
	err := s.InTx(ctx, func(tx data.Store) error {
		if err := tx.CreateDistrict(ctx, storetest.NewDistrict("330101")); err != nil {
			return err
		}
		err := tx.InTx(ctx, func(inner data.Store) error {
			if err := inner.CreateDistrict(ctx, storetest.NewDistrict("330102")); err != nil {
				return err
			}
			return inner.CreateDistrict(ctx, storetest.NewDistrict("330106")) // clashes
		})
		storetest.WantConflict(t, err, "330106")
		return tx.CreateDistrict(ctx, storetest.NewDistrict("330103"))
	})
	storetest.Must(t, err, "outer InTx")
	ds, err := s.Districts(ctx)
	storetest.Must(t, err, "districts")
	var codes []string
	for _, d := range ds {
		codes = append(codes, d.Code)
	}
	if got, want := strings.Join(codes, ","), "330106,330101,330103"; got != want {
		t.Errorf("districts after a failed savepoint = %s, want %s", got, want)
	}

	// Without a savepoint a failed statement aborts the transaction: the
	// next call says so instead of a puzzling driver message.
	err = s.InTx(ctx, func(tx data.Store) error {
		storetest.WantConflict(t, tx.CreateDistrict(ctx, storetest.NewDistrict("330106")))
		_, err := tx.Districts(ctx)
		if err == nil || !strings.Contains(err.Error(), "aborted by an earlier error") {
			t.Errorf("call after a failed statement: %v, want the aborted-transaction error", err)
		}
		return err
	})
	if err == nil {
		t.Error("InTx committed an aborted transaction")
	}
	// The tx-bound store's Close leaves the pool open.
	storetest.Must(t, s.InTx(ctx, func(tx data.Store) error { return tx.Close() }), "Close in tx")
	storetest.Must(t, s.Ping(ctx), "ping after Close in tx")
}

func TestBulkIDsAndSequence(t *testing.T) {
	s := mustOpen(t)
	ctx := t.Context()
	f := storetest.Seed(t, s, "01")
	n := 2*copyChunk + 123 // three COPY chunks
	cs := storetest.GenCustomers(n, "b", []int64{f.Grid.ID}, 7)
	cs[0].ID = 500_000 // explicit, far above the sequence
	cs[n-1].ID = 400_000
	var calls []int
	storetest.Must(t, s.BulkCustomers(ctx, cs, func(done int) { calls = append(calls, done) }), "bulk customers")
	if got, want := fmt.Sprint(calls), fmt.Sprint([]int{copyChunk, 2 * copyChunk, n}); got != want {
		t.Errorf("progress calls %s, want %s", got, want)
	}
	if cs[0].ID != 500_000 || cs[n-1].ID != 400_000 {
		t.Errorf("explicit ids changed: %d, %d", cs[0].ID, cs[n-1].ID)
	}
	// Fresh ids were drawn after moving the sequence past the explicit ones.
	for i := 1; i < n-1; i++ {
		if cs[i].ID <= 500_000 || (i > 1 && cs[i].ID <= cs[i-1].ID) {
			t.Fatalf("row %d got id %d (previous %d)", i, cs[i].ID, cs[i-1].ID)
		}
	}
	c := storetest.NewCustomer("after", 0, storetest.Hangzhou)
	storetest.Must(t, s.CreateCustomer(ctx, c), "create after bulk")
	if c.ID <= cs[n-2].ID {
		t.Errorf("CreateCustomer after a bulk load got id %d, not above %d", c.ID, cs[n-2].ID)
	}
}

func TestBulkRowErrors(t *testing.T) {
	s := mustOpen(t)
	ctx := t.Context()
	f := storetest.Seed(t, s, "01")
	storetest.MustCustomers(t, s, "stored", f.Grid.ID, 1)
	tests := []struct {
		name  string
		edit  func(cs []*territory.Customer)
		want  string
		check func(t *testing.T, err error)
	}{
		{"duplicate in a later chunk", func(cs []*territory.Customer) { cs[copyChunk+17].ExternalID = cs[3].ExternalID },
			fmt.Sprintf("row %d:", copyChunk+17), func(t *testing.T, err error) { storetest.WantConflict(t, err) }},
		{"already stored", func(cs []*territory.Customer) { cs[42].ExternalID = "stored-0" },
			`row 42: customer external_id "stored-0" already exists`, func(t *testing.T, err error) { storetest.WantConflict(t, err) }},
		{"missing grid", func(cs []*territory.Customer) { cs[copyChunk+5].GridID = 987654 },
			fmt.Sprintf("row %d: grid_id: grid 987654 does not exist", copyChunk+5), func(t *testing.T, err error) { storetest.WantField(t, err, "grid_id") }},
		{"explicit id clash", func(cs []*territory.Customer) { cs[9].ID, cs[10].ID = 777, 777 },
			"row 10: customer id 777 already exists", func(t *testing.T, err error) { storetest.WantConflict(t, err) }},
		{"negative id", func(cs []*territory.Customer) { cs[2].ID = -1 }, "row 2: id must not be negative", nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := storetest.GenCustomers(copyChunk+100, fmt.Sprintf("l%d", i), []int64{f.Grid.ID}, uint64(i))
			tt.edit(cs)
			given := make([]int64, len(cs))
			for j, c := range cs {
				given[j] = c.ID
			}
			err := s.BulkCustomers(ctx, cs, nil)
			if err == nil {
				t.Fatal("bulk load succeeded")
			}
			if tt.check != nil {
				tt.check(t, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if n, err := s.CountCustomers(ctx, territory.CustomerFilter{}); err != nil || n != 1 {
				t.Errorf("after a refused load: %d customers (%v), want 1", n, err)
			}
			for j, c := range cs {
				if c.ID != given[j] {
					t.Fatalf("row %d: id %d became %d in a refused load", j, given[j], c.ID)
				}
			}
		})
	}

	// Two active claims on one customer in one load.
	c := storetest.NewCustomer("claimed", f.Grid.ID, storetest.Hangzhou)
	storetest.Must(t, s.CreateCustomer(ctx, c), "create customer")
	claims := []*funnel.Claim{storetest.NewClaim(c.ID, f.Manager.ID), storetest.NewClaim(c.ID, f.Manager.ID)}
	err := s.BulkClaims(ctx, claims, nil)
	if !errors.Is(err, funnel.ErrConflict) || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("BulkClaims of two active claims: %v, want funnel.ErrConflict naming row 1", err)
	}
}

// TestBulkRebuildsIndexes covers the large-load path: into an empty table
// the secondary indexes are dropped and built again, and a failed load
// leaves them as they were.
func TestBulkRebuildsIndexes(t *testing.T) {
	s := mustOpen(t)
	ctx := t.Context()
	defer func(old int) { rebuildIndexesAt = old }(rebuildIndexesAt)
	rebuildIndexesAt = 100
	indexes := func() string {
		t.Helper()
		rows, err := s.pool.Query(ctx, `SELECT indexname FROM pg_indexes
			WHERE schemaname = current_schema() AND tablename = 'customers' ORDER BY indexname`)
		storetest.Must(t, err, "list indexes")
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		storetest.Must(t, err, "list indexes")
		return strings.Join(names, ",")
	}
	oid := func() uint32 {
		t.Helper()
		var o uint32
		storetest.Must(t, s.pool.QueryRow(ctx, `SELECT 'customers_lon_lat_idx'::regclass::oid`).Scan(&o), "index oid")
		return o
	}
	want, before := indexes(), oid()
	if !strings.Contains(want, "customers_lon_lat_idx") {
		t.Fatalf("unexpected indexes before the load: %s", want)
	}

	bad := storetest.GenCustomers(300, "bad", nil, 1)
	bad[250].ExternalID = bad[10].ExternalID
	err := s.BulkCustomers(ctx, bad, nil)
	storetest.WantConflict(t, err, "row 250")
	if got := indexes(); got != want || oid() != before {
		t.Errorf("indexes after a failed load: %s (lon/lat index oid %d, was %d), want %s as they were", got, oid(), before, want)
	}

	foreignKeys := func() int {
		t.Helper()
		var n int
		storetest.Must(t, s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_constraint
			WHERE conrelid = 'customers'::regclass AND contype = 'f'`).Scan(&n), "count foreign keys")
		return n
	}
	if n := foreignKeys(); n != 2 {
		t.Fatalf("customers has %d foreign keys before the load, want 2 (grid, owner)", n)
	}
	// The foreign keys are dropped for the load and validated when they are
	// added back: a missing grid is still refused and named by row.
	dangling := storetest.GenCustomers(300, "dangling", nil, 3)
	dangling[200].GridID = 987654321
	err = s.BulkCustomers(ctx, dangling, nil)
	storetest.WantField(t, err, "grid_id")
	if !strings.Contains(err.Error(), "row 200") {
		t.Errorf("missing grid reported as %q, want it to name row 200", err)
	}
	if n := foreignKeys(); n != 2 {
		t.Errorf("customers has %d foreign keys after a failed load, want 2", n)
	}

	cs := storetest.GenCustomers(300, "good", nil, 2)
	storetest.Must(t, s.BulkCustomers(ctx, cs, nil), "bulk load")
	if n := foreignKeys(); n != 2 {
		t.Errorf("customers has %d foreign keys after a load, want 2", n)
	}
	if got := indexes(); got != want {
		t.Errorf("indexes after a load: %s, want %s", got, want)
	}
	if oid() == before {
		t.Error("the lon/lat index was not rebuilt: the large-load path did not run")
	}
	// The unique constraint is back under its name, with its message.
	err = s.CreateCustomer(ctx, storetest.NewCustomer("good-7", 0, storetest.Hangzhou))
	storetest.WantConflict(t, err, `customer external_id "good-7" already exists`)
	b := storetest.Square(storetest.Hangzhou, 0.05).Bound()
	want0 := 0
	for _, c := range cs {
		if b.Contains(c.Location) {
			want0++
		}
	}
	n, err := s.CountCustomers(ctx, territory.CustomerFilter{Bound: &b})
	storetest.Must(t, err, "count in bound")
	if n != want0 || n == 0 {
		t.Errorf("CountCustomers(bound) = %d, want %d", n, want0)
	}
}

// TestDeleteCustomerTakesHistory pins the schema's choice (shared with the
// SQLite store): a deleted customer's claims and activities go with it.
func TestDeleteCustomerTakesHistory(t *testing.T) {
	s := mustOpen(t)
	ctx := t.Context()
	f := storetest.Seed(t, s, "01")
	c := storetest.NewCustomer("c-1", f.Grid.ID, storetest.Hangzhou)
	storetest.Must(t, s.CreateCustomer(ctx, c), "create customer")
	cl := storetest.NewClaim(c.ID, f.Manager.ID)
	storetest.Must(t, s.CreateClaim(ctx, cl), "create claim")
	storetest.Must(t, s.CreateActivity(ctx, storetest.NewActivity(c.ID, f.Manager.ID, storetest.Epoch)), "create activity")
	storetest.Must(t, s.DeleteCustomer(ctx, c.ID), "delete customer")
	if _, err := s.Claim(ctx, cl.ID); !errors.Is(err, funnel.ErrNotFound) {
		t.Errorf("claim of a deleted customer: %v, want funnel.ErrNotFound", err)
	}
	as, err := s.Activities(ctx, funnel.ActivityFilter{CustomerID: c.ID})
	if err != nil || len(as) != 0 {
		t.Errorf("activities of a deleted customer: %d, %v; want none", len(as), err)
	}
	// With its history gone, the manager can go too.
	storetest.Must(t, s.DeleteManager(ctx, f.Manager.ID), "delete manager")
}
