package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-contrib/gzip"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"gridplan/data"
	"gridplan/territory/sales"
	"gridplan/territory/snapshot"
)

// Defaults used when the corresponding Deps field is zero.
const (
	DefaultSessionTTL   = 12 * time.Hour // one working day, then log in again
	DefaultMaxBodyBytes = 1 << 20        // 1 MiB: a detailed grid polygon fits easily
)

// Deps is what the router needs. Zero fields get defaults: a discarding
// logger, time.Now, DefaultSessionTTL, DefaultMaxBodyBytes and a fresh
// registry holding the Go and process collectors. Store is required.
type Deps struct {
	Store  data.Store
	Logger *slog.Logger
	// Now is the clock; tests move it to expire sessions.
	Now func() time.Time
	// SecureCookies marks the session cookie Secure; set it whenever the
	// site is served over HTTPS (directly or behind a proxy).
	SecureCookies bool
	SessionTTL    time.Duration
	// MaxBodyBytes bounds every request body; larger ones get 413.
	MaxBodyBytes int64
	// WarmUp builds the customer snapshot and the search index right away
	// instead of at the first request that needs them (serve sets it; tests,
	// which make many routers, do not).
	WarmUp bool
	// Registry receives the HTTP metrics and is what /metrics serves.
	Registry *prometheus.Registry
	// Imports configures customer file uploads (POST /api/imports).
	Imports ImportConfig
	// RequireApproval makes publishing a grid plan a two-person step: a
	// planner submits the draft and a leader (or an admin) approves it
	// before it can be published.
	RequireApproval bool
	// Basemap is the map pages' raster tile layer (GET /api/config); the
	// zero value is OpenStreetMap's, BasemapNone none.
	Basemap Basemap
	// Route configures the canvassing routes (route.go): OSRM, time zone, planner defaults.
	Route RouteConfig
}

func (d Deps) withDefaults() Deps {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.SessionTTL <= 0 {
		d.SessionTTL = DefaultSessionTTL
	}
	if d.MaxBodyBytes <= 0 {
		d.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
		d.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return d
}

// server holds the dependencies every handler shares.
//
// Handlers pass c.Request.Context() to the store, never the *gin.Context
// itself: gin recycles its contexts once a request ends, while database/sql
// keeps watching a query's context from a goroutine of its own (a data race
// that -race finds at once).
type server struct {
	Deps
	metrics      *httpMetrics
	customers    *snapshot.Cache  // the customers behind tiles and grid counts (tiles.go)
	search       *search          // the name index behind /api/search (search.go)
	coverage     *coverageService // the coverage analysis behind /api/coverage (coverage.go)
	metricsCache *metricsCache    // province funnel reports (funnel_cache.go)
	salesSvc     *sales.Service   // claims, activities, lists, metrics (funnel.go)
}

// NewRouter returns the gin engine serving gridplan's API, health checks,
// metrics and the front end. It panics when deps.Store is nil (a wiring
// mistake, not a runtime condition).
func NewRouter(deps Deps) *gin.Engine {
	if deps.Store == nil {
		panic("web.NewRouter: Deps.Store is nil")
	}
	s := &server{Deps: deps.withDefaults(), metricsCache: newMetricsCache()}
	s.salesSvc = NewSalesService(s.Store, s.Logger, s.Now)
	s.metrics = newHTTPMetrics(s.Registry)
	go dummyHash() // hash it now, so that the first unknown-user login is not slower than later ones

	gin.SetMode(gin.ReleaseMode)
	r := gin.New() // no gin logger or recovery: ours speak slog and the JSON error shape
	r.HandleMethodNotAllowed = true
	// Outermost first: the request id exists before anything logs, metrics
	// and the log see the final status, recovery turns panics into 500s
	// that the first two still record.
	r.Use(requestID, s.observe, s.recovery, s.renderErrors)
	r.NoRoute(func(c *gin.Context) { c.Error(errNoRoute) })
	r.NoMethod(func(c *gin.Context) { c.Error(errNoMethod) })

	s.registerHealth(r.Group(""))
	s.registerUI(r.Group("")) // the front end: /, /assets/*

	api := r.Group("/api", s.limitBody)
	s.registerLogin(api)
	// Authentication first, so that an anonymous caller learns nothing but
	// 401; then the content-type check that keeps cross-site forms out.
	// JSON is compressed when the client accepts it: the grid and district
	// layers are megabytes at a province's scale (2.1 MB of grids at a
	// million customers) and compress about tenfold.
	authed := api.Group("", s.requireSession, requireJSON, gzip.Gzip(gzip.DefaultCompression), s.metricsCache.invalidateOnWrite)
	s.registerSession(authed)
	s.registerConfig(authed.Group("/config"))
	s.registerDistricts(authed.Group("/districts"))
	s.registerGrids(authed.Group("/grids"))
	s.registerManagers(authed.Group("/managers"))
	s.registerRoutes(authed.Group("/managers")) // /api/managers/:id/{route,week} (route.go)
	s.registerCustomers(authed.Group("/customers"))
	s.registerResources(authed.Group("/resources"))
	s.registerUsers(authed.Group("/users"))
	s.registerPlans(authed.Group("/plans"))
	s.registerCoverage(authed.Group("/coverage"))
	s.registerBalance(authed.Group("/balance")) // balance.go
	s.registerFunnel(authed)                    // /api/customers/:id/{claim,…}, /api/funnel/* (funnel.go)
	s.registerImports(r.Group("/api/imports"))  // uploads: own body limit, not JSON
	s.registerResourceImport(r)                 // POST /api/resources/import: an upload too
	s.registerTiles(r.Group("/tiles", s.requireSession))
	s.registerIO(r) // grid files, search, /api/openapi.json (planio.go, search.go, openapi.go)
	if s.WarmUp {
		go s.warmUp()
	}
	return r
}

// warmUp builds the customer snapshot and the search index in the
// background, so that the first map view and the first search after a start
// do not wait for them (seconds at a million customers).
func (s *server) warmUp() {
	ctx := context.Background()
	t0 := time.Now()
	if _, err := s.customers.Get(ctx); err != nil {
		s.Logger.Warn("warm up customer snapshot", "err", err)
		return
	}
	t1 := time.Now()
	if _, err := s.search.index(ctx); err != nil {
		s.Logger.Warn("warm up search index", "err", err)
		return
	}
	s.Logger.Info("warmed up", "snapshot", t1.Sub(t0).Round(time.Millisecond), "search_index", time.Since(t1).Round(time.Millisecond))
}

// noContent answers 204 with no body.
func noContent(c *gin.Context) { c.Status(http.StatusNoContent) }
