package storetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

// BulkCustomerCount is how many customers the bulk case loads, and
// RaceBulkCustomerCount how many under the race detector (see race.go).
const (
	BulkCustomerCount     = 100_000
	RaceBulkCustomerCount = 20_000
)

// bulkCount is the size of the bulk case in this build.
func bulkCount() int {
	if raceEnabled {
		return RaceBulkCustomerCount
	}
	return BulkCustomerCount
}

var bulkCases = []testCase{
	{"bulk/customers-100k", testBulkCustomers}, // 20k under -race,
	{"bulk/claims-and-activities", testBulkClaimsActivities},
	{"bulk/explicit-ids", testBulkExplicitIDs},
	{"bulk/all-or-nothing", testBulkAllOrNothing},
}

// GenCustomers returns n valid, normalized customers with ID 0 scattered
// over a 0.2° square around Hangzhou, external ids prefix-0 … prefix-(n-1).
// About one in four is ungridded; the rest are in gridIDs, round robin.
// The same seed gives the same customers.
func GenCustomers(n int, prefix string, gridIDs []int64, seed uint64) []*territory.Customer {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]*territory.Customer, n)
	stages := funnel.Stages
	for i := range n {
		p := orb.Point{Hangzhou[0] - 0.1 + rng.Float64()*0.2, Hangzhou[1] - 0.1 + rng.Float64()*0.2}
		var grid int64
		if len(gridIDs) > 0 && i%4 != 3 {
			grid = gridIDs[i%len(gridIDs)]
		}
		c := &territory.Customer{
			ExternalID: fmt.Sprintf("%s-%d", prefix, i),
			Name:       fmt.Sprintf("企业 %d", i),
			Address:    fmt.Sprintf("杭州市西湖区某路 %d 号", i),
			Location:   p,
			GridID:     grid,
			Industry:   []string{"retail", "catering", "software", ""}[i%4],
			Size:       territory.Sizes[i%len(territory.Sizes)],
			Carrier:    territory.Carriers[i%len(territory.Carriers)],
			Special:    i%97 == 0,
			Stage:      stages[i%len(stages)],
			CreatedAt:  Epoch.Add(time.Duration(i) * time.Second),
			UpdatedAt:  Epoch.Add(time.Duration(i) * time.Second),
		}
		c.Normalize()
		out[i] = c
	}
	return out
}

// progressLog records progress calls and checks them.
type progressLog struct{ calls []int }

func (p *progressLog) fn(done int) { p.calls = append(p.calls, done) }

func (p *progressLog) check(tb testing.TB, n int) {
	tb.Helper()
	if len(p.calls) == 0 {
		tb.Fatalf("progress never called for %d rows", n)
	}
	for i := 1; i < len(p.calls); i++ {
		if p.calls[i] < p.calls[i-1] {
			tb.Fatalf("progress went back from %d to %d", p.calls[i-1], p.calls[i])
		}
	}
	if last := p.calls[len(p.calls)-1]; last != n {
		tb.Fatalf("last progress %d, want %d", last, n)
	}
}

