package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

var errorCases = []testCase{
	{"grid/optimistic-version", testGridVersion},
	{"conflict/unique", testUniqueConflicts},
	{"reference/unknown", testUnknownReferences},
	{"invalid/refused", testInvalidRefused},
	{"notfound/every-kind", testNotFound},
	{"delete/restricted", testDeleteRestricted},
	{"delete/grid-ungrids-customers", testDeleteGridUngrids},
	{"claim/one-active-per-customer", testOneActiveClaim},
}

func testGridVersion(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	g := f.Grid
	stale := *g
	g.Name = "first edit"
	Must(t, s.UpdateGrid(ctx, g), "first update")
	if g.Version != 2 {
		t.Fatalf("Version after update = %d, want 2", g.Version)
	}
	stale.Name = "lost edit"
	err := s.UpdateGrid(ctx, &stale)
	if !errors.Is(err, territory.ErrConflict) {
		t.Fatalf("stale update: got %v, want ErrConflict", err)
	}
	if stale.Version != 1 {
		t.Errorf("refused update changed the caller's Version to %d", stale.Version)
	}
	got, err := s.Grid(ctx, g.ID)
	Must(t, err, "read grid")
	sameGrid(t, got, g)

	g.Name = "second edit"
	Must(t, s.UpdateGrid(ctx, g), "second update")
	if g.Version != 3 {
		t.Fatalf("Version after second update = %d, want 3", g.Version)
	}
	err = s.DeleteGrid(ctx, g.ID, 2)
	if !errors.Is(err, territory.ErrConflict) {
		t.Fatalf("stale delete: got %v, want ErrConflict", err)
	}
	got, err = s.Grid(ctx, g.ID)
	Must(t, err, "grid survives a stale delete")
	sameGrid(t, got, g)
	// The manager is in the way of a current-version delete.
	Must(t, s.DeleteManager(ctx, f.Manager.ID), "delete manager")
	Must(t, s.DeleteGrid(ctx, g.ID, 3), "delete with current version")
}

func testUniqueConflicts(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 2)
	Must(t, s.CreateUser(ctx, NewUser("li.lei", territory.RolePlanner, 0)), "create user")
	tests := []struct {
		name    string
		write   func() error
		mention string
	}{
		{"district code", func() error { return s.CreateDistrict(ctx, NewDistrict(f.District.Code)) }, f.District.Code},
		{"grid code", func() error { return s.CreateGrid(ctx, NewGrid(f.District.ID, "XH-01")) }, "XH-01"},
		{"manager code", func() error { return s.CreateManager(ctx, NewManager(f.Grid.ID, "m01")) }, "m01"},
		{"customer external id", func() error { return s.CreateCustomer(ctx, NewCustomer("c-1", 0, Hangzhou)) }, "c-1"},
		{"username", func() error { return s.CreateUser(ctx, NewUser("li.lei", territory.RoleLeader, 0)) }, "li.lei"},
		{"update to a taken external id", func() error {
			c := *cs[0]
			c.ExternalID = cs[1].ExternalID
			return s.UpdateCustomer(ctx, &c)
		}, "c-1"},
		{"update to a taken grid code", func() error {
			g := NewGrid(f.District.ID, "XH-02")
			Must(t, s.CreateGrid(ctx, g), "create second grid")
			g.Code = "XH-01"
			return s.UpdateGrid(ctx, g)
		}, "XH-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			WantConflict(t, tt.write(), tt.mention)
		})
	}
	got, err := s.Customer(ctx, cs[0].ID)
	Must(t, err, "read customer")
	sameCustomer(t, got, cs[0])
	if n := count(t, s, territory.CustomerFilter{}); n != 2 {
		t.Errorf("%d customers after refused writes, want 2", n)
	}
	ds, err := s.Districts(ctx)
	Must(t, err, "list districts")
	if len(ds) != 1 {
		t.Errorf("%d districts after a refused duplicate, want 1", len(ds))
	}
}

