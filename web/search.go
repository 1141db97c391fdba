package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"gridplan/funnel"
	"gridplan/territory"
)

// Search limits and refresh periods.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 50
	maxQueryRunes      = 100
	// searchGridTTL is how long a list of grids serves searches: reading
	// the grids costs about 10 ms at 5,000 grids, too much per keystroke,
	// and grid edits are rare.
	searchGridTTL = 2 * time.Second
	// searchRebuildAfter is the age after which the customer name index is
	// rebuilt in the background if the store's data changed. New customers
	// show at once (each search reads the ids added since the last); what
	// a rebuild adds is renames, which imports make now and then.
	searchRebuildAfter = 5 * time.Minute
	// searchPage is how many customers one store read brings while the
	// index is built.
	searchPage = 10000
)

// Search answers GET /api/search?q=: grids by code or name, customers by
// name, best first (exact, then prefix, then contains; shorter names
// first, then lower ids).
//
// Why in memory: customer names are Chinese, and a search of two
// characters (科技, 餐饮) is the common case. SQLite has no index for
// LIKE '%科技%'. PostgreSQL's pg_trgm (contrib; under a UTF-8 ctype it
// makes trigrams of Chinese too) answers three characters or more in under
// a millisecond, but a two-character pattern holds no trigram: measured on
// 1,000,000 demo names, '%科技%' best first is a parallel scan of about
// 100 ms. One in-memory copy of the names serves both stores alike: a byte
// slice of folded names (about 27 MB for 1,000,000), scanned for the
// query's rarest byte with bytes.IndexByte; 2–30 ms a search at 1,000,000
// names on two shared cores, about 5 s to build on first use. A manager
// searches his own list, which the store gives directly (his 30–70
// customers), so he never waits for the index nor sees anyone else's.
type search struct {
	s *server

	gridMu   sync.Mutex
	grids    []gridEntry
	gridsAt  time.Time
	gridsSet bool

	// syncMu serialises index builds, tail reads and the rebuilding flag;
	// mu guards the index's contents against the scans.
	syncMu     sync.Mutex
	rebuilding bool
	mu         sync.RWMutex
	names      *nameIndex // nil until the first search builds it
}

func newSearch(s *server) *search { return &search{s: s} }

// gridEntry is a grid as search sees it.
type gridEntry struct {
	ID         int64
	Code, Name string
	foldCode   string
	foldName   string
	DistrictID int64
	BBox       [4]float64
}

// nameIndex is the customers' folded names, each followed by '\n', in id
// order.
type nameIndex struct {
	freq   [256]int // how often each byte occurs in text
	text   []byte
	starts []uint32 // where name i begins in text
	ids    []int64
	maxID  int64
	stamp  string // the store's data stamp when the build began ("" if none)
	built  time.Time
}

// fold is what names and queries are compared as: lower case, full-width
// ASCII as ASCII (ＡＢＣ１２３ → abc123, the ideographic space as a space),
// no line breaks. Written out rather than with x/text/width and
// strings.ToLower because it runs on every name when the index is built:
// most names need no change and are returned as they are.
func fold(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c == '\n' || c == '\r' || c == 0xEF || c == 0xE3 {
			clean = false // 0xEF, 0xE3 lead the full-width forms and the ideographic space
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		case r >= 0xFF21 && r <= 0xFF3A: // Ａ–Ｚ
			return r - 0xFF21 + 'a'
		case r >= 0xFF01 && r <= 0xFF5E: // the rest of full-width ASCII
			return r - 0xFF01 + '!'
		case r == 0x3000, r == '\n', r == '\r':
			return ' '
		}
		return r
	}, s)
}

// searchQuery is a parsed ?q=: its folded words, all of which must occur.
type searchQuery struct {
	raw   string
	whole string   // the folded query, words joined by one space
	words []string // folded words
}

func parseSearchQuery(c *gin.Context) (searchQuery, int, error) {
	raw := strings.TrimSpace(c.Query("q"))
	switch n := utf8.RuneCountInString(raw); {
	case n == 0:
		return searchQuery{}, 0, invalid("q", "is required: a grid code or name, or a customer name")
	case n > maxQueryRunes:
		return searchQuery{}, 0, invalid("q", "is longer than %d characters", maxQueryRunes)
	}
	limit := DefaultSearchLimit
	if v, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxSearchLimit {
			return searchQuery{}, 0, invalid("limit", "must be an integer from 1 to %d, got %q", MaxSearchLimit, v)
		}
		limit = n
	}
	words := strings.Fields(fold(raw))
	q := searchQuery{raw: raw, whole: strings.Join(words, " "), words: words}
	return q, limit, nil
}

