package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	h3 "github.com/uber/h3-go/v4"

	"gridplan/territory"
)

const customerCols = `id, external_id, name, address, lon, lat, cell, grid_id, industry, size, carrier, special, stage,
	owner_id, created_at, updated_at`

func scanCustomer(row interface{ Scan(...any) error }) (*territory.Customer, error) {
	var c territory.Customer
	var cell, created, updated int64
	var grid, owner sql.NullInt64
	var special int
	err := row.Scan(&c.ID, &c.ExternalID, &c.Name, &c.Address, &c.Location[0], &c.Location[1], &cell, &grid,
		&c.Industry, &c.Size, &c.Carrier, &special, &c.Stage, &owner, &created, &updated)
	if err != nil {
		return nil, err
	}
	c.Cell, c.GridID, c.OwnerID, c.Special = h3.Cell(cell), grid.Int64, owner.Int64, special != 0
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

// customerArgs are c's columns after id, in customerCols order.
func customerArgs(c *territory.Customer) []any {
	return []any{c.ExternalID, c.Name, c.Address, c.Location[0], c.Location[1], int64(c.Cell), nullID(c.GridID),
		c.Industry, c.Size, c.Carrier, boolInt(c.Special), c.Stage, nullID(c.OwnerID), micros(c.CreatedAt), micros(c.UpdatedAt)}
}

// checkCustomerRefs returns a FieldError when c's grid or owner is missing.
func checkCustomerRefs(ctx context.Context, q querier, c *territory.Customer) error {
	if c.GridID != 0 {
		if err := checkGrid(ctx, q, "grid_id", c.GridID); err != nil {
			return err
		}
	}
	if c.OwnerID != 0 {
		return checkManager(ctx, q, c.OwnerID, func(id int64) error {
			return territory.Invalid("owner_id", "manager %d does not exist", id)
		})
	}
	return nil
}

// checkManager returns missing(id) when id names no manager.
func checkManager(ctx context.Context, q querier, id int64, missing func(int64) error) error {
	ok, err := exists(ctx, q, "managers", id)
	if err == nil && !ok {
		err = missing(id)
	}
	return err
}

// CreateCustomer normalizes and validates c, stores it and sets c.ID (and
// CreatedAt/UpdatedAt when zero).
func (s *Store) CreateCustomer(ctx context.Context, c *territory.Customer) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		if err := checkCustomerRefs(ctx, q, c); err != nil {
			return err
		}
		now := exact(s.now())
		created, updated := c.CreatedAt, c.UpdatedAt
		stamp(&created, now)
		stamp(&updated, now)
		row := *c
		row.CreatedAt, row.UpdatedAt = created, updated
		res, err := q.ExecContext(ctx, `INSERT INTO customers (`+customerCols[4:]+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			customerArgs(&row)...)
		if isUnique(err) {
			return conflict("customer external id %q already exists", c.ExternalID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: create customer %q: %w", c.ExternalID, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		c.ID, c.CreatedAt, c.UpdatedAt = id, created, updated
		return nil
	})
}

// Customer returns the customer with id.
func (s *Store) Customer(ctx context.Context, id int64) (*territory.Customer, error) {
	c, err := scanCustomer(s.read().QueryRowContext(ctx, "SELECT "+customerCols+" FROM customers WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, territory.NotFound("customer", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: customer %d: %w", id, err)
	}
	return c, nil
}

// CustomerByExternalID returns the customer with externalID.
func (s *Store) CustomerByExternalID(ctx context.Context, externalID string) (*territory.Customer, error) {
	c, err := scanCustomer(s.read().QueryRowContext(ctx, "SELECT "+customerCols+" FROM customers WHERE external_id = ?", externalID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &territory.NotFoundError{Kind: "customer", Key: externalID}
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: customer %q: %w", externalID, err)
	}
	return c, nil
}

func customerWhere(f territory.CustomerFilter) *where {
	var w where
	if f.GridID != 0 {
		w.add("grid_id = ?", f.GridID)
	}
	if f.OwnerID != 0 {
		w.add("owner_id = ?", f.OwnerID)
	}
	if f.Stage != "" {
		w.add("stage = ?", f.Stage)
	}
	if b := f.Bound; b != nil {
		w.add("lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?", b.Min[0], b.Max[0], b.Min[1], b.Max[1])
	}
	return &w
}

// Customers returns the customers matching f, by id, one page when f.Limit
// is set.
func (s *Store) Customers(ctx context.Context, f territory.CustomerFilter) ([]*territory.Customer, error) {
	w := customerWhere(f)
	rows, err := s.read().QueryContext(ctx, "SELECT "+customerCols+" FROM customers"+w.page(f.AfterID, f.Limit), w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: customers: %w", err)
	}
	return collect(rows, scanCustomer)
}

// CountCustomers counts the customers matching f, ignoring AfterID and Limit.
func (s *Store) CountCustomers(ctx context.Context, f territory.CustomerFilter) (int, error) {
	w := customerWhere(f)
	var n int
	if err := s.read().QueryRowContext(ctx, "SELECT count(*) FROM customers"+w.String(), w.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count customers: %w", err)
	}
	return n, nil
}

// UpdateCustomer normalizes, validates and overwrites customer c.ID. Its
// CreatedAt stays as stored; UpdatedAt is set to now when zero.
func (s *Store) UpdateCustomer(ctx context.Context, c *territory.Customer) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		if err := checkCustomerRefs(ctx, q, c); err != nil {
			return err
		}
		updated := c.UpdatedAt
		stamp(&updated, exact(s.now()))
		res, err := q.ExecContext(ctx, `UPDATE customers SET external_id = ?, name = ?, address = ?, lon = ?, lat = ?, cell = ?,
			grid_id = ?, industry = ?, size = ?, carrier = ?, special = ?, stage = ?, owner_id = ?, updated_at = ? WHERE id = ?`,
			c.ExternalID, c.Name, c.Address, c.Location[0], c.Location[1], int64(c.Cell), nullID(c.GridID),
			c.Industry, c.Size, c.Carrier, boolInt(c.Special), c.Stage, nullID(c.OwnerID), micros(updated), c.ID)
		if isUnique(err) {
			return conflict("customer external id %q already exists", c.ExternalID)
		}
		if err := affected(res, err, "customer", c.ID); err != nil {
			return err
		}
		c.UpdatedAt = updated
		return nil
	})
}

// DeleteCustomer deletes customer id with its claims and activities.
func (s *Store) DeleteCustomer(ctx context.Context, id int64) error {
	return s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, "DELETE FROM customers WHERE id = ?", id)
		return affected(res, err, "customer", id)
	})
}
