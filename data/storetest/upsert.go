package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

var upsertCases = []testCase{
	{"upsert/insert-update-unchanged", testUpsertCounts},
	{"upsert/keeps-stage-and-owner", testUpsertKeepsStageOwner},
	{"upsert/idempotent", testUpsertIdempotent},
	{"upsert/invalid-row-writes-nothing", testUpsertInvalidRow},
	{"upsert/duplicate-in-batch", testUpsertDuplicate},
	{"upsert/missing-reference", testUpsertMissingRef},
	{"customer/by-external-ids", testCustomersByExternalIDs},
}

// upsertCount is the size of the idempotence case: several chunks of
// either store's lookups, smaller under the race detector (see race.go).
func upsertCount() int {
	if raceEnabled {
		return 3_000
	}
	return 25_000
}

// ImportRow returns what an import makes of c: a fresh, normalized struct
// with c's external id and imported fields (name, address, location, cell,
// grid, industry, size, carrier, special) and nothing else: no id, stage,
// owner or times.
func ImportRow(c *territory.Customer) *territory.Customer {
	r := &territory.Customer{
		ExternalID: c.ExternalID, Name: c.Name, Address: c.Address, Location: c.Location, Cell: c.Cell,
		GridID: c.GridID, Industry: c.Industry, Size: c.Size, Carrier: c.Carrier, Special: c.Special,
	}
	r.Normalize()
	return r
}

// ImportRows is ImportRow of every customer.
func ImportRows(cs []*territory.Customer) []*territory.Customer {
	out := make([]*territory.Customer, len(cs))
	for i, c := range cs {
		out[i] = ImportRow(c)
	}
	return out
}

// sameAsStored fails tb unless every customer of cs equals its stored row.
func sameAsStored(tb testing.TB, s data.Store, cs []*territory.Customer) {
	tb.Helper()
	for i, c := range cs {
		got, err := s.Customer(tb.Context(), c.ID)
		Must(tb, err, fmt.Sprintf("read row %d (id %d)", i, c.ID))
		sameCustomer(tb, got, c)
		if tb.Failed() {
			tb.FailNow()
		}
	}
}

// snapshot returns every stored customer keyed by id.
func snapshot(tb testing.TB, s data.Store) map[int64]territory.Customer {
	tb.Helper()
	all, err := s.Customers(tb.Context(), territory.CustomerFilter{})
	Must(tb, err, "list customers")
	out := make(map[int64]territory.Customer, len(all))
	for _, c := range all {
		out[c.ID] = *c
	}
	return out
}

// unchangedSince fails tb unless the store holds exactly the customers of
// before, unchanged.
func unchangedSince(tb testing.TB, s data.Store, before map[int64]territory.Customer) {
	tb.Helper()
	after := snapshot(tb, s)
	if len(after) != len(before) {
		tb.Fatalf("%d customers stored, want the %d from before", len(after), len(before))
	}
	for id, b := range before {
		a, ok := after[id]
		if !ok {
			tb.Fatalf("customer %d disappeared", id)
		}
		sameCustomer(tb, &a, &b)
	}
}

