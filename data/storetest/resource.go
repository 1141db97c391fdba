package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/data"
	"gridplan/geo"
	"gridplan/territory"
)

// resourceCases pin what issue 5 added to resources: coverage by a set of
// H3 cells (Geometry nil) and the optional, unique inventory code.
var resourceCases = []testCase{
	{"resource/cells-crud", testResourceCellsCRUD},
	{"resource/cells-filter", testResourceCellsFilter},
	{"resource/code", testResourceCode},
	{"resource/cells-invalid", testResourceCellsInvalid},
	{"resource/stamp", testResourceStamp},
}

// CellsAround returns the cell at resolution res holding p and its ring of
// k neighbours (1 + 3k(k+1) cells, centre first).
func CellsAround(p orb.Point, res, k int) []h3.Cell {
	return h3.GridDisk(h3.LatLngToCell(geo.ToLatLng(p), res), k)
}

// NewCellResource returns a valid resource covering cells.
func NewCellResource(name string, cells []h3.Cell) *territory.Resource {
	return &territory.Resource{Name: name, Kind: "building_access", Status: territory.ResourcePlanned, Cells: cells}
}

func testResourceCellsCRUD(t *testing.T, s data.Store) {
	ctx := t.Context()
	due := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
	// Mixed resolutions, in an order that is not sorted: the store keeps
	// the cells exactly as given.
	c9 := CellsAround(Hangzhou, 9, 1)
	cells := append([]h3.Cell{c9[0].Parent(7), h3.LatLngToCell(geo.ToLatLng(Hangzhou), geo.CustomerCellRes)}, c9...)
	slices.Reverse(cells)
	r := NewCellResource("文三路楼宇接入", cells)
	r.Code, r.ExpectedDate, r.Capacity = "HZ-BA-0001", &due, 480
	Must(t, s.CreateResource(ctx, r), "create cell resource")
	if r.ID <= 0 {
		t.Fatalf("CreateResource left ID = %d", r.ID)
	}
	got, err := s.Resource(ctx, r.ID)
	Must(t, err, "read cell resource")
	sameResource(t, got, r)
	if got.Geometry != nil {
		t.Errorf("cell resource came back with geometry %v", got.Geometry)
	}

	// A big cell set (a district at resolution 9 is thousands of cells).
	big := NewCellResource("big", CellsAround(orb.Point{120.30, 30.30}, 10, 40)) // 4,921 cells
	Must(t, s.CreateResource(ctx, big), "create big cell resource")
	got, err = s.Resource(ctx, big.ID)
	Must(t, err, "read big cell resource")
	if !slices.Equal(got.Cells, big.Cells) {
		t.Errorf("big cell resource: %d cells back, want the %d written", len(got.Cells), len(big.Cells))
	}

	// Cells → point → polygon → cells: each shape replaces the other.
	point := *r
	point.Cells, point.Geometry, point.RadiusM = nil, orb.Point{120.1512345678, 30.2798765432}, 420.5
	Must(t, s.UpdateResource(ctx, &point), "update cells to point")
	got, err = s.Resource(ctx, r.ID)
	Must(t, err, "read point")
	sameResource(t, got, &point)
	if got.Cells != nil {
		t.Errorf("point resource came back with %d cells", len(got.Cells))
	}
	poly := point
	poly.Geometry, poly.RadiusM = SquareWithHole(Hangzhou, 0.01), 0
	Must(t, s.UpdateResource(ctx, &poly), "update point to polygon")
	got, err = s.Resource(ctx, r.ID)
	Must(t, err, "read polygon")
	sameResource(t, got, &poly)
	back := poly
	back.Geometry, back.Cells, back.Code = nil, c9[:3], ""
	Must(t, s.UpdateResource(ctx, &back), "update polygon to cells, code cleared")
	got, err = s.Resource(ctx, r.ID)
	Must(t, err, "read cells again")
	sameResource(t, got, &back)

	// Lists carry cells too.
	all, err := s.Resources(ctx, territory.ResourceFilter{})
	Must(t, err, "list resources")
	if len(all) != 2 {
		t.Fatalf("listed %d resources, want 2", len(all))
	}
	sameResource(t, all[0], &back)
	sameResource(t, all[1], big)

	Must(t, s.DeleteResource(ctx, r.ID), "delete cell resource")
	_, err = s.Resource(ctx, r.ID)
	WantNotFound(t, err)
}

