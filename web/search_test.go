package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/territory"
)

// searchAs runs GET /api/search?q=… (plus extra query) as user.
func searchAs(tb testing.TB, w *world, user, q, extra string) searchResult {
	tb.Helper()
	rec := w.get(tb, user, "/api/search?q="+url.QueryEscape(q)+extra)
	wantStatus(tb, rec, http.StatusOK)
	var res searchResult
	decode(tb, rec, &res)
	return res
}

func gridCodes(res searchResult) string {
	var out []string
	for _, g := range res.Grids {
		out = append(out, g.Code+"/"+g.Match)
	}
	return strings.Join(out, " ")
}

func customerNames(res searchResult) string {
	var out []string
	for _, c := range res.Customers {
		out = append(out, c.Name+"/"+c.Match)
	}
	return strings.Join(out, " | ")
}

// addCustomer stores a customer named name in grid g.
func addCustomer(tb testing.TB, w *world, g *territory.Grid, name string, owner int64) *territory.Customer {
	tb.Helper()
	c := g.Boundary.Bound().Center()
	cu := &territory.Customer{ExternalID: "S-" + name, Name: name, Address: "测试路 1 号", Location: orb.Point{c[0], c[1] - 0.005},
		GridID: g.ID, Carrier: territory.CarrierNone, OwnerID: owner}
	cu.Normalize()
	if err := w.store.CreateCustomer(context.Background(), cu); err != nil {
		tb.Fatalf("create customer %s: %v", name, err)
	}
	return cu
}

func TestSearch(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name, user, q, extra string
		grids, customers     string
	}{
		{"code prefix, any case", "planner", "xh-0", "", "XH-01/prefix XH-02/prefix", ""},
		{"exact code first", "planner", "GS-01", "", "GS-01/exact", ""},
		{"grid name", "leader", "网格 gs", "", "GS-01/prefix GS-99/prefix", ""},
		{"two words, both needed", "planner", "公司 3", "", "", "杭州某某科技有限公司 3/contains"},
		{"limit", "planner", "科技", "&limit=2", "", "杭州某某科技有限公司 1/contains | 杭州某某科技有限公司 2/contains"},
		{"nothing", "admin", "不存在的名字", "", "", ""},
		// zhang (m001) owns customers 1, 2 and 4 only.
		{"a manager's own list", "zhang", "科技", "", "", "杭州某某科技有限公司 1/contains | 杭州某某科技有限公司 2/contains | 杭州某某科技有限公司 4/contains"},
		{"a manager sees grids", "zhang", "GS", "", "GS-01/prefix GS-99/prefix", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := searchAs(t, w, tt.user, tt.q, tt.extra)
			if got := gridCodes(res); got != tt.grids {
				t.Errorf("grids %q, want %q", got, tt.grids)
			}
			if got := customerNames(res); got != tt.customers {
				t.Errorf("customers %q, want %q", got, tt.customers)
			}
			if res.Query != tt.q {
				t.Errorf("q echoed as %q", res.Query)
			}
		})
	}

	res := searchAs(t, w, "planner", "XH-01", "")
	b := w.g1.Boundary.Bound()
	if len(res.Grids) != 1 || res.Grids[0].ID != w.g1.ID || res.Grids[0].DistrictID != w.d1.ID ||
		res.Grids[0].BBox != [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		t.Errorf("grid hit %+v", res.Grids)
	}
	res = searchAs(t, w, "planner", "有限公司 5", "")
	if len(res.Customers) != 1 {
		t.Fatalf("customers %q", customerNames(res))
	}
	if c := res.Customers[0]; c.Address == "" || c.GridID == 0 || c.Lng == 0 || c.Stage == "" || res.Index == nil || res.Index.Customers != 9 {
		t.Errorf("customer hit %+v, index %+v", c, res.Index)
	}

	bad := []struct{ name, user, query, field string }{
		{"no q", "planner", "", "q"},
		{"blank q", "planner", "?q=%20%20", "q"},
		{"long q", "planner", "?q=" + strings.Repeat("字", 101), "q"},
		{"zero limit", "planner", "?q=a&limit=0", "limit"},
		{"big limit", "planner", "?q=a&limit=51", "limit"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, w.get(t, tt.user, "/api/search"+tt.query), http.StatusBadRequest, "invalid", tt.field)
		})
	}
	wantError(t, w.get(t, "", "/api/search?q=a"), http.StatusUnauthorized, "unauthorized", "")
}