func testUpsertCounts(t *testing.T, s data.Store) {
	ctx := t.Context()
	f1, f2 := Seed(t, s, "01"), Seed(t, s, "02")
	pre := GenCustomers(6, "u", []int64{f1.Grid.ID}, 1)
	Must(t, s.BulkCustomers(ctx, pre, nil), "bulk customers")

	batch := ImportRows(pre)
	batch[2].Name = "改名了 " + batch[2].Name
	batch[3].Location = orb.Point{120.16, 30.28}
	batch[3].Cell = 0
	batch[3].GridID = f2.Grid.ID
	batch[3].Normalize() // a new cell for the new location
	if batch[3].Cell == pre[3].Cell {
		t.Fatal("fixture: moved customer kept its cell")
	}
	fresh := GenCustomers(4, "new", []int64{f2.Grid.ID}, 2)
	for _, c := range fresh {
		batch = append(batch, ImportRow(c))
	}
	var prog progressLog
	before := time.Now()
	res, err := s.UpsertCustomers(ctx, batch, prog.fn)
	Must(t, err, "upsert")
	sameValue(t, "upsert result", res, territory.UpsertResult{Inserted: 4, Updated: 2, Unchanged: 4})
	prog.check(t, len(batch))

	for i, c := range batch[:6] {
		if c.ID != pre[i].ID {
			t.Errorf("row %d: id %d, want the stored %d", i, c.ID, pre[i].ID)
		}
		if c.Stage != pre[i].Stage || !c.CreatedAt.Equal(pre[i].CreatedAt) {
			t.Errorf("row %d: stage %q created %v, want the stored %q %v", i, c.Stage, c.CreatedAt, pre[i].Stage, pre[i].CreatedAt)
		}
		switch i {
		case 2, 3:
			stamped(t, fmt.Sprintf("row %d UpdatedAt", i), c.UpdatedAt)
			if c.UpdatedAt.Before(before.Truncate(time.Microsecond)) {
				t.Errorf("updated row %d: UpdatedAt %v is before the upsert (%v)", i, c.UpdatedAt, before)
			}
		default:
			SameTime(t, fmt.Sprintf("unchanged row %d UpdatedAt", i), c.UpdatedAt, pre[i].UpdatedAt)
		}
	}
	seen := map[int64]bool{}
	for _, c := range pre {
		seen[c.ID] = true
	}
	for i, c := range batch[6:] {
		if c.ID <= 0 || seen[c.ID] {
			t.Errorf("new row %d got id %d", i+6, c.ID)
		}
		seen[c.ID] = true
		stamped(t, "new row CreatedAt", c.CreatedAt)
		if c.Stage != funnel.Target {
			t.Errorf("new row %d: stage %q, want target", i+6, c.Stage)
		}
	}
	increasing(t, "new rows' ids", customerIDs(batch[6:]))
	sameAsStored(t, s, batch)
	if n := count(t, s, territory.CustomerFilter{}); n != 10 {
		t.Errorf("%d customers stored, want 10", n)
	}
	got, err := s.CustomerByExternalID(ctx, "u-3")
	Must(t, err, "read moved customer")
	if got.GridID != f2.Grid.ID || got.Location != batch[3].Location || got.Cell != batch[3].Cell {
		t.Errorf("moved customer stored in grid %d at %v cell %v, want grid %d at %v cell %v",
			got.GridID, got.Location, got.Cell, f2.Grid.ID, batch[3].Location, batch[3].Cell)
	}

	// Each imported field alone counts as a change; ungridding too.
	edits := []struct {
		name string
		edit func(c *territory.Customer)
	}{
		{"address", func(c *territory.Customer) { c.Address += " 2幢" }},
		{"lon", func(c *territory.Customer) { c.Location[0] += 1e-9 }},
		{"lat", func(c *territory.Customer) { c.Location[1] -= 1e-9 }},
		{"grid to none", func(c *territory.Customer) { c.GridID = 0 }},
		{"industry", func(c *territory.Customer) { c.Industry = "logistics" }},
		{"size", func(c *territory.Customer) { c.Size = territory.SizeLarge }},
		{"carrier", func(c *territory.Customer) { c.Carrier = territory.CarrierNone }},
		{"special", func(c *territory.Customer) { c.Special = !c.Special }},
	}
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			c, err := s.CustomerByExternalID(ctx, "u-0")
			Must(t, err, "read customer")
			r := ImportRow(c)
			e.edit(r)
			res, err := s.UpsertCustomers(ctx, []*territory.Customer{r}, nil)
			Must(t, err, "upsert one edit")
			sameValue(t, "result", res, territory.UpsertResult{Updated: 1})
			sameAsStored(t, s, []*territory.Customer{r})
		})
	}
	res, err = s.UpsertCustomers(ctx, nil, nil)
	Must(t, err, "empty upsert")
	sameValue(t, "empty upsert result", res, territory.UpsertResult{})
}

