package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"gridplan/data"
	"gridplan/data/demo"
	"gridplan/data/sqlite"
	"gridplan/geo"
	"gridplan/territory"
)

func TestImportHelpAndBadInvocations(t *testing.T) {
	_, stderr, err := runCmd(t, noEnv, "", "import", "customers", "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, w := range []string{"Usage: gridplan import customers", "-crs", "-map", "-rejects", "-sheet", "-min-precision", "-db", "-gazetteer", "-our-carrier"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("help does not mention %q", w)
		}
	}
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "x.db")
	file := filepath.Join(dir, "c.csv")
	if err := os.WriteFile(file, []byte("id,name\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no kind", []string{"import"}, "import customers FILE"},
		{"unknown kind", []string{"import", "grids", file}, `unknown kind "grids"`},
		{"no file", []string{"import", "customers", "--db", db}, "no file given"},
		{"two files", []string{"import", "customers", file, file, "--db", db}, "unexpected arguments"},
		{"missing file", []string{"import", "customers", filepath.Join(dir, "nope.csv"), "--db", db}, "no such file"},
		{"bad crs", []string{"import", "customers", file, "--crs", "mars2", "--db", db}, "--crs"},
		{"bad map", []string{"import", "customers", file, "--map", "colour=x", "--db", db}, `unknown field "colour"`},
		{"bad precision", []string{"import", "customers", file, "--min-precision", "street", "--db", db}, "--min-precision"},
		{"bad carrier", []string{"import", "customers", file, "--our-carrier", "AT&T", "--db", db}, "--our-carrier"},
		{"missing columns", []string{"import", "customers", file, "--db", db}, "missing required columns: address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, noEnv, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestImportCommandSmall imports a small file with flags after the file
// name, a column map and a rejects path, then again.
func TestImportCommandSmall(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "s.db")
	if _, _, err := runCmd(t, noEnv, "", "migrate", "--db", db); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "客户.csv")
	text := "编号,公司,住所,经度,纬度,运营商\r\n" +
		"A1,甲,杭州市西湖区文三路1号,120.16,30.27,电信\r\n" +
		"A2,乙,杭州市西湖区文三路2号,NaN,30.27,移动\r\n" +
		"A3,丙,,,,未知\r\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(dir, "bad.csv")
	out, _, err := runCmd(t, noEnv, "", "import", "customers", file, "--db", db, "--crs", "gcj02",
		"--map", "name=公司,address=住所", "--rejects", rejects, "--our-carrier", "电信")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, w := range []string{"3 rows", "inserted 1, updated 0, unchanged 0, rejected 2", "rejected rows: " + rejects, "CSV, UTF-8"} {
		if !strings.Contains(out, w) {
			t.Errorf("summary lacks %q:\n%s", w, out)
		}
	}
	got := readRejects(t, rejects)
	if len(got) != 2 || got[0][0] != "3" || got[0][1] != "经度" || got[1][0] != "4" || got[1][1] != "住所" {
		t.Fatalf("rejects %q", got)
	}
	s := openTestStore(t, db)
	c, err := s.CustomerByExternalID(context.Background(), "A1")
	if err != nil {
		t.Fatal(err)
	}
	if want := geo.GCJ02ToWGS84(orb.Point{120.16, 30.27}); geo.DistanceM(c.Location, want) > 0.01 || c.Carrier != territory.CarrierOurs {
		t.Fatalf("A1 stored at %v (want %v), carrier %s", c.Location, want, c.Carrier)
	}
	s.Close()

	// Without rejects, no rejects file is left behind (the stale one goes).
	if err := os.WriteFile(file, []byte(strings.Join(strings.Split(text, "\r\n")[:2], "\r\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCmd(t, noEnv, "", "import", "customers", "--crs", "gcj02", "--db", db, "--map", "name=公司,address=住所", "--rejects", rejects, file, "--our-carrier", "电信")
	if err != nil || !strings.Contains(out, "inserted 0, updated 0, unchanged 1, rejected 0") {
		t.Fatalf("second import: %v\n%s", err, out)
	}
	if _, err := os.Stat(rejects); !os.IsNotExist(err) {
		t.Fatalf("rejects file left after a clean import: %v", err)
	}
}

func openTestStore(tb testing.TB, db string) data.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), strings.TrimPrefix(db, "sqlite:"))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// readRejects reads a rejects file (BOM, header, rows) into its rows.
func readRejects(tb testing.TB, path string) [][]string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "\uFEFFline,column,reason,row\n") {
		tb.Fatalf("rejects file starts %.60q", b)
	}
	recs, err := csv.NewReader(strings.NewReader(string(b[3:]))).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	return recs[1:]
}

