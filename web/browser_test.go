package web

// The browser test harness: the real router on the SQLite store with a small
// demo city, served by httptest, driven by Debian's Chromium through chromedp.
//
// One browser per test binary (started on first use, closed by TestMain);
// every test gets a fresh browser context (its own cookies and storage) and
// tab. Without Chromium, or without the built front end (make ui), the
// browser tests skip, and fail under CI=true. Screenshots go to
// $GRIDPLAN_ARTIFACTS, else testdata/artifacts (ignored by git).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"gridplan/data"
	"gridplan/data/demo"
	"gridplan/data/sqlite"
)

// browserFlags are the Chromium flags known to work on this project's
// machines (no sandbox as root, no GPU, no background network calls to
// Google in a closed network); STACK.md lists them.
var browserFlags = []chromedp.ExecAllocatorOption{
	chromedp.NoFirstRun,
	chromedp.NoDefaultBrowserCheck,
	chromedp.Headless,
	chromedp.Flag("no-sandbox", true),
	chromedp.Flag("disable-gpu", true),
	chromedp.Flag("disable-quic", true),
	chromedp.Flag("disable-background-networking", true),
	chromedp.Flag("disable-component-update", true),
	chromedp.Flag("disable-sync", true),
	chromedp.Flag("disable-extensions", true),
	chromedp.Flag("disable-dev-shm-usage", true),
	chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
	chromedp.Flag("enable-unsafe-swiftshader", true),
	chromedp.Flag("force-color-profile", "srgb"),
	chromedp.Flag("hide-scrollbars", true),
	chromedp.Flag("mute-audio", true),
	chromedp.Flag("lang", "en-US"),
	chromedp.WindowSize(1280, 800),
}

// browserTimeout bounds one step (a navigation, a wait); the race detector
// makes the server several times slower, so it is generous.
const browserTimeout = 45 * time.Second

// shared holds what every browser test of this binary reuses.
var shared struct {
	once    sync.Once
	err     error
	skip    string // why browser tests cannot run (no Chromium, no front end)
	browser context.Context
	close   []func()

	siteOnce sync.Once
	site     *browserSite
	siteErr  error
}

// TestMain closes the shared browser and site after all tests.
func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(shared.close) - 1; i >= 0; i-- {
		shared.close[i]()
	}
	os.Exit(code)
}

// chromiumPath finds the browser: $GRIDPLAN_CHROMIUM, /usr/bin/chromium,
// or chromium on PATH.
func chromiumPath() (string, error) {
	if p := os.Getenv("GRIDPLAN_CHROMIUM"); p != "" {
		return p, nil
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("Chromium not found (apt-get install chromium, or set GRIDPLAN_CHROMIUM)")
}

// needBrowser skips the test (fails it with CI=true) when browser tests
// cannot run, and returns the shared browser's context otherwise.
func needBrowser(tb testing.TB) context.Context {
	tb.Helper()
	shared.once.Do(startBrowser)
	reason := shared.skip
	if reason == "" && shared.err != nil {
		reason = shared.err.Error()
	}
	if reason != "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("browser tests cannot run under CI=true: %s", reason)
		}
		tb.Skipf("browser tests skipped: %s", reason)
	}
	return shared.browser
}

