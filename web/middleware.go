package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
)

// ctxKey types the keys this package stores in a gin context, so that no
// other package (or typo) can collide with them.
type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyUser             // *territory.User, set by requireSession
	keySession          // token hash of the current session
	keyScope            // Scope granted by allow
)

const requestIDHeader = "X-Request-ID"

// requestID takes a sane X-Request-ID from the caller (a proxy's) or makes
// one, and echoes it so that a user's report can be found in the log.
func requestID(c *gin.Context) {
	id := c.GetHeader(requestIDHeader)
	if !saneRequestID(id) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	c.Set(keyRequestID, id)
	c.Header(requestIDHeader, id)
	c.Header("X-Content-Type-Options", "nosniff") // no sniffing JSON into HTML
	c.Next()
}

func saneRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func requestIDOf(c *gin.Context) string {
	v, _ := c.Get(keyRequestID)
	id, _ := v.(string)
	return id
}

// routeOf is the route pattern (/api/grids/:id), never the raw URL, so that
// logs group and metric labels stay bounded.
func routeOf(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// quietRoutes are polled by machines; their requests log at debug level.
var quietRoutes = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// observe logs one line per request and records its metrics.
func (s *server) observe(c *gin.Context) {
	start := time.Now() // wall time for durations, not the injectable clock
	c.Next()
	d := time.Since(start)
	route, status := routeOf(c), c.Writer.Status()
	s.metrics.observe(c.Request.Method, route, status, d)

	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case quietRoutes[route]:
		level = slog.LevelDebug
	}
	attrs := []slog.Attr{
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("duration", d),
		slog.String("request_id", requestIDOf(c)),
	}
	if u := currentUser(c); u != nil {
		attrs = append(attrs, slog.String("user", u.Username))
	}
	s.Logger.LogAttrs(c.Request.Context(), level, "http request", attrs...)
}

// recovery turns a panic into a logged 500 in the JSON error shape. An
// http.ErrAbortHandler panic is the standard way to abort a response and is
// passed on.
func (s *server) recovery(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
			panic(v)
		}
		s.Logger.ErrorContext(c.Request.Context(), "panic in handler", "panic", fmt.Sprint(v), "route", routeOf(c),
			"request_id", requestIDOf(c), "stack", string(debug.Stack()))
		if c.Writer.Written() {
			c.Abort()
			return
		}
		c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: errorDetail{
			Code: "internal", Message: "internal error; the server log has the details"}})
	}()
	c.Next()
}

// limitBody caps the request body at MaxBodyBytes: a declared length over
// the cap is refused at once, an undeclared one fails when reading crosses it.
func (s *server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.MaxBodyBytes {
		fail(c, fmt.Errorf("%w: %w", errTooLarge, &http.MaxBytesError{Limit: s.MaxBodyBytes}))
		return
	}
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.MaxBodyBytes)
	}
	c.Next()
}

// requireJSON refuses a state-changing request that carries a body in any
// type but JSON (415). Together with SameSite=Lax session cookies this is
// our CSRF defence: a cross-site HTML form can only send urlencoded,
// multipart or text/plain bodies, and a cross-site fetch with a JSON type
// needs a CORS preflight that this server never grants.
func requireJSON(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		c.Next()
		return
	}
	if c.Request.ContentLength == 0 { // -1 (unknown, chunked) counts as a body
		c.Next()
		return
	}
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || (mt != "application/json" && mt != "application/geo+json") {
		fail(c, &publicError{kind: errUnsupportedMedia, field: "Content-Type",
			msg: fmt.Sprintf("a request body must be sent as Content-Type: application/json, got %q", c.GetHeader("Content-Type"))})
		return
	}
	c.Next()
}
