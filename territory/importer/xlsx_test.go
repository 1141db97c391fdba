package importer

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"
)

// workbook builds an XLSX file: sheet 客户 with a title row, the header,
// good and bad rows; sheet Other with one customer.
func workbook(tb testing.TB) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "客户"))
	rows := [][]any{
		{"2026年西湖区客户清单"},
		{"外部编号", "名称", "地址", "经度", "纬度", "规模"},
		{10001, "甲", "", 120.123456789, 30.2345678, "小型"},
		{"X2", "乙", "杭州市西湖区文三路1号"},
		nil,
		{"X3", "丙", "", "abc", 30},
		{"X4", strings.Repeat("长", 20000), "杭州市西湖区文三路1号"},
		{"X5", "戊", "杭州市西湖区文三路1号", nil, nil, nil, "beyond the header"},
	}
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		must(f.SetSheetRow("客户", cell, &r))
	}
	// Coordinates shown rounded: the import must read the stored value.
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.00")})
	must(err)
	must(f.SetCellStyle("客户", "D3", "E3", style))
	_, err = f.NewSheet("Other")
	must(err)
	must(f.SetSheetRow("Other", "A1", &[]any{"id", "name", "lng", "lat"}))
	must(f.SetSheetRow("Other", "A2", &[]any{"O1", "other", 120.5, 30.5}))
	buf, err := f.WriteToBuffer()
	must(err)
	return buf.Bytes()
}

func ptr[T any](v T) *T { return &v }

func TestImportXLSX(t *testing.T) {
	data := workbook(t)
	st := newMemStore()
	res, err := Import(context.Background(), st, bytes.NewReader(data), Options{Geocoder: testGeocoder, Locator: boxLocator{}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != FormatXLSX || res.Sheet != "客户" || res.Inserted != 3 || res.Rejected != 2 || res.Rows != 5 {
		t.Fatalf("%+v", res)
	}
	if c := st.get(t, "10001"); c.Location != (orb.Point{120.123456789, 30.2345678}) || c.Name != "甲" {
		t.Fatalf("10001 stored at %v (rounded by the cell format?)", c.Location)
	}
	if rj := rejectAt(t, res, 6); rj.Column != "经度" || !strings.Contains(rj.Reason, "not a decimal number") || rj.Row != "X3,丙,,abc,30" {
		t.Fatalf("reject %+v", rj)
	}
	if rj := rejectAt(t, res, 7); rj.Column != "名称" || !strings.Contains(rj.Reason, "holds 60000 bytes") {
		t.Fatalf("reject %+v", rj)
	}
	if st.get(t, "X5").Name != "戊" {
		t.Fatal("a cell beyond the header spoiled its row")
	}

	other := newMemStore()
	res, err = Import(context.Background(), other, bytes.NewReader(data), Options{Sheet: "Other"})
	if err != nil || res.Inserted != 1 || other.get(t, "O1").Location != (orb.Point{120.5, 30.5}) {
		t.Fatalf("sheet Other: %v %+v", err, res)
	}
	_, err = Import(context.Background(), newMemStore(), bytes.NewReader(data), Options{Sheet: "Nope"})
	var fe *FileError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), `no sheet "Nope" (sheets: 客户, Other)`) {
		t.Fatalf("missing sheet: %v", err)
	}
	// Forced CSV on a workbook: the zip is binary, refused.
	if _, err := Import(context.Background(), newMemStore(), bytes.NewReader(data), Options{Format: FormatCSV}); !errors.As(err, &fe) {
		t.Fatalf("xlsx read as CSV: %v", err)
	}
}
