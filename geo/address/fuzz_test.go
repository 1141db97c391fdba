package address

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks, for any input: no panic; Normalize and Key are
// idempotent; every parsed field is a substring of the normalised text;
// Normalize keeps valid UTF-8 valid. The seed corpus is in
// testdata/fuzz/FuzzParse (with the inputs a one-minute run found
// interesting); run it longer with
// go test -run '^$' -fuzz FuzzParse -fuzztime 1m ./geo/address.
func FuzzParse(f *testing.F) {
	for _, s := range benchAddrs {
		f.Add(s)
	}
	for _, s := range []string{"", "号", "十号", "三四十号", "88-", "-1号", "(", ")", "#", "省市区", "文三88号", "St", "1 St St",
		"Flat", "Unit 5", "IM1 2AB", "第12区", "〇一室", "二十三-1号", "５F", "A座B座", "\xff\xfe", "浙江浙江省省"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if again := Normalize(n); again != n {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", s, n, again)
		}
		if utf8.ValidString(s) && !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, n)
		}
		a := Parse(s)
		if a.Normalized != n {
			t.Fatalf("Parse(%q).Normalized = %q, want %q", s, a.Normalized, n)
		}
		for _, f := range []string{a.Country, a.Province, a.City, a.District, a.Subdistrict, a.Road, a.Number,
			a.Place, a.Building, a.Unit, a.Floor, a.Room, a.Postcode, a.Extra} {
			if !strings.Contains(n, f) {
				t.Fatalf("Parse(%q): field %q is not part of %q", s, f, n)
			}
		}
		if k := Key(s); Key(k) != k {
			t.Fatalf("Key not idempotent: %q → %q → %q", s, k, Key(k))
		}
		_ = BaseKey(Key(a.Road))
		HouseNumber(a.Number)
	})
}
