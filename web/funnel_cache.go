package web

// The province's funnel report reads every customer and two years of
// history: about 4 s at a million customers (district reports take under
// 1 s). Leaders open it again and again, so it is kept for a short while:
// until this process writes anything (any successful POST/PUT/PATCH/DELETE
// of the API), or MetricsCacheTTL at the most, which bounds how stale
// another replica's writes can make it. Concurrent requests for the same
// report wait for one computation.

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/singleflight"

	"gridplan/territory/sales"
)

// MetricsCacheTTL is how long a province report is served from memory.
const MetricsCacheTTL = 2 * time.Minute

type metricsCache struct {
	gen    atomic.Uint64 // bumped by every successful write
	group  singleflight.Group
	mu     sync.Mutex
	byKey  map[string]cachedReport
	maxAge time.Duration
}

type cachedReport struct {
	v   *sales.MetricsView
	gen uint64
	at  time.Time
}

func newMetricsCache() *metricsCache {
	return &metricsCache{byKey: map[string]cachedReport{}, maxAge: MetricsCacheTTL}
}

// invalidateOnWrite is middleware: a write that succeeded makes every kept
// report stale.
func (m *metricsCache) invalidateOnWrite(c *gin.Context) {
	c.Next()
	if c.Request.Method != "GET" && c.Request.Method != "HEAD" && c.Writer.Status() < 400 {
		m.gen.Add(1)
	}
}

// get returns the report for q, computing it with compute when none is
// kept for the current generation and age.
func (m *metricsCache) get(ctx context.Context, q sales.MetricsQuery, now time.Time, compute func(context.Context) (*sales.MetricsView, error)) (*sales.MetricsView, error) {
	key := fmt.Sprintf("%s/%d/%d/%d/%d", q.Level, q.ID, q.From.Unix(), q.To.Unix(), q.TargetOrders)
	gen := m.gen.Load()
	m.mu.Lock()
	hit, ok := m.byKey[key]
	m.mu.Unlock()
	if ok && hit.gen == gen && now.Sub(hit.at) < m.maxAge {
		return hit.v, nil
	}
	v, err, _ := m.group.Do(key, func() (any, error) {
		// Detached from the first caller's request: the others wait too.
		v, err := compute(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		if len(m.byKey) > 256 { // periods differ: keep memory bounded
			clear(m.byKey)
		}
		m.byKey[key] = cachedReport{v: v, gen: gen, at: now}
		m.mu.Unlock()
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*sales.MetricsView), nil
}