func testUpsertKeepsStageOwner(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	worked := NewCustomer("w", f.Grid.ID, Hangzhou)
	worked.Stage, worked.OwnerID, worked.CreatedAt, worked.UpdatedAt = funnel.Intent, f.Manager.ID, Epoch, Epoch
	Must(t, s.CreateCustomer(ctx, worked), "create worked customer")
	quiet := NewCustomer("q", f.Grid.ID, Hangzhou)
	quiet.Stage, quiet.OwnerID, quiet.CreatedAt, quiet.UpdatedAt = funnel.Order, f.Manager.ID, Epoch, Epoch
	Must(t, s.CreateCustomer(ctx, quiet), "create quiet customer")

	changed := ImportRow(worked)
	changed.Name = "新名字有限公司"
	unchanged := ImportRow(quiet)
	// An import that says something about stage and owner is not heard for
	// existing customers …
	unchanged.Stage = funnel.Potential
	// … but is for new ones.
	fresh := NewCustomer("n", f.Grid.ID, Hangzhou)
	fresh.Stage, fresh.OwnerID = funnel.List, f.Manager.ID
	res, err := s.UpsertCustomers(ctx, []*territory.Customer{changed, unchanged, fresh}, nil)
	Must(t, err, "upsert")
	sameValue(t, "result", res, territory.UpsertResult{Inserted: 1, Updated: 1, Unchanged: 1})

	for _, tt := range []struct {
		name  string
		got   *territory.Customer
		stage funnel.Stage
		owner int64
	}{
		{"changed", changed, funnel.Intent, f.Manager.ID},
		{"unchanged", unchanged, funnel.Order, f.Manager.ID},
		{"new", fresh, funnel.List, f.Manager.ID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got.Stage != tt.stage || tt.got.OwnerID != tt.owner {
				t.Errorf("struct after upsert: stage %q owner %d, want %q %d", tt.got.Stage, tt.got.OwnerID, tt.stage, tt.owner)
			}
			sameAsStored(t, s, []*territory.Customer{tt.got})
		})
	}
	SameTime(t, "changed CreatedAt", changed.CreatedAt, Epoch)
	SameTime(t, "unchanged UpdatedAt", unchanged.UpdatedAt, Epoch)
	if !changed.UpdatedAt.After(Epoch) {
		t.Errorf("changed UpdatedAt %v not moved on", changed.UpdatedAt)
	}
	got, err := s.Customer(ctx, worked.ID)
	Must(t, err, "read worked customer")
	if got.Name != "新名字有限公司" || got.Stage != funnel.Intent || got.OwnerID != f.Manager.ID {
		t.Errorf("stored %q stage %q owner %d, want the new name with stage intent and owner %d", got.Name, got.Stage, got.OwnerID, f.Manager.ID)
	}
}

func testUpsertIdempotent(t *testing.T, s data.Store) {
	ctx := t.Context()
	f1, f2 := Seed(t, s, "01"), Seed(t, s, "02")
	n := upsertCount()
	gen := GenCustomers(n, "imp", []int64{f1.Grid.ID, f2.Grid.ID}, 3)
	first := ImportRows(gen)
	var prog progressLog
	start := time.Now()
	res, err := s.UpsertCustomers(ctx, first, prog.fn)
	Must(t, err, "first upsert")
	t.Logf("first UpsertCustomers of %d rows: %v", n, time.Since(start))
	sameValue(t, "first result", res, territory.UpsertResult{Inserted: n})
	prog.check(t, n)
	increasing(t, "first upsert ids", customerIDs(first))
	stored := snapshot(t, s)

	// The same file again, as fresh structs: nothing changes.
	second := ImportRows(gen)
	prog = progressLog{}
	start = time.Now()
	res, err = s.UpsertCustomers(ctx, second, prog.fn)
	Must(t, err, "second upsert")
	t.Logf("second UpsertCustomers of %d rows: %v", n, time.Since(start))
	sameValue(t, "second result", res, territory.UpsertResult{Unchanged: n})
	prog.check(t, n)
	for i := range second {
		if second[i].ID != first[i].ID {
			t.Fatalf("row %d: second upsert id %d, first %d", i, second[i].ID, first[i].ID)
		}
		sameCustomer(t, second[i], first[i])
		if t.Failed() {
			t.FailNow()
		}
	}
	unchangedSince(t, s, stored)

	// The caller's own structs once more, and a batch with one change in
	// the middle.
	res, err = s.UpsertCustomers(ctx, first, nil)
	Must(t, err, "third upsert")
	sameValue(t, "third result", res, territory.UpsertResult{Unchanged: n})
	third := ImportRows(gen)
	third[n/2].Name = "变了"
	res, err = s.UpsertCustomers(ctx, third, nil)
	Must(t, err, "upsert with one change")
	sameValue(t, "one-change result", res, territory.UpsertResult{Updated: 1, Unchanged: n - 1})
	sameAsStored(t, s, third[n/2-1:n/2+2])
}

