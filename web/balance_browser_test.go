package web

// Browser test of the list-balancing page (web/ui/src/balance, #/balance)
// against the real balancer on a demo city of its own (it accepts changes):
// a planner picks a district and one of its grids, runs the balancer and
// sees the proposal — the customers coloured by their proposed manager,
// every change an arrow with its head, the managers' bases, the table of
// each manager's list before and after, the changes with their reasons —
// as the API gives it; he leaves one change out, a colleague's claim makes
// another stale meanwhile, and he accepts the rest: the accepted changes
// are claims in the API, the stale one is refused with the holder named,
// the one left out is untouched. Screenshots of every step go to the
// artifacts folder (browser_test.go).

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gridplan/funnel"
	"gridplan/territory"
	"gridplan/territory/sales"
)

// balanceSiteCustomers: every grid has a manager, lists and a pool, and a few
// grids have two managers.
const balanceSiteCustomers = 3000

type balanceResultJS struct {
	CustomerID int64  `json:"customer_id"`
	From       int64  `json:"from"`
	To         int64  `json:"to"`
	Status     string `json:"status"`
	Code       string `json:"code"`
	Reason     string `json:"reason"`
	Owner      int64  `json:"owner"`
}

type balanceProposalJS struct {
	Scope struct {
		Kind string `json:"kind"`
		ID   int64  `json:"id"`
	} `json:"scope"`
	Params struct {
		Slack int `json:"slack"`
	} `json:"params"`
	Assigned int `json:"assigned"`
	Managers []struct {
		ID     int64   `json:"id"`
		Code   string  `json:"code"`
		Before int     `json:"before"`
		After  int     `json:"after"`
		Min    int     `json:"min"`
		Max    int     `json:"max"`
		Travel float64 `json:"travel_after_m"`
	} `json:"managers"`
	Customers []struct {
		ID       int64 `json:"id"`
		Holder   int64 `json:"holder"`
		Proposed int64 `json:"proposed"`
		Locked   bool  `json:"locked"`
	} `json:"customers"`
	Changes []struct {
		CustomerID int64  `json:"customer_id"`
		From       int64  `json:"from"`
		To         int64  `json:"to"`
		Reason     string `json:"reason"`
		Warning    string `json:"warning"`
	} `json:"changes"`
}

