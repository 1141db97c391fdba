package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb/geojson"

	"gridplan/territory"
)

func (s *server) registerDistricts(g *gin.RouterGroup) {
	g.GET("", allow(ReadMap), s.listDistricts)
	g.GET("/:id", allow(ReadMap), s.getDistrict)
}

func districtFeature(d *territory.District) *geojson.Feature {
	f := geojson.NewFeature(d.Boundary)
	f.ID = d.ID
	f.Properties["id"] = d.ID
	f.Properties["code"] = d.Code
	f.Properties["name"] = d.Name
	f.Properties["city"] = d.City
	f.Properties["province"] = d.Province
	return f
}

func (s *server) listDistricts(c *gin.Context) {
	ds, err := s.Store.Districts(c.Request.Context())
	if err != nil {
		fail(c, fmt.Errorf("list districts: %w", err))
		return
	}
	fc := geojson.NewFeatureCollection()
	for _, d := range ds {
		fc.Append(districtFeature(d))
	}
	c.JSON(http.StatusOK, fc)
}

func (s *server) getDistrict(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	d, err := s.Store.District(c.Request.Context(), id)
	if err != nil {
		fail(c, lookupErr("district", id, err))
		return
	}
	c.JSON(http.StatusOK, districtFeature(d))
}