func testUnknownReferences(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 1)
	const missing = 987654321
	tests := []struct {
		name   string
		write  func() error
		field  string
		funnel bool
	}{
		{"grid with missing district", func() error { return s.CreateGrid(ctx, NewGrid(missing, "G-X")) }, "district_id", false},
		{"manager with missing grid", func() error { return s.CreateManager(ctx, NewManager(missing, "m-x")) }, "grid_id", false},
		{"customer with missing grid", func() error { return s.CreateCustomer(ctx, NewCustomer("x-1", missing, Hangzhou)) }, "grid_id", false},
		{"customer with missing owner", func() error {
			c := NewCustomer("x-2", f.Grid.ID, Hangzhou)
			c.OwnerID = missing
			return s.CreateCustomer(ctx, c)
		}, "owner_id", false},
		{"customer moved to missing grid", func() error {
			c := *cs[0]
			c.GridID = missing
			return s.UpdateCustomer(ctx, &c)
		}, "grid_id", false},
		{"grid moved to missing district", func() error {
			g := *f.Grid
			g.DistrictID = missing
			return s.UpdateGrid(ctx, &g)
		}, "district_id", false},
		{"manager moved to missing grid", func() error {
			m := *f.Manager
			m.GridID = missing
			return s.UpdateManager(ctx, &m)
		}, "grid_id", false},
		{"user linked to missing manager", func() error { return s.CreateUser(ctx, NewUser("ghost", territory.RoleManager, missing)) }, "manager_id", false},
		{"session of missing user", func() error {
			return s.CreateSession(ctx, &territory.Session{TokenHash: "t", UserID: missing, CreatedAt: Epoch, ExpiresAt: Epoch.Add(time.Hour)})
		}, "user_id", false},
		{"claim with missing customer", func() error { return s.CreateClaim(ctx, NewClaim(missing, f.Manager.ID)) }, "customer_id", true},
		{"claim with missing manager", func() error { return s.CreateClaim(ctx, NewClaim(cs[0].ID, missing)) }, "manager_id", true},
		{"activity with missing customer", func() error { return s.CreateActivity(ctx, NewActivity(missing, f.Manager.ID, Epoch)) }, "customer_id", true},
		{"activity with missing manager", func() error { return s.CreateActivity(ctx, NewActivity(cs[0].ID, missing, Epoch)) }, "manager_id", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.write()
			if tt.funnel {
				WantFunnelField(t, err, tt.field)
			} else {
				WantField(t, err, tt.field)
			}
		})
	}
	// Nothing was written and nothing changed.
	gs, err := s.Grids(ctx, territory.GridFilter{})
	Must(t, err, "list grids")
	ms, err := s.Managers(ctx, territory.ManagerFilter{})
	Must(t, err, "list managers")
	us, err := s.Users(ctx)
	Must(t, err, "list users")
	cl, err := s.Claims(ctx, funnel.ClaimFilter{})
	Must(t, err, "list claims")
	as, err := s.Activities(ctx, funnel.ActivityFilter{})
	Must(t, err, "list activities")
	if len(gs) != 1 || len(ms) != 1 || len(us) != 0 || len(cl) != 0 || len(as) != 0 || count(t, s, territory.CustomerFilter{}) != 1 {
		t.Errorf("refused writes left grids %d managers %d users %d claims %d activities %d customers %d",
			len(gs), len(ms), len(us), len(cl), len(as), count(t, s, territory.CustomerFilter{}))
	}
	got, err := s.Customer(ctx, cs[0].ID)
	Must(t, err, "read customer")
	sameCustomer(t, got, cs[0])
	g, err := s.Grid(ctx, f.Grid.ID)
	Must(t, err, "read grid")
	sameGrid(t, g, f.Grid)
	m, err := s.Manager(ctx, f.Manager.ID)
	Must(t, err, "read manager")
	sameManager(t, m, f.Manager)
}

