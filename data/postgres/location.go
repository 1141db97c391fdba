package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

// CustomerLocations calls fn for every customer, by id, or for those whose
// location lies in bound (edges included) when bound is not nil, stopping
// at fn's first error, which it returns. It reads only the nine columns
// assignment, the map and coverage need. Outside a transaction the rows
// stream from a pooled connection while fn runs, so fn may use the store. A
// transaction's one connection cannot run a statement while rows stream, so
// there the rows are read first (about 90 bytes each) and fn called after,
// which lets fn use the transaction's store too.
func (s *Store) CustomerLocations(ctx context.Context, bound *orb.Bound, fn func(territory.CustomerLocation) error) error {
	var q filter
	if b := bound; b != nil {
		q.add("lon >= ?", b.Min[0])
		q.add("lon <= ?", b.Max[0])
		q.add("lat >= ?", b.Min[1])
		q.add("lat <= ?", b.Max[1])
	}
	rows, err := s.db.Query(ctx, `SELECT id, lon, lat, cell, coalesce(grid_id, 0), stage, coalesce(owner_id, 0), carrier, size FROM customers`+q.page(0, 0), q.args...)
	if err != nil {
		return fmt.Errorf("customer locations: %w", translate(err))
	}
	defer rows.Close()
	var buf []territory.CustomerLocation
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
			return fmt.Errorf("customer locations: %w", translate(err))
		}
		l.Cell = h3.Cell(cell)
		l.Stage = funnel.Stage(stage)
		l.Carrier, l.Size = territory.Carrier(carrier), territory.Size(size)
		if s.inTx {
			buf = append(buf, l)
			continue
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("customer locations: %w", translate(err))
	}
	rows.Close()
	for n, l := range buf {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	return nil
}

// moveChunk is how many moves one UPDATE … FROM unnest(…) carries.
var moveChunk = 50_000

// MoveCustomers sets each customer's grid to its move's To (0: none) and
// its UpdatedAt to now, in one transaction; From is not checked. An unknown
// customer is a NotFoundError naming it, an unknown grid a FieldError on
// grid_id, and either writes nothing. The moves go in as two arrays, one
// UPDATE … FROM unnest per moveChunk moves: one round trip and one plan
// whatever the count.
func (s *Store) MoveCustomers(ctx context.Context, moves []territory.GridMove) error {
	if err := data.CheckMoves(moves); err != nil {
		return err
	}
	if len(moves) == 0 {
		return nil
	}
	t := now()
	return s.inTxStore(ctx, func(tx *Store) error {
		var grids []int64
		for _, m := range moves {
			if m.To != 0 {
				grids = append(grids, m.To)
			}
		}
		ok, err := tx.existingIDs(ctx, "grids", data.Distinct(grids))
		if err != nil {
			return err
		}
		for i, m := range moves {
			if m.To != 0 && !ok[m.To] {
				return fmt.Errorf("move %d: %w", i, territory.Invalid("grid_id", "grid %d does not exist", m.To))
			}
		}
		for start := 0; start < len(moves); start += moveChunk {
			chunk := moves[start:min(start+moveChunk, len(moves))]
			ids, to := make([]int64, len(chunk)), make([]int64, len(chunk))
			for k, m := range chunk {
				ids[k], to[k] = m.CustomerID, m.To
			}
			tag, err := tx.db.Exec(ctx, `UPDATE customers c SET grid_id = NULLIF(u.grid_id, 0), updated_at = $3
				FROM unnest($1::bigint[], $2::bigint[]) AS u(id, grid_id) WHERE c.id = u.id`, ids, to, t)
			if err != nil {
				return fmt.Errorf("move customers: %w", translate(err))
			}
			if int(tag.RowsAffected()) == len(chunk) {
				continue
			}
			var missing, ord int64
			err = tx.db.QueryRow(ctx, `SELECT u.id, u.ord FROM unnest($1::bigint[]) WITH ORDINALITY AS u(id, ord)
				WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = u.id) ORDER BY u.ord LIMIT 1`, ids).Scan(&missing, &ord)
			if err != nil {
				if err == pgx.ErrNoRows {
					return fmt.Errorf("move customers: %d of %d rows updated", tag.RowsAffected(), len(chunk))
				}
				return fmt.Errorf("move customers: %w", translate(err))
			}
			return fmt.Errorf("move %d: %w", start+int(ord)-1, territory.NotFound("customer", missing))
		}
		return nil
	})
}

