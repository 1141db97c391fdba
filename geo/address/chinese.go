package address

import (
	"strings"
	"unicode/utf8"
)

// Levels of a Chinese address, in the order they are written. A component
// is accepted only after the ones before it, which is what tells 萧山区市心路
// (district, then road 市心路) from 杭州市 (city).
const (
	lvNone = iota
	lvProvince
	lvCity
	lvDistrict
	lvSubdistrict
	lvRoad
	lvNumber
)

// marker kinds
const (
	mkNone = iota
	mkProvince
	mkCity     // 市, 地区, 盟, 自治州: a city, or a county-level city after one
	mkCityWeak // 州 without 市 (杭州西湖区)
	mkDistrict
	mkSubdistrict
	mkRoad
	mkPlace
)

// provinces are the provincial-level divisions, longest first where one is
// a prefix of another; municipalities are cities too.
var provinces = []struct {
	name         string
	municipality bool
}{
	{"北京", true}, {"天津", true}, {"上海", true}, {"重庆", true},
	{"河北", false}, {"山西", false}, {"内蒙古", false}, {"辽宁", false}, {"吉林", false},
	{"黑龙江", false}, {"江苏", false}, {"浙江", false}, {"安徽", false}, {"福建", false},
	{"江西", false}, {"山东", false}, {"河南", false}, {"湖北", false}, {"湖南", false},
	{"广东", false}, {"广西", false}, {"海南", false}, {"四川", false}, {"贵州", false},
	{"云南", false}, {"西藏", false}, {"陕西", false}, {"甘肃", false}, {"青海", false},
	{"宁夏", false}, {"新疆", false}, {"台湾", false}, {"香港", false}, {"澳门", false},
}

// provinceSuffixes may follow a province name.
var provinceSuffixes = []string{"维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"}

// parseChinese fills a from a.Normalized.
func parseChinese(a *Address) {
	s := a.Normalized
	p := chineseParser{a: *a, s: s}
	pos := 0
	for _, c := range [...]string{"中华人民共和国", "中国"} {
		if strings.HasPrefix(s, c) {
			p.a.Country = c
			pos = len(c)
			break
		}
	}
	pos = p.province(pos)
	p.scan(pos)
	*a = p.a
}

// chineseParser holds the address being filled by value, so that it
// stays on the stack.
type chineseParser struct {
	a     Address
	s     string
	level int
}

// province reads a province at pos, by name or by a 省/自治区 suffix close
// to the start, and returns where the rest begins.
func (p *chineseParser) province(pos int) int {
	s, a := p.s[pos:], &p.a
	for _, pr := range provinces {
		if !strings.HasPrefix(s, pr.name) {
			continue
		}
		n := len(pr.name)
		for _, suf := range provinceSuffixes {
			if strings.HasPrefix(s[n:], suf) {
				n += len(suf)
				break
			}
		}
		rest := s[n:]
		if nextIsRoadOrPlace(rest) { // 北京路 is a road, not Beijing
			return pos
		}
		a.Province = s[:n]
		p.level = lvProvince
		if pr.municipality {
			a.City = a.Province
			p.level = lvCity
		}
		return pos + n
	}
	// An unlisted name ending in 省 or 自治区 within the first few characters.
	for i, k := 0, 0; i < len(s) && k < 10; k++ {
		r, sz := utf8.DecodeRuneInString(s[i:])
		if !isHan(r) {
			break
		}
		if i > 0 {
			for _, suf := range []string{"自治区", "省"} {
				if strings.HasPrefix(s[i:], suf) && !nextIsRoadOrPlace(s[i+len(suf):]) {
					a.Province = s[:i+len(suf)]
					p.level = lvProvince
					return pos + i + len(suf)
				}
			}
		}
		i += sz
	}
	return pos
}