func startBrowser() {
	if _, err := fs.Stat(uiFiles, "ui/dist/index.html"); err != nil {
		shared.skip = "the front end is not built into this test binary (run make ui)"
		return
	}
	exe, err := chromiumPath()
	if err != nil {
		shared.skip = err.Error()
		return
	}
	dir, err := os.MkdirTemp("", "gridplan-chromium-")
	if err != nil {
		shared.err = err
		return
	}
	opts := append([]chromedp.ExecAllocatorOption{chromedp.ExecPath(exe), chromedp.UserDataDir(dir)}, browserFlags...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	shared.close = append(shared.close, func() { _ = os.RemoveAll(dir) }, cancelAlloc, cancelBrowser)
	// The first Do starts the browser and binds it to bctx, which has no
	// deadline: per-step timeouts derive from the tabs' contexts instead.
	if err := chromedp.Do(bctx); err != nil {
		shared.err = fmt.Errorf("start %s: %w", exe, err)
		return
	}
	shared.browser = bctx
}

// browserSite is the server the browser tests talk to: the real router on a
// SQLite store holding a small demo city (password demo.DemoPassword).
type browserSite struct {
	URL   string
	Store data.Store
	City  *demo.City
}

// siteCustomers is the demo city's size: a few dozen grids, enough
// customers for tiles to show at every zoom, and a load of about a second.
const siteCustomers = 3000

// newBrowserSite returns the shared demo site, building it on first use.
// Tests must not change its data in ways that others would see (they log
// in, read and log out); a test that edits makes a site of its own with
// startBrowserSite.
func newBrowserSite(tb testing.TB) *browserSite {
	tb.Helper()
	shared.siteOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gridplan-browser-site-")
		if err != nil {
			shared.siteErr = err
			return
		}
		shared.close = append(shared.close, func() { _ = os.RemoveAll(dir) })
		s, closeSite, err := startBrowserSite(filepath.Join(dir, "gridplan.db"), siteCustomers, Deps{})
		if err != nil {
			shared.siteErr = err
			return
		}
		shared.close = append(shared.close, closeSite)
		shared.site = s
	})
	if shared.siteErr != nil {
		tb.Fatalf("browser site: %v", shared.siteErr)
	}
	return shared.site
}

// startBrowserSite loads a demo city of n customers into a new SQLite file
// and serves the router on it. deps.Store is set here; a zero Basemap
// becomes BasemapNone (the tests have no network).
func startBrowserSite(dbPath string, n int, deps Deps) (*browserSite, func(), error) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", dbPath, err)
	}
	fail := func(err error) (*browserSite, func(), error) { _ = st.Close(); return nil, nil, err }
	if err := st.Migrate(ctx); err != nil {
		return fail(fmt.Errorf("migrate: %w", err))
	}
	city, err := demo.Generate(demo.Options{Seed: 7, Customers: n, Now: t0})
	if err != nil {
		return fail(fmt.Errorf("generate demo city: %w", err))
	}
	if err := demo.Load(ctx, st, city, nil); err != nil {
		return fail(fmt.Errorf("load demo city: %w", err))
	}
	deps.Store = st
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Basemap == (Basemap{}) {
		deps.Basemap = Basemap{URL: BasemapNone}
	}
	srv := httptest.NewServer(NewRouter(deps))
	return &browserSite{URL: srv.URL, Store: st, City: city}, func() { srv.Close(); _ = st.Close() }, nil
}

// page is one browser tab in a fresh browser context, on a site.
type page struct {
	t    testing.TB
	ctx  context.Context
	site *browserSite
	step int

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// pageOptions configure newPage.
type pageOptions struct {
	// AcceptLanguage, when set, is the browser's language list (navigator.languages).
	AcceptLanguage string
	Width, Height  int64
}

// newPage opens a tab in a new browser context (no cookies, empty storage)
// and closes it when the test ends. Uncaught exceptions in the page fail
// the test; console errors are logged.
func newPage(tb testing.TB, site *browserSite, opts pageOptions) *page {
	tb.Helper()
	bctx := needBrowser(tb)
	tctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	p := &page{t: tb, ctx: tctx, site: site}
	// The first Do creates the tab; it must not carry a deadline.
	if err := chromedp.Do(tctx); err != nil {
		cancel()
		tb.Fatalf("open tab: %v", err)
	}
	messages := chromedp.Console(tctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.console = append(p.console, m)
			p.mu.Unlock()
		}
	}()
	tb.Cleanup(func() {
		cancel()
		<-done
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, m := range p.console {
			switch {
			case m.IsException():
				tb.Errorf("uncaught exception in the page: %s (%s:%d)", m, m.URL, m.Line+1)
			case strings.Contains(m.Text, "Content Security Policy"):
				tb.Errorf("the page broke its Content-Security-Policy: %s", m)
			case strings.Contains(m.Text, "Failed to load resource"):
				// a 401 probe or a refused tile: the test checks what matters
			case m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning:
				tb.Logf("console.%s: %s", m.Type, m)
			}
		}
	})
	w, h := opts.Width, opts.Height
	if w == 0 {
		w, h = 1280, 800
	}
	p.do(chromedp.EmulateViewport(w, h))
	if opts.AcceptLanguage != "" {
		// The user agent is required by the command: keep the browser's own.
		ua := evalJS[string](p, `navigator.userAgent`)
		ctx, cancelStep := context.WithTimeout(tctx, browserTimeout)
		defer cancelStep()
		if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: opts.AcceptLanguage}); err != nil {
			tb.Fatalf("set languages %q: %v", opts.AcceptLanguage, err)
		}
	}
	return p
}

