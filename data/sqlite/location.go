package sqlite

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/data"
	"gridplan/territory"
)

// CustomerLocations calls fn for every customer, by id, or for those whose
// location lies in bound (edges included) when bound is not nil, stopping
// at fn's first error, which it returns. It reads only the five columns
// assignment needs, straight into the struct handed to fn. Outside a
// transaction the rows come from a reader connection, so fn may use the
// store, writes included (except on ":memory:", whose one connection is busy
// with the rows); inside one, fn may use the transaction's store.
func (s *Store) CustomerLocations(ctx context.Context, bound *orb.Bound, fn func(territory.CustomerLocation) error) error {
	var w where
	if b := bound; b != nil {
		w.add("lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?", b.Min[0], b.Max[0], b.Min[1], b.Max[1])
	}
	rows, err := s.read().QueryContext(ctx, "SELECT id, lon, lat, cell, ifnull(grid_id, 0) FROM customers"+w.page(0, 0), w.args...)
	if err != nil {
		return fmt.Errorf("sqlite: customer locations: %w", err)
	}
	defer rows.Close()
	var l territory.CustomerLocation
	var cell int64
	for n := 0; rows.Next(); n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := rows.Scan(&l.ID, &l.Location[0], &l.Location[1], &cell, &l.GridID); err != nil {
			return fmt.Errorf("sqlite: customer locations: %w", err)
		}
		l.Cell = h3.Cell(cell)
		if err := fn(l); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: customer locations: %w", err)
	}
	return nil
}

// MoveCustomers sets each customer's grid to its move's To (0: none) and
// its UpdatedAt to now, in one transaction; From is not checked. An unknown
// customer is a NotFoundError naming it, an unknown grid a FieldError on
// grid_id, and either writes nothing.
func (s *Store) MoveCustomers(ctx context.Context, moves []territory.GridMove) error {
	if err := data.CheckMoves(moves); err != nil {
		return err
	}
	if len(moves) == 0 {
		return nil
	}
	now := micros(exact(s.now()))
	return s.atomic(ctx, func(q querier) error {
		var grids []int64
		for _, m := range moves {
			if m.To != 0 {
				grids = append(grids, m.To)
			}
		}
		ok, err := existingIDs(ctx, q, "grids", data.Distinct(grids))
		if err != nil {
			return err
		}
		for i, m := range moves {
			if m.To != 0 && !ok[m.To] {
				return fmt.Errorf("move %d: %w", i, territory.Invalid("grid_id", "grid %d does not exist", m.To))
			}
		}
		upd, err := q.PrepareContext(ctx, "UPDATE customers SET grid_id = ?, updated_at = ? WHERE id = ?")
		if err != nil {
			return fmt.Errorf("sqlite: prepare move: %w", err)
		}
		defer upd.Close()
		for i, m := range moves {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			res, err := upd.ExecContext(ctx, nullID(m.To), now, m.CustomerID)
			if err := affected(res, err, "customer", m.CustomerID); err != nil {
				return fmt.Errorf("move %d: %w", i, err)
			}
		}
		return nil
	})
}
