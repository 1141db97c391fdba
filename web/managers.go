package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"gridplan/territory"
)

func (s *server) registerManagers(g *gin.RouterGroup) {
	g.GET("", allow(ReadManagers), s.listManagers)
	g.GET("/:id", allow(ReadManagers), s.getManager)
}

// lngLat is a point spelled out for clients that do not speak GeoJSON.
type lngLat struct {
	Lng float64 `json:"lng"`
	Lat float64 `json:"lat"`
}

// managerJSON is a manager with his base as {lng, lat}.
type managerJSON struct {
	*territory.Manager
	Base lngLat `json:"base"`
}

func newManagerJSON(m *territory.Manager) *managerJSON {
	return &managerJSON{Manager: m, Base: lngLat{Lng: m.Base[0], Lat: m.Base[1]}}
}

// ownGridID is the grid of the calling manager: a ScopeOwn caller sees his
// own grid team only.
func (s *server) ownGridID(c *gin.Context) (int64, error) {
	mid, err := ownManagerID(c)
	if err != nil {
		return 0, err
	}
	m, err := s.Store.Manager(c.Request.Context(), mid)
	if err != nil {
		return 0, fmt.Errorf("own manager %d: %w", mid, err)
	}
	return m.GridID, nil
}

func (s *server) listManagers(c *gin.Context) {
	gridID, err := queryID(c, "grid_id")
	if err != nil {
		fail(c, err)
		return
	}
	if scopeOf(c) == ScopeOwn {
		own, err := s.ownGridID(c)
		if err != nil {
			fail(c, err)
			return
		}
		if gridID != 0 && gridID != own {
			fail(c, forbidden("managers see only their own grid team (grid %d)", own))
			return
		}
		gridID = own
	}
	ms, err := s.Store.Managers(c.Request.Context(), territory.ManagerFilter{GridID: gridID})
	if err != nil {
		fail(c, fmt.Errorf("list managers: %w", err))
		return
	}
	items := make([]*managerJSON, 0, len(ms))
	for _, m := range ms {
		items = append(items, newManagerJSON(m))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (s *server) getManager(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	m, err := s.Store.Manager(c.Request.Context(), id)
	if err != nil {
		fail(c, lookupErr("manager", id, err))
		return
	}
	if scopeOf(c) == ScopeOwn {
		own, err := s.ownGridID(c)
		if err != nil {
			fail(c, err)
			return
		}
		if m.GridID != own {
			fail(c, forbidden("managers see only their own grid team"))
			return
		}
	}
	c.JSON(http.StatusOK, newManagerJSON(m))
}
