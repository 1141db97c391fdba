package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

// Issue 6: transitions, follow-ups, the sales store (config, manager lock,
// conditional stage change, lapse), the new claim and activity fields.
//
// What the cases pin down beyond the interfaces' doc comments:
//
//   - a transition's At, a follow-up's CreatedAt are set to now when zero;
//     Evidence nil and empty read back as nil; ManagerID/UserID 0 are none;
//   - FollowUp.Due and Activity.ContractExpires are days: any time of day
//     is kept as midnight UTC of its UTC day (written back into the struct);
//     DueBefore t selects the days whose midnight is before t;
//   - LapseClaims returns the claims in id order; cutoff after now and a
//     zero cutoff are FieldErrors;
//   - deleting a customer deletes its transitions and follow-ups; deleting
//     a user forgets him in transitions (UserID 0) and claims (EndedBy 0); a
//     manager with follow-ups is not deleted (ConflictError);
//   - Reset removes transitions, follow-ups and the saved configuration.
var funnelCases = []testCase{
	{"funnel/transition/crud-and-filter", testTransitions},
	{"funnel/transition/bad-refs", testTransitionBadRefs},
	{"funnel/follow-up/crud-and-filter", testFollowUps},
	{"funnel/claim/ended-by-and-filters", testClaimEndedByFilters},
	{"funnel/activity/distance-and-contract", testActivityNewFields},
	{"funnel/set-state", testSetFunnelState},
	{"funnel/lock-manager", testLockManager},
	{"funnel/config", testFunnelConfig},
	{"funnel/lapse", testLapseClaims},
	{"funnel/lapse-concurrent", testLapseConcurrent},
	{"funnel/claim-race", testClaimRace},
	{"funnel/bulk", testBulkFunnel},
	{"funnel/delete-and-reset", testFunnelDeleteReset},
}

func sameTransition(tb testing.TB, got, want *funnel.Transition) {
	tb.Helper()
	SameTime(tb, "transition.At", got.At, want.At)
	g, w := *got, *want
	g.At, w.At = time.Time{}, time.Time{}
	if len(w.Evidence) == 0 {
		w.Evidence = nil
	}
	sameValue(tb, "transition", g, w)
}

func sameFollowUp(tb testing.TB, got, want *funnel.FollowUp) {
	tb.Helper()
	SameTime(tb, "follow-up.Due", got.Due, want.Due)
	SameTime(tb, "follow-up.CreatedAt", got.CreatedAt, want.CreatedAt)
	if (got.DoneAt == nil) != (want.DoneAt == nil) {
		tb.Errorf("follow-up.DoneAt = %v, want %v", got.DoneAt, want.DoneAt)
	} else if got.DoneAt != nil {
		SameTime(tb, "follow-up.DoneAt", *got.DoneAt, *want.DoneAt)
	}
	g, w := *got, *want
	g.Due, w.Due, g.CreatedAt, w.CreatedAt, g.DoneAt, w.DoneAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}, nil, nil
	sameValue(tb, "follow-up", g, w)
}

func transitionIDs(ts []*funnel.Transition) []int64 {
	return ids(ts, func(t *funnel.Transition) int64 { return t.ID })
}

func followUpIDs(fs []*funnel.FollowUp) []int64 {
	return ids(fs, func(f *funnel.FollowUp) int64 { return f.ID })
}

func claimIDs(cs []*funnel.Claim) []int64 {
	return ids(cs, func(c *funnel.Claim) int64 { return c.ID })
}