// matchClass ranks a match: exact, prefix, contains; -1 is no match.
func (q *searchQuery) matchClass(folded string) int {
	for _, w := range q.words {
		if !strings.Contains(folded, w) {
			return -1
		}
	}
	switch {
	case folded == q.whole:
		return 0
	case strings.HasPrefix(folded, q.whole):
		return 1
	}
	return 2
}

// matchBytes is matchClass on a name of the index, known to hold word wi
// first at offset at: no allocation, and for the usual one word query no
// more comparisons.
func (q *searchQuery) matchBytes(name []byte, wi, at int) int {
	if len(q.words) == 1 {
		switch {
		case at > 0:
			return 2
		case len(name) == len(q.whole):
			return 0
		}
		return 1
	}
	for i, w := range q.words {
		if i != wi && !bytes.Contains(name, []byte(w)) {
			return -1
		}
	}
	switch {
	case string(name) == q.whole: // compiled without a copy
		return 0
	case bytes.HasPrefix(name, []byte(q.whole)):
		return 1
	}
	return 2
}

var matchNames = [...]string{"exact", "prefix", "contains"}

// ranked is a match: its class, then the name's length, then the id order
// results.
type ranked struct {
	class  int
	length int
	id     int64
	index  int
}

func (a ranked) before(b ranked) bool {
	if a.class != b.class {
		return a.class < b.class
	}
	if a.length != b.length {
		return a.length < b.length
	}
	return a.id < b.id
}

// topN keeps the n best matches offered.
type topN struct {
	n     int
	items []ranked
}

func (t *topN) offer(r ranked) {
	if len(t.items) == t.n && !r.before(t.items[len(t.items)-1]) {
		return
	}
	i := sort.Search(len(t.items), func(i int) bool { return r.before(t.items[i]) })
	if len(t.items) < t.n {
		t.items = append(t.items, ranked{})
	}
	copy(t.items[i+1:], t.items[i:])
	t.items[i] = r
}

// searchResult is the answer of GET /api/search.
type searchResult struct {
	Query     string           `json:"q"`
	Grids     []gridHit        `json:"grids"`
	Customers []customerHit    `json:"customers"`
	Index     *searchIndexInfo `json:"index,omitempty"`
}

type gridHit struct {
	ID         int64      `json:"id"`
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	DistrictID int64      `json:"district_id"`
	BBox       [4]float64 `json:"bbox"` // minLng, minLat, maxLng, maxLat: what the map zooms to
	Match      string     `json:"match"`
}

type customerHit struct {
	ID      int64        `json:"id"`
	Name    string       `json:"name"`
	Address string       `json:"address"`
	GridID  int64        `json:"grid_id,omitempty"`
	OwnerID int64        `json:"owner_id,omitempty"`
	Stage   funnel.Stage `json:"stage"`
	Lng     float64      `json:"lng"`
	Lat     float64      `json:"lat"`
	Match   string       `json:"match"`
}

// searchIndexInfo says how old the customer index is (for the curious
// and for tests; managers, who search the store, get none).
type searchIndexInfo struct {
	Customers int       `json:"customers"`
	BuiltAt   time.Time `json:"built_at"`
}

