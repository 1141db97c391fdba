package funnel

import (
	"context"
	"time"
)

// Transition is one stage change of a customer, kept for good: who made it,
// when, from where to where, why (Reason: required going back, to lost and
// to churned) and the evidence that satisfied the target stage's checklist
// (requirement key → value, e.g. "order_ref": "HT-2026-0193").
type Transition struct {
	ID         int64             `json:"id"`
	CustomerID int64             `json:"customer_id"`
	ManagerID  int64             `json:"manager_id,omitempty"` // the list holder then, 0 for none
	UserID     int64             `json:"user_id,omitempty"`    // who made it, 0 for the system (lapse, import)
	From       Stage             `json:"from"`
	To         Stage             `json:"to"`
	At         time.Time         `json:"at"`
	Reason     string            `json:"reason,omitempty"`
	Evidence   map[string]string `json:"evidence,omitempty"`
}

// TransitionFilter selects transitions; zero fields do not filter.
type TransitionFilter struct {
	CustomerID int64
	ManagerID  int64
	Since      time.Time // at or after
	Until      time.Time // before
	AfterID    int64
	Limit      int
}

// TransitionStore persists transitions (append-only, in id order).
type TransitionStore interface {
	CreateTransition(ctx context.Context, t *Transition) error
	Transitions(ctx context.Context, f TransitionFilter) ([]*Transition, error)
}
