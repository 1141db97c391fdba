package coverage

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
)

// smallWorld is a town of n customers in a few clusters within ~2 km, with
// a couple of resources covering some of them.
func smallWorld(seed uint64, n int) Input {
	rng := rand.New(rand.NewPCG(seed, 99))
	var in Input
	hubs := make([]orb.Point, 2+rng.IntN(4))
	for i := range hubs {
		hubs[i] = geo.Offset(center, (rng.Float64()-0.5)*2000, (rng.Float64()-0.5)*2000)
	}
	for i := range n {
		h := hubs[rng.IntN(len(hubs))]
		p := geo.Offset(h, rng.NormFloat64()*250, rng.NormFloat64()*250)
		l := loc(int64(i+1), p)
		l.Stage = funnel.Stages[rng.IntN(len(funnel.Stages))]
		l.Size = territory.Sizes[rng.IntN(len(territory.Sizes))]
		in.Customers = append(in.Customers, l)
	}
	for i := range 2 {
		in.Resources = append(in.Resources, &territory.Resource{ID: int64(i + 1), Name: "r", Kind: "k", Status: territory.ResourceExisting,
			Geometry: hubs[i], RadiusM: 150})
	}
	return in
}

// exactBest is the optimum of the instance by brute force over every set
// of k candidates (bitsets of at most 256 customers).
func exactBest(tb testing.TB, m *mclp, k int) float64 {
	tb.Helper()
	if len(m.w) > 256 {
		tb.Fatalf("%d customers: too many for the bitsets", len(m.w))
	}
	sets := make([][4]uint64, len(m.cells))
	for c := range m.cells {
		m.members(c, func(j int32) { sets[c][j/64] |= 1 << (j % 64) })
	}
	weight := func(s [4]uint64) float64 {
		x := 0.0
		for wi, word := range s {
			for word != 0 {
				b := bits.TrailingZeros64(word)
				x += m.w[wi*64+b]
				word &= word - 1
			}
		}
		return x
	}
	best := 0.0
	var rec func(start, left int, acc [4]uint64)
	rec = func(start, left int, acc [4]uint64) {
		if left == 0 || start == len(sets) {
			best = math.Max(best, weight(acc))
			return
		}
		for c := start; c < len(sets); c++ {
			next := acc
			for i := range next {
				next[i] |= sets[c][i]
			}
			rec(c+1, left-1, next)
		}
	}
	rec(0, k, [4]uint64{})
	return best
}

// eagerGreedy is plain greedy: every candidate's gain worked out afresh in
// every round, ties to the lower cell.
func eagerGreedy(m *mclp, k int) []int {
	covered := make([]bool, len(m.w))
	var out []int
	for range k {
		best, bestGain := -1, 0.0
		for c := range m.cells {
			if g := m.gain(c, covered); g > bestGain {
				best, bestGain = c, g
			}
		}
		if best < 0 {
			break
		}
		out = append(out, best)
		m.members(best, func(j int32) { covered[j] = true })
	}
	return out
}

// statedGreedyRatio is the worst greedy/optimum ratio the package
// documentation states for these instances (a gap of at most 11%; the
// instances are fixed, the worst observed is 0.894); the test fails if
// greedy ever does worse.
const statedGreedyRatio = 0.89

// Greedy against the exact optimum on 200 small instances (brute force
// over all sets of K candidate cells): it must never fall below 1 − 1/e
// (the theory) nor below the ratio the documentation states; the observed
// figures are logged.
func TestSuggestAgainstExact(t *testing.T) {
	ctx := context.Background()
	worst, sum, n, optimal := 1.0, 0.0, 0, 0
	for seed := range uint64(200) {
		in := smallWorld(seed, 120+int(seed%5)*20)
		a := mustNew(t, in)
		k := 2 + int(seed%3)
		o := SuggestOptions{K: k, RadiusM: 300, Weights: DefaultWeights(), Res: 9}
		m, err := a.newMCLP(ctx, day("2026-11-26"), o)
		if err != nil {
			t.Fatal(err)
		}
		for len(m.cells) > 40 && o.Res > MinSuggestRes { // keep brute force small
			o.Res--
			if m, err = a.newMCLP(ctx, day("2026-11-26"), o); err != nil {
				t.Fatal(err)
			}
		}
		s, err := a.Suggest(ctx, day("2026-11-26"), o)
		if err != nil {
			t.Fatal(err)
		}
		opt := exactBest(t, m, k)
		got := s.CoveredWeight
		if got > opt+1e-9 {
			t.Fatalf("seed %d: greedy %.3f beats the optimum %.3f: the brute force is wrong", seed, got, opt)
		}
		ratio := 1.0
		if opt > 0 {
			ratio = got / opt
		}
		if ratio >= 1-1e-12 {
			optimal++
		}
		if ratio < 1-1/math.E || ratio < statedGreedyRatio {
			t.Errorf("seed %d (k=%d, %d candidates): greedy %.3f, optimum %.3f: ratio %.4f", seed, k, len(m.cells), got, opt, ratio)
		}
		worst, sum, n = math.Min(worst, ratio), sum+ratio, n+1
		// The lazy greedy picks exactly what plain greedy picks.
		eager := eagerGreedy(m, k)
		if len(eager) != len(s.Sites) {
			t.Fatalf("seed %d: eager greedy %d sites, lazy %d", seed, len(eager), len(s.Sites))
		}
		for i, c := range eager {
			if uint64(s.Sites[i].Cell) != m.cells[c] {
				t.Errorf("seed %d: site %d: lazy %v, eager %x", seed, i+1, s.Sites[i].Cell, m.cells[c])
			}
		}
	}
	t.Logf("greedy/optimum over %d instances: worst %.4f, mean %.4f, optimal in %d", n, worst, sum/float64(n), optimal)
}

