package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/territory"
)

// ResourceField is a resource attribute a column or a GeoJSON property
// holds.
type ResourceField string

// Resource fields, by their canonical (English) names.
const (
	ResourceCode         ResourceField = "code"
	ResourceName         ResourceField = "name"
	ResourceKind         ResourceField = "kind"
	ResourceStatusField  ResourceField = "status"
	ResourceLng          ResourceField = "lng"
	ResourceLat          ResourceField = "lat"
	ResourceRadius       ResourceField = "radius_m"
	ResourceCapacity     ResourceField = "capacity"
	ResourceExpectedDate ResourceField = "expected_date"
	ResourceGeometry     ResourceField = "geometry"
	ResourceCells        ResourceField = "cells"
)

// ResourceFields lists every resource field in the order results show them.
var ResourceFields = []ResourceField{ResourceCode, ResourceName, ResourceKind, ResourceStatusField, ResourceLng, ResourceLat,
	ResourceRadius, ResourceCapacity, ResourceExpectedDate, ResourceGeometry, ResourceCells}

// ResourceAliases are the headers (CSV) and property names (GeoJSON) each
// field is recognised by, best first, compared as Aliases are. A plain
// "id" is not among the code's: it is what gridplan's own exports call the
// database id.
var ResourceAliases = map[ResourceField][]string{
	ResourceCode:         {"code", "编码", "资源编码", "资源编号", "编号", "external_id", "外部编号", "资源id"},
	ResourceName:         {"name", "名称", "资源名称", "站点名称"},
	ResourceKind:         {"kind", "类型", "资源类型", "type", "种类"},
	ResourceStatusField:  {"status", "状态", "资源状态", "建设状态"},
	ResourceLng:          {"lng", "经度", "lon", "longitude"},
	ResourceLat:          {"lat", "纬度", "latitude"},
	ResourceRadius:       {"radius_m", "半径", "覆盖半径", "radius", "半径米"},
	ResourceCapacity:     {"capacity", "容量", "端口数", "端口容量"},
	ResourceExpectedDate: {"expected_date", "预计日期", "预计完工日期", "预计投产日期", "投产日期", "expected"},
	ResourceGeometry:     {"geometry", "wkt", "geojson", "几何", "覆盖范围", "范围", "geom"},
	ResourceCells:        {"cells", "h3", "h3_cells", "h3单元", "h3网格", "h3cells"},
}

var resourceAliasIndex = func() map[string]aliasHit {
	m := map[string]aliasHit{}
	for f, as := range ResourceAliases {
		for i, a := range as {
			m[normHeader(a)] = aliasHit{Field(f), i}
		}
	}
	return m
}()

// resourceFieldOf is the field a header or property name names, with the
// rank of the alias (0 best).
func resourceFieldOf(name string) (ResourceField, int, bool) {
	hit, ok := resourceAliasIndex[normHeader(name)]
	return ResourceField(hit.field), hit.rank, ok
}

// ResourceFormat is a file format ImportResources reads.
type ResourceFormat string

// Resource file formats; "" tells them apart by the first character (a
// GeoJSON file starts with "{").
const (
	ResourceCSV     ResourceFormat = "csv"
	ResourceGeoJSON ResourceFormat = "geojson"
)

// DefaultMaxResourceRejects bounds the rejects kept in a ResourceResult.
const DefaultMaxResourceRejects = 1000

// ResourceOptions configure ImportResources.
type ResourceOptions struct {
	Format ResourceFormat
	// CRS of the coordinates (columns lng/lat, WKT and GeoJSON vertices);
	// "" is WGS-84. H3 cells are WGS-84 by definition.
	CRS        geo.CRS
	MaxRejects int
	// DryRun checks and matches every row without writing.
	DryRun bool
}

