package geocode_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/geo/geocode"
)

// Two districts of a small Chinese city and an English town.
//
// 文三路 runs east along y = 0 in 西湖区 from x = 0 m: number n is at
// ((n-1)/2)·20 + 10 m along, odd numbers 20 m north (left), even 20 m
// south. Its address points are every number up to 60 except 11, 12 and
// 13, which interpolation must place. 文二路 runs parallel 500 m north in
// 西湖区; 文一路 in 上城区, 3 km east. 西溪科技园 is a place on 文三路 at 90号.
// Main Street in Douglas has points 1–9 (odd) and no line.
var origin = orb.Point{120.1, 30.3}

func at(eastM, northM float64) orb.Point { return geo.Offset(origin, eastM, northM) }

func numberPoint(n int, y0 float64) orb.Point {
	along := float64((n-1)/2)*20 + 10
	side := 20.0
	if n%2 == 0 {
		side = -20
	}
	return at(along, y0+side)
}

func testEntries() []geocode.Entry {
	es := []geocode.Entry{
		{Kind: geocode.KindDistrict, Name: "西湖区", City: "杭州市", Region: "浙江省", Geometry: at(1000, 1000)},
		{Kind: geocode.KindDistrict, Name: "上城区", City: "杭州市", Region: "浙江省", Geometry: at(5000, 1000)},
		{Kind: geocode.KindRoad, Street: "文三路", District: "西湖区", City: "杭州市", Geometry: orb.LineString{at(0, 0), at(1000, 0), at(2000, 0)}},
		{Kind: geocode.KindRoad, Street: "文二路", District: "西湖区", City: "杭州市", Geometry: orb.LineString{at(0, 500), at(2000, 500)}},
		{Kind: geocode.KindRoad, Street: "文一路", District: "上城区", City: "杭州市", Geometry: orb.LineString{at(3000, 0), at(5000, 0)}},
		{Kind: geocode.KindPlace, Name: "西溪科技园", Number: "90", Street: "文三路", District: "西湖区", City: "杭州市", Geometry: at(900, 60)},
	}
	for n := 1; n <= 60; n++ {
		if n >= 11 && n <= 13 {
			continue
		}
		es = append(es, geocode.Entry{Kind: geocode.KindAddress, Number: strconv.Itoa(n), Street: "文三路", District: "西湖区", City: "杭州市", Region: "浙江省", Geometry: numberPoint(n, 0)})
		es = append(es, geocode.Entry{Kind: geocode.KindAddress, Number: strconv.Itoa(n), Street: "文二路", District: "西湖区", City: "杭州市", Region: "浙江省", Geometry: numberPoint(n, 500)})
	}
	for n := 1; n <= 9; n += 2 {
		es = append(es, geocode.Entry{Kind: geocode.KindAddress, Number: strconv.Itoa(n), Street: "文一路", District: "上城区", City: "杭州市", Geometry: numberPoint(n, 0)})
	}
	// An English town: Main Street without a line, a postcode per side.
	for n := 1; n <= 9; n += 2 {
		es = append(es, geocode.Entry{Kind: geocode.KindAddress, Number: strconv.Itoa(n), Street: "Main Street", City: "Douglas", Postcode: "IM1 2AB",
			Geometry: orb.Point{-4.48 + float64(n)*0.0001, 54.15}})
	}
	es = append(es, geocode.Entry{Kind: geocode.KindAddress, Number: "12A", Street: "Strand Street", City: "Douglas", Postcode: "IM1 2EG", Geometry: orb.Point{-4.47, 54.151}})
	es = append(es, geocode.Entry{Kind: geocode.KindAddress, Number: "3", Street: "Main Street", City: "Peel", Postcode: "IM5 1AA", Geometry: orb.Point{-4.69, 54.22}})
	return es
}

var (
	testGazOnce sync.Once
	testGaz     *geocode.Gazetteer
)

func mustGazetteer(tb testing.TB) *geocode.Gazetteer {
	tb.Helper()
	testGazOnce.Do(func() {
		var err error
		testGaz, err = geocode.NewGazetteer(testEntries())
		if err != nil {
			panic(err)
		}
	})
	return testGaz
}

func mustGeocoder(tb testing.TB, opts geocode.Options) *geocode.Geocoder {
	tb.Helper()
	gc, err := geocode.New(mustGazetteer(tb), opts)
	if err != nil {
		tb.Fatal(err)
	}
	return gc
}