// A suggestion's sites list disjoint customers, each uncovered, in scope
// and within the radius of its site; weights add up.
func TestSuggestSites(t *testing.T) {
	w := genWorld(t, 51, 4000, 120)
	a := mustNew(t, w.in)
	d := day("2026-11-26")
	want := naive(w.in, d)
	dist := w.in.Districts[1]
	o := SuggestOptions{K: 6, RadiusM: 500, Scope: Scope{DistrictID: dist.ID}, Weights: DefaultWeights()}
	s, err := a.Suggest(context.Background(), d, o)
	if err != nil {
		t.Fatal(err)
	}
	if s.Res != ResForRadius(500) || s.Res != 9 || s.Method != "lazy-greedy" || len(s.Sites) != 6 {
		t.Fatalf("res %d, method %s, %d sites", s.Res, s.Method, len(s.Sites))
	}
	gaps, _ := a.Gaps(d, 9, Scope{DistrictID: dist.ID}, DefaultWeights())
	gapW, gapN := 0.0, 0
	for _, g := range gaps {
		gapW, gapN = gapW+g.Weight, gapN+g.Uncovered
	}
	if math.Abs(gapW-s.UncoveredWeight) > 1e-6 || gapN != s.UncoveredCustomers {
		t.Errorf("uncovered %d/%.3f, the gap map says %d/%.3f", s.UncoveredCustomers, s.UncoveredWeight, gapN, gapW)
	}
	byID := map[int64]territory.CustomerLocation{}
	for _, l := range w.in.Customers {
		byID[l.ID] = l
	}
	wt := DefaultWeights().table()
	seen := map[int64]bool{}
	total, prev := 0.0, math.Inf(1)
	for _, site := range s.Sites {
		sum := 0.0
		for _, id := range site.Customers {
			l := byID[id]
			if seen[id] || want[id].Status != None || !planarIn(dist.Boundary, l.Location) || geo.DistanceM(site.Center, l.Location) > 500 {
				t.Fatalf("site %d lists customer %d wrongly", site.Rank, id)
			}
			seen[id] = true
			sum += wt[StageIndex(l.Stage)*NumCarriers+CarrierIndex(l.Carrier)][sizeIndex(l.Size)]
		}
		if math.Abs(sum-site.Weight) > 1e-9 || site.Weight > prev {
			t.Errorf("site %d: weight %.3f, its customers %.3f (previous site %.3f)", site.Rank, site.Weight, sum, prev)
		}
		prev, total = site.Weight, total+site.Weight
		if !slices.IsSorted(site.Customers) {
			t.Errorf("site %d: customers not sorted", site.Rank)
		}
	}
	if math.Abs(total-s.CoveredWeight) > 1e-9 || len(seen) != s.CoveredCustomers {
		t.Errorf("covered %d/%.3f, sites add to %d/%.3f", s.CoveredCustomers, s.CoveredWeight, len(seen), total)
	}
	// Enough sites cover everyone, and then no more come back.
	few := smallWorld(3, 60)
	b := mustNew(t, few)
	all, err := b.Suggest(context.Background(), d, SuggestOptions{K: MaxSites, RadiusM: 2000, Weights: DefaultWeights()})
	if err != nil {
		t.Fatal(err)
	}
	if all.CoveredCustomers != all.UncoveredCustomers || len(all.Sites) >= MaxSites {
		t.Errorf("%d sites cover %d of %d", len(all.Sites), all.CoveredCustomers, all.UncoveredCustomers)
	}
}

func TestSuggestRejects(t *testing.T) {
	a := mustNew(t, smallWorld(1, 50))
	tests := []struct {
		o     SuggestOptions
		field string
	}{
		{SuggestOptions{K: 0, RadiusM: 300}, "k"},
		{SuggestOptions{K: MaxSites + 1, RadiusM: 300}, "k"},
		{SuggestOptions{K: 3, RadiusM: 0}, "radius"},
		{SuggestOptions{K: 3, RadiusM: math.NaN()}, "radius"},
		{SuggestOptions{K: 3, RadiusM: 50001}, "radius"},
		{SuggestOptions{K: 3, RadiusM: 300, Res: 13}, "res"},
		{SuggestOptions{K: 3, RadiusM: 300, Res: 5}, "res"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.o), func(t *testing.T) {
			_, err := a.Suggest(context.Background(), day("2026-11-26"), tt.o)
			var fe *territory.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Errorf("error %v, want a FieldError on %s", err, tt.field)
			}
		})
	}
	if _, err := a.Suggest(context.Background(), day("2026-11-26"), SuggestOptions{K: 1, RadiusM: 300, Scope: Scope{DistrictID: 77}}); !errors.Is(err, territory.ErrNotFound) {
		t.Errorf("unknown district: %v", err)
	}
}

func TestResForRadius(t *testing.T) {
	for _, tt := range []struct {
		r    float64
		want int
	}{{5000, 7}, {1000, 8}, {500, 9}, {300, 10}, {100, 11}, {10, 11}, {50000, 6}} {
		if got := ResForRadius(tt.r); got != tt.want {
			t.Errorf("ResForRadius(%v) = %d, want %d", tt.r, got, tt.want)
		}
	}
}
