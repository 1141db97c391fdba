package funnel

import (
	"context"
	"time"
)

// FollowUp is a dated task on a customer: created when an activity records
// a competitor contract expiring (due some days before that date), or by
// the manager. Done when DoneAt is set.
type FollowUp struct {
	ID         int64      `json:"id"`
	CustomerID int64      `json:"customer_id"`
	ManagerID  int64      `json:"manager_id"`
	ActivityID int64      `json:"activity_id,omitempty"` // the activity that created it
	Due        time.Time  `json:"due"`                   // a day: midnight UTC
	Reason     string     `json:"reason"`
	CreatedAt  time.Time  `json:"created_at"`
	DoneAt     *time.Time `json:"done_at,omitempty"`
}

// FollowUpFilter selects follow-ups; zero fields do not filter.
type FollowUpFilter struct {
	CustomerID int64
	ManagerID  int64
	OpenOnly   bool      // DoneAt nil
	DueBefore  time.Time // due strictly before
	AfterID    int64
	Limit      int
}

// FollowUpStore persists follow-ups.
type FollowUpStore interface {
	CreateFollowUp(ctx context.Context, f *FollowUp) error
	FollowUps(ctx context.Context, f FollowUpFilter) ([]*FollowUp, error)
	UpdateFollowUp(ctx context.Context, f *FollowUp) error
}

// SalesStore is what the sales service needs of a store beyond claims,
// activities, transitions and follow-ups.
type SalesStore interface {
	// FunnelConfig is the stored configuration, DefaultConfig() when none
	// was saved; SaveFunnelConfig validates and replaces it.
	FunnelConfig(ctx context.Context) (*Config, error)
	SaveFunnelConfig(ctx context.Context, c *Config) error
	// LockManager serialises list changes of one manager until the end of
	// the transaction (PostgreSQL: SELECT … FOR UPDATE on his row; SQLite:
	// nothing, its writer is already alone). ErrNotFound for no manager.
	LockManager(ctx context.Context, id int64) error
	// SetFunnelState sets customer id's stage and owner (0: none) only if
	// his stored stage is still expect; otherwise ErrConflict (someone
	// moved him meanwhile), ErrNotFound for no customer.
	SetFunnelState(ctx context.Context, id int64, expect, stage Stage, ownerID int64) error
	// LapseClaims ends, in one statement, every active claim whose
	// last_activity_at is before cutoff: status lapsed, ended_at now,
	// end_reason reason, ended_by 0. It returns the claims it ended (as
	// ended), none when another process got there first: safe to run on
	// several replicas at once.
	LapseClaims(ctx context.Context, cutoff, now time.Time, reason string) ([]*Claim, error)
}
