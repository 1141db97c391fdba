package web

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"gridplan/data"
	"gridplan/territory"
	"gridplan/territory/coverage"
	"gridplan/territory/importer"
	"gridplan/territory/snapshot"
)

// coverageService keeps the coverage analysis (territory/coverage) of the
// store's customers, grids, districts and resources, built in the
// background and kept current three ways:
//
//   - this process's writes to customers or grids (dataChanged) start a
//     full rebuild, and reads wait for it, as the customer snapshot's do;
//   - this process's resource writes (resourcesChanged) are applied to the
//     analysis at once, re-evaluating only the customers the resource
//     reaches;
//   - other replicas' writes are found without waiting: customer and grid
//     changes when the customer snapshot's stamp moves (its own periodic
//     check reads the store's DataStamp), resource changes by polling the
//     store's ResourceStamp every CheckEvery; both rebuild (or, for
//     resources, bring the resources up to date) in the background while
//     reads go on with the analysis in place.
type coverageService struct {
	store      data.Store
	log        *slog.Logger
	now        func() time.Time
	snap       func() *snapshot.Cache // the customer snapshot, for its stamp
	checkEvery time.Duration

	mu       sync.Mutex
	cur      *coverageState
	want     uint64 // full rebuilds asked for by this process (readers wait)
	have     uint64 // … done
	remote   bool   // a full rebuild asked for by another replica's write (readers do not wait)
	resDirty bool   // another replica wrote resources: bring them up to date
	running  bool
	done     chan struct{} // closed (and replaced) when a job ends
	lastErr  error
	failedAt time.Time
	// pending collects this process's resource changes while a job runs:
	// the job's result may have read the store before them, so they are
	// applied to it again (a Put or Remove by id: harmless twice).
	pending  []importer.ResourceChange
	snapSeen string // the snapshot stamp last compared
	checked  time.Time
	checking bool
}

// coverageState is one analysis and what it was built from.
type coverageState struct {
	a         *coverage.Analyzer
	dataStamp string // the store's DataStamp when the build began
	resStamp  string // its ResourceStamp then, or after the last resource update
	districts map[int64]string
	builtAt   time.Time
}

func newCoverageService(st data.Store, log *slog.Logger, now func() time.Time, snap func() *snapshot.Cache) *coverageService {
	return &coverageService{store: st, log: log, now: now, snap: snap, checkEvery: snapshot.DefaultCheckEvery, done: make(chan struct{})}
}

// changed says this process has committed a change to customers or grids:
// the next read waits for a rebuild that includes it.
func (cs *coverageService) changed() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.want++
	cs.startLocked()
}

// resourcesChanged applies this process's committed resource changes (Old
// nil: created; New nil: deleted) to the analysis in place. Callers
// serialise their writes and these calls (resourceEdits), so the changes
// arrive in the store's order.
func (cs *coverageService) resourcesChanged(changes []importer.ResourceChange) {
	cs.mu.Lock()
	if cs.running {
		cs.pending = append(cs.pending, changes...)
	}
	var a *coverage.Analyzer
	if cs.cur != nil {
		a = cs.cur.a
	}
	cs.mu.Unlock()
	if a != nil {
		cs.apply(a, changes)
	}
}

// apply puts or removes each change in a.
func (cs *coverageService) apply(a *coverage.Analyzer, changes []importer.ResourceChange) {
	for _, ch := range changes {
		switch {
		case ch.New != nil:
			if _, err := a.Put(ch.New); err != nil {
				cs.log.Warn("coverage: resource left out", "resource", ch.New.ID, "err", err)
			}
		case ch.Old != nil:
			a.Remove(ch.Old.ID)
		}
	}
}

// get returns the analysis, including every change this process announced
// through changed before the call; the first call waits for the first
// build. A failed build is retried after CheckEvery; meanwhile the last
// analysis is served, or the error when there is none.
func (cs *coverageService) get(ctx context.Context) (*coverageState, error) {
	cs.mu.Lock()
	need := cs.want
	for {
		cur := cs.cur
		now := cs.now()
		if cur != nil && cs.have >= need {
			cs.noticeRemoteLocked(cur, now)
			cs.mu.Unlock()
			return cur, nil
		}
		if !cs.running {
			if cs.lastErr != nil && now.Sub(cs.failedAt) < cs.checkEvery {
				err := cs.lastErr
				cs.mu.Unlock()
				if cur != nil {
					return cur, nil
				}
				return nil, err
			}
			cs.startLocked()
		}
		done := cs.done
		cs.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for the coverage analysis: %w", ctx.Err())
		}
		cs.mu.Lock()
	}
}

// noticeRemoteLocked looks for other replicas' writes: the customer
// snapshot's stamp (moved by its own checks), and every CheckEvery the
// store's resource stamp.
func (cs *coverageService) noticeRemoteLocked(cur *coverageState, now time.Time) {
	if c := cs.snap(); c != nil {
		if snap := c.Current(); snap != nil && snap.Stamp() != cs.snapSeen {
			cs.snapSeen = snap.Stamp()
			if snap.Stamp() != cur.dataStamp {
				cs.remote = true // a running job goes round again for it
				cs.startLocked()
			}
		}
	}
	if cs.checking || cs.running || now.Sub(cs.checked) < cs.checkEvery {
		return
	}
	rs, ok := cs.store.(resourceStamper)
	if !ok {
		return
	}
	cs.checking, cs.checked = true, now
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		st, err := rs.ResourceStamp(ctx)
		cs.mu.Lock()
		defer cs.mu.Unlock()
		cs.checking = false
		switch {
		case err != nil:
			cs.log.Warn("coverage: resource stamp", "err", err)
		case cs.cur != nil && st != cs.cur.resStamp:
			cs.resDirty = true
			cs.startLocked()
		}
	}()
}

