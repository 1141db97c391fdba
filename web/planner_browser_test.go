package web

// Browser tests of the planner pages (web/ui/src/planner): a planner draws a
// grid over customers in a draft, checks the preview against the API's own,
// saves, publishes, finds the version in the history and restores the
// previous one; a manager cannot reach the plans API; two planners editing
// the same grid; a validation error that is clickable and blocks
// publishing; split and merge previews against what the saves did, and the
// comparison of the split draft with the published plan; the approval flow;
// the search box. Each test edits, so each runs on a site of its own (a
// small demo city, about a second to load). Screenshots of every step go to
// the artifacts folder (browser_test.go).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"gridplan/data/demo"
	"gridplan/territory"
)

// plannerSiteCustomers keeps the edit tests' sites small: enough customers
// for every grid to hold some, a load well under a second.
const plannerSiteCustomers = 2000

// draftsSite is a site shared by the tests that edit drafts only (never
// the published plan): each works in a draft of its own, so the others do
// not see its edits. Sharing it saves a demo city load per test (about
// 0.7 s, 3.5 s under the race detector).
var draftsSite struct {
	once sync.Once
	site *browserSite
	err  error
}

func newDraftsSite(tb testing.TB) *browserSite {
	tb.Helper()
	needBrowser(tb)
	draftsSite.once.Do(func() {
		dir, err := os.MkdirTemp("", "gridplan-drafts-site-")
		if err != nil {
			draftsSite.err = err
			return
		}
		shared.close = append(shared.close, func() { _ = os.RemoveAll(dir) })
		site, closeSite, err := startBrowserSite(filepath.Join(dir, "drafts.db"), plannerSiteCustomers, Deps{})
		if err != nil {
			draftsSite.err = err
			return
		}
		shared.close = append(shared.close, closeSite)
		draftsSite.site = site
	})
	if draftsSite.err != nil {
		tb.Fatalf("drafts site: %v", draftsSite.err)
	}
	return draftsSite.site
}

// newPlannerSite starts a site of the test's own (its data is edited).
func newPlannerSite(tb testing.TB, deps Deps) *browserSite {
	tb.Helper()
	needBrowser(tb)
	site, closeSite, err := startBrowserSite(filepath.Join(tb.TempDir(), "plans.db"), plannerSiteCustomers, deps)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(closeSite)
	return site
}

// loginAs logs in and makes uncaught errors of the page log their stack
// (console.error, which the harness reports): the harness's own report of
// an exception gives only its line in the minified bundle.
func (p *page) loginAs(user string) {
	p.t.Helper()
	p.login(user, demo.DemoPassword)
	evalJS[any](p, `window.addEventListener("error", e => console.error("stack of the uncaught error at " + location.hash + ": " + (e.error && e.error.stack)))`)
}

// click clicks the first element matching css (a DOM click: the element's
// handlers run as for a mouse click); it fails the test when none matches.
func (p *page) click(css string) {
	p.t.Helper()
	p.waitFor("the element "+css, fmt.Sprintf(`document.querySelector(%s)`, jsString(css)))
	if !evalJS[bool](p, fmt.Sprintf(`(() => { const el = document.querySelector(%s); if (el.disabled) return false; el.click(); return true; })()`, jsString(css))) {
		p.shot("disabled")
		p.t.Fatalf("%s is disabled", css)
	}
}

// setValue types v into the input or select matching css (value + input and change events).
func (p *page) setValue(css, v string) {
	p.t.Helper()
	p.waitFor("the field "+css, fmt.Sprintf(`document.querySelector(%s)`, jsString(css)))
	evalJS[any](p, fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.value = %s;
		el.dispatchEvent(new Event("input", {bubbles: true})); el.dispatchEvent(new Event("change", {bubbles: true})); })()`, jsString(css), jsString(v)))
}

// fetchResult is what page.fetch answers.
type fetchResult struct {
	Status int    `json:"status"`
	Body   string `json:"body"`
}

// fetch calls the API from the page (with its session cookie) and returns
// the status and body; body, when not nil, is sent as JSON.
func (p *page) fetch(method, path string, body any) fetchResult {
	p.t.Helper()
	init := fmt.Sprintf(`{method: %s, headers: {"Content-Type": "application/json", Accept: "application/json"}}`, jsString(method))
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			p.t.Fatal(err)
		}
		init = fmt.Sprintf(`{method: %s, headers: {"Content-Type": "application/json", Accept: "application/json"}, body: %s}`, jsString(method), jsString(string(b)))
	}
	return evalJS[fetchResult](p, fmt.Sprintf(`fetch(%s, %s).then(async r => ({status: r.status, body: await r.text()}))`, jsString(path), init))
}

// decodeBody decodes a fetch result's JSON body into v.
func decodeBody(tb testing.TB, r fetchResult, v any) {
	tb.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		tb.Fatalf("decode %q: %v", r.Body, err)
	}
}

// mapPoint is where lat, lng is on the page (CSS pixels from the viewport's corner).
func (p *page) mapPoint(lat, lng float64) (x, y float64) {
	p.t.Helper()
	xy := evalJS[[]float64](p, fmt.Sprintf(`(() => { const m = window.gridplan.view.map;
		const pt = m.latLngToContainerPoint([%v, %v]); const r = m.getContainer().getBoundingClientRect();
		return [r.left + pt.x, r.top + pt.y]; })()`, lat, lng))
	return xy[0], xy[1]
}

// clickMap moves the mouse to lat, lng and clicks there (real mouse events,
// as Geoman expects them while drawing).
func (p *page) clickMap(lat, lng float64) {
	p.t.Helper()
	x, y := p.mapPoint(lat, lng)
	// Geoman places the vertex where its hint marker is, which follows the
	// mouse (and snaps) on mousemove: give it a frame to do so first.
	p.do(chromedp.MouseEvent(chromedp.MouseMoved, x, y))
	evalJS[any](p, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(1))))`)
	p.do(chromedp.MouseClickXY(x, y))
}

