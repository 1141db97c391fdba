package web

// The funnel API: claims (报备), releases, activities with their signals and
// an optional stage change, stage changes, follow-ups marked done, a
// manager's list, a grid's pool, funnel metrics, the funnel configuration
// and the lapse job. Handlers
// parse, call the sales service (territory/sales) and render; who may act on
// which customer is the service's call (a manager: his own list and his
// grid's pool), on top of the route's policy action.

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
	"gridplan/territory/sales"
)

// Limits of the funnel API.
const (
	DefaultPoolLimit = 500
	MaxPoolLimit     = 5000
	// DefaultMetricsDays is the period of a funnel report without from:
	// the 30 days up to to (default: through today).
	DefaultMetricsDays = 30
	// MaxMetricsDays bounds a report's period.
	MaxMetricsDays = 3 * 366
)

// NewSalesService is the sales service on a store: every write in one
// store transaction. serve's lapse ticker uses it as the router does.
func NewSalesService(st data.Store, log *slog.Logger, now func() time.Time) *sales.Service {
	return &sales.Service{
		Store: st,
		InTx: func(ctx context.Context, fn func(sales.Store) error) error {
			return st.InTx(ctx, func(tx data.Store) error { return fn(tx) })
		},
		Now:    now,
		Logger: log,
	}
}

func (s *server) sales() *sales.Service { return s.salesSvc }

func (s *server) registerFunnel(authed *gin.RouterGroup) {
	cu := authed.Group("/customers/:id")
	cu.POST("/claim", allow(WorkFunnel), s.claimCustomer)
	cu.POST("/release", allow(WorkFunnel), s.releaseCustomer)
	cu.POST("/activities", allow(WorkFunnel), s.logActivity)
	cu.GET("/activities", allow(ReadFunnel), s.customerActivities)
	cu.POST("/transition", allow(WorkFunnel), s.transitionCustomer)
	cu.GET("/transitions", allow(ReadFunnel), s.customerTransitions)

	authed.POST("/followups/:id/done", allow(WorkFunnel), s.followUpDone)

	g := authed.Group("/funnel")
	g.GET("/metrics", allow(ReadFunnel), s.funnelMetrics)
	g.GET("/list", allow(ReadFunnel), s.funnelList)
	g.GET("/pool", allow(ReadFunnel), s.funnelPool)
	g.GET("/config", allow(ReadFunnel), s.funnelConfig)
	g.PUT("/config", allow(ConfigureFunnel), s.saveFunnelConfig)
	g.POST("/lapse", allow(ConfigureFunnel), s.lapseClaims)
}

// actor is the caller as the sales service sees him.
func actor(c *gin.Context) sales.Actor {
	u := currentUser(c)
	return sales.Actor{UserID: u.ID, Role: u.Role, ManagerID: u.ManagerID}
}

// actingFor is the caller acting, for an admin, as the manager the body
// names (manager_id); a manager always acts as himself.
func actingFor(c *gin.Context, managerID int64) (sales.Actor, error) {
	a := actor(c)
	if managerID < 0 {
		return a, invalid("manager_id", "must be a positive id, got %d", managerID)
	}
	if managerID != 0 && a.Role == territory.RoleAdmin {
		a.ManagerID = managerID
	} else if managerID != 0 && managerID != a.ManagerID {
		return a, forbidden("managers act only for themselves")
	}
	return a, nil
}

// optionalJSON decodes a body that may be absent.
func optionalJSON(c *gin.Context, v any) error {
	if c.Request.Body == nil || c.Request.Body == http.NoBody || c.Request.ContentLength == 0 {
		return nil
	}
	return decodeJSON(c, v)
}

// claimIn is the optional body of POST /api/customers/:id/claim: an admin
// names the manager he claims for.
type claimIn struct {
	ManagerID int64 `json:"manager_id"`
}

func (s *server) claimCustomer(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	var in claimIn
	if err := optionalJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	a, err := actingFor(c, in.ManagerID)
	if err != nil {
		fail(c, err)
		return
	}
	cl, err := s.sales().Claim(c.Request.Context(), a, id)
	if err != nil {
		fail(c, fmt.Errorf("claim customer %d: %w", id, err))
		return
	}
	c.JSON(http.StatusCreated, gin.H{"claim": cl})
}