func testTransitions(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	m2 := NewManager(f.Grid.ID, "m2")
	Must(t, s.CreateManager(ctx, m2), "create manager")
	u := NewUser("mgr", territory.RoleManager, f.Manager.ID)
	Must(t, s.CreateUser(ctx, u), "create user")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 2)

	ts := []*funnel.Transition{
		{CustomerID: cs[0].ID, ManagerID: f.Manager.ID, UserID: u.ID, From: funnel.Target, To: funnel.List, At: Epoch},
		{CustomerID: cs[0].ID, ManagerID: f.Manager.ID, UserID: u.ID, From: funnel.List, To: funnel.Potential, At: Epoch.Add(24 * time.Hour),
			Evidence: map[string]string{"budget_confirmed": "true", "decision_maker": "王总 (总经理)"}},
		{CustomerID: cs[1].ID, ManagerID: m2.ID, From: funnel.List, To: funnel.Target, At: Epoch.Add(48 * time.Hour),
			Reason: "30天无有效销售动作，报备失效", Evidence: map[string]string{}},
		{CustomerID: cs[0].ID, From: funnel.Potential, To: funnel.Lost, At: Epoch.Add(72*time.Hour + 999), Reason: "客户已与竞争对手续约"},
	}
	for _, x := range ts {
		Must(t, s.CreateTransition(ctx, x), "create transition")
		if x.ID <= 0 {
			t.Fatalf("CreateTransition left ID = %d", x.ID)
		}
	}
	if ts[3].At.Nanosecond()%1000 != 0 {
		t.Errorf("CreateTransition left At = %s, want it in stored form", ts[3].At.Format(time.RFC3339Nano))
	}
	all, err := s.Transitions(ctx, funnel.TransitionFilter{})
	Must(t, err, "list transitions")
	if len(all) != len(ts) {
		t.Fatalf("got %d transitions, want %d", len(all), len(ts))
	}
	increasing(t, "transitions", transitionIDs(all))
	for i := range ts {
		sameTransition(t, all[i], ts[i])
	}

	at := &funnel.Transition{CustomerID: cs[1].ID, From: funnel.Target, To: funnel.List}
	Must(t, s.CreateTransition(ctx, at), "create transition without At")
	stamped(t, "transition.At", at.At)

	for _, tt := range []struct {
		name string
		f    funnel.TransitionFilter
		want []int64
	}{
		{"customer", funnel.TransitionFilter{CustomerID: cs[0].ID}, []int64{ts[0].ID, ts[1].ID, ts[3].ID}},
		{"manager", funnel.TransitionFilter{ManagerID: m2.ID}, []int64{ts[2].ID}},
		{"since", funnel.TransitionFilter{CustomerID: cs[0].ID, Since: Epoch.Add(24 * time.Hour)}, []int64{ts[1].ID, ts[3].ID}},
		{"until", funnel.TransitionFilter{CustomerID: cs[0].ID, Until: Epoch.Add(24 * time.Hour)}, []int64{ts[0].ID}},
		{"until is exclusive", funnel.TransitionFilter{Until: Epoch.Add(72 * time.Hour)}, []int64{ts[0].ID, ts[1].ID, ts[2].ID}},
		{"page", funnel.TransitionFilter{AfterID: ts[0].ID, Limit: 2}, []int64{ts[1].ID, ts[2].ID}},
		{"none", funnel.TransitionFilter{CustomerID: cs[1].ID + 1000}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Transitions(ctx, tt.f)
			Must(t, err, "list transitions")
			sameValue(t, "ids", nonNil(transitionIDs(got)), nonNil(tt.want))
		})
	}
}

func testTransitionBadRefs(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 1)
	ok := func() *funnel.Transition {
		return &funnel.Transition{CustomerID: cs[0].ID, ManagerID: f.Manager.ID, From: funnel.Target, To: funnel.List, At: Epoch}
	}
	for _, tt := range []struct {
		field  string
		mutate func(x *funnel.Transition)
	}{
		{"customer_id", func(x *funnel.Transition) { x.CustomerID = 0 }},
		{"customer_id", func(x *funnel.Transition) { x.CustomerID += 1000 }},
		{"manager_id", func(x *funnel.Transition) { x.ManagerID += 1000 }},
		{"user_id", func(x *funnel.Transition) { x.UserID = 4242 }},
		{"from", func(x *funnel.Transition) { x.From = "prospect" }},
		{"to", func(x *funnel.Transition) { x.To = "" }},
		{"reason", func(x *funnel.Transition) { x.Reason = "bad\x00" }},
		{"evidence.order_ref", func(x *funnel.Transition) { x.Evidence = map[string]string{"order_ref": "\xff"} }},
	} {
		t.Run(tt.field, func(t *testing.T) {
			x := ok()
			tt.mutate(x)
			WantFunnelField(t, s.CreateTransition(ctx, x), tt.field)
		})
	}
	got, err := s.Transitions(ctx, funnel.TransitionFilter{})
	Must(t, err, "list transitions")
	if len(got) != 0 {
		t.Errorf("refused transitions left %d rows", len(got))
	}
}

