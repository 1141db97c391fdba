package web

// Browser tests of the manager's list page and the funnel charts
// (web/ui/src/lists, #/list and #/funnel) against the real funnel API on a
// demo city of their own (they claim, log activities and move customers):
// a manager at a phone's viewport claims a customer from his grid's pool,
// logs a visit with a signal in three taps (the visit carries the
// emulated position and is verified), advances the customer to potential
// after the server's 409 lists the checklist items still missing, sees
// his funnel numbers change, marks a follow-up done and releases the
// customer from the sheet; a claim of a customer another manager took
// meanwhile is refused with the holder's name; a leader picks a manager
// and reads his list, then a district's funnel chart. Screenshots of every
// step go to the artifacts folder (browser_test.go).

import (
	"context"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"gridplan/data/demo"
	"gridplan/funnel"
	"gridplan/territory"
)

// listsSiteCustomers is the size of the lists tests' demo city: every grid
// has managers, lists and a pool.
const listsSiteCustomers = 2000

// phone is the viewport of the manager's tests (an iPhone 12–15).
var phone = pageOptions{Width: 390, Height: 844}

// newListsSite starts a site of the test's own (its funnel is edited).
func newListsSite(tb testing.TB) *browserSite {
	tb.Helper()
	needBrowser(tb)
	site, closeSite, err := startBrowserSite(filepath.Join(tb.TempDir(), "lists.db"), listsSiteCustomers, Deps{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(closeSite)
	return site
}

// listCustomerJS is a customer of the list or the pool as the API gives it.
type listCustomerJS struct {
	ID     int64   `json:"id"`
	Name   string  `json:"name"`
	Stage  string  `json:"stage"`
	Lng    float64 `json:"lng"`
	Lat    float64 `json:"lat"`
	GridID int64   `json:"grid_id"`
}

// listViewJS is GET /api/funnel/list as the team's contract writes it.
type listViewJS struct {
	Manager struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		GridID int64  `json:"grid_id"`
	} `json:"manager"`
	Quota struct {
		Count int `json:"count"`
		Max   int `json:"max"`
	} `json:"quota"`
	Counts map[string]int `json:"counts"`
	Groups []struct {
		Stage string           `json:"stage"`
		Items []listCustomerJS `json:"items"`
	} `json:"groups"`
	Pool struct {
		Count int `json:"count"`
	} `json:"pool"`
}

// holds reports whether the list holds customer id at stage.
func (v listViewJS) holds(id int64, stage string) bool {
	for _, g := range v.Groups {
		if g.Stage != stage {
			continue
		}
		for _, it := range g.Items {
			if it.ID == id {
				return true
			}
		}
	}
	return false
}

// funnelReportJS is GET /api/funnel/metrics.
type funnelReportJS struct {
	Level       string         `json:"level"`
	ID          int64          `json:"id"`
	Name        string         `json:"name"`
	Counts      map[string]int `json:"counts"`
	Reached     map[string]int `json:"reached"`
	Contacted   int            `json:"contacted"`
	SuccessRate float64        `json:"success_rate"`
}

type activityJS struct {
	ID        int64    `json:"id"`
	Kind      string   `json:"kind"`
	Signals   []string `json:"signals"`
	Verified  bool     `json:"verified"`
	DistanceM *float64 `json:"distance_m"`
}

type transitionJS struct {
	From     string            `json:"from"`
	To       string            `json:"to"`
	Evidence map[string]string `json:"evidence"`
}

// listItems accepts a bare array or {"items": […]}.
func listItems[T any](tb testing.TB, r fetchResult) []T {
	tb.Helper()
	var arr []T
	if strings.HasPrefix(strings.TrimSpace(r.Body), "[") {
		decodeBody(tb, r, &arr)
		return arr
	}
	var wrapped struct {
		Items []T `json:"items"`
	}
	decodeBody(tb, r, &wrapped)
	return wrapped.Items
}

// waitLists waits until the list page has loaded at least n times and is ready.
func (p *page) waitLists(what string, n int) {
	p.t.Helper()
	p.waitFor(what, fmt.Sprintf(`(() => { const l = window.gridplan && window.gridplan.lists;
		const el = document.querySelector("[data-testid=lists-page]");
		return l && l.loads >= %d && el && el.dataset.state === "ready"; })()`, n))
}

// listLoads is how many times the list page has loaded.
func (p *page) listLoads() int {
	p.t.Helper()
	return evalJS[int](p, `(window.gridplan && window.gridplan.lists && window.gridplan.lists.loads) || 0`)
}

// shownCount is the page's figure for a stage in the funnel numbers.
func (p *page) shownCount(stage string) int {
	p.t.Helper()
	s := evalJS[string](p, fmt.Sprintf(`(document.querySelector("[data-testid=funnel-counts] [data-stage=%s] .fn-value") || {dataset: {}}).dataset.value || ""`, stage))
	n, err := strconv.Atoi(s)
	if err != nil {
		p.t.Fatalf("the page shows %q customers at %s", s, stage)
	}
	return n
}

// lastDayOf is the last day (YYYY-MM-DD) of a period ending, exclusive, at the RFC 3339 time end.
func lastDayOf(tb testing.TB, end string) string {
	tb.Helper()
	at, err := time.Parse(time.RFC3339, end)
	if err != nil {
		tb.Fatalf("period end %q: %v", end, err)
	}
	return at.Add(-time.Nanosecond).Format(time.DateOnly)
}

// checkShownCounts compares the page's funnel numbers with a report.
func checkShownCounts(tb testing.TB, p *page, r funnelReportJS) {
	tb.Helper()
	for _, s := range funnelSteps[1:] {
		if got := p.shownCount(s); got != r.Counts[s] {
			tb.Errorf("the page shows %d customers at %s, the metrics API %d", got, s, r.Counts[s])
		}
	}
	if s := evalJS[string](p, `document.querySelector("[data-testid=success-rate] .fn-value").dataset.value`); s != strconv.FormatFloat(r.SuccessRate, 'f', -1, 64) {
		tb.Errorf("success rate shown %s, the API's %v", s, r.SuccessRate)
	}
}

// emulatePosition grants the page geolocation and puts the phone at lat, lng.
func (p *page) emulatePosition(lat, lng float64) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, browserTimeout)
	defer cancel()
	c := chromedp.FromContext(p.ctx)
	if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "geolocation"}, Setting: browser.PermissionSettingGranted,
		Origin: p.site.URL, BrowserContextID: c.BrowserContextID,
	}); err != nil {
		p.t.Fatalf("grant geolocation: %v", err)
	}
	acc := 5.0
	if _, err := chromedp.Call(ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lng, Accuracy: &acc}); err != nil {
		p.t.Fatalf("emulate the position: %v", err)
	}
}

