package vrptw

import (
	"fmt"
	"math"
)

// timeEps absorbs float rounding when a check compares times computed along
// different paths.
const timeEps = 1e-7

// Check verifies a solution against its instance for a fleet of the given
// number of vehicles: no more routes than vehicles, no empty route, every
// customer either in exactly one route or listed once in Unserved, each
// route's load within the capacity, every service starting by the
// customer's due date (a vehicle that arrives early waits until his ready
// time), every vehicle back at the depot by the depot's due date, and
// Distance equal to the routes' total length.
func Check(in *Instance, vehicles int, sol *Solution) error {
	if sol == nil {
		return fmt.Errorf("no solution")
	}
	if len(sol.Routes) > vehicles {
		return fmt.Errorf("%d routes for %d vehicles", len(sol.Routes), vehicles)
	}
	n := in.Customers()
	seen := make([]bool, n+1)
	mark := func(c int, where string) error {
		if c < 1 || c > n {
			return fmt.Errorf("%s: customer %d does not exist (1 to %d)", where, c, n)
		}
		if seen[c] {
			return fmt.Errorf("%s: customer %d is served twice", where, c)
		}
		seen[c] = true
		return nil
	}
	depot := in.Nodes[0]
	total := 0.0
	for r, route := range sol.Routes {
		where := fmt.Sprintf("route %d", r+1)
		if len(route) == 0 {
			return fmt.Errorf("%s is empty", where)
		}
		load, t, prev := 0, depot.Ready, 0
		for _, c := range route {
			if err := mark(c, where); err != nil {
				return err
			}
			cu := in.Nodes[c]
			load += cu.Demand
			d := in.Distance(prev, c)
			total += d
			t = math.Max(cu.Ready, t+in.Nodes[prev].Service+d)
			if t > cu.Due+timeEps {
				return fmt.Errorf("%s: service of customer %d starts at %.4f, after his due date %g", where, c, t, cu.Due)
			}
			prev = c
		}
		if load > in.Capacity {
			return fmt.Errorf("%s: load %d exceeds the capacity %d", where, load, in.Capacity)
		}
		d := in.Distance(prev, 0)
		total += d
		if t += in.Nodes[prev].Service + d; t > depot.Due+timeEps {
			return fmt.Errorf("%s: back at the depot at %.4f, after its due date %g", where, t, depot.Due)
		}
	}
	for _, c := range sol.Unserved {
		if err := mark(c, "unserved"); err != nil {
			return err
		}
	}
	for c := 1; c <= n; c++ {
		if !seen[c] {
			return fmt.Errorf("customer %d is neither in a route nor unserved", c)
		}
	}
	if math.Abs(total-sol.Distance) > 1e-6*math.Max(1, total) {
		return fmt.Errorf("distance %.6f, but the routes measure %.6f", sol.Distance, total)
	}
	return nil
}
