package importer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gridplan/geo"
	"gridplan/territory"
)

// memResources is an in-memory territory.ResourceStore: it validates like
// the stores, keeps codes unique and counts writes.
type memResources struct {
	mu     sync.Mutex
	byID   map[int64]*territory.Resource
	nextID int64
	writes int
	fail   error // returned by every write when set
}

func newMemResources() *memResources { return &memResources{byID: map[int64]*territory.Resource{}} }

func (m *memResources) clash(r *territory.Resource) error {
	for _, o := range m.byID {
		if r.Code != "" && o.Code == r.Code && o.ID != r.ID {
			return &territory.ConflictError{Reason: fmt.Sprintf("resource code %q already exists", r.Code)}
		}
	}
	return nil
}

func (m *memResources) CreateResource(_ context.Context, r *territory.Resource) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if err := m.clash(r); err != nil {
		return err
	}
	m.nextID++
	r.ID = m.nextID
	cp := *r
	m.byID[r.ID] = &cp
	m.writes++
	return nil
}

func (m *memResources) Resource(_ context.Context, id int64) (*territory.Resource, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.byID[id]
	if !ok {
		return nil, territory.NotFound("resource", id)
	}
	cp := *r
	return &cp, nil
}

func (m *memResources) Resources(_ context.Context, f territory.ResourceFilter) ([]*territory.Resource, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*territory.Resource
	for id := int64(1); id <= m.nextID; id++ {
		if r, ok := m.byID[id]; ok {
			cp := *r
			out = append(out, &cp)
		}
	}
	return out, nil
}

func (m *memResources) UpdateResource(_ context.Context, r *territory.Resource) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if _, ok := m.byID[r.ID]; !ok {
		return territory.NotFound("resource", r.ID)
	}
	if err := m.clash(r); err != nil {
		return err
	}
	cp := *r
	m.byID[r.ID] = &cp
	m.writes++
	return nil
}

func (m *memResources) DeleteResource(_ context.Context, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.byID, id)
	return nil
}

func (m *memResources) byCode(tb testing.TB, code string) *territory.Resource {
	tb.Helper()
	for _, r := range m.byID {
		if r.Code == code {
			return r
		}
	}
	tb.Fatalf("no stored resource with code %q", code)
	return nil
}

// importRes runs ImportResources on text and fails tb on a file-level error.
func importRes(tb testing.TB, st *memResources, text string, opts ResourceOptions) *ResourceResult {
	tb.Helper()
	res, err := ImportResources(context.Background(), st, strings.NewReader(text), opts)
	if err != nil {
		tb.Fatalf("import: %v", err)
	}
	return res
}

