package sales

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"gridplan/funnel"
	"gridplan/territory"
)

// FollowUpLeadDays: an expiring competitor contract is followed up this
// many days before it ends (or at once when that day has passed).
const FollowUpLeadDays = 30

// Limits of what a request may carry.
const (
	maxNoteBytes     = 2000
	maxReasonBytes   = 500
	maxEvidenceKeys  = 20
	maxEvidenceBytes = 500
	futureSlack      = 5 * time.Minute // a phone's clock may run a little ahead
)

// ActivityInput is one logged sales action and, optionally, the stage
// change it brings (the "three taps": customer, kind, signals or stage).
// At zero means now.
type ActivityInput struct {
	Kind            funnel.ActivityKind
	At              time.Time
	Note            string
	Signals         []funnel.SignalKind
	Position        *orb.Point
	ContractExpires *time.Time
	// To, when set, moves the customer to that stage in the same
	// transaction, with Evidence for its checklist and Reason (required
	// going back, to lost and to churned).
	To       *funnel.Stage
	Evidence map[string]string
	Reason   string
}

// ActivityResult is what LogActivity stored: the activity and, when they
// happened, the transition, the follow-up created for an expiring
// competitor contract, and the claim it kept alive (or ended).
type ActivityResult struct {
	Activity   *funnel.Activity   `json:"activity"`
	Transition *funnel.Transition `json:"transition,omitempty"`
	FollowUp   *funnel.FollowUp   `json:"follow_up,omitempty"`
	Claim      *funnel.Claim      `json:"claim,omitempty"`
}

// TransitionResult is what Transition stored: the transition and, when the
// stage change ended it, the claim.
type TransitionResult struct {
	Transition *funnel.Transition `json:"transition"`
	Claim      *funnel.Claim      `json:"claim,omitempty"`
}

