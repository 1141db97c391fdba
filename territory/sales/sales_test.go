package sales_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/data/demo"
	"gridplan/data/postgres"
	"gridplan/data/postgres/pgtest"
	"gridplan/data/sqlite"
	"gridplan/funnel"
	"gridplan/territory"
	"gridplan/territory/sales"
)

var t0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

func openSQLite(tb testing.TB) data.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "sales.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s
}

// openPostgres: a fresh schema of TEST_DATABASE_URL, dropped at cleanup
// (pgtest.Open).
func openPostgres(tb testing.TB) data.Store { return pgtest.Open(tb, postgres.Open) }

var stores = []struct {
	name string
	open func(testing.TB) data.Store
}{{"sqlite", openSQLite}, {"postgres", openPostgres}}

// fixture is one district, two grids, managers and pool customers.
type fixture struct {
	st    data.Store
	svc   *sales.Service
	clock *clock
	g1    *territory.Grid
	g2    *territory.Grid
	n     int
}

func newFixture(tb testing.TB, st data.Store) *fixture {
	tb.Helper()
	ctx := context.Background()
	f := &fixture{st: st, clock: &clock{now: t0}}
	f.svc = &sales.Service{Store: st, Now: f.clock.Now,
		InTx: func(ctx context.Context, fn func(sales.Store) error) error {
			return st.InTx(ctx, func(tx data.Store) error { return fn(tx) })
		}}
	sq := func(x, y float64) orb.Polygon {
		return orb.Polygon{{{x, y}, {x + 0.05, y}, {x + 0.05, y + 0.05}, {x, y + 0.05}, {x, y}}}
	}
	d := &territory.District{Code: "330106", Name: "西湖区", City: "杭州市", Province: "浙江省", Boundary: orb.MultiPolygon{sq(120.0, 30.2)}}
	must(tb, st.CreateDistrict(ctx, d))
	f.g1 = &territory.Grid{Code: "XH-01", Name: "一号网格", DistrictID: d.ID, Boundary: sq(120.0, 30.2), Status: territory.GridPublished}
	f.g2 = &territory.Grid{Code: "XH-02", Name: "二号网格", DistrictID: d.ID, Boundary: sq(120.1, 30.2), Status: territory.GridPublished}
	must(tb, st.CreateGrid(ctx, f.g1))
	must(tb, st.CreateGrid(ctx, f.g2))
	return f
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func (f *fixture) manager(tb testing.TB, g *territory.Grid, max int) (*territory.Manager, sales.Actor) {
	tb.Helper()
	f.n++
	m := &territory.Manager{Code: fmt.Sprintf("m%03d", f.n), Name: fmt.Sprintf("经理%d", f.n), GridID: g.ID, Base: g.Boundary.Bound().Center(),
		Quota: territory.Quota{Min: 0, Target: max, Max: max}}
	must(tb, f.st.CreateManager(context.Background(), m))
	return m, sales.Actor{UserID: 0, Role: territory.RoleManager, ManagerID: m.ID}
}

func (f *fixture) customer(tb testing.TB, g *territory.Grid, stage funnel.Stage, owner int64) *territory.Customer {
	tb.Helper()
	f.n++
	c := g.Boundary.Bound().Center()
	cu := &territory.Customer{ExternalID: fmt.Sprintf("C%04d", f.n), Name: fmt.Sprintf("客户%d", f.n), Location: orb.Point{c[0] + float64(f.n)*1e-4, c[1]},
		GridID: g.ID, Stage: stage, OwnerID: owner, Carrier: territory.CarrierCompetitor}
	cu.Normalize()
	must(tb, f.st.CreateCustomer(context.Background(), cu))
	return cu
}

func (f *fixture) get(tb testing.TB, id int64) *territory.Customer {
	tb.Helper()
	cu, err := f.st.Customer(context.Background(), id)
	must(tb, err)
	return cu
}

func onStores(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) { fn(t, newFixture(t, s.open(t))) })
	}
}

// TestQuotaRace: a manager one short of his quota claims two customers at
// once: the manager lock lets exactly one through, the other is refused
// with the quota.
func TestQuotaRace(t *testing.T) {
	onStores(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		_, a := f.manager(t, f.g1, 2)
		first := f.customer(t, f.g1, funnel.Target, 0)
		if _, err := f.svc.Claim(ctx, a, first.ID); err != nil {
			t.Fatal(err)
		}
		const n = 6
		cs := make([]*territory.Customer, n)
		for i := range cs {
			cs[i] = f.customer(t, f.g1, funnel.Target, 0)
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { _, errs[i] = f.svc.Claim(ctx, a, cs[i].ID) })
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			var qe *funnel.QuotaError
			switch {
			case err == nil:
				won++
			case errors.As(err, &qe):
				if qe.Count != 2 || qe.Max != 2 {
					t.Errorf("claim %d: quota %+v", i, qe)
				}
			default:
				t.Errorf("claim %d: %v", i, err)
			}
		}
		if won != 1 {
			t.Fatalf("%d claims won, want 1 (quota 2, one held)", won)
		}
		active, err := f.st.Claims(ctx, funnel.ClaimFilter{ManagerID: a.ManagerID, Status: funnel.ClaimActive})
		must(t, err)
		if len(active) != 2 {
			t.Errorf("%d active claims, want 2", len(active))
		}
	})
}

