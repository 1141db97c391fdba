package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

var filterCases = []testCase{
	{"customer/filter", testCustomerFilter},
	{"customer/bbox", testCustomerBBox},
	{"customer/keyset-pagination", testCustomerPaging},
	{"grid/filter", testGridFilter},
	{"manager/filter-and-paging", testManagerFilter},
	{"resource/filter", testResourceFilter},
	{"claim/filter-and-paging", testClaimFilter},
	{"activity/filter-and-paging", testActivityFilter},
}

func testCustomerFilter(t *testing.T, s data.Store) {
	ctx := t.Context()
	f1, f2 := Seed(t, s, "01"), Seed(t, s, "02")
	in1 := MustCustomers(t, s, "a", f1.Grid.ID, 6)
	in2 := MustCustomers(t, s, "b", f2.Grid.ID, 4)
	loose := MustCustomers(t, s, "c", 0, 3)
	// Two of grid 1's customers are on manager 1's list, one on manager 2's.
	for i, c := range []*territory.Customer{in1[1], in1[4], in2[0]} {
		c.OwnerID, c.Stage = f1.Manager.ID, funnel.List
		if i == 2 {
			c.OwnerID, c.Stage = f2.Manager.ID, funnel.Intent
		}
		Must(t, s.UpdateCustomer(ctx, c), "assign owner")
	}

	tests := []struct {
		name string
		f    territory.CustomerFilter
		want []*territory.Customer
	}{
		{"all", territory.CustomerFilter{}, slices.Concat(in1, in2, loose)},
		{"grid 1", territory.CustomerFilter{GridID: f1.Grid.ID}, in1},
		{"grid 2", territory.CustomerFilter{GridID: f2.Grid.ID}, in2},
		{"owner 1", territory.CustomerFilter{OwnerID: f1.Manager.ID}, []*territory.Customer{in1[1], in1[4]}},
		{"stage list", territory.CustomerFilter{Stage: funnel.List}, []*territory.Customer{in1[1], in1[4]}},
		{"stage intent", territory.CustomerFilter{Stage: funnel.Intent}, []*territory.Customer{in2[0]}},
		{"stage target", territory.CustomerFilter{Stage: funnel.Target}, slices.Concat(in1[:1], in1[2:4], in1[5:], in2[1:], loose)},
		{"grid 2 and owner 1", territory.CustomerFilter{GridID: f2.Grid.ID, OwnerID: f1.Manager.ID}, nil},
		{"grid 1 and stage list", territory.CustomerFilter{GridID: f1.Grid.ID, Stage: funnel.List}, []*territory.Customer{in1[1], in1[4]}},
		{"unknown grid", territory.CustomerFilter{GridID: f2.Grid.ID + 1000}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Customers(ctx, tt.f)
			Must(t, err, "list customers")
			sameValue(t, "customer ids", customerIDs(got), nonNil(customerIDs(tt.want)))
			if n := count(t, s, tt.f); n != len(tt.want) {
				t.Errorf("CountCustomers = %d, want %d", n, len(tt.want))
			}
			for i := range got {
				if i < len(tt.want) && got[i].ID == tt.want[i].ID {
					sameCustomer(t, got[i], tt.want[i])
				}
			}
		})
	}
}

func nonNil(xs []int64) []int64 {
	if len(xs) == 0 {
		return []int64{}
	}
	return xs
}

func testCustomerBBox(t *testing.T, s data.Store) {
	ctx := t.Context()
	// A 5×5 lattice, 0.01° apart, south-west corner at (120.10, 30.20).
	var all []*territory.Customer
	for i := range 25 {
		c := NewCustomer(fmt.Sprintf("bb-%d", i), 0, orb.Point{120.10 + float64(i%5)*0.01, 30.20 + float64(i/5)*0.01})
		Must(t, s.CreateCustomer(ctx, c), "create customer")
		all = append(all, c)
	}
	at := func(x, y int) int64 { return all[y*5+x].ID }
	tests := []struct {
		name  string
		bound orb.Bound
		want  []int64
	}{
		{"everything", orb.Bound{Min: orb.Point{120, 30}, Max: orb.Point{121, 31}}, customerIDs(all)},
		{"one point", orb.Bound{Min: orb.Point{120.115, 30.205}, Max: orb.Point{120.125, 30.215}}, []int64{at(2, 1)}},
		{"2x2 block", orb.Bound{Min: orb.Point{120.125, 30.225}, Max: orb.Point{120.145, 30.245}}, []int64{at(3, 3), at(4, 3), at(3, 4), at(4, 4)}},
		{"column", orb.Bound{Min: orb.Point{120.095, 30.0}, Max: orb.Point{120.105, 31}}, []int64{at(0, 0), at(0, 1), at(0, 2), at(0, 3), at(0, 4)}},
		{"nothing", orb.Bound{Min: orb.Point{121, 31}, Max: orb.Point{122, 32}}, []int64{}},
		{"between points", orb.Bound{Min: orb.Point{120.101, 30.201}, Max: orb.Point{120.109, 30.209}}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.bound
			got, err := s.Customers(ctx, territory.CustomerFilter{Bound: &b})
			Must(t, err, "list customers in bound")
			sameValue(t, "customer ids", customerIDs(got), tt.want)
			if n := count(t, s, territory.CustomerFilter{Bound: &b}); n != len(tt.want) {
				t.Errorf("CountCustomers = %d, want %d", n, len(tt.want))
			}
		})
	}
}

