package gridindex_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/data/demo"
	"gridplan/geo/gridindex"
)

var (
	sinkID  int64
	sinkIdx *gridindex.Index
)

// benchCity is a 200,000-business demo city: about 1,000 grids.
type benchCity struct {
	grids []gridindex.Grid
	pts   []orb.Point
	cells []h3.Cell
}

var (
	benchOnce sync.Once
	benchVal  benchCity
	benchErr  error
)

func loadBenchCity(b *testing.B) benchCity {
	b.Helper()
	benchOnce.Do(func() {
		city, err := demo.Generate(demo.Options{Seed: 1, Customers: 200_000, Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			benchErr = err
			return
		}
		for _, g := range city.Grids {
			benchVal.grids = append(benchVal.grids, gridindex.Grid{ID: g.ID, Polygon: g.Boundary})
		}
		for _, c := range city.Customers {
			benchVal.pts = append(benchVal.pts, c.Location)
			benchVal.cells = append(benchVal.cells, c.Cell)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchVal
}

// BenchmarkLocateCell: the cell cache first, the exact test when it misses;
// one op is one customer of the demo city.
func BenchmarkLocateCell(b *testing.B) {
	c := loadBenchCity(b)
	ix := mustBuild(b, c.grids, gridindex.Options{})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkID, _ = ix.LocateCell(c.pts[i], c.cells[i])
		if i++; i == len(c.pts) {
			i = 0
		}
	}
}

// BenchmarkLocate: R-tree box hit, then planar.PolygonContains; no cache.
func BenchmarkLocate(b *testing.B) {
	c := loadBenchCity(b)
	ix := mustBuild(b, c.grids, gridindex.Options{CacheRes: gridindex.NoCache})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkID, _ = ix.Locate(c.pts[i])
		if i++; i == len(c.pts) {
			i = 0
		}
	}
}

// BenchmarkLocateNaive is the baseline: test every grid's polygon.
func BenchmarkLocateNaive(b *testing.B) {
	c := loadBenchCity(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := c.pts[i]
		sinkID = 0
		for _, g := range c.grids {
			if planar.PolygonContains(g.Polygon, p) {
				sinkID = g.ID
				break
			}
		}
		if i++; i == len(c.pts) {
			i = 0
		}
	}
}

// BenchmarkLocateAll: every customer, on all cores, per op.
func BenchmarkLocateAll(b *testing.B) {
	c := loadBenchCity(b)
	ix := mustBuild(b, c.grids, gridindex.Options{})
	out := make([]int64, len(c.pts))
	b.ReportAllocs()
	for b.Loop() {
		if err := ix.LocateAll(context.Background(), c.pts, c.cells, out, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(c.pts))*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkBuildTree: validation and R-tree only.
func BenchmarkBuildTree(b *testing.B) {
	c := loadBenchCity(b)
	b.ReportAllocs()
	for b.Loop() {
		sinkIdx = mustBuild(b, c.grids, gridindex.Options{CacheRes: gridindex.NoCache})
	}
}

// BenchmarkBuildCache: the whole index with its cell cache, on all cores.
func BenchmarkBuildCache(b *testing.B) {
	c := loadBenchCity(b)
	b.ReportAllocs()
	for b.Loop() {
		sinkIdx = mustBuild(b, c.grids, gridindex.Options{})
	}
	b.ReportMetric(float64(sinkIdx.Stats().CachedCells), "cells")
}