func TestGeocode(t *testing.T) {
	gc := mustGeocoder(t, geocode.Options{})
	tests := []struct {
		name    string
		addr    string
		want    orb.Point
		within  float64 // metres
		prec    geocode.Precision
		minConf float64
		maxConf float64
	}{
		{"exact point", "浙江省杭州市西湖区文三路8号", numberPoint(8, 0), 0.5, geocode.PrecisionPoint, 1, 1},
		{"exact, no province or city", "西湖区文三路8号", numberPoint(8, 0), 0.5, geocode.PrecisionPoint, 1, 1},
		{"exact, road only", "文三路8号", numberPoint(8, 0), 0.5, geocode.PrecisionPoint, 1, 1},
		{"full-width and traditional", "西湖區文三路８號", numberPoint(8, 0), 0.5, geocode.PrecisionPoint, 1, 1},
		{"Chinese numerals", "西湖区文三路二十三号", numberPoint(23, 0), 0.5, geocode.PrecisionPoint, 1, 1},
		{"building and room ignored", "西湖区文三路8号3幢1205室", numberPoint(8, 0), 0.5, geocode.PrecisionPoint, 1, 1},
		{"city without 市", "杭州西湖区文三路8号", numberPoint(8, 0), 0.5, geocode.PrecisionPoint, 1, 1},
		{"road without suffix", "西湖区文三8号", numberPoint(8, 0), 0.5, geocode.PrecisionPoint, 0.8, 0.9},
		{"place", "西湖区西溪科技园5幢", at(900, 60), 0.5, geocode.PrecisionPlace, 0.85, 0.9},
		{"address of a place's tenant", "西湖区文三路90号西溪科技园5幢", at(900, 60), 0.5, geocode.PrecisionPlace, 0.85, 0.9},
		{"interpolated odd", "西湖区文三路11号", numberPoint(11, 0), 1, geocode.PrecisionInterpolated, 0.8, 0.85},
		{"interpolated even, right side", "西湖区文三路12号", numberPoint(12, 0), 1, geocode.PrecisionInterpolated, 0.8, 0.85},
		{"beyond the last number, along the line", "西湖区文三路62号", numberPoint(62, 0), 1, geocode.PrecisionInterpolated, 0.5, 0.85},
		{"far beyond: road", "西湖区文三路999号", numberPoint(60, 0), 1, geocode.PrecisionRoad, 0.5, 0.5},
		{"road without number", "西湖区文三路", at(1000, 0), 1, geocode.PrecisionRoad, 0.5, 0.5},
		{"district only", "杭州市上城区", at(5000, 1000), 0.5, geocode.PrecisionDistrict, 0.3, 0.3},
		{"unknown road in a district", "杭州市上城区解放路5号", at(5000, 1000), 0.5, geocode.PrecisionDistrict, 0.3, 0.3},
		{"homophone typo", "西湖区文叁路8号", numberPoint(8, 0), 0.5, geocode.PrecisionPoint, 0.8, 0.9},
		{"swapped characters", "西湖区三文路8号", numberPoint(8, 0), 0.5, geocode.PrecisionPoint, 0.75, 0.85},
		{"a character too many", "西湖区文三东路8号", numberPoint(8, 0), 0.5, geocode.PrecisionPoint, 0.6, 0.7},
		{"typo restricted by district: 文一路 is in 上城区", "上城区文六路3号", numberPoint(3, 0), 0.5, geocode.PrecisionPoint, 0.3, 0.6},
		{"typo far from any name", "西湖区天目山路8号", at(1000, 1000), 0.5, geocode.PrecisionDistrict, 0.3, 0.3},
		{"English exact", "5 Main Street, Douglas, IM1 2AB", orb.Point{-4.48 + 5*0.0001, 54.15}, 0.5, geocode.PrecisionPoint, 1, 1},
		{"English abbreviation", "5 Main St., Douglas", orb.Point{-4.48 + 5*0.0001, 54.15}, 0.5, geocode.PrecisionPoint, 1, 1},
		{"English town picks the road", "3 Main St, Peel", orb.Point{-4.69, 54.22}, 0.5, geocode.PrecisionPoint, 1, 1},
		{"English interpolated", "4 Main Street, Douglas", orb.Point{-4.48 + 4*0.0001, 54.15}, 1, geocode.PrecisionInterpolated, 0.6, 0.85},
		{"English suffix letter", "12 Strand St, Douglas", orb.Point{-4.47, 54.151}, 0.5, geocode.PrecisionPoint, 0.9, 0.9},
		{"English street without type", "12A Strand, Douglas", orb.Point{-4.47, 54.151}, 0.5, geocode.PrecisionPoint, 0.8, 0.9},
		{"English postcode only", "Somewhere Lane, IM1 2EG", orb.Point{-4.47, 54.151}, 0.5, geocode.PrecisionDistrict, 0.5, 0.5},
		{"English town only", "Peel", orb.Point{-4.69, 54.22}, 0.5, geocode.PrecisionDistrict, 0.3, 0.3},
		{"English road in another town: the town wins", "3 Strand Street, Peel", orb.Point{-4.69, 54.22}, 0.5, geocode.PrecisionDistrict, 0.3, 0.3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := gc.Geocode(context.Background(), tt.addr)
			if err != nil {
				t.Fatalf("Geocode(%q): %v", tt.addr, err)
			}
			d := geo.DistanceM(r.Location, tt.want)
			if r.Precision != tt.prec || d > tt.within || r.Confidence < tt.minConf || r.Confidence > tt.maxConf {
				t.Fatalf("Geocode(%q) = %s at %.1f m from %v, confidence %.2f (%s); want %s within %.1f m, confidence %.2f–%.2f",
					tt.addr, r.Precision, d, tt.want, r.Confidence, r.Matched, tt.prec, tt.within, tt.minConf, tt.maxConf)
			}
			if r.Matched == "" {
				t.Fatalf("Geocode(%q): no Matched text", tt.addr)
			}
		})
	}
}