// TestClaimRace: managers of a grid claim one customer at once: one wins,
// the others learn who.
func TestClaimRace(t *testing.T) {
	onStores(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		cu := f.customer(t, f.g1, funnel.Target, 0)
		const n = 6
		actors := make([]sales.Actor, n)
		names := map[int64]string{}
		for i := range actors {
			m, a := f.manager(t, f.g1, 70)
			actors[i], names[m.ID] = a, m.Name
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { _, errs[i] = f.svc.Claim(ctx, actors[i], cu.ID) })
		}
		wg.Wait()
		winner := int64(0)
		for i, err := range errs {
			if err == nil {
				if winner != 0 {
					t.Fatal("two winners")
				}
				winner = actors[i].ManagerID
			}
		}
		if winner == 0 {
			t.Fatalf("no winner: %v", errs)
		}
		for _, err := range errs {
			var ce *funnel.ClaimConflictError
			if err != nil && (!errors.As(err, &ce) || ce.HolderID != winner || ce.HolderName == "" || ce.HolderName[:len(names[winner])] != names[winner]) {
				t.Errorf("loser's error %v, want held by %d", err, winner)
			}
		}
		if got := f.get(t, cu.ID); got.OwnerID != winner || got.Stage != funnel.List {
			t.Errorf("customer %+v", got)
		}
	})
}

// TestLapseTwice: two lapse runs at once on both stores end each idle
// claim once; a worked claim survives; in-network customers (no claim)
// stay with their manager; the cooldown holds the manager off.
func TestLapseTwice(t *testing.T) {
	onStores(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		m, a := f.manager(t, f.g1, 70)
		var idle []*territory.Customer
		for range 5 {
			cu := f.customer(t, f.g1, funnel.Target, 0)
			_, err := f.svc.Claim(ctx, a, cu.ID)
			must(t, err)
			idle = append(idle, cu)
		}
		worked := f.customer(t, f.g1, funnel.Target, 0)
		_, err := f.svc.Claim(ctx, a, worked.ID)
		must(t, err)
		inNet := f.customer(t, f.g1, funnel.InNetwork, m.ID)
		// One idle customer moved on to potential: he keeps his stage in the pool.
		_, err = f.svc.LogActivity(ctx, a, idle[0].ID, sales.ActivityInput{Kind: funnel.Phone, Signals: []funnel.SignalKind{funnel.NewNeed}})
		must(t, err)
		_, err = f.svc.Transition(ctx, a, idle[0].ID, funnel.Potential, map[string]string{"budget_confirmed": "true", "decision_maker": "王总"}, "")
		must(t, err)
		f.clock.Add(25 * 24 * time.Hour)
		_, err = f.svc.LogActivity(ctx, a, worked.ID, sales.ActivityInput{Kind: funnel.VisitDoor})
		must(t, err)
		f.clock.Add(6 * 24 * time.Hour)

		res := make([]sales.LapseResult, 2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() { res[i], errs[i] = f.svc.Lapse(ctx) })
		}
		wg.Wait()
		must(t, errors.Join(errs...))
		if res[0].Count+res[1].Count != len(idle) {
			t.Fatalf("lapsed %d + %d, want %d", res[0].Count, res[1].Count, len(idle))
		}
		for i, cu := range idle {
			got := f.get(t, cu.ID)
			want := funnel.Target
			if i == 0 {
				want = funnel.Potential
			}
			if got.OwnerID != 0 || got.Stage != want {
				t.Errorf("idle %d after lapse: %s owner %d, want %s in the pool", i, got.Stage, got.OwnerID, want)
			}
		}
		if got := f.get(t, worked.ID); got.OwnerID != m.ID {
			t.Errorf("worked customer lost: %+v", got)
		}
		if got := f.get(t, inNet.ID); got.OwnerID != m.ID {
			t.Errorf("in-network customer lost: %+v", got)
		}
		again, err := f.svc.Lapse(ctx)
		must(t, err)
		if again.Count != 0 {
			t.Errorf("third run lapsed %d", again.Count)
		}
		_, err = f.svc.Claim(ctx, a, idle[1].ID)
		var cd *funnel.CooldownError
		if !errors.As(err, &cd) || !cd.Until.Equal(f.clock.Now().AddDate(0, 0, 14)) {
			t.Errorf("reclaim during cooldown: %v", err)
		}
		_, b := f.manager(t, f.g1, 70)
		if _, err := f.svc.Claim(ctx, b, idle[0].ID); err != nil {
			t.Errorf("a colleague claims the lapsed potential customer: %v", err)
		}
		if got := f.get(t, idle[0].ID); got.Stage != funnel.Potential || got.OwnerID != b.ManagerID {
			t.Errorf("claimed potential customer: %+v", got)
		}
	})
}

