package address

import (
	"strings"
	"testing"
)

// parts are the fields of an Address a test checks, in String's form.
func parts(a Address) string { return a.String() }

func TestParseChinese(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"full", "浙江省杭州市西湖区文三路88号", "province=浙江省 city=杭州市 district=西湖区 road=文三路 number=88"},
		{"tenant", "浙江省杭州市拱墅区长城路756号天阳商业广场2幢219室",
			"province=浙江省 city=杭州市 district=拱墅区 road=长城路 number=756 place=天阳商业广场 building=2 room=219"},
		{"park tenant", "杭州市滨江区江南大道1203号星光科技园3幢1205室",
			"city=杭州市 district=滨江区 road=江南大道 number=1203 place=星光科技园 building=3 room=1205"},
		{"no province", "杭州市西湖区文三路88号", "city=杭州市 district=西湖区 road=文三路 number=88"},
		{"no province, no city", "西湖区文三路88号", "district=西湖区 road=文三路 number=88"},
		{"city without 市", "杭州西湖区文三路88号", "city=杭州 district=西湖区 road=文三路 number=88"},
		{"province without 省", "浙江杭州市西湖区文三路88号", "province=浙江 city=杭州市 district=西湖区 road=文三路 number=88"},
		{"road only", "文三路88号", "road=文三路 number=88"},
		{"full-width and traditional", "杭州西湖區文三路８８號", "city=杭州 district=西湖区 road=文三路 number=88"},
		{"Chinese numerals", "萧山区市心路一百零八号", "district=萧山区 road=市心路 number=108"},
		{"两", "市心路两号", "road=市心路 number=2"},
		{"floor in 楼", "西湖區文三路十二號3樓", "district=西湖区 road=文三路 number=12 floor=3"},
		{"road named after a city", "温州路5号", "road=温州路 number=5"},
		{"road named after a province", "北京路12号", "road=北京路 number=12"},
		{"road starting with 市", "萧山区市心路88号", "district=萧山区 road=市心路 number=88"},
		{"road named after a town", "新镇路3号", "road=新镇路 number=3"},
		{"road named after a square", "广场路3号", "road=广场路 number=3"},
		{"road named after a garden, with a direction", "上城区松园东路93号", "district=上城区 road=松园东路 number=93"},
		{"road named after a town, with a numeral", "新镇二路3号", "road=新镇二路 number=3"},
		{"place of two markers", "上城区新天地中心广场2幢518室", "district=上城区 place=新天地中心广场 building=2 room=518"},
		{"county-level city", "浙江杭州市建德市新安江街道江滨中路12号",
			"province=浙江 city=杭州市 district=建德市 subdistrict=新安江街道 road=江滨中路 number=12"},
		{"county", "杭州市桐庐县城南街道迎春南路258号", "city=杭州市 district=桐庐县 subdistrict=城南街道 road=迎春南路 number=258"},
		{"town", "杭州市余杭区塘栖镇广济路18号", "city=杭州市 district=余杭区 subdistrict=塘栖镇 road=广济路 number=18"},
		{"municipality", "上海市黄浦区长乐路288弄12号601室", "province=上海市 city=上海市 district=黄浦区 road=长乐路288弄 number=12 room=601"},
		{"autonomous region", "广西壮族自治区南宁市青秀区民族大道100号", "province=广西壮族自治区 city=南宁市 district=青秀区 road=民族大道 number=100"},
		{"lane", "杭州市上城区河坊街58号", "city=杭州市 district=上城区 road=河坊街 number=58"},
		{"alley", "上城区大井巷3号", "district=上城区 road=大井巷 number=3"},
		{"road without suffix", "文三88号", "number=88 extra=文三"},
		{"number without 号", "西湖区文三路88", "district=西湖区 road=文三路 number=88"},
		{"spaces and building letter", "西湖区 文三路 88 号 A座 12层 1205室", "district=西湖区 road=文三路 number=88 building=A floor=12 room=1205"},
		{"place without road", "杭州市西湖区西溪科技园3幢", "city=杭州市 district=西湖区 place=西溪科技园 building=3"},
		{"tower", "浙江省杭州市钱塘区天阳大厦", "province=浙江省 city=杭州市 district=钱塘区 place=天阳大厦"},
		{"centre", "西湖区文三路90号恒生金融中心12楼", "district=西湖区 road=文三路 number=90 place=恒生金融中心 floor=12"},
		{"place without marker after the number", "文三路88号恒生3幢", "road=文三路 number=88 place=恒生 building=3"},
		{"number building", "文三路88号3号楼5层", "road=文三路 number=88 building=3 floor=5"},
		{"unit", "文三路88号2单元301室", "road=文三路 number=88 unit=2 room=301"},
		{"sub-number", "文三路88-1号", "road=文三路 number=88-1"},
		{"F floor", "文三路88号5F", "road=文三路 number=88 floor=5"},
		{"remark dropped", "文三路88号(近学院路)", "road=文三路 number=88"},
		{"commas", "浙江省,杭州市,西湖区,文三路88号", "province=浙江省 city=杭州市 district=西湖区 road=文三路 number=88"},
		{"country", "中国浙江省杭州市西湖区文三路88号", "country=中国 province=浙江省 city=杭州市 district=西湖区 road=文三路 number=88"},
		{"postcode first", "310012 杭州市西湖区文三路88号", "city=杭州市 district=西湖区 road=文三路 number=88 postcode=310012"},
		{"postcode word", "西湖区文三路88号 邮编310012", "district=西湖区 road=文三路 number=88 postcode=310012"},
		{"numbered district", "杭州市第12区星湖路5号", "city=杭州市 district=第12区 road=星湖路 number=5"},
		{"avenue", "杭州市钱塘区九堡大道1号", "city=杭州市 district=钱塘区 road=九堡大道 number=1"},
		{"room only", "文三路88号1205", "road=文三路 number=88 room=1205"},
		{"market", "杭州市四季青市场3号", "city=杭州市 number=3 place=四季青市场"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Parse(tt.in)
			if a.Style != Chinese {
				t.Fatalf("Parse(%q): style %v, want chinese", tt.in, a.Style)
			}
			if got := parts(a); got != tt.want {
				t.Fatalf("Parse(%q)\n got  %s\n want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseEnglish(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"simple", "12 Main Street, Douglas, IM1 2AB", "city=Douglas road=Main Street number=12 postcode=IM1 2AB"},
		{"abbreviated", "12a Main St., Douglas", "city=Douglas road=Main St number=12a"},
		{"flat and country", "Flat 2, 12a Main St., Douglas IM1 2AB, Isle of Man",
			"country=Isle of Man city=Douglas road=Main St number=12a unit=2 postcode=IM1 2AB"},
		{"house name", "Elm Tree House, Onchan Main Road, Onchan", "city=Onchan road=Onchan Main Road place=Elm Tree House"},
		{"no street type", "Spar, Clagh Vane, Ballasalla", "city=Ballasalla district=Clagh Vane extra=Spar"},
		{"unit in an estate", "Unit 24, Gladstone Park Industrial Estate, Ramsey, IM8 2LA",
			"city=Ramsey road=Gladstone Park Industrial Estate unit=24 postcode=IM8 2LA"},
		{"street only", "56 Strand Street", "road=Strand Street number=56"},
		{"number in its own part", "12, Main Street, Peel", "city=Peel road=Main Street number=12"},
		{"two numbers", "8,8A Victoria Road, Douglas", "city=Douglas road=Victoria Road number=8A extra=8"},
		{"range", "26-30 Strand Street, Douglas, IM1 2EG", "city=Douglas road=Strand Street number=26-30 postcode=IM1 2EG"},
		{"locality and town", "3 Harcourt Drive, Balthane Industrial Estate, Ballasalla, IM9 2AH",
			"city=Ballasalla district=Balthane Industrial Estate road=Harcourt Drive number=3 postcode=IM9 2AH"},
		{"postcode without space", "5 Market Hill, Douglas, IM12BF", "city=Douglas road=Market Hill number=5 postcode=IM12BF"},
		{"town only", "Douglas", "city=Douglas"},
		{"town and postcode", "Laxey, IM4 7BE", "city=Laxey postcode=IM4 7BE"},
		{"US style (the state is read as the town)", "1600 Pennsylvania Avenue NW, Washington, DC 20500", "city=DC district=Washington road=Pennsylvania Avenue NW number=1600 postcode=20500"},
		{"hash unit", "#3, 12 Main Street", "road=Main Street number=12 unit=3"},
		{"full-width", "１２ Ｍａｉｎ Ｓｔｒｅｅｔ，Ｄｏｕｇｌａｓ", "city=Douglas road=Main Street number=12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Parse(tt.in)
			if a.Style != English {
				t.Fatalf("Parse(%q): style %v, want english", tt.in, a.Style)
			}
			if got := parts(a); got != tt.want {
				t.Fatalf("Parse(%q)\n got  %s\n want %s", tt.in, got, tt.want)
			}
		})
	}
}

// Every field is a substring of the normalised address: parsing allocates
// nothing but that string.
func TestParseFieldsAreSubstrings(t *testing.T) {
	for _, in := range []string{"浙江省杭州市西湖区文三路88号西溪科技园3幢1205室", "Flat 2, 12a Main St., Douglas IM1 2AB"} {
		a := Parse(in)
		for _, f := range []string{a.Province, a.City, a.District, a.Road, a.Number, a.Place, a.Building, a.Room, a.Unit, a.Postcode} {
			if !strings.Contains(a.Normalized, f) {
				t.Fatalf("Parse(%q): field %q is not in %q", in, f, a.Normalized)
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() { Parse("浙江省杭州市西湖区文三路88号西溪科技园3幢1205室") }); n > 1 {
		t.Fatalf("Parse allocates %.0f times, want 1 (the normalised string)", n)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "   ", "，，，", ",,,", "()"} {
		a := Parse(in)
		if !a.Empty() {
			t.Errorf("Parse(%q) = %v, want no parts", in, a)
		}
	}
}
