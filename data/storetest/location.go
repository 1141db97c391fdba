package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

var locationCases = []testCase{
	{"locations/all-and-bbox-in-id-order", testCustomerLocations},
	{"locations/in-transaction-and-stop", testCustomerLocationsTx},
	{"locations/data-stamp", testDataStamp},
	{"move/customers", testMoveCustomers},
	{"move/refused-writes-nothing", testMoveRefused},
}

// locations collects CustomerLocations(bound).
func locations(tb testing.TB, s data.Store, bound *orb.Bound) []territory.CustomerLocation {
	tb.Helper()
	var out []territory.CustomerLocation
	Must(tb, s.CustomerLocations(tb.Context(), bound, func(l territory.CustomerLocation) error {
		out = append(out, l)
		return nil
	}), "customer locations")
	return out
}

// locationOf is what CustomerLocations should say of c.
func locationOf(c *territory.Customer) territory.CustomerLocation {
	return territory.CustomerLocation{ID: c.ID, Location: c.Location, Cell: c.Cell, GridID: c.GridID, Stage: c.Stage, OwnerID: c.OwnerID,
		Carrier: c.Carrier, Size: c.Size}
}

func testCustomerLocations(t *testing.T, s data.Store) {
	ctx := t.Context()
	if got := locations(t, s, nil); len(got) != 0 {
		t.Fatalf("empty store: %d locations", len(got))
	}
	f1, f2 := Seed(t, s, "01"), Seed(t, s, "02")
	cs := GenCustomers(600, "l", []int64{f1.Grid.ID, f2.Grid.ID}, 12)
	// Created in reverse, so that id order differs from slice order …
	for i := len(cs) - 1; i >= 500; i-- {
		Must(t, s.CreateCustomer(ctx, cs[i]), "create customer")
	}
	Must(t, s.BulkCustomers(ctx, cs[:500], nil), "bulk customers")
	// … and one in the middle deleted.
	Must(t, s.DeleteCustomer(ctx, cs[42].ID), "delete customer")
	live := append(append([]*territory.Customer{}, cs[:42]...), cs[43:]...)
	byID := map[int64]*territory.Customer{}
	for _, c := range live {
		byID[c.ID] = c
	}

	bound := orb.Bound{Min: orb.Point{120.1, 30.22}, Max: orb.Point{120.17, 30.3}}
	// Customers exactly on the bound's edges are inside.
	cs[7].Location = bound.Min
	cs[8].Location = orb.Point{bound.Max[0], 30.25}
	// … with a stage and an owner that the locations carry too.
	cs[7].Stage, cs[8].Stage, cs[8].OwnerID = funnel.Intent, funnel.List, f1.Manager.ID
	for _, c := range cs[7:9] {
		c.Cell = 0
		c.Normalize()
		Must(t, s.UpdateCustomer(ctx, c), "move customer onto the edge")
	}
	for _, tt := range []struct {
		name  string
		bound *orb.Bound
	}{
		{"all", nil},
		{"bbox", &bound},
		{"empty bbox", &orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := locations(t, s, tt.bound)
			var want []territory.CustomerLocation
			for _, c := range live {
				if tt.bound == nil || tt.bound.Contains(c.Location) {
					want = append(want, locationOf(c))
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d locations, want %d", len(got), len(want))
			}
			increasing(t, "locations", ids(got, func(l territory.CustomerLocation) int64 { return l.ID }))
			for _, l := range got {
				c := byID[l.ID]
				if c == nil {
					t.Fatalf("location of unknown customer %d", l.ID)
				}
				sameValue(t, fmt.Sprintf("location of customer %d", l.ID), l, locationOf(c))
			}
			if tt.bound != nil && tt.bound.Min[0] == bound.Min[0] {
				if len(want) < 3 || len(want) == len(live) {
					t.Fatalf("fixture: bbox selects %d of %d", len(want), len(live))
				}
			}
		})
	}
	ungridded := 0
	for _, l := range locations(t, s, nil) {
		if l.GridID == 0 {
			ungridded++
		}
	}
	if ungridded == 0 {
		t.Error("no ungridded customer reported with GridID 0")
	}
}

