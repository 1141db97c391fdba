package web

// The grid plans API (/api/plans): drafts, their grid edits with a preview
// of what they do to customers and managers, validation, submit / approve /
// publish, history and comparison. Handlers parse (plans_parse.go), call the
// planner service (territory.Planner) and render; the service owns every
// rule about plans.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb/geojson"

	"gridplan/data"
	"gridplan/territory"
)

func (s *server) registerPlans(g *gin.RouterGroup) {
	g.GET("", allow(ReadPlans), s.listPlans)
	g.POST("", allow(EditPlans), s.createPlan)
	g.GET("/:id", allow(ReadPlans), s.getPlan)
	g.PATCH("/:id", allow(EditPlans), s.patchPlan)
	g.DELETE("/:id", allow(EditPlans), s.deletePlan)
	g.GET("/:id/grids", allow(ReadPlans), s.listPlanGrids)
	g.POST("/:id/grids", allow(EditPlans), s.createPlanGrid)
	g.PUT("/:id/grids/:gid", allow(EditPlans), s.updatePlanGrid)
	g.DELETE("/:id/grids/:gid", allow(EditPlans), s.removePlanGrid)
	g.POST("/:id/grids/:gid/split", allow(EditPlans), s.splitPlanGrid)
	g.POST("/:id/merge", allow(EditPlans), s.mergePlanGrids)
	g.POST("/:id/preview", allow(ReadPlans), s.previewPlan) // writes nothing: a leader reviewing a draft may look
	g.GET("/:id/validation", allow(ReadPlans), s.validatePlan)
	g.POST("/:id/submit", allow(EditPlans), s.submitPlan)
	g.POST("/:id/approve", allow(ApprovePlans), s.approvePlan)
	g.POST("/:id/publish", allow(EditPlans), s.publishPlan)
	g.GET("/:id/compare/:other", allow(ReadPlans), s.comparePlans)
}

// planner is the planning service on the store, bound to the request's
// transaction by the service itself (InTx).
func (s *server) planner() *territory.Planner {
	return &territory.Planner{
		Store: s.Store,
		InTx: func(ctx context.Context, fn func(territory.PlannerStore) error) error {
			return s.Store.InTx(ctx, func(tx data.Store) error { return fn(tx) })
		},
		Now:             s.Now,
		RequireApproval: s.RequireApproval,
		Coverage:        s.planningCoverage,
	}
}

// userName is who the service records for this request.
func userName(c *gin.Context) string { return currentUser(c).Username }

// planIDParam returns the :id path parameter; when it is not an id the
// request fails and ok is false.
func planIDParam(c *gin.Context) (id int64, ok bool) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return 0, false
	}
	return id, true
}

// planGridParam returns :id and :gid; when either is not an id the request
// fails and ok is false.
func planGridParam(c *gin.Context) (planID, gridID int64, ok bool) {
	if planID, ok = planIDParam(c); !ok {
		return 0, 0, false
	}
	gridID, err := parseID("gid", c.Param("gid"))
	if err != nil {
		fail(c, err)
		return 0, 0, false
	}
	return planID, gridID, true
}

// planLookup names the plan a bare ErrNotFound is about.
func planLookup(id int64, err error) error { return lookupErr("plan", id, err) }

// loadPlan loads plan id; when it cannot (a 404 for a plan that does not
// exist) the request fails and ok is false.
func (s *server) loadPlan(c *gin.Context, id int64) (p *territory.Plan, ok bool) {
	p, err := s.Store.Plan(c.Request.Context(), id)
	if err != nil {
		fail(c, planLookup(id, err))
		return nil, false
	}
	return p, true
}

// planParam is the plan the :id path parameter names (planIDParam, then
// loadPlan); ok is false when the request has failed.
func (s *server) planParam(c *gin.Context) (p *territory.Plan, ok bool) {
	id, ok := planIDParam(c)
	if !ok {
		return nil, false
	}
	return s.loadPlan(c, id)
}

