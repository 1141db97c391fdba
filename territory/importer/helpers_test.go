package importer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/funnel"
	"gridplan/geo/geocode"
	"gridplan/territory"
)

// memStore is an in-memory CustomerImportStore with the semantics the
// interface documents: upserts by external id, counts unchanged rows,
// never touches stage or owner of an existing customer.
type memStore struct {
	mu      sync.Mutex
	byExt   map[string]*territory.Customer
	nextID  int64
	batches int
	fail    error  // returned by UpsertCustomers when set
	failAt  int    // …from this batch on (1-based; 0 = every batch)
	refuse  string // an external id UpsertCustomers refuses as invalid
}

func newMemStore() *memStore { return &memStore{byExt: map[string]*territory.Customer{}} }

func (m *memStore) CustomersByExternalIDs(_ context.Context, ids []string) (map[string]*territory.Customer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]*territory.Customer{}
	for _, id := range ids {
		if c, ok := m.byExt[id]; ok {
			cp := *c
			out[id] = &cp
		}
	}
	return out, nil
}

func (m *memStore) UpsertCustomers(_ context.Context, cs []*territory.Customer, progress func(int)) (territory.UpsertResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.batches++
	if m.fail != nil && m.batches >= m.failAt {
		return territory.UpsertResult{}, m.fail
	}
	var r territory.UpsertResult
	for i, c := range cs {
		if c.ExternalID == m.refuse && m.refuse != "" {
			return territory.UpsertResult{}, fmt.Errorf("customer row %d: %w", i, territory.Invalid("grid_id", "grid 99 does not exist"))
		}
	}
	for _, c := range cs {
		if err := c.Validate(); err != nil {
			return territory.UpsertResult{}, fmt.Errorf("customer %s: %w", c.ExternalID, err)
		}
		old, ok := m.byExt[c.ExternalID]
		switch {
		case !ok:
			m.nextID++
			cp := *c
			cp.ID = m.nextID
			m.byExt[c.ExternalID] = &cp
			c.ID = cp.ID
			r.Inserted++
		case sameImported(old, c):
			c.ID = old.ID
			r.Unchanged++
		default:
			cp := *c
			cp.ID, cp.Stage, cp.OwnerID = old.ID, old.Stage, old.OwnerID
			m.byExt[c.ExternalID] = &cp
			c.ID = old.ID
			r.Updated++
		}
	}
	if progress != nil {
		progress(len(cs))
	}
	return r, nil
}

func sameImported(a, b *territory.Customer) bool {
	return a.Name == b.Name && a.Address == b.Address && a.Location == b.Location && a.Cell == b.Cell &&
		a.GridID == b.GridID && a.Industry == b.Industry && a.Size == b.Size && a.Carrier == b.Carrier && a.Special == b.Special
}

func (m *memStore) get(tb testing.TB, ext string) *territory.Customer {
	tb.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.byExt[ext]
	if !ok {
		tb.Fatalf("customer %s not stored", ext)
	}
	return c
}

func (m *memStore) ids() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.byExt))
	for k := range m.byExt {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// seed stores customers as they would be after an earlier import.
func (m *memStore) seed(tb testing.TB, cs ...*territory.Customer) {
	tb.Helper()
	for _, c := range cs {
		c.Normalize()
		if c.Stage == "" {
			c.Stage = funnel.Target
		}
	}
	if _, err := m.UpsertCustomers(context.Background(), cs, nil); err != nil {
		tb.Fatalf("seed: %v", err)
	}
}

// fakeGeocoder knows the addresses it holds; others are not found.
type fakeGeocoder map[string]geocode.Result

func (g fakeGeocoder) Geocode(ctx context.Context, address string) (geocode.Result, error) {
	if err := ctx.Err(); err != nil {
		return geocode.Result{}, err
	}
	if address == "" {
		return geocode.Result{}, geocode.ErrEmpty
	}
	r, ok := g[address]
	if !ok {
		return geocode.Result{}, fmt.Errorf("%q: %w", address, geocode.ErrNotFound)
	}
	return r, nil
}

// boxLocator puts points into grid 7 west of 120.2 and grid 8 east of it,
// within the latitudes 30–31.
type boxLocator struct{}

func (boxLocator) Locate(p orb.Point) (int64, bool) {
	switch {
	case p[1] < 30 || p[1] > 31:
		return 0, false
	case p[0] < 120.2:
		return 7, true
	default:
		return 8, true
	}
}

// errStore fails every call.
type errStore struct{ err error }

func (e errStore) CustomersByExternalIDs(context.Context, []string) (map[string]*territory.Customer, error) {
	return nil, e.err
}
func (e errStore) UpsertCustomers(context.Context, []*territory.Customer, func(int)) (territory.UpsertResult, error) {
	return territory.UpsertResult{}, e.err
}

var errBoom = errors.New("boom")

// rejectAt finds the reject of line, failing when there is none.
func rejectAt(tb testing.TB, res *Result, line int) Reject {
	tb.Helper()
	for _, r := range res.Rejects {
		if r.Line == line {
			return r
		}
	}
	tb.Fatalf("no reject for line %d; rejects: %+v", line, res.Rejects)
	return Reject{}
}
