package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

// CustomerLocations calls fn for every customer, by id, or for those whose
// location lies in bound (edges included) when bound is not nil, stopping
// at fn's first error, which it returns. It reads only the nine columns
// assignment, the map and coverage need, straight into the struct handed to
// fn. Outside a transaction the rows come from a reader connection, so fn
// may use the store, writes included (except on ":memory:", whose one
// connection is busy with the rows); inside one, fn may use the
// transaction's store.
func (s *Store) CustomerLocations(ctx context.Context, bound *orb.Bound, fn func(territory.CustomerLocation) error) error {
	var w where
	if b := bound; b != nil {
		w.add("lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?", b.Min[0], b.Max[0], b.Min[1], b.Max[1])
	}
	rows, err := s.read().QueryContext(ctx, "SELECT id, lon, lat, cell, ifnull(grid_id, 0), stage, ifnull(owner_id, 0), carrier, size FROM customers"+w.page(0, 0), w.args...)
	if err != nil {
		return fmt.Errorf("sqlite: customer locations: %w", err)
	}
	defer rows.Close()
	var l territory.CustomerLocation
	var cell int64
	var stage, carrier, size string
	for n := 0; rows.Next(); n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := rows.Scan(&l.ID, &l.Location[0], &l.Location[1], &cell, &l.GridID, &stage, &l.OwnerID, &carrier, &size); err != nil {
			return fmt.Errorf("sqlite: customer locations: %w", err)
		}
		l.Cell = h3.Cell(cell)
		l.Stage = funnel.Stage(stage)
		l.Carrier, l.Size = territory.Carrier(carrier), territory.Size(size)
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

// DataStamp returns a short token that changes whenever what the map's
// customer snapshot shows changes: a customer added or deleted, or its
// location, grid, stage or owner changed; a grid added, edited or deleted.
// Equal tokens mean nothing of that changed (barring a checksum collision).
// It costs one scan of the customers table (about 0.1 s per million rows),
// so a server can poll it every few seconds to see other replicas' writes.
func (s *Store) DataStamp(ctx context.Context) (string, error) {
	var n, maxID, maxUpd, sum int64
	err := s.read().QueryRowContext(ctx, `SELECT count(*), ifnull(max(id), 0), ifnull(max(updated_at), 0),
		ifnull(sum((id % 65521 + 1) * (ifnull(grid_id, 0) % 1000003 * 7 + ifnull(owner_id, 0) % 1000033 * 13 +
			instr(?, '|' || stage || '|') * 17 + CAST(lon * 1e6 AS INTEGER) % 1000037 + CAST(lat * 1e6 AS INTEGER) % 1000039 * 3)), 0)
		FROM customers`, stageList()).Scan(&n, &maxID, &maxUpd, &sum)
	if err != nil {
		return "", fmt.Errorf("sqlite: data stamp: customers: %w", err)
	}
	var gn, gMaxID, gVersions, gMaxUpd int64
	err = s.read().QueryRowContext(ctx, `SELECT count(*), ifnull(max(id), 0), ifnull(sum(version), 0), ifnull(max(updated_at), 0)
		FROM grids`).Scan(&gn, &gMaxID, &gVersions, &gMaxUpd)
	if err != nil {
		return "", fmt.Errorf("sqlite: data stamp: grids: %w", err)
	}
	return fmt.Sprintf("c%d.%d.%d.%d g%d.%d.%d.%d", n, maxID, maxUpd, sum, gn, gMaxID, gVersions, gMaxUpd), nil
}

// stageList is "|target|list|…|": a stage's position in it numbers the
// stage in DataStamp's checksum.
func stageList() string {
	var b strings.Builder
	b.WriteByte('|')
	for _, st := range funnel.Stages {
		b.WriteString(string(st) + "|")
	}
	return b.String()
}

// ResourceStamp returns a short token that changes whenever what coverage
// reads of the resources changes: a resource added or deleted, or its
// status, expected date, radius, coverage box or geometry or cell list
// (by size) changed. One embedded store serves one process, whose own
// writes reach its coverage analysis directly; the stamp is for the rare
// second process on the same file. It costs one scan of the resources
// table (a few milliseconds per ten thousand).
func (s *Store) ResourceStamp(ctx context.Context) (string, error) {
	var n, maxID, sum int64
	err := s.read().QueryRowContext(ctx, `SELECT count(*), ifnull(max(id), 0),
		ifnull(sum((id % 65521 + 1) * (instr('|existing|under_construction|planned|', '|' || status || '|') * 7 +
			CAST(radius_m * 1000 AS INTEGER) % 1000003 + ifnull(CAST(replace(expected_date, '-', '') AS INTEGER), 0) % 1000033 * 13 +
			CAST(min_lon * 1e7 AS INTEGER) % 1000037 + CAST(min_lat * 1e7 AS INTEGER) % 1000039 * 3 +
			CAST(max_lon * 1e7 AS INTEGER) % 1000081 * 5 + CAST(max_lat * 1e7 AS INTEGER) % 1000099 * 11 +
			ifnull(length(geometry), 0) * 17 + ifnull(length(cells), 0) * 19)), 0)
		FROM resources`).Scan(&n, &maxID, &sum)
	if err != nil {
		return "", fmt.Errorf("sqlite: resource stamp: %w", err)
	}
	return fmt.Sprintf("r%d.%d.%d", n, maxID, sum), nil
}
