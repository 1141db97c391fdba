package funnel

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

func TestCheckClaim(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	since := time.Date(2026, 10, 1, 8, 30, 0, 0, time.UTC)
	held := &Claim{ID: 1, CustomerID: 5, ManagerID: 12, Status: ClaimActive, ClaimedAt: since, LastActivityAt: since}
	ended := func(status ClaimStatus, manager int64, at time.Time) *Claim {
		return &Claim{ID: 2, CustomerID: 5, ManagerID: manager, Status: status, ClaimedAt: at.AddDate(0, -2, 0), LastActivityAt: at.AddDate(0, 0, -30), EndedAt: &at}
	}
	tests := []struct {
		name       string
		cfg        *Config
		holder     *Claim
		lastLapsed *Claim
		count, max int
		want       error // a *ClaimConflictError, *QuotaError or *CooldownError to compare, nil: allowed
		wantMsg    string
	}{
		{name: "free", count: 10, max: 70},
		{name: "held", holder: held, count: 0, max: 70,
			want:    &ClaimConflictError{CustomerID: 5, HolderID: 12, Since: since},
			wantMsg: "customer 5 is held by manager 12 since 2026-10-01"},
		{name: "held beats quota and cooldown", holder: held, lastLapsed: ended(ClaimLapsed, 7, now.AddDate(0, 0, -1)), count: 70, max: 70,
			want: &ClaimConflictError{CustomerID: 5, HolderID: 12, Since: since}},
		{name: "ended holder is no holder", holder: ended(ClaimReleased, 12, now.AddDate(0, 0, -1)), count: 0, max: 70},
		{name: "quota full", count: 70, max: 70, want: &QuotaError{ManagerID: 7, Count: 70, Max: 70}, wantMsg: "list full: 70 of 70"},
		{name: "quota one left", count: 69, max: 70},
		{name: "quota over (config lowered)", count: 75, max: 70, want: &QuotaError{ManagerID: 7, Count: 75, Max: 70}},
		{name: "zero max means 70", count: 70, max: 0, want: &QuotaError{ManagerID: 7, Count: 70, Max: 70}},
		{name: "personal max", count: 40, max: 40, want: &QuotaError{ManagerID: 7, Count: 40, Max: 40}},
		{name: "cooldown", lastLapsed: ended(ClaimLapsed, 7, now.AddDate(0, 0, -3)), max: 70,
			want:    &CooldownError{ManagerID: 7, CustomerID: 5, Until: now.AddDate(0, 0, 11)},
			wantMsg: "may claim it again from 2026-11-12"},
		{name: "cooldown last instant", lastLapsed: ended(ClaimLapsed, 7, now.AddDate(0, 0, -14).Add(time.Second)), max: 70,
			want: &CooldownError{ManagerID: 7, CustomerID: 5, Until: now.Add(time.Second)}},
		{name: "cooldown over", lastLapsed: ended(ClaimLapsed, 7, now.AddDate(0, 0, -14)), max: 70},
		{name: "custom cooldown", cfg: &Config{CooldownDays: 3}, lastLapsed: ended(ClaimLapsed, 7, now.AddDate(0, 0, -3)), max: 70},
		{name: "released: no cooldown", lastLapsed: ended(ClaimReleased, 7, now.AddDate(0, 0, -1)), max: 70},
		{name: "another manager's lapse: no cooldown", lastLapsed: ended(ClaimLapsed, 8, now.AddDate(0, 0, -1)), max: 70},
		{name: "cooldown beats quota", lastLapsed: ended(ClaimLapsed, 7, now.AddDate(0, 0, -1)), count: 70, max: 70,
			want: &CooldownError{ManagerID: 7, CustomerID: 5, Until: now.AddDate(0, 0, 13)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckClaim(tt.cfg, now, 7, tt.holder, tt.lastLapsed, tt.count, tt.max)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrConflict) {
				t.Fatalf("%v does not unwrap to ErrConflict", err)
			}
			switch want := tt.want.(type) {
			case *ClaimConflictError:
				var got *ClaimConflictError
				if !errors.As(err, &got) || *got != *want {
					t.Fatalf("got %#v, want %#v", err, want)
				}
			case *QuotaError:
				var got *QuotaError
				if !errors.As(err, &got) || *got != *want {
					t.Fatalf("got %#v, want %#v", err, want)
				}
			case *CooldownError:
				var got *CooldownError
				if !errors.As(err, &got) || *got != *want {
					t.Fatalf("got %#v, want %#v", err, want)
				}
			}
			if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q does not contain %q", err.Error(), tt.wantMsg)
			}
		})
	}
}

