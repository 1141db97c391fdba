package sales_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gridplan/funnel"
	"gridplan/territory"
	"gridplan/territory/sales"
)

// planner creates a planner's login and returns him as an actor.
func (f *fixture) planner(tb testing.TB) sales.Actor {
	tb.Helper()
	u := &territory.User{Username: fmt.Sprintf("planner%d", f.n), PasswordHash: "x", Role: territory.RolePlanner}
	f.n++
	must(tb, f.st.CreateUser(context.Background(), u))
	return sales.Actor{UserID: u.ID, Role: territory.RolePlanner}
}

// held puts a customer of grid g on manager m's list with an active claim
// whose last activity was daysAgo days before the fixture's now.
func (f *fixture) held(tb testing.TB, g *territory.Grid, m *territory.Manager, stage funnel.Stage, daysAgo int) *territory.Customer {
	tb.Helper()
	cu := f.customer(tb, g, stage, m.ID)
	at := f.clock.Now().AddDate(0, 0, -daysAgo)
	must(tb, f.st.CreateClaim(context.Background(), &funnel.Claim{CustomerID: cu.ID, ManagerID: m.ID, Status: funnel.ClaimActive, ClaimedAt: at, LastActivityAt: at}))
	return cu
}

func activeClaimOf(tb testing.TB, f *fixture, customerID int64) *funnel.Claim {
	tb.Helper()
	cs, err := f.st.Claims(context.Background(), funnel.ClaimFilter{CustomerID: customerID, Status: funnel.ClaimActive})
	must(tb, err)
	if len(cs) == 0 {
		return nil
	}
	return cs[0]
}

