package web

import (
	"container/list"
	"sync"
)

// tileCacheBytes bounds the rendered tiles kept in memory: about 2,500
// tiles of the demo city's average 14 kB (gzipped).
const tileCacheBytes = 32 << 20

// tileCache keeps recently rendered tiles of one snapshot revision, least
// recently used out first. A tile is keyed by viewer scope, address and
// encoding; a new revision empties the cache, so no stale tile is served
// (the revision is also in every ETag). Safe for concurrent use.
type tileCache struct {
	mu    sync.Mutex
	rev   uint64
	max   int
	size  int
	order *list.List // front: most recently used; values *tileEntry
	byKey map[string]*list.Element
}

type tileEntry struct {
	key  string
	body []byte
}

func newTileCache(maxBytes int) *tileCache {
	return &tileCache{max: maxBytes, order: list.New(), byKey: map[string]*list.Element{}}
}

// get returns the tile of revision rev under key, or nil.
func (c *tileCache) get(rev uint64, key string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rev != c.rev {
		return nil
	}
	e, ok := c.byKey[key]
	if !ok {
		return nil
	}
	c.order.MoveToFront(e)
	return e.Value.(*tileEntry).body
}

// put keeps body (which the caller no longer changes) as the tile of
// revision rev under key; current is the revision of the snapshot in place
// now. A tile of the current revision, when the cache holds another, first
// empties the cache; a tile of a replaced snapshot (its request began
// before the swap) is not kept.
func (c *tileCache) put(rev, current uint64, key string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rev != c.rev {
		if rev != current {
			return
		}
		c.rev, c.size = rev, 0
		c.order.Init()
		clear(c.byKey)
	}
	if len(body) > c.max/4 {
		return // one huge tile must not flush the rest
	}
	if e, ok := c.byKey[key]; ok {
		c.size -= len(e.Value.(*tileEntry).body)
		c.order.Remove(e)
	}
	c.byKey[key] = c.order.PushFront(&tileEntry{key: key, body: body})
	c.size += len(body)
	for c.size > c.max {
		e := c.order.Back()
		te := e.Value.(*tileEntry)
		c.order.Remove(e)
		delete(c.byKey, te.key)
		c.size -= len(te.body)
	}
}
