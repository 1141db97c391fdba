package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"gridplan/data"
	"gridplan/territory"
)

func (s *server) registerGrids(g *gin.RouterGroup) {
	g.GET("", allow(ReadMap), s.listGrids)
	g.GET("/:id", allow(ReadMap), s.getGrid)
	g.POST("", allow(EditGrids), s.createGrid)
	g.PUT("/:id", allow(EditGrids), s.updateGrid)
	g.DELETE("/:id", allow(EditGrids), s.deleteGrid)
}

func gridFeature(g *territory.Grid) *geojson.Feature {
	f := geojson.NewFeature(g.Boundary)
	f.ID = g.ID
	f.Properties["id"] = g.ID
	f.Properties["code"] = g.Code
	f.Properties["name"] = g.Name
	f.Properties["district_id"] = g.DistrictID
	f.Properties["version"] = g.Version
	f.Properties["status"] = g.Status
	f.Properties["updated_at"] = g.UpdatedAt
	f.Properties["updated_by"] = g.UpdatedBy
	return f
}

func parseGridStatus(raw string) (territory.GridStatus, error) {
	switch st := territory.GridStatus(raw); st {
	case territory.GridDraft, territory.GridPublished:
		return st, nil
	}
	return "", invalid("status", "unknown grid status %q (want draft or published)", raw)
}

func (s *server) listGrids(c *gin.Context) {
	var f territory.GridFilter
	var err error
	if f.DistrictID, err = queryID(c, "district_id"); err != nil {
		fail(c, err)
		return
	}
	if raw, ok := c.GetQuery("status"); ok {
		if f.Status, err = parseGridStatus(raw); err != nil {
			fail(c, err)
			return
		}
	}
	gs, err := s.Store.Grids(c.Request.Context(), f)
	if err != nil {
		fail(c, fmt.Errorf("list grids: %w", err))
		return
	}
	counts, err := s.gridCounts(c.Request.Context(), 0)
	if err != nil {
		fail(c, fmt.Errorf("list grids: %w", err))
		return
	}
	fc := geojson.NewFeatureCollection()
	for _, g := range gs {
		fc.Append(counts.add(gridFeature(g), g.ID))
	}
	c.JSON(http.StatusOK, fc)
}

func (s *server) getGrid(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	g, err := s.Store.Grid(c.Request.Context(), id)
	if err != nil {
		fail(c, lookupErr("grid", id, err))
		return
	}
	counts, err := s.gridCounts(c.Request.Context(), id)
	if err != nil {
		fail(c, fmt.Errorf("grid %d: %w", id, err))
		return
	}
	c.JSON(http.StatusOK, counts.add(gridFeature(g), id))
}

// gridFeatureIn is the body of POST and PUT /api/grids: a GeoJSON Feature
// with a Polygon geometry. Pointers tell a missing property from a zero one.
type gridFeatureIn struct {
	Type       string       `json:"type"`
	Geometry   *geometryIn  `json:"geometry"`
	Properties *gridPropsIn `json:"properties"`
}

type gridPropsIn struct {
	Code       *string `json:"code"`
	Name       *string `json:"name"`
	DistrictID *int64  `json:"district_id"`
	Status     *string `json:"status"`
	Version    *int    `json:"version"`
}

// geometryIn is a GeoJSON geometry read strictly: positions are checked to
// be [lng, lat] (or [lng, lat, alt]) rather than silently padded or cut.
type geometryIn struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// polygon returns g as an orb.Polygon or a 400 on "geometry" that says why
// not. Geometric validity (closed rings, no crossings, ranges) is checked by
// the domain's Validate.
func (g *geometryIn) polygon() (orb.Polygon, error) {
	if g == nil {
		return nil, invalid("geometry", "is required (a GeoJSON Polygon)")
	}
	if g.Type != "Polygon" {
		return nil, invalid("geometry", "must be a Polygon, got %q", g.Type)
	}
	var rings [][][]float64
	if err := json.Unmarshal(g.Coordinates, &rings); err != nil || g.Coordinates == nil {
		return nil, invalid("geometry", "coordinates must be an array of rings of [lng, lat] positions")
	}
	if len(rings) == 0 {
		return nil, invalid("geometry", "polygon has no rings")
	}
	poly := make(orb.Polygon, len(rings))
	for ri, ring := range rings {
		poly[ri] = make(orb.Ring, len(ring))
		for pi, pos := range ring {
			if len(pos) != 2 && len(pos) != 3 {
				return nil, invalid("geometry", "ring %d point %d: a position is [lng, lat], got %d numbers", ri, pi, len(pos))
			}
			poly[ri][pi] = orb.Point{pos[0], pos[1]}
		}
	}
	return poly, nil
}

