package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"gridplan/territory"
)

func usersOf(tb testing.TB, w *world) string {
	tb.Helper()
	us, err := w.store.Users(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	for _, u := range us {
		fmt.Fprintf(&b, "%d %s %s %d\n", u.ID, u.Username, u.Role, u.ManagerID)
	}
	return b.String()
}

func TestUsers(t *testing.T) {
	w := newWorld(t)
	admin := w.session(t, "admin")

	rec := w.do(t, request{Method: http.MethodGet, Path: "/api/users", Cookie: admin})
	wantStatus(t, rec, http.StatusOK)
	var list struct{ Items []territory.User }
	decode(t, rec, &list)
	if len(list.Items) != 7 || strings.Contains(rec.Body.String(), "$2a$") {
		t.Errorf("users list: %d items; hash leaked: %v", len(list.Items), strings.Contains(rec.Body.String(), "$2a$"))
	}

	rec = w.do(t, request{Method: http.MethodPost, Path: "/api/users", Cookie: admin, Body: map[string]any{
		"username": "zhao", "password": "a long secret", "role": "manager", "manager_id": w.m3.ID, "display_name": "赵六",
	}})
	wantStatus(t, rec, http.StatusCreated)
	var u territory.User
	decode(t, rec, &u)
	if u.ID == 0 || u.Username != "zhao" || u.Role != territory.RoleManager || u.ManagerID != w.m3.ID || u.DisplayName != "赵六" {
		t.Errorf("created user %+v", u)
	}
	if rec.Header().Get("Location") != path("/api/users/%d", u.ID) {
		t.Errorf("Location %q", rec.Header().Get("Location"))
	}
	stored, err := w.store.User(context.Background(), u.ID)
	if err != nil || !strings.HasPrefix(stored.PasswordHash, "$2") || strings.Contains(stored.PasswordHash, "a long secret") {
		t.Fatalf("stored user %+v, %v: want a bcrypt hash of the password", stored, err)
	}
	// The new login works (bcrypt at its default cost: ~60 ms, ~1.5 s under -race).
	wantStatus(t, login(t, w, "zhao", "a long secret"), http.StatusOK)

	before := usersOf(t, w)
	tests := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"short password", map[string]any{"username": "a1", "password": "short", "role": "leader"}, 400, "password"},
		{"no password", map[string]any{"username": "a1", "role": "leader"}, 400, "password"},
		{"no username", map[string]any{"password": "long enough pw", "role": "leader"}, 400, "username"},
		{"bad username", map[string]any{"username": "-bad name", "password": "long enough pw", "role": "leader"}, 400, "username"},
		{"no role", map[string]any{"username": "a1", "password": "long enough pw"}, 400, "role"},
		{"unknown role", map[string]any{"username": "a1", "password": "long enough pw", "role": "boss"}, 400, "role"},
		{"manager without manager", map[string]any{"username": "a1", "password": "long enough pw", "role": "manager"}, 400, "manager_id"},
		{"unknown manager", map[string]any{"username": "a1", "password": "long enough pw", "role": "manager", "manager_id": 987654}, 400, "manager_id"},
		{"leader with manager", map[string]any{"username": "a1", "password": "long enough pw", "role": "leader", "manager_id": w.m1.ID}, 400, "manager_id"},
		{"manager_id not a number", map[string]any{"username": "a1", "password": "long enough pw", "role": "manager", "manager_id": "m001"}, 400, "manager_id"},
		{"taken username", map[string]any{"username": "zhang", "password": "long enough pw", "role": "leader"}, 409, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := w.do(t, request{Method: http.MethodPost, Path: "/api/users", Body: tt.body, Cookie: admin})
			code := "invalid"
			if tt.status == 409 {
				code = "conflict"
			}
			wantError(t, rec, tt.status, code, tt.field)
			if usersOf(t, w) != before {
				t.Error("a refused create changed the users")
			}
		})
	}

	wantError(t, w.do(t, request{Method: http.MethodDelete, Path: path("/api/users/%d", w.users["admin"].ID), Cookie: admin}), 409, "conflict", "")
	wantError(t, w.do(t, request{Method: http.MethodDelete, Path: "/api/users/987654", Cookie: admin}), 404, "not_found", "")
	wantError(t, w.do(t, request{Method: http.MethodDelete, Path: "/api/users/x", Cookie: admin}), 400, "invalid", "id")
	if usersOf(t, w) != before {
		t.Error("a refused delete changed the users")
	}
	wantStatus(t, w.do(t, request{Method: http.MethodDelete, Path: path("/api/users/%d", u.ID), Cookie: admin}), http.StatusNoContent)
	if _, err := w.store.User(context.Background(), u.ID); !errors.Is(err, territory.ErrNotFound) {
		t.Errorf("deleted user still stored: %v", err)
	}
}
