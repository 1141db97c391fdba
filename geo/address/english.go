package address

import "strings"

// span is a part of the normalised address, by byte offsets.
type span struct{ from, to int }

func (sp span) empty() bool { return sp.from >= sp.to }

// maxParts bounds the comma-separated parts an English address is read
// in; further parts are ignored (no real address has more).
const maxParts = 16

// parseEnglish fills a from a.Normalized read as an English-style address:
// comma-separated parts, a house number before the street, localities
// after it, the post town last, a postcode anywhere at the end.
func parseEnglish(a *Address) {
	s := a.Normalized
	var parts [maxParts]span
	n := 0
	start := 0
	for i := 0; i <= len(s) && n < maxParts; i++ {
		if i == len(s) || s[i] == ',' || s[i] == ';' || s[i] == '(' || s[i] == ')' || s[i] == '|' {
			if sp := trimSpan(s, span{start, i}); !sp.empty() {
				parts[n] = sp
				n++
			}
			start = i + 1
		}
	}
	ps := parts[:n]

	// Postcode: the last part that ends with one.
	for k := len(ps) - 1; k >= 0 && a.Postcode == ""; k-- {
		if pc, rest, ok := trailingPostcode(s, ps[k], k == len(ps)-1); ok {
			a.Postcode = s[pc.from:pc.to]
			ps[k] = rest
		}
	}
	ps = dropEmpty(ps)
	// Country: a last part naming one.
	if len(ps) > 0 && isCountry(s[ps[len(ps)-1].from:ps[len(ps)-1].to]) {
		a.Country = s[ps[len(ps)-1].from:ps[len(ps)-1].to]
		ps = ps[:len(ps)-1]
	}
	// Units (Flat 2, Unit 5): taken out of their part.
	for k := range ps {
		if u, rest, ok := unitPrefix(s, ps[k]); ok {
			if a.Unit == "" {
				a.Unit = s[u.from:u.to]
			}
			ps[k] = rest
		}
	}
	ps = dropEmpty(ps)

	road := -1
	for k, sp := range ps {
		first, rest := firstToken(s, sp)
		if !isHouseNumber(s[first.from:first.to]) {
			continue
		}
		if !rest.empty() {
			a.Number, a.Road, road = s[first.from:first.to], s[rest.from:rest.to], k
			break
		}
		if next, _ := firstToken(s, ps[min(k+1, len(ps)-1)]); k+1 < len(ps) && !isHouseNumber(s[next.from:next.to]) { // "12, Main Street"
			a.Number, a.Road, road = s[first.from:first.to], s[ps[k+1].from:ps[k+1].to], k+1
			break
		}
	}
	if road < 0 {
		for k, sp := range ps {
			if isStreetType(lastWord(s[sp.from:sp.to])) && strings.IndexByte(s[sp.from:sp.to], ' ') > 0 {
				a.Road, road = s[sp.from:sp.to], k
				break
			}
		}
	}
	var before, after []span
	if road >= 0 {
		before, after = ps[:road], ps[road+1:]
		if a.Number != "" && road > 0 && ps[road-1].to-ps[road-1].from == len(a.Number) {
			before = ps[:road-1] // the bare number part
		}
	} else if len(ps) > 1 {
		a.Extra = s[ps[0].from:ps[0].to]
		after = ps[1:]
	} else {
		after = ps // one part, no street: a town (or a house name: the geocoder tries both)
	}
	for _, sp := range before {
		switch t := s[sp.from:sp.to]; {
		case a.Place == "" && !isHouseNumber(t):
			a.Place = t
		case a.Extra == "":
			a.Extra = t
		}
	}
	// Localities, the post town last.
	if k := len(after) - 1; k >= 0 {
		a.City = s[after[k].from:after[k].to]
		if k >= 1 {
			a.District = s[after[k-1].from:after[k-1].to]
		}
		if k >= 2 {
			a.Subdistrict = s[after[k-2].from:after[k-2].to]
		}
	}
}

func trimSpan(s string, sp span) span {
	for sp.from < sp.to && (s[sp.from] == ' ' || s[sp.from] == '.' || s[sp.from] == '-') {
		sp.from++
	}
	for sp.to > sp.from && (s[sp.to-1] == ' ' || s[sp.to-1] == '.' || s[sp.to-1] == '-') {
		sp.to--
	}
	return sp
}

