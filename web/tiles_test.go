package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
)

// tilePath is the URL of customer tile t.
func tilePath(t maptile.Tile) string {
	return fmt.Sprintf("/tiles/customers/%d/%d/%d.mvt", t.Z, t.X, t.Y)
}

// getTile requests tile t as user ("" anonymous) with extra headers.
func (w *world) getTile(tb testing.TB, user string, t maptile.Tile, header ...string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, tilePath(t), nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if c := w.session(tb, user); c != nil {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	return rec
}

// decodeTile checks a 200 tile response and decodes its one layer, which
// must be named name.
func decodeTile(tb testing.TB, rec *httptest.ResponseRecorder, name string) *mvt.Layer {
	tb.Helper()
	wantStatus(tb, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.mapbox-vector-tile" {
		tb.Fatalf("Content-Type %q", ct)
	}
	var layers mvt.Layers
	var err error
	if rec.Header().Get("Content-Encoding") == "gzip" {
		layers, err = mvt.UnmarshalGzipped(rec.Body.Bytes())
	} else {
		layers, err = mvt.Unmarshal(rec.Body.Bytes())
	}
	if err != nil {
		tb.Fatalf("decode tile: %v", err)
	}
	if len(layers) != 1 || layers[0].Name != name {
		var names []string
		for _, l := range layers {
			names = append(names, l.Name)
		}
		tb.Fatalf("layers %q, want [%s]", names, name)
	}
	return layers[0]
}

// allCustomers is every fixture customer.
func (w *world) allCustomers() []*territory.Customer {
	var out []*territory.Customer
	for _, cs := range w.own {
		out = append(out, cs...)
	}
	return append(out, w.pool...)
}

// hexCounts decodes a hex layer into cell → count, checking each feature.
func hexCounts(tb testing.TB, l *mvt.Layer, tile maptile.Tile) map[h3.Cell]int {
	tb.Helper()
	out := map[h3.Cell]int{}
	l.ProjectToWGS84(tile)
	for _, f := range l.Features {
		cell := h3.Cell(h3.IndexFromString(f.Properties.MustString("cell")))
		if !cell.IsValid() {
			tb.Fatalf("feature cell %q is not an H3 cell", f.Properties.MustString("cell"))
		}
		poly, ok := f.Geometry.(orb.Polygon)
		if !ok {
			tb.Fatalf("hex geometry %T, want Polygon", f.Geometry)
		}
		// The hexagon is where its cell is (the tile's grid is coarse at
		// low zoom, so its centre is the test, not its vertices); a
		// hexagon across the tile's edge is clipped, so only those whose
		// centre is inside the tile can be checked.
		if c := geo.CellCenter(cell); tile.Bound().Contains(c) && !planar.PolygonContains(poly, c) {
			tb.Errorf("cell %v: polygon %v does not hold its centre", cell, poly)
		}
		out[cell] = int(f.Properties.MustFloat64("count"))
	}
	return out
}

func TestCustomerTileHexes(t *testing.T) {
	w := newWorld(t)
	all := w.allCustomers()
	for _, tt := range []struct {
		name string
		user string
		want func(c *territory.Customer) bool
	}{
		{"planner sees everyone", "planner", func(*territory.Customer) bool { return true }},
		{"leader sees everyone", "leader", func(*territory.Customer) bool { return true }},
		{"manager sees his own", "zhang", func(c *territory.Customer) bool { return c.OwnerID == w.m1.ID }},
		{"his teammate his own", "li", func(c *territory.Customer) bool { return c.OwnerID == w.m2.ID }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, z := range []maptile.Zoom{4, 7, 8, 10, 11, 13} {
				// Fixture customers lie within 0.3° of each other: at z≤8
				// one tile holds them all, deeper only the first grid's.
				tile := maptile.At(w.g1.Boundary.Bound().Center(), z)
				res := HexResForZoom(z)
				want := map[h3.Cell]int{}
				inTile := 0
				for _, c := range all {
					if !tt.want(c) {
						continue
					}
					want[c.Cell.Parent(res)]++
					if maptile.At(c.Location, z) == tile {
						inTile++
					}
				}
				got := hexCounts(t, decodeTile(t, w.getTile(t, tt.user, tile), HexLayer), tile)
				sum := 0
				for cell, n := range got {
					if n != want[cell] {
						t.Errorf("z%d cell %v: count %d, want %d", z, cell, n, want[cell])
					}
					sum += n
				}
				// Every customer in the tile is counted in a hexagon of it.
				for _, c := range all {
					if tt.want(c) && maptile.At(c.Location, z) == tile {
						if _, ok := got[c.Cell.Parent(res)]; !ok {
							t.Errorf("z%d: customer %d is in the tile, his cell %v is not", z, c.ID, c.Cell.Parent(res))
						}
					}
				}
				if sum < inTile || inTile == 0 && tt.user == "planner" {
					t.Errorf("z%d: counts add up to %d, %d customers in the tile", z, sum, inTile)
				}
				if z <= 8 {
					total := 0
					for _, n := range want {
						total += n
					}
					if sum != total {
						t.Errorf("z%d: counts add up to %d, want all %d", z, sum, total)
					}
				}
			}
		})
	}
}

