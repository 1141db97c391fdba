package main

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/territory"
)

func districtFixture(name string) string { return filepath.Join("testdata", "districts", name) }

// storedDistricts opens db and returns its districts by code.
func storedDistricts(t *testing.T, db string) map[string]*territory.District {
	t.Helper()
	return storedByCode(t, db, func(ctx context.Context, s data.Store) ([]*territory.District, error) { return s.Districts(ctx) },
		func(d *territory.District) string { return d.Code })
}

func TestImportDistrictsHelpAndBadInvocations(t *testing.T) {
	checkHelp(t, []string{"import", "districts"},
		"Usage: gridplan import districts", "-crs", "-city", "-province", "-db", "-dry-run", "adcode")
	db := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	file := districtFixture("hangzhou-wgs84.geojson")
	checkRefusals(t, []refusal{
		{"no kind", []string{"import"}, "import districts FILE"},
		{"unknown kind", []string{"import", "grids", file}, `unknown kind "grids" (want customers, districts or resources)`},
		{"no file", []string{"import", "districts", "--crs", "wgs84", "--db", db}, "no file given"},
		{"two files", []string{"import", "districts", file, file, "--crs", "wgs84", "--db", db}, "unexpected arguments"},
		{"no crs", []string{"import", "districts", file, "--db", db}, "--crs is required"},
		{"bad crs", []string{"import", "districts", file, "--crs", "utm50", "--db", db}, `unknown coordinate system "utm50"`},
		{"missing file", []string{"import", "districts", "nope.geojson", "--crs", "wgs84", "--db", db}, "no such file"},
		{"not geojson", []string{"import", "districts", "districts_test.go", "--crs", "wgs84", "--db", db}, "neither GeoJSON"},
		{"no city", []string{"import", "districts", file, "--crs", "wgs84", "--db", db}, "3 of 3 features rejected"},
	})
}

func TestImportDistrictsSQLite(t *testing.T) {
	checkImportDistricts(t, "sqlite:"+filepath.Join(t.TempDir(), "d.db"))
}

func TestImportDistrictsPostgres(t *testing.T) {
	checkImportDistricts(t, postgresURL(t))
}

// checkImportDistricts imports the DataV-style fixture (a plain polygon, one
// with a hole, a multipolygon with an island), checks what was stored, then
// imports again (nothing changes) and after a local edit (one update).
func checkImportDistricts(t *testing.T, db string) {
	file := districtFixture("hangzhou-wgs84.geojson")
	args := []string{"import", "districts", file, "--crs", "wgs84", "--city", "杭州市", "--province", "浙江省", "--db", db, "--log-level", "warn"}

	out, _, err := runCmd(t, noEnv, "", append(args, "--dry-run")...)
	if err != nil || !strings.Contains(out, "dry run") || !strings.Contains(out, "created 3") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if n := len(storedDistricts(t, db)); n != 0 {
		t.Fatalf("dry run stored %d districts", n)
	}

	out, _, err = runCmd(t, noEnv, "", args...)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, w := range []string{"3 features: created 3, updated 0, unchanged 0, rejected 0", "330127 淳安县", "2 polygon(s)", "1 hole(s)"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	got := storedDistricts(t, db)
	tests := []struct {
		code, name   string
		polys, holes int
		probe        orb.Point // a vertex of the file, stored unchanged (WGS-84 in)
	}{
		{"330102", "上城区", 1, 0, orb.Point{120.24, 30.30}},
		{"330106", "西湖区", 1, 1, orb.Point{120.13, 30.26}},
		{"330127", "淳安县", 2, 0, orb.Point{119.34, 29.58}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			d := got[tt.code]
			if d == nil {
				t.Fatalf("district %s not stored", tt.code)
			}
			if d.Name != tt.name || d.City != "杭州市" || d.Province != "浙江省" {
				t.Errorf("stored %q %q %q", d.Name, d.City, d.Province)
			}
			holes := 0
			for _, p := range d.Boundary {
				holes += len(p) - 1
			}
			if len(d.Boundary) != tt.polys || holes != tt.holes {
				t.Errorf("%d polygons and %d holes, want %d and %d", len(d.Boundary), holes, tt.polys, tt.holes)
			}
			if !hasVertex(d.Boundary, tt.probe, 0) {
				t.Errorf("vertex %v not stored", tt.probe)
			}
		})
	}

	out, _, err = runCmd(t, noEnv, "", args...)
	if err != nil || !strings.Contains(out, "created 0, updated 0, unchanged 3") {
		t.Fatalf("second import: %v\n%s", err, out)
	}

	// Someone renamed a district locally; the file puts the name back, on
	// the same district (same id).
	ctx := context.Background()
	s, err := openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	d := got["330106"]
	d.Name = "旧名"
	if err := s.UpdateDistrict(ctx, d); err != nil {
		t.Fatal(err)
	}
	s.Close()
	out, _, err = runCmd(t, noEnv, "", "import", "districts", file, "--crs", "wgs84", "--db", db, "--log-level", "warn")
	if err != nil || !strings.Contains(out, "created 0, updated 1, unchanged 2") {
		t.Fatalf("import after a rename (city and province kept from the store): %v\n%s", err, out)
	}
	if after := storedDistricts(t, db)["330106"]; after.ID != d.ID || after.Name != "西湖区" || after.City != "杭州市" {
		t.Errorf("after re-import: %+v, want id %d named 西湖区 in 杭州市", after, d.ID)
	}
}