func dropEmpty(ps []span) []span {
	out := ps[:0]
	for _, sp := range ps {
		if !sp.empty() {
			out = append(out, sp)
		}
	}
	return out
}

// firstToken splits a part into its first word and the rest.
func firstToken(s string, sp span) (span, span) {
	i := strings.IndexByte(s[sp.from:sp.to], ' ')
	if i < 0 {
		return sp, span{sp.to, sp.to}
	}
	return span{sp.from, sp.from + i}, trimSpan(s, span{sp.from + i + 1, sp.to})
}

func lastWord(t string) string {
	if i := strings.LastIndexByte(t, ' '); i >= 0 {
		return t[i+1:]
	}
	return t
}

// isHouseNumber: 12, 12a, 12-14, 12/3, 7B.
func isHouseNumber(t string) bool {
	if t == "" || !isDigit(t[0]) || len(t) > 12 {
		return false
	}
	letters := 0
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case isDigit(c), c == '-', c == '/':
		case isLetter(c):
			letters++
		default:
			return false
		}
	}
	return letters <= 2
}

// trailingPostcode finds a postcode at the end of part sp: a UK postcode
// (IM1 2AB, SW1A 1AA, with or without its space), or in the address's last
// part a five-digit ZIP code. rest is the part without it.
func trailingPostcode(s string, sp span, last bool) (pc, rest span, ok bool) {
	t := s[sp.from:sp.to]
	words := strings.Fields(t)
	if len(words) == 0 {
		return
	}
	lw := words[len(words)-1]
	if len(words) >= 2 && isInward(lw) && isOutward(words[len(words)-2]) {
		i := strings.LastIndex(t, words[len(words)-2])
		return span{sp.from + i, sp.to}, trimSpan(s, span{sp.from, sp.from + i}), true
	}
	if len(lw) >= 5 && len(lw) <= 7 && isInward(lw[len(lw)-3:]) && isOutward(lw[:len(lw)-3]) {
		i := len(t) - len(lw)
		return span{sp.from + i, sp.to}, trimSpan(s, span{sp.from, sp.from + i}), true
	}
	if last && len(lw) == 5 && allDigits(lw) && (len(words) > 1 || len(s) > sp.to-sp.from) {
		i := len(t) - len(lw)
		return span{sp.from + i, sp.to}, trimSpan(s, span{sp.from, sp.from + i}), true
	}
	return
}

// isOutward: the outward code of a UK postcode (A9, A99, AA9, AA99, A9A, AA9A).
func isOutward(w string) bool {
	if len(w) < 2 || len(w) > 4 || !isLetter(w[0]) {
		return false
	}
	i := 1
	if isLetter(w[i]) {
		i++
	}
	if i >= len(w) || !isDigit(w[i]) {
		return false
	}
	i++
	if i < len(w) && (isDigit(w[i]) || isLetter(w[i])) {
		i++
	}
	return i == len(w)
}

// isInward: the inward code (9AA).
func isInward(w string) bool {
	return len(w) == 3 && isDigit(w[0]) && isLetter(w[1]) && isLetter(w[2])
}

var countries = []string{"isle of man", "iom", "united kingdom", "uk", "great britain", "gb", "england",
	"scotland", "wales", "northern ireland", "ireland", "usa", "united states", "us", "china", "prc"}

func isCountry(t string) bool {
	for _, c := range countries {
		if strings.EqualFold(t, c) {
			return true
		}
	}
	return false
}

var unitWords = []string{"flat", "apartment", "apt", "unit", "units", "suite", "ste", "shop", "office", "room", "floor", "level", "#"}

// unitPrefix reads "Flat 2", "Unit 5B", "#3" at the start of a part.
func unitPrefix(s string, sp span) (u, rest span, ok bool) {
	first, r := firstToken(s, sp)
	w := s[first.from:first.to]
	if strings.HasPrefix(w, "#") && len(w) > 1 {
		return span{first.from + 1, first.to}, r, true
	}
	for _, uw := range unitWords {
		if strings.EqualFold(w, uw) || strings.EqualFold(w, uw+".") {
			if r.empty() {
				return span{}, sp, false
			}
			num, r2 := firstToken(s, r)
			if !isDigit(s[num.from]) && num.to-num.from > 2 {
				return span{}, sp, false // "Unit Street" is a name
			}
			return num, r2, true
		}
	}
	return span{}, sp, false
}
