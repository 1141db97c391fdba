package importer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/geo"
	"gridplan/geo/geocode"
	"gridplan/territory"
)

// Geocoder places an address on the map (WGS-84). The importer calls it
// for rows without coordinates; with Options.GeocodeWorkers > 1 it must be
// safe for concurrent use.
type Geocoder interface {
	Geocode(ctx context.Context, address string) (geocode.Result, error)
}

// Locator finds the grid a point lies in (territory.LoadGridIndex builds
// one over the stored grids).
type Locator interface {
	Locate(p orb.Point) (gridID int64, ok bool)
}

// CellLocator is a Locator that can answer from the point's H3 cell
// (resolution geo.CustomerCellRes), mostly without a polygon test; the
// importer uses it when its Locator has it.
type CellLocator interface {
	LocateCell(p orb.Point, cell h3.Cell) (gridID int64, ok bool)
}

// Format is a file format the importer reads.
type Format string

// Formats. FormatAuto tells XLSX by its zip signature and reads anything
// else as CSV.
const (
	FormatAuto Format = ""
	FormatCSV  Format = "csv"
	FormatXLSX Format = "xlsx"
)

// Defaults for the zero Options fields.
const (
	DefaultBatchSize = 2000
	// DefaultMaxCellBytes caps a cell: Excel itself holds at most 32,767
	// characters in one, and no name or address comes near that.
	DefaultMaxCellBytes = 32 << 10
	// DefaultMaxRejects bounds the rejects kept in a Result (OnReject
	// still sees every one).
	DefaultMaxRejects = 100_000
	// headerSearchRows is how many leading rows may be titles above the
	// header.
	headerSearchRows = 10
)

// Options configure an import. The zero value reads CSV or XLSX with
// WGS-84 coordinates and rejects rows that would need geocoding.
type Options struct {
	Format Format
	// Sheet of an XLSX workbook; "" is the first sheet.
	Sheet string
	// CRS of the coordinate columns; "" is WGS-84. GCJ-02 and BD-09 are
	// converted, and refused outside China.
	CRS geo.CRS
	// Map overrides the header of a field (FieldName: "公司").
	Map map[Field]string
	// OurCarrier is the operator we are (a CarrierName key: telecom,
	// mobile, unicom, broadnet); it lets a carrier column name operators.
	OurCarrier string
	// MinPrecision rejects geocoded rows located more coarsely; 0 takes
	// whatever the geocoder finds.
	MinPrecision geocode.Precision
	// Geocoder places rows without coordinates; nil rejects them.
	Geocoder       Geocoder
	GeocodeWorkers int // 0 or 1: one at a time
	// Locator sets each customer's grid; nil keeps the stored grid (0
	// for new customers).
	Locator Locator
	// BatchSize is how many rows are merged and stored at once.
	BatchSize    int
	MaxCellBytes int
	MaxRejects   int
	// OnReject, when not nil, sees every rejected row as it is found (to
	// stream a rejects file); an error from it stops the import.
	OnReject func(Reject) error
	// Progress, when not nil, is told how far the import has got, after
	// every batch.
	Progress func(Progress)
}

func (o Options) withDefaults() Options {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.MaxCellBytes <= 0 {
		o.MaxCellBytes = DefaultMaxCellBytes
	}
	if o.MaxRejects <= 0 {
		o.MaxRejects = DefaultMaxRejects
	}
	if o.GeocodeWorkers <= 0 {
		o.GeocodeWorkers = 1
	}
	return o
}

// Progress is how far an import has got.
type Progress struct {
	Rows      int `json:"rows"`       // data rows read so far
	TotalRows int `json:"total_rows"` // estimated from the file's lines; 0 when unknown
	territory.UpsertResult
	Rejected int `json:"rejected"`
}

// Reject is a row that was not imported and why.
type Reject struct {
	Line   int    `json:"line"`             // line (CSV) or row (XLSX) number, the header's being 1 when it is first
	Column string `json:"column,omitempty"` // the column at fault as headed in the file; "" for the whole row
	Field  Field  `json:"field,omitempty"`  // its field
	Reason string `json:"reason"`
	Row    string `json:"row"` // the row as written, cut at 4 KiB
}

