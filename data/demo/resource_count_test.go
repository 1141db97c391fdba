package demo

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"gridplan/territory"
)

// TestResourceCount asks for a number of resources: exactly that many, a
// realistic mix of coverages, kinds and statuses, the same city for the
// same options.
func TestResourceCount(t *testing.T) {
	opts := Options{Seed: 3, Customers: 4000, Now: testNow, Resources: 1500}
	c, err := Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Resources) != 1500 {
		t.Fatalf("%d resources, want 1500", len(c.Resources))
	}
	status := map[territory.ResourceStatus]int{}
	cover := map[string]int{}
	kinds := map[string]int{}
	coversOwn := 0
	for i, r := range c.Resources {
		if r.ID != int64(i+1) {
			t.Fatalf("resource %d has provisional id %d", i, r.ID)
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("resource %s: %v", r.Name, err)
		}
		status[r.Status]++
		kinds[r.Kind]++
		switch {
		case r.Geometry == nil:
			cover["cells"]++
			if !slices.Contains([]string{KindIndoor5G, KindCommunity}, r.Kind) || len(r.Cells) != 1 && len(r.Cells) != 7 {
				t.Errorf("cell resource %s: kind %s, %d cells", r.Name, r.Kind, len(r.Cells))
			}
		default:
			cover[r.Geometry.GeoJSONType()]++
		}
		if r.Status == territory.ResourceExisting {
			if r.ExpectedDate != nil {
				t.Errorf("existing resource %s expected on %v", r.Name, r.ExpectedDate)
			}
		} else if r.ExpectedDate == nil || !r.ExpectedDate.After(testNow) {
			t.Errorf("%s resource %s expected on %v, want after now", r.Status, r.Name, r.ExpectedDate)
		}
		// Sited where the businesses are: it covers one near its site.
		site, reach, covers := coverage(r)
		const mPerDeg = 111_000.0
		for _, cu := range c.Customers {
			p := cu.Location
			if math.Abs(p[1]-site[1])*mPerDeg > reach+200 || math.Abs(p[0]-site[0])*mPerDeg*0.86 > reach+200 {
				continue
			}
			if covers(p) {
				coversOwn++
				break
			}
		}
	}
	n := float64(len(c.Resources))
	if s := float64(status[territory.ResourceExisting]) / n; s < 0.65 || s > 0.75 {
		t.Errorf("existing share %.2f, want about 0.70 (%v)", s, status)
	}
	for _, s := range []territory.ResourceStatus{territory.ResourceUnderConstruction, territory.ResourcePlanned} {
		if f := float64(status[s]) / n; f < 0.11 || f > 0.19 {
			t.Errorf("%s share %.2f, want about 0.15", s, f)
		}
	}
	if f := float64(cover["cells"]) / n; f < 0.07 || f > 0.13 {
		t.Errorf("cell share %.2f, want about 0.10 (%v)", f, cover)
	}
	if cover["Point"] == 0 || cover["Polygon"] == 0 {
		t.Errorf("coverages %v: want points, polygons and cells", cover)
	}
	for _, k := range []string{KindFibreCabinet, KindSite5G, KindBuildingAccess, KindServingArea, KindIndoor5G, KindCommunity} {
		if kinds[k] == 0 {
			t.Errorf("no %s (%v)", k, kinds)
		}
	}
	if f := float64(coversOwn) / n; f < 0.9 {
		t.Errorf("only %.0f%% of resources cover a business", 100*f)
	}
	t.Logf("%v %v %v", status, cover, kinds)

	again, err := Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	if cityHash(t, c) != cityHash(t, again) {
		t.Error("same options, different cities")
	}
	other := opts
	other.Resources = 1501
	c2, err := Generate(other)
	if err != nil {
		t.Fatal(err)
	}
	// Everything but the resources is the same city.
	c2.Resources, c.Resources = nil, nil
	if cityHash(t, c) != cityHash(t, c2) {
		t.Error("the number of resources changed something else")
	}
}

func TestResourceCountOptions(t *testing.T) {
	for _, n := range []int{-1, MaxResources + 1} {
		_, err := Generate(Options{Seed: 1, Customers: 300, Now: testNow, Resources: n})
		if err == nil || !strings.Contains(err.Error(), "resources") {
			t.Errorf("Resources %d: err %v", n, err)
		}
	}
}

// TestResourceCountLoad loads a counted city into SQLite: the cell
// resources come back with their cells.
func TestResourceCountLoad(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	c, err := Generate(Options{Seed: 5, Customers: 1500, Now: testNow, Resources: 400})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, r := range c.Resources {
		want[r.Name] = len(r.Cells)
	}
	if err := Load(ctx, s, c, nil); err != nil {
		t.Fatal(err)
	}
	rs, err := s.Resources(ctx, territory.ResourceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	cells := 0
	for _, r := range rs {
		if len(r.Cells) != want[r.Name] {
			t.Errorf("%s: %d cells back, want %d", r.Name, len(r.Cells), want[r.Name])
		}
		if len(r.Cells) > 0 {
			cells++
		}
	}
	if len(rs) != 400 || cells == 0 {
		t.Errorf("%d resources stored (%d with cells), want 400", len(rs), cells)
	}
}