// TestProposeMembers: who takes part in a grid's balance, what is locked,
// the default slack, and that the proposal keeps the locked claims, the
// quotas and the assigned count.
func TestProposeMembers(t *testing.T) {
	onStores(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		planner := f.planner(t)
		m1, _ := f.manager(t, f.g1, 4)
		m2, _ := f.manager(t, f.g1, 4)
		other, _ := f.manager(t, f.g2, 4)
		valid := f.held(t, f.g1, m1, funnel.List, 2)         // worked 2 days ago: locked
		lapsing := f.held(t, f.g1, m1, funnel.Potential, 26) // in the warning window (30 − 7): movable
		validOther := f.held(t, f.g1, m2, funnel.Intent, 1)
		inNet := f.customer(t, f.g1, funnel.InNetwork, m2.ID) // kept without a claim: not taking part
		var pool []*territory.Customer
		for range 6 {
			pool = append(pool, f.customer(t, f.g1, funnel.Target, 0))
		}
		leftPotential := f.customer(t, f.g1, funnel.Potential, 0) // left in the pool by a lapse: takes part
		f.customer(t, f.g1, funnel.InNetwork, 0)                  // unclaimed in-network: retention, not list work
		f.customer(t, f.g2, funnel.Target, 0)                     // another grid
		f.held(t, f.g2, other, funnel.List, 1)                    // another grid's list

		p, err := f.svc.Propose(ctx, planner, sales.ProposeInput{GridID: f.g1.ID})
		must(t, err)
		if p.Scope.Kind != "grid" || p.Scope.ID != f.g1.ID || p.Scope.Code != "XH-01" {
			t.Errorf("scope %+v", p.Scope)
		}
		n := 3 + 6 + 1
		if len(p.Customers) != n || p.Pool != 7 || p.Held != 3 || p.LockedN != 2 || p.Movable != 1 {
			t.Fatalf("%d customers (pool %d, held %d, locked %d, movable %d), want %d (7, 3, 2, 1)", len(p.Customers), p.Pool, p.Held, p.LockedN, p.Movable, n)
		}
		if p.Params.Slack != 1 || p.Params.MovePenaltyM != 300 {
			t.Errorf("params %+v, want slack 1 (10%% of 10) and penalty 300", p.Params)
		}
		byID := map[int64]sales.ProposalCustomer{}
		for _, c := range p.Customers {
			byID[c.ID] = c
		}
		if _, ok := byID[inNet.ID]; ok {
			t.Error("an in-network customer kept without a claim takes part")
		}
		if _, ok := byID[leftPotential.ID]; !ok {
			t.Error("a potential customer left in the pool does not take part")
		}
		for _, c := range []*territory.Customer{valid, validOther} {
			pc := byID[c.ID]
			if !pc.Locked || pc.Holder != c.OwnerID || pc.Proposed != c.OwnerID {
				t.Errorf("valid claim of customer %d: %+v, want locked with its holder", c.ID, pc)
			}
		}
		if pc := byID[lapsing.ID]; pc.Locked || !pc.Lapsing || pc.Holder != m1.ID {
			t.Errorf("lapsing claim: %+v, want movable", pc)
		}
		if pc := byID[pool[0].ID]; pc.Holder != 0 || pc.Locked || pc.Weight <= 0 {
			t.Errorf("pool customer: %+v", pc)
		}
		// Quotas 4 + 4: min(10 − 1, 8) = 8 assigned, each list within quota.
		if p.Assigned != 8 {
			t.Errorf("%d assigned, want 8", p.Assigned)
		}
		after := 0
		for _, m := range p.Managers {
			if m.After > m.Max || m.After < m.Min || m.Violation != 0 {
				t.Errorf("manager %s: %+v", m.Code, m)
			}
			after += m.After
			if m.ID == m1.ID && (m.Before != 2 || m.Locked != 1) {
				t.Errorf("m1 before %d locked %d, want 2 and 1", m.Before, m.Locked)
			}
		}
		if after != 8 || len(p.Managers) != 2 {
			t.Errorf("%d managers holding %d after", len(p.Managers), after)
		}
		for _, ch := range p.Changes {
			if ch.CustomerID == valid.ID || ch.CustomerID == validOther.ID {
				t.Errorf("a locked claim moves: %+v", ch)
			}
			if ch.From == ch.To || ch.Reason == "" {
				t.Errorf("change %+v", ch)
			}
			if pc := byID[ch.CustomerID]; pc.Holder != ch.From || pc.Proposed != ch.To {
				t.Errorf("change %+v disagrees with the customer %+v", ch, pc)
			}
		}

		// A district takes both grids; slack and the penalty as given.
		slack, pen := 0, 0.0
		pd, err := f.svc.Propose(ctx, planner, sales.ProposeInput{DistrictID: f.g1.DistrictID, Slack: &slack, MovePenaltyM: &pen})
		must(t, err)
		if pd.Scope.Kind != "district" || len(pd.Scope.GridIDs) != 2 || len(pd.Managers) != 3 || len(pd.Customers) != n+2 || pd.Params.Slack != 0 {
			t.Errorf("district: scope %+v, %d managers, %d customers, params %+v", pd.Scope, len(pd.Managers), len(pd.Customers), pd.Params)
		}
	})
}

