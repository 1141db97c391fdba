package territory_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridplan/data/demo"
	"gridplan/geo"
	"gridplan/geo/gridindex"
	"gridplan/territory"
)

func square(x, y, s float64) orb.Polygon {
	return orb.Polygon{{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}}
}

// memStore is an in-memory AssignStore and RedrawStore. It records what
// Redraw asked for, and fails where told.
type memStore struct {
	mu        sync.Mutex
	grids     []*territory.Grid
	districts []*territory.District
	cust      map[int64]*territory.CustomerLocation
	fail      map[string]error // by method name
	bounds    []*orb.Bound     // every CustomerLocations bound
	moveCalls int
}

func newMemStore() *memStore {
	return &memStore{cust: map[int64]*territory.CustomerLocation{}, fail: map[string]error{}}
}

func (m *memStore) addCustomer(id int64, p orb.Point, grid int64) {
	m.cust[id] = &territory.CustomerLocation{ID: id, Location: p, Cell: geo.Cell(p, geo.CustomerCellRes), GridID: grid}
}

func (m *memStore) Grids(ctx context.Context, f territory.GridFilter) ([]*territory.Grid, error) {
	if err := m.fail["Grids"]; err != nil {
		return nil, err
	}
	return slices.Clone(m.grids), nil
}

func (m *memStore) Districts(ctx context.Context) ([]*territory.District, error) {
	if err := m.fail["Districts"]; err != nil {
		return nil, err
	}
	return slices.Clone(m.districts), nil
}

func (m *memStore) CountCustomers(ctx context.Context, f territory.CustomerFilter) (int, error) {
	return len(m.cust), nil
}

func (m *memStore) CustomerLocations(ctx context.Context, bound *orb.Bound, fn func(territory.CustomerLocation) error) error {
	if err := m.fail["CustomerLocations"]; err != nil {
		return err
	}
	m.bounds = append(m.bounds, bound)
	ids := make([]int64, 0, len(m.cust))
	for id := range m.cust {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		c := m.cust[id]
		if bound != nil && !bound.Contains(c.Location) {
			continue
		}
		if err := fn(*c); err != nil {
			return err
		}
	}
	return nil
}

func (m *memStore) MoveCustomers(ctx context.Context, moves []territory.GridMove) error {
	if err := m.fail["MoveCustomers"]; err != nil {
		return err
	}
	m.moveCalls++
	for _, mv := range moves {
		c, ok := m.cust[mv.CustomerID]
		if !ok {
			return territory.NotFound("customer", mv.CustomerID)
		}
		c.GridID = mv.To
	}
	return nil
}

func (m *memStore) gridOf(id int64) int64 { return m.cust[id].GridID }

// bruteForce is the assignment rule, scanning every grid.
func bruteForce(grids []*territory.Grid, p orb.Point) int64 {
	var best int64
	for _, g := range grids {
		if (best == 0 || g.ID < best) && planar.PolygonContains(g.Boundary, p) {
			best = g.ID
		}
	}
	return best
}

var (
	cityOnce sync.Once
	cityVal  *demo.City
	cityErr  error
)