// Result is what an import did.
type Result struct {
	Format   Format           `json:"format"`
	Encoding Encoding         `json:"encoding,omitempty"`
	Sheet    string           `json:"sheet,omitempty"`
	Comma    string           `json:"separator,omitempty"`
	Columns  map[Field]string `json:"columns"` // field → header used
	Ignored  []string         `json:"ignored_columns,omitempty"`
	Notes    []string         `json:"notes,omitempty"`
	Rows     int              `json:"rows"` // data rows read, blank ones not counted
	territory.UpsertResult
	Rejected       int      `json:"rejected"`
	Geocoded       int      `json:"geocoded"`
	Rejects        []Reject `json:"rejects"`
	RejectsOmitted int      `json:"rejects_omitted,omitempty"` // rejects beyond MaxRejects, seen only by OnReject
}

// ColumnsError refuses a file whose header lacks required columns, or
// names columns that a column map asks for but the file does not have.
type ColumnsError struct {
	Missing []string
	Reason  string
}

func (e *ColumnsError) Error() string { return e.Reason }

// Unwrap lets errors.Is(err, territory.ErrInvalid) match.
func (e *ColumnsError) Unwrap() error { return territory.ErrInvalid }

// FileError refuses a file as a whole: not a spreadsheet, an unknown
// encoding, a missing sheet, no header.
type FileError struct {
	Reason string
	Err    error
}

func (e *FileError) Error() string { return e.Reason }

// Unwrap lets errors.Is(err, territory.ErrInvalid) match.
func (e *FileError) Unwrap() []error { return []error{territory.ErrInvalid, e.Err} }

// Import reads customers from src (CSV or XLSX), places and validates
// them, and upserts them into st by external id, batch by batch. Bad rows
// are rejected one by one (Result.Rejects and OnReject) and never stop the
// good ones; a file that cannot be read at all (unknown encoding, missing
// required columns …) is refused with a *FileError or *ColumnsError before
// anything is written. A batch the store refuses for bad input (it is one
// transaction) is split down to the row at fault, which is rejected. Any
// other store error stops the import: the batches before it stay written,
// and since the import is idempotent, running it again finishes the job.
//
// Columns a file lacks keep their stored values; so do empty cells of
// optional columns (address, industry, size, carrier, special). A row
// without coordinates whose address equals the stored one keeps the stored
// location; otherwise it is geocoded.
//
// src is read as a stream. When it is an io.ReadSeeker (a file), its
// encoding is judged on the whole file and the progress total is counted
// up front; otherwise on its first megabyte.
func Import(ctx context.Context, st territory.CustomerImportStore, src io.Reader, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	if _, err := geo.ToWGS84(orb.Point{120, 30}, opts.CRS); err != nil {
		return nil, &FileError{Reason: err.Error(), Err: err}
	}
	imp := &importer{ctx: ctx, st: st, opts: opts, res: &Result{Columns: map[Field]string{}, Rejects: []Reject{}}, seen: map[string]int{}}
	srcRows, err := imp.open(src)
	if err != nil {
		return nil, err
	}
	defer srcRows.Close()
	if err := imp.header(srcRows); err != nil {
		return nil, err
	}
	imp.report()
	batch := make([]*item, 0, opts.BatchSize)
	for n := 0; ; n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return imp.res, err
			}
		}
		rec, err := srcRows.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return imp.res, &FileError{Reason: fmt.Sprintf("read line %d: %v", imp.lastLine+1, err), Err: err}
		}
		imp.lastLine = rec.line
		it, err := imp.row(rec)
		if err != nil {
			return imp.res, err
		}
		if it == nil {
			continue
		}
		batch = append(batch, it)
		if len(batch) == opts.BatchSize {
			if err := imp.flush(batch); err != nil {
				return imp.res, err
			}
			batch = batch[:0]
		}
	}
	if err := imp.flush(batch); err != nil {
		return imp.res, err
	}
	imp.total = imp.res.Rows
	imp.report()
	return imp.res, nil
}