func testFollowUps(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	m2 := NewManager(f.Grid.ID, "m2")
	Must(t, s.CreateManager(ctx, m2), "create manager")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 2)
	expires := time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC)
	a := NewActivity(cs[0].ID, f.Manager.ID, Epoch)
	a.Signals, a.ContractExpires = []funnel.SignalKind{funnel.ContractExpiring}, &expires
	Must(t, s.CreateActivity(ctx, a), "create activity")

	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	fs := []*funnel.FollowUp{
		{CustomerID: cs[0].ID, ManagerID: f.Manager.ID, ActivityID: a.ID, Due: time.Date(2027, 1, 29, 15, 4, 5, 0, time.UTC),
			Reason: "竞争对手合同 2027-02-28 到期", CreatedAt: Epoch},
		{CustomerID: cs[0].ID, ManagerID: f.Manager.ID, Due: day(2026, 12, 1), Reason: "回访"},
		{CustomerID: cs[1].ID, ManagerID: m2.ID, Due: day(2026, 11, 20), Reason: "送资费单", CreatedAt: Epoch},
	}
	for _, x := range fs {
		Must(t, s.CreateFollowUp(ctx, x), "create follow-up")
		if x.ID <= 0 {
			t.Fatalf("CreateFollowUp left ID = %d", x.ID)
		}
	}
	// Due is a day, written back; CreatedAt is set when zero.
	SameTime(t, "written-back Due", fs[0].Due, day(2027, 1, 29))
	stamped(t, "follow-up.CreatedAt", fs[1].CreatedAt)
	all, err := s.FollowUps(ctx, funnel.FollowUpFilter{})
	Must(t, err, "list follow-ups")
	if len(all) != 3 {
		t.Fatalf("got %d follow-ups, want 3", len(all))
	}
	for i := range fs {
		sameFollowUp(t, all[i], fs[i])
	}

	done := Epoch.Add(time.Hour)
	fs[2].DoneAt = &done
	Must(t, s.UpdateFollowUp(ctx, fs[2]), "mark follow-up done")
	got, err := s.FollowUps(ctx, funnel.FollowUpFilter{CustomerID: cs[1].ID})
	Must(t, err, "read follow-up")
	if len(got) != 1 {
		t.Fatalf("got %d follow-ups of customer 2, want 1", len(got))
	}
	sameFollowUp(t, got[0], fs[2])

	for _, tt := range []struct {
		name string
		f    funnel.FollowUpFilter
		want []int64
	}{
		{"customer", funnel.FollowUpFilter{CustomerID: cs[0].ID}, []int64{fs[0].ID, fs[1].ID}},
		{"manager", funnel.FollowUpFilter{ManagerID: m2.ID}, []int64{fs[2].ID}},
		{"open", funnel.FollowUpFilter{OpenOnly: true}, []int64{fs[0].ID, fs[1].ID}},
		{"due before midnight excludes that day", funnel.FollowUpFilter{DueBefore: day(2026, 12, 1)}, []int64{fs[2].ID}},
		{"due before a later time of day includes it", funnel.FollowUpFilter{DueBefore: day(2026, 12, 1).Add(time.Second)}, []int64{fs[1].ID, fs[2].ID}},
		{"open and due", funnel.FollowUpFilter{OpenOnly: true, DueBefore: day(2027, 1, 30)}, []int64{fs[0].ID, fs[1].ID}},
		{"page", funnel.FollowUpFilter{AfterID: fs[0].ID, Limit: 1}, []int64{fs[1].ID}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.FollowUps(ctx, tt.f)
			Must(t, err, "list follow-ups")
			sameValue(t, "ids", nonNil(followUpIDs(got)), nonNil(tt.want))
		})
	}

	missing := *fs[1]
	missing.ID += 1000
	wantFunnelNotFound(t, s.UpdateFollowUp(ctx, &missing))
	for _, tt := range []struct {
		field  string
		mutate func(x *funnel.FollowUp)
	}{
		{"customer_id", func(x *funnel.FollowUp) { x.CustomerID += 1000 }},
		{"manager_id", func(x *funnel.FollowUp) { x.ManagerID = 0 }},
		{"manager_id", func(x *funnel.FollowUp) { x.ManagerID += 1000 }},
		{"activity_id", func(x *funnel.FollowUp) { x.ActivityID = a.ID + 1000 }},
		{"due", func(x *funnel.FollowUp) { x.Due = time.Time{} }},
		{"done_at", func(x *funnel.FollowUp) { d := x.CreatedAt.Add(-time.Hour); x.DoneAt = &d }},
	} {
		t.Run("bad "+tt.field, func(t *testing.T) {
			x := *fs[1]
			x.ID = 0
			tt.mutate(&x)
			WantFunnelField(t, s.CreateFollowUp(ctx, &x), tt.field)
			y := *fs[1]
			tt.mutate(&y)
			WantFunnelField(t, s.UpdateFollowUp(ctx, &y), tt.field)
		})
	}
}

func testClaimEndedByFilters(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	u := NewUser("planner", territory.RolePlanner, 0)
	Must(t, s.CreateUser(ctx, u), "create user")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 3)
	end := Epoch.Add(10 * 24 * time.Hour)
	released := NewClaim(cs[0].ID, f.Manager.ID)
	released.Status, released.EndedAt, released.EndReason, released.EndedBy = funnel.ClaimReleased, &end, "客户搬离网格", u.ID
	Must(t, s.CreateClaim(ctx, released), "create released claim")
	got, err := s.Claim(ctx, released.ID)
	Must(t, err, "read claim")
	sameClaim(t, got, released)

	old := NewClaim(cs[1].ID, f.Manager.ID) // last activity at Epoch
	Must(t, s.CreateClaim(ctx, old), "create claim")
	recent := NewClaim(cs[2].ID, f.Manager.ID)
	recent.LastActivityAt = Epoch.Add(20 * 24 * time.Hour)
	Must(t, s.CreateClaim(ctx, recent), "create claim")

	for _, tt := range []struct {
		name string
		f    funnel.ClaimFilter
		want []int64
	}{
		{"last activity before", funnel.ClaimFilter{LastActivityBefore: Epoch.Add(time.Microsecond)}, []int64{released.ID, old.ID}},
		{"last activity before is exclusive", funnel.ClaimFilter{LastActivityBefore: Epoch}, nil},
		{"active and last activity before", funnel.ClaimFilter{Status: funnel.ClaimActive, LastActivityBefore: Epoch.Add(24 * time.Hour)}, []int64{old.ID}},
		{"ended since", funnel.ClaimFilter{EndedSince: end}, []int64{released.ID}},
		{"ended since later", funnel.ClaimFilter{EndedSince: end.Add(time.Microsecond)}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Claims(ctx, tt.f)
			Must(t, err, "list claims")
			sameValue(t, "ids", nonNil(claimIDs(got)), nonNil(tt.want))
		})
	}

	bad := NewClaim(cs[1].ID, f.Manager.ID)
	bad.Status, bad.EndedAt, bad.EndedBy = funnel.ClaimReleased, &end, u.ID+1000
	WantFunnelField(t, s.CreateClaim(ctx, bad), "ended_by")
	old.Status, old.EndedAt, old.EndedBy = funnel.ClaimReleased, &end, u.ID+1000
	WantFunnelField(t, s.UpdateClaim(ctx, old), "ended_by")

	// The claim outlives the user who released it.
	Must(t, s.DeleteUser(ctx, u.ID), "delete user")
	got, err = s.Claim(ctx, released.ID)
	Must(t, err, "read claim")
	if got.EndedBy != 0 {
		t.Errorf("EndedBy after deleting the user = %d, want 0", got.EndedBy)
	}
}

