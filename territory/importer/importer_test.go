package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/geo/geocode"
	"gridplan/territory"
)

const header = "外部编号,名称,地址,经度,纬度,行业,规模,运营商,特殊"

var testGeocoder = fakeGeocoder{
	"杭州市西湖区文三路1号": {Location: orb.Point{120.131, 30.281}, Precision: geocode.PrecisionPoint, Confidence: 1},
	"杭州市西湖区文三路":   {Location: orb.Point{120.140, 30.280}, Precision: geocode.PrecisionRoad, Confidence: 0.8},
	"杭州市西湖区":      {Location: orb.Point{120.120, 30.250}, Precision: geocode.PrecisionDistrict, Confidence: 0.5},
}

// run imports text (a CSV string) into st with the test geocoder and the
// box locator unless opts say otherwise.
func run(tb testing.TB, st territory.CustomerImportStore, text string, opts Options) *Result {
	tb.Helper()
	if opts.Geocoder == nil {
		opts.Geocoder = testGeocoder
	}
	if opts.Locator == nil {
		opts.Locator = boxLocator{}
	}
	res, err := Import(context.Background(), st, strings.NewReader(text), opts)
	if err != nil {
		tb.Fatalf("import: %v", err)
	}
	return res
}

// TestImportBadRows puts every kind of bad row between good ones: each bad
// row is rejected naming its line, column and reason; every good row is
// stored.
func TestImportBadRows(t *testing.T) {
	rows := []struct {
		text   string
		column string // "" with reason "": a good row
		reason string
	}{
		{"C1,甲公司,文三路1号,120.1,30.2,软件,小型,本网,否", "", ""},
		{"C2,乙公司,杭州市西湖区文三路1号,,,,,,", "", ""},
		{"C3,丙,x,NaN,30.2,,,,", "经度", "not a number"},
		{"C4,丁,x,120.1,+Inf,,,,", "纬度", "infinite"},
		{"C5,戊,x,190,30,,,,", "经度", "out of range [-180, 180]"},
		{"C6,己,x,30.2,120.1,,,,", "纬度", "look swapped"},
		{"C7,庚,x,abc,30,,,,", "经度", "not a decimal number"},
		{"C8,辛,x,120.1,,,,,", "纬度", "empty while the longitude is given"},
		{"C9,壬,,,,,,,", "地址", "nothing places it on the map"},
		{"C10,癸,火星路1号,,,,,,", "地址", "cannot be geocoded"},
		{"C1,甲公司重复,文三路1号,120.1,30.2,,,,", "外部编号", "line 2 has it already"},
		{",无编号,文三路,120.1,30.2,,,,", "外部编号", "needs an external id"},
		{"C11,,文三路,120.1,30.2,,,,", "名称", "needs a name"},
		{"C12,子,x,120.1,30.2,,巨型,,", "规模", "unknown size"},
		{"C13,丑,x,120.1,30.2,,,电信,", "运营商", "names a carrier"},
		{"C14,寅,x,120.1,30.2,,,,maybe", "特殊", "not yes or no"},
		{"C15,卯,x", "", "has 3 fields, want 9"},
		{`C16,"辰,x,120.1,30.2,,,,`, "名称", "taken as unclosed"},
		{"C17,巳,x,120.1,30.2,,,,", "", ""},
		{`C18,"午, Inc.",x,120.1,30.2,,,,`, "", ""},
		{`C19,"未"x,y,120.1,30.2,,,,`, "名称", "after the closing quote"},
		{"C20,申,x,0x1p4,30.2,,,,", "经度", "not a decimal number"},
		{"C21,酉,x,１２０．３,３０．２,,,,", "", ""}, // full-width digits
		{"C22,戌,x,120.1°,30.2°,,微型,异网,是", "", ""},
	}
	var b strings.Builder
	b.WriteString(header + "\n")
	for _, r := range rows {
		b.WriteString(r.text + "\n")
	}
	st := newMemStore()
	var streamed []Reject
	res := run(t, st, b.String(), Options{OnReject: func(r Reject) error { streamed = append(streamed, r); return nil }})

	good := 0
	for i, r := range rows {
		line := i + 2
		t.Run(fmt.Sprintf("line %d", line), func(t *testing.T) {
			if r.reason == "" {
				ext := strings.SplitN(r.text, ",", 2)[0]
				c := st.get(t, ext)
				if geo.ValidatePoint(c.Location) != nil || c.Cell.Resolution() != geo.CustomerCellRes {
					t.Errorf("%s stored without a place: %+v", ext, c)
				}
				return
			}
			rj := rejectAt(t, res, line)
			if rj.Column != r.column || !strings.Contains(rj.Reason, r.reason) {
				t.Errorf("reject %+v, want column %q and a reason mentioning %q", rj, r.column, r.reason)
			}
			if rj.Row == "" || strings.Contains(rj.Row, "[cut") || !strings.HasPrefix(r.text, rj.Row) {
				t.Errorf("reject row %q, want the original row %q", rj.Row, r.text)
			}
		})
		if r.reason == "" {
			good++
		}
	}
	if res.Inserted != good || res.Rejected != len(rows)-good || res.Rows != len(rows) {
		t.Fatalf("rows %d inserted %d rejected %d; want %d, %d, %d", res.Rows, res.Inserted, res.Rejected, len(rows), good, len(rows)-good)
	}
	if len(streamed) != res.Rejected {
		t.Fatalf("OnReject saw %d rejects, the result has %d", len(streamed), res.Rejected)
	}
	if res.Geocoded != 1 {
		t.Errorf("geocoded %d rows, want 1", res.Geocoded)
	}
	c1 := st.get(t, "C1")
	if c1.Name != "甲公司" || c1.Industry != "软件" || c1.Size != territory.SizeSmall || c1.Carrier != territory.CarrierOurs || c1.Special || c1.GridID != 7 {
		t.Errorf("C1 stored as %+v", c1)
	}
	if c := st.get(t, "C18"); c.Name != "午, Inc." {
		t.Errorf("quoted name stored as %q", c.Name)
	}
	if c := st.get(t, "C21"); c.Location != (orb.Point{120.3, 30.2}) || c.GridID != 8 {
		t.Errorf("full-width coordinates stored as %v grid %d", c.Location, c.GridID)
	}
	if c := st.get(t, "C22"); !c.Special || c.Size != territory.SizeMicro || c.Carrier != territory.CarrierCompetitor {
		t.Errorf("C22 stored as %+v", c)
	}
	if c := st.get(t, "C2"); c.Location != testGeocoder["杭州市西湖区文三路1号"].Location {
		t.Errorf("geocoded C2 at %v", c.Location)
	}
}

