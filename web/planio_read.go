package web

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// AreaFormat is the format of an uploaded areas file.
type AreaFormat string

// Area file formats ReadAreas understands.
const (
	FormatGeoJSON AreaFormat = "geojson"
	FormatKML     AreaFormat = "kml"
	FormatKMZ     AreaFormat = "kmz" // a zipped KML, as Google Earth saves it
)

// AreaFeature is one feature of a GeoJSON or KML file of areas (grids or
// administrative boundaries): its properties as text and its boundary in
// WGS-84. A feature that cannot be read has Err set and no Boundary; the
// other features of the file are read all the same.
type AreaFeature struct {
	// Index is the feature's position in the file, from 0: the index in
	// "features" for GeoJSON, the Placemark's rank for KML.
	Index int
	// Props are the feature's properties (GeoJSON) or ExtendedData (KML;
	// the Placemark's <name> as "name" unless ExtendedData has one).
	// Numbers keep their JSON text ("330106"), objects and arrays are
	// compact JSON.
	Props    map[string]string
	Boundary orb.MultiPolygon
	Err      error
}

// Prop returns the first of keys that the feature has with a non-blank
// value, trimmed; "" when it has none of them.
func (f *AreaFeature) Prop(keys ...string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(f.Props[k]); v != "" {
			return v
		}
	}
	return ""
}

// Label names the feature in messages: "feature 3 (西湖区)".
func (f *AreaFeature) Label(keys ...string) string {
	if v := f.Prop(keys...); v != "" {
		return fmt.Sprintf("feature %d (%s)", f.Index, v)
	}
	return fmt.Sprintf("feature %d", f.Index)
}

// ReadAreas reads the polygons of a GeoJSON (FeatureCollection, Feature or
// bare Polygon/MultiPolygon), KML or KMZ file and converts every vertex from
// crs to WGS-84 (KML is WGS-84 by definition, but Chinese tools write GCJ-02
// into it too, so crs applies to it alike). The format is recognised from
// the content. An error is returned only when the file as a whole cannot be
// read; a bad feature gets its own Err naming the polygon, ring and point at
// fault, numbered as in the file.
func ReadAreas(data []byte, crs geo.CRS) (AreaFormat, []*AreaFeature, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 BOM, as Windows tools write
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		kml, err := unzipKML(data)
		if err != nil {
			return FormatKMZ, nil, err
		}
		fs, err := readKML(kml, crs)
		return FormatKMZ, fs, err
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return "", nil, errors.New("the file is empty")
	case trimmed[0] == '{':
		fs, err := readGeoJSON(trimmed, crs)
		return FormatGeoJSON, fs, err
	case trimmed[0] == '<':
		fs, err := readKML(trimmed, crs)
		return FormatKML, fs, err
	}
	return "", nil, errors.New("neither GeoJSON (a JSON object) nor KML (XML): cannot read the file")
}

// unzipKML returns the KML document of a KMZ: doc.kml, else the first .kml
// entry.
func unzipKML(data []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("KMZ: %w", err)
	}
	var pick *zip.File
	for _, f := range zr.File {
		if strings.EqualFold(f.Name, "doc.kml") {
			pick = f
			break
		}
		if pick == nil && strings.HasSuffix(strings.ToLower(f.Name), ".kml") {
			pick = f
		}
	}
	if pick == nil {
		return nil, errors.New("KMZ: the archive holds no .kml file")
	}
	rc, err := pick.Open()
	if err != nil {
		return nil, fmt.Errorf("KMZ %s: %w", pick.Name, err)
	}
	defer rc.Close()
	// A zip bomb cannot get past the size the upload was allowed.
	b, err := io.ReadAll(io.LimitReader(rc, 8*int64(len(data))+1<<20))
	if err != nil {
		return nil, fmt.Errorf("KMZ %s: %w", pick.Name, err)
	}
	return b, nil
}

