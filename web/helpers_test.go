package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

// testPassword is every fixture user's password.
const testPassword = "correct horse battery"

// testHash is testPassword hashed at bcrypt's minimum cost: logins in tests
// cost about a millisecond instead of ~60 ms (CheckPassword reads the cost
// from the hash).
var testHash = sync.OnceValue(func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(h)
})

// t0 is the fixed start of the fake clock.
var t0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// clock is a settable time source for Deps.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// world is a seeded store behind a real router: 2 districts, 3 grids, 3
// managers with logins, customers owned by different managers, resources,
// and admin, planner and leader logins.
type world struct {
	store   data.Store
	handler http.Handler
	clock   *clock
	reg     *prometheus.Registry
	logs    *syncBuffer

	d1, d2     *territory.District
	g1, g2, g3 *territory.Grid // g1 and g2 in d1, g3 in d2
	gSpare     *territory.Grid // in d2, no managers: free to delete
	m1, m2, m3 *territory.Manager
	// customers by owner: m1 owns 3, m2 owns 2, m3 owns 2; 2 are in g2's pool.
	own   map[int64][]*territory.Customer
	pool  []*territory.Customer
	res   []*territory.Resource
	users map[string]*territory.User // admin, planner, leader, zhang (m1), li (m2), wang (m3), temp (leader)
}

func square(c orb.Point, half float64) orb.Polygon {
	x0, y0, x1, y1 := c[0]-half, c[1]-half, c[0]+half, c[1]+half
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

// newWorld seeds a fresh store and builds the router on it.
func newWorld(tb testing.TB) *world {
	tb.Helper()
	return newWorldDeps(tb, Deps{})
}

func newWorldDeps(tb testing.TB, deps Deps) *world {
	tb.Helper()
	return newWorldWith(tb, deps, nil)
}

// newWorldWith seeds a world and serves it through wrap(store) when wrap is
// not nil (to inject failures).
func newWorldWith(tb testing.TB, deps Deps, wrap func(data.Store) data.Store) *world {
	tb.Helper()
	return newWorldOn(tb, openStore(tb), deps, wrap)
}

// newWorldOn seeds the world into st (a fresh, migrated store: SQLite, or
// PostgreSQL for the tests that run on both).
func newWorldOn(tb testing.TB, st data.Store, deps Deps, wrap func(data.Store) data.Store) *world {
	tb.Helper()
	ctx := context.Background()
	w := &world{
		store: st,
		clock: &clock{now: t0},
		reg:   prometheus.NewRegistry(),
		logs:  &syncBuffer{},
		own:   map[int64][]*territory.Customer{},
		users: map[string]*territory.User{},
	}
	must := func(err error, what string) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("seed %s: %v", what, err)
		}
	}
	w.d1 = &territory.District{Code: "330106", Name: "西湖区", City: "杭州市", Province: "浙江省", Boundary: orb.MultiPolygon{square(orb.Point{120.15, 30.27}, 0.1)}}
	w.d2 = &territory.District{Code: "330105", Name: "拱墅区", City: "杭州市", Province: "浙江省", Boundary: orb.MultiPolygon{square(orb.Point{120.15, 30.47}, 0.1)}}
	for _, d := range []*territory.District{w.d1, w.d2} {
		must(w.store.CreateDistrict(ctx, d), "district "+d.Code)
	}
	grid := func(d *territory.District, code string, c orb.Point, st territory.GridStatus) *territory.Grid {
		g := &territory.Grid{Code: code, Name: "网格 " + code, DistrictID: d.ID, Boundary: square(c, 0.02), Status: st, UpdatedBy: "seed"}
		must(w.store.CreateGrid(ctx, g), "grid "+code)
		return g
	}
	w.g1 = grid(w.d1, "XH-01", orb.Point{120.10, 30.27}, territory.GridPublished)
	w.g2 = grid(w.d1, "XH-02", orb.Point{120.20, 30.27}, territory.GridDraft)
	w.g3 = grid(w.d2, "GS-01", orb.Point{120.15, 30.47}, territory.GridPublished)
	w.gSpare = grid(w.d2, "GS-99", orb.Point{120.20, 30.50}, territory.GridDraft)

	manager := func(g *territory.Grid, code, name string) *territory.Manager {
		m := &territory.Manager{Code: code, Name: name, GridID: g.ID, Base: g.Boundary.Bound().Center(), Phone: "13800000000"}
		m.Normalize()
		must(w.store.CreateManager(ctx, m), "manager "+code)
		return m
	}
	w.m1 = manager(w.g1, "m001", "张伟")
	w.m2 = manager(w.g1, "m002", "李娜")
	w.m3 = manager(w.g3, "m003", "王强")

	n := 0
	customer := func(g *territory.Grid, owner int64, stage funnel.Stage) *territory.Customer {
		n++
		c := g.Boundary.Bound().Center()
		cu := &territory.Customer{
			ExternalID: fmt.Sprintf("C%03d", n),
			Name:       fmt.Sprintf("杭州某某科技有限公司 %d", n),
			Address:    fmt.Sprintf("文三路 %d 号", n),
			Location:   orb.Point{c[0] + float64(n)*0.001, c[1] + 0.001},
			GridID:     g.ID,
			Carrier:    territory.CarrierCompetitor,
			Stage:      stage,
			OwnerID:    owner,
		}
		cu.Normalize()
		must(w.store.CreateCustomer(ctx, cu), "customer "+cu.ExternalID)
		if owner == 0 {
			w.pool = append(w.pool, cu)
		} else {
			w.own[owner] = append(w.own[owner], cu)
		}
		return cu
	}
	customer(w.g1, w.m1.ID, funnel.List)
	customer(w.g1, w.m1.ID, funnel.Potential)
	customer(w.g1, w.m2.ID, funnel.List)
	customer(w.g1, w.m1.ID, funnel.Intent)
	customer(w.g1, w.m2.ID, funnel.Order)
	customer(w.g3, w.m3.ID, funnel.List)
	customer(w.g3, w.m3.ID, funnel.InNetwork)
	customer(w.g2, 0, funnel.Target)
	customer(w.g2, 0, funnel.Target)

	planned := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	w.res = []*territory.Resource{
		{Name: "文三路光交箱", Kind: "fibre_cabinet", Status: territory.ResourceExisting, Geometry: orb.Point{120.10, 30.27}, RadiusM: 300, Capacity: 96},
		{Name: "古墩路 OLT", Kind: "olt", Status: territory.ResourceUnderConstruction, Geometry: orb.Point{120.15, 30.47}, RadiusM: 800, ExpectedDate: &planned},
		{Name: "紫金港规划区", Kind: "fttx_area", Status: territory.ResourcePlanned, Geometry: square(orb.Point{120.20, 30.27}, 0.01), ExpectedDate: &planned},
	}
	for _, r := range w.res {
		must(w.store.CreateResource(ctx, r), "resource "+r.Name)
	}

	user := func(name string, role territory.Role, managerID int64) {
		u := &territory.User{Username: name, DisplayName: "用户 " + name, PasswordHash: testHash(), Role: role, ManagerID: managerID}
		must(w.store.CreateUser(ctx, u), "user "+name)
		w.users[name] = u
	}
	user("admin", territory.RoleAdmin, 0)
	user("planner", territory.RolePlanner, 0)
	user("leader", territory.RoleLeader, 0)
	user("zhang", territory.RoleManager, w.m1.ID)
	user("li", territory.RoleManager, w.m2.ID)
	user("wang", territory.RoleManager, w.m3.ID)
	user("temp", territory.RoleLeader, 0)

	deps.Store = w.store
	if wrap != nil {
		deps.Store = wrap(w.store)
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.NewJSONHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if deps.Now == nil {
		deps.Now = w.clock.Now
	}
	if deps.Registry == nil {
		deps.Registry = w.reg
	}
	w.reg = deps.Registry
	w.handler = NewRouter(deps)
	return w
}