// TestImportOurCarrier: with our carrier named, operator names map to ours
// and competitor.
func TestImportOurCarrier(t *testing.T) {
	st := newMemStore()
	res := run(t, st, header+"\nA,a,x,120.1,30.2,,,中国电信,\nB,b,x,120.1,30.2,,,移动,\n", Options{OurCarrier: "telecom"})
	if res.Inserted != 2 || st.get(t, "A").Carrier != territory.CarrierOurs || st.get(t, "B").Carrier != territory.CarrierCompetitor {
		t.Fatalf("%+v: A %s, B %s", res, st.get(t, "A").Carrier, st.get(t, "B").Carrier)
	}
}

func TestImportCRS(t *testing.T) {
	gcj := orb.Point{120.16, 30.27}
	tests := []struct {
		name   string
		crs    geo.CRS
		lng    string
		lat    string
		want   orb.Point
		reason string
	}{
		{"wgs84 as is", geo.WGS84, "120.16", "30.27", gcj, ""},
		{"gcj02 converted", geo.GCJ02, "120.16", "30.27", geo.GCJ02ToWGS84(gcj), ""},
		{"bd09 converted", geo.BD09, "120.16", "30.27", geo.BD09ToWGS84(gcj), ""},
		{"gcj02 outside China", geo.GCJ02, "-0.1276", "51.5072", orb.Point{}, "outside China"},
		{"bd09 swapped", geo.BD09, "30.27", "120.16", orb.Point{}, "look swapped"},
		{"wgs84 outside China is fine", geo.WGS84, "-0.1276", "51.5072", orb.Point{-0.1276, 51.5072}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemStore()
			res := run(t, st, "id,name,lng,lat\nX,x,"+tt.lng+","+tt.lat+"\n", Options{CRS: tt.crs})
			if tt.reason != "" {
				rj := rejectAt(t, res, 2)
				if !strings.Contains(rj.Reason, tt.reason) || rj.Column == "" {
					t.Fatalf("reject %+v, want the reason to mention %q", rj, tt.reason)
				}
				return
			}
			c := st.get(t, "X")
			if geo.DistanceM(c.Location, tt.want) > 0.01 {
				t.Fatalf("stored at %v, want %v", c.Location, tt.want)
			}
			if tt.crs != geo.WGS84 && geo.DistanceM(c.Location, gcj) < 100 {
				t.Fatalf("%s point %v was not shifted from %v", tt.crs, c.Location, gcj)
			}
		})
	}
	if _, err := Import(context.Background(), newMemStore(), strings.NewReader("id,name,lng,lat\n"), Options{CRS: "mars2"}); err == nil {
		t.Fatal("an unknown CRS was accepted")
	}
}