// waitPlan waits until the map shows plan id with its grids and, for a
// draft, its validation report.
func (p *page) waitPlan(id int64) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("plan %d on the map", id), fmt.Sprintf(`(() => { const ed = window.gridplan && window.gridplan.planner;
		if (!ed || !ed.plan || ed.plan.id !== %d) return false;
		const n = ed.features.filter(f => !f.properties.removed).length;
		if (document.querySelectorAll(".leaflet-overlay-pane svg path.grid").length !== n) return false;
		const s = ed.plan.status;
		return (s !== "draft" && s !== "pending_approval") || !!document.querySelector("[data-testid=validation-summary]"); })()`, id))
}

// planIDFromHash is the plan id of the current #/map/plan/ID route.
func (p *page) planIDFromHash() int64 {
	p.t.Helper()
	p.waitFor("a plan route", `/^#\/map\/plan\/\d+$/.test(location.hash)`)
	return int64(evalJS[float64](p, `Number(location.hash.split("/")[3])`))
}

// drawRect draws a polygon through the corners with Geoman (real clicks),
// then finishes it with the panel's Finish button.
func (p *page) drawPolygon(corners [][2]float64) {
	p.t.Helper()
	p.click("[data-testid=tool-draw]")
	p.waitFor("draw mode", `window.gridplan.view.map.pm.globalDrawModeEnabled()`)
	for _, c := range corners {
		p.clickMap(c[1], c[0])
	}
	p.waitFor("the drawn corners", fmt.Sprintf(`window.gridplan.view.map.pm.Draw.Polygon._layer.getLatLngs().length === %d`, len(corners)))
	p.click("[data-testid=tool-finish]")
}

// waitPreview waits for the preview dialog's figures and returns the moved count shown.
func (p *page) waitPreview() int {
	p.t.Helper()
	p.waitFor("the preview", `document.querySelector("[data-testid=preview-dialog] [data-testid=preview][data-state=ready]")`)
	if s := evalJS[string](p, `document.querySelector("[data-testid=preview]").dataset.state`); s != "ready" {
		p.t.Fatalf("preview state %s: %s", s, p.text("[data-testid=preview]"))
	}
	return int(evalJS[float64](p, `Number((document.querySelector("[data-testid=preview-moved]") || {dataset: {moved: -1}}).dataset.moved)`))
}

// apiPreviewOfLastEdit posts the feature the page previewed to the API
// itself and returns the moved count the API gives.
func (p *page) apiPreviewOfLastEdit(planID int64, query string) int {
	p.t.Helper()
	feature := evalJS[map[string]any](p, `window.gridplan.lastEdit.feature`)
	r := p.fetch("POST", fmt.Sprintf("/api/plans/%d/preview%s", planID, query), map[string]any{"grid": feature})
	if r.Status != 200 {
		p.t.Fatalf("API preview: %d %s", r.Status, r.Body)
	}
	var d territory.PlanDiff
	decodeBody(p.t, r, &d)
	return d.Moved
}

// planFeatures is the plan's grids as the editor has them.
type planGridJS struct {
	ID            int64     `json:"id"`
	GridID        int64     `json:"grid_id"`
	Code          string    `json:"code"`
	DistrictID    int64     `json:"district_id"`
	Version       int       `json:"version"`
	Removed       bool      `json:"removed"`
	CustomerCount int       `json:"customer_count"`
	ManagerCount  int       `json:"manager_count"`
	BBox          []float64 `json:"bbox"` // west, south, east, north
}

func (p *page) planGrids() []planGridJS {
	p.t.Helper()
	return evalJS[[]planGridJS](p, `window.gridplan.planner.features.map(f => { const b = L.geoJSON(f).getBounds();
		return {...f.properties, bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]}; })`)
}

// busiest is the active grid of the plan with the most customers.
func busiest(gs []planGridJS) planGridJS {
	var best planGridJS
	for _, g := range gs {
		if !g.Removed && g.CustomerCount > best.CustomerCount {
			best = g
		}
	}
	return best
}

// fitGrid zooms the map onto a plan grid (no animation) and waits for it.
func (p *page) fitGrid(id int64) {
	p.t.Helper()
	evalJS[any](p, fmt.Sprintf(`(() => { const ed = window.gridplan.planner; const path = ed.layer.path(%d);
		window.__moved = false; ed.view.map.once("moveend", () => window.__moved = true);
		ed.view.map.fitBounds(path.getBounds(), {padding: [60, 60], animate: false}); })()`, id))
	p.waitFor("the map on the grid", `window.__moved`)
}

