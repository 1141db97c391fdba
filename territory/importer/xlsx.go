package importer

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxLimits guard against zip bombs: a workbook may unpack to at most
// 1 GiB, and sheets over 16 MiB are streamed from a temporary file rather
// than held in memory (excelize's default).
var xlsxLimits = excelize.Options{UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: 16 << 20}

// openXLSX opens a workbook and streams the rows of the chosen sheet.
// excelize needs the whole zip in memory (its central directory is at the
// end); the sheet itself is then decoded row by row.
func (imp *importer) openXLSX(r io.Reader) (rowSource, error) {
	f, err := excelize.OpenReader(r, xlsxLimits)
	if err != nil {
		return nil, &FileError{Reason: fmt.Sprintf("not a readable XLSX workbook: %v", err), Err: err}
	}
	sheets := f.GetSheetList()
	sheet := imp.opts.Sheet
	if sheet == "" {
		if len(sheets) == 0 {
			f.Close()
			return nil, &FileError{Reason: "the workbook has no sheets"}
		}
		sheet = sheets[0]
	} else if !contains(sheets, sheet) {
		f.Close()
		return nil, &FileError{Reason: fmt.Sprintf("the workbook has no sheet %q (sheets: %s)", sheet, strings.Join(sheets, ", "))}
	}
	imp.res.Sheet = sheet
	if dim, err := f.GetSheetDimension(sheet); err == nil {
		if _, last, ok := strings.Cut(dim, ":"); ok {
			if _, row, err := excelize.CellNameToCoordinates(last); err == nil {
				imp.total = max(0, row-1)
			}
		}
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, &FileError{Reason: fmt.Sprintf("sheet %q: %v", sheet, err), Err: err}
	}
	return &xlsxSource{f: f, rows: rows, maxCell: imp.opts.MaxCellBytes}, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// xlsxSource yields a sheet's non-blank rows, numbered as Excel numbers
// them. Cells come raw (numbers as stored, not as formatted: a column
// formatted "0.00" must not round coordinates).
type xlsxSource struct {
	f       *excelize.File
	rows    *excelize.Rows
	n       int
	width   int
	maxCell int
}

func (x *xlsxSource) SetWidth(n int) { x.width = n }

func (x *xlsxSource) Read() (*record, error) {
	for x.rows.Next() {
		x.n++
		cells, err := x.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("sheet row %d: %w", x.n, err)
		}
		if allBlank(cells) {
			continue
		}
		rec := &record{line: x.n}
		text := csvLine(cells)
		rec.text = text[:min(len(text), maxShow)]
		rec.textLen = len(cells) - 1
		for _, c := range cells {
			rec.textLen += len(c)
		}
		rec.textLen = max(rec.textLen, len(rec.text))
		for i, c := range cells {
			if len(c) > x.maxCell {
				rec.big = append(rec.big, bigCell{col: i, size: len(c)})
				cells[i] = c[:x.maxCell]
			}
		}
		// Cells beyond the header have no column: they are ignored.
		for x.width > 0 && len(cells) < x.width {
			cells = append(cells, "")
		}
		rec.fields = cells
		return rec, nil
	}
	if err := x.rows.Error(); err != nil {
		return nil, err
	}
	return nil, io.EOF
}

func (x *xlsxSource) Close() error {
	err := x.rows.Close()
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func allBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// csvLine writes cells as one CSV line (the row's text in rejects).
func csvLine(cells []string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	clipped := make([]string, len(cells))
	for i, c := range cells {
		clipped[i] = c
		if len(c) > maxShow {
			clipped[i] = c[:maxShow]
		}
	}
	_ = w.Write(clipped)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}
