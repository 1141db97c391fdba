package balance_test

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"

	"gridplan/territory/balance"
)

func ExampleSolve() {
	p := balance.Problem{
		Managers: []balance.Manager{
			{ID: "west", Point: orb.Point{120.150, 30.270}, Min: 1, Max: 2},
			{ID: "east", Point: orb.Point{120.180, 30.270}, Min: 1, Max: 2, Locked: []string{"c4"}},
		},
		Customers: []balance.Customer{
			{ID: "c1", Point: orb.Point{120.151, 30.271}},
			{ID: "c2", Point: orb.Point{120.152, 30.269}},
			{ID: "c3", Point: orb.Point{120.153, 30.270}},
			{ID: "c4", Point: orb.Point{120.149, 30.270}}, // locked to east
		},
		Slack: 1,
	}
	sol, err := balance.Solve(context.Background(), p)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, id := range []string{"c1", "c2", "c3", "c4"} {
		fmt.Printf("%s → %q\n", id, sol.Assignments[id])
	}
	fmt.Printf("unassigned %v, cost %.0f m\n", sol.Unassigned, sol.CostM)
	// Output:
	// c1 → "west"
	// c2 → "west"
	// c3 → ""
	// c4 → "east"
	// unassigned [c3], cost 3346 m
}
