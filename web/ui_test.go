package web

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"
)

// uiRouter serves the front-end handlers on files, with the router's error
// rendering, the way registerUI does on the embedded files.
func uiRouter(tb testing.TB, files fs.FS, basemap string) http.Handler {
	tb.Helper()
	s := &server{Deps: Deps{}.withDefaults()}
	r := gin.New()
	r.Use(s.renderErrors)
	u := newUI(files, basemap)
	r.GET("/", u.serveIndex)
	r.GET("/assets/*file", u.serveAsset)
	return r
}

func gz(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func serveUI(h http.Handler, path, acceptEncoding string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestUIServing(t *testing.T) {
	js := []byte(strings.Repeat("console.log('gridplan');", 50))
	built := fstest.MapFS{
		"ui/dist/index.html":            {Data: []byte(`<!doctype html><script defer src="/assets/app-X.js"></script>`)},
		"ui/dist/assets/app-X.js":       {Data: js},
		"ui/dist/assets/app-X.js.gz":    {Data: gz(t, js)},
		"ui/dist/assets/app-X.css":      {Data: []byte("body{}")},
		"ui/dist/assets/marker-Y.png":   {Data: []byte("\x89PNG")},
		"ui/dist/PLACEHOLDER.txt":       {Data: []byte("placeholder")},
		"ui/dist/assets/nested/deep.js": {Data: []byte("deep")},
	}
	h := uiRouter(t, built, "https://{s}.tile.example.org/{z}/{x}/{y}.png")

	t.Run("index", func(t *testing.T) {
		rec := serveUI(h, "/", "")
		wantStatus(t, rec, http.StatusOK)
		if !strings.Contains(rec.Body.String(), "/assets/app-X.js") {
			t.Errorf("body %q", rec.Body)
		}
		for header, want := range map[string]string{
			"Content-Type":            "text/html; charset=utf-8",
			"Cache-Control":           "no-cache",
			"X-Content-Type-Options":  "nosniff",
			"X-Frame-Options":         "DENY",
			"Content-Security-Policy": "img-src 'self' data: blob: https://*.tile.example.org;",
		} {
			if got := rec.Header().Get(header); !strings.Contains(got, want) {
				t.Errorf("%s: %q, want it to contain %q", header, got, want)
			}
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("CSP %q: want scripts from gridplan only", csp)
		}
	})

	tests := []struct {
		name, path, acceptEncoding string
		status                     int
		ctype, encoding            string
		body                       []byte
	}{
		{"script", "/assets/app-X.js", "", http.StatusOK, "text/javascript; charset=utf-8", "", js},
		{"script gzipped", "/assets/app-X.js", "br, gzip;q=0.8", http.StatusOK, "text/javascript; charset=utf-8", "gzip", gz(t, js)},
		{"gzip refused", "/assets/app-X.js", "gzip;q=0, br", http.StatusOK, "text/javascript; charset=utf-8", "", js},
		{"css without .gz", "/assets/app-X.css", "gzip", http.StatusOK, "text/css; charset=utf-8", "", []byte("body{}")},
		{"image", "/assets/marker-Y.png", "", http.StatusOK, "image/png", "", []byte("\x89PNG")},
		{"nested", "/assets/nested/deep.js", "", http.StatusOK, "text/javascript; charset=utf-8", "", []byte("deep")},
		{"missing", "/assets/app-Z.js", "", http.StatusNotFound, "application/json", "", nil},
		{"the .gz itself", "/assets/app-X.js.gz", "", http.StatusNotFound, "application/json", "", nil},
		{"folder", "/assets/", "", http.StatusNotFound, "application/json", "", nil},
		{"climbing out", "/assets/../index.html", "", http.StatusNotFound, "application/json", "", nil},
		{"climbing out, encoded", "/assets/..%2fPLACEHOLDER.txt", "", http.StatusNotFound, "application/json", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serveUI(h, tt.path, tt.acceptEncoding)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, tt.ctype) {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			if tt.status != http.StatusOK {
				wantError(t, rec, tt.status, "not_found", "")
				return
			}
			if got := rec.Header().Get("Content-Encoding"); got != tt.encoding {
				t.Errorf("Content-Encoding %q, want %q", got, tt.encoding)
			}
			if got := rec.Header().Get("Cache-Control"); got != uiAssetMaxAge {
				t.Errorf("Cache-Control %q, want %q", got, uiAssetMaxAge)
			}
			if got := rec.Header().Get("Vary"); got != "Accept-Encoding" {
				t.Errorf("Vary %q", got)
			}
			if !bytes.Equal(rec.Body.Bytes(), tt.body) {
				t.Errorf("body %q, want %q", rec.Body.Bytes(), tt.body)
			}
		})
	}

	t.Run("not built", func(t *testing.T) {
		h := uiRouter(t, fstest.MapFS{"ui/dist/PLACEHOLDER.txt": {Data: []byte("x")}}, "")
		rec := serveUI(h, "/", "")
		wantStatus(t, rec, http.StatusServiceUnavailable)
		if !strings.Contains(rec.Body.String(), "make build") {
			t.Errorf("the not-built page does not say to run make build: %s", rec.Body)
		}
		if rec := serveUI(h, "/assets/app-X.js", ""); rec.Code != http.StatusNotFound {
			t.Errorf("asset of an unbuilt front end: %d, want 404", rec.Code)
		}
	})
}

// TestEmbeddedUI checks the front end embedded in this binary: the index
// names a script and a stylesheet that the router serves. Before `make ui`
// the placeholder page is served instead; under CI=true (make test builds
// the front end first) that is a failure.
func TestEmbeddedUI(t *testing.T) {
	w := newWorld(t)
	rec := w.get(t, "", "/")
	if rec.Code == http.StatusServiceUnavailable {
		if os.Getenv("CI") == "true" {
			t.Fatal("the front end is not built into the binary (make ui runs before go test in make test)")
		}
		t.Skip("front end not built (run make ui): the placeholder page is served")
	}
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	refs := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(refs) != 2 {
		t.Fatalf("index.html references %d assets, want a script and a stylesheet:\n%s", len(refs), body)
	}
	for _, ref := range refs {
		a := w.do(t, request{Method: http.MethodGet, Path: ref[1]})
		wantStatus(t, a, http.StatusOK)
		if a.Body.Len() < 1000 {
			t.Errorf("%s: only %d bytes", ref[1], a.Body.Len())
		}
	}
}

func TestConfigEndpoint(t *testing.T) {
	tests := []struct {
		name                 string
		basemap              Basemap
		wantURL, wantCredit  string
		wantCreditSubstrings []string
	}{
		{"default", Basemap{}, DefaultBasemapURL, DefaultBasemapAttribution, []string{"OpenStreetMap"}},
		{"none", Basemap{URL: BasemapNone, Attribution: "ignored"}, "", "", nil},
		{"custom", Basemap{URL: "https://tiles.example.cn/{z}/{x}/{y}.png", Attribution: "© Example"}, "https://tiles.example.cn/{z}/{x}/{y}.png", "© Example", nil},
		{"custom without credit", Basemap{URL: "https://tiles.example.cn/{z}/{x}/{y}.png"}, "https://tiles.example.cn/{z}/{x}/{y}.png", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorldDeps(t, Deps{Basemap: tt.basemap})
			wantError(t, w.get(t, "", "/api/config"), http.StatusUnauthorized, "unauthorized", "")
			for _, user := range []string{"planner", "zhang"} { // any logged-in role
				rec := w.get(t, user, "/api/config")
				wantStatus(t, rec, http.StatusOK)
				var cfg uiConfig
				decode(t, rec, &cfg)
				if cfg.Basemap.URL != tt.wantURL || cfg.Basemap.Attribution != tt.wantCredit {
					t.Errorf("as %s: basemap %+v, want url %q attribution %q", user, cfg.Basemap, tt.wantURL, tt.wantCredit)
				}
			}
		})
	}
	for _, approval := range []bool{false, true} {
		w := newWorldDeps(t, Deps{RequireApproval: approval})
		var cfg uiConfig
		decode(t, w.get(t, "planner", "/api/config"), &cfg)
		if cfg.RequireApproval != approval {
			t.Errorf("RequireApproval %v: /api/config says %v", approval, cfg.RequireApproval)
		}
	}
}

func TestCSPSource(t *testing.T) {
	tests := []struct{ in, want string }{
		{DefaultBasemapURL, "https://tile.openstreetmap.org"},
		{"https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"},
		{"http://localhost:8081/tiles/{z}/{x}/{y}.png", "http://localhost:8081"},
		{"https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&l={z}", "https:"},
		{"", ""},
		{"tiles/{z}/{x}/{y}.png", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := cspSource(tt.in); got != tt.want {
				t.Errorf("cspSource(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"gzip, deflate, br, zstd", true},
		{"br;q=1.0, GZIP;q=0.5", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"identity", false},
		{"x-gzip", false},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			if got := acceptsGzip(tt.header); got != tt.want {
				t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
			}
		})
	}
}