// rowSource yields the rows of a file.
type rowSource interface {
	Read() (*record, error)
	// SetWidth tells the source how many cells the header has.
	SetWidth(n int)
	Close() error
}

// importer is the state of one Import.
type importer struct {
	ctx      context.Context
	st       territory.CustomerImportStore
	opts     Options
	res      *Result
	cols     *columns
	seen     map[string]int // external id → first line
	total    int
	lastLine int
	checkU8  bool // cells must be valid UTF-8 (else: must hold no U+FFFD)
}

// open sniffs the format and the encoding and returns the file's rows.
func (imp *importer) open(src io.Reader) (rowSource, error) {
	var (
		sample []byte
		body   io.Reader
		whole  func() (io.Reader, error)
	)
	if rs, ok := src.(io.ReadSeeker); ok {
		start, err := rs.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		sample, err = io.ReadAll(io.LimitReader(rs, sniffBytes))
		if err != nil {
			return nil, fmt.Errorf("import: read: %w", err)
		}
		whole = func() (io.Reader, error) {
			if _, err := rs.Seek(start, io.SeekStart); err != nil {
				return nil, fmt.Errorf("import: rewind: %w", err)
			}
			return rs, nil
		}
	} else {
		br := bufio.NewReaderSize(src, sniffBytes)
		sample, _ = br.Peek(sniffBytes)
		body = br
	}
	if len(bytes.TrimSpace(sample)) == 0 {
		return nil, &FileError{Reason: "the file is empty"}
	}
	format := imp.opts.Format
	if format == FormatAuto {
		format = FormatCSV
		switch {
		case bytes.HasPrefix(sample, []byte("PK\x03\x04")):
			format = FormatXLSX
		case bytes.HasPrefix(sample, []byte{0xD0, 0xCF, 0x11, 0xE0}):
			return nil, &FileError{Reason: "this is a legacy Excel 97–2003 workbook (.xls) or an encrypted one: save it as .xlsx or CSV"}
		}
	}
	imp.res.Format = format
	switch format {
	case FormatXLSX:
		if whole != nil {
			r, err := whole()
			if err != nil {
				return nil, err
			}
			body = r
		}
		return imp.openXLSX(body)
	case FormatCSV:
	default:
		return nil, &FileError{Reason: fmt.Sprintf("unknown format %q (want csv or xlsx)", format)}
	}

	enc, stats, err := detectEncoding(sample, whole)
	if err != nil {
		var ee *EncodingError
		if errors.As(err, &ee) {
			return nil, &FileError{Reason: ee.Error(), Err: err}
		}
		return nil, fmt.Errorf("import: %w", err)
	}
	imp.res.Encoding = enc
	imp.checkU8 = enc == UTF8 || enc == UTF8BOM
	if whole != nil {
		lines := stats.newlines
		if stats.size > 0 && stats.lastByte != '\n' {
			lines++
		}
		imp.total = int(max(0, lines-1))
		r, err := whole()
		if err != nil {
			return nil, err
		}
		body = r
	}
	text := bufio.NewReaderSize(decoder(body, enc), 64<<10)
	comma := sniffComma(text)
	imp.res.Comma = string(comma)
	if comma == '\t' {
		imp.res.Comma = "tab"
	}
	return &csvSource{newCSVReader(text, comma, imp.opts.MaxCellBytes)}, nil
}

// sniffComma picks the separator the first lines (ten at most, so that a
// title line without separators does not decide) use most: comma, tab or
// semicolon, ties going to the comma.
func sniffComma(r *bufio.Reader) byte {
	head, _ := r.Peek(64 << 10)
	end := 0
	for k := 0; k < 10 && end < len(head); k++ {
		i := bytes.IndexByte(head[end:], '\n')
		if i < 0 {
			end = len(head)
			break
		}
		end += i + 1
	}
	head = head[:end]
	best, n := byte(','), bytes.Count(head, []byte{','})
	for _, c := range []byte{'\t', ';'} {
		if k := bytes.Count(head, []byte{c}); k > n {
			best, n = c, k
		}
	}
	return best
}

