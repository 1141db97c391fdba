package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
)

// lookupChunk is how many keys one IN (…) lookup carries: far below
// SQLite's 32,766 parameters, large enough that 100,000 external ids cost
// 50 queries.
const lookupChunk = 2000

// upsertChunk is how many rows UpsertCustomers looks up, compares and
// writes at a time (and how often it may report progress).
const upsertChunk = 2000

// placeholders returns "?, ?, …" with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// customersByExternal calls fn for each stored customer among ids (distinct),
// one IN query per lookupChunk ids, the full-size one prepared once.
func customersByExternal(ctx context.Context, q querier, ids []string, fn func(*territory.Customer)) error {
	const query = "SELECT " + customerCols + " FROM customers WHERE external_id IN ("
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, lookupChunk)
	for start := 0; start < len(ids); start += lookupChunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		chunk := ids[start:min(start+lookupChunk, len(ids))]
		args = args[:0]
		for _, id := range chunk {
			args = append(args, id)
		}
		var rows *sql.Rows
		var err error
		if len(chunk) == lookupChunk {
			if full == nil {
				if full, err = q.PrepareContext(ctx, query+placeholders(lookupChunk)+")"); err != nil {
					return fmt.Errorf("sqlite: prepare customer lookup: %w", err)
				}
			}
			rows, err = full.QueryContext(ctx, args...)
		} else {
			rows, err = q.QueryContext(ctx, query+placeholders(len(chunk))+")", args...)
		}
		if err != nil {
			return fmt.Errorf("sqlite: customers by external id: %w", err)
		}
		cs, err := collect(rows, scanCustomer)
		if err != nil {
			return fmt.Errorf("customers by external id: %w", err)
		}
		for _, c := range cs {
			fn(c)
		}
	}
	return nil
}

