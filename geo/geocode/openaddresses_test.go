package geocode_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo/geocode"
)

func TestReadOpenAddresses(t *testing.T) {
	ctx := context.Background()
	in := "\ufeffLON,LAT,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,POSTCODE,ID,HASH\n" +
		"-4.4789,54.1516,56,Strand Street,,Douglas,,IM,IM1 2EN,,abc\n" +
		"120.1431,30.2771,88,文三路,,杭州市,西湖区,浙江省,310012,,\n" +
		"-4.48,54.15,,Athol Street,,Douglas,,IM,,,\n"
	es, err := geocode.ReadOpenAddresses(ctx, strings.NewReader(in), "openaddresses:test")
	if err != nil {
		t.Fatal(err)
	}
	want := []geocode.Entry{
		{Source: "openaddresses:test", Kind: geocode.KindAddress, Number: "56", Street: "Strand Street", City: "Douglas", Region: "IM", Postcode: "IM1 2EN", Geometry: orb.Point{-4.4789, 54.1516}},
		{Source: "openaddresses:test", Kind: geocode.KindAddress, Number: "88", Street: "文三路", City: "杭州市", District: "西湖区", Region: "浙江省", Postcode: "310012", Geometry: orb.Point{120.1431, 30.2771}},
		{Source: "openaddresses:test", Kind: geocode.KindAddress, Street: "Athol Street", City: "Douglas", Region: "IM", Geometry: orb.Point{-4.48, 54.15}},
	}
	if len(es) != len(want) {
		t.Fatalf("%d entries, want %d", len(es), len(want))
	}
	for i := range want {
		if es[i].Source != want[i].Source || es[i].Number != want[i].Number || es[i].Street != want[i].Street || es[i].City != want[i].City ||
			es[i].District != want[i].District || es[i].Postcode != want[i].Postcode || es[i].Geometry != want[i].Geometry {
			t.Errorf("entry %d = %+v, want %+v", i, es[i], want[i])
		}
	}
	// Columns in another order and case; optional ones missing.
	es, err = geocode.ReadOpenAddresses(ctx, strings.NewReader("street,number,lat,lon\nMain Street,5,54.15,-4.48\n"), "x")
	if err != nil || len(es) != 1 || es[0].Street != "Main Street" || es[0].Geometry != (orb.Point{-4.48, 54.15}) {
		t.Fatalf("reordered columns: %+v, %v", es, err)
	}
}

func TestReadOpenAddressesBadLines(t *testing.T) {
	in := "LON,LAT,NUMBER,STREET\n" +
		"-4.48,54.15,1,Main Street\n" + // line 2: good
		"abc,54.15,2,Main Street\n" + // 3: LON
		"-4.48,95,3,Main Street\n" + // 4: LAT out of range
		"-4.48,54.15,4,\n" + // 5: STREET empty
		"-4.48,NaN,5,Main Street\n" + // 6: LAT NaN
		"-4.48\n" + // 7: too few fields
		"-4.48,54.15,6,\"Main \"Street\n" + // 8: bad quote
		"-4.48,54.15,7,Main Street\n" // 9: good
	es, err := geocode.ReadOpenAddresses(context.Background(), strings.NewReader(in), "x")
	var le *geocode.LinesError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want a *LinesError", err)
	}
	if len(es) != 2 || es[0].Number != "1" || es[1].Number != "7" {
		t.Fatalf("good lines: %+v", es)
	}
	want := []struct {
		line   int
		column string
	}{{3, "LON"}, {4, "LAT"}, {5, "STREET"}, {6, "LAT"}, {7, ""}, {8, ""}}
	if le.Total != len(want) || len(le.Lines) != len(want) {
		t.Fatalf("%d bad lines (%v), want %d", le.Total, le, len(want))
	}
	for i, w := range want {
		if le.Lines[i].Line != w.line || le.Lines[i].Column != w.column || le.Lines[i].Reason == "" {
			t.Errorf("bad line %d = %+v, want line %d column %q", i, le.Lines[i], w.line, w.column)
		}
	}
	if !strings.Contains(err.Error(), "6 bad line(s)") || !strings.Contains(err.Error(), "line 3: LON:") {
		t.Errorf("error text %q", err)
	}
}

func TestReadOpenAddressesFails(t *testing.T) {
	tests := []struct{ name, in, says string }{
		{"empty", "", "empty file"},
		{"missing columns", "LON,LAT,STREET\n1,2,x\n", "missing column(s) NUMBER"},
		{"no coordinates", "NUMBER,STREET\n", "LON, LAT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := geocode.ReadOpenAddresses(context.Background(), strings.NewReader(tt.in), "x")
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("err = %v, want one saying %q", err, tt.says)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := geocode.ReadOpenAddresses(ctx, strings.NewReader("LON,LAT,NUMBER,STREET\n1,2,3,x\n"), "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
