package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
	"github.com/xuri/excelize/v2"

	"gridplan/data/storetest"
	"gridplan/geo"
	"gridplan/territory"
	"gridplan/territory/coverage"
)

// coverageDB is a store with one district, one grid and five customers:
// two inside an existing cabinet's radius (one a competitor's), one in a
// planned serving area due 2027-03-01, one in a cell resource under
// construction (no date), one covered by nothing.
func coverageDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "cov.db")
	s, err := openMigrated(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	d := storetest.NewDistrict("330106")
	must(s.CreateDistrict(ctx, d))
	g := storetest.NewGrid(d.ID, "XH-01")
	must(s.CreateGrid(ctx, g))
	customers := []struct {
		p       orb.Point
		carrier territory.Carrier
	}{
		{orb.Point{120.15, 30.27}, territory.CarrierCompetitor},
		{orb.Point{120.151, 30.27}, territory.CarrierOurs},
		{orb.Point{120.155, 30.275}, territory.CarrierCompetitor},
		{orb.Point{120.159, 30.261}, territory.CarrierUnknown},
		{orb.Point{120.145, 30.265}, territory.CarrierNone},
	}
	for i, c := range customers {
		cu := storetest.NewCustomer("C"+string(rune('1'+i)), g.ID, c.p)
		cu.Carrier = c.carrier
		must(s.CreateCustomer(ctx, cu))
	}
	due := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	must(s.CreateResource(ctx, storetest.NewResource("cabinet", orb.Point{120.15, 30.27}, 300)))
	must(s.CreateResource(ctx, &territory.Resource{Name: "area", Kind: "ftth", Status: territory.ResourcePlanned,
		Geometry: storetest.Square(orb.Point{120.155, 30.275}, 0.001), ExpectedDate: &due}))
	must(s.CreateResource(ctx, &territory.Resource{Name: "indoor", Kind: "5G室分", Status: territory.ResourceUnderConstruction,
		// The parent of the customer's stored resolution-12 cell: near a
		// cell edge it is not the resolution-9 cell the point lies in, and
		// the analyzer goes by the customer's cell.
		Cells: []h3.Cell{h3.LatLngToCell(geo.ToLatLng(orb.Point{120.159, 30.261}), geo.CustomerCellRes).Parent(9)}}))
	return db
}

func TestCoverageReportBadInvocations(t *testing.T) {
	_, stderr, err := runCmd(t, noEnv, "", "coverage", "report", "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, w := range []string{"Usage: gridplan coverage report", "-format", "-as-of", "-out", "-db", "省, 区县, 网格"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("help does not mention %q", w)
		}
	}
	db := coverageDB(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"coverage"}, "gridplan coverage report"},
		{"unknown subcommand", []string{"coverage", "gaps"}, `unknown command "gaps"`},
		{"bad format", []string{"coverage", "report", "--format", "pdf", "--db", db}, "want xlsx, csv or json"},
		{"bad date", []string{"coverage", "report", "--as-of", "2027/03/01", "--db", db}, "YYYY-MM-DD"},
		{"bad level", []string{"coverage", "report", "--level", "city", "--db", db}, "province, district or grid"},
		{"unknown district", []string{"coverage", "report", "--district-id", "99", "--format", "json", "--db", db}, "no such district"},
		{"extra", []string{"coverage", "report", "x", "--db", db}, "unexpected arguments"},
		{"unwritable", []string{"coverage", "report", "--out", filepath.Join(t.TempDir(), "no", "such", "dir.xlsx"), "--db", db}, "no such file"},
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

