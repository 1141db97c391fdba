package storetest

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/geo/geocode"
	"gridplan/territory"
)

var gazetteerCases = []testCase{
	{"gazetteer/round-trip-in-order", testGazetteerRoundTrip},
	{"gazetteer/replace-per-source", testGazetteerReplace},
	{"gazetteer/bad-input-writes-nothing", testGazetteerBadInput},
	{"store/reset-clears-jobs-and-gazetteer", testResetIssue3},
}

// GenEntries returns n address points of source along a few roads around
// Hangzhou, every field filled, numbered from first.
func GenEntries(source string, n, first int) []geocode.Entry {
	out := make([]geocode.Entry, n)
	for i := range out {
		k := first + i
		out[i] = geocode.Entry{
			Source: source, Kind: geocode.KindAddress,
			Number: fmt.Sprintf("%d号", k), Street: fmt.Sprintf("文%d路", k%7), Unit: fmt.Sprintf("%d幢", k%5+1),
			City: "杭州市", District: "西湖区", Region: "浙江省", Postcode: "310012",
			Geometry: orb.Point{120.1 + float64(k%1000)*1e-4, 30.2 + float64(k/1000)*1e-4},
		}
	}
	return out
}

// gazetteer collects GazetteerEntries.
func gazetteer(tb testing.TB, s data.Store) []geocode.Entry {
	tb.Helper()
	var out []geocode.Entry
	Must(tb, s.GazetteerEntries(tb.Context(), func(e geocode.Entry) error {
		out = append(out, e)
		return nil
	}), "gazetteer entries")
	return out
}

func sameEntries(tb testing.TB, got, want []geocode.Entry) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%d gazetteer entries, want %d", len(got), len(want))
	}
	for i := range got {
		if !entryEqual(got[i], want[i]) {
			tb.Fatalf("gazetteer entry %d:\n got  %+v\n want %+v", i, got[i], want[i])
		}
	}
}

