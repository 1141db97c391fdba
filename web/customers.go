package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"

	"gridplan/funnel"
	"gridplan/territory"
)

// Page sizes of GET /api/customers.
const (
	DefaultCustomerLimit = 100
	MaxCustomerLimit     = 1000
)

func (s *server) registerCustomers(g *gin.RouterGroup) {
	g.GET("", allow(ReadCustomers), s.listCustomers)
	g.GET("/:id", allow(ReadCustomers), s.getCustomer)
}

// customerJSON is a customer with his location as lng/lat and his H3 cell
// as its string form (a JSON number cannot hold an H3 index exactly).
type customerJSON struct {
	*territory.Customer
	Lng  float64 `json:"lng"`
	Lat  float64 `json:"lat"`
	Cell string  `json:"cell"`
}

func newCustomerJSON(cu *territory.Customer) customerJSON {
	cj := customerJSON{Customer: cu, Lng: cu.Location[0], Lat: cu.Location[1]}
	if cu.Cell != 0 {
		cj.Cell = cu.Cell.String()
	}
	return cj
}

// customerPage is one page of customers: next_cursor is null on the last
// page; total counts every customer the filter selects, across pages.
type customerPage struct {
	Items      []customerJSON `json:"items"`
	NextCursor *string        `json:"next_cursor"`
	Total      int            `json:"total"`
}

// parseBBox reads "minLng,minLat,maxLng,maxLat".
func parseBBox(raw string) (*orb.Bound, error) {
	parts := strings.Split(raw, ",")
	if len(parts) != 4 {
		return nil, invalid("bbox", "must be minLng,minLat,maxLng,maxLat, got %q", raw)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, invalid("bbox", "value %d (%q) is not a number", i+1, p)
		}
		v[i] = f
	}
	switch {
	case v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90:
		return nil, invalid("bbox", "%q is outside longitude [-180, 180] / latitude [-90, 90]", raw)
	case v[0] > v[2] || v[1] > v[3]:
		return nil, invalid("bbox", "min must not exceed max in %q (order: minLng,minLat,maxLng,maxLat)", raw)
	}
	return &orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

// customerFilter reads the query of GET /api/customers.
func customerFilter(c *gin.Context) (f territory.CustomerFilter, err error) {
	if f.GridID, err = queryID(c, "grid_id"); err != nil {
		return f, err
	}
	if f.OwnerID, err = queryID(c, "owner_id"); err != nil {
		return f, err
	}
	if raw, ok := c.GetQuery("stage"); ok {
		if f.Stage, err = funnel.ParseStage(raw); err != nil {
			return f, err
		}
	}
	if raw, ok := c.GetQuery("bbox"); ok {
		if f.Bound, err = parseBBox(raw); err != nil {
			return f, err
		}
	}
	f.Limit = DefaultCustomerLimit
	if raw, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > MaxCustomerLimit {
			return f, invalid("limit", "must be an integer from 1 to %d, got %q", MaxCustomerLimit, raw)
		}
		f.Limit = n
	}
	if raw, ok := c.GetQuery("cursor"); ok {
		// The cursor is the last id of the previous page (keyset paging:
		// stable while rows are added, no OFFSET scans).
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n <= 0 {
			return f, invalid("cursor", "must be the next_cursor of a previous page, got %q", raw)
		}
		f.AfterID = n
	}
	return f, nil
}

func (s *server) listCustomers(c *gin.Context) {
	f, err := customerFilter(c)
	if err != nil {
		fail(c, err)
		return
	}
	if scopeOf(c) == ScopeOwn {
		own, err := ownManagerID(c)
		if err != nil {
			fail(c, err)
			return
		}
		if f.OwnerID != 0 && f.OwnerID != own {
			fail(c, forbidden("managers see only their own customers"))
			return
		}
		f.OwnerID = own
	}

	limit := f.Limit
	f.Limit = limit + 1 // one more tells whether another page follows
	cs, err := s.Store.Customers(c.Request.Context(), f)
	if err != nil {
		fail(c, fmt.Errorf("list customers: %w", err))
		return
	}
	count := f
	count.AfterID, count.Limit = 0, 0
	total, err := s.Store.CountCustomers(c.Request.Context(), count)
	if err != nil {
		fail(c, fmt.Errorf("count customers: %w", err))
		return
	}

	page := customerPage{Items: make([]customerJSON, 0, min(len(cs), limit)), Total: total}
	if len(cs) > limit {
		cs = cs[:limit]
		next := strconv.FormatInt(cs[len(cs)-1].ID, 10)
		page.NextCursor = &next
	}
	for _, cu := range cs {
		page.Items = append(page.Items, newCustomerJSON(cu))
	}
	c.JSON(http.StatusOK, page)
}

func (s *server) getCustomer(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		fail(c, err)
		return
	}
	cu, err := s.Store.Customer(c.Request.Context(), id)
	if err != nil {
		fail(c, lookupErr("customer", id, err))
		return
	}
	if scopeOf(c) == ScopeOwn {
		own, err := ownManagerID(c)
		if err != nil {
			fail(c, err)
			return
		}
		if cu.OwnerID != own {
			fail(c, forbidden("managers see only their own customers"))
			return
		}
	}
	c.JSON(http.StatusOK, newCustomerJSON(cu))
}