// Without its district, a road name found in two districts is ambiguous:
// the number decides when only one of them has it.
func TestGeocodeWithoutDistrict(t *testing.T) {
	gc := mustGeocoder(t, geocode.Options{})
	r, err := gc.Geocode(context.Background(), "文二路40号")
	if err != nil || r.Precision != geocode.PrecisionPoint || geo.DistanceM(r.Location, numberPoint(40, 500)) > 0.5 {
		t.Fatalf("Geocode = %+v, %v; want 文二路40号's point", r, err)
	}
}

func TestGeocodeErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		min  geocode.Precision
		addr string
		want error
		says string // the error must say this
	}{
		{"empty", 0, "", geocode.ErrEmpty, "empty"},
		{"blank", 0, " \u3000 ，", geocode.ErrEmpty, "empty"},
		{"nothing known", 0, "火星大道1号", geocode.ErrNotFound, "火星大道"},
		{"nothing known, English", 0, "1 Nowhere Road, Atlantis", geocode.ErrNotFound, "Nowhere Road"},
		{"interpolated is too coarse for point", geocode.PrecisionPoint, "西湖区文三路11号", geocode.ErrTooCoarse, "found interpolated"},
		{"road is too coarse for interpolated", geocode.PrecisionInterpolated, "西湖区文三路", geocode.ErrTooCoarse, "no house number"},
		{"district is too coarse for road", geocode.PrecisionRoad, "杭州市上城区解放路5号", geocode.ErrTooCoarse, "road 解放路 not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gc := mustGeocoder(t, geocode.Options{MinPrecision: tt.min})
			r, err := gc.Geocode(ctx, tt.addr)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("Geocode(%q) = %+v, %v; want %v saying %q", tt.addr, r, err, tt.want, tt.says)
			}
			if r != (geocode.Result{}) {
				t.Fatalf("a failed Geocode returned %+v", r)
			}
		})
	}
	// Fine enough passes.
	gc := mustGeocoder(t, geocode.Options{MinPrecision: geocode.PrecisionInterpolated})
	if _, err := gc.Geocode(ctx, "西湖区文三路11号"); err != nil {
		t.Fatalf("interpolated with min interpolated: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := gc.Geocode(cctx, "西湖区文三路8号"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
	if _, err := geocode.New(mustGazetteer(t), geocode.Options{MinPrecision: 9}); err == nil || !strings.Contains(err.Error(), "min precision") {
		t.Fatalf("New with precision 9: %v", err)
	}
	if _, err := geocode.New(nil, geocode.Options{}); err == nil {
		t.Fatal("New(nil) succeeded")
	}
}

func TestNewGazetteerErrors(t *testing.T) {
	tests := []struct {
		name  string
		e     geocode.Entry
		field string
	}{
		{"address without point", geocode.Entry{Kind: geocode.KindAddress, Street: "文三路"}, "geometry"},
		{"address without street", geocode.Entry{Kind: geocode.KindAddress, Geometry: orb.Point{120, 30}}, "street"},
		{"latitude out of range", geocode.Entry{Kind: geocode.KindAddress, Street: "x", Geometry: orb.Point{120, 95}}, "latitude"},
		{"road with a point", geocode.Entry{Kind: geocode.KindRoad, Street: "x", Geometry: orb.Point{120, 30}}, "line string"},
		{"road of one point", geocode.Entry{Kind: geocode.KindRoad, Street: "x", Geometry: orb.LineString{{120, 30}}}, "at least 2"},
		{"place without name", geocode.Entry{Kind: geocode.KindPlace, Geometry: orb.Point{120, 30}}, "name"},
		{"district without name", geocode.Entry{Kind: geocode.KindDistrict, Geometry: orb.Point{120, 30}}, "name"},
		{"unknown kind", geocode.Entry{Kind: "lake", Geometry: orb.Point{120, 30}}, "kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := geocode.NewGazetteer([]geocode.Entry{{Kind: geocode.KindDistrict, Name: "西湖区", Geometry: orb.Point{120, 30}}, tt.e})
			var ee *geocode.EntryError
			if !errors.As(err, &ee) || !strings.Contains(err.Error(), "entry 1") || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("NewGazetteer: %v; want an EntryError for entry 1 naming %q", err, tt.field)
			}
		})
	}
}

