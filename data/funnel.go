package data

// Checks and normalisation of the funnel records that package funnel does
// not validate itself (transitions, follow-ups, the stored configuration),
// run by both stores so that they refuse the same input with the same words
// and keep the same form.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gridplan/funnel"
)

// FunnelConfigKey is the settings key of the funnel configuration.
const FunnelConfigKey = "funnel"

// Stamp is t as both stores keep it: UTC, whole microseconds.
func Stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Day is midnight UTC of t's UTC day: how both stores keep a day
// (FollowUp.Due, Activity.ContractExpires).
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DayBound is the first day (midnight UTC) not before t: "day < t" holds
// exactly for the days before DayBound(t).
func DayBound(t time.Time) time.Time {
	d := Day(t)
	if d.Before(t) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func funnelInvalid(field, format string, args ...any) error {
	return &funnel.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// checkFunnelText is CheckTexts with funnel's FieldError.
func checkFunnelText(field, v string) error {
	if !utf8.ValidString(v) {
		return funnelInvalid(field, "is not valid UTF-8")
	}
	if strings.IndexByte(v, 0) >= 0 {
		return funnelInvalid(field, "contains a NUL byte")
	}
	return nil
}

// PrepareTransition validates t before it is stored and brings it to the
// stored form: At set to now when zero, times in UTC microseconds. The
// store checks that the customer, manager and user exist.
func PrepareTransition(t *funnel.Transition, now time.Time) error {
	switch {
	case t == nil:
		return funnelInvalid("transition", "is nil")
	case t.CustomerID <= 0:
		return funnelInvalid("customer_id", "must be a positive id, got %d", t.CustomerID)
	case t.ManagerID < 0:
		return funnelInvalid("manager_id", "must be a positive id or 0 for none, got %d", t.ManagerID)
	case t.UserID < 0:
		return funnelInvalid("user_id", "must be a positive id or 0 for the system, got %d", t.UserID)
	case !t.From.Valid():
		return funnelInvalid("from", "unknown stage %q", t.From)
	case !t.To.Valid():
		return funnelInvalid("to", "unknown stage %q", t.To)
	}
	if err := checkFunnelText("reason", t.Reason); err != nil {
		return err
	}
	keys := make([]string, 0, len(t.Evidence))
	for k := range t.Evidence {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "" {
			return funnelInvalid("evidence", "has an empty key")
		}
		if err := checkFunnelText("evidence", k); err != nil {
			return err
		}
		if err := checkFunnelText("evidence."+k, t.Evidence[k]); err != nil {
			return err
		}
	}
	if t.At.IsZero() {
		t.At = now
	}
	t.At = Stamp(t.At)
	return nil
}

// PrepareFollowUp validates f before it is stored and brings it to the
// stored form: Due a day (midnight UTC), CreatedAt set to now when zero,
// times in UTC microseconds. The store checks that the customer, manager
// and activity exist.
func PrepareFollowUp(f *funnel.FollowUp, now time.Time) error {
	switch {
	case f == nil:
		return funnelInvalid("follow_up", "is nil")
	case f.CustomerID <= 0:
		return funnelInvalid("customer_id", "must be a positive id, got %d", f.CustomerID)
	case f.ManagerID <= 0:
		return funnelInvalid("manager_id", "must be a positive id, got %d", f.ManagerID)
	case f.ActivityID < 0:
		return funnelInvalid("activity_id", "must be a positive id or 0 for none, got %d", f.ActivityID)
	case f.Due.IsZero():
		return funnelInvalid("due", "is required")
	}
	if err := checkFunnelText("reason", f.Reason); err != nil {
		return err
	}
	f.Due = Day(f.Due)
	if f.CreatedAt.IsZero() {
		f.CreatedAt = now
	}
	f.CreatedAt = Stamp(f.CreatedAt)
	if f.DoneAt != nil {
		d := Stamp(*f.DoneAt)
		if d.Before(f.CreatedAt) {
			return funnelInvalid("done_at", "%s is before created_at %s", d.Format(time.RFC3339), f.CreatedAt.Format(time.RFC3339))
		}
		f.DoneAt = &d
	}
	return nil
}

// PrepareActivityDays brings a's ContractExpires to the stored form (a day).
func PrepareActivityDays(a *funnel.Activity) {
	if a.ContractExpires != nil {
		d := Day(*a.ContractExpires)
		a.ContractExpires = &d
	}
}

// EncodeFunnelConfig validates c (Validate also fills zero fields with the
// defaults, in c) and returns the JSON both stores keep.
func EncodeFunnelConfig(c *funnel.Config) ([]byte, error) {
	if c == nil {
		return nil, funnelInvalid("config", "is nil")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	js, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode funnel config: %w", err)
	}
	return js, nil
}

// CheckLapse validates LapseClaims' arguments.
func CheckLapse(cutoff, now time.Time, reason string) error {
	switch {
	case cutoff.IsZero():
		return funnelInvalid("cutoff", "is required")
	case now.IsZero():
		return funnelInvalid("now", "is required")
	case cutoff.After(now):
		return funnelInvalid("cutoff", "%s is after now %s", cutoff.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	return checkFunnelText("reason", reason)
}