func TestBrowserBalanceReviewAccept(t *testing.T) {
	needBrowser(t)
	now := t0.Add(2 * time.Hour)
	site, closeSite, err := startBrowserSite(filepath.Join(t.TempDir(), "balance.db"), balanceSiteCustomers, Deps{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeSite)
	ctx := context.Background()

	// The grid with the most managers, then the most customers.
	managersOf, customersOf := map[int64]int{}, map[int64]int{}
	for _, m := range site.City.Managers {
		managersOf[m.GridID]++
	}
	for _, c := range site.City.Customers {
		customersOf[c.GridID]++
	}
	best := site.City.Managers[0].GridID
	for id, n := range managersOf {
		if n > managersOf[best] || (n == managersOf[best] && customersOf[id] > customersOf[best]) {
			best = id
		}
	}
	g, err := site.Store.Grid(ctx, best)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("grid %s: %d managers, %d customers", g.Code, managersOf[best], customersOf[best])

	p := newPage(t, site, pageOptions{Width: 1400, Height: 1000})
	p.loginAs("planner")
	if !slices.Contains(evalJS[[]string](p, `[...document.querySelectorAll(".main-nav a")].map(a => a.dataset.page)`), "balance") {
		t.Fatal("the planner's navigation has no Balance")
	}
	p.click(`.main-nav a[data-page=balance]`)
	p.waitFor("the balance page", `document.querySelector("[data-testid=balance-page]")`)
	if got := p.text(".main-nav a.active"); got != "Balance" {
		t.Errorf("navigation %q, want Balance", got)
	}

	// Pick the district, then the grid; run.
	p.waitFor("the districts", fmt.Sprintf(`document.querySelector('[data-testid=pick-district] option[value="%d"]')`, g.DistrictID))
	p.setValue("[data-testid=pick-district]", fmt.Sprint(g.DistrictID))
	p.waitFor("the district's grids", fmt.Sprintf(`document.querySelector('[data-testid=pick-grid] option[value="%d"]')`, g.ID))
	p.setValue("[data-testid=pick-grid]", fmt.Sprint(g.ID))
	p.waitFor("the run button", `!document.querySelector("[data-testid=balance-run]").disabled`)
	p.shot("form")
	p.click("[data-testid=balance-run]")
	p.waitFor("the proposal", `window.gridplan.balance.loads >= 1 && document.querySelector("[data-testid=balance-page]").dataset.state === "ready"`)

	// The page shows the API's proposal.
	var api balanceProposalJS
	r := p.fetch("POST", "/api/balance/proposals", map[string]any{"grid_id": g.ID, "move_penalty_m": 300, "cross_grid": false, "compact": false})
	if r.Status != 200 {
		t.Fatalf("POST /api/balance/proposals: %d %s", r.Status, r.Body)
	}
	decodeBody(t, r, &api)
	shown := evalJS[balanceProposalJS](p, `window.gridplan.balance.proposal`)
	if shown.Scope.Kind != "grid" || shown.Scope.ID != g.ID {
		t.Fatalf("the page balanced %+v, want grid %d", shown.Scope, g.ID)
	}
	if len(api.Changes) < 3 {
		t.Fatalf("the proposal for grid %s has %d changes; the test needs 3", g.Code, len(api.Changes))
	}
	if len(shown.Changes) != len(api.Changes) || shown.Assigned != api.Assigned {
		t.Fatalf("the page has %d changes (%d assigned), the API %d (%d)", len(shown.Changes), shown.Assigned, len(api.Changes), api.Assigned)
	}
	for i := range api.Changes {
		if shown.Changes[i].CustomerID != api.Changes[i].CustomerID || shown.Changes[i].To != api.Changes[i].To {
			t.Errorf("change %d: page %+v, API %+v", i, shown.Changes[i], api.Changes[i])
		}
	}
	// The map: one dot per customer coloured by the proposed manager (as
	// the table's swatch), one arrow with its head per change, the bases.
	if n := evalJS[int](p, `window.gridplan.balance.dots`); n != len(api.Customers) {
		t.Errorf("%d dots on the map, %d customers in the proposal", n, len(api.Customers))
	}
	if n := p.count("[data-testid=balance-map] path.bal-arrow[marker-end]"); n != len(api.Changes) {
		t.Errorf("%d arrows with a head on the map, want %d", n, len(api.Changes))
	}
	if n := p.count("[data-testid=balance-map] svg defs marker path"); n == 0 {
		t.Error("no arrow head defined in the map's SVG")
	}
	if n := p.count("[data-testid=balance-map] .bal-base-mark"); n != len(api.Managers) {
		t.Errorf("%d managers' bases on the map, want %d", n, len(api.Managers))
	}
	swatch := evalJS[map[string]string](p, `Object.fromEntries([...document.querySelectorAll("[data-testid=balance-managers] tbody tr")].map(tr =>
		[tr.dataset.manager, getComputedStyle(tr.querySelector(".bal-swatch")).backgroundColor]))`)
	dotColors := evalJS[map[string]string](p, `(() => { const out = {}; const c = window.gridplan.balance.dotColors;
		for (const k in c) { const e = document.createElement("i"); e.style.background = c[k] === "pool" ? "" : c[k]; out[k] = c[k] === "pool" ? "pool" : e.style.backgroundColor; } return out; })()`)
	for _, c := range api.Customers {
		want := "pool"
		if c.Proposed != 0 {
			want = swatch[fmt.Sprint(c.Proposed)]
		}
		if got := dotColors[fmt.Sprint(c.ID)]; got != want {
			t.Errorf("customer %d (proposed %d) is drawn %q, his manager's colour is %q", c.ID, c.Proposed, got, want)
			break
		}
	}
	// The managers' table: before and after as the API says, within quota.
	rows := evalJS[[]tableRow](p, `[...document.querySelectorAll("[data-testid=balance-managers] tbody tr[data-manager]")].map(tr => ({
		id: Number(tr.dataset.manager), cells: Object.fromEntries([...tr.querySelectorAll("td[data-col]")].map(td => [td.dataset.col, td.dataset.value]))}))`)
	if len(rows) != len(api.Managers) {
		t.Fatalf("%d rows in the managers' table, %d managers", len(rows), len(api.Managers))
	}
	for i, m := range api.Managers {
		if rows[i].ID != m.ID || rows[i].Cells["before"] != fmt.Sprint(m.Before) || rows[i].Cells["after"] != fmt.Sprint(m.After) {
			t.Errorf("manager row %+v, API %+v", rows[i], m)
		}
		if m.After < m.Min || m.After > m.Max {
			t.Errorf("manager %s after %d outside %d–%d", m.Code, m.After, m.Min, m.Max)
		}
	}
	if n := p.count("[data-testid=balance-changes] tbody tr[data-customer] .bal-reason[data-reason]"); n != len(api.Changes) {
		t.Errorf("%d changes listed with a reason, want %d", n, len(api.Changes))
	}
	p.shot("proposal")

	// Leave one change out; a colleague's claim makes a pool change stale.
	var leftOut, stale int64
	for _, ch := range api.Changes {
		switch {
		case stale == 0 && ch.From == 0 && ch.Warning == "":
			stale = ch.CustomerID
		case leftOut == 0:
			leftOut = ch.CustomerID
		}
	}
	if stale == 0 || leftOut == 0 {
		t.Fatalf("no pool change to make stale (%d) or none to leave out (%d)", stale, leftOut)
	}
	var staleTo int64
	for _, ch := range api.Changes {
		if ch.CustomerID == stale {
			staleTo = ch.To
		}
	}
	box := fmt.Sprintf(`[data-testid=balance-changes] tr[data-customer="%d"] input[data-testid=change-select]`, leftOut)
	p.click(box)
	if n := evalJS[int](p, `Number(document.querySelector("[data-testid=changes-selected]").dataset.count)`); n != len(api.Changes)-1 {
		t.Errorf("%d changes selected after leaving one out, want %d", n, len(api.Changes)-1)
	}
	if !evalJS[bool](p, fmt.Sprintf(`document.querySelector('[data-testid=balance-map] path.bal-arrow[data-customer="%d"]').classList.contains("unselected")`, leftOut)) {
		t.Error("the arrow of the change left out is not shown as left out")
	}
	p.shot("left-out")
	svc := NewSalesService(site.Store, nil, func() time.Time { return now })
	if _, err := svc.Claim(ctx, sales.Actor{Role: territory.RoleAdmin, ManagerID: staleTo}, stale); err != nil {
		t.Fatalf("a colleague's claim of customer %d: %v", stale, err)
	}

	// Accept the selection.
	before := map[int64]int64{}
	for _, ch := range api.Changes {
		cu, err := site.Store.Customer(ctx, ch.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		before[cu.ID] = cu.OwnerID
	}
	p.click("[data-testid=accept-selected]")
	p.waitFor("the confirmation", `document.querySelector("[data-testid=confirm-dialog]")`)
	p.shot("confirm")
	p.click("[data-testid=confirm-dialog] [data-action=ok]")
	p.waitFor("the results", `window.gridplan.balance.accepts >= 1`)
	results := evalJS[[]balanceResultJS](p, `window.gridplan.balance.lastAccept.results`)
	if len(results) != len(api.Changes)-1 {
		t.Fatalf("%d results for %d selected changes", len(results), len(api.Changes)-1)
	}
	applied := 0
	for _, r := range results {
		if r.CustomerID == leftOut {
			t.Errorf("the change left out was sent: %+v", r)
		}
		cell := fmt.Sprintf(`[data-testid=balance-changes] tr[data-customer="%d"] td[data-col=result]`, r.CustomerID)
		if got := evalJS[string](p, fmt.Sprintf(`document.querySelector(%s).dataset.status || ""`, jsString(cell))); got != r.Status {
			t.Errorf("customer %d: the page shows %q, the result is %q", r.CustomerID, got, r.Status)
		}
		var owner struct {
			OwnerID int64  `json:"owner_id"`
			Stage   string `json:"stage"`
		}
		p.apiGet(fmt.Sprintf("/api/customers/%d", r.CustomerID), &owner)
		switch {
		case r.CustomerID == stale:
			if r.Status != "refused" || r.Code != "stale" || !strings.Contains(r.Reason, "held by") {
				t.Errorf("the stale change: %+v", r)
			}
		case r.Status == "applied":
			applied++
			if owner.OwnerID != r.To {
				t.Errorf("customer %d applied to %d, the API says owner %d", r.CustomerID, r.To, owner.OwnerID)
			}
			if r.To != 0 {
				claims, err := site.Store.Claims(ctx, funnel.ClaimFilter{CustomerID: r.CustomerID, Status: funnel.ClaimActive})
				if err != nil {
					t.Fatal(err)
				}
				if len(claims) != 1 || claims[0].ManagerID != r.To {
					t.Errorf("customer %d: active claims %+v, want one of manager %d", r.CustomerID, claims, r.To)
				}
			}
		default:
			// Refused for another reason (a cooldown the proposal warned of): nothing changed.
			if r.Reason == "" || owner.OwnerID != before[r.CustomerID] {
				t.Errorf("refused change %+v without a reason or with the customer moved (owner %d)", r, owner.OwnerID)
			}
		}
	}
	if applied < len(api.Changes)-2 {
		t.Errorf("%d of %d changes applied", applied, len(api.Changes)-2)
	}
	var lo struct {
		OwnerID int64 `json:"owner_id"`
	}
	p.apiGet(fmt.Sprintf("/api/customers/%d", leftOut), &lo)
	if lo.OwnerID != before[leftOut] {
		t.Errorf("the change left out was applied: owner %d, was %d", lo.OwnerID, before[leftOut])
	}
	if got := evalJS[string](p, `document.querySelector("[data-testid=accept-summary]").dataset.applied`); got != fmt.Sprint(applied) {
		t.Errorf("the page says %s applied, the results %d", got, applied)
	}
	// The lists the funnel API shows hold the applied customers.
	for _, m := range api.Managers {
		var lv listViewJS
		p.apiGet(fmt.Sprintf("/api/funnel/list?manager_id=%d", m.ID), &lv)
		for _, r := range results {
			if r.Status == "applied" && r.To == m.ID && !lv.holds(r.CustomerID, "list") && !holdsAny(lv, r.CustomerID) {
				t.Errorf("manager %s's list does not hold customer %d", m.Code, r.CustomerID)
			}
		}
	}
	evalJS[any](p, `document.querySelector("[data-testid=balance-changes]").scrollIntoView({block: "start"})`)
	p.shot("accepted")
	evalJS[any](p, `document.querySelector("[data-testid=balance-page]").scrollIntoView({block: "start"})`)
	p.shot("accepted-map")

	// The whole district: every grid's managers, each in his colour.
	loads := evalJS[int](p, `window.gridplan.balance.loads`)
	p.setValue("[data-testid=pick-grid]", "0")
	p.waitFor("the district's run button", `document.querySelector("[data-testid=balance-run]").textContent === "Balance the district"`)
	p.click("[data-testid=balance-run]")
	p.waitFor("the district's proposal", fmt.Sprintf(`window.gridplan.balance.loads > %d && document.querySelector("[data-testid=balance-page]").dataset.state === "ready"`, loads))
	district := evalJS[balanceProposalJS](p, `window.gridplan.balance.proposal`)
	if district.Scope.Kind != "district" || district.Scope.ID != g.DistrictID || len(district.Managers) <= len(api.Managers) {
		t.Errorf("district proposal %+v with %d managers", district.Scope, len(district.Managers))
	}
	if n := p.count("[data-testid=balance-map] path.bal-arrow[marker-end]"); n != len(district.Changes) {
		t.Errorf("%d arrows for the district's %d changes", n, len(district.Changes))
	}
	evalJS[any](p, `document.querySelector("[data-testid=balance-page]").scrollIntoView({block: "start"})`)
	p.shot("district")
}

// holdsAny reports whether the list holds customer id at any stage.
func holdsAny(v listViewJS, id int64) bool {
	for _, g := range v.Groups {
		for _, it := range g.Items {
			if it.ID == id {
				return true
			}
		}
	}
	return false
}
