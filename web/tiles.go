package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"

	"gridplan/data"
	"gridplan/territory"
	"gridplan/territory/snapshot"
)

// Customer tiles: GET /tiles/customers/{z}/{x}/{y}.mvt, Mapbox Vector
// Tiles rendered from the in-memory customer snapshot.
const (
	// TileMaxZoom is the deepest zoom served; Leaflet's and OSM's maps stop
	// at 19–20.
	TileMaxZoom = 22
	// PointMinZoom is the first zoom at which customers are points (layer
	// "customers"); below it they are H3 hexagons with counts (layer
	// "customer_hexes"). The demo city's densest z14 tile holds about 3,300
	// customers at 1,000,000.
	PointMinZoom = 14

	// HexLayer and PointLayer are the tiles' layer names.
	HexLayer   = "customer_hexes"
	PointLayer = "customers"

	tileContentType = "application/vnd.mapbox-vector-tile"
	// tileFormat is part of every ETag: bump it when the rendering
	// changes, so that no client keeps a tile of the old format.
	tileFormat = "t1"
	// tileBuffer is the margin kept around a tile, in tile extent units
	// (of 4096): polygons are clipped there, so that their outlines do not
	// show seams at tile edges.
	tileBuffer = 64
)

// HexResForZoom is the H3 resolution of the hexagons at zoom z < 14:
// hexagons come out roughly 10–30 pixels across on a 256-pixel tile.
//
//	zoom        ≤5   6–7   8   9–10   11   12–13
//	resolution   4    5    6    7      8     9
func HexResForZoom(z maptile.Zoom) int {
	switch {
	case z <= 5:
		return 4
	case z <= 7:
		return 5
	case z == 8:
		return 6
	case z <= 10:
		return 7
	case z == 11:
		return 8
	}
	return 9
}

func (s *server) registerTiles(g *gin.RouterGroup) {
	s.customers = snapshot.NewCache(snapshotSource{s.Store}, snapshot.Options{
		Now: s.Now,
		OnError: func(err error) {
			s.Logger.Warn("customer snapshot", "err", err)
		},
		OnBuild: func(snap *snapshot.Snapshot, took time.Duration) {
			s.Logger.Info("customer snapshot built", "customers", snap.Len(), "revision", fmt.Sprintf("%016x", snap.Revision()), "took_ms", took.Milliseconds())
		},
	})
	cache := newTileCache(tileCacheBytes)
	g.GET("/customers/:z/:x/:y", allow(ReadCustomers), func(c *gin.Context) { s.customerTile(c, cache) })
}

// dataChanged tells the customer snapshot and the coverage analysis that
// this process has just committed a change to customers or grids (a grid
// edit, a plan publish, an import): the next tile, grid list and coverage
// report show it. Call it after the transaction commits; calling it for
// nothing costs one rebuild of each. (Resource writes have their own,
// incremental call: coverageResourcesChanged.)
func (s *server) dataChanged() {
	if s.customers != nil {
		s.customers.Changed()
	}
	if s.coverage != nil {
		s.coverage.changed()
	}
}

// customerSnapshot returns the snapshot that includes this process's own
// writes, building the first one if needed.
func (s *server) customerSnapshot(ctx context.Context) (*snapshot.Snapshot, error) {
	snap, err := s.customers.Get(ctx)
	if err != nil {
		return nil, fmt.Errorf("customer snapshot: %w", err)
	}
	return snap, nil
}

// snapshotSource adapts the store to snapshot.Source. Both stores have
// DataStamp; a store without it (a test wrapper) gets a weaker stamp from
// the store's interface: customer count and grid versions, which misses a
// customer's stage or owner changing.
type snapshotSource struct{ data.Store }

