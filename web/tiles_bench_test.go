package web

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/data/demo"
	"gridplan/geo"
	"gridplan/territory"
	"gridplan/territory/snapshot"
)

// benchCity is the demo city's customers, as a slice and as a snapshot.
type benchCity struct {
	locs []territory.CustomerLocation
	snap *snapshot.Snapshot
	// densest is, per zoom, the tile holding the most customers (the worst
	// case a map can ask for).
	densest map[maptile.Zoom]maptile.Tile
	count   map[maptile.Zoom]int
}

type sliceSource []territory.CustomerLocation

func (s sliceSource) CustomerLocations(_ context.Context, _ *orb.Bound, fn func(territory.CustomerLocation) error) error {
	for _, l := range s {
		if err := fn(l); err != nil {
			return err
		}
	}
	return nil
}

// benchZooms are the zooms benchmarked: hexagons at three resolutions,
// points at the first point zoom and two deeper.
var benchZooms = []maptile.Zoom{8, 10, 12, 13, 14, 16}

// loadBenchCity generates the demo city once per process:
// GRIDPLAN_BENCH_CUSTOMERS businesses (default 1,000,000; about 6 s to
// generate and 2 s to index).
var loadBenchCity = sync.OnceValues(func() (*benchCity, error) {
	n := 1_000_000
	if v := os.Getenv("GRIDPLAN_BENCH_CUSTOMERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("GRIDPLAN_BENCH_CUSTOMERS: %w", err)
		}
	}
	city, err := demo.Generate(demo.Options{Seed: 1, Customers: n, Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		return nil, err
	}
	bc := &benchCity{densest: map[maptile.Zoom]maptile.Tile{}, count: map[maptile.Zoom]int{}}
	for i, c := range city.Customers {
		// Owners and stages as the store would hold them; ids as loaded.
		bc.locs = append(bc.locs, territory.CustomerLocation{ID: int64(i + 1), Location: c.Location, Cell: c.Cell, GridID: c.GridID, Stage: c.Stage, OwnerID: c.OwnerID})
	}
	if bc.snap, err = snapshot.Build(context.Background(), sliceSource(bc.locs), ""); err != nil {
		return nil, err
	}
	for _, z := range benchZooms {
		per := map[maptile.Tile]int{}
		for _, l := range bc.locs {
			per[maptile.At(l.Location, z)]++
		}
		for t, k := range per {
			if k > bc.count[z] || k == bc.count[z] && (t.X < bc.densest[z].X || t.X == bc.densest[z].X && t.Y < bc.densest[z].Y) {
				bc.densest[z], bc.count[z] = t, k
			}
		}
	}
	return bc, nil
})

func benchCityOf(b *testing.B) *benchCity {
	b.Helper()
	bc, err := loadBenchCity()
	if err != nil {
		b.Fatal(err)
	}
	return bc
}

var tileSink []byte

// BenchmarkCustomerTile renders the densest tile of each zoom from the
// snapshot: a binary search for points, an R-tree search for hexagons.
func BenchmarkCustomerTile(b *testing.B) {
	bc := benchCityOf(b)
	for _, z := range benchZooms {
		t := bc.densest[z]
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if tileSink, err = RenderCustomerTile(bc.snap, t, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(bc.count[z]), "customers/tile")
			b.ReportMetric(float64(len(tileSink)), "bytes/tile")
		})
	}
}

// BenchmarkCustomerTileNaive is the baseline: every tile scans every
// customer (as a store query without a spatial index would), counting
// hexagons with the same bit-level parent as the snapshot and drawing
// them with the same encoder.
func BenchmarkCustomerTileNaive(b *testing.B) {
	bc := benchCityOf(b)
	for _, z := range benchZooms {
		t := bc.densest[z]
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if tileSink, err = naiveTile(bc.locs, t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// naiveTile renders tile t by scanning locs.
func naiveTile(locs []territory.CustomerLocation, t maptile.Tile) ([]byte, error) {
	fc := geojson.NewFeatureCollection()
	if t.Z >= PointMinZoom {
		var in []*territory.CustomerLocation
		for i := range locs {
			if maptile.At(locs[i].Location, t.Z) == t {
				in = append(in, &locs[i])
			}
		}
		// In the snapshot's order, so that both give the same bytes.
		slices.SortStableFunc(in, func(a, b *territory.CustomerLocation) int {
			return cmp.Compare(snapshot.KeyOf(a.Location), snapshot.KeyOf(b.Location))
		})
		for _, l := range in {
			p := snapshot.PointOf(*l)
			fc.Features = append(fc.Features, pointFeature(&p))
		}
		return encodeTile(t, PointLayer, fc)
	}
	res := HexResForZoom(t.Z)
	counts := map[uint64]int{}
	for _, l := range locs {
		counts[benchParent(uint64(l.Cell), res)]++
	}
	bound := t.Bound(tileBuffer / 4096.0)
	var hexes []snapshot.Hex
	for c, n := range counts {
		// Cells far from the tile are skipped by their centre first, so
		// that the baseline is not dominated by boundary cgo calls.
		if !bound.Pad(0.5).Contains(geo.CellCenter(h3.Cell(c))) {
			continue
		}
		ring := orb.Ring{}
		for _, ll := range h3.CellToBoundary(h3.Cell(c)) {
			ring = append(ring, geo.FromLatLng(ll))
		}
		ring = append(ring, ring[0])
		if ring.Bound().Intersects(bound) {
			hexes = append(hexes, snapshot.Hex{Cell: h3.Cell(c), Count: n, Ring: ring})
		}
	}
	slices.SortFunc(hexes, func(a, b snapshot.Hex) int { return cmp.Compare(a.Cell, b.Cell) })
	for _, hx := range hexes {
		fc.Features = append(fc.Features, hexFeature(hx))
	}
	return encodeTile(t, HexLayer, fc)
}

// benchParent is the H3 parent by bit work (as in package snapshot).
func benchParent(c uint64, res int) uint64 {
	const resMask = uint64(0xF) << 52
	return c&^resMask | uint64(res)<<52 | (uint64(1)<<(3*(15-res)) - 1)
}

// BenchmarkSnapshotBuild indexes the whole city (what a rebuild costs on
// top of reading the store).
func BenchmarkSnapshotBuild(b *testing.B) {
	bc := benchCityOf(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := snapshot.Build(context.Background(), sliceSource(bc.locs), ""); err != nil {
			b.Fatal(err)
		}
	}
}

// The naive renderer agrees with the snapshot's: same bytes for the same
// tile (a check of the baseline, and of the snapshot against a scan).
func TestNaiveTileAgrees(t *testing.T) {
	w := newWorld(t)
	var locs []territory.CustomerLocation
	for _, c := range w.allCustomers() {
		locs = append(locs, territory.CustomerLocation{ID: c.ID, Location: c.Location, Cell: c.Cell, GridID: c.GridID, Stage: c.Stage, OwnerID: c.OwnerID})
	}
	slices.SortFunc(locs, func(a, b territory.CustomerLocation) int { return cmp.Compare(a.ID, b.ID) })
	snap, err := snapshot.Build(context.Background(), sliceSource(locs), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range []maptile.Zoom{6, 9, 11, 13, 14, 17} {
		tile := maptile.At(locs[0].Location, z)
		want, err := naiveTile(locs, tile)
		if err != nil {
			t.Fatal(err)
		}
		got, err := RenderCustomerTile(snap, tile, 0)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("z%d: snapshot tile (%d bytes) differs from the scan's (%d bytes)", z, len(got), len(want))
		}
	}
}
