package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/geo"
	"gridplan/territory"
)

func resourceFixture(name string) string { return filepath.Join("testdata", "resources", name) }

// storedResources opens db and returns its resources by code.
func storedResources(t *testing.T, db string) map[string]*territory.Resource {
	t.Helper()
	return storedByCode(t, db, func(ctx context.Context, s data.Store) ([]*territory.Resource, error) {
		return s.Resources(ctx, territory.ResourceFilter{})
	}, func(r *territory.Resource) string { return r.Code })
}

func TestImportResourcesHelpAndBadInvocations(t *testing.T) {
	checkHelp(t, []string{"import", "resources"},
		"Usage: gridplan import resources", "-crs", "-format", "-dry-run", "-db", "名称", "现有")
	db := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	file := resourceFixture("hangzhou.csv")
	checkRefusals(t, []refusal{
		{"no file", []string{"import", "resources", "--db", db}, "no file given"},
		{"two files", []string{"import", "resources", file, file, "--db", db}, "unexpected arguments"},
		{"bad crs", []string{"import", "resources", file, "--crs", "utm50", "--db", db}, `unknown coordinate system "utm50"`},
		{"bad format", []string{"import", "resources", file, "--format", "xlsx", "--db", db}, "want csv or geojson"},
		{"missing file", []string{"import", "resources", "nope.csv", "--db", db}, "no such file"},
		{"not a resource file", []string{"import", "resources", "resources_test.go", "--db", db}, "lacks required columns"},
	})
}

func TestImportResourcesCLI(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "r.db")
	// Dry run first: the report, nothing written.
	out, _, err := runCmd(t, noEnv, "", "import", "resources", resourceFixture("hangzhou.csv"), "--db", db, "--dry-run", "--log-level", "warn")
	if err == nil || !strings.Contains(err.Error(), "2 of 5 rows rejected") {
		t.Fatalf("dry run err = %v", err)
	}
	if !strings.Contains(out, "dry run, nothing written") || len(storedResources(t, db)) != 0 {
		t.Fatalf("dry run wrote, or said otherwise:\n%s", out)
	}
	out, _, err = runCmd(t, noEnv, "", "import", "resources", resourceFixture("hangzhou.csv"), "--db", db, "--log-level", "warn")
	if err == nil || !strings.Contains(err.Error(), "2 of 5 rows rejected") {
		t.Fatalf("err = %v", err)
	}
	for _, w := range []string{
		"5 rows: created 3, updated 0, unchanged 0, rejected 2",
		"column status        ← 状态",
		"rejected line 5 column 状态: unknown status \"传说\"",
		"rejected line 6 column 半径: a point resource needs a radius in (0, 50000] metres, got 60000",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output does not say %q:\n%s", w, out)
		}
	}
	rs := storedResources(t, db)
	if len(rs) != 3 || rs["R-002"].Status != territory.ResourceUnderConstruction || len(rs["R-003"].Cells) != 2 ||
		rs["R-003"].ExpectedDate.Format("2006-01-02") != "2028-01-15" || rs["R-001"].RadiusM != 350 {
		t.Fatalf("stored %+v", rs)
	}
	// Again: unchanged.
	out, _, _ = runCmd(t, noEnv, "", "import", "resources", resourceFixture("hangzhou.csv"), "--db", db, "--log-level", "warn")
	if !strings.Contains(out, "created 0, updated 0, unchanged 3, rejected 2") {
		t.Errorf("second import:\n%s", out)
	}

	// GeoJSON in GCJ-02: converted, no rejects, exit 0.
	out, _, err = runCmd(t, noEnv, "", "import", "resources", resourceFixture("areas-gcj02.geojson"), "--crs", "gcj02", "--db", db, "--log-level", "warn")
	if err != nil {
		t.Fatalf("GeoJSON import: %v\n%s", err, out)
	}
	if !strings.Contains(out, "(geojson, gcj02)") || !strings.Contains(out, "created 2") {
		t.Errorf("GeoJSON output:\n%s", out)
	}
	rs = storedResources(t, db)
	want, _ := geo.ToWGS84(orb.Point{120.16, 30.28}, geo.GCJ02)
	if rs["A-002"].Geometry != want || rs["A-002"].RadiusM != 800 {
		t.Errorf("OLT %+v, want at %v", rs["A-002"], want)
	}
	if p, ok := rs["A-001"].Geometry.(orb.Polygon); !ok || geo.DistanceM(p[0][0], orb.Point{120.08, 30.30}) < 100 {
		t.Errorf("serving area %+v: not converted from GCJ-02", rs["A-001"])
	}
}
