package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"gridplan/territory"
)

// maxResourceCell caps one CSV cell of a resource file: a list of the most
// cells a resource may have (100,000 × 16 characters) fits.
const maxResourceCell = 2 << 20

// resColumns is a resource file's header resolved.
type resColumns struct {
	header []string
	col    map[ResourceField]int
}

func (c *resColumns) name(f ResourceField) string {
	if i, ok := c.col[f]; ok {
		return strings.TrimSpace(c.header[i])
	}
	return ""
}

// readCSV reads a resource CSV file: the encoding is detected as for
// customers (UTF-8 with or without a byte-order mark, GB18030/GBK, UTF-16
// with a mark), the separator from the header line.
func (ri *resImporter) readCSV(raw []byte) ([]*resRow, error) {
	enc, _, err := detectEncoding(raw[:min(len(raw), sniffBytes)], func() (io.Reader, error) { return bytes.NewReader(raw), nil })
	if err != nil {
		var ee *EncodingError
		if errors.As(err, &ee) {
			return nil, &FileError{Reason: ee.Error(), Err: err}
		}
		return nil, fmt.Errorf("import resources: %w", err)
	}
	ri.res.Encoding = enc
	checkU8 := enc == UTF8 || enc == UTF8BOM
	text := bufio.NewReaderSize(decoder(bytes.NewReader(raw), enc), 64<<10)
	cr := newCSVReader(text, headerComma(text), maxResourceCell)

	var head *record
	for head == nil {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil, &FileError{Reason: "the file has no header row"}
		}
		if err != nil {
			return nil, &FileError{Reason: fmt.Sprintf("read the header: %v", err), Err: err}
		}
		if rec.problem == nil {
			head = rec
		}
	}
	cols, err := ri.resolveCSV(head.fields)
	if err != nil {
		return nil, err
	}
	cr.want = len(head.fields)

	var rows []*resRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, &FileError{Reason: fmt.Sprintf("read line %d: %v", head.line+len(rows)+1, err), Err: err}
		}
		ri.res.Rows++
		if row := ri.csvRow(rec, cols, checkU8); row != nil {
			rows = append(rows, row)
		}
	}
}

// headerComma picks the separator the header line uses most: comma, tab or
// semicolon, ties going to the comma. Only the header counts: a data cell
// may list H3 cells separated by semicolons.
func headerComma(r *bufio.Reader) byte {
	head, _ := r.Peek(64 << 10)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	best, n := byte(','), bytes.Count(head, []byte{','})
	for _, c := range []byte{'\t', ';'} {
		if k := bytes.Count(head, []byte{c}); k > n {
			best, n = c, k
		}
	}
	return best
}

// resolveCSV maps the header to fields (the best alias wins, then the
// leftmost column) and checks that the required columns are there.
func (ri *resImporter) resolveCSV(header []string) (*resColumns, error) {
	c := &resColumns{header: header, col: map[ResourceField]int{}}
	rank := map[ResourceField]int{}
	for i, h := range header {
		f, r, ok := resourceFieldOf(h)
		if !ok {
			if strings.TrimSpace(h) != "" {
				ri.res.Ignored = append(ri.res.Ignored, strings.TrimSpace(h))
			}
			continue
		}
		if j, dup := c.col[f]; dup && rank[f] <= r {
			ri.res.Ignored = append(ri.res.Ignored, strings.TrimSpace(h))
			continue
		} else if dup {
			ri.res.Ignored = append(ri.res.Ignored, strings.TrimSpace(header[j]))
		}
		c.col[f], rank[f] = i, r
	}
	for f := range c.col {
		ri.res.Columns[f] = c.name(f)
	}
	var missing []string
	for _, f := range []ResourceField{ResourceName, ResourceKind, ResourceStatusField} {
		if _, ok := c.col[f]; !ok {
			missing = append(missing, fmt.Sprintf("%s (%s)", f, strings.Join(ResourceAliases[f][:2], "/")))
		}
	}
	_, lng := c.col[ResourceLng]
	_, lat := c.col[ResourceLat]
	_, geom := c.col[ResourceGeometry]
	_, cells := c.col[ResourceCells]
	switch {
	case lng && !lat:
		missing = append(missing, "lat (纬度): there is a longitude column")
	case lat && !lng:
		missing = append(missing, "lng (经度): there is a latitude column")
	case !lng && !geom && !cells:
		missing = append(missing, "a coverage: lng/lat (经度/纬度) with radius_m (半径), geometry (WKT or GeoJSON), or cells (H3)")
	}
	if len(missing) > 0 {
		return nil, &ColumnsError{Missing: missing, Reason: fmt.Sprintf("the file lacks required columns: %s (headers: %s)",
			strings.Join(missing, ", "), strings.Join(trimAll(header), ", "))}
	}
	return c, nil
}

