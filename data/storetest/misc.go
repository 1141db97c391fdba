package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

var miscCases = []testCase{
	{"session/expiry-and-cleanup", testSessionExpiry},
	{"user/delete-removes-sessions", testUserDeleteSessions},
	{"geometry/round-trip", testGeometryRoundTrip},
	{"time/round-trip", testTimeRoundTrip},
	{"store/empty-and-reset", testEmptyReset},
	{"store/ping-and-dialect", testPingDialect},
}

func testSessionExpiry(t *testing.T, s data.Store) {
	ctx := t.Context()
	u := NewUser("admin", territory.RoleAdmin, 0)
	Must(t, s.CreateUser(ctx, u), "create user")
	// Session i expires i hours after Epoch.
	for i := 1; i <= 5; i++ {
		sess := &territory.Session{TokenHash: fmt.Sprintf("tok%d", i), UserID: u.ID, CreatedAt: Epoch, ExpiresAt: Epoch.Add(time.Duration(i) * time.Hour)}
		Must(t, s.CreateSession(ctx, sess), "create session")
	}
	now := Epoch.Add(3 * time.Hour) // tok1–tok3 are expired (tok3 exactly now)
	for i := 1; i <= 5; i++ {
		_, err := s.Session(ctx, fmt.Sprintf("tok%d", i), now)
		if i <= 3 {
			WantNotFound(t, err)
		} else {
			Must(t, err, fmt.Sprintf("session tok%d", i))
		}
	}
	n, err := s.DeleteExpiredSessions(ctx, now)
	Must(t, err, "delete expired sessions")
	if n != 3 {
		t.Errorf("DeleteExpiredSessions removed %d, want 3", n)
	}
	// Gone for good: even an earlier clock does not see them.
	_, err = s.Session(ctx, "tok2", Epoch)
	WantNotFound(t, err)
	_, err = s.Session(ctx, "tok4", Epoch)
	Must(t, err, "tok4 survives")
	n, err = s.DeleteExpiredSessions(ctx, now)
	Must(t, err, "delete expired sessions again")
	if n != 0 {
		t.Errorf("second DeleteExpiredSessions removed %d, want 0", n)
	}
}

func testUserDeleteSessions(t *testing.T, s data.Store) {
	ctx := t.Context()
	a, b := NewUser("alice", territory.RoleAdmin, 0), NewUser("bob", territory.RoleLeader, 0)
	Must(t, s.CreateUser(ctx, a), "create user")
	Must(t, s.CreateUser(ctx, b), "create user")
	for _, tok := range []struct {
		hash string
		user int64
	}{{"a1", a.ID}, {"a2", a.ID}, {"b1", b.ID}} {
		Must(t, s.CreateSession(ctx, &territory.Session{TokenHash: tok.hash, UserID: tok.user, CreatedAt: Epoch, ExpiresAt: Epoch.Add(time.Hour)}), "create session")
	}
	Must(t, s.DeleteUser(ctx, a.ID), "delete user")
	for _, tok := range []string{"a1", "a2"} {
		_, err := s.Session(ctx, tok, Epoch)
		WantNotFound(t, err)
	}
	_, err := s.Session(ctx, "b1", Epoch)
	Must(t, err, "other user's session survives")
}

