package snapshot

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
)

// fakeSource is an in-memory Source whose data tests change.
type fakeSource struct {
	mu    sync.Mutex
	locs  []territory.CustomerLocation
	gen   int   // bumped by every change: the stamp
	fail  error // returned by the next walks and stamps while set
	walks int   // CustomerLocations calls
	gate  chan struct{}
	// stamps counts DataStamp calls, each of which sleeps stampDelay.
	stamps     int
	stampDelay time.Duration
}

func (f *fakeSource) CustomerLocations(ctx context.Context, _ *orb.Bound, fn func(territory.CustomerLocation) error) error {
	f.mu.Lock()
	f.walks++
	gate, err := f.gate, f.fail
	locs := slices.Clone(f.locs)
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err != nil {
		return err
	}
	for _, l := range locs {
		if err := fn(l); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeSource) DataStamp(context.Context) (string, error) {
	f.mu.Lock()
	f.stamps++
	d := f.stampDelay
	f.mu.Unlock()
	time.Sleep(d)
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprint(f.gen), nil
}

// change edits the data under the lock and bumps the stamp.
func (f *fakeSource) change(fn func(locs []territory.CustomerLocation) []territory.CustomerLocation) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.locs = fn(f.locs)
	f.gen++
}

// hangzhou is the middle of the generated customers.
var hangzhou = orb.Point{120.165, 30.272}

// genLocations returns n customers around Hangzhou (half of them within
// about 2 km, the rest within about 20 km), ids 1..n, in 5 grids, a third
// owned by one of 4 managers (ids 101..104), stages cycling.
func genLocations(tb testing.TB, n int, seed uint64) []territory.CustomerLocation {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	out := make([]territory.CustomerLocation, n)
	for i := range out {
		spread := 0.2
		if i%2 == 0 {
			spread = 0.02
		}
		p := orb.Point{hangzhou[0] + rng.NormFloat64()*spread, hangzhou[1] + rng.NormFloat64()*spread}
		l := territory.CustomerLocation{ID: int64(i + 1), Location: p, Cell: geo.Cell(p, geo.CustomerCellRes), GridID: int64(i % 6), Stage: funnel.Stages[i%len(funnel.Stages)]}
		if i%3 == 0 {
			l.OwnerID = 101 + int64(rng.IntN(4))
		}
		out[i] = l
	}
	return out
}

func mustBuild(tb testing.TB, locs []territory.CustomerLocation) *Snapshot {
	tb.Helper()
	s, err := Build(context.Background(), &fakeSource{locs: locs}, "stamp")
	if err != nil {
		tb.Fatalf("build: %v", err)
	}
	return s
}

func TestParentOfMatchesH3(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 500 {
		ll := h3.LatLng{Lat: rng.Float64()*170 - 85, Lng: rng.Float64()*360 - 180}
		c := h3.LatLngToCell(ll, geo.CustomerCellRes)
		for res := 0; res <= geo.CustomerCellRes; res++ {
			if got, want := parentOf(uint64(c), res), uint64(c.Parent(res)); got != want {
				t.Fatalf("parentOf(%v, %d) = %x, h3 says %x", c, res, got, want)
			}
		}
		if !isCell(uint64(c), MaxHexRes) || isCell(uint64(c.Parent(MaxHexRes-1)), MaxHexRes) {
			t.Fatalf("isCell wrong for %v", c)
		}
	}
}

// The key order must put exactly the points of a tile in its range, at
// every zoom, with the tile maptile.At (and so mvt's projection) gives.
func TestTileRangeMatchesMaptile(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pts := []orb.Point{{-180, 0}, {179.9999999, 85.05}, {0, 0}, {120.165, 30.272}, {-0.0000001, -0.0000001}}
	for range 2000 {
		pts = append(pts, orb.Point{rng.Float64()*360 - 180, rng.Float64()*170 - 85})
	}
	for _, p := range pts {
		k := KeyOf(p)
		for z := maptile.Zoom(0); z <= 24; z++ {
			tile := maptile.At(p, z)
			lo, hi := TileRange(tile)
			if k < lo || k >= hi {
				t.Fatalf("point %v key %x not in range [%x, %x) of its tile %v", p, k, lo, hi, tile)
			}
			// A neighbouring tile's range does not hold it.
			if tile.X > 0 {
				lo, hi := TileRange(maptile.New(tile.X-1, tile.Y, z))
				if k >= lo && k < hi {
					t.Fatalf("point %v in the range of the tile west of %v", p, tile)
				}
			}
		}
	}
}