// TestProposeRefusals: bad input names the field; only planners and admins balance.
func TestProposeRefusals(t *testing.T) {
	f := newFixture(t, openSQLite(t))
	ctx := context.Background()
	planner := f.planner(t)
	neg, far := -1, 1e9
	for _, tt := range []struct {
		in    sales.ProposeInput
		field string
	}{
		{sales.ProposeInput{}, "grid_id"},
		{sales.ProposeInput{GridID: f.g1.ID, DistrictID: f.g1.DistrictID}, "grid_id"},
		{sales.ProposeInput{GridID: 999}, "grid_id"},
		{sales.ProposeInput{DistrictID: 999}, "district_id"},
		{sales.ProposeInput{GridID: -3}, "grid_id"},
		{sales.ProposeInput{GridID: f.g1.ID, Slack: &neg}, "slack"},
		{sales.ProposeInput{GridID: f.g1.ID, MovePenaltyM: &far}, "move_penalty_m"},
	} {
		_, err := f.svc.Propose(ctx, planner, tt.in)
		var fe *territory.FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%+v: %v, want an invalid %s", tt.in, err, tt.field)
		}
	}
	for _, role := range []territory.Role{territory.RoleLeader, territory.RoleManager} {
		if _, err := f.svc.Propose(ctx, sales.Actor{Role: role, ManagerID: 1}, sales.ProposeInput{GridID: f.g1.ID}); !errors.Is(err, territory.ErrForbidden) {
			t.Errorf("%s proposes: %v", role, err)
		}
		if _, err := f.svc.Accept(ctx, sales.Actor{Role: role, ManagerID: 1}, sales.AcceptInput{Changes: []sales.AcceptChange{{CustomerID: 1, To: 1}}}); !errors.Is(err, territory.ErrForbidden) {
			t.Errorf("%s accepts: %v", role, err)
		}
	}
	for _, tt := range []struct {
		changes []sales.AcceptChange
		field   string
	}{
		{nil, "changes"},
		{[]sales.AcceptChange{{CustomerID: 0, To: 1}}, "changes[0].customer_id"},
		{[]sales.AcceptChange{{CustomerID: 1, To: 1}, {CustomerID: 2, From: 3, To: 3}}, "changes[1].to"},
		{[]sales.AcceptChange{{CustomerID: 1, To: 1}, {CustomerID: 1, To: 2}}, "changes[1].customer_id"},
		{[]sales.AcceptChange{{CustomerID: 1, From: -1, To: 2}}, "changes[0].from"},
	} {
		_, err := f.svc.Accept(ctx, planner, sales.AcceptInput{Changes: tt.changes})
		var fe *territory.FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%+v: %v, want an invalid %s", tt.changes, err, tt.field)
		}
	}
}

