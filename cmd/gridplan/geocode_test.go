package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data/demo"
	"gridplan/geo"
)

// writeGazetteer writes a small OpenAddresses CSV (with one bad line).
func writeGazetteer(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "oa.csv")
	rows := "LON,LAT,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,POSTCODE\n" +
		"120.1431,30.2771,88,文三路,,杭州市,西湖区,浙江省,310012\n" +
		"120.1439,30.2771,92,文三路,,杭州市,西湖区,浙江省,310012\n" +
		"-4.4789,54.1516,56,Strand Street,,Douglas,,IM,IM1 2EN\n" +
		"not-a-number,54.15,1,Broken Street,,Douglas,,IM,\n"
	if err := os.WriteFile(path, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readRows parses the command's CSV output.
func readRows(t *testing.T, out string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, out)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "address,lat,lng,precision,confidence,error" {
		t.Fatalf("header %v", rows)
	}
	return rows[1:]
}

func TestGeocodeCommandGazetteerFile(t *testing.T) {
	gz := writeGazetteer(t)
	in := "\ufeff浙江省杭州市西湖区文三路88号\n" +
		"\n" +
		"西湖區文三路九十號3樓\r\n" +
		"火星大道1号\n" +
		"56 Strand St, Douglas\n" +
		"杭州市西湖区\n" +
		strings.Repeat("长", 1000) + "\n" +
		"文三路92号" // no final newline
	out, stderr, err := runCmd(t, noEnv, in, "geocode", "--gazetteer", gz)
	if err != nil {
		t.Fatalf("geocode: %v\n%s", err, stderr)
	}
	rows := readRows(t, out)
	want := []struct {
		addr, prec, errHas string
		at                 orb.Point
	}{
		{"浙江省杭州市西湖区文三路88号", "point", "", orb.Point{120.1431, 30.2771}},
		{"", "", "empty address", orb.Point{}},
		{"西湖區文三路九十號3樓", "interpolated", "", orb.Point{120.1435, 30.2771}},
		{"火星大道1号", "", "address not found", orb.Point{}},
		{"56 Strand St, Douglas", "point", "", orb.Point{-4.4789, 54.1516}},
		{"杭州市西湖区", "district", "", orb.Point{120.1435, 30.2771}},
		{strings.Repeat("长", 1000)[:200] + "…", "", "address too long", orb.Point{}},
		{"文三路92号", "point", "", orb.Point{120.1439, 30.2771}},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d (one per input line):\n%s", len(rows), len(want), out)
	}
	for i, w := range want {
		r := rows[i]
		if r[0] != w.addr || r[3] != w.prec || !strings.Contains(r[5], w.errHas) || (w.errHas == "") != (r[5] == "") {
			t.Errorf("row %d = %q, want address %q precision %q error containing %q", i+1, r, w.addr, w.prec, w.errHas)
			continue
		}
		if w.prec == "" {
			if r[1] != "" || r[2] != "" || r[4] != "" {
				t.Errorf("row %d: a failed address has coordinates: %q", i+1, r)
			}
			continue
		}
		lat, err1 := strconv.ParseFloat(r[1], 64)
		lng, err2 := strconv.ParseFloat(r[2], 64)
		conf, err3 := strconv.ParseFloat(r[4], 64)
		if err1 != nil || err2 != nil || err3 != nil || conf <= 0 || conf > 1 {
			t.Errorf("row %d: bad numbers %q", i+1, r)
			continue
		}
		if d := geo.DistanceM(orb.Point{lng, lat}, w.at); d > 5 {
			t.Errorf("row %d: %.0f m from %v", i+1, d, w.at)
		}
	}
	if !strings.Contains(stderr, "gazetteer lines left out") || !strings.Contains(stderr, "line 5: LON") {
		t.Errorf("the bad gazetteer line is not reported:\n%s", stderr)
	}
}

func TestGeocodeCommandMinPrecision(t *testing.T) {
	gz := writeGazetteer(t)
	out, _, err := runCmd(t, noEnv, "文三路88号\n文三路90号\n", "geocode", "--gazetteer", gz, "--min-precision", "point")
	if err != nil {
		t.Fatal(err)
	}
	rows := readRows(t, out)
	if len(rows) != 2 || rows[0][3] != "point" || rows[1][3] != "" || !strings.Contains(rows[1][5], "coarser than the minimum") || !strings.Contains(rows[1][5], "interpolated") {
		t.Fatalf("rows %q", rows)
	}
}