func testGeometryRoundTrip(t *testing.T, s data.Store) {
	ctx := t.Context()
	// Awkward floats: not representable in short decimal, negative zero-ish
	// offsets, many digits. Stores must keep every bit.
	c := orb.Point{120.15 + 1e-13, 30.27 - 3e-14}
	holed := SquareWithHole(c, 0.1+0.2)
	holed[0][1][0] = 120.45000000000002
	d := NewDistrict("330106")
	// Two parts, one of them holed: districts can have islands and exclaves.
	island := Square(orb.Point{121.1, 30.9}, 0.01)
	d.Boundary = orb.MultiPolygon{holed, island}
	Must(t, s.CreateDistrict(ctx, d), "create district with a hole and an island")
	got, err := s.District(ctx, d.ID)
	Must(t, err, "read district")
	sameValue(t, "district boundary", got.Boundary, orb.MultiPolygon{holed, island})

	g := NewGrid(d.ID, "XH-01")
	g.Boundary = SquareWithHole(orb.Point{120.1234567890123, 30.9876543210987}, 0.0123456789)
	Must(t, s.CreateGrid(ctx, g), "create grid with a hole")
	gg, err := s.Grid(ctx, g.ID)
	Must(t, err, "read grid")
	sameValue(t, "grid boundary", gg.Boundary, g.Boundary)

	m := NewManager(g.ID, "m1")
	m.Base = orb.Point{-0.000001234, -89.99999999999}
	Must(t, s.CreateManager(ctx, m), "create manager")
	gm, err := s.Manager(ctx, m.ID)
	Must(t, err, "read manager")
	sameValue(t, "manager base", gm.Base, m.Base)

	cu := NewCustomer("far", 0, orb.Point{179.99999999999997, -45.123456789012345})
	Must(t, s.CreateCustomer(ctx, cu), "create customer")
	gc, err := s.Customer(ctx, cu.ID)
	Must(t, err, "read customer")
	sameValue(t, "customer location", gc.Location, cu.Location)
	sameValue(t, "customer cell", gc.Cell, cu.Cell)

	pt := NewResource("site", orb.Point{120.1000000000001, 30.2999999999999}, 1234.5678)
	poly := &territory.Resource{Name: "area", Kind: "building_access", Status: territory.ResourceExisting, Geometry: SquareWithHole(c, 0.003)}
	for _, r := range []*territory.Resource{pt, poly} {
		Must(t, s.CreateResource(ctx, r), "create resource")
		gr, err := s.Resource(ctx, r.ID)
		Must(t, err, "read resource")
		sameValue(t, "resource geometry", gr.Geometry, r.Geometry)
		if gr.RadiusM != r.RadiusM {
			t.Errorf("radius %v, want %v", gr.RadiusM, r.RadiusM)
		}
	}
	pos := orb.Point{120.15000000000001, 30.26999999999999}
	f := Seed(t, s, "02")
	a := NewActivity(cu.ID, f.Manager.ID, Epoch)
	a.Position = &pos
	Must(t, s.CreateActivity(ctx, a), "create activity")
	as, err := s.Activities(ctx, funnel.ActivityFilter{CustomerID: cu.ID})
	Must(t, err, "read activity")
	if len(as) != 1 || as[0].Position == nil || *as[0].Position != pos {
		t.Errorf("activity position round trip: got %+v, want %v", as, pos)
	}
}

func testTimeRoundTrip(t *testing.T, s data.Store) {
	ctx := t.Context()
	cst := time.FixedZone("CST", 8*3600)
	at := time.Date(2026, 11, 2, 17, 30, 15, 654321000, cst) // whole µs, not UTC
	f := Seed(t, s, "01")

	c := NewCustomer("t1", f.Grid.ID, Hangzhou)
	c.CreatedAt, c.UpdatedAt = at, at.Add(time.Microsecond)
	Must(t, s.CreateCustomer(ctx, c), "create customer")
	gc, err := s.Customer(ctx, c.ID)
	Must(t, err, "read customer")
	SameTime(t, "customer.CreatedAt", gc.CreatedAt, at)
	SameTime(t, "customer.UpdatedAt", gc.UpdatedAt, at.Add(time.Microsecond))

	g := NewGrid(f.District.ID, "XH-T")
	g.UpdatedAt = at
	Must(t, s.CreateGrid(ctx, g), "create grid")
	gg, err := s.Grid(ctx, g.ID)
	Must(t, err, "read grid")
	SameTime(t, "grid.UpdatedAt", gg.UpdatedAt, at)

	end := at.Add(36 * time.Hour)
	cl := NewClaim(c.ID, f.Manager.ID)
	cl.ClaimedAt, cl.LastActivityAt, cl.EndedAt, cl.Status = at, at.Add(time.Hour), &end, funnel.ClaimLapsed
	Must(t, s.CreateClaim(ctx, cl), "create claim")
	gcl, err := s.Claim(ctx, cl.ID)
	Must(t, err, "read claim")
	sameClaim(t, gcl, cl)

	a := NewActivity(c.ID, f.Manager.ID, at)
	Must(t, s.CreateActivity(ctx, a), "create activity")
	as, err := s.Activities(ctx, funnel.ActivityFilter{CustomerID: c.ID})
	Must(t, err, "read activity")
	if len(as) == 1 {
		SameTime(t, "activity.At", as[0].At, at)
	}

	u := NewUser("timer", territory.RoleAdmin, 0)
	u.CreatedAt = at
	Must(t, s.CreateUser(ctx, u), "create user")
	gu, err := s.User(ctx, u.ID)
	Must(t, err, "read user")
	SameTime(t, "user.CreatedAt", gu.CreatedAt, at)
	sess := &territory.Session{TokenHash: "t", UserID: u.ID, CreatedAt: at, ExpiresAt: end}
	Must(t, s.CreateSession(ctx, sess), "create session")
	gs, err := s.Session(ctx, "t", at)
	Must(t, err, "read session")
	SameTime(t, "session.CreatedAt", gs.CreatedAt, at)
	SameTime(t, "session.ExpiresAt", gs.ExpiresAt, end)

	// Sub-microsecond parts are dropped (or rounded) by the store, never kept.
	fine := at.Add(999 * time.Nanosecond)
	c2 := NewCustomer("t2", 0, Hangzhou)
	c2.CreatedAt = fine
	Must(t, s.CreateCustomer(ctx, c2), "create customer")
	gc2, err := s.Customer(ctx, c2.ID)
	Must(t, err, "read customer")
	if d := gc2.CreatedAt.Sub(fine); d <= -time.Microsecond || d >= time.Microsecond || gc2.CreatedAt.Nanosecond()%1000 != 0 {
		t.Errorf("CreatedAt %s from %s: want it within a microsecond and whole microseconds", gc2.CreatedAt.Format(time.RFC3339Nano), fine.Format(time.RFC3339Nano))
	}
}

