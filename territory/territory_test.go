package territory

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/funnel"
	"gridplan/geo"
)

func square(x, y, s float64) orb.Polygon {
	return orb.Polygon{{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}}
}

// wantField asserts err is a *FieldError on field (and mentions want), or nil when field is "".
func wantField(t *testing.T, err error, field, want string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want a FieldError on %q", err, field)
	}
	if fe.Field != field {
		t.Fatalf("error on %q (%v), want %q", fe.Field, err, field)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("%v does not wrap ErrInvalid", err)
	}
	if want != "" && !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not mention %q", err, want)
	}
}

func TestDistrictValidate(t *testing.T) {
	ok := District{Code: "330106", Name: "西湖区", City: "杭州市", Province: "浙江省", Boundary: orb.MultiPolygon{square(120.1, 30.2, 0.1)}}
	tests := []struct {
		name, field, want string
		edit              func(*District)
	}{
		{"valid", "", "", func(*District) {}},
		{"no code", "code", "required", func(d *District) { d.Code = " " }},
		{"no name", "name", "", func(d *District) { d.Name = "" }},
		{"no city", "city", "", func(d *District) { d.City = "" }},
		{"no province", "province", "", func(d *District) { d.Province = "" }},
		{"no boundary", "boundary", "no polygons", func(d *District) { d.Boundary = nil }},
		{"island", "", "", func(d *District) { d.Boundary = append(d.Boundary, square(121, 30.9, 0.01)) }},
		{"bad second part", "boundary", "polygon 1: ring 0", func(d *District) {
			d.Boundary = append(d.Boundary, orb.Polygon{{{121, 30}, {121.1, 30}, {121, 30}}})
		}},
		{"unclosed", "boundary", "ring 0 point 3", func(d *District) {
			d.Boundary = orb.MultiPolygon{{{{120, 30}, {121, 30}, {121, 31}, {120, 31}}}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ok
			tt.edit(&d)
			wantField(t, d.Validate(), tt.field, tt.want)
		})
	}
}

func TestGridValidate(t *testing.T) {
	ok := Grid{Code: "XH-01", Name: "文三路网格", DistrictID: 1, Status: GridPublished, Boundary: square(120.1, 30.2, 0.01)}
	tests := []struct {
		name, field, want string
		edit              func(*Grid)
	}{
		{"valid", "", "", func(*Grid) {}},
		{"draft", "", "", func(g *Grid) { g.Status = GridDraft }},
		{"no code", "code", "", func(g *Grid) { g.Code = "" }},
		{"long code", "code", "64", func(g *Grid) { g.Code = strings.Repeat("x", 65) }},
		{"no district", "district_id", "positive", func(g *Grid) { g.DistrictID = 0 }},
		{"bad status", "status", "archived", func(g *Grid) { g.Status = "archived" }},
		{"three points", "geometry", "at least 4", func(g *Grid) { g.Boundary = orb.Polygon{{{120, 30}, {121, 30}, {120, 30}}} }},
		{"bow tie", "geometry", "self-intersection", func(g *Grid) {
			g.Boundary = orb.Polygon{{{120, 30}, {120.1, 30.1}, {120.1, 30}, {120, 30.1}, {120, 30}}}
		}},
		{"NaN", "geometry", "not a number", func(g *Grid) {
			g.Boundary = orb.Polygon{{{120, 30}, {math.NaN(), 30}, {121, 31}, {120, 30}}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := ok
			tt.edit(&g)
			wantField(t, g.Validate(), tt.field, tt.want)
		})
	}
}

func TestManagerNormalizeValidate(t *testing.T) {
	m := Manager{Code: "m001", Name: "张伟", GridID: 3, Base: orb.Point{120.15, 30.27}}
	m.Normalize()
	if m.Quota != (Quota{30, 50, 70}) || m.Role != RoleCustomerManager {
		t.Fatalf("Normalize gave quota %+v role %q, want 30/50/70 customer_manager", m.Quota, m.Role)
	}
	tests := []struct {
		name, field string
		edit        func(*Manager)
	}{
		{"valid", "", func(*Manager) {}},
		{"grid lead", "", func(m *Manager) { m.Role = RoleGridLead }},
		{"no grid", "grid_id", func(m *Manager) { m.GridID = 0 }},
		{"bad role", "role", func(m *Manager) { m.Role = "boss" }},
		{"min above target", "quota", func(m *Manager) { m.Quota = Quota{60, 50, 70} }},
		{"negative min", "quota.min", func(m *Manager) { m.Quota = Quota{-1, 50, 70} }},
		{"base out of range", "base", func(m *Manager) { m.Base = orb.Point{120, 91} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mm := m
			tt.edit(&mm)
			wantField(t, mm.Validate(), tt.field, "")
		})
	}
}

func TestCustomerNormalizeValidate(t *testing.T) {
	c := Customer{ExternalID: "HZ-1", Name: "杭州云栖科技有限公司", Location: orb.Point{120.15, 30.27}}
	c.Normalize()
	if c.Stage != funnel.Target || c.Carrier != CarrierUnknown || c.Cell == 0 {
		t.Fatalf("Normalize: stage %q carrier %q cell %v", c.Stage, c.Carrier, c.Cell)
	}
	tests := []struct {
		name, field string
		edit        func(*Customer)
	}{
		{"valid", "", func(*Customer) {}},
		{"no external id", "external_id", func(c *Customer) { c.ExternalID = "" }},
		{"no name", "name", func(c *Customer) { c.Name = "  " }},
		{"bad carrier", "carrier", func(c *Customer) { c.Carrier = "telco" }},
		{"bad size", "size", func(c *Customer) { c.Size = "huge" }},
		{"bad stage", "stage", func(c *Customer) { c.Stage = "maybe" }},
		{"location NaN", "location", func(c *Customer) { c.Location = orb.Point{math.NaN(), 30} }},
		{"cell at wrong resolution", "cell", func(c *Customer) { c.Cell = c.Cell.Parent(7) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := c
			tt.edit(&cc)
			wantField(t, cc.Validate(), tt.field, "")
		})
	}
}

func TestResourceValidate(t *testing.T) {
	due := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, field string
		r           Resource
	}{
		{"cabinet", "", Resource{Name: "光交箱 A1", Kind: "fibre_cabinet", Status: ResourceExisting, Geometry: orb.Point{120.15, 30.27}, RadiusM: 300}},
		{"planned area", "", Resource{Name: "园区接入", Kind: "building_access", Status: ResourcePlanned, Geometry: square(120.1, 30.2, 0.01), ExpectedDate: &due}},
		{"point without radius", "radius_m", Resource{Name: "x", Kind: "5g_site", Status: ResourceExisting, Geometry: orb.Point{120, 30}}},
		{"polygon with radius", "radius_m", Resource{Name: "x", Kind: "olt", Status: ResourceExisting, Geometry: square(120, 30, 0.1), RadiusM: 5}},
		{"no geometry", "geometry", Resource{Name: "x", Kind: "olt", Status: ResourceExisting}},
		{"line geometry", "geometry", Resource{Name: "x", Kind: "olt", Status: ResourceExisting, Geometry: orb.LineString{{120, 30}, {121, 30}}}},
		{"bad status", "status", Resource{Name: "x", Kind: "olt", Status: "rumoured", Geometry: orb.Point{120, 30}, RadiusM: 1}},
		{"no kind", "kind", Resource{Name: "x", Status: ResourceExisting, Geometry: orb.Point{120, 30}, RadiusM: 1}},
		{"negative capacity", "capacity", Resource{Name: "x", Kind: "olt", Status: ResourceExisting, Geometry: orb.Point{120, 30}, RadiusM: 1, Capacity: -2}},
		{"coded", "", Resource{Code: "HZ-OLT-0001", Name: "x", Kind: "olt", Status: ResourceExisting, Geometry: orb.Point{120, 30}, RadiusM: 1}},
		{"blank code", "code", Resource{Code: "  ", Name: "x", Kind: "olt", Status: ResourceExisting, Geometry: orb.Point{120, 30}, RadiusM: 1}},
		{"long code", "code", Resource{Code: strings.Repeat("x", 129), Name: "x", Kind: "olt", Status: ResourceExisting, Geometry: orb.Point{120, 30}, RadiusM: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantField(t, tt.r.Validate(), tt.field, "")
		})
	}
}

func TestUserValidate(t *testing.T) {
	tests := []struct {
		name, field string
		u           User
	}{
		{"planner", "", User{Username: "planner", Role: RolePlanner, PasswordHash: "x"}},
		{"manager", "", User{Username: "m001", Role: RoleManager, ManagerID: 1, PasswordHash: "x"}},
		{"manager unlinked", "manager_id", User{Username: "m002", Role: RoleManager, PasswordHash: "x"}},
		{"leader linked", "manager_id", User{Username: "boss", Role: RoleLeader, ManagerID: 4, PasswordHash: "x"}},
		{"bad username", "username", User{Username: "a b", Role: RoleAdmin, PasswordHash: "x"}},
		{"bad role", "role", User{Username: "root", Role: "root", PasswordHash: "x"}},
		{"no password", "password", User{Username: "root", Role: RoleAdmin}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantField(t, tt.u.Validate(), tt.field, "")
		})
	}
}

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse") || CheckPassword(h, "correct horsf") || CheckPassword(h, "") {
		t.Fatal("CheckPassword does not tell the right password from wrong ones")
	}
	if _, err := HashPassword(""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty password: %v", err)
	}
	if _, err := HashPassword(strings.Repeat("x", 73)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("73-byte password: %v", err)
	}
}