func (s *server) listPlans(c *gin.Context) {
	var f territory.PlanFilter
	var err error
	if f.Statuses, err = parsePlanStatuses(c.Query("status")); err != nil {
		fail(c, err)
		return
	}
	if raw, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 1000 {
			fail(c, invalid("limit", "must be an integer from 1 to 1000, got %q", raw))
			return
		}
		f.Limit = n
	}
	ctx := c.Request.Context()
	// The first look at plans makes the live grids plan 1 when there is
	// no plan yet, so the history starts with what is on the map (the
	// service makes two racing first looks agree on one plan).
	if _, err := s.planner().EnsureBaseline(ctx, userName(c)); err != nil {
		fail(c, fmt.Errorf("baseline plan: %w", err))
		return
	}
	ps, err := s.Store.Plans(ctx, f)
	if err != nil {
		fail(c, fmt.Errorf("list plans: %w", err))
		return
	}
	if ps == nil {
		ps = []*territory.Plan{}
	}
	c.JSON(http.StatusOK, gin.H{"items": ps})
}

// withGridLock runs fn, which rewrites the live grids and customers (a
// publication), holding the lock that serialises live grid writes in this
// process (see gridEdits), and tells the customer snapshot after.
func (s *server) withGridLock(fn func() (*territory.Plan, error)) (*territory.Plan, error) {
	gridEdits.Lock()
	defer gridEdits.Unlock()
	defer s.dataChanged() // after the commit; after a rollback it costs a rebuild for nothing
	return fn()
}

func (s *server) createPlan(c *gin.Context) {
	var in planIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	var name string // empty: the service names it after its source
	if in.Name != nil {
		name = *in.Name
	}
	var from int64
	if in.FromPlanID != nil {
		if *in.FromPlanID <= 0 {
			fail(c, invalid("from_plan_id", "must be a positive integer id (or left out for the published plan), got %d", *in.FromPlanID))
			return
		}
		from = *in.FromPlanID
	}
	ctx := c.Request.Context()
	if from != 0 {
		if _, err := s.Store.Plan(ctx, from); err != nil {
			if errors.Is(err, territory.ErrNotFound) {
				fail(c, invalid("from_plan_id", "plan %d does not exist", from))
				return
			}
			fail(c, planLookup(from, err))
			return
		}
	}
	p, err := s.planner().NewDraft(ctx, name, from, userName(c))
	if err != nil {
		fail(c, fmt.Errorf("new draft: %w", err))
		return
	}
	c.Header("Location", "/api/plans/"+strconv.FormatInt(p.ID, 10))
	c.JSON(http.StatusCreated, p)
}

func (s *server) getPlan(c *gin.Context) {
	p, ok := s.planParam(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, p)
}

// patchPlan renames a plan or changes its note. Any plan may be annotated,
// history included; the version guards against two planners' edits.
func (s *server) patchPlan(c *gin.Context) {
	id, ok := planIDParam(c)
	if !ok {
		return
	}
	var in planPatchIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	version, err := needVersion(in.Version)
	if err != nil {
		fail(c, err)
		return
	}
	p, ok := s.loadPlan(c, id)
	if !ok {
		return
	}
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.Note != nil {
		p.Note = *in.Note
	}
	// The store compares the version with the stored one in its write.
	p.Version, p.UpdatedBy = version, userName(c)
	if err := s.Store.UpdatePlan(c.Request.Context(), p); err != nil {
		fail(c, fmt.Errorf("update plan %d: %w", id, err))
		return
	}
	c.JSON(http.StatusOK, p)
}

func (s *server) deletePlan(c *gin.Context) {
	id, ok := planIDParam(c)
	if !ok {
		return
	}
	if err := s.Store.DeletePlan(c.Request.Context(), id); err != nil {
		fail(c, planLookup(id, err))
		return
	}
	noContent(c)
}

