package funnel

import (
	"fmt"
	"strings"
	"time"
)

// TransitionError is a refused stage change: an illegal move, or a legal
// one whose checklist (or reason) is not met. It unwraps to ErrConflict so
// that the web layer answers 409; Missing lists what to supply.
type TransitionError struct {
	From    Stage         `json:"from"`
	To      Stage         `json:"to"`
	Missing []Requirement `json:"missing,omitempty"`
	Reason  string        `json:"reason,omitempty"` // why the move is refused, when not only for Missing
}

func (e *TransitionError) Error() string {
	var names []string
	for _, r := range e.Missing {
		names = append(names, r.LabelZH+" ("+r.Key+")")
	}
	switch {
	case len(names) == 0:
		return e.Reason
	case e.Reason == "":
		return fmt.Sprintf("%s needs: %s", e.To, strings.Join(names, ", "))
	default:
		return fmt.Sprintf("%s: needs %s", e.Reason, strings.Join(names, ", "))
	}
}

// Unwrap lets errors.Is(err, ErrConflict) match.
func (e *TransitionError) Unwrap() error { return ErrConflict }

// CheckTransition decides whether a customer at from may move to to.
//
//   - Forward exactly one step among the six (list → potential … order →
//     in_network) when the checklist of to is met (evidence, and hasSignal
//     for signal items).
//   - Back to any earlier step, or to lost (from target … order), with a
//     non-blank reason.
//   - in_network → churned with a reason.
//   - lost or churned → target, to start again.
//
// target → list is a claim, not a transition; same stage, skipped steps
// and anything else are refused. Refusals are *TransitionError; unknown
// stages and malformed evidence values are *FieldError. cfg nil means the
// defaults.
func CheckTransition(cfg *Config, from, to Stage, evidence map[string]string, reason string, hasSignal bool, now time.Time) error {
	if !from.Valid() {
		return invalid("from", "unknown stage %q", from)
	}
	if !to.Valid() {
		return invalid("to", "unknown stage %q", to)
	}
	refuse := func(format string, args ...any) error {
		return &TransitionError{From: from, To: to, Reason: fmt.Sprintf(format, args...)}
	}
	needReason := func(what string) error {
		if strings.TrimSpace(reason) != "" {
			return nil
		}
		return &TransitionError{From: from, To: to, Missing: []Requirement{reasonRequirement}, Reason: what}
	}
	fs, ts := from.Step(), to.Step()
	switch {
	case from == to:
		return refuse("customer is already at %s", to)
	case from == Target && to == List:
		return refuse("target → list is a claim (报备), not a transition: claim the customer instead")
	case from == Lost || from == Churned:
		if to != Target {
			return refuse("a %s customer starts again at target, not %s", from, to)
		}
		return nil
	case to == Churned:
		if from != InNetwork {
			return refuse("only an in_network customer can churn; %s can go to lost", from)
		}
		return needReason(fmt.Sprintf("churn from %s", from))
	case to == Lost:
		if from == InNetwork {
			return refuse("an in_network customer who leaves is churned, not lost")
		}
		return needReason(fmt.Sprintf("losing a %s customer", from))
	case ts < fs:
		return needReason(fmt.Sprintf("going back from %s to %s", from, to))
	case ts > fs+1:
		return refuse("forward moves go one step at a time: %s → %s, not %s", from, Steps[fs], to)
	}
	missing, err := MissingEvidence(cfg, to, evidence, hasSignal, now)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return &TransitionError{From: from, To: to, Missing: missing}
	}
	return nil
}

// Next-action keys, one per situation; clients translate them.
const (
	NextClaim             = "claim"              // target in the pool: claim it (报备)
	NextLogVisit          = "log_visit"          // list, no signal yet: visit and look for one
	NextQualify           = "qualify"            // list with a signal: confirm budget and decision maker
	NextRecordRequirement = "record_requirement" // potential: get the explicit requirement
	NextSignOrder         = "sign_order"         // intent: proposal, negotiation, signed order
	NextActivate          = "activate"           // order: activate the service
	NextRetain            = "retention_call"     // in_network: keep in touch
	NextRestart           = "restart"            // lost or churned: revisit, back to target
)

// NextActions lists every key NextAction returns.
var NextActions = []string{NextClaim, NextLogVisit, NextQualify, NextRecordRequirement, NextSignOrder, NextActivate, NextRetain, NextRestart}

// NextAction is the key of the step that moves a customer at stage on;
// hasSignal tells whether an opportunity signal is on record (what a list
// customer needs first to become potential).
func NextAction(stage Stage, hasSignal bool) string {
	switch stage {
	case Target:
		return NextClaim
	case List:
		if hasSignal {
			return NextQualify
		}
		return NextLogVisit
	case Potential:
		return NextRecordRequirement
	case Intent:
		return NextSignOrder
	case Order:
		return NextActivate
	case InNetwork:
		return NextRetain
	default:
		return NextRestart
	}
}
