package funnel_test

import (
	"errors"
	"fmt"
	"time"

	"gridplan/funnel"
)

func ExampleCheckTransition() {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	evidence := map[string]string{"budget_confirmed": "true"}
	err := funnel.CheckTransition(nil, funnel.List, funnel.Potential, evidence, "", true, now)
	fmt.Println(err, errors.Is(err, funnel.ErrConflict))
	// Output: potential needs: 关键决策人 (decision_maker) true
}

func ExampleCheckClaim() {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	since := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	holder := &funnel.Claim{CustomerID: 5, ManagerID: 12, Status: funnel.ClaimActive, ClaimedAt: since, LastActivityAt: since}
	fmt.Println(funnel.CheckClaim(nil, now, 7, holder, nil, 3, 70))
	fmt.Println(funnel.CheckClaim(nil, now, 7, nil, nil, 70, 70))
	// Output:
	// customer 5 is held by manager 12 since 2026-10-01
	// list full: 70 of 70
}