func TestImportMinPrecision(t *testing.T) {
	text := "id,name,address\nA,a,杭州市西湖区文三路1号\nB,b,杭州市西湖区文三路\nC,c,杭州市西湖区\n"
	tests := []struct {
		min      geocode.Precision
		rejected []int // lines
	}{
		{0, nil},
		{geocode.PrecisionDistrict, nil},
		{geocode.PrecisionRoad, []int{4}},
		{geocode.PrecisionPoint, []int{3, 4}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.min), func(t *testing.T) {
			res := run(t, newMemStore(), text, Options{MinPrecision: tt.min})
			if res.Rejected != len(tt.rejected) || res.Inserted != 3-len(tt.rejected) {
				t.Fatalf("%+v", res)
			}
			for _, line := range tt.rejected {
				if rj := rejectAt(t, res, line); !strings.Contains(rj.Reason, "coarser than the minimum") || rj.Column != "address" {
					t.Errorf("reject %+v", rj)
				}
			}
		})
	}
}

func TestImportNoGeocoder(t *testing.T) {
	res, err := Import(context.Background(), newMemStore(), strings.NewReader("id,name,address\nA,a,杭州市西湖区文三路1号\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rj := rejectAt(t, res, 2); !strings.Contains(rj.Reason, "no geocoder") {
		t.Fatalf("reject %+v", rj)
	}
}

// TestImportEncodings reads the same file in every encoding it supports.
func TestImportEncodings(t *testing.T) {
	text := header + "\r\nC1,杭州甲乙科技有限公司,杭州市西湖区文三路1号,120.1,30.2,软件和信息技术服务业,小型,本网,是\r\nC2,乙,杭州市西湖区文三路1号,,,,,,\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	gb18030, err := simplifiedchinese.GB18030.NewEncoder().String(text + "C3,𠀀𠀁公司,x,120.1,30.2,,,,\r\n") // outside GBK
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(strings.ReplaceAll(text, ",", "\t"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
		enc  Encoding
		n    int
	}{
		{"utf-8", text, UTF8, 2},
		{"utf-8 with BOM", "\uFEFF" + text, UTF8BOM, 2},
		{"gbk", gbk, GB18030, 2},
		{"gb18030", gb18030, GB18030, 3},
		{"utf-16le tab-separated", utf16, UTF16LE, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemStore()
			res := run(t, st, tt.data, Options{})
			if res.Encoding != tt.enc || res.Inserted != tt.n || res.Rejected != 0 {
				t.Fatalf("encoding %s inserted %d rejected %d (%+v), want %s and %d", res.Encoding, res.Inserted, res.Rejected, res.Rejects, tt.enc, tt.n)
			}
			if c := st.get(t, "C1"); c.Name != "杭州甲乙科技有限公司" || c.Industry != "软件和信息技术服务业" || !c.Special {
				t.Fatalf("C1 read as %+v", c)
			}
			if tt.n == 3 && st.get(t, "C3").Name != "𠀀𠀁公司" {
				t.Fatalf("C3 read as %q", st.get(t, "C3").Name)
			}
		})
	}
}

// TestImportBadBytes: a few bad bytes in an otherwise good file reject
// their rows; a file of garbage is refused as a whole.
func TestImportBadBytes(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name,lng,lat\n")
	for i := range 60 {
		fmt.Fprintf(&b, "C%d,杭州第%d号科技有限公司,120.1,30.2\n", i, i)
	}
	good := b.String()
	t.Run("utf-8 with a bad byte", func(t *testing.T) {
		res := run(t, newMemStore(), good+"BAD,坏\xff名,120.1,30.2\n", Options{})
		if res.Encoding != UTF8 || res.Inserted != 60 {
			t.Fatalf("%s, inserted %d", res.Encoding, res.Inserted)
		}
		if rj := rejectAt(t, res, 62); rj.Column != "name" || !strings.Contains(rj.Reason, "not UTF-8") {
			t.Fatalf("reject %+v", rj)
		}
	})
	t.Run("gbk with a bad sequence", func(t *testing.T) {
		gbk, _ := simplifiedchinese.GBK.NewEncoder().String(good)
		res := run(t, newMemStore(), gbk+"BAD,\xff\xff,120.1,30.2\n", Options{})
		if res.Encoding != GB18030 || res.Inserted != 60 {
			t.Fatalf("%s, inserted %d", res.Encoding, res.Inserted)
		}
		if rj := rejectAt(t, res, 62); rj.Column != "name" || !strings.Contains(rj.Reason, "not GB18030") {
			t.Fatalf("reject %+v", rj)
		}
	})
	rng := rand.New(rand.NewPCG(3, 4))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rng.IntN(256))
	}
	high := make([]byte, 4096) // no NULs or controls: only the decoders can tell
	for i := range high {
		high[i] = byte(0x80 + rng.IntN(128))
		if i%50 == 49 {
			high[i] = ','
		}
	}
	garbage := []struct {
		name string
		data []byte
		want string
	}{
		{"random bytes", random, "NUL byte"},
		{"control characters", bytes.Repeat([]byte("a\x01b\x02,"), 100), "control characters"},
		{"high bytes", append([]byte("id,name,address\n"), high...), "neither UTF-8"},
		{"latin-1", bytes.Repeat([]byte("id,name,address\nC1,Caf\xe9 M\xfcller,Stra\xdfe 1\n"), 5), "neither UTF-8"},
		{"empty", []byte(" \n\n"), "empty"},
		{"legacy xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, random...), "Excel 97"},
		{"broken zip", []byte("PK\x03\x04 not really"), "not a readable XLSX"},
	}
	for _, tt := range garbage {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemStore()
			_, err := Import(context.Background(), st, bytes.NewReader(tt.data), Options{Geocoder: testGeocoder})
			var fe *FileError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, territory.ErrInvalid) {
				t.Fatalf("err = %v, want a *FileError mentioning %q", err, tt.want)
			}
			if len(st.ids()) != 0 {
				t.Fatal("a refused file wrote customers")
			}
		})
	}
}