// readGrid decodes and checks a grid Feature into g, which holds the
// current values on update (missing status keeps it) and defaults on create.
func (s *server) readGrid(c *gin.Context, g *territory.Grid) (version int, err error) {
	var in gridFeatureIn
	if err := decodeJSON(c, &in); err != nil {
		return 0, err
	}
	if in.Type != "Feature" {
		return 0, invalid("type", "must be \"Feature\", got %q", in.Type)
	}
	p := in.Properties
	if p == nil {
		return 0, invalid("properties", "is required (code, name, district_id, status)")
	}
	switch {
	case p.Code == nil:
		return 0, invalid("code", "is required")
	case p.Name == nil:
		return 0, invalid("name", "is required")
	case p.DistrictID == nil:
		return 0, invalid("district_id", "is required")
	}
	g.Code, g.Name, g.DistrictID = *p.Code, *p.Name, *p.DistrictID
	if p.Status != nil {
		if g.Status, err = parseGridStatus(*p.Status); err != nil {
			return 0, err
		}
	}
	if g.Boundary, err = in.Geometry.polygon(); err != nil {
		return 0, err
	}
	if err := g.Validate(); err != nil {
		return 0, err
	}
	// The district must exist: a 400 on district_id, not a 404 for the
	// grid nor a foreign-key 500 from the store.
	if _, err := s.Store.District(c.Request.Context(), g.DistrictID); err != nil {
		if errors.Is(err, territory.ErrNotFound) {
			return 0, invalid("district_id", "district %d does not exist", g.DistrictID)
		}
		return 0, fmt.Errorf("district %d: %w", g.DistrictID, err)
	}
	if p.Version != nil {
		version = *p.Version
	}
	return version, nil
}

func (s *server) createGrid(c *gin.Context) {
	g := &territory.Grid{Status: territory.GridDraft} // new grids are drafts unless told
	if _, err := s.readGrid(c, g); err != nil {
		fail(c, err)
		return
	}
	g.UpdatedBy = currentUser(c).Username
	var moved int
	err := s.editGrids(c, func(tx data.Store) error {
		ctx := c.Request.Context()
		rec, err := beginDirectEdit(ctx, tx, s.Now, g.UpdatedBy)
		if err != nil {
			return err
		}
		if err := tx.CreateGrid(ctx, g); err != nil {
			return fmt.Errorf("create grid %q: %w", g.Code, err)
		}
		if moved, err = reassign(c, tx, territory.GridChange{GridID: g.ID, New: g.Boundary}); err != nil {
			return err
		}
		return rec.commit(ctx, s.Now, fmt.Sprintf("Grid %s created", g.Code))
	})
	if err != nil {
		fail(c, err)
		return
	}
	// The store wrote back ID, Version and UpdatedAt.
	c.Header("Location", "/api/grids/"+strconv.FormatInt(g.ID, 10))
	c.Header(movedHeader, strconv.Itoa(moved))
	c.JSON(http.StatusCreated, gridFeature(g))
}

// movedHeader reports how many customers a grid edit moved to another grid
// (or out of every grid).
const movedHeader = "X-Customers-Moved"

// gridEdits serialises grid writes in this process, so that two edits of
// neighbouring grids do not each reassign customers against a view of the
// grids that misses the other's change. (Replicas sharing one PostgreSQL
// can still interleave; "gridplan assign" repairs any customer left in the
// wrong grid.)
var gridEdits sync.Mutex

// editGrids runs fn, a grid write and the reassignment it causes, in one
// store transaction: the grid and its customers change together or not at
// all.
func (s *server) editGrids(c *gin.Context, fn func(tx data.Store) error) error {
	gridEdits.Lock()
	defer gridEdits.Unlock()
	defer s.dataChanged() // after the commit; after a rollback it costs a rebuild for nothing
	return s.Store.InTx(c.Request.Context(), fn)
}

// reassign moves the customers a grid change affects and returns how many
// moved.
func reassign(c *gin.Context, tx data.Store, ch territory.GridChange) (int, error) {
	d, err := territory.Redraw(c.Request.Context(), tx, ch)
	if err != nil {
		return 0, fmt.Errorf("reassign customers: %w", err)
	}
	return len(d.Moves), nil
}

