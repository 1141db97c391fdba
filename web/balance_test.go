package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"gridplan/funnel"
	"gridplan/territory"
)

// proposalJS is POST /api/balance/proposals as the page reads it.
type proposalJS struct {
	Scope struct {
		Kind    string  `json:"kind"`
		ID      int64   `json:"id"`
		Code    string  `json:"code"`
		GridIDs []int64 `json:"grid_ids"`
	} `json:"scope"`
	Params struct {
		Slack        int     `json:"slack"`
		CrossGrid    bool    `json:"cross_grid"`
		MovePenaltyM float64 `json:"move_penalty_m"`
	} `json:"params"`
	Pool       int    `json:"pool"`
	Held       int    `json:"held"`
	Locked     int    `json:"locked"`
	Assigned   int    `json:"assigned"`
	Infeasible string `json:"infeasible"`
	Managers   []struct {
		ID     int64   `json:"id"`
		Code   string  `json:"code"`
		Lng    float64 `json:"lng"`
		Before int     `json:"before"`
		After  int     `json:"after"`
		Min    int     `json:"min"`
		Max    int     `json:"max"`
	} `json:"managers"`
	Customers []struct {
		ID       int64 `json:"id"`
		Holder   int64 `json:"holder"`
		Proposed int64 `json:"proposed"`
		Locked   bool  `json:"locked"`
	} `json:"customers"`
	Changes []balanceChangeJS `json:"changes"`
}

type balanceChangeJS struct {
	CustomerID int64  `json:"customer_id"`
	From       int64  `json:"from"`
	To         int64  `json:"to"`
	Reason     string `json:"reason"`
}

type acceptJS struct {
	Results []struct {
		CustomerID int64  `json:"customer_id"`
		Status     string `json:"status"`
		Code       string `json:"code"`
		Reason     string `json:"reason"`
		Owner      int64  `json:"owner"`
		Claim      *struct {
			ID        int64 `json:"id"`
			ManagerID int64 `json:"manager_id"`
		} `json:"claim"`
	} `json:"results"`
	Applied int `json:"applied"`
	Refused int `json:"refused"`
}