func (h *search) handle(c *gin.Context) {
	q, limit, err := parseSearchQuery(c)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	res := searchResult{Query: q.raw, Grids: []gridHit{}, Customers: []customerHit{}}
	if res.Grids, err = h.searchGrids(ctx, &q, limit); err != nil {
		fail(c, err)
		return
	}
	// The customers a caller may read: all, his own, or none.
	switch Policy[currentUser(c).Role][ReadCustomers] {
	case ScopeAll:
		res.Customers, res.Index, err = h.searchAllCustomers(ctx, &q, limit)
	case ScopeOwn:
		own, oerr := ownManagerID(c)
		if oerr != nil {
			fail(c, oerr)
			return
		}
		res.Customers, err = h.searchOwnCustomers(ctx, &q, limit, own)
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (h *search) searchGrids(ctx context.Context, q *searchQuery, limit int) ([]gridHit, error) {
	grids, err := h.gridList(ctx)
	if err != nil {
		return nil, err
	}
	top := topN{n: limit}
	for i, g := range grids {
		// A code match ranks above a name match of the same class.
		best := -1
		if k := q.matchClass(g.foldCode); k >= 0 {
			best = 2 * k
		}
		if k := q.matchClass(g.foldName); k >= 0 && (best < 0 || 2*k+1 < best) {
			best = 2*k + 1
		}
		if best >= 0 {
			top.offer(ranked{class: best, length: len(g.Code), id: g.ID, index: i})
		}
	}
	out := make([]gridHit, len(top.items))
	for i, r := range top.items {
		g := grids[r.index]
		out[i] = gridHit{ID: g.ID, Code: g.Code, Name: g.Name, DistrictID: g.DistrictID, BBox: g.BBox, Match: matchNames[r.class/2]}
	}
	return out, nil
}

// gridList returns the grids, re-read when older than searchGridTTL.
func (h *search) gridList(ctx context.Context) ([]gridEntry, error) {
	h.gridMu.Lock()
	defer h.gridMu.Unlock()
	now := h.s.Now()
	if h.gridsSet && now.Sub(h.gridsAt) < searchGridTTL && !now.Before(h.gridsAt) {
		return h.grids, nil
	}
	gs, err := h.s.Store.Grids(ctx, territory.GridFilter{})
	if err != nil {
		return nil, fmt.Errorf("search: list grids: %w", err)
	}
	list := make([]gridEntry, len(gs))
	for i, g := range gs {
		b := g.Boundary.Bound()
		list[i] = gridEntry{ID: g.ID, Code: g.Code, Name: g.Name, foldCode: fold(g.Code), foldName: fold(g.Name),
			DistrictID: g.DistrictID, BBox: [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}}
	}
	h.grids, h.gridsAt, h.gridsSet = list, now, true
	return list, nil
}

// searchOwnCustomers searches a manager's own list, straight from the
// store.
func (h *search) searchOwnCustomers(ctx context.Context, q *searchQuery, limit int, owner int64) ([]customerHit, error) {
	var all []*territory.Customer
	var after int64
	for {
		cs, err := h.s.Store.Customers(ctx, territory.CustomerFilter{OwnerID: owner, AfterID: after, Limit: 1000})
		if err != nil {
			return nil, fmt.Errorf("search: customers of manager %d: %w", owner, err)
		}
		all = append(all, cs...)
		if len(cs) < 1000 {
			break
		}
		after = cs[len(cs)-1].ID
	}
	top := topN{n: limit}
	for i, cu := range all {
		f := fold(cu.Name)
		if k := q.matchClass(f); k >= 0 {
			top.offer(ranked{class: k, length: len(f), id: cu.ID, index: i})
		}
	}
	out := make([]customerHit, len(top.items))
	for i, r := range top.items {
		out[i] = newCustomerHit(all[r.index], r.class)
	}
	return out, nil
}

func newCustomerHit(cu *territory.Customer, class int) customerHit {
	return customerHit{ID: cu.ID, Name: cu.Name, Address: cu.Address, GridID: cu.GridID, OwnerID: cu.OwnerID,
		Stage: cu.Stage, Lng: cu.Location[0], Lat: cu.Location[1], Match: matchNames[class]}
}

// searchAllCustomers searches every customer through the name index, then
// reads the hits from the store: a customer deleted or renamed since the
// index was built is dropped rather than shown stale.
func (h *search) searchAllCustomers(ctx context.Context, q *searchQuery, limit int) ([]customerHit, *searchIndexInfo, error) {
	idx, err := h.index(ctx)
	if err != nil {
		return nil, nil, err
	}
	h.mu.RLock()
	hits := idx.find(q, limit)
	info := &searchIndexInfo{Customers: len(idx.ids), BuiltAt: idx.built}
	h.mu.RUnlock()

	out := make([]customerHit, 0, len(hits))
	for _, r := range hits {
		cu, err := h.s.Store.Customer(ctx, r.id)
		if errors.Is(err, territory.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("search: customer %d: %w", r.id, err)
		}
		k := q.matchClass(fold(cu.Name))
		if k < 0 {
			continue // renamed meanwhile
		}
		out = append(out, newCustomerHit(cu, k))
	}
	return out, info, nil
}

// find returns the best matches of q, at most limit. It scans for one
// word and checks the others in each name that holds it. The scan looks
// for the rarest byte of any word with
// bytes.IndexByte (SIMD-fast) and compares the word around each: UTF-8
// Chinese starts almost every character with one of six lead bytes, so
// scanning for the first byte would stop everywhere. Callers hold at
// least the read lock.
func (x *nameIndex) find(q *searchQuery, limit int) []ranked {
	top := topN{n: limit}
	// The anchor: the rarest byte of any word; that word is scanned for.
	wi, k := 0, 0
	for i, w := range q.words {
		for j := 0; j < len(w); j++ {
			if x.freq[w[j]] < x.freq[q.words[wi][k]] {
				wi, k = i, j
			}
		}
	}
	word := []byte(q.words[wi])
	anchor, text, n := word[k], x.text, len(x.starts)
	i := 0 // the name holding the current position
	for pos := 0; pos+len(word) <= len(text); {
		j := bytes.IndexByte(text[pos+k:], anchor)
		if j < 0 {
			break
		}
		at := pos + j // where the word would start
		if at+len(word) > len(text) || !bytes.Equal(text[at:at+len(word)], word) {
			pos = at + 1
			continue
		}
		for i+1 < n && int(x.starts[i+1]) <= at {
			i++
		}
		start, end := int(x.starts[i]), len(text)-1
		if i+1 < n {
			end = int(x.starts[i+1]) - 1
		}
		name := text[start:end]
		if c := q.matchBytes(name, wi, at-start); c >= 0 {
			top.offer(ranked{class: c, length: len(name), id: x.ids[i], index: i})
		}
		pos = end + 1 // on to the next name
	}
	return top.items
}

// index returns the name index, building it on first use, reading the
// customers added since the last search, and starting a rebuild in the
// background when it is old and the store's data changed.
func (h *search) index(ctx context.Context) (*nameIndex, error) {
	h.syncMu.Lock()
	defer h.syncMu.Unlock()
	h.mu.RLock()
	idx := h.names
	h.mu.RUnlock()
	if idx == nil {
		built, err := buildNameIndex(ctx, h.s)
		if err != nil {
			return nil, err
		}
		h.mu.Lock()
		h.names = built
		h.mu.Unlock()
		return built, nil
	}
	if err := h.readTail(ctx, idx); err != nil {
		return nil, err
	}
	if h.s.Now().Sub(idx.built) >= searchRebuildAfter && !h.rebuilding {
		h.rebuilding = true
		go h.rebuild(idx.stamp)
	}
	return idx, nil
}

// readTail appends the customers with ids above the index's highest. The
// caller holds syncMu.
func (h *search) readTail(ctx context.Context, idx *nameIndex) error {
	for {
		cs, err := h.s.Store.Customers(ctx, territory.CustomerFilter{AfterID: idx.maxID, Limit: searchPage})
		if err != nil {
			return fmt.Errorf("search: new customers: %w", err)
		}
		if len(cs) == 0 {
			return nil
		}
		h.mu.Lock()
		err = idx.add(cs)
		h.mu.Unlock()
		if err != nil || len(cs) < searchPage {
			return err
		}
	}
}

// rebuild builds a fresh index in the background when the store's data
// stamp moved since stamp, and swaps it in.
func (h *search) rebuild(stamp string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	defer func() {
		h.syncMu.Lock()
		h.rebuilding = false
		h.syncMu.Unlock()
	}()
	if st, ok := h.s.Store.(dataStamper); ok && stamp != "" {
		now, err := st.DataStamp(ctx)
		if err == nil && now == stamp {
			h.syncMu.Lock()
			h.mu.Lock()
			h.names.built = h.s.Now() // unchanged: good for another period
			h.mu.Unlock()
			h.syncMu.Unlock()
			return
		}
	}
	start := time.Now()
	built, err := buildNameIndex(ctx, h.s)
	if err != nil {
		h.s.Logger.Warn("search: rebuilding the customer name index failed; the old one serves", "err", err)
		return
	}
	h.syncMu.Lock()
	h.mu.Lock()
	h.names = built
	h.mu.Unlock()
	h.syncMu.Unlock()
	h.s.Logger.Info("search: customer name index rebuilt", "customers", len(built.ids), "took", time.Since(start).Round(time.Millisecond))
}

// dataStamper is a store that can say cheaply whether its data changed
// (both stores can; it is not part of data.Store).
type dataStamper interface {
	DataStamp(ctx context.Context) (string, error)
}

// buildNameIndex reads every customer's name, in id order.
func buildNameIndex(ctx context.Context, s *server) (*nameIndex, error) {
	x := &nameIndex{built: s.Now()}
	if st, ok := s.Store.(dataStamper); ok {
		stamp, err := st.DataStamp(ctx)
		if err != nil {
			return nil, fmt.Errorf("search: data stamp: %w", err)
		}
		x.stamp = stamp
	}
	for {
		cs, err := s.Store.Customers(ctx, territory.CustomerFilter{AfterID: x.maxID, Limit: searchPage})
		if err != nil {
			return nil, fmt.Errorf("search: read customers after id %d: %w", x.maxID, err)
		}
		if err := x.add(cs); err != nil {
			return nil, err
		}
		if len(cs) < searchPage {
			return x, nil
		}
	}
}

// add appends customers (in id order, all above maxID).
func (x *nameIndex) add(cs []*territory.Customer) error {
	for _, cu := range cs {
		if len(x.text) > 1<<32-1024 {
			return errors.New("search: customer names exceed 4 GB")
		}
		name := fold(cu.Name)
		for i := 0; i < len(name); i++ {
			x.freq[name[i]]++
		}
		x.starts = append(x.starts, uint32(len(x.text)))
		x.text = append(x.text, name...)
		x.text = append(x.text, '\n')
		x.ids = append(x.ids, cu.ID)
		x.maxID = cu.ID
	}
	return nil
}
