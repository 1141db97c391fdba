package funnel

import (
	"errors"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestParseStage(t *testing.T) {
	tests := []struct {
		in   string
		want Stage
		ok   bool
	}{
		{"target", Target, true},
		{"目标", Target, true},
		{"清单客户", List, true},
		{"在网", InNetwork, true},
		{"in_network", InNetwork, true},
		{"churned", Churned, true},
		{"prospect", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseStage(tt.in)
			if tt.ok != (err == nil) || got != tt.want {
				t.Fatalf("ParseStage(%q) = %q, %v; want %q (ok=%v)", tt.in, got, err, tt.want, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
		})
	}
}

func TestStageOrder(t *testing.T) {
	for i, s := range Steps {
		if s.Step() != i+1 {
			t.Errorf("%s.Step() = %d, want %d", s, s.Step(), i+1)
		}
	}
	if Lost.Step() != 0 || Churned.Step() != 0 {
		t.Error("outcomes must not be steps")
	}
	claimed := 0
	for _, s := range Stages {
		if s.Claimed() {
			claimed++
		}
	}
	if claimed != 4 || !List.Claimed() || Target.Claimed() || InNetwork.Claimed() {
		t.Errorf("claimed stages wrong: %d", claimed)
	}
}

func TestClaimValidate(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	ok := Claim{CustomerID: 1, ManagerID: 2, Status: ClaimActive, ClaimedAt: now, LastActivityAt: now}
	tests := []struct {
		name  string
		edit  func(c *Claim)
		field string
	}{
		{"valid", func(*Claim) {}, ""},
		{"no customer", func(c *Claim) { c.CustomerID = 0 }, "customer_id"},
		{"negative manager", func(c *Claim) { c.ManagerID = -3 }, "manager_id"},
		{"bad status", func(c *Claim) { c.Status = "held" }, "status"},
		{"activity before claim", func(c *Claim) { c.LastActivityAt = now.Add(-time.Hour) }, "last_activity_at"},
		{"lapsed without end", func(c *Claim) { c.Status = ClaimLapsed }, "ended_at"},
		{"active with end", func(c *Claim) { c.EndedAt = &now }, "ended_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			checkField(t, c.Validate(), tt.field)
		})
	}
}

func TestActivityValidate(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	ok := Activity{CustomerID: 1, ManagerID: 2, Kind: VisitBuilding, At: now, Signals: []SignalKind{NewNeed}}
	tests := []struct {
		name  string
		edit  func(a *Activity)
		field string
	}{
		{"valid", func(*Activity) {}, ""},
		{"unknown kind", func(a *Activity) { a.Kind = "lunch" }, "kind"},
		{"no time", func(a *Activity) { a.At = time.Time{} }, "at"},
		{"unknown signal", func(a *Activity) { a.Signals = []SignalKind{NewNeed, "rumour"} }, "signals"},
		{"position out of range", func(a *Activity) { a.Position = &orb.Point{200, 30} }, "position"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok
			tt.edit(&a)
			checkField(t, a.Validate(), tt.field)
		})
	}
}

func checkField(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want a FieldError on %q", err, field)
	}
	if fe.Field != field {
		t.Fatalf("error on field %q (%v), want %q", fe.Field, err, field)
	}
}
