package demo

import (
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"maps"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// testNow and testSeed fix the city every test looks at.
var testNow = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

const testSeed = 20261126

var (
	cityOnce sync.Once
	cityVal  *City
	cityErr  error
)

// mustCity returns the shared 20,000-business test city (generated once;
// tests must not modify it — Load tests generate their own).
func mustCity(tb testing.TB) *City {
	tb.Helper()
	cityOnce.Do(func() {
		seed := uint64(testSeed)
		if s := os.Getenv("DEMO_TEST_SEED"); s != "" { // to try the checks on other cities
			seed, cityErr = strconv.ParseUint(s, 10, 64)
			if cityErr != nil {
				return
			}
		}
		cityVal, cityErr = Generate(Options{Seed: seed, Customers: 20000, Now: testNow})
	})
	if s := os.Getenv("DEMO_TEST_SEED"); s != "" {
		tb.Logf("test city seed %s (DEMO_TEST_SEED)", s)
	}
	if cityErr != nil {
		tb.Fatalf("Generate: %v", cityErr)
	}
	return cityVal
}

func init() {
	gob.Register(orb.Point{})
	gob.Register(orb.Polygon{})
}

// cityHash is a digest of every field of every entity of c, including the
// gazetteer, in slice order.
func cityHash(tb testing.TB, c *City) string {
	tb.Helper()
	h := sha256.New()
	enc := gob.NewEncoder(h)
	for _, v := range []any{c.Districts, c.Grids, c.Managers, c.Customers, c.Addresses, c.Resources,
		c.Users, c.Claims, c.Activities, c.FollowUps, c.Roads, c.Places} {
		if err := enc.Encode(v); err != nil {
			tb.Fatalf("encode city: %v", err)
		}
	}
	// gob writes maps in iteration order: evidence goes as sorted pairs.
	for _, t := range c.Transitions {
		v := *t
		v.Evidence = nil
		keys := slices.Sorted(maps.Keys(t.Evidence))
		vals := make([]string, len(keys))
		for i, k := range keys {
			vals[i] = t.Evidence[k]
		}
		for _, x := range []any{v, keys, vals} {
			if err := enc.Encode(x); err != nil {
				tb.Fatalf("encode city: %v", err)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// districtIndex maps points to district indexes by the district polygons
// (independently of the grids).
func districtIndex(tb testing.TB, c *City) *geo.Index[int] {
	tb.Helper()
	ix := geo.NewIndex[int]()
	for i, d := range c.Districts {
		ix.Add(i, d.Boundary[0])
	}
	return ix
}

// gridIndex maps points to grid indexes.
func gridIndex(tb testing.TB, c *City) *geo.Index[int] {
	tb.Helper()
	ix := geo.NewIndex[int]()
	for i, g := range c.Grids {
		ix.Add(i, g.Boundary)
	}
	return ix
}

// share is part/whole as a float.
func share(part, whole int) float64 { return float64(part) / float64(whole) }