// session creates a session for username straight in the store (no bcrypt)
// and returns its cookie; "" gives no cookie (anonymous).
func (w *world) session(tb testing.TB, username string) *http.Cookie {
	tb.Helper()
	if username == "" {
		return nil
	}
	u, ok := w.users[username]
	if !ok {
		tb.Fatalf("no fixture user %q", username)
	}
	token := newToken()
	now := w.clock.Now()
	err := w.store.CreateSession(context.Background(), &territory.Session{
		TokenHash: hashToken(token), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(DefaultSessionTTL),
	})
	if err != nil {
		tb.Fatalf("create session for %s: %v", username, err)
	}
	return &http.Cookie{Name: sessionCookie, Value: token}
}

// request is one HTTP call; Body is sent as is when a string or []byte,
// JSON-encoded otherwise, with Content-Type application/json unless
// ContentType says otherwise.
type request struct {
	Method, Path string
	Body         any
	ContentType  string
	Cookie       *http.Cookie
}

func (w *world) do(tb testing.TB, r request) *httptest.ResponseRecorder {
	tb.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			tb.Fatalf("encode body: %v", err)
		}
		body = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	if body != nil {
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if r.Cookie != nil {
		req.AddCookie(r.Cookie)
	}
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	return rec
}

// get is a GET as username ("" for anonymous).
func (w *world) get(tb testing.TB, username, path string) *httptest.ResponseRecorder {
	tb.Helper()
	return w.do(tb, request{Method: http.MethodGet, Path: path, Cookie: w.session(tb, username)})
}

// decode parses a JSON response body into v.
func decode(tb testing.TB, rec *httptest.ResponseRecorder, v any) {
	tb.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Fatalf("Content-Type %q, want application/json; body %s", ct, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		tb.Fatalf("decode %s: %v", rec.Body, err)
	}
}

func wantStatus(tb testing.TB, rec *httptest.ResponseRecorder, status int) {
	tb.Helper()
	if rec.Code != status {
		tb.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
}

// wantError checks status and the JSON error shape; field "" means any.
func wantError(tb testing.TB, rec *httptest.ResponseRecorder, status int, code, field string) errorDetail {
	tb.Helper()
	wantStatus(tb, rec, status)
	var body struct {
		Error *errorDetail `json:"error"`
	}
	decode(tb, rec, &body)
	if body.Error == nil {
		tb.Fatalf("no error object in %s", rec.Body)
	}
	if body.Error.Code != code {
		tb.Errorf("error code %q, want %q (%s)", body.Error.Code, code, rec.Body)
	}
	if field != "" && body.Error.Field != field {
		tb.Errorf("error field %q, want %q (%s)", body.Error.Field, field, rec.Body)
	}
	if body.Error.Message == "" {
		tb.Errorf("error without a message: %s", rec.Body)
	}
	return *body.Error
}

// gridFeatureBody is a POST/PUT body for a grid.
func gridFeatureBody(code string, districtID int64, poly orb.Polygon, version int) map[string]any {
	props := map[string]any{"code": code, "name": "网格 " + code, "district_id": districtID, "status": "draft"}
	if version > 0 {
		props["version"] = version
	}
	return map[string]any{
		"type":       "Feature",
		"geometry":   map[string]any{"type": "Polygon", "coordinates": poly},
		"properties": props,
	}
}

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }
