package main

import (
	"context"
	"fmt"
	"time"

	"gridplan/territory/coverage"
)

// gridplanCoverage is gridplan's side of the coverage benchmark, through
// the analyzer the product uses (territory/coverage). What is timed:
//
//   - build: coverage.New from the customers, resources, grids and
//     districts in memory: it validates and compiles every resource,
//     indexes the customers and works out which customers each resource
//     covers, on the given workers;
//   - analyze: the first question as of asOf, the reports at province,
//     district and grid level: it evaluates every resource's status as of
//     that day, every customer's best status and the report cubes.
//
// Listing every customer with its covering resources afterwards, to
// compare them with PostGIS, is not timed. A new analyzer is built every
// run, so that nothing is cached between runs.
func gridplanCoverage(ctx context.Context, wl coverWorkload, asOf time.Time, workers int) (*coverAnswer, time.Duration, time.Duration, error) {
	t0 := time.Now()
	a, err := coverage.New(ctx, coverage.Input{Customers: wl.customers, Resources: wl.resources, Grids: wl.grids, Districts: wl.districts},
		coverage.Options{Workers: workers})
	if err != nil {
		return nil, 0, 0, err
	}
	build := time.Since(t0)
	day := coverage.DateOf(asOf)
	t1 := time.Now()
	var total coverage.Cube
	for _, level := range coverage.Levels {
		s, err := a.Summary(day, level, 0)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("summary by %s: %w", level, err)
		}
		total = s.Total.Cube
	}
	analyze := time.Since(t1)

	page, err := a.Customers(day, coverage.CustomerQuery{})
	if err != nil {
		return nil, 0, 0, fmt.Errorf("list customers: %w", err)
	}
	n := len(wl.customers)
	if len(page.Items) != n {
		return nil, 0, 0, fmt.Errorf("the analyzer lists %d customers, want %d", len(page.Items), n)
	}
	ans := &coverAnswer{rank: make([]uint8, n), start: make([]int32, n+1)}
	for _, it := range page.Items {
		if it.ID < 1 || it.ID > int64(n) {
			return nil, 0, 0, fmt.Errorf("the analyzer lists customer %d of %d", it.ID, n)
		}
		ans.rank[it.ID-1] = uint8(it.Status)
		ans.start[it.ID] = int32(len(it.Covering))
	}
	for i := range n {
		ans.start[i+1] += ans.start[i]
	}
	ans.ids = make([]int64, ans.start[n])
	for _, it := range page.Items {
		copy(ans.ids[ans.start[it.ID-1]:], it.Covering)
	}
	// The report must count what the list says.
	var byRank [4]int
	for _, r := range ans.rank {
		byRank[r]++
	}
	if got := total.ByStatus(); got != byRank {
		return nil, 0, 0, fmt.Errorf("the report counts %v customers per status, the customer list %v", got, byRank)
	}
	return ans, build, analyze, nil
}
