package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gridplan/data"
	"gridplan/data/postgres/pgtest"
)

// runCmd runs the CLI in-process and returns stdout, stderr and the error.
func runCmd(t *testing.T, e env, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errw bytes.Buffer
	err := runEnv(context.Background(), args, e, strings.NewReader(stdin), &out, &errw)
	return out.String(), errw.String(), err
}

// noEnv is an empty environment, so the developer's DATABASE_URL cannot leak in.
func noEnv(string) (string, bool) { return "", false }

func envOf(kv map[string]string) env {
	return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
}

func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want []string // flags the help must mention
	}{
		{[]string{"serve", "--help"}, []string{"Usage: gridplan serve", "-addr", "-db", "-demo", "DATABASE_URL", "-max-upload-mb"}},
		{[]string{"migrate", "--help"}, []string{"Usage: gridplan migrate", "-db"}},
		{[]string{"demo", "--help"}, []string{"Usage: gridplan demo", "-customers", "-seed", "-reset"}},
		{[]string{"users", "add", "--help"}, []string{"Usage: gridplan users add", "-username", "-role", "-manager"}},
		{[]string{"users", "list", "--help"}, []string{"Usage: gridplan users list", "-db"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, stderr, err := runCmd(t, noEnv, "", tt.args...)
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("err = %v, want flag.ErrHelp", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("help does not mention %q:\n%s", w, stderr)
				}
			}
		})
	}
	out, _, err := runCmd(t, noEnv, "", "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "serve") || !strings.Contains(out, "users") {
		t.Fatalf("top-level help: %v\n%s", err, out)
	}
}

func TestBadInvocations(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "no command"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown flag", []string{"serve", "--colour"}, "flag provided but not defined: -colour"},
		{"stray argument", []string{"migrate", "extra"}, "unexpected arguments"},
		{"bad dsn scheme", []string{"migrate", "--db", "mysql://x"}, `want "sqlite:PATH" or a postgres:// URL`},
		{"sqlite without path", []string{"migrate", "--db", "sqlite:"}, "sqlite needs a path"},
		{"too many customers", []string{"demo", "--customers", "0"}, "--customers 0"},
		{"bad log level", []string{"demo", "--log-level", "loud", "--db", "sqlite:" + filepath.Join(t.TempDir(), "x.db")}, "--log-level"},
		{"users without subcommand", []string{"users"}, "no subcommand"},
		{"short password", []string{"users", "add", "--username", "bob", "--role", "planner", "--password", "short"}, "at least 8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, noEnv, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	if got := redact("postgres://alice:s3cret@db:5432/x"); strings.Contains(got, "s3cret") {
		t.Fatalf("redact leaked the password: %s", got)
	}
	if got := redact("sqlite:./var/gridplan.db"); got != "sqlite:./var/gridplan.db" {
		t.Fatalf("redact changed a sqlite dsn: %s", got)
	}
}

func TestUsersAddAndList(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "u.db")
	out, _, err := runCmd(t, noEnv, "", "users", "add", "--db", db, "--username", "alice", "--role", "planner", "--password", "longenough")
	if err != nil || !strings.Contains(out, "user alice (planner) created") {
		t.Fatalf("users add: %v\n%s", err, out)
	}
	// Password from the environment, then from stdin.
	if _, _, err := runCmd(t, envOf(map[string]string{"GRIDPLAN_PASSWORD": "fromtheenv"}), "", "users", "add", "--db", db, "--username", "bob", "--role", "leader"); err != nil {
		t.Fatalf("password from env: %v", err)
	}
	if _, _, err := runCmd(t, noEnv, "fromstdin1\n", "users", "add", "--db", db, "--username", "carol", "--role", "admin"); err != nil {
		t.Fatalf("password from stdin: %v", err)
	}
	bad := []struct {
		name string
		args []string
		want string
	}{
		{"duplicate", []string{"--username", "alice", "--role", "planner"}, "already exists"},
		{"bad role", []string{"--username", "dave", "--role", "king"}, "role"},
		{"manager login without manager", []string{"--username", "erin", "--role", "manager"}, "manager_id"},
		{"unknown manager code", []string{"--username", "erin", "--role", "manager", "--manager", "m999"}, "m999"},
		{"unknown manager id", []string{"--username", "erin", "--role", "manager", "--manager", "999"}, "not found"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"users", "add", "--db", db, "--password", "longenough"}, tt.args...)
			_, _, err := runCmd(t, noEnv, "", args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	out, _, err = runCmd(t, noEnv, "", "users", "list", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"alice", "bob", "carol"} {
		if !strings.Contains(out, u) {
			t.Errorf("users list lacks %s:\n%s", u, out)
		}
	}
	if strings.Contains(out, "dave") || strings.Contains(out, "erin") {
		t.Errorf("a refused user was written:\n%s", out)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// serve starts `gridplan serve` on a free port and returns its base URL; the
// server stops when the test ends, and must stop cleanly.
func serve(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errw syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runEnv(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), noEnv, strings.NewReader(""), &out, &errw)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve did not stop cleanly: %v", err)
		}
	})
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(out.String()))
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "gridplan is serving on "); ok {
				return u
			}
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("serve exited early: %v\n%s", err, errw.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("serve printed no URL:\n%s\n%s", out.String(), errw.String())
	return ""
}