// ResourceReject is a row or feature that was not imported and why.
type ResourceReject struct {
	Line    int           `json:"line,omitempty"`    // CSV: the line, the header's being 1
	Feature *int          `json:"feature,omitempty"` // GeoJSON: the feature's index, from 0
	Column  string        `json:"column,omitempty"`  // the header or property at fault as written
	Field   ResourceField `json:"field,omitempty"`
	Code    string        `json:"code,omitempty"`
	Name    string        `json:"name,omitempty"`
	Reason  string        `json:"reason"`
	Row     string        `json:"row,omitempty"` // CSV: the row as written, cut at 4 KiB
}

// Where names the row or feature, for messages.
func (r ResourceReject) Where() string {
	if r.Feature != nil {
		return fmt.Sprintf("feature %d", *r.Feature)
	}
	return fmt.Sprintf("line %d", r.Line)
}

// ResourceResult is what a resource import did.
type ResourceResult struct {
	Format   ResourceFormat           `json:"format"`
	Encoding Encoding                 `json:"encoding,omitempty"`
	CRS      geo.CRS                  `json:"crs"`
	Columns  map[ResourceField]string `json:"columns"` // field → header or property used
	Ignored  []string                 `json:"ignored_columns,omitempty"`
	Rows     int                      `json:"rows"` // data rows or features read
	territory.UpsertResult
	Rejected       int              `json:"rejected"`
	Rejects        []ResourceReject `json:"rejects"`
	RejectsOmitted int              `json:"rejects_omitted,omitempty"`
	DryRun         bool             `json:"dry_run,omitempty"`
	// Changes are the resources created or updated, with what they were
	// before (nil for a new one), for the caller's caches.
	Changes []ResourceChange `json:"-"`
}

// ResourceChange is one resource an import wrote: Old is nil when it was
// created.
type ResourceChange struct {
	Old, New *territory.Resource
}

// ImportResources reads network resources from a CSV file or a GeoJSON
// FeatureCollection and upserts them into st.
//
// A row is matched to a stored resource by its code when it has one (the
// operator's inventory id); a row without a code is matched to the stored
// resource without a code of the same kind and name (several such are
// ambiguous and reject the row). A match is updated unless nothing changed;
// no match is created. Columns (properties) a file lacks, and empty
// capacity and expected-date cells, keep the stored values.
//
// A CSV row covers by lng/lat with a radius, by a geometry column (WKT or
// GeoJSON: a point with a radius, or a polygon) or by an H3 cell list; a
// feature by its Point (with radius_m) or Polygon geometry, or, with a null
// geometry, by a "cells" property. Coordinates are converted from
// opts.CRS. Every bad row is rejected with its line (or feature index),
// column and reason, and never stops the good ones; a file that cannot be
// read at all is refused with a *FileError or *ColumnsError before anything
// is written. A store error stops the import: run it inside a transaction
// (data.Store.InTx) to keep all or nothing.
func ImportResources(ctx context.Context, st territory.ResourceStore, src io.Reader, opts ResourceOptions) (*ResourceResult, error) {
	if opts.MaxRejects <= 0 {
		opts.MaxRejects = DefaultMaxResourceRejects
	}
	crs := opts.CRS
	if crs == "" {
		crs = geo.WGS84
	}
	if _, err := geo.ToWGS84(orb.Point{120, 30}, crs); err != nil {
		return nil, &FileError{Reason: err.Error(), Err: err}
	}
	raw, err := io.ReadAll(src)
	if err != nil {
		return nil, fmt.Errorf("import resources: read: %w", err)
	}
	ri := &resImporter{opts: opts, res: &ResourceResult{CRS: crs, Columns: map[ResourceField]string{}, Rejects: []ResourceReject{}, DryRun: opts.DryRun}}
	ri.opts.CRS = crs
	body := bytes.TrimSpace(bytes.TrimPrefix(raw, []byte("\uFEFF")))
	if len(body) == 0 {
		return nil, &FileError{Reason: "the file is empty"}
	}
	format := opts.Format
	if format == "" {
		format = ResourceCSV
		if body[0] == '{' {
			format = ResourceGeoJSON
		}
	}
	ri.res.Format = format
	var rows []*resRow
	switch format {
	case ResourceCSV:
		rows, err = ri.readCSV(raw)
	case ResourceGeoJSON:
		rows, err = ri.readGeoJSON(body)
	default:
		return nil, &FileError{Reason: fmt.Sprintf("unknown format %q (want csv or geojson)", format)}
	}
	if err != nil {
		return nil, err
	}
	err = ri.upsert(ctx, st, rows)
	// Rejects found while matching (repeats, ambiguous names) come after
	// those found while reading: put them in file order.
	slices.SortStableFunc(ri.res.Rejects, func(a, b ResourceReject) int {
		pos := func(r ResourceReject) int {
			if r.Feature != nil {
				return *r.Feature
			}
			return r.Line
		}
		return pos(a) - pos(b)
	})
	return ri.res, err
}

