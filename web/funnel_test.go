package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/data/postgres"
	"gridplan/data/postgres/pgtest"
	"gridplan/funnel"
	"gridplan/territory"
	"gridplan/territory/sales"
)

// openPostgres returns a fresh, migrated store in its own schema of
// TEST_DATABASE_URL, dropped at cleanup (pgtest.Open).
func openPostgres(tb testing.TB) data.Store { return pgtest.Open(tb, postgres.Open) }

// funnelStores are the stores the funnel tests run on.
var funnelStores = []struct {
	name string
	open func(testing.TB) data.Store
}{
	{"sqlite", openStore},
	{"postgres", openPostgres},
}

// onBothStores runs fn on a fresh world in SQLite and in PostgreSQL.
func onBothStores(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, st := range funnelStores {
		t.Run(st.name, func(t *testing.T) {
			fn(t, newWorldOn(t, st.open(t), Deps{}, nil))
		})
	}
}

var funnelSeq struct {
	mu sync.Mutex
	n  int
}

func nextSeq() int {
	funnelSeq.mu.Lock()
	defer funnelSeq.mu.Unlock()
	funnelSeq.n++
	return funnelSeq.n
}

// poolCustomer adds a customer to grid g's pool at stage.
func (w *world) poolCustomer(tb testing.TB, g *territory.Grid, stage funnel.Stage) *territory.Customer {
	tb.Helper()
	n := nextSeq()
	c := g.Boundary.Bound().Center()
	cu := &territory.Customer{ExternalID: fmt.Sprintf("F%04d", n), Name: fmt.Sprintf("漏斗测试公司 %d", n), Address: "文一路 1 号",
		Location: orb.Point{c[0] - 0.005 + float64(n%50)*0.0002, c[1] - 0.005}, GridID: g.ID, Carrier: territory.CarrierCompetitor, Stage: stage}
	cu.Normalize()
	if err := w.store.CreateCustomer(context.Background(), cu); err != nil {
		tb.Fatalf("pool customer: %v", err)
	}
	return cu
}

// addManager adds a manager to grid g with a login named after his code.
func (w *world) addManager(tb testing.TB, g *territory.Grid, code, name string) *territory.Manager {
	tb.Helper()
	ctx := context.Background()
	m := &territory.Manager{Code: code, Name: name, GridID: g.ID, Base: g.Boundary.Bound().Center()}
	m.Normalize()
	if err := w.store.CreateManager(ctx, m); err != nil {
		tb.Fatalf("manager %s: %v", code, err)
	}
	u := &territory.User{Username: code, PasswordHash: testHash(), Role: territory.RoleManager, ManagerID: m.ID}
	if err := w.store.CreateUser(ctx, u); err != nil {
		tb.Fatalf("user %s: %v", code, err)
	}
	w.users[code] = u
	return m
}

// post sends a JSON POST as username.
func (w *world) post(tb testing.TB, username, path string, body any) *httptest.ResponseRecorder {
	tb.Helper()
	return w.do(tb, request{Method: http.MethodPost, Path: path, Body: body, Cookie: w.session(tb, username)})
}

// funnelRefusal is a 409 body of the funnel API.
type funnelRefusal struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Holder  *struct {
			ManagerID int64     `json:"manager_id"`
			Name      string    `json:"name"`
			Since     time.Time `json:"since"`
		} `json:"holder"`
		Quota *struct {
			Count int `json:"count"`
			Max   int `json:"max"`
		} `json:"quota"`
		Cooldown *struct {
			Until time.Time `json:"until"`
		} `json:"cooldown"`
		Missing []funnel.Requirement `json:"missing"`
	} `json:"error"`
}

func refusal(tb testing.TB, rec *httptest.ResponseRecorder) funnelRefusal {
	tb.Helper()
	wantError(tb, rec, http.StatusConflict, "conflict", "")
	var r funnelRefusal
	decode(tb, rec, &r)
	return r
}