// TestAccept: each change is checked against the store as it is now and
// applied on its own: claims from the pool, a lapsing claim moved and one
// released, with their audit; stale, valid-again, full, cross-grid and
// cooldown changes refused with their reason, changing nothing.
func TestAccept(t *testing.T) {
	onStores(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		planner := f.planner(t)
		m1, a1 := f.manager(t, f.g1, 70)
		m2, a2 := f.manager(t, f.g1, 3)
		m3, _ := f.manager(t, f.g1, 70)
		poolA := f.customer(t, f.g1, funnel.Target, 0)
		poolB := f.customer(t, f.g1, funnel.Target, 0) // m2 claims it before the accept: stale
		poolC := f.customer(t, f.g1, funnel.Target, 0) // for m2, full once poolB is his
		poolG2 := f.customer(t, f.g2, funnel.Target, 0)
		lapsingMove := f.held(t, f.g1, m1, funnel.Potential, 27)
		lapsingRelease := f.held(t, f.g1, m1, funnel.List, 28)
		workedSince := f.held(t, f.g1, m1, funnel.List, 26) // m1 logs an activity before the accept
		f.held(t, f.g1, m2, funnel.List, 1)
		lapsingOfM2 := f.held(t, f.g1, m2, funnel.List, 29) // released to the pool: makes room for poolD
		poolD := f.customer(t, f.g1, funnel.Target, 0)
		cooled := f.customer(t, f.g1, funnel.Target, 0)
		ended := f.clock.Now().AddDate(0, 0, -3)
		must(t, f.st.CreateClaim(ctx, &funnel.Claim{CustomerID: cooled.ID, ManagerID: m3.ID, Status: funnel.ClaimLapsed,
			ClaimedAt: ended.AddDate(0, 0, -40), LastActivityAt: ended.AddDate(0, 0, -30), EndedAt: &ended, EndReason: "lapsed"}))

		// Meanwhile: m2 claims poolB (he is now at his maximum 3), m1 works a claim.
		_, err := f.svc.Claim(ctx, a2, poolB.ID)
		must(t, err)
		_, err = f.svc.LogActivity(ctx, a1, workedSince.ID, sales.ActivityInput{Kind: funnel.Phone})
		must(t, err)
		f.clock.Add(time.Minute)

		changes := []sales.AcceptChange{
			{CustomerID: poolA.ID, From: 0, To: m1.ID},
			{CustomerID: poolB.ID, From: 0, To: m1.ID},
			{CustomerID: poolC.ID, From: 0, To: m3.ID},
			{CustomerID: poolD.ID, From: 0, To: m2.ID}, // room only after lapsingOfM2 leaves
			{CustomerID: poolG2.ID, From: 0, To: m1.ID},
			{CustomerID: lapsingMove.ID, From: m1.ID, To: m3.ID},
			{CustomerID: lapsingRelease.ID, From: m1.ID, To: 0},
			{CustomerID: workedSince.ID, From: m1.ID, To: m3.ID},
			{CustomerID: lapsingOfM2.ID, From: m2.ID, To: 0},
			{CustomerID: cooled.ID, From: 0, To: m3.ID},
			{CustomerID: poolC.ID + 100000, From: 0, To: m1.ID},
		}
		res, err := f.svc.Accept(ctx, planner, sales.AcceptInput{Changes: changes})
		must(t, err)
		want := []struct{ status, code string }{
			{"applied", ""}, {"refused", "stale"}, {"applied", ""}, {"applied", ""}, {"refused", "grid"},
			{"applied", ""}, {"applied", ""}, {"refused", "valid"}, {"applied", ""}, {"refused", "cooldown"}, {"refused", "not_found"},
		}
		if len(res) != len(want) {
			t.Fatalf("%d results for %d changes", len(res), len(changes))
		}
		for i, r := range res {
			if r.CustomerID != changes[i].CustomerID || r.Status != want[i].status || r.Code != want[i].code {
				t.Errorf("change %d %+v: %s %s (%s), want %s %s", i, changes[i], r.Status, r.Code, r.Reason, want[i].status, want[i].code)
			}
			if r.Status == "refused" && r.Reason == "" {
				t.Errorf("change %d refused without a reason", i)
			}
		}
		if !strings.Contains(res[1].Reason, m2.Code) {
			t.Errorf("stale refusal %q does not name the holder", res[1].Reason)
		}

		// Claims from the pool: the claim, the owner, target → list by the planner.
		for _, c := range []struct {
			cu *territory.Customer
			m  *territory.Manager
		}{{poolA, m1}, {poolC, m3}, {poolD, m2}} {
			got := f.get(t, c.cu.ID)
			cl := activeClaimOf(t, f, c.cu.ID)
			if got.OwnerID != c.m.ID || got.Stage != funnel.List || cl == nil || cl.ManagerID != c.m.ID {
				t.Errorf("customer %d: owner %d stage %s claim %+v, want %s's at list", c.cu.ID, got.OwnerID, got.Stage, cl, c.m.Code)
			}
			ts, err := f.st.Transitions(ctx, funnel.TransitionFilter{CustomerID: c.cu.ID})
			must(t, err)
			if len(ts) != 1 || ts[0].UserID != planner.UserID || ts[0].To != funnel.List || !strings.HasPrefix(ts[0].Reason, "balanced: claimed for") {
				t.Errorf("transitions of customer %d: %+v", c.cu.ID, ts)
			}
		}
		// The move: the old claim released with the audit, the new one m3's, stage kept.
		if got := f.get(t, lapsingMove.ID); got.OwnerID != m3.ID || got.Stage != funnel.Potential {
			t.Errorf("moved customer %+v", got)
		}
		if res[5].Ended == nil || res[5].Ended.Status != funnel.ClaimReleased || res[5].Ended.EndedBy != planner.UserID ||
			res[5].Ended.EndReason != "balanced: moved to "+m3.Name+" ("+m3.Code+")" || res[5].Claim == nil || res[5].Claim.ManagerID != m3.ID {
			t.Errorf("move result %+v ended %+v", res[5], res[5].Ended)
		}
		old, err := f.st.Claim(ctx, res[5].Ended.ID)
		must(t, err)
		if old.Status != funnel.ClaimReleased || old.EndedBy != planner.UserID || !strings.HasPrefix(old.EndReason, "balanced:") {
			t.Errorf("stored old claim %+v", old)
		}
		// The release: back to the pool at target, recorded.
		if got := f.get(t, lapsingRelease.ID); got.OwnerID != 0 || got.Stage != funnel.Target || activeClaimOf(t, f, lapsingRelease.ID) != nil {
			t.Errorf("released customer %+v", got)
		}
		ts, err := f.st.Transitions(ctx, funnel.TransitionFilter{CustomerID: lapsingRelease.ID})
		must(t, err)
		if len(ts) != 1 || ts[0].UserID != planner.UserID || ts[0].From != funnel.List || ts[0].To != funnel.Target || ts[0].Reason != "balanced: released to the pool" {
			t.Errorf("release transitions %+v", ts)
		}
		// Refused changes changed nothing.
		if got := f.get(t, poolB.ID); got.OwnerID != m2.ID {
			t.Errorf("stale change moved customer %d: %+v", poolB.ID, got)
		}
		if got := f.get(t, workedSince.ID); got.OwnerID != m1.ID || activeClaimOf(t, f, workedSince.ID).ManagerID != m1.ID {
			t.Errorf("a claim worked since moved: %+v", got)
		}
		for _, cu := range []*territory.Customer{poolG2, cooled} {
			if got := f.get(t, cu.ID); got.OwnerID != 0 || got.Stage != funnel.Target {
				t.Errorf("refused customer %d changed: %+v", cu.ID, got)
			}
		}

		// The same accept again: everything applied before is stale now.
		again, err := f.svc.Accept(ctx, planner, sales.AcceptInput{Changes: changes[:1]})
		must(t, err)
		if again[0].Status != "refused" || again[0].Code != "stale" {
			t.Errorf("accepting twice: %+v", again[0])
		}
		// Cross-grid when allowed.
		x, err := f.svc.Accept(ctx, planner, sales.AcceptInput{Changes: changes[4:5], CrossGrid: true})
		must(t, err)
		if x[0].Status != "applied" || f.get(t, poolG2.ID).OwnerID != m1.ID {
			t.Errorf("cross-grid accept: %+v", x[0])
		}
	})
}