// resImporter is the state of one ImportResources.
type resImporter struct {
	opts ResourceOptions
	res  *ResourceResult
}

// resRow is one row or feature read: the resource it describes, which
// optional fields it sets, and where it came from.
type resRow struct {
	line    int // CSV line; 0 for a feature
	feature int // GeoJSON feature index; -1 for a CSV row
	text    string
	r       *territory.Resource
	set     map[ResourceField]bool
	column  func(ResourceField) string // the column or property name of a field
}

// reject records a rejected row; field may be "" for the whole row.
func (ri *resImporter) reject(row *resRow, field ResourceField, reason string) {
	rj := ResourceReject{Line: row.line, Field: field, Reason: reason, Row: row.text}
	if row.feature >= 0 {
		i := row.feature
		rj.Feature, rj.Line = &i, 0
	}
	if field != "" && row.column != nil {
		rj.Column = row.column(field)
	}
	if row.r != nil {
		rj.Code, rj.Name = row.r.Code, row.r.Name
	}
	ri.res.Rejected++
	if len(ri.res.Rejects) < ri.opts.MaxRejects {
		ri.res.Rejects = append(ri.res.Rejects, rj)
	} else {
		ri.res.RejectsOmitted++
	}
}

// rejectErr records a reject for a domain error, naming its field.
func (ri *resImporter) rejectErr(row *resRow, err error) {
	var fe *territory.FieldError
	if errors.As(err, &fe) {
		f := ResourceField(fe.Field)
		if f == ResourceGeometry && row.column != nil && row.column(ResourceGeometry) == "" {
			f = ResourceLng // a CSV without a geometry column: the point came from lng/lat
		}
		ri.reject(row, f, fe.Reason)
		return
	}
	ri.reject(row, "", err.Error())
}

// resourceKey is how a row finds its stored resource: by code, else by kind
// and name among the resources without a code.
type resourceKey struct{ code, kind, name string }

func keyOf(r *territory.Resource) resourceKey {
	if r.Code != "" {
		return resourceKey{code: r.Code}
	}
	return resourceKey{kind: r.Kind, name: r.Name}
}