// TestSearchRanking checks the order (exact, prefix, contains; shorter
// first) and that customers added after the index was built are found at
// once, with full-width letters folded.
func TestSearchRanking(t *testing.T) {
	w := newWorld(t)
	searchAs(t, w, "planner", "科技", "") // builds the index
	addCustomer(t, w, w.g1, "西湖科技园餐厅", 0)
	addCustomer(t, w, w.g1, "科技", 0)
	addCustomer(t, w, w.g1, "科技园餐厅", 0)
	addCustomer(t, w, w.g1, "科技园大餐厅", 0)
	addCustomer(t, w, w.g1, "ＡＢＣ贸易", 0)

	res := searchAs(t, w, "planner", "科技", "&limit=5")
	want := "科技/exact | 科技园餐厅/prefix | 科技园大餐厅/prefix | 西湖科技园餐厅/contains | 杭州某某科技有限公司 1/contains"
	if got := customerNames(res); got != want {
		t.Errorf("ranking\n got %s\nwant %s", got, want)
	}
	if got := customerNames(searchAs(t, w, "planner", "abc", "")); got != "ＡＢＣ贸易/prefix" {
		t.Errorf("full-width: %q", got)
	}
}

// TestSearchFreshness: a deleted or renamed customer is never shown stale;
// a rename is found after the periodic rebuild; grids are re-read after
// searchGridTTL.
func TestSearchFreshness(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	cu := addCustomer(t, w, w.g1, "老字号茶庄", 0)
	doomed := addCustomer(t, w, w.g1, "老字号面馆", 0)
	if got := customerNames(searchAs(t, w, "planner", "老字号", "")); got != "老字号茶庄/prefix | 老字号面馆/prefix" {
		t.Fatalf("before: %q", got)
	}
	if err := w.store.DeleteCustomer(ctx, doomed.ID); err != nil {
		t.Fatal(err)
	}
	cu.Name = "新茶庄"
	if err := w.store.UpdateCustomer(ctx, cu); err != nil {
		t.Fatal(err)
	}
	if got := customerNames(searchAs(t, w, "planner", "老字号", "")); got != "" {
		t.Errorf("stale hits: %q", got)
	}
	if got := customerNames(searchAs(t, w, "planner", "新茶庄", "")); got != "" {
		t.Errorf("a rename found before the rebuild (fine, but the index was supposed to be stale): %q", got)
	}
	w.clock.Add(searchRebuildAfter + time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := customerNames(searchAs(t, w, "planner", "新茶庄", ""))
		if got == "新茶庄/exact" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the rename is not found 10 s after the rebuild was due: %q", got)
		}
		time.Sleep(20 * time.Millisecond)
	}

	g := &territory.Grid{Code: "XH-77", Name: "新网格", DistrictID: w.d1.ID, Boundary: square(orb.Point{120.05, 30.20}, 0.01), Status: territory.GridDraft}
	if err := w.store.CreateGrid(ctx, g); err != nil {
		t.Fatal(err)
	}
	if got := gridCodes(searchAs(t, w, "planner", "XH-77", "")); got != "" {
		t.Errorf("grid list re-read before its TTL: %q", got)
	}
	w.clock.Add(searchGridTTL)
	if got := gridCodes(searchAs(t, w, "planner", "XH-77", "")); got != "XH-77/exact" {
		t.Errorf("new grid after the TTL: %q", got)
	}
}

// TestNameIndexFind checks the scan on an index built by hand: hits at
// the start and end of the text, several in one name, none across names.
func TestNameIndexFind(t *testing.T) {
	x := &nameIndex{}
	var cs []*territory.Customer
	for i, n := range []string{"ab", "xab", "abab", "b", "a", "ba"} {
		cs = append(cs, &territory.Customer{ID: int64(10 * (i + 1)), Name: n})
	}
	if err := x.add(cs); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want string // ids
	}{
		{"ab", "10 30 20"},      // exact, prefix, contains
		{"ba", "60 30"},         // exact, then contains (not "b"+"a" across names)
		{"a", "50 10 30 60 20"}, // exact; prefix by length; contains by length
		{"b a", "10 60 20 30"},  // both letters, in any order, by length then id
		{"zz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			words := strings.Fields(tt.q)
			q := searchQuery{raw: tt.q, whole: strings.Join(words, " "), words: words}
			var ids []string
			for _, r := range x.find(&q, 10) {
				ids = append(ids, fmt.Sprint(r.id))
			}
			if got := strings.Join(ids, " "); got != tt.want {
				t.Errorf("find(%q) = %s, want %s", tt.q, got, tt.want)
			}
		})
	}
}
