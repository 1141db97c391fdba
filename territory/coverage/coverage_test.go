package coverage

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
)

func TestParentOfAndDescendants(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		p := orb.Point{center[0] + (rng.Float64()-0.5)*2, center[1] + (rng.Float64()-0.5)*2}
		c := geo.Cell(p, geo.CustomerCellRes)
		for res := 0; res <= geo.CustomerCellRes; res++ {
			want := c.Parent(res)
			if got := parentOf(uint64(c), res); got != uint64(want) {
				t.Fatalf("parentOf(%v, %d) = %x, want %v", c, res, got, want)
			}
			lo, hi := descendants(uint64(want))
			if uint64(c) < lo || uint64(c) > hi {
				t.Fatalf("cell %v outside its ancestor %v's range [%x, %x]", c, want, lo, hi)
			}
		}
	}
	// A cell's range holds exactly its resolution-12 descendants.
	c := geo.Cell(center, 10)
	lo, hi := descendants(uint64(c))
	kids := c.Children(12)
	slices.Sort(kids)
	if uint64(kids[0]) < lo || uint64(kids[len(kids)-1]) > hi {
		t.Errorf("children of %v outside [%x, %x]", c, lo, hi)
	}
	for _, n := range h3.GridDisk(c, 1)[1:] {
		for _, k := range n.Children(12) {
			if uint64(k) >= lo && uint64(k) <= hi {
				t.Fatalf("neighbour %v's child %v inside %v's range", n, k, c)
			}
		}
	}
}

// The quick disc test answers as DistanceM does, also within a hair of the
// circle, at every latitude and radius.
func TestDiscTestMatchesDistance(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		name    string
		lat     float64
		radiusM float64
	}{
		{"hangzhou 300 m", 30.27, 300},
		{"equator 1 km", 0.0001, 1000},
		{"harbin 5 km", 45.8, 5000},
		{"north 50 km", 70, 50000},
		{"south 50 km", -33.9, 50000},
		{"near pole", 84, 2000},
		{"tiny", 30, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := orb.Point{120.1, tt.lat}
			r := &territory.Resource{ID: 1, Name: "x", Kind: "k", Status: territory.ResourceExisting, Geometry: c, RadiusM: tt.radiusM}
			rc := newReach(r)
			quick := 0
			for i := range 20000 {
				a := rng.Float64() * 2 * math.Pi
				// Around the circle: ±1e-9 relative of the radius, and spread.
				f := 1 + (rng.Float64()-0.5)*2e-9
				if i%2 == 0 {
					f = rng.Float64() * 1.6
				}
				p := geo.Offset(c, f*tt.radiusM*math.Cos(a), f*tt.radiusM*math.Sin(a))
				want := geo.DistanceM(c, p) <= tt.radiusM
				if got := rc.covers(p, 0); got != want {
					t.Fatalf("point %v (distance %.9f m): covers %t, DistanceM says %t", p, geo.DistanceM(c, p), got, want)
				}
				if want && !rc.bound.Contains(p) {
					t.Fatalf("covered point %v outside the box %v", p, rc.bound)
				}
				if !rc.disc.exactOnly {
					quick++
				}
			}
			t.Logf("exact only: %t", rc.disc.exactOnly)
		})
	}
}

func TestPointIndexSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 5000
	lon, lat := make([]float64, n), make([]float64, n)
	for i := range n {
		lon[i], lat[i] = center[0]+rng.NormFloat64()*0.05, center[1]+rng.NormFloat64()*0.05
		if i%100 == 0 && i > 0 { // duplicates
			lon[i], lat[i] = lon[i-1], lat[i-1]
		}
	}
	for _, rowH := range []float64{0.0002, 0.003, 0.05, 10} {
		ix, perm := newPointIndex(lon, lat, rowH)
		for range 200 {
			x, y := center[0]+rng.NormFloat64()*0.08, center[1]+rng.NormFloat64()*0.08
			b := orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + rng.Float64()*0.03, y + rng.Float64()*0.03}}
			var got, want []int32
			ix.search(b, func(k int32) { got = append(got, perm[k]) })
			for i := range n {
				if b.Contains(orb.Point{lon[i], lat[i]}) {
					want = append(want, int32(i))
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("rowH %v, box %v: %d points, want %d", rowH, b, len(got), len(want))
			}
		}
		// A box exactly on a point's coordinates holds it (edges included).
		var hit bool
		ix.search(orb.Bound{Min: orb.Point{lon[7], lat[7]}, Max: orb.Point{lon[7], lat[7]}}, func(k int32) { hit = hit || perm[k] == 7 })
		if !hit {
			t.Errorf("rowH %v: degenerate box on point 7 misses it", rowH)
		}
	}
	empty, _ := newPointIndex(nil, nil, 0.001)
	empty.search(orb.Bound{Max: orb.Point{1, 1}}, func(int32) { t.Error("empty index found a point") })
}

