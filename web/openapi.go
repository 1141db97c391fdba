package web

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openAPIDoc is the OpenAPI 3 description of the whole HTTP API, written by
// hand. TestOpenAPI keeps it honest: it fails when a route of the router
// is not documented or a documented one is not routed, validates the
// document with kin-openapi, and checks real responses against it.
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPI serves GET /api/openapi.json, to anyone: it says what the API
// does, not what the store holds.
func (s *server) openAPI(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "application/json; charset=utf-8", openAPIDoc)
}
