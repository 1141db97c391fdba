package web

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// landingPage says what gridplan is and lists the API, until the map pages
// arrive.
//
//go:embed static/index.html
var landingPage []byte

func (s *server) registerLanding(g *gin.RouterGroup) {
	g.GET("/", func(c *gin.Context) {
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/html; charset=utf-8", landingPage)
	})
}
