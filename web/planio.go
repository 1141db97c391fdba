package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/territory"
)

// registerIO mounts the grid files (export, import), search and the
// OpenAPI document. Exports and search sit behind the session like the rest
// of the JSON API; the import takes GeoJSON or KML files, so it gets the
// upload treatment of /api/imports (its own size limit, a same-origin check
// instead of the JSON content type) rather than requireJSON.
func (s *server) registerIO(r *gin.Engine) {
	r.GET("/api/openapi.json", s.openAPI)

	api := r.Group("/api", s.limitBody, s.requireSession, requireJSON)
	api.GET("/grids/export", allow(ReadMap), s.exportGrids)
	api.GET("/plans/:id/export", allow(ReadPlans), s.exportPlan)
	s.search = newSearch(s)
	api.GET("/search", allow(ReadMap), s.search.handle)

	maxUpload := s.Imports.withDefaults().MaxUploadBytes
	up := r.Group("/api/plans", limitBytes(maxUpload), s.requireSession)
	up.POST("/:id/import", allow(EditPlans), sameOrigin, s.importPlan)
}

// limitBytes caps a request body at n bytes, as limitBody does for JSON.
func limitBytes(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			fail(c, fmt.Errorf("%w: %w", errTooLarge, &http.MaxBytesError{Limit: n}))
			return
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}

// exportFormat reads ?format= (geojson by default) and ?crs= (wgs84 by
// default; gcj02 or bd09 for Chinese map tools).
func exportFormat(c *gin.Context) (AreaFormat, geo.CRS, error) {
	format := AreaFormat(strings.ToLower(c.DefaultQuery("format", string(FormatGeoJSON))))
	switch format {
	case FormatGeoJSON, FormatKML:
	case "json":
		format = FormatGeoJSON
	default:
		return "", "", invalid("format", "must be geojson or kml, got %q", c.Query("format"))
	}
	crs, err := queryCRS(c)
	return format, crs, err
}

// queryCRS reads ?crs=, WGS-84 when absent.
func queryCRS(c *gin.Context) (geo.CRS, error) {
	raw, ok := c.GetQuery("crs")
	if !ok {
		return geo.WGS84, nil
	}
	crs, err := geo.ParseCRS(raw)
	if err != nil {
		return "", invalid("crs", "%v", err)
	}
	return crs, nil
}

// sendAreas renders areas in format as an attachment named file (without
// extension). The document is built in memory first, so that a failure
// halfway becomes an error response rather than a truncated file.
func sendAreas(c *gin.Context, format AreaFormat, crs geo.CRS, file, title string, areas []exportArea) {
	var b bytes.Buffer
	var err error
	ct, ext := contentGeoJSON, ".geojson"
	if format == FormatKML {
		ct, ext = contentKML, ".kml"
		err = writeAreasKML(&b, title, areas, crs)
	} else {
		err = writeAreasGeoJSON(&b, areas, crs)
	}
	if err != nil {
		fail(c, fmt.Errorf("export %s: %w", file, err))
		return
	}
	if crs != geo.WGS84 {
		file += "-" + string(crs)
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s%s"`, file, ext))
	c.Data(http.StatusOK, ct+"; charset=utf-8", b.Bytes())
}

// districtCodes maps district ids to their codes, for exports: a file
// read elsewhere (or into another gridplan) names districts by code.
func (s *server) districtCodes(c *gin.Context) (map[int64]string, error) {
	ds, err := s.Store.Districts(c.Request.Context())
	if err != nil {
		return nil, fmt.Errorf("list districts: %w", err)
	}
	codes := make(map[int64]string, len(ds))
	for _, d := range ds {
		codes[d.ID] = d.Code
	}
	return codes, nil
}

// exportGrids is GET /api/grids/export: the live grids (the published
// plan), filtered like GET /api/grids.
func (s *server) exportGrids(c *gin.Context) {
	format, crs, err := exportFormat(c)
	if err != nil {
		fail(c, err)
		return
	}
	var f territory.GridFilter
	if f.DistrictID, err = queryID(c, "district_id"); err != nil {
		fail(c, err)
		return
	}
	if raw, ok := c.GetQuery("status"); ok {
		if f.Status, err = parseGridStatus(raw); err != nil {
			fail(c, err)
			return
		}
	}
	gs, err := s.Store.Grids(c.Request.Context(), f)
	if err != nil {
		fail(c, fmt.Errorf("list grids: %w", err))
		return
	}
	codes, err := s.districtCodes(c)
	if err != nil {
		fail(c, err)
		return
	}
	areas := make([]exportArea, len(gs))
	for i, g := range gs {
		areas[i] = exportArea{Name: g.Name, Boundary: orb.MultiPolygon{g.Boundary}, Props: []areaProp{
			{"id", g.ID}, {"code", g.Code}, {"name", g.Name}, {"district_id", g.DistrictID},
			{"district_code", codes[g.DistrictID]}, {"version", g.Version}, {"status", string(g.Status)},
		}}
	}
	sendAreas(c, format, crs, "gridplan-grids", "gridplan grids", areas)
}

// exportPlan is GET /api/plans/:id/export: a plan's grids (removed ones
// only with ?removed=true), ready to edit elsewhere and import again.
func (s *server) exportPlan(c *gin.Context) {
	id, ok := planIDParam(c)
	if !ok {
		return
	}
	format, crs, err := exportFormat(c)
	if err != nil {
		fail(c, err)
		return
	}
	withRemoved := c.Query("removed") == "true"
	p, ok := s.loadPlan(c, id)
	if !ok {
		return
	}
	gs, err := s.Store.PlanGrids(c.Request.Context(), id)
	if err != nil {
		fail(c, fmt.Errorf("grids of plan %d: %w", id, err))
		return
	}
	codes, err := s.districtCodes(c)
	if err != nil {
		fail(c, err)
		return
	}
	areas := make([]exportArea, 0, len(gs))
	for _, g := range gs {
		if g.Removed && !withRemoved {
			continue
		}
		props := []areaProp{
			{"id", g.ID}, {"plan_id", g.PlanID}, {"grid_id", g.GridID}, {"code", g.Code}, {"name", g.Name},
			{"district_id", g.DistrictID}, {"district_code", codes[g.DistrictID]}, {"version", g.Version},
		}
		if g.Removed {
			props = append(props, areaProp{"removed", true})
		}
		areas = append(areas, exportArea{Name: g.Name, Boundary: g.Boundary, Props: props})
	}
	title := fmt.Sprintf("%s (plan %d, %s)", p.Name, p.ID, p.Status)
	sendAreas(c, format, crs, fmt.Sprintf("gridplan-plan-%d", p.ID), title, areas)
}