// MVT exterior rings have positive area in tile coordinates (y down).
func TestCustomerTileHexWinding(t *testing.T) {
	w := newWorld(t)
	tile := maptile.At(w.g1.Boundary.Bound().Center(), 12)
	l := decodeTile(t, w.getTile(t, "planner", tile), HexLayer)
	if len(l.Features) == 0 {
		t.Fatal("no hexagons")
	}
	for _, f := range l.Features {
		ring := f.Geometry.(orb.Polygon)[0]
		if a := planar.Area(orb.Polygon{ring}); a <= 0 || ring.Orientation() != orb.CCW {
			t.Errorf("cell %s: ring orientation %v (area %v) in tile coordinates", f.Properties.MustString("cell"), ring.Orientation(), a)
		}
	}
}

func TestCustomerTilePoints(t *testing.T) {
	w := newWorld(t)
	all := w.allCustomers()
	byID := map[int64]*territory.Customer{}
	for _, c := range all {
		byID[c.ID] = c
	}
	for _, tt := range []struct {
		name string
		user string
		want func(c *territory.Customer) bool
	}{
		{"planner", "planner", func(*territory.Customer) bool { return true }},
		{"manager", "zhang", func(c *territory.Customer) bool { return c.OwnerID == w.m1.ID }},
		{"other team's manager", "wang", func(c *territory.Customer) bool { return c.OwnerID == w.m3.ID }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, z := range []maptile.Zoom{14, 16, 19} {
				tile := maptile.At(w.own[w.m1.ID][0].Location, z)
				var want []int64
				for _, c := range all {
					if tt.want(c) && maptile.At(c.Location, z) == tile {
						want = append(want, c.ID)
					}
				}
				l := decodeTile(t, w.getTile(t, tt.user, tile), PointLayer)
				l.ProjectToWGS84(tile)
				var got []int64
				for _, f := range l.Features {
					id := int64(f.Properties.MustFloat64("id"))
					got = append(got, id)
					c := byID[id]
					if c == nil {
						t.Fatalf("unknown customer %d", id)
					}
					if f.ID != float64(id) { // orb decodes MVT ids as float64
						t.Errorf("customer %d: feature id %v", id, f.ID)
					}
					if st := f.Properties.MustString("stage"); st != string(c.Stage) {
						t.Errorf("customer %d: stage %q, want %q", id, st, c.Stage)
					}
					if g := int64(f.Properties.MustFloat64("grid_id")); g != c.GridID {
						t.Errorf("customer %d: grid %d, want %d", id, g, c.GridID)
					}
					// Back in WGS-84 within the tile grid's resolution.
					if d := geo.DistanceM(f.Geometry.(orb.Point), c.Location); d > 40075016/float64(uint64(1)<<z)/4096*2 {
						t.Errorf("customer %d: at %v, stored %v (%.1f m off)", id, f.Geometry, c.Location, d)
					}
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("z%d: customers %v, want %v", z, got, want)
				}
				if z == 14 && tt.name != "other team's manager" && len(want) == 0 {
					t.Fatal("fixture: nobody in the tile")
				}
			}
		})
	}
	// Far from every customer: the layer is there, empty.
	if l := decodeTile(t, w.getTile(t, "planner", maptile.New(0, 0, 15)), PointLayer); len(l.Features) != 0 {
		t.Errorf("empty tile has %d features", len(l.Features))
	}
}