func TestImportMissingColumns(t *testing.T) {
	tests := []struct {
		name   string
		header string
		m      map[Field]string
		want   []string
	}{
		{"no name", "外部编号,地址", nil, []string{"name (name/名称/客户名称/企业名称)"}},
		{"no external id", "名称,地址", nil, []string{"external_id"}},
		{"nothing but junk", "foo,bar", nil, []string{"external_id", "name", "address", "headers found: foo, bar"}},
		{"longitude without latitude", "id,name,lng", nil, []string{"lat ("}},
		{"neither address nor coordinates", "id,name,industry", nil, []string{"address (", "or lng and lat"}},
		{"mapped header absent", "id,name,address", map[Field]string{FieldName: "公司"}, []string{"name=公司"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemStore()
			_, err := Import(context.Background(), st, strings.NewReader(tt.header+"\nC1,x,y\n"), Options{Map: tt.m})
			var ce *ColumnsError
			if !errors.As(err, &ce) || !errors.Is(err, territory.ErrInvalid) {
				t.Fatalf("err = %v, want a *ColumnsError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if len(st.ids()) != 0 {
				t.Fatal("a refused file wrote customers")
			}
		})
	}
}

func TestImportColumnMap(t *testing.T) {
	m, err := ParseMap("name=公司, address=住所,lon=东经,latitude=北纬")
	if err != nil {
		t.Fatal(err)
	}
	st := newMemStore()
	// 名称 would be taken for the name without the map; the map wins.
	res := run(t, st, "编号,名称,公司,住所,东经,北纬\nC1,别名,真名公司,文三路1号,120.1,30.2\n", Options{Map: m})
	c := st.get(t, "C1")
	if res.Inserted != 1 || c.Name != "真名公司" || c.Address != "文三路1号" || c.Location != (orb.Point{120.1, 30.2}) {
		t.Fatalf("%+v stored %+v", res, c)
	}
	if res.Columns[FieldName] != "公司" || res.Columns[FieldExternalID] != "编号" {
		t.Fatalf("columns %v", res.Columns)
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), `"名称" also looks like name`) {
		t.Errorf("notes %q do not mention the shadowed 名称 column", res.Notes)
	}
	for _, bad := range []string{"name", "name=", "colour=x", "name=a,name=b"} {
		if _, err := ParseMap(bad); err == nil {
			t.Errorf("ParseMap(%q) accepted", bad)
		}
	}
}