func TestGeocodeCommandBadInvocations(t *testing.T) {
	gz := writeGazetteer(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad precision", []string{"geocode", "--gazetteer", gz, "--min-precision", "street"}, "--min-precision: unknown precision street"},
		{"missing file", []string{"geocode", "--gazetteer", filepath.Join(dir, "none.csv")}, "--gazetteer"},
		{"arguments", []string{"geocode", "文三路88号"}, "unexpected arguments"},
		{"both sources", []string{"geocode", "--gazetteer", gz, "--nominatim", "http://127.0.0.1:1"}, "exclude each other"},
		{"bad nominatim url", []string{"geocode", "--nominatim", "ftp://x"}, "--nominatim"},
		{"empty store", []string{"geocode", "--db", "sqlite:" + filepath.Join(dir, "empty.db")}, "the gazetteer is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, noEnv, "文三路88号\n", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	_, stderr, err := runCmd(t, noEnv, "", "geocode", "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	for _, w := range []string{"Usage: gridplan geocode", "-gazetteer", "-min-precision", "-db", "-nominatim", "address,lat,lng,precision,confidence,error"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("help does not mention %q", w)
		}
	}
}

// Without --gazetteer the command uses the store's: the demo city's.
func TestGeocodeCommandStore(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	if _, stderr, err := runCmd(t, noEnv, "", "demo", "--customers", "1000", "--db", db); err != nil {
		t.Fatalf("demo: %v\n%s", err, stderr)
	}
	// The same city as `gridplan demo` made (seed 1; places do not depend on the date).
	c, err := demo.Generate(demo.Options{Seed: 1, Customers: 1000, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var in strings.Builder
	var truth []orb.Point
	for i := 0; i < 20; i++ {
		a := c.Addresses[i]
		fmt.Fprintln(&in, strings.TrimPrefix(c.Customers[i].Address, "浙江省杭州市"))
		p := c.Customers[i].Location
		if a.Place != "" {
			p = c.Places[a.PlaceID-1].Point
		}
		truth = append(truth, p)
	}
	fmt.Fprintln(&in, c.Districts[0].Name) // a district only: its centroid
	out, stderr, err := runCmd(t, noEnv, in.String(), "geocode", "--db", db)
	if err != nil {
		t.Fatalf("geocode: %v\n%s", err, stderr)
	}
	rows := readRows(t, out)
	if len(rows) != 21 {
		t.Fatalf("%d rows, want 21", len(rows))
	}
	for i, p := range truth {
		lat, _ := strconv.ParseFloat(rows[i][1], 64)
		lng, _ := strconv.ParseFloat(rows[i][2], 64)
		if d := geo.DistanceM(orb.Point{lng, lat}, p); rows[i][5] != "" || d > 30 {
			t.Errorf("row %d %q: %.0f m from the business", i+1, rows[i], d)
		}
	}
	if rows[20][3] != "district" {
		t.Errorf("district row %q", rows[20])
	}
}

// --nominatim asks the server, with the User-Agent and country codes given.
func TestGeocodeCommandNominatim(t *testing.T) {
	var gotUA, gotCC string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotCC = r.Header.Get("User-Agent"), r.URL.Query().Get("countrycodes")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `[{"place_id":1,"osm_type":"way","osm_id":2,"lat":"30.2771","lon":"120.1431","category":"building","type":"yes","place_rank":30,"importance":0.1,"addresstype":"building","name":"","display_name":"88, 文三路, 西湖区, 杭州市, 浙江省, 中国","boundingbox":["30.277","30.2772","120.143","120.1432"]}]`)
	}))
	defer srv.Close()
	out, stderr, err := runCmd(t, noEnv, "文三路88号\n", "geocode", "--nominatim", srv.URL, "--user-agent", "gridplan-test", "--countrycodes", "cn")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	rows := readRows(t, out)
	if len(rows) != 1 || rows[0][1] != "30.2771000" || rows[0][2] != "120.1431000" || rows[0][3] != "point" || gotUA != "gridplan-test" || gotCC != "cn" {
		t.Fatalf("rows %q, User-Agent %q, countrycodes %q", rows, gotUA, gotCC)
	}
}
