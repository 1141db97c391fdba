package data

import (
	"context"

	"gridplan/funnel"
	"gridplan/geo/geocode"
	"gridplan/territory"
)

// Store is everything gridplan persists. Implementations: postgres.Store and
// sqlite.Store.
type Store interface {
	territory.DistrictStore
	territory.GridStore
	territory.ManagerStore
	territory.CustomerStore
	territory.ResourceStore
	territory.UserStore
	territory.SessionStore
	territory.CustomerImportStore
	territory.CustomerGridStore
	territory.JobStore
	territory.PlanStore
	geocode.GazetteerStore
	funnel.ClaimStore
	funnel.ActivityStore
	funnel.TransitionStore
	funnel.FollowUpStore
	funnel.SalesStore
	funnel.MetricsStore
	Bulk

	// InTx runs fn in one transaction with a Store bound to it. An error
	// from fn (or a panic) rolls everything back; nil commits. InTx on a
	// store that is already in a transaction runs fn in that transaction.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// Migrate applies the embedded schema migrations that are not yet applied.
	Migrate(ctx context.Context) error
	// Empty reports whether the store holds no districts, grids, customers or users.
	Empty(ctx context.Context) (bool, error)
	// Reset deletes every row of every table (schema stays), settings
	// included. For demos and tests.
	Reset(ctx context.Context) error
	// Ping checks that the store answers (readiness).
	Ping(ctx context.Context) error
	// Dialect is "postgres" or "sqlite".
	Dialect() string
	Close() error
}

// Progress is told how many rows a bulk load has written so far.
type Progress func(done int)

// Bulk loads many rows at once, for the demo city and large imports: COPY on
// PostgreSQL, prepared statements in one transaction on SQLite. Rows with
// ID 0 get fresh ids, written back into the slice; rows with an id keep it.
// The whole load is one transaction: on error nothing is written.
type Bulk interface {
	BulkCustomers(ctx context.Context, cs []*territory.Customer, progress Progress) error
	BulkClaims(ctx context.Context, cs []*funnel.Claim, progress Progress) error
	BulkActivities(ctx context.Context, as []*funnel.Activity, progress Progress) error
	BulkTransitions(ctx context.Context, ts []*funnel.Transition, progress Progress) error
	BulkFollowUps(ctx context.Context, fs []*funnel.FollowUp, progress Progress) error
}
