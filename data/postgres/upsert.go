package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

// lookupChunk is how many keys one `= ANY($1)` lookup or one unnest UPDATE
// carries: a bounded message, and a point to check the context between.
var lookupChunk = 10_000

// customersByExternal calls fn for each stored customer among ids (distinct),
// one query per lookupChunk ids.
func (s *Store) customersByExternal(ctx context.Context, ids []string, fn func(*territory.Customer)) error {
	for start := 0; start < len(ids); start += lookupChunk {
		chunk := ids[start:min(start+lookupChunk, len(ids))]
		rows, err := s.db.Query(ctx, `SELECT `+customerColumns+` FROM customers WHERE external_id = ANY($1::text[])`, chunk)
		if err != nil {
			return fmt.Errorf("customers by external id: %w", translate(err))
		}
		for rows.Next() {
			c, err := scanCustomer(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("customers by external id: %w", translate(err))
			}
			fn(c)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("customers by external id: %w", translate(err))
		}
	}
	return nil
}

// CustomersByExternalIDs returns the stored customers among ids, keyed by
// external id; unknown ids are absent, repeated ones looked up once. Ids
// that text columns cannot hold (invalid UTF-8, NUL bytes) are not looked
// up: no customer can have them.
func (s *Store) CustomersByExternalIDs(ctx context.Context, ids []string) (map[string]*territory.Customer, error) {
	out := make(map[string]*territory.Customer, len(ids))
	storable := make([]string, 0, len(ids))
	for _, id := range data.Distinct(ids) {
		if data.CheckTexts("external_id", id) == nil {
			storable = append(storable, id)
		}
	}
	if err := s.customersByExternal(ctx, storable, func(c *territory.Customer) { out[c.ExternalID] = c }); err != nil {
		return nil, err
	}
	return out, nil
}

// existingIDs returns which of ids are rows of table.
func (s *Store) existingIDs(ctx context.Context, table string, ids []int64) (map[int64]bool, error) {
	found := make(map[int64]bool, len(ids))
	if len(ids) == 0 {
		return found, nil
	}
	rows, err := s.db.Query(ctx, `SELECT id FROM `+table+` WHERE id = ANY($1::bigint[])`, ids)
	if err != nil {
		return nil, fmt.Errorf("look up %s: %w", table, translate(err))
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("look up %s: %w", table, translate(err))
	}
	for _, id := range got {
		found[id] = true
	}
	return found, nil
}

// checkUpsertRefs returns a FieldError naming the first row whose grid or
// owner does not exist. Owners are checked on every row, although an
// existing customer keeps its stored owner: naming a missing manager is bad
// input either way.
func (s *Store) checkUpsertRefs(ctx context.Context, cs []*territory.Customer) error {
	var grids, owners []int64
	for _, c := range cs {
		if c.GridID != 0 {
			grids = append(grids, c.GridID)
		}
		if c.OwnerID != 0 {
			owners = append(owners, c.OwnerID)
		}
	}
	okGrids, err := s.existingIDs(ctx, "grids", data.Distinct(grids))
	if err != nil {
		return err
	}
	okOwners, err := s.existingIDs(ctx, "managers", data.Distinct(owners))
	if err != nil {
		return err
	}
	for i, c := range cs {
		if c.GridID != 0 && !okGrids[c.GridID] {
			return fmt.Errorf("customer row %d: %w", i, territory.Invalid("grid_id", "grid %d does not exist", c.GridID))
		}
		if c.OwnerID != 0 && !okOwners[c.OwnerID] {
			return fmt.Errorf("customer row %d: %w", i, territory.Invalid("owner_id", "manager %d does not exist", c.OwnerID))
		}
	}
	return nil
}

// upserted is what the store holds of one upserted row beyond its imported
// fields; it is copied into the caller's struct after the commit.
type upserted struct {
	id               int64
	stage            funnel.Stage
	owner            int64
	created, updated time.Time
}

// updateImported overwrites the imported fields of customers by id from
// arrays (one round trip per chunk, the same plan for any size) and returns
// what the store keeps beyond them.
const updateImported = `UPDATE customers c SET name = u.name, address = u.address, lon = u.lon, lat = u.lat,
		cell = u.cell, grid_id = NULLIF(u.grid_id, 0), industry = u.industry, size = u.size, carrier = u.carrier,
		special = u.special, updated_at = $12
	FROM unnest($1::bigint[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::bigint[], $7::bigint[],
		$8::text[], $9::text[], $10::text[], $11::boolean[])
		AS u(id, name, address, lon, lat, cell, grid_id, industry, size, carrier, special)
	WHERE c.id = u.id
	RETURNING c.id, c.stage, coalesce(c.owner_id, 0), c.created_at`

