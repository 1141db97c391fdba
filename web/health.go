package web

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// readyTimeout bounds the store ping of /readyz: a load balancer would
// rather hear "not ready" quickly than wait.
const readyTimeout = 2 * time.Second

func (s *server) registerHealth(g *gin.RouterGroup) {
	g.GET("/healthz", s.healthz)
	g.GET("/readyz", s.readyz)
	g.GET("/metrics", gin.WrapH(s.metrics.handler))
}

// healthz is liveness: the process answers. It does not touch the store, so
// a database outage does not get every replica restarted.
func (s *server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz is readiness: the store answers a ping.
func (s *server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), readyTimeout)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		s.Logger.WarnContext(c.Request.Context(), "not ready: store ping failed", "err", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "store": s.Store.Dialect()})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "store": s.Store.Dialect()})
}