// loc is a customer at p with the cell computed.
func loc(id int64, p orb.Point) territory.CustomerLocation {
	return territory.CustomerLocation{ID: id, Location: p, Cell: geo.Cell(p, geo.CustomerCellRes), Stage: funnel.Target, Carrier: territory.CarrierCompetitor}
}

func TestCoverageKinds(t *testing.T) {
	c := center
	east := func(m float64) orb.Point { return geo.Offset(c, m, 0) }
	poly := square(c, 0.005)
	holed := orb.Polygon{poly[0], {{c[0] - 0.001, c[1] - 0.001}, {c[0] - 0.001, c[1] + 0.001}, {c[0] + 0.001, c[1] + 0.001}, {c[0] + 0.001, c[1] - 0.001}, {c[0] - 0.001, c[1] - 0.001}}}
	cell9 := geo.Cell(c, 9)
	tests := []struct {
		name string
		res  *territory.Resource
		at   orb.Point
		want bool
	}{
		{"radius: inside", &territory.Resource{Geometry: c, RadiusM: 500}, east(499), true},
		{"radius: just inside (geodesic)", &territory.Resource{Geometry: c, RadiusM: 500}, east(499.999), true},
		{"radius: just outside", &territory.Resource{Geometry: c, RadiusM: 500}, east(500.01), false},
		{"radius: far", &territory.Resource{Geometry: c, RadiusM: 500}, east(5000), false},
		{"radius: the site itself", &territory.Resource{Geometry: c, RadiusM: 1}, c, true},
		{"polygon: inside", &territory.Resource{Geometry: poly}, east(100), true},
		{"polygon: on the edge", &territory.Resource{Geometry: poly}, orb.Point{c[0] + 0.005, c[1]}, true},
		{"polygon: on a corner", &territory.Resource{Geometry: poly}, orb.Point{c[0] + 0.005, c[1] + 0.005}, true},
		{"polygon: outside", &territory.Resource{Geometry: poly}, orb.Point{c[0] + 0.0051, c[1]}, false},
		{"polygon: in the hole", &territory.Resource{Geometry: holed}, c, false},
		{"polygon: between hole and edge", &territory.Resource{Geometry: holed}, orb.Point{c[0] + 0.003, c[1]}, true},
		{"cells: in the cell", &territory.Resource{Cells: []h3.Cell{cell9}}, c, true},
		{"cells: in a listed cell's child", &territory.Resource{Cells: []h3.Cell{cell9.Parent(7)}}, c, true},
		{"cells: outside", &territory.Resource{Cells: []h3.Cell{h3.GridDisk(cell9, 2)[len(h3.GridDisk(cell9, 2))-1]}}, c, false},
		{"cells: resolution 12 exactly", &territory.Resource{Cells: []h3.Cell{geo.Cell(c, 12)}}, c, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := *tt.res
			r.ID, r.Name, r.Kind, r.Status = 7, "r", "k", territory.ResourceExisting
			in := Input{Customers: []territory.CustomerLocation{loc(1, tt.at), loc(2, geo.Offset(c, 20000, 20000))}, Resources: []*territory.Resource{&r}}
			a := mustNew(t, in)
			cc, ok := a.Customer(day("2026-11-26"), 1)
			if !ok {
				t.Fatal("customer 1 unknown")
			}
			if got := cc.Status == Existing; got != tt.want {
				t.Errorf("covered %t, want %t (status %v)", got, tt.want, cc.Status)
			}
			if tt.want && !slices.Equal(cc.Covering, []int64{7}) {
				t.Errorf("covering %v, want [7]", cc.Covering)
			}
			if got := naiveCovers(&r, in.Customers[0]); got != tt.want {
				t.Errorf("the naive rule says %t: the test case is wrong", got)
			}
		})
	}
}

