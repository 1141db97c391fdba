package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridplan/territory"
)

// importTypes are the Content-Types a grid file may come as: GeoJSON, KML,
// KMZ, and what browsers and curl send for files they do not know (the
// content decides the format).
var importTypes = map[string]bool{
	"": true, "application/json": true, "application/geo+json": true, "application/vnd.geo+json": true,
	"application/vnd.google-earth.kml+xml": true, "application/vnd.google-earth.kmz": true,
	"application/xml": true, "text/xml": true, "application/zip": true,
	"application/octet-stream": true, "text/plain": true, "multipart/form-data": true,
}

// planImportResult is the answer of POST /api/plans/:id/import: what each
// good feature became and why each bad one was left out.
type planImportResult struct {
	PlanID   int64      `json:"plan_id"`
	Format   AreaFormat `json:"format"`
	Features int        `json:"features"`
	Created  int        `json:"created"`
	Replaced int        `json:"replaced"`
	// Unchanged counts features equal to their grid already (shape, name,
	// district): not saved again, so re-importing an export of a whole
	// layout costs only what changed.
	Unchanged int                 `json:"unchanged"`
	Failed    int                 `json:"failed"`
	Grids     []planImportGrid    `json:"grids"`
	Errors    []planImportProblem `json:"errors"`
}

// planImportGrid is a feature saved into the draft.
type planImportGrid struct {
	Index      int    `json:"index"`
	PlanGridID int64  `json:"plan_grid_id"`
	Code       string `json:"code"`
	Action     string `json:"action"`  // created, replaced or unchanged
	Changed    int    `json:"changed"` // neighbouring grids the save reshaped
}