// geoJSONObject is any GeoJSON object, read loosely so that each feature
// can fail on its own.
type geoJSONObject struct {
	Type        string            `json:"type"`
	Features    []json.RawMessage `json:"features"`
	Properties  json.RawMessage   `json:"properties"`
	Geometry    json.RawMessage   `json:"geometry"`
	Coordinates json.RawMessage   `json:"coordinates"`
	CRS         *struct {
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	} `json:"crs"`
}

func readGeoJSON(data []byte, crs geo.CRS) ([]*AreaFeature, error) {
	var top geoJSONObject
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("GeoJSON: %w", jsonProblem(err))
	}
	if err := checkDeclaredCRS(top.CRS); err != nil {
		return nil, err
	}
	switch top.Type {
	case "FeatureCollection":
		if top.Features == nil {
			return nil, errors.New(`GeoJSON: a FeatureCollection needs a "features" array`)
		}
		fs := make([]*AreaFeature, len(top.Features))
		for i, raw := range top.Features {
			fs[i] = readGeoJSONFeature(i, raw, crs)
		}
		return fs, nil
	case "Feature":
		return []*AreaFeature{readGeoJSONFeature(0, data, crs)}, nil
	case "Polygon", "MultiPolygon":
		f := &AreaFeature{Props: map[string]string{}}
		f.Boundary, f.Err = readGeoJSONGeometry(data, crs)
		return []*AreaFeature{f}, nil
	case "":
		return nil, errors.New(`GeoJSON: the object has no "type"`)
	}
	return nil, fmt.Errorf("GeoJSON: want a FeatureCollection, a Feature, a Polygon or a MultiPolygon, got %q", top.Type)
}

// checkDeclaredCRS refuses a file whose (pre-2016 GeoJSON) "crs" member
// names projected coordinates: gridplan reads degrees of longitude and
// latitude only; the datum (WGS-84, GCJ-02, BD-09) is the caller's crs.
func checkDeclaredCRS(c *struct {
	Properties struct {
		Name string `json:"name"`
	} `json:"properties"`
}) error {
	if c == nil || c.Properties.Name == "" {
		return nil
	}
	n := strings.ToUpper(c.Properties.Name)
	for _, ok := range []string{"CRS84", "4326", "4490", "4610", "4214"} { // WGS-84 and the Chinese geographic datums
		if strings.HasSuffix(n, ok) || strings.HasSuffix(n, ok+"H") {
			return nil
		}
	}
	return fmt.Errorf("GeoJSON: the file declares coordinate system %q; gridplan reads longitude/latitude in degrees (re-export it as EPSG:4326)", c.Properties.Name)
}

func readGeoJSONFeature(i int, raw json.RawMessage, crs geo.CRS) *AreaFeature {
	f := &AreaFeature{Index: i, Props: map[string]string{}}
	var obj geoJSONObject
	if err := json.Unmarshal(raw, &obj); err != nil {
		f.Err = fmt.Errorf("not a GeoJSON Feature: %w", jsonProblem(err))
		return f
	}
	// Properties first, so that even a broken feature is named by them.
	if err := readJSONProps(obj.Properties, f.Props); err != nil {
		f.Err = err
		return f
	}
	if obj.Type != "Feature" {
		f.Err = fmt.Errorf("type must be \"Feature\", got %q", obj.Type)
		return f
	}
	f.Boundary, f.Err = readGeoJSONGeometry(obj.Geometry, crs)
	return f
}

// readJSONProps flattens a properties object into text values.
func readJSONProps(raw json.RawMessage, into map[string]string) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var props map[string]json.RawMessage
	if err := json.Unmarshal(raw, &props); err != nil {
		return fmt.Errorf("properties: must be an object: %w", jsonProblem(err))
	}
	for k, v := range props {
		v = bytes.TrimSpace(v)
		switch {
		case len(v) == 0 || string(v) == "null":
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("properties: %s: %w", k, jsonProblem(err))
			}
			into[k] = s
		case v[0] == '{' || v[0] == '[':
			var b bytes.Buffer
			if err := json.Compact(&b, v); err != nil {
				return fmt.Errorf("properties: %s: %w", k, jsonProblem(err))
			}
			into[k] = b.String()
		default: // numbers and booleans keep their JSON text
			into[k] = string(v)
		}
	}
	return nil
}

