package web

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/territory"
)

// gridOf returns the grid the store holds customer id in.
func gridOf(tb testing.TB, w *world, id int64) int64 {
	tb.Helper()
	c, err := w.store.Customer(context.Background(), id)
	if err != nil {
		tb.Fatalf("customer %d: %v", id, err)
	}
	return c.GridID
}

func wantMoved(tb testing.TB, rec interface{ Header() http.Header }, want string) {
	tb.Helper()
	if got := rec.Header().Get(movedHeader); got != want {
		tb.Errorf("%s: %q, want %q", movedHeader, got, want)
	}
}

// Grid edits through the router reassign the customers they affect, in the
// same transaction, and say how many moved.
func TestGridEditsReassignCustomers(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// A customer in no grid, east of XH-02.
	loose := &territory.Customer{ExternalID: "LOOSE", Name: "无网格客户", Location: orb.Point{120.30, 30.27}, Carrier: territory.CarrierNone}
	loose.Normalize()
	if err := w.store.CreateCustomer(ctx, loose); err != nil {
		t.Fatal(err)
	}
	g1Customers := append(append([]*territory.Customer{}, w.own[w.m1.ID]...), w.own[w.m2.ID]...)
	planner := w.session(t, "planner")

	// A new grid over the loose customer takes it.
	rec := w.do(t, request{Method: http.MethodPost, Path: "/api/grids", Body: gridFeatureBody("XH-03", w.d1.ID, square(orb.Point{120.30, 30.27}, 0.01), 0), Cookie: planner})
	wantStatus(t, rec, http.StatusCreated)
	wantMoved(t, rec, "1")
	newID := int64(readFeature(t, rec.Body.Bytes()).Properties.MustInt("id"))
	if g := gridOf(t, w, loose.ID); g != newID {
		t.Fatalf("loose customer in grid %d after the new grid %d was drawn over it", g, newID)
	}

	// Widening XH-02 (id above XH-01's) over XH-01's customers moves none
	// of them: where grids overlap, the lower id keeps the customer.
	rec = w.do(t, request{Method: http.MethodPut, Path: path("/api/grids/%d", w.g2.ID),
		Body: gridFeatureBody("XH-02", w.d1.ID, orb.Polygon{{{120.09, 30.25}, {120.22, 30.25}, {120.22, 30.29}, {120.09, 30.29}, {120.09, 30.25}}}, 1), Cookie: planner})
	wantStatus(t, rec, http.StatusOK)
	wantMoved(t, rec, "0")
	for _, c := range g1Customers {
		if g := gridOf(t, w, c.ID); g != w.g1.ID {
			t.Fatalf("customer %d moved to grid %d by an overlapping younger grid", c.ID, g)
		}
	}

	// Shrinking XH-02 away from its two pool customers leaves them in no grid.
	rec = w.do(t, request{Method: http.MethodPut, Path: path("/api/grids/%d", w.g2.ID),
		Body: gridFeatureBody("XH-02", w.d1.ID, square(orb.Point{120.19, 30.27}, 0.005), 2), Cookie: planner})
	wantStatus(t, rec, http.StatusOK)
	wantMoved(t, rec, "2")
	for _, c := range w.pool {
		if g := gridOf(t, w, c.ID); g != 0 {
			t.Fatalf("pool customer %d still in grid %d after its grid shrank away", c.ID, g)
		}
	}

	// A rename moves nobody and does not even look.
	body := gridFeatureBody("XH-02", w.d1.ID, square(orb.Point{120.19, 30.27}, 0.005), 3)
	body["properties"].(map[string]any)["name"] = "改名网格"
	rec = w.do(t, request{Method: http.MethodPut, Path: path("/api/grids/%d", w.g2.ID), Body: body, Cookie: planner})
	wantStatus(t, rec, http.StatusOK)
	wantMoved(t, rec, "0")

	// Growing it back takes them again.
	rec = w.do(t, request{Method: http.MethodPut, Path: path("/api/grids/%d", w.g2.ID),
		Body: gridFeatureBody("XH-02", w.d1.ID, square(orb.Point{120.20, 30.27}, 0.02), 4), Cookie: planner})
	wantStatus(t, rec, http.StatusOK)
	wantMoved(t, rec, "2")
	for _, c := range w.pool {
		if g := gridOf(t, w, c.ID); g != w.g2.ID {
			t.Fatalf("pool customer %d in grid %d, want %d", c.ID, g, w.g2.ID)
		}
	}

	// A refused delete (XH-01 still has managers) rolls back the customers
	// it had already moved out.
	rec = w.do(t, request{Method: http.MethodDelete, Path: path("/api/grids/%d?version=1", w.g1.ID), Cookie: planner})
	wantError(t, rec, http.StatusConflict, "conflict", "")
	for _, c := range g1Customers {
		if g := gridOf(t, w, c.ID); g != w.g1.ID {
			t.Fatalf("customer %d in grid %d after a refused delete, want %d", c.ID, g, w.g1.ID)
		}
	}

	// A stale update moves nobody.
	rec = w.do(t, request{Method: http.MethodPut, Path: path("/api/grids/%d", w.g2.ID),
		Body: gridFeatureBody("XH-02", w.d1.ID, square(orb.Point{120.0, 30.0}, 0.01), 1), Cookie: planner})
	wantError(t, rec, http.StatusConflict, "conflict", "")
	for _, c := range w.pool {
		if g := gridOf(t, w, c.ID); g != w.g2.ID {
			t.Fatalf("pool customer %d moved by a stale update", c.ID)
		}
	}

	// Deleting XH-02 leaves its customers in no grid and says so.
	rec = w.do(t, request{Method: http.MethodDelete, Path: path("/api/grids/%d?version=5", w.g2.ID), Cookie: planner})
	wantStatus(t, rec, http.StatusNoContent)
	wantMoved(t, rec, "2")
	for _, c := range w.pool {
		if g := gridOf(t, w, c.ID); g != 0 {
			t.Fatalf("customer %d in grid %d after its grid was deleted", c.ID, g)
		}
	}

	// Deleting an empty grid moves nobody.
	rec = w.do(t, request{Method: http.MethodDelete, Path: path("/api/grids/%d?version=1", w.gSpare.ID), Cookie: planner})
	wantStatus(t, rec, http.StatusNoContent)
	wantMoved(t, rec, "0")
}