// DataStamp returns a short token that changes whenever what the map's
// customer snapshot shows changes: a customer added or deleted, or its
// location, grid, stage or owner changed; a grid added, edited or deleted.
// Equal tokens mean nothing of that changed (barring a checksum collision).
// It costs one scan of the customers table, so a server can poll it every
// few seconds to see other replicas' writes.
func (s *Store) DataStamp(ctx context.Context) (string, error) {
	var n, maxID int64
	var maxUpd, sum string
	err := s.db.QueryRow(ctx, `SELECT count(*), coalesce(max(id), 0),
		coalesce((extract(epoch FROM max(updated_at)) * 1000000)::bigint, 0)::text,
		coalesce(sum((id % 65521 + 1) * (coalesce(grid_id, 0) % 1000003 * 7 + coalesce(owner_id, 0) % 1000033 * 13 +
			strpos($1, '|' || stage || '|') * 17 + (lon * 1e6)::bigint % 1000037 + (lat * 1e6)::bigint % 1000039 * 3)), 0)::text
		FROM customers`, stageList()).Scan(&n, &maxID, &maxUpd, &sum)
	if err != nil {
		return "", fmt.Errorf("data stamp: customers: %w", translate(err))
	}
	var gn, gMaxID, gVersions int64
	var gMaxUpd string
	err = s.db.QueryRow(ctx, `SELECT count(*), coalesce(max(id), 0), coalesce(sum(version), 0)::bigint,
		coalesce((extract(epoch FROM max(updated_at)) * 1000000)::bigint, 0)::text FROM grids`).Scan(&gn, &gMaxID, &gVersions, &gMaxUpd)
	if err != nil {
		return "", fmt.Errorf("data stamp: grids: %w", translate(err))
	}
	return fmt.Sprintf("c%d.%d.%s.%s g%d.%d.%d.%s", n, maxID, maxUpd, sum, gn, gMaxID, gVersions, gMaxUpd), nil
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
// status, expected date, radius, geometry (by checksum), cells or coverage
// box changed. Replicas poll it to see each other's resource writes (their
// own reach their coverage analysis directly). It costs one scan of the
// resources table.
func (s *Store) ResourceStamp(ctx context.Context) (string, error) {
	var n, maxID int64
	var sum string
	err := s.db.QueryRow(ctx, `SELECT count(*), coalesce(max(id), 0), coalesce(sum((id % 65521 + 1) * (
			strpos('|existing|under_construction|planned|', '|' || status || '|') * 7 +
			(radius_m * 1000)::bigint % 1000003 + coalesce(to_char(expected_date, 'YYYYMMDD')::bigint, 0) % 1000033 * 13 +
			(min_lon * 1e7)::bigint % 1000037 + (min_lat * 1e7)::bigint % 1000039 * 3 +
			(max_lon * 1e7)::bigint % 1000081 * 5 + (max_lat * 1e7)::bigint % 1000099 * 11 +
			coalesce(('x' || substr(md5(geometry), 1, 8))::bit(32)::bigint, 0) % 1000117 * 17 +
			coalesce((SELECT sum(c % 1000121) FROM unnest(cells) AS c), 0) * 19)), 0)::text
		FROM resources`).Scan(&n, &maxID, &sum)
	if err != nil {
		return "", fmt.Errorf("resource stamp: %w", translate(err))
	}
	return fmt.Sprintf("r%d.%d.%s", n, maxID, sum), nil
}