func day(s string) *time.Time {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// resourceCSV is a clean file with Chinese headers and Chinese statuses:
// points with radii, a WKT polygon, a cell list, a code-less row.
var resourceCSV = "编码,名称,类型,状态,经度,纬度,半径,容量,预计日期,范围,H3\n" +
	"HZ-CAB-001,文三路光交箱,光交箱,现有,120.1500,30.2700,350,144,,,\n" +
	"HZ-5G-002,古墩路5G基站,5G基站,在建,120.1000,30.2900,0.5km,,2027-03-31,,\n" +
	"HZ-AREA-003,紫金港光网覆盖区,光网覆盖区,规划,,,,2048,2027/9/1,\"POLYGON ((120.08 30.30, 120.10 30.30, 120.10 30.32, 120.08 30.32, 120.08 30.30))\",\n" +
	"HZ-BA-004,西溪园区楼宇接入,楼宇接入,planned,,,,,2028-01-15,,8931aa42a5bffff 8931aa42a57ffff\n" +
	",无编码光交箱,光交箱,existing,120.2000,30.2500,300m,,,,\n"

func TestImportResourcesCSV(t *testing.T) {
	st := newMemResources()
	res := importRes(t, st, resourceCSV, ResourceOptions{})
	if res.Rows != 5 || res.Inserted != 5 || res.Rejected != 0 || res.Format != ResourceCSV || res.Encoding != UTF8 {
		t.Fatalf("result %+v, rejects %+v", res, res.Rejects)
	}
	if res.Columns[ResourceCells] != "H3" || res.Columns[ResourceRadius] != "半径" || res.Columns[ResourceGeometry] != "范围" {
		t.Errorf("columns %v", res.Columns)
	}
	cab := st.byCode(t, "HZ-CAB-001")
	if cab.Status != territory.ResourceExisting || cab.Geometry != (orb.Point{120.15, 30.27}) || cab.RadiusM != 350 || cab.Capacity != 144 || cab.ExpectedDate != nil {
		t.Errorf("cabinet %+v", cab)
	}
	site := st.byCode(t, "HZ-5G-002")
	if site.Status != territory.ResourceUnderConstruction || site.RadiusM != 500 || !site.ExpectedDate.Equal(*day("2027-03-31")) {
		t.Errorf("5G site %+v", site)
	}
	area := st.byCode(t, "HZ-AREA-003")
	if p, ok := area.Geometry.(orb.Polygon); !ok || len(p[0]) != 5 || area.Status != territory.ResourcePlanned || !area.ExpectedDate.Equal(*day("2027-09-01")) || area.Capacity != 2048 {
		t.Errorf("area %+v", area)
	}
	ba := st.byCode(t, "HZ-BA-004")
	if ba.Geometry != nil || !slices.Equal(ba.Cells, []h3.Cell{h3.Cell(h3.IndexFromString("8931aa42a5bffff")), h3.Cell(h3.IndexFromString("8931aa42a57ffff"))}) {
		t.Errorf("building access %+v", ba)
	}
	if len(res.Changes) != 5 || res.Changes[0].Old != nil {
		t.Errorf("changes %+v", res.Changes)
	}

	// The same file again changes nothing, the code-less row included.
	writes := st.writes
	again := importRes(t, st, resourceCSV, ResourceOptions{})
	if again.Unchanged != 5 || again.Inserted+again.Updated+again.Rejected != 0 || st.writes != writes || len(again.Changes) != 0 {
		t.Errorf("second import %+v (writes %d → %d)", again, writes, st.writes)
	}

	// An edit: the 5G site is finished, the code-less cabinet grows; a
	// file without a capacity column keeps the stored capacities.
	edit := "code,name,kind,status,lng,lat,radius_m\n" +
		"HZ-5G-002,古墩路5G基站,5G基站,existing,120.1000,30.2900,600\n" +
		"HZ-CAB-001,文三路光交箱,光交箱,现有,120.1500,30.2700,350\n" +
		",无编码光交箱,光交箱,existing,120.2000,30.2500,450\n"
	upd := importRes(t, st, edit, ResourceOptions{})
	if upd.Updated != 2 || upd.Unchanged != 1 || upd.Inserted != 0 {
		t.Fatalf("edit import %+v %+v", upd, upd.Rejects)
	}
	site = st.byCode(t, "HZ-5G-002")
	if site.Status != territory.ResourceExisting || site.RadiusM != 600 || site.ExpectedDate == nil {
		t.Errorf("updated site %+v (the expected date stays: the file has no such column)", site)
	}
	if c := st.byCode(t, "HZ-CAB-001"); c.Capacity != 144 {
		t.Errorf("cabinet capacity %d, want the stored 144 kept", c.Capacity)
	}
	for _, ch := range upd.Changes {
		if ch.Old == nil || ch.New.ID != ch.Old.ID {
			t.Errorf("change %+v", ch)
		}
	}
	if len(st.byID) != 5 {
		t.Errorf("%d resources stored, want 5", len(st.byID))
	}
}

// TestImportResourcesBadRows feeds one bad row at a time between two good
// ones: the bad one is rejected with its line, column and field, the good
// ones are stored.
func TestImportResourcesBadRows(t *testing.T) {
	const head = "code,name,kind,status,lng,lat,radius_m,capacity,expected_date,wkt,cells\n"
	good := func(code string) string { return code + ",好,olt,existing,120.15,30.27,300,,,,\n" }
	tests := []struct {
		name, row, column, reason string
		field                     ResourceField
	}{
		{"unknown status", "X,n,olt,rumoured,120.15,30.27,300,,,,", "status", `unknown status "rumoured"`, ResourceStatusField},
		{"empty status", "X,n,olt,,120.15,30.27,300,,,,", "status", "is empty", ResourceStatusField},
		{"empty kind", "X,n,,existing,120.15,30.27,300,,,,", "kind", "needs a kind", ResourceKind},
		{"empty name", "X,,olt,existing,120.15,30.27,300,,,,", "name", "needs a name", ResourceName},
		{"negative radius", "X,n,olt,existing,120.15,30.27,-5,,,,", "radius_m", "(0, 50000]", ResourceRadius},
		{"absurd radius", "X,n,olt,existing,120.15,30.27,60km,,,,", "radius_m", "got 60000", ResourceRadius},
		{"radius not a number", "X,n,olt,existing,120.15,30.27,far,,,,", "radius_m", "not a radius", ResourceRadius},
		{"point without radius", "X,n,olt,existing,120.15,30.27,,,,,", "radius_m", "needs its coverage radius", ResourceRadius},
		{"bad date", "X,n,olt,planned,120.15,30.27,300,,31/03/2027,,", "expected_date", "YYYY-MM-DD", ResourceExpectedDate},
		{"impossible date", "X,n,olt,planned,120.15,30.27,300,,2027-02-30,,", "expected_date", "not a calendar date", ResourceExpectedDate},
		{"negative capacity", "X,n,olt,existing,120.15,30.27,300,-1,,,", "capacity", "must not be negative", ResourceCapacity},
		{"capacity not a number", "X,n,olt,existing,120.15,30.27,300,many,,,", "capacity", "not a whole number", ResourceCapacity},
		{"latitude out of range", "X,n,olt,existing,30.27,120.15,300,,,,", "lat", "look swapped", ResourceLat},
		{"latitude missing", "X,n,olt,existing,120.15,,300,,,,", "lat", "is empty while the longitude is given", ResourceLat},
		{"self-crossing polygon", `X,n,olt,planned,,,,,,"POLYGON ((120 30, 120.1 30.1, 120.1 30, 120 30.1, 120 30))",`, "wkt", "ring 0", ResourceGeometry},
		{"polygon with radius", `X,n,olt,planned,,,100,,,"POLYGON ((120 30, 120.1 30, 120.1 30.1, 120 30.1, 120 30))",`, "radius_m", "only point resources", ResourceRadius},
		{"line geometry", `X,n,olt,planned,,,,,,"LINESTRING (120 30, 121 30)",`, "wkt", "LineString cannot be a coverage", ResourceGeometry},
		{"not wkt", `X,n,olt,planned,,,,,,"CIRCLE (120 30)",`, "wkt", "neither WKT", ResourceGeometry},
		{"bad cell", "X,n,olt,planned,,,,,,,8931aa42a5bffff;zzz", "cells", "item 1", ResourceCells},
		{"too coarse cell", "X,n,olt,planned,,,,,,,8431aa5ffffffff", "cells", "resolution 5 to 12", ResourceCells},
		{"two coverages", "X,n,olt,planned,120.15,30.27,300,,,,8931aa42a5bffff", "wkt", "gives lng/lat and H3 cells", ResourceGeometry},
		{"no coverage", "X,n,olt,planned,,,,,,,", "wkt", "no coverage", ResourceGeometry},
		{"duplicate code", "G1,n,olt,existing,120.15,30.27,300,,,,", "code", "repeats code \"G1\" of line 2", ResourceCode},
		{"long code", strings.Repeat("c", 129) + ",n,olt,existing,120.15,30.27,300,,,,", "code", "longer than 128", ResourceCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemResources()
			res := importRes(t, st, head+good("G1")+tt.row+"\n"+good("G2"), ResourceOptions{})
			if res.Rows != 3 || res.Inserted != 2 || res.Rejected != 1 || len(st.byID) != 2 {
				t.Fatalf("result %+v; rejects %+v", res, res.Rejects)
			}
			rj := res.Rejects[0]
			if rj.Line != 3 || rj.Column != tt.column || !strings.Contains(rj.Reason, tt.reason) || rj.Row != tt.row {
				t.Errorf("reject %+v, want line 3, column %q, reason mentioning %q", rj, tt.column, tt.reason)
			}
			if tt.field != ResourceGeometry && rj.Field != tt.field {
				t.Errorf("field %q, want %q", rj.Field, tt.field)
			}
		})
	}
}