// balanceWorld gives XH-01's two managers small quotas (0–4), a fresh
// claim each (locked) and ten customers in the grid's pool.
func balanceWorld(t *testing.T, w *world) (pool []*territory.Customer) {
	t.Helper()
	ctx := context.Background()
	for _, m := range []*territory.Manager{w.m1, w.m2} {
		m.Quota = territory.Quota{Min: 0, Target: 3, Max: 4}
		if err := w.store.UpdateManager(ctx, m); err != nil {
			t.Fatal(err)
		}
		cu := w.own[m.ID][0] // at list
		now := w.clock.Now()
		if err := w.store.CreateClaim(ctx, &funnel.Claim{CustomerID: cu.ID, ManagerID: m.ID, Status: funnel.ClaimActive, ClaimedAt: now, LastActivityAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	for range 10 {
		pool = append(pool, w.poolCustomer(t, w.g1, funnel.Target))
	}
	return pool
}

// TestBalanceProposeAccept: a planner's proposal for a grid, then a partial
// accept: the accepted changes become claims, the one left out stays in
// the pool, accepting again is refused as stale; on both stores.
func TestBalanceProposeAccept(t *testing.T) {
	onBothStores(t, func(t *testing.T, w *world) {
		pool := balanceWorld(t, w)
		rec := w.post(t, "planner", "/api/balance/proposals", map[string]any{"grid_id": w.g1.ID})
		wantStatus(t, rec, http.StatusOK)
		var p proposalJS
		decode(t, rec, &p)
		if p.Scope.Kind != "grid" || p.Scope.ID != w.g1.ID || p.Pool != 10 || p.Held != 2 || p.Locked != 2 || p.Params.Slack != 1 || p.Params.MovePenaltyM != 300 {
			t.Fatalf("proposal %+v", p)
		}
		// 12 customers, slack 1, quotas 4 + 4: 8 assigned, 6 of them from the pool.
		if p.Assigned != 8 || len(p.Managers) != 2 || len(p.Customers) != 12 || len(p.Changes) != 6 {
			t.Fatalf("assigned %d, %d managers, %d customers, %d changes", p.Assigned, len(p.Managers), len(p.Customers), len(p.Changes))
		}
		for _, m := range p.Managers {
			if m.Before != 1 || m.After != 4 || m.Max != 4 || m.Lng == 0 {
				t.Errorf("manager %+v", m)
			}
		}
		for _, ch := range p.Changes {
			if ch.From != 0 || ch.To == 0 || ch.Reason == "" {
				t.Errorf("change %+v: want a pool customer given to a manager, with a reason", ch)
			}
		}

		// Accept all but the first.
		left := p.Changes[0]
		var changes []map[string]any
		for _, ch := range p.Changes[1:] {
			changes = append(changes, map[string]any{"customer_id": ch.CustomerID, "from": ch.From, "to": ch.To})
		}
		rec = w.post(t, "planner", "/api/balance/accept", map[string]any{"changes": changes})
		wantStatus(t, rec, http.StatusOK)
		var res acceptJS
		decode(t, rec, &res)
		if res.Applied != 5 || res.Refused != 0 || len(res.Results) != 5 {
			t.Fatalf("accept: %s", rec.Body)
		}
		for i, r := range res.Results {
			ch := p.Changes[i+1]
			if r.CustomerID != ch.CustomerID || r.Status != "applied" || r.Owner != ch.To || r.Claim == nil || r.Claim.ManagerID != ch.To {
				t.Errorf("result %d %+v for %+v", i, r, ch)
			}
			cu := mustCustomer(t, w, ch.CustomerID)
			if cu.OwnerID != ch.To || cu.Stage != funnel.List {
				t.Errorf("customer %d: owner %d stage %s", cu.ID, cu.OwnerID, cu.Stage)
			}
			ts, err := w.store.Transitions(context.Background(), funnel.TransitionFilter{CustomerID: cu.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 1 || ts[0].UserID != w.users["planner"].ID || !strings.HasPrefix(ts[0].Reason, "balanced:") {
				t.Errorf("transitions of customer %d: %+v", cu.ID, ts)
			}
		}
		if cu := mustCustomer(t, w, left.CustomerID); cu.OwnerID != 0 || cu.Stage != funnel.Target {
			t.Errorf("the change left out was applied: %+v", cu)
		}
		// The lists the funnel API shows hold the accepted customers.
		for _, m := range []*territory.Manager{w.m1, w.m2} {
			var lv struct {
				Quota struct {
					Count int `json:"count"`
				} `json:"quota"`
			}
			rec := w.get(t, "planner", path("/api/funnel/list?manager_id=%d", m.ID))
			wantStatus(t, rec, http.StatusOK)
			decode(t, rec, &lv)
			want := 1
			for _, ch := range p.Changes[1:] {
				if ch.To == m.ID {
					want++
				}
			}
			if lv.Quota.Count != want {
				t.Errorf("%s's list counts %d, want %d", m.Code, lv.Quota.Count, want)
			}
		}
		_ = pool

		// The same changes again: stale, nothing written.
		rec = w.post(t, "admin", "/api/balance/accept", map[string]any{"changes": changes[:1]})
		wantStatus(t, rec, http.StatusOK)
		res = acceptJS{}
		decode(t, rec, &res)
		if len(res.Results) != 1 || res.Results[0].Status != "refused" || res.Results[0].Code != "stale" || res.Results[0].Reason == "" {
			t.Errorf("accepting again: %s", rec.Body)
		}
		// The proposal now keeps everyone: only the change left out remains
		// possible, and the locked claims stay.
		rec = w.post(t, "planner", "/api/balance/proposals", map[string]any{"grid_id": w.g1.ID, "slack": 0})
		wantStatus(t, rec, http.StatusOK)
		var p2 proposalJS
		decode(t, rec, &p2)
		if p2.Locked != 7 || p2.Params.Slack != 0 {
			t.Errorf("second proposal: %d locked (want 7), slack %d", p2.Locked, p2.Params.Slack)
		}
	})
}

// TestBalanceBadInput: 400s name the field; managers and leaders get 403.
func TestBalanceBadInput(t *testing.T) {
	w := newWorld(t)
	for _, tt := range []struct {
		path  string
		body  any
		field string
	}{
		{"/api/balance/proposals", map[string]any{}, "grid_id"},
		{"/api/balance/proposals", map[string]any{"grid_id": 999999}, "grid_id"},
		{"/api/balance/proposals", map[string]any{"district_id": 999999}, "district_id"},
		{"/api/balance/proposals", map[string]any{"grid_id": w.g1.ID, "district_id": w.d1.ID}, "grid_id"},
		{"/api/balance/proposals", map[string]any{"grid_id": w.g1.ID, "slack": -1}, "slack"},
		{"/api/balance/proposals", map[string]any{"grid_id": w.g1.ID, "slack": "many"}, "slack"},
		{"/api/balance/proposals", map[string]any{"grid_id": w.g1.ID, "move_penalty_m": -5}, "move_penalty_m"},
		{"/api/balance/accept", map[string]any{"changes": []any{}}, "changes"},
		{"/api/balance/accept", map[string]any{}, "changes"},
		{"/api/balance/accept", map[string]any{"changes": []any{map[string]any{"customer_id": 0, "to": 1}}}, "changes[0].customer_id"},
		{"/api/balance/accept", map[string]any{"changes": []any{map[string]any{"customer_id": 5, "from": 2, "to": 2}}}, "changes[0].to"},
	} {
		rec := w.post(t, "planner", tt.path, tt.body)
		wantError(t, rec, http.StatusBadRequest, "invalid", tt.field)
	}
	for _, user := range []string{"zhang", "leader"} {
		wantError(t, w.post(t, user, "/api/balance/proposals", map[string]any{"grid_id": w.g1.ID}), http.StatusForbidden, "forbidden", "")
		wantError(t, w.post(t, user, "/api/balance/accept", map[string]any{"changes": []any{map[string]any{"customer_id": 1, "to": 1}}}), http.StatusForbidden, "forbidden", "")
	}
}

// TestBalanceOpenAPI checks both endpoints' answers against openapi.json.
func TestBalanceOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	w := newWorld(t)
	balanceWorld(t, w)
	rec := w.post(t, "planner", "/api/balance/proposals", map[string]any{"district_id": w.d1.ID, "cross_grid": true, "compact": true})
	var p proposalJS
	decode(t, rec, &p)
	for _, tt := range []struct {
		route  string
		body   any
		status int
	}{
		{"/api/balance/proposals", map[string]any{"grid_id": w.g1.ID}, 200},
		{"/api/balance/proposals", map[string]any{"district_id": w.d1.ID, "cross_grid": true, "compact": true, "slack": 2, "move_penalty_m": 0}, 200},
		{"/api/balance/proposals", map[string]any{"slack": 3}, 400},
		{"/api/balance/accept", map[string]any{"changes": []any{map[string]any{"customer_id": p.Changes[0].CustomerID, "from": p.Changes[0].From, "to": p.Changes[0].To}}, "cross_grid": true}, 200},
		{"/api/balance/accept", map[string]any{"changes": []any{map[string]any{"customer_id": p.Changes[0].CustomerID, "from": p.Changes[0].From, "to": p.Changes[0].To}}}, 200}, // refused: stale
		{"/api/balance/accept", map[string]any{"changes": "all"}, 400},
	} {
		item := doc.Paths.Value(tt.route)
		if item == nil {
			t.Fatalf("%s is not documented", tt.route)
		}
		rec := w.post(t, "planner", tt.route, tt.body)
		if rec.Code != tt.status {
			t.Errorf("%s %v: status %d, want %d: %s", tt.route, tt.body, rec.Code, tt.status, rec.Body)
		}
		checkResponse(t, doc, item, item.Post, "POST", tt.route, rec)
	}
	if !slices.Contains(p.Scope.GridIDs, w.g2.ID) {
		t.Errorf("the district's proposal covers grids %v, without XH-02", p.Scope.GridIDs)
	}
}