// testResourceCellsFilter checks the Bound filter against a cell resource's
// coverage: the union of its cells' boundaries, not their centres.
func testResourceCellsFilter(t *testing.T, s data.Store) {
	ctx := t.Context()
	west := NewCellResource("west", CellsAround(orb.Point{120.10, 30.27}, 8, 1))
	east := NewCellResource("east", CellsAround(orb.Point{120.40, 30.27}, 9, 0))
	east.Status = territory.ResourceExisting
	point := NewResource("cabinet", orb.Point{120.25, 30.27}, 300)
	for _, r := range []*territory.Resource{west, east, point} {
		Must(t, s.CreateResource(ctx, r), "create "+r.Name)
	}
	wb, eb := west.CoverageBound(), east.CoverageBound()
	bp := func(b orb.Bound) *orb.Bound { return &b }
	// Just inside the east edge of west's box and just outside it.
	edge := eb.Max[0]
	tests := []struct {
		name string
		f    territory.ResourceFilter
		want []int64
	}{
		{"all", territory.ResourceFilter{}, []int64{west.ID, east.ID, point.ID}},
		{"west box", territory.ResourceFilter{Bound: bp(wb)}, []int64{west.ID}},
		{"inside west box near its corner", territory.ResourceFilter{Bound: bp(orb.Bound{Min: wb.Min, Max: orb.Point{wb.Min[0] + 1e-4, wb.Min[1] + 1e-4}})}, []int64{west.ID}},
		{"touching east edge", territory.ResourceFilter{Bound: bp(orb.Bound{Min: orb.Point{edge, 30.0}, Max: orb.Point{edge + 0.1, 30.5}})}, []int64{east.ID}},
		{"just east of east", territory.ResourceFilter{Bound: bp(orb.Bound{Min: orb.Point{edge + 1e-6, 30.0}, Max: orb.Point{edge + 0.1, 30.5}})}, []int64{}},
		{"everything", territory.ResourceFilter{Bound: bp(orb.Bound{Min: orb.Point{120, 30}, Max: orb.Point{121, 31}})}, []int64{west.ID, east.ID, point.ID}},
		{"box and status", territory.ResourceFilter{Bound: bp(orb.Bound{Min: orb.Point{120, 30}, Max: orb.Point{121, 31}}), Status: territory.ResourceExisting}, []int64{east.ID, point.ID}},
		{"kind", territory.ResourceFilter{Kind: "building_access"}, []int64{west.ID, east.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Resources(ctx, tt.f)
			Must(t, err, "list resources")
			if g := ids(got, func(r *territory.Resource) int64 { return r.ID }); !slices.Equal(g, tt.want) {
				t.Errorf("ids %v, want %v", g, tt.want)
			}
		})
	}
}

// testResourceCode checks the inventory code: unique when set, any number
// of resources without one, a clash refused as a conflict naming the code.
func testResourceCode(t *testing.T, s data.Store) {
	ctx := t.Context()
	a := NewResource("a", Hangzhou, 100)
	a.Code = "HZ-CAB-0001"
	Must(t, s.CreateResource(ctx, a), "create coded resource")
	for _, name := range []string{"b", "c"} {
		Must(t, s.CreateResource(ctx, NewResource(name, Hangzhou, 100)), "create uncoded resource "+name)
	}
	dup := NewCellResource("dup", CellsAround(Hangzhou, 9, 0))
	dup.Code = a.Code
	WantConflict(t, s.CreateResource(ctx, dup), "HZ-CAB-0001")
	other := NewResource("d", Hangzhou, 100)
	other.Code = "HZ-CAB-0002"
	Must(t, s.CreateResource(ctx, other), "create second coded resource")
	other.Code = a.Code
	WantConflict(t, s.UpdateResource(ctx, other), "HZ-CAB-0001")
	got, err := s.Resource(ctx, other.ID)
	Must(t, err, "read after refused update")
	if got.Code != "HZ-CAB-0002" {
		t.Errorf("refused update left code %q", got.Code)
	}
	// Codes are compared exactly (case matters).
	lower := NewResource("e", Hangzhou, 100)
	lower.Code = strings.ToLower(a.Code)
	Must(t, s.CreateResource(ctx, lower), "create resource whose code differs in case")
	rs, err := s.Resources(ctx, territory.ResourceFilter{})
	Must(t, err, "list resources")
	if len(rs) != 5 {
		t.Errorf("%d resources stored, want 5", len(rs))
	}
}