func TestImportResourcesFileErrors(t *testing.T) {
	tests := []struct {
		name, text string
		opts       ResourceOptions
		want       string
	}{
		{"empty", "  \n", ResourceOptions{}, "empty"},
		{"no status column", "name,kind,lng,lat,radius_m\na,b,120,30,5\n", ResourceOptions{}, "status (status/状态)"},
		{"no coverage column", "name,kind,status,radius_m\na,b,existing,5\n", ResourceOptions{}, "a coverage"},
		{"longitude only", "name,kind,status,lng\na,b,existing,120\n", ResourceOptions{}, "lat (纬度)"},
		{"not geojson", `{"type":"Topology"}`, ResourceOptions{}, "FeatureCollection"},
		{"broken json", "{\n\"type\": \"FeatureCollection\",\n\"features\": [}", ResourceOptions{}, "line 3"},
		{"binary", "name,kind\x00\x01\x02", ResourceOptions{}, "binary"},
		{"bad crs", "name,kind,status,lng,lat\n", ResourceOptions{CRS: "utm50"}, "utm50"},
		{"bad format", "x", ResourceOptions{Format: "xlsx"}, "unknown format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemResources()
			_, err := ImportResources(context.Background(), st, strings.NewReader(tt.text), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, territory.ErrInvalid) {
				t.Fatalf("err = %v, want an invalid-file error mentioning %q", err, tt.want)
			}
			if st.writes != 0 {
				t.Errorf("%d writes", st.writes)
			}
		})
	}
}

