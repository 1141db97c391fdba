package web

// Reading the requests of /api/plans: every field is checked here, so that
// bad input is a 400 naming the field (and the polygon, ring and point of a
// bad geometry) before the planner service is asked anything.

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/geo"
	"gridplan/territory"
)

// maxSnapM bounds ?snap_m=: snapping further than this would pull vertices
// across streets onto grids nobody meant to touch.
const maxSnapM = 100

// multiPolygon returns g, a GeoJSON Polygon or MultiPolygon, as an
// orb.MultiPolygon, or a 400 on "geometry" naming the polygon, ring and
// point at fault. Each part must be a valid polygon (geo.ValidatePolygon).
func (g *geometryIn) multiPolygon() (orb.MultiPolygon, error) {
	if g == nil {
		return nil, invalid("geometry", "is required (a GeoJSON Polygon or MultiPolygon)")
	}
	var polys [][][][]float64
	switch g.Type {
	case "Polygon":
		var rings [][][]float64
		if err := json.Unmarshal(g.Coordinates, &rings); err != nil || g.Coordinates == nil {
			return nil, invalid("geometry", "coordinates must be an array of rings of [lng, lat] positions")
		}
		polys = [][][][]float64{rings}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil || g.Coordinates == nil {
			return nil, invalid("geometry", "coordinates must be an array of polygons, each an array of rings of [lng, lat] positions")
		}
		if len(polys) == 0 {
			return nil, invalid("geometry", "multipolygon has no polygons")
		}
	default:
		return nil, invalid("geometry", "must be a Polygon or MultiPolygon, got %q", g.Type)
	}
	multi := g.Type == "MultiPolygon"
	where := func(pi int) string {
		if multi {
			return fmt.Sprintf("polygon %d: ", pi)
		}
		return ""
	}
	mp := make(orb.MultiPolygon, len(polys))
	for pi, rings := range polys {
		if len(rings) == 0 {
			return nil, invalid("geometry", "%spolygon has no rings", where(pi))
		}
		poly := make(orb.Polygon, len(rings))
		for ri, ring := range rings {
			poly[ri] = make(orb.Ring, len(ring))
			for k, pos := range ring {
				if len(pos) != 2 && len(pos) != 3 {
					return nil, invalid("geometry", "%sring %d point %d: a position is [lng, lat], got %d numbers", where(pi), ri, k, len(pos))
				}
				poly[ri][k] = orb.Point{pos[0], pos[1]}
			}
		}
		if err := geo.ValidatePolygon(poly); err != nil {
			return nil, invalid("geometry", "%s%v", where(pi), err)
		}
		mp[pi] = poly
	}
	return mp, nil
}

// lineString returns g, a GeoJSON LineString of at least two distinct
// points in range, or a 400 on field.
func (g *geometryIn) lineString(field string) (orb.LineString, error) {
	if g == nil {
		return nil, invalid(field, "is required (a GeoJSON LineString)")
	}
	if g.Type != "LineString" {
		return nil, invalid(field, "must be a LineString, got %q", g.Type)
	}
	var pts [][]float64
	if err := json.Unmarshal(g.Coordinates, &pts); err != nil || g.Coordinates == nil {
		return nil, invalid(field, "coordinates must be an array of [lng, lat] positions")
	}
	if len(pts) < 2 {
		return nil, invalid(field, "a line needs at least 2 points, got %d", len(pts))
	}
	ls := make(orb.LineString, len(pts))
	for i, pos := range pts {
		if len(pos) != 2 && len(pos) != 3 {
			return nil, invalid(field, "point %d: a position is [lng, lat], got %d numbers", i, len(pos))
		}
		p := orb.Point{pos[0], pos[1]}
		if err := geo.ValidatePoint(p); err != nil {
			return nil, invalid(field, "point %d: %v", i, err)
		}
		if i > 0 && p == ls[i-1] {
			return nil, invalid(field, "point %d repeats point %d", i, i-1)
		}
		ls[i] = p
	}
	return ls, nil
}

