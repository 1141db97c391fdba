package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"gridplan/data"
	"gridplan/geo/geocode"
	"gridplan/territory"
)

var gazetteerColumns = []string{"source", "kind", "name", "number", "street", "unit", "city", "district", "region",
	"postcode", "geometry"}

// ReplaceGazetteer replaces every entry of source with entries, in one
// transaction: one DELETE, then COPY in chunks of copyChunk rows, progress
// after each. Every entry is checked first (its Source must be source, its
// kind known, its geometry a valid Point or LineString); a bad one fails the
// call naming its row and nothing is written.
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
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	err := s.inTxStore(ctx, func(tx *Store) error {
		// When source is all the table holds (the usual case: one
		// gazetteer), TRUNCATE drops the table's files instead of deleting
		// a million rows one by one and leaving them to VACUUM. (It takes
		// an exclusive lock until the commit, which waits for running
		// reads; READ COMMITTED readers then see the new entries.)
		del := `DELETE FROM gazetteer WHERE source = $1`
		var only bool
		if err := tx.db.QueryRow(ctx, `SELECT coalesce((SELECT min(source) FROM gazetteer) = $1
				AND (SELECT max(source) FROM gazetteer) = $1, true)`, source).Scan(&only); err != nil {
			return fmt.Errorf("gazetteer: sources: %w", translate(err))
		}
		var err error
		if only {
			_, err = tx.db.Exec(ctx, `TRUNCATE gazetteer`)
		} else {
			_, err = tx.db.Exec(ctx, del, source)
		}
		if err != nil {
			return fmt.Errorf("gazetteer: delete source %q: %w", source, translate(err))
		}
		row := make([]any, len(gazetteerColumns))
		for start := 0; start < len(entries); start += copyChunk {
			chunk := entries[start:min(start+copyChunk, len(entries))]
			src := pgx.CopyFromSlice(len(chunk), func(i int) ([]any, error) {
				e := &chunk[i]
				g, err := wkb.Marshal(e.Geometry)
				if err != nil {
					return nil, fmt.Errorf("gazetteer row %d: %w", start+i, territory.Invalid("geometry", "cannot encode as WKB: %v", err))
				}
				row[0], row[1], row[2], row[3], row[4], row[5] = e.Source, string(e.Kind), e.Name, e.Number, e.Street, e.Unit
				row[6], row[7], row[8], row[9], row[10] = e.City, e.District, e.Region, e.Postcode, g
				return row, nil
			})
			if _, err := tx.db.CopyFrom(ctx, pgx.Identifier{"gazetteer"}, gazetteerColumns, src); err != nil {
				return fmt.Errorf("gazetteer: rows %d–%d: %w", start, start+len(chunk)-1, translate(err))
			}
			if progress != nil {
				progress(start + len(chunk))
			}
		}
		return nil
	})
	if err == nil && progress != nil && len(entries) == 0 {
		progress(0)
	}
	return err
}

// interner hands out one string per distinct value, so that a million
// entries of one city share its name instead of holding a million copies,
// and a value seen before costs no allocation.
type interner map[string]string

func (in interner) get(b []byte) string {
	if s, ok := in[string(b)]; ok { // no allocation for the lookup
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// GazetteerEntries calls fn for every stored entry, in insertion order,
// stopping at fn's first error, which it returns. Repeated strings (source,
// kind, street, city, district, region, postcode) are shared between
// entries. Outside a transaction the rows stream from a pooled connection,
// so fn may use the store; in a transaction the entries are read first and
// fn is called after (see CustomerLocations).
func (s *Store) GazetteerEntries(ctx context.Context, fn func(geocode.Entry) error) error {
	rows, err := s.db.Query(ctx, `SELECT `+strings.Join(gazetteerColumns, ", ")+` FROM gazetteer ORDER BY id`)
	if err != nil {
		return fmt.Errorf("gazetteer: %w", translate(err))
	}
	defer rows.Close()
	shared := interner{}
	var buf []geocode.Entry
	for n := 0; rows.Next(); n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		// Text comes as its UTF-8 bytes in either wire format; bytea is
		// asked for in binary (pgx's preference), checked below.
		v := rows.RawValues()
		if len(v) != len(gazetteerColumns) {
			return fmt.Errorf("gazetteer: got %d columns, want %d", len(v), len(gazetteerColumns))
		}
		if n == 0 && rows.FieldDescriptions()[10].Format != pgx.BinaryFormatCode {
			return fmt.Errorf("gazetteer: geometry arrived in text format")
		}
		g, err := wkb.Unmarshal(v[10])
		if err != nil {
			return fmt.Errorf("gazetteer entry %d: decode geometry: %w", n, err)
		}
		e := geocode.Entry{
			Source: shared.get(v[0]), Kind: geocode.Kind(shared.get(v[1])), Name: string(v[2]), Number: string(v[3]),
			Street: shared.get(v[4]), Unit: string(v[5]), City: shared.get(v[6]), District: shared.get(v[7]),
			Region: shared.get(v[8]), Postcode: shared.get(v[9]), Geometry: g,
		}
		if s.inTx {
			buf = append(buf, e)
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("gazetteer: %w", translate(err))
	}
	rows.Close()
	for _, e := range buf {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}
