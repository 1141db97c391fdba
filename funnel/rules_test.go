package funnel

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

var ruleNow = time.Date(2026, 11, 1, 20, 0, 0, 0, time.UTC) // 2026-11-02 04:00 in UTC+8

func TestCheckTransition(t *testing.T) {
	potentialOK := map[string]string{"budget_confirmed": "true", "decision_maker": "张总 (总经理)"}
	tests := []struct {
		name      string
		from, to  Stage
		evidence  map[string]string
		reason    string
		hasSignal bool
		// want: "" allowed; "missing" a TransitionError with wantMissing;
		// "refused" a TransitionError without Missing; "field" a FieldError on wantField.
		want        string
		wantMissing []string
		wantField   string
		wantMsg     string
	}{
		// Forward, one step, checklist met.
		{name: "list to potential", from: List, to: Potential, evidence: potentialOK, hasSignal: true},
		{name: "potential to intent", from: Potential, to: Intent, evidence: map[string]string{"requirement": "100M 专线"}},
		{name: "intent to order", from: Intent, to: Order, evidence: map[string]string{"order_ref": "HT-2026-0193"}},
		{name: "order to in_network", from: Order, to: InNetwork, evidence: map[string]string{"activation_date": "2026-10-30"}},
		{name: "activation today", from: Order, to: InNetwork, evidence: map[string]string{"activation_date": "2026-11-01"}},
		{name: "activation local today in UTC+8", from: Order, to: InNetwork, evidence: map[string]string{"activation_date": "2026-11-02"}},
		{name: "bool spelled 1", from: List, to: Potential, evidence: map[string]string{"budget_confirmed": "1", "decision_maker": "李"}, hasSignal: true},

		// Forward, checklist not met: what is missing is named.
		{name: "potential needs everything", from: List, to: Potential, want: "missing",
			wantMissing: []string{"signal", "budget_confirmed", "decision_maker"},
			wantMsg:     "potential needs: 已记录商机信号 (signal), 预算/支付能力已确认 (budget_confirmed), 关键决策人 (decision_maker)"},
		{name: "potential without signal", from: List, to: Potential, evidence: potentialOK, want: "missing", wantMissing: []string{"signal"}},
		{name: "budget false is missing", from: List, to: Potential, evidence: map[string]string{"budget_confirmed": "false", "decision_maker": "李"}, hasSignal: true,
			want: "missing", wantMissing: []string{"budget_confirmed"}},
		{name: "blank decision maker", from: List, to: Potential, evidence: map[string]string{"budget_confirmed": "true", "decision_maker": "  "}, hasSignal: true,
			want: "missing", wantMissing: []string{"decision_maker"}},
		{name: "intent needs requirement", from: Potential, to: Intent, want: "missing", wantMissing: []string{"requirement"}},
		{name: "order needs order_ref", from: Intent, to: Order, evidence: map[string]string{"requirement": "x"}, want: "missing", wantMissing: []string{"order_ref"}},
		{name: "in_network needs activation", from: Order, to: InNetwork, want: "missing", wantMissing: []string{"activation_date"}},

		// Malformed evidence is a FieldError.
		{name: "bad date", from: Order, to: InNetwork, evidence: map[string]string{"activation_date": "2026/10/30"}, want: "field", wantField: "evidence.activation_date"},
		{name: "future date", from: Order, to: InNetwork, evidence: map[string]string{"activation_date": "2026-11-03"}, want: "field", wantField: "evidence.activation_date"},
		{name: "bad bool", from: List, to: Potential, evidence: map[string]string{"budget_confirmed": "maybe", "decision_maker": "李"}, hasSignal: true, want: "field", wantField: "evidence.budget_confirmed"},
		{name: "unknown to", from: List, to: "won", want: "field", wantField: "to"},
		{name: "unknown from", from: "", to: List, want: "field", wantField: "from"},

		// Illegal moves.
		{name: "same stage", from: Intent, to: Intent, want: "refused", wantMsg: "already at intent"},
		{name: "target to list is a claim", from: Target, to: List, want: "refused", wantMsg: "claim"},
		{name: "skip a step", from: List, to: Intent, evidence: map[string]string{"requirement": "x"}, want: "refused", wantMsg: "list → potential, not intent"},
		{name: "target to potential", from: Target, to: Potential, want: "refused"},
		{name: "lost to list", from: Lost, to: List, want: "refused"},
		{name: "churned to in_network", from: Churned, to: InNetwork, want: "refused"},
		{name: "lost to churned", from: Lost, to: Churned, reason: "x", want: "refused"},
		{name: "order to churned", from: Order, to: Churned, reason: "x", want: "refused", wantMsg: "only an in_network customer can churn"},
		{name: "in_network to lost", from: InNetwork, to: Lost, reason: "x", want: "refused", wantMsg: "churned, not lost"},

		// Back, lost, churned: with a reason.
		{name: "back intent to list", from: Intent, to: List, reason: "需求取消"},
		{name: "back to target", from: Potential, to: Target, reason: "决策人换了"},
		{name: "back from in_network", from: InNetwork, to: Order, reason: "开通登记错误"},
		{name: "back without reason", from: Intent, to: List, reason: " ", want: "missing", wantMissing: []string{"reason"},
			wantMsg: "going back from intent to list: needs 原因 (reason)"},
		{name: "lost with reason", from: Intent, to: Lost, reason: "选了竞争对手"},
		{name: "target lost with reason", from: Target, to: Lost, reason: "已倒闭"},
		{name: "lost without reason", from: Order, to: Lost, want: "missing", wantMissing: []string{"reason"}},
		{name: "churn with reason", from: InNetwork, to: Churned, reason: "搬迁外地"},
		{name: "churn without reason", from: InNetwork, to: Churned, want: "missing", wantMissing: []string{"reason"}},

		// Restart.
		{name: "lost restarts", from: Lost, to: Target},
		{name: "churned restarts", from: Churned, to: Target},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckTransition(nil, tt.from, tt.to, tt.evidence, tt.reason, tt.hasSignal, ruleNow)
			var te *TransitionError
			switch tt.want {
			case "":
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			case "field":
				checkField(t, err, tt.wantField)
				return
			}
			if !errors.As(err, &te) {
				t.Fatalf("got %v, want a TransitionError", err)
			}
			if !errors.Is(err, ErrConflict) {
				t.Errorf("%v does not unwrap to ErrConflict", err)
			}
			if te.From != tt.from || te.To != tt.to {
				t.Errorf("error says %s → %s", te.From, te.To)
			}
			var keys []string
			for _, r := range te.Missing {
				keys = append(keys, r.Key)
			}
			if !slices.Equal(keys, tt.wantMissing) {
				t.Errorf("missing %v, want %v", keys, tt.wantMissing)
			}
			if tt.want == "refused" && te.Reason == "" {
				t.Error("refusal without a reason")
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q does not contain %q", err.Error(), tt.wantMsg)
			}
		})
	}
}

