package web

import (
	"context"
	"fmt"

	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gridplan/data/demo"
	"gridplan/territory"
)

// gridCount is the number of live grids in the site's store.
func gridCount(tb testing.TB, s *browserSite) int {
	tb.Helper()
	gs, err := s.Store.Grids(context.Background(), territory.GridFilter{})
	if err != nil {
		tb.Fatalf("grids: %v", err)
	}
	return len(gs)
}

func TestBrowserPlannerMap(t *testing.T) {
	site := newBrowserSite(t)
	p := newPage(t, site, pageOptions{})
	p.login("planner", demo.DemoPassword)
	if got := p.text(".main-nav a.active"); got != "Map" {
		t.Errorf("active navigation item %q, want Map (the planner lands on the map)", got)
	}
	want := gridCount(t, site)
	if got := p.waitMap(); got != want {
		t.Errorf("map draws %d grid paths, want %d (the store's grids)", got, want)
	}
	p.waitFor("the district boundaries", `document.querySelectorAll(".gp-districts-pane path, .leaflet-gp-districts-pane path").length > 0`)
	p.waitFor("the overview", `/\d+ grids/.test(document.querySelector("[data-testid=map-summary]").textContent)`)
	p.shot("map")

	// Labels appear from zoom 12 for the grids in view: code, and the counts
	// when the server sends them.
	firstCode := evalJS[string](p, `window.gridplan.view.grids.data.features[0].properties.code`)
	evalJS[any](p, `(() => { const v = window.gridplan.view; const f = v.grids.data.features[0];
		const b = L.geoJSON(f).getBounds(); v.map.setView(b.getCenter(), 15, {animate: false}); })()`)
	p.waitFor("the centred grid's label", fmt.Sprintf(`[...document.querySelectorAll(".grid-label")].some(e => e.textContent.startsWith(%s))`, jsString(firstCode)))
	label := evalJS[string](p, fmt.Sprintf(`[...document.querySelectorAll(".grid-label")].find(e => e.textContent.startsWith(%s)).textContent`, jsString(firstCode)))
	if evalJS[bool](p, `"customer_count" in window.gridplan.view.grids.data.features[0].properties`) {
		want := evalJS[string](p, `window.gridplan.view.grids.data.features[0].properties.customer_count.toLocaleString("en-US") + " customers"`)
		managers := evalJS[int](p, `window.gridplan.view.grids.data.features[0].properties.manager_count`)
		wantManagers := fmt.Sprintf("%d managers", managers)
		if managers == 1 {
			wantManagers = "1 manager ·" // singular, then the customers
		}
		if !strings.Contains(label, want) || !strings.Contains(label, wantManagers) {
			t.Errorf("label %q lacks %q and the manager count that /api/grids sends", label, want)
		}
	}
	p.shot("labels")

	// Resources are fetched for the area in view from zoom 12 on.
	if n := evalJS[int](p, `window.gridplan.view.resources.data.features.length`); n != 0 && evalJS[int](p, `window.gridplan.view.map.getZoom()`) < 12 {
		t.Errorf("%d resources loaded below zoom 12", n)
	}
	evalJS[any](p, `fetch("/api/resources").then(r => r.json()).then(fc => { window.__res = fc.features[0];
		window.gridplan.view.map.setView(L.geoJSON(window.__res).getBounds().getCenter(), 15, {animate: false}); })`)
	p.waitFor("the resource in view", `window.gridplan.view.resources.data.features.some(f => f.properties.id === window.__res.properties.id)`)
	if !evalJS[bool](p, `performance.getEntriesByType("resource").some(e => /\/api\/resources\?bbox=/.test(e.name))`) {
		t.Error("the map fetched resources without a bbox: want only those around the view")
	}
	p.shot("resources")

	// The legend names every stage and the layer switcher every layer.
	for _, want := range []string{"Target", "In network", "Customers per km²", "Under construction"} {
		if !strings.Contains(p.text(".legend"), want) {
			t.Errorf("legend lacks %q", want)
		}
	}
	switcher := p.text(".leaflet-control-layers")
	for _, want := range []string{"Blank", "Districts", "Grids", "Grid labels", "Customers", "Network resources"} {
		if !strings.Contains(switcher, want) {
			t.Errorf("layer switcher lacks %q: %q", want, switcher)
		}
	}
	if strings.Contains(switcher, "Basemap") {
		t.Errorf("layer switcher offers a basemap although the site's basemap is none")
	}
	// A click inside a grid opens its popup, even where the resources'
	// canvas lies above the grid polygons (it takes every click in its pane).
	evalJS[any](p, `(() => { const v = window.gridplan.view; v.map.closePopup();
		v.map.setView(L.geoJSON(v.grids.data.features[0]).getBounds().getCenter(), 12, {animate: false}); })()`)
	at := evalJS[[]float64](p, `(() => { const v = window.gridplan.view; const f = v.grids.data.features[0];
		const c = L.geoJSON(f).getBounds().getCenter(); return [c.lat, c.lng]; })()`)
	x, y := p.mapPoint(at[0], at[1])
	p.do(chromedp.MouseClickXY(x, y))
	p.waitFor("the grid's popup", fmt.Sprintf(`(document.querySelector(".leaflet-popup-content")?.textContent ?? "").includes(%s)`, jsString(firstCode)))
	p.shot("grid-popup")

	// The planner module builds on Geoman: it must be loaded on the map.
	if !evalJS[bool](p, `!!(window.L && L.PM && window.gridplan.view.map.pm)`) {
		t.Error("Leaflet-Geoman is not loaded on the map")
	}
}

