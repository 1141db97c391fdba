package demo

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gridplan/geo"
)

// addressRE splits what follows the district: road, number, then for a
// tenant place, building and room.
var addressRE = regexp.MustCompile(`^(.+?(?:大道|路|街))(\d+)号(?:(.+?)(\d+)幢(\d+)室)?$`)

type parsedAddress struct {
	district, road string
	number         int
	place          string
	building, room int
}

// parseAddress reads an address string back into parts, knowing only the
// district names: it is what a geocoder would have to do.
func parseAddress(s string, districts []string) (parsedAddress, bool) {
	var a parsedAddress
	rest, ok := strings.CutPrefix(s, "浙江省杭州市")
	if !ok {
		return a, false
	}
	for _, d := range districts {
		if r, ok := strings.CutPrefix(rest, d); ok && (a.district == "" || len(d) > len(a.district)) {
			a.district, s = d, r
		}
	}
	m := addressRE.FindStringSubmatch(s)
	if a.district == "" || m == nil {
		return a, false
	}
	a.road, a.place = m[1], m[3]
	a.number, _ = strconv.Atoi(m[2])
	if a.place != "" {
		a.building, _ = strconv.Atoi(m[4])
		a.room, _ = strconv.Atoi(m[5])
	}
	return a, true
}

func TestParseAddress(t *testing.T) {
	districts := []string{"西湖区", "万市区", "万市新区"}
	tests := []struct {
		in   string
		want parsedAddress
		ok   bool
	}{
		{"浙江省杭州市西湖区文三路88号", parsedAddress{district: "西湖区", road: "文三路", number: 88}, true},
		{"浙江省杭州市万市新区江南大道1203号星光科技园3幢1205室", parsedAddress{"万市新区", "江南大道", 1203, "星光科技园", 3, 1205}, true},
		{"浙江省杭州市西湖区文三路", parsedAddress{}, false},
		{"杭州市西湖区文三路8号", parsedAddress{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseAddress(tt.in, districts)
			if ok != tt.ok || (ok && got != tt.want) {
				t.Fatalf("parseAddress = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// Every customer's address names the district that contains it and a road
// stretch of that district, within 100 m, whose number range holds the
// number; street numbers sit at their measure along the road, odd on the
// left, even on the right.
func TestAddresses(t *testing.T) {
	c := mustCity(t)
	var names []string
	for _, d := range c.Districts {
		names = append(names, d.Name)
	}
	type key struct{ district, road string }
	stretches := map[key][]*Road{}
	for _, r := range c.Roads {
		k := key{r.District, r.Name}
		stretches[k] = append(stretches[k], r)
	}
	places := map[string]*Place{}
	for _, p := range c.Places {
		if places[p.Name] != nil {
			t.Fatalf("place name %s repeated", p.Name)
		}
		places[p.Name] = p
	}
	dix := districtIndex(t, c)
	var maxAlong, maxDist float64
	for i, cu := range c.Customers {
		if got := c.Addresses[i].String(); got != cu.Address {
			t.Fatalf("customer %s: Addresses[%d] says %q, customer says %q", cu.ExternalID, i, got, cu.Address)
		}
		a, ok := parseAddress(cu.Address, names)
		if !ok {
			t.Fatalf("customer %s: address %q does not parse", cu.ExternalID, cu.Address)
		}
		d, ok := dix.Locate(cu.Location)
		if !ok || c.Districts[d].Name != a.district {
			t.Fatalf("customer %s at %v: address %q, but the point is in district %d", cu.ExternalID, cu.Location, cu.Address, d)
		}
		var road *Road
		for _, r := range stretches[key{a.district, a.road}] {
			if a.number >= r.MinNumber && a.number <= r.MaxNumber {
				road = r
			}
		}
		if road == nil {
			t.Fatalf("customer %s: no stretch of %s in %s holds number %d", cu.ExternalID, a.road, a.district, a.number)
		}
		m, dist, left := road.Project(cu.Location)
		if dist > 100 {
			t.Fatalf("customer %s: %q is %.1f m from the road", cu.ExternalID, cu.Address, dist)
		}
		maxDist = math.Max(maxDist, dist)
		if a.place == "" {
			if left != (a.number%2 == 1) {
				t.Fatalf("customer %s: number %d but on the %s side", cu.ExternalID, a.number, map[bool]string{true: "left (odd)", false: "right (even)"}[left])
			}
			along := math.Abs(m - road.NumberMeasure(a.number))
			maxAlong = math.Max(maxAlong, along)
			if along > road.SpacingM {
				t.Fatalf("customer %s: number %d belongs at %.1f m along %s, the customer is at %.1f m",
					cu.ExternalID, a.number, road.NumberMeasure(a.number), road.Name, m)
			}
			continue
		}
		pl := places[a.place]
		switch {
		case pl == nil:
			t.Fatalf("customer %s: unknown place %q", cu.ExternalID, a.place)
		case pl.Road != a.road || pl.Number != a.number || pl.District != a.district:
			t.Fatalf("customer %s: %q, but %s is at %s", cu.ExternalID, cu.Address, pl.Name, pl.Address)
		case a.building < 1 || a.building > pl.Buildings || a.room/100 < 1 || a.room/100 > pl.Floors:
			t.Fatalf("customer %s: building %d room %d, %s has %d buildings of %d floors", cu.ExternalID, a.building, a.room, pl.Name, pl.Buildings, pl.Floors)
		case geo.DistanceM(pl.Point, cu.Location) > 300:
			t.Fatalf("customer %s: %.0f m from %s", cu.ExternalID, geo.DistanceM(pl.Point, cu.Location), pl.Name)
		}
	}
	t.Logf("largest distance to the road %.1f m; largest gap between a street number's place and the customer along the road %.1f m", maxDist, maxAlong)
}

// The gazetteer is complete: every stretch lies in its district, measures
// grow, number ranges match the measures, and a number geocodes back to
// the stretch; places sit on their road.
func TestGazetteer(t *testing.T) {
	c := mustCity(t)
	dix := districtIndex(t, c)
	byName := map[string][]*Road{}
	for i, r := range c.Roads {
		if r.ID != int64(i+1) || r.Name == "" || len(r.Line) < 2 || len(r.Line) != len(r.M) {
			t.Fatalf("road %d: %+v", i+1, r)
		}
		if r.Class != Arterial && r.Class != Street {
			t.Fatalf("road %s: class %q", r.Name, r.Class)
		}
		for k, p := range r.Line {
			if d, ok := dix.Locate(p); !ok || int64(d+1) != r.DistrictID || c.Districts[d].Name != r.District {
				t.Fatalf("road %s vertex %d %v is not in %s", r.Name, k, p, r.District)
			}
			if k > 0 {
				if want := r.M[k-1] + geo.DistanceM(r.Line[k-1], p); r.M[k] <= r.M[k-1] || math.Abs(r.M[k]-want) > 1e-6 {
					t.Fatalf("road %s: measure %d is %.3f, want %.3f", r.Name, k, r.M[k], want)
				}
			}
		}
		if r.MinNumber != r.Number(r.M[0], true) || r.MaxNumber != r.Number(r.M[len(r.M)-1], false) || r.MinNumber%2 != 1 || r.MaxNumber%2 != 0 {
			t.Fatalf("road %s: numbers %d–%d for measures %.1f–%.1f", r.Name, r.MinNumber, r.MaxNumber, r.M[0], r.M[len(r.M)-1])
		}
		for _, n := range []int{r.MinNumber, (r.MinNumber + r.MaxNumber) / 2, r.MaxNumber} {
			p, ok := r.PointAt(n)
			if !ok {
				t.Fatalf("road %s: PointAt(%d) refused a number in %d–%d", r.Name, n, r.MinNumber, r.MaxNumber)
			}
			if _, dist, _ := r.Project(p); dist > 0.5 {
				t.Fatalf("road %s: PointAt(%d) = %v is %.2f m off the line", r.Name, n, p, dist)
			}
		}
		if _, ok := r.PointAt(r.MaxNumber + 1); ok {
			t.Fatalf("road %s: PointAt beyond the stretch accepted", r.Name)
		}
		byName[r.Name] = append(byName[r.Name], r)
	}
	// Stretches of one road: numbers never overlap, and continue across
	// districts in the order of the road.
	for name, rs := range byName {
		for i := 1; i < len(rs); i++ {
			if rs[i].MinNumber <= rs[i-1].MaxNumber-2 || rs[i].M[0] < rs[i-1].M[len(rs[i-1].M)-1] {
				t.Fatalf("road %s: stretch %d (%d–%d) overlaps stretch %d (%d–%d)", name, i, rs[i].MinNumber, rs[i].MaxNumber, i-1, rs[i-1].MinNumber, rs[i-1].MaxNumber)
			}
		}
	}
	for _, p := range c.Places {
		r := c.Roads[p.RoadID-1]
		if r.Name != p.Road || r.District != p.District || p.Number < r.MinNumber || p.Number > r.MaxNumber {
			t.Fatalf("place %s: %s %d号 is not on road %d (%s %d–%d)", p.Name, p.Road, p.Number, r.ID, r.Name, r.MinNumber, r.MaxNumber)
		}
		q, _ := r.PointAt(p.Number)
		if d := geo.DistanceM(p.Point, q); d > 100 {
			t.Fatalf("place %s is %.0f m from where %s %d号 geocodes", p.Name, d, p.Road, p.Number)
		}
		if d, ok := dix.Locate(p.Point); !ok || c.Districts[d].Name != p.District {
			t.Fatalf("place %s is not in %s", p.Name, p.District)
		}
	}
	kinds := map[PlaceKind]int{}
	for _, p := range c.Places {
		kinds[p.Kind]++
	}
	if kinds[Park] == 0 || kinds[Tower] == 0 || kinds[Plaza] == 0 {
		t.Fatalf("place kinds %v: want parks, towers and plazas", kinds)
	}
}
