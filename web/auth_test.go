package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gridplan/territory"
)

func login(tb testing.TB, w *world, username, password string) *httptest.ResponseRecorder {
	tb.Helper()
	return w.do(tb, request{Method: http.MethodPost, Path: "/api/login",
		Body: map[string]string{"username": username, "password": password}})
}

func sessionCookieOf(tb testing.TB, rec *httptest.ResponseRecorder) *http.Cookie {
	tb.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	tb.Fatalf("no %s cookie in %v", sessionCookie, rec.Header()["Set-Cookie"])
	return nil
}

func TestLoginMeLogout(t *testing.T) {
	w := newWorld(t)
	rec := login(t, w, "zhang", testPassword)
	wantStatus(t, rec, http.StatusOK)
	var me meResponse
	decode(t, rec, &me)
	if me.User == nil || me.User.Username != "zhang" || me.Manager == nil || me.Manager.ID != w.m1.ID {
		t.Fatalf("login answered %s, want zhang with manager %d", rec.Body, w.m1.ID)
	}
	if strings.Contains(rec.Body.String(), "$2a$") || strings.Contains(rec.Body.String(), "password") {
		t.Fatalf("login response leaks the password hash: %s", rec.Body)
	}
	ck := sessionCookieOf(t, rec)

	// The cookie: 32 random bytes base64url, HttpOnly, SameSite=Lax, Path=/,
	// not Secure by default, lasting the session TTL.
	if len(ck.Value) != 43 || strings.ContainsAny(ck.Value, "+/=") {
		t.Errorf("token %q is not 32 bytes of unpadded base64url", ck.Value)
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure {
		t.Errorf("cookie flags: HttpOnly=%v SameSite=%v Path=%q Secure=%v", ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure)
	}
	if ck.MaxAge != int(DefaultSessionTTL.Seconds()) {
		t.Errorf("cookie MaxAge %d, want %d", ck.MaxAge, int(DefaultSessionTTL.Seconds()))
	}
	// Only the token's hash is stored.
	if _, err := w.store.Session(context.Background(), ck.Value, w.clock.Now()); !errors.Is(err, territory.ErrNotFound) {
		t.Errorf("the raw token finds a session (err %v): the store must hold only its hash", err)
	}
	sess, err := w.store.Session(context.Background(), hashToken(ck.Value), w.clock.Now())
	if err != nil || sess.UserID != w.users["zhang"].ID {
		t.Fatalf("stored session %+v, %v", sess, err)
	}
	if len(hashToken(ck.Value)) != 64 {
		t.Errorf("token hash %q is not sha256 hex", hashToken(ck.Value))
	}

	rec = w.do(t, request{Method: http.MethodGet, Path: "/api/me", Cookie: ck})
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &me)
	if me.User.Username != "zhang" || me.Manager == nil || me.Manager.Base.Lng == 0 {
		t.Fatalf("/api/me = %s", rec.Body)
	}

	rec = w.do(t, request{Method: http.MethodPost, Path: "/api/logout", Cookie: ck})
	wantStatus(t, rec, http.StatusNoContent)
	cleared := sessionCookieOf(t, rec)
	if cleared.MaxAge >= 0 || cleared.Value != "" {
		t.Errorf("logout cookie %+v does not clear the session", cleared)
	}
	if _, err := w.store.Session(context.Background(), hashToken(ck.Value), w.clock.Now()); !errors.Is(err, territory.ErrNotFound) {
		t.Errorf("session survives logout: %v", err)
	}
	wantError(t, w.do(t, request{Method: http.MethodGet, Path: "/api/me", Cookie: ck}), http.StatusUnauthorized, "unauthorized", "")
}

func TestMeWithoutManager(t *testing.T) {
	w := newWorld(t)
	rec := w.get(t, "planner", "/api/me")
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), `"manager":null`) {
		t.Errorf("planner /api/me = %s, want manager null", rec.Body)
	}
}

func TestLoginFailures(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"wrong password", map[string]string{"username": "zhang", "password": "nope nope"}, 401, "unauthorized", ""},
		{"unknown user", map[string]string{"username": "nobody", "password": testPassword}, 401, "unauthorized", ""},
		{"no username", map[string]string{"password": testPassword}, 400, "invalid", "username"},
		{"no password", map[string]string{"username": "zhang"}, 400, "invalid", "password"},
		{"malformed", `{"username": "zhang",`, 400, "invalid", "body"},
		{"wrong type", `{"username": 7, "password": "x"}`, 400, "invalid", "username"},
	}
	var messages []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := w.do(t, request{Method: http.MethodPost, Path: "/api/login", Body: tt.body})
			d := wantError(t, rec, tt.status, tt.code, tt.field)
			if tt.status == 401 {
				messages = append(messages, d.Message)
			}
			for _, c := range rec.Result().Cookies() {
				if c.Name == sessionCookie && c.Value != "" {
					t.Errorf("failed login set a session cookie")
				}
			}
		})
	}
	// One message for an unknown user and a wrong password.
	if len(messages) != 2 || messages[0] != messages[1] {
		t.Errorf("401 messages differ: %q", messages)
	}
}