// testResourceCellsInvalid checks that bad cell sets are refused naming the
// field and that nothing is written.
func testResourceCellsInvalid(t *testing.T, s data.Store) {
	ctx := t.Context()
	ok := CellsAround(Hangzhou, 9, 0)
	stored := NewCellResource("stored", ok)
	Must(t, s.CreateResource(ctx, stored), "create resource")
	tooMany := make([]h3.Cell, territory.MaxResourceCells+1)
	for i := range tooMany {
		tooMany[i] = ok[0]
	}
	tests := []struct {
		name  string
		r     func() *territory.Resource
		field string
	}{
		{"cells and geometry", func() *territory.Resource {
			r := NewCellResource("x", ok)
			r.Geometry, r.RadiusM = Hangzhou, 100
			return r
		}, "geometry"},
		{"cells with radius", func() *territory.Resource { r := NewCellResource("x", ok); r.RadiusM = 100; return r }, "radius_m"},
		{"not a cell", func() *territory.Resource { return NewCellResource("x", []h3.Cell{ok[0], 12345}) }, "cells"},
		{"too coarse", func() *territory.Resource { return NewCellResource("x", []h3.Cell{ok[0].Parent(4)}) }, "cells"},
		{"too fine", func() *territory.Resource {
			return NewCellResource("x", []h3.Cell{h3.LatLngToCell(geo.ToLatLng(Hangzhou), 13)})
		}, "cells"},
		{"too many", func() *territory.Resource { return NewCellResource("x", tooMany) }, "cells"},
		{"no name", func() *territory.Resource { r := NewCellResource("", ok); return r }, "name"},
		{"bad code", func() *territory.Resource { r := NewCellResource("x", ok); r.Code = " "; return r }, "code"},
	}
	for _, tt := range tests {
		t.Run("create "+tt.name, func(t *testing.T) {
			WantField(t, s.CreateResource(ctx, tt.r()), tt.field)
		})
		t.Run("update "+tt.name, func(t *testing.T) {
			r := tt.r()
			r.ID = stored.ID
			WantField(t, s.UpdateResource(ctx, r), tt.field)
		})
	}
	rs, err := s.Resources(ctx, territory.ResourceFilter{})
	Must(t, err, "list resources")
	if len(rs) != 1 {
		t.Fatalf("invalid writes left %d resources, want 1", len(rs))
	}
	sameResource(t, rs[0], stored)
}

// resourceStamper is the optional store method behind the coverage
// analysis's freshness check (both stores have it; data.Store does not
// require it).
type resourceStamper interface {
	ResourceStamp(ctx context.Context) (string, error)
}

// testResourceStamp changes resources one way after another and checks
// that every change moves ResourceStamp and that reading it twice gives the
// same.
func testResourceStamp(t *testing.T, s data.Store) {
	ctx := t.Context()
	rs, ok := s.(resourceStamper)
	if !ok {
		t.Fatalf("%T has no ResourceStamp method", s)
	}
	stamp := func() string {
		t.Helper()
		st, err := rs.ResourceStamp(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := rs.ResourceStamp(ctx); again != st {
			t.Fatalf("two reads differ: %s, %s", st, again)
		}
		return st
	}
	seen := map[string]string{}
	step := func(what string) {
		t.Helper()
		st := stamp()
		if prev, dup := seen[st]; dup {
			t.Errorf("%s: stamp %s, the same as after %s", what, st, prev)
		}
		seen[st] = what
	}
	step("empty")
	due := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	r := &territory.Resource{Name: "光交箱", Kind: "fibre_cabinet", Status: territory.ResourcePlanned, Geometry: orb.Point{120.1, 30.2}, RadiusM: 300, ExpectedDate: &due}
	if err := s.CreateResource(ctx, r); err != nil {
		t.Fatal(err)
	}
	step("create")
	other := &territory.Resource{Name: "OLT", Kind: "olt", Status: territory.ResourceExisting, Geometry: orb.Point{120.2, 30.2}, RadiusM: 800}
	if err := s.CreateResource(ctx, other); err != nil {
		t.Fatal(err)
	}
	step("create another")
	edits := []struct {
		what string
		mod  func(r *territory.Resource)
	}{
		{"status", func(r *territory.Resource) { r.Status = territory.ResourceUnderConstruction }},
		{"date", func(r *territory.Resource) { d := due.AddDate(0, 1, 0); r.ExpectedDate = &d }},
		{"radius", func(r *territory.Resource) { r.RadiusM = 301 }},
		{"move", func(r *territory.Resource) { r.Geometry = orb.Point{120.1001, 30.2} }},
		{"polygon", func(r *territory.Resource) {
			r.Geometry, r.RadiusM = orb.Polygon{{{120, 30}, {120.01, 30}, {120.01, 30.01}, {120, 30.01}, {120, 30}}}, 0
		}},
		{"cells", func(r *territory.Resource) {
			r.Geometry, r.Cells = nil, []h3.Cell{geo.Cell(orb.Point{120.1, 30.2}, 9)}
		}},
		{"more cells", func(r *territory.Resource) { r.Cells = append(r.Cells, geo.Cell(orb.Point{120.11, 30.2}, 9)) }},
	}
	for _, e := range edits {
		e.mod(r)
		if err := s.UpdateResource(ctx, r); err != nil {
			t.Fatalf("%s: %v", e.what, err)
		}
		step(e.what)
	}
	if err := s.DeleteResource(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	step("delete")
}