// readGeoJSONGeometry reads a Polygon or MultiPolygon geometry object.
func readGeoJSONGeometry(raw json.RawMessage, crs geo.CRS) (orb.MultiPolygon, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("geometry: is missing (want a Polygon or MultiPolygon)")
	}
	var g geoJSONObject
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("geometry: %w", jsonProblem(err))
	}
	var polys [][][][]float64
	switch g.Type {
	case "Polygon":
		var p [][][]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil || g.Coordinates == nil {
			return nil, errors.New("geometry: coordinates must be an array of rings of [lng, lat] positions")
		}
		polys = [][][][]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil || g.Coordinates == nil {
			return nil, errors.New("geometry: coordinates must be an array of polygons, each an array of rings of [lng, lat] positions")
		}
	default:
		return nil, fmt.Errorf("geometry: must be a Polygon or MultiPolygon, got %q", g.Type)
	}
	mp := make(orb.MultiPolygon, len(polys))
	for pi, p := range polys {
		poly := make(orb.Polygon, len(p))
		for ri, ring := range p {
			r := make(orb.Ring, len(ring))
			for i, pos := range ring {
				if len(pos) != 2 && len(pos) != 3 {
					return nil, fmt.Errorf("geometry: %s: a position is [lng, lat], got %d numbers", where(len(polys), pi, ri, i), len(pos))
				}
				r[i] = orb.Point{pos[0], pos[1]}
			}
			poly[ri] = r
		}
		mp[pi] = poly
	}
	return toWGS84(mp, crs)
}

// where names a position in a (multi)polygon as the file numbers it.
func where(polys, pi, ri, i int) string {
	s := fmt.Sprintf("ring %d point %d", ri, i)
	if polys > 1 {
		s = fmt.Sprintf("polygon %d %s", pi, s)
	}
	return s
}

// toWGS84 converts every vertex of mp from crs, drops vertices repeating
// the one before (harmless, and common in published boundaries) and checks
// each polygon, naming the polygon, ring and point as the file numbers them.
func toWGS84(mp orb.MultiPolygon, crs geo.CRS) (orb.MultiPolygon, error) {
	if len(mp) == 0 {
		return nil, errors.New("geometry: has no polygons")
	}
	out := make(orb.MultiPolygon, len(mp))
	for pi, poly := range mp {
		if len(poly) == 0 {
			return nil, fmt.Errorf("geometry: %s has no rings", polyName(len(mp), pi))
		}
		clean := make(orb.Polygon, len(poly))
		orig := make([][]int, len(poly)) // index in clean ring → index in the file
		for ri, ring := range poly {
			r := make(orb.Ring, 0, len(ring))
			for i, p := range ring {
				w, err := geo.ToWGS84(p, crs)
				if err != nil {
					return nil, fmt.Errorf("geometry: %s: %w", where(len(mp), pi, ri, i), err)
				}
				if len(r) > 0 && r[len(r)-1] == w {
					continue
				}
				r = append(r, w)
				orig[ri] = append(orig[ri], i)
			}
			clean[ri] = r
		}
		if err := geo.ValidatePolygon(clean); err != nil {
			var ge *geo.GeometryError
			if errors.As(err, &ge) && ge.Ring >= 0 {
				point := ge.Point
				if point >= 0 && point < len(orig[ge.Ring]) {
					point = orig[ge.Ring][point]
				}
				reason := ge.Reason
				if len(orig[ge.Ring]) != len(poly[ge.Ring]) {
					reason = renumberEdges(reason, orig[ge.Ring])
				}
				if ge.Point < 0 {
					return nil, fmt.Errorf("geometry: %sring %d: %s", polyPrefix(len(mp), pi), ge.Ring, reason)
				}
				return nil, fmt.Errorf("geometry: %s: %s", where(len(mp), pi, ge.Ring, point), reason)
			}
			return nil, fmt.Errorf("geometry: %s: %w", polyName(len(mp), pi), err)
		}
		out[pi] = clean
	}
	return out, nil
}