// importFixture is a generated import file and what importing it must do.
type importFixture struct {
	path string
	rows int
	good map[string]goodRow // by external id
	bad  map[int]string     // line → what its reject reason must say
}

type goodRow struct {
	line     int
	truth    orb.Point // WGS-84
	geocoded bool      // the row has no coordinates
}

// badKinds are the ways a fixture row is broken, in turn.
var badKinds = []struct {
	want   string
	mangle func(rec []string, dupOf string) (raw string, rec2 []string)
}{
	{"not a number", func(r []string, _ string) (string, []string) { r[3], r[4] = "NaN", "30.2"; return "", r }},
	{"out of range [-90, 90]", func(r []string, _ string) (string, []string) { r[3], r[4] = "120.1", "95.5"; return "", r }},
	{"outside China", func(r []string, _ string) (string, []string) { r[3], r[4] = "-0.1276", "51.5072"; return "", r }},
	{"nothing places it", func(r []string, _ string) (string, []string) { r[2], r[3], r[4] = "", "", ""; return "", r }},
	{"has it already", func(r []string, dup string) (string, []string) { r[0] = dup; return "", r }},
	{"needs a name", func(r []string, _ string) (string, []string) { r[1] = ""; return "", r }},
	{"fields, want 9", func(r []string, _ string) (string, []string) { return "", r[:6] }},
	{"quote", func(r []string, _ string) (string, []string) {
		return r[0] + `,"` + r[1] + "," + strings.Join(r[2:], ","), nil
	}},
	{"cannot be geocoded", func(r []string, _ string) (string, []string) {
		r[2], r[3], r[4] = "火星市奥林匹斯山路1号", "", ""
		return "", r
	}},
	{"infinite", func(r []string, _ string) (string, []string) { r[3], r[4] = "120.1", "-Inf"; return "", r }},
	{"unknown size", func(r []string, _ string) (string, []string) { r[6] = "巨型"; return "", r }},
	{"not a decimal number", func(r []string, _ string) (string, []string) { r[3], r[4] = "东经120度", "30.2"; return "", r }},
}

var sizeZh = map[territory.Size]string{territory.SizeMicro: "微型", territory.SizeSmall: "小型", territory.SizeMedium: "中型", territory.SizeLarge: "大型"}

// writeImportFixture writes the customers of city as a GB18030 CSV with
// CRLF line ends, as Chinese Excel saves it: half the rows with GCJ-02
// coordinates, half with only an address to geocode, and every 20th row
// (5%) broken in one of the badKinds, plus one row with a ten-megabyte
// cell.
func writeImportFixture(tb testing.TB, path string, city *demo.City) importFixture {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	enc := transform.NewWriter(bw, simplifiedchinese.GB18030.NewEncoder())
	w := csv.NewWriter(enc)
	w.UseCRLF = true
	fx := importFixture{path: path, good: map[string]goodRow{}, bad: map[int]string{}}
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(w.Write([]string{"外部编号", "客户名称", "详细地址", "经度", "纬度", "行业", "规模", "运营商", "特殊"}))
	rng := rand.New(rand.NewPCG(11, 12))
	carrier := map[territory.Carrier]string{territory.CarrierUnknown: "未知", territory.CarrierOurs: "本网", territory.CarrierCompetitor: "异网", territory.CarrierNone: "无"}
	kind, huge := 0, false
	for i, c := range city.Customers {
		line := i + 2
		rec := []string{c.ExternalID, c.Name, c.Address, "", "", c.Industry, sizeZh[c.Size], carrier[c.Carrier], map[bool]string{true: "是", false: "否"}[c.Special]}
		geocoded := rng.IntN(2) == 0
		if !geocoded {
			g := geo.WGS84ToGCJ02(c.Location)
			rec[3], rec[4] = strconv.FormatFloat(g[0], 'f', -1, 64), strconv.FormatFloat(g[1], 'f', -1, 64)
		}
		if i%20 != 7 {
			must(w.Write(rec))
			fx.good[c.ExternalID] = goodRow{line: line, truth: c.Location, geocoded: geocoded}
			continue
		}
		if !huge { // one ten-megabyte name
			huge = true
			rec[1] = strings.Repeat("大", 10<<20/3)
			must(w.Write(rec))
			fx.bad[line] = "bytes, more than the"
			continue
		}
		k := badKinds[kind%len(badKinds)]
		kind++
		raw, broken := k.mangle(rec, city.Customers[0].ExternalID)
		if raw != "" {
			w.Flush()
			_, err := io.WriteString(enc, raw+"\r\n")
			must(err)
		} else {
			must(w.Write(broken))
		}
		want := k.want
		if want == "has it already" {
			want = fmt.Sprintf("line %d has it already", 2)
		}
		fx.bad[line] = want
	}
	w.Flush()
	must(w.Error())
	must(enc.Close())
	must(bw.Flush())
	fx.rows = len(city.Customers)
	return fx
}