// staleGrid is the 409 for an edit based on an old version.
func staleGrid(id int64, have, current int) error {
	return conflict("grid %d was changed by someone else since you loaded it (your version %d, current version %d); reload it and apply your edit again", id, have, current)
}

func (s *server) updateGrid(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	cur, err := s.Store.Grid(c.Request.Context(), id)
	if err != nil {
		fail(c, lookupErr("grid", id, err))
		return
	}
	g := &territory.Grid{ID: id, Status: cur.Status}
	version, err := s.readGrid(c, g)
	if err != nil {
		fail(c, err)
		return
	}
	if version <= 0 {
		fail(c, invalid("version", "is required: the version you loaded, for optimistic locking"))
		return
	}
	// Checked here for a clear message; the store checks again atomically,
	// which catches an edit landing between this read and the write.
	if version != cur.Version {
		fail(c, staleGrid(id, version, cur.Version))
		return
	}
	g.Version = version
	g.UpdatedBy = currentUser(c).Username
	var moved int
	err = s.editGrids(c, func(tx data.Store) error {
		ctx := c.Request.Context()
		rec, err := beginDirectEdit(ctx, tx, s.Now, g.UpdatedBy)
		if err != nil {
			return err
		}
		if err := tx.UpdateGrid(ctx, g); err != nil {
			return err
		}
		// The version check above pins cur as the geometry being replaced;
		// a rename or a status change moves nobody.
		if !orb.Equal(cur.Boundary, g.Boundary) {
			if moved, err = reassign(c, tx, territory.GridChange{GridID: id, Old: cur.Boundary, New: g.Boundary}); err != nil {
				return err
			}
		}
		return rec.commit(ctx, s.Now, fmt.Sprintf("Grid %s changed", g.Code))
	})
	if err != nil {
		if errors.Is(err, territory.ErrConflict) {
			err = s.explainConflict(c, id, version, err)
		}
		fail(c, fmt.Errorf("update grid %d: %w", id, err))
		return
	}
	c.Header(movedHeader, strconv.Itoa(moved))
	c.JSON(http.StatusOK, gridFeature(g)) // with the store's new Version and UpdatedAt
}

// explainConflict turns a store conflict into the stale-version message when
// the version moved meanwhile; other conflicts (a duplicate code) keep
// the store's own reason.
func (s *server) explainConflict(c *gin.Context, id int64, version int, err error) error {
	now, gerr := s.Store.Grid(c.Request.Context(), id)
	if gerr == nil && now.Version != version {
		return staleGrid(id, version, now.Version)
	}
	if errors.Is(gerr, territory.ErrNotFound) {
		return conflict("grid %d was deleted by someone else meanwhile", id)
	}
	return err
}

func (s *server) deleteGrid(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	raw, ok := c.GetQuery("version")
	if !ok {
		fail(c, invalid("version", "is required: ?version=N, the version you loaded"))
		return
	}
	version, err := strconv.Atoi(raw)
	if err != nil || version <= 0 {
		fail(c, invalid("version", "must be a positive integer, got %q", raw))
		return
	}
	cur, err := s.Store.Grid(c.Request.Context(), id)
	if err != nil {
		fail(c, lookupErr("grid", id, err))
		return
	}
	if version != cur.Version {
		fail(c, staleGrid(id, version, cur.Version))
		return
	}
	var moved int
	err = s.editGrids(c, func(tx data.Store) error {
		ctx := c.Request.Context()
		rec, err := beginDirectEdit(ctx, tx, s.Now, currentUser(c).Username)
		if err != nil {
			return err
		}
		// Customers first, while the grid still exists, so that the moves
		// say where they came from; a refused delete rolls them back.
		if moved, err = reassign(c, tx, territory.GridChange{GridID: id, Old: cur.Boundary}); err != nil {
			return err
		}
		if err := tx.DeleteGrid(ctx, id, version); err != nil {
			return err
		}
		return rec.commit(ctx, s.Now, fmt.Sprintf("Grid %s deleted", cur.Code))
	})
	if err != nil {
		if errors.Is(err, territory.ErrConflict) {
			err = s.explainConflict(c, id, version, err)
		}
		fail(c, fmt.Errorf("delete grid %d: %w", id, err))
		return
	}
	c.Header(movedHeader, strconv.Itoa(moved))
	noContent(c)
}