// upsert matches the rows with the stored resources and writes the new and
// changed ones.
func (ri *resImporter) upsert(ctx context.Context, st territory.ResourceStore, rows []*resRow) error {
	stored, err := st.Resources(ctx, territory.ResourceFilter{})
	if err != nil {
		return fmt.Errorf("import resources: list stored resources: %w", err)
	}
	byKey := make(map[resourceKey][]*territory.Resource, len(stored))
	for _, r := range stored {
		k := keyOf(r)
		byKey[k] = append(byKey[k], r)
	}
	seen := map[resourceKey]*resRow{}
	for n, row := range rows {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		r := row.r
		k := keyOf(r)
		if first, dup := seen[k]; dup {
			what := fmt.Sprintf("code %q", r.Code)
			field := ResourceCode
			if r.Code == "" {
				what, field = fmt.Sprintf("kind %q and name %q (without a code)", r.Kind, r.Name), ResourceName
			}
			ri.reject(row, field, fmt.Sprintf("repeats %s of %s", what, where(first)))
			continue
		}
		seen[k] = row
		matches := byKey[k]
		if len(matches) > 1 {
			ri.reject(row, ResourceName, fmt.Sprintf("%d stored resources without a code are of kind %q and named %q: give the file a code column to tell them apart",
				len(matches), r.Kind, r.Name))
			continue
		}
		var old *territory.Resource
		if len(matches) == 1 {
			old = matches[0]
			r.ID = old.ID
			if !row.set[ResourceCapacity] {
				r.Capacity = old.Capacity
			}
			if !row.set[ResourceExpectedDate] {
				r.ExpectedDate = old.ExpectedDate
			}
		}
		if err := r.Validate(); err != nil {
			ri.rejectErr(row, err)
			continue
		}
		switch {
		case old == nil:
			if !ri.opts.DryRun {
				if err := st.CreateResource(ctx, r); err != nil {
					return fmt.Errorf("import resources: %s: create %q: %w", where(row), r.Name, err)
				}
			}
			ri.res.Inserted++
		case sameResource(old, r):
			ri.res.Unchanged++
			continue
		default:
			if !ri.opts.DryRun {
				if err := st.UpdateResource(ctx, r); err != nil {
					return fmt.Errorf("import resources: %s: update resource %d: %w", where(row), r.ID, err)
				}
			}
			ri.res.Updated++
		}
		ri.res.Changes = append(ri.res.Changes, ResourceChange{Old: old, New: r})
	}
	return nil
}

// where names a row in messages.
func where(row *resRow) string {
	if row.feature >= 0 {
		return fmt.Sprintf("feature %d", row.feature)
	}
	return fmt.Sprintf("line %d", row.line)
}

// sameResource reports whether an import would change nothing.
func sameResource(a, b *territory.Resource) bool {
	if a.Code != b.Code || a.Name != b.Name || a.Kind != b.Kind || a.Status != b.Status || a.RadiusM != b.RadiusM || a.Capacity != b.Capacity {
		return false
	}
	if (a.ExpectedDate == nil) != (b.ExpectedDate == nil) || a.ExpectedDate != nil && !a.ExpectedDate.Equal(*b.ExpectedDate) {
		return false
	}
	if (a.Geometry == nil) != (b.Geometry == nil) || a.Geometry != nil && !orb.Equal(a.Geometry, b.Geometry) {
		return false
	}
	return slices.Equal(a.Cells, b.Cells)
}

// coverage sets r's coverage from what a row gives: a point (lng/lat or a
// point geometry, with its radius), a polygon, or cells. Exactly one must
// be given. It returns the field at fault and why, or "" and "".
func coverage(r *territory.Resource, point *orb.Point, geom orb.Geometry, cells []string, radius string, set map[ResourceField]bool) (ResourceField, string) {
	var given []string
	if point != nil {
		given = append(given, "lng/lat")
	}
	if geom != nil {
		given = append(given, "a geometry")
	}
	if cells != nil {
		given = append(given, "H3 cells")
	}
	switch len(given) {
	case 0:
		return ResourceGeometry, "no coverage: give lng/lat with a radius, a point (with a radius) or polygon geometry, or H3 cells"
	case 1:
	default:
		return ResourceGeometry, fmt.Sprintf("gives %s: a resource covers by one of them only", strings.Join(given, " and "))
	}
	if radius != "" {
		v, err := parseRadius(radius)
		if err != nil {
			return ResourceRadius, err.Error()
		}
		r.RadiusM = v
		set[ResourceRadius] = true
	}
	switch {
	case point != nil:
		r.Geometry = *point
	case geom != nil:
		r.Geometry = geom
	default:
		cs, err := ParseCells(cells)
		if err != nil {
			return ResourceCells, err.Error()
		}
		if len(cs) == 0 {
			return ResourceCells, "the cell list is empty"
		}
		r.Cells = cs
	}
	if _, isPoint := r.Geometry.(orb.Point); isPoint && !set[ResourceRadius] {
		return ResourceRadius, "is missing: a point resource needs its coverage radius in metres"
	}
	return "", ""
}
