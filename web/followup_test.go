package web

import (
	"context"
	"net/http"
	"testing"
	"time"

	"gridplan/funnel"
)

// TestFunnelFollowUpDone marks follow-ups done on both stores: the manager
// they belong to and admins may, others get 403, an unknown id 404; doing
// it again returns the follow-up unchanged; the list no longer shows it.
func TestFunnelFollowUpDone(t *testing.T) {
	onBothStores(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		cu := w.poolCustomer(t, w.g1, funnel.Target)
		wantStatus(t, w.post(t, "zhang", path("/api/customers/%d/claim", cu.ID), nil), http.StatusCreated)
		add := func(managerID int64, reason string) *funnel.FollowUp {
			t.Helper()
			f := &funnel.FollowUp{CustomerID: cu.ID, ManagerID: managerID, Due: w.clock.Now().AddDate(0, 0, 10), Reason: reason, CreatedAt: w.clock.Now()}
			if err := w.store.CreateFollowUp(ctx, f); err != nil {
				t.Fatal(err)
			}
			return f
		}
		mine, lis, other := add(w.m1.ID, "合同到期前回访"), add(w.m2.ID, "李的回访"), add(w.m1.ID, "管理员代办")
		w.clock.Add(2 * time.Hour)

		type out struct {
			FollowUp funnel.FollowUp `json:"follow_up"`
		}
		rec := w.post(t, "zhang", path("/api/followups/%d/done", mine.ID), nil)
		wantStatus(t, rec, http.StatusOK)
		var first out
		decode(t, rec, &first)
		if first.FollowUp.ID != mine.ID || first.FollowUp.DoneAt == nil || !first.FollowUp.DoneAt.Equal(w.clock.Now().UTC().Truncate(time.Microsecond)) {
			t.Fatalf("done: %+v, want id %d done at %v", first.FollowUp, mine.ID, w.clock.Now())
		}
		if first.FollowUp.Reason != mine.Reason || !first.FollowUp.Due.Equal(mine.Due) {
			t.Errorf("done changed the follow-up: %+v, was %+v", first.FollowUp, mine)
		}

		// Idempotent: again later, done_at stays.
		w.clock.Add(time.Hour)
		rec = w.post(t, "zhang", path("/api/followups/%d/done", mine.ID), nil)
		wantStatus(t, rec, http.StatusOK)
		var again out
		decode(t, rec, &again)
		if again.FollowUp.DoneAt == nil || !again.FollowUp.DoneAt.Equal(*first.FollowUp.DoneAt) {
			t.Errorf("again: done_at %v, want %v", again.FollowUp.DoneAt, first.FollowUp.DoneAt)
		}

		// Another manager's: 403 for zhang and for wang; li may.
		wantError(t, w.post(t, "zhang", path("/api/followups/%d/done", lis.ID), nil), http.StatusForbidden, "forbidden", "")
		wantError(t, w.post(t, "wang", path("/api/followups/%d/done", mine.ID), nil), http.StatusForbidden, "forbidden", "")
		for _, role := range []string{"leader", "planner"} {
			wantError(t, w.post(t, role, path("/api/followups/%d/done", other.ID), nil), http.StatusForbidden, "forbidden", "")
		}
		wantStatus(t, w.post(t, "li", path("/api/followups/%d/done", lis.ID), nil), http.StatusOK)
		// Admins any.
		wantStatus(t, w.post(t, "admin", path("/api/followups/%d/done", other.ID), nil), http.StatusOK)

		// Unknown and malformed ids.
		wantError(t, w.post(t, "zhang", "/api/followups/999999/done", nil), http.StatusNotFound, "not_found", "")
		wantError(t, w.post(t, "admin", "/api/followups/999999/done", nil), http.StatusNotFound, "not_found", "")
		if rec := w.post(t, "zhang", "/api/followups/x/done", nil); rec.Code != http.StatusBadRequest && rec.Code != http.StatusNotFound {
			t.Errorf("malformed id: status %d", rec.Code)
		}

		// Stored done, and the list shows no open follow-up any more.
		fs, err := w.store.FollowUps(ctx, funnel.FollowUpFilter{CustomerID: cu.ID, OpenOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 0 {
			t.Errorf("open follow-ups after done: %d", len(fs))
		}
		var list struct {
			FollowUps []listFollowUp `json:"follow_ups"`
		}
		rec = w.do(t, request{Method: http.MethodGet, Path: "/api/funnel/list", Cookie: w.session(t, "zhang")})
		wantStatus(t, rec, http.StatusOK)
		decode(t, rec, &list)
		if len(list.FollowUps) != 0 {
			t.Errorf("list follow-ups after done: %+v", list.FollowUps)
		}
	})
}

// listFollowUp is a list's follow-up as the client reads it.
type listFollowUp struct {
	ID           int64  `json:"id"`
	CustomerName string `json:"customer_name"`
}