func testActivityNewFields(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 1)
	dist := 412.75
	// 2027-03-31 23:30 in Beijing is 15:30 UTC: the stored day is the UTC day.
	expires := time.Date(2027, 3, 31, 23, 30, 0, 0, time.FixedZone("CST", 8*3600))
	a := NewActivity(cs[0].ID, f.Manager.ID, Epoch)
	a.Signals, a.ContractExpires, a.DistanceM = []funnel.SignalKind{funnel.ContractExpiring}, &expires, &dist
	Must(t, s.CreateActivity(ctx, a), "create activity")
	want := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	if a.ContractExpires == nil || !a.ContractExpires.Equal(want) || a.ContractExpires.Location() != time.UTC {
		t.Errorf("written-back ContractExpires = %v, want %v", a.ContractExpires, want)
	}
	b := NewActivity(cs[0].ID, f.Manager.ID, Epoch.Add(time.Hour)) // neither field
	Must(t, s.CreateActivity(ctx, b), "create activity")
	got, err := s.Activities(ctx, funnel.ActivityFilter{})
	Must(t, err, "list activities")
	if len(got) != 2 {
		t.Fatalf("got %d activities, want 2", len(got))
	}
	sameActivity(t, got[0], a)
	sameActivity(t, got[1], b)
	if got[1].DistanceM != nil || got[1].ContractExpires != nil {
		t.Errorf("activity without them read back DistanceM %v ContractExpires %v", got[1].DistanceM, got[1].ContractExpires)
	}
	c := NewActivity(cs[0].ID, f.Manager.ID, Epoch)
	c.Signals = []funnel.SignalKind{funnel.ContractExpiring}
	WantFunnelField(t, s.CreateActivity(ctx, c), "contract_expires")
	WantFunnelField(t, s.BulkActivities(ctx, []*funnel.Activity{c}, nil), "contract_expires")
}

func testSetFunnelState(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 1)
	c := cs[0]
	if c.Stage != funnel.Target {
		t.Fatalf("fixture customer at %s, want target", c.Stage)
	}
	before := c.UpdatedAt
	Must(t, s.SetFunnelState(ctx, c.ID, funnel.Target, funnel.List, f.Manager.ID), "target → list")
	got, err := s.Customer(ctx, c.ID)
	Must(t, err, "read customer")
	if got.Stage != funnel.List || got.OwnerID != f.Manager.ID {
		t.Errorf("after SetFunnelState: stage %s owner %d, want list %d", got.Stage, got.OwnerID, f.Manager.ID)
	}
	if got.UpdatedAt.Before(before) {
		t.Errorf("UpdatedAt %s went back from %s", got.UpdatedAt, before)
	}
	stamped(t, "customer.UpdatedAt", got.UpdatedAt)

	// The stored stage is no longer target: a stale caller is refused.
	err = s.SetFunnelState(ctx, c.ID, funnel.Target, funnel.List, f.Manager.ID)
	wantFunnelConflict(t, err)
	wantFunnelNotFound(t, s.SetFunnelState(ctx, c.ID+1000, funnel.Target, funnel.List, f.Manager.ID))
	WantFunnelField(t, s.SetFunnelState(ctx, c.ID, funnel.List, "prospect", 0), "stage")
	WantFunnelField(t, s.SetFunnelState(ctx, c.ID, funnel.List, funnel.Potential, f.Manager.ID+1000), "owner_id")

	// Owner 0 clears him and keeps the stage asked for.
	Must(t, s.SetFunnelState(ctx, c.ID, funnel.List, funnel.Potential, 0), "list → potential, no owner")
	got, err = s.Customer(ctx, c.ID)
	Must(t, err, "read customer")
	if got.Stage != funnel.Potential || got.OwnerID != 0 {
		t.Errorf("stage %s owner %d, want potential and none", got.Stage, got.OwnerID)
	}
	// In a transaction, a refused change rolls nothing else back by itself.
	err = s.InTx(ctx, func(tx data.Store) error {
		return tx.SetFunnelState(ctx, c.ID, funnel.Intent, funnel.Order, f.Manager.ID)
	})
	wantFunnelConflict(t, err)
}