type csvSource struct{ cr *csvReader }

func (s *csvSource) Read() (*record, error) { return s.cr.Read() }
func (s *csvSource) SetWidth(n int)         { s.cr.want = n }
func (s *csvSource) Close() error           { return nil }

// header finds the header among the first rows (title rows above it are
// skipped), resolves the columns and reports them in the result.
func (imp *importer) header(src rowSource) error {
	var first *record
	for i := 0; i < headerSearchRows; i++ {
		rec, err := src.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return &FileError{Reason: fmt.Sprintf("read the header: %v", err), Err: err}
		}
		if rec.problem != nil {
			continue
		}
		if first == nil {
			first = rec
		}
		if headerScore(rec.fields, imp.opts.Map) >= 2 {
			if rec != first {
				imp.res.Notes = append(imp.res.Notes, fmt.Sprintf("the header is on line %d; the rows above it were skipped", rec.line))
			}
			first = rec
			break
		}
	}
	if first == nil {
		return &FileError{Reason: "the file has no header row"}
	}
	cols, err := resolve(first.fields, imp.opts.Map)
	if err != nil {
		return err
	}
	if imp.checkU8 {
		for _, h := range first.fields {
			if !utf8.ValidString(h) {
				return &FileError{Reason: fmt.Sprintf("the header %q is not valid UTF-8", strings.ToValidUTF8(h, "\uFFFD"))}
			}
		}
	}
	imp.cols = cols
	imp.lastLine = first.line
	src.SetWidth(len(first.fields))
	for f, i := range cols.col {
		imp.res.Columns[f] = cols.name(i)
	}
	imp.res.Ignored = cols.ignored
	imp.res.Notes = append(imp.res.Notes, cols.notes...)
	return nil
}

// item is a row that passed the row checks, waiting for its batch.
type item struct {
	rec      *record
	c        territory.Customer // the fields the row sets
	hasCoord bool
	set      map[Field]bool // optional fields whose cells are not empty
}

// reject records a rejected row.
func (imp *importer) reject(rec *record, col int, field Field, reason string) error {
	r := Reject{Line: rec.line, Field: field, Reason: reason, Row: strings.ToValidUTF8(rec.text, "\uFFFD")}
	if rec.textLen > len(rec.text) {
		r.Row += fmt.Sprintf("…[cut: the row has %d bytes]", rec.textLen)
	}
	if col >= 0 {
		r.Column = imp.cols.name(col)
		if field == "" {
			for f, i := range imp.cols.col {
				if i == col {
					r.Field = f
				}
			}
		}
	} else if field != "" {
		r.Column = imp.cols.headerName(field)
	}
	imp.res.Rejected++
	if len(imp.res.Rejects) < imp.opts.MaxRejects {
		imp.res.Rejects = append(imp.res.Rejects, r)
	} else {
		imp.res.RejectsOmitted++
	}
	if imp.opts.OnReject != nil {
		if err := imp.opts.OnReject(r); err != nil {
			return fmt.Errorf("import: write reject of line %d: %w", rec.line, err)
		}
	}
	return nil
}

// cell is the trimmed cell of field f; "" when the file has no such column.
func (imp *importer) cell(rec *record, f Field) string {
	i, ok := imp.cols.col[f]
	if !ok || i >= len(rec.fields) {
		return ""
	}
	return strings.TrimSpace(rec.fields[i])
}

