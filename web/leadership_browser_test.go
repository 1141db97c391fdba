package web

// Browser tests of the leadership page (web/ui/src/leadership, #/coverage)
// against the real coverage API on the shared demo site (3,000 customers;
// the tests only read): the district table equals the API's summary row
// for row, sorting orders it, the stacked bars draw, a later "as of" date
// brings the API's figures for that date, the gap map and the suggested
// sites appear, the drill-down reaches a grid's build, attack and full
// lists page by page, the XLSX export is a workbook, and a customer
// manager can neither open the page nor call the API. Screenshots of every
// step go to the artifacts folder (browser_test.go).

import (
	"cmp"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// covRow is a row of GET /api/coverage/summary as the team's contract
// writes it (decoded here on its own, so the test checks the JSON, not a
// Go type both sides share).
type covRow struct {
	ID                int64          `json:"id"`
	Code              string         `json:"code"`
	Name              string         `json:"name"`
	DistrictID        int64          `json:"district_id"`
	Customers         int            `json:"customers"`
	Existing          int            `json:"existing"`
	UnderConstruction int            `json:"under_construction"`
	Planned           int            `json:"planned"`
	None              int            `json:"none"`
	Attack            int            `json:"attack"`
	Funnel            map[string]int `json:"funnel"`
}

type covSummary struct {
	AsOf    string   `json:"as_of"`
	Level   string   `json:"level"`
	Rows    []covRow `json:"rows"`
	Total   covRow   `json:"total"`
	Outside covRow   `json:"outside"`
}

type covSite struct {
	Rank          int     `json:"rank"`
	Lng           float64 `json:"lng"`
	Lat           float64 `json:"lat"`
	CustomerCount int     `json:"customer_count"`
	Customers     []int64 `json:"customers"`
}

type covSuggestion struct {
	Sites []covSite `json:"sites"`
}

type covCustomerPage struct {
	Items []struct {
		ID       int64  `json:"id"`
		GridID   int64  `json:"grid_id"`
		Carrier  string `json:"carrier"`
		Coverage string `json:"coverage"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Total      int     `json:"total"`
}

// covFunnelStages are the funnel columns of the table.
var covFunnelStages = []string{"target", "list", "potential", "intent", "order", "in_network"}

// apiGet calls the API from the page and decodes a 200 answer into v.
func (p *page) apiGet(path string, v any) {
	p.t.Helper()
	r := p.fetch("GET", path, nil)
	if r.Status != 200 {
		p.t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	decodeBody(p.t, r, v)
}

// tableRow is a row of the page's table: the row's id and its cells' raw values.
type tableRow struct {
	ID    int64             `json:"id"`
	Cells map[string]string `json:"cells"`
}

// tableRows reads the coverage table's body rows in their order.
func (p *page) tableRows() []tableRow {
	p.t.Helper()
	return evalJS[[]tableRow](p, `[...document.querySelectorAll("[data-testid=coverage-table] tbody tr[data-id]")].map(tr => ({
		id: Number(tr.dataset.id),
		cells: Object.fromEntries([...tr.querySelectorAll("td[data-col]")].map(td => [td.dataset.col, td.dataset.value]))}))`)
}

// totalCells reads the total row's raw values.
func (p *page) totalCells() map[string]string {
	p.t.Helper()
	return evalJS[map[string]string](p, `Object.fromEntries([...document.querySelectorAll("[data-testid=coverage-table] tfoot td[data-col]")].map(td => [td.dataset.col, td.dataset.value]))`)
}

// waitCoverage waits until the coverage page has loaded n times (every
// load: all its parts for one date) and is ready.
func (p *page) waitCoverage(what string, loads int) {
	p.t.Helper()
	p.waitFor(what, fmt.Sprintf(`(() => { const c = window.gridplan && window.gridplan.coverage;
		const el = document.querySelector("[data-testid=coverage-page]");
		return c && c.loads >= %d && el && el.dataset.state === "ready"; })()`, loads))
}

// pctOf is the table's percentage of part in whole.
func pctOf(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}

// checkRowCells compares one row of the table with the API's row.
func checkRowCells(tb testing.TB, where string, cells map[string]string, want covRow) {
	tb.Helper()
	ints := map[string]int{"customers": want.Customers, "none": want.None, "attack": want.Attack}
	for _, s := range covFunnelStages {
		ints["funnel_"+s] = want.Funnel[s]
	}
	for col, w := range ints {
		if got := cells[col]; got != strconv.Itoa(w) {
			tb.Errorf("%s: %s = %q, the API says %d", where, col, got, w)
		}
	}
	pcts := map[string]float64{
		"pct_existing":           pctOf(want.Existing, want.Customers),
		"pct_under_construction": pctOf(want.UnderConstruction, want.Customers),
		"pct_planned":            pctOf(want.Planned, want.Customers),
	}
	for col, w := range pcts {
		got, err := strconv.ParseFloat(cells[col], 64)
		if err != nil || math.Abs(got-w) > 1e-9 {
			tb.Errorf("%s: %s = %q, the API's figures make %.6f", where, col, cells[col], w)
		}
	}
}

// checkTable compares the whole table (rows in any order, and the total)
// with a summary of the API.
func checkTable(tb testing.TB, p *page, s covSummary) {
	tb.Helper()
	rows := p.tableRows()
	if len(rows) != len(s.Rows) {
		tb.Fatalf("the table has %d rows, the API %d", len(rows), len(s.Rows))
	}
	byID := map[int64]covRow{}
	for _, r := range s.Rows {
		byID[r.ID] = r
	}
	for _, r := range rows {
		want, ok := byID[r.ID]
		if !ok {
			tb.Errorf("the table has row %d, the API none", r.ID)
			continue
		}
		checkRowCells(tb, fmt.Sprintf("row %d (%s)", r.ID, want.Code), r.Cells, want)
	}
	checkRowCells(tb, "total row", p.totalCells(), s.Total)
	// The customers in no row are shown apart, so the rows and them add up to the total.
	if s.Outside.Customers > 0 {
		cells := evalJS[map[string]string](p, `Object.fromEntries([...document.querySelectorAll("[data-testid=coverage-table] tfoot tr[data-testid=outside-row] td[data-col]")].map(td => [td.dataset.col, td.dataset.value]))`)
		checkRowCells(tb, "outside row", cells, s.Outside)
	} else if n := p.count("[data-testid=outside-row]"); n != 0 {
		tb.Errorf("an outside row is shown though the API counts no customer outside the rows")
	}
	sumRows := s.Outside.Customers
	for _, r := range s.Rows {
		sumRows += r.Customers
	}
	if sumRows != s.Total.Customers {
		tb.Errorf("the API's rows and outside add up to %d customers, its total is %d", sumRows, s.Total.Customers)
	}
}

// columnValues are the values of one column, top to bottom.
func columnValues(tb testing.TB, rows []tableRow, col string) []float64 {
	tb.Helper()
	out := make([]float64, len(rows))
	for i, r := range rows {
		v, err := strconv.ParseFloat(r.Cells[col], 64)
		if err != nil {
			tb.Fatalf("row %d: %s = %q is not a number", r.ID, col, r.Cells[col])
		}
		out[i] = v
	}
	return out
}

func TestBrowserLeadershipDistricts(t *testing.T) {
	site := newBrowserSite(t)
	p := newPage(t, site, pageOptions{Width: 1400, Height: 1000})
	p.loginAs("leader")
	if !slices.Contains(evalJS[[]string](p, `[...document.querySelectorAll(".main-nav a")].map(a => a.dataset.page)`), "coverage") {
		t.Fatal("the leader's navigation has no coverage page")
	}
	p.click(`.main-nav a[data-page=coverage]`)
	p.waitCoverage("the coverage page", 1)

	// One row per district, numbers equal to the API's.
	var sum covSummary
	p.apiGet("/api/coverage/summary?level=district", &sum)
	districts, err := site.Store.Districts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Rows) != len(districts) {
		t.Errorf("the API summarises %d districts, the store holds %d", len(sum.Rows), len(districts))
	}
	checkTable(t, p, sum)
	if got := p.text("[data-testid=kpi-customers] .kpi-value"); got != strconv.Itoa(sum.Total.Customers) && got != fmt.Sprintf("%d,%03d", sum.Total.Customers/1000, sum.Total.Customers%1000) {
		t.Errorf("headline customers %q, the API's total %d", got, sum.Total.Customers)
	}
	if got := evalJS[string](p, `document.querySelector("[data-testid=asof-shown]").dataset.asOf`); got != sum.AsOf {
		t.Errorf("the page says as of %q, the API %q", got, sum.AsOf)
	}
	p.shot("districts")

	// Sorting: every figure column orders the rows, largest first on the
	// first click, smallest first on the second; the rows stay the same.
	ids := func(rows []tableRow) []int64 {
		out := make([]int64, len(rows))
		for i, r := range rows {
			out[i] = r.ID
		}
		return out
	}
	before := ids(p.tableRows())
	slices.Sort(before)
	for _, col := range []string{"customers", "pct_existing", "pct_under_construction", "pct_planned", "none", "attack", "funnel_target", "funnel_in_network"} {
		for _, dir := range []string{"desc", "asc"} {
			p.click(fmt.Sprintf(`[data-testid=coverage-table] button[data-sort=%s]`, col))
			p.waitFor("the sorted table", fmt.Sprintf(`document.querySelector("[data-testid=coverage-table]").dataset.sort === %s`, jsString(col+":"+dir)))
			rows := p.tableRows()
			got := ids(rows)
			slices.Sort(got)
			if !slices.Equal(got, before) {
				t.Fatalf("sorting by %s changed the rows: %v, want %v", col, got, before)
			}
			vals := columnValues(t, rows, col)
			ordered := slices.IsSorted(vals)
			if dir == "desc" {
				ordered = slices.IsSortedFunc(vals, func(a, b float64) int { return cmp.Compare(b, a) })
			}
			if !ordered {
				t.Errorf("sorted by %s %s, the column reads %v", col, dir, vals)
			}
		}
	}
	// The customers column, largest first: the exact order the API's rows
	// give (ties by code).
	p.click(`[data-testid=coverage-table] button[data-sort=customers]`)
	p.waitFor("customers, largest first", `document.querySelector("[data-testid=coverage-table]").dataset.sort === "customers:desc"`)
	want := slices.Clone(sum.Rows)
	slices.SortStableFunc(want, func(a, b covRow) int {
		return cmp.Or(cmp.Compare(b.Customers, a.Customers), cmp.Compare(a.Code, b.Code))
	})
	wantIDs := make([]int64, len(want))
	for i, r := range want {
		wantIDs[i] = r.ID
	}
	if got := ids(p.tableRows()); !slices.Equal(got, wantIDs) {
		t.Errorf("sorted by customers: rows %v, want %v", got, wantIDs)
	}
	p.shot("sorted-by-customers")

	// The chart: four stacked series (the statuses), one bar per district
	// in the table's order, ink on its canvas, and the bars' figures the API's.
	p.waitFor("the chart", `window.gridplan.coverage.chart && window.gridplan.coverage.chart.seriesCount() === 4`)
	names := evalJS[[]string](p, `window.gridplan.coverage.chart.chart.getOption().series.map(s => s.id)`)
	if !slices.Equal(names, []string{"existing", "under_construction", "planned", "none"}) {
		t.Errorf("chart series %v, want existing, under_construction, planned, none", names)
	}
	if n := evalJS[int](p, `window.gridplan.coverage.chart.chart.getOption().yAxis[0].data.length`); n != len(sum.Rows) {
		t.Errorf("the chart has %d bars, want %d (one per district)", n, len(sum.Rows))
	}
	sums := evalJS[[]float64](p, `window.gridplan.coverage.chart.chart.getOption().series.map(s => s.data.reduce((a, b) => a + b, 0))`)
	if want := []float64{float64(sum.Total.Existing), float64(sum.Total.UnderConstruction), float64(sum.Total.Planned), float64(sum.Total.None)}; !slices.Equal(sums, want) {
		t.Errorf("the chart's series add up to %v, the API's totals are %v", sums, want)
	}
	if ink := chartInk(p, "[data-testid=coverage-chart] canvas"); ink < 2000 {
		t.Errorf("the chart's canvas holds %d inked pixels: it did not draw", ink)
	}
	evalJS[any](p, `document.querySelector("[data-testid=coverage-chart]").scrollIntoView()`)
	p.shot("chart")
	p.click("[data-testid=chart-share]")
	if max := evalJS[float64](p, `Math.max(...window.gridplan.coverage.chart.chart.getOption().series[0].data)`); max > 100 {
		t.Errorf("the chart in shares shows %v%%", max)
	}
	p.shot("chart-shares")

	// Export: the link gives an XLSX workbook (a zip: "PK").
	checkExport(t, p, "")
}

// waitPopupShown waits until the map's popup has faded in (for the screenshots).
func (p *page) waitPopupShown() {
	p.t.Helper()
	p.waitFor("the popup faded in", `(() => { const el = document.querySelector(".leaflet-popup"); return el && getComputedStyle(el).opacity === "1"; })()`)
}

// chartInk counts the non-transparent pixels of the canvases matching css.
func chartInk(p *page, css string) int {
	p.t.Helper()
	return evalJS[int](p, fmt.Sprintf(`(() => { let n = 0;
		for (const c of document.querySelectorAll(%s)) {
			const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
			for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
		}
		return n; })()`, jsString(css)))
}

// checkExport fetches the page's export link and checks it is an XLSX
// file for the date asOf ("" for today).
func checkExport(t *testing.T, p *page, asOf string) {
	t.Helper()
	href := evalJS[string](p, `document.querySelector("[data-testid=export-xlsx]").href`)
	u, err := url.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/api/coverage/export.xlsx" || u.Query().Get("as_of") != asOf {
		t.Errorf("export link %s: want /api/coverage/export.xlsx with as_of=%q", href, asOf)
	}
	type exported struct {
		Status      int    `json:"status"`
		ContentType string `json:"type"`
		Disposition string `json:"disposition"`
		Head        []int  `json:"head"`
		Size        int    `json:"size"`
	}
	got := evalJS[exported](p, `fetch(document.querySelector("[data-testid=export-xlsx]").href).then(async r => {
		const b = new Uint8Array(await r.arrayBuffer());
		return {status: r.status, type: r.headers.get("Content-Type") || "", disposition: r.headers.get("Content-Disposition") || "", head: [...b.slice(0, 4)], size: b.length}; })`)
	if got.Status != 200 {
		t.Fatalf("GET %s: %d", href, got.Status)
	}
	if got.ContentType != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("export Content-Type %q, want the XLSX type", got.ContentType)
	}
	if !slices.Equal(got.Head, []int{'P', 'K', 3, 4}) {
		t.Errorf("export starts with %v, want a zip's PK\\x03\\x04", got.Head)
	}
	t.Logf("export: %d bytes, %s", got.Size, got.Disposition)
}

func TestBrowserLeadershipAsOf(t *testing.T) {
	site := newBrowserSite(t)
	p := newPage(t, site, pageOptions{Width: 1400, Height: 1000})
	p.loginAs("leader")
	p.open("/#/coverage")
	p.waitCoverage("the coverage page", 1)
	var today covSummary
	p.apiGet("/api/coverage/summary?level=district", &today)
	checkTable(t, p, today)
	p.shot("today")

	// The quarter ends offered: the end of this quarter and the seven after.
	ends := evalJS[[]string](p, `[...document.querySelectorAll("[data-testid=asof-select] option")].map(o => o.value).filter(v => /^\d{4}-\d\d-\d\d$/.test(v))`)
	if len(ends) != 8 {
		t.Fatalf("the picker offers %d quarter ends (%v), want 8", len(ends), ends)
	}
	quarterEnd := regexp.MustCompile(`^\d{4}-(03-31|06-30|09-30|12-31)$`)
	for i, e := range ends {
		if !quarterEnd.MatchString(e) || (i > 0 && e <= ends[i-1]) {
			t.Errorf("offered dates %v: want ascending quarter ends", ends)
			break
		}
	}

	// The last one: what is under construction or planned today is (mostly)
	// built by then.
	last := ends[len(ends)-1]
	p.setValue("[data-testid=asof-select]", last)
	p.waitCoverage("the figures as of "+last, 2)
	var later covSummary
	p.apiGet("/api/coverage/summary?level=district&as_of="+last, &later)
	if later.AsOf != last {
		t.Errorf("the API answers as of %q for as_of=%s", later.AsOf, last)
	}
	if got := evalJS[string](p, `document.querySelector("[data-testid=asof-shown]").dataset.asOf`); got != last {
		t.Errorf("the page says as of %q, want %s", got, last)
	}
	checkTable(t, p, later)
	if later.Total.Existing < today.Total.Existing || later.Total.None > today.Total.None {
		t.Errorf("as of %s: existing %d, none %d; today %d, %d: coverage shrank with time", last, later.Total.Existing, later.Total.None, today.Total.Existing, today.Total.None)
	}
	if pending := today.Total.UnderConstruction + today.Total.Planned; pending > 0 && later.Total.Existing == today.Total.Existing {
		t.Errorf("%d customers wait for resources under construction or planned today, yet as of %s no more are covered by existing ones", pending, last)
	}
	sums := evalJS[[]float64](p, `window.gridplan.coverage.chart.chart.getOption().series.map(s => s.data.reduce((a, b) => a + b, 0))`)
	if len(sums) != 4 || sums[0] != float64(later.Total.Existing) {
		t.Errorf("the chart after the change adds up to %v, want existing %d", sums, later.Total.Existing)
	}
	p.shot("as-of-" + last)
	checkExport(t, p, last)

	// The quarters side by side, on demand: each bar is the API's total at that date.
	p.click("[data-testid=trend-show]")
	p.waitFor("the quarters", `window.gridplan.coverage.trend && window.gridplan.coverage.trendChart.seriesCount() === 4`)
	trend := evalJS[[]covRow](p, `window.gridplan.coverage.trend`)
	if len(trend) != 9 {
		t.Fatalf("the quarter view has %d bars, want today and 8 quarter ends", len(trend))
	}
	if trend[8].Code != last || trend[8].Existing != later.Total.Existing {
		t.Errorf("the last quarter's bar: %s existing %d, want %s %d", trend[8].Code, trend[8].Existing, last, later.Total.Existing)
	}
	for i := 1; i < len(trend); i++ {
		if trend[i].Existing < trend[i-1].Existing {
			t.Errorf("existing coverage falls from %s (%d) to %s (%d)", trend[i-1].Code, trend[i-1].Existing, trend[i].Code, trend[i].Existing)
		}
	}
	evalJS[any](p, `document.querySelector("[data-testid=trend-show], .trend").scrollIntoView()`)
	p.shot("quarters")

	// Back to today through the date field.
	p.setValue("[data-testid=asof-date]", today.AsOf)
	p.waitCoverage("today's figures again", 3)
	checkTable(t, p, today)
}

func TestBrowserLeadershipGapsAndSites(t *testing.T) {
	site := newBrowserSite(t)
	p := newPage(t, site, pageOptions{Width: 1400, Height: 1000})
	p.loginAs("planner") // planners see the page too
	p.open("/#/coverage")
	p.waitCoverage("the coverage page", 1)
	evalJS[any](p, `document.querySelector("[data-testid=gap-section]").scrollIntoView()`)

	// The gap hexagons: the API's, drawn on the map's canvas.
	var gaps struct {
		Features []struct {
			Properties struct {
				Uncovered int     `json:"uncovered"`
				Weight    float64 `json:"weight"`
			} `json:"properties"`
		} `json:"features"`
	}
	p.apiGet("/api/coverage/gaps?res=9", &gaps)
	if len(gaps.Features) == 0 {
		t.Fatal("the API finds no gap in the demo city")
	}
	if n := evalJS[int](p, `window.gridplan.coverage.map.gaps.data.features.length`); n != len(gaps.Features) {
		t.Errorf("the map shows %d gap hexagons, the API has %d", n, len(gaps.Features))
	}
	if got := evalJS[string](p, `document.querySelector("[data-testid=gap-info]").dataset.cells`); got != strconv.Itoa(len(gaps.Features)) {
		t.Errorf("the panel counts %s hexagons, want %d", got, len(gaps.Features))
	}
	if ink := chartInk(p, "#coverage-map .leaflet-overlay-pane canvas"); ink == 0 {
		t.Error("the gap hexagons' canvas is blank")
	}
	if p.count("[data-testid=gap-legend] li") == 0 {
		t.Error("no legend of the gap colours")
	}

	// Suggested sites with the defaults (K=5, 500 m): markers numbered 1…K
	// with their circles, as the API suggests them.
	p.waitFor("the suggested sites", `document.querySelector("[data-testid=sites-result]").dataset.state === "ready"`)
	var sg covSuggestion
	p.apiGet("/api/coverage/suggest?k=5&radius=500", &sg)
	if len(sg.Sites) == 0 {
		t.Fatal("the API suggests no site")
	}
	marks := evalJS[[]string](p, `[...document.querySelectorAll("#coverage-map .site-marker")].map(m => m.textContent)`)
	wantMarks := make([]string, len(sg.Sites))
	for i, s := range sg.Sites {
		wantMarks[i] = strconv.Itoa(s.Rank)
	}
	if !slices.Equal(marks, wantMarks) {
		t.Errorf("site markers %v, want %v", marks, wantMarks)
	}
	if n := evalJS[int](p, `window.gridplan.coverage.map.sites.layer.getLayers().filter(l => l instanceof L.Circle && l.getRadius() === 500).length`); n != len(sg.Sites) {
		t.Errorf("%d circles of 500 m, want %d", n, len(sg.Sites))
	}
	p.shot("gaps-and-sites")

	// A click inside a hexagon tells its figures (the map finds the
	// hexagon under the click: the resources' canvas lies above).
	uncovered := evalJS[int](p, `(() => { const c = window.gridplan.coverage.map; const f = c.gaps.data.features[0];
		const at = L.geoJSON(f).getBounds().getCenter(); c.map.setView(at, 14, {animate: false}); c.map.fire("click", {latlng: at});
		return f.properties.uncovered; })()`)
	p.waitFor("the hexagon's popup", `document.querySelector("#coverage-map .leaflet-popup-content table.props")`)
	p.waitPopupShown()
	if got := p.text("#coverage-map .leaflet-popup-content"); !strings.Contains(got, "Uncovered customers"+strconv.Itoa(uncovered)) {
		t.Errorf("hexagon popup %q lacks its %d uncovered customers", got, uncovered)
	}
	p.shot("gap-popup")
	evalJS[any](p, `void window.gridplan.coverage.map.map.closePopup()`)

	// The first site's popup lists the customers it would cover: the API's
	// first ids, by name.
	p.click("[data-testid=site-item]")
	p.waitFor("the site's popup with names", `document.querySelector("[data-testid=site-popup] [data-testid=site-customers] li b")`)
	p.waitPopupShown()
	listed := evalJS[[]int64](p, `[...document.querySelectorAll("[data-testid=site-popup] li[data-customer]")].map(li => Number(li.dataset.customer))`)
	first := sg.Sites[0]
	wantN := min(20, len(first.Customers))
	if len(listed) != wantN || !slices.Equal(listed, first.Customers[:wantN]) {
		t.Errorf("the popup of site 1 lists %v, want the API's first %d: %v", listed, wantN, first.Customers[:wantN])
	}
	if len(first.Customers) > 0 {
		c, err := site.Store.Customer(t.Context(), first.Customers[0])
		if err != nil {
			t.Fatal(err)
		}
		if got := p.text("[data-testid=site-popup] li[data-customer] b"); got != c.Name {
			t.Errorf("the popup names the first customer %q, the store %q", got, c.Name)
		}
	}
	p.shot("site-popup")

	// Other K and radius: the page asks the API again.
	p.setValue("[data-testid=suggest-k]", "3")
	p.setValue("[data-testid=suggest-radius]", "800")
	p.click("[data-testid=suggest-go]")
	p.waitFor("three sites", `document.querySelector("[data-testid=sites-result]").dataset.state === "ready" && document.querySelectorAll("#coverage-map .site-marker").length <= 3 &&
		window.gridplan.coverage.map.suggestion && window.gridplan.coverage.map.sites.layer.getLayers().some(l => l instanceof L.Circle && l.getRadius() === 800)`)
	var sg3 covSuggestion
	p.apiGet("/api/coverage/suggest?k=3&radius=800", &sg3)
	if n := p.count("#coverage-map .site-marker"); n != len(sg3.Sites) {
		t.Errorf("%d markers for K=3, the API suggests %d sites", n, len(sg3.Sites))
	}
	// Bad input is refused before any request.
	p.setValue("[data-testid=suggest-k]", "0")
	p.click("[data-testid=suggest-go]")
	p.waitFor("the refusal", `[...document.querySelectorAll(".toast-error")].some(e => /K must be/.test(e.textContent))`)
	p.shot("k3-and-refusal")
}

func TestBrowserLeadershipDrillDown(t *testing.T) {
	site := newBrowserSite(t)
	p := newPage(t, site, pageOptions{Width: 1400, Height: 1000})
	p.loginAs("admin")
	p.open("/#/coverage")
	p.waitCoverage("the coverage page", 1)

	// District → its grids (the table sorted by uncovered, largest first).
	districtID := evalJS[int64](p, `Number(document.querySelector("[data-testid=coverage-table] tbody tr[data-id]").dataset.id)`)
	p.click(`[data-testid=coverage-table] tbody tr[data-id] a[data-testid=drill]`)
	p.waitFor("the district's route", fmt.Sprintf(`location.hash === "#/coverage/district/%d"`, districtID))
	p.waitCoverage("the district's grids", 1)
	var grids covSummary
	p.apiGet(fmt.Sprintf("/api/coverage/summary?level=grid&district_id=%d", districtID), &grids)
	if len(grids.Rows) == 0 {
		t.Fatalf("district %d has no grid rows", districtID)
	}
	for _, r := range grids.Rows {
		if r.DistrictID != districtID {
			t.Errorf("grid row %d (%s) is of district %d, want %d", r.ID, r.Code, r.DistrictID, districtID)
		}
	}
	checkTable(t, p, grids)
	if n := evalJS[int](p, `window.gridplan.coverage.map.grids.data.features.length`); n != len(grids.Rows) {
		t.Logf("the district's map outlines %d grids, the summary has %d rows", n, len(grids.Rows))
	}
	p.waitFor("the district's gaps", `window.gridplan.coverage.map.gapsLoaded >= 1`)
	p.shot("district")

	// Grid → its build list (the grid with the most uncovered customers).
	sortRows := slices.Clone(grids.Rows)
	slices.SortStableFunc(sortRows, func(a, b covRow) int { return cmp.Or(cmp.Compare(b.None, a.None), cmp.Compare(a.Code, b.Code)) })
	grid := sortRows[0]
	p.click(fmt.Sprintf(`[data-testid=coverage-table] tbody tr[data-id="%d"] a[data-testid=drill]`, grid.ID))
	p.waitFor("the grid's route", fmt.Sprintf(`location.hash === "#/coverage/grid/%d"`, grid.ID))
	p.waitFor("the build list", `document.querySelector("[data-testid=customer-list]") && document.querySelector("[data-testid=customer-list]").dataset.state === "ready"`)
	if got := p.text("[data-testid=crumb-grid]"); !strings.HasPrefix(got, grid.Code) {
		t.Errorf("crumbs end with %q, want the grid %s", got, grid.Code)
	}
	checkList := func(what, query string, wantCoverage, wantCarrier string) covCustomerPage {
		t.Helper()
		var api covCustomerPage
		p.apiGet(fmt.Sprintf("/api/coverage/customers?grid_id=%d&limit=50%s", grid.ID, query), &api)
		p.waitFor(what, `document.querySelector("[data-testid=customer-list]").dataset.state === "ready"`)
		if got := evalJS[string](p, `document.querySelector("[data-testid=list-info]").dataset.total`); got != strconv.Itoa(api.Total) {
			t.Errorf("%s: the page counts %s customers, the API %d", what, got, api.Total)
		}
		type shown struct {
			ID       int64  `json:"id"`
			Coverage string `json:"coverage"`
			Carrier  string `json:"carrier"`
		}
		rows := evalJS[[]shown](p, `[...document.querySelectorAll("[data-testid=customers-table] tbody tr[data-customer]")].map(tr => ({id: Number(tr.dataset.customer), coverage: tr.dataset.coverage, carrier: tr.dataset.carrier}))`)
		if len(rows) != len(api.Items) {
			t.Errorf("%s: %d rows, the API's first page %d", what, len(rows), len(api.Items))
		}
		for i, r := range rows {
			if i < len(api.Items) && r.ID != api.Items[i].ID {
				t.Errorf("%s: row %d is customer %d, the API's %d", what, i, r.ID, api.Items[i].ID)
			}
			if wantCoverage != "" && r.Coverage != wantCoverage {
				t.Errorf("%s: customer %d is %s", what, r.ID, r.Coverage)
			}
			if wantCarrier != "" && r.Carrier != wantCarrier {
				t.Errorf("%s: customer %d's carrier is %s", what, r.ID, r.Carrier)
			}
		}
		return api
	}
	build := checkList("the build list", "&status=none", "none", "")
	if build.Total != grid.None {
		t.Errorf("the build list holds %d customers, the grid's row says %d uncovered", build.Total, grid.None)
	}
	p.shot("grid-build-list")

	p.click("[data-testid=list-attack]")
	attack := checkList("the attack list", "&status=existing&carrier=competitor", "existing", "competitor")
	if attack.Total != grid.Attack {
		t.Errorf("the attack list holds %d customers, the grid's row says %d", attack.Total, grid.Attack)
	}
	p.shot("grid-attack-list")

	// Back up through the crumbs.
	p.click("[data-testid=crumb-district]")
	p.waitFor("the district again", fmt.Sprintf(`location.hash === "#/coverage/district/%d"`, districtID))
	p.waitCoverage("the district's grids again", 1)

	// Every customer of the city's biggest grid, a page (50) at a time: the
	// pages do not overlap and add up to the grid's row.
	var allGrids covSummary
	p.apiGet("/api/coverage/summary?level=grid", &allGrids)
	big := slices.MaxFunc(allGrids.Rows, func(a, b covRow) int { return cmp.Compare(a.Customers, b.Customers) })
	if big.Customers <= 50 {
		t.Fatalf("the biggest grid, %s, holds %d customers: too few for a second page", big.Code, big.Customers)
	}
	grid = big
	p.open(fmt.Sprintf("/#/coverage/grid/%d", grid.ID))
	p.waitFor("the grid's list", `document.querySelector("[data-testid=customer-list]") && document.querySelector("[data-testid=customer-list]").dataset.state === "ready"`)
	p.click("[data-testid=list-all]")
	all := checkList("all customers", "", "", "")
	if all.Total != grid.Customers {
		t.Errorf("the grid lists %d customers, its row says %d", all.Total, grid.Customers)
	}
	seen := map[int64]bool{}
	for _, it := range all.Items {
		seen[it.ID] = true
	}
	if n := evalJS[int](p, `window.gridplan.coverage.gridMap.dots.getLayers().length`); n != len(all.Items) {
		t.Errorf("the grid's map shows %d customers, the page lists %d", n, len(all.Items))
	}
	p.shot("grid-all-page-1")
	pages := 1
	for all.NextCursor != nil {
		p.click("[data-testid=page-next]")
		p.waitFor("the next page", fmt.Sprintf(`document.querySelector("[data-testid=customer-list]").dataset.page === "%d" && document.querySelector("[data-testid=customer-list]").dataset.state === "ready"`, pages))
		ids := evalJS[[]int64](p, `[...document.querySelectorAll("[data-testid=customers-table] tbody tr[data-customer]")].map(tr => Number(tr.dataset.customer))`)
		p.apiGet(fmt.Sprintf("/api/coverage/customers?grid_id=%d&limit=50&cursor=%s", grid.ID, url.QueryEscape(*all.NextCursor)), &all)
		want := make([]int64, len(all.Items))
		for i, it := range all.Items {
			want[i] = it.ID
		}
		if !slices.Equal(ids, want) {
			t.Errorf("page %d lists %v, the API %v", pages+1, ids, want)
		}
		for _, id := range ids {
			if seen[id] {
				t.Errorf("customer %d on two pages", id)
			}
			seen[id] = true
		}
		pages++
		if pages == 2 {
			p.shot("grid-all-page-2")
		}
	}
	if len(seen) != grid.Customers {
		t.Errorf("the pages list %d customers, the grid has %d", len(seen), grid.Customers)
	}
	p.click("[data-testid=page-prev]")
	p.waitFor("the previous page", fmt.Sprintf(`document.querySelector("[data-testid=customer-list]").dataset.page === "%d" && document.querySelector("[data-testid=customer-list]").dataset.state === "ready"`, pages-2))
}

func TestBrowserLeadershipRoles(t *testing.T) {
	site := newBrowserSite(t)
	manager := site.City.Managers[0]
	p := newPage(t, site, pageOptions{})
	p.loginAs(manager.Code)
	if slices.Contains(evalJS[[]string](p, `[...document.querySelectorAll(".main-nav a")].map(a => a.dataset.page)`), "coverage") {
		t.Error("a customer manager's navigation offers the coverage page")
	}
	p.open("/#/coverage")
	p.waitFor("the refusal", `document.querySelector("#page") && /cannot open/.test(document.querySelector("#page").textContent)`)
	if p.count("[data-testid=coverage-page]") != 0 {
		t.Error("the manager's browser built the coverage page")
	}
	p.shot("manager-refused")
	for _, path := range []string{
		"/api/coverage/summary?level=district",
		"/api/coverage/summary?level=grid",
		"/api/coverage/gaps?res=9",
		"/api/coverage/suggest?k=5&radius=500",
		"/api/coverage/customers?status=none",
		"/api/coverage/export.xlsx",
	} {
		if r := p.fetch("GET", path, nil); r.Status != 403 {
			t.Errorf("a manager's GET %s: %d, want 403", path, r.Status)
		}
	}
}

// TestBrowserLeadershipChinese: the page in Chinese (the headers, the
// chart's legend), for the screenshots and a smoke check.
func TestBrowserLeadershipChinese(t *testing.T) {
	site := newBrowserSite(t)
	p := newPage(t, site, pageOptions{AcceptLanguage: "zh-CN,zh;q=0.9", Width: 1400, Height: 1000})
	p.loginAs("leader")
	p.open("/#/coverage")
	p.waitCoverage("the coverage page", 1)
	if got := p.text(".main-nav a.active"); got != "覆盖分析" {
		t.Errorf("navigation %q, want 覆盖分析", got)
	}
	head := p.text("[data-testid=coverage-table] thead")
	for _, want := range []string{"已建覆盖率", "未覆盖", "攻坚清单", "目标客户", "在网客户"} {
		if !strings.Contains(head, want) {
			t.Errorf("table headers lack %q: %q", want, head)
		}
	}
	legend := evalJS[[]string](p, `window.gridplan.coverage.chart.chart.getOption().series.map(s => s.name)`)
	if !slices.Equal(legend, []string{"已建覆盖", "在建覆盖", "规划覆盖", "未覆盖"}) {
		t.Errorf("chart legend %v", legend)
	}
	p.shot("zh")
}