func testLockManager(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	Must(t, s.LockManager(ctx, f.Manager.ID), "lock manager outside a transaction")
	wantFunnelNotFound(t, s.LockManager(ctx, f.Manager.ID+1000))
	Must(t, s.InTx(ctx, func(tx data.Store) error {
		if err := tx.LockManager(ctx, f.Manager.ID); err != nil {
			return err
		}
		// Locking him does not stop his own writes in the transaction.
		cs := MustCustomers(t, tx, "c", f.Grid.ID, 1)
		return tx.CreateClaim(ctx, NewClaim(cs[0].ID, f.Manager.ID))
	}), "lock manager in a transaction")

	// Two transactions locking one manager run one after the other.
	var mu sync.Mutex
	var inside, most int
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			errs[i] = s.InTx(ctx, func(tx data.Store) error {
				if err := tx.LockManager(ctx, f.Manager.ID); err != nil {
					return err
				}
				mu.Lock()
				inside++
				most = max(most, inside)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
				mu.Lock()
				inside--
				mu.Unlock()
				return nil
			})
		})
	}
	wg.Wait()
	for _, err := range errs {
		Must(t, err, "concurrent lock")
	}
	if most != 1 {
		t.Errorf("%d transactions held the manager's lock at once, want 1", most)
	}
}

func testFunnelConfig(t *testing.T, s data.Store) {
	ctx := t.Context()
	got, err := s.FunnelConfig(ctx)
	Must(t, err, "read default config")
	sameValue(t, "config when none saved", got, funnel.DefaultConfig())

	c := funnel.DefaultConfig()
	c.LapseDays, c.WarnDays, c.CooldownDays = 45, 10, 21
	c.QuotaStages = []funnel.Stage{funnel.List, funnel.Potential}
	c.Checklists[funnel.Intent] = append(c.Checklists[funnel.Intent],
		funnel.Requirement{Key: "site_survey", Label: "Site survey done", LabelZH: "已现场勘查", Kind: funnel.KindBool, Optional: true})
	Must(t, s.SaveFunnelConfig(ctx, c), "save config")
	got, err = s.FunnelConfig(ctx)
	Must(t, err, "read config")
	sameValue(t, "config", got, c)

	// A second save replaces it; zero fields are filled with the defaults.
	c2 := &funnel.Config{LapseDays: 60}
	Must(t, s.SaveFunnelConfig(ctx, c2), "save partial config")
	got, err = s.FunnelConfig(ctx)
	Must(t, err, "read config")
	want := funnel.DefaultConfig()
	want.LapseDays = 60
	sameValue(t, "partial config", got, want)

	bad := funnel.DefaultConfig()
	bad.WarnDays = bad.LapseDays + 1
	WantFunnelField(t, s.SaveFunnelConfig(ctx, bad), "warn_days")
	got, err = s.FunnelConfig(ctx)
	Must(t, err, "read config")
	if got.LapseDays != 60 {
		t.Errorf("a refused save changed the config: lapse_days %d", got.LapseDays)
	}
	// Saved in a transaction that rolls back, it is not kept.
	err = s.InTx(ctx, func(tx data.Store) error {
		if err := tx.SaveFunnelConfig(ctx, funnel.DefaultConfig()); err != nil {
			return err
		}
		return errors.New("roll back")
	})
	if err == nil {
		t.Fatal("InTx did not return fn's error")
	}
	got, err = s.FunnelConfig(ctx)
	Must(t, err, "read config")
	if got.LapseDays != 60 {
		t.Errorf("a rolled-back save changed the config: lapse_days %d", got.LapseDays)
	}
}

// lapseFixture creates n active claims, claim i last active i days after
// Epoch, on customers of their own.
func lapseFixture(t *testing.T, s data.Store, n int) (*Fixture, []*funnel.Claim) {
	t.Helper()
	ctx := t.Context()
	f := Seed(t, s, "01")
	cs := MustCustomers(t, s, "c", f.Grid.ID, n)
	claims := make([]*funnel.Claim, n)
	for i, c := range cs {
		cl := NewClaim(c.ID, f.Manager.ID)
		cl.LastActivityAt = Epoch.Add(time.Duration(i) * 24 * time.Hour)
		Must(t, s.CreateClaim(ctx, cl), "create claim")
		claims[i] = cl
	}
	return f, claims
}

