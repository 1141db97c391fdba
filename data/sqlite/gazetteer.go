package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"gridplan/data"
	"gridplan/geo/geocode"
	"gridplan/territory"
)

const gazetteerCols = "source, kind, name, number, street, unit, city, district, region, postcode, geometry"

// ReplaceGazetteer replaces every entry of source with entries, in one
// transaction. Every entry is checked first (its Source must be source, its
// kind known, its geometry a valid Point or LineString); a bad one fails
// the call naming its row and nothing is written. progress is told how many
// entries are written.
func (s *Store) ReplaceGazetteer(ctx context.Context, source string, entries []geocode.Entry, progress func(done int)) error {
	if strings.TrimSpace(source) == "" {
		return territory.Invalid("source", "is required")
	}
	if err := data.CheckTexts("source", source); err != nil {
		return err
	}
	for i := range entries {
		if err := data.CheckGazetteerEntry(i, source, &entries[i]); err != nil {
			return err
		}
	}
	err := s.atomic(ctx, func(q querier) error {
		// When source is all the table holds (the usual case: one
		// gazetteer), an unqualified DELETE lets SQLite drop the pages
		// whole instead of deleting a million rows one by one.
		del, args := "DELETE FROM gazetteer WHERE source = ?", []any{source}
		var only bool
		if err := q.QueryRowContext(ctx, `SELECT coalesce((SELECT min(source) FROM gazetteer) = ?1
				AND (SELECT max(source) FROM gazetteer) = ?1, 1)`, source).Scan(&only); err != nil {
			return fmt.Errorf("sqlite: gazetteer sources: %w", err)
		}
		if only {
			del, args = "DELETE FROM gazetteer", nil
		}
		if _, err := q.ExecContext(ctx, del, args...); err != nil {
			return fmt.Errorf("sqlite: delete gazetteer source %q: %w", source, err)
		}
		ins, err := newInserter(ctx, q, "gazetteer", gazetteerCols)
		if err != nil {
			return err
		}
		defer ins.close()
		for i := range entries {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			e := &entries[i]
			g, err := wkb.Marshal(e.Geometry)
			if err != nil {
				return fmt.Errorf("gazetteer row %d: %w", i, territory.Invalid("geometry", "cannot encode as WKB: %v", err))
			}
			if err := ins.add(ctx, i, e.Source, string(e.Kind), e.Name, e.Number, e.Street, e.Unit, e.City, e.District,
				e.Region, e.Postcode, g); err != nil {
				return err
			}
			if progress != nil && (i+1)%progressEvery == 0 && i+1 < len(entries) {
				if err := ins.flush(ctx); err != nil {
					return err
				}
				progress(i + 1)
			}
		}
		return ins.flush(ctx)
	})
	if err != nil {
		return err
	}
	if progress != nil {
		progress(len(entries))
	}
	return nil
}

// interner hands out one string per distinct value, so that a million
// entries of one city share its name instead of holding a million copies.
type interner map[string]string

func (in interner) get(s string) string {
	if c, ok := in[s]; ok {
		return c
	}
	in[s] = s
	return s
}

// decodeGeom decodes a stored WKB geometry; little-endian points, nearly
// every entry, take a path that allocates nothing.
func decodeGeom(b []byte) (orb.Geometry, error) {
	if len(b) == 21 && b[0] == 1 && binary.LittleEndian.Uint32(b[1:5]) == 1 {
		return orb.Point{math.Float64frombits(binary.LittleEndian.Uint64(b[5:13])),
			math.Float64frombits(binary.LittleEndian.Uint64(b[13:21]))}, nil
	}
	return wkb.Unmarshal(b)
}

// GazetteerEntries calls fn for every stored entry, in insertion order,
// stopping at fn's first error, which it returns. Repeated strings (source,
// kind, street, city, district, region, postcode) are shared between
// entries. Outside a transaction the rows come from a reader connection,
// so fn may use the store (except on ":memory:", which has one connection
// only); inside one, fn may use the transaction's store.
func (s *Store) GazetteerEntries(ctx context.Context, fn func(geocode.Entry) error) error {
	rows, err := s.read().QueryContext(ctx, "SELECT "+gazetteerCols+" FROM gazetteer ORDER BY id")
	if err != nil {
		return fmt.Errorf("sqlite: gazetteer: %w", err)
	}
	defer rows.Close()
	shared := interner{}
	var e geocode.Entry
	var kind string
	var geom sql.RawBytes
	for n := 0; rows.Next(); n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		// Strings scan without a copy (the driver's own); the blob into a
		// reused buffer.
		if err := rows.Scan(&e.Source, &kind, &e.Name, &e.Number, &e.Street, &e.Unit, &e.City, &e.District,
			&e.Region, &e.Postcode, &geom); err != nil {
			return fmt.Errorf("sqlite: gazetteer: %w", err)
		}
		g, err := decodeGeom(geom)
		if err != nil {
			return fmt.Errorf("sqlite: gazetteer entry %d: decode geometry: %w", n, err)
		}
		e.Geometry, e.Kind = g, geocode.Kind(shared.get(kind))
		e.Source, e.Street, e.City = shared.get(e.Source), shared.get(e.Street), shared.get(e.City)
		e.District, e.Region, e.Postcode = shared.get(e.District), shared.get(e.Region), shared.get(e.Postcode)
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: gazetteer: %w", err)
	}
	return nil
}
