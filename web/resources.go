package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"gridplan/territory"
	"gridplan/territory/importer"
)

func (s *server) registerResources(g *gin.RouterGroup) {
	g.GET("", allow(ReadMap), s.listResources)
	g.GET("/:id", allow(ReadMap), s.getResource)
	g.POST("", allow(EditResources), s.createResource)
	g.PUT("/:id", allow(EditResources), s.updateResource)
	g.DELETE("/:id", allow(EditResources), s.deleteResource)
}

// resourceFeature is a resource as GeoJSON; a point resource carries its
// coverage radius as radius_m, a cell resource its H3 cells as "cells"
// (hexadecimal strings) with a null geometry.
func resourceFeature(r *territory.Resource) *geojson.Feature {
	f := geojson.NewFeature(r.Geometry)
	f.ID = r.ID
	f.Properties["id"] = r.ID
	if r.Code != "" {
		f.Properties["code"] = r.Code
	}
	f.Properties["name"] = r.Name
	f.Properties["kind"] = r.Kind
	f.Properties["status"] = r.Status
	if _, ok := r.Geometry.(orb.Point); ok {
		f.Properties["radius_m"] = r.RadiusM
	}
	if len(r.Cells) > 0 {
		cells := make([]string, len(r.Cells))
		for i, c := range r.Cells {
			cells[i] = c.String()
		}
		f.Properties["cells"] = cells
	}
	if r.Capacity > 0 {
		f.Properties["capacity"] = r.Capacity
	}
	if r.ExpectedDate != nil {
		f.Properties["expected_date"] = r.ExpectedDate.Format(importer.DateLayout)
	}
	return f
}

// parseResourceStatus reads a status as the API spells it.
func parseResourceStatus(raw string) (territory.ResourceStatus, error) {
	st := territory.ResourceStatus(raw)
	for _, x := range territory.ResourceStatuses {
		if x == st {
			return st, nil
		}
	}
	return "", invalid("status", "unknown resource status %q (want existing, under_construction or planned)", raw)
}

func (s *server) listResources(c *gin.Context) {
	var f territory.ResourceFilter
	if raw, ok := c.GetQuery("status"); ok {
		st, err := parseResourceStatus(raw)
		if err != nil {
			fail(c, err)
			return
		}
		f.Status = st
	}
	if raw, ok := c.GetQuery("kind"); ok {
		if raw == "" {
			fail(c, invalid("kind", "must not be empty"))
			return
		}
		f.Kind = raw
	}
	if raw, ok := c.GetQuery("bbox"); ok {
		b, err := parseBBox(raw)
		if err != nil {
			fail(c, err)
			return
		}
		f.Bound = b
	}
	rs, err := s.Store.Resources(c.Request.Context(), f)
	if err != nil {
		fail(c, fmt.Errorf("list resources: %w", err))
		return
	}
	fc := geojson.NewFeatureCollection()
	for _, r := range rs {
		fc.Append(resourceFeature(r))
	}
	c.JSON(http.StatusOK, fc)
}

func (s *server) getResource(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	r, err := s.Store.Resource(c.Request.Context(), id)
	if err != nil {
		fail(c, lookupErr("resource", id, err))
		return
	}
	c.JSON(http.StatusOK, resourceFeature(r))
}

// resourceFeatureIn is the body of POST and PUT /api/resources: a GeoJSON
// Feature whose geometry is a Point (with radius_m) or a Polygon, or null
// with a "cells" property. Pointers tell a missing property from a zero one.
type resourceFeatureIn struct {
	Type       string           `json:"type"`
	Geometry   *geometryIn      `json:"geometry"`
	Properties *resourcePropsIn `json:"properties"`
}

type resourcePropsIn struct {
	Code         *string   `json:"code"`
	Name         *string   `json:"name"`
	Kind         *string   `json:"kind"`
	Status       *string   `json:"status"`
	RadiusM      *float64  `json:"radius_m"`
	Capacity     *int      `json:"capacity"`
	ExpectedDate *string   `json:"expected_date"`
	Cells        *[]string `json:"cells"`
}

// point returns g as an orb.Point or a 400 on "geometry" that says why not.
func (g *geometryIn) point() (orb.Point, error) {
	var pos []float64
	if err := json.Unmarshal(g.Coordinates, &pos); err != nil || g.Coordinates == nil {
		return orb.Point{}, invalid("geometry", "a Point's coordinates are one [lng, lat] position")
	}
	if len(pos) != 2 && len(pos) != 3 {
		return orb.Point{}, invalid("geometry", "a position is [lng, lat], got %d numbers", len(pos))
	}
	return orb.Point{pos[0], pos[1]}, nil
}