func testCustomerPaging(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	cs := MustCustomers(t, s, "p", f.Grid.ID, 23)
	MustCustomers(t, s, "q", 0, 5)
	want := customerIDs(cs)
	increasing(t, "created ids", want)
	for _, limit := range []int{1, 5, 7, 23, 100} {
		t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
			var got []int64
			after := int64(0)
			for pages := 0; ; pages++ {
				if pages > 30 {
					t.Fatal("paging does not end")
				}
				f := territory.CustomerFilter{GridID: f.Grid.ID, AfterID: after, Limit: limit}
				page, err := s.Customers(ctx, f)
				Must(t, err, "page customers")
				if len(page) > limit {
					t.Fatalf("page of %d rows with limit %d", len(page), limit)
				}
				if n := count(t, s, f); n != len(cs) {
					t.Fatalf("CountCustomers with paging = %d, want %d (paging must be ignored)", n, len(cs))
				}
				if len(page) == 0 {
					break
				}
				got = append(got, customerIDs(page)...)
				after = page[len(page)-1].ID
			}
			sameValue(t, "walked ids", got, want)
		})
	}
	// A page from the middle.
	page, err := s.Customers(ctx, territory.CustomerFilter{AfterID: cs[9].ID, Limit: 3})
	Must(t, err, "middle page")
	sameValue(t, "middle page", customerIDs(page), want[10:13])
}

func testGridFilter(t *testing.T, s data.Store) {
	ctx := t.Context()
	d1, d2 := NewDistrict("330106"), NewDistrict("330105")
	Must(t, s.CreateDistrict(ctx, d1), "create district")
	Must(t, s.CreateDistrict(ctx, d2), "create district")
	var gs []*territory.Grid
	for i, spec := range []struct {
		d      int64
		status territory.GridStatus
	}{{d1.ID, territory.GridDraft}, {d1.ID, territory.GridPublished}, {d2.ID, territory.GridPublished}, {d1.ID, territory.GridPublished}} {
		g := NewGrid(spec.d, fmt.Sprintf("G-%d", i))
		g.Status = spec.status
		Must(t, s.CreateGrid(ctx, g), "create grid")
		gs = append(gs, g)
	}
	gid := func(g *territory.Grid) int64 { return g.ID }
	tests := []struct {
		name string
		f    territory.GridFilter
		want []int64
	}{
		{"all", territory.GridFilter{}, ids(gs, gid)},
		{"district 1", territory.GridFilter{DistrictID: d1.ID}, []int64{gs[0].ID, gs[1].ID, gs[3].ID}},
		{"published", territory.GridFilter{Status: territory.GridPublished}, []int64{gs[1].ID, gs[2].ID, gs[3].ID}},
		{"district 1 draft", territory.GridFilter{DistrictID: d1.ID, Status: territory.GridDraft}, []int64{gs[0].ID}},
		{"district 2 draft", territory.GridFilter{DistrictID: d2.ID, Status: territory.GridDraft}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Grids(ctx, tt.f)
			Must(t, err, "list grids")
			sameValue(t, "grid ids", nonNil(ids(got, gid)), tt.want)
			for _, g := range got {
				if g.ID == gs[1].ID {
					sameGrid(t, g, gs[1])
				}
			}
		})
	}
}

