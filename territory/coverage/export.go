package coverage

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"gridplan/funnel"
	"gridplan/territory"
)

// SheetName is the XLSX sheet of each level.
var SheetName = map[Level]string{LevelProvince: "省", LevelDistrict: "区县", LevelGrid: "网格"}

var carrierLabelZH = [NumCarriers]string{"本网客户", "竞争对手客户", "无运营商客户", "运营商未知客户"}

// Header is the header row of a report table at level lv, in Chinese, as
// the XLSX export writes it (and a CSV export may): code and name (and,
// for grids, the district), customers, the four coverage statuses, the
// share covered by existing resources, the attack list, the funnel stages,
// then each carrier's customers and how many of them existing resources
// reach.
func Header(lv Level) []string {
	h := []string{"编码", "名称"}
	if lv == LevelGrid {
		h = append(h, "所属区县")
	}
	h = append(h, "客户数")
	h = append(h, statusLabelZH[:]...)
	h = append(h, "已建覆盖率", "可攻客户(竞争对手·已建覆盖)")
	for _, st := range funnel.Stages {
		h = append(h, st.LabelZH())
	}
	h = append(h, "阶段未知")
	for _, c := range carrierLabelZH {
		h = append(h, c, c+"·已建覆盖")
	}
	return h
}

// Values is r's line under Header(lv): counts as ints, the share as a
// fraction (0..1; 0 for no customers). districtName names a grid row's
// district.
func (r *Row) Values(lv Level, districtName string) []any {
	v := []any{r.Code, r.Name}
	if lv == LevelGrid {
		v = append(v, districtName)
	}
	n := r.Cube.Customers()
	v = append(v, n)
	by := r.Cube.ByStatus()
	for _, x := range by {
		v = append(v, x)
	}
	share := 0.0
	if n > 0 {
		share = float64(by[Existing]) / float64(n)
	}
	v = append(v, share, r.Cube.Attack())
	for _, x := range r.Cube.Funnel() {
		v = append(v, x)
	}
	for _, x := range r.Cube.ByCarrier() {
		total := 0
		for _, y := range x {
			total += y
		}
		v = append(v, total, x[Existing])
	}
	return v
}

// WriteXLSX writes one sheet per summary (named by SheetName: 省, 区县,
// 网格), each a header row, a row per area, a total row (合计) and a note
// of the as-of date. districtNames names the districts of grid rows by id.
func WriteXLSX(w io.Writer, sums []*Summary, districtNames map[int64]string) error {
	f := excelize.NewFile()
	defer f.Close()
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	shareCol := 7 // 0-based position of 已建覆盖率 without the district column
	for i, s := range sums {
		name, ok := SheetName[s.Level]
		if !ok {
			return territory.Invalid("level", "unknown level %q", s.Level)
		}
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return fmt.Errorf("xlsx: %w", err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("xlsx: sheet %s: %w", name, err)
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return fmt.Errorf("xlsx: sheet %s: %w", name, err)
		}
		share := shareCol
		if s.Level == LevelGrid {
			share++
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return fmt.Errorf("xlsx: sheet %s: %w", name, err)
		}
		header := Header(s.Level)
		if err := sw.SetColWidth(2, 2, 24); err != nil {
			return fmt.Errorf("xlsx: sheet %s: %w", name, err)
		}
		hrow := make([]any, len(header))
		for j, h := range header {
			hrow[j] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", hrow); err != nil {
			return fmt.Errorf("xlsx: sheet %s: %w", name, err)
		}
		line := 2
		put := func(vals []any, style int) error {
			for j := range vals {
				st := style
				if j == share {
					st = pct
				}
				if st != 0 {
					vals[j] = excelize.Cell{StyleID: st, Value: vals[j]}
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, line)
			line++
			return sw.SetRow(cell, vals)
		}
		for j := range s.Rows {
			r := &s.Rows[j]
			if err := put(r.Values(s.Level, districtNames[r.DistrictID]), 0); err != nil {
				return fmt.Errorf("xlsx: sheet %s: %w", name, err)
			}
		}
		total := s.Total
		total.Code, total.Name = "合计", ""
		if err := put(total.Values(s.Level, ""), 0); err != nil {
			return fmt.Errorf("xlsx: sheet %s: %w", name, err)
		}
		line++
		if err := put([]any{"截至日期", s.AsOf.String()}, 0); err != nil {
			return fmt.Errorf("xlsx: sheet %s: %w", name, err)
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("xlsx: sheet %s: %w", name, err)
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}