func mustCustomer(tb testing.TB, w *world, id int64) *territory.Customer {
	tb.Helper()
	cu, err := w.store.Customer(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return cu
}

func claimsOf(tb testing.TB, w *world, f funnel.ClaimFilter) []*funnel.Claim {
	tb.Helper()
	cs, err := w.store.Claims(context.Background(), f)
	if err != nil {
		tb.Fatal(err)
	}
	return cs
}

func transitionsOf(tb testing.TB, w *world, customerID int64) []*funnel.Transition {
	tb.Helper()
	ts, err := w.store.Transitions(context.Background(), funnel.TransitionFilter{CustomerID: customerID})
	if err != nil {
		tb.Fatal(err)
	}
	return ts
}

// TestFunnelClaimConcurrent: managers of one grid claim the same pool
// customer at the same moment over HTTP: exactly one 201, every other
// request a 409 naming the winner; one active claim, one transition.
func TestFunnelClaimConcurrent(t *testing.T) {
	onBothStores(t, func(t *testing.T, w *world) {
		const n = 8
		cu := w.poolCustomer(t, w.g1, funnel.Target)
		cookies := make([]*http.Cookie, n)
		ms := make([]*territory.Manager, n)
		for i := range n {
			ms[i] = w.addManager(t, w.g1, fmt.Sprintf("c%03d", i), fmt.Sprintf("并发%d", i))
			cookies[i] = w.session(t, ms[i].Code)
		}
		recs := make([]*httptest.ResponseRecorder, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				req := httptest.NewRequest(http.MethodPost, path("/api/customers/%d/claim", cu.ID), nil)
				req.AddCookie(cookies[i])
				rec := httptest.NewRecorder()
				w.handler.ServeHTTP(rec, req)
				recs[i] = rec
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, rec := range recs {
			if rec.Code == http.StatusCreated {
				if winner >= 0 {
					t.Fatalf("two claims won: %d and %d", winner, i)
				}
				winner = i
			}
		}
		if winner < 0 {
			for _, rec := range recs {
				t.Logf("%d %s", rec.Code, rec.Body)
			}
			t.Fatal("no claim won")
		}
		for i, rec := range recs {
			if i == winner {
				continue
			}
			r := refusal(t, rec)
			if r.Error.Holder == nil || r.Error.Holder.ManagerID != ms[winner].ID || !strings.Contains(r.Error.Message, ms[winner].Name) ||
				!strings.Contains(r.Error.Holder.Name, ms[winner].Code) {
				t.Errorf("loser %d: %s; want the holder %s (%d)", i, rec.Body, ms[winner].Name, ms[winner].ID)
			}
		}
		got := mustCustomer(t, w, cu.ID)
		if got.Stage != funnel.List || got.OwnerID != ms[winner].ID {
			t.Errorf("customer after the race: stage %s owner %d, want list %d", got.Stage, got.OwnerID, ms[winner].ID)
		}
		if cs := claimsOf(t, w, funnel.ClaimFilter{CustomerID: cu.ID}); len(cs) != 1 || cs[0].ManagerID != ms[winner].ID {
			t.Errorf("claims after the race: %+v", cs)
		}
		if ts := transitionsOf(t, w, cu.ID); len(ts) != 1 || ts[0].From != funnel.Target || ts[0].To != funnel.List || ts[0].UserID != w.users[ms[winner].Code].ID {
			t.Errorf("transitions after the race: %+v", ts)
		}
	})
}

// TestFunnelClaimRules: scope, quota, cooldown after a lapse, admins
// claiming for a manager, release.
func TestFunnelClaimRules(t *testing.T) {
	onBothStores(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		a := w.poolCustomer(t, w.g1, funnel.Target)
		b := w.poolCustomer(t, w.g1, funnel.Target)
		lost := w.poolCustomer(t, w.g1, funnel.Lost)
		other := w.pool[0] // grid XH-02's pool: no one of XH-01 may claim it

		wantError(t, w.post(t, "zhang", path("/api/customers/%d/claim", other.ID), nil), http.StatusForbidden, "forbidden", "")
		wantError(t, w.post(t, "leader", path("/api/customers/%d/claim", a.ID), nil), http.StatusForbidden, "forbidden", "")
		wantError(t, w.post(t, "admin", path("/api/customers/%d/claim", a.ID), nil), http.StatusBadRequest, "invalid", "manager_id")
		wantError(t, w.post(t, "zhang", "/api/customers/999999/claim", nil), http.StatusNotFound, "not_found", "")
		wantError(t, w.post(t, "zhang", path("/api/customers/%d/claim", a.ID), map[string]any{"manager_id": w.m2.ID}), http.StatusForbidden, "forbidden", "")

		rec := w.post(t, "zhang", path("/api/customers/%d/claim", a.ID), nil)
		wantStatus(t, rec, http.StatusCreated)
		var out struct{ Claim funnel.Claim }
		decode(t, rec, &out)
		if out.Claim.ManagerID != w.m1.ID || out.Claim.Status != funnel.ClaimActive || !out.Claim.ClaimedAt.Equal(t0) {
			t.Errorf("claim %+v", out.Claim)
		}
		// Held: his teammate is told by whom and since when.
		r := refusal(t, w.post(t, "li", path("/api/customers/%d/claim", a.ID), nil))
		if r.Error.Holder == nil || r.Error.Holder.ManagerID != w.m1.ID || !strings.Contains(r.Error.Message, "张伟 (m001)") || !strings.Contains(r.Error.Message, "2026-11-26") {
			t.Errorf("held: %+v", r.Error)
		}
		// A customer on a list without a claim (the fixture's) is held too.
		r = refusal(t, w.post(t, "zhang", path("/api/customers/%d/claim", w.own[w.m2.ID][0].ID), nil))
		if r.Error.Holder == nil || r.Error.Holder.ManagerID != w.m2.ID {
			t.Errorf("owned without claim: %+v", r.Error)
		}
		// A lost pool customer restarts at list.
		wantStatus(t, w.post(t, "li", path("/api/customers/%d/claim", lost.ID), nil), http.StatusCreated)
		if got := mustCustomer(t, w, lost.ID); got.Stage != funnel.List || got.OwnerID != w.m2.ID {
			t.Errorf("lost customer claimed: %s %d", got.Stage, got.OwnerID)
		}

		// Quota: li's list is full at 2 (his fixture customers have no
		// claim; the lost one claimed just now counts).
		m2 := *w.m2
		m2.Quota = territory.Quota{Min: 0, Target: 1, Max: 1}
		if err := w.store.UpdateManager(ctx, &m2); err != nil {
			t.Fatal(err)
		}
		r = refusal(t, w.post(t, "li", path("/api/customers/%d/claim", b.ID), nil))
		if r.Error.Quota == nil || r.Error.Quota.Count != 1 || r.Error.Quota.Max != 1 || !strings.Contains(r.Error.Message, "1 of 1") {
			t.Errorf("quota: %+v", r.Error)
		}

		// Admin claims for a manager.
		rec = w.post(t, "admin", path("/api/customers/%d/claim", b.ID), map[string]any{"manager_id": w.m1.ID})
		wantStatus(t, rec, http.StatusCreated)
		if got := mustCustomer(t, w, b.ID); got.OwnerID != w.m1.ID {
			t.Errorf("admin's claim for m001: owner %d", got.OwnerID)
		}

		// Release: not by a teammate; by the holder, back to target.
		wantError(t, w.post(t, "li", path("/api/customers/%d/release", b.ID), map[string]any{"reason": "mine"}), http.StatusForbidden, "forbidden", "")
		rec = w.post(t, "zhang", path("/api/customers/%d/release", b.ID), map[string]any{"reason": "客户无需求"})
		wantStatus(t, rec, http.StatusOK)
		decode(t, rec, &out)
		if out.Claim.Status != funnel.ClaimReleased || out.Claim.EndReason != "客户无需求" || out.Claim.EndedBy != w.users["zhang"].ID {
			t.Errorf("released claim %+v", out.Claim)
		}
		if got := mustCustomer(t, w, b.ID); got.Stage != funnel.Target || got.OwnerID != 0 {
			t.Errorf("released customer: %s %d", got.Stage, got.OwnerID)
		}
		refusal(t, w.post(t, "admin", path("/api/customers/%d/release", b.ID), nil)) // no active claim left: 409

		// Lapse and cooldown: 31 days without activity, the claim of a
		// lapses; zhang may not reclaim for 14 days, li may.
		w.clock.Add(31 * 24 * time.Hour)
		rec = w.post(t, "admin", "/api/funnel/lapse", nil)
		wantStatus(t, rec, http.StatusOK)
		var lr sales.LapseResult
		decode(t, rec, &lr)
		if lr.Count != 2 { // a (zhang) and lost (li)
			t.Fatalf("lapsed %d claims, want 2: %s", lr.Count, rec.Body)
		}
		if got := mustCustomer(t, w, a.ID); got.Stage != funnel.Target || got.OwnerID != 0 {
			t.Errorf("lapsed customer: %s %d", got.Stage, got.OwnerID)
		}
		r = refusal(t, w.post(t, "zhang", path("/api/customers/%d/claim", a.ID), nil))
		if r.Error.Cooldown == nil || !r.Error.Cooldown.Until.Equal(w.clock.Now().AddDate(0, 0, 14)) {
			t.Errorf("cooldown: %+v (%s)", r.Error, r.Error.Message)
		}
		// The pool shows zhang when he may claim it again.
		rec = w.get(t, "zhang", "/api/funnel/pool")
		wantStatus(t, rec, http.StatusOK)
		var pool sales.PoolView
		decode(t, rec, &pool)
		var seen bool
		for _, it := range pool.Items {
			if it.ID == a.ID {
				seen = it.CooldownUntil != nil && it.CooldownUntil.Equal(r.Error.Cooldown.Until)
			}
		}
		if !seen || pool.GridID != w.g1.ID || pool.Count != len(pool.Items) || pool.Counts[funnel.Target] < 2 {
			t.Errorf("pool: %+v", pool)
		}
		wantStatus(t, w.post(t, "li", path("/api/customers/%d/claim", a.ID), nil), http.StatusCreated)
		w.clock.Add(14 * 24 * time.Hour)
		m2.Quota = territory.DefaultQuota()
		if err := w.store.UpdateManager(ctx, &m2); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, w.post(t, "li", path("/api/customers/%d/release", a.ID), nil), http.StatusOK)
		wantStatus(t, w.post(t, "zhang", path("/api/customers/%d/claim", a.ID), nil), http.StatusCreated)
	})
}

