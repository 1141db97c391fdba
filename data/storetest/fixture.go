package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

// Hangzhou is the centre of the fixtures (West Lake district, 120.15°E 30.27°N).
var Hangzhou = orb.Point{120.15, 30.27}

// Epoch is a fixed instant the fixtures' times are built from: whole
// microseconds, so every store returns it exactly.
var Epoch = time.Date(2026, 11, 2, 9, 30, 15, 123456000, time.UTC)

// Square returns a closed counter-clockwise square polygon centred on c with
// half-side half (degrees).
func Square(c orb.Point, half float64) orb.Polygon {
	x0, y0, x1, y1 := c[0]-half, c[1]-half, c[0]+half, c[1]+half
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

// SquareWithHole is Square with a square hole of half-side half/2 in the
// middle, wound clockwise as holes should be.
func SquareWithHole(c orb.Point, half float64) orb.Polygon {
	p := Square(c, half)
	h := half / 2
	x0, y0, x1, y1 := c[0]-h, c[1]-h, c[0]+h, c[1]+h
	return append(p, orb.Ring{{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}})
}

// NewDistrict returns a valid district with the given code around Hangzhou.
func NewDistrict(code string) *territory.District {
	return &territory.District{
		Code:     code,
		Name:     "西湖区 " + code,
		City:     "杭州市",
		Province: "浙江省",
		Boundary: orb.MultiPolygon{Square(Hangzhou, 0.2)},
	}
}

// NewGrid returns a valid draft grid of district districtID with the given
// code: a 0.02° square around Hangzhou.
func NewGrid(districtID int64, code string) *territory.Grid {
	return &territory.Grid{
		Code:       code,
		Name:       "网格 " + code,
		DistrictID: districtID,
		Boundary:   Square(Hangzhou, 0.01),
		Status:     territory.GridDraft,
		UpdatedBy:  "planner",
	}
}

// NewManager returns a valid, normalized customer manager of grid gridID.
func NewManager(gridID int64, code string) *territory.Manager {
	m := &territory.Manager{
		Code:   code,
		Name:   "经理 " + code,
		GridID: gridID,
		Base:   orb.Point{120.1512345, 30.2712345},
		Phone:  "13800000000",
	}
	m.Normalize()
	return m
}

// NewCustomer returns a valid, normalized customer at p in grid gridID (0:
// ungridded) with the given external id.
func NewCustomer(externalID string, gridID int64, p orb.Point) *territory.Customer {
	c := &territory.Customer{
		ExternalID: externalID,
		Name:       "杭州某某科技有限公司 " + externalID,
		Address:    "浙江省杭州市西湖区文三路 " + externalID + " 号",
		Location:   p,
		GridID:     gridID,
		Industry:   "software",
		Size:       territory.SizeSmall,
		Carrier:    territory.CarrierCompetitor,
	}
	c.Normalize()
	return c
}

// NewResource returns a valid existing point resource (a fibre cabinet)
// at p covering radiusM metres.
func NewResource(name string, p orb.Point, radiusM float64) *territory.Resource {
	return &territory.Resource{
		Name:     name,
		Kind:     "fibre_cabinet",
		Status:   territory.ResourceExisting,
		Geometry: p,
		RadiusM:  radiusM,
		Capacity: 96,
	}
}

// NewUser returns a valid user; a RoleManager user is linked to managerID.
// The password hash is a fixed string (hashing with bcrypt costs ~50 ms).
func NewUser(username string, role territory.Role, managerID int64) *territory.User {
	return &territory.User{
		Username:     username,
		DisplayName:  "User " + username,
		PasswordHash: "$2a$10$notarealhashnotarealhashnotarealhashnotarealhashnota",
		Role:         role,
		ManagerID:    managerID,
	}
}

// NewClaim returns a valid active claim of customer by manager at Epoch.
func NewClaim(customerID, managerID int64) *funnel.Claim {
	return &funnel.Claim{
		CustomerID:     customerID,
		ManagerID:      managerID,
		Status:         funnel.ClaimActive,
		ClaimedAt:      Epoch,
		LastActivityAt: Epoch,
	}
}

// NewActivity returns a valid street visit on customer by manager at at.
func NewActivity(customerID, managerID int64, at time.Time) *funnel.Activity {
	return &funnel.Activity{
		CustomerID: customerID,
		ManagerID:  managerID,
		Kind:       funnel.VisitStreet,
		At:         at,
		Note:       "扫街: met the owner",
	}
}

// Fixture is one district with one grid and one manager of that grid, the
// smallest world that customers, claims and activities can refer to.
type Fixture struct {
	District *territory.District
	Grid     *territory.Grid
	Manager  *territory.Manager
}

// Seed creates a Fixture in s, with codes suffixed by suffix so that several
// fixtures can live in one store.
func Seed(tb testing.TB, s data.Store, suffix string) *Fixture {
	tb.Helper()
	ctx := context.Background()
	f := &Fixture{District: NewDistrict("3301" + suffix)}
	if err := s.CreateDistrict(ctx, f.District); err != nil {
		tb.Fatalf("seed district: %v", err)
	}
	f.Grid = NewGrid(f.District.ID, "XH-"+suffix)
	if err := s.CreateGrid(ctx, f.Grid); err != nil {
		tb.Fatalf("seed grid: %v", err)
	}
	f.Manager = NewManager(f.Grid.ID, "m"+suffix)
	if err := s.CreateManager(ctx, f.Manager); err != nil {
		tb.Fatalf("seed manager: %v", err)
	}
	return f
}

// MustCustomers creates n customers in grid gridID spread on a small lattice
// around Hangzhou, with external ids prefix-0 … prefix-(n-1), and returns them.
func MustCustomers(tb testing.TB, s data.Store, prefix string, gridID int64, n int) []*territory.Customer {
	tb.Helper()
	ctx := context.Background()
	out := make([]*territory.Customer, n)
	for i := range n {
		c := NewCustomer(fmt.Sprintf("%s-%d", prefix, i), gridID, orb.Point{120.145 + float64(i%10)*0.001, 30.265 + float64(i/10%10)*0.001})
		if err := s.CreateCustomer(ctx, c); err != nil {
			tb.Fatalf("create customer %d: %v", i, err)
		}
		out[i] = c
	}
	return out
}