func testLapseClaims(t *testing.T, s data.Store) {
	ctx := t.Context()
	f, claims := lapseFixture(t, s, 5)
	// A released claim last active long ago is left alone.
	cs := MustCustomers(t, s, "r", f.Grid.ID, 1)
	end := Epoch.Add(time.Hour)
	released := NewClaim(cs[0].ID, f.Manager.ID)
	released.Status, released.EndedAt, released.EndReason = funnel.ClaimReleased, &end, "released"
	Must(t, s.CreateClaim(ctx, released), "create released claim")

	now := Epoch.Add(40*24*time.Hour + 123456789)
	cutoff := Epoch.Add(2 * 24 * time.Hour) // claims 0 and 1 are before it, claim 2 is at it
	const reason = "30天无有效销售动作"
	got, err := s.LapseClaims(ctx, cutoff, now, reason)
	Must(t, err, "lapse claims")
	sameValue(t, "lapsed ids", claimIDs(got), []int64{claims[0].ID, claims[1].ID})
	stored := data.Stamp(now)
	for i, c := range got {
		want := *claims[i]
		want.Status, want.EndedAt, want.EndReason, want.EndedBy = funnel.ClaimLapsed, &stored, reason, 0
		sameClaim(t, c, &want)
		read, err := s.Claim(ctx, c.ID)
		Must(t, err, "read lapsed claim")
		sameClaim(t, read, &want)
	}
	// Idempotent: nothing more to do.
	got, err = s.LapseClaims(ctx, cutoff, now, reason)
	Must(t, err, "lapse claims again")
	if len(got) != 0 {
		t.Errorf("second LapseClaims returned %d claims, want none", len(got))
	}
	active, err := s.Claims(ctx, funnel.ClaimFilter{Status: funnel.ClaimActive})
	Must(t, err, "list active claims")
	sameValue(t, "active ids", claimIDs(active), []int64{claims[2].ID, claims[3].ID, claims[4].ID})
	r, err := s.Claim(ctx, released.ID)
	Must(t, err, "read released claim")
	sameClaim(t, r, released)

	WantFunnelField(t, errOf(s.LapseClaims(ctx, time.Time{}, now, reason)), "cutoff")
	WantFunnelField(t, errOf(s.LapseClaims(ctx, now.Add(time.Hour), now, reason)), "cutoff")
	// In a transaction that rolls back, nothing lapses.
	err = s.InTx(ctx, func(tx data.Store) error {
		got, err := tx.LapseClaims(ctx, now, now, reason)
		if err != nil {
			return err
		}
		if len(got) != 3 {
			t.Errorf("LapseClaims in a transaction returned %d claims, want 3", len(got))
		}
		return errors.New("roll back")
	})
	if err == nil {
		t.Fatal("InTx did not return fn's error")
	}
	active, err = s.Claims(ctx, funnel.ClaimFilter{Status: funnel.ClaimActive})
	Must(t, err, "list active claims")
	if len(active) != 3 {
		t.Errorf("%d active claims after a rolled-back lapse, want 3", len(active))
	}
}

func errOf[T any](_ T, err error) error { return err }

func testLapseConcurrent(t *testing.T, s data.Store) {
	ctx := t.Context()
	const n, workers = 40, 4
	_, claims := lapseFixture(t, s, n)
	now := Epoch.Add(100 * 24 * time.Hour)
	start := make(chan struct{})
	results := make([][]*funnel.Claim, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			<-start
			// Half run in a transaction of their own, as a job would.
			if w%2 == 0 {
				results[w], errs[w] = s.LapseClaims(ctx, now, now, "lapse")
				return
			}
			errs[w] = s.InTx(ctx, func(tx data.Store) error {
				var err error
				results[w], err = tx.LapseClaims(ctx, now, now, "lapse")
				return err
			})
		})
	}
	close(start)
	wg.Wait()
	seen := map[int64]int{}
	for w := range workers {
		Must(t, errs[w], fmt.Sprintf("worker %d", w))
		for _, c := range results[w] {
			seen[c.ID]++
			if c.Status != funnel.ClaimLapsed {
				t.Errorf("claim %d returned with status %s", c.ID, c.Status)
			}
		}
	}
	for _, c := range claims {
		if seen[c.ID] != 1 {
			t.Errorf("claim %d lapsed %d times, want once", c.ID, seen[c.ID])
		}
	}
	if len(seen) != n {
		t.Errorf("%d claims lapsed, want %d", len(seen), n)
	}
}