func TestErrors(t *testing.T) {
	err := NotFound("grid", 7)
	if !errors.Is(err, ErrNotFound) || err.Error() != "grid 7 not found" {
		t.Fatalf("NotFound: %v", err)
	}
	c := &ConflictError{Reason: "grid 7 was changed by someone else"}
	if !errors.Is(c, ErrConflict) {
		t.Fatal("ConflictError does not match ErrConflict")
	}
}

func TestResourceCoverageBound(t *testing.T) {
	r := Resource{Geometry: orb.Point{120.15, 30.27}, RadiusM: 500}
	b := r.CoverageBound()
	// The bound reaches 500 m in every direction, no more than a metre off.
	for _, q := range []orb.Point{{b.Min[0], 30.27}, {b.Max[0], 30.27}, {120.15, b.Min[1]}, {120.15, b.Max[1]}} {
		if d := geo.DistanceM(orb.Point{120.15, 30.27}, q); math.Abs(d-500) > 1 {
			t.Errorf("bound edge %v is %.2f m from the site, want 500", q, d)
		}
	}
	poly := square(120, 30, 0.01)
	if got := (&Resource{Geometry: poly}).CoverageBound(); got != poly.Bound() {
		t.Errorf("polygon coverage bound %v, want %v", got, poly.Bound())
	}
	polar := (&Resource{Geometry: orb.Point{10, 89.9999999}, RadiusM: 1000}).CoverageBound()
	if polar.Min[0] != -180 || polar.Max[0] != 180 || polar.Max[1] != 90 {
		t.Errorf("near the pole the bound must span all longitudes and stop at 90°: %v", polar)
	}
}

