package snapshot

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Source is what a Cache reads: the customers' walk and a cheap token
// that changes whenever the walk's answer would (both stores' DataStamp).
type Source interface {
	Locations
	DataStamp(ctx context.Context) (string, error)
}

// Defaults of Options' zero fields.
const (
	DefaultCheckEvery   = 5 * time.Second
	DefaultBuildTimeout = 5 * time.Minute
)

// MaxCheckShare bounds the time spent reading stamps: a check that took d
// is followed by none for d/MaxCheckShare (or CheckEvery, when longer).
const MaxCheckShare = 0.05

// Options tune a Cache; zero fields get defaults.
type Options struct {
	// CheckEvery is how often, at most, reads compare the store's stamp
	// with the snapshot's (what catches other replicas' writes), and how
	// long reads serve the old snapshot after a failed rebuild before one
	// is tried again. Default DefaultCheckEvery. The checks are spaced
	// further apart when a stamp takes long to read (a full scan of a big
	// SQLite table under load takes a second): at least MaxCheckShare of
	// the time passes between two, so checking never costs more than that
	// share of one core.
	CheckEvery time.Duration
	// BuildTimeout bounds one rebuild. Default DefaultBuildTimeout.
	BuildTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnError is told of failures that happen in the background (a stamp
	// check or a rebuild); readers that wait for a rebuild get its error
	// too when there is no older snapshot to serve. Default: ignored.
	OnError func(error)
	// OnBuild is told of every snapshot swapped in and how long it took to
	// build (for logs and metrics). Default: ignored.
	OnBuild func(s *Snapshot, took time.Duration)
}

// Cache holds the current Snapshot of a Source and rebuilds it in the
// background. The zero value is not usable: call NewCache. Its methods are
// safe for concurrent use. A Cache starts no goroutine of its own: rebuilds
// and checks run only when reads or Changed ask for them, and end when done.
type Cache struct {
	src  Source
	opts Options
	cur  atomic.Pointer[Snapshot]

	mu        sync.Mutex
	want      uint64        // generation readers must see; Changed bumps it
	have      uint64        // generation of cur
	running   bool          // a build goroutine runs
	again     bool          // a remote change was seen while a build ran
	done      chan struct{} // closed (and replaced) when a build ends
	lastErr   error         // the last build's error; nil after a success
	failedAt  time.Time
	lastCheck time.Time     // last stamp check or successful build
	checkGap  time.Duration // CheckEvery, or more when stamps are slow
	checking  bool
}

// NewCache returns a Cache of src; nothing is read until the first Get or
// Changed.
func NewCache(src Source, opts Options) *Cache {
	if opts.CheckEvery <= 0 {
		opts.CheckEvery = DefaultCheckEvery
	}
	if opts.BuildTimeout <= 0 {
		opts.BuildTimeout = DefaultBuildTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.OnError == nil {
		opts.OnError = func(error) {}
	}
	if opts.OnBuild == nil {
		opts.OnBuild = func(*Snapshot, time.Duration) {}
	}
	return &Cache{src: src, opts: opts, done: make(chan struct{}), checkGap: opts.CheckEvery}
}

// Changed says that this process has just written data the snapshot
// shows. A rebuild starts at once, and reads wait for it (or a later one):
// whoever made a change sees it on his next tile.
func (c *Cache) Changed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.want++
	c.startLocked()
}

// Current returns the snapshot in place, nil before the first build; it
// never waits.
func (c *Cache) Current() *Snapshot { return c.cur.Load() }

// Get returns a snapshot that includes every change announced by Changed
// before the call, waiting for a rebuild when needed (the first call waits
// for the first build). Changes by other replicas are found by a stamp
// check every CheckEvery; until their rebuild is done Get returns the old
// snapshot. When a rebuild fails Get returns the previous snapshot if
// there is one, the build's error if not; ctx ends the wait.
func (c *Cache) Get(ctx context.Context) (*Snapshot, error) {
	c.mu.Lock()
	need := c.want
	for {
		cur := c.cur.Load()
		now := c.opts.Now()
		if cur != nil && c.have >= need {
			if !c.checking && !c.running && now.Sub(c.lastCheck) >= c.checkGap {
				c.checking, c.lastCheck = true, now
				go c.check(cur.stamp)
			}
			c.mu.Unlock()
			return cur, nil
		}
		if !c.running {
			if c.lastErr != nil && now.Sub(c.failedAt) < c.opts.CheckEvery {
				// The last try failed a moment ago: do not pile retries
				// on a struggling store.
				err := c.lastErr
				c.mu.Unlock()
				if cur != nil {
					return cur, nil
				}
				return nil, err
			}
			c.startLocked()
		}
		done := c.done
		c.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for the customer snapshot: %w", ctx.Err())
		}
		c.mu.Lock()
	}
}

// startLocked starts the build goroutine unless it runs; a running one
// sees the new want when it finishes and goes round again.
func (c *Cache) startLocked() {
	if c.running {
		return
	}
	c.running = true
	go c.run()
}

// run builds snapshots until one is at least as new as every request made
// meanwhile, or one fails.
func (c *Cache) run() {
	for {
		c.mu.Lock()
		target := c.want
		c.again = false
		c.mu.Unlock()

		start := time.Now()
		s, err := c.build()
		took := time.Since(start)

		c.mu.Lock()
		if err == nil {
			c.cur.Store(s)
			c.have, c.lastErr, c.lastCheck = target, nil, c.opts.Now()
		} else {
			c.lastErr, c.failedAt = err, c.opts.Now()
		}
		close(c.done)
		c.done = make(chan struct{})
		if err == nil && (c.want > c.have || c.again) {
			c.mu.Unlock()
			c.opts.OnBuild(s, took)
			continue
		}
		c.running = false
		c.mu.Unlock()
		if err != nil {
			c.opts.OnError(err)
		} else {
			c.opts.OnBuild(s, took)
		}
		return
	}
}

func (c *Cache) build() (*Snapshot, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.BuildTimeout)
	defer cancel()
	// The stamp first: a write landing during the walk then shows as a
	// changed stamp at the next check, never as a missed change.
	st, err := c.src.DataStamp(ctx)
	if err != nil {
		return nil, fmt.Errorf("snapshot: data stamp: %w", err)
	}
	return Build(ctx, c.src, st)
}

// check compares the store's stamp with have, the current snapshot's, and
// starts a rebuild when they differ.
func (c *Cache) check(have string) {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.BuildTimeout)
	defer cancel()
	start := time.Now()
	st, err := c.src.DataStamp(ctx)
	took := time.Since(start)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checking = false
	c.checkGap = max(c.opts.CheckEvery, time.Duration(float64(took)/MaxCheckShare))
	if err != nil {
		go c.opts.OnError(fmt.Errorf("snapshot: check data stamp: %w", err))
		return
	}
	if st == have {
		return
	}
	if c.running {
		c.again = true
		return
	}
	c.startLocked()
}
