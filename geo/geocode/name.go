package geocode

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"

	"gridplan/geo/address"
)

// nameIndex finds names by key: exactly, by a suffix (what follows a
// division written without its marker: 西湖文三路 → 文三路), without the
// road type (Strand → Strand Street, 文三 → 文三路), and with one typo
// (one character substituted, inserted, dropped, or two swapped). Typos
// are found through a deletion index: every key is stored under each of
// its one-character deletions, so a query within edit distance 1 shares
// a deletion with the key (or is one), and lookup costs a few map probes
// per character of the query, whatever the number of names.
type nameIndex struct {
	items map[string][]int32 // key → items (roads, places)
	keys  []string           // distinct keys, by id
	dels  map[string][]int32 // one-rune deletion of a key → key ids
	base  map[string][]int32 // BaseKey → key ids
	ids   map[string]int32   // key → id
}

func newNameIndex() nameIndex {
	return nameIndex{items: map[string][]int32{}}
}

func (ix *nameIndex) add(key string, item int32) {
	ix.items[key] = append(ix.items[key], item)
}

// finish builds the deletion and base indexes.
func (ix *nameIndex) finish() {
	ix.ids = make(map[string]int32, len(ix.items))
	ix.dels = map[string][]int32{}
	ix.base = map[string][]int32{}
	for key := range ix.items {
		ix.ids[key] = int32(len(ix.keys))
		ix.keys = append(ix.keys, key)
	}
	// Sorted ids keep results deterministic whatever the map order.
	slices.Sort(ix.keys)
	for i, key := range ix.keys {
		ix.ids[key] = int32(i)
		if utf8.RuneCountInString(key) >= 3 {
			forDeletions(key, func(d string) {
				if l := ix.dels[d]; len(l) == 0 || l[len(l)-1] != int32(i) {
					ix.dels[d] = append(l, int32(i))
				}
			})
		}
		if b := address.BaseKey(key); b != "" {
			ix.base[b] = append(ix.base[b], int32(i))
		}
	}
}

// forDeletions calls fn with each one-rune deletion of key.
func forDeletions(key string, fn func(string)) {
	for i := 0; i < len(key); {
		_, sz := utf8.DecodeRuneInString(key[i:])
		fn(key[:i] + key[i+sz:])
		i += sz
	}
}

// Match costs: how much a kind of difference between the query and a name
// lowers the match. Pinyin input makes homophones the commonest Chinese
// typo, so a substituted character that sounds the same costs least.
const (
	costExact      = 0
	costSuffix     = 0.05 // a division written before the road without its marker
	costBase       = 0.15 // road type left out (Strand for Strand Street)
	costOtherType  = 0.45 // another road type (Road for Avenue)
	costHomophone  = 0.15
	costTranspose  = 0.2
	costSpace      = 0.1 // a space more or less (Mainstreet)
	costInsertDrop = 0.35
	costSubstitute = 0.45
)

// lookup calls fn for the items whose names best match key, with the
// cost of the match: exact matches if any; else suffix and base matches;
// else names within one typo.
func (ix *nameIndex) lookup(key string, fn func(item int32, name string, cost float64)) bool {
	if key == "" {
		return false
	}
	if items, ok := ix.items[key]; ok {
		for _, it := range items {
			fn(it, key, costExact)
		}
		return true
	}
	found := false
	// Suffixes: drop leading runes, keeping at least two.
	if n := utf8.RuneCountInString(key); n >= 3 && key[0] >= utf8.RuneSelf {
		i := 0
		for k := 0; k < n-2; k++ {
			_, sz := utf8.DecodeRuneInString(key[i:])
			i += sz
			if items, ok := ix.items[key[i:]]; ok {
				for _, it := range items {
					fn(it, key[i:], costSuffix)
				}
				return true
			}
		}
	}
	// Base forms: the query without its type (Strand → Strand Street), or
	// with another type (Duke's Road → Dukes Avenue), which is more often
	// another road.
	qb := address.BaseKey(key)
	for _, q := range [2]string{key, qb} {
		if q == "" {
			continue
		}
		cost := costBase
		if q == qb {
			cost = costOtherType
		}
		for _, id := range ix.base[q] {
			name := ix.keys[id]
			if name == key {
				continue
			}
			for _, it := range ix.items[name] {
				fn(it, name, cost)
			}
			found = true
		}
		if found {
			return true
		}
	}
	// One typo.
	if utf8.RuneCountInString(key) < 2 {
		return false
	}
	seen := map[int32]bool{}
	try := func(id int32) {
		if seen[id] {
			return
		}
		seen[id] = true
		name := ix.keys[id]
		if c, ok := typoCost(key, name); ok {
			for _, it := range ix.items[name] {
				fn(it, name, c)
			}
			found = true
		}
	}
	for _, id := range ix.dels[key] { // the query lacks a character
		try(id)
	}
	forDeletions(key, func(d string) {
		if id, ok := ix.ids[d]; ok { // the query has a character too many
			try(id)
		}
		for _, id := range ix.dels[d] { // substituted or swapped
			try(id)
		}
	})
	return found
}

// typoCost is the cost of one edit turning q into name, false when they
// are further apart (optimal string alignment distance over 1).
func typoCost(q, name string) (float64, bool) {
	a, b := []rune(q), []rune(name)
	// Common prefix and suffix.
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	ja, jb := len(a), len(b)
	for ja > i && jb > i && a[ja-1] == b[jb-1] {
		ja--
		jb--
	}
	da, db := a[i:ja], b[i:jb]
	switch {
	case len(da) == 0 && len(db) == 0:
		return 0, true
	case len(da) == 1 && len(db) == 1:
		if homophone(da[0], db[0]) {
			return costHomophone, true
		}
		return costSubstitute, true
	case len(da)+len(db) == 1:
		if (len(da) == 1 && da[0] == ' ') || (len(db) == 1 && db[0] == ' ') {
			return costSpace, true
		}
		return costInsertDrop, true
	case len(da) == 2 && len(db) == 2 && da[0] == db[1] && da[1] == db[0]:
		return costTranspose, true
	}
	return 0, false
}

// homophone reports whether two Han characters share a reading, tones
// ignored: the typo a pinyin input method makes (文三路 → 文山路 is not
// one, 文三路 → 文叁路 is).
func homophone(x, y rune) bool {
	px, ok1 := pinyin.PinyinDict[int(x)]
	py, ok2 := pinyin.PinyinDict[int(y)]
	if !ok1 || !ok2 {
		return false
	}
	for _, rx := range strings.Split(px, ",") {
		tx := toneless(rx)
		for _, ry := range strings.Split(py, ",") {
			if tx == toneless(ry) {
				return true
			}
		}
	}
	return false
}

// toneless strips tone marks from a pinyin syllable.
func toneless(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case 'ā', 'á', 'ǎ', 'à':
			r = 'a'
		case 'ē', 'é', 'ě', 'è', 'ê', 'ế', 'ề':
			r = 'e'
		case 'ī', 'í', 'ǐ', 'ì':
			r = 'i'
		case 'ō', 'ó', 'ǒ', 'ò':
			r = 'o'
		case 'ū', 'ú', 'ǔ', 'ù':
			r = 'u'
		case 'ǖ', 'ǘ', 'ǚ', 'ǜ', 'ü':
			r = 'v'
		case 'ń', 'ň', 'ǹ':
			r = 'n'
		case 'ḿ':
			r = 'm'
		}
		b.WriteRune(r)
	}
	return b.String()
}
