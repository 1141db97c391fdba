package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// Reference values published with the widely used open implementations
// (eviltransform's test table; coordtransform's README).
func TestWGS84ToGCJ02Reference(t *testing.T) {
	tests := []struct {
		name     string
		wgs, gcj orb.Point
	}{
		{"Shanghai", orb.Point{121.5272106, 31.1774276}, orb.Point{121.531541859215, 31.17530398364597}},
		{"Shenzhen", orb.Point{113.912316, 22.543847}, orb.Point{113.9171764808363, 22.540796131694766}},
		{"Beijing", orb.Point{116.377817, 39.911954}, orb.Point{116.38404722455657, 39.91334545536069}},
		{"Tiananmen", orb.Point{116.404, 39.915}, orb.Point{116.41024449916938, 39.91640428150164}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WGS84ToGCJ02(tt.wgs)
			if math.Abs(got[0]-tt.gcj[0]) > 1e-9 || math.Abs(got[1]-tt.gcj[1]) > 1e-9 {
				t.Fatalf("WGS84ToGCJ02(%v) = %v, want %v", tt.wgs, got, tt.gcj)
			}
			back := GCJ02ToWGS84(tt.gcj)
			if d := DistanceM(back, tt.wgs); d > 0.001 {
				t.Fatalf("GCJ02ToWGS84(%v) = %v, %.4f m from %v", tt.gcj, back, d, tt.wgs)
			}
		})
	}
}

func TestBD09Reference(t *testing.T) {
	// coordtransform: bd09togcj02(116.404, 39.915) = [116.39762729119315, 39.90865673957631]
	// (its one-step inverse; ours iterates, so allow a few centimetres).
	got := BD09ToGCJ02(orb.Point{116.404, 39.915})
	if d := DistanceM(got, orb.Point{116.39762729119315, 39.90865673957631}); d > 0.5 {
		t.Fatalf("BD09ToGCJ02 = %v, %.3f m from the reference", got, d)
	}
	// coordtransform's bd09togcj02 then gcj02towgs84 (both one-step
	// approximations) take BD (120.019809, 29.199786) to WGS-84
	// (120.00872862304577, 29.196207983371643); the exact inverse is within
	// a couple of metres of that.
	w := BD09ToWGS84(orb.Point{120.019809, 29.199786})
	if d := DistanceM(w, orb.Point{120.00872862304577, 29.196207983371643}); d > 3 {
		t.Fatalf("BD09ToWGS84 = %v, %.3f m from the reference", w, d)
	}
}

func TestCRSRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for range 2000 {
		w := orb.Point{73 + rng.Float64()*62, 18 + rng.Float64()*35}
		if d := DistanceM(GCJ02ToWGS84(WGS84ToGCJ02(w)), w); d > 1e-3 {
			t.Fatalf("GCJ-02 round trip of %v off by %.5f m", w, d)
		}
		if d := DistanceM(BD09ToWGS84(WGS84ToBD09(w)), w); d > 1e-3 {
			t.Fatalf("BD-09 round trip of %v off by %.5f m", w, d)
		}
	}
	// The offset is real: a few hundred metres in Hangzhou.
	hz := orb.Point{120.15, 30.27}
	if d := DistanceM(WGS84ToGCJ02(hz), hz); d < 200 || d > 800 {
		t.Fatalf("GCJ-02 offset in Hangzhou is %.1f m", d)
	}
}

func TestToWGS84(t *testing.T) {
	tests := []struct {
		name    string
		p       orb.Point
		crs     CRS
		wantErr string
	}{
		{"wgs84 anywhere", orb.Point{-4.48, 54.15}, WGS84, ""},
		{"gcj02 in China", orb.Point{120.15, 30.27}, GCJ02, ""},
		{"bd09 in China", orb.Point{120.16, 30.28}, BD09, ""},
		{"gcj02 outside China", orb.Point{-4.48, 54.15}, GCJ02, "outside China"},
		{"bd09 swapped axes", orb.Point{30.27, 120.15}, BD09, "latitude 120.15"},
		{"bd09 outside China", orb.Point{2.35, 48.85}, BD09, "outside China"},
		{"NaN", orb.Point{math.NaN(), 30}, WGS84, "not a number"},
		{"unknown crs", orb.Point{120, 30}, "utm50", "unknown coordinate system"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ToWGS84(tt.p, tt.crs)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tt.crs != WGS84 && DistanceM(got, tt.p) < 100 {
					t.Fatalf("converted point %v barely moved from %v", got, tt.p)
				}
				return
			}
			if err == nil || !contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestParseCRS(t *testing.T) {
	for in, want := range map[string]CRS{"WGS84": WGS84, "wgs-84": WGS84, "GCJ-02": GCJ02, "gcj02": GCJ02, "BD09": BD09, "bd-09": BD09, "baidu": BD09} {
		if got, err := ParseCRS(in); err != nil || got != want {
			t.Errorf("ParseCRS(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseCRS("utm"); err == nil {
		t.Error("ParseCRS(utm) accepted")
	}
}