type releaseIn struct {
	Reason string `json:"reason"`
}

func (s *server) releaseCustomer(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	var in releaseIn
	if err := optionalJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	cl, err := s.sales().Release(c.Request.Context(), actor(c), id, in.Reason)
	if err != nil {
		fail(c, fmt.Errorf("release customer %d: %w", id, err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"claim": cl})
}

// positionIn is a phone's position.
type positionIn struct {
	Lat *float64 `json:"lat"`
	Lng *float64 `json:"lng"`
}

// activityIn is the body of POST /api/customers/:id/activities.
type activityIn struct {
	Kind            funnel.ActivityKind `json:"kind"`
	At              string              `json:"at"` // RFC 3339; default now
	Note            string              `json:"note"`
	Signals         []funnel.SignalKind `json:"signals"`
	Position        *positionIn         `json:"position"`
	ContractExpires string              `json:"contract_expires"` // YYYY-MM-DD
	To              string              `json:"to"`
	Evidence        map[string]any      `json:"evidence"`
	Reason          string              `json:"reason"`
	ManagerID       int64               `json:"manager_id"` // admins: who acted
}

func (in *activityIn) parse() (sales.ActivityInput, error) {
	out := sales.ActivityInput{Kind: in.Kind, Note: in.Note, Signals: in.Signals, Reason: in.Reason}
	if in.Kind == "" {
		return out, invalid("kind", "is required (visit_building, visit_street, visit_door, phone, …)")
	}
	if raw := strings.TrimSpace(in.At); raw != "" {
		t, err := time.Parse(time.RFC3339, raw)
		if err != nil {
			return out, invalid("at", "must be an RFC 3339 time like 2026-11-26T09:30:00+08:00, got %q", raw)
		}
		out.At = t
	}
	if p := in.Position; p != nil {
		if p.Lat == nil || p.Lng == nil {
			return out, invalid("position", "needs both lat and lng")
		}
		if math.IsNaN(*p.Lat) || math.IsNaN(*p.Lng) || *p.Lat < -90 || *p.Lat > 90 || *p.Lng < -180 || *p.Lng > 180 {
			return out, invalid("position", "(%v, %v) is not a WGS-84 latitude/longitude", *p.Lat, *p.Lng)
		}
		out.Position = &orb.Point{*p.Lng, *p.Lat}
	}
	if raw := strings.TrimSpace(in.ContractExpires); raw != "" {
		t, err := time.Parse(time.DateOnly, raw)
		if err != nil {
			return out, invalid("contract_expires", "must be a day YYYY-MM-DD, got %q", raw)
		}
		out.ContractExpires = &t
	}
	if raw := strings.TrimSpace(in.To); raw != "" {
		to, err := funnel.ParseStage(raw)
		if err != nil {
			return out, invalid("to", "unknown stage %q (want one of target, list, potential, intent, order, in_network, lost, churned)", raw)
		}
		out.To = &to
	}
	var err error
	out.Evidence, err = evidenceOf(in.Evidence)
	return out, err
}

// evidenceOf reads checklist evidence: strings as they are, true/false and
// numbers spelled out (a checkbox may send a JSON boolean).
func evidenceOf(raw map[string]any) (map[string]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case nil:
		case string:
			out[k] = v
		case bool:
			out[k] = strconv.FormatBool(v)
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		default:
			return nil, invalid("evidence."+k, "must be a string, a number or true/false")
		}
	}
	return out, nil
}

// activityJSON is an activity with its position as {lng, lat}, as the
// request sends it.
type activityJSON struct {
	*funnel.Activity
	Position *lngLat `json:"position,omitempty"`
}

func newActivityJSON(a *funnel.Activity) *activityJSON {
	if a == nil {
		return nil
	}
	aj := &activityJSON{Activity: a}
	if a.Position != nil {
		aj.Position = &lngLat{Lng: a.Position[0], Lat: a.Position[1]}
	}
	return aj
}