func TestStats(t *testing.T) {
	s := mustGazetteer(t).Stats()
	want := geocode.Stats{Addresses: 57*2 + 5 + 5 + 2, Places: 1, Roads: 6, Lines: 3, Areas: 5, Postcodes: 3}
	if s != want {
		t.Fatalf("Stats = %+v, want %+v", s, want)
	}
}

// One geocoder serves many goroutines (run with -race).
func TestGeocodeConcurrent(t *testing.T) {
	gc := mustGeocoder(t, geocode.Options{})
	addrs := []string{"西湖区文三路8号", "西湖区文三路11号", "西湖区文叁路8号", "5 Main St, Douglas", "杭州市上城区"}
	want := make([]geocode.Result, len(addrs))
	for i, a := range addrs {
		want[i], _ = gc.Geocode(context.Background(), a)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for k := range 200 {
				i := (w + k) % len(addrs)
				r, err := gc.Geocode(context.Background(), addrs[i])
				if err != nil || r != want[i] {
					errs <- fmt.Errorf("%q: %+v, %v; want %+v", addrs[i], r, err, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// A Builder fed entry by entry (as from the store) gives the same answers.
func TestBuilder(t *testing.T) {
	b := geocode.NewBuilder()
	for _, e := range testEntries() {
		if err := b.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	gc, _ := geocode.New(b.Build(), geocode.Options{})
	r, err := gc.Geocode(context.Background(), "西湖区文三路8号")
	if err != nil || geo.DistanceM(r.Location, numberPoint(8, 0)) > 0.5 {
		t.Fatalf("Geocode = %+v, %v", r, err)
	}
}

func ExampleGeocoder_Geocode() {
	gz, err := geocode.NewGazetteer([]geocode.Entry{
		{Kind: geocode.KindDistrict, Name: "西湖区", City: "杭州市", Geometry: orb.Point{120.13, 30.27}},
		{Kind: geocode.KindAddress, Number: "88", Street: "文三路", District: "西湖区", City: "杭州市", Geometry: orb.Point{120.1431, 30.2771}},
		{Kind: geocode.KindAddress, Number: "92", Street: "文三路", District: "西湖区", City: "杭州市", Geometry: orb.Point{120.1439, 30.2771}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	gc, _ := geocode.New(gz, geocode.Options{})
	for _, a := range []string{"浙江省杭州市西湖区文三路88号", "西湖區文三路九十號3樓", "杭州市西湖区"} {
		r, err := gc.Geocode(context.Background(), a)
		fmt.Printf("%s: %.4f,%.4f %s %.2f %v\n", a, r.Location[1], r.Location[0], r.Precision, r.Confidence, err)
	}
	// Output:
	// 浙江省杭州市西湖区文三路88号: 30.2771,120.1431 point 1.00 <nil>
	// 西湖區文三路九十號3樓: 30.2771,120.1435 interpolated 0.85 <nil>
	// 杭州市西湖区: 30.2700,120.1300 district 0.30 <nil>
}
