package snapshot

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb/maptile"

	"gridplan/funnel"
	"gridplan/territory"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// newTestCache is a cache of src on a fake clock, checking every 5 s, whose
// background errors are collected.
func newTestCache(src *fakeSource) (*Cache, *fakeClock, func() []error) {
	clk := &fakeClock{now: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	var errs []error
	c := NewCache(src, Options{CheckEvery: 5 * time.Second, Now: clk.Now, OnError: func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	}})
	return c, clk, func() []error { mu.Lock(); defer mu.Unlock(); return append([]error(nil), errs...) }
}

func mustGet(tb testing.TB, c *Cache) *Snapshot {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := c.Get(ctx)
	if err != nil {
		tb.Fatalf("get: %v", err)
	}
	return s
}

// eventually polls cond for up to 10 s.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if cond() {
			return
		}
	}
	tb.Fatalf("timed out waiting for %s", what)
}

func addCustomer(id int64) func([]territory.CustomerLocation) []territory.CustomerLocation {
	return func(locs []territory.CustomerLocation) []territory.CustomerLocation {
		l := locs[0]
		l.ID = id
		return append(locs, l)
	}
}

func TestCacheLocalChangeShowsOnNextGet(t *testing.T) {
	src := &fakeSource{locs: genLocations(t, 100, 5)}
	c, _, _ := newTestCache(src)
	if c.Current() != nil {
		t.Fatal("a snapshot before the first Get")
	}
	s1 := mustGet(t, c)
	if s1.Len() != 100 || c.Current() != s1 {
		t.Fatalf("first snapshot: %d customers", s1.Len())
	}
	if again := mustGet(t, c); again != s1 {
		t.Error("no change, yet a new snapshot")
	}
	for i := range 3 {
		src.change(addCustomer(int64(1000 + i)))
		c.Changed()
		if got := mustGet(t, c); got.Len() != 101+i {
			t.Fatalf("after local change %d: %d customers, want %d", i, got.Len(), 101+i)
		}
	}
}

func TestCacheRemoteChangeFoundByCheck(t *testing.T) {
	src := &fakeSource{locs: genLocations(t, 100, 6)}
	c, clk, _ := newTestCache(src)
	s1 := mustGet(t, c)
	src.change(addCustomer(2000)) // another replica's write: no Changed
	clk.Add(4 * time.Second)
	if got := mustGet(t, c); got != s1 {
		t.Fatal("rebuilt before the check interval")
	}
	clk.Add(time.Second)
	// This Get starts the check and still answers with the old snapshot.
	if got := mustGet(t, c); got != s1 {
		t.Fatal("waited for a remote change")
	}
	eventually(t, "the remote change", func() bool { return c.Current().Len() == 101 })
	walks := func() int { src.mu.Lock(); defer src.mu.Unlock(); return src.walks }
	before := walks()
	// No change: a check, but no rebuild.
	clk.Add(5 * time.Second)
	mustGet(t, c)
	time.Sleep(20 * time.Millisecond)
	if w := walks(); w != before {
		t.Errorf("unchanged stamp, yet %d walks", w-before)
	}
}

func TestCacheFailure(t *testing.T) {
	boom := errors.New("store down")
	src := &fakeSource{locs: genLocations(t, 10, 7), fail: boom}
	c, clk, errs := newTestCache(src)
	ctx := context.Background()
	if _, err := c.Get(ctx); !errors.Is(err, boom) {
		t.Fatalf("first build failing: error %v", err)
	}
	// Within CheckEvery the failure is answered without a new try.
	if _, err := c.Get(ctx); !errors.Is(err, boom) {
		t.Fatalf("second Get: %v", err)
	}
	src.mu.Lock()
	if src.walks != 1 {
		t.Errorf("%d walks, want 1 (no retry storm)", src.walks)
	}
	src.fail = nil
	src.mu.Unlock()
	clk.Add(5 * time.Second)
	s := mustGet(t, c)
	if s.Len() != 10 {
		t.Fatalf("after recovery: %d customers", s.Len())
	}
	// A failed rebuild after a local change keeps serving the old snapshot.
	src.mu.Lock()
	src.fail = boom
	src.mu.Unlock()
	c.Changed()
	if got := mustGet(t, c); got != s {
		t.Error("failed rebuild: not the old snapshot")
	}
	if e := errs(); len(e) == 0 || !errors.Is(e[len(e)-1], boom) {
		t.Errorf("background errors %v, want the build's", e)
	}
}

func TestCacheGetHonoursContext(t *testing.T) {
	src := &fakeSource{locs: genLocations(t, 10, 8), gate: make(chan struct{})}
	c, _, _ := newTestCache(src)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.Get(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the deadline", err)
	}
	close(src.gate)
	if s := mustGet(t, c); s.Len() != 10 {
		t.Fatalf("%d customers", s.Len())
	}
}

// Readers and writers at once (run with -race): every Get after a
// Changed sees at least that change.
func TestCacheConcurrent(t *testing.T) {
	src := &fakeSource{locs: genLocations(t, 50, 9)}
	c, clk, _ := newTestCache(src)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 10 {
				id := int64(10_000 + w*100 + i)
				src.change(func(locs []territory.CustomerLocation) []territory.CustomerLocation {
					l := locs[0]
					l.ID, l.Stage = id, funnel.Intent
					return append(locs, l)
				})
				c.Changed()
				s := mustGet(t, c)
				found := false
				s.TilePoints(maptile.New(0, 0, 0), 0, func(p *Point) { found = found || p.ID == id })
				if !found {
					t.Errorf("customer %d missing after its Changed", id)
					return
				}
				clk.Add(time.Second)
			}
		})
	}
	wg.Wait()
	if got := mustGet(t, c).Len(); got != 50+40 {
		t.Errorf("%d customers at the end, want 90", got)
	}
}

// A slow stamp spaces the checks out: at most MaxCheckShare of the time
// goes to reading stamps.
func TestCacheSlowStampChecksLessOften(t *testing.T) {
	src := &fakeSource{locs: genLocations(t, 10, 10)}
	c, clk, _ := newTestCache(src)
	mustGet(t, c)
	stamps := func() int { src.mu.Lock(); defer src.mu.Unlock(); return src.stamps }
	src.mu.Lock()
	src.stampDelay = 300 * time.Millisecond // 0.3 s / 5% = 6 s between checks
	src.mu.Unlock()
	checked := func() bool { c.mu.Lock(); defer c.mu.Unlock(); return !c.checking }
	clk.Add(5 * time.Second)
	n := stamps()
	mustGet(t, c) // starts a check
	eventually(t, "the check", func() bool { return stamps() == n+1 && checked() })
	clk.Add(5 * time.Second)
	mustGet(t, c)
	if got := stamps(); got != n+1 {
		t.Fatalf("checked again after 5 s of a 6 s gap (%d checks)", got-n)
	}
	clk.Add(2 * time.Second) // the gap is a little over 6 s: the stamp took 0.3 s and a bit
	mustGet(t, c)
	eventually(t, "the next check", func() bool { return stamps() == n+2 })
}