func testEmptyReset(t *testing.T, s data.Store) {
	ctx := t.Context()
	empty, err := s.Empty(ctx)
	Must(t, err, "Empty")
	if !empty {
		t.Fatal("a fresh store is not Empty")
	}
	Must(t, s.CreateUser(ctx, NewUser("admin", territory.RoleAdmin, 0)), "create user")
	empty, err = s.Empty(ctx)
	Must(t, err, "Empty")
	if empty {
		t.Fatal("a store with a user is Empty")
	}

	f := Seed(t, s, "01")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 3)
	Must(t, s.CreateResource(ctx, NewResource("r", Hangzhou, 100)), "create resource")
	Must(t, s.CreateClaim(ctx, NewClaim(cs[0].ID, f.Manager.ID)), "create claim")
	Must(t, s.CreateActivity(ctx, NewActivity(cs[0].ID, f.Manager.ID, Epoch)), "create activity")
	Must(t, s.CreateUser(ctx, NewUser("mgr", territory.RoleManager, f.Manager.ID)), "create manager user")

	Must(t, s.Reset(ctx), "Reset")
	empty, err = s.Empty(ctx)
	Must(t, err, "Empty")
	if !empty {
		t.Fatal("store not Empty after Reset")
	}
	ds, _ := s.Districts(ctx)
	gs, _ := s.Grids(ctx, territory.GridFilter{})
	ms, _ := s.Managers(ctx, territory.ManagerFilter{})
	rs, _ := s.Resources(ctx, territory.ResourceFilter{})
	us, _ := s.Users(ctx)
	cl, _ := s.Claims(ctx, funnel.ClaimFilter{})
	as, _ := s.Activities(ctx, funnel.ActivityFilter{})
	if len(ds)+len(gs)+len(ms)+len(rs)+len(us)+len(cl)+len(as)+count(t, s, territory.CustomerFilter{}) != 0 {
		t.Errorf("rows left after Reset: districts %d grids %d managers %d resources %d users %d claims %d activities %d",
			len(ds), len(gs), len(ms), len(rs), len(us), len(cl), len(as))
	}
	// The store works as before, codes are free again.
	f2 := Seed(t, s, "01")
	if f2.District.ID <= 0 || f2.Manager.ID <= 0 {
		t.Errorf("ids after Reset: %d, %d", f2.District.ID, f2.Manager.ID)
	}
	// Only districts, grids, customers and users make a store non-Empty.
	Must(t, s.Reset(ctx), "Reset")
	Must(t, s.CreateResource(ctx, NewResource("r", Hangzhou, 100)), "create resource")
	empty, err = s.Empty(ctx)
	Must(t, err, "Empty")
	if !empty {
		t.Error("a store with only a resource is not Empty")
	}
}

func testPingDialect(t *testing.T, s data.Store) {
	Must(t, s.Ping(t.Context()), "Ping")
	if d := s.Dialect(); d != "sqlite" && d != "postgres" {
		t.Errorf("Dialect() = %q, want sqlite or postgres", d)
	}
}
