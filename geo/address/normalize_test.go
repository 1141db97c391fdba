package address

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "浙江省杭州市西湖区文三路88号", "浙江省杭州市西湖区文三路88号"},
		{"full-width digits", "文三路８８号", "文三路88号"},
		{"full-width letters and comma", "Ａ座，１２层", "A座,12层"},
		{"traditional", "西湖區文三路88號天堂廣場3樓", "西湖区文三路88号天堂广场3楼"},
		{"traditional building", "中山大廈棟", "中山大厦栋"},
		{"numeral 12", "文三路十二号", "文三路12号"},
		{"numeral 108", "市心路一百零八号", "市心路108号"},
		{"numeral 23", "二十三号", "23号"},
		{"numeral 2 as 两", "两号楼", "2号楼"},
		{"numeral thousands", "江南大道一千二百零三号", "江南大道1203号"},
		{"digit by digit room", "一二零五室", "1205室"},
		{"leading zero kept", "〇一室", "01室"},
		{"numerals with a sub-number", "二十三-1号", "23-1号"},
		{"road numerals stay", "文三路", "文三路"},
		{"road numerals then number", "文一西路九号", "文一西路9号"},
		{"numerals before a non-unit stay", "九堡大道", "九堡大道"},
		{"malformed numerals stay", "三四十号", "三四十号"},
		{"floor", "五楼", "5楼"},
		{"unit", "二单元", "2单元"},
		{"spaces next to Han go", " 浙江省  杭州市 西湖区 文三路 88 号 ", "浙江省杭州市西湖区文三路88号"},
		{"ideographic space", "文三路\u300088号", "文三路88号"},
		{"English spaces kept single", "  12   Main  Street,  Douglas ", "12 Main Street, Douglas"},
		{"Chinese punctuation", "文三路88号（近学院路）、西湖区", "文三路88号(近学院路),西湖区"},
		{"dashes", "88—2号", "88-2号"},
		{"tabs and newlines", "12\tMain\nStreet", "12 Main Street"},
		{"control characters dropped", "文三\x00路\x0188号", "文三路88号"},
		{"empty", "", ""},
		{"only spaces", " \u3000 ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got != tt.want {
				t.Fatalf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Normalize(got); again != got {
				t.Fatalf("not idempotent: Normalize(%q) = %q", got, again)
			}
		})
	}
}

func TestCNNumber(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"三", "3", true}, {"十", "10", true}, {"十二", "12", true}, {"二十", "20", true}, {"二十三", "23", true},
		{"一百", "100", true}, {"一百零八", "108", true}, {"一百一十", "110", true}, {"两千零五", "2005", true},
		{"九千九百九十九", "9999", true}, {"一二零五", "1205", true}, {"零", "0", true},
		{"三四十", "", false}, {"十百", "", false}, {"百", "", false}, {"一百十", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, ok := cnNumber(tt.in)
			got := v.s
			if v.digits == 0 {
				got = itoa(v.n)
			}
			if ok != tt.ok || (ok && got != tt.want) {
				t.Fatalf("cnNumber(%s) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestKey(t *testing.T) {
	tests := []struct{ in, want, base string }{
		{"文三路", "文三路", "文三"},
		{" 文三 路 ", "文三路", "文三"},
		{"江南大道", "江南大道", "江南"},
		{"西湖區", "西湖区", ""},
		{"Main Street", "main street", "main"},
		{"Main St.", "main street", "main"},
		{"MAIN ST", "main street", "main"},
		{"St John's Rd", "saint johns road", "saint johns"},
		{"St. Georges Street", "saint georges street", "saint georges"},
		{"Port St Mary", "port saint mary", ""},
		{"Queen's Prom", "queens promenade", "queens"},
		{"Main St North", "main street north", ""},
		{"Athol-Street", "athol street", "athol"},
		{"Marks & Spencer", "marks and spencer", ""},
		{"Strand", "strand", ""},
		{"Ｍａｉｎ Ｓｔ", "main street", "main"},
		{"12 Main St", "12 main street", "12 main"},
		{"", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Key(tt.in)
			if got != tt.want {
				t.Fatalf("Key(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if b := BaseKey(got); b != tt.base {
				t.Fatalf("BaseKey(%q) = %q, want %q", got, b, tt.base)
			}
			if Key(got) != got {
				t.Fatalf("Key is not idempotent on %q: %q", got, Key(got))
			}
		})
	}
}

func TestHouseNumber(t *testing.T) {
	tests := []struct {
		in  string
		n   int
		suf string
	}{{"88", 88, ""}, {"12a", 12, "a"}, {"88-1", 88, "-1"}, {"26-30", 26, "-30"}, {"A", -1, "A"}, {"", -1, ""}}
	for _, tt := range tests {
		n, suf := HouseNumber(tt.in)
		if n != tt.n || suf != tt.suf {
			t.Errorf("HouseNumber(%q) = %d, %q; want %d, %q", tt.in, n, suf, tt.n, tt.suf)
		}
	}
}