// TestCheckTransitionEveryPair walks the whole stage × stage matrix so that
// no pair is accidentally allowed: the allowed set is spelled out here.
func TestCheckTransitionEveryPair(t *testing.T) {
	allowed := map[[2]Stage]bool{}
	for i, s := range Steps {
		if i+1 < len(Steps) && s != Target {
			allowed[[2]Stage{s, Steps[i+1]}] = true
		}
		for _, back := range Steps[:i] {
			allowed[[2]Stage{s, back}] = true
		}
		if s != InNetwork {
			allowed[[2]Stage{s, Lost}] = true
		}
	}
	allowed[[2]Stage{InNetwork, Churned}] = true
	allowed[[2]Stage{Lost, Target}] = true
	allowed[[2]Stage{Churned, Target}] = true

	full := map[string]string{"budget_confirmed": "true", "decision_maker": "x", "requirement": "x", "order_ref": "x", "activation_date": "2026-10-01"}
	for _, from := range Stages {
		for _, to := range Stages {
			err := CheckTransition(DefaultConfig(), from, to, full, "a reason", true, ruleNow)
			if got := err == nil; got != allowed[[2]Stage{from, to}] {
				t.Errorf("%s → %s: allowed=%v (%v), want %v", from, to, got, err, !got)
			}
		}
	}
}

func TestCheckTransitionCustomChecklist(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Checklists[Intent] = []Requirement{
		{Key: "requirement", Label: "Requirement", LabelZH: "明确需求", Kind: KindText},
		{Key: "site_survey", Label: "Site survey", LabelZH: "现场勘查日期", Kind: KindDate, Optional: true},
	}
	delete(cfg.Checklists, Potential)
	if err := CheckTransition(cfg, List, Potential, nil, "", false, ruleNow); err != nil {
		t.Errorf("no potential checklist, still refused: %v", err)
	}
	if err := CheckTransition(cfg, Potential, Intent, map[string]string{"requirement": "x"}, "", false, ruleNow); err != nil {
		t.Errorf("optional item treated as required: %v", err)
	}
	err := CheckTransition(cfg, Potential, Intent, map[string]string{"requirement": "x", "site_survey": "soon"}, "", false, ruleNow)
	checkField(t, err, "evidence.site_survey")
}

func TestNextAction(t *testing.T) {
	tests := []struct {
		stage     Stage
		hasSignal bool
		want      string
	}{
		{Target, false, NextClaim},
		{List, false, NextLogVisit},
		{List, true, NextQualify},
		{Potential, true, NextRecordRequirement},
		{Intent, false, NextSignOrder},
		{Order, false, NextActivate},
		{InNetwork, false, NextRetain},
		{Lost, false, NextRestart},
		{Churned, true, NextRestart},
	}
	for _, tt := range tests {
		got := NextAction(tt.stage, tt.hasSignal)
		if got != tt.want {
			t.Errorf("NextAction(%s, %v) = %q, want %q", tt.stage, tt.hasSignal, got, tt.want)
		}
		if !slices.Contains(NextActions, got) {
			t.Errorf("%q missing from NextActions", got)
		}
	}
}