func TestBrowserPlannerFlow(t *testing.T) {
	site := newPlannerSite(t, Deps{})
	ctx := context.Background()
	baseline := gridCount(t, site)
	p := newPage(t, site, pageOptions{})

	// Log in as planner: the map shows the live grids.
	p.loginAs("planner")
	if got := p.waitMap(); got != baseline {
		t.Errorf("map draws %d grids, want %d", got, baseline)
	}
	p.waitFor("the live version", `document.querySelector("[data-testid=live-version]")`)
	p.shot("map")

	// The plans page: the live grids are version 1; a new draft of it.
	p.open("/#/plans")
	p.waitFor("the history", `document.querySelector("#history-table tr[data-number='1'][data-status=published]")`)
	p.shot("plans")
	p.click("[data-testid=new-draft]")
	draftID := p.planIDFromHash()
	p.waitPlan(draftID)
	if n := p.count(".leaflet-overlay-pane svg path.grid"); n != baseline {
		t.Errorf("the draft shows %d grids, want the %d of the published plan", n, baseline)
	}
	p.shot("draft")

	// Draw a grid over existing customers: a rectangle in the middle of the
	// busiest grid.
	target := busiest(p.planGrids())
	if target.CustomerCount == 0 {
		t.Fatal("no grid of the draft holds customers")
	}
	p.fitGrid(target.ID)
	w, s, e, n := target.BBox[0], target.BBox[1], target.BBox[2], target.BBox[3]
	dx, dy := (e-w)*0.2, (n-s)*0.2
	cx, cy := (w+e)/2, (s+n)/2
	p.drawPolygon([][2]float64{{cx - dx, cy - dy}, {cx + dx, cy - dy}, {cx + dx, cy + dy}, {cx - dx, cy + dy}})
	p.waitFor("the new grid's form", `document.querySelector("[data-testid=grid-form]")`)
	if got := evalJS[string](p, `document.querySelector("[data-testid=grid-district]").value`); got != fmt.Sprint(target.DistrictID) {
		t.Errorf("the form proposes district %s, want %d (the one the grid is drawn in)", got, target.DistrictID)
	}
	p.setValue("[data-testid=grid-code]", "NEW-01")
	p.setValue("[data-testid=grid-name]", "新网格 NEW-01")
	p.shot("grid-form")
	p.click("[data-testid=grid-form-dialog] [data-action=ok]")

	// The preview's count of moved customers is the API's for the same shape.
	moved := p.waitPreview()
	if want := p.apiPreviewOfLastEdit(draftID, ""); moved != want || moved == 0 {
		t.Errorf("the preview shows %d customers moving, the API says %d for the same shape (want them equal and > 0)", moved, want)
	}
	if rows := p.count("[data-testid=preview-customers] tbody tr"); rows != min(moved, territory.MaxDiffCustomers) {
		t.Errorf("the preview lists %d customers, want %d", rows, min(moved, territory.MaxDiffCustomers))
	}
	if !strings.Contains(p.text("[data-testid=preview-grids]"), target.Code) || !strings.Contains(p.text("[data-testid=preview-grids]"), "NEW-01") {
		t.Errorf("the preview's grid table lacks %s or NEW-01: %q", target.Code, p.text("[data-testid=preview-grids]"))
	}
	p.shot("preview")

	// Save: the draft has the grid; the validation finds no error.
	p.click("[data-testid=preview-dialog] [data-action=save]")
	p.waitFor("the saved grid", `window.gridplan.planner.features.some(f => f.properties.code === "NEW-01" && !f.properties.removed)
		&& document.querySelector("[data-testid=validation-summary]")`)
	p.waitPlan(draftID)
	if errs := evalJS[float64](p, `Number(document.querySelector("[data-testid=validation-summary]").dataset.errors)`); errs != 0 {
		t.Fatalf("validation after drawing a grid: %v errors: %s", errs, p.text("#validation-panel"))
	}
	p.shot("saved")

	// Publish: the live map shows the new grid, and its customers are in it.
	p.click("[data-testid=plan-publish]")
	p.click("[data-testid=confirm-dialog] [data-action=ok]")
	p.waitFor("the live map after publishing", `location.hash === "#/map" && window.gridplan.view &&
		window.gridplan.view.grids.data.features.some(f => f.properties.code === "NEW-01")`)
	live, err := site.Store.Grids(ctx, territory.GridFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var newID int64
	for _, g := range live {
		if g.Code == "NEW-01" {
			newID = g.ID
		}
	}
	in, err := site.Store.Customers(ctx, territory.CustomerFilter{GridID: newID, Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if newID == 0 || len(in) != moved {
		t.Errorf("after publishing, live grid NEW-01 (%d) holds %d customers, want the %d the preview announced", newID, len(in), moved)
	}
	p.waitFor("version 2 on the live map", `/2/.test(document.querySelector("[data-testid=live-version]").textContent)`)
	p.shot("published")

	// The history: version 2 published by the planner, version 1 archived.
	p.open("/#/plans")
	p.waitFor("version 2 in the history", `document.querySelector("#history-table tr[data-number='2'][data-status=published]")`)
	if by := p.text(`#history-table tr[data-number='2'] [data-testid=published-by]`); by != "planner" {
		t.Errorf("version 2 published by %q, want planner", by)
	}
	if p.count(`#history-table tr[data-number='1'][data-status=archived]`) != 1 {
		t.Errorf("version 1 is not archived in the history: %q", p.text("#history-table"))
	}
	p.shot("history")

	// Version 1 read-only on the map, then restored as a new draft and
	// published: the live grids are those of version 1 again.
	p.click(`#history-table tr[data-number='1'] [data-testid=view-plan]`)
	v1 := p.planIDFromHash()
	p.waitPlan(v1)
	if p.count("[data-testid=tool-draw]") != 0 || !p.has("[data-testid=plan-restore]") {
		t.Error("an archived version offers editing tools, or no restore")
	}
	p.shot("version-1")
	p.click("[data-testid=plan-restore]")
	p.waitFor("the restored draft", fmt.Sprintf(`/^#\/map\/plan\/\d+$/.test(location.hash) && location.hash !== "#/map/plan/%d"`, v1))
	restored := p.planIDFromHash()
	p.waitPlan(restored)
	if evalJS[bool](p, `window.gridplan.planner.active().some(f => f.properties.code === "NEW-01")`) {
		t.Error("the draft restored from version 1 still has NEW-01")
	}
	p.shot("restored-draft")
	p.click("[data-testid=plan-publish]")
	p.click("[data-testid=confirm-dialog] [data-action=ok]")
	p.waitFor("the live map after the restore", `location.hash === "#/map" && window.gridplan.view &&
		window.gridplan.view.grids.data.features.length > 0 && !window.gridplan.view.grids.data.features.some(f => f.properties.code === "NEW-01")`)
	if got := gridCount(t, site); got != baseline {
		t.Errorf("after restoring version 1: %d live grids, want %d", got, baseline)
	}
	if in, _ := site.Store.Customers(ctx, territory.CustomerFilter{GridID: newID, Limit: 10}); len(in) != 0 {
		t.Errorf("%d customers still in the removed grid NEW-01", len(in))
	}
	p.shot("restored-live")

	// A manager cannot reach the plans API, whatever the page would do.
	m := newPage(t, site, pageOptions{})
	m.step = 20 // the manager's screenshots sort after the planner's
	m.loginAs(site.City.Managers[0].Code)
	feature := map[string]any{"type": "Feature", "properties": map[string]any{"code": "M-01", "district_id": target.DistrictID},
		"geometry": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{cx - dx, cy - dy}, {cx + dx, cy - dy}, {cx + dx, cy + dy}, {cx - dx, cy - dy}}}}}
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/plans", nil},
		{"POST", "/api/plans", map[string]any{}},
		{"POST", fmt.Sprintf("/api/plans/%d/grids", restored), feature},
		{"POST", fmt.Sprintf("/api/plans/%d/preview", restored), map[string]any{"grid": feature}},
		{"POST", fmt.Sprintf("/api/plans/%d/publish", restored), map[string]any{"version": 1}},
	} {
		if r := m.fetch(c.method, c.path, c.body); r.Status != 403 {
			t.Errorf("manager %s %s: %d %s, want 403", c.method, c.path, r.Status, r.Body)
		}
	}
	m.open("/#/plans")
	m.waitFor("the refusal", `/cannot open/.test(document.querySelector("#page").textContent)`)
	m.shot("manager-refused")
}