// edgeRE finds the "edge 3–4" of geo's reasons.
var edgeRE = regexp.MustCompile(`edge (\d+)–(\d+)`)

// renumberEdges rewrites the point numbers of "edge a–b" in a reason from a
// ring without repeated points to the file's numbering.
func renumberEdges(reason string, orig []int) string {
	return edgeRE.ReplaceAllStringFunc(reason, func(m string) string {
		sub := edgeRE.FindStringSubmatch(m)
		a, _ := strconv.Atoi(sub[1])
		b, _ := strconv.Atoi(sub[2])
		if a < len(orig) && b < len(orig) {
			return fmt.Sprintf("edge %d–%d", orig[a], orig[b])
		}
		return m
	})
}

func polyName(polys, pi int) string {
	if polys > 1 {
		return fmt.Sprintf("polygon %d", pi)
	}
	return "polygon"
}

func polyPrefix(polys, pi int) string {
	if polys > 1 {
		return fmt.Sprintf("polygon %d ", pi)
	}
	return ""
}

// jsonProblem shortens encoding/json's errors to what a user can act on.
func jsonProblem(err error) error {
	var se *json.SyntaxError
	var ute *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("malformed JSON at byte %d: %s", se.Offset, se.Error())
	case errors.As(err, &ute):
		if ute.Field != "" {
			return fmt.Errorf("%s must not be a JSON %s", ute.Field, ute.Value)
		}
		return fmt.Errorf("unexpected JSON %s", ute.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("malformed JSON: unexpected end of input")
	}
	return err
}

// KML, read with encoding/xml: field tags without a namespace match the
// element's local name, so KML 2.0, 2.1 and 2.2 documents (and the gx:
// extensions, which are ignored) all read the same.
type kmlPlacemark struct {
	Name         string          `xml:"name"`
	ExtendedData kmlExtendedData `xml:"ExtendedData"`
	kmlGeometries
}