// csvRow turns one record into a row, or rejects it (nil).
func (ri *resImporter) csvRow(rec *record, cols *resColumns, checkU8 bool) *resRow {
	row := &resRow{line: rec.line, feature: -1, text: strings.ToValidUTF8(rec.text, "\uFFFD"), set: map[ResourceField]bool{}, column: cols.name}
	if rec.textLen > len(rec.text) {
		row.text += fmt.Sprintf("…[cut: the row has %d bytes]", rec.textLen)
	}
	fieldAt := func(i int) ResourceField {
		for f, j := range cols.col {
			if j == i {
				return f
			}
		}
		return ""
	}
	if p := rec.problem; p != nil {
		ri.reject(row, fieldAt(p.col), p.reason)
		return nil
	}
	if len(rec.big) > 0 {
		ri.reject(row, fieldAt(rec.big[0].col), fmt.Sprintf("the cell holds %d bytes, more than the %d allowed", rec.big[0].size, maxResourceCell))
		return nil
	}
	for i, v := range rec.fields {
		switch {
		case checkU8 && !utf8.ValidString(v):
			ri.reject(row, fieldAt(i), "holds bytes that are not UTF-8")
			return nil
		case !checkU8 && strings.ContainsRune(v, utf8.RuneError):
			ri.reject(row, fieldAt(i), fmt.Sprintf("holds bytes that are not %s", ri.res.Encoding))
			return nil
		case strings.IndexByte(v, 0) >= 0:
			ri.reject(row, fieldAt(i), "holds a NUL byte")
			return nil
		}
	}
	cell := func(f ResourceField) string {
		i, ok := cols.col[f]
		if !ok || i >= len(rec.fields) {
			return ""
		}
		return strings.TrimSpace(rec.fields[i])
	}
	r := &territory.Resource{Code: cell(ResourceCode), Name: cell(ResourceName), Kind: cell(ResourceKind)}
	row.r = r
	if f, reason := ri.fill(r, row.set, cell); reason != "" {
		ri.reject(row, f, reason)
		return nil
	}

	var point *orb.Point
	lngS, latS := cell(ResourceLng), cell(ResourceLat)
	switch {
	case lngS == "" && latS == "":
	case lngS == "":
		ri.reject(row, ResourceLng, "is empty while the latitude is given")
		return nil
	case latS == "":
		ri.reject(row, ResourceLat, "is empty while the longitude is given")
		return nil
	default:
		p, f, reason := ri.lngLat(lngS, latS)
		if reason != "" {
			ri.reject(row, f, reason)
			return nil
		}
		point = &p
	}
	var geom orb.Geometry
	if s := cell(ResourceGeometry); s != "" {
		g, err := parseGeometryText(s)
		if err == nil {
			g, err = toWGS84(g, ri.opts.CRS)
		}
		if err != nil {
			ri.reject(row, ResourceGeometry, err.Error())
			return nil
		}
		geom = g
	}
	var cells []string
	if s := cell(ResourceCells); s != "" {
		cells = splitCells(s)
	}
	if f, reason := coverage(r, point, geom, cells, cell(ResourceRadius), row.set); reason != "" {
		if f == ResourceGeometry && cols.name(ResourceGeometry) == "" {
			f = ResourceLng
		}
		ri.reject(row, f, reason)
		return nil
	}
	return ri.valid(row)
}

// valid rejects a row whose resource does not pass Validate (nil), so that
// rejects come in file order; upsert checks again after merging.
func (ri *resImporter) valid(row *resRow) *resRow {
	if err := row.r.Validate(); err != nil {
		ri.rejectErr(row, err)
		return nil
	}
	return row
}

// fill reads the attributes every format shares from get: name, kind and
// status (required), capacity and expected date (optional; set records
// which are given).
func (ri *resImporter) fill(r *territory.Resource, set map[ResourceField]bool, get func(ResourceField) string) (ResourceField, string) {
	switch {
	case r.Name == "":
		return ResourceName, "is empty: every resource needs a name"
	case r.Kind == "":
		return ResourceKind, "is empty: every resource needs a kind (光交箱, OLT, 5G基站 …)"
	}
	st := get(ResourceStatusField)
	if st == "" {
		return ResourceStatusField, "is empty: want existing, under_construction or planned (现有, 在建 or 规划)"
	}
	s, err := ParseResourceStatus(st)
	if err != nil {
		return ResourceStatusField, err.Error()
	}
	r.Status = s
	if v := get(ResourceCapacity); v != "" {
		n, err := parseCapacity(v)
		if err != nil {
			return ResourceCapacity, err.Error()
		}
		r.Capacity, set[ResourceCapacity] = n, true
	}
	if v := get(ResourceExpectedDate); v != "" {
		d, err := parseLooseDate(v)
		if err != nil {
			return ResourceExpectedDate, err.Error()
		}
		r.ExpectedDate, set[ResourceExpectedDate] = &d, true
	}
	return "", ""
}

// lngLat reads a coordinate pair and converts it to WGS-84.
func (ri *resImporter) lngLat(lngS, latS string) (orb.Point, ResourceField, string) {
	lng, err := parseCoord(lngS)
	if err != nil {
		return orb.Point{}, ResourceLng, "longitude " + err.Error()
	}
	lat, err := parseCoord(latS)
	if err != nil {
		return orb.Point{}, ResourceLat, "latitude " + err.Error()
	}
	swapped := ""
	if lng >= -90 && lng <= 90 && lat >= -180 && lat <= 180 {
		swapped = " (longitude and latitude look swapped)"
	}
	switch {
	case lng < -180 || lng > 180:
		return orb.Point{}, ResourceLng, fmt.Sprintf("longitude %v is out of range [-180, 180]", lng)
	case lat < -90 || lat > 90:
		return orb.Point{}, ResourceLat, fmt.Sprintf("latitude %v is out of range [-90, 90]%s", lat, swapped)
	}
	p, err := toWGS84(orb.Point{lng, lat}, ri.opts.CRS)
	if err != nil {
		return orb.Point{}, ResourceLng, err.Error()
	}
	return p.(orb.Point), "", ""
}