func testUpsertInvalidRow(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	pre := GenCustomers(5, "pre", []int64{f.Grid.ID}, 4)
	Must(t, s.BulkCustomers(ctx, pre, nil), "bulk customers")
	before := snapshot(t, s)
	tests := []struct {
		name  string
		row   int
		field string
		edit  func(c *territory.Customer)
	}{
		{"blank name", 7, "name", func(c *territory.Customer) { c.Name = " " }},
		{"blank external id", 3, "external_id", func(c *territory.Customer) { c.ExternalID = "" }},
		{"unknown carrier", 8, "carrier", func(c *territory.Customer) { c.Carrier = "telco-x" }},
		{"unknown size", 6, "size", func(c *territory.Customer) { c.Size = "huge" }},
		{"location out of range", 9, "location", func(c *territory.Customer) { c.Location = orb.Point{200, 30} }},
		{"negative grid", 5, "grid_id", func(c *territory.Customer) { c.GridID = -1 }},
		{"name not UTF-8", 11, "name", func(c *territory.Customer) { c.Name = "\xff\xfe 公司" }},
		{"NUL in address", 2, "address", func(c *territory.Customer) { c.Address = "文三路\x00 12号" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Rows 0–4 would update the stored customers, 5– insert new ones.
			batch := ImportRows(pre)
			for _, c := range batch {
				c.Name += " (v2)"
			}
			for _, c := range GenCustomers(10, "new", []int64{f.Grid.ID}, 5) {
				batch = append(batch, ImportRow(c))
			}
			tt.edit(batch[tt.row])
			res, err := s.UpsertCustomers(ctx, batch, nil)
			WantField(t, err, tt.field)
			if want := fmt.Sprintf("row %d", tt.row); !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %s", err, want)
			}
			sameValue(t, "result of a refused upsert", res, territory.UpsertResult{})
			unchangedSince(t, s, before)
		})
	}
	t.Run("nil row", func(t *testing.T) {
		_, err := s.UpsertCustomers(ctx, []*territory.Customer{ImportRow(pre[0]), nil}, nil)
		if err == nil || !strings.Contains(err.Error(), "row 1") {
			t.Errorf("nil row: error %v, want one naming row 1", err)
		}
		unchangedSince(t, s, before)
	})
}

func testUpsertDuplicate(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	pre := GenCustomers(3, "pre", []int64{f.Grid.ID}, 6)
	Must(t, s.BulkCustomers(ctx, pre, nil), "bulk customers")
	before := snapshot(t, s)
	for _, tt := range []struct {
		name     string
		from, to int // row to gets row from's external id
	}{
		{"two new rows", 4, 8},
		{"a stored one twice", 0, 6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			batch := ImportRows(pre)
			batch[1].Name = "changed"
			for _, c := range GenCustomers(7, "new", nil, 7) {
				batch = append(batch, ImportRow(c))
			}
			batch[tt.to].ExternalID = batch[tt.from].ExternalID
			_, err := s.UpsertCustomers(ctx, batch, nil)
			WantConflict(t, err, fmt.Sprintf("rows %d and %d", tt.from, tt.to), batch[tt.from].ExternalID)
			unchangedSince(t, s, before)
		})
	}
}