// TestCoverageReportFormats writes the report in each format, as of two
// days, and reads every one back.
func TestCoverageReportFormats(t *testing.T) {
	db := coverageDB(t)
	dir := t.TempDir()

	// XLSX: one sheet per level, Chinese headers, the grid row and the
	// total; as of 2026-12-01 the planned area is still planned.
	file := filepath.Join(dir, "c.xlsx")
	out, _, err := runCmd(t, noEnv, "", "coverage", "report", "--as-of", "2026-12-01", "--out", file, "--db", db, "--log-level", "warn")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "5 customers: existing 2, under construction 1, planned 1, none 1; attack list 1") {
		t.Errorf("summary line: %s", out)
	}
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); !slices.Equal(got, []string{"省", "区县", "网格"}) {
		t.Fatalf("sheets %v", got)
	}
	grid, err := x.GetRows("网格")
	if err != nil {
		t.Fatal(err)
	}
	header := coverage.Header(coverage.LevelGrid)
	if !slices.Equal(grid[0], header) || header[0] != "编码" || !slices.Contains(header, "已建覆盖") || !slices.Contains(header, "所属区县") {
		t.Fatalf("grid header %v", grid[0])
	}
	col := func(row []string, name string) string {
		i := slices.Index(header, name)
		if i < 0 || i >= len(row) {
			t.Fatalf("no column %s in %v", name, row)
		}
		return row[i]
	}
	xh := grid[1]
	if xh[0] != "XH-01" || col(xh, "所属区县") != "西湖区 330106" || col(xh, "客户数") != "5" || col(xh, "已建覆盖") != "2" ||
		col(xh, "在建覆盖") != "1" || col(xh, "规划覆盖") != "1" || col(xh, "未覆盖") != "1" || col(xh, "可攻客户(竞争对手·已建覆盖)") != "1" {
		t.Errorf("grid row %v", xh)
	}
	if grid[2][0] != "合计" || col(grid[2], "客户数") != "5" {
		t.Errorf("total row %v", grid[2])
	}
	prov, _ := x.GetRows("省")
	if prov[1][1] != "浙江省" || prov[1][2] != "5" || !slices.Contains(prov[len(prov)-1], "2026-12-01") {
		t.Errorf("province sheet %v", prov)
	}

	// JSON as of 2027-03-01: the planned area counts as existing.
	jsonFile := filepath.Join(dir, "c.json")
	if _, _, err := runCmd(t, noEnv, "", "coverage", "report", "--format", "json", "--as-of", "2027-03-01", "--out", jsonFile, "--db", db, "--log-level", "warn"); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	var sums []struct {
		AsOf  string `json:"as_of"`
		Level string
		Rows  []map[string]any
		Total struct {
			Customers, Existing, UnderConstruction, Planned, None, Attack int
			Funnel                                                        map[string]int
			ByStage                                                       map[string]map[string]int `json:"by_stage"`
			ByCarrier                                                     map[string]map[string]int `json:"by_carrier"`
		}
	}
	if err := json.Unmarshal(raw, &sums); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if len(sums) != 3 || sums[2].Level != "grid" || sums[0].AsOf != "2027-03-01" || len(sums[1].Rows) != 1 || sums[2].Rows[0]["district_id"] == nil {
		t.Fatalf("JSON %s", raw)
	}
	tot := sums[0].Total
	if tot.Customers != 5 || tot.Existing != 3 || tot.Planned != 0 || tot.None != 1 || tot.Attack != 2 ||
		tot.Funnel["target"] != 5 || tot.ByStage["target"]["existing"] != 3 || tot.ByCarrier["competitor"]["existing"] != 2 || tot.ByCarrier["none"]["none"] != 1 {
		t.Errorf("JSON total %+v", tot)
	}
	json2, _, err := runCmd(t, noEnv, "", "coverage", "report", "--format", "json", "--as-of", "2026-12-01", "--level", "district", "--db", db, "--log-level", "warn")
	if err != nil || !strings.Contains(json2, `"level": "district"`) || strings.Contains(json2, `"level": "grid"`) || !strings.Contains(json2, `"under_construction": 1`) {
		t.Errorf("JSON on stdout, one level: %v\n%s", err, json2)
	}

	// CSV on stdout: a 层级 column, every level's rows and totals.
	text, _, err := runCmd(t, noEnv, "", "coverage", "report", "--format", "csv", "--as-of", "2026-12-01", "--db", db, "--log-level", "warn")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatalf("%v: %s", err, text)
	}
	if len(rows) != 7 || rows[0][0] != "层级" || !slices.Equal(rows[0][1:], header) {
		t.Fatalf("CSV %q", rows)
	}
	levels := []string{}
	for _, r := range rows[1:] {
		levels = append(levels, r[0])
	}
	if !slices.Equal(levels, []string{"省", "省", "区县", "区县", "网格", "网格"}) {
		t.Errorf("levels %v", levels)
	}
	if r := rows[5]; r[1] != "XH-01" || r[3] != "西湖区 330106" || r[4] != "5" || r[5] != "2" || r[9] != "0.4000" {
		t.Errorf("grid line %v", r)
	}
	if r := rows[3]; r[3] != "" || r[2] != "西湖区 330106" {
		t.Errorf("district line %v: the district column is empty", r)
	}
}
