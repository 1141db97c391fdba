package tsp

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gridplan/territory/route/internal/benchdata"
)

func TestDistanceRules(t *testing.T) {
	tests := []struct {
		name string
		rule string
		a, b Point
		want int
	}{
		{"euc nint down", EUC2D, Point{0, 0}, Point{3, 4.5}, 5},                // 5.408
		{"euc nint half up", EUC2D, Point{0, 0}, Point{0, 2.5}, 3},             // 2.5 → 3
		{"euc below half", EUC2D, Point{0, 0}, Point{0, 2.49}, 2},              // 2.49 → 2
		{"ceil", CEIL2D, Point{0, 0}, Point{0, 2.01}, 3},                       // 2.01 → 3
		{"ceil exact", CEIL2D, Point{0, 0}, Point{3, 4}, 5},                    // 5 → 5
		{"att rounds up", ATT, Point{0, 0}, Point{10, 0}, 4},                   // √10 = 3.162: nint 3 < r → 4
		{"att nint above", ATT, Point{0, 0}, Point{0, 40}, 13},                 // √160 = 12.649: nint 13 ≥ r → 13
		{"att just above", ATT, Point{0, 0}, Point{30, 0}, 10},                 // √90 = 9.487: nint 9 < r → 10
		{"att exact", ATT, Point{0, 0}, Point{0, 10}, 4},                       // √10 again, vertical
		{"geo same point", GEO, Point{14.55, -23.31}, Point{14.55, -23.31}, 1}, // TSPLIB's +1.0
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := distance(tt.rule, tt.a, tt.b); got != tt.want {
				t.Errorf("distance(%s, %v, %v) = %d, want %d", tt.rule, tt.a, tt.b, got, tt.want)
			}
			if got := distance(tt.rule, tt.b, tt.a); got != tt.want {
				t.Errorf("not symmetric: %d", got)
			}
		})
	}
}

func TestGeoDegreesMinutes(t *testing.T) {
	// 14.55 is 14°55′: 14 + 55/60 degrees, with TSPLIB's PI.
	if got, want := geoRad(14.55), 3.141592*(14+55.0/60)/180; math.Abs(got-want) > 1e-12 {
		t.Errorf("geoRad(14.55) = %v, want %v", got, want)
	}
	if got, want := geoRad(-23.31), -3.141592*(23+31.0/60)/180; math.Abs(got-want) > 1e-12 {
		t.Errorf("geoRad(-23.31) = %v, want %v", got, want)
	}
}