// TestFunnelLapseConcurrent: two lapse runs at once end every overdue
// claim exactly once; a third finds nothing.
func TestFunnelLapseConcurrent(t *testing.T) {
	onBothStores(t, func(t *testing.T, w *world) {
		const k = 12
		var ids []int64
		for i := range k {
			cu := w.poolCustomer(t, w.g1, funnel.Target)
			user := []string{"zhang", "li"}[i%2]
			wantStatus(t, w.post(t, user, path("/api/customers/%d/claim", cu.ID), nil), http.StatusCreated)
			ids = append(ids, cu.ID)
		}
		// One claim stays alive: a phone call 20 days in.
		w.clock.Add(20 * 24 * time.Hour)
		wantStatus(t, w.post(t, "zhang", path("/api/customers/%d/activities", ids[0]), map[string]any{"kind": "phone"}), http.StatusCreated)
		w.clock.Add(11 * 24 * time.Hour)

		admin := w.session(t, "admin")
		var wg sync.WaitGroup
		results := make([]sales.LapseResult, 2)
		for i := range 2 {
			wg.Go(func() {
				req := httptest.NewRequest(http.MethodPost, "/api/funnel/lapse", nil)
				req.AddCookie(admin)
				rec := httptest.NewRecorder()
				w.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &results[i]) != nil {
					t.Errorf("lapse run %d: %d %s", i, rec.Code, rec.Body)
				}
			})
		}
		wg.Wait()
		seen := map[int64]int{}
		for _, r := range results {
			for _, c := range r.Claims {
				seen[c.CustomerID]++
				if c.Status != funnel.ClaimLapsed || c.EndedAt == nil || c.EndedBy != 0 {
					t.Errorf("lapsed claim %+v", c)
				}
			}
		}
		if len(seen) != k-1 || results[0].Count+results[1].Count != k-1 {
			t.Fatalf("two runs lapsed %d + %d claims of %d customers, want %d once each", results[0].Count, results[1].Count, len(seen), k-1)
		}
		for id, n := range seen {
			if n != 1 || id == ids[0] {
				t.Errorf("customer %d lapsed %d times", id, n)
			}
		}
		for _, id := range ids[1:] {
			cu := mustCustomer(t, w, id)
			ts := transitionsOf(t, w, id)
			if cu.Stage != funnel.Target || cu.OwnerID != 0 || len(ts) != 2 || ts[1].From != funnel.List || ts[1].To != funnel.Target || ts[1].UserID != 0 {
				t.Errorf("customer %d after the lapse: %s owner %d, transitions %+v", id, cu.Stage, cu.OwnerID, ts)
			}
		}
		if cu := mustCustomer(t, w, ids[0]); cu.OwnerID != w.m1.ID || cu.Stage != funnel.List {
			t.Errorf("the worked claim lapsed: %+v", cu)
		}
		rec := w.post(t, "admin", "/api/funnel/lapse", nil)
		var again sales.LapseResult
		decode(t, rec, &again)
		if again.Count != 0 || len(again.Claims) != 0 {
			t.Errorf("third run lapsed %d", again.Count)
		}
	})
}

