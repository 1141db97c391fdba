package coverage

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/data/demo"
	"gridplan/geo"
	"gridplan/territory"
)

// Benchmarks run on the demo city (its customers, grids, districts and
// resources) with synthetic resources added up to the count asked for,
// sited at random businesses like the demo's own: 55% fibre cabinets of
// 250–400 m, 25% 5G sites of 300–600 m, 19% serving-area polygons of
// 300–600 m, 1% cell sets (a resolution-9 cell and its ring).
//
//	go test ./territory/coverage -run '^$' -bench . -benchtime 3x -timeout 30m

var (
	sinkAnalyzer *Analyzer
	sinkSummary  *Summary
	sinkInt      int
)

type benchCity struct {
	in Input
}

var benchCities sync.Map // customers → *benchCity

func benchInput(tb testing.TB, customers, resources int) Input {
	tb.Helper()
	v, _ := benchCities.LoadOrStore(customers, &sync.Once{})
	once := v.(*sync.Once)
	key := fmt.Sprintf("city-%d", customers)
	once.Do(func() {
		c, err := demo.Generate(demo.Options{Seed: 1, Customers: customers, Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			tb.Fatal(err)
		}
		in := Input{Grids: c.Grids, Districts: c.Districts, Resources: c.Resources}
		for _, cu := range c.Customers {
			in.Customers = append(in.Customers, territory.CustomerLocation{ID: cu.ID, Location: cu.Location, Cell: cu.Cell,
				GridID: cu.GridID, Stage: cu.Stage, OwnerID: cu.OwnerID, Carrier: cu.Carrier, Size: cu.Size})
		}
		benchCities.Store(key, &benchCity{in: in})
	})
	v, ok := benchCities.Load(key)
	if !ok {
		tb.Fatal("demo city generation failed earlier")
	}
	in := v.(*benchCity).in
	in.Resources = withSynthetic(in, resources)
	return in
}

// withSynthetic returns the city's resources cut or grown to n.
func withSynthetic(in Input, n int) []*territory.Resource {
	rs := append([]*territory.Resource(nil), in.Resources...)
	if len(rs) >= n {
		return rs[:n]
	}
	rng := rand.New(rand.NewPCG(42, uint64(n)))
	due := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
	for id := int64(len(rs) + 1_000_000); len(rs) < n; id++ {
		site := geo.Offset(in.Customers[rng.IntN(len(in.Customers))].Location, rng.NormFloat64()*25, rng.NormFloat64()*25)
		r := &territory.Resource{ID: id, Name: fmt.Sprint("S", id), Kind: "synthetic", Status: territory.ResourceStatuses[rng.IntN(3)]}
		if r.Status != territory.ResourceExisting {
			r.ExpectedDate = &due
		}
		switch x := rng.Float64(); {
		case x < 0.55:
			r.Geometry, r.RadiusM = site, 250+rng.Float64()*150
		case x < 0.80:
			r.Geometry, r.RadiusM = site, 300+rng.Float64()*300
		case x < 0.99:
			r.Geometry = starPolygon(rng, site, 300+rng.Float64()*300, false)
		default:
			r.Cells = h3.GridDisk(geo.Cell(site, 9), 1)
		}
		rs = append(rs, r)
	}
	return rs
}

// BenchmarkFull is a full analysis: index the customers, work out every
// resource's cover list, and evaluate one date (the counts, best statuses
// and cubes every report reads).
func BenchmarkFull(b *testing.B) {
	for _, sz := range []struct{ customers, resources int }{{20_000, 1_000}, {1_000_000, 50_000}} {
		b.Run(fmt.Sprintf("customers=%d/resources=%d", sz.customers, sz.resources), func(b *testing.B) {
			in := benchInput(b, sz.customers, sz.resources)
			b.ReportAllocs()
			b.ResetTimer()
			var pairs int
			for range b.N {
				a, err := New(context.Background(), in, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if sinkSummary, err = a.Summary(day("2026-11-26"), LevelDistrict, 0); err != nil {
					b.Fatal(err)
				}
				sinkAnalyzer = a
				pairs = 0
				for _, c := range a.slots {
					pairs += len(c.cover)
				}
			}
			b.ReportMetric(float64(pairs), "pairs")
		})
	}
}

// BenchmarkNaive is the baseline: every customer tested against every
// resource whose box holds him (a loop over all pairs with a box check
// first, as a query without a spatial index would do).
func BenchmarkNaive(b *testing.B) {
	in := benchInput(b, 20_000, 1_000)
	b.ReportAllocs()
	for b.Loop() {
		best := make([]Status, len(in.Customers))
		bounds := make([]orb.Bound, len(in.Resources))
		for j, r := range in.Resources {
			bounds[j] = r.CoverageBound()
		}
		for i, l := range in.Customers {
			best[i] = None
			for j, r := range in.Resources {
				if bounds[j].Contains(l.Location) && naiveCovers(r, l) {
					best[i] = min(best[i], Effective(r, day("2026-11-26")))
				}
			}
		}
		sinkInt = int(best[0])
	}
}

// BenchmarkEvaluate is one more date on a built analyzer (what a new
// as_of costs).
func BenchmarkEvaluate(b *testing.B) {
	for _, sz := range []struct{ customers, resources int }{{1_000_000, 50_000}} {
		b.Run(fmt.Sprintf("customers=%d/resources=%d", sz.customers, sz.resources), func(b *testing.B) {
			a := mustNew(b, benchInput(b, sz.customers, sz.resources))
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				v := a.evaluate(Date(20270101 + i%28))
				sinkInt = int(v.best[0])
			}
		})
	}
}

// BenchmarkPut is one resource moved by 200 m (a change re-evaluating the
// customers of its old and new reach) with MaxViews dates kept evaluated.
func BenchmarkPut(b *testing.B) {
	in := benchInput(b, 1_000_000, 50_000)
	for _, views := range []int{1, 4} {
		b.Run(fmt.Sprintf("customers=1000000/resources=50000/views=%d", views), func(b *testing.B) {
			a, err := New(context.Background(), in, Options{MaxViews: views})
			if err != nil {
				b.Fatal(err)
			}
			for i := range views {
				a.Summary(Date(20261126+i), LevelDistrict, 0)
			}
			rng := rand.New(rand.NewPCG(7, 7))
			var reev int
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				r := cloneResource(in.Resources[rng.IntN(len(in.Resources))])
				switch g := r.Geometry.(type) {
				case orb.Point:
					r.Geometry = geo.Offset(g, 200, 0)
				case orb.Polygon:
					r.Status = territory.ResourceExisting
					r.ExpectedDate = nil
				}
				ch, err := a.Put(r)
				if err != nil {
					b.Fatal(err)
				}
				reev += ch.Reevaluated
			}
			b.ReportMetric(float64(reev)/float64(b.N), "reevaluated/op")
		})
	}
}