func testUpsertMissingRef(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	pre := GenCustomers(3, "pre", []int64{f.Grid.ID}, 8)
	Must(t, s.BulkCustomers(ctx, pre, nil), "bulk customers")
	before := snapshot(t, s)
	for _, tt := range []struct {
		name  string
		row   int
		field string
		edit  func(c *territory.Customer)
	}{
		{"grid of a new row", 4, "grid_id", func(c *territory.Customer) { c.GridID = 987654321 }},
		{"grid of a stored row", 2, "grid_id", func(c *territory.Customer) { c.GridID = 987654321 }},
		{"owner", 5, "owner_id", func(c *territory.Customer) { c.OwnerID = 987654321 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			batch := ImportRows(pre)
			batch[0].Name = "changed"
			for _, c := range GenCustomers(5, "new", []int64{f.Grid.ID}, 9) {
				batch = append(batch, ImportRow(c))
			}
			tt.edit(batch[tt.row])
			_, err := s.UpsertCustomers(ctx, batch, nil)
			WantField(t, err, tt.field)
			for _, want := range []string{fmt.Sprintf("row %d", tt.row), "987654321"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			unchangedSince(t, s, before)
		})
	}
	// Inside a caller's transaction a refused upsert leaves nothing either.
	t.Run("inside a transaction", func(t *testing.T) {
		_ = s.InTx(ctx, func(tx data.Store) error {
			batch := ImportRows(GenCustomers(50, "intx", []int64{f.Grid.ID}, 10))
			batch[49].GridID = 987654321
			_, err := tx.UpsertCustomers(ctx, batch, nil)
			WantField(t, err, "grid_id")
			return nil
		})
		unchangedSince(t, s, before)
	})
}

func testCustomersByExternalIDs(t *testing.T, s data.Store) {
	ctx := t.Context()
	f := Seed(t, s, "01")
	got, err := s.CustomersByExternalIDs(ctx, nil)
	Must(t, err, "no ids")
	if len(got) != 0 {
		t.Errorf("no ids gave %d customers", len(got))
	}
	n := 12_000 // above 10k: several lookups in either store
	if raceEnabled {
		n = 6_000 // the lookup below still asks for more than 10k ids
	}
	cs := GenCustomers(n, "x", []int64{f.Grid.ID}, 11)
	Must(t, s.BulkCustomers(ctx, cs, nil), "bulk customers")

	t.Run("few, unknown and repeated", func(t *testing.T) {
		got, err := s.CustomersByExternalIDs(ctx, []string{"x-5", "nope", "x-0", "x-5", "", "X-0", "\xff", "x-\x00"})
		Must(t, err, "lookup")
		if len(got) != 2 || got["x-5"] == nil || got["x-0"] == nil {
			t.Fatalf("got %d customers (%v), want x-0 and x-5", len(got), keys(got))
		}
		sameCustomer(t, got["x-0"], cs[0])
		sameCustomer(t, got["x-5"], cs[5])
	})
	t.Run("more than 10k", func(t *testing.T) {
		ids := make([]string, 0, n+5000)
		for i := n - 1; i >= 0; i-- {
			ids = append(ids, cs[i].ExternalID)
			if i%4 == 0 {
				ids = append(ids, fmt.Sprintf("unknown-%d", i))
			}
		}
		for i := 0; len(ids) <= 10_500; i++ {
			ids = append(ids, fmt.Sprintf("x-%d", n+i)) // not stored
		}
		start := time.Now()
		got, err := s.CustomersByExternalIDs(ctx, ids)
		Must(t, err, "lookup")
		t.Logf("CustomersByExternalIDs of %d ids: %v", len(ids), time.Since(start))
		if len(got) != n {
			t.Fatalf("got %d customers, want %d", len(got), n)
		}
		for i, c := range cs {
			g := got[c.ExternalID]
			if g == nil {
				t.Fatalf("row %d (%s) missing", i, c.ExternalID)
			}
			if i%997 == 0 {
				sameCustomer(t, g, c)
			} else if g.ID != c.ID {
				t.Fatalf("%s: id %d, want %d", c.ExternalID, g.ID, c.ID)
			}
		}
	})
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
