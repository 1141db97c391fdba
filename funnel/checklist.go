package funnel

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ReasonKey is the pseudo-requirement reported as missing when a move that
// needs a reason (back, to lost, to churned) has none, so that clients show
// it like any other checklist field.
const ReasonKey = "reason"

var reasonRequirement = Requirement{Key: ReasonKey, Label: "Reason", LabelZH: "原因", Kind: KindText}

// Checklist is what a forward move into stage must carry under cfg (nil:
// the defaults). Stages without a checklist return nil.
func Checklist(cfg *Config, stage Stage) []Requirement {
	if cfg == nil || cfg.Checklists == nil {
		return defaultChecklists()[stage]
	}
	return cfg.Checklists[stage]
}

// MissingEvidence checks evidence against the checklist of stage. It
// returns the required items not met, or a FieldError
// ("evidence.<key>") for a value given but malformed, which is a client
// mistake rather than an unmet rule. hasSignal tells whether the customer
// has an opportunity signal on record (KindSignal items).
func MissingEvidence(cfg *Config, stage Stage, evidence map[string]string, hasSignal bool, now time.Time) ([]Requirement, error) {
	var missing []Requirement
	for _, r := range Checklist(cfg, stage) {
		v := strings.TrimSpace(evidence[r.Key])
		ok := false
		switch r.Kind {
		case KindSignal:
			ok = hasSignal
		case KindBool:
			if v != "" {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return nil, invalid("evidence."+r.Key, "%q is not true or false", v)
				}
				// "false" is a clear answer, but not a met requirement.
				ok = b
			}
		case KindDate:
			if v != "" {
				d, err := ParseEvidenceDate(v)
				if err != nil {
					return nil, invalid("evidence."+r.Key, "%v", err)
				}
				// Evidence records what happened: a date after today is a
				// plan, not proof. "Today" is taken in the easternmost zone
				// (UTC+14) so a manager in UTC+8 entering his local today
				// before 08:00 is not refused.
				if d.After(day(now.Add(14 * time.Hour))) {
					return nil, invalid("evidence."+r.Key, "%s is in the future", v)
				}
				ok = true
			}
		default:
			ok = v != ""
		}
		if !ok && !r.Optional {
			missing = append(missing, r)
		}
	}
	return missing, nil
}

// ParseEvidenceDate parses a calendar day written YYYY-MM-DD (surrounding
// spaces allowed) as midnight UTC.
func ParseEvidenceDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date YYYY-MM-DD", s)
	}
	return d, nil
}

// day is the UTC calendar day of t, at midnight: evidence dates are days.
func day(t time.Time) time.Time {
	y, m, d := t.In(time.UTC).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