// loadCityWithoutCustomers loads the demo city's districts, grids,
// managers and users, and its gazetteer, but none of its customers: the
// import brings those.
func loadCityWithoutCustomers(tb testing.TB, s data.Store, city *demo.City) {
	tb.Helper()
	ctx := context.Background()
	gaz := city.Gazetteer()
	cust := city.Customers
	city.Customers, city.Addresses, city.Claims, city.Activities, city.Transitions, city.FollowUps = nil, nil, nil, nil, nil, nil
	if err := demo.Load(ctx, s, city, nil); err != nil {
		tb.Fatal(err)
	}
	city.Customers = cust
	if err := s.ReplaceGazetteer(ctx, demo.GazetteerSource, gaz, nil); err != nil {
		tb.Fatal(err)
	}
}

// importRows is the size of TestImportFigures: 100,000 rows, 10,000 under
// the race detector (which slows SQLite about 30×) or -short;
// GRIDPLAN_IMPORT_ROWS overrides it.
func importRows(tb testing.TB) int {
	if v := os.Getenv("GRIDPLAN_IMPORT_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			tb.Fatalf("GRIDPLAN_IMPORT_ROWS=%q: want a number ≥ 1000", v)
		}
		return n
	}
	if importRace || testing.Short() {
		return 10_000
	}
	return 100_000
}

var summaryRE = regexp.MustCompile(`(\d+) rows in (\S+) \((\d+) rows/s\)\n  inserted (\d+), updated (\d+), unchanged (\d+), rejected (\d+) \(geocoded (\d+)\)`)

type importSummaryLine struct {
	rows, inserted, updated, unchanged, rejected, geocoded, perSecond int
	elapsed                                                           string
}