// hasVertex reports whether mp has a vertex within tol degrees of p.
func hasVertex(mp orb.MultiPolygon, p orb.Point, tol float64) bool {
	for _, poly := range mp {
		for _, r := range poly {
			for _, q := range r {
				if math.Abs(q[0]-p[0]) <= tol && math.Abs(q[1]-p[1]) <= tol {
					return true
				}
			}
		}
	}
	return false
}

// TestImportDistrictsGCJ02 imports the same districts published in GCJ-02
// (the fixture is the WGS-84 one offset by geo.WGS84ToGCJ02) and checks that
// every stored vertex is back on the WGS-84 original, to 1e-8 degrees (1 mm).
func TestImportDistrictsGCJ02(t *testing.T) {
	dir := t.TempDir()
	wgs := "sqlite:" + filepath.Join(dir, "w.db")
	gcj := "sqlite:" + filepath.Join(dir, "g.db")
	for _, run := range []struct{ db, file, crs string }{{wgs, "hangzhou-wgs84.geojson", "wgs84"}, {gcj, "hangzhou-gcj02.geojson", "gcj02"}} {
		out, _, err := runCmd(t, noEnv, "", "import", "districts", districtFixture(run.file), "--crs", run.crs,
			"--city", "杭州市", "--province", "浙江省", "--db", run.db, "--log-level", "warn")
		if err != nil {
			t.Fatalf("import %s: %v\n%s", run.file, err, out)
		}
		if run.crs == "gcj02" && !strings.Contains(out, "(GeoJSON, GCJ-02 → WGS-84)") {
			t.Errorf("output does not say the file was converted:\n%s", out)
		}
	}
	want, got := storedDistricts(t, wgs), storedDistricts(t, gcj)
	if len(got) != 3 {
		t.Fatalf("%d districts from the GCJ-02 file, want 3", len(got))
	}
	for code, w := range want {
		g := got[code]
		if g == nil || len(g.Boundary) != len(w.Boundary) {
			t.Fatalf("district %s: %v, want %d polygons", code, g, len(w.Boundary))
		}
		maxErr := 0.0
		for pi := range w.Boundary {
			for ri := range w.Boundary[pi] {
				if len(g.Boundary[pi][ri]) != len(w.Boundary[pi][ri]) {
					t.Fatalf("district %s polygon %d ring %d: %d points, want %d", code, pi, ri, len(g.Boundary[pi][ri]), len(w.Boundary[pi][ri]))
				}
				for i, p := range w.Boundary[pi][ri] {
					q := g.Boundary[pi][ri][i]
					maxErr = math.Max(maxErr, math.Max(math.Abs(p[0]-q[0]), math.Abs(p[1]-q[1])))
				}
			}
		}
		if maxErr > 1e-8 {
			t.Errorf("district %s: GCJ-02 import is off the WGS-84 original by up to %g°", code, maxErr)
		}
	}
}

