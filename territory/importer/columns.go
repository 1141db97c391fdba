package importer

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Field is a customer attribute a column can hold.
type Field string

// Fields, by their canonical (English) names, which --map uses.
const (
	FieldExternalID Field = "external_id"
	FieldName       Field = "name"
	FieldAddress    Field = "address"
	FieldLng        Field = "lng"
	FieldLat        Field = "lat"
	FieldIndustry   Field = "industry"
	FieldSize       Field = "size"
	FieldCarrier    Field = "carrier"
	FieldSpecial    Field = "special"
)

// Fields lists every field in the order results show them.
var Fields = []Field{FieldExternalID, FieldName, FieldAddress, FieldLng, FieldLat, FieldIndustry, FieldSize, FieldCarrier, FieldSpecial}

// Aliases are the headers each field is recognised by, best first. They
// are compared after normalising case, full-width characters, spaces,
// underscores, hyphens and a bracketed suffix ("经度（GCJ-02）" is 经度).
var Aliases = map[Field][]string{
	FieldExternalID: {"external_id", "外部编号", "客户编号", "客户编码", "客户id", "customer_id", "externalid", "id", "编号", "code", "统一社会信用代码", "信用代码"},
	FieldName:       {"name", "名称", "客户名称", "企业名称", "公司名称", "单位名称", "客户", "company", "company_name", "customer_name", "customer"},
	FieldAddress:    {"address", "地址", "详细地址", "企业地址", "经营地址", "办公地址", "单位地址", "注册地址", "addr", "street_address"},
	FieldLng:        {"lng", "经度", "lon", "longitude", "long"},
	FieldLat:        {"lat", "纬度", "latitude"},
	FieldIndustry:   {"industry", "行业", "所属行业", "行业类别", "行业分类"},
	FieldSize:       {"size", "规模", "企业规模", "size_class"},
	FieldCarrier:    {"carrier", "运营商", "现有运营商", "当前运营商", "operator"},
	FieldSpecial:    {"special", "特殊", "特殊客户", "是否特殊", "特殊标记"},
}