func demoCity(tb testing.TB) *demo.City {
	tb.Helper()
	cityOnce.Do(func() {
		cityVal, cityErr = demo.Generate(demo.Options{Seed: 3, Customers: 20000, Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	})
	if cityErr != nil {
		tb.Fatalf("demo city: %v", cityErr)
	}
	return cityVal
}

// demoStore loads the demo city's grids, districts and customers; a fifth
// of the customers get a wrong grid (another grid, or none) and some
// points land outside the city.
func demoStore(tb testing.TB) (*memStore, map[int64]int64) {
	tb.Helper()
	city := demoCity(tb)
	m := newMemStore()
	m.grids, m.districts = city.Grids, city.Districts
	rng := rand.New(rand.NewPCG(5, 6))
	wrong := map[int64]int64{} // customer → the grid it was given
	for i, c := range city.Customers {
		id := int64(i + 1)
		p := c.Location
		if i%97 == 0 { // far outside the city
			p = orb.Point{p[0] + 1, p[1]}
		}
		grid := bruteForce(city.Grids, p)
		if rng.IntN(5) == 0 {
			g := int64(rng.IntN(len(city.Grids) + 1)) // 0: none
			if g != grid {
				wrong[id] = g
			}
			grid = g
		}
		m.addCustomer(id, p, grid)
	}
	return m, wrong
}

func TestAssignDemoCity(t *testing.T) {
	m, wrong := demoStore(t)
	city := demoCity(t)
	var stages []string
	res, err := territory.Assign(context.Background(), m, territory.AssignOptions{
		Progress: func(stage string, done, total int) {
			if total != len(m.cust) && stage == "locate" {
				t.Errorf("progress total %d, want %d", total, len(m.cust))
			}
			if len(stages) == 0 || stages[len(stages)-1] != stage {
				stages = append(stages, stage)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Moves) != len(wrong) {
		t.Errorf("%d moves, want %d (the customers given a wrong grid)", len(res.Moves), len(wrong))
	}
	for _, mv := range res.Moves {
		if g, ok := wrong[mv.CustomerID]; !ok || mv.From != g {
			t.Fatalf("move %+v: customer %d was given grid %d (wrong: %v)", mv, mv.CustomerID, g, ok)
		}
	}
	if !slices.Equal(stages, []string{"locate", "move"}) {
		t.Errorf("progress stages %v", stages)
	}
	// The store now holds the rule's answer for everyone.
	for id, c := range m.cust {
		if want := bruteForce(city.Grids, c.Location); c.GridID != want {
			t.Fatalf("customer %d in grid %d after assign, want %d", id, c.GridID, want)
		}
	}
	// Counts add up, per grid and per district.
	if res.Customers != len(m.cust) || res.Assigned+res.Unassigned != res.Customers || res.Unassigned == 0 {
		t.Errorf("totals %d = %d assigned + %d unassigned; %d customers", res.Customers, res.Assigned, res.Unassigned, len(m.cust))
	}
	var sumD, sumIn, sumOut, sumNone, sumG, grids int
	for _, d := range res.Districts {
		sumD += d.Customers
		sumIn += d.MovedIn
		sumOut += d.MovedOut
		sumNone += d.Unassigned
		grids += d.Grids
	}
	for _, g := range res.Grids {
		sumG += g.Customers
	}
	if sumD != res.Assigned || sumG != res.Assigned || sumNone != res.Unassigned || sumIn != len(res.Moves) || grids != len(city.Grids) {
		t.Errorf("district sums: customers %d, grids' customers %d, assigned %d; unassigned %d vs %d; moved in %d vs %d moves; grids %d",
			sumD, sumG, res.Assigned, sumNone, res.Unassigned, sumIn, len(res.Moves), grids)
	}
	movedFromGrid := 0
	for _, g := range wrong {
		if g != 0 {
			movedFromGrid++
		}
	}
	if sumOut != movedFromGrid {
		t.Errorf("moved out %d, want %d (moves from a grid)", sumOut, movedFromGrid)
	}
	last := res.Districts[len(res.Districts)-1]
	if last.DistrictID != 0 || last.Unassigned == 0 || len(res.Districts) != len(city.Districts)+1 {
		t.Errorf("last district line %+v of %d, want the outside-every-district line", last, len(res.Districts))
	}
	if res.Index.CacheRes == 0 || !res.Written {
		t.Errorf("result %+v: want a cached index and written moves", res.Index)
	}

	// Again: nothing to do.
	again, err := territory.Assign(context.Background(), m, territory.AssignOptions{})
	if err != nil || len(again.Moves) != 0 {
		t.Fatalf("second assign: %d moves, %v", len(again.Moves), err)
	}
}

func TestAssignDryRun(t *testing.T) {
	m, wrong := demoStore(t)
	res, err := territory.Assign(context.Background(), m, territory.AssignOptions{DryRun: true, Index: gridindex.Options{CacheRes: gridindex.NoCache}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Moves) != len(wrong) || res.Written || m.moveCalls != 0 {
		t.Fatalf("dry run: %d moves (want %d), written %v, %d MoveCustomers calls", len(res.Moves), len(wrong), res.Written, m.moveCalls)
	}
	for id, g := range wrong {
		if m.gridOf(id) != g {
			t.Fatalf("dry run changed customer %d", id)
		}
	}
}

// A small hand-made map: district 1 with grids 10 and 11, district 2 with
// grid 20 and room for unassigned customers.
func smallStore() *memStore {
	m := newMemStore()
	m.districts = []*territory.District{
		{ID: 2, Code: "D2", Name: "二区", Boundary: orb.MultiPolygon{square(120.1, 30, 0.1)}},
		{ID: 1, Code: "D1", Name: "一区", Boundary: orb.MultiPolygon{square(120, 30, 0.1)}},
	}
	m.grids = []*territory.Grid{
		{ID: 11, DistrictID: 1, Boundary: square(120.05, 30, 0.05)},
		{ID: 10, DistrictID: 1, Boundary: square(120, 30, 0.05)},
		{ID: 20, DistrictID: 2, Boundary: square(120.1, 30, 0.05)},
	}
	m.addCustomer(1, orb.Point{120.01, 30.01}, 10)  // stays in 10
	m.addCustomer(2, orb.Point{120.06, 30.01}, 10)  // 10 → 11
	m.addCustomer(3, orb.Point{120.05, 30.02}, 0)   // on the 10|11 edge: 0 → 10
	m.addCustomer(4, orb.Point{120.11, 30.01}, 0)   // 0 → 20, crossing districts
	m.addCustomer(5, orb.Point{120.12, 30.08}, 20)  // in district 2 but no grid: 20 → 0
	m.addCustomer(6, orb.Point{120.5, 30.5}, 0)     // nowhere
	m.addCustomer(7, orb.Point{120.02, 30.08}, 11)  // district 1, no grid: 11 → 0
	m.addCustomer(8, orb.Point{120.101, 30.001}, 0) // 0 → 20
	return m
}

func TestAssignCounts(t *testing.T) {
	m := smallStore()
	res, err := territory.Assign(context.Background(), m, territory.AssignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantMoves := []territory.GridMove{{2, 10, 11}, {3, 0, 10}, {4, 0, 20}, {5, 20, 0}, {7, 11, 0}, {8, 0, 20}}
	if !slices.Equal(res.Moves, wantMoves) {
		t.Errorf("moves %v, want %v", res.Moves, wantMoves)
	}
	wantD := []territory.DistrictCount{
		{DistrictID: 1, Code: "D1", Name: "一区", Grids: 2, Customers: 3, MovedIn: 3, MovedOut: 2, Unassigned: 1},
		{DistrictID: 2, Code: "D2", Name: "二区", Grids: 1, Customers: 2, MovedIn: 3, MovedOut: 1, Unassigned: 1},
		{DistrictID: 0, Unassigned: 1},
	}
	if !slices.Equal(res.Districts, wantD) {
		t.Errorf("districts\n%+v\nwant\n%+v", res.Districts, wantD)
	}
	wantG := []territory.GridCount{
		{GridID: 10, DistrictID: 1, Customers: 2, MovedIn: 1, MovedOut: 1},
		{GridID: 11, DistrictID: 1, Customers: 1, MovedIn: 1, MovedOut: 1},
		{GridID: 20, DistrictID: 2, Customers: 2, MovedIn: 2, MovedOut: 1},
	}
	if !slices.Equal(res.Grids, wantG) {
		t.Errorf("grids\n%+v\nwant\n%+v", res.Grids, wantG)
	}
	if res.Customers != 8 || res.Assigned != 5 || res.Unassigned != 3 {
		t.Errorf("totals %d/%d/%d", res.Customers, res.Assigned, res.Unassigned)
	}
}

func TestAssignErrors(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		edit func(m *memStore)
		want string
	}{
		{"grids", func(m *memStore) { m.fail["Grids"] = boom }, "assign: load grids: boom"},
		{"districts", func(m *memStore) { m.fail["Districts"] = boom }, "assign: load districts: boom"},
		{"customers", func(m *memStore) { m.fail["CustomerLocations"] = boom }, "assign: read customers: boom"},
		{"moves", func(m *memStore) { m.fail["MoveCustomers"] = boom }, "assign: move 6 customers: boom"},
		{"bad grid", func(m *memStore) { m.grids[1].Boundary = orb.Polygon{{{120, 30}, {120.1, 30}}} }, "grid 10: ring 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := smallStore()
			tt.edit(m)
			_, err := territory.Assign(context.Background(), m, territory.AssignOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if tt.name != "moves" && !errors.Is(err, boom) && tt.name != "bad grid" {
				t.Fatalf("%v does not wrap the store's error", err)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m, _ := demoStore(t)
	if _, err := territory.Assign(ctx, m, territory.AssignOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled assign: %v", err)
	}
}

func TestRedraw(t *testing.T) {
	type moveSet = []territory.GridMove
	tests := []struct {
		name   string
		before func(m *memStore) // edit the stored grids as the write would
		ch     func(m *memStore) territory.GridChange
		moves  moveSet
	}{
		{
			name: "widen grid 10 over 11",
			before: func(m *memStore) {
				m.grids[1].Boundary = orb.Polygon{{{120, 30}, {120.07, 30}, {120.07, 30.05}, {120, 30.05}, {120, 30}}}
			},
			ch: func(m *memStore) territory.GridChange {
				return territory.GridChange{GridID: 10, Old: square(120, 30, 0.05), New: m.grids[1].Boundary}
			},
			// customer 2 (120.06) now lies in 10 and 11: the lower id wins;
			// 7 (120.02, 30.08) is outside both boxes and is not looked at.
			moves: moveSet{{2, 11, 10}},
		},
		{
			name: "new grid over the empty corner",
			before: func(m *memStore) {
				m.grids = append(m.grids, &territory.Grid{ID: 30, DistrictID: 2, Boundary: square(120.1, 30.05, 0.05)})
			},
			ch: func(m *memStore) territory.GridChange {
				return territory.GridChange{GridID: 30, New: square(120.1, 30.05, 0.05)}
			},
			moves: moveSet{{5, 0, 30}},
		},
		{
			name:   "delete grid 20 before the store does",
			before: func(*memStore) {},
			ch: func(m *memStore) territory.GridChange {
				return territory.GridChange{GridID: 20, Old: square(120.1, 30, 0.05)}
			},
			moves: moveSet{{4, 20, 0}, {8, 20, 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := smallStore()
			if _, err := territory.Assign(context.Background(), m, territory.AssignOptions{}); err != nil {
				t.Fatal(err)
			}
			m.bounds = nil
			tt.before(m)
			ch := tt.ch(m)
			d, err := territory.Redraw(context.Background(), m, ch)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.Moves, tt.moves) {
				t.Errorf("moves %v, want %v", d.Moves, tt.moves)
			}
			if len(m.bounds) != 1 || m.bounds[0] == nil {
				t.Fatalf("customers read with bounds %v, want one bounded read", m.bounds)
			}
			inArea := 0
			for _, c := range m.cust {
				if m.bounds[0].Contains(c.Location) {
					inArea++
				}
			}
			if d.Examined != inArea || d.Examined >= len(m.cust) {
				t.Errorf("examined %d customers, %d in the area, %d in all: want only the area's", d.Examined, inArea, len(m.cust))
			}
			// The redraw leaves the store as a full assignment would.
			if ch.New == nil {
				m.grids = slices.DeleteFunc(m.grids, func(g *territory.Grid) bool { return g.ID == ch.GridID })
			}
			again, err := territory.Assign(context.Background(), m, territory.AssignOptions{DryRun: true})
			if err != nil || len(again.Moves) != 0 {
				t.Fatalf("a full assignment after the redraw still moves %v (%v)", again.Moves, err)
			}
		})
	}
}

// Random redraws of the demo city: after each one a full assignment finds
// nothing left to move, and only customers in the changed area were read.
func TestRedrawMatchesFullAssignment(t *testing.T) {
	m, _ := demoStore(t)
	ctx := context.Background()
	if _, err := territory.Assign(ctx, m, territory.AssignOptions{}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for step := range 12 {
		i := rng.IntN(len(m.grids))
		old := m.grids[i]
		moved := *old
		// Push one vertex (shared with neighbours) off its place: the
		// grids now overlap or leave a gap.
		ring := slices.Clone(old.Boundary[0])
		k := rng.IntN(len(ring) - 1)
		ring[k] = orb.Point{ring[k][0] + (rng.Float64()-0.5)*0.01, ring[k][1] + (rng.Float64()-0.5)*0.01}
		if k == 0 {
			ring[len(ring)-1] = ring[0]
		}
		moved.Boundary = orb.Polygon{ring}
		if geo.ValidatePolygon(moved.Boundary) != nil {
			continue
		}
		grids := slices.Clone(m.grids)
		grids[i] = &moved
		m.grids = grids
		d, err := territory.Redraw(ctx, m, territory.GridChange{GridID: old.ID, Old: old.Boundary, New: moved.Boundary})
		if err != nil {
			t.Fatal(err)
		}
		if d.Examined >= len(m.cust)/4 {
			t.Errorf("step %d: examined %d of %d customers for one grid", step, d.Examined, len(m.cust))
		}
		full, err := territory.Assign(ctx, m, territory.AssignOptions{DryRun: true})
		if err != nil || len(full.Moves) != 0 {
			t.Fatalf("step %d: after redrawing grid %d (%d moves), a full assignment still moves %v (%v)", step, old.ID, len(d.Moves), full.Moves, err)
		}
	}
}

func TestRedrawRejects(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		ch   territory.GridChange
		fail string
		want string
	}{
		{"no id", territory.GridChange{New: square(120, 30, 0.01)}, "", "grid_id"},
		{"no polygons", territory.GridChange{GridID: 10}, "", "needs an old or a new polygon"},
		{"bad new polygon", territory.GridChange{GridID: 10, New: orb.Polygon{{{120, 30}, {121, 30}, {120, 30}}}}, "", "redraw grid 10: grid index: grid 10"},
		{"grids fail", territory.GridChange{GridID: 10, New: square(120, 30, 0.01)}, "Grids", "redraw grid 10: load grids: boom"},
		{"customers fail", territory.GridChange{GridID: 10, New: square(120, 30, 0.01)}, "CustomerLocations", "redraw grid 10: read customers: boom"},
		{"moves fail", territory.GridChange{GridID: 11, Old: square(120.05, 30, 0.05)}, "MoveCustomers", "redraw grid 11: move 2 customers: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := smallStore()
			if tt.fail != "" {
				m.fail[tt.fail] = boom
			}
			_, err := territory.Redraw(context.Background(), m, tt.ch)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestLoadGridIndex(t *testing.T) {
	m := smallStore()
	ix, err := territory.LoadGridIndex(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	p := orb.Point{120.05, 30.02} // on the 10|11 edge
	if id, ok := ix.LocateCell(p, geo.Cell(p, geo.CustomerCellRes)); !ok || id != 10 {
		t.Fatalf("LocateCell on the shared edge = %d, %v; want 10", id, ok)
	}
	if ix.Stats().CacheRes == 0 {
		t.Error("LoadGridIndex built no cache")
	}
	m.fail["Grids"] = errors.New("boom")
	if _, err := territory.LoadGridIndex(context.Background(), m); err == nil || !strings.Contains(err.Error(), "load grids: boom") {
		t.Fatalf("error %v", err)
	}
}
