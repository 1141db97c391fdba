package geocode

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// OpenAddresses columns. LON, LAT, NUMBER and STREET are required; the
// others may be missing. ID and HASH, which OpenAddresses also writes, are
// read past.
var oaRequired = []string{"LON", "LAT", "NUMBER", "STREET"}

// LineError is a rejected line of a CSV file.
type LineError struct {
	Line   int    // 1-based line in the file
	Column string // column name, "" for the whole line
	Reason string
}

func (e *LineError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Column, e.Reason)
}

// LinesError lists the rejected lines of a file whose other lines were
// read. Lines keeps the first MaxLineErrors; Total counts them all.
type LinesError struct {
	Lines []*LineError
	Total int
}

// MaxLineErrors bounds the line errors a LinesError keeps.
const MaxLineErrors = 1000

func (e *LinesError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad line(s)", e.Total)
	for i, l := range e.Lines {
		if i == 5 {
			fmt.Fprintf(&b, "; … %d more", e.Total-5)
			break
		}
		b.WriteString("; ")
		b.WriteString(l.Error())
	}
	return b.String()
}

// ReadOpenAddresses reads address points from a CSV file in the columns
// of OpenAddresses (LON,LAT,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,
// POSTCODE), found by header name in any order and case, UTF-8 with or
// without a byte-order mark. Every entry gets Kind KindAddress and Source
// source. A line with a bad coordinate or no street is left out and
// reported: the entries of the good lines come back with a *LinesError
// naming the bad ones (check with errors.As). A missing column, an
// unreadable file or ctx's end fail the whole read.
func ReadOpenAddresses(ctx context.Context, r io.Reader, source string) ([]Entry, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("openaddresses: empty file (want a header line)")
	}
	if err != nil {
		return nil, fmt.Errorf("openaddresses: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	var missing []string
	for _, c := range oaRequired {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("openaddresses: header: missing column(s) %s (have %s)", strings.Join(missing, ", "), strings.Join(header, ","))
	}
	idx := func(name string) int {
		if i, ok := col[name]; ok {
			return i
		}
		return -1
	}
	iLon, iLat, iNum, iStreet := idx("LON"), idx("LAT"), idx("NUMBER"), idx("STREET")
	iUnit, iCity, iDist, iRegion, iPC := idx("UNIT"), idx("CITY"), idx("DISTRICT"), idx("REGION"), idx("POSTCODE")

	var out []Entry
	var bad LinesError
	reject := func(line int, column, reason string) {
		bad.Total++
		if len(bad.Lines) < MaxLineErrors {
			bad.Lines = append(bad.Lines, &LineError{Line: line, Column: column, Reason: reason})
		}
	}
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				reject(pe.StartLine, "", pe.Err.Error())
				continue
			}
			return nil, fmt.Errorf("openaddresses: line %d: %w", line, err)
		}
		get := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) < len(header) && (iLon >= len(rec) || iLat >= len(rec) || iStreet >= len(rec)) {
			reject(line, "", fmt.Sprintf("%d field(s), the header has %d", len(rec), len(header)))
			continue
		}
		lon, err := parseCoord(get(iLon), 180)
		if err != nil {
			reject(line, "LON", err.Error())
			continue
		}
		lat, err := parseCoord(get(iLat), 90)
		if err != nil {
			reject(line, "LAT", err.Error())
			continue
		}
		street := get(iStreet)
		if street == "" {
			reject(line, "STREET", "is empty")
			continue
		}
		if len(street) > 200 {
			reject(line, "STREET", fmt.Sprintf("%d bytes is too long for a street name", len(street)))
			continue
		}
		out = append(out, Entry{
			Source: source, Kind: KindAddress,
			Number: get(iNum), Street: street, Unit: get(iUnit), City: get(iCity),
			District: get(iDist), Region: get(iRegion), Postcode: get(iPC),
			Geometry: orb.Point{lon, lat},
		})
	}
	if bad.Total > 0 {
		return out, &bad
	}
	return out, nil
}

// parseCoord reads a coordinate in decimal degrees within ±limit.
func parseCoord(s string, limit float64) (float64, error) {
	if s == "" {
		return 0, errors.New("is empty")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		if len(s) > 40 {
			s = s[:40] + "…"
		}
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if v < -limit || v > limit {
		return 0, fmt.Errorf("%g is outside -%g…%g", v, limit, limit)
	}
	return v, nil
}
