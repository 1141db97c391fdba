package funnel

import (
	"context"
	"time"
)

// ClaimStatus is the life of a claim (报备).
type ClaimStatus string

// Claim statuses.
const (
	ClaimActive   ClaimStatus = "active"
	ClaimReleased ClaimStatus = "released" // given up by the manager or a planner
	ClaimLapsed   ClaimStatus = "lapsed"   // no qualifying activity for too long
)

// Claim is a manager's exclusive registration of a customer into his list.
// At most one active claim exists per customer.
type Claim struct {
	ID             int64       `json:"id"`
	CustomerID     int64       `json:"customer_id"`
	ManagerID      int64       `json:"manager_id"`
	Status         ClaimStatus `json:"status"`
	ClaimedAt      time.Time   `json:"claimed_at"`
	LastActivityAt time.Time   `json:"last_activity_at"`
	EndedAt        *time.Time  `json:"ended_at,omitempty"`
	EndReason      string      `json:"end_reason,omitempty"`
	EndedBy        int64       `json:"ended_by,omitempty"` // user who released it; 0: the system (lapse) or unknown
}

// Validate checks a claim before it is stored.
func (c *Claim) Validate() error {
	switch {
	case c.CustomerID <= 0:
		return invalid("customer_id", "must be a positive id, got %d", c.CustomerID)
	case c.ManagerID <= 0:
		return invalid("manager_id", "must be a positive id, got %d", c.ManagerID)
	case c.Status != ClaimActive && c.Status != ClaimReleased && c.Status != ClaimLapsed:
		return invalid("status", "unknown claim status %q (want active, released or lapsed)", c.Status)
	case c.ClaimedAt.IsZero():
		return invalid("claimed_at", "is required")
	case c.LastActivityAt.Before(c.ClaimedAt):
		return invalid("last_activity_at", "%s is before claimed_at %s", c.LastActivityAt.Format(time.RFC3339), c.ClaimedAt.Format(time.RFC3339))
	case c.Status == ClaimActive && c.EndedAt != nil:
		return invalid("ended_at", "an active claim has not ended")
	case c.Status != ClaimActive && c.EndedAt == nil:
		return invalid("ended_at", "is required for a %s claim", c.Status)
	}
	return nil
}

// ClaimFilter selects claims; zero fields do not filter.
type ClaimFilter struct {
	CustomerID int64
	ManagerID  int64
	Status     ClaimStatus
	// LastActivityBefore: only claims whose last_activity_at is before it.
	LastActivityBefore time.Time
	// EndedSince: only claims that ended at or after it.
	EndedSince time.Time
	AfterID    int64 // keyset pagination: only ids greater than this
	Limit      int   // 0 means no limit
}

// ClaimStore persists claims. CreateClaim of an active claim for a customer
// that already has one fails with ErrConflict.
type ClaimStore interface {
	CreateClaim(ctx context.Context, c *Claim) error
	Claim(ctx context.Context, id int64) (*Claim, error)
	Claims(ctx context.Context, f ClaimFilter) ([]*Claim, error)
	UpdateClaim(ctx context.Context, c *Claim) error
}
