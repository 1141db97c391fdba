package importer

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	h3 "github.com/uber/h3-go/v4"
	"golang.org/x/text/width"

	"gridplan/geo"
	"gridplan/territory"
)

// statusWords maps what status columns say, in English or Chinese, to a
// resource status (compared after normHeader: case, width, spaces and
// underscores do not matter).
var statusWords = map[string]territory.ResourceStatus{
	"existing": territory.ResourceExisting, "exists": territory.ResourceExisting, "inservice": territory.ResourceExisting,
	"现有": territory.ResourceExisting, "已有": territory.ResourceExisting, "已建": territory.ResourceExisting, "在用": territory.ResourceExisting, "在网": territory.ResourceExisting,
	"underconstruction": territory.ResourceUnderConstruction, "construction": territory.ResourceUnderConstruction, "building": territory.ResourceUnderConstruction,
	"在建": territory.ResourceUnderConstruction, "建设中": territory.ResourceUnderConstruction, "施工中": territory.ResourceUnderConstruction,
	"planned": territory.ResourcePlanned, "plan": territory.ResourcePlanned,
	"规划": territory.ResourcePlanned, "计划": territory.ResourcePlanned, "拟建": territory.ResourcePlanned, "规划中": territory.ResourcePlanned,
}

// ParseResourceStatus reads a status as files write it: existing /
// under_construction / planned, or 现有 (已建, 在用) / 在建 (建设中) / 规划
// (计划, 拟建).
func ParseResourceStatus(s string) (territory.ResourceStatus, error) {
	if v, ok := statusWords[normHeader(s)]; ok {
		return v, nil
	}
	return "", fmt.Errorf("unknown status %q (want existing, under_construction or planned; 现有, 在建 or 规划)", clip(s, 40))
}

// DateLayout is the one date format of the API: YYYY-MM-DD.
const DateLayout = "2006-01-02"

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// ParseDate reads a date strictly as YYYY-MM-DD (what the API takes), as
// midnight UTC.
func ParseDate(s string) (time.Time, error) {
	if !isoDate.MatchString(s) {
		return time.Time{}, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", clip(s, 40))
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a calendar date (YYYY-MM-DD)", s)
	}
	return t, nil
}

var looseDate = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)

// parseLooseDate reads the dates spreadsheets write: 2027-03-01, 2027/3/1,
// 2027.3.1, 2027年3月1日; a time of day after a space (Excel's
// "2027/3/1 0:00") is ignored.
func parseLooseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(width.Fold.String(s))
	if i := strings.IndexAny(s, " T"); i > 0 && !strings.ContainsAny(s[:i], "年") {
		s = s[:i]
	}
	m := looseDate.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", clip(s, 40))
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
		return time.Time{}, fmt.Errorf("%q is not a calendar date (want YYYY-MM-DD)", clip(s, 40))
	}
	return t, nil
}

var h3String = regexp.MustCompile(`^(0[xX])?[0-9a-fA-F]{15,16}$`)

// ParseCell reads one H3 cell index written in hexadecimal
// ("8931aa42a5bffff"), as h3 prints them. Its resolution is checked by
// Resource.Validate.
func ParseCell(s string) (h3.Cell, error) {
	if !h3String.MatchString(s) {
		return 0, fmt.Errorf("%q is not an H3 cell index (15 hexadecimal digits, like 8931aa42a5bffff)", clip(s, 40))
	}
	c := h3.Cell(h3.IndexFromString(s))
	if !c.IsValid() {
		return 0, fmt.Errorf("%q is not a valid H3 cell", s)
	}
	return c, nil
}

// ParseCells reads a list of H3 cells, naming the item at fault (from 0).
// More than territory.MaxResourceCells are refused before any is parsed.
func ParseCells(items []string) ([]h3.Cell, error) {
	if len(items) > territory.MaxResourceCells {
		return nil, fmt.Errorf("at most %d cells, got %d", territory.MaxResourceCells, len(items))
	}
	cs := make([]h3.Cell, len(items))
	for i, s := range items {
		c, err := ParseCell(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		cs[i] = c
	}
	return cs, nil
}

// splitCells splits a cell list as a spreadsheet cell holds it: separated
// by spaces, commas, semicolons or |, optionally in brackets.
func splitCells(s string) []string {
	s = strings.Trim(strings.TrimSpace(width.Fold.String(s)), "[]")
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == '|' || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '"'
	})
}

var radiusText = regexp.MustCompile(`^([0-9.eE+-]+)\s*(m|米|km|公里|千米)?$`)

