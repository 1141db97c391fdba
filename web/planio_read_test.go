package web

import (
	"archive/zip"
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// readOne reads a file that must parse as a whole.
func readAreasOK(tb testing.TB, src string, crs geo.CRS) (AreaFormat, []*AreaFeature) {
	tb.Helper()
	format, fs, err := ReadAreas([]byte(src), crs)
	if err != nil {
		tb.Fatalf("ReadAreas: %v", err)
	}
	return format, fs
}

const twoGridsGeoJSON = `{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"code":"XH-01","name":"文三","district_code":330106,"parent":{"adcode":330100},"level":null,"flag":true},
  "geometry":{"type":"Polygon","coordinates":[[[120.1,30.2],[120.2,30.2],[120.2,30.3,12.5],[120.1,30.3],[120.1,30.2]],
   [[120.12,30.22],[120.12,30.24],[120.14,30.24],[120.14,30.22],[120.12,30.22]]]}},
 {"type":"Feature","properties":null,"geometry":{"type":"MultiPolygon","coordinates":[
  [[[121,31],[121.1,31],[121.1,31.1],[121,31]]],
  [[[121.2,31],[121.3,31],[121.3,31.1],[121.2,31]]]]}}
]}`

func TestReadAreasGeoJSON(t *testing.T) {
	format, fs := readAreasOK(t, "\xef\xbb\xbf"+twoGridsGeoJSON, geo.WGS84)
	if format != FormatGeoJSON || len(fs) != 2 {
		t.Fatalf("format %s, %d features", format, len(fs))
	}
	a, b := fs[0], fs[1]
	if a.Err != nil || b.Err != nil {
		t.Fatalf("errors: %v, %v", a.Err, b.Err)
	}
	wantProps := map[string]string{"code": "XH-01", "name": "文三", "district_code": "330106", "parent": `{"adcode":330100}`, "flag": "true"}
	if len(a.Props) != len(wantProps) {
		t.Errorf("props %v, want %v", a.Props, wantProps)
	}
	for k, v := range wantProps {
		if a.Props[k] != v {
			t.Errorf("prop %s = %q, want %q", k, a.Props[k], v)
		}
	}
	if len(a.Boundary) != 1 || len(a.Boundary[0]) != 2 || a.Boundary[0][0][2] != (orb.Point{120.2, 30.3}) {
		t.Errorf("polygon with a hole read as %v", a.Boundary)
	}
	if len(b.Boundary) != 2 || b.Index != 1 || len(b.Props) != 0 {
		t.Errorf("multipolygon read as %v (index %d, props %v)", b.Boundary, b.Index, b.Props)
	}
	if got := a.Label("code"); got != "feature 0 (XH-01)" {
		t.Errorf("label %q", got)
	}

	// A bare Feature and a bare geometry are one-feature files.
	_, fs = readAreasOK(t, `{"type":"Feature","properties":{"code":"A"},"geometry":{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,1]]]}}`, geo.WGS84)
	if len(fs) != 1 || fs[0].Err != nil || fs[0].Prop("code") != "A" {
		t.Errorf("bare feature: %+v", fs)
	}
	_, fs = readAreasOK(t, `{"type":"MultiPolygon","coordinates":[[[[1,1],[2,1],[2,2],[1,1]]]]}`, geo.WGS84)
	if len(fs) != 1 || fs[0].Err != nil || len(fs[0].Boundary) != 1 {
		t.Errorf("bare geometry: %+v", fs)
	}
}

func TestReadAreasWholeFileErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty", "  \n", "the file is empty"},
		{"csv", "code,name\n", "neither GeoJSON"},
		{"broken json", `{"type":"FeatureCollection","features":[`, "malformed JSON"},
		{"no type", `{"features":[]}`, `has no "type"`},
		{"topology", `{"type":"Topology"}`, `got "Topology"`},
		{"no features", `{"type":"FeatureCollection"}`, `needs a "features" array`},
		{"projected", `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[]}`, "EPSG::3857"},
		{"xml not kml", `<?xml version="1.0"?><gpx></gpx>`, "no <kml> element"},
		{"broken xml", "<kml>\n<Placemark><name>a</nam></Placemark></kml>", "line 2"},
		{"gbk xml", `<?xml version="1.0" encoding="GBK"?><kml></kml>`, "save it as UTF-8"},
		{"bad zip", "PK\x03\x04garbage", "KMZ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadAreas([]byte(tt.src), geo.WGS84)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	// A declared WGS-84 is fine.
	readAreasOK(t, `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[]}`, geo.WGS84)
}

// TestReadAreasFeatureErrors checks that each bad feature names what and
// where (polygon, ring, point as the file numbers them) while the good
// ones read.
func TestReadAreasFeatureErrors(t *testing.T) {
	square := `[[[120.1,30.2],[120.2,30.2],[120.2,30.3],[120.1,30.3],[120.1,30.2]]]`
	tests := []struct {
		name, geometry string
		crs            geo.CRS
		want           string // "" = reads fine
	}{
		{"good", `{"type":"Polygon","coordinates":` + square + `}`, geo.WGS84, ""},
		{"null geometry", `null`, geo.WGS84, "geometry: is missing"},
		{"line", `{"type":"LineString","coordinates":[[1,2],[3,4]]}`, geo.WGS84, `must be a Polygon or MultiPolygon, got "LineString"`},
		{"strings", `{"type":"Polygon","coordinates":[[["a","b"]]]}`, geo.WGS84, "coordinates must be an array of rings"},
		{"one number", `{"type":"Polygon","coordinates":[[[1,1],[2,1],[2],[1,1]]]}`, geo.WGS84, "geometry: ring 0 point 2: a position is [lng, lat], got 1 numbers"},
		{"open ring", `{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,2]]]}`, geo.WGS84, "geometry: ring 0 point 3: ring is not closed"},
		{"short ring", `{"type":"Polygon","coordinates":[[[1,1],[2,1],[1,1]]]}`, geo.WGS84, "geometry: ring 0: ring has 3 points"},
		{"no rings", `{"type":"Polygon","coordinates":[]}`, geo.WGS84, "geometry: polygon has no rings"},
		{"no polygons", `{"type":"MultiPolygon","coordinates":[]}`, geo.WGS84, "geometry: has no polygons"},
		{"latitude", `{"type":"MultiPolygon","coordinates":[` + square + `,[[[1,1],[2,1],[2,95],[1,1]]]]}`, geo.WGS84, "geometry: polygon 1 ring 0 point 2: latitude 95 out of range"},
		{"gcj outside china", `{"type":"Polygon","coordinates":[[[-4.5,54.1],[-4.4,54.1],[-4.4,54.2],[-4.5,54.1]]]}`, geo.GCJ02, "geometry: ring 0 point 0: (-4.5, 54.1) is outside China, where GCJ-02 is not defined"},
		{"hole outside", `{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,2],[1,1]],[[5,5],[6,5],[6,6],[5,5]]]}`, geo.WGS84, "geometry: ring 1 point 0: hole lies outside the outer ring"},
		{"repeated vertex dropped", `{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,1],[2,2],[1,1]]]}`, geo.WGS84, ""},
		// After a dropped repeat the crossing is still numbered as in the file.
		{"crossing after a repeat", `{"type":"Polygon","coordinates":[[[0,0],[0,0],[2,2],[2,0],[0,2],[0,0]]]}`, geo.WGS84, "geometry: ring 0 point 3: self-intersection: edge 0–2 crosses edge 3–4"},
	}
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, tt := range tests {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"type":"Feature","properties":{"code":"` + tt.name + `"},"geometry":` + tt.geometry + `}`)
	}
	b.WriteString(`]}`)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fs := readAreasOK(t, b.String(), tt.crs)
			f := fs[i]
			if f.Index != i || f.Prop("code") != tt.name {
				t.Fatalf("feature %d is %+v", i, f)
			}
			switch {
			case tt.want == "" && f.Err != nil:
				t.Fatalf("error %v", f.Err)
			case tt.want == "" && len(f.Boundary) == 0:
				t.Fatal("no boundary")
			case tt.want != "" && (f.Err == nil || !strings.Contains(f.Err.Error(), tt.want)):
				t.Fatalf("err = %v, want it to mention %q", f.Err, tt.want)
			case tt.want != "" && f.Boundary != nil:
				t.Fatalf("a bad feature has a boundary: %v", f.Boundary)
			}
		})
	}
	_, fs := readAreasOK(t, `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"x"},"geometry":{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,1],[2,2],[1,1]]]}}]}`, geo.WGS84)
	if n := len(fs[0].Boundary[0][0]); n != 4 {
		t.Errorf("repeated vertex kept: %d points", n)
	}
}

const sampleKML = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document><name>网格</name>
 <Folder><name>西湖区</name>
  <Placemark>
   <name>文三网格</name>
   <ExtendedData><Data name="code"><value>XH-01</value></Data><Data name="district_code"><value>330106</value></Data></ExtendedData>
   <Polygon><outerBoundaryIs><LinearRing><coordinates>
     120.1,30.2,0 120.2,30.2,0
     120.2,30.3,0 120.1,30.3,0 120.1,30.2,0
   </coordinates></LinearRing></outerBoundaryIs>
   <innerBoundaryIs><LinearRing><coordinates>120.12,30.22 120.12,30.24 120.14,30.24 120.12,30.22</coordinates></LinearRing></innerBoundaryIs>
   <innerBoundaryIs><LinearRing><coordinates>120.16,30.26 120.16,30.28 120.18,30.28 120.16,30.26</coordinates></LinearRing></innerBoundaryIs>
   </Polygon>
  </Placemark>
  <Folder>
   <Placemark>
    <name>岛</name>
    <ExtendedData><SchemaData schemaUrl="#s"><SimpleData name="code">XH-02</SimpleData><SimpleData name="name">两岛网格</SimpleData></SchemaData></ExtendedData>
    <MultiGeometry>
     <Polygon><outerBoundaryIs><LinearRing><coordinates>121, 31 121.1, 31 121.1, 31.1 121, 31</coordinates></LinearRing></outerBoundaryIs></Polygon>
     <MultiGeometry><Polygon><outerBoundaryIs><LinearRing><coordinates>121.2,31 121.3,31 121.3,31.1 121.2,31</coordinates></LinearRing></outerBoundaryIs></Polygon></MultiGeometry>
    </MultiGeometry>
   </Placemark>
  </Folder>
 </Folder>
 <Placemark><name>点</name><Point><coordinates>120,30</coordinates></Point></Placemark>
 <Placemark><name>混合</name><MultiGeometry><Polygon><outerBoundaryIs><LinearRing><coordinates>1,1 2,1 2,2 1,1</coordinates></LinearRing></outerBoundaryIs></Polygon><LineString><coordinates>1,1 2,2</coordinates></LineString></MultiGeometry></Placemark>
 <Placemark><name>坏</name><Polygon><outerBoundaryIs><LinearRing><coordinates>1,1 2,1 2;2 1,1</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
 <Placemark><name>空</name></Placemark>
</Document></kml>`

