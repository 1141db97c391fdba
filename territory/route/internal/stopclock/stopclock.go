// Package stopclock holds the stopping rule the route solvers (tsp, op)
// share: a time limit and the context's deadline, whichever comes first.
package stopclock

import (
	"context"
	"time"
)

// Stopper reports whether a search started at t0 must stop: ctx is done, or
// the earlier of t0+limit (when limit > 0) and ctx's deadline has come.
func Stopper(ctx context.Context, t0 time.Time, limit time.Duration) func() bool {
	var deadline time.Time
	if limit > 0 {
		deadline = t0.Add(limit)
	}
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	return func() bool {
		return ctx.Err() != nil || (!deadline.IsZero() && !time.Now().Before(deadline))
	}
}
