package web

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/paulmach/orb/maptile"
)

func TestTileCache(t *testing.T) {
	body := func(n int, b byte) []byte { return bytes.Repeat([]byte{b}, n) }
	tests := []struct {
		name string
		run  func(t *testing.T, c *tileCache)
	}{
		{"hit after put, miss for another revision or key", func(t *testing.T, c *tileCache) {
			c.put(1, 1, "a", body(10, 'a'))
			if got := c.get(1, "a"); !bytes.Equal(got, body(10, 'a')) {
				t.Errorf("get a: %q", got)
			}
			if c.get(2, "a") != nil || c.get(1, "b") != nil {
				t.Error("hit for another revision or key")
			}
		}},
		{"least recently used goes first", func(t *testing.T, c *tileCache) {
			for _, k := range []string{"a", "b", "c", "d"} {
				c.put(1, 1, k, body(25, k[0]))
			}
			c.get(1, "a") // a is now more recent than b
			c.put(1, 1, "e", body(25, 'e'))
			if c.get(1, "b") != nil {
				t.Error("b, the least recently used, is still there")
			}
			for _, k := range []string{"a", "c", "d", "e"} {
				if c.get(1, k) == nil {
					t.Errorf("%s evicted", k)
				}
			}
			if c.size != 100 {
				t.Errorf("size %d, want 100", c.size)
			}
		}},
		{"replacing a key keeps the size right", func(t *testing.T, c *tileCache) {
			c.put(1, 1, "a", body(10, 'a'))
			c.put(1, 1, "a", body(12, 'A'))
			if c.size != 12 || !bytes.Equal(c.get(1, "a"), body(12, 'A')) {
				t.Errorf("size %d, a %q", c.size, c.get(1, "a"))
			}
		}},
		{"a new revision empties the cache", func(t *testing.T, c *tileCache) {
			c.put(1, 1, "a", body(10, 'a'))
			c.put(2, 2, "b", body(10, 'b'))
			if c.get(1, "a") != nil || c.get(2, "a") != nil || c.get(2, "b") == nil || c.size != 10 {
				t.Errorf("after revision 2: size %d", c.size)
			}
		}},
		{"a late tile of a replaced snapshot is not kept", func(t *testing.T, c *tileCache) {
			c.put(2, 2, "b", body(10, 'b'))
			c.put(1, 2, "a", body(10, 'a'))
			if c.get(2, "b") == nil || c.get(1, "a") != nil {
				t.Error("the old revision's tile displaced the current one")
			}
		}},
		{"a huge tile is not kept", func(t *testing.T, c *tileCache) {
			c.put(1, 1, "a", body(10, 'a'))
			c.put(1, 1, "huge", body(26, 'h'))
			if c.get(1, "huge") != nil || c.get(1, "a") == nil {
				t.Error("huge tile kept, or it flushed the rest")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newTileCache(100)) })
	}
}

// The second request of a tile comes from the cache, the same bytes; each
// viewer scope and encoding has its own entry.
func TestCustomerTileCached(t *testing.T) {
	w := newWorld(t)
	tile := maptile.At(w.g1.Boundary.Bound().Center(), 12)
	for _, user := range []string{"planner", "zhang"} {
		for _, enc := range []string{"gzip", ""} {
			t.Run(fmt.Sprintf("%s %q", user, enc), func(t *testing.T) {
				first := w.getTile(t, user, tile, "Accept-Encoding", enc)
				second := w.getTile(t, user, tile, "Accept-Encoding", enc)
				wantStatus(t, second, http.StatusOK)
				if first.Header().Get("X-Tile-Cache") != "miss" || second.Header().Get("X-Tile-Cache") != "hit" {
					t.Errorf("X-Tile-Cache %q then %q, want miss then hit", first.Header().Get("X-Tile-Cache"), second.Header().Get("X-Tile-Cache"))
				}
				if !bytes.Equal(first.Body.Bytes(), second.Body.Bytes()) || first.Header().Get("Content-Encoding") != second.Header().Get("Content-Encoding") {
					t.Error("cached tile differs")
				}
				decodeTile(t, second, HexLayer)
			})
		}
	}
}