// do runs actions in order with the step timeout; any error fails the test.
func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, browserTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.shot("failed")
		p.t.Fatalf("browser: %v", err)
	}
}

// open navigates to a path of the site ("/#/map").
func (p *page) open(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.site.URL + path))
}

// evalJS evaluates expr in the page and decodes its value (a promise is awaited).
func evalJS[T any](p *page, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, browserTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, awaitPromise))
	if err != nil {
		p.shot("failed")
		p.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// awaitPromise makes Evaluate wait for a promise's value.
func awaitPromise(p *runtime.EvaluateParams) { p.AwaitPromise = new(true) }

// waitFor polls the JavaScript predicate until it is truthy; on timeout it
// fails the test, saying what was awaited.
func (p *page) waitFor(what, predicate string) {
	p.t.Helper()
	p.waitForWithin(what, predicate, browserTimeout)
}

func (p *page) waitForWithin(what, predicate string, d time.Duration) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, d+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!("+predicate+")", chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(d))); err != nil {
		p.shot("timeout")
		p.t.Fatalf("waiting for %s (%s): %v", what, predicate, err)
	}
}

// text is the text content of the first element matching css ("" when none).
func (p *page) text(css string) string {
	p.t.Helper()
	return evalJS[string](p, fmt.Sprintf(`(document.querySelector(%s) || {}).textContent || ""`, jsString(css)))
}

// count is the number of elements matching css.
func (p *page) count(css string) int {
	p.t.Helper()
	return evalJS[int](p, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(css)))
}

// login signs in through the login form and waits for the shell.
func (p *page) login(username, password string) {
	p.t.Helper()
	p.open("/")
	p.waitFor("the login form", `document.querySelector("#login-form")`)
	p.do(
		chromedp.SendKeys(chromedp.CSS("#login-username"), username),
		chromedp.SendKeys(chromedp.CSS("#login-password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")),
	)
	p.waitFor("the shell after login", `document.querySelector(".topbar .main-nav")`)
}

// waitMap waits until the map page has drawn its grids (as many SVG paths
// as the API has grids) and returns that number.
func (p *page) waitMap() int {
	p.t.Helper()
	p.waitFor("the map page", `window.gridplan && window.gridplan.view`)
	p.waitFor("the grids", `window.gridplan.view.grids.data.features.length > 0 &&
		document.querySelectorAll(".leaflet-overlay-pane svg path.grid").length === window.gridplan.view.grids.data.features.length`)
	return p.count(".leaflet-overlay-pane svg path.grid")
}

// shot saves a screenshot as <artifacts>/<Test>-<n>-<name>.png.
func (p *page) shot(name string) {
	p.t.Helper()
	dir := artifactsDir(p.t)
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, browserTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	p.step++
	file := filepath.Join(dir, fmt.Sprintf("%s-%02d-%s.png", strings.NewReplacer("/", "_", " ", "_").Replace(p.t.Name()), p.step, name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	p.t.Logf("screenshot: %s", file)
}

// artifactsDir is $GRIDPLAN_ARTIFACTS or testdata/artifacts, created on demand.
func artifactsDir(tb testing.TB) string {
	dir := os.Getenv("GRIDPLAN_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Logf("artifacts folder %s: %v", dir, err)
		return ""
	}
	return dir
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