// markerAt returns the kind and byte length of an address marker starting
// at s[i:], if any.
func markerAt(s string, i int) (int, int) {
	r, sz := utf8.DecodeRuneInString(s[i:])
	rest := s[i+sz:]
	switch r {
	case '省':
		return mkProvince, sz
	case '自':
		if strings.HasPrefix(rest, "治区") {
			return mkProvince, sz + len("治区")
		}
		if strings.HasPrefix(rest, "治州") {
			return mkCity, sz + len("治州")
		}
		if strings.HasPrefix(rest, "治县") {
			return mkDistrict, sz + len("治县")
		}
	case '市':
		if strings.HasPrefix(rest, "场") {
			return mkPlace, sz + len("场") // 市场: a market
		}
		return mkCity, sz
	case '盟':
		return mkCity, sz
	case '地':
		if strings.HasPrefix(rest, "区") {
			return mkCity, sz + len("区")
		}
	case '州':
		return mkCityWeak, sz
	case '区', '县', '旗':
		return mkDistrict, sz
	case '街':
		if strings.HasPrefix(rest, "道") && !strings.HasPrefix(rest, "道路") {
			return mkSubdistrict, sz + len("道")
		}
		return mkRoad, sz
	case '镇', '乡':
		return mkSubdistrict, sz
	case '路', '巷', '弄':
		return mkRoad, sz
	case '大':
		for _, m := range []string{"道", "街", "厦", "楼", "院"} {
			if strings.HasPrefix(rest, m) {
				if m == "道" || m == "街" {
					return mkRoad, sz + len(m)
				}
				return mkPlace, sz + len(m)
			}
		}
	case '胡':
		if strings.HasPrefix(rest, "同") {
			return mkRoad, sz + len("同")
		}
	case '园':
		if strings.HasPrefix(rest, "区") {
			return mkPlace, sz + len("区")
		}
		return mkPlace, sz
	case '广':
		if strings.HasPrefix(rest, "场") {
			return mkPlace, sz + len("场")
		}
	case '中':
		if strings.HasPrefix(rest, "心") {
			return mkPlace, sz + len("心")
		}
	case '写':
		if strings.HasPrefix(rest, "字楼") {
			return mkPlace, sz + len("字楼")
		}
	case '商':
		for _, m := range []string{"城", "厦", "场", "务楼"} {
			if strings.HasPrefix(rest, m) {
				return mkPlace, sz + len(m)
			}
		}
	case '小':
		if strings.HasPrefix(rest, "区") {
			return mkPlace, sz + len("区")
		}
	case '公':
		if strings.HasPrefix(rest, "寓") {
			return mkPlace, sz + len("寓")
		}
	case '基':
		if strings.HasPrefix(rest, "地") {
			return mkPlace, sz + len("地")
		}
	}
	return mkNone, 0
}

// nextIsRoadOrPlace reports whether s starts with a road or place marker:
// then what came before it is part of that name (温州路, 新镇路, 中心广场),
// not a division.
func nextIsRoadOrPlace(s string) bool {
	if s == "" {
		return false
	}
	k, _ := markerAt(s, 0)
	return k == mkRoad || k == mkPlace
}

// scan reads components from s[pos:]: each ends at a marker or is a
// number with its unit; text between components goes to Extra or Place.
func (p *chineseParser) scan(pos int) {
	s := p.s
	stem := pos // where the current component's name began
	for i := pos; i < len(s); {
		c := s[i]
		switch {
		case c == ',' || c == ' ' || c == ';' || c == '.' || c == ':' || c == '"' || c == '\'':
			p.leftover(stem, i)
			i++
			stem = i
			continue
		case c == '(':
			// A remark in brackets: skipped whole.
			p.leftover(stem, i)
			j := strings.IndexByte(s[i:], ')')
			if j < 0 {
				j = len(s) - i - 1
			}
			i += j + 1
			stem = i
			continue
		case c == '#' || c == '-':
			p.leftover(stem, i)
			i++
			stem = i
			continue
		case isDigit(c) || (isLetter(c) && (stem == i || p.level >= lvNumber)):
			if end, ok := p.number(stem, i); ok {
				i, stem = end, end
				continue
			}
		}
		kind, n := markerAt(s, i)
		if kind != mkNone && p.accept(kind, stem, i, n) {
			i += n
			stem = i
			continue
		}
		_, sz := utf8.DecodeRuneInString(s[i:])
		i += sz
	}
	p.leftover(stem, len(s))
}