// activityOut is the 201 of POST /api/customers/:id/activities.
type activityOut struct {
	Activity   *activityJSON      `json:"activity"`
	Transition *funnel.Transition `json:"transition,omitempty"`
	FollowUp   *funnel.FollowUp   `json:"follow_up,omitempty"`
	Claim      *funnel.Claim      `json:"claim,omitempty"`
}

func (s *server) logActivity(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	var raw activityIn
	if err := decodeJSON(c, &raw); err != nil {
		fail(c, err)
		return
	}
	in, err := raw.parse()
	if err != nil {
		fail(c, err)
		return
	}
	a, err := actingFor(c, raw.ManagerID)
	if err != nil {
		fail(c, err)
		return
	}
	res, err := s.sales().LogActivity(c.Request.Context(), a, id, in)
	if err != nil {
		fail(c, fmt.Errorf("log activity on customer %d: %w", id, err))
		return
	}
	c.JSON(http.StatusCreated, activityOut{Activity: newActivityJSON(res.Activity), Transition: res.Transition, FollowUp: res.FollowUp, Claim: res.Claim})
}

func (s *server) customerActivities(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	as, err := s.sales().Activities(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, fmt.Errorf("activities of customer %d: %w", id, err))
		return
	}
	items := make([]*activityJSON, 0, len(as))
	for _, a := range as {
		items = append(items, newActivityJSON(a))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// transitionIn is the body of POST /api/customers/:id/transition.
type transitionIn struct {
	To       string         `json:"to"`
	Evidence map[string]any `json:"evidence"`
	Reason   string         `json:"reason"`
}

func (s *server) transitionCustomer(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	var in transitionIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	if strings.TrimSpace(in.To) == "" {
		fail(c, invalid("to", "is required: the stage to move the customer to"))
		return
	}
	to, err := funnel.ParseStage(strings.TrimSpace(in.To))
	if err != nil {
		fail(c, invalid("to", "unknown stage %q (want one of target, list, potential, intent, order, in_network, lost, churned)", in.To))
		return
	}
	ev, err := evidenceOf(in.Evidence)
	if err != nil {
		fail(c, err)
		return
	}
	res, err := s.sales().Transition(c.Request.Context(), actor(c), id, to, ev, in.Reason)
	if err != nil {
		fail(c, fmt.Errorf("transition customer %d: %w", id, err))
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *server) customerTransitions(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	ts, err := s.sales().Transitions(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, fmt.Errorf("transitions of customer %d: %w", id, err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": ts})
}

// parseDay reads a YYYY-MM-DD query parameter as midnight UTC.
func parseDay(field, raw string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(raw))
	if err != nil {
		return time.Time{}, invalid(field, "must be a day YYYY-MM-DD, got %q", raw)
	}
	return t, nil
}

// metricsQuery reads GET /api/funnel/metrics: level (default manager for a
// manager login, else district), id (a manager's own id or grid by
// default), from and to (days, both included; default the 30 days through
// today), target_orders.
func (s *server) metricsQuery(c *gin.Context) (sales.MetricsQuery, error) {
	var q sales.MetricsQuery
	a := actor(c)
	rawLevel := c.Query("level")
	if rawLevel == "" {
		rawLevel = string(sales.LevelDistrict)
		if a.Role == territory.RoleManager {
			rawLevel = string(sales.LevelManager)
		}
	}
	level, err := sales.ParseLevel(rawLevel)
	if err != nil {
		return q, err
	}
	q.Level = level
	if q.ID, err = queryID(c, "id"); err != nil {
		return q, err
	}
	if q.ID == 0 && a.Role == territory.RoleManager && a.ManagerID > 0 {
		switch level {
		case sales.LevelManager:
			q.ID = a.ManagerID
		case sales.LevelGrid:
			if q.ID, err = s.ownGridID(c); err != nil {
				return q, err
			}
		}
	}
	today := dayOf(s.Now())
	q.To = today.AddDate(0, 0, 1)
	if raw, ok := c.GetQuery("to"); ok && raw != "" {
		t, err := parseDay("to", raw)
		if err != nil {
			return q, err
		}
		q.To = t.AddDate(0, 0, 1) // the last day is included
	}
	q.From = q.To.AddDate(0, 0, -DefaultMetricsDays)
	if raw, ok := c.GetQuery("from"); ok && raw != "" {
		if q.From, err = parseDay("from", raw); err != nil {
			return q, err
		}
	}
	switch {
	case !q.To.After(q.From):
		return q, invalid("from", "must not be after to")
	case q.To.Sub(q.From) > MaxMetricsDays*24*time.Hour:
		return q, invalid("from", "the period may span at most %d days", MaxMetricsDays)
	}
	if raw, ok := c.GetQuery("target_orders"); ok && raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 1_000_000 {
			return q, invalid("target_orders", "must be an integer from 0 to 1000000, got %q", raw)
		}
		q.TargetOrders = n
	}
	return q, nil
}

// dayOf is the UTC midnight of t's UTC day.
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (s *server) funnelMetrics(c *gin.Context) {
	q, err := s.metricsQuery(c)
	if err != nil {
		fail(c, err)
		return
	}
	a := actor(c)
	compute := func(ctx context.Context) (*sales.MetricsView, error) { return s.sales().Metrics(ctx, a, q) }
	var v *sales.MetricsView
	if q.Level == sales.LevelProvince && a.Role != territory.RoleManager {
		v, err = s.metricsCache.get(c.Request.Context(), q, s.Now(), compute)
	} else {
		v, err = compute(c.Request.Context())
	}
	if err != nil {
		fail(c, fmt.Errorf("funnel metrics: %w", err))
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *server) funnelList(c *gin.Context) {
	id, err := queryID(c, "manager_id")
	if err != nil {
		fail(c, err)
		return
	}
	a := actor(c)
	if id == 0 {
		if a.Role != territory.RoleManager {
			fail(c, invalid("manager_id", "is required: whose list?"))
			return
		}
		id = a.ManagerID
	}
	v, err := s.sales().MyList(c.Request.Context(), a, id)
	if err != nil {
		fail(c, fmt.Errorf("list of manager %d: %w", id, err))
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *server) funnelPool(c *gin.Context) {
	gridID, err := queryID(c, "grid_id")
	if err != nil {
		fail(c, err)
		return
	}
	a := actor(c)
	if gridID == 0 {
		if a.Role != territory.RoleManager {
			fail(c, invalid("grid_id", "is required: which grid's pool?"))
			return
		}
		if gridID, err = s.ownGridID(c); err != nil {
			fail(c, err)
			return
		}
	}
	limit := DefaultPoolLimit
	if raw, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > MaxPoolLimit {
			fail(c, invalid("limit", "must be an integer from 1 to %d, got %q", MaxPoolLimit, raw))
			return
		}
		limit = n
	}
	v, err := s.sales().Pool(c.Request.Context(), a, gridID, limit)
	if err != nil {
		fail(c, fmt.Errorf("pool of grid %d: %w", gridID, err))
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *server) funnelConfig(c *gin.Context) {
	cfg, err := s.sales().Config(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, cfg)
}

func (s *server) saveFunnelConfig(c *gin.Context) {
	var cfg funnel.Config
	if err := decodeJSON(c, &cfg); err != nil {
		fail(c, err)
		return
	}
	out, err := s.sales().SaveConfig(c.Request.Context(), actor(c), &cfg)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// followUpDone marks a follow-up done: 200 with the follow-up, done_at set
// (again: unchanged). The manager it belongs to and admins.
func (s *server) followUpDone(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	f, err := s.sales().FollowUpDone(c.Request.Context(), actor(c), id)
	if err != nil {
		fail(c, fmt.Errorf("follow-up %d done: %w", id, err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"follow_up": f})
}

func (s *server) lapseClaims(c *gin.Context) {
	res, err := s.sales().Lapse(c.Request.Context())
	if err != nil {
		fail(c, fmt.Errorf("lapse claims: %w", err))
		return
	}
	c.JSON(http.StatusOK, res)
}

// Compile-time check: the store is what the sales service needs.
var _ sales.Store = data.Store(nil)