// TestImportResourcesEncodingAndCRS reads a GBK file with semicolons and
// GCJ-02 coordinates: the point is converted, the polygon's every vertex.
func TestImportResourcesEncodingAndCRS(t *testing.T) {
	text := "名称;类型;状态;经度;纬度;半径;几何\n" +
		"光交箱;光交箱;现有;120.155;30.275;300;\n" +
		"覆盖区;光网覆盖区;在建;;;;POLYGON ((120.08 30.30, 120.10 30.30, 120.10 30.32, 120.08 30.32, 120.08 30.30))\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	st := newMemResources()
	res := importRes(t, st, gbk, ResourceOptions{CRS: geo.GCJ02})
	if res.Inserted != 2 || res.Encoding != GB18030 || res.CRS != geo.GCJ02 {
		t.Fatalf("result %+v %+v", res, res.Rejects)
	}
	want, _ := geo.ToWGS84(orb.Point{120.155, 30.275}, geo.GCJ02)
	got := st.byID[1].Geometry.(orb.Point)
	if got != want || geo.DistanceM(got, orb.Point{120.155, 30.275}) < 100 {
		t.Errorf("point %v, want %v (GCJ-02 shifts hundreds of metres)", got, want)
	}
	ring := st.byID[2].Geometry.(orb.Polygon)[0]
	w0, _ := geo.ToWGS84(orb.Point{120.08, 30.30}, geo.GCJ02)
	if ring[0] != w0 || ring[0] != ring[len(ring)-1] {
		t.Errorf("ring %v: first vertex want %v, ring closed", ring, w0)
	}
	// GCJ-02 is not defined outside China.
	out := importRes(t, newMemResources(), "name,kind,status,lng,lat,radius_m\nx,olt,existing,2.35,48.85,100\n", ResourceOptions{CRS: geo.GCJ02})
	if out.Rejected != 1 || out.Rejects[0].Field != ResourceLng || !strings.Contains(out.Rejects[0].Reason, "outside China") {
		t.Errorf("Paris in GCJ-02: %+v", out.Rejects)
	}
}