// TestProposeThenAccept: a proposal accepted whole leaves every list
// within its quota and matches the proposed assignment.
func TestProposeThenAccept(t *testing.T) {
	onStores(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		planner := f.planner(t)
		m1, _ := f.manager(t, f.g1, 5)
		m2, _ := f.manager(t, f.g1, 5)
		f.held(t, f.g1, m1, funnel.List, 1)
		f.held(t, f.g1, m1, funnel.List, 27)
		f.held(t, f.g1, m2, funnel.Potential, 28)
		for range 12 {
			f.customer(t, f.g1, funnel.Target, 0)
		}
		p, err := f.svc.Propose(ctx, planner, sales.ProposeInput{GridID: f.g1.ID})
		must(t, err)
		if len(p.Changes) == 0 {
			t.Fatal("no changes proposed")
		}
		var changes []sales.AcceptChange
		for _, ch := range p.Changes {
			changes = append(changes, sales.AcceptChange{CustomerID: ch.CustomerID, From: ch.From, To: ch.To})
		}
		res, err := f.svc.Accept(ctx, planner, sales.AcceptInput{Changes: changes})
		must(t, err)
		for i, r := range res {
			if r.Status != "applied" {
				t.Errorf("change %+v: %s %s", changes[i], r.Status, r.Reason)
			}
		}
		for _, c := range p.Customers {
			if got := f.get(t, c.ID); got.OwnerID != c.Proposed {
				t.Errorf("customer %d: owner %d, proposed %d", c.ID, got.OwnerID, c.Proposed)
			}
		}
		for _, m := range []*territory.Manager{m1, m2} {
			cs, err := f.st.Claims(ctx, funnel.ClaimFilter{ManagerID: m.ID, Status: funnel.ClaimActive})
			must(t, err)
			if len(cs) > m.Quota.Max {
				t.Errorf("%s holds %d claims, max %d", m.Code, len(cs), m.Quota.Max)
			}
		}
	})
}