func (cs *coverageService) startLocked() {
	if cs.running {
		return
	}
	cs.running = true
	go cs.run()
}

// run does jobs until none is asked for: full builds when this process or
// another asked, resource updates when only resources moved elsewhere.
func (cs *coverageService) run() {
	for {
		cs.mu.Lock()
		target := cs.want
		full := cs.cur == nil || cs.have < cs.want || cs.remote
		res := cs.resDirty
		cs.remote, cs.resDirty, cs.pending = false, false, nil
		cur := cs.cur
		cs.mu.Unlock()

		start := time.Now()
		var st *coverageState
		var err error
		if full {
			st, err = cs.build()
		} else if res {
			err = cs.syncResources(cur)
			st = cur
		}
		took := time.Since(start)

		cs.mu.Lock()
		if err == nil && st != nil {
			cs.apply(st.a, cs.pending) // Puts on an analyzer nobody else writes yet, or the current one again
			cs.pending = nil
			cs.cur = st
			if full {
				cs.have = max(cs.have, target)
			}
			cs.lastErr = nil
		} else if err != nil {
			cs.lastErr, cs.failedAt = err, cs.now()
			cs.pending = nil
		}
		close(cs.done)
		cs.done = make(chan struct{})
		again := err == nil && (cs.have < cs.want || cs.remote || cs.resDirty)
		if !again {
			cs.running = false
		}
		cs.mu.Unlock()
		switch {
		case err != nil:
			cs.log.Warn("coverage analysis", "err", err)
		case full:
			cs.log.Info("coverage analysis built", "customers", st.a.Len(), "resources", st.a.Resources(), "took_ms", took.Milliseconds())
		case res:
			cs.log.Info("coverage resources updated", "resources", st.a.Resources(), "took_ms", took.Milliseconds())
		}
		if !again {
			return
		}
	}
}

// build reads everything and analyses it. Resources that do not validate
// (none should: the stores validate writes) are left out with a warning
// rather than failing the whole analysis.
func (cs *coverageService) build() (*coverageState, error) {
	ctx, cancel := context.WithTimeout(context.Background(), snapshot.DefaultBuildTimeout)
	defer cancel()
	st := &coverageState{builtAt: cs.now(), districts: map[int64]string{}}
	var err error
	// The stamps first: a write landing during the reads then shows as a
	// moved stamp later, never as a missed change.
	if st.dataStamp, err = (snapshotSource{cs.store}).DataStamp(ctx); err != nil {
		return nil, fmt.Errorf("coverage: data stamp: %w", err)
	}
	if rs, ok := cs.store.(resourceStamper); ok {
		if st.resStamp, err = rs.ResourceStamp(ctx); err != nil {
			return nil, fmt.Errorf("coverage: resource stamp: %w", err)
		}
	}
	var in coverage.Input
	err = cs.store.CustomerLocations(ctx, nil, func(l territory.CustomerLocation) error {
		in.Customers = append(in.Customers, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("coverage: read customers: %w", err)
	}
	if in.Grids, err = cs.store.Grids(ctx, territory.GridFilter{}); err != nil {
		return nil, fmt.Errorf("coverage: read grids: %w", err)
	}
	if in.Districts, err = cs.store.Districts(ctx); err != nil {
		return nil, fmt.Errorf("coverage: read districts: %w", err)
	}
	for _, d := range in.Districts {
		st.districts[d.ID] = d.Name
	}
	if in.Resources, err = cs.resources(ctx); err != nil {
		return nil, err
	}
	if st.a, err = coverage.New(ctx, in, coverage.Options{}); err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	return st, nil
}

// resources reads every resource, leaving out (with a warning) any that
// does not validate.
func (cs *coverageService) resources(ctx context.Context) ([]*territory.Resource, error) {
	rs, err := cs.store.Resources(ctx, territory.ResourceFilter{})
	if err != nil {
		return nil, fmt.Errorf("coverage: read resources: %w", err)
	}
	ok := rs[:0]
	for _, r := range rs {
		if err := r.Validate(); err != nil || r.ID <= 0 {
			cs.log.Warn("coverage: resource left out", "resource", r.ID, "err", err)
			continue
		}
		ok = append(ok, r)
	}
	return ok, nil
}

// syncResources brings cur's resources up to the store's.
// resourceStamper is the optional store method that says whether the
// resources changed (both stores have it; another process's writes show
// only through it).
type resourceStamper interface {
	ResourceStamp(ctx context.Context) (string, error)
}

func (cs *coverageService) syncResources(cur *coverageState) error {
	ctx, cancel := context.WithTimeout(context.Background(), snapshot.DefaultBuildTimeout)
	defer cancel()
	var stamp string
	if rs, ok := cs.store.(resourceStamper); ok {
		var err error
		if stamp, err = rs.ResourceStamp(ctx); err != nil {
			return fmt.Errorf("coverage: resource stamp: %w", err)
		}
	}
	rs, err := cs.resources(ctx)
	if err != nil {
		return err
	}
	if _, err := cur.a.Sync(rs); err != nil {
		cs.log.Warn("coverage: resources left out", "err", err)
	}
	cs.mu.Lock()
	cur.resStamp = stamp
	cs.mu.Unlock()
	return nil
}
