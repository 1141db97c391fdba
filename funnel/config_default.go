package funnel

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
)

// Defaults of the method, used by DefaultConfig and for zero Config fields.
const (
	DefaultLapseDays         = 30
	DefaultWarnDays          = 7
	DefaultCooldownDays      = 14
	DefaultVisitMaxDistanceM = 300
	DefaultNoContactDays     = 90
	DefaultRenewalWarnDays   = 60
	// defaultQuotaMax mirrors territory.DefaultQuotaMax (funnel cannot
	// import territory); used when a caller passes no quota.
	defaultQuotaMax = 70
)

// Upper bounds keep an admin's typo (3000 instead of 30) from silently
// disabling lapses or warnings.
const (
	maxConfigDays      = 3650
	maxVisitDistanceM  = 100_000
	maxRequirementsPer = 20
)

var requirementKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// DefaultConfig is the method's configuration: its checklists, quota
// stages list through order, lapse after 30 days (warned 7 before, 14 days
// of cooldown), every activity kind qualifying, visits verified within
// 300 m, in-network warnings after 90 days of silence or 60 days before a
// renewal.
func DefaultConfig() *Config {
	return &Config{
		Checklists:        defaultChecklists(),
		QuotaStages:       []Stage{List, Potential, Intent, Order},
		LapseDays:         DefaultLapseDays,
		WarnDays:          DefaultWarnDays,
		CooldownDays:      DefaultCooldownDays,
		QualifyingKinds:   slices.Clone(ActivityKinds),
		VisitMaxDistanceM: DefaultVisitMaxDistanceM,
		NoContactDays:     DefaultNoContactDays,
		RenewalWarnDays:   DefaultRenewalWarnDays,
	}
}

func defaultChecklists() map[Stage][]Requirement {
	return map[Stage][]Requirement{
		Potential: {
			{Key: "signal", Label: "Opportunity signal recorded", LabelZH: "已记录商机信号", Kind: KindSignal},
			{Key: "budget_confirmed", Label: "Budget / means to pay confirmed", LabelZH: "预算/支付能力已确认", Kind: KindBool},
			{Key: "decision_maker", Label: "Key decision maker (name, role)", LabelZH: "关键决策人", Kind: KindText},
		},
		Intent: {
			{Key: "requirement", Label: "Explicit requirement", LabelZH: "明确需求", Kind: KindText},
		},
		Order: {
			{Key: "order_ref", Label: "Signed order reference", LabelZH: "签约订单号", Kind: KindText},
		},
		InNetwork: {
			{Key: "activation_date", Label: "Activation date", LabelZH: "开通日期", Kind: KindDate},
		},
	}
}

// checklistStages are the stages a checklist may guard: the ones entered
// by a forward transition (list is entered by a claim, outcomes by a reason).
var checklistStages = []Stage{Potential, Intent, Order, InNetwork}

// Validate normalises zero fields to the defaults (so a partly filled
// stored config keeps working), then checks the rest. Errors are
// FieldErrors naming the JSON field, e.g. "checklists.potential[1].kind".
func (c *Config) Validate() error {
	if c.Checklists == nil {
		c.Checklists = defaultChecklists()
	}
	if c.QuotaStages == nil {
		c.QuotaStages = []Stage{List, Potential, Intent, Order}
	}
	if c.QualifyingKinds == nil {
		c.QualifyingKinds = slices.Clone(ActivityKinds)
	}
	for _, d := range []struct {
		field string
		v     *int
		def   int
	}{
		{"lapse_days", &c.LapseDays, DefaultLapseDays},
		{"warn_days", &c.WarnDays, DefaultWarnDays},
		{"cooldown_days", &c.CooldownDays, DefaultCooldownDays},
		{"no_contact_days", &c.NoContactDays, DefaultNoContactDays},
		{"renewal_warn_days", &c.RenewalWarnDays, DefaultRenewalWarnDays},
	} {
		if *d.v == 0 {
			*d.v = d.def
		}
		if *d.v < 0 || *d.v > maxConfigDays {
			return invalid(d.field, "must be between 1 and %d days, got %d", maxConfigDays, *d.v)
		}
	}
	if c.WarnDays >= c.LapseDays {
		return invalid("warn_days", "must be less than lapse_days (%d), got %d", c.LapseDays, c.WarnDays)
	}
	if c.VisitMaxDistanceM == 0 {
		c.VisitMaxDistanceM = DefaultVisitMaxDistanceM
	}
	if d := c.VisitMaxDistanceM; math.IsNaN(d) || d < 0 || d > maxVisitDistanceM {
		return invalid("visit_max_distance_m", "must be between 1 and %d metres, got %v", maxVisitDistanceM, d)
	}
	if err := c.validateChecklists(); err != nil {
		return err
	}
	if len(c.QuotaStages) == 0 {
		return invalid("quota_stages", "must name at least one stage")
	}
	for i, s := range c.QuotaStages {
		f := fmt.Sprintf("quota_stages[%d]", i)
		switch {
		case s.Step() < List.Step():
			return invalid(f, "%q is not a stage a claimed customer can be at (list … in_network)", s)
		case slices.Index(c.QuotaStages, s) < i:
			return invalid(f, "%q is listed twice", s)
		}
	}
	if len(c.QualifyingKinds) == 0 {
		return invalid("qualifying_kinds", "must name at least one activity kind, or every claim would lapse")
	}
	for i, k := range c.QualifyingKinds {
		f := fmt.Sprintf("qualifying_kinds[%d]", i)
		switch {
		case !knownKind(k):
			return invalid(f, "unknown activity kind %q", k)
		case slices.Index(c.QualifyingKinds, k) < i:
			return invalid(f, "%q is listed twice", k)
		}
	}
	return nil
}