// planGridFeature is a plan grid as GeoJSON (planCounts.add adds its
// customer and manager counts).
func planGridFeature(g *territory.PlanGrid) *geojson.Feature {
	f := geojson.NewFeature(g.Boundary)
	f.ID = g.ID
	f.Properties["id"] = g.ID
	f.Properties["plan_id"] = g.PlanID
	f.Properties["grid_id"] = g.GridID
	f.Properties["code"] = g.Code
	f.Properties["name"] = g.Name
	f.Properties["district_id"] = g.DistrictID
	f.Properties["version"] = g.Version
	f.Properties["removed"] = g.Removed
	if g.SuccessorID != 0 {
		f.Properties["successor_id"] = g.SuccessorID
	}
	f.Properties["updated_by"] = g.UpdatedBy
	f.Properties["updated_at"] = g.UpdatedAt
	return f
}

// planCounts are the customer and manager counts of a plan's grids: the
// customers the plan puts in each grid (the preview's "after" for the grids
// the plan changes, the live count for the others) and the managers of the
// live grid each stands for.
type planCounts struct {
	live  *gridCounts
	after map[int64]int // by plan grid id, for grids the plan changes
}

func (pc *planCounts) add(f *geojson.Feature, g *territory.PlanGrid) *geojson.Feature {
	n, changed := pc.after[g.ID]
	if !changed {
		n = 0
		if g.GridID != 0 {
			n = pc.live.snap.CustomerCount(g.GridID)
		}
	}
	f.Properties["customer_count"] = n
	f.Properties["manager_count"] = 0
	if g.GridID != 0 {
		f.Properties["manager_count"] = pc.live.managers[g.GridID]
	}
	return f
}

func (s *server) planCounts(ctx context.Context, p *territory.Plan) (*planCounts, error) {
	live, err := s.gridCounts(ctx, 0)
	if err != nil {
		return nil, err
	}
	pc := &planCounts{live: live, after: map[int64]int{}}
	if p.Status == territory.PlanPublished {
		return pc, nil // the live grids are this plan
	}
	d, err := s.planner().Preview(ctx, p.ID, nil, territory.EditOptions{})
	if err != nil {
		return nil, fmt.Errorf("customers per grid of plan %d: %w", p.ID, err)
	}
	for _, g := range d.Grids {
		pc.after[g.PlanGridID] = g.After
	}
	return pc, nil
}