// testClaimRace claims one customer from two managers at once, as the
// sales service does (lock the manager, claim, move the customer to list):
// exactly one wins, the other gets funnel.ErrConflict, and the customer
// ends on the winner's list.
func testClaimRace(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	m2 := NewManager(f.Grid.ID, "m2")
	Must(t, s.CreateManager(ctx, m2), "create manager")
	mgrs := []int64{f.Manager.ID, m2.ID}
	const rounds = 5
	cs := MustCustomers(t, s, "c", f.Grid.ID, rounds)
	for r, c := range cs {
		start := make(chan struct{})
		errs := make([]error, len(mgrs))
		var wg sync.WaitGroup
		for i, m := range mgrs {
			wg.Go(func() {
				<-start
				errs[i] = s.InTx(ctx, func(tx data.Store) error {
					if err := tx.LockManager(ctx, m); err != nil {
						return err
					}
					cl := NewClaim(c.ID, m)
					if err := tx.CreateClaim(ctx, cl); err != nil {
						return err
					}
					return tx.SetFunnelState(ctx, c.ID, funnel.Target, funnel.List, m)
				})
			})
		}
		close(start)
		wg.Wait()
		var winner int64
		for i, err := range errs {
			switch {
			case err == nil:
				if winner != 0 {
					t.Fatalf("round %d: both managers claimed customer %d", r, c.ID)
				}
				winner = mgrs[i]
			case errors.Is(err, funnel.ErrConflict):
			default:
				t.Fatalf("round %d: manager %d: %v, want nil or funnel.ErrConflict", r, mgrs[i], err)
			}
		}
		if winner == 0 {
			t.Fatalf("round %d: neither manager claimed customer %d: %v", r, c.ID, errs)
		}
		active, err := s.Claims(ctx, funnel.ClaimFilter{CustomerID: c.ID})
		Must(t, err, "list claims")
		if len(active) != 1 || active[0].ManagerID != winner || active[0].Status != funnel.ClaimActive {
			t.Errorf("round %d: claims %+v, want one active by manager %d", r, active, winner)
		}
		got, err := s.Customer(ctx, c.ID)
		Must(t, err, "read customer")
		if got.Stage != funnel.List || got.OwnerID != winner {
			t.Errorf("round %d: customer at %s owned by %d, want list, %d", r, got.Stage, got.OwnerID, winner)
		}
	}
}

func testBulkFunnel(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	u := NewUser("mgr", territory.RoleManager, f.Manager.ID)
	Must(t, s.CreateUser(ctx, u), "create user")
	const n = 130 // more than one SQLite batch, with a remainder
	cs := MustCustomers(t, s, "c", f.Grid.ID, 3)
	ts := make([]*funnel.Transition, n)
	for i := range ts {
		ts[i] = &funnel.Transition{
			CustomerID: cs[i%3].ID, ManagerID: f.Manager.ID, From: funnel.Target, To: funnel.List,
			At: Epoch.Add(time.Duration(i) * time.Minute),
		}
		if i%2 == 0 {
			ts[i].UserID, ts[i].Evidence = u.ID, map[string]string{"k": fmt.Sprint(i)}
		}
	}
	var p progressLog
	Must(t, s.BulkTransitions(ctx, ts, p.fn), "bulk transitions")
	p.check(t, n)
	got, err := s.Transitions(ctx, funnel.TransitionFilter{})
	Must(t, err, "list transitions")
	if len(got) != n {
		t.Fatalf("got %d transitions, want %d", len(got), n)
	}
	increasing(t, "bulk transition ids", transitionIDs(ts))
	for i := range ts {
		sameTransition(t, got[i], ts[i])
	}
	// A transition created afterwards gets a fresh id.
	next := &funnel.Transition{CustomerID: cs[0].ID, From: funnel.List, To: funnel.Target, At: Epoch}
	Must(t, s.CreateTransition(ctx, next), "create transition after bulk")
	if next.ID <= ts[n-1].ID {
		t.Errorf("id %d after bulk, want > %d", next.ID, ts[n-1].ID)
	}

	a := NewActivity(cs[0].ID, f.Manager.ID, Epoch)
	Must(t, s.CreateActivity(ctx, a), "create activity")
	fs := make([]*funnel.FollowUp, n)
	for i := range fs {
		fs[i] = &funnel.FollowUp{CustomerID: cs[i%3].ID, ManagerID: f.Manager.ID, Due: Epoch.AddDate(0, 0, i), Reason: "到期跟进", CreatedAt: Epoch}
		if i%3 == 0 {
			fs[i].ActivityID = a.ID
		}
		if i%5 == 0 {
			d := Epoch.Add(time.Hour)
			fs[i].DoneAt = &d
		}
	}
	p = progressLog{}
	Must(t, s.BulkFollowUps(ctx, fs, p.fn), "bulk follow-ups")
	p.check(t, n)
	gotF, err := s.FollowUps(ctx, funnel.FollowUpFilter{})
	Must(t, err, "list follow-ups")
	if len(gotF) != n {
		t.Fatalf("got %d follow-ups, want %d", len(gotF), n)
	}
	for i := range fs {
		sameFollowUp(t, gotF[i], fs[i])
	}
	Must(t, s.BulkTransitions(ctx, nil, nil), "empty bulk transitions")
	Must(t, s.BulkFollowUps(ctx, nil, nil), "empty bulk follow-ups")

	// A bad row is named and nothing is written.
	bad := []*funnel.Transition{
		{CustomerID: cs[0].ID, From: funnel.Target, To: funnel.List, At: Epoch},
		{CustomerID: cs[0].ID, From: funnel.Target, To: funnel.List, At: Epoch},
		{CustomerID: cs[0].ID + 1000, From: funnel.Target, To: funnel.List, At: Epoch},
	}
	err = s.BulkTransitions(ctx, bad, nil)
	WantFunnelField(t, err, "customer_id")
	if !containsRow(err, 2) {
		t.Errorf("bulk error %q does not name row 2", err)
	}
	badF := []*funnel.FollowUp{
		{CustomerID: cs[0].ID, ManagerID: f.Manager.ID, Due: Epoch},
		{CustomerID: cs[0].ID, ManagerID: f.Manager.ID + 1000, Due: Epoch},
	}
	err = s.BulkFollowUps(ctx, badF, nil)
	WantFunnelField(t, err, "manager_id")
	if !containsRow(err, 1) {
		t.Errorf("bulk error %q does not name row 1", err)
	}
	WantFunnelField(t, s.BulkFollowUps(ctx, []*funnel.FollowUp{{CustomerID: cs[0].ID, ManagerID: f.Manager.ID}}, nil), "due")
	got, err = s.Transitions(ctx, funnel.TransitionFilter{})
	Must(t, err, "list transitions")
	gotF, err = s.FollowUps(ctx, funnel.FollowUpFilter{})
	Must(t, err, "list follow-ups")
	if len(got) != n+1 || len(gotF) != n {
		t.Errorf("after refused loads: %d transitions, %d follow-ups, want %d and %d", len(got), len(gotF), n+1, n)
	}
}

