package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"gridplan/funnel"
	"gridplan/territory"
)

// micros encodes a time as unix microseconds (UTC by definition).
func micros(t time.Time) int64 { return t.UnixMicro() }

// microsCeil is t in unix microseconds rounded up, for bounds: a bound a
// fraction of a microsecond after a stored time must not include it.
func microsCeil(t time.Time) int64 {
	us := t.UnixMicro()
	if time.UnixMicro(us).Before(t) {
		us++
	}
	return us
}

// fromMicros decodes unix microseconds to a UTC time.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// exact is t as the store keeps it: UTC, whole microseconds.
func exact(t time.Time) time.Time { return t.Truncate(time.Microsecond).UTC() }

// stamp sets *t to now when zero, and to its stored form either way, so
// the caller's struct equals what a read returns.
func stamp(t *time.Time, now time.Time) {
	if t.IsZero() {
		*t = now
	}
	*t = exact(*t)
}

// dateLayout is how ExpectedDate is stored.
const dateLayout = "2006-01-02"

func encodeDate(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(dateLayout)
}

func decodeDate(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := time.Parse(dateLayout, s.String)
	if err != nil {
		return nil, fmt.Errorf("stored date %q: %w", s.String, err)
	}
	return &t, nil
}

func encodeGeom(g orb.Geometry) ([]byte, error) {
	b, err := wkb.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("encode geometry: %w", err)
	}
	return b, nil
}

func decodePolygon(b []byte) (orb.Polygon, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("decode polygon: %w", err)
	}
	p, ok := g.(orb.Polygon)
	if !ok {
		return nil, fmt.Errorf("decode polygon: stored geometry is a %s", g.GeoJSONType())
	}
	return p, nil
}

// nullID encodes an optional reference: 0 is NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sqliteCode is the extended result code of a driver error, 0 if none.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// isUnique reports a UNIQUE or PRIMARY KEY constraint violation.
func isUnique(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// conflict returns a *territory.ConflictError with a message safe to show.
func conflict(format string, args ...any) error {
	return &territory.ConflictError{Reason: fmt.Sprintf(format, args...)}
}

// funnelField is a *funnel.FieldError (funnel has no exported constructor).
func funnelField(field, format string, args ...any) error {
	return &funnel.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// exists reports whether table has a row with id.
func exists(ctx context.Context, q querier, table string, id int64) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlite: look up %s %d: %w", table, id, err)
	}
	return true, nil
}

// where collects filter conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	s := " WHERE " + w.conds[0]
	for _, c := range w.conds[1:] {
		s += " AND " + c
	}
	return s
}

// page appends keyset paging: ids after afterID, at most limit (0: all).
func (w *where) page(afterID int64, limit int) string {
	if afterID > 0 {
		w.add("id > ?", afterID)
	}
	s := w.String() + " ORDER BY id"
	if limit > 0 {
		s += fmt.Sprintf(" LIMIT %d", limit)
	}
	return s
}