// CustomersByExternalIDs returns the stored customers among ids, keyed by
// external id; unknown ids are absent, repeated ones looked up once.
func (s *Store) CustomersByExternalIDs(ctx context.Context, ids []string) (map[string]*territory.Customer, error) {
	out := make(map[string]*territory.Customer, len(ids))
	err := customersByExternal(ctx, s.read(), data.Distinct(ids), func(c *territory.Customer) { out[c.ExternalID] = c })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// existingIDs returns which of ids are rows of table.
func existingIDs(ctx context.Context, q querier, table string, ids []int64) (map[int64]bool, error) {
	found := make(map[int64]bool, len(ids))
	for start := 0; start < len(ids); start += lookupChunk {
		chunk := ids[start:min(start+lookupChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, "SELECT id FROM "+table+" WHERE id IN ("+placeholders(len(chunk))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: look up %s: %w", table, err)
		}
		got, err := collect(rows, func(r interface{ Scan(...any) error }) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
		if err != nil {
			return nil, fmt.Errorf("look up %s: %w", table, err)
		}
		for _, id := range got {
			found[id] = true
		}
	}
	return found, nil
}

// checkUpsertRefs returns a FieldError naming the first row whose grid or
// owner does not exist. Owners are checked on every row, although an
// existing customer keeps its stored owner: naming a missing manager is bad
// input either way.
func checkUpsertRefs(ctx context.Context, q querier, cs []*territory.Customer) error {
	var grids, owners []int64
	for _, c := range cs {
		if c.GridID != 0 {
			grids = append(grids, c.GridID)
		}
		if c.OwnerID != 0 {
			owners = append(owners, c.OwnerID)
		}
	}
	okGrids, err := existingIDs(ctx, q, "grids", data.Distinct(grids))
	if err != nil {
		return err
	}
	okOwners, err := existingIDs(ctx, q, "managers", data.Distinct(owners))
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

// UpsertCustomers normalizes and validates every customer, then in one
// transaction inserts those whose ExternalID is new and updates the
// imported fields of those that differ from the stored ones (UpdatedAt =
// now); unchanged rows are not written. An existing customer keeps its
// stage, owner and CreatedAt, which are copied into the caller's struct
// together with its ID, so that every struct equals the stored row. The
// input IDs are ignored. A bad row, a repeated external id or a missing
// grid or owner fails the whole call naming the row (its index in cs), and
// nothing is written. progress is told how many rows are done.
func (s *Store) UpsertCustomers(ctx context.Context, cs []*territory.Customer, progress func(done int)) (territory.UpsertResult, error) {
	var res territory.UpsertResult
	if err := data.PrepareUpsert(ctx, cs); err != nil {
		return res, err
	}
	if len(cs) == 0 {
		return res, nil
	}
	now := exact(s.now())
	out := make([]upserted, len(cs))
	err := s.atomic(ctx, func(q querier) error {
		res = territory.UpsertResult{}
		if err := checkUpsertRefs(ctx, q, cs); err != nil {
			return err
		}
		next, err := nextID(ctx, q, "customers", 0)
		if err != nil {
			return err
		}
		ins, err := newInserter(ctx, q, "customers", customerCols)
		if err != nil {
			return err
		}
		defer ins.close()
		upd, err := q.PrepareContext(ctx, `UPDATE customers SET name = ?, address = ?, lon = ?, lat = ?, cell = ?, grid_id = ?,
			industry = ?, size = ?, carrier = ?, special = ?, updated_at = ? WHERE id = ?`)
		if err != nil {
			return fmt.Errorf("sqlite: prepare customer update: %w", err)
		}
		defer upd.Close()
		stored := make(map[string]*territory.Customer, upsertChunk)
		keys := make([]string, 0, upsertChunk)
		lastReport := 0
		for start := 0; start < len(cs); start += upsertChunk {
			end := min(start+upsertChunk, len(cs))
			keys = keys[:0]
			for _, c := range cs[start:end] {
				keys = append(keys, c.ExternalID)
			}
			clear(stored)
			if err := customersByExternal(ctx, q, keys, func(c *territory.Customer) { stored[c.ExternalID] = c }); err != nil {
				return err
			}
			for i := start; i < end; i++ {
				c, old := cs[i], stored[cs[i].ExternalID]
				o := &out[i]
				switch {
				case old == nil:
					created, updated := c.CreatedAt, c.UpdatedAt
					stamp(&created, now)
					stamp(&updated, now)
					*o = upserted{id: next, stage: c.Stage, owner: c.OwnerID, created: created, updated: updated}
					next++
					if err := ins.add(ctx, i, o.id, c.ExternalID, c.Name, c.Address, c.Location[0], c.Location[1], int64(c.Cell),
						nullID(c.GridID), c.Industry, c.Size, c.Carrier, boolInt(c.Special), c.Stage, nullID(c.OwnerID),
						micros(created), micros(updated)); err != nil {
						return err
					}
					res.Inserted++
				case data.SameImport(old, c):
					*o = upserted{id: old.ID, stage: old.Stage, owner: old.OwnerID, created: old.CreatedAt, updated: old.UpdatedAt}
					res.Unchanged++
				default:
					*o = upserted{id: old.ID, stage: old.Stage, owner: old.OwnerID, created: old.CreatedAt, updated: now}
					if _, err := upd.ExecContext(ctx, c.Name, c.Address, c.Location[0], c.Location[1], int64(c.Cell), nullID(c.GridID),
						c.Industry, c.Size, c.Carrier, boolInt(c.Special), micros(now), old.ID); err != nil {
						return fmt.Errorf("sqlite: customer row %d: update customer %d: %w", i, old.ID, err)
					}
					res.Updated++
				}
			}
			if progress != nil && end-lastReport >= progressEvery && end < len(cs) {
				if err := ins.flush(ctx); err != nil {
					return err
				}
				progress(end)
				lastReport = end
			}
		}
		return ins.flush(ctx)
	})
	if err != nil {
		return territory.UpsertResult{}, err
	}
	for i, c := range cs {
		o := &out[i]
		c.ID, c.Stage, c.OwnerID, c.CreatedAt, c.UpdatedAt = o.id, o.stage, o.owner, o.created, o.updated
	}
	if progress != nil {
		progress(len(cs))
	}
	return res, nil
}
