package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	h3 "github.com/uber/h3-go/v4"

	"gridplan/geo"
)

// pageJSON mirrors customerPage for decoding.
type pageJSON struct {
	Items []struct {
		ID      int64   `json:"id"`
		OwnerID int64   `json:"owner_id"`
		GridID  int64   `json:"grid_id"`
		Stage   string  `json:"stage"`
		Lng     float64 `json:"lng"`
		Lat     float64 `json:"lat"`
		Cell    string  `json:"cell"`
		Name    string  `json:"name"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Total      int     `json:"total"`
}

func getPage(tb testing.TB, w *world, user, query string) pageJSON {
	tb.Helper()
	rec := w.get(tb, user, "/api/customers"+query)
	wantStatus(tb, rec, http.StatusOK)
	var p pageJSON
	decode(tb, rec, &p)
	return p
}

func TestCustomerJSON(t *testing.T) {
	w := newWorld(t)
	want := w.own[w.m1.ID][0]
	rec := w.get(t, "leader", path("/api/customers/%d", want.ID))
	wantStatus(t, rec, http.StatusOK)
	var got map[string]any
	decode(t, rec, &got)
	if got["lng"] != want.Location[0] || got["lat"] != want.Location[1] {
		t.Errorf("lng/lat %v/%v, want %v", got["lng"], got["lat"], want.Location)
	}
	cell, ok := got["cell"].(string)
	if !ok || h3.Cell(h3.IndexFromString(cell)) != want.Cell || h3.Cell(h3.IndexFromString(cell)).Resolution() != geo.CustomerCellRes {
		t.Errorf("cell %v, want the H3 string %s", got["cell"], want.Cell)
	}
	if got["owner_id"] != float64(w.m1.ID) || got["stage"] != "list" || got["external_id"] != want.ExternalID {
		t.Errorf("customer JSON %s", rec.Body)
	}
	if _, leaked := got["Location"]; leaked {
		t.Errorf("raw Location in JSON: %s", rec.Body)
	}
	wantError(t, w.get(t, "leader", "/api/customers/987654"), http.StatusNotFound, "not_found", "")
}

func TestCustomerPagination(t *testing.T) {
	w := newWorld(t)
	var all []int64
	cursor := ""
	pages := 0
	for {
		q := "?limit=2"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		p := getPage(t, w, "planner", q)
		pages++
		if p.Total != 9 {
			t.Errorf("page %d: total %d, want 9", pages, p.Total)
		}
		if len(p.Items) == 0 || len(p.Items) > 2 {
			t.Fatalf("page %d has %d items", pages, len(p.Items))
		}
		for _, it := range p.Items {
			all = append(all, it.ID)
		}
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
	}
	if pages != 5 || len(all) != 9 {
		t.Errorf("%d pages, %d customers; want 5 pages of 9", pages, len(all))
	}
	if !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != 9 {
		t.Errorf("ids %v are not unique and increasing", all)
	}
	// A page that ends exactly at the last row has no next cursor.
	if p := getPage(t, w, "planner", "?limit=9"); p.NextCursor != nil || len(p.Items) != 9 {
		t.Errorf("limit=9: %d items, next %v; want 9 and null", len(p.Items), p.NextCursor)
	}
	if p := getPage(t, w, "planner", ""); len(p.Items) != 9 || p.NextCursor != nil {
		t.Errorf("default limit: %d items", len(p.Items))
	}
	if p := getPage(t, w, "planner", "?limit=1000"); len(p.Items) != 9 {
		t.Errorf("limit=1000: %d items", len(p.Items))
	}
}

func TestCustomerFilters(t *testing.T) {
	w := newWorld(t)
	c1 := w.g1.Boundary.Bound()
	tests := []struct {
		name  string
		user  string
		query string
		total int
		check func(p pageJSON) error
	}{
		{"all", "leader", "", 9, nil},
		{"grid", "leader", fmt.Sprintf("?grid_id=%d", w.g1.ID), 5, nil},
		{"owner", "leader", fmt.Sprintf("?owner_id=%d", w.m2.ID), 2, nil},
		{"stage", "leader", "?stage=list", 3, nil},
		{"stage in Chinese", "leader", "?stage=" + url.QueryEscape("目标客户"), 2, nil},
		{"grid and stage", "leader", fmt.Sprintf("?grid_id=%d&stage=list", w.g1.ID), 2, nil},
		{"bbox of grid 1", "leader", fmt.Sprintf("?bbox=%v,%v,%v,%v", c1.Min[0], c1.Min[1], c1.Max[0], c1.Max[1]), 5, nil},
		{"bbox far away", "leader", "?bbox=100,20,100.1,20.1", 0, nil},
		{"manager sees his own", "zhang", "", 3, func(p pageJSON) error {
			for _, it := range p.Items {
				if it.OwnerID != w.m1.ID {
					return fmt.Errorf("customer %d of owner %d", it.ID, it.OwnerID)
				}
			}
			return nil
		}},
		{"manager filters his own by stage", "zhang", "?stage=potential", 1, nil},
		{"manager in another grid sees nothing of it", "zhang", fmt.Sprintf("?grid_id=%d", w.g3.ID), 0, nil},
		{"other manager", "wang", "", 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := getPage(t, w, tt.user, tt.query)
			if p.Total != tt.total || len(p.Items) != tt.total {
				t.Errorf("total %d, %d items; want %d", p.Total, len(p.Items), tt.total)
			}
			if tt.check != nil {
				if err := tt.check(p); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestCustomerBadQueries(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		query string
		field string
	}{
		{"?grid_id=x", "grid_id"},
		{"?grid_id=-1", "grid_id"},
		{"?owner_id=abc", "owner_id"},
		{"?stage=prospect", "stage"},
		{"?bbox=1,2,3", "bbox"},
		{"?bbox=a,b,c,d", "bbox"},
		{"?bbox=120,30,119,31", "bbox"},
		{"?bbox=-200,30,120,31", "bbox"},
		{"?bbox=120,30,121,NaN", "bbox"},
		{"?bbox=", "bbox"},
		{"?limit=0", "limit"},
		{"?limit=5000", "limit"},
		{"?limit=-3", "limit"},
		{"?limit=ten", "limit"},
		{"?cursor=abc", "cursor"},
		{"?cursor=-5", "cursor"},
		{"?cursor=", "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			wantError(t, w.get(t, "leader", "/api/customers"+tt.query), http.StatusBadRequest, "invalid", tt.field)
		})
	}
	wantError(t, w.get(t, "leader", "/api/customers/abc"), http.StatusBadRequest, "invalid", "id")
}

func TestManagers(t *testing.T) {
	w := newWorld(t)
	type item struct {
		ID     int64 `json:"id"`
		GridID int64 `json:"grid_id"`
		Code   string
		Base   *struct{ Lng, Lat float64 }
		Quota  struct{ Min, Target, Max int }
	}
	list := func(user, query string) []item {
		t.Helper()
		rec := w.get(t, user, "/api/managers"+query)
		wantStatus(t, rec, http.StatusOK)
		var body struct{ Items []item }
		decode(t, rec, &body)
		return body.Items
	}
	all := list("leader", "")
	if len(all) != 3 {
		t.Fatalf("%d managers, want 3", len(all))
	}
	if b := all[0].Base; b == nil || b.Lng != w.m1.Base[0] || b.Lat != w.m1.Base[1] || all[0].Quota.Target != 50 {
		t.Errorf("manager JSON %+v, want base %v and quota 30/50/70", all[0], w.m1.Base)
	}
	if got := list("leader", path("?grid_id=%d", w.g3.ID)); len(got) != 1 || got[0].ID != w.m3.ID {
		t.Errorf("grid %d managers %+v", w.g3.ID, got)
	}
	// A manager sees his own grid team only, whatever he asks for.
	if got := list("zhang", ""); len(got) != 2 || got[0].GridID != w.g1.ID || got[1].GridID != w.g1.ID {
		t.Errorf("zhang's team %+v", got)
	}
	rec := w.get(t, "wang", path("/api/managers/%d", w.m3.ID))
	wantStatus(t, rec, http.StatusOK)
	wantError(t, w.get(t, "wang", path("/api/managers/%d", w.m1.ID)), http.StatusForbidden, "forbidden", "")
	wantError(t, w.get(t, "leader", "/api/managers?grid_id=x"), http.StatusBadRequest, "invalid", "grid_id")
	wantError(t, w.get(t, "leader", "/api/managers/0"), http.StatusBadRequest, "invalid", "id")
	wantError(t, w.get(t, "leader", "/api/managers/987654"), http.StatusNotFound, "not_found", "")
}

func TestResources(t *testing.T) {
	w := newWorld(t)
	rec := w.get(t, "zhang", "/api/resources")
	wantStatus(t, rec, http.StatusOK)
	fc := readCollection(t, rec.Body.Bytes())
	if len(fc.Features) != 3 {
		t.Fatalf("%d resources, want 3", len(fc.Features))
	}
	for _, f := range fc.Features {
		_, hasRadius := f.Properties["radius_m"]
		isPoint := f.Geometry.GeoJSONType() == "Point"
		if hasRadius != isPoint {
			t.Errorf("%s resource %v: radius_m present %v", f.Geometry.GeoJSONType(), f.Properties["name"], hasRadius)
		}
	}
	if r := fc.Features[0].Properties; r.MustFloat64("radius_m") != 300 || r.MustString("status") != "existing" || r.MustInt("capacity") != 96 {
		t.Errorf("first resource %v", r)
	}
	if d := fc.Features[1].Properties.MustString("expected_date"); d != "2027-03-01" {
		t.Errorf("expected_date %q", d)
	}
	tests := []struct {
		query string
		names []string
	}{
		{"?status=planned", []string{"紫金港规划区"}},
		{"?kind=olt", []string{"古墩路 OLT"}},
		{"?status=existing&kind=olt", nil},
		// 300 m east of (120.10, 30.27) is 120.1031: the box from 120.102 meets the circle's box.
		{"?bbox=120.102,30.26,120.11,30.28", []string{"文三路光交箱"}},
		{"?bbox=120.19,30.26,120.21,30.28", []string{"紫金港规划区"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := w.get(t, "zhang", "/api/resources"+tt.query)
			wantStatus(t, rec, http.StatusOK)
			var names []string
			for _, f := range readCollection(t, rec.Body.Bytes()).Features {
				names = append(names, f.Properties.MustString("name"))
			}
			if !slices.Equal(names, tt.names) {
				t.Errorf("resources %q, want %q", names, tt.names)
			}
		})
	}
	wantError(t, w.get(t, "zhang", "/api/resources?status=soon"), http.StatusBadRequest, "invalid", "status")
	wantError(t, w.get(t, "zhang", "/api/resources?bbox=1,2"), http.StatusBadRequest, "invalid", "bbox")
	wantError(t, w.get(t, "zhang", "/api/resources?kind="), http.StatusBadRequest, "invalid", "kind")
}