type kmlExtendedData struct {
	Data []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value"`
	} `xml:"Data"`
	SchemaData []struct {
		SimpleData []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:",chardata"`
		} `xml:"SimpleData"`
	} `xml:"SchemaData"`
}

// kmlGeometries are the geometries a Placemark or MultiGeometry holds.
type kmlGeometries struct {
	Polygons []kmlPolygon    `xml:"Polygon"`
	Multi    []kmlGeometries `xml:"MultiGeometry"`
	Points   []struct{}      `xml:"Point"`
	Lines    []struct{}      `xml:"LineString"`
	Rings    []struct{}      `xml:"LinearRing"`
	Models   []struct{}      `xml:"Model"`
	Tracks   []struct{}      `xml:"Track"`
}

type kmlPolygon struct {
	Outer []string `xml:"outerBoundaryIs>LinearRing>coordinates"`
	Inner []string `xml:"innerBoundaryIs>LinearRing>coordinates"`
}

func readKML(data []byte, crs geo.CRS) ([]*AreaFeature, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("KML in %s: save it as UTF-8", charset)
	}
	var fs []*AreaFeature
	sawKML := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("KML: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "kml":
			sawKML = true
		case "Placemark":
			var pm kmlPlacemark
			if err := dec.DecodeElement(&pm, &se); err != nil {
				return nil, fmt.Errorf("KML: placemark %d: %w", len(fs), err)
			}
			fs = append(fs, readPlacemark(len(fs), &pm, crs))
		}
	}
	if !sawKML {
		return nil, errors.New("XML but not KML: no <kml> element")
	}
	return fs, nil
}

func readPlacemark(i int, pm *kmlPlacemark, crs geo.CRS) *AreaFeature {
	f := &AreaFeature{Index: i, Props: map[string]string{}}
	for _, d := range pm.ExtendedData.Data {
		f.Props[d.Name] = d.Value
	}
	for _, sd := range pm.ExtendedData.SchemaData {
		for _, d := range sd.SimpleData {
			f.Props[d.Name] = d.Value
		}
	}
	if strings.TrimSpace(f.Props["name"]) == "" && strings.TrimSpace(pm.Name) != "" {
		f.Props["name"] = strings.TrimSpace(pm.Name)
	}
	var polys []kmlPolygon
	other := collectKMLPolygons(&pm.kmlGeometries, &polys)
	switch {
	case len(polys) == 0 && other != "":
		f.Err = fmt.Errorf("geometry: must be a Polygon or a MultiGeometry of Polygons, got a %s", other)
		return f
	case len(polys) == 0:
		f.Err = errors.New("geometry: is missing (want a Polygon or a MultiGeometry of Polygons)")
		return f
	case other != "":
		f.Err = fmt.Errorf("geometry: a MultiGeometry of Polygons may not hold a %s", other)
		return f
	}
	mp := make(orb.MultiPolygon, len(polys))
	for pi, p := range polys {
		if len(p.Outer) != 1 {
			f.Err = fmt.Errorf("geometry: %s: want exactly one outerBoundaryIs ring, got %d", polyName(len(polys), pi), len(p.Outer))
			return f
		}
		rings := append([]string{p.Outer[0]}, p.Inner...)
		poly := make(orb.Polygon, len(rings))
		for ri, text := range rings {
			r, bad, reason := kmlCoordinates(text)
			if reason != "" {
				f.Err = fmt.Errorf("geometry: %s: %s", where(len(polys), pi, ri, bad), reason)
				return f
			}
			poly[ri] = r
		}
		mp[pi] = poly
	}
	f.Boundary, f.Err = toWGS84(mp, crs)
	return f
}

// collectKMLPolygons gathers the polygons of g, flattening nested
// MultiGeometry, and names the first other geometry kind it meets.
func collectKMLPolygons(g *kmlGeometries, into *[]kmlPolygon) (other string) {
	*into = append(*into, g.Polygons...)
	switch {
	case len(g.Points) > 0:
		other = "Point"
	case len(g.Lines) > 0:
		other = "LineString"
	case len(g.Rings) > 0:
		other = "LinearRing (not inside a Polygon)"
	case len(g.Models) > 0:
		other = "Model"
	case len(g.Tracks) > 0:
		other = "Track"
	}
	for i := range g.Multi {
		if o := collectKMLPolygons(&g.Multi[i], into); other == "" {
			other = o
		}
	}
	return other
}

// kmlCoordinates parses "lng,lat[,alt] lng,lat[,alt] …". Tuples are
// separated by white space; a space after a comma (which some writers
// emit) is tolerated. A bad tuple gives its index and the reason.
func kmlCoordinates(text string) (r orb.Ring, bad int, reason string) {
	fields := strings.Fields(text)
	var tuples []string
	for i := 0; i < len(fields); i++ {
		t := fields[i]
		for i+1 < len(fields) && (strings.HasSuffix(t, ",") || strings.HasPrefix(fields[i+1], ",")) {
			i++
			t += fields[i]
		}
		tuples = append(tuples, t)
	}
	r = make(orb.Ring, len(tuples))
	for i, t := range tuples {
		parts := strings.Split(t, ",")
		if len(parts) != 2 && len(parts) != 3 {
			return nil, i, fmt.Sprintf("a coordinate is lng,lat[,alt], got %q", t)
		}
		for k := range 2 {
			v, err := strconv.ParseFloat(parts[k], 64)
			if err != nil {
				return nil, i, fmt.Sprintf("%q is not a number", parts[k])
			}
			r[i][k] = v
		}
	}
	return r, 0, ""
}