// row checks one record on its own. It returns nil (and records the
// reject) when the row is bad, or an error when recording fails.
func (imp *importer) row(rec *record) (*item, error) {
	imp.res.Rows++
	if rec.problem != nil {
		return nil, imp.reject(rec, rec.problem.col, "", rec.problem.reason)
	}
	if len(rec.big) > 0 {
		b := rec.big[0]
		return nil, imp.reject(rec, b.col, "", fmt.Sprintf("the cell holds %d bytes, more than the %d allowed", b.size, imp.opts.MaxCellBytes))
	}
	for i, v := range rec.fields {
		if imp.checkU8 && !utf8.ValidString(v) {
			return nil, imp.reject(rec, i, "", "holds bytes that are not UTF-8")
		}
		if !imp.checkU8 && imp.res.Format == FormatCSV && strings.ContainsRune(v, utf8.RuneError) {
			return nil, imp.reject(rec, i, "", fmt.Sprintf("holds bytes that are not %s", imp.res.Encoding))
		}
		if strings.IndexByte(v, 0) >= 0 {
			return nil, imp.reject(rec, i, "", "holds a NUL byte")
		}
	}
	it := &item{rec: rec, set: map[Field]bool{}}
	c := &it.c
	col := func(f Field) int { return imp.cols.col[f] }

	c.ExternalID = imp.cell(rec, FieldExternalID)
	switch {
	case c.ExternalID == "":
		return nil, imp.reject(rec, col(FieldExternalID), FieldExternalID, "is empty: every row needs an external id")
	case len(c.ExternalID) > 128:
		return nil, imp.reject(rec, col(FieldExternalID), FieldExternalID, fmt.Sprintf("is %d bytes long, more than 128", len(c.ExternalID)))
	}
	if line, dup := imp.seen[c.ExternalID]; dup {
		return nil, imp.reject(rec, col(FieldExternalID), FieldExternalID, fmt.Sprintf("duplicate external id %q: line %d has it already", c.ExternalID, line))
	}
	imp.seen[c.ExternalID] = rec.line

	if c.Name = imp.cell(rec, FieldName); c.Name == "" {
		return nil, imp.reject(rec, col(FieldName), FieldName, "is empty: every customer needs a name")
	}

	lngS, latS := imp.cell(rec, FieldLng), imp.cell(rec, FieldLat)
	switch {
	case lngS == "" && latS == "":
	case lngS == "":
		return nil, imp.reject(rec, col(FieldLng), FieldLng, "is empty while the latitude is given")
	case latS == "":
		return nil, imp.reject(rec, col(FieldLat), FieldLat, "is empty while the longitude is given")
	default:
		lng, err := parseCoord(lngS)
		if err != nil {
			return nil, imp.reject(rec, col(FieldLng), FieldLng, "longitude "+err.Error())
		}
		lat, err := parseCoord(latS)
		if err != nil {
			return nil, imp.reject(rec, col(FieldLat), FieldLat, "latitude "+err.Error())
		}
		if field, reason := imp.checkCoord(lng, lat); reason != "" {
			return nil, imp.reject(rec, col(field), field, reason)
		}
		p, err := geo.ToWGS84(orb.Point{lng, lat}, imp.opts.CRS)
		if err != nil {
			reason := err.Error()
			if !geo.InChina(orb.Point{lng, lat}) && geo.InChina(orb.Point{lat, lng}) {
				reason += " (longitude and latitude look swapped)"
			}
			return nil, imp.reject(rec, col(FieldLng), FieldLng, reason)
		}
		c.Location, it.hasCoord = p, true
	}

	c.Address = imp.cell(rec, FieldAddress)
	it.set[FieldAddress] = c.Address != ""
	if v := imp.cell(rec, FieldIndustry); v != "" {
		c.Industry, it.set[FieldIndustry] = v, true
	}
	if v := imp.cell(rec, FieldSize); v != "" {
		s, err := parseSize(v)
		if err != nil {
			return nil, imp.reject(rec, col(FieldSize), FieldSize, err.Error())
		}
		c.Size, it.set[FieldSize] = s, true
	}
	if v := imp.cell(rec, FieldCarrier); v != "" {
		cr, err := parseCarrier(v, imp.opts.OurCarrier)
		if err != nil {
			return nil, imp.reject(rec, col(FieldCarrier), FieldCarrier, err.Error())
		}
		c.Carrier, it.set[FieldCarrier] = cr, true
	}
	if v := imp.cell(rec, FieldSpecial); v != "" {
		sp, err := parseSpecial(v)
		if err != nil {
			return nil, imp.reject(rec, col(FieldSpecial), FieldSpecial, err.Error())
		}
		c.Special, it.set[FieldSpecial] = sp, true
	}
	return it, nil
}