// readResource decodes and checks a resource Feature into r (whose ID is
// kept). PUT replaces the whole resource: optional properties left out are
// cleared.
func readResource(c *gin.Context, r *territory.Resource) error {
	var in resourceFeatureIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Type != "Feature" {
		return invalid("type", "must be \"Feature\", got %q", in.Type)
	}
	p := in.Properties
	if p == nil {
		return invalid("properties", "is required (name, kind, status; radius_m for a point; cells with a null geometry)")
	}
	switch {
	case p.Name == nil:
		return invalid("name", "is required")
	case p.Kind == nil:
		return invalid("kind", "is required (data, not a fixed list: fibre_cabinet, olt, 5g_site …)")
	case strings.TrimSpace(*p.Kind) == "":
		return invalid("kind", "must not be empty")
	case p.Status == nil:
		return invalid("status", "is required (existing, under_construction or planned)")
	}
	st, err := parseResourceStatus(*p.Status)
	if err != nil {
		return err
	}
	*r = territory.Resource{ID: r.ID, Name: *p.Name, Kind: *p.Kind, Status: st}
	if p.Code != nil {
		r.Code = *p.Code
	}
	if p.RadiusM != nil {
		r.RadiusM = *p.RadiusM
	}
	if p.Capacity != nil {
		r.Capacity = *p.Capacity
	}
	if p.ExpectedDate != nil {
		d, err := importer.ParseDate(*p.ExpectedDate)
		if err != nil {
			return invalid("expected_date", "%v", err)
		}
		r.ExpectedDate = &d
	}
	hasCells := p.Cells != nil && len(*p.Cells) > 0
	switch g := in.Geometry; {
	case g != nil && hasCells:
		return invalid("geometry", "a resource covers by a geometry or by H3 cells, not both: send \"geometry\": null with cells")
	case hasCells:
		if r.Cells, err = importer.ParseCells(*p.Cells); err != nil {
			return invalid("cells", "%v", err)
		}
	case g == nil:
		return invalid("geometry", "is required: a Point with radius_m, a Polygon, or null with H3 cells in \"cells\"")
	case g.Type == "Point":
		if r.Geometry, err = g.point(); err != nil {
			return err
		}
	case g.Type == "Polygon":
		if r.Geometry, err = g.polygon(); err != nil {
			return err
		}
	default:
		return invalid("geometry", "must be a Point (with radius_m) or a Polygon, or null with H3 cells, got %q", g.Type)
	}
	return r.Validate()
}

// resourceEdits serialises this process's resource writes with the
// coverage updates they cause, so that the incremental updates see the
// writes in the order the store did.
var resourceEdits sync.Mutex

// resourcesChanged tells the caches that read resources that this process
// has just committed writes to them (old nil: created; new nil: deleted).
// Call it after the commit.
func (s *server) resourcesChanged(changes ...importer.ResourceChange) {
	s.dataChanged()
}

func (s *server) createResource(c *gin.Context) {
	r := &territory.Resource{}
	if err := readResource(c, r); err != nil {
		fail(c, err)
		return
	}
	resourceEdits.Lock()
	defer resourceEdits.Unlock()
	if err := s.Store.CreateResource(c.Request.Context(), r); err != nil {
		fail(c, fmt.Errorf("create resource %q: %w", r.Name, err))
		return
	}
	s.resourcesChanged(importer.ResourceChange{New: r})
	c.Header("Location", "/api/resources/"+strconv.FormatInt(r.ID, 10))
	c.JSON(http.StatusCreated, resourceFeature(r))
}

func (s *server) updateResource(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	r := &territory.Resource{ID: id}
	if err := readResource(c, r); err != nil {
		fail(c, err)
		return
	}
	resourceEdits.Lock()
	defer resourceEdits.Unlock()
	old, err := s.Store.Resource(ctx, id)
	if err != nil {
		fail(c, lookupErr("resource", id, err))
		return
	}
	if err := s.Store.UpdateResource(ctx, r); err != nil {
		fail(c, fmt.Errorf("update resource %d: %w", id, err))
		return
	}
	s.resourcesChanged(importer.ResourceChange{Old: old, New: r})
	c.JSON(http.StatusOK, resourceFeature(r))
}

func (s *server) deleteResource(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	resourceEdits.Lock()
	defer resourceEdits.Unlock()
	old, err := s.Store.Resource(ctx, id)
	if err != nil {
		fail(c, lookupErr("resource", id, err))
		return
	}
	if err := s.Store.DeleteResource(ctx, id); err != nil {
		fail(c, lookupErr("resource", id, err))
		return
	}
	s.resourcesChanged(importer.ResourceChange{Old: old})
	noContent(c)
}