func TestTilePoints(t *testing.T) {
	locs := genLocations(t, 20_000, 1)
	s := mustBuild(t, locs)
	if s.Len() != len(locs) {
		t.Fatalf("Len %d, want %d", s.Len(), len(locs))
	}
	for _, tt := range []struct {
		name  string
		owner int64
	}{{"everyone", 0}, {"manager 102", 102}, {"manager without customers", 999}} {
		t.Run(tt.name, func(t *testing.T) {
			for z := maptile.Zoom(0); z <= 18; z += 3 {
				// The tiles around the centre and one far out.
				c := maptile.At(hangzhou, z)
				tiles := []maptile.Tile{c, maptile.New(c.X+1, c.Y, z), maptile.New(c.X, c.Y+1, z), maptile.At(orb.Point{121, 31}, z)}
				total := 0
				for _, tile := range tiles {
					var want []int64
					for _, l := range locs {
						if maptile.At(l.Location, z) == tile && (tt.owner == 0 || l.OwnerID == tt.owner) {
							want = append(want, l.ID)
						}
					}
					var got []int64
					n := s.TilePoints(tile, tt.owner, func(p *Point) {
						got = append(got, p.ID)
						if want := locs[p.ID-1]; p.Loc != want.Location || p.Stage() != want.Stage || p.GridID != want.GridID || p.OwnerID != want.OwnerID {
							t.Fatalf("point %d: %+v, stored %+v", p.ID, *p, want)
						}
					})
					slices.Sort(got)
					if n != len(got) || !slices.Equal(got, want) {
						t.Fatalf("z%d tile %v: %d points (n %d), want %d", z, tile, len(got), n, len(want))
					}
					total += n
				}
				if z >= 9 && tt.owner == 0 && total == 0 {
					t.Fatalf("fixture: no points in the z%d tiles", z)
				}
			}
		})
	}
}

func TestHexesCountEveryCustomer(t *testing.T) {
	locs := genLocations(t, 5000, 2)
	s := mustBuild(t, locs)
	world := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	for res := MinHexRes; res <= MaxHexRes; res++ {
		for _, owner := range []int64{0, 101} {
			t.Run(fmt.Sprintf("res %d owner %d", res, owner), func(t *testing.T) {
				want := map[h3.Cell]int{}
				for _, l := range locs {
					if owner == 0 || l.OwnerID == owner {
						want[l.Cell.Parent(res)]++
					}
				}
				hexes, err := s.Hexes(world, res, owner)
				if err != nil {
					t.Fatal(err)
				}
				if len(hexes) != len(want) {
					t.Fatalf("%d hexes, want %d", len(hexes), len(want))
				}
				sum := 0
				for _, h := range hexes {
					if h.Count != want[h.Cell] {
						t.Errorf("cell %v: count %d, want %d", h.Cell, h.Count, want[h.Cell])
					}
					if len(h.Ring) < 7 || h.Ring[0] != h.Ring[len(h.Ring)-1] || !h.Ring.Bound().Contains(geo.CellCenter(h.Cell)) {
						t.Errorf("cell %v: bad ring %v", h.Cell, h.Ring)
					}
					sum += h.Count
				}
				if owner == 0 && sum != len(locs) {
					t.Errorf("counts add up to %d, want %d", sum, len(locs))
				}
				if owner != 0 && sum != s.OwnerCount(owner) {
					t.Errorf("counts add up to %d, want his %d", sum, s.OwnerCount(owner))
				}
			})
		}
	}
	// A bound returns every cell holding a customer inside it, and only
	// cells whose box meets it.
	b := orb.Bound{Min: orb.Point{120.15, 30.26}, Max: orb.Point{120.18, 30.28}}
	hexes, err := s.Hexes(b, 8, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[h3.Cell]bool{}
	for _, h := range hexes {
		got[h.Cell] = true
		if !h.Ring.Bound().Intersects(b) {
			t.Errorf("cell %v is outside the bound", h.Cell)
		}
	}
	inside := 0
	for _, l := range locs {
		if b.Contains(l.Location) {
			inside++
			if !got[l.Cell.Parent(8)] {
				t.Fatalf("customer %d in the bound, his cell %v missing", l.ID, l.Cell.Parent(8))
			}
		}
	}
	if inside == 0 {
		t.Fatal("fixture: no customer in the bound")
	}
	if _, err := s.Hexes(b, MaxHexRes+1, 0); err == nil {
		t.Error("resolution 10: no error")
	}
}

func TestCountsAndRevision(t *testing.T) {
	locs := genLocations(t, 3000, 3)
	s := mustBuild(t, locs)
	for g := int64(0); g < 6; g++ {
		if got := s.CustomerCount(g); got != 500 {
			t.Errorf("grid %d: %d customers, want 500", g, got)
		}
	}
	if s.CustomerCount(77) != 0 {
		t.Error("unknown grid has customers")
	}
	if s.Stamp() != "stamp" {
		t.Errorf("stamp %q", s.Stamp())
	}
	if again := mustBuild(t, slices.Clone(locs)); again.Revision() != s.Revision() {
		t.Error("same data, different revision")
	}
	for name, edit := range map[string]func(l *territory.CustomerLocation){
		"stage": func(l *territory.CustomerLocation) { l.Stage = funnel.Order },
		"owner": func(l *territory.CustomerLocation) { l.OwnerID = 555 },
		"grid":  func(l *territory.CustomerLocation) { l.GridID = 9 },
		"moved": func(l *territory.CustomerLocation) { l.Location[0] += 1e-9 },
	} {
		changed := slices.Clone(locs)
		edit(&changed[17])
		if mustBuild(t, changed).Revision() == s.Revision() {
			t.Errorf("%s changed, revision did not", name)
		}
	}
}

func TestBuildFailsAndCancels(t *testing.T) {
	boom := fmt.Errorf("disk on fire")
	if _, err := Build(context.Background(), &fakeSource{fail: boom}, ""); err == nil || !errors.Is(err, boom) {
		t.Errorf("error %v, want one wrapping %v", err, boom)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := &fakeSource{locs: genLocations(t, 10, 4), gate: make(chan struct{})}
	if _, err := Build(ctx, src, ""); err == nil {
		t.Error("cancelled build: no error")
	}
}