// BenchmarkSummary is a report on an evaluated date.
func BenchmarkSummary(b *testing.B) {
	a := mustNew(b, benchInput(b, 1_000_000, 50_000))
	for _, lv := range Levels {
		b.Run(string(lv), func(b *testing.B) {
			for b.Loop() {
				s, err := a.Summary(day("2026-11-26"), lv, 0)
				if err != nil {
					b.Fatal(err)
				}
				sinkSummary = s
			}
		})
	}
}

// BenchmarkGaps and BenchmarkSuggest: the gap map and ten sites of 500 m
// for the whole 1,000,000-customer city.
func BenchmarkGaps(b *testing.B) {
	a := mustNew(b, benchInput(b, 1_000_000, 50_000))
	for _, res := range []int{7, 9, 10} {
		b.Run(fmt.Sprint("res=", res), func(b *testing.B) {
			for b.Loop() {
				g, err := a.Gaps(day("2026-11-26"), res, Scope{}, DefaultWeights())
				if err != nil {
					b.Fatal(err)
				}
				sinkInt = len(g)
			}
		})
	}
}

func BenchmarkSuggest(b *testing.B) {
	a := mustNew(b, benchInput(b, 1_000_000, 50_000))
	var s *Suggestion
	for b.Loop() {
		var err error
		if s, err = a.Suggest(context.Background(), day("2026-11-26"), SuggestOptions{K: 10, RadiusM: 500, Weights: DefaultWeights()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.Candidates), "candidates")
	b.ReportMetric(math.Round(s.CoveredWeight), "covered_weight")
}
