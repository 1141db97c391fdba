// Package storetest is the conformance suite every data.Store passes: the
// SQLite store always, the PostgreSQL store when a test database is set.
// Run it from a store's own tests with an opener that returns a fresh,
// migrated, empty store and registers its cleanup:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) data.Store { return mustOpen(t) })
//	}
//
// The suite is dialect-neutral: it assumes nothing about id values beyond
// "positive and increasing in creation order", and compares times to the
// microsecond. What it pins down beyond the interfaces' doc comments:
//
//   - lists are ordered by id; Limit 0 means no limit; Count* ignores paging;
//   - times come back as the same instant, to the microsecond, in time.UTC;
//     CreatedAt/UpdatedAt that the caller leaves zero are set by the store;
//   - Update*/Delete* of a missing row is ErrNotFound (DeleteSession too);
//   - unique clashes are *territory.ConflictError naming the clashing value;
//     a reference to a missing row is a FieldError naming the field;
//   - a session is expired when now ≥ ExpiresAt;
//   - InTx rolls back and re-panics when fn panics;
//   - a resource matches a Bound when its coverage's bounding box (a point
//     resource grown by its radius, a cell resource's cells' boundaries)
//     meets the bound;
//   - a resource covers by a geometry or by H3 cells, never both; cells come
//     back exactly as written (order, mixed resolutions); a resource's Code
//     is optional and unique when set (a clash is a ConflictError naming it);
//   - bulk loads call progress with a growing count ending at len(rows), and
//     a bad row's error names it by its index in the slice ("row 3");
//   - UpsertCustomers compares the imported fields exactly (floats with ==),
//     leaves unchanged rows alone (UpdatedAt too), never touches an
//     existing customer's stage or owner, copies the stored ID, stage, owner
//     and times into the caller's structs, and refuses a whole batch for one
//     bad row ("row 7"), a repeated external id ("rows 2 and 9") or a missing
//     grid or owner, writing nothing; text that PostgreSQL cannot hold
//     (invalid UTF-8, NUL) is refused by both stores;
//   - CustomerLocations and GazetteerEntries stream in id and insertion
//     order, stop at fn's first error and return it, and let fn use the
//     store, or the transaction's store inside InTx;
//   - MoveCustomers refuses an unknown customer (NotFound), an unknown or
//     negative grid (FieldError grid_id) and a customer moved twice
//     (FieldError customer_id), writing nothing;
//   - jobs list newest first (CreatedAt, then id); a job outlives its
//     creator's login (CreatedBy becomes 0); results compare as JSON values
//     (jsonb keeps neither key order nor spacing).
//
// The fixture builders (NewDistrict, NewGrid, Seed, GenCustomers …) and the
// checks (WantField, WantConflict …) are exported for other packages' tests.
package storetest

import (
	"slices"
	"testing"

	"gridplan/data"
)

// Run runs every conformance case as a sub-test, each on a store of its own
// from open, which must return it fresh, migrated and empty and register its
// cleanup with t.
func Run(t *testing.T, open func(t *testing.T) data.Store) {
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

// Names lists the conformance cases, in the order Run runs them.
func Names() []string {
	var out []string
	for _, c := range cases() {
		out = append(out, c.name)
	}
	return out
}

type testCase struct {
	name string
	fn   func(t *testing.T, s data.Store)
}

func cases() []testCase {
	return slices.Concat(crudCases, filterCases, errorCases, txCases, bulkCases, miscCases,
		upsertCases, locationCases, jobCases, gazetteerCases, planCases, resourceCases, funnelCases)
}