func (s snapshotSource) DataStamp(ctx context.Context) (string, error) {
	if ds, ok := s.Store.(interface {
		DataStamp(ctx context.Context) (string, error)
	}); ok {
		return ds.DataStamp(ctx)
	}
	n, err := s.CountCustomers(ctx, territory.CustomerFilter{})
	if err != nil {
		return "", err
	}
	gs, err := s.Grids(ctx, territory.GridFilter{})
	if err != nil {
		return "", err
	}
	var versions, maxID int64
	var last time.Time
	for _, g := range gs {
		versions += int64(g.Version)
		maxID = max(maxID, g.ID)
		if g.UpdatedAt.After(last) {
			last = g.UpdatedAt
		}
	}
	return fmt.Sprintf("c%d g%d.%d.%d.%d", n, len(gs), maxID, versions, last.UnixMicro()), nil
}

// parseTile reads z, x and y (with its ".mvt") into a tile, or says which
// one is wrong.
func parseTile(rawZ, rawX, rawY string) (maptile.Tile, error) {
	y, ok := strings.CutSuffix(rawY, ".mvt")
	if !ok {
		return maptile.Tile{}, invalid("y", "the tile must end in .mvt, got %q", rawY)
	}
	num := func(field, raw string, limit uint64) (uint64, error) {
		// ParseUint refuses signs, spaces and fractions; the length
		// check refuses leading-zero games.
		v, err := strconv.ParseUint(raw, 10, 32)
		if err != nil || len(raw) > 1 && raw[0] == '0' {
			return 0, invalid(field, "must be a whole number, got %q", raw)
		}
		if v >= limit {
			return 0, invalid(field, "must be below %d, got %d", limit, v)
		}
		return v, nil
	}
	z, err := num("z", rawZ, TileMaxZoom+1)
	if err != nil {
		return maptile.Tile{}, err
	}
	x, err := num("x", rawX, 1<<z)
	if err != nil {
		return maptile.Tile{}, err
	}
	yy, err := num("y", y, 1<<z)
	if err != nil {
		return maptile.Tile{}, err
	}
	return maptile.New(uint32(x), uint32(yy), maptile.Zoom(z)), nil
}

