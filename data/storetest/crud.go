package storetest

import (
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

var crudCases = []testCase{
	{"district/crud", testDistrictCRUD},
	{"grid/crud", testGridCRUD},
	{"manager/crud", testManagerCRUD},
	{"customer/crud", testCustomerCRUD},
	{"resource/crud", testResourceCRUD},
	{"user/crud", testUserCRUD},
	{"session/crud", testSessionCRUD},
	{"claim/crud", testClaimCRUD},
	{"activity/crud", testActivityCRUD},
}

func testDistrictCRUD(t *testing.T, s data.Store) {
	ctx := t.Context()
	d := NewDistrict("330106")
	Must(t, s.CreateDistrict(ctx, d), "create district")
	if d.ID <= 0 {
		t.Fatalf("CreateDistrict left ID = %d", d.ID)
	}
	d2 := NewDistrict("330105")
	Must(t, s.CreateDistrict(ctx, d2), "create second district")
	if d2.ID <= d.ID {
		t.Errorf("second district id %d not above first %d", d2.ID, d.ID)
	}

	got, err := s.District(ctx, d.ID)
	Must(t, err, "read district")
	sameDistrict(t, got, d)

	d.Name, d.City, d.Boundary = "上城区", "杭州", orb.MultiPolygon{Square(orb.Point{120.17, 30.25}, 0.05)}
	Must(t, s.UpdateDistrict(ctx, d), "update district")
	got, err = s.District(ctx, d.ID)
	Must(t, err, "read updated district")
	sameDistrict(t, got, d)

	all, err := s.Districts(ctx)
	Must(t, err, "list districts")
	sameValue(t, "district ids", ids(all, func(d *territory.District) int64 { return d.ID }), []int64{d.ID, d2.ID})

	Must(t, s.DeleteDistrict(ctx, d.ID), "delete district")
	_, err = s.District(ctx, d.ID)
	WantNotFound(t, err)
	WantNotFound(t, s.DeleteDistrict(ctx, d.ID))
}

func testGridCRUD(t *testing.T, s data.Store) {
	ctx := t.Context()
	d := NewDistrict("330106")
	Must(t, s.CreateDistrict(ctx, d), "create district")
	g := NewGrid(d.ID, "XH-01")
	Must(t, s.CreateGrid(ctx, g), "create grid")
	if g.ID <= 0 || g.Version != 1 {
		t.Fatalf("CreateGrid left ID %d Version %d, want a positive id and version 1", g.ID, g.Version)
	}
	stamped(t, "grid.UpdatedAt", g.UpdatedAt)

	got, err := s.Grid(ctx, g.ID)
	Must(t, err, "read grid")
	sameGrid(t, got, g)

	before := g.UpdatedAt
	g.Name, g.Status, g.Boundary, g.UpdatedBy = "文三路网格", territory.GridPublished, Square(Hangzhou, 0.015), "lead"
	Must(t, s.UpdateGrid(ctx, g), "update grid")
	if g.Version != 2 {
		t.Fatalf("UpdateGrid left Version %d, want 2", g.Version)
	}
	if g.UpdatedAt.Before(before) {
		t.Errorf("UpdateGrid moved UpdatedAt back from %s to %s", before, g.UpdatedAt)
	}
	got, err = s.Grid(ctx, g.ID)
	Must(t, err, "read updated grid")
	sameGrid(t, got, g)

	Must(t, s.DeleteGrid(ctx, g.ID, g.Version), "delete grid")
	_, err = s.Grid(ctx, g.ID)
	WantNotFound(t, err)
	WantNotFound(t, s.DeleteGrid(ctx, g.ID, g.Version))
}

func testManagerCRUD(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	got, err := s.Manager(ctx, f.Manager.ID)
	Must(t, err, "read manager")
	sameManager(t, got, f.Manager)
	if got.Quota != territory.DefaultQuota() || got.Role != territory.RoleCustomerManager {
		t.Errorf("manager quota %+v role %q, want defaults", got.Quota, got.Role)
	}

	m := f.Manager
	m.Name, m.Role, m.Quota, m.Base, m.Phone = "王网格长", territory.RoleGridLead, territory.Quota{Min: 10, Target: 20, Max: 30}, orb.Point{120.2, 30.3}, ""
	Must(t, s.UpdateManager(ctx, m), "update manager")
	got, err = s.Manager(ctx, m.ID)
	Must(t, err, "read updated manager")
	sameManager(t, got, m)

	Must(t, s.DeleteManager(ctx, m.ID), "delete manager")
	_, err = s.Manager(ctx, m.ID)
	WantNotFound(t, err)
	WantNotFound(t, s.DeleteManager(ctx, m.ID))
}

func testCustomerCRUD(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	c := NewCustomer("91330106MA2H000001", f.Grid.ID, orb.Point{120.1534567891234, 30.2745678912345})
	c.Special = true
	c.OwnerID = f.Manager.ID
	c.Stage = funnel.List
	Must(t, s.CreateCustomer(ctx, c), "create customer")
	if c.ID <= 0 {
		t.Fatalf("CreateCustomer left ID = %d", c.ID)
	}
	stamped(t, "customer.CreatedAt", c.CreatedAt)
	stamped(t, "customer.UpdatedAt", c.UpdatedAt)

	got, err := s.Customer(ctx, c.ID)
	Must(t, err, "read customer")
	sameCustomer(t, got, c)
	got, err = s.CustomerByExternalID(ctx, c.ExternalID)
	Must(t, err, "read customer by external id")
	sameCustomer(t, got, c)
	_, err = s.CustomerByExternalID(ctx, "no-such-id")
	WantNotFound(t, err)

	// Ungridded, unowned and without optional fields.
	bare := NewCustomer("bare", 0, orb.Point{120.5, 30.5})
	bare.Industry, bare.Size, bare.Address = "", "", ""
	Must(t, s.CreateCustomer(ctx, bare), "create bare customer")
	got, err = s.Customer(ctx, bare.ID)
	Must(t, err, "read bare customer")
	sameCustomer(t, got, bare)

	c.Name, c.Stage, c.OwnerID, c.GridID, c.Carrier = "新名字", funnel.Potential, 0, 0, territory.CarrierOurs
	c.Location = orb.Point{120.16, 30.28}
	c.Cell = 0
	c.Normalize()
	c.UpdatedAt = Epoch
	Must(t, s.UpdateCustomer(ctx, c), "update customer")
	got, err = s.Customer(ctx, c.ID)
	Must(t, err, "read updated customer")
	sameCustomer(t, got, c)

	Must(t, s.DeleteCustomer(ctx, c.ID), "delete customer")
	_, err = s.Customer(ctx, c.ID)
	WantNotFound(t, err)
	WantNotFound(t, s.DeleteCustomer(ctx, c.ID))
}

func testResourceCRUD(t *testing.T, s data.Store) {
	ctx := t.Context()
	due := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	point := NewResource("文三路光交箱", orb.Point{120.1512345678, 30.2798765432}, 350.5)
	poly := &territory.Resource{
		Name: "5G 站点 XH-5G-7", Kind: "5g_site", Status: territory.ResourcePlanned,
		Geometry: SquareWithHole(orb.Point{120.16, 30.26}, 0.004), ExpectedDate: &due,
	}
	for _, r := range []*territory.Resource{point, poly} {
		Must(t, s.CreateResource(ctx, r), "create resource "+r.Name)
		if r.ID <= 0 {
			t.Fatalf("CreateResource left ID = %d", r.ID)
		}
		got, err := s.Resource(ctx, r.ID)
		Must(t, err, "read resource")
		sameResource(t, got, r)
	}

	point.Status, point.RadiusM, point.Capacity = territory.ResourceUnderConstruction, 500, 0
	next := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	point.ExpectedDate = &next
	Must(t, s.UpdateResource(ctx, point), "update resource")
	got, err := s.Resource(ctx, point.ID)
	Must(t, err, "read updated resource")
	sameResource(t, got, point)

	// A point resource can become a polygon one.
	point.Geometry, point.RadiusM = Square(orb.Point{120.15, 30.28}, 0.002), 0
	Must(t, s.UpdateResource(ctx, point), "update resource to polygon")
	got, err = s.Resource(ctx, point.ID)
	Must(t, err, "read polygon resource")
	sameResource(t, got, point)

	Must(t, s.DeleteResource(ctx, point.ID), "delete resource")
	_, err = s.Resource(ctx, point.ID)
	WantNotFound(t, err)
	WantNotFound(t, s.DeleteResource(ctx, point.ID))
}

func testUserCRUD(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	admin := NewUser("admin", territory.RoleAdmin, 0)
	mgr := NewUser("wang.wei", territory.RoleManager, f.Manager.ID)
	for _, u := range []*territory.User{admin, mgr} {
		Must(t, s.CreateUser(ctx, u), "create user "+u.Username)
		if u.ID <= 0 {
			t.Fatalf("CreateUser left ID = %d", u.ID)
		}
		stamped(t, "user.CreatedAt", u.CreatedAt)
		got, err := s.User(ctx, u.ID)
		Must(t, err, "read user")
		sameUser(t, got, u)
		got, err = s.UserByUsername(ctx, u.Username)
		Must(t, err, "read user by name")
		sameUser(t, got, u)
	}
	_, err := s.UserByUsername(ctx, "nobody")
	WantNotFound(t, err)

	all, err := s.Users(ctx)
	Must(t, err, "list users")
	sameValue(t, "user ids", ids(all, func(u *territory.User) int64 { return u.ID }), []int64{admin.ID, mgr.ID})

	admin.DisplayName, admin.Role, admin.PasswordHash = "Planner Li", territory.RolePlanner, "$2a$10$another"
	Must(t, s.UpdateUser(ctx, admin), "update user")
	got, err := s.User(ctx, admin.ID)
	Must(t, err, "read updated user")
	sameUser(t, got, admin)

	Must(t, s.DeleteUser(ctx, admin.ID), "delete user")
	_, err = s.User(ctx, admin.ID)
	WantNotFound(t, err)
	WantNotFound(t, s.DeleteUser(ctx, admin.ID))
	WantNotFound(t, s.UpdateUser(ctx, admin))
}

func testSessionCRUD(t *testing.T, s data.Store) {
	ctx := t.Context()
	u := NewUser("admin", territory.RoleAdmin, 0)
	Must(t, s.CreateUser(ctx, u), "create user")
	sess := &territory.Session{TokenHash: "c0ffee", UserID: u.ID, CreatedAt: Epoch, ExpiresAt: Epoch.Add(12 * time.Hour)}
	Must(t, s.CreateSession(ctx, sess), "create session")
	got, err := s.Session(ctx, "c0ffee", Epoch.Add(time.Hour))
	Must(t, err, "read session")
	if got.TokenHash != "c0ffee" || got.UserID != u.ID {
		t.Errorf("session = %+v, want token c0ffee of user %d", got, u.ID)
	}
	SameTime(t, "session.CreatedAt", got.CreatedAt, sess.CreatedAt)
	SameTime(t, "session.ExpiresAt", got.ExpiresAt, sess.ExpiresAt)

	_, err = s.Session(ctx, "c0ffee", Epoch.Add(13*time.Hour))
	WantNotFound(t, err)
	_, err = s.Session(ctx, "c0ffee", sess.ExpiresAt)
	WantNotFound(t, err)
	_, err = s.Session(ctx, "unknown", Epoch)
	WantNotFound(t, err)

	// Same token twice is a conflict (tokens are random; a clash is a bug).
	err = s.CreateSession(ctx, &territory.Session{TokenHash: "c0ffee", UserID: u.ID, CreatedAt: Epoch, ExpiresAt: Epoch.Add(time.Hour)})
	WantConflict(t, err)

	Must(t, s.DeleteSession(ctx, "c0ffee"), "delete session")
	_, err = s.Session(ctx, "c0ffee", Epoch)
	WantNotFound(t, err)
	WantNotFound(t, s.DeleteSession(ctx, "c0ffee"))
}

func testClaimCRUD(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 1)
	c := NewClaim(cs[0].ID, f.Manager.ID)
	Must(t, s.CreateClaim(ctx, c), "create claim")
	if c.ID <= 0 {
		t.Fatalf("CreateClaim left ID = %d", c.ID)
	}
	got, err := s.Claim(ctx, c.ID)
	Must(t, err, "read claim")
	sameClaim(t, got, c)

	end := Epoch.Add(72 * time.Hour)
	c.Status, c.LastActivityAt, c.EndedAt, c.EndReason = funnel.ClaimReleased, Epoch.Add(24*time.Hour), &end, "released by planner"
	Must(t, s.UpdateClaim(ctx, c), "update claim")
	got, err = s.Claim(ctx, c.ID)
	Must(t, err, "read updated claim")
	sameClaim(t, got, c)

	_, err = s.Claim(ctx, c.ID+1000)
	wantFunnelNotFound(t, err)
	missing := *c
	missing.ID += 1000
	wantFunnelNotFound(t, s.UpdateClaim(ctx, &missing))
}

func testActivityCRUD(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 1)
	pos := orb.Point{120.1501234567, 30.2701234567}
	a := NewActivity(cs[0].ID, f.Manager.ID, Epoch)
	a.Signals = []funnel.SignalKind{funnel.ContractExpiring, funnel.CompetitorComplaint}
	expires, dist := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC), 12.5
	a.Position, a.Verified, a.DistanceM, a.ContractExpires = &pos, true, &dist, &expires
	b := NewActivity(cs[0].ID, f.Manager.ID, Epoch.Add(time.Minute))
	b.Kind, b.Note = funnel.Phone, ""
	for _, x := range []*funnel.Activity{a, b} {
		Must(t, s.CreateActivity(ctx, x), "create activity")
		if x.ID <= 0 {
			t.Fatalf("CreateActivity left ID = %d", x.ID)
		}
	}
	got, err := s.Activities(ctx, funnel.ActivityFilter{})
	Must(t, err, "list activities")
	if len(got) != 2 {
		t.Fatalf("got %d activities, want 2", len(got))
	}
	sameActivity(t, got[0], a)
	sameActivity(t, got[1], b)
}
