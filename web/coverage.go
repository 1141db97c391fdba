package web

// The coverage API (/api/coverage): customers by network coverage as of a
// day, per province, district and grid; the gap map; where to build next;
// the attack and build lists; the XLSX report. Handlers parse, ask the
// analysis (territory/coverage, kept by coverageService) and render.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
	"gridplan/territory/coverage"
	"gridplan/territory/importer"
	"gridplan/territory/snapshot"
)

// Limits of the coverage API.
const (
	// MaxSiteCustomers bounds the customer ids listed per suggested site
	// (customer_count has them all).
	MaxSiteCustomers = 200
	// DefaultGapRes, DefaultSuggestK and DefaultSuggestRadiusM are the
	// defaults of res, k and radius.
	DefaultGapRes         = 9
	DefaultSuggestK       = 5
	DefaultSuggestRadiusM = 500
)

const xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (s *server) registerCoverage(g *gin.RouterGroup) {
	s.coverage = newCoverageService(s.Store, s.Logger, s.Now, func() *snapshot.Cache { return s.customers })
	g.GET("/summary", allow(ReadCoverage), s.coverageSummary)
	g.GET("/gaps", allow(ReadCoverage), s.coverageGaps)
	g.GET("/suggest", allow(ReadCoverage), s.coverageSuggest)
	g.GET("/customers", allow(ReadCoverage), s.coverageCustomers)
	g.GET("/export.xlsx", allow(ReadCoverage), s.coverageExport)
	if s.WarmUp {
		go func() {
			if _, err := s.coverage.get(context.Background()); err != nil {
				s.Logger.Warn("warm up coverage analysis", "err", err)
			}
		}()
	}
}

// coverageResourcesChanged applies this process's committed resource
// writes to the coverage analysis in place (Old nil: created; New nil:
// deleted): only the customers each resource reaches, before and after,
// are evaluated again, so the next coverage read shows the write without a
// rebuild. Call it after the commit, under the lock that serialises
// resource writes, for every write and import.
func (s *server) coverageResourcesChanged(changes ...importer.ResourceChange) {
	if s.coverage != nil {
		s.coverage.resourcesChanged(changes)
	}
}

// planningCoverage is today's coverage for grid planning (Planner.Coverage).
func (s *server) planningCoverage(ctx context.Context) (territory.CoverageView, error) {
	st, err := s.coverage.get(ctx)
	if err != nil {
		return nil, err
	}
	return st.a.Planning(coverage.DateOf(s.Now())), nil
}

// coverageState answers with the analysis or fails the request.
func (s *server) coverageState(c *gin.Context) (*coverageState, bool) {
	st, err := s.coverage.get(c.Request.Context())
	if err != nil {
		if c.Request.Context().Err() != nil {
			c.Abort() // the client left
			return nil, false
		}
		fail(c, fmt.Errorf("coverage analysis: %w", err))
		return nil, false
	}
	return st, true
}

// asOf reads ?as_of=YYYY-MM-DD, today (the server's clock, in its time
// zone) when absent or empty.
func (s *server) asOf(c *gin.Context) (coverage.Date, error) {
	raw := c.Query("as_of")
	if raw == "" {
		return coverage.DateOf(s.Now()), nil
	}
	return coverage.ParseDate("as_of", raw)
}

// queryInt reads an optional integer query parameter.
func queryInt(c *gin.Context, name string, def int) (int, error) {
	raw, ok := c.GetQuery(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, invalid(name, "must be a whole number, got %q", raw)
	}
	return n, nil
}

// statusCounts is a count per coverage status.
type statusCounts struct {
	Existing          int `json:"existing"`
	UnderConstruction int `json:"under_construction"`
	Planned           int `json:"planned"`
	None              int `json:"none"`
}

func newStatusCounts(n [coverage.NumStatuses]int) statusCounts {
	return statusCounts{Existing: n[coverage.Existing], UnderConstruction: n[coverage.UnderConstruction], Planned: n[coverage.Planned], None: n[coverage.None]}
}