func TestReadAreasKML(t *testing.T) {
	format, fs := readAreasOK(t, sampleKML, geo.WGS84)
	if format != FormatKML || len(fs) != 6 {
		t.Fatalf("format %s, %d placemarks", format, len(fs))
	}
	a, b := fs[0], fs[1]
	if a.Err != nil || b.Err != nil {
		t.Fatalf("errors: %v; %v", a.Err, b.Err)
	}
	if a.Prop("code") != "XH-01" || a.Prop("name") != "文三网格" || a.Prop("district_code") != "330106" {
		t.Errorf("first placemark props %v", a.Props)
	}
	if len(a.Boundary) != 1 || len(a.Boundary[0]) != 3 || len(a.Boundary[0][0]) != 5 {
		t.Errorf("polygon with two holes read as %v", a.Boundary)
	}
	if b.Prop("code") != "XH-02" || b.Prop("name") != "两岛网格" || len(b.Boundary) != 2 || b.Boundary[0][0][1] != (orb.Point{121.1, 31}) {
		t.Errorf("second placemark: %v %v", b.Props, b.Boundary)
	}
	for i, want := range []string{
		"must be a Polygon or a MultiGeometry of Polygons, got a Point",
		"a MultiGeometry of Polygons may not hold a LineString",
		`geometry: ring 0 point 2: a coordinate is lng,lat[,alt], got "2;2"`,
		"geometry: is missing",
	} {
		f := fs[2+i]
		if f.Index != 2+i || f.Err == nil || !strings.Contains(f.Err.Error(), want) {
			t.Errorf("placemark %d (%s): err %v, want %q", 2+i, f.Prop("name"), f.Err, want)
		}
	}
}