// TestLoginTimingEven checks that an unknown username costs a bcrypt
// comparison like a known one (within a generous factor: the machine is
// shared). The fixture hashes at bcrypt's minimum cost, so a user with a
// default-cost hash is made for this.
func TestLoginTimingEven(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing test: skipped with -short and under -race")
	}
	w := newWorld(t)
	hash, err := territory.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	u := &territory.User{Username: "slow", PasswordHash: hash, Role: territory.RoleLeader}
	if err := w.store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	dummyHash() // computed once, outside the measurement
	measure := func(name string) time.Duration {
		best := time.Hour
		for range 3 {
			start := time.Now()
			wantStatus(t, login(t, w, name, "wrong password"), http.StatusUnauthorized)
			best = min(best, time.Since(start))
		}
		return best
	}
	known, unknown := measure("slow"), measure("nobody-here")
	t.Logf("wrong password: %v, unknown user: %v", known, unknown)
	if unknown < known/4 {
		t.Errorf("unknown user answered in %v, known in %v: the dummy bcrypt is not done", unknown, known)
	}
}

func TestSessionExpiry(t *testing.T) {
	w := newWorldDeps(t, Deps{SessionTTL: time.Hour})
	ck := sessionCookieOf(t, login(t, w, "leader", testPassword))
	if ck.MaxAge != 3600 {
		t.Errorf("MaxAge %d, want 3600 for a one-hour TTL", ck.MaxAge)
	}
	w.clock.Add(59 * time.Minute)
	wantStatus(t, w.do(t, request{Method: http.MethodGet, Path: "/api/me", Cookie: ck}), http.StatusOK)
	w.clock.Add(time.Minute) // now == ExpiresAt: expired
	rec := w.do(t, request{Method: http.MethodGet, Path: "/api/me", Cookie: ck})
	wantError(t, rec, http.StatusUnauthorized, "unauthorized", "")
	if c := sessionCookieOf(t, rec); c.MaxAge >= 0 {
		t.Errorf("an expired session's cookie is not cleared: %+v", c)
	}
	// A new login sweeps the expired session from the store.
	wantStatus(t, login(t, w, "leader", testPassword), http.StatusOK)
	if _, err := w.store.Session(context.Background(), hashToken(ck.Value), t0); !errors.Is(err, territory.ErrNotFound) {
		t.Errorf("expired session still stored after the next login: %v", err)
	}
}

func TestSecureCookies(t *testing.T) {
	w := newWorldDeps(t, Deps{SecureCookies: true})
	if ck := sessionCookieOf(t, login(t, w, "admin", testPassword)); !ck.Secure {
		t.Error("SecureCookies set but the cookie is not Secure")
	}
}

func TestBadSessionCookies(t *testing.T) {
	w := newWorld(t)
	for _, v := range []string{"", "garbage", newToken()} {
		rec := w.do(t, request{Method: http.MethodGet, Path: "/api/me", Cookie: &http.Cookie{Name: sessionCookie, Value: v}})
		wantError(t, rec, http.StatusUnauthorized, "unauthorized", "")
	}
	// A deleted user's session dies with him.
	ck := w.session(t, "temp")
	wantStatus(t, w.do(t, request{Method: http.MethodDelete, Path: path("/api/users/%d", w.users["temp"].ID), Cookie: w.session(t, "admin")}), http.StatusNoContent)
	wantError(t, w.do(t, request{Method: http.MethodGet, Path: "/api/me", Cookie: ck}), http.StatusUnauthorized, "unauthorized", "")
}

// TestLoginReplacesSession checks that logging in again from a browser that
// holds a session drops the old one.
func TestLoginReplacesSession(t *testing.T) {
	w := newWorld(t)
	old := w.session(t, "zhang")
	rec := w.do(t, request{Method: http.MethodPost, Path: "/api/login", Cookie: old,
		Body: map[string]string{"username": "li", "password": testPassword}})
	wantStatus(t, rec, http.StatusOK)
	wantError(t, w.do(t, request{Method: http.MethodGet, Path: "/api/me", Cookie: old}), http.StatusUnauthorized, "unauthorized", "")
}