func TestEffectiveAsOf(t *testing.T) {
	tests := []struct {
		name   string
		status territory.ResourceStatus
		due    string
		asOf   string
		want   Status
	}{
		{"existing stays", territory.ResourceExisting, "", "2026-01-01", Existing},
		{"under construction before its date", territory.ResourceUnderConstruction, "2027-03-01", "2027-02-28", UnderConstruction},
		{"under construction on its date", territory.ResourceUnderConstruction, "2027-03-01", "2027-03-01", Existing},
		{"under construction after its date", territory.ResourceUnderConstruction, "2027-03-01", "2027-06-30", Existing},
		{"planned before", territory.ResourcePlanned, "2027-12-31", "2027-12-30", Planned},
		{"planned on the day", territory.ResourcePlanned, "2027-12-31", "2027-12-31", Existing},
		{"planned without a date never promotes", territory.ResourcePlanned, "", "2099-01-01", Planned},
		{"under construction without a date", territory.ResourceUnderConstruction, "", "2099-01-01", UnderConstruction},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &territory.Resource{Status: tt.status}
			if tt.due != "" {
				r.ExpectedDate = datePtr(tt.due)
			}
			if got := Effective(r, day(tt.asOf)); got != tt.want {
				t.Errorf("Effective = %v, want %v", got, tt.want)
			}
		})
	}
	// The date is the calendar day of the time given, in its own zone.
	cst := timeIn(t, "Asia/Shanghai", 2027, 3, 1, 0, 30) // 2027-02-28 16:30 UTC
	if got := DateOf(cst); got != day("2027-03-01") {
		t.Errorf("DateOf(%v) = %v, want 2027-03-01", cst, got)
	}
}

