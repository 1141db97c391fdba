package coverage

import (
	"bytes"
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestWriteXLSX(t *testing.T) {
	w := genWorld(t, 61, 1500, 60)
	a := mustNew(t, w.in)
	d := day("2027-03-31")
	var sums []*Summary
	for _, lv := range Levels {
		s, err := a.Summary(d, lv, 0)
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, s)
	}
	names := map[int64]string{}
	for _, dist := range w.in.Districts {
		names[dist.ID] = dist.Name
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, sums, names); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"省", "区县", "网格"}) {
		t.Fatalf("sheets %v", got)
	}
	for _, s := range sums {
		sheet := SheetName[s.Level]
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rows[0], Header(s.Level)) {
			t.Errorf("%s: header %v", sheet, rows[0])
		}
		if len(rows) != 1+len(s.Rows)+1+2 {
			t.Fatalf("%s: %d rows, want header + %d + total + note", sheet, len(rows), len(s.Rows))
		}
		col := 2 // 客户数
		if s.Level == LevelGrid {
			col = 3
			if rows[1][2] != names[s.Rows[0].DistrictID] || rows[1][2] == "" {
				t.Errorf("%s: district column %q", sheet, rows[1][2])
			}
		}
		for j, r := range s.Rows {
			if n, _ := strconv.Atoi(rows[1+j][col]); n != r.Cube.Customers() || rows[1+j][0] != r.Code {
				t.Errorf("%s row %d: %v, want %s with %d customers", sheet, j, rows[1+j][:col+1], r.Code, r.Cube.Customers())
			}
		}
		tot := rows[1+len(s.Rows)]
		if n, _ := strconv.Atoi(tot[col]); tot[0] != "合计" || n != len(w.in.Customers) {
			t.Errorf("%s: total row %v", sheet, tot[:col+1])
		}
		if note := rows[len(rows)-1]; note[0] != "截至日期" || note[1] != "2027-03-31" {
			t.Errorf("%s: note %v", sheet, note)
		}
	}
}