func TestResolveHeaders(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		want   map[Field]int
	}{
		{"best alias wins over leftmost", []string{"id", "external_id", "name", "address"}, map[Field]int{FieldExternalID: 1, FieldName: 2, FieldAddress: 3}},
		{"bracketed suffix, full width, case, spaces", []string{"客户编号", "企业名称*", "经度（GCJ-02）", "纬度(GCJ-02)", "Ｉｎｄｕｓｔｒｙ", " Customer Name "},
			map[Field]int{FieldExternalID: 0, FieldName: 1, FieldLng: 2, FieldLat: 3, FieldIndustry: 4}},
		{"english long names", []string{"External ID", "Company Name", "Street Address", "Longitude", "Latitude", "Size", "Carrier", "Special"},
			map[Field]int{FieldExternalID: 0, FieldName: 1, FieldAddress: 2, FieldLng: 3, FieldLat: 4, FieldSize: 5, FieldCarrier: 6, FieldSpecial: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := resolve(tt.header, nil)
			if err != nil {
				t.Fatal(err)
			}
			for f, i := range tt.want {
				if c.col[f] != i {
					t.Errorf("%s in column %d, want %d", f, c.col[f], i)
				}
			}
			if len(c.col) != len(tt.want) {
				t.Errorf("columns %v, want %v", c.col, tt.want)
			}
		})
	}
}

// TestImportSeparators: tab- and semicolon-separated files are told from
// their first lines, a title line without separators notwithstanding.
func TestImportSeparators(t *testing.T) {
	for _, tt := range []struct{ name, text, sep string }{
		{"tab", "客户清单\nid\tname\tlng\tlat\nA\ta, Inc.\t120.1\t30.2\n", "tab"},
		{"semicolon", "id;name;lng;lat\nA;a, Inc.;120.1;30.2\n", ";"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemStore()
			res := run(t, st, tt.text, Options{})
			if res.Comma != tt.sep || res.Inserted != 1 || st.get(t, "A").Name != "a, Inc." {
				t.Fatalf("%+v", res)
			}
		})
	}
}