func parseSummary(tb testing.TB, out string) importSummaryLine {
	tb.Helper()
	m := summaryRE.FindStringSubmatch(out)
	if m == nil {
		tb.Fatalf("no summary in:\n%s", out)
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	return importSummaryLine{rows: n(1), elapsed: m[2], perSecond: n(3), inserted: n(4), updated: n(5), unchanged: n(6), rejected: n(7), geocoded: n(8)}
}

// TestImportFigures is the acceptance check for imports: a file of
// demo-city businesses (real addresses, half with GCJ-02 coordinates and
// half to geocode, GB18030, 5% broken in assorted ways) goes through the
// CLI: every bad row is in the rejects file with the reason expected,
// every good row is stored where it belongs, and importing the file again
// changes nothing. Set GRIDPLAN_IMPORT_KEEP=DIR to keep the file and the
// store for a run of the binary.
func TestImportFigures(t *testing.T) {
	dir := t.TempDir()
	if keep := os.Getenv("GRIDPLAN_IMPORT_KEEP"); keep != "" {
		dir = keep
		must(t, os.MkdirAll(dir, 0o755))
	}
	dbPath := filepath.Join(dir, "import.db")
	os.Remove(dbPath)
	importFigures(t, dir, "sqlite:"+dbPath, importRows(t))
}

// TestImportFiguresPostgres is the same on PostgreSQL, at a fifth of the
// size.
func TestImportFiguresPostgres(t *testing.T) {
	importFigures(t, t.TempDir(), postgresURL(t), importRows(t)/5)
}

func importFigures(t *testing.T, dir, db string, n int) {
	ctx := context.Background()
	t0 := time.Now()
	city, err := demo.Generate(demo.Options{Seed: 5, Customers: n, Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	must(t, err)
	dbPath := strings.TrimPrefix(db, "sqlite:")
	s, err := openMigrated(ctx, db)
	must(t, err)
	loadCityWithoutCustomers(t, s, city)
	s.Close()
	fx := writeImportFixture(t, filepath.Join(dir, "customers.csv"), city)
	if os.Getenv("GRIDPLAN_IMPORT_KEEP") != "" && dbPath != db { // a copy of the store before the import, to time the binary on
		b, err := os.ReadFile(dbPath)
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dir, "before-import.db"), b, 0o644))
	}
	t.Logf("demo city of %d businesses generated, loaded (without them) and written in %s", n, time.Since(t0).Round(time.Millisecond))

	out, _, err := runCmd(t, noEnv, "", "import", "customers", fx.path, "--db", db, "--crs", "gcj02")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	t.Logf("first import:\n%s", out)
	first := parseSummary(t, out)
	rejects := readRejects(t, fx.path+".rejects.csv")

	// Every bad row is reported, with the reason its kind calls for.
	byLine := map[int][]string{}
	for _, r := range rejects {
		line, err := strconv.Atoi(r[0])
		must(t, err)
		byLine[line] = r
	}
	var geocodeMisses []string
	for line, r := range byLine {
		if _, bad := fx.bad[line]; !bad {
			geocodeMisses = append(geocodeMisses, fmt.Sprintf("line %d %s: %s", line, r[1], r[2]))
		}
	}
	if len(geocodeMisses) > 0 {
		t.Errorf("%d good rows rejected, e.g. %q", len(geocodeMisses), geocodeMisses[:min(5, len(geocodeMisses))])
	}
	for line, want := range fx.bad {
		r, ok := byLine[line]
		if !ok {
			t.Errorf("bad line %d (%s) not reported", line, want)
			continue
		}
		if !strings.Contains(r[2], want) {
			t.Errorf("line %d: reason %q, want it to mention %q", line, r[2], want)
		}
		if r[3] == "" {
			t.Errorf("line %d: the rejects file lacks the original row", line)
		}
	}
	if first.rows != fx.rows || first.rejected != len(fx.bad) || first.inserted != len(fx.good) || first.updated+first.unchanged != 0 {
		t.Fatalf("first import %+v; want %d rows, %d inserted, %d rejected", first, fx.rows, len(fx.good), len(fx.bad))
	}

	// Every good row is stored, in its grid, where it belongs.
	s, err = openStore(ctx, db)
	must(t, err)
	defer s.Close()
	ids := make([]string, 0, len(fx.good))
	for id := range fx.good {
		ids = append(ids, id)
	}
	stored, err := s.CustomersByExternalIDs(ctx, ids)
	must(t, err)
	if len(stored) != len(fx.good) {
		t.Fatalf("%d of %d good rows stored", len(stored), len(fx.good))
	}
	ix, err := territory.LoadGridIndex(ctx, s)
	must(t, err)
	var exactMax float64
	var within30, geocoded int
	for id, g := range fx.good {
		c := stored[id]
		if c.Cell == 0 || c.Cell != geo.Cell(c.Location, geo.CustomerCellRes) {
			t.Fatalf("%s: cell %v does not match its location", id, c.Cell)
		}
		if want, _ := ix.Locate(c.Location); c.GridID != want {
			t.Fatalf("%s: grid %d, the index says %d", id, c.GridID, want)
		}
		d := geo.DistanceM(c.Location, g.truth)
		if g.geocoded {
			geocoded++
			if d <= 30 {
				within30++
			}
			continue
		}
		exactMax = max(exactMax, d)
	}
	if exactMax > 0.01 {
		t.Errorf("a GCJ-02 row is stored %.3f m from its WGS-84 truth", exactMax)
	}
	t.Logf("GCJ-02 rows: at most %.2g m from the truth after conversion; geocoded rows: %d of %d (%.1f%%) within 30 m",
		exactMax, within30, geocoded, 100*float64(within30)/float64(max(1, geocoded)))
	if total, err := s.CountCustomers(ctx, territory.CustomerFilter{}); err != nil || total != len(fx.good) {
		t.Fatalf("store holds %d customers (%v), want %d", total, err, len(fx.good))
	}

	// Again: nothing changes.
	out, _, err = runCmd(t, noEnv, "", "import", "customers", fx.path, "--db", db, "--crs", "gcj02")
	if err != nil {
		t.Fatalf("re-import: %v\n%s", err, out)
	}
	t.Logf("second import:\n%s", out)
	again := parseSummary(t, out)
	if again.unchanged != len(fx.good) || again.inserted+again.updated != 0 || again.rejected != len(fx.bad) {
		t.Fatalf("re-import %+v; want all %d unchanged and %d rejected", again, len(fx.good), len(fx.bad))
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