// entryEqual compares entries exactly, geometry type and every float bit
// included.
func entryEqual(a, b geocode.Entry) bool {
	ga, gb := a.Geometry, b.Geometry
	a.Geometry, b.Geometry = nil, nil
	if a != b {
		return false
	}
	switch x := ga.(type) {
	case orb.Point:
		y, ok := gb.(orb.Point)
		return ok && x == y
	case orb.LineString:
		y, ok := gb.(orb.LineString)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	return false
}

func testGazetteerRoundTrip(t *testing.T, s data.Store) {
	ctx := t.Context()
	if got := gazetteer(t, s); len(got) != 0 {
		t.Fatalf("empty store: %d entries", len(got))
	}
	entries := []geocode.Entry{
		{Source: "demo", Kind: geocode.KindAddress, Number: "12号", Street: "文三路", Unit: "3单元", City: "杭州市",
			District: "西湖区", Region: "浙江省", Postcode: "310012", Geometry: orb.Point{120.1234567890123, 30.27 + 1e-13}},
		{Source: "demo", Kind: geocode.KindPlace, Name: "西溪谷国际商务中心", Number: "1号", Street: "紫霞街", City: "杭州市",
			District: "西湖区", Region: "浙江省", Geometry: orb.Point{-0.000001234, -89.99999999999}},
		{Source: "demo", Kind: geocode.KindRoad, Street: "天目山路", City: "杭州市", District: "西湖区",
			Geometry: orb.LineString{{120.1, 30.27}, {120.12000000000001, 30.2712}, {120.15, 30.28}}},
		{Source: "demo", Kind: geocode.KindDistrict, Name: "西湖区", City: "杭州市", Region: "浙江省",
			Geometry: orb.Point{120.13, 30.26}},
		{Source: "demo", Kind: geocode.KindAddress, Number: "7", Street: "Strand Street", City: "Douglas", Region: "Isle of Man",
			Postcode: "IM1 2ER", Geometry: orb.Point{-4.4791, 54.1502}},
	}
	more := GenEntries("demo", 7000, 0) // more than one progress step and COPY chunk
	all := append(append([]geocode.Entry{}, entries...), more...)
	var prog progressLog
	Must(t, s.ReplaceGazetteer(ctx, "demo", all, prog.fn), "replace gazetteer")
	prog.check(t, len(all))
	sameEntries(t, gazetteer(t, s), all)

	stop := errors.New("enough")
	calls := 0
	err := s.GazetteerEntries(ctx, func(geocode.Entry) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Errorf("stop after 3: error %v after %d calls", err, calls)
	}
	// Replacing the only source, rolled back with the caller's transaction.
	boom := errors.New("roll back")
	err = s.InTx(ctx, func(tx data.Store) error {
		if err := tx.ReplaceGazetteer(ctx, "demo", entries[:2], nil); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want the rollback error", err)
	}
	sameEntries(t, gazetteer(t, s), all)
	// A source can be emptied.
	Must(t, s.ReplaceGazetteer(ctx, "demo", nil, nil), "empty the source")
	if got := gazetteer(t, s); len(got) != 0 {
		t.Errorf("%d entries after replacing the only source with nothing", len(got))
	}
}

func testGazetteerReplace(t *testing.T, s data.Store) {
	ctx := t.Context()
	a1, b1 := GenEntries("a", 30, 0), GenEntries("openaddresses:b.csv", 20, 100)
	Must(t, s.ReplaceGazetteer(ctx, "a", a1, nil), "load a")
	Must(t, s.ReplaceGazetteer(ctx, "openaddresses:b.csv", b1, nil), "load b")
	sameEntries(t, gazetteer(t, s), append(append([]geocode.Entry{}, a1...), b1...))

	// Replacing a leaves b alone; a's new entries come after b's (insertion
	// order).
	a2 := GenEntries("a", 12, 500)
	Must(t, s.ReplaceGazetteer(ctx, "a", a2, nil), "replace a")
	sameEntries(t, gazetteer(t, s), append(append([]geocode.Entry{}, b1...), a2...))

	// A source that was never loaded: a plain insert.
	c := GenEntries("c", 3, 900)
	Must(t, s.ReplaceGazetteer(ctx, "c", c, nil), "load c")
	Must(t, s.ReplaceGazetteer(ctx, "openaddresses:b.csv", nil, nil), "empty b")
	sameEntries(t, gazetteer(t, s), append(append([]geocode.Entry{}, a2...), c...))

	// In a transaction, and rolled back with it.
	boom := errors.New("roll back")
	err := s.InTx(ctx, func(tx data.Store) error {
		if err := tx.ReplaceGazetteer(ctx, "a", GenEntries("a", 2, 0), nil); err != nil {
			return err
		}
		if got := gazetteer(t, tx); len(got) != 5 {
			return fmt.Errorf("inside the transaction: %d entries, want 5", len(got))
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want the rollback error", err)
	}
	sameEntries(t, gazetteer(t, s), append(append([]geocode.Entry{}, a2...), c...))
}

func testGazetteerBadInput(t *testing.T, s data.Store) {
	ctx := t.Context()
	good := GenEntries("demo", 5, 0)
	Must(t, s.ReplaceGazetteer(ctx, "demo", good, nil), "load demo")
	tests := []struct {
		name  string
		row   int
		field string
		edit  func(e *geocode.Entry)
	}{
		{"other source", 2, "source", func(e *geocode.Entry) { e.Source = "osm" }},
		{"blank source in a row", 1, "source", func(e *geocode.Entry) { e.Source = "" }},
		{"unknown kind", 3, "kind", func(e *geocode.Entry) { e.Kind = "building" }},
		{"no geometry", 0, "geometry", func(e *geocode.Entry) { e.Geometry = nil }},
		{"polygon", 4, "geometry", func(e *geocode.Entry) { e.Geometry = Square(Hangzhou, 0.01) }},
		{"one-point line", 2, "geometry", func(e *geocode.Entry) { e.Geometry = orb.LineString{{120.1, 30.2}} }},
		{"street not UTF-8", 6, "street", func(e *geocode.Entry) { e.Street = "文\xff路" }},
		{"NUL in name", 7, "name", func(e *geocode.Entry) { e.Name = "a\x00b" }},
		{"NaN point", 3, "geometry", func(e *geocode.Entry) { e.Geometry = orb.Point{math.NaN(), 30.2} }},
		{"latitude out of range", 1, "geometry", func(e *geocode.Entry) {
			e.Geometry = orb.LineString{{120.1, 30.2}, {120.1, 95}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries := GenEntries("demo", 8, 50)
			tt.edit(&entries[tt.row])
			err := s.ReplaceGazetteer(ctx, "demo", entries, nil)
			WantField(t, err, tt.field)
			if want := fmt.Sprintf("row %d", tt.row); !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %s", err, want)
			}
			sameEntries(t, gazetteer(t, s), good)
		})
	}
	t.Run("blank source", func(t *testing.T) {
		WantField(t, s.ReplaceGazetteer(ctx, " ", nil, nil), "source")
		WantField(t, s.ReplaceGazetteer(ctx, "\xff", nil, nil), "source")
		sameEntries(t, gazetteer(t, s), good)
	})
}

func testResetIssue3(t *testing.T, s data.Store) {
	ctx := t.Context()
	u := NewUser("admin", territory.RoleAdmin, 0)
	Must(t, s.CreateUser(ctx, u), "create user")
	Must(t, s.CreateJob(ctx, NewJob("import_customers", u.ID)), "create job")
	Must(t, s.ReplaceGazetteer(ctx, "demo", GenEntries("demo", 10, 0), nil), "load gazetteer")
	// Empty looks at districts, grids, customers and users only.
	Must(t, s.DeleteUser(ctx, u.ID), "delete user")
	empty, err := s.Empty(ctx)
	Must(t, err, "Empty")
	if !empty {
		t.Error("a store with only a job and a gazetteer is not Empty")
	}
	Must(t, s.Reset(ctx), "Reset")
	jobs, err := s.Jobs(ctx, territory.JobFilter{})
	Must(t, err, "list jobs")
	if len(jobs) != 0 {
		t.Errorf("%d jobs after Reset", len(jobs))
	}
	if got := gazetteer(t, s); len(got) != 0 {
		t.Errorf("%d gazetteer entries after Reset", len(got))
	}
	Must(t, s.CreateJob(ctx, NewJob("assign", 0)), "create job after Reset")
	Must(t, s.ReplaceGazetteer(ctx, "demo", GenEntries("demo", 2, 0), nil), "load gazetteer after Reset")
}