func TestReadAreasKMZ(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("files/readme.txt")
	if err == nil {
		_, err = w.Write([]byte("not this"))
	}
	if err == nil {
		w, err = zw.Create("doc.kml")
	}
	if err == nil {
		_, err = w.Write([]byte(sampleKML))
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	format, fs, err := ReadAreas(buf.Bytes(), geo.WGS84)
	if err != nil || format != FormatKMZ || len(fs) != 6 || fs[0].Prop("code") != "XH-01" {
		t.Fatalf("KMZ: %s, %d features, %v", format, len(fs), err)
	}
}

// TestAreasRoundTrip writes areas as GeoJSON and KML, in WGS-84 and in
// GCJ-02, and reads them back: the same properties and, to 1e-8 degrees
// (exactly for WGS-84), the same vertices.
func TestAreasRoundTrip(t *testing.T) {
	areas := []exportArea{
		{Name: "文三", Boundary: orb.MultiPolygon{{
			{{120.1, 30.2}, {120.2, 30.2}, {120.2, 30.3}, {120.1, 30.3}, {120.1, 30.2}},
			{{120.12, 30.22}, {120.12, 30.24}, {120.14, 30.24}, {120.12, 30.22}},
		}}, Props: []areaProp{{"id", int64(7)}, {"code", "XH-01"}, {"name", "文三 & <网格>"}, {"removed", true}}},
		{Name: "两岛", Boundary: orb.MultiPolygon{
			{{{121.123456789012, 31}, {121.1, 31}, {121.1, 31.1}, {121.123456789012, 31}}},
			{{{121.2, 31}, {121.3, 31}, {121.3, 31.1}, {121.2, 31}}},
		}, Props: []areaProp{{"id", int64(8)}, {"code", "XH-02"}, {"name", "两岛"}}},
	}
	for _, format := range []AreaFormat{FormatGeoJSON, FormatKML} {
		for _, crs := range []geo.CRS{geo.WGS84, geo.GCJ02} {
			t.Run(string(format)+"/"+string(crs), func(t *testing.T) {
				var buf bytes.Buffer
				var err error
				if format == FormatKML {
					err = writeAreasKML(&buf, "测试", areas, crs)
				} else {
					err = writeAreasGeoJSON(&buf, areas, crs)
				}
				if err != nil {
					t.Fatal(err)
				}
				got, fs := readAreasOK(t, buf.String(), crs)
				if got != format || len(fs) != len(areas) {
					t.Fatalf("read back as %s with %d features:\n%s", got, len(fs), buf.String())
				}
				tol := 0.0
				if crs != geo.WGS84 {
					tol = 1e-8
				}
				for i, a := range areas {
					f := fs[i]
					if f.Err != nil {
						t.Fatalf("feature %d: %v", i, f.Err)
					}
					for _, p := range a.Props {
						if f.Props[p.Key] != propText(p.Value) {
							t.Errorf("feature %d prop %s = %q, want %q", i, p.Key, f.Props[p.Key], propText(p.Value))
						}
					}
					if d := maxVertexDiff(t, a.Boundary, f.Boundary); d > tol {
						t.Errorf("feature %d: vertices off by %g°", i, d)
					}
				}
			})
		}
	}
}

// maxVertexDiff is the largest coordinate difference between two
// multipolygons of the same shape.
func maxVertexDiff(tb testing.TB, a, b orb.MultiPolygon) float64 {
	tb.Helper()
	if len(a) != len(b) {
		tb.Fatalf("%d polygons, want %d", len(b), len(a))
	}
	d := 0.0
	for pi := range a {
		if len(a[pi]) != len(b[pi]) {
			tb.Fatalf("polygon %d: %d rings, want %d", pi, len(b[pi]), len(a[pi]))
		}
		for ri := range a[pi] {
			if len(a[pi][ri]) != len(b[pi][ri]) {
				tb.Fatalf("polygon %d ring %d: %d points, want %d", pi, ri, len(b[pi][ri]), len(a[pi][ri]))
			}
			for i := range a[pi][ri] {
				p, q := a[pi][ri][i], b[pi][ri][i]
				d = math.Max(d, math.Max(math.Abs(p[0]-q[0]), math.Abs(p[1]-q[1])))
			}
		}
	}
	return d
}