// parseRadius reads a radius in metres: a number, optionally with a unit
// (300m, 300米, 0.5km, 0.5公里). Its range is checked by Resource.Validate.
func parseRadius(s string) (float64, error) {
	m := radiusText.FindStringSubmatch(strings.ToLower(strings.TrimSpace(width.Fold.String(s))))
	if m == nil {
		return 0, fmt.Errorf("%q is not a radius in metres (like 300, 300m or 0.5km)", clip(s, 40))
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a radius in metres (like 300, 300m or 0.5km)", clip(s, 40))
	}
	if m[2] == "km" || m[2] == "公里" || m[2] == "千米" {
		v *= 1000
	}
	return v, nil
}

// parseCapacity reads a whole number of ports or lines (thousands
// separators allowed).
func parseCapacity(s string) (int, error) {
	t := strings.ReplaceAll(strings.TrimSpace(width.Fold.String(s)), ",", "")
	v, err := strconv.Atoi(t)
	if err != nil {
		if f, ferr := strconv.ParseFloat(t, 64); ferr == nil && f == math.Trunc(f) && math.Abs(f) < 1e9 {
			return int(f), nil // "96.0" from a spreadsheet
		}
		return 0, fmt.Errorf("%q is not a whole number", clip(s, 40))
	}
	return v, nil
}

// parseGeometryText reads a geometry cell: WKT (POINT (120.1 30.2),
// POLYGON ((…))) or a GeoJSON geometry object; only points and polygons
// are resource coverages.
func parseGeometryText(s string) (orb.Geometry, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		var g rawGeometry
		if err := json.Unmarshal([]byte(s), &g); err != nil {
			return nil, fmt.Errorf("not a GeoJSON geometry: %v", err)
		}
		return g.geometry()
	}
	g, err := wkt.Unmarshal(s)
	if err != nil {
		return nil, fmt.Errorf("%q is neither WKT (POINT (lng lat), POLYGON ((lng lat, …))) nor a GeoJSON geometry", clip(s, 60))
	}
	switch g := g.(type) {
	case orb.Point, orb.Polygon:
		return g, nil
	default:
		return nil, fmt.Errorf("a %s cannot be a coverage: want a POINT (with a radius) or a POLYGON", g.GeoJSONType())
	}
}

// rawGeometry is a GeoJSON geometry read strictly: positions must be
// [lng, lat] or [lng, lat, alt], not silently padded or cut.
type rawGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

func (g *rawGeometry) geometry() (orb.Geometry, error) {
	switch g.Type {
	case "Point":
		var pos []float64
		if err := json.Unmarshal(g.Coordinates, &pos); err != nil || g.Coordinates == nil {
			return nil, fmt.Errorf("a Point's coordinates are one [lng, lat] position")
		}
		if len(pos) != 2 && len(pos) != 3 {
			return nil, fmt.Errorf("a position is [lng, lat], got %d numbers", len(pos))
		}
		return orb.Point{pos[0], pos[1]}, nil
	case "Polygon":
		var rings [][][]float64
		if err := json.Unmarshal(g.Coordinates, &rings); err != nil || g.Coordinates == nil {
			return nil, fmt.Errorf("a Polygon's coordinates are an array of rings of [lng, lat] positions")
		}
		if len(rings) == 0 {
			return nil, fmt.Errorf("the polygon has no rings")
		}
		poly := make(orb.Polygon, len(rings))
		for ri, ring := range rings {
			poly[ri] = make(orb.Ring, len(ring))
			for pi, pos := range ring {
				if len(pos) != 2 && len(pos) != 3 {
					return nil, fmt.Errorf("ring %d point %d: a position is [lng, lat], got %d numbers", ri, pi, len(pos))
				}
				poly[ri][pi] = orb.Point{pos[0], pos[1]}
			}
		}
		return poly, nil
	case "":
		return nil, fmt.Errorf("the geometry has no type")
	default:
		return nil, fmt.Errorf("a %s cannot be a coverage: want a Point (with radius_m) or a Polygon", g.Type)
	}
}

// toWGS84 converts every vertex of g from crs, naming the ring and point
// of a vertex that cannot be converted (outside China for GCJ-02/BD-09).
func toWGS84(g orb.Geometry, crs geo.CRS) (orb.Geometry, error) {
	if crs == "" || crs == geo.WGS84 {
		return g, nil
	}
	switch g := g.(type) {
	case orb.Point:
		return geo.ToWGS84(g, crs)
	case orb.Polygon:
		out := make(orb.Polygon, len(g))
		for ri, ring := range g {
			out[ri] = make(orb.Ring, len(ring))
			for pi, p := range ring {
				q, err := geo.ToWGS84(p, crs)
				if err != nil {
					return nil, fmt.Errorf("ring %d point %d: %w", ri, pi, err)
				}
				out[ri][pi] = q
			}
		}
		// A ring closed in the source stays closed: the conversion of
		// equal points is equal.
		return out, nil
	}
	return g, nil
}