const resourceGeoJSON = `{"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"Point","coordinates":[120.15,30.27]},
  "properties":{"code":"G-1","name":"光交箱","kind":"光交箱","status":"existing","radius_m":300,"capacity":144}},
 {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120.08,30.30],[120.10,30.30],[120.10,30.32],[120.08,30.32],[120.08,30.30]]]},
  "properties":{"编码":"G-2","名称":"覆盖区","类型":"光网覆盖区","状态":"规划","预计日期":"2027-09-01"}},
 {"type":"Feature","geometry":null,
  "properties":{"code":1003,"name":"楼宇","kind":"楼宇接入","status":"under_construction","expected_date":"2027-06-30","cells":["8931aa42a5bffff","8931aa42a57ffff"]}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[120.15]},"properties":{"name":"bad","kind":"olt","status":"existing","radius_m":10}},
 {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[120,30],[120.1,30.1],[120.1,30],[120,30.1],[120,30]]]},"properties":{"name":"bowtie","kind":"olt","status":"planned"}},
 {"type":"Feature","geometry":null,"properties":{"name":"cells","kind":"olt","status":"planned","cells":[8931]}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[120.15,30.27]},"properties":{"name":"far","kind":"olt","status":"existing","radius_m":90000}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[120.15,30.27]},"properties":{"name":"late","kind":"olt","status":"planned","radius_m":100,"expected_date":"soon"}},
 {"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[]},"properties":{"name":"multi","kind":"olt","status":"planned"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[120.15,30.27]},"properties":{"name":"obj","kind":{"a":1},"status":"planned","radius_m":100}}
]}`

func TestImportResourcesGeoJSON(t *testing.T) {
	st := newMemResources()
	res := importRes(t, st, resourceGeoJSON, ResourceOptions{})
	if res.Format != ResourceGeoJSON || res.Rows != 10 || res.Inserted != 3 || res.Rejected != 7 {
		t.Fatalf("result %+v; rejects %+v", res, res.Rejects)
	}
	if r := st.byCode(t, "1003"); len(r.Cells) != 2 || r.Status != territory.ResourceUnderConstruction || r.Geometry != nil {
		t.Errorf("cell resource %+v", r)
	}
	if r := st.byCode(t, "G-2"); r.Status != territory.ResourcePlanned || !r.ExpectedDate.Equal(*day("2027-09-01")) {
		t.Errorf("polygon resource %+v", r)
	}
	want := []struct {
		feature int
		field   ResourceField
		reason  string
	}{
		{3, ResourceGeometry, "a position is [lng, lat], got 1 numbers"},
		{4, ResourceGeometry, "ring 0"},
		{5, ResourceCells, "item 0"},
		{6, ResourceRadius, "got 90000"},
		{7, ResourceExpectedDate, `"soon" is not a date`},
		{8, ResourceGeometry, "MultiPolygon cannot be a coverage"},
		{9, ResourceKind, "must be a string or a number"},
	}
	for i, w := range want {
		rj := res.Rejects[i]
		if rj.Feature == nil || *rj.Feature != w.feature || rj.Line != 0 || rj.Field != w.field || !strings.Contains(rj.Reason, w.reason) {
			t.Errorf("reject %d: %+v (%s), want feature %d, field %s, reason mentioning %q", i, rj, rj.Where(), w.feature, w.field, w.reason)
		}
	}
	// Again: unchanged.
	again := importRes(t, st, resourceGeoJSON, ResourceOptions{})
	if again.Unchanged != 3 || again.Inserted+again.Updated != 0 {
		t.Errorf("second import %+v", again)
	}
}

func TestImportResourcesMatching(t *testing.T) {
	st := newMemResources()
	ctx := context.Background()
	for range 2 {
		if err := st.CreateResource(ctx, &territory.Resource{Name: "twin", Kind: "olt", Status: territory.ResourceExisting, Geometry: orb.Point{120, 30}, RadiusM: 10}); err != nil {
			t.Fatal(err)
		}
	}
	text := "name,kind,status,lng,lat,radius_m\n" +
		"twin,olt,existing,120,30,20\n" + // two stored twins: ambiguous
		"twin,cabinet,existing,120,30,20\n" + // another kind: new
		"solo,olt,planned,120,30,20\n" +
		"solo,olt,planned,120,30,30\n" // the same key twice in the file
	res := importRes(t, st, text, ResourceOptions{})
	if res.Inserted != 2 || res.Rejected != 2 {
		t.Fatalf("result %+v %+v", res, res.Rejects)
	}
	if rj := res.Rejects[0]; rj.Line != 2 || rj.Field != ResourceName || !strings.Contains(rj.Reason, "2 stored resources") {
		t.Errorf("ambiguous: %+v", rj)
	}
	if rj := res.Rejects[1]; rj.Line != 5 || !strings.Contains(rj.Reason, "of line 4") {
		t.Errorf("repeat: %+v", rj)
	}
	// Without a geometry column, a missing coverage is the lng column's.
	none := importRes(t, st, "name,kind,status,lng,lat,radius_m\nx,olt,existing,,,\n", ResourceOptions{})
	if none.Rejected != 1 || none.Rejects[0].Column != "lng" || !strings.Contains(none.Rejects[0].Reason, "no coverage") {
		t.Errorf("no coverage: %+v", none.Rejects)
	}
	// Dry run: counted, not written.
	writes := st.writes
	dry := importRes(t, st, "name,kind,status,lng,lat,radius_m\nnew,olt,existing,120,30,20\n", ResourceOptions{DryRun: true})
	if dry.Inserted != 1 || st.writes != writes || !dry.DryRun {
		t.Errorf("dry run %+v, writes %d → %d", dry, writes, st.writes)
	}
	// A store failure stops the import with the row named.
	st.fail = errors.New("disk full")
	_, err := ImportResources(ctx, st, strings.NewReader("name,kind,status,lng,lat,radius_m\nnew,olt,existing,120,30,20\n"), ResourceOptions{})
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("store failure: %v", err)
	}
}