func TestClaimConflictErrorName(t *testing.T) {
	e := &ClaimConflictError{CustomerID: 5, HolderID: 12, HolderName: "王伟 (m012)", Since: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	if got, want := e.Error(), "customer 5 is held by 王伟 (m012) since 2026-10-01"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestLapseDates(t *testing.T) {
	last := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)
	c := &Claim{CustomerID: 1, ManagerID: 2, Status: ClaimActive, ClaimedAt: last.AddDate(0, -1, 0), LastActivityAt: last}
	tests := []struct {
		name        string
		cfg         *Config
		lapse, warn time.Time
		lapsingAt   time.Time // first instant Lapsing is true
	}{
		{"defaults (nil)", nil, time.Date(2026, 10, 31, 10, 0, 0, 0, time.UTC), time.Date(2026, 10, 24, 10, 0, 0, 0, time.UTC), time.Date(2026, 10, 24, 10, 0, 0, 0, time.UTC)},
		{"default config", DefaultConfig(), time.Date(2026, 10, 31, 10, 0, 0, 0, time.UTC), time.Date(2026, 10, 24, 10, 0, 0, 0, time.UTC), time.Date(2026, 10, 24, 10, 0, 0, 0, time.UTC)},
		{"10 days, warn 2", &Config{LapseDays: 10, WarnDays: 2}, time.Date(2026, 10, 11, 10, 0, 0, 0, time.UTC), time.Date(2026, 10, 9, 10, 0, 0, 0, time.UTC), time.Date(2026, 10, 9, 10, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LapseAt(tt.cfg, c); !got.Equal(tt.lapse) {
				t.Errorf("LapseAt = %s, want %s", got, tt.lapse)
			}
			if got := WarnAt(tt.cfg, c); !got.Equal(tt.warn) {
				t.Errorf("WarnAt = %s, want %s", got, tt.warn)
			}
			if Lapsing(tt.cfg, tt.lapsingAt.Add(-time.Second), c) {
				t.Error("lapsing a second before the warning")
			}
			if !Lapsing(tt.cfg, tt.lapsingAt, c) || !Lapsing(tt.cfg, tt.lapse.AddDate(0, 0, 1), c) {
				t.Error("not lapsing in the window or when overdue")
			}
			// The store's cutoff agrees with LapseAt: at LapseAt the claim is
			// not yet before the cutoff, a moment later it is.
			if cut := LapseCutoff(tt.cfg, tt.lapse); c.LastActivityAt.Before(cut) {
				t.Error("lapsed exactly at LapseAt: one instant early")
			}
			if cut := LapseCutoff(tt.cfg, tt.lapse.Add(time.Second)); !c.LastActivityAt.Before(cut) {
				t.Error("not lapsed after LapseAt")
			}
		})
	}
	ended := *c
	ended.Status = ClaimReleased
	if Lapsing(nil, last.AddDate(0, 0, 29), &ended) {
		t.Error("a released claim cannot be lapsing")
	}
}

func TestQualifies(t *testing.T) {
	cfg := DefaultConfig()
	for _, k := range ActivityKinds {
		if !Qualifies(cfg, k) || !Qualifies(nil, k) {
			t.Errorf("%s does not qualify by default", k)
		}
	}
	if Qualifies(nil, "lunch") {
		t.Error("unknown kind qualifies")
	}
	cfg.QualifyingKinds = []ActivityKind{VisitDoor, Proposal}
	if !Qualifies(cfg, Proposal) || Qualifies(cfg, Phone) {
		t.Error("configured kinds ignored")
	}
}

func TestVerifyVisit(t *testing.T) {
	customer := orb.Point{121.4737, 31.2304}
	at := func(eastM, northM float64) *orb.Point { p := geo.Offset(customer, eastM, northM); return &p }
	tests := []struct {
		name      string
		cfg       *Config
		kind      ActivityKind
		customer  orb.Point
		pos       *orb.Point
		verified  bool
		distanceM float64 // -1: nil
	}{
		{"visit on site", nil, VisitDoor, customer, at(0, 0), true, 0},
		{"visit 200 m", nil, VisitBuilding, customer, at(200, 0), true, 200},
		{"visit 299 m", nil, VisitStreet, customer, at(0, 299), true, 299},
		{"visit 320 m", nil, VisitStreet, customer, at(0, 320), false, 320},
		{"visit 5 km", nil, VisitDoor, customer, at(3000, 4000), false, 5000},
		{"visit without position", nil, VisitDoor, customer, nil, false, -1},
		{"visit, customer not located", nil, VisitDoor, orb.Point{}, at(0, 0), false, -1},
		{"wider limit", &Config{VisitMaxDistanceM: 1000}, VisitDoor, customer, at(800, 0), true, 800},
		{"phone anywhere", nil, Phone, customer, at(0, 5000), true, 5000},
		{"phone without position", nil, Phone, customer, nil, true, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, d := VerifyVisit(tt.cfg, tt.kind, tt.customer, tt.pos)
			if v != tt.verified {
				t.Errorf("verified = %v, want %v", v, tt.verified)
			}
			switch {
			case tt.distanceM < 0 && d != nil:
				t.Errorf("distance %v, want none", *d)
			case tt.distanceM >= 0 && (d == nil || math.Abs(*d-tt.distanceM) > 1):
				t.Errorf("distance %v, want %v ± 1 m", d, tt.distanceM)
			}
		})
	}
}