func testBulkCustomers(t *testing.T, s data.Store) {
	ctx := t.Context()
	f1, f2 := Seed(t, s, "01"), Seed(t, s, "02")
	before := MustCustomers(t, s, "pre", f1.Grid.ID, 3)
	n := bulkCount()
	cs := GenCustomers(n, "bulk", []int64{f1.Grid.ID, f2.Grid.ID}, 1)
	// A few owned ones.
	for i := 0; i < len(cs); i += 1000 {
		cs[i].GridID, cs[i].OwnerID = f1.Grid.ID, f1.Manager.ID
	}
	var prog progressLog
	start := time.Now()
	Must(t, s.BulkCustomers(ctx, cs, prog.fn), "bulk customers")
	t.Logf("BulkCustomers of %d rows: %v (%d progress calls)", len(cs), time.Since(start), len(prog.calls))
	prog.check(t, len(cs))

	byID := make(map[int64]*territory.Customer, len(cs))
	for i, c := range cs {
		if c.ID <= 0 {
			t.Fatalf("row %d got no id", i)
		}
		if byID[c.ID] != nil {
			t.Fatalf("rows share id %d", c.ID)
		}
		byID[c.ID] = c
	}
	for _, c := range before {
		if byID[c.ID] != nil {
			t.Fatalf("bulk id %d reuses an existing customer's id", c.ID)
		}
	}
	wantGrid1 := 0
	for _, c := range cs {
		if c.GridID == f1.Grid.ID {
			wantGrid1++
		}
	}
	if n := count(t, s, territory.CustomerFilter{}); n != len(cs)+len(before) {
		t.Errorf("CountCustomers = %d, want %d", n, len(cs)+len(before))
	}
	if n := count(t, s, territory.CustomerFilter{GridID: f1.Grid.ID}); n != wantGrid1+len(before) {
		t.Errorf("CountCustomers(grid 1) = %d, want %d", n, wantGrid1+len(before))
	}
	if got, want := count(t, s, territory.CustomerFilter{OwnerID: f1.Manager.ID}), n/1000; got != want {
		t.Errorf("CountCustomers(owner) = %d, want %d", got, want)
	}

	// Walk everything back in pages and compare every row.
	seen, after := 0, int64(0)
	for {
		page, err := s.Customers(ctx, territory.CustomerFilter{AfterID: after, Limit: 20_000})
		Must(t, err, "page customers")
		if len(page) == 0 {
			break
		}
		for _, got := range page {
			if got.ID <= after {
				t.Fatalf("id %d out of order after %d", got.ID, after)
			}
			after = got.ID
			if want := byID[got.ID]; want != nil {
				sameCustomer(t, got, want)
				seen++
			}
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	if seen != len(cs) {
		t.Errorf("read back %d bulk customers, want %d", seen, len(cs))
	}
	got, err := s.CustomerByExternalID(ctx, fmt.Sprintf("bulk-%d", n-1))
	Must(t, err, "read last bulk customer by external id")
	sameCustomer(t, got, cs[n-1])
}

func testBulkClaimsActivities(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	cs := GenCustomers(3000, "c", []int64{f.Grid.ID}, 2)
	Must(t, s.BulkCustomers(ctx, cs, nil), "bulk customers")

	claims := make([]*funnel.Claim, 0, 2500)
	end := Epoch.Add(48 * time.Hour)
	for i := range 2500 {
		c := NewClaim(cs[i].ID, f.Manager.ID)
		c.LastActivityAt = Epoch.Add(time.Duration(i) * time.Minute)
		if i%5 == 0 {
			c.Status, c.EndedAt, c.EndReason = funnel.ClaimReleased, &end, "released"
		}
		claims = append(claims, c)
	}
	var cp progressLog
	Must(t, s.BulkClaims(ctx, claims, cp.fn), "bulk claims")
	cp.check(t, len(claims))

	acts := make([]*funnel.Activity, 0, 6000)
	for i := range 6000 {
		a := NewActivity(cs[i%3000].ID, f.Manager.ID, Epoch.Add(time.Duration(i)*time.Minute))
		if i%3 == 0 {
			a.Signals = []funnel.SignalKind{funnel.NewNeed}
			p := cs[i%3000].Location
			a.Position, a.Verified = &p, true
		}
		acts = append(acts, a)
	}
	var ap progressLog
	Must(t, s.BulkActivities(ctx, acts, ap.fn), "bulk activities")
	ap.check(t, len(acts))

	gotClaims, err := s.Claims(ctx, funnel.ClaimFilter{})
	Must(t, err, "list claims")
	if len(gotClaims) != len(claims) {
		t.Fatalf("%d claims, want %d", len(gotClaims), len(claims))
	}
	claimByID := map[int64]*funnel.Claim{}
	for _, c := range claims {
		claimByID[c.ID] = c
	}
	for _, g := range gotClaims {
		want := claimByID[g.ID]
		if want == nil {
			t.Fatalf("claim %d was not written back", g.ID)
		}
		sameClaim(t, g, want)
	}
	active, err := s.Claims(ctx, funnel.ClaimFilter{Status: funnel.ClaimActive})
	Must(t, err, "list active claims")
	if len(active) != 2000 {
		t.Errorf("%d active claims, want 2000", len(active))
	}

	gotActs, err := s.Activities(ctx, funnel.ActivityFilter{})
	Must(t, err, "list activities")
	if len(gotActs) != len(acts) {
		t.Fatalf("%d activities, want %d", len(gotActs), len(acts))
	}
	actByID := map[int64]*funnel.Activity{}
	for _, a := range acts {
		actByID[a.ID] = a
	}
	for _, g := range gotActs {
		want := actByID[g.ID]
		if want == nil {
			t.Fatalf("activity %d was not written back", g.ID)
		}
		sameActivity(t, g, want)
	}
	one, err := s.Activities(ctx, funnel.ActivityFilter{CustomerID: cs[7].ID})
	Must(t, err, "activities of one customer")
	if len(one) != 2 {
		t.Errorf("%d activities of customer 7, want 2", len(one))
	}

	// Bulk claims keep the one-active-claim rule.
	err = s.BulkClaims(ctx, []*funnel.Claim{NewClaim(cs[2999].ID, f.Manager.ID), NewClaim(cs[1].ID, f.Manager.ID)}, nil)
	wantFunnelConflict(t, err)
	if n, _ := s.Claims(ctx, funnel.ClaimFilter{CustomerID: cs[2999].ID}); len(n) != 0 {
		t.Errorf("a refused bulk load left %d claims", len(n))
	}
	Must(t, s.BulkClaims(ctx, nil, nil), "empty bulk claims")
	Must(t, s.BulkActivities(ctx, nil, nil), "empty bulk activities")
}

func testBulkExplicitIDs(t *testing.T, s data.Store) {
	ctx := t.Context()
	pre := MustCustomers(t, s, "pre", 0, 2)
	base := pre[1].ID + 1000
	cs := GenCustomers(50, "x", nil, 3)
	for i, c := range cs {
		if i%2 == 0 {
			c.ID = base + int64(i)
		}
	}
	Must(t, s.BulkCustomers(ctx, cs, nil), "bulk customers with ids")
	for i, c := range cs {
		if i%2 == 0 && c.ID != base+int64(i) {
			t.Errorf("row %d: id %d changed to %d", i, base+int64(i), c.ID)
		}
		got, err := s.Customer(ctx, c.ID)
		Must(t, err, "read bulk customer")
		sameCustomer(t, got, c)
	}
	// New ids after a load with explicit ids must not clash with them.
	more := MustCustomers(t, s, "post", 0, 3)
	seen := map[int64]bool{}
	for _, c := range append(append(pre, cs...), more...) {
		if seen[c.ID] {
			t.Fatalf("id %d given twice", c.ID)
		}
		seen[c.ID] = true
	}
	next := GenCustomers(5, "next", nil, 4)
	Must(t, s.BulkCustomers(ctx, next, nil), "second bulk load")
	for _, c := range next {
		if seen[c.ID] {
			t.Fatalf("second bulk load reused id %d", c.ID)
		}
		seen[c.ID] = true
	}
	if n := count(t, s, territory.CustomerFilter{}); n != len(seen) {
		t.Errorf("CountCustomers = %d, want %d", n, len(seen))
	}
}

func testBulkAllOrNothing(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	tests := []struct {
		name  string
		edit  func(cs []*territory.Customer)
		check func(t *testing.T, err error)
	}{
		{"invalid row", func(cs []*territory.Customer) { cs[3].Name = "" }, func(t *testing.T, err error) {
			WantField(t, err, "name")
			if !strings.Contains(err.Error(), "row 3") {
				t.Errorf("error %q does not name row 3", err)
			}
		}},
		{"missing grid", func(cs []*territory.Customer) { cs[7].GridID = 987654321 }, func(t *testing.T, err error) { WantField(t, err, "grid_id") }},
		{"missing owner", func(cs []*territory.Customer) { cs[8].OwnerID = 987654321 }, func(t *testing.T, err error) { WantField(t, err, "owner_id") }},
		{"duplicate external id in the load", func(cs []*territory.Customer) { cs[9].ExternalID = cs[2].ExternalID }, func(t *testing.T, err error) {
			if !errors.Is(err, territory.ErrConflict) {
				t.Fatalf("got %v, want ErrConflict", err)
			}
		}},
		{"external id already stored", func(cs []*territory.Customer) { cs[5].ExternalID = "stored-0" }, func(t *testing.T, err error) {
			if !errors.Is(err, territory.ErrConflict) {
				t.Fatalf("got %v, want ErrConflict", err)
			}
		}},
	}
	MustCustomers(t, s, "stored", f.Grid.ID, 1)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := GenCustomers(5000, fmt.Sprintf("load%d", i), []int64{f.Grid.ID}, uint64(10+i))
			tt.edit(cs)
			tt.check(t, s.BulkCustomers(ctx, cs, nil))
			if n := count(t, s, territory.CustomerFilter{}); n != 1 {
				t.Errorf("a refused bulk load left %d customers, want the 1 stored before", n)
			}
		})
	}
	// Inside a caller's transaction a failed load leaves nothing either,
	// even if the caller goes on (whether the commit then succeeds is the
	// dialect's business).
	t.Run("inside a transaction", func(t *testing.T) {
		_ = s.InTx(ctx, func(tx data.Store) error {
			cs := GenCustomers(500, "intx", []int64{f.Grid.ID}, 20)
			cs[300].GridID = 987654321
			WantField(t, tx.BulkCustomers(ctx, cs, nil), "grid_id")
			return nil
		})
		if n := count(t, s, territory.CustomerFilter{}); n != 1 {
			t.Errorf("a refused bulk load inside InTx left %d customers, want the 1 stored before", n)
		}
	})
	acts := []*funnel.Activity{NewActivity(987654321, f.Manager.ID, Epoch)}
	WantFunnelField(t, s.BulkActivities(ctx, acts, nil), "customer_id")
	Must(t, s.BulkCustomers(ctx, nil, nil), "empty bulk customers")
}