func testInvalidRefused(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 1)
	bowtie := orb.Polygon{{{120.1, 30.2}, {120.2, 30.3}, {120.2, 30.2}, {120.1, 30.3}, {120.1, 30.2}}}
	tests := []struct {
		name   string
		write  func() error
		field  string
		funnel bool
	}{
		{"district without code", func() error { d := NewDistrict(" "); return s.CreateDistrict(ctx, d) }, "code", false},
		{"district self-crossing", func() error {
			d := NewDistrict("1")
			d.Boundary = orb.MultiPolygon{bowtie}
			return s.CreateDistrict(ctx, d)
		}, "boundary", false},
		{"grid bad status", func() error { g := NewGrid(f.District.ID, "G"); g.Status = "live"; return s.CreateGrid(ctx, g) }, "status", false},
		{"grid open ring", func() error {
			g := NewGrid(f.District.ID, "G")
			g.Boundary = orb.Polygon{g.Boundary[0][:4]}
			return s.CreateGrid(ctx, g)
		}, "geometry", false},
		{"grid update without name", func() error { g := *f.Grid; g.Name = ""; return s.UpdateGrid(ctx, &g) }, "name", false},
		{"manager bad quota", func() error {
			m := NewManager(f.Grid.ID, "m")
			m.Quota = territory.Quota{Min: 50, Target: 40, Max: 70}
			return s.CreateManager(ctx, m)
		}, "quota", false},
		{"customer without name", func() error { c := NewCustomer("x", 0, Hangzhou); c.Name = ""; return s.CreateCustomer(ctx, c) }, "name", false},
		{"customer off the globe", func() error { c := NewCustomer("x", 0, orb.Point{190, 30}); return s.CreateCustomer(ctx, c) }, "location", false},
		{"customer update bad stage", func() error { c := *cs[0]; c.Stage = "hot"; return s.UpdateCustomer(ctx, &c) }, "stage", false},
		{"resource point without radius", func() error { return s.CreateResource(ctx, NewResource("r", Hangzhou, 0)) }, "radius_m", false},
		{"user bad name", func() error { return s.CreateUser(ctx, NewUser("-x", territory.RoleAdmin, 0)) }, "username", false},
		{"user without password", func() error {
			u := NewUser("nopass", territory.RoleAdmin, 0)
			u.PasswordHash = ""
			return s.CreateUser(ctx, u)
		}, "password", false},
		{"claim ended but active", func() error {
			c := NewClaim(cs[0].ID, f.Manager.ID)
			c.EndedAt = &Epoch
			return s.CreateClaim(ctx, c)
		}, "ended_at", true},
		{"activity unknown signal", func() error {
			a := NewActivity(cs[0].ID, f.Manager.ID, Epoch)
			a.Signals = []funnel.SignalKind{"gossip"}
			return s.CreateActivity(ctx, a)
		}, "signals", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.write()
			if tt.funnel {
				WantFunnelField(t, err, tt.field)
			} else {
				WantField(t, err, tt.field)
			}
		})
	}
	ds, err := s.Districts(ctx)
	Must(t, err, "list districts")
	rs, err := s.Resources(ctx, territory.ResourceFilter{})
	Must(t, err, "list resources")
	if len(ds) != 1 || len(rs) != 0 || count(t, s, territory.CustomerFilter{}) != 1 {
		t.Errorf("invalid writes left %d districts, %d resources, %d customers", len(ds), len(rs), count(t, s, territory.CustomerFilter{}))
	}
	got, err := s.Customer(ctx, cs[0].ID)
	Must(t, err, "read customer")
	sameCustomer(t, got, cs[0])
}

func testNotFound(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	const id = 987654321
	d := NewDistrict("9")
	d.ID = id
	g := NewGrid(f.District.ID, "G9")
	g.ID, g.Version = id, 1
	m := NewManager(f.Grid.ID, "m9")
	m.ID = id
	c := NewCustomer("x9", 0, Hangzhou)
	c.ID = id
	r := NewResource("r9", Hangzhou, 10)
	r.ID = id
	u := NewUser("u9", territory.RoleAdmin, 0)
	u.ID = id
	tests := []struct {
		name string
		call func() error
	}{
		{"district", func() error { _, err := s.District(ctx, id); return err }},
		{"update district", func() error { return s.UpdateDistrict(ctx, d) }},
		{"grid", func() error { _, err := s.Grid(ctx, id); return err }},
		{"update grid", func() error { return s.UpdateGrid(ctx, g) }},
		{"delete grid", func() error { return s.DeleteGrid(ctx, id, 1) }},
		{"manager", func() error { _, err := s.Manager(ctx, id); return err }},
		{"update manager", func() error { return s.UpdateManager(ctx, m) }},
		{"customer", func() error { _, err := s.Customer(ctx, id); return err }},
		{"update customer", func() error { return s.UpdateCustomer(ctx, c) }},
		{"resource", func() error { _, err := s.Resource(ctx, id); return err }},
		{"update resource", func() error { return s.UpdateResource(ctx, r) }},
		{"user", func() error { _, err := s.User(ctx, id); return err }},
		{"update user", func() error { return s.UpdateUser(ctx, u) }},
		{"delete session", func() error { return s.DeleteSession(ctx, "nope") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			WantNotFound(t, err)
			var nf *territory.NotFoundError
			if errors.As(err, &nf) && nf.Kind != "session" && nf.Key != fmt.Sprint(id) {
				t.Errorf("NotFoundError names key %q, want %d", nf.Key, id)
			}
		})
	}
	_, err := s.Claim(ctx, id)
	wantFunnelNotFound(t, err)
	// Listing nothing is not an error.
	cs, err := s.Customers(ctx, territory.CustomerFilter{GridID: id})
	if err != nil || len(cs) != 0 {
		t.Errorf("Customers of a missing grid = %d rows, %v; want none and no error", len(cs), err)
	}
}