// accept records a component ending with the marker at s[i:i+n] if it fits
// where the parser is; false leaves the marker to be part of a name.
func (p *chineseParser) accept(kind, stem, i, n int) bool {
	s, a := p.s, &p.a
	if i == stem { // a marker alone is no name (市心路: 市 starts the road)
		return false
	}
	after := s[i+n:]
	if kind != mkRoad && roadFollows(after) {
		return false // 温州路, 新镇路, 广场路, 松园东路: a road named after a town or place
	}
	if kind == mkPlace && after != "" {
		if k, _ := markerAt(after, 0); k == mkPlace {
			return false // 中心广场: the place's name goes on
		}
	}
	text := s[stem : i+n]
	switch kind {
	case mkProvince:
		if p.level >= lvProvince {
			return false
		}
		a.Province, p.level = text, lvProvince
	case mkCity:
		switch {
		case p.level < lvCity:
			a.City, p.level = text, lvCity
		case p.level < lvDistrict: // a county-level city: 建德市
			a.District, p.level = text, lvDistrict
		default:
			return false
		}
	case mkCityWeak:
		if p.level >= lvCity || utf8.RuneCountInString(text) < 2 {
			return false
		}
		if k, _ := markerAt(after, 0); after != "" && k != mkNone {
			return false // 杭州市: the 市 ends the city
		}
		// 州 ends a city only if a division follows (杭州西湖区), not in a
		// road or place name (杭州湾大道 is caught above).
		if !startsDivision(after) {
			return false
		}
		a.City, p.level = text, lvCity
	case mkDistrict:
		if p.level >= lvDistrict {
			return false
		}
		a.District, p.level = text, lvDistrict
	case mkSubdistrict:
		if p.level >= lvSubdistrict {
			return false
		}
		a.Subdistrict, p.level = text, lvSubdistrict
	case mkRoad:
		if p.level >= lvRoad {
			return false
		}
		a.Road, p.level = text, lvRoad
	case mkPlace:
		if a.Place != "" {
			return false
		}
		a.Place = text
	}
	return true
}

// roadFollows reports whether s starts with a road marker, maybe after a
// direction or a numeral (东路, 中路, 二路).
func roadFollows(s string) bool {
	if nextIsRoad(s) {
		return true
	}
	r, sz := utf8.DecodeRuneInString(s)
	switch r {
	case '东', '西', '南', '北', '中', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十':
		return nextIsRoad(s[sz:])
	}
	return false
}

// nextIsRoad reports whether s starts with a road marker.
func nextIsRoad(s string) bool {
	if s == "" {
		return false
	}
	k, _ := markerAt(s, 0)
	return k == mkRoad
}

// startsDivision reports whether s starts, within a few characters, a
// district-level or lower division, or a road: what may follow a city.
func startsDivision(s string) bool {
	for i, k := 0, 0; i < len(s) && k < 8; k++ {
		r, sz := utf8.DecodeRuneInString(s[i:])
		if !isHan(r) {
			return false
		}
		if i > 0 {
			switch kind, _ := markerAt(s, i); kind {
			case mkDistrict, mkCity, mkSubdistrict, mkRoad:
				return true
			}
		}
		i += sz
	}
	return false
}

