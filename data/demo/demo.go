package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
)

// DefaultCustomers is the size of the demo city when Options.Customers is 0.
const DefaultCustomers = 20_000

// MaxCustomers bounds Options.Customers: a province is about 10⁶ businesses.
const MaxCustomers = 5_000_000

// MaxGrids bounds Options.Grids.
const MaxGrids = 100_000

// Center is the middle of the demo city: Wulin Square (武林广场), Hangzhou,
// WGS-84.
var Center = orb.Point{120.165, 30.272}

// Options configure Generate. The same Options give byte-identical output.
type Options struct {
	// Seed selects the city.
	Seed uint64
	// Customers is the number of businesses; 0 means DefaultCustomers.
	// Districts, grids, managers and the city's area grow with it.
	Customers int
	// Grids, when not 0, is the number of grids to aim at instead of one
	// per 200 businesses (the city's shape makes it approximate; CountGrids
	// tells the exact number). For benchmarks that vary the two apart.
	Grids int
	// Now is the reference instant: claims and activities lie before it,
	// resources under construction or planned come into service after it.
	// Required, so that a fixed Now gives a fixed city.
	Now time.Time
	// Resources, when not 0, is the exact number of network resources to
	// site (a mix of radii, polygons and H3 cell sets, 70% existing; see
	// buildResourceCount) instead of as many as bring coverage to about
	// 62% existing, 70% with those under construction and 77% with the
	// planned ones. For the coverage benchmark (1,000,000 businesses ×
	// 50,000 resources).
	Resources int
}

// City is a generated demo city. Entities carry provisional ids 1..n (their
// position in the slice plus one) and refer to each other by them; Load
// rewrites them to the ids the store assigns. Roads and Places are the
// gazetteer the customers' addresses were written from; Addresses holds,
// parallel to Customers, the structured form of each address.
type City struct {
	Options    Options
	Districts  []*territory.District
	Grids      []*territory.Grid
	Managers   []*territory.Manager
	Customers  []*territory.Customer
	Addresses  []Address
	Resources  []*territory.Resource
	Users      []*territory.User // without password hashes: Load sets them
	Claims     []*funnel.Claim
	Activities []*funnel.Activity
	// Transitions are the customers' stage changes (UserID: the manager's
	// login, 0 for the system's lapses); FollowUps the follow-ups of the
	// competitor contracts expiring (ActivityID: the activity that
	// recorded it).
	Transitions []*funnel.Transition
	FollowUps   []*funnel.FollowUp
	Roads       []*Road
	Places      []*Place

	loaded bool // set by Load, which consumes the city
}

// Generate builds a demo city. It fails only on bad options (the error names
// the field) or, as a guard, when a generated row does not pass its own
// Validate.
func Generate(opts Options) (*City, error) {
	if opts.Customers == 0 {
		opts.Customers = DefaultCustomers
	}
	switch {
	case opts.Customers < 0:
		return nil, fmt.Errorf("demo options: customers: must not be negative, got %d", opts.Customers)
	case opts.Customers > MaxCustomers:
		return nil, fmt.Errorf("demo options: customers: at most %d, got %d", MaxCustomers, opts.Customers)
	case opts.Now.IsZero():
		return nil, fmt.Errorf("demo options: now: is required (the reference date of claims and activities)")
	case opts.Grids < 0 || opts.Grids > MaxGrids:
		return nil, fmt.Errorf("demo options: grids: want 0 (one per 200 businesses) to %d, got %d", MaxGrids, opts.Grids)
	case opts.Resources < 0 || opts.Resources > MaxResources:
		return nil, fmt.Errorf("demo options: resources: want 0 (as many as the default coverage needs) to %d, got %d", MaxResources, opts.Resources)
	}
	g := &gen{opts: opts, sc: newScale(opts.Customers), fr: newFrame(Center)}
	if opts.Grids > 0 {
		g.sc = newScaleGrids(opts.Customers, opts.Grids)
	}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"lattice", g.buildLattice},
		{"districts", g.buildDistricts},
		{"grids", g.buildGrids},
		{"roads", g.buildRoads},
		{"places", g.buildPlaces},
		{"customers", g.buildCustomers},
		{"managers", g.buildManagers},
		{"funnel", g.buildFunnel},
		{"resources", g.buildResources},
		{"users", g.buildUsers},
		{"validate", g.validate},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return nil, fmt.Errorf("demo city %s: %w", s.name, err)
		}
	}
	return g.city, nil
}

// scale holds the sizes derived from the number of customers.
type scale struct {
	customers int
	grids     int // target; the city shape makes it approximate
	districts int
	strips    int // districts are laid out in this many columns
	cols      int // lattice cells across
	rows      int // lattice cells down
}

// newScale sizes the city: about 200 businesses per grid, districts growing
// as n^0.65 (8 at 20,000, ~100 at 1,000,000), at least 6.
func newScale(n int) scale { return newScaleGrids(n, max(24, int(math.Round(float64(n)/200)))) }

// newScaleGrids sizes a city of n businesses for about grids grids.
func newScaleGrids(n, grids int) scale {
	d := max(6, int(math.Round(8*math.Pow(float64(n)/20000, 0.65))))
	k := max(2, int(math.Round(math.Sqrt(float64(d)))))
	const fill = 0.9 // share of the lattice rectangle inside the city
	rows := max(int(math.Round(math.Sqrt(float64(grids)/fill))), 2*((d+k-1)/k)+3)
	cols := max(int(math.Round(float64(grids)/fill/float64(rows))), 2*k+2)
	return scale{customers: n, grids: grids, districts: d, strips: k, cols: cols, rows: rows}
}