func containsRow(err error, i int) bool {
	return err != nil && strings.Contains(err.Error(), fmt.Sprintf("row %d", i))
}

func testFunnelDeleteReset(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	m2 := NewManager(f.Grid.ID, "m2")
	Must(t, s.CreateManager(ctx, m2), "create manager")
	u := NewUser("planner", territory.RolePlanner, 0)
	Must(t, s.CreateUser(ctx, u), "create user")
	cs := MustCustomers(t, s, "c", f.Grid.ID, 2)
	tr := &funnel.Transition{CustomerID: cs[0].ID, ManagerID: m2.ID, UserID: u.ID, From: funnel.Target, To: funnel.List, At: Epoch}
	Must(t, s.CreateTransition(ctx, tr), "create transition")
	Must(t, s.CreateTransition(ctx, &funnel.Transition{CustomerID: cs[1].ID, From: funnel.Target, To: funnel.List, At: Epoch}), "create transition")
	fu := &funnel.FollowUp{CustomerID: cs[1].ID, ManagerID: m2.ID, Due: Epoch, Reason: "x"}
	Must(t, s.CreateFollowUp(ctx, fu), "create follow-up")

	// A manager with follow-ups stays; his transitions do not hold him.
	err := s.DeleteManager(ctx, m2.ID)
	WantConflict(t, err, "follow-ups")
	// A deleted user is forgotten in transitions.
	Must(t, s.DeleteUser(ctx, u.ID), "delete user")
	got, err := s.Transitions(ctx, funnel.TransitionFilter{CustomerID: cs[0].ID})
	Must(t, err, "list transitions")
	if len(got) != 1 || got[0].UserID != 0 || got[0].ManagerID != m2.ID {
		t.Errorf("transitions after deleting the user: %+v", got)
	}
	// A deleted customer takes its transitions and follow-ups with it.
	Must(t, s.DeleteCustomer(ctx, cs[1].ID), "delete customer")
	fs, err := s.FollowUps(ctx, funnel.FollowUpFilter{})
	Must(t, err, "list follow-ups")
	all, err := s.Transitions(ctx, funnel.TransitionFilter{})
	Must(t, err, "list transitions")
	if len(fs) != 0 || len(all) != 1 {
		t.Errorf("after deleting the customer: %d follow-ups, %d transitions, want 0 and 1", len(fs), len(all))
	}
	// Without follow-ups the manager goes; his transitions stay, without him.
	Must(t, s.DeleteManager(ctx, m2.ID), "delete manager")
	all, err = s.Transitions(ctx, funnel.TransitionFilter{})
	Must(t, err, "list transitions")
	if len(all) != 1 || all[0].ManagerID != 0 {
		t.Errorf("transitions after deleting the manager: %+v", all)
	}

	Must(t, s.CreateFollowUp(ctx, &funnel.FollowUp{CustomerID: cs[0].ID, ManagerID: f.Manager.ID, Due: Epoch}), "create follow-up")
	c := funnel.DefaultConfig()
	c.LapseDays = 50
	Must(t, s.SaveFunnelConfig(ctx, c), "save config")
	Must(t, s.Reset(ctx), "Reset")
	all, err = s.Transitions(ctx, funnel.TransitionFilter{})
	Must(t, err, "list transitions")
	fs, err = s.FollowUps(ctx, funnel.FollowUpFilter{})
	Must(t, err, "list follow-ups")
	cfg, err := s.FunnelConfig(ctx)
	Must(t, err, "read config")
	if len(all)+len(fs) != 0 || cfg.LapseDays != funnel.DefaultConfig().LapseDays {
		t.Errorf("after Reset: %d transitions, %d follow-ups, lapse_days %d", len(all), len(fs), cfg.LapseDays)
	}
	// The store works as before.
	f2 := Seed(t, s, "02")
	cs = MustCustomers(t, s, "d", f2.Grid.ID, 1)
	x := &funnel.Transition{CustomerID: cs[0].ID, From: funnel.Target, To: funnel.List, At: Epoch}
	Must(t, s.CreateTransition(ctx, x), "create transition after Reset")
	if x.ID <= 0 {
		t.Errorf("first transition after Reset has id %d", x.ID)
	}
}