func TestParseResourceValues(t *testing.T) {
	dates := []struct {
		in   string
		want string // "" = error
	}{
		{"2027-03-01", "2027-03-01"}, {"2027/3/1", "2027-03-01"}, {"2027.03.01", "2027-03-01"}, {"2027年3月1日", "2027-03-01"},
		{"2027/3/1 0:00", "2027-03-01"}, {"２０２７-０３-０１", "2027-03-01"}, {"2027-13-01", ""}, {"01/03/2027", ""}, {"", ""},
	}
	for _, d := range dates {
		got, err := parseLooseDate(d.in)
		if (err == nil) != (d.want != "") || err == nil && got.Format(DateLayout) != d.want {
			t.Errorf("parseLooseDate(%q) = %v, %v; want %q", d.in, got, err, d.want)
		}
	}
	strict := map[string]bool{"2027-03-01": true, "2027-3-1": false, "2027/03/01": false, "2027-02-29": false, "2028-02-29": true, " 2027-03-01": false}
	for in, ok := range strict {
		if _, err := ParseDate(in); (err == nil) != ok {
			t.Errorf("ParseDate(%q): err %v, want ok=%v", in, err, ok)
		}
	}
	radii := map[string]float64{"300": 300, "300m": 300, "300 米": 300, "0.5km": 500, "1.5公里": 1500, "-5": -5, "1e3": 1000}
	for in, want := range radii {
		if got, err := parseRadius(in); err != nil || math.Abs(got-want) > 1e-9 {
			t.Errorf("parseRadius(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "NaN", "far", "3 miles", "Inf"} {
		if _, err := parseRadius(in); err == nil {
			t.Errorf("parseRadius(%q) accepted", in)
		}
	}
	statuses := map[string]territory.ResourceStatus{"现有": territory.ResourceExisting, "在建": territory.ResourceUnderConstruction, "规划": territory.ResourcePlanned,
		"Under Construction": territory.ResourceUnderConstruction, "under_construction": territory.ResourceUnderConstruction, "ＰＬＡＮＮＥＤ": territory.ResourcePlanned}
	for in, want := range statuses {
		if got, err := ParseResourceStatus(in); err != nil || got != want {
			t.Errorf("ParseResourceStatus(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseResourceStatus("rumoured"); err == nil {
		t.Error("ParseResourceStatus accepted rumoured")
	}
	if cs, err := ParseCells([]string{"8931aa42a5bffff", "0x8931aa42a57ffff"}); err != nil || len(cs) != 2 || !cs[1].IsValid() {
		t.Errorf("ParseCells: %v %v", cs, err)
	}
	for _, bad := range []string{"8931aa42a5bfff", "ffffffffffffffff", "zz31aa42a5bffff", ""} {
		if _, err := ParseCell(bad); err == nil {
			t.Errorf("ParseCell(%q) accepted", bad)
		}
	}
	if _, err := ParseCells(make([]string, territory.MaxResourceCells+1)); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("too many cells: %v", err)
	}
	if got := splitCells(" [8931aa42a5bffff, 8931aa42a57ffff|89;] "); !slices.Equal(got, []string{"8931aa42a5bffff", "8931aa42a57ffff", "89"}) {
		t.Errorf("splitCells: %q", got)
	}
}