// normHeader folds a header for comparison: full-width to half-width,
// lower case, no bracketed suffix, no spaces, underscores, hyphens, dots
// or a trailing "*" (a required-column marker in many templates).
func normHeader(s string) string {
	s = width.Fold.String(strings.TrimPrefix(s, "\uFEFF"))
	if i := strings.IndexAny(s, "(["); i > 0 {
		s = s[:i]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsSpace(r), r == '_', r == '-', r == '.', r == '*', r == '#':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// aliasHit is a field a header names and how good a name it is (the
// alias's position in Aliases, 0 best).
type aliasHit struct {
	field Field
	rank  int
}

var aliasIndex = func() map[string]aliasHit {
	m := map[string]aliasHit{}
	for f, as := range Aliases {
		for i, a := range as {
			m[normHeader(a)] = aliasHit{f, i}
		}
	}
	return m
}()

// ParseMap reads a column map "name=公司,address=住所": field=header pairs
// separated by commas. Fields are the canonical names (lon and longitude
// are taken for lng, latitude for lat).
func ParseMap(s string) (map[Field]string, error) {
	m := map[Field]string{}
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	for _, pair := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(pair, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("column map %q: want field=header pairs separated by commas, like name=公司,address=住所", pair)
		}
		f, err := ParseField(k)
		if err != nil {
			return nil, fmt.Errorf("column map %q: %w", pair, err)
		}
		if _, dup := m[f]; dup {
			return nil, fmt.Errorf("column map: %s is mapped twice", f)
		}
		m[f] = v
	}
	return m, nil
}

// ParseField reads a canonical field name.
func ParseField(s string) (Field, error) {
	switch n := normHeader(s); n {
	case "lon", "longitude":
		return FieldLng, nil
	case "latitude":
		return FieldLat, nil
	default:
		for _, f := range Fields {
			if normHeader(string(f)) == n {
				return f, nil
			}
		}
	}
	names := make([]string, len(Fields))
	for i, f := range Fields {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown field %q (want one of %s)", s, strings.Join(names, ", "))
}

// columns is the header resolved: which column holds which field.
type columns struct {
	header  []string
	col     map[Field]int // field → column index
	ignored []string      // headers that hold no field
	notes   []string      // columns that also matched a field taken already
}

// has reports whether the file has a column for f.
func (c *columns) has(f Field) bool { _, ok := c.col[f]; return ok }

// name is the header of column i as written, for messages.
func (c *columns) name(i int) string {
	if i >= 0 && i < len(c.header) && strings.TrimSpace(c.header[i]) != "" {
		return strings.TrimSpace(c.header[i])
	}
	return fmt.Sprintf("column %d", i+1)
}

// headerName is the column of f as written in the file.
func (c *columns) headerName(f Field) string {
	if i, ok := c.col[f]; ok {
		return c.name(i)
	}
	return string(f)
}

// resolve maps header cells to fields: mapped headers first (each must
// exist), then aliases. When several columns match one field, the best
// alias wins (external_id before id), then the leftmost column.
func resolve(header []string, mapped map[Field]string) (*columns, error) {
	c := &columns{header: header, col: map[Field]int{}}
	used := map[int]bool{}
	var missingMapped []string
	for _, f := range Fields { // fixed order, so that messages are stable
		h, ok := mapped[f]
		if !ok {
			continue
		}
		i := indexOfHeader(header, h)
		if i < 0 {
			missingMapped = append(missingMapped, fmt.Sprintf("%s=%s", f, h))
			continue
		}
		c.col[f] = i
		used[i] = true
	}
	if len(missingMapped) > 0 {
		return nil, &ColumnsError{Reason: fmt.Sprintf("the column map names headers the file does not have: %s (headers: %s)",
			strings.Join(missingMapped, ", "), strings.Join(trimAll(header), ", "))}
	}
	best := map[Field]int{} // field → column with the best alias
	for i, h := range header {
		if used[i] {
			continue
		}
		hit, ok := aliasIndex[normHeader(h)]
		switch {
		case !ok:
			if strings.TrimSpace(h) != "" {
				c.ignored = append(c.ignored, strings.TrimSpace(h))
			}
		case c.has(hit.field): // mapped explicitly
			c.notes = append(c.notes, fmt.Sprintf("column %q also looks like %s; using %q as mapped", strings.TrimSpace(h), hit.field, c.headerName(hit.field)))
		default:
			if j, ok := best[hit.field]; !ok || hit.rank < aliasIndex[normHeader(header[j])].rank {
				best[hit.field] = i
			}
		}
	}
	for f, i := range best {
		c.col[f] = i
	}
	for i, h := range header {
		hit, ok := aliasIndex[normHeader(h)]
		if ok && !used[i] && best[hit.field] != i && c.col[hit.field] != i {
			if _, mapped := mapped[hit.field]; !mapped {
				c.notes = append(c.notes, fmt.Sprintf("column %q also looks like %s; using %q", strings.TrimSpace(h), hit.field, c.headerName(hit.field)))
			}
		}
	}
	var missing []string
	need := func(f Field) {
		if !c.has(f) {
			missing = append(missing, fmt.Sprintf("%s (%s)", f, strings.Join(Aliases[f][:min(4, len(Aliases[f]))], "/")))
		}
	}
	need(FieldExternalID)
	need(FieldName)
	switch {
	case c.has(FieldLng) != c.has(FieldLat):
		if c.has(FieldLng) {
			need(FieldLat)
		} else {
			need(FieldLng)
		}
	case !c.has(FieldLng) && !c.has(FieldAddress):
		missing = append(missing, fmt.Sprintf("%s (%s), or %s and %s", FieldAddress, strings.Join(Aliases[FieldAddress][:4], "/"), FieldLng, FieldLat))
	}
	if len(missing) > 0 {
		return nil, &ColumnsError{Missing: missing, Reason: fmt.Sprintf("missing required columns: %s (headers found: %s; use a column map such as name=公司 for others)",
			strings.Join(missing, "; "), strings.Join(trimAll(header), ", "))}
	}
	return c, nil
}

// headerScore counts the distinct fields a row's cells name: a row is taken
// for the header when it names at least two (title rows above it are
// skipped).
func headerScore(cells []string, mapped map[Field]string) int {
	seen := map[Field]bool{}
	for _, h := range cells {
		if hit, ok := aliasIndex[normHeader(h)]; ok {
			seen[hit.field] = true
		}
	}
	for f, h := range mapped {
		if indexOfHeader(cells, h) >= 0 {
			seen[f] = true
		}
	}
	return len(seen)
}

func indexOfHeader(header []string, h string) int {
	for i, x := range header {
		if strings.TrimSpace(x) == strings.TrimSpace(h) {
			return i
		}
	}
	n := normHeader(h)
	for i, x := range header {
		if normHeader(x) == n {
			return i
		}
	}
	return -1
}

func trimAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			if len(s) > 64 {
				s = s[:64] + "…"
			}
			out = append(out, s)
		}
	}
	return out
}

// sortedFields returns the fields of m in Fields order.
func sortedFields(m map[Field]int) []Field {
	out := make([]Field, 0, len(m))
	for f := range m {
		out = append(out, f)
	}
	order := map[Field]int{}
	for i, f := range Fields {
		order[f] = i
	}
	sort.Slice(out, func(i, j int) bool { return order[out[i]] < order[out[j]] })
	return out
}
