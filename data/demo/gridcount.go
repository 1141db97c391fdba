package demo

import "fmt"

// CountGrids returns how many grids Generate(opts) makes, by building only
// the lattice, the districts and the grids: milliseconds even for a
// province, so a benchmark can search for the Options.Grids that gives the
// grid count it wants. opts is checked as Generate checks it.
func CountGrids(opts Options) (int, error) {
	if opts.Customers == 0 {
		opts.Customers = DefaultCustomers
	}
	switch {
	case opts.Customers < 0 || opts.Customers > MaxCustomers:
		return 0, fmt.Errorf("demo options: customers: want 1 to %d, got %d", MaxCustomers, opts.Customers)
	case opts.Grids < 0 || opts.Grids > MaxGrids:
		return 0, fmt.Errorf("demo options: grids: want 0 (one per 200 businesses) to %d, got %d", MaxGrids, opts.Grids)
	}
	g := &gen{opts: opts, sc: newScale(opts.Customers), fr: newFrame(Center)}
	if opts.Grids > 0 {
		g.sc = newScaleGrids(opts.Customers, opts.Grids)
	}
	for _, step := range []func() error{g.buildLattice, g.buildDistricts, g.buildGrids} {
		if err := step(); err != nil {
			return 0, fmt.Errorf("demo city: %w", err)
		}
	}
	return len(g.city.Grids), nil
}
