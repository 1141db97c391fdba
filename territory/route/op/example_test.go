package op_test

import (
	"context"
	"fmt"
	"strings"

	"gridplan/territory/route/op"
)

func Example() {
	// Tmax 10 from (0,0) to (4,0): the 50 points at (2,4) and the 10 at
	// (2,1) fit, the 30 at (2,-3) do not as well.
	in, err := op.Read(strings.NewReader("10 1\n0 0 0\n4 0 0\n2 1 10\n2 -3 30\n2 4 50\n"))
	if err != nil {
		panic(err)
	}
	res, err := op.Solve(context.Background(), in.Problem(), op.Options{MaxIterations: 50})
	if err != nil {
		panic(err)
	}
	fmt.Printf("score %g, length %.3f, %d points\n", res.Score, res.Length, len(res.Route))
	// Output: score 60, length 9.708, 4 points
}
