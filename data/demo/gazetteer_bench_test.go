package demo

import (
	"context"
	"testing"
	"time"

	"gridplan/geo/geocode"
)

var sinkGeo geocode.Result

// BenchmarkGeocodeDemo geocodes the demo city's businesses, addresses
// rewritten the way people type them, against the city's own gazetteer:
// at 600,000 businesses it holds about a million address points. Run with
// -cpu 1 for the one-core figure (the addresses/s metric); building the
// city and gazetteer takes a minute and is not timed.
func BenchmarkGeocodeDemo(b *testing.B) {
	t0 := time.Now()
	c, err := Generate(Options{Seed: 1, Customers: 600_000, Now: testNow})
	if err != nil {
		b.Fatal(err)
	}
	entries := c.Gazetteer()
	gz, err := geocode.NewGazetteer(entries)
	if err != nil {
		b.Fatal(err)
	}
	gc, _ := geocode.New(gz, geocode.Options{})
	w := newRewriter(1)
	addrs := make([]string, 100_000)
	for i := range addrs {
		addrs[i] = w.rewrite(c.Addresses[i])
	}
	st := gz.Stats()
	b.Logf("city of %d businesses, gazetteer of %d address points, %d roads, %d places built in %v",
		len(c.Customers), st.Addresses, st.Roads, st.Places, time.Since(t0).Round(time.Second))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		sinkGeo, _ = gc.Geocode(ctx, addrs[i%len(addrs)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "addresses/s")
}
