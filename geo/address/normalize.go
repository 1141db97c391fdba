package address

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Normalize returns s in the canonical form Parse and Key work on:
//   - full-width ASCII (ＡＢＣ１２３，) becomes half-width, the ideographic
//     space a space;
//   - Chinese punctuation becomes its ASCII counterpart (、→, 。→. —→-),
//     brackets become parentheses;
//   - traditional variants of common address characters become simplified
//     (號→号, 區→区, 樓→楼, 層→层, 廣場→广场, 園→园 …);
//   - a run of Chinese numerals right before a number unit (号 幢 栋 座 层 楼
//     单元 室) becomes digits: 十二号→12号, 一百零八号→108号, 两栋→2栋,
//     一二零五室→1205室. Numerals elsewhere are names and stay (文三路);
//   - runs of white space become one space, and spaces next to a non-ASCII
//     character go (浙江省 杭州市 → 浙江省杭州市), as do leading and
//     trailing ones.
//
// Case is kept: Key folds it. Normalize is idempotent.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending
	var last rune  // last rune written
	emit := func(r rune) {
		if space && last != 0 && last < utf8.RuneSelf && r < utf8.RuneSelf {
			b.WriteByte(' ')
		}
		space = false
		if r < utf8.RuneSelf {
			b.WriteByte(byte(r))
		} else {
			b.WriteRune(r)
		}
		last = r
	}
	for i := 0; i < len(s); {
		r, sz := utf8.DecodeRuneInString(s[i:])
		r = fold(r)
		switch {
		case r == ' ':
			space = true
			i += sz
			continue
		case r == 0:
			i += sz // dropped (control characters)
			continue
		case isCNDigit(r):
			j := i + sz
			for j < len(s) {
				r2, sz2 := utf8.DecodeRuneInString(s[j:])
				if !isCNDigit(fold(r2)) {
					break
				}
				j += sz2
			}
			v, ok := cnNumber(s[i:j])
			if ok && unitFollows(s[j:]) {
				if v.digits > 0 { // digit by digit keeps leading zeros (〇一室 → 01室)
					for k := 0; k < len(v.s); k++ {
						emit(rune(v.s[k]))
					}
				} else {
					var buf [20]byte
					for _, c := range strconv.AppendInt(buf[:0], int64(v.n), 10) {
						emit(rune(c))
					}
				}
				i = j
				continue
			}
			if !ok { // not a number (三四十): the whole run stays as written
				for _, r2 := range s[i:j] {
					emit(fold(r2))
				}
				i = j
				continue
			}
		}
		emit(r)
		i += sz
	}
	return b.String()
}

// fold maps one rune to its canonical form: full-width to half-width,
// punctuation to ASCII, traditional to simplified, white space to ' ', and
// control characters to 0 (dropped).
func fold(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			return ' '
		case r < ' ' || r == 0x7f:
			return 0
		}
		return r
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return r - 0xFEE0
	case r >= 0x4E00 && r < 0x4E00+rune(len(t2s)):
		if s := t2s[r-0x4E00]; s != 0 {
			return rune(s)
		}
		return r
	}
	switch r {
	case 0x3000, 0x00A0, 0x2002, 0x2003, 0x2009, 0x200B, 0x202F, 0xFEFF:
		return ' '
	case '、', '，', '﹐':
		return ','
	case '。', '｡', '·', '・':
		return '.'
	case '；':
		return ';'
	case '：':
		return ':'
	case '（', '【', '〔', '［', '「', '『', '《', '〈':
		return '('
	case '）', '】', '〕', '］', '」', '』', '》', '〉':
		return ')'
	case '‐', '‑', '‒', '–', '—', '―', '−', '～', '〜':
		return '-'
	case '“', '”', '„', '″':
		return '"'
	case '‘', '’', '′', '`':
		return '\''
	case '＃', '№':
		return '#'
	case '〇':
		return '零'
	case 0x200C, 0x200D, 0x2060:
		return 0
	}
	return r
}

// isCNDigit reports whether r is a Chinese numeral character.
func isCNDigit(r rune) bool {
	switch r {
	case '零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '两', '幺':
		return true
	}
	return false
}

func cnDigit(r rune) (int, bool) {
	switch r {
	case '零':
		return 0, true
	case '一', '幺':
		return 1, true
	case '二', '两':
		return 2, true
	case '三':
		return 3, true
	case '四':
		return 4, true
	case '五':
		return 5, true
	case '六':
		return 6, true
	case '七':
		return 7, true
	case '八':
		return 8, true
	case '九':
		return 9, true
	}
	return 0, false
}

// unitFollows reports whether s starts (after spaces) with a number unit:
// the context in which Chinese numerals are a number, not a name.
func unitFollows(s string) bool {
	for i := 0; i < len(s); {
		r, sz := utf8.DecodeRuneInString(s[i:])
		r = fold(r)
		if r == ' ' || r == 0 { // spaces and dropped characters
			i += sz
			continue
		}
		switch r {
		case '号', '幢', '栋', '座', '层', '楼', '室':
			return true
		case '单':
			return strings.HasPrefix(s[i+sz:], "元")
		case '-':
			// A sub-number: 二十三-1号, 二十三-一号.
			j := i + sz
			for j < len(s) {
				r2, sz2 := utf8.DecodeRuneInString(s[j:])
				if r2 = fold(r2); !(r2 < utf8.RuneSelf && isDigit(byte(r2))) && !isCNDigit(r2) {
					break
				}
				j += sz2
			}
			return j > i+sz && unitFollows(s[j:])
		}
		return false
	}
	return false
}

// cnValue is a converted Chinese number: its value, or for a digit-by-digit
// run (一二零五) its digits as text.
type cnValue struct {
	n      int
	digits int    // > 0: digit by digit, s holds the digits
	s      string // digits, when digits > 0
}

// cnNumber converts a run of Chinese numerals: positional (一百零八, 二十三,
// 十二, 两千) or digit by digit (一二零五). False when the run is not a
// well-formed number or is too long to be a house number.
func cnNumber(run string) (cnValue, bool) {
	positional := false
	n := 0
	for _, r := range run {
		n++
		if r == '十' || r == '百' || r == '千' {
			positional = true
		}
	}
	if n == 0 || n > 12 {
		return cnValue{}, false
	}
	if !positional {
		var buf [12]byte
		k := 0
		for _, r := range run {
			d, _ := cnDigit(r)
			buf[k] = byte('0' + d)
			k++
		}
		if k == 1 {
			d := int(buf[0] - '0')
			return cnValue{n: d}, true
		}
		return cnValue{digits: k, s: string(buf[:k])}, true
	}
	// Positional: sections of digit × unit, 零 as a filler.
	total, digit, lastUnit := 0, -1, 10000
	for _, r := range run {
		if d, ok := cnDigit(r); ok {
			if digit >= 0 && d != 0 {
				return cnValue{}, false // two digits in a row (三四十)
			}
			if d != 0 {
				digit = d
			}
			continue
		}
		unit := 10
		switch r {
		case '百':
			unit = 100
		case '千':
			unit = 1000
		}
		if unit >= lastUnit {
			return cnValue{}, false // 十百, 百百
		}
		if digit < 0 {
			if unit != 10 || total != 0 {
				return cnValue{}, false // only a leading 十 may stand alone (十二 = 12)
			}
			digit = 1
		}
		total += digit * unit
		digit, lastUnit = -1, unit
	}
	if digit >= 0 {
		total += digit
	}
	return cnValue{n: total}, true
}