// TestFunnelTransitions walks a customer through the checklists: refusals
// name what is missing and store nothing.
func TestFunnelTransitions(t *testing.T) {
	onBothStores(t, func(t *testing.T, w *world) {
		cu := w.poolCustomer(t, w.g1, funnel.Target)
		wantStatus(t, w.post(t, "zhang", path("/api/customers/%d/claim", cu.ID), nil), http.StatusCreated)
		tr := func(body map[string]any) *httptest.ResponseRecorder {
			return w.post(t, "zhang", path("/api/customers/%d/transition", cu.ID), body)
		}
		keys := func(rs []funnel.Requirement) []string {
			var out []string
			for _, r := range rs {
				out = append(out, r.Key)
			}
			return out
		}

		// list → potential needs a signal, budget and the decision maker.
		r := refusal(t, tr(map[string]any{"to": "potential"}))
		if got := keys(r.Error.Missing); !slices.Equal(got, []string{"signal", "budget_confirmed", "decision_maker"}) || !strings.Contains(r.Error.Message, "decision_maker") {
			t.Errorf("missing %v (%s)", got, r.Error.Message)
		}
		for _, m := range r.Error.Missing {
			if m.LabelZH == "" || m.Label == "" || m.Kind == "" {
				t.Errorf("requirement without labels: %+v", m)
			}
		}
		// The same through an activity: 409, and nothing stored.
		r = refusal(t, w.post(t, "zhang", path("/api/customers/%d/activities", cu.ID), map[string]any{
			"kind": "visit_door", "signals": []string{"new_need"}, "to": "potential", "evidence": map[string]any{"budget_confirmed": true}}))
		if got := keys(r.Error.Missing); !slices.Equal(got, []string{"decision_maker"}) {
			t.Errorf("with a signal and budget, missing %v", got)
		}
		if as, _ := w.store.Activities(context.Background(), funnel.ActivityFilter{CustomerID: cu.ID}); len(as) != 0 {
			t.Errorf("a refused activity stored %d activities", len(as))
		}
		if ts := transitionsOf(t, w, cu.ID); len(ts) != 1 || mustCustomer(t, w, cu.ID).Stage != funnel.List {
			t.Errorf("a refused stage change stored something: %+v", ts)
		}
		wantError(t, tr(map[string]any{"to": "intent"}), http.StatusConflict, "conflict", "") // skipping a step
		wantError(t, tr(map[string]any{"to": "nowhere"}), http.StatusBadRequest, "invalid", "to")
		wantError(t, tr(map[string]any{}), http.StatusBadRequest, "invalid", "to")
		wantError(t, tr(map[string]any{"to": "list"}), http.StatusConflict, "conflict", "") // same stage

		// A signal logged, then the move with the evidence.
		wantStatus(t, w.post(t, "zhang", path("/api/customers/%d/activities", cu.ID), map[string]any{"kind": "phone", "signals": []string{"product_inquiry"}}), http.StatusCreated)
		rec := tr(map[string]any{"to": "potential", "evidence": map[string]any{"budget_confirmed": true, "decision_maker": "王总（总经理）"}})
		wantStatus(t, rec, http.StatusOK)
		var res sales.TransitionResult
		decode(t, rec, &res)
		if tt := res.Transition; tt == nil || tt.From != funnel.List || tt.To != funnel.Potential || tt.Evidence["decision_maker"] != "王总（总经理）" ||
			tt.Evidence["budget_confirmed"] != "true" || tt.UserID != w.users["zhang"].ID || tt.ManagerID != w.m1.ID {
			t.Errorf("transition %+v", res.Transition)
		}
		// Back needs a reason.
		r = refusal(t, tr(map[string]any{"to": "list"}))
		if !strings.Contains(strings.ToLower(r.Error.Message), "reason") {
			t.Errorf("back without a reason: %s", r.Error.Message)
		}
		// Intent through an activity, in one request.
		rec = w.post(t, "zhang", path("/api/customers/%d/activities", cu.ID), map[string]any{
			"kind": "proposal", "note": "方案", "to": "intent", "evidence": map[string]any{"requirement": "千兆专线"}})
		wantStatus(t, rec, http.StatusCreated)
		var ar struct {
			Activity   *funnel.Activity
			Transition *funnel.Transition
		}
		decode(t, rec, &ar)
		if ar.Activity == nil || ar.Transition == nil || ar.Transition.To != funnel.Intent {
			t.Fatalf("activity with a stage change: %s", rec.Body)
		}
		wantStatus(t, tr(map[string]any{"to": "order", "evidence": map[string]any{"order_ref": "HT-2026-0193"}}), http.StatusOK)
		// A malformed activation date is the caller's mistake: 400 on the field.
		wantError(t, tr(map[string]any{"to": "in_network", "evidence": map[string]any{"activation_date": "26/11/2026"}}), http.StatusBadRequest, "invalid", "evidence.activation_date")
		rec = tr(map[string]any{"to": "in_network", "evidence": map[string]any{"activation_date": "2026-11-25"}})
		wantStatus(t, rec, http.StatusOK)
		decode(t, rec, &res)
		// Into the network: the claim ends, he stays with his manager.
		if res.Claim == nil || res.Claim.Status != funnel.ClaimReleased {
			t.Errorf("claim after in_network: %+v", res.Claim)
		}
		if got := mustCustomer(t, w, cu.ID); got.Stage != funnel.InNetwork || got.OwnerID != w.m1.ID {
			t.Errorf("in network: %s %d", got.Stage, got.OwnerID)
		}
		wantStatus(t, tr(map[string]any{"to": "churned", "reason": "转竞争对手"}), http.StatusOK)
		wantStatus(t, tr(map[string]any{"to": "target"}), http.StatusOK) // restart: back to the pool
		if got := mustCustomer(t, w, cu.ID); got.Stage != funnel.Target || got.OwnerID != 0 {
			t.Errorf("restarted: %s %d", got.Stage, got.OwnerID)
		}
		// Now in the pool: no stage change without a claim.
		wantError(t, tr(map[string]any{"to": "list"}), http.StatusConflict, "conflict", "")

		rec = w.get(t, "zhang", path("/api/customers/%d/transitions", cu.ID))
		var list struct{ Items []funnel.Transition }
		decode(t, rec, &list)
		var steps []string
		for _, tt := range list.Items {
			steps = append(steps, string(tt.To))
		}
		if want := []string{"list", "potential", "intent", "order", "in_network", "churned", "target"}; !slices.Equal(steps, want) {
			t.Errorf("transitions %v, want %v", steps, want)
		}
		// A teammate may not move zhang's customers, nor read them.
		own := w.own[w.m1.ID][0]
		wantError(t, w.post(t, "li", path("/api/customers/%d/transition", own.ID), map[string]any{"to": "lost", "reason": "x"}), http.StatusForbidden, "forbidden", "")
		wantError(t, w.get(t, "li", path("/api/customers/%d/transitions", own.ID)), http.StatusForbidden, "forbidden", "")
	})
}