func testDeleteRestricted(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	free := NewManager(f.Grid.ID, "free")
	Must(t, s.CreateManager(ctx, free), "create manager")

	WantConflict(t, s.DeleteDistrict(ctx, f.District.ID))
	WantConflict(t, s.DeleteGrid(ctx, f.Grid.ID, f.Grid.Version))

	// A manager who owns a customer, holds a claim or has a login stays.
	owner := NewManager(f.Grid.ID, "owner")
	claimer := NewManager(f.Grid.ID, "claimer")
	login := NewManager(f.Grid.ID, "login")
	for _, m := range []*territory.Manager{owner, claimer, login} {
		Must(t, s.CreateManager(ctx, m), "create manager")
	}
	c := NewCustomer("owned", f.Grid.ID, Hangzhou)
	c.OwnerID = owner.ID
	Must(t, s.CreateCustomer(ctx, c), "create owned customer")
	c2 := NewCustomer("claimed", f.Grid.ID, Hangzhou)
	Must(t, s.CreateCustomer(ctx, c2), "create claimed customer")
	Must(t, s.CreateClaim(ctx, NewClaim(c2.ID, claimer.ID)), "create claim")
	Must(t, s.CreateUser(ctx, NewUser("login", territory.RoleManager, login.ID)), "create user")
	for _, m := range []*territory.Manager{owner, claimer, login} {
		t.Run("manager "+m.Code, func(t *testing.T) {
			WantConflict(t, s.DeleteManager(ctx, m.ID))
			_, err := s.Manager(ctx, m.ID)
			Must(t, err, "manager survives")
		})
	}
	Must(t, s.DeleteManager(ctx, free.ID), "delete a free manager")

	_, err := s.District(ctx, f.District.ID)
	Must(t, err, "district survives")
	_, err = s.Grid(ctx, f.Grid.ID)
	Must(t, err, "grid survives")
}

func testDeleteGridUngrids(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	g2 := NewGrid(f.District.ID, "XH-02")
	Must(t, s.CreateGrid(ctx, g2), "create grid")
	in := MustCustomers(t, s, "in", g2.ID, 3)
	other := MustCustomers(t, s, "other", f.Grid.ID, 2)
	Must(t, s.DeleteGrid(ctx, g2.ID, g2.Version), "delete grid without managers")
	for _, c := range in {
		got, err := s.Customer(ctx, c.ID)
		Must(t, err, "customer survives its grid")
		if got.GridID != 0 {
			t.Errorf("customer %d still in deleted grid %d", c.ID, got.GridID)
		}
	}
	for _, c := range other {
		got, err := s.Customer(ctx, c.ID)
		Must(t, err, "read customer")
		sameCustomer(t, got, c)
	}
	if n := count(t, s, territory.CustomerFilter{GridID: g2.ID}); n != 0 {
		t.Errorf("%d customers still counted in the deleted grid", n)
	}
	// The district empties once its last grid goes.
	Must(t, s.DeleteManager(ctx, f.Manager.ID), "delete manager")
	Must(t, s.DeleteGrid(ctx, f.Grid.ID, f.Grid.Version), "delete last grid")
	Must(t, s.DeleteDistrict(ctx, f.District.ID), "delete empty district")
}

func testOneActiveClaim(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	m2 := NewManager(f.Grid.ID, "m2")
	Must(t, s.CreateManager(ctx, m2), "create manager")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 2)
	first := NewClaim(cs[0].ID, f.Manager.ID)
	Must(t, s.CreateClaim(ctx, first), "first claim")

	wantFunnelConflict(t, s.CreateClaim(ctx, NewClaim(cs[0].ID, m2.ID)))
	wantFunnelConflict(t, s.CreateClaim(ctx, NewClaim(cs[0].ID, f.Manager.ID)))
	// Another customer is free, and ended claims do not count.
	Must(t, s.CreateClaim(ctx, NewClaim(cs[1].ID, m2.ID)), "claim on another customer")
	end := Epoch.Add(time.Hour)
	old := NewClaim(cs[0].ID, m2.ID)
	old.Status, old.EndedAt = funnel.ClaimReleased, &end
	Must(t, s.CreateClaim(ctx, old), "a released claim beside an active one")

	// Reactivating the released claim clashes with the active one.
	old.Status, old.EndedAt = funnel.ClaimActive, nil
	wantFunnelConflict(t, s.UpdateClaim(ctx, old))
	got, err := s.Claim(ctx, old.ID)
	Must(t, err, "read released claim")
	if got.Status != funnel.ClaimReleased {
		t.Errorf("refused update left status %q", got.Status)
	}

	// Once the first lapses, a new claim is accepted.
	first.Status, first.EndedAt, first.EndReason = funnel.ClaimLapsed, &end, "lapsed"
	Must(t, s.UpdateClaim(ctx, first), "lapse first claim")
	Must(t, s.CreateClaim(ctx, NewClaim(cs[0].ID, m2.ID)), "claim after lapse")
	active, err := s.Claims(ctx, funnel.ClaimFilter{CustomerID: cs[0].ID, Status: funnel.ClaimActive})
	Must(t, err, "list active claims")
	if len(active) != 1 || active[0].ManagerID != m2.ID {
		t.Errorf("active claims of customer = %+v, want one by manager %d", active, m2.ID)
	}
}
