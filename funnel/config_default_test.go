package funnel

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

func TestDefaultConfig(t *testing.T) {
	cfg := DefaultConfig()
	before := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
	if !reflect.DeepEqual(cfg, before) {
		t.Error("Validate changed the default config")
	}
	keys := map[Stage][]string{}
	for s, reqs := range cfg.Checklists {
		for _, r := range reqs {
			keys[s] = append(keys[s], r.Key+":"+r.Kind)
			if r.Label == "" || r.LabelZH == "" || r.Optional {
				t.Errorf("%s.%s: labels %q/%q, optional %v", s, r.Key, r.Label, r.LabelZH, r.Optional)
			}
		}
	}
	want := map[Stage][]string{
		Potential: {"signal:signal", "budget_confirmed:bool", "decision_maker:text"},
		Intent:    {"requirement:text"},
		Order:     {"order_ref:text"},
		InNetwork: {"activation_date:date"},
	}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("checklists %v, want %v", keys, want)
	}
	if !slices.Equal(cfg.QuotaStages, []Stage{List, Potential, Intent, Order}) {
		t.Errorf("quota stages %v", cfg.QuotaStages)
	}
	if cfg.LapseDays != 30 || cfg.WarnDays != 7 || cfg.CooldownDays != 14 || cfg.VisitMaxDistanceM != 300 ||
		cfg.NoContactDays != 90 || cfg.RenewalWarnDays != 60 || len(cfg.QualifyingKinds) != len(ActivityKinds) {
		t.Errorf("defaults %+v", cfg)
	}
	// Each call is a fresh copy: editing one must not edit the next.
	cfg.Checklists[Potential][0].Key = "edited"
	cfg.QualifyingKinds[0] = Phone
	if again := DefaultConfig(); again.Checklists[Potential][0].Key != "signal" || again.QualifyingKinds[0] != VisitBuilding {
		t.Error("DefaultConfig shares state between calls")
	}
}

func TestConfigValidateNormalises(t *testing.T) {
	var cfg Config
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&cfg, DefaultConfig()) {
		t.Errorf("zero config normalised to %+v, want the defaults", cfg)
	}
	// A stored partial config: only the lapse changed.
	var partial Config
	if err := json.Unmarshal([]byte(`{"lapse_days": 45, "checklists": {"order": [{"key":" order_ref ","label_zh":"订单号","kind":"text"}]}}`), &partial); err != nil {
		t.Fatal(err)
	}
	if err := partial.Validate(); err != nil {
		t.Fatal(err)
	}
	if partial.LapseDays != 45 || partial.WarnDays != 7 || len(partial.Checklists) != 1 {
		t.Errorf("partial config normalised to %+v", partial)
	}
	if r := partial.Checklists[Order][0]; r.Key != "order_ref" || r.Label != "订单号" {
		t.Errorf("requirement not tidied: %+v", r)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(c *Config)
		field string
	}{
		{"valid", func(*Config) {}, ""},
		{"negative lapse", func(c *Config) { c.LapseDays = -1 }, "lapse_days"},
		{"huge lapse", func(c *Config) { c.LapseDays = 5000 }, "lapse_days"},
		{"negative warn", func(c *Config) { c.WarnDays = -2 }, "warn_days"},
		{"warn not before lapse", func(c *Config) { c.LapseDays, c.WarnDays = 10, 10 }, "warn_days"},
		{"negative cooldown", func(c *Config) { c.CooldownDays = -14 }, "cooldown_days"},
		{"negative no contact", func(c *Config) { c.NoContactDays = -1 }, "no_contact_days"},
		{"negative renewal", func(c *Config) { c.RenewalWarnDays = -1 }, "renewal_warn_days"},
		{"negative distance", func(c *Config) { c.VisitMaxDistanceM = -5 }, "visit_max_distance_m"},
		{"huge distance", func(c *Config) { c.VisitMaxDistanceM = 1e9 }, "visit_max_distance_m"},
		{"empty quota stages", func(c *Config) { c.QuotaStages = []Stage{} }, "quota_stages"},
		{"target in quota", func(c *Config) { c.QuotaStages = []Stage{List, Target} }, "quota_stages[1]"},
		{"unknown quota stage", func(c *Config) { c.QuotaStages = []Stage{"won"} }, "quota_stages[0]"},
		{"duplicate quota stage", func(c *Config) { c.QuotaStages = []Stage{List, Intent, List} }, "quota_stages[2]"},
		{"in_network may count", func(c *Config) { c.QuotaStages = []Stage{List, InNetwork} }, ""},
		{"no qualifying kind", func(c *Config) { c.QualifyingKinds = []ActivityKind{} }, "qualifying_kinds"},
		{"unknown qualifying kind", func(c *Config) { c.QualifyingKinds = []ActivityKind{Phone, "lunch"} }, "qualifying_kinds[1]"},
		{"duplicate qualifying kind", func(c *Config) { c.QualifyingKinds = []ActivityKind{Phone, Phone} }, "qualifying_kinds[1]"},
		{"checklist on list", func(c *Config) { c.Checklists[List] = []Requirement{{Key: "x", Label: "x", Kind: KindText}} }, "checklists.list"},
		{"checklist on unknown stage", func(c *Config) { c.Checklists["won"] = nil }, "checklists.won"},
		{"blank key", func(c *Config) { c.Checklists[Intent][0].Key = " " }, "checklists.intent[0].key"},
		{"bad key", func(c *Config) { c.Checklists[Intent][0].Key = "Need It" }, "checklists.intent[0].key"},
		{"reserved key", func(c *Config) { c.Checklists[Order][0].Key = ReasonKey }, "checklists.order[0].key"},
		{"duplicate key", func(c *Config) { c.Checklists[Potential][2].Key = "signal" }, "checklists.potential[2].key"},
		{"unknown kind", func(c *Config) { c.Checklists[Potential][1].Kind = "number" }, "checklists.potential[1].kind"},
		{"no label", func(c *Config) { c.Checklists[InNetwork][0].Label, c.Checklists[InNetwork][0].LabelZH = "", "" }, "checklists.in_network[0].label"},
		{"too many items", func(c *Config) {
			for i := range 21 {
				c.Checklists[Order] = append(c.Checklists[Order], Requirement{Key: "k" + string(rune('a'+i)), Label: "x", Kind: KindText})
			}
		}, "checklists.order"},
		{"empty checklists allowed", func(c *Config) { c.Checklists = map[Stage][]Requirement{} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.edit(c)
			checkField(t, c.Validate(), tt.field)
		})
	}
}

func TestCountsTowardQuota(t *testing.T) {
	var nilCfg *Config
	for _, s := range Stages {
		if got, want := nilCfg.CountsTowardQuota(s), s.Claimed(); got != want {
			t.Errorf("nil config: %s counts %v, want %v", s, got, want)
		}
		if got, want := DefaultConfig().CountsTowardQuota(s), s.Claimed(); got != want {
			t.Errorf("default config: %s counts %v, want %v", s, got, want)
		}
	}
	cfg := &Config{QuotaStages: []Stage{List}}
	if !cfg.CountsTowardQuota(List) || cfg.CountsTowardQuota(Potential) {
		t.Error("configured quota stages ignored")
	}
}
