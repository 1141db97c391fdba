package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"gridplan/territory"
)

func (s *server) registerResources(g *gin.RouterGroup) {
	g.GET("", allow(ReadMap), s.listResources)
}

// resourceFeature is a resource as GeoJSON; a point resource carries its
// coverage radius as radius_m.
func resourceFeature(r *territory.Resource) *geojson.Feature {
	f := geojson.NewFeature(r.Geometry)
	f.ID = r.ID
	f.Properties["id"] = r.ID
	f.Properties["name"] = r.Name
	f.Properties["kind"] = r.Kind
	f.Properties["status"] = r.Status
	if _, ok := r.Geometry.(orb.Point); ok {
		f.Properties["radius_m"] = r.RadiusM
	}
	if r.Capacity > 0 {
		f.Properties["capacity"] = r.Capacity
	}
	if r.ExpectedDate != nil {
		f.Properties["expected_date"] = r.ExpectedDate.Format("2006-01-02")
	}
	return f
}

func (s *server) listResources(c *gin.Context) {
	var f territory.ResourceFilter
	if raw, ok := c.GetQuery("status"); ok {
		st := territory.ResourceStatus(raw)
		known := false
		for _, x := range territory.ResourceStatuses {
			known = known || x == st
		}
		if !known {
			fail(c, invalid("status", "unknown resource status %q (want existing, under_construction or planned)", raw))
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