// TestBrowserOfflineBasemap: a basemap that cannot be reached (no network)
// leaves the vector layers on a blank background.
func TestBrowserOfflineBasemap(t *testing.T) {
	needBrowser(t)
	// 127.0.0.1:9 (discard) refuses at once: as good as no network.
	site, closeSite, err := startBrowserSite(filepath.Join(t.TempDir(), "offline.db"), 600, Deps{Basemap: Basemap{URL: "http://127.0.0.1:9/{z}/{x}/{y}.png", Attribution: "Offline tiles"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeSite)
	p := newPage(t, site, pageOptions{})
	p.login("planner", demo.DemoPassword)
	if got, want := p.waitMap(), gridCount(t, site); got != want {
		t.Errorf("map draws %d grids without its basemap, want %d", got, want)
	}
	p.waitFor("the basemap's failed tiles", `document.querySelectorAll(".leaflet-tile-pane img.leaflet-tile").length > 0`)
	if !strings.Contains(p.text(".leaflet-control-attribution"), "Offline tiles") {
		t.Errorf("attribution %q lacks the configured credit", p.text(".leaflet-control-attribution"))
	}
	if !strings.Contains(p.text(".leaflet-control-layers"), "Basemap") {
		t.Errorf("layer switcher lacks the basemap")
	}
	p.waitFor("customer hexagons", `window.gridplan.view.customers.stats().hexes > 0`)
	p.shot("offline")
}

func TestBrowserCustomerTiles(t *testing.T) {
	site := newBrowserSite(t)
	p := newPage(t, site, pageOptions{})
	p.login("planner", demo.DemoPassword)
	p.waitMap()

	// Street level: points coloured by stage, around a customer.
	evalJS[any](p, `fetch("/api/customers?limit=1").then(r => r.json()).then(d => {
		const c = d.items[0]; window.gridplan.view.map.setView([c.lat, c.lng], 16, {animate: false}); })`)
	p.waitFor("customer points", `window.gridplan.view.customers.stats().points > 0`)
	if n := canvasInk(p); n == 0 {
		t.Errorf("customer tiles hold points but their canvases are blank")
	}
	st := evalJS[map[string]float64](p, `window.gridplan.view.customers.stats()`)
	if st["hexes"] != 0 {
		t.Errorf("zoom 16 shows %v hexagons, want points only", st["hexes"])
	}
	if st["errors"] != 0 {
		t.Errorf("%v tile requests failed", st["errors"])
	}
	p.shot("points")

	// City level: hexagons; together they count the customers in view, so
	// zoomed out over the whole city they hold (about) everyone.
	evalJS[any](p, `window.gridplan.view.fitAll()`)
	p.waitFor("customer hexagons", `window.gridplan.view.customers.stats().hexes > 0 && window.gridplan.view.map.getZoom() < 14`)
	p.waitFor("all tiles loaded", `!window.gridplan.view.customers.isLoading()`)
	if n := canvasInk(p); n == 0 {
		t.Errorf("customer tiles hold hexagons but their canvases are blank")
	}
	st = evalJS[map[string]float64](p, `window.gridplan.view.customers.stats()`)
	if st["points"] != 0 {
		t.Errorf("zoom < 14 shows %v points, want hexagons only", st["points"])
	}
	// A hexagon cut by a tile edge is counted in both tiles, so the sum
	// can exceed the total, but never fall short of it.
	if got := int(st["hexCustomers"]); got < siteCustomers {
		t.Errorf("hexagons over the whole city count %d customers, want at least %d", got, siteCustomers)
	}
	p.shot("hexagons")
}

// canvasInk counts the non-transparent pixels of the customer tiles' canvases.
func canvasInk(p *page) int {
	p.t.Helper()
	return evalJS[int](p, `(() => { let n = 0;
		for (const c of document.querySelectorAll(".gp-customers-pane canvas, .leaflet-gp-customers-pane canvas")) {
			const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
			for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
		}
		return n; })()`)
}

func TestBrowserLanguage(t *testing.T) {
	site := newBrowserSite(t)

	t.Run("English browser, switch to Chinese and remember it", func(t *testing.T) {
		p := newPage(t, site, pageOptions{AcceptLanguage: "en-US,en"})
		p.open("/")
		p.waitFor("the login form", `document.querySelector("#login-form")`)
		if got := p.text("#login-submit"); got != "Sign in" {
			t.Fatalf("login button %q, want Sign in", got)
		}
		evalJS[any](p, `document.querySelector("[data-testid=lang-switch]").click()`)
		p.waitFor("the Chinese login form", `document.querySelector("#login-submit").textContent === "登录"`)
		if lang := evalJS[string](p, `document.documentElement.lang`); lang != "zh-CN" {
			t.Errorf("html lang %q after the switch, want zh-CN", lang)
		}
		p.shot("login-zh")
		p.login("planner", demo.DemoPassword) // reloads the page: the choice must stick
		if got := p.text(".main-nav a.active"); got != "地图" {
			t.Errorf("navigation %q after reload, want 地图 (the remembered choice)", got)
		}
		p.waitMap()
		if !strings.Contains(p.text(".legend"), "在网客户") {
			t.Errorf("legend not in Chinese: %q", p.text(".legend"))
		}
		p.shot("map-zh")
		// And back, inside the shell.
		evalJS[any](p, `document.querySelector("[data-testid=lang-switch]").click()`)
		p.waitFor("the English shell", `document.querySelector(".main-nav a.active").textContent === "Map"`)
	})

	t.Run("Chinese browser gets Chinese", func(t *testing.T) {
		p := newPage(t, site, pageOptions{AcceptLanguage: "zh-CN,zh;q=0.9,en;q=0.8"})
		p.open("/")
		p.waitFor("the login form", `document.querySelector("#login-form")`)
		if got := p.text("#login-submit"); got != "登录" {
			t.Fatalf("login button %q for a Chinese browser, want 登录", got)
		}
	})
}

func TestBrowserNavigationByRole(t *testing.T) {
	site := newBrowserSite(t)
	manager := site.City.Managers[0]
	tests := []struct {
		user string
		want []string // the navigation's pages, in order
	}{
		{"planner", []string{"map", "plans", "coverage", "funnel", "list", "balance"}},
		{"leader", []string{"map", "plans", "coverage", "funnel", "list"}},
		{"admin", []string{"map", "plans", "coverage", "funnel", "list", "balance", "users"}},
		{manager.Code, []string{"list", "route"}},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			p := newPage(t, site, pageOptions{})
			p.login(tt.user, demo.DemoPassword)
			got := evalJS[[]string](p, `[...document.querySelectorAll(".main-nav a")].map(a => a.dataset.page)`)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("navigation %v, want %v", got, tt.want)
			}
			if active := evalJS[string](p, `document.querySelector(".main-nav a.active").dataset.page`); active != tt.want[0] {
				t.Errorf("lands on %q, want %q", active, tt.want[0])
			}
			if tt.user != manager.Code {
				return
			}
			// A manager who types a planner's address gets a refusal, not the page.
			p.open("/#/map")
			p.waitFor("the refusal", `document.querySelector("#page") && /cannot open/.test(document.querySelector("#page").textContent)`)
			if p.count(".leaflet-container") != 0 {
				t.Error("the manager's browser built the planner's map")
			}
			p.shot("manager-refused")
		})
	}
}