// login returns a client holding a session for username/password "demo".
func login(t *testing.T, base, username string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.Post(base+"/api/login", "application/json", strings.NewReader(`{"username":"`+username+`","password":"demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("login %s: %d %s", username, resp.StatusCode, b)
	}
	return c
}

func getJSON(t *testing.T, c *http.Client, u string, v any) int {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp.StatusCode
}

// checkDemoServer is the acceptance check: the demo planner sees at
// least 60 grids, a manager sees only his own customers.
func checkDemoServer(t *testing.T, base string) {
	t.Helper()
	planner := login(t, base, "planner")
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry struct {
				Type string `json:"type"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if code := getJSON(t, planner, base+"/api/grids", &fc); code != 200 || fc.Type != "FeatureCollection" || len(fc.Features) < 60 {
		t.Fatalf("GET /api/grids as planner: %d, %s with %d features; want ≥ 60", code, fc.Type, len(fc.Features))
	}
	if fc.Features[0].Geometry.Type != "Polygon" {
		t.Fatalf("grid geometry is %q", fc.Features[0].Geometry.Type)
	}
	m := login(t, base, "m001")
	var me struct {
		User struct {
			ManagerID int64 `json:"manager_id"`
		} `json:"user"`
	}
	getJSON(t, m, base+"/api/me", &me)
	var page struct {
		Items []struct {
			OwnerID int64 `json:"owner_id"`
		} `json:"items"`
		Total int `json:"total"`
	}
	if code := getJSON(t, m, base+"/api/customers?limit=1000", &page); code != 200 || page.Total < 1 {
		t.Fatalf("GET /api/customers as m001: %d, total %d", code, page.Total)
	}
	for _, c := range page.Items {
		if c.OwnerID != me.User.ManagerID {
			t.Fatalf("m001 (manager %d) was shown a customer owned by %d", me.User.ManagerID, c.OwnerID)
		}
	}
	var e struct{}
	if code := getJSON(t, m, base+"/api/users", &e); code != http.StatusForbidden {
		t.Fatalf("GET /api/users as a manager: %d, want 403", code)
	}
}

// TestServeDemoSQLite is `make run` in miniature: serve --demo on an empty
// embedded store loads the demo city, and a second start keeps the data.
func TestServeDemoSQLite(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "var", "gridplan.db")
	base := serve(t, "--db", db, "--demo")
	checkDemoServer(t, base)
}

func TestDemoCommandSQLite(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "d.db")
	out, _, err := runCmd(t, noEnv, "", "demo", "--db", db, "--customers", "20000")
	if err != nil || !strings.Contains(out, "20000 businesses loaded into sqlite") {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	if _, _, err := runCmd(t, noEnv, "", "demo", "--db", db, "--customers", "20000"); err == nil || !strings.Contains(err.Error(), "--reset") {
		t.Fatalf("demo into a full store: %v, want a refusal mentioning --reset", err)
	}
	if _, _, err := runCmd(t, noEnv, "", "demo", "--db", db, "--customers", "20000", "--seed", "2", "--reset"); err != nil {
		t.Fatalf("demo --reset: %v", err)
	}
	checkDemoServer(t, serve(t, "--db", db))
}

// checkHelp runs the CLI with args and --help and checks that it returns
// flag.ErrHelp and that the help mentions each of words.
func checkHelp(t *testing.T, args []string, words ...string) {
	t.Helper()
	_, stderr, err := runCmd(t, noEnv, "", append(args, "--help")...)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, w := range words {
		if !strings.Contains(stderr, w) {
			t.Errorf("help does not mention %q", w)
		}
	}
}

// refusal is a CLI invocation that must fail with an error mentioning want.
type refusal struct {
	name string
	args []string
	want string
}

// checkRefusals runs each invocation as a subtest.
func checkRefusals(t *testing.T, tests []refusal) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCmd(t, noEnv, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// storedByCode opens db and returns what list reads from it, by code.
func storedByCode[T any](t *testing.T, db string, list func(context.Context, data.Store) ([]T, error), code func(T) string) map[string]T {
	t.Helper()
	ctx := context.Background()
	s, err := openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	xs, err := list(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]T{}
	for _, x := range xs {
		out[code(x)] = x
	}
	return out
}

// postgresURL returns TEST_DATABASE_URL pointing at a fresh schema that is
// dropped when the test ends (pgtest.URL).
func postgresURL(t *testing.T) string { return pgtest.URL(t) }

func TestDemoCommandPostgres(t *testing.T) {
	db := postgresURL(t)
	if out, _, err := runCmd(t, noEnv, "", "migrate", "--db", db); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	out, _, err := runCmd(t, noEnv, "", "demo", "--db", db, "--customers", "20000")
	if err != nil || !strings.Contains(out, "loaded into postgres") {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	checkDemoServer(t, serve(t, "--db", db))
}