// TestTransitionRefusalStoresNothing: a refused stage change leaves the
// customer, the transitions, the activities and the claim as they were.
func TestTransitionRefusalStoresNothing(t *testing.T) {
	onStores(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		_, a := f.manager(t, f.g1, 70)
		cu := f.customer(t, f.g1, funnel.Target, 0)
		cl, err := f.svc.Claim(ctx, a, cu.ID)
		must(t, err)
		f.clock.Add(time.Hour)
		to := funnel.Potential
		_, err = f.svc.LogActivity(ctx, a, cu.ID, sales.ActivityInput{Kind: funnel.VisitDoor, Signals: []funnel.SignalKind{funnel.ProductInquiry}, To: &to,
			Evidence: map[string]string{"decision_maker": "李总"}})
		var te *funnel.TransitionError
		if !errors.As(err, &te) || len(te.Missing) != 1 || te.Missing[0].Key != "budget_confirmed" {
			t.Fatalf("refusal %v", err)
		}
		as, err := f.st.Activities(ctx, funnel.ActivityFilter{CustomerID: cu.ID})
		must(t, err)
		ts, err := f.st.Transitions(ctx, funnel.TransitionFilter{CustomerID: cu.ID})
		must(t, err)
		c, err := f.st.Claim(ctx, cl.ID)
		must(t, err)
		if len(as) != 0 || len(ts) != 1 || f.get(t, cu.ID).Stage != funnel.List || !c.LastActivityAt.Equal(cl.LastActivityAt) {
			t.Errorf("after a refusal: %d activities, %d transitions, claim %+v", len(as), len(ts), c)
		}
		// Not on his list: an admin may act, another grid's manager may not.
		_, other := f.manager(t, f.g2, 70)
		if _, err := f.svc.Transition(ctx, other, cu.ID, funnel.Lost, nil, "no"); !errors.Is(err, territory.ErrForbidden) {
			t.Errorf("other grid's manager: %v", err)
		}
		if _, err := f.svc.LogActivity(ctx, sales.Actor{Role: territory.RoleLeader}, cu.ID, sales.ActivityInput{Kind: funnel.Phone}); !errors.Is(err, territory.ErrForbidden) {
			t.Errorf("leader logging an activity: %v", err)
		}
		res, err := f.svc.Transition(ctx, sales.Actor{Role: territory.RoleAdmin}, cu.ID, funnel.Lost, nil, "客户已与竞争对手续约")
		must(t, err)
		if res.Claim == nil || res.Claim.Status != funnel.ClaimReleased || f.get(t, cu.ID).OwnerID != 0 {
			t.Errorf("to lost: %+v", res)
		}
	})
}

// TestDemoFunnel: the demo city's funnel, computed by the metrics, shows
// every stage and a success rate under 15%.
func TestDemoFunnel(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	city, err := demo.Generate(demo.Options{Seed: 3, Customers: 5000, Now: now})
	must(t, err)
	must(t, demo.Load(ctx, st, city, nil))
	svc := &sales.Service{Store: st, Now: func() time.Time { return now }}
	to := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	v, err := svc.Metrics(ctx, sales.Actor{Role: territory.RoleLeader}, sales.MetricsQuery{Level: sales.LevelProvince, From: to.AddDate(0, 0, -90), To: to, TargetOrders: 20})
	must(t, err)
	for _, s := range funnel.Stages {
		if v.Counts[s] == 0 {
			t.Errorf("no customer at %s: %v", s, v.Counts)
		}
	}
	if v.SuccessRate <= 0 || v.SuccessRate >= 0.15 {
		t.Errorf("success rate %.3f, want in (0, 0.15)", v.SuccessRate)
	}
	if v.Name != "浙江省" || v.Contacted != 5000 {
		t.Errorf("report %q contacted %d", v.Name, v.Contacted)
	}
	t.Logf("demo funnel: counts %v, success %.1f%%, conversions %v, median days %v, new contacts/day %.1f, verified visits %d of %d",
		v.Counts, 100*v.SuccessRate, v.Conversions, v.MedianDaysInStage, v.NewContactsPerDay, v.VerifiedVisits, v.Visits)
	// A manager's list and his report.
	ms, err := st.Managers(ctx, territory.ManagerFilter{Limit: 1})
	must(t, err)
	lv, err := svc.MyList(ctx, sales.Actor{Role: territory.RoleManager, ManagerID: ms[0].ID}, ms[0].ID)
	must(t, err)
	if lv.Quota.Count == 0 || lv.Quota.Count > lv.Quota.Max || len(lv.Groups) < 5 || lv.Pool.Count == 0 {
		t.Errorf("demo list: quota %+v, %d groups, pool %+v", lv.Quota, len(lv.Groups), lv.Pool)
	}
	mv, err := svc.Metrics(ctx, sales.Actor{Role: territory.RoleManager, ManagerID: ms[0].ID}, sales.MetricsQuery{Level: sales.LevelManager, ID: ms[0].ID, From: to.AddDate(0, 0, -90), To: to})
	must(t, err)
	if mv.Contacted < lv.Quota.Count {
		t.Errorf("manager report contacted %d < his list %d", mv.Contacted, lv.Quota.Count)
	}
}
