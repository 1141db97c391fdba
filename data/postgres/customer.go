package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/territory"
)

const customerColumns = `id, external_id, name, address, lon, lat, cell, grid_id, industry, size, carrier,
	special, stage, owner_id, created_at, updated_at`

func scanCustomer(row pgx.Row) (*territory.Customer, error) {
	var c territory.Customer
	var cell int64
	var gridID, ownerID *int64
	err := row.Scan(&c.ID, &c.ExternalID, &c.Name, &c.Address, &c.Location[0], &c.Location[1], &cell, &gridID,
		&c.Industry, &c.Size, &c.Carrier, &c.Special, &c.Stage, &ownerID, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return nil, err
	}
	c.Cell = h3.Cell(cell)
	c.GridID, c.OwnerID = idOrZero(gridID), idOrZero(ownerID)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// customerInsert are the customer columns after id; customerValues appends
// their values to dst.
var customerInsert = []string{"external_id", "name", "address", "lon", "lat", "cell", "grid_id", "industry",
	"size", "carrier", "special", "stage", "owner_id", "created_at", "updated_at"}

func customerValues(dst []any, c *territory.Customer) []any {
	return append(dst, c.ExternalID, c.Name, c.Address, c.Location[0], c.Location[1], int64(c.Cell), nullID(c.GridID),
		c.Industry, string(c.Size), string(c.Carrier), c.Special, string(c.Stage), nullID(c.OwnerID), c.CreatedAt, c.UpdatedAt)
}

// prepareCustomer normalizes, validates and stamps c as Create does.
func prepareCustomer(c *territory.Customer, t time.Time) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	c.CreatedAt = stampOr(c.CreatedAt, t)
	c.UpdatedAt = stampOr(c.UpdatedAt, c.CreatedAt)
	return nil
}

// CreateCustomer normalizes and validates c, stores it and sets c.ID, and
// CreatedAt/UpdatedAt when zero. A taken ExternalID is a ConflictError.
func (s *Store) CreateCustomer(ctx context.Context, c *territory.Customer) error {
	if err := prepareCustomer(c, now()); err != nil {
		return err
	}
	err := s.db.QueryRow(ctx, `INSERT INTO customers (external_id, name, address, lon, lat, cell, grid_id, industry,
			size, carrier, special, stage, owner_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		customerValues(nil, c)...).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("create customer %q: %w", c.ExternalID, translate(err))
	}
	return nil
}

// Customer returns customer id.
func (s *Store) Customer(ctx context.Context, id int64) (*territory.Customer, error) {
	c, err := scanCustomer(s.db.QueryRow(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "customer", id)
	}
	return c, nil
}

// CustomerByExternalID returns the customer with that external id.
func (s *Store) CustomerByExternalID(ctx context.Context, externalID string) (*territory.Customer, error) {
	c, err := scanCustomer(s.db.QueryRow(ctx, `SELECT `+customerColumns+` FROM customers WHERE external_id = $1`, externalID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &territory.NotFoundError{Kind: "customer", Key: fmt.Sprintf("external_id %q", externalID)}
	}
	if err != nil {
		return nil, fmt.Errorf("customer %q: %w", externalID, translate(err))
	}
	return c, nil
}

// customerFilter turns f's selecting fields (not its paging) into conditions.
func customerFilter(f territory.CustomerFilter) *filter {
	var q filter
	if f.GridID != 0 {
		q.add("grid_id = ?", f.GridID)
	}
	if f.OwnerID != 0 {
		q.add("owner_id = ?", f.OwnerID)
	}
	if f.Stage != "" {
		q.add("stage = ?", string(f.Stage))
	}
	if b := f.Bound; b != nil {
		// Ranges on (lon, lat): served by customers_lon_lat_idx.
		q.add("lon >= ?", b.Min[0])
		q.add("lon <= ?", b.Max[0])
		q.add("lat >= ?", b.Min[1])
		q.add("lat <= ?", b.Max[1])
	}
	return &q
}

// Customers returns the customers f selects, by id, one keyset page
// (AfterID, Limit; Limit 0 is no limit).
func (s *Store) Customers(ctx context.Context, f territory.CustomerFilter) ([]*territory.Customer, error) {
	q := customerFilter(f)
	rows, err := s.db.Query(ctx, `SELECT `+customerColumns+` FROM customers`+q.page(f.AfterID, f.Limit), q.args...)
	if err != nil {
		return nil, fmt.Errorf("customers: %w", translate(err))
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*territory.Customer, error) { return scanCustomer(r) })
	if err != nil {
		return nil, fmt.Errorf("customers: %w", translate(err))
	}
	return cs, nil
}

// CountCustomers counts the customers f selects, ignoring its paging.
func (s *Store) CountCustomers(ctx context.Context, f territory.CustomerFilter) (int, error) {
	q := customerFilter(f)
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM customers`+q.where(), q.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count customers: %w", translate(err))
	}
	return n, nil
}

// UpdateCustomer normalizes and validates c and replaces customer c.ID.
// CreatedAt keeps its stored value; UpdatedAt becomes now.
func (s *Store) UpdateCustomer(ctx context.Context, c *territory.Customer) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	updated := now()
	var created time.Time
	err := s.db.QueryRow(ctx, `UPDATE customers SET external_id = $2, name = $3, address = $4, lon = $5, lat = $6,
			cell = $7, grid_id = $8, industry = $9, size = $10, carrier = $11, special = $12, stage = $13,
			owner_id = $14, updated_at = $15
		WHERE id = $1 RETURNING created_at`,
		c.ID, c.ExternalID, c.Name, c.Address, c.Location[0], c.Location[1], int64(c.Cell), nullID(c.GridID),
		c.Industry, string(c.Size), string(c.Carrier), c.Special, string(c.Stage), nullID(c.OwnerID), updated).Scan(&created)
	if err != nil {
		return fmt.Errorf("update customer %d: %w", c.ID, notFound(err, "customer", c.ID))
	}
	c.CreatedAt, c.UpdatedAt = created.UTC(), updated
	return nil
}

// DeleteCustomer deletes customer id with its claims and activities.
func (s *Store) DeleteCustomer(ctx context.Context, id int64) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM customers WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete customer %d: %w", id, translateDelete(err, "customer", id))
	}
	if tag.RowsAffected() == 0 {
		return territory.NotFound("customer", id)
	}
	return nil
}