func (c *Config) validateChecklists() error {
	// Sorted so that the first error reported does not depend on map order.
	stages := make([]Stage, 0, len(c.Checklists))
	for s := range c.Checklists {
		stages = append(stages, s)
	}
	slices.Sort(stages)
	for _, s := range stages {
		reqs := c.Checklists[s]
		if !slices.Contains(checklistStages, s) {
			return invalid("checklists."+string(s), "a checklist applies only to potential, intent, order or in_network")
		}
		if len(reqs) > maxRequirementsPer {
			return invalid("checklists."+string(s), "has %d items, at most %d", len(reqs), maxRequirementsPer)
		}
		for i := range reqs {
			r := &reqs[i]
			f := fmt.Sprintf("checklists.%s[%d]", s, i)
			r.Key = strings.TrimSpace(r.Key)
			r.Label = strings.TrimSpace(r.Label)
			r.LabelZH = strings.TrimSpace(r.LabelZH)
			switch {
			case !requirementKey.MatchString(r.Key):
				return invalid(f+".key", "%q must be lower-case letters, digits and _ (starting with a letter)", r.Key)
			case r.Key == ReasonKey:
				return invalid(f+".key", "%q is reserved for the reason of a transition", r.Key)
			case slices.IndexFunc(reqs[:i], func(o Requirement) bool { return o.Key == r.Key }) >= 0:
				return invalid(f+".key", "%q is listed twice", r.Key)
			case r.Kind != KindText && r.Kind != KindBool && r.Kind != KindDate && r.Kind != KindSignal:
				return invalid(f+".kind", "unknown kind %q (want text, bool, date or signal)", r.Kind)
			case r.Label == "" && r.LabelZH == "":
				return invalid(f+".label", "is required (label or label_zh)")
			}
			if r.Label == "" {
				r.Label = r.LabelZH
			}
			if r.LabelZH == "" {
				r.LabelZH = r.Label
			}
		}
	}
	return nil
}

// The accessors below let the rules take a nil or never-validated Config
// and still apply the method's defaults.

func (c *Config) lapseDays() int {
	return orDefault(c, func(c *Config) int { return c.LapseDays }, DefaultLapseDays)
}
func (c *Config) warnDays() int {
	return orDefault(c, func(c *Config) int { return c.WarnDays }, DefaultWarnDays)
}
func (c *Config) cooldownDays() int {
	return orDefault(c, func(c *Config) int { return c.CooldownDays }, DefaultCooldownDays)
}
func (c *Config) noContactDays() int {
	return orDefault(c, func(c *Config) int { return c.NoContactDays }, DefaultNoContactDays)
}
func (c *Config) renewalWarnDays() int {
	return orDefault(c, func(c *Config) int { return c.RenewalWarnDays }, DefaultRenewalWarnDays)
}

func (c *Config) visitMaxDistanceM() float64 {
	if c == nil || c.VisitMaxDistanceM <= 0 {
		return DefaultVisitMaxDistanceM
	}
	return c.VisitMaxDistanceM
}

func orDefault(c *Config, get func(*Config) int, def int) int {
	if c == nil {
		return def
	}
	if v := get(c); v > 0 {
		return v
	}
	return def
}

// CountsTowardQuota reports whether a claimed customer at stage s counts
// toward his manager's quota.
func (c *Config) CountsTowardQuota(s Stage) bool {
	if c == nil || c.QuotaStages == nil {
		return s == List || s == Potential || s == Intent || s == Order
	}
	return slices.Contains(c.QuotaStages, s)
}