// UpsertCustomers normalizes and validates every customer, then in one
// transaction inserts those whose ExternalID is new and updates the
// imported fields of those that differ from the stored ones (UpdatedAt =
// now); unchanged rows are not written. An existing customer keeps its
// stage, owner and CreatedAt, which are copied into the caller's struct
// together with its ID, so that every struct equals the stored row. The
// input IDs are ignored. A bad row, a repeated external id or a missing
// grid or owner fails the whole call naming the row (its index in cs), and
// nothing is written.
//
// How: the stored rows are looked up by external id (= ANY, lookupChunk at
// a time) and compared in Go; the new rows go in with BulkCustomers' COPY
// (which also defers the indexes when the table is empty and the load
// large), the changed ones with one UPDATE … FROM unnest(…) per chunk. No
// id is drawn for a row that already exists. progress counts unchanged
// rows first, then inserted, then updated ones.
func (s *Store) UpsertCustomers(ctx context.Context, cs []*territory.Customer, progress func(done int)) (territory.UpsertResult, error) {
	var res territory.UpsertResult
	if err := data.PrepareUpsert(ctx, cs); err != nil {
		return res, err
	}
	if len(cs) == 0 {
		return res, nil
	}
	t := now()
	out := make([]upserted, len(cs))
	var fresh []*territory.Customer // the new rows, stamped in place
	var freshRow []int              // their index in cs
	var freshTimes [][2]time.Time   // their times before stamping, to restore on failure
	err := s.inTxStore(ctx, func(tx *Store) error {
		res, fresh, freshRow, freshTimes = territory.UpsertResult{}, fresh[:0], freshRow[:0], freshTimes[:0]
		if err := tx.checkUpsertRefs(ctx, cs); err != nil {
			return err
		}
		var changed []int
		stored := make(map[string]*territory.Customer, min(len(cs), lookupChunk))
		keys := make([]string, 0, min(len(cs), lookupChunk))
		for start := 0; start < len(cs); start += lookupChunk {
			end := min(start+lookupChunk, len(cs))
			keys = keys[:0]
			for _, c := range cs[start:end] {
				keys = append(keys, c.ExternalID)
			}
			clear(stored)
			if err := tx.customersByExternal(ctx, keys, func(c *territory.Customer) { stored[c.ExternalID] = c }); err != nil {
				return err
			}
			for i := start; i < end; i++ {
				c, old := cs[i], stored[cs[i].ExternalID]
				switch {
				case old == nil:
					fresh, freshRow = append(fresh, c), append(freshRow, i)
					freshTimes = append(freshTimes, [2]time.Time{c.CreatedAt, c.UpdatedAt})
				case data.SameImport(old, c):
					out[i] = upserted{id: old.ID, stage: old.Stage, owner: old.OwnerID, created: old.CreatedAt, updated: old.UpdatedAt}
					res.Unchanged++
				default:
					out[i] = upserted{id: old.ID}
					changed = append(changed, i)
				}
			}
		}
		done := res.Unchanged
		if progress != nil && done > 0 {
			progress(done)
		}
		if len(fresh) > 0 {
			for _, c := range fresh {
				c.ID = 0
				c.CreatedAt = stampOr(c.CreatedAt, t)
				c.UpdatedAt = stampOr(c.UpdatedAt, c.CreatedAt)
			}
			table := customerTable
			table.rowNum = func(i int) int { return freshRow[i] }
			var report func(int)
			if progress != nil {
				report = func(n int) { progress(done + n) }
			}
			if err := table.load(ctx, tx, fresh, report); err != nil {
				return err
			}
			for k, c := range fresh {
				out[freshRow[k]] = upserted{id: c.ID, stage: c.Stage, owner: c.OwnerID, created: c.CreatedAt, updated: c.UpdatedAt}
			}
			res.Inserted = len(fresh)
			done += len(fresh)
		}
		for start := 0; start < len(changed); start += lookupChunk {
			if err := tx.updateImported(ctx, cs, changed[start:min(start+lookupChunk, len(changed))], out, t); err != nil {
				return err
			}
			res.Updated += min(start+lookupChunk, len(changed)) - start
			if progress != nil {
				progress(done + res.Updated)
			}
		}
		return nil
	})
	if err != nil {
		for k, c := range fresh {
			c.ID, c.CreatedAt, c.UpdatedAt = 0, freshTimes[k][0], freshTimes[k][1]
		}
		return territory.UpsertResult{}, err
	}
	for i, c := range cs {
		o := &out[i]
		c.ID, c.Stage, c.OwnerID, c.CreatedAt, c.UpdatedAt = o.id, o.stage, o.owner, o.created, o.updated
	}
	return res, nil
}

// updateImported writes the imported fields of the rows cs[rows] (whose ids
// are in out) and fills out with what the store keeps beyond them.
func (s *Store) updateImported(ctx context.Context, cs []*territory.Customer, rows []int, out []upserted, t time.Time) error {
	n := len(rows)
	ids, cells, grids := make([]int64, n), make([]int64, n), make([]int64, n)
	names, addrs, industries, sizes, carriers := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	lons, lats := make([]float64, n), make([]float64, n)
	special := make([]bool, n)
	byID := make(map[int64]int, n)
	for k, i := range rows {
		c := cs[i]
		ids[k], cells[k], grids[k] = out[i].id, int64(c.Cell), c.GridID
		names[k], addrs[k], industries[k], sizes[k], carriers[k] = c.Name, c.Address, c.Industry, string(c.Size), string(c.Carrier)
		lons[k], lats[k], special[k] = c.Location[0], c.Location[1], c.Special
		byID[out[i].id] = i
	}
	r, err := s.db.Query(ctx, updateImported, ids, names, addrs, lons, lats, cells, grids, industries, sizes, carriers, special, t)
	if err != nil {
		return fmt.Errorf("update customers: %w", translate(err))
	}
	seen := 0
	for r.Next() {
		var id, owner int64
		var stage funnel.Stage
		var created time.Time
		if err := r.Scan(&id, &stage, &owner, &created); err != nil {
			r.Close()
			return fmt.Errorf("update customers: %w", translate(err))
		}
		out[byID[id]] = upserted{id: id, stage: stage, owner: owner, created: created.UTC(), updated: t}
		seen++
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("update customers: %w", translate(err))
	}
	if seen != n {
		// A customer was deleted between the lookup and the update.
		for _, i := range rows {
			if out[i].updated.IsZero() {
				return fmt.Errorf("customer row %d: %w", i, territory.NotFound("customer", out[i].id))
			}
		}
	}
	return nil
}
