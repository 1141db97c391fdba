package address

import (
	"strings"
	"unicode/utf8"
)

// Style is the kind of address text Parse saw.
type Style uint8

// Styles.
const (
	Chinese Style = iota + 1 // has Han characters: 浙江省杭州市西湖区文三路88号
	English                  // no Han characters: 12 Main Street, Douglas, IM1 2AB
)

func (s Style) String() string {
	switch s {
	case Chinese:
		return "chinese"
	case English:
		return "english"
	}
	return "unknown"
}

// Address is a parsed address. Every field is a substring of Normalized
// (so parsing allocates nothing beyond it), with its marker kept where the
// marker is part of the name (西湖区, 文三路, 西溪科技园) and dropped where
// it is a unit (Number "88" of 88号, Building "3" of 3幢, Room "1205" of
// 1205室). Empty fields were not in the text.
type Address struct {
	Normalized string // the whole address after Normalize
	Style      Style

	Country     string // 中国; English: a recognised country name
	Province    string // 浙江省 (English: unused)
	City        string // 杭州市; English: the last locality (post town)
	District    string // 西湖区, 桐庐县, 建德市; English: the locality before the post town
	Subdistrict string // 西溪街道, 塘栖镇; English: a further locality
	Road        string // 文三路, 江南大道, 云栖弄 (with a Shanghai-style lane: 长乐路288弄); Main Street
	Number      string // house number: 88, 88-1, 12A, 26-30
	Place       string // named place: 西溪科技园, 武林广场, 恒生大厦; English: a house or building name
	Building    string // 3 of 3幢/3栋/3号楼, A of A座
	Unit        string // 2 of 2单元; English: Flat 3 → 3
	Floor       string // 12 of 12层/12楼/12F
	Room        string // 1205 of 1205室
	Postcode    string // 310012; IM1 2AB
	// Extra is text the grammar could not place: a road written without its
	// suffix (文三88号), a business name, a remark. The geocoder may try it.
	Extra string
}

// HouseNumber splits a house number into its leading integer and the rest:
// "88" → 88, ""; "12A" → 12, "A"; "88-1" → 88, "-1"; "26-30" → 26, "-30".
// n is -1 when s does not start with a digit.
func HouseNumber(s string) (n int, suffix string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if i < 9 {
			n = n*10 + int(s[i]-'0')
		}
		i++
	}
	if i == 0 {
		return -1, s
	}
	return n, s[i:]
}

// Parse normalises s and splits it into parts. Text with Han characters is
// read as a Chinese address, anything else as English-style. Parse never
// fails: what it cannot place goes to Extra, and an empty or unreadable
// address gives an Address with no parts.
func Parse(s string) Address {
	return ParseNormalized(Normalize(s))
}

// ParseNormalized is Parse for text already passed through Normalize.
func ParseNormalized(n string) Address {
	a := Address{Normalized: n}
	if hasHan(n) {
		a.Style = Chinese
		parseChinese(&a)
	} else {
		a.Style = English
		parseEnglish(&a)
	}
	return a
}

// Empty reports whether the address has no part a geocoder could use.
func (a *Address) Empty() bool {
	return a.Road == "" && a.Place == "" && a.District == "" && a.City == "" && a.Subdistrict == "" &&
		a.Province == "" && a.Postcode == "" && a.Extra == "" && a.Number == ""
}

// String lists the non-empty parts, for logs and test failures.
func (a Address) String() string {
	var b strings.Builder
	add := func(k, v string) {
		if v == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	add("country", a.Country)
	add("province", a.Province)
	add("city", a.City)
	add("district", a.District)
	add("subdistrict", a.Subdistrict)
	add("road", a.Road)
	add("number", a.Number)
	add("place", a.Place)
	add("building", a.Building)
	add("unit", a.Unit)
	add("floor", a.Floor)
	add("room", a.Room)
	add("postcode", a.Postcode)
	add("extra", a.Extra)
	return b.String()
}

// hasHan reports whether s holds a CJK ideograph.
func hasHan(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, sz := utf8.DecodeRuneInString(s[i:])
		if isHan(r) {
			return true
		}
		i += sz
	}
	return false
}

func isHan(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) || (r >= 0x20000 && r <= 0x2FA1F)
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isLetter(b byte) bool { return (b|0x20) >= 'a' && (b|0x20) <= 'z' }