// TestFunnelActivities: verified and unverified visits, the follow-up of
// an expiring contract, the claim kept alive, signals raising priority on
// the list.
func TestFunnelActivities(t *testing.T) {
	onBothStores(t, func(t *testing.T, w *world) {
		a := w.poolCustomer(t, w.g1, funnel.Target)
		b := w.poolCustomer(t, w.g1, funnel.Target)
		for _, cu := range []*territory.Customer{a, b} {
			wantStatus(t, w.post(t, "zhang", path("/api/customers/%d/claim", cu.ID), nil), http.StatusCreated)
		}
		w.clock.Add(3 * 24 * time.Hour)
		type logged struct {
			Activity funnel.Activity
			FollowUp *funnel.FollowUp
			Claim    *funnel.Claim
		}
		log := func(cu *territory.Customer, body map[string]any) logged {
			t.Helper()
			rec := w.post(t, "zhang", path("/api/customers/%d/activities", cu.ID), body)
			wantStatus(t, rec, http.StatusCreated)
			var out struct {
				Activity struct {
					funnel.Activity
					Position *lngLat `json:"position"`
				}
				FollowUp *funnel.FollowUp `json:"follow_up"`
				Claim    *funnel.Claim
			}
			decode(t, rec, &out)
			act := out.Activity.Activity
			if p := out.Activity.Position; p != nil {
				act.Position = &orb.Point{p.Lng, p.Lat}
			}
			return logged{Activity: act, FollowUp: out.FollowUp, Claim: out.Claim}
		}
		near := map[string]any{"lat": a.Location[1] + 0.0009, "lng": a.Location[0]} // ≈ 100 m north
		far := map[string]any{"lat": a.Location[1] + 0.01, "lng": a.Location[0]}    // ≈ 1.1 km
		tests := []struct {
			name     string
			body     map[string]any
			verified bool
			distance bool
		}{
			{"visit near", map[string]any{"kind": "visit_building", "position": near}, true, true},
			{"visit far", map[string]any{"kind": "visit_street", "position": far}, false, true},
			{"visit without position", map[string]any{"kind": "visit_door"}, false, false},
			{"phone", map[string]any{"kind": "phone"}, true, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				out := log(a, tt.body)
				if act := out.Activity; act.Verified != tt.verified || (act.DistanceM != nil) != tt.distance || act.ManagerID != w.m1.ID {
					t.Errorf("activity %+v", act)
				}
				if out.Claim == nil || !out.Claim.LastActivityAt.Equal(w.clock.Now()) {
					t.Errorf("claim not kept alive: %+v", out.Claim)
				}
			})
		}
		if act := log(a, map[string]any{"kind": "visit_building", "position": near}).Activity; act.Position == nil || act.DistanceM == nil || *act.DistanceM < 90 || *act.DistanceM > 110 {
			t.Errorf("near visit: %+v", act)
		}

		// An expiring contract: the date is required, the follow-up due 30 days before.
		wantError(t, w.post(t, "zhang", path("/api/customers/%d/activities", b.ID), map[string]any{"kind": "visit_door", "signals": []string{"contract_expiring"}}),
			http.StatusBadRequest, "invalid", "contract_expires")
		wantError(t, w.post(t, "zhang", path("/api/customers/%d/activities", b.ID), map[string]any{"kind": "visit_door", "contract_expires": "next year"}),
			http.StatusBadRequest, "invalid", "contract_expires")
		wantError(t, w.post(t, "zhang", path("/api/customers/%d/activities", b.ID), map[string]any{"kind": "lunch"}), http.StatusBadRequest, "invalid", "kind")
		wantError(t, w.post(t, "zhang", path("/api/customers/%d/activities", b.ID), map[string]any{"kind": "phone", "at": w.clock.Now().Add(time.Hour).Format(time.RFC3339)}),
			http.StatusBadRequest, "invalid", "at")
		wantError(t, w.post(t, "zhang", path("/api/customers/%d/activities", b.ID), map[string]any{"kind": "phone", "position": map[string]any{"lat": 30.2}}),
			http.StatusBadRequest, "invalid", "position")
		out := log(b, map[string]any{"kind": "visit_door", "signals": []string{"contract_expiring", "competitor_complaint"}, "contract_expires": "2027-03-15"})
		if f := out.FollowUp; f == nil || !f.Due.Equal(time.Date(2027, 2, 13, 0, 0, 0, 0, time.UTC)) || f.ActivityID != out.Activity.ID || !strings.Contains(f.Reason, "2027-03-15") {
			t.Errorf("follow-up %+v", out.FollowUp)
		}
		out = log(b, map[string]any{"kind": "phone", "signals": []string{"contract_expiring"}, "contract_expires": "2026-12-01"})
		if f := out.FollowUp; f == nil || !f.Due.Equal(dayOf(w.clock.Now())) {
			t.Errorf("follow-up of a contract ending within 30 days: %+v, want today", out.FollowUp)
		}

		// The list: b (signals, an expiring contract) before a.
		rec := w.get(t, "zhang", "/api/funnel/list")
		wantStatus(t, rec, http.StatusOK)
		var v sales.ListView
		decode(t, rec, &v)
		var items []*sales.ListItem
		for _, g := range v.Groups {
			if g.Stage == funnel.List {
				items = g.Items
			}
		}
		pos := func(id int64) int {
			return slices.IndexFunc(items, func(it *sales.ListItem) bool { return it.ID == id })
		}
		if pos(b.ID) < 0 || pos(a.ID) < 0 || pos(b.ID) > pos(a.ID) {
			t.Fatalf("list order: b at %d, a at %d", pos(b.ID), pos(a.ID))
		}
		ib := items[pos(b.ID)]
		if ib.Priority <= items[pos(a.ID)].Priority || len(ib.Signals) != 2 || ib.NextAction != funnel.NextQualify || len(ib.FollowUps) != 2 ||
			ib.LapseAt == nil || !ib.LapseAt.Equal(w.clock.Now().AddDate(0, 0, 30)) || ib.Lapsing || ib.ContractExpires == nil {
			t.Errorf("list item b %+v", ib)
		}
		if v.Manager.ID != w.m1.ID || v.Quota.Count != 2 || v.Quota.Max != 70 || len(v.FollowUps) != 2 || v.FollowUps[0].CustomerName != b.Name ||
			v.Counts[funnel.List] != 3 || v.Pool.GridID != w.g1.ID {
			t.Errorf("list view: manager %d quota %+v follow-ups %d counts %v pool %+v", v.Manager.ID, v.Quota, len(v.FollowUps), v.Counts, v.Pool)
		}
		// 24 days on, a's claim (last activity day 3) is about to lapse.
		w.clock.Add(24 * 24 * time.Hour)
		rec = w.get(t, "zhang", "/api/funnel/list")
		decode(t, rec, &v)
		if len(v.Lapsing) != 2 {
			t.Errorf("lapsing %d, want 2", len(v.Lapsing))
		}

		// A pool customer of his grid: activities yes, stage changes no;
		// another manager's customer: nothing.
		p := w.poolCustomer(t, w.g1, funnel.Target)
		wantStatus(t, w.post(t, "zhang", path("/api/customers/%d/activities", p.ID), map[string]any{"kind": "visit_street"}), http.StatusCreated)
		wantError(t, w.post(t, "zhang", path("/api/customers/%d/activities", p.ID), map[string]any{"kind": "visit_street", "to": "list"}), http.StatusConflict, "conflict", "")
		wantError(t, w.post(t, "li", path("/api/customers/%d/activities", a.ID), map[string]any{"kind": "phone"}), http.StatusForbidden, "forbidden", "")
		wantError(t, w.post(t, "wang", path("/api/customers/%d/activities", p.ID), map[string]any{"kind": "phone"}), http.StatusForbidden, "forbidden", "")
		rec = w.get(t, "zhang", path("/api/customers/%d/activities", a.ID))
		var acts struct{ Items []map[string]any }
		decode(t, rec, &acts)
		if len(acts.Items) != 5 {
			t.Errorf("activities of a: %d, want 5", len(acts.Items))
		}
		// Leaders read any list; a manager only his own.
		wantStatus(t, w.get(t, "leader", path("/api/funnel/list?manager_id=%d", w.m1.ID)), http.StatusOK)
		wantError(t, w.get(t, "leader", "/api/funnel/list"), http.StatusBadRequest, "invalid", "manager_id")
		wantError(t, w.get(t, "li", path("/api/funnel/list?manager_id=%d", w.m1.ID)), http.StatusForbidden, "forbidden", "")
	})
}