// has tells whether an element matches css.
func (p *page) has(css string) bool {
	p.t.Helper()
	return p.count(css) > 0
}

// newDraftByAPI makes a draft of the published plan from the page's session.
func (p *page) newDraftByAPI(name string) territory.Plan {
	p.t.Helper()
	r := p.fetch("POST", "/api/plans", map[string]any{"name": name})
	if r.Status != 201 {
		p.t.Fatalf("new draft: %d %s", r.Status, r.Body)
	}
	var pl territory.Plan
	decodeBody(p.t, r, &pl)
	return pl
}

// dragVertex drags vertex k of the edited grid's outer ring by dx, dy pixels with the mouse.
func (p *page) dragVertex(k int, dx, dy float64) {
	p.t.Helper()
	xy := evalJS[[]float64](p, fmt.Sprintf(`(() => { const ed = window.gridplan.planner; const path = ed.layer.path(ed.selected[0]);
		let ms = path.pm._markers; while (Array.isArray(ms[0])) ms = ms[0];
		const r = ms[%d]._icon.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`, k))
	x, y := xy[0], xy[1]
	p.do(chromedp.MouseEvent(chromedp.MouseMoved, x, y), chromedp.MouseEvent(chromedp.MousePressed, x, y, leftHeld, chromedp.ClickCount(1)))
	for i := 1; i <= 5; i++ {
		p.do(chromedp.MouseEvent(chromedp.MouseMoved, x+dx*float64(i)/5, y+dy*float64(i)/5, leftHeld))
	}
	p.do(chromedp.MouseEvent(chromedp.MouseReleased, x+dx, y+dy, leftHeld, chromedp.ClickCount(1)))
}

// leftHeld marks a mouse event as made with the left button held (a drag).
func leftHeld(p *input.DispatchMouseEventParams) {
	p.Button = input.MouseButtonLeft
	p.Buttons = 1
}