func (s *server) listPlanGrids(c *gin.Context) {
	p, ok := s.planParam(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	gs, err := s.Store.PlanGrids(ctx, p.ID)
	if err != nil {
		fail(c, planLookup(p.ID, err))
		return
	}
	counts, err := s.planCounts(ctx, p)
	if err != nil {
		fail(c, err)
		return
	}
	fc := geojson.NewFeatureCollection()
	for _, g := range gs {
		fc.Append(counts.add(planGridFeature(g), g))
	}
	c.JSON(http.StatusOK, fc)
}

// editResultJSON is an EditResult as the map needs it: the edited grid and
// the neighbours the edit reshaped as GeoJSON features, and the diff.
type editResultJSON struct {
	Grid    *geojson.Feature    `json:"grid"`
	Changed []*geojson.Feature  `json:"changed"`
	Diff    *territory.PlanDiff `json:"diff"`
}

func renderEdit(c *gin.Context, status int, r *territory.EditResult) {
	out := editResultJSON{Changed: []*geojson.Feature{}, Diff: r.Diff}
	if r.Grid != nil {
		out.Grid = planGridFeature(r.Grid)
	}
	for _, g := range r.Changed {
		out.Changed = append(out.Changed, planGridFeature(g))
	}
	c.JSON(status, out)
}

// readGridFeature decodes a grid Feature body.
func readGridFeature(c *gin.Context, needGeometry bool) (*planGridEdit, error) {
	var in planGridIn
	if err := decodeJSON(c, &in); err != nil {
		return nil, err
	}
	return parseGridFeature(&in, needGeometry)
}

func (s *server) createPlanGrid(c *gin.Context) {
	planID, ok := planIDParam(c)
	if !ok {
		return
	}
	opt, err := editOptions(c)
	if err != nil {
		fail(c, err)
		return
	}
	e, err := readGridFeature(c, true)
	if err != nil {
		fail(c, err)
		return
	}
	if e.ID != 0 {
		fail(c, invalid("id", "a new grid has no id yet; to change grid %d, PUT /api/plans/%d/grids/%d", e.ID, planID, e.ID))
		return
	}
	g, err := e.newPlanGrid(planID)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if err := s.checkDistrict(ctx, g.DistrictID); err != nil {
		fail(c, err)
		return
	}
	r, err := s.planner().SaveGrid(ctx, planID, g, opt, userName(c))
	if err != nil {
		fail(c, planLookup(planID, err))
		return
	}
	if r.Grid != nil {
		c.Header("Location", fmt.Sprintf("/api/plans/%d/grids/%d", planID, r.Grid.ID))
	}
	renderEdit(c, http.StatusCreated, r)
}

// checkDistrict is a 400 on district_id when the district does not exist.
func (s *server) checkDistrict(ctx context.Context, id int64) error {
	if _, err := s.Store.District(ctx, id); err != nil {
		if errors.Is(err, territory.ErrNotFound) {
			return invalid("district_id", "district %d does not exist", id)
		}
		return fmt.Errorf("district %d: %w", id, err)
	}
	return nil
}

// planGridOf loads plan grid gid and checks it belongs to plan planID (a
// grid of another plan is not found here).
func (s *server) planGridOf(ctx context.Context, planID, gid int64) (*territory.PlanGrid, error) {
	if _, err := s.Store.Plan(ctx, planID); err != nil {
		return nil, planLookup(planID, err)
	}
	g, err := s.Store.PlanGrid(ctx, gid)
	if err != nil {
		return nil, lookupErr("plan grid", gid, err)
	}
	if g.PlanID != planID {
		return nil, &territory.NotFoundError{Kind: "plan grid", Key: fmt.Sprintf("%d in plan %d", gid, planID)}
	}
	return g, nil
}

func (s *server) updatePlanGrid(c *gin.Context) {
	planID, gid, ok := planGridParam(c)
	if !ok {
		return
	}
	opt, err := editOptions(c)
	if err != nil {
		fail(c, err)
		return
	}
	e, err := readGridFeature(c, false)
	if err != nil {
		fail(c, err)
		return
	}
	if e.ID != 0 && e.ID != gid {
		fail(c, invalid("id", "the feature is grid %d but the path names grid %d", e.ID, gid))
		return
	}
	if e.Version == 0 {
		fail(c, invalid("version", "is required: properties.version, the version of the grid you loaded"))
		return
	}
	ctx := c.Request.Context()
	cur, err := s.planGridOf(ctx, planID, gid)
	if err != nil {
		fail(c, err)
		return
	}
	if e.DistrictID != nil {
		if err := s.checkDistrict(ctx, *e.DistrictID); err != nil {
			fail(c, err)
			return
		}
	}
	r, err := s.planner().SaveGrid(ctx, planID, e.apply(cur), opt, userName(c))
	if err != nil {
		fail(c, fmt.Errorf("plan %d grid %d: %w", planID, gid, err))
		return
	}
	renderEdit(c, http.StatusOK, r)
}

func (s *server) removePlanGrid(c *gin.Context) {
	planID, gid, ok := planGridParam(c)
	if !ok {
		return
	}
	version, err := queryVersion(c, "version")
	if err != nil {
		fail(c, err)
		return
	}
	successor, err := queryID(c, "successor")
	if err != nil {
		fail(c, err)
		return
	}
	if successor == gid {
		fail(c, invalid("successor", "a grid cannot succeed itself"))
		return
	}
	ctx := c.Request.Context()
	if _, err := s.planGridOf(ctx, planID, gid); err != nil {
		fail(c, err)
		return
	}
	if successor != 0 {
		if _, err := s.planGridOf(ctx, planID, successor); err != nil {
			if errors.Is(err, territory.ErrNotFound) {
				fail(c, invalid("successor", "plan %d has no grid %d", planID, successor))
				return
			}
			fail(c, err)
			return
		}
	}
	r, err := s.planner().RemoveGrid(ctx, planID, gid, version, successor, userName(c))
	var fe *territory.FieldError
	if errors.As(err, &fe) && fe.Field == "successor_id" {
		fe.Field = "successor" // the query parameter the caller knows
	}
	if err != nil {
		fail(c, fmt.Errorf("plan %d grid %d: %w", planID, gid, err))
		return
	}
	renderEdit(c, http.StatusOK, r)
}

func (s *server) splitPlanGrid(c *gin.Context) {
	planID, gid, ok := planGridParam(c)
	if !ok {
		return
	}
	var in splitIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	line, err := in.Line.lineString("line")
	if err != nil {
		fail(c, err)
		return
	}
	version, err := needVersion(in.Version)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if _, err := s.planGridOf(ctx, planID, gid); err != nil {
		fail(c, err)
		return
	}
	r, err := s.planner().SplitGrid(ctx, planID, gid, version, line, userName(c))
	if err != nil {
		fail(c, fmt.Errorf("plan %d grid %d: %w", planID, gid, err))
		return
	}
	renderEdit(c, http.StatusOK, r)
}

func (s *server) mergePlanGrids(c *gin.Context) {
	planID, ok := planIDParam(c)
	if !ok {
		return
	}
	var in mergeIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	if err := in.check(); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	for _, gid := range in.GridIDs {
		if _, err := s.planGridOf(ctx, planID, gid); err != nil {
			if errors.Is(err, territory.ErrNotFound) {
				fail(c, invalid("grid_ids", "plan %d has no grid %d", planID, gid))
				return
			}
			fail(c, err)
			return
		}
	}
	r, err := s.planner().MergeGrids(ctx, planID, in.GridIDs, in.Versions, userName(c))
	if err != nil {
		fail(c, fmt.Errorf("plan %d merge %v: %w", planID, in.GridIDs, err))
		return
	}
	renderEdit(c, http.StatusOK, r)
}

func (s *server) previewPlan(c *gin.Context) {
	planID, ok := planIDParam(c)
	if !ok {
		return
	}
	opt, err := editOptions(c)
	if err != nil {
		fail(c, err)
		return
	}
	var in previewIn
	// The body is optional: none previews the whole draft.
	if c.Request.ContentLength != 0 && c.Request.Body != nil && c.Request.Body != http.NoBody {
		if err := decodeJSON(c, &in); err != nil {
			fail(c, err)
			return
		}
	}
	if _, ok := s.loadPlan(c, planID); !ok {
		return
	}
	ctx := c.Request.Context()
	var proposed *territory.PlanGrid
	if in.Grid != nil {
		e, err := parseGridFeature(in.Grid, false)
		if err != nil {
			fail(c, err)
			return
		}
		if e.ID != 0 {
			cur, err := s.planGridOf(ctx, planID, e.ID)
			if err != nil {
				fail(c, err)
				return
			}
			proposed = e.apply(cur)
			proposed.Version = cur.Version
		} else {
			if e.Boundary == nil {
				fail(c, invalid("geometry", "is required (a GeoJSON Polygon or MultiPolygon) for a new grid"))
				return
			}
			if proposed, err = e.newPlanGrid(planID); err != nil {
				fail(c, err)
				return
			}
		}
		if err := s.checkDistrict(ctx, proposed.DistrictID); err != nil {
			fail(c, err)
			return
		}
	}
	d, err := s.planner().Preview(ctx, planID, proposed, opt)
	if err != nil {
		fail(c, fmt.Errorf("preview plan %d: %w", planID, err))
		return
	}
	c.JSON(http.StatusOK, d)
}

func (s *server) validatePlan(c *gin.Context) {
	planID, ok := planIDParam(c)
	if !ok {
		return
	}
	if _, ok := s.loadPlan(c, planID); !ok {
		return
	}
	ctx := c.Request.Context()
	r, err := s.planner().Validate(ctx, planID)
	if err != nil {
		fail(c, fmt.Errorf("validate plan %d: %w", planID, err))
		return
	}
	c.JSON(http.StatusOK, r)
}

// planStep runs submit, approve or publish: the body carries the version
// of the plan the caller saw. live says the step rewrites the live grids
// (publish); validated that the service validates the plan first (submit,
// publish), so that a refusal may carry the validation report.
func (s *server) planStep(c *gin.Context, what string, live, validated bool, step func(ctx context.Context, p *territory.Planner, id int64, version int, user string) (*territory.Plan, error)) {
	planID, ok := planIDParam(c)
	if !ok {
		return
	}
	var in versionIn
	if err := decodeJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	version, err := needVersion(in.Version)
	if err != nil {
		fail(c, err)
		return
	}
	before, ok := s.loadPlan(c, planID)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	run := func() (*territory.Plan, error) { return step(ctx, s.planner(), planID, version, userName(c)) }
	var p *territory.Plan
	if live {
		p, err = s.withGridLock(run)
	} else {
		p, err = run()
	}
	if validated && errors.Is(err, territory.ErrConflict) && before.Version == version &&
		(before.Status == territory.PlanDraft || before.Status == territory.PlanPending) {
		// A refusal of a plan the caller saw as it is carries the plan's
		// validation report when it has errors, so the page can show what
		// blocks the plan (and zoom to it) without asking again. (A stale
		// version or a plan already published says so and nothing more.)
		rep, verr := s.planner().Validate(ctx, planID)
		if verr == nil && !rep.OK {
			_, d := classify(err)
			c.AbortWithStatusJSON(http.StatusConflict, planRefusal{Error: d, Report: rep})
			return
		}
	}
	if err != nil {
		fail(c, fmt.Errorf("%s plan %d: %w", what, planID, err))
		return
	}
	c.JSON(http.StatusOK, p)
}

// planRefusal is the 409 of a submit or publish that validation blocks:
// the usual error object and the validation report.
type planRefusal struct {
	Error  errorDetail                 `json:"error"`
	Report *territory.ValidationReport `json:"report"`
}

func (s *server) submitPlan(c *gin.Context) {
	s.planStep(c, "submit", false, true, func(ctx context.Context, p *territory.Planner, id int64, v int, u string) (*territory.Plan, error) {
		return p.Submit(ctx, id, v, u)
	})
}

func (s *server) approvePlan(c *gin.Context) {
	s.planStep(c, "approve", false, false, func(ctx context.Context, p *territory.Planner, id int64, v int, u string) (*territory.Plan, error) {
		pl, err := p.Approve(ctx, id, v, u)
		if errors.Is(err, territory.ErrSamePerson) {
			// The service's sentence carries no user-safe type: say it here.
			return nil, forbidden("plan %d was submitted by %s: approval needs a second person (a leader)", id, u)
		}
		return pl, err
	})
}

func (s *server) publishPlan(c *gin.Context) {
	s.planStep(c, "publish", true, true, func(ctx context.Context, p *territory.Planner, id int64, v int, u string) (*territory.Plan, error) {
		return p.Publish(ctx, id, v, u)
	})
}

func (s *server) comparePlans(c *gin.Context) {
	a, ok := planIDParam(c)
	if !ok {
		return
	}
	b, err := parseID("other", c.Param("other"))
	if err != nil {
		fail(c, err)
		return
	}
	for _, id := range []int64{a, b} {
		if _, ok := s.loadPlan(c, id); !ok {
			return
		}
	}
	cmp, err := s.planner().Compare(c.Request.Context(), a, b)
	if err != nil {
		fail(c, fmt.Errorf("compare plans %d and %d: %w", a, b, err))
		return
	}
	c.JSON(http.StatusOK, cmp)
}