// failMoves is a store whose MoveCustomers fails, inside transactions too.
type failMoves struct{ data.Store }

func (f failMoves) MoveCustomers(ctx context.Context, moves []territory.GridMove) error {
	return errors.New("disk full")
}

func (f failMoves) InTx(ctx context.Context, fn func(tx data.Store) error) error {
	return f.Store.InTx(ctx, func(tx data.Store) error { return fn(failMoves{tx}) })
}

// When the customers cannot be moved, the grid edit is not written either.
func TestGridEditRolledBackWhenCustomersCannotMove(t *testing.T) {
	w := newWorldWith(t, Deps{}, func(s data.Store) data.Store { return failMoves{s} })
	planner := w.session(t, "planner")
	loose := &territory.Customer{ExternalID: "LOOSE", Name: "无网格客户", Location: orb.Point{120.30, 30.27}, Carrier: territory.CarrierNone}
	loose.Normalize()
	if err := w.store.CreateCustomer(context.Background(), loose); err != nil {
		t.Fatal(err)
	}
	before := gridsOf(t, w)
	tests := []struct {
		name string
		req  request
	}{
		{"create over a customer in no grid", request{Method: http.MethodPost, Path: "/api/grids",
			Body: gridFeatureBody("XH-09", w.d1.ID, square(orb.Point{120.30, 30.27}, 0.01), 0)}},
		{"shrink XH-02 away from its customers", request{Method: http.MethodPut, Path: path("/api/grids/%d", w.g2.ID),
			Body: gridFeatureBody("XH-02", w.d1.ID, square(orb.Point{120.19, 30.27}, 0.005), 1)}},
		{"delete XH-02 with its customers", request{Method: http.MethodDelete, Path: path("/api/grids/%d?version=1", w.g2.ID)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Cookie = planner
			rec := w.do(t, tt.req)
			wantError(t, rec, http.StatusInternalServerError, "internal", "")
			if rec.Header().Get(movedHeader) != "" {
				t.Errorf("a failed edit reported moves: %q", rec.Header().Get(movedHeader))
			}
			if after := gridsOf(t, w); after != before {
				t.Errorf("a failed edit changed the grids:\n%s\nwant\n%s", after, before)
			}
			for _, c := range w.pool {
				if g := gridOf(t, w, c.ID); g != w.g2.ID {
					t.Errorf("customer %d in grid %d, want %d", c.ID, g, w.g2.ID)
				}
			}
			if g := gridOf(t, w, loose.ID); g != 0 {
				t.Errorf("loose customer in grid %d", g)
			}
		})
	}
}