func TestResourceCells(t *testing.T) {
	c := geo.Cell(orb.Point{120.15, 30.27}, 9)
	tests := []struct {
		name, field string
		r           Resource
	}{
		{"cells", "", Resource{Name: "楼宇接入", Kind: "building_access", Status: ResourcePlanned, Cells: []h3.Cell{c, c.Parent(8)}}},
		{"cells and geometry", "geometry", Resource{Name: "x", Kind: "olt", Status: ResourceExisting, Cells: []h3.Cell{c}, Geometry: orb.Point{120, 30}, RadiusM: 5}},
		{"cells with radius", "radius_m", Resource{Name: "x", Kind: "olt", Status: ResourceExisting, Cells: []h3.Cell{c}, RadiusM: 5}},
		{"bad cell", "cells", Resource{Name: "x", Kind: "olt", Status: ResourceExisting, Cells: []h3.Cell{c, 12345}}},
		{"too coarse", "cells", Resource{Name: "x", Kind: "olt", Status: ResourceExisting, Cells: []h3.Cell{c.Parent(3)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantField(t, tt.r.Validate(), tt.field, "")
		})
	}
	b := (&Resource{Cells: []h3.Cell{c}}).CoverageBound()
	if !b.Contains(geo.CellCenter(c)) || b.Max[0]-b.Min[0] > 0.01 {
		t.Errorf("coverage bound of a res-9 cell: %v", b)
	}
}
