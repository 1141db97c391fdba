package web

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"gridplan/geo"
)

// Content types of the area files gridplan writes.
const (
	contentGeoJSON = "application/geo+json"
	contentKML     = "application/vnd.google-earth.kml+xml"
)

// areaProp is one property of an exported area, in the order KML lists it.
type areaProp struct {
	Key   string
	Value any
}

// exportArea is an area (a grid) as it is written to a file.
type exportArea struct {
	Name     string // the KML Placemark's <name>
	Boundary orb.MultiPolygon
	Props    []areaProp
}

// fromWGS84 returns mp in crs: GCJ-02 or BD-09 for the Chinese map tools
// that expect them, unchanged for WGS-84.
func fromWGS84(mp orb.MultiPolygon, crs geo.CRS) orb.MultiPolygon {
	var conv func(orb.Point) orb.Point
	switch crs {
	case geo.GCJ02:
		conv = geo.WGS84ToGCJ02
	case geo.BD09:
		conv = geo.WGS84ToBD09
	default:
		return mp
	}
	out := make(orb.MultiPolygon, len(mp))
	for pi, poly := range mp {
		out[pi] = make(orb.Polygon, len(poly))
		for ri, ring := range poly {
			r := make(orb.Ring, len(ring))
			for i, p := range ring {
				r[i] = conv(p)
			}
			out[pi][ri] = r
		}
	}
	return out
}

// areaGeometry is a one-part area as a Polygon (what most tools expect of
// a grid), a several-part one as a MultiPolygon.
func areaGeometry(mp orb.MultiPolygon) orb.Geometry {
	if len(mp) == 1 {
		return mp[0]
	}
	return mp
}

// writeAreasGeoJSON writes areas as a GeoJSON FeatureCollection, one
// feature per line so that a large export streams.
func writeAreasGeoJSON(w io.Writer, areas []exportArea, crs geo.CRS) error {
	if _, err := io.WriteString(w, `{"type":"FeatureCollection","features":[`); err != nil {
		return err
	}
	for i, a := range areas {
		f := geojson.NewFeature(areaGeometry(fromWGS84(a.Boundary, crs)))
		for _, p := range a.Props {
			f.Properties[p.Key] = p.Value
		}
		b, err := json.Marshal(f)
		if err != nil {
			return fmt.Errorf("feature %d: %w", i, err)
		}
		sep := "\n"
		if i > 0 {
			sep = ",\n"
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "\n]}\n")
	return err
}

// KML output types (encoding/xml; no KML library needed for this much).
type (
	kmlStyleOut struct {
		ID        string `xml:"id,attr"`
		LineColor string `xml:"LineStyle>color"`
		LineWidth int    `xml:"LineStyle>width"`
		PolyColor string `xml:"PolyStyle>color"`
	}
	kmlDataOut struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value"`
	}
	kmlInnerOut struct {
		Coordinates string `xml:"LinearRing>coordinates"`
	}
	kmlPolygonOut struct {
		Outer string        `xml:"outerBoundaryIs>LinearRing>coordinates"`
		Inner []kmlInnerOut `xml:"innerBoundaryIs"`
	}
	kmlMultiOut struct {
		Polygons []kmlPolygonOut `xml:"Polygon"`
	}
	kmlPlacemarkOut struct {
		XMLName  xml.Name       `xml:"Placemark"`
		Name     string         `xml:"name"`
		StyleURL string         `xml:"styleUrl"`
		Data     []kmlDataOut   `xml:"ExtendedData>Data"`
		Polygon  *kmlPolygonOut `xml:"Polygon,omitempty"`
		Multi    *kmlMultiOut   `xml:"MultiGeometry,omitempty"`
	}
)

// writeAreasKML writes areas as a KML 2.2 document: one Placemark per
// area with its properties as ExtendedData (what ReadAreas reads back, and
// what Google Earth, QGIS and 奥维 show).
func writeAreasKML(w io.Writer, docName string, areas []exportArea, crs geo.CRS) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	kml := xml.StartElement{Name: xml.Name{Local: "kml"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: "http://www.opengis.net/kml/2.2"}}}
	doc := xml.StartElement{Name: xml.Name{Local: "Document"}}
	if err := enc.EncodeToken(kml); err != nil {
		return err
	}
	if err := enc.EncodeToken(doc); err != nil {
		return err
	}
	if err := enc.EncodeElement(docName, xml.StartElement{Name: xml.Name{Local: "name"}}); err != nil {
		return err
	}
	// KML colours are aabbggrr: an orange outline, a faint fill.
	style := kmlStyleOut{ID: "grid", LineColor: "ff0080ff", LineWidth: 2, PolyColor: "330080ff"}
	if err := enc.EncodeElement(style, xml.StartElement{Name: xml.Name{Local: "Style"}}); err != nil {
		return err
	}
	for _, a := range areas {
		pm := kmlPlacemarkOut{Name: a.Name, StyleURL: "#grid"}
		for _, p := range a.Props {
			pm.Data = append(pm.Data, kmlDataOut{Name: p.Key, Value: propText(p.Value)})
		}
		mp := fromWGS84(a.Boundary, crs)
		polys := make([]kmlPolygonOut, len(mp))
		for i, poly := range mp {
			polys[i] = kmlPolygonFrom(poly)
		}
		if len(polys) == 1 {
			pm.Polygon = &polys[0]
		} else {
			pm.Multi = &kmlMultiOut{Polygons: polys}
		}
		if err := enc.Encode(pm); err != nil {
			return err
		}
	}
	if err := enc.EncodeToken(doc.End()); err != nil {
		return err
	}
	if err := enc.EncodeToken(kml.End()); err != nil {
		return err
	}
	if err := enc.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func kmlPolygonFrom(poly orb.Polygon) kmlPolygonOut {
	var out kmlPolygonOut
	for i, ring := range poly {
		if i == 0 {
			out.Outer = kmlRingText(ring)
			continue
		}
		out.Inner = append(out.Inner, kmlInnerOut{Coordinates: kmlRingText(ring)})
	}
	return out
}

// kmlRingText formats a ring as KML coordinates with every digit a float64
// needs, so that an export read back gives the very same vertices.
func kmlRingText(r orb.Ring) string {
	var b strings.Builder
	for i, p := range r {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(p[0], 'f', -1, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(p[1], 'f', -1, 64))
	}
	return b.String()
}

// propText is a property value as KML text.
func propText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}