// frame is a local metric frame: x east and y north in metres from its
// centre, mapped to longitude/latitude linearly. Linear means that polygons
// built in metres stay exact tilings in degrees (shared vertices stay shared,
// areas keep their ratios).
type frame struct {
	center           orb.Point
	mPerLon, mPerLat float64
}

func newFrame(c orb.Point) frame {
	mPerLat := geo.EarthRadiusM * math.Pi / 180
	return frame{center: c, mPerLat: mPerLat, mPerLon: mPerLat * math.Cos(c[1]*math.Pi/180)}
}

func (f frame) ll(x, y float64) orb.Point {
	return orb.Point{f.center[0] + x/f.mPerLon, f.center[1] + y/f.mPerLat}
}

func (f frame) xy(p orb.Point) (x, y float64) {
	return (p[0] - f.center[0]) * f.mPerLon, (p[1] - f.center[1]) * f.mPerLat
}

// gen carries the state of one Generate call.
type gen struct {
	opts Options
	sc   scale
	fr   frame
	city *City

	lat *lattice

	// per district (index = provisional id - 1)
	distCX, distCY []float64 // centroid, metres
	distCells      [][]int32 // lattice cells

	// per grid
	gridCell     []int32 // lattice cell of the grid
	gridDistrict []int32
	index        *geo.Index[int32] // grid polygons → grid index

	// roads
	pieces      []*piece  // parallel to city.Roads
	gridSamples [][]int64 // per grid: piece<<32 | vertex of road vertices inside it
	distPieces  [][]int32 // per district: its pieces

	places  []*placeInfo
	distCum []float64 // cumulative district weights for pickDistrict

	// customers
	cust     []custInfo
	gridCust [][]int32 // customers (indices) of each grid
	gridMgr  [][]int32 // managers (indices) of each grid

	// parallel to city.Transitions: the manager (index) who made it, -1
	// for the system; buildUsers turns it into UserID
	transBy []int32
}

// rng returns the random stream of one generation step. Steps draw from
// their own streams so that changing one step leaves the others' output
// alone.
func (g *gen) rng(step uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.opts.Seed, 0x9e3779b97f4a7c15*step+0x632be59bd9b4e019))
}

// Random stream ids.
const (
	streamLattice = iota + 1
	streamDistricts
	streamRoads
	streamPlaces
	streamCustomers
	streamAttributes
	streamManagers
	streamFunnel
	streamResources
	streamUsers
	streamShuffle
)

// normal draws from N(mean, sd).
func normal(rng *rand.Rand, mean, sd float64) float64 { return mean + sd*rng.NormFloat64() }

// uniform draws from [lo, hi).
func uniform(rng *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }

func clampF(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// validate is the guard: every row must pass its entity's Validate, so a
// bug here shows as an error, not as a store refusing rows later.
func (g *gen) validate() error {
	c := g.city
	for i, d := range c.Districts {
		if err := d.Validate(); err != nil {
			return fmt.Errorf("district %d (%s): %w", i+1, d.Name, err)
		}
	}
	for i, x := range c.Grids {
		if err := x.Validate(); err != nil {
			return fmt.Errorf("grid %d (%s): %w", i+1, x.Code, err)
		}
	}
	for i, m := range c.Managers {
		if err := m.Validate(); err != nil {
			return fmt.Errorf("manager %d (%s): %w", i+1, m.Code, err)
		}
	}
	for i, x := range c.Customers {
		if err := x.Validate(); err != nil {
			return fmt.Errorf("customer %d (%s): %w", i+1, x.ExternalID, err)
		}
	}
	for i, r := range c.Resources {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("resource %d (%s): %w", i+1, r.Name, err)
		}
	}
	for i, x := range c.Claims {
		if err := x.Validate(); err != nil {
			return fmt.Errorf("claim %d: %w", i+1, err)
		}
	}
	for i, a := range c.Activities {
		if err := a.Validate(); err != nil {
			return fmt.Errorf("activity %d: %w", i+1, err)
		}
	}
	for i, t := range c.Transitions {
		v := *t
		if err := data.PrepareTransition(&v, c.Options.Now); err != nil {
			return fmt.Errorf("transition %d: %w", i+1, err)
		}
		if !v.At.Equal(t.At) || !t.At.Before(c.Options.Now) {
			return fmt.Errorf("transition %d: at %s: want whole microseconds before now", i+1, t.At)
		}
	}
	for i, x := range c.FollowUps {
		v := *x
		if err := data.PrepareFollowUp(&v, c.Options.Now); err != nil {
			return fmt.Errorf("follow-up %d: %w", i+1, err)
		}
		if !v.Due.Equal(x.Due) {
			return fmt.Errorf("follow-up %d: due %s is not a day", i+1, x.Due)
		}
	}
	for i, u := range c.Users {
		v := *u
		v.PasswordHash = "x" // set by Load
		if err := v.Validate(); err != nil {
			return fmt.Errorf("user %d (%s): %w", i+1, u.Username, err)
		}
	}
	return nil
}