// planGridIn is the body of POST and PUT /api/plans/:id/grids[/:gid]: a
// GeoJSON Feature with a Polygon or MultiPolygon geometry. Pointers tell a
// missing property from a zero one.
type planGridIn struct {
	Type       string           `json:"type"`
	Geometry   *geometryIn      `json:"geometry"`
	Properties *planGridPropsIn `json:"properties"`
}

type planGridPropsIn struct {
	ID         *int64  `json:"id"`
	Code       *string `json:"code"`
	Name       *string `json:"name"`
	DistrictID *int64  `json:"district_id"`
	Version    *int    `json:"version"`
}

// planGridEdit is a parsed grid Feature.
type planGridEdit struct {
	ID         int64 // properties.id; 0 when absent
	Code, Name *string
	DistrictID *int64
	Version    int              // 0 when absent
	Boundary   orb.MultiPolygon // nil when the Feature has no geometry
}

// parseGridFeature checks a grid Feature. needGeometry is false for PUT (a
// rename keeps the shape) and true for a new grid.
func parseGridFeature(in *planGridIn, needGeometry bool) (*planGridEdit, error) {
	if in.Type != "Feature" {
		return nil, invalid("type", "must be \"Feature\", got %q", in.Type)
	}
	p := in.Properties
	if p == nil {
		p = &planGridPropsIn{}
	}
	e := &planGridEdit{Code: p.Code, Name: p.Name, DistrictID: p.DistrictID}
	if p.ID != nil {
		if *p.ID <= 0 {
			return nil, invalid("id", "must be a positive integer id, got %d", *p.ID)
		}
		e.ID = *p.ID
	}
	if p.Version != nil {
		if *p.Version <= 0 {
			return nil, invalid("version", "must be a positive integer, got %d", *p.Version)
		}
		e.Version = *p.Version
	}
	if p.Code != nil {
		if strings.TrimSpace(*p.Code) == "" {
			return nil, invalid("code", "must not be blank")
		}
		if len(*p.Code) > 64 {
			return nil, invalid("code", "is longer than 64 bytes")
		}
	}
	if p.Name != nil && strings.TrimSpace(*p.Name) == "" {
		return nil, invalid("name", "must not be blank")
	}
	if p.DistrictID != nil && *p.DistrictID <= 0 {
		return nil, invalid("district_id", "must be a positive integer id, got %d", *p.DistrictID)
	}
	if err := data.CheckTexts("code", deref(p.Code), "name", deref(p.Name)); err != nil {
		return nil, err
	}
	if in.Geometry != nil || needGeometry {
		mp, err := in.Geometry.multiPolygon()
		if err != nil {
			return nil, err
		}
		e.Boundary = mp
	}
	return e, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// newPlanGrid is the grid a POST creates: code and district are required,
// the name defaults to the code.
func (e *planGridEdit) newPlanGrid(planID int64) (*territory.PlanGrid, error) {
	switch {
	case e.Code == nil:
		return nil, invalid("code", "is required")
	case e.DistrictID == nil:
		return nil, invalid("district_id", "is required")
	}
	g := &territory.PlanGrid{PlanID: planID, Code: *e.Code, Name: *e.Code, DistrictID: *e.DistrictID, Boundary: e.Boundary}
	if e.Name != nil {
		g.Name = *e.Name
	}
	return g, nil
}

// apply writes the edit over cur (a copy of the stored grid): missing
// properties and a missing geometry keep what cur has.
func (e *planGridEdit) apply(cur *territory.PlanGrid) *territory.PlanGrid {
	g := *cur
	if e.Code != nil {
		g.Code = *e.Code
	}
	if e.Name != nil {
		g.Name = *e.Name
	}
	if e.DistrictID != nil {
		g.DistrictID = *e.DistrictID
	}
	if e.Boundary != nil {
		g.Boundary = e.Boundary
	}
	g.Version = e.Version
	return &g
}

// editOptions reads ?snap_m= (metres, 0 to maxSnapM: 0 turns snapping
// off; absent, the service's default of territory.DefaultSnapM) and ?mode=
// (carve or fit; absent, carve).
func editOptions(c *gin.Context) (territory.EditOptions, error) {
	var opt territory.EditOptions
	if raw, ok := c.GetQuery("snap_m"); ok {
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(v) || v < 0 || v > maxSnapM {
			return opt, invalid("snap_m", "must be a distance in metres from 0 to %d, got %q", maxSnapM, raw)
		}
		opt.SnapM = v
		if v == 0 {
			opt.SnapM = -1 // asked for no snapping (the service's 0 is its default)
		}
	}
	if raw, ok := c.GetQuery("mode"); ok {
		switch mode := territory.EditMode(raw); mode {
		case territory.EditCarve, territory.EditFit:
			opt.Mode = mode
		default:
			return opt, invalid("mode", "must be carve (the edited grid takes the area from its neighbours) or fit (it gives way to them), got %q", raw)
		}
	}
	return opt, nil
}

// parsePlanStatuses reads ?status=draft,published,… (empty: all).
func parsePlanStatuses(raw string) ([]territory.PlanStatus, error) {
	var out []territory.PlanStatus
	for _, part := range strings.Split(raw, ",") {
		st := territory.PlanStatus(strings.TrimSpace(part))
		if st == "" {
			continue
		}
		if !data.KnownPlanStatus(st) {
			return nil, invalid("status", "unknown plan status %q (want draft, pending_approval, published or archived)", st)
		}
		out = append(out, st)
	}
	return out, nil
}

// queryVersion reads a required positive ?name=N.
func queryVersion(c *gin.Context, name string) (int, error) {
	raw, ok := c.GetQuery(name)
	if !ok {
		return 0, invalid(name, "is required: ?%s=N, the version you loaded", name)
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v <= 0 {
		return 0, invalid(name, "must be a positive integer, got %q", raw)
	}
	return v, nil
}

// versionIn is the body of submit, approve and publish.
type versionIn struct {
	Version *int `json:"version"`
}

// needVersion returns the version or a 400 naming it.
func needVersion(v *int) (int, error) {
	if v == nil {
		return 0, invalid("version", "is required: the version of the plan you loaded")
	}
	if *v <= 0 {
		return 0, invalid("version", "must be a positive integer, got %d", *v)
	}
	return *v, nil
}

// planIn is the body of POST /api/plans.
type planIn struct {
	Name       *string `json:"name"`
	FromPlanID *int64  `json:"from_plan_id"`
}

// planPatchIn is the body of PATCH /api/plans/:id.
type planPatchIn struct {
	Name    *string `json:"name"`
	Note    *string `json:"note"`
	Version *int    `json:"version"`
}

// splitIn is the body of POST /api/plans/:id/grids/:gid/split.
type splitIn struct {
	Line    *geometryIn `json:"line"`
	Version *int        `json:"version"`
}

// mergeIn is the body of POST /api/plans/:id/merge.
type mergeIn struct {
	GridIDs  []int64 `json:"grid_ids"`
	Versions []int   `json:"versions"`
}

// check refuses fewer than two grids, a grid named twice and versions that
// do not pair up with the grids.
func (m *mergeIn) check() error {
	if len(m.GridIDs) < 2 {
		return invalid("grid_ids", "name at least two grids to merge, got %d", len(m.GridIDs))
	}
	seen := make(map[int64]int, len(m.GridIDs))
	for i, id := range m.GridIDs {
		if id <= 0 {
			return invalid("grid_ids", "item %d: must be a positive integer id, got %d", i, id)
		}
		if j, ok := seen[id]; ok {
			return invalid("grid_ids", "items %d and %d are the same grid %d: a grid cannot be merged with itself", j, i, id)
		}
		seen[id] = i
	}
	if len(m.Versions) != len(m.GridIDs) {
		return invalid("versions", "give one version per grid: %d grids, %d versions", len(m.GridIDs), len(m.Versions))
	}
	for i, v := range m.Versions {
		if v <= 0 {
			return invalid("versions", "item %d: must be a positive integer, got %d", i, v)
		}
	}
	return nil
}

// previewIn is the body of POST /api/plans/:id/preview: an optional grid
// Feature (with properties.id to preview an edit of that grid, without to
// preview a new one).
type previewIn struct {
	Grid *planGridIn `json:"grid"`
}