// openPool shows the pool tab and waits for its customers.
func (p *page) openPool() {
	p.t.Helper()
	loads := evalJS[int](p, `window.gridplan.lists.poolLoads || 0`)
	p.click("[data-testid=tab-pool]")
	p.waitFor("the pool", fmt.Sprintf(`(window.gridplan.lists.poolLoads || 0) > %d && document.querySelector("[data-testid=pool-list] li[data-customer]")`, loads))
}

// openSheet taps a customer of the list and waits for the activity sheet.
func (p *page) openSheet(css string) {
	p.t.Helper()
	p.click(css)
	p.waitFor("the activity sheet", `document.querySelector("[data-testid=activity-sheet]")`)
}

// saveSheet taps Save and waits for the sheet to close and the list to reload.
func (p *page) saveSheet() {
	p.t.Helper()
	loads := p.listLoads()
	p.click("[data-testid=activity-sheet] button[data-action=save]")
	p.waitFor("the sheet saved", fmt.Sprintf(`!document.querySelector("[data-testid=activity-sheet]") && window.gridplan.lists.loads > %d && document.querySelector("[data-testid=lists-page]").dataset.state === "ready"`, loads))
}

func TestBrowserListManagerFlow(t *testing.T) {
	site := newListsSite(t)
	m := site.City.Managers[0]
	p := newPage(t, site, phone)
	p.loginAs(m.Code)

	// A manager lands on his list; the navigation says "My list".
	p.waitLists("the manager's list", 1)
	if got := p.text(".main-nav a.active"); got != "My list" {
		t.Errorf("navigation %q, want My list", got)
	}
	// His funnel numbers are the metrics API's.
	metrics := fmt.Sprintf("/api/funnel/metrics?level=manager&id=%d", m.ID)
	var before funnelReportJS
	p.apiGet(metrics, &before)
	checkShownCounts(t, p, before)
	if w := evalJS[float64](p, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the page is %v px wide on a 390 px phone: it scrolls sideways", w)
	}
	p.shot("list")

	// Claim the first customer of the pool.
	p.openPool()
	var pool struct {
		Count int              `json:"count"`
		Items []listCustomerJS `json:"items"`
	}
	p.apiGet(fmt.Sprintf("/api/funnel/pool?grid_id=%d", m.GridID), &pool)
	shown := evalJS[[]int64](p, `[...document.querySelectorAll("[data-testid=pool-list] li[data-customer]")].map(li => Number(li.dataset.customer))`)
	if len(pool.Items) == 0 || len(shown) == 0 {
		t.Fatalf("the pool of grid %d is empty (page %d, API %d)", m.GridID, len(shown), len(pool.Items))
	}
	if len(shown) != min(len(pool.Items), 200) || shown[0] != pool.Items[0].ID {
		t.Errorf("the pool shows %d customers starting with %d; the API %d starting with %d", len(shown), shown[0], len(pool.Items), pool.Items[0].ID)
	}
	var cu listCustomerJS
	for _, c := range pool.Items {
		if c.Stage == "target" && slices.Contains(shown, c.ID) {
			cu = c
			break
		}
	}
	if cu.ID == 0 {
		t.Fatal("no target customer in the pool")
	}
	p.shot("pool")
	loads := p.listLoads()
	p.click(fmt.Sprintf(`[data-testid=pool-list] li[data-customer="%d"] button[data-testid=claim]`, cu.ID))
	p.waitFor("the claim", fmt.Sprintf(`window.gridplan.lists.claimed === %d && window.gridplan.lists.loads > %d`, cu.ID, loads))
	p.waitLists("the list after the claim", loads+1)
	var claimed listViewJS
	p.apiGet(fmt.Sprintf("/api/funnel/list?manager_id=%d", m.ID), &claimed)
	if !claimed.holds(cu.ID, "list") {
		t.Fatalf("after the claim the API's list does not hold customer %d at list", cu.ID)
	}
	var afterClaim funnelReportJS
	p.apiGet(metrics, &afterClaim)
	checkShownCounts(t, p, afterClaim)
	if got, want := afterClaim.Counts["list"], before.Counts["list"]+1; got != want {
		t.Errorf("after the claim: %d at list, want %d", got, want)
	}
	p.click("[data-testid=tab-list]")
	card := fmt.Sprintf(`[data-testid=group-list] button.lc[data-customer="%d"]`, cu.ID)
	p.waitFor("the claimed customer in the list", fmt.Sprintf(`document.querySelector(%s)`, jsString(card)))
	evalJS[any](p, fmt.Sprintf(`document.querySelector(%s).scrollIntoView({block: "center"})`, jsString(card)))
	p.shot("claimed")

	// A visit with a signal in three taps: the customer, the signal, Save.
	// The phone stands 20 m from the customer: the visit is verified.
	p.emulatePosition(cu.Lat+20.0/111_320, cu.Lng)
	p.openSheet(card)
	p.waitFor("the position", `document.querySelector("[data-testid=sheet-position]").dataset.state === "ok"`)
	if got := evalJS[string](p, `document.querySelector("[data-testid=chips-kind] [aria-pressed=true]").dataset.value`); got != "visit_door" {
		t.Errorf("the sheet starts with kind %q, want visit_door", got)
	}
	p.click(`[data-testid=chips-signal] button[data-value=product_inquiry]`)
	p.shot("sheet-signal")
	p.saveSheet()
	if taps := 1 + evalJS[int](p, `window.gridplan.lists.sheetTaps`); taps != 3 {
		t.Errorf("logging a visit with a signal took %d taps, want 3", taps)
	}
	acts := listItems[activityJS](t, p.fetch("GET", fmt.Sprintf("/api/customers/%d/activities", cu.ID), nil))
	if len(acts) == 0 {
		t.Fatal("no activity stored")
	}
	last := acts[len(acts)-1]
	if acts[0].ID > last.ID {
		last = acts[0]
	}
	if last.Kind != "visit_door" || !slices.Equal(last.Signals, []string{"product_inquiry"}) {
		t.Errorf("stored activity %+v, want a door visit with product_inquiry", last)
	}
	if !last.Verified || last.DistanceM == nil || math.Abs(*last.DistanceM-20) > 5 {
		t.Errorf("the visit is verified=%v at %v m, want verified at about 20 m (the emulated position)", last.Verified, last.DistanceM)
	}
	p.waitFor("the signal chip", fmt.Sprintf(`document.querySelector(%s + " [data-signal=product_inquiry]")`, jsString(card)))
	p.shot("visit-logged")

	// Advance to potential: the checklist appears; saving it unfilled is
	// refused by the server, which lists what is missing; filled, it moves.
	p.openSheet(card)
	p.click(`[data-testid=chips-stage] button[data-value=potential]`)
	p.waitFor("the checklist", `!document.querySelector("[data-testid=checklist]").hidden`)
	reqs := evalJS[[]string](p, `[...document.querySelectorAll("[data-testid=checklist] [data-req]")].map(e => e.dataset.req)`)
	for _, k := range []string{"signal", "budget_confirmed", "decision_maker"} {
		if !slices.Contains(reqs, k) {
			t.Errorf("the potential checklist shows %v, without %s", reqs, k)
		}
	}
	if met := evalJS[string](p, `document.querySelector("[data-testid=checklist] [data-req=signal]").dataset.met`); met != "true" {
		t.Errorf("the signal item shows met=%s though a signal was recorded", met)
	}
	p.click("[data-testid=activity-sheet] button[data-action=save]")
	p.waitFor("the missing list", `!document.querySelector("[data-testid=missing]").hidden`)
	missing := evalJS[[]string](p, `[...document.querySelectorAll("[data-testid=missing] li")].map(li => li.dataset.key)`)
	slices.Sort(missing)
	if !slices.Equal(missing, []string{"budget_confirmed", "decision_maker"}) {
		t.Errorf("the sheet lists %v as missing, want budget_confirmed and decision_maker", missing)
	}
	if n := p.count("[data-testid=checklist] .req.missing"); n != 2 {
		t.Errorf("%d checklist fields are marked missing, want 2", n)
	}
	p.shot("missing")
	var stillList listViewJS
	p.apiGet(fmt.Sprintf("/api/funnel/list?manager_id=%d", m.ID), &stillList)
	if !stillList.holds(cu.ID, "list") {
		t.Error("the refused stage change moved the customer")
	}
	p.click(`[data-testid=checklist] input[data-evidence=budget_confirmed]`)
	p.setValue(`[data-testid=checklist] input[data-evidence=decision_maker]`, "张总 (CEO)")
	p.shot("checklist-filled")
	p.saveSheet()

	var after listViewJS
	p.apiGet(fmt.Sprintf("/api/funnel/list?manager_id=%d", m.ID), &after)
	if !after.holds(cu.ID, "potential") {
		t.Fatalf("customer %d is not at potential after the save", cu.ID)
	}
	var rep funnelReportJS
	p.apiGet(metrics, &rep)
	checkShownCounts(t, p, rep)
	if got, want := p.shownCount("potential"), before.Counts["potential"]+1; got != want {
		t.Errorf("the page shows %d at potential, want %d", got, want)
	}
	if got, want := p.shownCount("list"), before.Counts["list"]; got != want {
		t.Errorf("the page shows %d at list, want %d (one claimed, one moved on)", got, want)
	}
	trs := listItems[transitionJS](t, p.fetch("GET", fmt.Sprintf("/api/customers/%d/transitions", cu.ID), nil))
	if n := len(trs); n == 0 || trs[n-1].To != "potential" || trs[n-1].Evidence["decision_maker"] != "张总 (CEO)" || trs[n-1].Evidence["budget_confirmed"] != "true" {
		t.Errorf("transitions %+v: want the last to potential with the evidence", trs)
	}
	p.waitFor("the customer under potential", fmt.Sprintf(`document.querySelector('[data-testid=group-potential] button.lc[data-customer="%d"]')`, cu.ID))
	p.shot("potential")

	// The funnel tab: the chart draws the numbers the metrics API gives.
	p.click("[data-testid=tab-funnel]")
	if got, want := evalJS[[]int](p, `window.gridplan.lists.chart.values`), steps(rep.Reached); !slices.Equal(got, want) {
		t.Errorf("the funnel chart draws %v, the API's reached are %v", got, want)
	}
	p.click("[data-testid=panel-funnel] [data-testid=funnel-basis-counts]")
	if got, want := evalJS[[]int](p, `window.gridplan.lists.chart.values`), steps(rep.Counts); !slices.Equal(got, want) {
		t.Errorf("the funnel chart of the stages now draws %v, the API's counts are %v", got, want)
	}
	if rep.Counts["potential"] < 1 {
		t.Errorf("the manager's metrics count %d at potential after the move", rep.Counts["potential"])
	}
	if ink := chartInk(p, "[data-testid=panel-funnel] [data-testid=funnel-chart] canvas"); ink < 1000 {
		t.Errorf("the funnel chart's canvas holds %d inked pixels: it did not draw", ink)
	}
	p.shot("funnel")

	// The funnel's period: the last 365 days, the API's report for them.
	loads = p.listLoads()
	p.setValue("[data-testid=list-period]", "365")
	p.waitFor("the 365-day report", fmt.Sprintf(`window.gridplan.lists.loads > %d && window.gridplan.lists.report.days === 365 && document.querySelector("[data-testid=lists-page]").dataset.state === "ready"`, loads))
	today := time.Now().UTC()
	var year funnelReportJS
	p.apiGet(fmt.Sprintf("%s&from=%s&to=%s", metrics, today.AddDate(0, 0, -364).Format(time.DateOnly), today.Format(time.DateOnly)), &year)
	if got := evalJS[map[string]int](p, `window.gridplan.lists.report.reached`); !maps.Equal(got, year.Reached) {
		t.Errorf("the page's 365-day report reaches %v, the API's %v", got, year.Reached)
	}
	p.click("[data-testid=panel-funnel] [data-testid=funnel-basis-reached]")
	if got, want := evalJS[[]int](p, `window.gridplan.lists.chart.values`), steps(year.Reached); !slices.Equal(got, want) {
		t.Errorf("the 365-day funnel chart draws %v, the API's reached are %v", got, want)
	}
	p.shot("funnel-365")

	// A follow-up on the customer, due in two days, shows under the
	// follow-ups due; Done marks it done and it goes.
	fu := &funnel.FollowUp{CustomerID: cu.ID, ManagerID: m.ID, Due: time.Now().AddDate(0, 0, 2), Reason: "竞争对手合同到期前回访"}
	if err := site.Store.CreateFollowUp(context.Background(), fu); err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.Reload())
	p.waitLists("the list after a reload", 1)
	doneBtn := fmt.Sprintf(`[data-testid=follow-ups] li[data-follow-up="%d"] [data-testid=follow-up-done]`, fu.ID)
	p.waitFor("the follow-up", fmt.Sprintf(`document.querySelector(%s)`, jsString(doneBtn)))
	p.shot("follow-up")
	loads = p.listLoads()
	p.click(doneBtn)
	p.waitFor("the follow-up done", fmt.Sprintf(`window.gridplan.lists.followUpDone === %d && window.gridplan.lists.loads > %d && document.querySelector("[data-testid=lists-page]").dataset.state === "ready"`, fu.ID, loads))
	if n := p.count(fmt.Sprintf(`li[data-follow-up="%d"]`, fu.ID)); n != 0 {
		t.Errorf("the done follow-up is still shown (%d)", n)
	}
	open, err := site.Store.FollowUps(context.Background(), funnel.FollowUpFilter{CustomerID: cu.ID, OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 0 {
		t.Errorf("customer %d still has %d open follow-ups after Done", cu.ID, len(open))
	}
	p.shot("follow-up-done")

	// Release from the sheet: confirmed, the customer leaves the list for the pool.
	potCard := fmt.Sprintf(`[data-testid=group-potential] button.lc[data-customer="%d"]`, cu.ID)
	p.openSheet(potCard)
	p.click("[data-testid=activity-sheet] button[data-action=release]")
	p.waitFor("the release confirmation", `document.querySelector("[data-testid=confirm-dialog]")`)
	p.shot("release-confirm")
	loads = p.listLoads()
	p.click("[data-testid=confirm-dialog] [data-action=ok]")
	p.waitFor("the release", fmt.Sprintf(`window.gridplan.lists.released === %d && window.gridplan.lists.loads > %d && document.querySelector("[data-testid=lists-page]").dataset.state === "ready"`, cu.ID, loads))
	if n := p.count(fmt.Sprintf(`[data-testid=panel-list] button.lc[data-customer="%d"]`, cu.ID)); n != 0 {
		t.Errorf("the released customer is still on the page's list (%d cards)", n)
	}
	var released listViewJS
	p.apiGet(fmt.Sprintf("/api/funnel/list?manager_id=%d", m.ID), &released)
	for _, g := range released.Groups {
		for _, it := range g.Items {
			if it.ID == cu.ID {
				t.Errorf("the API's list still holds the released customer %d at %s", cu.ID, g.Stage)
			}
		}
	}
	if cs := activeClaimsOn(t, site, cu.ID); len(cs) != 0 {
		t.Errorf("customer %d keeps %d active claims after the release", cu.ID, len(cs))
	}
	p.shot("released")
}

// activeClaimsOn is the active claims of a customer of a browser site.
func activeClaimsOn(tb testing.TB, site *browserSite, customerID int64) []*funnel.Claim {
	tb.Helper()
	cs, err := site.Store.Claims(context.Background(), funnel.ClaimFilter{CustomerID: customerID, Status: funnel.ClaimActive})
	if err != nil {
		tb.Fatal(err)
	}
	return cs
}

// funnelSteps are the six steps, in order.
var funnelSteps = []string{"target", "list", "potential", "intent", "order", "in_network"}

// steps are a report's figures of the six steps, in order.
func steps(m map[string]int) []int {
	out := make([]int, len(funnelSteps))
	for i, s := range funnelSteps {
		out[i] = m[s]
	}
	return out
}

// credentials are a user name and password.
type credentials struct{ user, password string }

// loginWith logs in as l (loginAs for a demo login).
func (p *page) loginWith(l credentials) {
	p.t.Helper()
	if l.password == demo.DemoPassword {
		p.loginAs(l.user)
		return
	}
	p.login(l.user, l.password)
}

// managersOfOneGrid returns two managers of one grid and their logins:
// two of the demo city's when a grid has them, else its first manager and
// a colleague added to his grid (the manager in the store, his login by
// the admin through the API).
func managersOfOneGrid(tb testing.TB, site *browserSite) (a, b *territory.Manager, loginA, loginB credentials) {
	tb.Helper()
	byGrid := map[int64][]*territory.Manager{}
	for _, m := range site.City.Managers {
		byGrid[m.GridID] = append(byGrid[m.GridID], m)
		if len(byGrid[m.GridID]) == 2 {
			a = byGrid[m.GridID][0]
			return a, m, credentials{a.Code, demo.DemoPassword}, credentials{m.Code, demo.DemoPassword}
		}
	}
	a = site.City.Managers[0]
	b = &territory.Manager{Code: "m900", Name: "晚来的经理", GridID: a.GridID, Base: a.Base}
	b.Normalize()
	if err := site.Store.CreateManager(tb.Context(), b); err != nil {
		tb.Fatalf("add a second manager to grid %d: %v", a.GridID, err)
	}
	admin := newPage(tb, site, pageOptions{})
	admin.loginAs("admin")
	body := map[string]any{"username": b.Code, "password": lateManagerPassword, "role": "manager", "display_name": b.Name, "manager_id": b.ID}
	if r := admin.fetch("POST", "/api/users", body); r.Status != 201 {
		tb.Fatalf("create the login of manager %d: %d %s", b.ID, r.Status, r.Body)
	}
	return a, b, credentials{a.Code, demo.DemoPassword}, credentials{b.Code, lateManagerPassword}
}

// lateManagerPassword is the login of the manager managersOfOneGrid adds.
const lateManagerPassword = "late-manager-9"

func TestBrowserListClaimRefused(t *testing.T) {
	site := newListsSite(t)
	holder, late, holderLogin, lateLogin := managersOfOneGrid(t, site)

	// The late manager's pool is on his phone...
	p := newPage(t, site, phone)
	p.loginWith(lateLogin)
	p.waitLists("the late manager's list", 1)
	p.openPool()
	id := evalJS[int64](p, `Number((document.querySelector("[data-testid=pool-list] li[data-stage=target][data-customer]") || {dataset: {}}).dataset.customer || 0)`)
	if id == 0 {
		t.Fatal("no target customer in the late manager's pool")
	}

	// ...when the holder claims that customer first, from his own.
	q := newPage(t, site, phone)
	q.loginWith(holderLogin)
	if r := q.fetch("POST", fmt.Sprintf("/api/customers/%d/claim", id), map[string]any{}); r.Status != 201 {
		t.Fatalf("the holder's claim: %d %s", r.Status, r.Body)
	}

	p.click(fmt.Sprintf(`[data-testid=pool-list] li[data-customer="%d"] button[data-testid=claim]`, id))
	p.waitFor("the refusal", fmt.Sprintf(`document.querySelector('[data-testid=pool-list] li[data-customer="%d"] .pool-msg.error')`, id))
	msg := p.text(fmt.Sprintf(`[data-testid=pool-list] li[data-customer="%d"] .pool-msg`, id))
	if !strings.Contains(msg, holder.Name) {
		t.Errorf("the refusal says %q, without the holder's name %s", msg, holder.Name)
	}
	if !regexp.MustCompile(`\d{4}-\d\d-\d\d`).MatchString(msg) {
		t.Errorf("the refusal says %q, without since when", msg)
	}
	if !evalJS[bool](p, fmt.Sprintf(`document.querySelector('[data-testid=pool-list] li[data-customer="%d"] button[data-testid=claim]').disabled`, id)) {
		t.Error("the Claim button of a customer another manager holds stays enabled")
	}
	var v listViewJS
	p.apiGet(fmt.Sprintf("/api/funnel/list?manager_id=%d", late.ID), &v)
	for _, g := range v.Groups {
		for _, it := range g.Items {
			if it.ID == id {
				t.Errorf("the refused customer %d is on the late manager's list", id)
			}
		}
	}
	evalJS[any](p, fmt.Sprintf(`document.querySelector('[data-testid=pool-list] li[data-customer="%d"]').scrollIntoView({block: "center"})`, id))
	p.shot("refused")
}

func TestBrowserListLeader(t *testing.T) {
	site := newBrowserSite(t) // the shared site: this test only reads
	p := newPage(t, site, pageOptions{Width: 1280, Height: 900})
	p.loginAs("leader")
	pages := evalJS[[]string](p, `[...document.querySelectorAll(".main-nav a")].map(a => a.dataset.page)`)
	if !slices.Contains(pages, "list") || !slices.Contains(pages, "funnel") {
		t.Fatalf("the leader's navigation %v lacks list or funnel", pages)
	}
	if got := p.text(`.main-nav a[data-page=list]`); got != "Lists" {
		t.Errorf("the leader's navigation calls the list page %q, want Lists", got)
	}

	// Pick a manager by district and grid.
	m := site.City.Managers[len(site.City.Managers)/2]
	g, err := site.Store.Grid(t.Context(), m.GridID)
	if err != nil {
		t.Fatal(err)
	}
	p.click(`.main-nav a[data-page=list]`)
	p.waitFor("the picker", `document.querySelector("[data-testid=pick-district] option[value]:not([value='0'])")`)
	p.setValue("[data-testid=pick-district]", strconv.FormatInt(g.DistrictID, 10))
	p.waitFor("the district's grids", fmt.Sprintf(`document.querySelector('[data-testid=pick-grid] option[value="%d"]')`, g.ID))
	p.setValue("[data-testid=pick-grid]", strconv.FormatInt(g.ID, 10))
	p.waitFor("the grid's managers", fmt.Sprintf(`document.querySelector('[data-testid=pick-manager] option[value="%d"]')`, m.ID))
	p.shot("picker")
	p.setValue("[data-testid=pick-manager]", strconv.FormatInt(m.ID, 10))
	p.waitFor("the manager's route", fmt.Sprintf(`location.hash === "#/list/%d"`, m.ID))
	p.waitLists("the manager's list", 1)
	if got := p.text("[data-testid=list-title]"); !strings.Contains(got, m.Name) {
		t.Errorf("the title %q does not name %s", got, m.Name)
	}
	if got := evalJS[string](p, `document.querySelector("[data-testid=list-route-link]").getAttribute("href")`); got != fmt.Sprintf("#/route/%d", m.ID) {
		t.Errorf("the link to his route is %q, want #/route/%d", got, m.ID)
	}
	var v listViewJS
	p.apiGet(fmt.Sprintf("/api/funnel/list?manager_id=%d", m.ID), &v)
	total := 0
	for _, gr := range v.Groups {
		total += len(gr.Items)
		if got := evalJS[int](p, fmt.Sprintf(`document.querySelectorAll("[data-testid=group-%s] button.lc").length`, gr.Stage)); got != len(gr.Items) {
			t.Errorf("the page lists %d customers at %s, the API %d", got, gr.Stage, len(gr.Items))
		}
	}
	if total == 0 {
		t.Errorf("manager %s's list is empty in the demo city", m.Code)
	}
	var mrep funnelReportJS
	p.apiGet(fmt.Sprintf("/api/funnel/metrics?level=manager&id=%d", m.ID), &mrep)
	checkShownCounts(t, p, mrep)
	// Read only: the pool's claim buttons are disabled, the sheet has no Save.
	p.openPool()
	if n := p.count("[data-testid=pool-list] button[data-testid=claim]:not([disabled])"); n != 0 {
		t.Errorf("a leader sees %d enabled Claim buttons", n)
	}
	p.click("[data-testid=tab-list]")
	p.openSheet("[data-testid=lists-page] button.lc")
	if p.count("[data-testid=activity-sheet] button[data-action=save]") != 0 {
		t.Error("a leader's sheet offers Save")
	}
	p.waitFor("the history", `!document.querySelector("[data-testid=sheet-history]").textContent.includes("Loading")`)
	p.shot("manager-list")
	p.click("[data-testid=activity-sheet] button[data-action=cancel]")

	// The district's funnel chart.
	p.open(fmt.Sprintf("/#/funnel/district/%d", g.DistrictID))
	p.waitFor("the funnel page", `window.gridplan && window.gridplan.funnel && document.querySelector("[data-testid=funnel-page]").dataset.state === "ready"`)
	var rep funnelReportJS
	p.apiGet(fmt.Sprintf("/api/funnel/metrics?level=district&id=%d", g.DistrictID), &rep)
	// The funnel of how far the customers got narrows step by step.
	got := evalJS[[]int](p, `window.gridplan.funnel.chart.values`)
	if want := steps(rep.Reached); !slices.Equal(got, want) {
		t.Errorf("the district's funnel draws %v, the API's reached are %v", got, want)
	}
	if !slices.IsSortedFunc(got, func(a, b int) int { return b - a }) {
		t.Errorf("the reached funnel %v does not narrow", got)
	}
	for i, n := range steps(rep.Counts) {
		if n == 0 {
			t.Errorf("the district has no customer at %s", funnelSteps[i])
		}
	}
	if rep.SuccessRate <= 0 || rep.SuccessRate >= 0.15 {
		t.Errorf("the district's success rate %v, want above 0 and under 15%%", rep.SuccessRate)
	}
	if ink := chartInk(p, "[data-testid=funnel-chart] canvas"); ink < 2000 {
		t.Errorf("the funnel chart's canvas holds %d inked pixels: it did not draw", ink)
	}
	if got := evalJS[string](p, `document.querySelector("[data-testid=pick-district]").value`); got != strconv.FormatInt(g.DistrictID, 10) {
		t.Errorf("the district select shows %s, want %d", got, g.DistrictID)
	}
	p.shot("district-funnel")
	p.click("[data-testid=funnel-basis-counts]")
	if got, want := evalJS[[]int](p, `window.gridplan.funnel.chart.values`), steps(rep.Counts); !slices.Equal(got, want) {
		t.Errorf("the district's funnel of the stages now draws %v, the API's counts are %v", got, want)
	}
	p.shot("district-funnel-now")

	// A longer period and a target: the report the API gives for them.
	loads := evalJS[int](p, `window.gridplan.funnel.loads`)
	p.setValue("[data-testid=fn-period]", "90")
	p.waitFor("the 90-day report", fmt.Sprintf(`window.gridplan.funnel.loads > %d && document.querySelector("[data-testid=funnel-page]").dataset.state === "ready"`, loads))
	p.setValue("[data-testid=fn-target-orders]", "10")
	p.waitFor("the report with a target", fmt.Sprintf(`window.gridplan.funnel.loads > %d && document.querySelector("[data-testid=funnel-page]").dataset.state === "ready"`, loads+1))
	type periodJS struct {
		From, To            string
		Days                float64
		DailyContactsNeeded *float64 `json:"daily_contacts_needed"`
	}
	shown := evalJS[periodJS](p, `(() => { const r = window.gridplan.funnel.report; return {From: r.from, To: r.to, Days: r.days, daily_contacts_needed: r.daily_contacts_needed}; })()`)
	if shown.Days != 90 {
		t.Errorf("the page's report spans %v days, want 90", shown.Days)
	}
	var long periodJS
	p.apiGet(fmt.Sprintf("/api/funnel/metrics?level=district&id=%d&from=%s&to=%s&target_orders=10", g.DistrictID, shown.From[:10], lastDayOf(t, shown.To)), &long)
	if long.From != shown.From || long.To != shown.To {
		t.Errorf("the page's period %s–%s, the API's for the same days %s–%s", shown.From, shown.To, long.From, long.To)
	}
	if long.DailyContactsNeeded == nil || shown.DailyContactsNeeded == nil || *long.DailyContactsNeeded != *shown.DailyContactsNeeded {
		t.Errorf("daily contacts needed: page %v, API %v", shown.DailyContactsNeeded, long.DailyContactsNeeded)
	} else if got := p.text("[data-testid=fact-daily-needed]"); got == "" {
		t.Error("the page does not show the daily contacts needed")
	}
	p.shot("district-funnel-90-days")

	// A manager may not open another's list.
	q := newPage(t, site, phone)
	other := site.City.Managers[0]
	if other.ID == m.ID {
		other = site.City.Managers[1]
	}
	q.loginAs(other.Code)
	if r := q.fetch("GET", fmt.Sprintf("/api/funnel/list?manager_id=%d", m.ID), nil); r.Status != 403 {
		t.Errorf("a manager reading another's list: %d, want 403", r.Status)
	}
}

// TestBrowserListChinese: the manager's page in Chinese on a phone, for the
// screenshots and a smoke check of the labels.
func TestBrowserListChinese(t *testing.T) {
	site := newBrowserSite(t)
	p := newPage(t, site, pageOptions{AcceptLanguage: "zh-CN,zh;q=0.9", Width: 390, Height: 844})
	p.loginAs(site.City.Managers[1].Code)
	p.waitLists("the manager's list", 1)
	if got := p.text(".main-nav a.active"); got != "我的清单" {
		t.Errorf("navigation %q, want 我的清单", got)
	}
	if got := p.text("[data-testid=tab-pool]"); !strings.HasPrefix(got, "公海") {
		t.Errorf("pool tab %q", got)
	}
	p.shot("zh-list")
	p.openSheet("[data-testid=lists-page] button.lc")
	if got := p.text(`[data-testid=chips-signal] button[data-value=contract_expiring]`); got != "竞争对手合同到期" {
		t.Errorf("signal chip %q", got)
	}
	p.click(`[data-testid=chips-signal] button[data-value=contract_expiring]`)
	p.waitFor("the contract date", `!document.querySelector("[data-testid=contract-expires]").closest("label").hidden`)
	p.shot("zh-sheet")
	p.click("[data-testid=activity-sheet] button[data-action=cancel]")
}

// TestListsMessagesBothLanguages: every string the list and funnel pages
// add exists in English and in Chinese, every key their code asks for is
// defined there or by the shell (i18n.ts, dialog.ts), and the keys the
// page builds from the API's values cover every activity kind, signal and
// next action the funnel package knows.
func TestListsMessagesBothLanguages(t *testing.T) {
	en := checkMessagesBothLanguages(t, filepath.Join("ui", "src", "lists"), 100, filepath.Join("ui", "src", "i18n.ts"), filepath.Join("ui", "src", "dialog.ts"))
	var want []string
	for _, k := range funnel.ActivityKinds {
		want = append(want, "kind."+string(k))
	}
	for _, s := range funnel.SignalKinds {
		want = append(want, "signal."+string(s))
	}
	for _, a := range funnel.NextActions {
		want = append(want, "next."+a)
	}
	for _, k := range want {
		if _, ok := slices.BinarySearch(en, k); !ok {
			t.Errorf("%s: no message", k)
		}
	}
}