// TestImportTitleRows: title rows above the header are skipped.
func TestImportTitleRows(t *testing.T) {
	st := newMemStore()
	res := run(t, st, "2026年11月 西湖区客户清单,,\n导出人：张三,,\n客户编号,客户名称,详细地址\nC1,甲,杭州市西湖区文三路1号\n", Options{})
	if res.Inserted != 1 || res.Rejected != 0 {
		t.Fatalf("%+v", res)
	}
	if !strings.Contains(strings.Join(res.Notes, " "), "line 3") {
		t.Errorf("notes %q do not say where the header is", res.Notes)
	}
}

// TestImportIdempotentAndMerge: the same file twice changes nothing; a
// changed row updates; columns the file lacks keep stored values, and the
// stage and owner are never touched.
func TestImportIdempotentAndMerge(t *testing.T) {
	st := newMemStore()
	st.seed(t, &territory.Customer{ExternalID: "OLD", Name: "老客户", Address: "杭州市西湖区文三路1号", Location: orb.Point{120.131, 30.281},
		Industry: "制造业", Size: territory.SizeLarge, Carrier: territory.CarrierOurs, Special: true, Stage: funnel.Intent, OwnerID: 42, GridID: 7})
	file := header + "\nA,a,杭州市西湖区文三路1号,,,零售,小型,,\nB,b,y,120.3,30.5,,,,\nOLD,老客户,杭州市西湖区文三路1号,,,制造业,大型,本网,是\n"
	first := run(t, st, file, Options{})
	if first.Inserted != 2 || first.Unchanged != 1 || first.Updated != 0 {
		t.Fatalf("first import %+v", first.UpsertResult)
	}
	again := run(t, st, file, Options{})
	if again.Unchanged != 3 || again.Inserted+again.Updated+again.Rejected != 0 {
		t.Fatalf("second import %+v rejected %d", again.UpsertResult, again.Rejected)
	}
	changed := strings.Replace(file, "B,b,y,120.3,30.5", "B,b2,y,120.3,30.5", 1)
	if r := run(t, st, changed, Options{}); r.Updated != 1 || r.Unchanged != 2 {
		t.Fatalf("changed import %+v", r.UpsertResult)
	}
	// A file with only names: everything else stays.
	if r := run(t, st, "id,name,address\nOLD,老客户新名,\n", Options{}); r.Updated != 1 {
		t.Fatalf("name-only import %+v %+v", r.UpsertResult, r.Rejects)
	}
	old := st.get(t, "OLD")
	if old.Name != "老客户新名" || old.Industry != "制造业" || old.Size != territory.SizeLarge || !old.Special ||
		old.Address != "杭州市西湖区文三路1号" || old.Location != (orb.Point{120.131, 30.281}) || old.Stage != funnel.Intent || old.OwnerID != 42 {
		t.Fatalf("merged OLD = %+v", old)
	}
}

// TestImportKeepsLocationOfUnchangedAddress: a stored customer whose
// address did not change is not geocoded again.
func TestImportKeepsLocationOfUnchangedAddress(t *testing.T) {
	st := newMemStore()
	st.seed(t, &territory.Customer{ExternalID: "A", Name: "a", Address: "某个地址", Location: orb.Point{120.11, 30.22}})
	res := run(t, st, "id,name,address\nA,a,某个地址\n", Options{}) // the geocoder does not know it
	if res.Geocoded != 0 || res.Rejected != 0 || st.get(t, "A").Location != (orb.Point{120.11, 30.22}) {
		t.Fatalf("%+v at %v", res, st.get(t, "A").Location)
	}
}