func testCustomerLocationsTx(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	cs := GenCustomers(300, "t", []int64{f.Grid.ID}, 13)
	Must(t, s.BulkCustomers(ctx, cs, nil), "bulk customers")

	// fn's error stops the walk and comes back as it is.
	stop := errors.New("enough")
	calls := 0
	err := s.CustomerLocations(ctx, nil, func(territory.CustomerLocation) error {
		calls++
		if calls == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 10 {
		t.Errorf("stop after 10: error %v after %d calls", err, calls)
	}

	// Outside a transaction fn may use the store, writes included.
	calls = 0
	err = s.CustomerLocations(ctx, nil, func(l territory.CustomerLocation) error {
		calls++
		if calls > 3 {
			return nil
		}
		return s.MoveCustomers(ctx, []territory.GridMove{{CustomerID: l.ID, From: l.GridID, To: 0}})
	})
	Must(t, err, "move customers while walking them")
	if calls != len(cs) {
		t.Errorf("walk with writes: %d calls, want %d", calls, len(cs))
	}

	// In a transaction fn may use the transaction's store.
	err = s.InTx(ctx, func(tx data.Store) error {
		n := 0
		err := tx.CustomerLocations(ctx, nil, func(l territory.CustomerLocation) error {
			n++
			c, err := tx.Customer(ctx, l.ID)
			if err != nil {
				return err
			}
			if c.Location != l.Location {
				return fmt.Errorf("customer %d at %v, location says %v", l.ID, c.Location, l.Location)
			}
			if n <= 3 {
				return tx.MoveCustomers(ctx, []territory.GridMove{{CustomerID: l.ID, From: l.GridID, To: f.Grid.ID}})
			}
			return nil
		})
		if err == nil && n != len(cs) {
			err = fmt.Errorf("%d calls in the transaction, want %d", n, len(cs))
		}
		return err
	})
	Must(t, err, "walk in a transaction")
	if n := count(t, s, territory.CustomerFilter{GridID: f.Grid.ID}); n != count(t, s, territory.CustomerFilter{})-len(cs)/4 {
		t.Errorf("%d customers in the grid after moving three out and back", n)
	}
}

func testMoveCustomers(t *testing.T, s data.Store) {
	ctx := t.Context()
	f1, f2 := Seed(t, s, "01"), Seed(t, s, "02")
	cs := MustCustomers(t, s, "m", f1.Grid.ID, 5)
	cs[4].GridID = 0
	Must(t, s.UpdateCustomer(ctx, cs[4]), "ungrid customer 4")
	Must(t, s.MoveCustomers(ctx, nil), "no moves")
	before := time.Now().Truncate(time.Microsecond)
	moves := []territory.GridMove{
		{CustomerID: cs[0].ID, From: f1.Grid.ID, To: f2.Grid.ID},
		{CustomerID: cs[1].ID, From: f1.Grid.ID, To: 0},
		{CustomerID: cs[2].ID, From: f1.Grid.ID, To: f1.Grid.ID},
		{CustomerID: cs[4].ID, From: 0, To: f2.Grid.ID},
	}
	Must(t, s.MoveCustomers(ctx, moves), "move customers")
	want := map[int64]int64{cs[0].ID: f2.Grid.ID, cs[1].ID: 0, cs[2].ID: f1.Grid.ID, cs[3].ID: f1.Grid.ID, cs[4].ID: f2.Grid.ID}
	for i, c := range cs {
		got, err := s.Customer(ctx, c.ID)
		Must(t, err, "read customer")
		if got.GridID != want[c.ID] {
			t.Errorf("customer %d: grid %d, want %d", i, got.GridID, want[c.ID])
		}
		if i == 3 {
			SameTime(t, "unmoved customer's UpdatedAt", got.UpdatedAt, c.UpdatedAt)
		} else if got.UpdatedAt.Before(before) {
			t.Errorf("moved customer %d: UpdatedAt %v before the move", i, got.UpdatedAt)
		}
		// Nothing else changes.
		g, w := *got, *c
		g.GridID, g.UpdatedAt, w.GridID, w.UpdatedAt = 0, time.Time{}, 0, time.Time{}
		sameCustomer(t, &g, &w)
	}
	if n := count(t, s, territory.CustomerFilter{GridID: f2.Grid.ID}); n != 2 {
		t.Errorf("%d customers in grid 2, want 2", n)
	}

	// Many at once: everything to grid 2 and back.
	n := 3000
	if raceEnabled {
		n = 1000
	}
	many := GenCustomers(n, "many", []int64{f1.Grid.ID}, 14)
	Must(t, s.BulkCustomers(ctx, many, nil), "bulk customers")
	for _, to := range []int64{f2.Grid.ID, 0, f1.Grid.ID} {
		ms := make([]territory.GridMove, len(many))
		for i, c := range many {
			ms[i] = territory.GridMove{CustomerID: c.ID, To: to}
		}
		start := time.Now()
		Must(t, s.MoveCustomers(ctx, ms), "move many")
		t.Logf("MoveCustomers of %d: %v", len(ms), time.Since(start))
		for _, l := range locations(t, s, nil) {
			if l.ID >= many[0].ID && l.GridID != to {
				t.Fatalf("customer %d in grid %d after moving all to %d", l.ID, l.GridID, to)
			}
		}
	}
}

func testMoveRefused(t *testing.T, s data.Store) {
	ctx := t.Context()
	f1, f2 := Seed(t, s, "01"), Seed(t, s, "02")
	cs := MustCustomers(t, s, "m", f1.Grid.ID, 4)
	before := snapshot(t, s)
	ok := func(i int) territory.GridMove {
		return territory.GridMove{CustomerID: cs[i].ID, From: f1.Grid.ID, To: f2.Grid.ID}
	}
	missing := cs[3].ID + 1000
	tests := []struct {
		name  string
		moves []territory.GridMove
		check func(t *testing.T, err error)
	}{
		{"unknown customer last", []territory.GridMove{ok(0), ok(1), {CustomerID: missing, To: f2.Grid.ID}}, func(t *testing.T, err error) {
			WantNotFound(t, err)
			if !strings.Contains(err.Error(), fmt.Sprint(missing)) {
				t.Errorf("error %q does not name customer %d", err, missing)
			}
		}},
		{"unknown grid", []territory.GridMove{ok(0), {CustomerID: cs[1].ID, To: 987654321}}, func(t *testing.T, err error) {
			WantField(t, err, "grid_id")
			if !strings.Contains(err.Error(), "987654321") || !strings.Contains(err.Error(), "move 1") {
				t.Errorf("error %q does not name move 1 and grid 987654321", err)
			}
		}},
		{"negative grid", []territory.GridMove{ok(0), {CustomerID: cs[1].ID, To: -3}}, func(t *testing.T, err error) { WantField(t, err, "grid_id") }},
		{"one customer twice", []territory.GridMove{ok(0), ok(1), {CustomerID: cs[0].ID, To: 0}}, func(t *testing.T, err error) {
			WantField(t, err, "customer_id")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, s.MoveCustomers(ctx, tt.moves))
			unchangedSince(t, s, before)
		})
	}
}

// dataStamper is the optional store method behind the map's customer
// snapshot (both stores have it; data.Store does not require it).
type dataStamper interface {
	DataStamp(ctx context.Context) (string, error)
}

// testDataStamp checks that DataStamp changes with every write the map's
// customer snapshot shows, and only with those.
func testDataStamp(t *testing.T, s data.Store) {
	ctx := t.Context()
	ds, ok := s.(dataStamper)
	if !ok {
		t.Fatalf("%T has no DataStamp method", s)
	}
	stamp := func() string {
		t.Helper()
		st, err := ds.DataStamp(ctx)
		Must(t, err, "data stamp")
		return st
	}
	seen := map[string]string{stamp(): "empty store"}
	f1, f2 := Seed(t, s, "01"), Seed(t, s, "02")
	cs := MustCustomers(t, s, "s", f1.Grid.ID, 4)
	if now := stamp(); seen[now] != "" {
		t.Errorf("seeding left the stamp %q as it was", now)
	} else {
		seen[now] = "seeding"
	}
	// Rows loaded back from the store keep their UpdatedAt on update, so
	// the stamp cannot rely on updated_at alone.
	reload := func(c *territory.Customer) *territory.Customer {
		t.Helper()
		got, err := s.Customer(ctx, c.ID)
		Must(t, err, "read customer")
		return got
	}
	update := func(c *territory.Customer) error { return s.UpdateCustomer(ctx, c) }
	steps := []struct {
		name  string
		write func() error
	}{
		{"customer stage (UpdatedAt kept)", func() error { c := reload(cs[0]); c.Stage = funnel.Potential; return update(c) }},
		{"customer stage back and another's", func() error {
			a, b := reload(cs[0]), reload(cs[1])
			a.Stage, b.Stage = funnel.Target, funnel.Potential
			if err := update(a); err != nil {
				return err
			}
			return update(b)
		}},
		{"customer owner (UpdatedAt kept)", func() error { c := reload(cs[2]); c.OwnerID = f1.Manager.ID; return update(c) }},
		{"customer owner moved to a teammate", func() error { c := reload(cs[2]); c.OwnerID = f2.Manager.ID; return update(c) }},
		{"customer location (UpdatedAt kept)", func() error {
			c := reload(cs[3])
			c.Location[0] += 0.0001
			c.Cell = 0
			c.Normalize()
			return update(c)
		}},
		{"customers moved to another grid", func() error {
			return s.MoveCustomers(ctx, []territory.GridMove{{CustomerID: cs[0].ID, To: f2.Grid.ID}, {CustomerID: cs[1].ID, To: 0}})
		}},
		{"customer created", func() error { return s.CreateCustomer(ctx, NewCustomer("s-new", f1.Grid.ID, Hangzhou)) }},
		{"customer deleted", func() error { return s.DeleteCustomer(ctx, cs[3].ID) }},
		{"grid created", func() error { return s.CreateGrid(ctx, NewGrid(f1.District.ID, "XH-99")) }},
		{"grid renamed", func() error {
			g, err := s.Grid(ctx, f2.Grid.ID)
			if err != nil {
				return err
			}
			g.Name = "renamed"
			return s.UpdateGrid(ctx, g)
		}},
	}
	for _, st := range steps {
		Must(t, st.write(), st.name)
		now := stamp()
		if prev, dup := seen[now]; dup {
			t.Errorf("after %s the stamp %q equals the one after %s", st.name, now, prev)
		}
		seen[now] = st.name
	}
	// Writes the map does not show leave it alone.
	before := stamp()
	Must(t, s.CreateResource(ctx, &territory.Resource{Name: "光交箱", Kind: "fibre_cabinet", Status: territory.ResourceExisting, Geometry: Hangzhou, RadiusM: 100}), "create resource")
	Must(t, s.CreateUser(ctx, &territory.User{Username: "stamp", PasswordHash: "x", Role: territory.RoleLeader}), "create user")
	if after := stamp(); after != before {
		t.Errorf("a resource and a user changed the stamp: %q → %q", before, after)
	}
}
