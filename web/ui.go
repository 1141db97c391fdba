package web

import (
	"bytes"
	"embed"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	slashpath "path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// uiFiles is the built front end (web/ui, `make ui`): dist/index.html and
// content-hashed files under dist/assets. Before the first npm build dist
// holds only PLACEHOLDER.txt (committed so that this embed compiles), and
// the page says how to build.
//
//go:embed all:ui/dist
var uiFiles embed.FS

// Basemap defaults: OpenStreetMap's standard tiles and the attribution
// their licence asks for.
const (
	DefaultBasemapURL         = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	DefaultBasemapAttribution = `&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors`
	// BasemapNone as Basemap.URL turns the basemap off: the map shows its
	// vector layers on a blank background (offline sites, tests).
	BasemapNone = "none"
)

// Basemap is the raster tile layer under the map pages.
type Basemap struct {
	// URL is a Leaflet tile URL template ({z}/{x}/{y}, optionally {s}).
	// Empty means DefaultBasemapURL; BasemapNone means no basemap.
	URL string
	// Attribution is HTML shown in the map's corner. Empty with the default
	// URL means DefaultBasemapAttribution.
	Attribution string
}

// resolved applies the defaults: the URL the page gets ("" for none) and its attribution.
func (b Basemap) resolved() (urlTemplate, attribution string) {
	switch b.URL {
	case BasemapNone:
		return "", ""
	case "":
		b.URL = DefaultBasemapURL
	}
	if b.Attribution == "" && b.URL == DefaultBasemapURL {
		b.Attribution = DefaultBasemapAttribution
	}
	return b.URL, b.Attribution
}

// uiConfig is GET /api/config: the server settings the pages need.
type uiConfig struct {
	Basemap basemapJSON `json:"basemap"`
	// RequireApproval says whether publishing a plan needs a leader's
	// approval first, so the pages offer Submit rather than Publish.
	RequireApproval bool `json:"require_approval"`
}

type basemapJSON struct {
	URL         string `json:"url"`
	Attribution string `json:"attribution"`
}

// uiAssetMaxAge is how long browsers keep an asset: forever, as its name
// changes with its content.
const uiAssetMaxAge = "public, max-age=31536000, immutable"

// ui is the parsed embedded front end.
type ui struct {
	index  []byte // nil when the front end is not built
	assets fs.FS
	csp    string
}

func newUI(files fs.FS, basemapURL string) *ui {
	u := &ui{csp: contentSecurityPolicy(basemapURL)}
	if b, err := fs.ReadFile(files, "ui/dist/index.html"); err == nil {
		u.index = b
	}
	sub, err := fs.Sub(files, "ui/dist/assets")
	if err != nil { // fs.Sub fails only on an invalid path: a programming error
		panic("web: ui assets: " + err.Error())
	}
	u.assets = sub
	return u
}

// notBuiltPage is served at / when the binary was built without the front
// end (go build before npm run build).
var notBuiltPage = []byte(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gridplan: front end not built</title></head>
<body style="font: 15px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>gridplan</h1>
<p>The web front end is not built into this binary: run <code>make build</code>
(or <code>make run</code>), which runs the npm build of <code>web/ui</code> first.
The API under <code>/api</code> works all the same.</p>
<p lang="zh-CN">此程序未包含前端页面：请运行 <code>make build</code>（或 <code>make run</code>）。</p>
</body></html>
`)

// contentSecurityPolicy allows scripts, styles and requests from gridplan
// only, and images from the basemap's host too. Styles allow 'unsafe-inline'
// because Leaflet positions everything with style attributes.
func contentSecurityPolicy(basemapURL string) string {
	img := "'self' data: blob:"
	if src := cspSource(basemapURL); src != "" {
		img += " " + src
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"img-src " + img,
		"connect-src 'self'",
		"font-src 'self' data:",
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// cspSource turns a tile URL template into a CSP source: its scheme and
// host, with a leading "{s}." subdomain as "*."; a host with other
// placeholders allows the whole scheme (https:).
func cspSource(tmpl string) string {
	if tmpl == "" {
		return ""
	}
	u, err := url.Parse(strings.NewReplacer("{s}", "s", "{z}", "0", "{x}", "0", "{y}", "0", "{r}", "").Replace(tmpl))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	host := tmpl[len(u.Scheme)+3:]
	if i := strings.IndexByte(host, '/'); i >= 0 {
		host = host[:i]
	}
	switch {
	case !strings.Contains(host, "{"):
		return u.Scheme + "://" + host
	case strings.HasPrefix(host, "{s}.") && !strings.Contains(host[4:], "{"):
		return u.Scheme + "://*." + host[4:]
	default:
		return u.Scheme + ":"
	}
}

// registerUI serves the front end: / (index.html, never cached) and
// /assets/* (hashed names, cached for good; gzip when the build made a .gz
// and the client accepts it).
func (s *server) registerUI(g *gin.RouterGroup) {
	basemap, _ := s.Basemap.resolved()
	u := newUI(uiFiles, basemap)
	g.GET("/", u.serveIndex)
	g.GET("/assets/*file", u.serveAsset)
}

// registerConfig serves GET /api/config to any logged-in user.
func (s *server) registerConfig(g *gin.RouterGroup) {
	urlTmpl, attribution := s.Basemap.resolved()
	cfg := uiConfig{Basemap: basemapJSON{URL: urlTmpl, Attribution: attribution}, RequireApproval: s.RequireApproval}
	g.GET("", func(c *gin.Context) { c.JSON(http.StatusOK, cfg) })
}

func (u *ui) serveIndex(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	if u.index == nil {
		c.Data(http.StatusServiceUnavailable, "text/html; charset=utf-8", notBuiltPage)
		return
	}
	h.Set("Content-Security-Policy", u.csp)
	c.Data(http.StatusOK, "text/html; charset=utf-8", u.index)
}

func (u *ui) serveAsset(c *gin.Context) {
	name := strings.TrimPrefix(slashpath.Clean(c.Param("file")), "/")
	if name == "" || name == "." || strings.HasSuffix(name, ".gz") || !fs.ValidPath(name) {
		c.Error(errNoRoute)
		return
	}
	body, err := fs.ReadFile(u.assets, name)
	if errors.Is(err, fs.ErrNotExist) {
		c.Error(errNoRoute)
		return
	}
	if err != nil {
		c.Error(err)
		return
	}
	h := c.Writer.Header()
	ctype := mime.TypeByExtension(slashpath.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", uiAssetMaxAge)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	if acceptsGzip(c.GetHeader("Accept-Encoding")) {
		if gz, err := fs.ReadFile(u.assets, name+".gz"); err == nil {
			h.Set("Content-Encoding", "gzip")
			body = gz
		}
	}
	// ServeContent handles HEAD and Range; the hashed name is the version,
	// so no Last-Modified is needed.
	http.ServeContent(c.Writer, c.Request, name, time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip (not
// refused with q=0).
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}