func testManagerFilter(t *testing.T, s data.Store) {
	ctx := t.Context()
	f1, f2 := Seed(t, s, "01"), Seed(t, s, "02")
	ms := []*territory.Manager{f1.Manager}
	for i := range 4 {
		m := NewManager(f1.Grid.ID, fmt.Sprintf("m1-%d", i))
		Must(t, s.CreateManager(ctx, m), "create manager")
		ms = append(ms, m)
	}
	mid := func(m *territory.Manager) int64 { return m.ID }
	got, err := s.Managers(ctx, territory.ManagerFilter{GridID: f1.Grid.ID})
	Must(t, err, "managers of grid 1")
	sameValue(t, "grid 1 managers", ids(got, mid), ids(ms, mid))
	got, err = s.Managers(ctx, territory.ManagerFilter{GridID: f2.Grid.ID})
	Must(t, err, "managers of grid 2")
	sameValue(t, "grid 2 managers", ids(got, mid), []int64{f2.Manager.ID})
	sameManager(t, got[0], f2.Manager)
	got, err = s.Managers(ctx, territory.ManagerFilter{})
	Must(t, err, "all managers")
	if len(got) != 6 {
		t.Errorf("got %d managers, want 6", len(got))
	}
	got, err = s.Managers(ctx, territory.ManagerFilter{GridID: f1.Grid.ID, AfterID: ms[1].ID, Limit: 2})
	Must(t, err, "page of managers")
	sameValue(t, "manager page", ids(got, mid), []int64{ms[2].ID, ms[3].ID})
}

func testResourceFilter(t *testing.T, s data.Store) {
	ctx := t.Context()
	cabinet := NewResource("cabinet", orb.Point{120.15, 30.27}, 300)
	olt := NewResource("olt", orb.Point{120.30, 30.40}, 2000)
	olt.Kind = "olt"
	planned := &territory.Resource{Name: "new estate", Kind: "fibre_cabinet", Status: territory.ResourcePlanned, Geometry: Square(orb.Point{120.20, 30.30}, 0.01)}
	// A 5 km site whose centre is 0.02° (~1.9 km) east of the probe box: its
	// coverage reaches into the box.
	site := NewResource("5g", orb.Point{120.52, 30.50}, 5000)
	site.Kind, site.Status = "5g_site", territory.ResourceUnderConstruction
	all := []*territory.Resource{cabinet, olt, planned, site}
	for _, r := range all {
		Must(t, s.CreateResource(ctx, r), "create resource")
	}
	rid := func(r *territory.Resource) int64 { return r.ID }
	box := func(x0, y0, x1, y1 float64) *orb.Bound {
		return &orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}
	}
	tests := []struct {
		name string
		f    territory.ResourceFilter
		want []int64
	}{
		{"all", territory.ResourceFilter{}, ids(all, rid)},
		{"existing", territory.ResourceFilter{Status: territory.ResourceExisting}, []int64{cabinet.ID, olt.ID}},
		{"planned", territory.ResourceFilter{Status: territory.ResourcePlanned}, []int64{planned.ID}},
		{"kind fibre cabinet", territory.ResourceFilter{Kind: "fibre_cabinet"}, []int64{cabinet.ID, planned.ID}},
		{"kind and status", territory.ResourceFilter{Kind: "fibre_cabinet", Status: territory.ResourceExisting}, []int64{cabinet.ID}},
		{"unknown kind", territory.ResourceFilter{Kind: "satellite"}, []int64{}},
		{"bbox around cabinet", territory.ResourceFilter{Bound: box(120.14, 30.26, 120.16, 30.28)}, []int64{cabinet.ID}},
		{"bbox touching polygon corner", territory.ResourceFilter{Bound: box(120.205, 30.305, 120.25, 30.35)}, []int64{planned.ID}},
		{"bbox inside polygon", territory.ResourceFilter{Bound: box(120.199, 30.299, 120.201, 30.301)}, []int64{planned.ID}},
		{"bbox reached by radius", territory.ResourceFilter{Bound: box(120.45, 30.45, 120.50, 30.55)}, []int64{site.ID}},
		{"bbox of nothing", territory.ResourceFilter{Bound: box(121, 31, 121.1, 31.1)}, []int64{}},
		{"bbox and status", territory.ResourceFilter{Bound: box(120, 30, 121, 31), Status: territory.ResourceUnderConstruction}, []int64{site.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Resources(ctx, tt.f)
			Must(t, err, "list resources")
			sameValue(t, "resource ids", nonNil(ids(got, rid)), tt.want)
		})
	}
}

