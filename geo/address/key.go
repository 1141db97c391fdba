package address

import (
	"strings"
	"unicode/utf8"
)

// streetTypes maps the street types of English-style addresses, full and
// abbreviated, to their full form.
var streetTypes = map[string]string{
	"street": "street", "st": "street", "str": "street",
	"road": "road", "rd": "road",
	"avenue": "avenue", "ave": "avenue", "av": "avenue", "avn": "avenue",
	"lane": "lane", "ln": "lane",
	"drive": "drive", "dr": "drive", "drv": "drive",
	"crescent": "crescent", "cres": "crescent", "cresc": "crescent", "cr": "crescent",
	"place": "place", "pl": "place",
	"square": "square", "sq": "square",
	"terrace": "terrace", "tce": "terrace", "terr": "terrace", "ter": "terrace",
	"court": "court", "ct": "court", "crt": "court",
	"gardens": "gardens", "gdns": "gardens", "gdn": "gardens", "garden": "garden",
	"promenade": "promenade", "prom": "promenade",
	"park": "park", "pk": "park",
	"close": "close", "cl": "close",
	"grove": "grove", "gr": "grove", "gro": "grove", "grv": "grove",
	"heights": "heights", "hts": "heights",
	"boulevard": "boulevard", "blvd": "boulevard",
	"highway": "highway", "hwy": "highway",
	"parade": "parade", "pde": "parade",
	"way": "way", "wy": "way",
	"row": "row", "walk": "walk", "wk": "walk", "mews": "mews", "hill": "hill", "view": "view",
	"rise": "rise", "green": "green", "grn": "green", "circus": "circus", "quay": "quay", "wharf": "wharf",
	"brow": "brow", "meadow": "meadow", "meadows": "meadows", "fields": "fields", "estate": "estate", "est": "estate",
	"vale": "vale", "glen": "glen", "croft": "croft", "village": "village", "precinct": "precinct",
	"approach": "approach", "app": "approach", "bank": "bank", "causeway": "causeway", "cswy": "causeway",
	"broadway": "broadway", "esplanade": "esplanade", "esp": "esplanade", "gate": "gate", "yard": "yard",
	"passage": "passage", "alley": "alley", "path": "path", "avenues": "avenues", "centre": "centre", "center": "centre",
}

// firstWords are abbreviations that mean something else before the last
// word of a name: St Georges Street is Saint Georges Street, Port St Mary
// is Port Saint Mary.
var firstWords = map[string]string{"st": "saint", "mt": "mount", "ft": "fort"}

// isStreetType reports whether w (any case) is a street type.
func isStreetType(w string) bool {
	var buf [16]byte
	if len(w) > len(buf) {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	_, ok := streetTypes[string(buf[:len(w)])]
	return ok
}

// Key returns the form a name is matched on: Normalize's folding, then
// lower case, apostrophes and full stops dropped, other punctuation as
// word breaks, single spaces between English words and none next to Han
// characters, and English street types spelled out (Main St. → main
// street; St John's Rd → saint johns road; Queen's Prom → queens
// promenade). Chinese numerals are kept as written (文三路 stays).
func Key(s string) string {
	var small [128]byte
	buf := small[:0]
	var wordsArr [24][2]int
	words := wordsArr[:0] // word spans in buf
	wordStart := -1
	lastHan := false
	endWord := func() {
		if wordStart >= 0 {
			words = append(words, [2]int{wordStart, len(buf)})
			wordStart = -1
		}
	}
	for i := 0; i < len(s); {
		r, sz := utf8.DecodeRuneInString(s[i:])
		i += sz
		r = fold(r)
		switch {
		case r == '\'' || r == '.' || r == '"':
			continue
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r == '&':
			endWord()
			wordStart = len(buf)
			buf = append(buf, "and"...)
			endWord()
			continue
		}
		if r < utf8.RuneSelf && !(isDigit(byte(r)) || isLetter(byte(r))) {
			endWord()
			continue
		}
		han := r >= utf8.RuneSelf
		if han || lastHan {
			endWord()
		}
		lastHan = han
		if han {
			buf = utf8.AppendRune(buf, r)
			continue
		}
		if wordStart < 0 {
			wordStart = len(buf)
		}
		buf = append(buf, byte(r))
	}
	endWord()
	nw := len(words)
	if nw == 0 {
		return string(buf) // Han only (or nothing)
	}
	var b strings.Builder
	b.Grow(len(buf) + 8)
	prev := 0
	for k := 0; k < nw; k++ {
		w := words[k]
		b.Write(buf[prev:w[0]]) // Han text before this word
		wb := buf[w[0]:w[1]]
		if w[0] == prev && k > 0 {
			b.WriteByte(' ')
		}
		full := streetTypes[string(wb)] // no allocation: map index by converted bytes
		saint := firstWords[string(wb)]
		switch {
		case k == nw-1 && k > 0 && full != "":
			b.WriteString(full)
		case k > 0 && k < nw-1 && full != "" && isDirection(buf[words[k+1][0]:words[k+1][1]]):
			b.WriteString(full) // Main St North
		case k < nw-1 && saint != "":
			b.WriteString(saint) // St Johns, Port St Mary
		default:
			b.Write(wb)
		}
		prev = w[1]
	}
	b.Write(buf[prev:])
	return b.String()
}

func isDirection(w []byte) bool {
	switch string(w) {
	case "north", "south", "east", "west", "n", "s", "e", "w", "upper", "lower":
		return true
	}
	return false
}

// chineseRoadSuffixes end Chinese road names, longest first.
var chineseRoadSuffixes = []string{"大道", "大街", "胡同", "路", "街", "巷", "弄", "道"}

// BaseKey strips the road type from a key made by Key: "strand street" →
// "strand", "文三路" → "文三", "江南大道" → "江南". It returns "" when nothing
// would be left, so that a name written without its type (Strand; 文三)
// can still be found.
func BaseKey(key string) string {
	for _, suf := range chineseRoadSuffixes {
		if base, ok := strings.CutSuffix(key, suf); ok {
			if utf8.RuneCountInString(base) >= 2 {
				return base
			}
			return ""
		}
	}
	if i := strings.LastIndexByte(key, ' '); i > 0 {
		if _, ok := streetTypes[key[i+1:]]; ok {
			return key[:i]
		}
	}
	return ""
}