// TestImportDistrictsBroken imports a file with one good feature, one good
// after dropping a repeated vertex, and ten bad ones: the good ones are
// stored, each bad one is reported by index, name and what is at fault, and
// the command fails.
func TestImportDistrictsBroken(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "b.db")
	out, _, err := runCmd(t, noEnv, "", "import", "districts", districtFixture("broken.geojson"), "--crs", "wgs84",
		"--city", "杭州市", "--province", "浙江省", "--db", db, "--log-level", "warn")
	if err == nil || !strings.Contains(err.Error(), "10 of 12 features rejected") {
		t.Fatalf("err = %v, want 10 of 12 rejected\n%s", err, out)
	}
	if !strings.Contains(out, "12 features: created 2, updated 0, unchanged 0, rejected 10") {
		t.Errorf("summary missing:\n%s", out)
	}
	wantLines := []string{
		"feature 1 (萧山区): adcode: is missing",
		"feature 2 (adcode 330110): name: is missing",
		`feature 3 (临平区, adcode 330113): geometry: must be a Polygon or MultiPolygon, got "Point"`,
		"feature 4 (钱塘区, adcode 330114): geometry: ring 0 point 2: self-intersection: edge 0–1 crosses edge 2–3",
		"feature 5 (富阳区, adcode 330111): geometry: ring 0 point 3: ring is not closed",
		"feature 6 (临安区, adcode 330112): geometry: polygon 1 ring 0 point 2: latitude 95 out of range",
		"feature 7 (桐庐县, adcode 330122): geometry: ring 0 point 2: a position is [lng, lat], got 1 numbers",
		"feature 8 (滨江区（重复）, adcode 330108): adcode 330108: repeats feature 0",
		"feature 9 (拱墅区, adcode 330105): geometry: is missing",
		`feature 10 (下城区, adcode 330103): type must be "Feature", got "Foo"`,
	}
	for _, w := range wantLines {
		if !strings.Contains(out, "rejected  "+w) {
			t.Errorf("output lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
	got := storedDistricts(t, db)
	if len(got) != 2 || got["330108"] == nil || got["330182"] == nil {
		t.Fatalf("stored %v, want 330108 and 330182", got)
	}
	if got["330108"].Name != "滨江区" {
		t.Errorf("330108 is %q: the duplicate overwrote the first", got["330108"].Name)
	}
	if n := len(got["330182"].Boundary[0][0]); n != 5 {
		t.Errorf("建德市 stored with %d points, want 5 (the repeated vertex dropped)", n)
	}
}

// TestImportDistrictsKML: the same command reads KML (properties as
// ExtendedData, the Placemark's name as the name).
func TestImportDistrictsKML(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "k.db")
	out, _, err := runCmd(t, noEnv, "", "import", "districts", districtFixture("binjiang.kml"), "--crs", "wgs84",
		"--city", "杭州市", "--province", "浙江省", "--db", db, "--log-level", "warn")
	if err != nil || !strings.Contains(out, "(KML, WGS-84): 1 features: created 1") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	d := storedDistricts(t, db)["330108"]
	if d == nil || d.Name != "滨江区" || !hasVertex(d.Boundary, orb.Point{120.24, 30.22}, 0) {
		t.Fatalf("stored %+v", d)
	}
}