// coverageRow is one row of GET /api/coverage/summary.
type coverageRow struct {
	ID         int64  `json:"id"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	DistrictID *int64 `json:"district_id,omitempty"`
	Customers  int    `json:"customers"`
	statusCounts
	Attack    int                     `json:"attack"`
	Funnel    map[string]int          `json:"funnel"`
	ByStage   map[string]statusCounts `json:"by_stage"`
	ByCarrier map[string]statusCounts `json:"by_carrier"`
}

// newCoverageRow renders r; grid rows carry their district. Stages are
// keyed by funnel code; a stage funnel does not know is "unknown", listed
// only when it has customers.
func newCoverageRow(r *coverage.Row, grid bool) coverageRow {
	out := coverageRow{ID: r.ID, Code: r.Code, Name: r.Name, Customers: r.Cube.Customers(), statusCounts: newStatusCounts(r.Cube.ByStatus()),
		Attack: r.Cube.Attack(), Funnel: map[string]int{}, ByStage: map[string]statusCounts{}, ByCarrier: map[string]statusCounts{}}
	if grid {
		id := r.DistrictID
		out.DistrictID = &id
	}
	fun, byStage := r.Cube.Funnel(), r.Cube.ByStage()
	for i, st := range funnel.Stages {
		out.Funnel[string(st)] = fun[i]
		out.ByStage[string(st)] = newStatusCounts(byStage[i])
	}
	if n := fun[coverage.OtherStage]; n > 0 {
		out.Funnel["unknown"] = n
		out.ByStage["unknown"] = newStatusCounts(byStage[coverage.OtherStage])
	}
	for i, ca := range r.Cube.ByCarrier() {
		out.ByCarrier[string(territory.Carriers[i])] = newStatusCounts(ca)
	}
	return out
}

func (s *server) coverageSummary(c *gin.Context) {
	asOf, err := s.asOf(c)
	if err != nil {
		fail(c, err)
		return
	}
	level := coverage.LevelDistrict
	if raw, ok := c.GetQuery("level"); ok {
		if level, err = coverage.ParseLevel(raw); err != nil {
			fail(c, err)
			return
		}
	}
	districtID, err := queryID(c, "district_id")
	if err != nil {
		fail(c, err)
		return
	}
	st, ok := s.coverageState(c)
	if !ok {
		return
	}
	sum, err := st.a.Summary(asOf, level, districtID)
	if err != nil {
		fail(c, err)
		return
	}
	rows := make([]coverageRow, len(sum.Rows))
	for i := range sum.Rows {
		rows[i] = newCoverageRow(&sum.Rows[i], level == coverage.LevelGrid)
	}
	outside := coverage.Row{Cube: sum.Outside}
	c.JSON(http.StatusOK, gin.H{"as_of": asOf.String(), "level": level, "rows": rows, "total": newCoverageRow(&sum.Total, false),
		"outside": newCoverageRow(&outside, false)})
}

// coverageScope reads district_id and grid_id.
func coverageScope(c *gin.Context) (coverage.Scope, error) {
	var sc coverage.Scope
	var err error
	if sc.DistrictID, err = queryID(c, "district_id"); err != nil {
		return sc, err
	}
	sc.GridID, err = queryID(c, "grid_id")
	return sc, err
}

// round6 keeps six decimals: weights are sums of products of small
// decimals, and 0.30000000000000004 helps nobody.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

func (s *server) coverageGaps(c *gin.Context) {
	asOf, err := s.asOf(c)
	if err != nil {
		fail(c, err)
		return
	}
	res, err := queryInt(c, "res", DefaultGapRes)
	if err != nil {
		fail(c, err)
		return
	}
	sc, err := coverageScope(c)
	if err != nil {
		fail(c, err)
		return
	}
	if raw, ok := c.GetQuery("bbox"); ok {
		if sc.Bound, err = parseBBox(raw); err != nil {
			fail(c, err)
			return
		}
	}
	w, err := coverage.ParseWeights(c.Query("weights"))
	if err != nil {
		fail(c, err)
		return
	}
	st, ok := s.coverageState(c)
	if !ok {
		return
	}
	gaps, err := st.a.Gaps(asOf, res, sc, w)
	if err != nil {
		fail(c, err)
		return
	}
	fc := geojson.NewFeatureCollection()
	fc.Features = make([]*geojson.Feature, 0, len(gaps))
	for _, g := range gaps {
		f := geojson.NewFeature(orb.Polygon{cellRing(g.Cell)})
		f.Properties["cell"] = g.Cell.String()
		f.Properties["uncovered"] = g.Uncovered
		f.Properties["weight"] = round6(g.Weight)
		fc.Append(f)
	}
	fc.ExtraMembers = geojson.Properties{"as_of": asOf.String(), "res": res, "weights": w.String()}
	c.JSON(http.StatusOK, fc)
}

// cellRing is c's boundary as a closed, counter-clockwise ring.
func cellRing(c h3.Cell) orb.Ring {
	bd := h3.CellToBoundary(c)
	ring := make(orb.Ring, 0, len(bd)+1)
	for _, ll := range bd {
		ring = append(ring, geo.FromLatLng(ll))
	}
	return append(ring, ring[0])
}

// siteJSON is one suggested site.
type siteJSON struct {
	Rank          int     `json:"rank"`
	Cell          string  `json:"cell"`
	Lng           float64 `json:"lng"`
	Lat           float64 `json:"lat"`
	Weight        float64 `json:"weight"`
	CustomerCount int     `json:"customer_count"`
	Customers     []int64 `json:"customers"`
}

func (s *server) coverageSuggest(c *gin.Context) {
	asOf, err := s.asOf(c)
	if err != nil {
		fail(c, err)
		return
	}
	o := coverage.SuggestOptions{}
	if o.K, err = queryInt(c, "k", DefaultSuggestK); err != nil {
		fail(c, err)
		return
	}
	o.RadiusM = DefaultSuggestRadiusM
	if raw, ok := c.GetQuery("radius"); ok {
		if o.RadiusM, err = strconv.ParseFloat(raw, 64); err != nil {
			fail(c, invalid("radius", "must be a number of metres, got %q", raw))
			return
		}
	}
	if o.Res, err = queryInt(c, "res", 0); err != nil {
		fail(c, err)
		return
	}
	if o.Scope, err = coverageScope(c); err != nil {
		fail(c, err)
		return
	}
	if o.Weights, err = coverage.ParseWeights(c.Query("weights")); err != nil {
		fail(c, err)
		return
	}
	st, ok := s.coverageState(c)
	if !ok {
		return
	}
	sg, err := st.a.Suggest(c.Request.Context(), asOf, o)
	if err != nil {
		if c.Request.Context().Err() != nil {
			c.Abort()
			return
		}
		fail(c, err)
		return
	}
	sites := make([]siteJSON, len(sg.Sites))
	for i, x := range sg.Sites {
		sites[i] = siteJSON{Rank: x.Rank, Cell: x.Cell.String(), Lng: x.Center[0], Lat: x.Center[1], Weight: round6(x.Weight),
			CustomerCount: len(x.Customers), Customers: x.Customers[:min(len(x.Customers), MaxSiteCustomers)]}
	}
	c.JSON(http.StatusOK, gin.H{"as_of": asOf.String(), "sites": sites, "method": sg.Method, "res": sg.Res, "radius_m": sg.RadiusM,
		"candidates": sg.Candidates, "uncovered_customers": sg.UncoveredCustomers, "uncovered_weight": round6(sg.UncoveredWeight),
		"covered_customers": sg.CoveredCustomers, "covered_weight": round6(sg.CoveredWeight), "weights": o.Weights.String()})
}

// coverageCustomerJSON is a customer as GET /api/customers shows him, with
// his coverage and the resources giving it.
type coverageCustomerJSON struct {
	customerJSON
	Coverage coverage.Status `json:"coverage"`
	Covering []int64         `json:"covering"`
}

func (s *server) coverageCustomers(c *gin.Context) {
	asOf, err := s.asOf(c)
	if err != nil {
		fail(c, err)
		return
	}
	q := coverage.CustomerQuery{Limit: DefaultCustomerLimit}
	if raw, ok := c.GetQuery("status"); ok {
		st, err := coverage.ParseStatus(raw)
		if err != nil {
			fail(c, err)
			return
		}
		q.Statuses = []coverage.Status{st}
	}
	if raw, ok := c.GetQuery("carrier"); ok {
		q.Carrier = territory.Carrier(raw)
	}
	if q.Scope, err = coverageScope(c); err != nil {
		fail(c, err)
		return
	}
	if raw, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > MaxCustomerLimit {
			fail(c, invalid("limit", "must be an integer from 1 to %d, got %q", MaxCustomerLimit, raw))
			return
		}
		q.Limit = n
	}
	if raw, ok := c.GetQuery("cursor"); ok {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n <= 0 {
			fail(c, invalid("cursor", "must be the next_cursor of a previous page, got %q", raw))
			return
		}
		q.AfterID = n
	}
	st, ok := s.coverageState(c)
	if !ok {
		return
	}
	page, err := st.a.Customers(asOf, q)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	items := make([]coverageCustomerJSON, 0, len(page.Items))
	for _, it := range page.Items {
		cu, err := s.Store.Customer(ctx, it.ID)
		if errors.Is(err, territory.ErrNotFound) {
			continue // deleted since the analysis was built
		}
		if err != nil {
			fail(c, fmt.Errorf("coverage customers: %w", err))
			return
		}
		items = append(items, coverageCustomerJSON{customerJSON: newCustomerJSON(cu), Coverage: it.Status, Covering: it.Covering})
	}
	var next *string
	if page.More && len(page.Items) > 0 {
		n := strconv.FormatInt(page.Items[len(page.Items)-1].ID, 10)
		next = &n
	}
	c.JSON(http.StatusOK, gin.H{"as_of": asOf.String(), "items": items, "next_cursor": next, "total": page.Total})
}

func (s *server) coverageExport(c *gin.Context) {
	asOf, err := s.asOf(c)
	if err != nil {
		fail(c, err)
		return
	}
	districtID, err := queryID(c, "district_id")
	if err != nil {
		fail(c, err)
		return
	}
	st, ok := s.coverageState(c)
	if !ok {
		return
	}
	var sums []*coverage.Summary
	for _, lv := range coverage.Levels {
		sum, err := st.a.Summary(asOf, lv, districtID)
		if err != nil {
			fail(c, err)
			return
		}
		sums = append(sums, sum)
	}
	var buf bytes.Buffer
	if err := coverage.WriteXLSX(&buf, sums, st.districts); err != nil {
		fail(c, fmt.Errorf("coverage export: %w", err))
		return
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="coverage-%s.xlsx"`, asOf))
	c.Data(http.StatusOK, xlsxContentType, buf.Bytes())
}