// TestImportBatches: batches of 3 with duplicates across batch boundaries.
func TestImportBatches(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name,lng,lat\n")
	for i := range 20 {
		fmt.Fprintf(&b, "C%d,n%d,120.1,30.2\n", i%15, i)
	}
	st := newMemStore()
	res := run(t, st, b.String(), Options{BatchSize: 3})
	if res.Inserted != 15 || res.Rejected != 5 || st.batches != 5 {
		t.Fatalf("%+v in %d batches", res, st.batches)
	}
	if rj := rejectAt(t, res, 17); !strings.Contains(rj.Reason, "line 2 has it already") {
		t.Fatalf("reject %+v", rj)
	}
}

// TestImportHugeCell streams a ten-megabyte cell: the row is rejected with
// the cell's size, the rows around it are imported, and the cell is never
// held in memory.
func TestImportHugeCell(t *testing.T) {
	const huge = 10 << 20
	for _, quoted := range []bool{false, true} {
		t.Run(fmt.Sprintf("quoted=%v", quoted), func(t *testing.T) {
			q := ""
			if quoted {
				q = `"`
			}
			src := io.MultiReader(
				strings.NewReader("id,name,address\nA,a,杭州市西湖区文三路1号\nB,"+q),
				&repeatReader{b: 'x', n: huge},
				strings.NewReader(q+",杭州市西湖区文三路1号\nC,c,杭州市西湖区文三路1号\n"),
			)
			st := newMemStore()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			res, err := Import(context.Background(), st, src, Options{Geocoder: testGeocoder})
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if res.Inserted != 2 || res.Rejected != 1 {
				t.Fatalf("%+v", res)
			}
			rj := rejectAt(t, res, 3)
			if rj.Column != "name" || !strings.Contains(rj.Reason, fmt.Sprintf("holds %d bytes, more than the %d allowed", huge, DefaultMaxCellBytes)) {
				t.Fatalf("reject %+v", rj)
			}
			if len(rj.Row) > 5<<10 || !strings.Contains(rj.Row, "[cut: the row has") {
				t.Fatalf("reject row of %d bytes: %.80q…", len(rj.Row), rj.Row)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > huge/2 {
				t.Fatalf("allocated %d bytes importing a %d-byte cell: it was held in memory", alloc, huge)
			}
		})
	}
}

// repeatReader yields n copies of b, as a stream.
type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = r.b
	}
	r.n -= k
	return k, nil
}

func TestImportProgress(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name,lng,lat\n")
	for i := range 100 {
		fmt.Fprintf(&b, "C%d,n,120.1,30.2\n", i)
	}
	var seen []Progress
	res := run(t, newMemStore(), b.String(), Options{BatchSize: 30, Progress: func(p Progress) { seen = append(seen, p) }})
	if len(seen) < 5 {
		t.Fatalf("only %d progress reports", len(seen))
	}
	for i, p := range seen {
		if p.TotalRows != 100 {
			t.Errorf("report %d: total %d, want 100 (counted up front)", i, p.TotalRows)
		}
		if i > 0 && p.Rows < seen[i-1].Rows {
			t.Errorf("rows went back from %d to %d", seen[i-1].Rows, p.Rows)
		}
	}
	last := seen[len(seen)-1]
	if last.Rows != 100 || last.Inserted != res.Inserted || res.Inserted != 100 {
		t.Fatalf("last report %+v, result %+v", last, res.UpsertResult)
	}

	// A stream that cannot be rewound has no total.
	seen = nil
	_, err := Import(context.Background(), newMemStore(), struct{ io.Reader }{strings.NewReader(b.String())},
		Options{Progress: func(p Progress) { seen = append(seen, p) }})
	if err != nil || seen[0].TotalRows != 0 || seen[len(seen)-1].Rows != 100 {
		t.Fatalf("err %v, reports %+v", err, seen)
	}
}