// checkCoord checks ranges before any datum conversion, naming the field at
// fault and hinting at swapped columns.
func (imp *importer) checkCoord(lng, lat float64) (Field, string) {
	swapped := ""
	if lng >= -90 && lng <= 90 && lat >= -180 && lat <= 180 {
		swapped = " (longitude and latitude look swapped)"
	}
	switch {
	case lng < -180 || lng > 180:
		return FieldLng, fmt.Sprintf("longitude %v is out of range [-180, 180]", lng)
	case lat < -90 || lat > 90:
		return FieldLat, fmt.Sprintf("latitude %v is out of range [-90, 90]%s", lat, swapped)
	}
	return "", ""
}

// flush merges a batch with the stored customers, geocodes and places it,
// and stores it.
func (imp *importer) flush(batch []*item) error {
	if len(batch) == 0 {
		return nil
	}
	ctx := imp.ctx
	ids := make([]string, len(batch))
	for i, it := range batch {
		ids[i] = it.c.ExternalID
	}
	stored, err := imp.st.CustomersByExternalIDs(ctx, ids)
	if err != nil {
		return fmt.Errorf("import: look up stored customers (lines %d–%d): %w", batch[0].rec.line, batch[len(batch)-1].rec.line, err)
	}
	merged := make([]*territory.Customer, len(batch))
	failed := map[int]bool{}
	var toGeocode []int
	for i, it := range batch {
		c := imp.merge(it, stored[it.c.ExternalID])
		merged[i] = c
		if it.hasCoord {
			continue
		}
		old := stored[it.c.ExternalID]
		switch {
		case c.Address == "":
			failed[i] = true
			var err error
			if imp.cols.has(FieldAddress) {
				err = imp.reject(it.rec, imp.cols.col[FieldAddress], FieldAddress, "is empty and the row has no coordinates: nothing places it on the map")
			} else {
				err = imp.reject(it.rec, imp.cols.col[FieldLng], FieldLng, "is empty and the file has no address column: nothing places the row on the map")
			}
			if err != nil {
				return err
			}
		case old != nil && old.Address == c.Address && geo.ValidatePoint(old.Location) == nil && old.Cell != 0:
			c.Location = old.Location // same address: keep where it was put
		default:
			toGeocode = append(toGeocode, i)
		}
	}
	if err := imp.geocode(batch, merged, toGeocode, failed); err != nil {
		return err
	}
	good := make([]*territory.Customer, 0, len(batch))
	goodItems := make([]*item, 0, len(batch))
	for i, c := range merged {
		if failed[i] {
			continue
		}
		c.Cell = 0
		c.Normalize()
		if imp.opts.Locator != nil {
			c.GridID = 0
			if id, ok := imp.locate(c); ok {
				c.GridID = id
			}
		}
		if err := c.Validate(); err != nil {
			var fe *territory.FieldError
			field, reason := Field(""), err.Error()
			if errors.As(err, &fe) {
				field, reason = Field(fe.Field), fe.Reason
				if fe.Field == "location" || fe.Field == "cell" {
					field = FieldLng
					if !batch[i].hasCoord {
						field = FieldAddress
					}
				}
			}
			if err := imp.reject(batch[i].rec, -1, field, reason); err != nil {
				return err
			}
			continue
		}
		good = append(good, c)
		goodItems = append(goodItems, batch[i])
	}
	if err := imp.upsert(good, goodItems); err != nil {
		return fmt.Errorf("import: store lines %d–%d: %w", batch[0].rec.line, batch[len(batch)-1].rec.line, err)
	}
	imp.report()
	return nil
}