func testClaimFilter(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	m2 := NewManager(f.Grid.ID, "m2")
	Must(t, s.CreateManager(ctx, m2), "create manager")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 6)
	var claims []*funnel.Claim
	end := Epoch.Add(time.Hour)
	for i, c := range cs {
		m := f.Manager.ID
		if i%2 == 1 {
			m = m2.ID
		}
		cl := NewClaim(c.ID, m)
		if i >= 4 {
			cl.Status, cl.EndedAt, cl.EndReason = funnel.ClaimLapsed, &end, "no activity for 30 days"
		}
		Must(t, s.CreateClaim(ctx, cl), "create claim")
		claims = append(claims, cl)
	}
	cid := func(c *funnel.Claim) int64 { return c.ID }
	tests := []struct {
		name string
		f    funnel.ClaimFilter
		want []int64
	}{
		{"all", funnel.ClaimFilter{}, ids(claims, cid)},
		{"customer 3", funnel.ClaimFilter{CustomerID: cs[3].ID}, []int64{claims[3].ID}},
		{"manager 2", funnel.ClaimFilter{ManagerID: m2.ID}, []int64{claims[1].ID, claims[3].ID, claims[5].ID}},
		{"active", funnel.ClaimFilter{Status: funnel.ClaimActive}, ids(claims[:4], cid)},
		{"lapsed of manager 1", funnel.ClaimFilter{ManagerID: f.Manager.ID, Status: funnel.ClaimLapsed}, []int64{claims[4].ID}},
		{"released", funnel.ClaimFilter{Status: funnel.ClaimReleased}, []int64{}},
		{"page", funnel.ClaimFilter{AfterID: claims[1].ID, Limit: 3}, ids(claims[2:5], cid)},
		{"page of manager 1", funnel.ClaimFilter{ManagerID: f.Manager.ID, AfterID: claims[0].ID, Limit: 1}, []int64{claims[2].ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Claims(ctx, tt.f)
			Must(t, err, "list claims")
			sameValue(t, "claim ids", nonNil(ids(got, cid)), tt.want)
			for _, g := range got {
				if g.ID == claims[4].ID {
					sameClaim(t, g, claims[4])
				}
			}
		})
	}
}

func testActivityFilter(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	m2 := NewManager(f.Grid.ID, "m2")
	Must(t, s.CreateManager(ctx, m2), "create manager")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 3)
	var as []*funnel.Activity
	// 12 activities, one per hour from Epoch, rotating customers; odd ones by m2.
	for i := range 12 {
		m := f.Manager.ID
		if i%2 == 1 {
			m = m2.ID
		}
		a := NewActivity(cs[i%3].ID, m, Epoch.Add(time.Duration(i)*time.Hour))
		Must(t, s.CreateActivity(ctx, a), "create activity")
		as = append(as, a)
	}
	aid := func(a *funnel.Activity) int64 { return a.ID }
	pick := func(idx ...int) []int64 {
		out := []int64{}
		for _, i := range idx {
			out = append(out, as[i].ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    funnel.ActivityFilter
		want []int64
	}{
		{"all", funnel.ActivityFilter{}, ids(as, aid)},
		{"customer 0", funnel.ActivityFilter{CustomerID: cs[0].ID}, pick(0, 3, 6, 9)},
		{"manager 2", funnel.ActivityFilter{ManagerID: m2.ID}, pick(1, 3, 5, 7, 9, 11)},
		{"customer and manager", funnel.ActivityFilter{CustomerID: cs[0].ID, ManagerID: m2.ID}, pick(3, 9)},
		{"since is inclusive", funnel.ActivityFilter{Since: Epoch.Add(9 * time.Hour)}, pick(9, 10, 11)},
		{"until is exclusive", funnel.ActivityFilter{Until: Epoch.Add(2 * time.Hour)}, pick(0, 1)},
		{"range", funnel.ActivityFilter{Since: Epoch.Add(3 * time.Hour), Until: Epoch.Add(6 * time.Hour)}, pick(3, 4, 5)},
		{"range in another zone", funnel.ActivityFilter{Since: Epoch.Add(3 * time.Hour).In(time.FixedZone("CST", 8*3600)), Until: Epoch.Add(5*time.Hour + time.Microsecond)}, pick(3, 4, 5)},
		{"range by a microsecond", funnel.ActivityFilter{Since: Epoch.Add(3*time.Hour + time.Microsecond), Until: Epoch.Add(5 * time.Hour)}, pick(4)},
		{"empty range", funnel.ActivityFilter{Since: Epoch.Add(100 * time.Hour)}, []int64{}},
		{"page", funnel.ActivityFilter{AfterID: as[4].ID, Limit: 4}, pick(5, 6, 7, 8)},
		{"page of customer 1", funnel.ActivityFilter{CustomerID: cs[1].ID, AfterID: as[1].ID, Limit: 2}, pick(4, 7)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Activities(ctx, tt.f)
			Must(t, err, "list activities")
			sameValue(t, "activity ids", nonNil(ids(got, aid)), tt.want)
		})
	}
}
