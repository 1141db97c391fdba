package coverage

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/territory"
)

// After a random run of adds, moves, reshapes, status and date changes and
// removals, the incrementally updated analyzer equals one built from
// scratch with the final resources (every date kept, and a date evaluated
// only afterwards), and each change re-evaluated only the customers the
// resource reached before or after.
func TestIncrementalEqualsFull(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			w := genWorld(t, 100+seed, 3000, 60)
			a := mustNew(t, w.in)
			dates := []Date{day("2026-11-26"), day("2027-03-31"), day("2027-12-31")}
			for _, d := range dates {
				a.Summary(d, LevelGrid, 0) // evaluate and keep these dates
			}
			live := map[int64]*territory.Resource{}
			for _, r := range w.in.Resources {
				live[r.ID] = r
			}
			nextID := int64(len(w.in.Resources) + 1)
			rng := w.rng
			for step := range 150 {
				var ch Change
				var reach int // customers the change may touch, by the naive rule
				touch := func(r *territory.Resource) {
					for _, l := range w.in.Customers {
						if naiveCovers(r, l) {
							reach++
						}
					}
				}
				ids := make([]int64, 0, len(live))
				for id := range live {
					ids = append(ids, id)
				}
				slices.Sort(ids)
				switch op := rng.IntN(5); {
				case op == 0 || len(ids) == 0: // add
					r := w.randomResource(nextID)
					nextID++
					var err error
					if ch, err = a.Put(r); err != nil {
						t.Fatalf("step %d: add: %v", step, err)
					}
					live[r.ID] = r
					touch(r)
				case op == 1: // remove
					id := ids[rng.IntN(len(ids))]
					touch(live[id])
					ch = a.Remove(id)
					delete(live, id)
				default: // move, reshape, change status or date: a new definition under the same id
					id := ids[rng.IntN(len(ids))]
					old := live[id]
					r := cloneResource(old)
					switch op {
					case 2:
						if p, ok := r.Geometry.(orb.Point); ok {
							r.Geometry = geo.Offset(p, (rng.Float64()-0.5)*800, (rng.Float64()-0.5)*800)
						} else {
							r = w.randomResource(id)
						}
					case 3:
						r.Status = territory.ResourceStatuses[rng.IntN(3)]
						r.ExpectedDate = nil
						if r.Status != territory.ResourceExisting {
							r.ExpectedDate = datePtr([]string{"2027-01-01", "2027-06-30", "2029-01-01"}[rng.IntN(3)])
						}
					case 4:
						r = w.randomResource(id)
					}
					touch(old)
					touch(r)
					var err error
					if ch, err = a.Put(r); err != nil {
						t.Fatalf("step %d: change: %v", step, err)
					}
					live[id] = r
				}
				if ch.Reevaluated > reach {
					t.Fatalf("step %d: re-evaluated %d customers, more than the %d the resource reaches before and after", step, ch.Reevaluated, reach)
				}
			}
			final := w.in
			final.Resources = nil
			for _, r := range live {
				final.Resources = append(final.Resources, r)
			}
			if a.Resources() != len(live) {
				t.Fatalf("%d resources, want %d", a.Resources(), len(live))
			}
			fresh := mustNew(t, final)
			for _, d := range append(dates, day("2028-06-30")) {
				diffCoverage(t, d.String(), allCoverage(t, a, d), allCoverage(t, fresh, d))
				diffCoverage(t, d.String()+" naive", allCoverage(t, a, d), naive(final, d))
				for _, lv := range Levels {
					x, _ := a.Summary(d, lv, 0)
					y, _ := fresh.Summary(d, lv, 0)
					if !slices.EqualFunc(x.Rows, y.Rows, func(p, q Row) bool { return p == q }) || x.Total != y.Total {
						t.Errorf("%v %s: incremental summary differs from a fresh one", d, lv)
					}
				}
			}
		})
	}
}

// A change re-evaluates the customers the resource reaches, not the city:
// moving a 300 m resource across a 20,000-customer world touches a few
// hundred.
func TestIncrementalIsLocal(t *testing.T) {
	w := genWorld(t, 7, 20000, 200)
	a := mustNew(t, w.in)
	a.Summary(day("2026-11-26"), LevelDistrict, 0)
	r := &territory.Resource{ID: 9999, Name: "new", Kind: "k", Status: territory.ResourceExisting, Geometry: center, RadiusM: 300}
	ch, err := a.Put(r)
	if err != nil {
		t.Fatal(err)
	}
	moved := cloneResource(r)
	moved.Geometry = geo.Offset(center, 2000, 0)
	ch2, _ := a.Put(moved)
	if ch.Reevaluated == 0 || ch.Reevaluated > 2000 || ch2.Reevaluated > 4000 {
		t.Errorf("add re-evaluated %d, move %d customers of %d", ch.Reevaluated, ch2.Reevaluated, a.Len())
	}
	if ch.Changed > ch.Reevaluated {
		t.Errorf("changed %d > re-evaluated %d", ch.Changed, ch.Reevaluated)
	}
	if got := a.Remove(12345678); got != (Change{}) {
		t.Errorf("removing an unknown resource: %+v", got)
	}
}

// Sync brings an analyzer to another resource list: new, changed and gone
// resources, with invalid ones reported and skipped.
func TestSync(t *testing.T) {
	w := genWorld(t, 8, 3000, 80)
	a := mustNew(t, w.in)
	a.Summary(day("2026-11-26"), LevelGrid, 0)
	next := slices.Clone(w.in.Resources[10:]) // 10 gone
	for i := range 5 {                        // 5 changed
		r := cloneResource(next[i])
		r.Status = territory.ResourceExisting
		r.ExpectedDate = nil
		next[i] = r
	}
	for i := range 5 { // 5 new
		next = append(next, w.randomResource(int64(500+i)))
	}
	bad := &territory.Resource{ID: 999, Name: "bad", Kind: "k", Status: "built", Geometry: center, RadiusM: 10}
	ch, err := a.Sync(append(next, bad))
	var fe *territory.FieldError
	if !errors.As(err, &fe) || fe.Field != "status" || !strings.Contains(err.Error(), "resource 999") {
		t.Errorf("sync error %v, want the bad resource named", err)
	}
	if ch.Reevaluated == 0 || a.Resources() != len(next) {
		t.Errorf("after sync: %d resources (want %d), %d re-evaluated", a.Resources(), len(next), ch.Reevaluated)
	}
	final := w.in
	final.Resources = next
	d := day("2026-11-26")
	diffCoverage(t, "synced", allCoverage(t, a, d), naive(final, d))
	if again, err := a.Sync(next); err != nil || again != (Change{}) {
		t.Errorf("a second sync of the same list: %+v, %v", again, err)
	}
}