// LogActivity records a sales action on a customer of the actor's list or
// of his grid's pool: a visit is verified against the customer's location,
// a qualifying action by the holder keeps the claim alive, an expiring
// competitor contract creates a dated follow-up, and in.To (customers on
// the list only) changes the stage when its checklist is met. All in one
// transaction: a refused stage change (409 naming what is missing) stores
// nothing.
func (s *Service) LogActivity(ctx context.Context, a Actor, customerID int64, in ActivityInput) (*ActivityResult, error) {
	if err := canWork(a); err != nil {
		return nil, err
	}
	now := s.now()
	at := in.At.UTC()
	if in.At.IsZero() {
		at = now
	}
	switch {
	case at.After(now.Add(futureSlack)):
		return nil, territory.Invalid("at", "%s is in the future", at.Format(time.RFC3339))
	case len(in.Note) > maxNoteBytes:
		return nil, territory.Invalid("note", "is longer than %d bytes", maxNoteBytes)
	}
	if err := checkEvidence(in.Evidence, in.Reason); err != nil {
		return nil, err
	}
	out := &ActivityResult{}
	err := s.inTx(ctx, func(tx Store) error {
		cu, err := customer(ctx, tx, customerID)
		if err != nil {
			return err
		}
		acc, err := s.scope(ctx, tx, a, cu)
		if err != nil {
			return err
		}
		mid := a.ManagerID
		if a.Role == territory.RoleAdmin && mid == 0 {
			mid = cu.OwnerID
		}
		if mid == 0 {
			return territory.Invalid("manager_id", "is required: customer %d is on no list, say which manager acted", cu.ID)
		}
		cfg, err := s.config(ctx, tx)
		if err != nil {
			return err
		}
		act := &funnel.Activity{
			CustomerID: cu.ID, ManagerID: mid, Kind: in.Kind, At: at, Note: strings.TrimSpace(in.Note),
			Signals: slices.Compact(slices.Clone(in.Signals)), Position: in.Position, ContractExpires: in.ContractExpires,
		}
		if err := act.Validate(); err != nil {
			return err
		}
		act.Verified, act.DistanceM = funnel.VerifyVisit(cfg, act.Kind, cu.Location, act.Position)
		claim, err := activeClaim(ctx, tx, cu.ID)
		if err != nil {
			return err
		}
		if in.To != nil {
			// Check before anything is written: a refusal stores nothing.
			if acc != accessOwn || cu.OwnerID == 0 {
				return conflict("customer %d is not on a list: claim him before changing his stage", cu.ID)
			}
			signal := len(act.Signals) > 0
			if !signal {
				if signal, err = hasSignal(ctx, tx, cu.ID); err != nil {
					return err
				}
			}
			if err := funnel.CheckTransition(cfg, cu.Stage, *in.To, in.Evidence, in.Reason, signal, now); err != nil {
				return err
			}
		}
		if err := tx.CreateActivity(ctx, act); err != nil {
			return fmt.Errorf("create activity: %w", err)
		}
		out.Activity = act
		if claim != nil && claim.ManagerID == mid && funnel.Qualifies(cfg, act.Kind) {
			if at.After(claim.LastActivityAt) {
				claim.LastActivityAt = at
				if err := tx.UpdateClaim(ctx, claim); err != nil {
					return fmt.Errorf("update claim %d: %w", claim.ID, err)
				}
			}
			out.Claim = claim // kept alive
		}
		if slices.Contains(act.Signals, funnel.ContractExpiring) && act.ContractExpires != nil {
			f := followUpFor(act, now)
			if err := tx.CreateFollowUp(ctx, f); err != nil {
				return fmt.Errorf("create follow-up: %w", err)
			}
			out.FollowUp = f
		}
		if in.To != nil {
			t, ended, err := applyTransition(ctx, tx, a, cu, claim, *in.To, in.Evidence, in.Reason, now)
			if err != nil {
				return err
			}
			out.Transition = t
			if ended != nil {
				out.Claim = ended
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// followUpFor is the follow-up of an activity that recorded an expiring
// competitor contract: due FollowUpLeadDays before it ends, or on the
// activity's day when that is later.
func followUpFor(act *funnel.Activity, now time.Time) *funnel.FollowUp {
	exp := day(*act.ContractExpires)
	due := exp.AddDate(0, 0, -FollowUpLeadDays)
	if d := day(act.At); due.Before(d) {
		due = d
	}
	return &funnel.FollowUp{
		CustomerID: act.CustomerID, ManagerID: act.ManagerID, ActivityID: act.ID, Due: due,
		Reason:    fmt.Sprintf("competitor contract expires %s", exp.Format(time.DateOnly)),
		CreatedAt: now,
	}
}

// Transition moves a customer of the actor's list to stage to when the
// rules allow it (forward one step with the checklist met, back or to an
// outcome with a reason): 409 *funnel.TransitionError naming what is
// missing otherwise, and nothing is stored.
func (s *Service) Transition(ctx context.Context, a Actor, customerID int64, to funnel.Stage, evidence map[string]string, reason string) (*TransitionResult, error) {
	if err := canWork(a); err != nil {
		return nil, err
	}
	if err := checkEvidence(evidence, reason); err != nil {
		return nil, err
	}
	now := s.now()
	out := &TransitionResult{}
	err := s.inTx(ctx, func(tx Store) error {
		cu, err := customer(ctx, tx, customerID)
		if err != nil {
			return err
		}
		acc, err := s.scope(ctx, tx, a, cu)
		if err != nil {
			return err
		}
		if acc != accessOwn || cu.OwnerID == 0 {
			return conflict("customer %d is not on a list: claim him before changing his stage", cu.ID)
		}
		cfg, err := s.config(ctx, tx)
		if err != nil {
			return err
		}
		signal, err := hasSignal(ctx, tx, cu.ID)
		if err != nil {
			return err
		}
		if err := funnel.CheckTransition(cfg, cu.Stage, to, evidence, reason, signal, now); err != nil {
			return err
		}
		claim, err := activeClaim(ctx, tx, cu.ID)
		if err != nil {
			return err
		}
		out.Transition, out.Claim, err = applyTransition(ctx, tx, a, cu, claim, to, evidence, reason, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// applyTransition writes an allowed stage change and what it implies for
// the claim: back to target or to lost ends the claim and returns the
// customer to the pool; into in_network ends the claim (the customer stays
// with his manager for service but no longer counts toward the quota nor
// lapses). It returns the transition and the claim it ended, if any.
func applyTransition(ctx context.Context, tx Store, a Actor, cu *territory.Customer, claim *funnel.Claim, to funnel.Stage, evidence map[string]string, reason string, at time.Time) (*funnel.Transition, *funnel.Claim, error) {
	from, holder, owner := cu.Stage, cu.OwnerID, cu.OwnerID
	var ended *funnel.Claim
	endReason := strings.TrimSpace(reason)
	switch to {
	case funnel.Target, funnel.Lost:
		owner = 0
		if endReason == "" {
			endReason = string(to)
		}
	case funnel.InNetwork:
		endReason = "in network: kept by his manager for service"
	default:
		claim = nil
	}
	if claim != nil {
		if err := endClaim(ctx, tx, claim, funnel.ClaimReleased, at, fmt.Sprintf("%s → %s: %s", from, to, endReason), a.UserID); err != nil {
			return nil, nil, err
		}
		ended = claim
	}
	if err := setState(ctx, tx, cu, to, owner); err != nil {
		return nil, nil, err
	}
	t := &funnel.Transition{CustomerID: cu.ID, ManagerID: holder, UserID: a.UserID, From: from, To: to, At: at,
		Reason: strings.TrimSpace(reason), Evidence: trimEvidence(evidence)}
	if err := tx.CreateTransition(ctx, t); err != nil {
		return nil, nil, fmt.Errorf("record transition: %w", err)
	}
	return t, ended, nil
}

// checkEvidence bounds what a stage change may carry.
func checkEvidence(evidence map[string]string, reason string) error {
	if len(reason) > maxReasonBytes {
		return territory.Invalid("reason", "is longer than %d bytes", maxReasonBytes)
	}
	if len(evidence) > maxEvidenceKeys {
		return territory.Invalid("evidence", "has %d items, at most %d", len(evidence), maxEvidenceKeys)
	}
	for k, v := range evidence {
		if len(v) > maxEvidenceBytes || len(k) > 64 {
			return territory.Invalid("evidence."+k, "is longer than %d bytes", maxEvidenceBytes)
		}
	}
	return nil
}

// trimEvidence drops blank items and trims the others; nil when none.
func trimEvidence(evidence map[string]string) map[string]string {
	var out map[string]string
	for k, v := range evidence {
		if v = strings.TrimSpace(v); v != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}