// TestOptimalToursRescore re-scores every TSPLIB .opt.tour with our
// distance rules: each must equal the optimum in optima.tsv (EUC_2D and
// GEO, the rules these files use).
func TestOptimalToursRescore(t *testing.T) {
	dir := benchdata.Dir(t, "tsplib")
	opt := optima(t, dir)
	tours, err := filepath.Glob(filepath.Join(dir, "*.opt.tour"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tours) == 0 {
		t.Fatalf("no .opt.tour files in %s", dir)
	}
	for _, tf := range tours {
		name := strings.TrimSuffix(filepath.Base(tf), ".opt.tour")
		t.Run(name, func(t *testing.T) {
			in, err := ReadFile(filepath.Join(dir, name+".tsp"))
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(tf)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			tour, err := ReadTour(f, in.Dimension())
			if err != nil {
				t.Fatal(err)
			}
			want, ok := opt[name]
			if !ok {
				t.Fatalf("%s not in optima.tsv", name)
			}
			if got := in.TourLength(tour); got != want {
				t.Errorf("%s.opt.tour re-scored = %d, optimum %d", name, got, want)
			}
			m, err := in.Matrix()
			if err != nil {
				t.Fatal(err)
			}
			if got := m.TourLength(tour); got != want {
				t.Errorf("matrix length %d, optimum %d", got, want)
			}
		})
	}
}

// TestReadAll reads every benchmark instance.
func TestReadAll(t *testing.T) {
	dir := benchdata.Dir(t, "tsplib")
	for name := range optima(t, dir) {
		in, err := ReadFile(filepath.Join(dir, name+".tsp"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if in.Name != name || in.Dimension() < 50 {
			t.Errorf("%s: name %q, %d nodes", name, in.Name, in.Dimension())
		}
	}
}

const smallTSP = "NAME : small\nCOMMENT : five nodes\nTYPE : TSP\nDIMENSION : 5\nEDGE_WEIGHT_TYPE : EUC_2D\n" +
	"NODE_COORD_SECTION\n1 0 0\n2 10 0\n3 10 10\n4 0 10\n5 5 -3\nEOF\n"

func TestRead(t *testing.T) {
	in, err := Read(strings.NewReader(smallTSP))
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "small" || in.Comment != "five nodes" || in.EdgeWeightType != EUC2D || in.Dimension() != 5 {
		t.Fatalf("got %+v", in)
	}
	if d := in.Dist(0, 2); d != 14 {
		t.Errorf("Dist(1,3) = %d, want 14", d)
	}
	if l := in.TourLength([]int{0, 4, 1, 2, 3}); l != 6+6+10+10+10 {
		t.Errorf("TourLength = %d", l)
	}
	// Keywords without a space before the colon, CRLF line ends, blank lines,
	// exponents and a DISPLAY_DATA_SECTION.
	alt := "NAME: alt\r\nTYPE: TSP\r\nDIMENSION: 2\r\nEDGE_WEIGHT_TYPE: ATT\r\n\r\nDISPLAY_DATA_SECTION\r\n1 0 0\r\n2 1 1\r\n" +
		"NODE_COORD_SECTION\r\n2 1e1 0\r\n1 0.0E0 0\r\n"
	in, err = Read(strings.NewReader(alt))
	if err != nil {
		t.Fatal(err)
	}
	if in.Coords[1] != (Point{10, 0}) || in.Dist(0, 1) != 4 {
		t.Errorf("alt: %+v, Dist %d", in.Coords, in.Dist(0, 1))
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		line  int
		field string
	}{
		{"bad dimension", strings.Replace(smallTSP, "DIMENSION : 5", "DIMENSION : five", 1), 4, "DIMENSION"},
		{"zero dimension", strings.Replace(smallTSP, "DIMENSION : 5", "DIMENSION : 0", 1), 4, "DIMENSION"},
		{"explicit", strings.Replace(smallTSP, "EUC_2D", "EXPLICIT", 1), 5, "EDGE_WEIGHT_TYPE"},
		{"atsp", strings.Replace(smallTSP, "TYPE : TSP", "TYPE : ATSP", 1), 3, "TYPE"},
		{"bad x", strings.Replace(smallTSP, "3 10 10", "3 1O 10", 1), 9, "x"},
		{"bad y", strings.Replace(smallTSP, "3 10 10", "3 10 NaN", 1), 9, "y"},
		{"huge y", strings.Replace(smallTSP, "3 10 10", "3 10 1e300", 1), 9, "y"},
		{"bad id", strings.Replace(smallTSP, "3 10 10", "x 10 10", 1), 9, "node id"},
		{"id out of range", strings.Replace(smallTSP, "3 10 10", "6 10 10", 1), 9, "node id"},
		{"duplicate id", strings.Replace(smallTSP, "3 10 10", "2 10 10", 1), 9, "node id"},
		{"two fields", strings.Replace(smallTSP, "3 10 10", "3 10", 1), 9, "node"},
		{"short section", strings.Replace(smallTSP, "5 5 -3\n", "", 1), 11, "NODE_COORD_SECTION"},
		{"unknown keyword", strings.Replace(smallTSP, "COMMENT", "COLOUR", 1), 2, "keyword"},
		{"no weight type", strings.Replace(smallTSP, "EDGE_WEIGHT_TYPE : EUC_2D\n", "", 1), 0, "EDGE_WEIGHT_TYPE"},
		{"section before dimension", "NAME: x\nEDGE_WEIGHT_TYPE: GEO\nNODE_COORD_SECTION\n1 1 1\n", 3, "DIMENSION"},
		{"no section", "NAME: x\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: ATT\nEOF\n", 0, "NODE_COORD_SECTION"},
		{"weight section", "NAME: x\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: ATT\nEDGE_WEIGHT_SECTION\n1 2 3\n", 4, "EDGE_WEIGHT_SECTION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.file))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("errors.Is(err, ErrFormat) = false")
			}
			if pe.Line != tt.line || pe.Field != tt.field {
				t.Errorf("err = %v: line %d field %q, want line %d field %q", err, pe.Line, pe.Field, tt.line, tt.field)
			}
		})
	}
}

func TestReadTour(t *testing.T) {
	tour, err := ReadTour(strings.NewReader("NAME : t\nTYPE : TOUR\nDIMENSION : 4\nTOUR_SECTION\n1 3\n 2\n4\n-1\nEOF\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 2, 1, 3}; !equalInts(tour, want) {
		t.Errorf("tour = %v, want %v", tour, want)
	}
	for _, tt := range []struct{ name, file, field string }{
		{"repeat", "TOUR_SECTION\n1\n2\n2\n-1\n", "tour node"},
		{"range", "TOUR_SECTION\n1\n2\n4\n-1\n", "tour node"},
		{"text", "TOUR_SECTION\n1\nb\n3\n-1\n", "tour node"},
		{"count", "DIMENSION: 4\nTOUR_SECTION\n1\n2\n3\n-1\n", "TOUR_SECTION"},
		{"missing", "NAME: t\n", "TOUR_SECTION"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadTour(strings.NewReader(tt.file), 0)
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Field != tt.field {
				t.Errorf("err = %v, want field %q", err, tt.field)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func FuzzRead(f *testing.F) {
	f.Add(smallTSP)
	f.Add(strings.Replace(smallTSP, "EUC_2D", "GEO", 1))
	f.Add("NAME: x\nDIMENSION: 2\nEDGE_WEIGHT_TYPE: ATT\nNODE_COORD_SECTION\n1 1e3 -2.5\n2 0 0\nEOF\n")
	f.Add("DIMENSION: 3\nEDGE_WEIGHT_TYPE: CEIL_2D\nDISPLAY_DATA_SECTION\n1 0 0\n2 0 0\n3 0 0\nNODE_COORD_SECTION\n1 0 0\n2 0 0\n3 0 0\n")
	f.Fuzz(func(t *testing.T, s string) {
		in, err := Read(strings.NewReader(s))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is no *ParseError", err)
			}
			if pe.Field == "" || pe.Line < 0 || !strings.Contains(err.Error(), pe.Field) {
				t.Fatalf("error %v lacks its field", err)
			}
			return
		}
		n := in.Dimension()
		if n < 1 || n > MaxDimension {
			t.Fatalf("dimension %d", n)
		}
		for i := range min(n, 20) {
			for j := range min(n, 20) {
				if d := in.Dist(i, j); d < 0 || d != in.Dist(j, i) {
					t.Fatalf("Dist(%d,%d) = %d", i, j, d)
				}
			}
		}
		if n <= 20 {
			if _, err := in.Matrix(); err != nil {
				t.Fatalf("Matrix: %v", err)
			}
		}
	})
}

func FuzzReadTour(f *testing.F) {
	f.Add("TOUR_SECTION\n1 3\n 2\n4\n-1\nEOF\n", 0)
	f.Add("NAME: t\nTYPE: TOUR\nDIMENSION: 3\nTOUR_SECTION\n2\n1\n3\n-1\n", 3)
	f.Fuzz(func(t *testing.T, s string, dim int) {
		if dim < 0 || dim > 1000 {
			return
		}
		tour, err := ReadTour(strings.NewReader(s), dim)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is no *ParseError", err)
			}
			return
		}
		seen := make([]bool, len(tour))
		for _, v := range tour {
			if v < 0 || v >= len(tour) || seen[v] {
				t.Fatalf("tour %v is no permutation", tour)
			}
			seen[v] = true
		}
	})
}