// TestFunnelMetrics: the report at each level, and who may read which.
func TestFunnelMetrics(t *testing.T) {
	w := newWorld(t)
	cu := w.poolCustomer(t, w.g1, funnel.Target)
	wantStatus(t, w.post(t, "zhang", path("/api/customers/%d/claim", cu.ID), nil), http.StatusCreated)
	wantStatus(t, w.post(t, "zhang", path("/api/customers/%d/activities", cu.ID), map[string]any{
		"kind": "visit_building", "signals": []string{"new_need"}, "position": map[string]any{"lat": cu.Location[1], "lng": cu.Location[0]}}), http.StatusCreated)
	wantStatus(t, w.post(t, "zhang", path("/api/customers/%d/activities", cu.ID), map[string]any{"kind": "visit_street"}), http.StatusCreated)
	type report struct {
		Level          string               `json:"level"`
		ID             int64                `json:"id"`
		Name           string               `json:"name"`
		Counts         map[funnel.Stage]int `json:"counts"`
		Reached        map[funnel.Stage]int `json:"reached"`
		Contacted      int                  `json:"contacted"`
		SuccessRate    float64              `json:"success_rate"`
		Visits         int                  `json:"visits"`
		VerifiedVisits int                  `json:"verified_visits"`
		NewContacts    int                  `json:"new_contacts"`
		Conversions    []funnel.Conversion  `json:"conversions"`
		From, To       time.Time
	}
	tests := []struct {
		user, query string
		status      int
		name        string
		counts      map[funnel.Stage]int
		visits      [2]int // visits, verified
	}{
		{"zhang", "", 200, "张伟", map[funnel.Stage]int{funnel.List: 2, funnel.Potential: 1, funnel.Intent: 1}, [2]int{2, 1}},
		{"zhang", path("?level=manager&id=%d", w.m1.ID), 200, "张伟", map[funnel.Stage]int{funnel.List: 2, funnel.Potential: 1, funnel.Intent: 1}, [2]int{2, 1}},
		{"zhang", "?level=grid", 200, "网格 XH-01", map[funnel.Stage]int{funnel.List: 3, funnel.Potential: 1, funnel.Intent: 1, funnel.Order: 1}, [2]int{2, 1}},
		{"leader", path("?level=grid&id=%d", w.g1.ID), 200, "网格 XH-01", map[funnel.Stage]int{funnel.List: 3, funnel.Potential: 1, funnel.Intent: 1, funnel.Order: 1}, [2]int{2, 1}},
		{"leader", path("?level=district&id=%d", w.d1.ID), 200, "西湖区", map[funnel.Stage]int{funnel.Target: 2, funnel.List: 3, funnel.Potential: 1, funnel.Intent: 1, funnel.Order: 1}, [2]int{2, 1}},
		{"planner", "?level=province", 200, "浙江省", map[funnel.Stage]int{funnel.Target: 2, funnel.List: 4, funnel.Potential: 1, funnel.Intent: 1, funnel.Order: 1, funnel.InNetwork: 1}, [2]int{2, 1}},
		{"zhang", path("?level=manager&id=%d", w.m2.ID), 403, "", nil, [2]int{}},
		{"zhang", path("?level=grid&id=%d", w.g3.ID), 403, "", nil, [2]int{}},
		{"zhang", path("?level=district&id=%d", w.d1.ID), 403, "", nil, [2]int{}},
		{"leader", "?level=city", 400, "", nil, [2]int{}},
		{"leader", "?level=grid", 400, "", nil, [2]int{}},
		{"leader", "?level=grid&id=999999", 404, "", nil, [2]int{}},
		{"leader", path("?level=grid&id=%d&from=2026-12-01&to=2026-11-01", w.g1.ID), 400, "", nil, [2]int{}},
		{"leader", path("?level=grid&id=%d&from=yesterday", w.g1.ID), 400, "", nil, [2]int{}},
		{"leader", path("?level=grid&id=%d&target_orders=-1", w.g1.ID), 400, "", nil, [2]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.user+tt.query, func(t *testing.T) {
			rec := w.get(t, tt.user, "/api/funnel/metrics"+tt.query)
			if tt.status != 200 {
				wantError(t, rec, tt.status, map[int]string{400: "invalid", 403: "forbidden", 404: "not_found"}[tt.status], "")
				return
			}
			wantStatus(t, rec, 200)
			var r report
			decode(t, rec, &r)
			total := 0
			for _, s := range funnel.Stages {
				if r.Counts[s] != tt.counts[s] {
					t.Errorf("%s: %d, want %d", s, r.Counts[s], tt.counts[s])
				}
				total += tt.counts[s]
			}
			if r.Name != tt.name || r.Contacted != total || r.Visits != tt.visits[0] || r.VerifiedVisits != tt.visits[1] || len(r.Conversions) != 5 {
				t.Errorf("report %+v", r)
			}
			if !r.To.Equal(dayOf(t0).AddDate(0, 0, 1)) || !r.From.Equal(r.To.AddDate(0, 0, -30)) {
				t.Errorf("period %s – %s", r.From, r.To)
			}
		})
	}
	rec := w.get(t, "leader", path("/api/funnel/metrics?level=district&id=%d&from=2026-11-01&to=2026-11-30&target_orders=10", w.d1.ID))
	wantStatus(t, rec, 200)
	var r struct {
		From, To     time.Time
		TargetOrders int `json:"target_orders"`
	}
	decode(t, rec, &r)
	if !r.From.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || !r.To.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) || r.TargetOrders != 10 {
		t.Errorf("period %+v", r)
	}
}