// A customer reached by resources of several statuses has the best one,
// with all resources of that status (ties) and none of the others; as the
// as-of date passes the planned one's date it joins the existing ones.
func TestBestStatusAndTies(t *testing.T) {
	c := center
	mk := func(id int64, st territory.ResourceStatus, due string) *territory.Resource {
		r := &territory.Resource{ID: id, Name: "r", Kind: "k", Status: st, Geometry: geo.Offset(c, float64(id)*10, 0), RadiusM: 300}
		if due != "" {
			r.ExpectedDate = datePtr(due)
		}
		return r
	}
	in := Input{
		Customers: []territory.CustomerLocation{loc(1, c)},
		Resources: []*territory.Resource{
			mk(5, territory.ResourcePlanned, "2027-06-30"), mk(3, territory.ResourceExisting, ""),
			mk(4, territory.ResourceUnderConstruction, "2027-01-31"), mk(2, territory.ResourceExisting, ""),
		},
	}
	a := mustNew(t, in)
	tests := []struct {
		asOf     string
		covering []int64
	}{
		{"2026-11-26", []int64{2, 3}},
		{"2027-01-31", []int64{2, 3, 4}},
		{"2027-07-01", []int64{2, 3, 4, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.asOf, func(t *testing.T) {
			cc, _ := a.Customer(day(tt.asOf), 1)
			if cc.Status != Existing || !slices.Equal(cc.Covering, tt.covering) {
				t.Errorf("%v %v, want existing %v", cc.Status, cc.Covering, tt.covering)
			}
		})
	}
	// Without the existing ones, under construction wins over planned.
	a.Remove(2)
	a.Remove(3)
	cc, _ := a.Customer(day("2026-11-26"), 1)
	if cc.Status != UnderConstruction || !slices.Equal(cc.Covering, []int64{4}) {
		t.Errorf("after removing the existing: %v %v, want under_construction [4]", cc.Status, cc.Covering)
	}
}

// The analyzer agrees with the naive pairwise rule on random worlds, at
// several dates.
func TestMatchesNaive(t *testing.T) {
	for seed := range uint64(3) {
		w := genWorld(t, seed, 3000, 120)
		a := mustNew(t, w.in)
		for _, d := range []string{"2026-11-26", "2027-03-31", "2028-01-01"} {
			diffCoverage(t, d, allCoverage(t, a, day(d)), naive(w.in, day(d)))
		}
	}
}

// Reports add up: rows and Outside make Total at every level; grid rows
// sum to their district's row plus its grid-less customers; the cube's
// marginals agree; the counts agree with the naive statuses.
func TestReportsAddUp(t *testing.T) {
	w := genWorld(t, 11, 4000, 150)
	a := mustNew(t, w.in)
	d := day("2027-03-31")
	want := naive(w.in, d)
	var byStatus [NumStatuses]int
	attack := 0
	for _, l := range w.in.Customers {
		st := want[l.ID].Status
		byStatus[st]++
		if st == Existing && l.Carrier == territory.CarrierCompetitor {
			attack++
		}
	}
	for _, lv := range Levels {
		t.Run(string(lv), func(t *testing.T) {
			s, err := a.Summary(d, lv, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Total.Cube.ByStatus(); got != byStatus {
				t.Errorf("total by status %v, want %v", got, byStatus)
			}
			if got := s.Total.Cube.Attack(); got != attack {
				t.Errorf("total attack %d, want %d", got, attack)
			}
			sum := s.Outside
			for _, r := range s.Rows {
				sum.Add(&r.Cube)
			}
			if sum != s.Total.Cube {
				t.Errorf("rows + outside ≠ total")
			}
			if s.Total.Cube.Customers() != len(w.in.Customers) {
				t.Errorf("total %d customers, want %d", s.Total.Cube.Customers(), len(w.in.Customers))
			}
			for _, o := range s.Outside.ByStatus() {
				if o < 0 {
					t.Errorf("negative outside count %v", s.Outside.ByStatus())
				}
			}
			wantRows := map[Level]int{LevelProvince: 1, LevelDistrict: 2, LevelGrid: 10}[lv]
			if len(s.Rows) != wantRows {
				t.Errorf("%d rows, want %d", len(s.Rows), wantRows)
			}
			// Marginals: by stage and by carrier sum to by status.
			var fromStage, fromCarrier [NumStatuses]int
			for _, x := range s.Total.Cube.ByStage() {
				for st, n := range x {
					fromStage[st] += n
				}
			}
			for _, x := range s.Total.Cube.ByCarrier() {
				for st, n := range x {
					fromCarrier[st] += n
				}
			}
			funnelSum := 0
			for _, n := range s.Total.Cube.Funnel() {
				funnelSum += n
			}
			if fromStage != byStatus || fromCarrier != byStatus || funnelSum != len(w.in.Customers) {
				t.Errorf("marginals disagree: stage %v carrier %v funnel %d, status %v", fromStage, fromCarrier, funnelSum, byStatus)
			}
		})
	}
	// Each district: its grids plus its grid-less customers.
	for _, dist := range w.in.Districts {
		s, err := a.Summary(d, LevelGrid, dist.ID)
		if err != nil {
			t.Fatal(err)
		}
		ds, _ := a.Summary(d, LevelDistrict, dist.ID)
		if len(ds.Rows) != 1 || ds.Rows[0].Cube != s.Total.Cube || ds.Rows[0].ID != dist.ID {
			t.Errorf("district %d: its row differs from the grid report's total", dist.ID)
		}
		var n int
		for _, l := range w.in.Customers {
			if planarIn(dist.Boundary, l.Location) {
				n++
			}
		}
		if got := s.Total.Cube.Customers(); got != n {
			t.Errorf("district %d: %d customers, want %d (inside its boundary)", dist.ID, got, n)
		}
		for _, r := range s.Rows {
			if r.DistrictID != dist.ID {
				t.Errorf("grid %s in the report of district %d has district %d", r.Code, dist.ID, r.DistrictID)
			}
		}
	}
	if _, err := a.Summary(d, LevelGrid, 999); !errors.Is(err, territory.ErrNotFound) {
		t.Errorf("unknown district: %v", err)
	}
	if _, err := a.Summary(d, "city", 0); !errors.Is(err, territory.ErrInvalid) {
		t.Errorf("unknown level: %v", err)
	}
}

func planarIn(mp orb.MultiPolygon, p orb.Point) bool {
	for _, poly := range mp {
		if b := poly.Bound(); b.Contains(p) {
			return true // the test districts are rectangles
		}
	}
	return false
}

func TestCustomersQuery(t *testing.T) {
	w := genWorld(t, 21, 2000, 80)
	a := mustNew(t, w.in)
	d := day("2026-11-26")
	want := naive(w.in, d)
	carrierOf := map[int64]territory.Carrier{}
	for _, l := range w.in.Customers {
		carrierOf[l.ID] = l.Carrier
	}
	tests := []struct {
		name string
		q    CustomerQuery
		keep func(id int64) bool
	}{
		{"attack list", CustomerQuery{Statuses: []Status{Existing}, Carrier: territory.CarrierCompetitor},
			func(id int64) bool {
				return want[id].Status == Existing && carrierOf[id] == territory.CarrierCompetitor
			}},
		{"build list", CustomerQuery{Statuses: []Status{None}}, func(id int64) bool { return want[id].Status == None }},
		{"not yet existing", CustomerQuery{Statuses: []Status{UnderConstruction, Planned}},
			func(id int64) bool { return want[id].Status == UnderConstruction || want[id].Status == Planned }},
		{"everyone", CustomerQuery{}, func(int64) bool { return true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wantIDs []int64
			for _, l := range w.in.Customers {
				if tt.keep(l.ID) {
					wantIDs = append(wantIDs, l.ID)
				}
			}
			slices.Sort(wantIDs)
			var got []int64
			q := tt.q
			q.Limit = 37
			for pages := 0; ; pages++ {
				p, err := a.Customers(d, q)
				if err != nil {
					t.Fatal(err)
				}
				if p.Total != len(wantIDs) {
					t.Fatalf("total %d, want %d", p.Total, len(wantIDs))
				}
				for _, c := range p.Items {
					got = append(got, c.ID)
					if w := want[c.ID]; c.Status != w.Status || !slices.Equal(c.Covering, w.Covering) {
						t.Errorf("customer %d: %v %v, want %v %v", c.ID, c.Status, c.Covering, w.Status, w.Covering)
					}
				}
				if !p.More {
					break
				}
				q.AfterID = p.Items[len(p.Items)-1].ID
			}
			if !slices.Equal(got, wantIDs) {
				t.Errorf("paged through %d ids, want %d", len(got), len(wantIDs))
			}
		})
	}
	// Scope by grid.
	g := w.in.Grids[0]
	p, err := a.Customers(d, CustomerQuery{Scope: Scope{GridID: g.ID}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range w.in.Customers {
		if l.GridID == g.ID {
			n++
		}
	}
	if p.Total != n || n == 0 {
		t.Errorf("grid %d: %d customers, want %d", g.ID, p.Total, n)
	}
	for _, bad := range []CustomerQuery{{Carrier: "mobile"}, {Scope: Scope{GridID: 1}}, {Scope: Scope{DistrictID: 1}}} {
		if _, err := a.Customers(d, bad); err == nil {
			t.Errorf("query %+v: no error", bad)
		}
	}
}

func TestNewRejects(t *testing.T) {
	good := loc(1, center)
	r := func(mod func(*territory.Resource)) *territory.Resource {
		x := &territory.Resource{ID: 1, Name: "r", Kind: "k", Status: territory.ResourceExisting, Geometry: center, RadiusM: 100}
		mod(x)
		return x
	}
	tests := []struct {
		name  string
		in    Input
		field string // the FieldError's field, "" for a plain error
		says  string
	}{
		{"customer twice", Input{Customers: []territory.CustomerLocation{good, good}}, "", "customer 1: listed twice"},
		{"bad location", Input{Customers: []territory.CustomerLocation{{ID: 9, Location: orb.Point{200, 0}}}}, "", "customer 9: location"},
		{"resource radius", Input{Resources: []*territory.Resource{r(func(x *territory.Resource) { x.RadiusM = 60000 })}}, "radius_m", "resource 1"},
		{"resource status", Input{Resources: []*territory.Resource{r(func(x *territory.Resource) { x.Status = "built" })}}, "status", "resource 1"},
		{"resource without id", Input{Resources: []*territory.Resource{r(func(x *territory.Resource) { x.ID = 0 })}}, "id", ""},
		{"resource twice", Input{Resources: []*territory.Resource{r(func(*territory.Resource) {}), r(func(*territory.Resource) {})}}, "", "resource 1: listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), tt.in, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			var fe *territory.FieldError
			if tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field) {
				t.Errorf("error %v: want a FieldError on %s", err, tt.field)
			}
			if tt.says != "" && !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
		})
	}
	// Put refuses the same way and changes nothing.
	a := mustNew(t, Input{Customers: []territory.CustomerLocation{good}})
	if _, err := a.Put(r(func(x *territory.Resource) { x.RadiusM = -1 })); !errors.Is(err, territory.ErrInvalid) {
		t.Errorf("put of a negative radius: %v", err)
	}
	if a.Resources() != 0 {
		t.Errorf("%d resources after a refused put", a.Resources())
	}
}

// Two analyzers of the same data given in different orders answer alike.
func TestDeterministic(t *testing.T) {
	w := genWorld(t, 31, 3000, 100)
	a := mustNew(t, w.in)
	shuffled := w.in
	shuffled.Customers = slices.Clone(w.in.Customers)
	shuffled.Resources = slices.Clone(w.in.Resources)
	rng := rand.New(rand.NewPCG(9, 9))
	rng.Shuffle(len(shuffled.Customers), func(i, j int) {
		shuffled.Customers[i], shuffled.Customers[j] = shuffled.Customers[j], shuffled.Customers[i]
	})
	rng.Shuffle(len(shuffled.Resources), func(i, j int) {
		shuffled.Resources[i], shuffled.Resources[j] = shuffled.Resources[j], shuffled.Resources[i]
	})
	b, err := New(context.Background(), shuffled, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	d := day("2026-11-26")
	for _, lv := range Levels {
		sa, _ := a.Summary(d, lv, 0)
		sb, _ := b.Summary(d, lv, 0)
		if !slices.EqualFunc(sa.Rows, sb.Rows, func(x, y Row) bool { return x == y }) || sa.Total != sb.Total {
			t.Errorf("%s summaries differ", lv)
		}
	}
	ga, _ := a.Gaps(d, 9, Scope{}, DefaultWeights())
	gb, _ := b.Gaps(d, 9, Scope{}, DefaultWeights())
	if !slices.Equal(ga, gb) {
		t.Error("gap maps differ")
	}
	o := SuggestOptions{K: 5, RadiusM: 400, Weights: DefaultWeights()}
	xa, err := a.Suggest(context.Background(), d, o)
	if err != nil {
		t.Fatal(err)
	}
	xb, _ := b.Suggest(context.Background(), d, o)
	if len(xa.Sites) != len(xb.Sites) {
		t.Fatalf("%d and %d sites", len(xa.Sites), len(xb.Sites))
	}
	for i := range xa.Sites {
		if xa.Sites[i].Cell != xb.Sites[i].Cell || xa.Sites[i].Weight != xb.Sites[i].Weight || !slices.Equal(xa.Sites[i].Customers, xb.Sites[i].Customers) {
			t.Errorf("site %d differs: %v %v", i+1, xa.Sites[i].Cell, xb.Sites[i].Cell)
		}
	}
}

func TestPlanningView(t *testing.T) {
	w := genWorld(t, 41, 2000, 80)
	a := mustNew(t, w.in)
	d := day("2026-11-26")
	want := naive(w.in, d)
	pv := a.Planning(d)
	counts := map[int64]*territory.CoverageCounts{}
	for _, l := range w.in.Customers {
		st := want[l.ID].Status
		if got := pv.CustomerCoverage(l.ID); got != st.ResourceStatus() {
			t.Fatalf("customer %d: %q, want %q", l.ID, got, st.ResourceStatus())
		}
		if counts[l.GridID] == nil {
			counts[l.GridID] = &territory.CoverageCounts{}
		}
		c := counts[l.GridID]
		switch st {
		case Existing:
			c.Existing++
		case UnderConstruction:
			c.UnderConstruction++
		case Planned:
			c.Planned++
		default:
			c.None++
		}
	}
	for _, g := range w.in.Grids {
		want := territory.CoverageCounts{}
		if counts[g.ID] != nil {
			want = *counts[g.ID]
		}
		if got := pv.GridCoverage(g.ID); got != want {
			t.Errorf("grid %d: %+v, want %+v", g.ID, got, want)
		}
	}
	if got := pv.CustomerCoverage(-5); got != "" {
		t.Errorf("unknown customer: %q", got)
	}
}