func TestBrowserLogout(t *testing.T) {
	site := newBrowserSite(t)
	p := newPage(t, site, pageOptions{})
	p.login("admin", demo.DemoPassword)
	p.open("/#/users")
	p.waitFor("the users table", `document.querySelector("#users-table tr[data-user=planner]")`)
	p.shot("users")
	evalJS[any](p, `document.querySelector("#logout").click()`)
	p.waitFor("the login form", `document.querySelector("#login-form")`)
	if status := evalJS[int](p, `fetch("/api/me").then(r => r.status)`); status != 401 {
		t.Errorf("GET /api/me after logout: %d, want 401", status)
	}
	// Back does not bring the shell back.
	p.open("/#/users")
	p.waitFor("the login form again", `document.querySelector("#login-form")`)
	p.shot("logged-out")
}

func TestBrowserBadLogin(t *testing.T) {
	site := newBrowserSite(t)
	p := newPage(t, site, pageOptions{})
	p.open("/")
	p.waitFor("the login form", `document.querySelector("#login-form")`)
	evalJS[any](p, `(() => { document.querySelector("#login-username").value = "planner";
		document.querySelector("#login-password").value = "wrong password";
		document.querySelector("#login-submit").click(); })()`)
	p.waitFor("the error", `/Wrong username or password/.test(document.querySelector(".login-error").textContent)`)
	if p.count(".topbar") != 0 {
		t.Error("a wrong password opened the shell")
	}
}
