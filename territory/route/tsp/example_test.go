package tsp_test

import (
	"context"
	"fmt"
	"strings"

	"gridplan/territory/route/tsp"
)

func Example() {
	const file = `NAME : ladder
TYPE : TSP
DIMENSION : 6
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 10 0
3 20 0
4 0 10
5 10 10
6 20 10
`
	in, err := tsp.Read(strings.NewReader(file))
	if err != nil {
		panic(err)
	}
	m, err := in.Matrix()
	if err != nil {
		panic(err)
	}
	res, err := tsp.Solve(context.Background(), m, tsp.Options{MaxIterations: 100, Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(in.Name, res.Length, len(res.Tour))
	// Output: ladder 60 6
}