func TestCustomerTileHTTP(t *testing.T) {
	w := newWorld(t)
	tile := maptile.At(w.g1.Boundary.Bound().Center(), 15)
	rec := w.getTile(t, "planner", tile)
	decodeTile(t, rec, PointLayer)
	etag := rec.Header().Get("ETag")
	if etag == "" || rec.Header().Get("Cache-Control") != "private, no-cache" {
		t.Fatalf("headers %v", rec.Header())
	}

	t.Run("gzip when accepted", func(t *testing.T) {
		rec := w.getTile(t, "planner", tile, "Accept-Encoding", "br, gzip")
		if rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("ETag") != etag {
			t.Fatalf("headers %v", rec.Header())
		}
		decodeTile(t, rec, PointLayer)
		if rec := w.getTile(t, "planner", tile, "Accept-Encoding", "gzip;q=0"); rec.Header().Get("Content-Encoding") != "" {
			t.Error("gzip refused with q=0, yet sent")
		}
	})

	t.Run("304 on a matching If-None-Match", func(t *testing.T) {
		for _, inm := range []string{etag, `"other", ` + etag, "*"} {
			rec := w.getTile(t, "planner", tile, "If-None-Match", inm)
			if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("ETag") != etag {
				t.Errorf("If-None-Match %s: status %d, %d bytes, ETag %q", inm, rec.Code, rec.Body.Len(), rec.Header().Get("ETag"))
			}
		}
		if rec := w.getTile(t, "planner", tile, "If-None-Match", `W/"stale"`); rec.Code != http.StatusOK {
			t.Errorf("stale If-None-Match: status %d", rec.Code)
		}
	})

	t.Run("ETag names tile and viewer", func(t *testing.T) {
		tags := map[string]string{etag: "planner"}
		for name, rec := range map[string]*httptest.ResponseRecorder{
			"leader":         w.getTile(t, "leader", tile),
			"manager zhang":  w.getTile(t, "zhang", tile),
			"manager li":     w.getTile(t, "li", tile),
			"tile east":      w.getTile(t, "planner", maptile.New(tile.X+1, tile.Y, tile.Z)),
			"tile a zoom up": w.getTile(t, "planner", tile.Parent()),
		} {
			wantStatus(t, rec, http.StatusOK)
			tag := rec.Header().Get("ETag")
			if name == "leader" {
				if tag != etag {
					t.Errorf("leader and planner see the same tile, ETags %q and %q", tag, etag)
				}
				continue
			}
			if other, dup := tags[tag]; dup {
				t.Errorf("%s has the ETag of %s: %q", name, other, tag)
			}
			tags[tag] = name
		}
		// A manager's 304 is his own: the planner's tag does not match.
		if rec := w.getTile(t, "zhang", tile, "If-None-Match", etag); rec.Code != http.StatusOK {
			t.Errorf("manager with the planner's ETag: status %d", rec.Code)
		}
	})

	t.Run("concurrent readers", func(t *testing.T) {
		// Under -race: hexagons (R-tree) and points (binary search) of one
		// snapshot read by many requests at once, while writes rebuild it.
		cookie := w.session(t, "planner")
		var wg sync.WaitGroup
		for g := range 6 {
			wg.Go(func() {
				for i := range 12 {
					z := maptile.Zoom(8 + (g+i)%9)
					rec := w.do(t, request{Method: http.MethodGet, Path: tilePath(maptile.At(w.g1.Boundary.Bound().Center(), z)), Cookie: cookie})
					if rec.Code != http.StatusOK {
						t.Errorf("z%d: status %d", z, rec.Code)
					}
					if g == 0 && i%4 == 0 { // a grid edit: the snapshot is rebuilt meanwhile
						sp, err := w.store.Grid(context.Background(), w.gSpare.ID)
						if err != nil {
							t.Error(err)
							return
						}
						rec := w.do(t, request{Method: http.MethodPut, Path: path("/api/grids/%d", sp.ID), Cookie: cookie,
							Body: gridFeatureBody(sp.Code, sp.DistrictID, sp.Boundary, sp.Version)})
						if rec.Code != http.StatusOK {
							t.Errorf("grid edit: status %d: %s", rec.Code, rec.Body)
						}
					}
				}
			})
		}
		wg.Wait()
	})

	t.Run("401 without a session", func(t *testing.T) {
		wantError(t, w.getTile(t, "", tile), http.StatusUnauthorized, "unauthorized", "")
		req := httptest.NewRequest(http.MethodGet, tilePath(tile), nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: "forged"})
		rec := httptest.NewRecorder()
		w.handler.ServeHTTP(rec, req)
		wantError(t, rec, http.StatusUnauthorized, "unauthorized", "")
	})
}