// TestFunnelConfigAPI: everyone who reads funnels sees the configuration;
// an admin changes it, errors naming the field; the lapse period follows.
func TestFunnelConfigAPI(t *testing.T) {
	w := newWorld(t)
	rec := w.get(t, "zhang", "/api/funnel/config")
	wantStatus(t, rec, http.StatusOK)
	var cfg funnel.Config
	decode(t, rec, &cfg)
	if cfg.LapseDays != 30 || cfg.WarnDays != 7 || cfg.CooldownDays != 14 || len(cfg.Checklists[funnel.Potential]) != 3 {
		t.Fatalf("default config %+v", cfg)
	}
	cfg.LapseDays = 10
	wantError(t, w.do(t, request{Method: http.MethodPut, Path: "/api/funnel/config", Body: cfg, Cookie: w.session(t, "planner")}), http.StatusForbidden, "forbidden", "")
	bad := cfg
	bad.Checklists = map[funnel.Stage][]funnel.Requirement{funnel.Potential: {{Key: "x", Label: "X", LabelZH: "叉", Kind: "colour"}}}
	rec = w.do(t, request{Method: http.MethodPut, Path: "/api/funnel/config", Body: bad, Cookie: w.session(t, "admin")})
	if e := wantError(t, rec, http.StatusBadRequest, "invalid", ""); !strings.HasPrefix(e.Field, "checklists.potential") {
		t.Errorf("bad config error on %q", e.Field)
	}
	rec = w.do(t, request{Method: http.MethodPut, Path: "/api/funnel/config", Body: cfg, Cookie: w.session(t, "admin")})
	wantStatus(t, rec, http.StatusOK)

	cu := w.poolCustomer(t, w.g1, funnel.Target)
	wantStatus(t, w.post(t, "zhang", path("/api/customers/%d/claim", cu.ID), nil), http.StatusCreated)
	w.clock.Add(11 * 24 * time.Hour)
	var lr sales.LapseResult
	decode(t, w.post(t, "admin", "/api/funnel/lapse", nil), &lr)
	if lr.Count != 1 {
		t.Errorf("lapse after 11 days with lapse_days 10: %d", lr.Count)
	}
}

