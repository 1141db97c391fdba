package demo

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridplan/geo"
)

func TestGenerateDeterministic(t *testing.T) {
	base := Options{Seed: 7, Customers: 6000, Now: testNow}
	a, err := Generate(base)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(base)
	if err != nil {
		t.Fatal(err)
	}
	ha, hb := cityHash(t, a), cityHash(t, b)
	if ha != hb {
		t.Fatalf("same options, different cities: %s vs %s", ha, hb)
	}
	tests := []struct {
		name string
		opts Options
	}{
		{"other seed", Options{Seed: 8, Customers: 6000, Now: testNow}},
		{"other now", Options{Seed: 7, Customers: 6000, Now: testNow.Add(24 * time.Hour)}},
		{"other size", Options{Seed: 7, Customers: 6001, Now: testNow}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Generate(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if h := cityHash(t, c); h == ha {
				t.Fatalf("options %+v gave the same city as %+v", tt.opts, base)
			}
		})
	}
}

func TestGenerateOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string // "" = valid
		want    int    // customers when valid
	}{
		{name: "default size", opts: Options{Seed: 1, Now: testNow}, want: DefaultCustomers},
		{name: "tiny city", opts: Options{Seed: 1, Customers: 300, Now: testNow}, want: 300},
		{name: "one business", opts: Options{Seed: 1, Customers: 1, Now: testNow}, want: 1},
		{name: "negative", opts: Options{Customers: -5, Now: testNow}, wantErr: "customers: must not be negative, got -5"},
		{name: "too many", opts: Options{Customers: MaxCustomers + 1, Now: testNow}, wantErr: "customers: at most"},
		{name: "no now", opts: Options{Customers: 1000}, wantErr: "now: is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Generate(tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Generate(%+v) error %v, want one containing %q", tt.opts, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Generate(%+v): %v", tt.opts, err)
			}
			if len(c.Customers) != tt.want || c.Options.Customers != tt.want {
				t.Fatalf("%d customers (options say %d), want %d", len(c.Customers), c.Options.Customers, tt.want)
			}
		})
	}
}

func TestScale(t *testing.T) {
	// Sizes without generating: the formula behind the city.
	tests := []struct {
		customers            int
		minDistricts, maxDis int
		minGrids, maxGrids   int
	}{
		{20_000, 6, 10, 80, 120},
		{200_000, 25, 45, 800, 1200},
		{1_000_000, 80, 130, 1000, 10000},
	}
	for _, tt := range tests {
		s := newScale(tt.customers)
		cells := float64(s.rows * s.cols)
		if s.districts < tt.minDistricts || s.districts > tt.maxDis || cells < float64(tt.minGrids) || cells*0.9 > float64(tt.maxGrids) {
			t.Errorf("newScale(%d) = %+v: want %d–%d districts and %d–%d grids", tt.customers, s, tt.minDistricts, tt.maxDis, tt.minGrids, tt.maxGrids)
		}
	}

	c := mustCity(t)
	if n := len(c.Districts); n < 6 || n > 10 {
		t.Errorf("%d districts, want about 8", n)
	}
	if n := len(c.Grids); n < 60 || n > 130 {
		t.Errorf("%d grids, want about 100", n)
	}
	if n := len(c.Managers); n < 120 || n > 150 {
		t.Errorf("%d managers, want 120–150", n)
	}
	real := []string{"上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区"}
	seen := map[string]bool{}
	for i, d := range c.Districts {
		if i < len(real) && d.Name != real[i] {
			t.Errorf("district %d is %s, want the real name %s", i+1, d.Name, real[i])
		}
		if d.City != "杭州市" || d.Province != "浙江省" || len(d.Code) != 6 || len(d.Boundary) != 1 {
			t.Errorf("district %s: code %q city %q province %q, %d rings", d.Name, d.Code, d.City, d.Province, len(d.Boundary))
		}
		if seen[d.Name] || seen[d.Code] {
			t.Errorf("district %s/%s repeated", d.Name, d.Code)
		}
		seen[d.Name], seen[d.Code] = true, true
	}
	// 上城区 is downtown: it holds the city centre.
	if i, ok := districtIndex(t, c).Locate(Center); !ok || c.Districts[i].Name != "上城区" {
		t.Errorf("the centre %v lies in district %d, want 上城区", Center, i)
	}
}