// planImportProblem is a feature left out: its index in the file, what it
// says it is, and the field and reason at fault.
type planImportProblem struct {
	Index   int    `json:"index"`
	Code    string `json:"code,omitempty"`
	Name    string `json:"name,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// importPlan is POST /api/plans/:id/import: a GeoJSON FeatureCollection or
// a KML/KMZ file of grids (properties or ExtendedData code, name, and
// district_id or district_code; without them the district holding the
// grid) goes into a draft. A feature whose code is a grid of the draft
// replaces that grid's shape (and name and district, when given; a feature
// equal to the grid is left alone); any other feature adds a grid. Each is
// saved through the planner like a drawn grid (?snap_m=, ?mode=carve|fit),
// in file order, each save its own transaction: a bad feature is reported
// and the others are saved all the same. ?crs= says the file's coordinate
// system.
func (s *server) importPlan(c *gin.Context) {
	planID, ok := planIDParam(c)
	if !ok {
		return
	}
	crs, err := queryCRS(c)
	if err != nil {
		fail(c, err)
		return
	}
	opt, err := editOptions(c)
	if err != nil {
		fail(c, err)
		return
	}
	p, ok := s.loadPlan(c, planID)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if p.Status != territory.PlanDraft {
		fail(c, conflict("plan %d (%s) is %s: grids are imported into a draft (POST /api/plans makes one)", p.ID, p.Name, p.Status))
		return
	}
	body, err := readGridFile(c)
	if err != nil {
		fail(c, err)
		return
	}
	format, features, err := ReadAreas(body, crs)
	if err != nil {
		fail(c, invalid("file", "%v", err))
		return
	}
	if len(features) == 0 {
		fail(c, invalid("file", "holds no features"))
		return
	}
	existing, err := s.Store.PlanGrids(ctx, planID)
	if err != nil {
		fail(c, planLookup(planID, err))
		return
	}
	byCode := make(map[string]*territory.PlanGrid, len(existing))
	for _, g := range existing {
		if !g.Removed {
			byCode[g.Code] = g
		}
	}
	districts, err := s.Store.Districts(ctx)
	if err != nil {
		fail(c, fmt.Errorf("list districts: %w", err))
		return
	}

	res := planImportResult{PlanID: planID, Format: format, Features: len(features), Grids: []planImportGrid{}, Errors: []planImportProblem{}}
	seen := map[string]int{}
	planner := s.planner()
	opt.NoDiff = true // one diff for the whole file is the plan's own: GET …/preview
	for _, f := range features {
		if err := ctx.Err(); err != nil {
			fail(c, fmt.Errorf("import into plan %d: %w", planID, err))
			return
		}
		problem := func(err error) {
			_, d := classify(err)
			res.Errors = append(res.Errors, planImportProblem{Index: f.Index, Code: f.Prop("code"), Name: f.Prop("name"), Field: d.Field, Message: d.Message})
		}
		g, action, err := importedGrid(f, planID, byCode, districts)
		if err == nil {
			if first, dup := seen[g.Code]; dup {
				err = invalid("code", "%q repeats feature %d of the file", g.Code, first)
			} else {
				seen[g.Code] = f.Index
			}
		}
		if err != nil {
			problem(err)
			continue
		}
		if action == "unchanged" {
			res.Unchanged++
			res.Grids = append(res.Grids, planImportGrid{Index: f.Index, PlanGridID: g.ID, Code: g.Code, Action: action})
			continue
		}
		r, err := planner.SaveGrid(ctx, planID, g, opt, userName(c))
		if err != nil {
			if status, _ := classify(err); status >= http.StatusInternalServerError {
				fail(c, fmt.Errorf("import into plan %d: feature %d (%s): %w", planID, f.Index, g.Code, err))
				return
			}
			problem(err)
			continue
		}
		// A carve reshapes (or removes) neighbours: later features that
		// replace them must start from their new version.
		for _, ch := range r.Changed {
			if ch.Removed {
				if cur := byCode[ch.Code]; cur != nil && cur.ID == ch.ID {
					delete(byCode, ch.Code)
				}
				continue
			}
			byCode[ch.Code] = ch
		}
		if r.Grid != nil {
			byCode[r.Grid.Code] = r.Grid
			res.Grids = append(res.Grids, planImportGrid{Index: f.Index, PlanGridID: r.Grid.ID, Code: r.Grid.Code, Action: action, Changed: len(r.Changed)})
		}
		if action == "created" {
			res.Created++
		} else {
			res.Replaced++
		}
	}
	res.Failed = len(res.Errors)
	c.JSON(http.StatusOK, res)
}

// readGridFile returns the uploaded file: the raw body, or the part "file"
// (else the first part with a file name) of a multipart form.
func readGridFile(c *gin.Context) ([]byte, error) {
	ct := c.GetHeader("Content-Type")
	mt, params := "", map[string]string{}
	if ct != "" {
		var err error
		if mt, params, err = mime.ParseMediaType(ct); err != nil {
			mt = "?"
		}
	}
	if !importTypes[mt] {
		return nil, &publicError{kind: errUnsupportedMedia, field: "Content-Type", msg: fmt.Sprintf(
			"send a GeoJSON, KML or KMZ file as the body (application/geo+json, application/vnd.google-earth.kml+xml …) or as the field \"file\" of a multipart form, got %q", ct)}
	}
	read := func(r io.Reader) ([]byte, error) {
		b, err := io.ReadAll(r)
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fmt.Errorf("%w: %w", errTooLarge, mbe)
		}
		if err != nil {
			return nil, invalid("body", "cannot be read: %v", err)
		}
		return b, nil
	}
	if mt != "multipart/form-data" {
		b, err := read(c.Request.Body)
		if err == nil && len(b) == 0 {
			err = invalid("file", "is empty: send a GeoJSON or KML file")
		}
		return b, err
	}
	if params["boundary"] == "" {
		return nil, invalid("Content-Type", "multipart/form-data without a boundary")
	}
	mr := multipart.NewReader(c.Request.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, invalid("file", "is missing: send the file in the form field \"file\"")
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, fmt.Errorf("%w: %w", errTooLarge, mbe)
			}
			return nil, invalid("body", "malformed multipart form: %v", err)
		}
		if part.FormName() == "file" || part.FileName() != "" {
			b, err := read(part)
			if err == nil && len(b) == 0 {
				err = invalid("file", "is empty: send a GeoJSON or KML file")
			}
			return b, err
		}
		part.Close()
	}
}

// importedGrid turns a feature into the plan grid to save: the draft's
// grid with the same code (replaced) or a new one (created).
func importedGrid(f *AreaFeature, planID int64, byCode map[string]*territory.PlanGrid, districts []*territory.District) (*territory.PlanGrid, string, error) {
	if f.Err != nil {
		field := "geometry"
		if !strings.HasPrefix(f.Err.Error(), "geometry") {
			field = "feature"
		}
		return nil, "", invalid(field, "%s", strings.TrimPrefix(f.Err.Error(), "geometry: "))
	}
	code := f.Prop("code")
	if code == "" {
		return nil, "", invalid("code", "is required: each feature needs a code property (GeoJSON) or ExtendedData (KML)")
	}
	districtID, err := featureDistrict(f, districts)
	if err != nil {
		return nil, "", err
	}
	if cur := byCode[code]; cur != nil {
		g := *cur
		g.Boundary = f.Boundary
		if name := f.Prop("name"); name != "" {
			g.Name = name
		}
		if districtID != 0 {
			g.DistrictID = districtID
		}
		if g.Name == cur.Name && g.DistrictID == cur.DistrictID && orb.Equal(g.Boundary, cur.Boundary) {
			return &g, "unchanged", nil
		}
		return &g, "replaced", nil
	}
	if districtID == 0 {
		if districtID = districtHolding(f.Boundary, districts); districtID == 0 {
			return nil, "", invalid("district_code", "the grid lies in no district: give district_code or district_id")
		}
	}
	g := &territory.PlanGrid{PlanID: planID, Code: code, Name: f.Prop("name"), DistrictID: districtID, Boundary: f.Boundary}
	if g.Name == "" {
		g.Name = code
	}
	return g, "created", nil
}

// featureDistrict is the district a feature names (district_id, else
// district_code or district); 0 when it names none.
func featureDistrict(f *AreaFeature, districts []*territory.District) (int64, error) {
	if raw := f.Prop("district_id"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return 0, invalid("district_id", "must be a positive integer id, got %q", raw)
		}
		for _, d := range districts {
			if d.ID == id {
				return id, nil
			}
		}
		return 0, invalid("district_id", "district %d does not exist", id)
	}
	if code := f.Prop("district_code", "district"); code != "" {
		for _, d := range districts {
			if d.Code == code {
				return d.ID, nil
			}
		}
		return 0, invalid("district_code", "no district has the code %q", code)
	}
	return 0, nil
}

// districtHolding is the district (lowest id) holding an inner point of
// the largest part of mp; 0 when none does.
func districtHolding(mp orb.MultiPolygon, districts []*territory.District) int64 {
	var biggest orb.Polygon
	area := -1.0
	for _, p := range mp {
		if a := planar.Area(p); a > area {
			biggest, area = p, a
		}
	}
	if biggest == nil {
		return 0
	}
	probe, _ := planar.CentroidArea(biggest)
	if !planar.PolygonContains(biggest, probe) {
		// A concave grid's centroid may lie outside it: a point just
		// inside its first edge will do.
		r := biggest[0]
		mid := orb.Point{(r[0][0] + r[1][0]) / 2, (r[0][1] + r[1][1]) / 2}
		probe = orb.Point{mid[0] + (probe[0]-mid[0])*1e-3, mid[1] + (probe[1]-mid[1])*1e-3}
		if !planar.PolygonContains(biggest, probe) {
			probe = orb.Point{mid[0] - (probe[0] - mid[0]), mid[1] - (probe[1] - mid[1])}
		}
	}
	for _, d := range districts {
		if planar.MultiPolygonContains(d.Boundary, probe) {
			return d.ID
		}
	}
	return 0
}