// upsert stores cs (one transaction). When the store refuses the batch for
// bad input (a row it finds invalid, a grid deleted meanwhile), nothing was
// written: the batch is split in halves and retried, down to the one row at
// fault, which is rejected; the rows around it are stored.
func (imp *importer) upsert(cs []*territory.Customer, its []*item) error {
	if len(cs) == 0 {
		return nil
	}
	r, err := imp.st.UpsertCustomers(imp.ctx, cs, nil)
	if err == nil {
		imp.res.Inserted += r.Inserted
		imp.res.Updated += r.Updated
		imp.res.Unchanged += r.Unchanged
		return nil
	}
	if !errors.Is(err, territory.ErrInvalid) || imp.ctx.Err() != nil {
		return err
	}
	if len(cs) == 1 {
		field, reason := Field(""), "refused by the store: "+err.Error()
		var fe *territory.FieldError
		if errors.As(err, &fe) {
			field, reason = Field(fe.Field), "refused by the store: "+fe.Reason
		}
		return imp.reject(its[0].rec, -1, field, reason)
	}
	mid := len(cs) / 2
	if err := imp.upsert(cs[:mid], its[:mid]); err != nil {
		return err
	}
	return imp.upsert(cs[mid:], its[mid:])
}

func (imp *importer) locate(c *territory.Customer) (int64, bool) {
	if cl, ok := imp.opts.Locator.(CellLocator); ok && c.Cell != 0 {
		return cl.LocateCell(c.Location, c.Cell)
	}
	return imp.opts.Locator.Locate(c.Location)
}

// merge lays a row over the stored customer: fields the row does not set
// keep their stored values.
func (imp *importer) merge(it *item, old *territory.Customer) *territory.Customer {
	c := &territory.Customer{}
	if old != nil {
		*c = *old
	}
	in := &it.c
	c.ExternalID, c.Name = in.ExternalID, in.Name
	if it.set[FieldAddress] {
		c.Address = in.Address
	}
	if it.hasCoord {
		c.Location = in.Location
	}
	if it.set[FieldIndustry] {
		c.Industry = in.Industry
	}
	if it.set[FieldSize] {
		c.Size = in.Size
	}
	if it.set[FieldCarrier] {
		c.Carrier = in.Carrier
	}
	if it.set[FieldSpecial] {
		c.Special = in.Special
	}
	return c
}

// geocode places the customers at idx by their addresses, with up to
// GeocodeWorkers calls at once, and reports which failed (rejected).
func (imp *importer) geocode(batch []*item, cs []*territory.Customer, idx []int, failed map[int]bool) error {
	if len(idx) == 0 {
		return nil
	}
	if imp.opts.Geocoder == nil {
		for _, i := range idx {
			failed[i] = true
			if err := imp.reject(batch[i].rec, -1, FieldAddress, "the row has no coordinates and no geocoder is configured"); err != nil {
				return err
			}
		}
		return nil
	}
	type outcome struct {
		res geocode.Result
		err error
	}
	out := make([]outcome, len(idx))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(imp.opts.GeocodeWorkers, len(idx)) {
		wg.Go(func() {
			for k := range next {
				r, err := imp.opts.Geocoder.Geocode(imp.ctx, cs[idx[k]].Address)
				out[k] = outcome{r, err}
			}
		})
	}
	for k := range idx {
		next <- k
	}
	close(next)
	wg.Wait()
	if err := imp.ctx.Err(); err != nil {
		return err
	}
	for k, i := range idx {
		o := out[k]
		reason := ""
		switch {
		case o.err != nil:
			reason = "cannot be geocoded: " + o.err.Error()
		case geo.ValidatePoint(o.res.Location) != nil:
			reason = "the geocoder returned an invalid point"
		case imp.opts.MinPrecision != 0 && !o.res.Precision.AtLeast(imp.opts.MinPrecision):
			reason = fmt.Sprintf("found only to %s precision, coarser than the minimum %s", o.res.Precision, imp.opts.MinPrecision)
		}
		if reason != "" {
			failed[i] = true
			if err := imp.reject(batch[i].rec, -1, FieldAddress, reason); err != nil {
				return err
			}
			continue
		}
		cs[i].Location = o.res.Location
		imp.res.Geocoded++
	}
	return nil
}

func (imp *importer) report() {
	if imp.opts.Progress == nil {
		return
	}
	total := imp.total
	if total > 0 && total < imp.res.Rows {
		total = imp.res.Rows
	}
	imp.opts.Progress(Progress{Rows: imp.res.Rows, TotalRows: total, UpsertResult: imp.res.UpsertResult, Rejected: imp.res.Rejected})
}