func (s *server) customerTile(c *gin.Context, cache *tileCache) {
	tile, err := parseTile(c.Param("z"), c.Param("x"), c.Param("y"))
	if err != nil {
		fail(c, err)
		return
	}
	var owner int64
	scope := "all"
	if scopeOf(c) == ScopeOwn {
		if owner, err = ownManagerID(c); err != nil {
			fail(c, err)
			return
		}
		scope = "m" + strconv.FormatInt(owner, 10)
	}
	ctx := c.Request.Context()
	snap, err := s.customerSnapshot(ctx)
	if err != nil {
		if ctx.Err() != nil {
			c.Abort() // the client left: nobody to answer
			return
		}
		fail(c, err)
		return
	}
	// Weak: the gzipped and the plain body are the same tile.
	etag := fmt.Sprintf(`W/"%s.%016x.%s.%d.%d.%d"`, tileFormat, snap.Revision(), scope, tile.Z, tile.X, tile.Y)
	h := c.Writer.Header()
	h.Set("ETag", etag)
	// Revalidate every time: a publish or an import must show at once,
	// and the ETag makes an unchanged tile a 304 without a body.
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Vary", "Accept-Encoding")
	if etagMatches(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	gz := acceptsGzip(c.GetHeader("Accept-Encoding")) // ui.go
	key := fmt.Sprintf("%s/%d/%d/%d/%t", scope, tile.Z, tile.X, tile.Y, gz)
	body := cache.get(snap.Revision(), key)
	if body != nil {
		h.Set("X-Tile-Cache", "hit")
	} else {
		h.Set("X-Tile-Cache", "miss")
		if body, err = RenderCustomerTile(snap, tile, owner); err != nil {
			fail(c, fmt.Errorf("tile %d/%d/%d: %w", tile.Z, tile.X, tile.Y, err))
			return
		}
		if ctx.Err() != nil {
			c.Abort() // cancelled while rendering: drop it
			return
		}
		if gz {
			if body, err = gzipped(body); err != nil {
				fail(c, fmt.Errorf("tile %d/%d/%d: gzip: %w", tile.Z, tile.X, tile.Y, err))
				return
			}
		}
		cache.put(snap.Revision(), s.customers.Current().Revision(), key, body)
	}
	if gz {
		h.Set("Content-Encoding", "gzip")
	}
	c.Data(http.StatusOK, tileContentType, body)
}

// RenderCustomerTile encodes tile t of snap as a Mapbox Vector Tile: below
// PointMinZoom one layer HexLayer of H3 hexagons (properties cell, count)
// at HexResForZoom, from it one layer PointLayer of points (feature id and
// properties id, stage, grid_id). owner not 0 keeps only his customers.
// The layer is always there, possibly empty.
func RenderCustomerTile(snap *snapshot.Snapshot, t maptile.Tile, owner int64) ([]byte, error) {
	fc := geojson.NewFeatureCollection()
	name := PointLayer
	if t.Z >= PointMinZoom {
		snap.TilePoints(t, owner, func(p *snapshot.Point) { fc.Features = append(fc.Features, pointFeature(p)) })
	} else {
		name = HexLayer
		// The hexagons whose box meets the tile and its margin.
		hexes, err := snap.Hexes(t.Bound(tileBuffer/float64(mvt.DefaultExtent)), HexResForZoom(t.Z), owner)
		if err != nil {
			return nil, err
		}
		for _, hx := range hexes {
			fc.Features = append(fc.Features, hexFeature(hx))
		}
	}
	return encodeTile(t, name, fc)
}

// encodeTile turns fc, in WGS-84, into layer name of tile t: projected,
// clipped to the tile and its margin, simplified below a pixel, emptied of
// what vanished, and encoded.
func encodeTile(t maptile.Tile, name string, fc *geojson.FeatureCollection) ([]byte, error) {
	layers := mvt.NewLayers(map[string]*geojson.FeatureCollection{name: fc})
	layers.ProjectToTile(t)
	layers.Clip(orb.Bound{Min: orb.Point{-tileBuffer, -tileBuffer}, Max: orb.Point{mvt.DefaultExtent + tileBuffer, mvt.DefaultExtent + tileBuffer}})
	layers.Simplify(simplify.DouglasPeucker(1))
	layers.RemoveEmpty(1, 1)
	return mvt.Marshal(layers)
}

// pointFeature is a customer of layer PointLayer.
func pointFeature(p *snapshot.Point) *geojson.Feature {
	// Not geojson.NewFeature: its empty properties map would be thrown
	// away at once, thousands of times per tile.
	return &geojson.Feature{Type: "Feature", ID: p.ID, Geometry: p.Loc,
		Properties: geojson.Properties{"id": p.ID, "stage": string(p.Stage()), "grid_id": p.GridID}}
}

// hexFeature is a hexagon of layer HexLayer.
func hexFeature(hx snapshot.Hex) *geojson.Feature {
	// A copy: projecting rewrites the ring in place, and the snapshot's
	// ring is shared. MVT wants an exterior ring of positive area in tile
	// coordinates (y down); the projection flips y, so the lon/lat ring
	// must be clockwise (H3 gives them counter-clockwise).
	ring := slices.Clone(hx.Ring)
	if ring.Orientation() == orb.CCW {
		ring.Reverse()
	}
	f := geojson.NewFeature(orb.Polygon{ring})
	f.Properties = geojson.Properties{"cell": hx.Cell.String(), "count": hx.Count}
	return f
}

// etagMatches implements If-None-Match's weak comparison: any listed tag
// equal to etag once "W/" is ignored, or "*".
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == want {
			return true
		}
	}
	return false
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // a valid level: no error
	return w
}}

// gzipped compresses b at gzip's fastest level (tiles are small and
// compress about 3:1 even so).
func gzipped(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