func TestCustomerTileBadAddress(t *testing.T) {
	w := newWorld(t)
	cookie := w.session(t, "planner")
	tests := []struct {
		path, field string
	}{
		{"/tiles/customers/23/0/0.mvt", "z"},
		{"/tiles/customers/a/0/0.mvt", "z"},
		{"/tiles/customers/-1/0/0.mvt", "z"},
		{"/tiles/customers/03/0/0.mvt", "z"},
		{"/tiles/customers/99999999999/0/0.mvt", "z"},
		{"/tiles/customers/3/8/0.mvt", "x"},
		{"/tiles/customers/3/1.5/0.mvt", "x"},
		{"/tiles/customers/3/+1/0.mvt", "x"},
		{"/tiles/customers/3/0/8.mvt", "y"},
		{"/tiles/customers/3/0/0.png", "y"},
		{"/tiles/customers/3/0/0", "y"},
		{"/tiles/customers/3/0/.mvt", "y"},
		{"/tiles/customers/0/1/0.mvt", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := w.do(t, request{Method: http.MethodGet, Path: tt.path, Cookie: cookie})
			wantError(t, rec, http.StatusBadRequest, "invalid", tt.field)
		})
	}
	// The edges of the range are fine.
	for _, p := range []string{"/tiles/customers/0/0/0.mvt", "/tiles/customers/22/4194303/4194303.mvt", "/tiles/customers/3/7/7.mvt"} {
		if rec := w.do(t, request{Method: http.MethodGet, Path: p, Cookie: cookie}); rec.Code != http.StatusOK {
			t.Errorf("%s: status %d; body %s", p, rec.Code, rec.Body)
		}
	}
}

// gridCountsOf reads customer_count and manager_count of every grid from
// GET /api/grids, by grid code.
func gridCountsOf(tb testing.TB, w *world) map[string][2]int {
	tb.Helper()
	rec := w.get(tb, "leader", "/api/grids")
	wantStatus(tb, rec, http.StatusOK)
	out := map[string][2]int{}
	for _, f := range readCollection(tb, rec.Body.Bytes()).Features {
		out[f.Properties.MustString("code")] = [2]int{int(f.Properties.MustFloat64("customer_count")), int(f.Properties.MustFloat64("manager_count"))}
	}
	return out
}