func TestImportStoreErrors(t *testing.T) {
	text := "id,name,lng,lat\nA,a,120.1,30.2\nB,b,120.1,30.2\nC,c,120.1,30.2\n"
	if _, err := Import(context.Background(), errStore{errBoom}, strings.NewReader(text), Options{}); !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "lines 2–4") {
		t.Fatalf("err = %v", err)
	}
	st := newMemStore()
	st.fail, st.failAt = errBoom, 2
	res, err := Import(context.Background(), st, strings.NewReader(text), Options{BatchSize: 2})
	if !errors.Is(err, errBoom) || res.Inserted != 2 || len(st.ids()) != 2 {
		t.Fatalf("err %v, result %+v, stored %v: the first batch should stay", err, res, st.ids())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Import(ctx, newMemStore(), strings.NewReader(text), Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled import: %v", err)
	}
	failing := func(Reject) error { return errBoom }
	if _, err := Import(context.Background(), newMemStore(), strings.NewReader(text+"D,,1,1\n"), Options{OnReject: failing}); !errors.Is(err, errBoom) {
		t.Fatalf("OnReject error: %v", err)
	}
}

// TestImportStoreRefusesRow: when the store refuses a batch for one bad
// row, that row is rejected and the rest of its batch is stored.
func TestImportStoreRefusesRow(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name,lng,lat\n")
	for i := range 10 {
		fmt.Fprintf(&b, "C%d,n,120.1,30.2\n", i)
	}
	st := newMemStore()
	st.refuse = "C6"
	res := run(t, st, b.String(), Options{BatchSize: 8})
	if res.Inserted != 9 || res.Rejected != 1 || len(st.ids()) != 9 {
		t.Fatalf("%+v", res)
	}
	if rj := rejectAt(t, res, 8); rj.Field != "grid_id" || !strings.Contains(rj.Reason, "refused by the store: grid 99 does not exist") {
		t.Fatalf("reject %+v", rj)
	}
}

func TestImportMaxRejects(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name,lng,lat\n")
	for i := range 10 {
		fmt.Fprintf(&b, "C%d,,120.1,30.2\n", i)
	}
	n := 0
	res := run(t, newMemStore(), b.String(), Options{MaxRejects: 4, OnReject: func(Reject) error { n++; return nil }})
	if res.Rejected != 10 || len(res.Rejects) != 4 || res.RejectsOmitted != 6 || n != 10 {
		t.Fatalf("rejected %d kept %d omitted %d streamed %d", res.Rejected, len(res.Rejects), res.RejectsOmitted, n)
	}
}

// TestRejectsFile writes rejects and reads them back with encoding/csv and
// with the importer's own reader (the file must be importable text).
func TestRejectsFile(t *testing.T) {
	rs := []Reject{
		{Line: 3, Column: "经度", Reason: `longitude "NaN" is not a number`, Row: "C3,丙,x,NaN,30.2"},
		{Line: 7, Reason: "has 2 fields, want 9", Row: "a,\"b\nc"},
	}
	var buf bytes.Buffer
	if err := WriteRejects(&buf, rs); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFFline,column,reason,row\n")) {
		t.Fatalf("rejects file starts %q", buf.String()[:40])
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1][0] != "3" || recs[1][1] != "经度" || recs[2][3] != "a,\"b\nc" {
		t.Fatalf("read back %q", recs)
	}
}

func TestParseCoord(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  string
	}{
		{"120.5", 120.5, ""},
		{" -33.25 ", -33.25, ""},
		{"1.2e1", 12, ""},
		{"１２０．５", 120.5, ""},
		{"30.5°", 30.5, ""},
		{"NaN", 0, "not a number"},
		{"-inf", 0, "infinite"},
		{"1e999", 0, "not a decimal number"},
		{"0x10", 0, "not a decimal number"},
		{"120,5", 0, "not a decimal number"},
		{"", 0, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := parseCoord(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || math.Abs(v-tt.want) > 1e-12 {
				t.Fatalf("%v, %v; want %v", v, err, tt.want)
			}
		})
	}
}