// TestFunnelOpenAPIResponses checks the funnel API's responses against
// openapi.json.
func TestFunnelOpenAPIResponses(t *testing.T) {
	doc := loadOpenAPI(t)
	w := newWorld(t)
	cu := w.poolCustomer(t, w.g1, funnel.Target)
	held := w.poolCustomer(t, w.g1, funnel.Target)
	wantStatus(t, w.post(t, "li", path("/api/customers/%d/claim", held.ID), nil), http.StatusCreated)
	own := w.own[w.m1.ID][0]
	fu := &funnel.FollowUp{CustomerID: own.ID, ManagerID: w.m1.ID, Due: w.clock.Now().AddDate(0, 0, 3), Reason: "回访"}
	if err := w.store.CreateFollowUp(context.Background(), fu); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user, method, route, path string
		status                    int
		body                      any
	}{
		{"zhang", "POST", "/api/customers/{id}/claim", path("/api/customers/%d/claim", cu.ID), 201, nil},
		{"zhang", "POST", "/api/customers/{id}/claim", path("/api/customers/%d/claim", held.ID), 409, nil},
		{"zhang", "POST", "/api/customers/{id}/activities", path("/api/customers/%d/activities", cu.ID), 201,
			map[string]any{"kind": "visit_door", "signals": []string{"contract_expiring"}, "contract_expires": "2027-01-31", "position": map[string]any{"lat": 30.27, "lng": 120.1}}},
		{"zhang", "POST", "/api/customers/{id}/activities", path("/api/customers/%d/activities", cu.ID), 409, map[string]any{"kind": "phone", "to": "potential"}},
		{"zhang", "POST", "/api/customers/{id}/activities", path("/api/customers/%d/activities", cu.ID), 400, map[string]any{"kind": "nap"}},
		{"zhang", "GET", "/api/customers/{id}/activities", path("/api/customers/%d/activities", cu.ID), 200, nil},
		{"zhang", "POST", "/api/customers/{id}/transition", path("/api/customers/%d/transition", cu.ID), 200,
			map[string]any{"to": "potential", "evidence": map[string]any{"budget_confirmed": true, "decision_maker": "李总"}}},
		{"zhang", "POST", "/api/customers/{id}/transition", path("/api/customers/%d/transition", own.ID), 409, map[string]any{"to": "potential"}},
		{"zhang", "GET", "/api/customers/{id}/transitions", path("/api/customers/%d/transitions", cu.ID), 200, nil},
		{"zhang", "POST", "/api/customers/{id}/release", path("/api/customers/%d/release", cu.ID), 200, map[string]any{"reason": "test"}},
		{"zhang", "POST", "/api/followups/{id}/done", path("/api/followups/%d/done", fu.ID), 200, nil},
		{"li", "POST", "/api/followups/{id}/done", path("/api/followups/%d/done", fu.ID), 403, nil},
		{"zhang", "POST", "/api/followups/{id}/done", "/api/followups/999999/done", 404, nil},
		{"zhang", "GET", "/api/funnel/list", "/api/funnel/list", 200, nil},
		{"zhang", "GET", "/api/funnel/pool", "/api/funnel/pool", 200, nil},
		{"zhang", "GET", "/api/funnel/metrics", "/api/funnel/metrics?target_orders=5", 200, nil},
		{"leader", "GET", "/api/funnel/metrics", path("/api/funnel/metrics?level=district&id=%d", w.d1.ID), 200, nil},
		{"leader", "GET", "/api/funnel/metrics", "/api/funnel/metrics?level=province", 200, nil},
		{"zhang", "GET", "/api/funnel/config", "/api/funnel/config", 200, nil},
		{"admin", "PUT", "/api/funnel/config", "/api/funnel/config", 200, funnel.DefaultConfig()},
		{"admin", "POST", "/api/funnel/lapse", "/api/funnel/lapse", 200, nil},
		{"zhang", "POST", "/api/funnel/lapse", "/api/funnel/lapse", 403, nil},
	}
	for _, tt := range tests {
		t.Run(tt.user+" "+tt.method+" "+tt.path, func(t *testing.T) {
			item := doc.Paths.Value(tt.route)
			if item == nil {
				t.Fatalf("%s is not documented", tt.route)
			}
			oper := item.GetOperation(tt.method)
			if oper == nil {
				t.Fatalf("%s %s is not documented", tt.method, tt.route)
			}
			rec := w.do(t, request{Method: tt.method, Path: tt.path, Body: tt.body, Cookie: w.session(t, tt.user)})
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			checkResponse(t, doc, item, oper, tt.method, tt.route, rec)
		})
	}
}
