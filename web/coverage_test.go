package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/xuri/excelize/v2"

	"gridplan/data"
	"gridplan/data/demo"
	"gridplan/geo"
	"gridplan/territory"
	"gridplan/territory/coverage"
	"gridplan/territory/importer"
	"gridplan/territory/snapshot"
)

// coverageWorld is the demo city (3,000 businesses, its districts, grids
// and resources) in a fresh SQLite store behind the router, with its
// logins.
func coverageWorld(tb testing.TB) *world {
	tb.Helper()
	ctx := context.Background()
	st := openStore(tb)
	city, err := demo.Generate(demo.Options{Seed: 5, Customers: 3000, Now: t0})
	if err != nil {
		tb.Fatal(err)
	}
	if err := demo.Load(ctx, st, city, nil); err != nil {
		tb.Fatal(err)
	}
	w := &world{store: st, clock: &clock{now: t0}, reg: prometheus.NewRegistry(), logs: &syncBuffer{}, users: map[string]*territory.User{}}
	w.handler = NewRouter(Deps{Store: st, Logger: slog.New(slog.NewJSONHandler(w.logs, nil)), Registry: w.reg, Now: w.clock.Now})
	us, err := st.Users(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	for _, u := range us {
		w.users[u.Username] = u
	}
	return w
}

// naiveCoverage is every stored customer's best status as of d by the
// plain pairwise rule: DistanceM, PolygonContains, h3's own Parent.
func naiveCoverage(tb testing.TB, st data.Store, d coverage.Date) map[int64]coverage.Status {
	tb.Helper()
	ctx := context.Background()
	rs, err := st.Resources(ctx, territory.ResourceFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[int64]coverage.Status{}
	err = st.CustomerLocations(ctx, nil, func(l territory.CustomerLocation) error {
		best := coverage.None
		for _, r := range rs {
			covers := false
			switch g := r.Geometry.(type) {
			case orb.Point:
				covers = geo.DistanceM(g, l.Location) <= r.RadiusM
			case orb.Polygon:
				covers = planar.PolygonContains(g, l.Location)
			case nil:
				for _, c := range r.Cells {
					covers = covers || l.Cell.Parent(c.Resolution()) == c
				}
			}
			if covers {
				best = min(best, coverage.Effective(r, d))
			}
		}
		out[l.ID] = best
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

type summaryOut struct {
	AsOf    string        `json:"as_of"`
	Level   string        `json:"level"`
	Rows    []coverageRow `json:"rows"`
	Total   coverageRow   `json:"total"`
	Outside coverageRow   `json:"outside"`
}

func (w *world) summary(tb testing.TB, user, query string) summaryOut {
	tb.Helper()
	rec := w.get(tb, user, "/api/coverage/summary?"+query)
	wantStatus(tb, rec, http.StatusOK)
	var s summaryOut
	decode(tb, rec, &s)
	return s
}

// The summary agrees with the naive rule at every level and as of two
// dates; rows and outside add up to the total; the funnel and the
// marginals add up to the customers.
func TestCoverageSummary(t *testing.T) {
	w := coverageWorld(t)
	doc := loadOpenAPI(t)
	for _, asOf := range []string{"2026-11-26", "2028-12-31"} {
		want := naiveCoverage(t, w.store, day(t, asOf))
		var byStatus [coverage.NumStatuses]int
		for _, st := range want {
			byStatus[st]++
		}
		for _, lv := range []string{"province", "district", "grid"} {
			t.Run(asOf+" "+lv, func(t *testing.T) {
				rec := w.get(t, "leader", "/api/coverage/summary?level="+lv+"&as_of="+asOf)
				coverageDoc(t, doc, "GET", "/api/coverage/summary", rec)
				var s summaryOut
				decode(t, rec, &s)
				tot := s.Total
				if got := [4]int{tot.Existing, tot.UnderConstruction, tot.Planned, tot.None}; got != byStatus {
					t.Errorf("total %v, naive %v", got, byStatus)
				}
				if s.AsOf != asOf || s.Level != lv || len(s.Rows) == 0 {
					t.Fatalf("as_of %s level %s, %d rows", s.AsOf, s.Level, len(s.Rows))
				}
				sum := s.Outside.Customers
				funnelSum := 0
				for _, r := range s.Rows {
					sum += r.Customers
					if r.Existing+r.UnderConstruction+r.Planned+r.None != r.Customers {
						t.Errorf("row %s: statuses do not add up to %d", r.Code, r.Customers)
					}
					if (r.DistrictID != nil) != (lv == "grid") {
						t.Errorf("row %s: district_id %v at level %s", r.Code, r.DistrictID, lv)
					}
				}
				for _, n := range tot.Funnel {
					funnelSum += n
				}
				if sum != tot.Customers || funnelSum != tot.Customers || tot.Customers != len(want) {
					t.Errorf("rows+outside %d, funnel %d, total %d, customers %d", sum, funnelSum, tot.Customers, len(want))
				}
				carr := 0
				for _, c := range tot.ByCarrier {
					carr += c.Existing
				}
				if carr != tot.Existing || tot.ByCarrier["competitor"].Existing != tot.Attack {
					t.Errorf("by carrier: %d existing (total %d), competitor %d, attack %d", carr, tot.Existing, tot.ByCarrier["competitor"].Existing, tot.Attack)
				}
			})
		}
	}
	// Later, planned and under-construction resources count as existing.
	now, later := w.summary(t, "planner", "level=province"), w.summary(t, "planner", "level=province&as_of=2028-12-31")
	if now.AsOf != "2026-11-26" || later.Total.Existing <= now.Total.Existing || later.Total.Planned >= now.Total.Planned || later.Total.None != now.Total.None {
		t.Errorf("today %+v, 2028 %+v", now.Total.statusCounts, later.Total.statusCounts)
	}
	// One district: its grids, and its own row equals their total.
	d := w.summary(t, "admin", "level=district")
	one := d.Rows[1]
	grids := w.summary(t, "admin", "level=grid&district_id="+itoa(one.ID))
	if grids.Total.Customers != one.Customers || grids.Total.ID != one.ID {
		t.Errorf("district %s: %d customers, its grid report's total %d", one.Code, one.Customers, grids.Total.Customers)
	}
	for _, r := range grids.Rows {
		if r.DistrictID == nil || *r.DistrictID != one.ID {
			t.Errorf("grid %s of another district", r.Code)
		}
	}
}

func day(tb testing.TB, s string) coverage.Date {
	tb.Helper()
	d, err := coverage.ParseDate("as_of", s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func itoa(n int64) string { return path("%d", n) }

func TestCoverageGapsSuggestCustomers(t *testing.T) {
	w := coverageWorld(t)
	doc := loadOpenAPI(t)
	s := w.summary(t, "leader", "level=province")

	rec := w.get(t, "leader", "/api/coverage/gaps?res=8&weights=stage.target=2")
	coverageDoc(t, doc, "GET", "/api/coverage/gaps", rec)
	var fc struct {
		Type     string `json:"type"`
		Res      int    `json:"res"`
		Weights  string `json:"weights"`
		Features []struct {
			Geometry struct {
				Type        string        `json:"type"`
				Coordinates [][][]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties struct {
				Cell      string  `json:"cell"`
				Uncovered int     `json:"uncovered"`
				Weight    float64 `json:"weight"`
			} `json:"properties"`
		} `json:"features"`
	}
	decode(t, rec, &fc)
	n := 0
	for _, f := range fc.Features {
		n += f.Properties.Uncovered
		if f.Geometry.Type != "Polygon" || len(f.Geometry.Coordinates[0]) < 6 || f.Properties.Weight <= 0 {
			t.Fatalf("feature %+v", f)
		}
	}
	if fc.Type != "FeatureCollection" || fc.Res != 8 || n != s.Total.None || !strings.Contains(fc.Weights, "stage.target=2") {
		t.Errorf("gaps: %s res %d, %d uncovered (summary says %d), weights %q", fc.Type, fc.Res, n, s.Total.None, fc.Weights)
	}

	rec = w.get(t, "planner", "/api/coverage/suggest?k=3&radius=400")
	coverageDoc(t, doc, "GET", "/api/coverage/suggest", rec)
	var sg struct {
		Sites []struct {
			Rank          int     `json:"rank"`
			Cell          string  `json:"cell"`
			Lng           float64 `json:"lng"`
			Lat           float64 `json:"lat"`
			Weight        float64 `json:"weight"`
			CustomerCount int     `json:"customer_count"`
			Customers     []int64 `json:"customers"`
		} `json:"sites"`
		Method          string  `json:"method"`
		Res             int     `json:"res"`
		UncoveredWeight float64 `json:"uncovered_weight"`
		CoveredWeight   float64 `json:"covered_weight"`
	}
	decode(t, rec, &sg)
	if len(sg.Sites) != 3 || sg.Method != "lazy-greedy" || sg.Res != 9 || sg.CoveredWeight <= 0 || sg.CoveredWeight > sg.UncoveredWeight {
		t.Fatalf("suggest: %+v", sg)
	}
	for i, site := range sg.Sites {
		if site.Rank != i+1 || site.CustomerCount != len(site.Customers) || site.CustomerCount == 0 {
			t.Errorf("site %+v", site)
		}
	}

	// The attack list: competitors' customers in existing coverage, each
	// with the resources covering him, paged.
	var all []int64
	cursor := ""
	for pages := 0; ; pages++ {
		rec := w.get(t, "leader", "/api/coverage/customers?status=existing&carrier=competitor&limit=40"+cursor)
		coverageDoc(t, doc, "GET", "/api/coverage/customers", rec)
		var page struct {
			Items []struct {
				ID       int64   `json:"id"`
				Carrier  string  `json:"carrier"`
				Name     string  `json:"name"`
				Lng      float64 `json:"lng"`
				Coverage string  `json:"coverage"`
				Covering []int64 `json:"covering"`
			} `json:"items"`
			NextCursor *string `json:"next_cursor"`
			Total      int     `json:"total"`
		}
		decode(t, rec, &page)
		if page.Total != s.Total.Attack {
			t.Fatalf("attack list total %d, summary says %d", page.Total, s.Total.Attack)
		}
		for _, it := range page.Items {
			if it.Carrier != "competitor" || it.Coverage != "existing" || len(it.Covering) == 0 || it.Name == "" || it.Lng == 0 {
				t.Fatalf("attack list item %+v", it)
			}
			all = append(all, it.ID)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = "&cursor=" + *page.NextCursor
	}
	if len(all) != s.Total.Attack || !slices.IsSorted(all) {
		t.Errorf("paged %d ids (sorted %t), want %d", len(all), slices.IsSorted(all), s.Total.Attack)
	}
	var build struct {
		Total int `json:"total"`
		Items []struct {
			Covering []int64 `json:"covering"`
		} `json:"items"`
	}
	decode(t, w.get(t, "leader", "/api/coverage/customers?status=none&limit=5"), &build)
	if build.Total != s.Total.None || len(build.Items) != 5 || build.Items[0].Covering == nil || len(build.Items[0].Covering) != 0 {
		t.Errorf("build list: total %d (want %d), %d items", build.Total, s.Total.None, len(build.Items))
	}
}

func TestCoverageExport(t *testing.T) {
	w := coverageWorld(t)
	rec := w.get(t, "leader", "/api/coverage/export.xlsx?as_of=2027-06-30")
	wantStatus(t, rec, http.StatusOK)
	coverageDoc(t, loadOpenAPI(t), "GET", "/api/coverage/export.xlsx", rec)
	if ct := rec.Header().Get("Content-Type"); ct != xlsxContentType || !strings.Contains(rec.Header().Get("Content-Disposition"), "coverage-2027-06-30.xlsx") {
		t.Errorf("Content-Type %q, Content-Disposition %q", ct, rec.Header().Get("Content-Disposition"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"省", "区县", "网格"}) {
		t.Fatalf("sheets %v", got)
	}
	rows, _ := f.GetRows("网格")
	s := w.summary(t, "leader", "level=grid&as_of=2027-06-30")
	if len(rows) != len(s.Rows)+4 || rows[0][0] != "编码" || rows[0][2] != "所属区县" || rows[1][0] != s.Rows[0].Code || rows[1][2] == "" {
		t.Errorf("网格 sheet: %d rows, first %v / %v", len(rows), rows[0][:4], rows[1][:4])
	}
}

func TestCoverageBadInput(t *testing.T) {
	w := coverageWorld(t)
	tests := []struct {
		path, field string
		status      int
	}{
		{"/api/coverage/summary?as_of=2026-13-01", "as_of", 400},
		{"/api/coverage/summary?as_of=26/11/2026", "as_of", 400},
		{"/api/coverage/summary?level=city", "level", 400},
		{"/api/coverage/summary?district_id=abc", "district_id", 400},
		{"/api/coverage/summary?district_id=999999", "", 404},
		{"/api/coverage/gaps?res=11", "res", 400},
		{"/api/coverage/gaps?res=six", "res", 400},
		{"/api/coverage/gaps?weights=stage.vip=2", "weights", 400},
		{"/api/coverage/gaps?weights=size.small=-1", "weights", 400},
		{"/api/coverage/gaps?bbox=1,2,3", "bbox", 400},
		{"/api/coverage/gaps?grid_id=999999", "", 404},
		{"/api/coverage/suggest?k=0", "k", 400},
		{"/api/coverage/suggest?k=51", "k", 400},
		{"/api/coverage/suggest?radius=abc", "radius", 400},
		{"/api/coverage/suggest?radius=60000", "radius", 400},
		{"/api/coverage/suggest?radius=-5", "radius", 400},
		{"/api/coverage/suggest?res=3", "res", 400},
		{"/api/coverage/customers?status=covered", "status", 400},
		{"/api/coverage/customers?carrier=mobile", "carrier", 400},
		{"/api/coverage/customers?limit=0", "limit", 400},
		{"/api/coverage/customers?cursor=x", "cursor", 400},
		{"/api/coverage/export.xlsx?as_of=tomorrow", "as_of", 400},
	}
	doc := loadOpenAPI(t)
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := w.get(t, "planner", tt.path)
			code := map[int]string{400: "invalid", 404: "not_found"}[tt.status]
			wantError(t, rec, tt.status, code, tt.field)
			coverageDoc(t, doc, "GET", strings.SplitN(tt.path, "?", 2)[0], rec)
		})
	}
}

// Managers may not read coverage; anonymous callers get 401.
func TestCoverageRoles(t *testing.T) {
	w := newWorld(t)
	for _, p := range []string{"/api/coverage/summary", "/api/coverage/gaps", "/api/coverage/suggest", "/api/coverage/customers", "/api/coverage/export.xlsx"} {
		for user, want := range map[string]int{"": 401, "zhang": 403, "leader": 200, "planner": 200, "admin": 200} {
			if rec := w.get(t, user, p); rec.Code != want {
				t.Errorf("%s as %q: %d, want %d", p, user, rec.Code, want)
			}
		}
	}
}

// Resource writes through the API show in the next coverage read; so does
// a customer change this process makes (dataChanged).
func TestCoverageFollowsWrites(t *testing.T) {
	w := coverageWorld(t)
	before := w.summary(t, "planner", "level=province")
	// A big existing resource over an uncovered customer.
	var build struct {
		Items []struct {
			ID  int64   `json:"id"`
			Lng float64 `json:"lng"`
			Lat float64 `json:"lat"`
		} `json:"items"`
	}
	decode(t, w.get(t, "planner", "/api/coverage/customers?status=none&limit=1"), &build)
	at := orb.Point{build.Items[0].Lng, build.Items[0].Lat}
	rec := w.do(t, request{Method: http.MethodPost, Path: "/api/resources", Cookie: w.session(t, "planner"), Body: resourceBody(pointGeom(at),
		map[string]any{"name": "新光交箱", "kind": "fibre_cabinet", "status": "existing", "radius_m": 1500})})
	wantStatus(t, rec, http.StatusCreated)
	after := w.summary(t, "planner", "level=province")
	if after.Total.None >= before.Total.None || after.Total.Existing <= before.Total.Existing {
		t.Errorf("after adding a resource: none %d → %d, existing %d → %d", before.Total.None, after.Total.None, before.Total.Existing, after.Total.Existing)
	}
	want := naiveCoverage(t, w.store, day(t, "2026-11-26"))
	var none int
	for _, st := range want {
		if st == coverage.None {
			none++
		}
	}
	if after.Total.None != none {
		t.Errorf("after the write: %d uncovered, naive %d", after.Total.None, none)
	}
}

// The service on its own: a resource change applied in place equals a
// rebuild; another process's resource write is found by the stamp check
// and applied in the background; a customer write announced by changed
// is waited for.
func TestCoverageService(t *testing.T) {
	w := coverageWorld(t)
	ctx := context.Background()
	clk := &clock{now: t0}
	svc := newCoverageService(w.store, slog.New(slog.DiscardHandler), clk.Now, func() *snapshot.Cache { return nil })
	svc.checkEvery = time.Second
	st, err := svc.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := day(t, "2026-11-26")
	total := func(st *coverageState) [coverage.NumStatuses]int {
		s, err := st.a.Summary(d, coverage.LevelProvince, 0)
		if err != nil {
			t.Fatal(err)
		}
		return s.Total.Cube.ByStatus()
	}
	naiveTotal := func() [coverage.NumStatuses]int {
		var n [coverage.NumStatuses]int
		for _, s := range naiveCoverage(t, w.store, d) {
			n[s]++
		}
		return n
	}
	if total(st) != naiveTotal() {
		t.Fatalf("first build %v, naive %v", total(st), naiveTotal())
	}
	// This process's write, applied in place.
	rs, _ := w.store.Resources(ctx, territory.ResourceFilter{Status: territory.ResourcePlanned})
	old := rs[0]
	moved := *old
	moved.Status, moved.ExpectedDate = territory.ResourceExisting, nil
	if err := w.store.UpdateResource(ctx, &moved); err != nil {
		t.Fatal(err)
	}
	svc.resourcesChanged([]importer.ResourceChange{{Old: old, New: &moved}})
	if again, _ := svc.get(ctx); again != st || total(st) != naiveTotal() {
		t.Errorf("in place: same state %t, %v, naive %v", again == st, total(st), naiveTotal())
	}
	// Another process's write: no call; the check after CheckEvery finds it.
	gone := rs[1]
	if err := w.store.DeleteResource(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	want := naiveTotal()
	clk.Add(2 * time.Second)
	svc.get(ctx) // starts the check
	deadline := time.Now().Add(10 * time.Second)
	for total(st) != want && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		clk.Add(2 * time.Second)
		svc.get(ctx)
	}
	if total(st) != want || st.a.Resource(gone.ID) != nil {
		t.Errorf("remote delete: %v, naive %v", total(st), want)
	}
	// A customer write announced by changed: the next get waits for it.
	var c territory.CustomerLocation
	w.store.CustomerLocations(ctx, nil, func(l territory.CustomerLocation) error { c = l; return errStop })
	cu, _ := w.store.Customer(ctx, c.ID)
	if err := w.store.DeleteCustomer(ctx, cu.ID); err != nil {
		t.Fatal(err)
	}
	svc.changed()
	st2, err := svc.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st2 == st || st2.a.Len() != st.a.Len()-1 {
		t.Errorf("after a customer delete: %d customers, before %d", st2.a.Len(), st.a.Len())
	}
}

var errStop = errors.New("stop")

// Planning gets coverage counts from the analysis (compare and preview).
func TestCoverageInPlanning(t *testing.T) {
	w := newWorld(t)
	draft := newDraft(t, w, "覆盖")
	rec := w.do(t, request{Method: http.MethodGet, Path: path("/api/plans/%d/compare/%d", draft.ID, draft.BasePlanID), Cookie: w.session(t, "leader")})
	wantStatus(t, rec, http.StatusOK)
	var cmp territory.Comparison
	decode(t, rec, &cmp)
	seen := false
	for _, g := range cmp.Grids {
		for _, side := range []*territory.GridSide{g.A, g.B} {
			if side == nil {
				continue
			}
			if side.Coverage == nil {
				t.Fatalf("grid %s: no coverage counts", g.Code)
			}
			c := side.Coverage
			if c.Existing+c.UnderConstruction+c.Planned+c.None != side.Customers {
				t.Errorf("grid %s: coverage %+v for %d customers", g.Code, *c, side.Customers)
			}
			seen = seen || c.Existing > 0
		}
	}
	if !seen {
		t.Error("no grid has customers in existing coverage (the fixture's cabinet covers XH-01's)")
	}
}

// coverageDoc checks a response against openapi.json.
func coverageDoc(tb testing.TB, doc *openapi3.T, method, route string, rec *httptest.ResponseRecorder) {
	tb.Helper()
	item := doc.Paths.Value(route)
	if item == nil || item.GetOperation(method) == nil {
		tb.Fatalf("%s %s is not documented", method, route)
	}
	checkResponse(tb, doc, item, item.GetOperation(method), method, route, rec)
}
