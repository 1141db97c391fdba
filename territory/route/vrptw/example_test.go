package vrptw_test

import (
	"context"
	"fmt"
	"log"

	"gridplan/territory/route/vrptw"
)

func Example() {
	in, err := vrptw.ReadFile("testdata/tiny.txt")
	if err != nil {
		log.Fatal(err)
	}
	sol, err := vrptw.Solve(context.Background(), in, vrptw.Options{Vehicles: 3, Seed: 1, Iterations: 2000})
	if err != nil {
		log.Fatal(err)
	}
	if err := vrptw.Check(in, 3, sol); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d routes, distance %.2f\n", in.Name, len(sol.Routes), sol.Distance)
	// Output: TINY8: 3 routes, distance 191.73
}