// The big city keeps its shape: district names stay distinct, grids tile,
// lists stay within quota. Seconds without -race; skipped with -short.
func TestGenerateLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("200,000 businesses: skipped with -short")
	}
	start := time.Now()
	c, err := Generate(Options{Seed: 3, Customers: 200_000, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("200,000 businesses: %d districts, %d grids, %d managers, %d roads, %d places, %d resources, %d activities in %v",
		len(c.Districts), len(c.Grids), len(c.Managers), len(c.Roads), len(c.Places), len(c.Resources), len(c.Activities), time.Since(start))
	if len(c.Districts) < 25 || len(c.Grids) < 800 || len(c.Managers) < 1200 {
		t.Fatalf("%d districts, %d grids, %d managers: too few for 200,000 businesses", len(c.Districts), len(c.Grids), len(c.Managers))
	}
	names := map[string]bool{}
	for _, d := range c.Districts {
		if names[d.Name] {
			t.Fatalf("district name %s repeated", d.Name)
		}
		names[d.Name] = true
	}
	checkTiling(t, c, 20000)
	checkLists(t, c)
}

func TestTiling(t *testing.T) {
	checkTiling(t, mustCity(t), 20000)
}

// checkTiling proves that grids tile districts: valid polygons, convex
// grids, grid areas adding up to their district's, and random points in
// exactly one grid whose district contains them.
func checkTiling(t *testing.T, c *City, points int) {
	t.Helper()
	area := make([]float64, len(c.Districts))
	for _, g := range c.Grids {
		if err := geo.ValidatePolygon(g.Boundary); err != nil {
			t.Fatalf("grid %s: %v", g.Code, err)
		}
		if !convex(g.Boundary[0]) {
			t.Fatalf("grid %s is not a convex quad: %v", g.Code, g.Boundary)
		}
		area[g.DistrictID-1] += planar.Area(g.Boundary)
	}
	var bound orb.Bound
	for i, d := range c.Districts {
		if err := geo.ValidatePolygon(d.Boundary[0]); err != nil {
			t.Fatalf("district %s: %v", d.Name, err)
		}
		want := planar.Area(d.Boundary)
		if rel := math.Abs(area[i]-want) / want; rel > 1e-9 {
			t.Fatalf("district %s: grids cover %.12g deg², district %.12g deg² (relative %.2g)", d.Name, area[i], want, rel)
		}
		if i == 0 {
			bound = d.Boundary.Bound()
		}
		bound = bound.Union(d.Boundary.Bound())
	}
	dix := districtIndex(t, c)
	gix := gridIndex(t, c)
	rng := rand.New(rand.NewPCG(1, 2))
	inside := 0
	for range points {
		p := orb.Point{uniform(rng, bound.Min[0], bound.Max[0]), uniform(rng, bound.Min[1], bound.Max[1])}
		var hits []int
		gix.Search(orb.Bound{Min: p, Max: p}, func(k int, poly orb.Polygon) bool {
			if planar.PolygonContains(poly, p) {
				hits = append(hits, k)
			}
			return true
		})
		d, inCity := dix.Locate(p)
		switch {
		case inCity && len(hits) != 1:
			t.Fatalf("point %v in district %s lies in %d grids %v, want exactly 1", p, c.Districts[d].Name, len(hits), hits)
		case !inCity && len(hits) != 0:
			t.Fatalf("point %v outside every district lies in grids %v", p, hits)
		case inCity && c.Grids[hits[0]].DistrictID != int64(d+1):
			t.Fatalf("point %v: grid %s belongs to district %d, but district %s contains the point",
				p, c.Grids[hits[0]].Code, c.Grids[hits[0]].DistrictID, c.Districts[d].Name)
		}
		if inCity {
			inside++
		}
	}
	if inside < points/3 {
		t.Fatalf("only %d of %d random points fell in the city", inside, points)
	}
}

// convex reports whether a closed ring turns the same way at every vertex.
func convex(r orb.Ring) bool {
	n := len(r) - 1
	sign := 0.0
	for i := range n {
		a, b, c := r[i], r[(i+1)%n], r[(i+2)%n]
		cross := (b[0]-a[0])*(c[1]-b[1]) - (b[1]-a[1])*(c[0]-b[0])
		if cross == 0 || (sign != 0 && (cross > 0) != (sign > 0)) {
			return false
		}
		sign = cross
	}
	return true
}

func TestRowsValidate(t *testing.T) {
	// Generate validates every row itself; this checks the guard works by
	// breaking a row after the fact.
	c, err := Generate(Options{Seed: 2, Customers: 2000, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	g := &gen{city: c}
	if err := g.validate(); err != nil {
		t.Fatalf("fresh city: %v", err)
	}
	c.Customers[5].Carrier = "martian"
	err = g.validate()
	if err == nil || !strings.Contains(err.Error(), "customer 6") || !strings.Contains(err.Error(), "carrier") {
		t.Fatalf("broken customer: error %v, want one naming customer 6 and the carrier", err)
	}
}