// number reads an alphanumeric token at s[i:] (88, 88-1, 3, A, B1) and the
// unit after it (号 幢 栋 座 号楼 单元 层 楼 F 室 房 弄); text between stem and
// i goes to leftover first. False when a letter token has no unit (it is a
// name, not a number).
func (p *chineseParser) number(stem, i int) (int, bool) {
	s, a := p.s, &p.a
	j := i
	for j < len(s) && (isDigit(s[j]) || isLetter(s[j]) || (s[j] == '-' && j+1 < len(s) && isDigit(s[j+1]) && j > i)) {
		j++
	}
	tok := s[i:j]
	unit, k := unitAt(s, j)
	if unit == "" && !isDigit(s[i]) {
		return 0, false
	}
	if unit == "" && len(tok) >= 2 && (tok[len(tok)-1] == 'F' || tok[len(tok)-1] == 'f') && allDigits(tok[:len(tok)-1]) {
		tok, unit = tok[:len(tok)-1], "F" // 5F
	}
	if unit == "" && j < len(s) {
		switch kind, _ := markerAt(s, j); kind {
		case mkCity, mkDistrict, mkSubdistrict, mkRoad:
			return 0, false // a number in a name: 第12区, 1号路 is caught by 号 first
		}
	}
	if unit == "F" && !isDigit(s[i]) {
		return 0, false
	}
	p.leftover(stem, i)
	end := j + k
	switch unit {
	case "号":
		switch {
		case a.Number == "":
			a.Number = tok
			p.level = max(p.level, lvNumber)
		case a.Building == "":
			a.Building = tok
		default:
			a.Room = tok
		}
	case "号楼", "幢", "栋", "座":
		if a.Building != "" {
			a.Room = tok
		} else {
			a.Building = tok
		}
		p.level = max(p.level, lvNumber)
	case "单元":
		a.Unit = tok
		p.level = max(p.level, lvNumber)
	case "层", "楼", "F":
		a.Floor = tok
		p.level = max(p.level, lvNumber)
	case "室", "房", "户":
		a.Room = tok
		p.level = max(p.level, lvNumber)
	case "弄", "巷":
		// A numbered lane off the road (长乐路288弄): the lane is the road.
		if a.Road != "" && strings.HasSuffix(s[:i], a.Road) {
			start := i - len(a.Road)
			a.Road = s[start:end]
		} else if a.Road == "" {
			a.Road = s[i:end]
		}
		p.level = max(p.level, lvRoad)
	default: // a bare number
		postcode := len(tok) == 6 && allDigits(tok) && a.Postcode == "" &&
			(i == 0 || a.Number != "" || precededBy(s[:i], "邮编"))
		switch {
		case postcode:
			a.Postcode = tok
		case a.Number == "" && a.Road != "" && a.Building == "" && a.Room == "":
			a.Number = tok // 文三路88
			p.level = max(p.level, lvNumber)
		case a.Number == "" && a.Road == "" && a.Place == "" && a.Extra != "":
			a.Number = tok // 文三88: a road written without its suffix
			p.level = max(p.level, lvNumber)
		case a.Room == "":
			a.Room = tok
		}
	}
	return end, true
}

// unitAt returns the number unit at s[j:] and its byte length.
func unitAt(s string, j int) (string, int) {
	for _, u := range []string{"号楼", "号", "幢", "栋", "座", "单元", "层", "楼", "室", "房", "户", "弄", "巷"} {
		if strings.HasPrefix(s[j:], u) {
			if u == "楼" && strings.HasPrefix(s[j+len(u):], "层") {
				return "层", len("楼层") // 5楼层 is rare but seen
			}
			return u, len(u)
		}
	}
	if j < len(s) && (s[j] == 'F' || s[j] == 'f') && (j+1 == len(s) || !isLetter(s[j+1])) {
		return "F", 1
	}
	return "", 0
}

// leftover handles text between components (s[from:to]): after the house
// number it names a place (恒生科技园 without a marker is still a place),
// elsewhere it is kept in Extra.
func (p *chineseParser) leftover(from, to int) {
	if from >= to {
		return
	}
	t := strings.Trim(p.s[from:to], " ,.;:-#")
	if t == "" || !hasHan(t) || t == "邮编" || t == "邮政编码" {
		return
	}
	a := &p.a
	if p.level >= lvNumber && a.Place == "" && a.Building == "" && a.Room == "" {
		a.Place = t
		return
	}
	if a.Extra == "" {
		a.Extra = t
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func precededBy(s, word string) bool {
	return strings.HasSuffix(strings.TrimRight(s, " :"), word)
}