// TestBrowserPlannerConflict: two planners reshape the same grid of a
// draft; the second save gets the server's conflict message, overwrites
// nothing, and the reload shows the first planner's shape.
func TestBrowserPlannerConflict(t *testing.T) {
	site := newDraftsSite(t)
	ctx := context.Background()
	hash, err := territory.HashPassword(demo.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	err = site.Store.CreateUser(ctx, &territory.User{Username: "planner2", DisplayName: "第二规划员", Role: territory.RolePlanner, PasswordHash: hash, CreatedAt: t0})
	if err != nil && !errors.Is(err, territory.ErrConflict) { // (there already with -count=2: the site is shared)
		t.Fatal(err)
	}
	a := newPage(t, site, pageOptions{})
	a.loginAs("planner")
	draft := a.newDraftByAPI("两人同时编辑")
	b := newPage(t, site, pageOptions{})
	b.step = 10 // B's screenshots sort after A's
	b.loginAs("planner2")

	var grid planGridJS
	for i, pg := range []*page{a, b} {
		pg.open(fmt.Sprintf("/#/map/plan/%d", draft.ID))
		pg.waitPlan(draft.ID)
		if i == 0 {
			grid = busiest(pg.planGrids())
		}
		pg.fitGrid(grid.ID)
		// Select the grid with a click on it, then edit its vertices.
		in := evalJS[[]float64](pg, fmt.Sprintf(`window.gridplan.planner.interiorPoint(%d)`, grid.ID))
		pg.clickMap(in[0], in[1])
		pg.waitFor("the grid selected", fmt.Sprintf(`window.gridplan.planner.selected[0] === %d`, grid.ID))
		pg.click("[data-testid=tool-edit]")
		pg.waitFor("the vertex handles", `document.querySelectorAll(".marker-icon").length > 0`)
	}
	a.dragVertex(0, 25, 15)
	a.shot("a-editing")
	a.click("[data-testid=tool-finish]")
	a.waitPreview()
	a.click("[data-testid=preview-dialog] [data-action=save]")
	a.waitFor("A's save", fmt.Sprintf(`window.gridplan.planner.grid(%d).properties.version > %d`, grid.ID, grid.Version))
	a.shot("a-saved")

	b.dragVertex(1, -20, 20)
	b.click("[data-testid=tool-finish]")
	b.waitPreview()
	b.click("[data-testid=preview-dialog] [data-action=save]")
	b.waitFor("the conflict", `document.querySelector("[data-testid=conflict-dialog]")`)
	msg := b.text("[data-testid=conflict-message]")
	if !strings.Contains(msg, grid.Code) || !strings.Contains(msg, "changed by planner") {
		t.Errorf("conflict message %q: want the grid's code and who changed it", msg)
	}
	b.shot("b-conflict")
	// Nothing of B's was saved: the grid is at A's version.
	pg, err := site.Store.PlanGrid(ctx, grid.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pg.Version != grid.Version+1 || pg.UpdatedBy != "planner" {
		t.Errorf("after the refused save the grid is at version %d by %s, want %d by planner", pg.Version, pg.UpdatedBy, grid.Version+1)
	}
	b.click("[data-testid=conflict-dialog] [data-action=reload]")
	b.waitFor("the reloaded grid", fmt.Sprintf(`window.gridplan.planner.grid(%d).properties.version === %d`, grid.ID, pg.Version))
	b.shot("b-reloaded")
}

// TestBrowserPlannerValidation: deleting a grid without giving its area to
// a neighbour leaves a gap; the report lists it as an error, clicking it
// zooms to the gap and highlights it, and publishing is disabled.
func TestBrowserPlannerValidation(t *testing.T) {
	site := newDraftsSite(t)
	p := newPage(t, site, pageOptions{})
	p.loginAs("planner")
	draft := p.newDraftByAPI("留下空白")
	p.open(fmt.Sprintf("/#/map/plan/%d", draft.ID))
	p.waitPlan(draft.ID)
	if !p.has("[data-testid=plan-publish]:not([disabled])") {
		t.Fatalf("publish is not offered for a valid draft: %s", p.text("#plan-panel"))
	}
	grid := busiest(p.planGrids())
	p.fitGrid(grid.ID)
	evalJS[any](p, fmt.Sprintf(`window.gridplan.planner.select([%d])`, grid.ID))
	p.click("[data-testid=tool-delete]")
	p.waitFor("the delete dialog", `document.querySelector("[data-testid=delete-dialog]")`)
	if grid.ManagerCount > 0 && evalJS[string](p, `document.querySelector("[data-testid=delete-successor]").value`) == "" {
		t.Error("the delete dialog proposes no successor for a grid with managers")
	}
	evalJS[any](p, `(() => { const c = document.querySelector("[data-testid=delete-give-area]"); c.checked = false; c.dispatchEvent(new Event("change")); })()`)
	p.shot("delete-dialog")
	p.click("[data-testid=delete-dialog] [data-action=ok]")
	p.waitFor("the gap note", `document.querySelector("[data-testid=preview-dialog] [data-testid=preview-note]")`)
	p.shot("delete-preview")
	p.click("[data-testid=preview-dialog] [data-action=save]")
	p.waitFor("the gap error", `document.querySelector("#validation-panel .violation.error[data-kind=gap]")`)
	if !p.has("[data-testid=plan-publish][disabled]") || !p.has("[data-testid=plan-blocked]") {
		t.Errorf("publishing is not blocked while the report has errors: %s", p.text("#plan-panel"))
	}
	// The server refuses it too, with the report.
	if r := p.fetch("POST", fmt.Sprintf("/api/plans/%d/publish", draft.ID), map[string]any{"version": int(evalJS[float64](p, `window.gridplan.planner.plan.version`))}); r.Status != 409 || !strings.Contains(r.Body, `"report"`) {
		t.Errorf("publish of a plan with a gap: %d %s, want 409 with the report", r.Status, r.Body)
	}
	p.shot("gap-listed")

	// Click it: the map zooms to the gap and highlights it.
	evalJS[any](p, `void window.gridplan.view.map.setView([0, 0], 5, {animate: false})`)
	p.click("#validation-panel .violation.error[data-kind=gap] button")
	p.waitFor("the highlighted gap", `document.querySelector("#validation-panel .violation.active[data-kind=gap]")`)
	p.waitFor("the map on the gap", fmt.Sprintf(`(() => { const m = window.gridplan.view.map; const b = m.getBounds();
		return b.contains([%v, %v]) && m.getZoom() >= 12; })()`, (grid.BBox[1]+grid.BBox[3])/2, (grid.BBox[0]+grid.BBox[2])/2))
	if n := p.count(".leaflet-overlay-pane path.violation-shape"); n == 0 {
		t.Error("the gap is not drawn on the map")
	}
	if n := evalJS[int](p, `window.gridplan.planner.validation.highlight.getLayers().length`); n == 0 {
		t.Error("the clicked violation is not highlighted")
	}
	p.shot("gap-zoomed")

	// Give up: delete the draft from the plans page.
	p.open("/#/plans")
	row := fmt.Sprintf(`#drafts-table tr[data-plan="%d"]`, draft.ID)
	p.click(row + " [data-testid=delete-plan]")
	p.click("[data-testid=confirm-dialog] [data-action=ok]")
	p.waitFor("the draft gone", fmt.Sprintf(`document.querySelector("#drafts-table, #drafts-empty") && !document.querySelector(%s)`, jsString(row)))
	if _, err := site.Store.Plan(context.Background(), draft.ID); err == nil {
		t.Error("the deleted draft is still in the store")
	}
}

// TestBrowserPlannerSplitMerge: the previews of a split (the page cuts the
// grid for the preview) and of a merge announce what the saves then do.
func TestBrowserPlannerSplitMerge(t *testing.T) {
	site := newDraftsSite(t)
	p := newPage(t, site, pageOptions{})
	p.loginAs("planner")
	draft := p.newDraftByAPI("拆分与合并")
	p.open(fmt.Sprintf("/#/map/plan/%d", draft.ID))
	p.waitPlan(draft.ID)
	grid := busiest(p.planGrids())
	p.fitGrid(grid.ID)
	evalJS[any](p, fmt.Sprintf(`window.gridplan.planner.select([%d])`, grid.ID))

	// Split with a line across the grid, a third of the way from its west edge.
	p.click("[data-testid=tool-split]")
	p.waitFor("line mode", `window.gridplan.view.map.pm.globalDrawModeEnabled()`)
	w, s, e, n := grid.BBox[0], grid.BBox[1], grid.BBox[2], grid.BBox[3]
	x := w + (e-w)/3
	p.clickMap(n+(n-s)*0.1, x)
	p.clickMap(s-(n-s)*0.1, x+(e-w)*0.05)
	p.click("[data-testid=tool-finish]")
	moved := p.waitPreview()
	p.shot("split-preview")
	p.click("[data-testid=preview-dialog] [data-action=save]")
	p.waitFor("the split", fmt.Sprintf(`window.gridplan.planner.active().some(f => f.properties.code.startsWith(%s + "-"))`, jsString(grid.Code)))
	diff := p.fetch("POST", fmt.Sprintf("/api/plans/%d/preview", draft.ID), nil)
	var after territory.PlanDiff
	decodeBody(t, diff, &after)
	if moved == 0 || after.Moved != moved {
		t.Errorf("the split's preview announced %d moved customers, the draft after the split moves %d (want equal, > 0)", moved, after.Moved)
	}
	p.waitPlan(draft.ID)
	p.shot("split-saved")

	// The draft beside the published plan: the split grid and its new half differ.
	p.click("[data-testid=plan-compare]")
	p.waitFor("the comparison", `document.querySelector("[data-testid=compare-summary]")`)
	if got, want := p.text("[data-testid=compare-summary]"), fmt.Sprintf("2 of %d grids differ.", gridCount(t, site)+1); got != want {
		t.Errorf("comparison summary %q, want %q", got, want)
	}
	newHalf := fmt.Sprintf(`#compare-table tr.only-a[data-code^=%s]`, jsString(grid.Code+"-"))
	if !p.has(newHalf) || !p.has(fmt.Sprintf(`#compare-table tr.differs[data-code=%s]`, jsString(grid.Code))) {
		t.Errorf("the comparison lacks the split grid or its new half: %q", p.text("#compare-table"))
	}
	if got := p.text(fmt.Sprintf(`#compare-table tr.only-a[data-code^=%s] td[data-col=customers]`, jsString(grid.Code+"-"))); got != fmt.Sprint(moved) {
		t.Errorf("the new half holds %q customers in the comparison, want %d", got, moved)
	}
	p.shot("compare")
	p.open(fmt.Sprintf("/#/map/plan/%d", draft.ID))
	p.waitPlan(draft.ID)

	// Merge the two halves back: the preview counts what the draft moves after.
	var halves []int64
	for _, g := range p.planGrids() {
		if !g.Removed && (g.Code == grid.Code || strings.HasPrefix(g.Code, grid.Code+"-")) {
			halves = append(halves, g.ID)
		}
	}
	slices.Sort(halves)
	if len(halves) != 2 {
		t.Fatalf("after the split: grids %v, want two", halves)
	}
	evalJS[any](p, fmt.Sprintf(`window.gridplan.planner.select([%d, %d])`, halves[0], halves[1]))
	p.click("[data-testid=tool-merge]")
	p.click("[data-testid=merge-dialog] [data-action=ok]")
	moved = p.waitPreview()
	p.shot("merge-preview")
	p.click("[data-testid=preview-dialog] [data-action=save]")
	p.waitFor("the merge", fmt.Sprintf(`window.gridplan.planner.active().filter(f => f.properties.code.startsWith(%s)).length === 1`, jsString(grid.Code)))
	decodeBody(t, p.fetch("POST", fmt.Sprintf("/api/plans/%d/preview", draft.ID), nil), &after)
	if after.Moved != moved {
		t.Errorf("the merge's preview announced %d moved customers, the draft after the merge moves %d", moved, after.Moved)
	}
	if moved != 0 {
		t.Errorf("merging the two halves back moves %d customers against the published plan, want 0", moved)
	}
	p.waitPlan(draft.ID)
	p.shot("merged")
}

// TestBrowserPlannerApproval: with approval required, the planner submits,
// the leader approves (the planner cannot), the planner publishes.
func TestBrowserPlannerApproval(t *testing.T) {
	site := newPlannerSite(t, Deps{RequireApproval: true})
	p := newPage(t, site, pageOptions{})
	p.loginAs("planner")
	draft := p.newDraftByAPI("需要审批")
	p.open(fmt.Sprintf("/#/map/plan/%d", draft.ID))
	p.waitPlan(draft.ID)
	p.click("[data-testid=plan-submit]")
	p.waitFor("the pending plan", `window.gridplan.planner.plan.status === "pending_approval"`)
	if p.has("[data-testid=plan-approve]") {
		t.Error("the planner is offered to approve")
	}
	p.shot("submitted")

	l := newPage(t, site, pageOptions{AcceptLanguage: "zh-CN,zh;q=0.9"})
	l.step = 10 // screenshots in the order of the story: planner 1–9, leader 11–19, planner again 21–
	l.loginAs("leader")
	l.open(fmt.Sprintf("/#/map/plan/%d", draft.ID))
	l.waitPlan(draft.ID)
	if l.has("[data-testid=tool-draw]") || l.has("[data-testid=plan-publish]") {
		t.Error("the leader is offered editing or publishing")
	}
	if got := l.text("[data-testid=plan-approve]"); got != "审批通过" {
		t.Errorf("the leader's (Chinese) approve button reads %q", got)
	}
	l.click("[data-testid=plan-approve]")
	l.waitFor("the approval", `window.gridplan.planner.plan.approved_by === "leader"`)
	l.shot("approved")

	p.step = 20
	p.open("/#/plans") // away and back: the page loads the plan afresh
	p.waitFor("the plans page", `document.querySelector("#drafts-table")`)
	p.open(fmt.Sprintf("/#/map/plan/%d", draft.ID))
	p.waitPlan(draft.ID)
	p.click("[data-testid=plan-publish]")
	p.click("[data-testid=confirm-dialog] [data-action=ok]")
	p.waitFor("the live map", `location.hash === "#/map"`)
	pl, err := site.Store.Plan(context.Background(), draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Status != territory.PlanPublished || pl.ApprovedBy != "leader" || pl.PublishedBy != "planner" {
		t.Errorf("plan after publishing: %s, approved by %q, published by %q", pl.Status, pl.ApprovedBy, pl.PublishedBy)
	}
	p.shot("published")
}

// TestBrowserPlannerSearch: the search box finds a grid by code and a
// customer by name, and the map goes there.
func TestBrowserPlannerSearch(t *testing.T) {
	site := newBrowserSite(t) // reads only
	p := newPage(t, site, pageOptions{})
	p.loginAs("planner")
	p.waitMap()
	code := evalJS[string](p, `window.gridplan.view.grids.data.features[3].properties.code`)
	p.setValue("[data-testid=map-search]", code)
	p.waitFor("the grid found", fmt.Sprintf(`[...document.querySelectorAll(".search-hit[data-kind=grid]")].some(e => e.textContent.startsWith(%s))`, jsString(code)))
	evalJS[any](p, `document.querySelector("[data-testid=map-search]").dispatchEvent(new KeyboardEvent("keydown", {key: "Enter"}))`)
	p.waitFor("the grid selected", fmt.Sprintf(`(() => { const v = window.gridplan.view; const f = v.grids.data.features[3];
		return v.map.getBounds().contains(L.geoJSON(f).getBounds().getCenter()) && v.map.getZoom() >= 13; })()`))
	p.shot("search-grid")
	c := site.City.Customers[0]
	p.setValue("[data-testid=map-search]", c.Name)
	p.waitFor("the customer found", `document.querySelector(".search-hit[data-kind=customer]")`)
	p.click(".search-results") // keep it open; pick with the mouse below
	evalJS[any](p, fmt.Sprintf(`document.querySelector(".search-hit[data-kind=customer][data-id='%d'], .search-hit[data-kind=customer]").dispatchEvent(new MouseEvent("mousedown", {bubbles: true}))`, c.ID))
	p.waitFor("the customer marked", `document.querySelector(".search-mark") && window.gridplan.view.map.getZoom() >= 17`)
	p.shot("search-customer")

}

// TestBrowserPlannerImportExport: a draft exported as GeoJSON and KML from
// the plans page; a GeoJSON file with a new grid imported into it through
// the page's file input.
func TestBrowserPlannerImportExport(t *testing.T) {
	site := newDraftsSite(t)
	p := newPage(t, site, pageOptions{})
	p.loginAs("planner")
	draft := p.newDraftByAPI("导入导出")
	p.open("/#/plans")
	row := fmt.Sprintf(`#drafts-table tr[data-plan="%d"]`, draft.ID)
	p.waitFor("the draft's row", fmt.Sprintf(`document.querySelector(%s)`, jsString(row)))

	// The export links give the draft's grids.
	for _, format := range []string{"geojson", "kml"} {
		href := evalJS[string](p, fmt.Sprintf(`document.querySelector(%s).getAttribute("href")`, jsString(row+" [data-testid=export-"+format+"]")))
		r := p.fetch("GET", href, nil)
		if r.Status != 200 {
			t.Fatalf("export %s: %d %s", format, r.Status, r.Body)
		}
		switch format {
		case "geojson":
			var fc struct{ Features []json.RawMessage }
			decodeBody(t, r, &fc)
			if len(fc.Features) != gridCount(t, site) {
				t.Errorf("the GeoJSON export has %d features, want %d", len(fc.Features), gridCount(t, site))
			}
		case "kml":
			if !strings.Contains(r.Body, "<kml") || strings.Count(r.Body, "<Placemark") != gridCount(t, site) {
				t.Errorf("the KML export is not the draft's %d grids: %.200s", gridCount(t, site), r.Body)
			}
		}
	}

	// Import a file holding one new grid: a small square around the centre
	// of a grid.
	var grids struct {
		Features []struct {
			Properties planGridJS
		}
	}
	decodeBody(t, p.fetch("GET", fmt.Sprintf("/api/plans/%d/grids", draft.ID), nil), &grids)
	target := grids.Features[0].Properties
	for _, f := range grids.Features {
		if f.Properties.CustomerCount > target.CustomerCount {
			target = f.Properties
		}
	}
	pt := site.City.Grids[0].Boundary.Bound().Center()
	for _, g := range site.City.Grids {
		if g.ID == target.GridID {
			pt = g.Boundary.Bound().Center()
		}
	}
	const d = 0.001
	file := filepath.Join(t.TempDir(), "grids.geojson")
	doc := fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"IMP-01","name":"导入网格","district_id":%d},
		"geometry":{"type":"Polygon","coordinates":[[[%[2]v,%[3]v],[%[4]v,%[3]v],[%[4]v,%[5]v],[%[2]v,%[5]v],[%[2]v,%[3]v]]]}}]}`,
		target.DistrictID, pt[0]-d, pt[1]-d, pt[0]+d, pt[1]+d)
	if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.SetUploadFiles(chromedp.CSS(row+" input[data-testid=import-file]"), []string{file}))
	p.waitFor("the import's result", `document.querySelector("[data-testid=import-dialog] [data-testid=import-summary]")`)
	if got := p.text("[data-testid=import-summary]"); !strings.Contains(got, "1 new grids") || !strings.Contains(got, "0 refused") {
		t.Errorf("import summary %q, want one new grid and nothing refused", got)
	}
	p.shot("imported")
	gs, err := site.Store.PlanGrids(context.Background(), draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(gs, func(g *territory.PlanGrid) bool { return g.Code == "IMP-01" && !g.Removed }) {
		t.Error("the imported grid IMP-01 is not in the draft")
	}
}

// TestBrowserPlannerSplitShapes: the page's cut of a polygon along a line
// (the split preview's new grid) on the cases it handles and the ones it
// leaves to the server.
func TestBrowserPlannerSplitShapes(t *testing.T) {
	site := newBrowserSite(t)
	p := newPage(t, site, pageOptions{})
	p.open("/")
	p.waitFor("the planner module", `window.gridplan && window.gridplan.shapes`)
	square := [][][2]float64{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}
	holed := [][][2]float64{square[0], {{0.6, 0.6}, {0.8, 0.6}, {0.8, 0.8}, {0.6, 0.8}, {0.6, 0.6}}}
	tests := []struct {
		name  string
		poly  [][][2]float64
		line  [][2]float64
		areas []float64 // of the two parts, in any order; nil: no cut
	}{
		{"straight across", square, [][2]float64{{0.3, -0.5}, {0.3, 1.5}}, []float64{0.3, 0.7}},
		{"bent line", square, [][2]float64{{0.3, -0.5}, {0.3, 0}, {0.5, 0.5}, {0.3, 1}, {0.3, 1.5}}, []float64{0.4, 0.6}},
		{"ends on the edges", square, [][2]float64{{0.5, 0}, {0.5, 1}}, []float64{0.5, 0.5}},
		{"ends a hair short of the edges", square, [][2]float64{{0.5, 0.00001}, {0.5, 0.99999}}, []float64{0.5, 0.5}},
		{"across a corner (the ring's wrap-around)", square, [][2]float64{{-0.5, 0.7}, {0.7, -0.5}}, []float64{0.02, 0.98}},
		{"beside a hole", holed, [][2]float64{{0.3, -0.5}, {0.3, 1.5}}, []float64{0.3, 0.66}},
		{"through a hole", holed, [][2]float64{{0.7, -0.5}, {0.7, 1.5}}, nil},
		{"inside only", square, [][2]float64{{0.2, 0.2}, {0.8, 0.8}}, nil},
		{"in and out twice", square, [][2]float64{{0.2, -1}, {0.2, 2}, {0.8, 2}, {0.8, -1}}, nil},
		{"outside", square, [][2]float64{{2, 0}, {2, 1}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			poly, _ := json.Marshal(tt.poly)
			line, _ := json.Marshal(tt.line)
			got := evalJS[[]float64](p, fmt.Sprintf(`(() => { const r = window.gridplan.shapes.splitPolygon(%s, %s);
				if (!r) return null;
				const area = (p) => p.reduce((s, ring, i) => { let a = 0;
					for (let k = 0, j = ring.length - 1; k < ring.length; j = k++) a += (ring[j][0] - ring[k][0]) * (ring[j][1] + ring[k][1]);
					return s + (i ? -1 : 1) * Math.abs(a / 2); }, 0);
				return r.map(area).sort((a, b) => a - b); })()`, poly, line))
			if tt.areas == nil {
				if got != nil {
					t.Errorf("cut into parts of %v, want no cut", got)
				}
				return
			}
			want := slices.Clone(tt.areas)
			slices.Sort(want)
			if len(got) != 2 || math.Abs(got[0]-want[0]) > 1e-6 || math.Abs(got[1]-want[1]) > 1e-6 {
				t.Errorf("parts of areas %v, want %v", got, want)
			}
		})
	}
}
