package territory

import (
	"context"
	"time"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/funnel"
	"gridplan/geo"
)

// Carrier is who serves a customer today.
type Carrier string

// Carriers.
const (
	CarrierOurs       Carrier = "ours"
	CarrierCompetitor Carrier = "competitor"
	CarrierNone       Carrier = "none"
	CarrierUnknown    Carrier = "unknown"
)

// Carriers lists every carrier value.
var Carriers = []Carrier{CarrierOurs, CarrierCompetitor, CarrierNone, CarrierUnknown}

// Size is an enterprise size class (China's SME classification).
type Size string

// Sizes.
const (
	SizeMicro  Size = "micro"  // 微型
	SizeSmall  Size = "small"  // 小型
	SizeMedium Size = "medium" // 中型
	SizeLarge  Size = "large"  // 大型
)

// Sizes lists every size class.
var Sizes = []Size{SizeMicro, SizeSmall, SizeMedium, SizeLarge}

// Customer is a business (SME) located on the map. GridID is 0 when it lies
// in no grid; OwnerID is the manager holding it in his list, 0 when it sits in
// the grid's pool.
type Customer struct {
	ID         int64        `json:"id"`
	ExternalID string       `json:"external_id"`
	Name       string       `json:"name"`
	Address    string       `json:"address"`
	Location   orb.Point    `json:"-"`
	Cell       h3.Cell      `json:"-"`
	GridID     int64        `json:"grid_id,omitempty"`
	Industry   string       `json:"industry,omitempty"`
	Size       Size         `json:"size,omitempty"`
	Carrier    Carrier      `json:"carrier"`
	Special    bool         `json:"special"` // e.g. a property manager: a door to many others
	Stage      funnel.Stage `json:"stage"`
	OwnerID    int64        `json:"owner_id,omitempty"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
}

// Normalize fills what can be derived: the H3 cell from the location, the
// target stage and the unknown carrier when unset.
func (c *Customer) Normalize() {
	if c.Cell == 0 && geo.ValidatePoint(c.Location) == nil {
		c.Cell = geo.Cell(c.Location, geo.CustomerCellRes)
	}
	if c.Stage == "" {
		c.Stage = funnel.Target
	}
	if c.Carrier == "" {
		c.Carrier = CarrierUnknown
	}
}

// Validate checks a customer before it is stored.
func (c *Customer) Validate() error {
	switch {
	case blank(c.ExternalID):
		return Invalid("external_id", "is required")
	case len(c.ExternalID) > 128:
		return Invalid("external_id", "is longer than 128 bytes")
	case blank(c.Name):
		return Invalid("name", "is required")
	case !oneOf(c.Carrier, Carriers):
		return Invalid("carrier", "unknown carrier %q (want ours, competitor, none or unknown)", c.Carrier)
	case c.Size != "" && !oneOf(c.Size, Sizes):
		return Invalid("size", "unknown size %q (want micro, small, medium or large)", c.Size)
	case !c.Stage.Valid():
		return Invalid("stage", "unknown stage %q", c.Stage)
	case c.GridID < 0:
		return Invalid("grid_id", "must not be negative")
	case c.OwnerID < 0:
		return Invalid("owner_id", "must not be negative")
	}
	if err := validPoint("location", c.Location); err != nil {
		return err
	}
	if !c.Cell.IsValid() || c.Cell.Resolution() != geo.CustomerCellRes {
		return Invalid("cell", "must be a valid H3 cell at resolution %d", geo.CustomerCellRes)
	}
	return nil
}

func oneOf[T comparable](v T, set []T) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

// CustomerFilter selects customers; zero fields do not filter. Results are
// ordered by id; AfterID and Limit page through them (keyset pagination).
type CustomerFilter struct {
	GridID  int64
	OwnerID int64
	Stage   funnel.Stage
	Bound   *orb.Bound
	AfterID int64
	Limit   int
}

// CustomerStore persists customers. ExternalID is unique: creating a second
// customer with the same one fails with ErrConflict.
type CustomerStore interface {
	CreateCustomer(ctx context.Context, c *Customer) error
	Customer(ctx context.Context, id int64) (*Customer, error)
	CustomerByExternalID(ctx context.Context, externalID string) (*Customer, error)
	Customers(ctx context.Context, f CustomerFilter) ([]*Customer, error)
	CountCustomers(ctx context.Context, f CustomerFilter) (int, error)
	UpdateCustomer(ctx context.Context, c *Customer) error
	DeleteCustomer(ctx context.Context, id int64) error
}

// UpsertResult counts what UpsertCustomers did.
type UpsertResult struct {
	Inserted  int `json:"inserted"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// CustomerImportStore is what an import needs beyond CustomerStore.
type CustomerImportStore interface {
	// CustomersByExternalIDs returns the stored customers among ids, keyed
	// by external id; unknown ids are simply absent.
	CustomersByExternalIDs(ctx context.Context, ids []string) (map[string]*Customer, error)
	// UpsertCustomers inserts customers whose ExternalID is new and updates
	// those whose imported fields (name, address, location, cell, grid,
	// industry, size, carrier, special) differ from the stored ones; it
	// never changes an existing customer's stage or owner, and leaves
	// unchanged rows untouched (UpdatedAt too). Every customer's ID is set.
	// One transaction: on error nothing is written.
	UpsertCustomers(ctx context.Context, cs []*Customer, progress func(done int)) (UpsertResult, error)
}

// CustomerLocation is the part of a customer that grid assignment, the
// map's customer snapshot and the coverage analyzer read: where it is, its
// grid, (for the map's colours and a manager's own view) its stage and
// owner, and (for coverage reports and gap weights) its carrier and size.
type CustomerLocation struct {
	ID       int64
	Location orb.Point
	Cell     h3.Cell
	GridID   int64
	Stage    funnel.Stage
	OwnerID  int64
	Carrier  Carrier
	Size     Size // "" when unknown
}

// GridMove is one customer changing grid (0 = none).
type GridMove struct {
	CustomerID int64 `json:"customer_id"`
	From       int64 `json:"from"`
	To         int64 `json:"to"`
}

// CustomerGridStore is what grid assignment needs.
type CustomerGridStore interface {
	// CustomerLocations calls fn for every customer (ordered by id), or for
	// those whose location lies in bound when bound is not nil.
	CustomerLocations(ctx context.Context, bound *orb.Bound, fn func(CustomerLocation) error) error
	// MoveCustomers sets each customer's grid to To, in one transaction.
	MoveCustomers(ctx context.Context, moves []GridMove) error
}