// A grid edit through the API shows in the very next tile and grid list:
// new ETag, new grid ids on the points, new counts.
func TestCustomerTileAfterGridEdit(t *testing.T) {
	w := newWorld(t)
	want := map[string][2]int{"XH-01": {5, 2}, "XH-02": {2, 0}, "GS-01": {2, 1}, "GS-99": {0, 0}}
	if got := gridCountsOf(t, w); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("grid counts %v, want %v", got, want)
	}
	rec := w.get(t, "planner", path("/api/grids/%d", w.g1.ID))
	wantStatus(t, rec, http.StatusOK)
	if f := readFeature(t, rec.Body.Bytes()); f.Properties.MustFloat64("customer_count") != 5 || f.Properties.MustFloat64("manager_count") != 2 {
		t.Errorf("GET /api/grids/:id counts: %v", f.Properties)
	}

	pool := w.pool[0]
	tile := maptile.At(pool.Location, 16)
	before := w.getTile(t, "planner", tile)
	etag := before.Header().Get("ETag")
	gridOf := func(rec *httptest.ResponseRecorder) map[int64]int64 {
		out := map[int64]int64{}
		for _, f := range decodeTile(t, rec, PointLayer).Features {
			out[int64(f.Properties.MustFloat64("id"))] = int64(f.Properties.MustFloat64("grid_id"))
		}
		return out
	}
	if g := gridOf(before)[pool.ID]; g != w.g2.ID {
		t.Fatalf("pool customer in grid %d before, want %d", g, w.g2.ID)
	}

	// Shrink XH-02 to a corner that holds neither pool customer.
	g2, err := w.store.Grid(context.Background(), w.g2.ID)
	if err != nil {
		t.Fatal(err)
	}
	rec = w.do(t, request{Method: http.MethodPut, Path: path("/api/grids/%d", g2.ID), Cookie: w.session(t, "planner"),
		Body: gridFeatureBody(g2.Code, g2.DistrictID, square(orb.Point{120.19, 30.26}, 0.005), g2.Version)})
	wantStatus(t, rec, http.StatusOK)

	after := w.getTile(t, "planner", tile, "If-None-Match", etag)
	if after.Code != http.StatusOK || after.Header().Get("ETag") == etag || after.Header().Get("X-Tile-Cache") != "miss" {
		t.Fatalf("after the edit: status %d, ETag %q (was %q)", after.Code, after.Header().Get("ETag"), etag)
	}
	if g := gridOf(after)[pool.ID]; g != 0 {
		t.Errorf("pool customer in grid %d after the edit, want none", g)
	}
	want["XH-02"] = [2]int{0, 0}
	if got := gridCountsOf(t, w); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("grid counts after the edit %v, want %v", got, want)
	}
}

// Another replica's write (straight to the store) shows once the periodic
// check has seen it; meanwhile the old snapshot is served.
func TestCustomerTileSeesOtherReplicas(t *testing.T) {
	w := newWorld(t)
	c := w.own[w.m1.ID][0]
	tile := maptile.At(c.Location, 17)
	stageOf := func() string {
		for _, f := range decodeTile(t, w.getTile(t, "planner", tile), PointLayer).Features {
			if int64(f.Properties.MustFloat64("id")) == c.ID {
				return f.Properties.MustString("stage")
			}
		}
		t.Fatalf("customer %d not in his tile", c.ID)
		return ""
	}
	if st := stageOf(); st != string(funnel.List) {
		t.Fatalf("stage %q before", st)
	}
	stored, err := w.store.Customer(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored.Stage = funnel.Order // UpdatedAt kept: the stamp must see it anyway
	if err := w.store.UpdateCustomer(context.Background(), stored); err != nil {
		t.Fatal(err)
	}
	if st := stageOf(); st != string(funnel.List) {
		t.Fatalf("stage %q before the check interval", st)
	}
	w.clock.Add(6 * time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for stageOf() != string(funnel.Order) {
		if time.Now().After(deadline) {
			t.Fatal("the other replica's change never showed")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A store without customers gives valid, empty tiles.
func TestCustomerTileWithoutCustomers(t *testing.T) {
	w := newWorld(t)
	for _, c := range w.allCustomers() {
		if err := w.store.DeleteCustomer(context.Background(), c.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, z := range []maptile.Zoom{0, 10, 14} {
		l := decodeTile(t, w.getTile(t, "planner", maptile.At(orb.Point{120.1, 30.27}, z)), map[bool]string{true: PointLayer, false: HexLayer}[z >= PointMinZoom])
		if len(l.Features) != 0 {
			t.Errorf("z%d: %d features without customers", z, len(l.Features))
		}
	}
}

// customerTilePath is the URL of the tile at zoom z over the first grid's
// customers (for the role matrix).
func customerTilePath(w *world, z maptile.Zoom) string {
	return tilePath(maptile.At(w.own[w.m1.ID][0].Location, z))
}
