package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// postJSON posts body as JSON and returns the status and the response body.
func postJSON(t *testing.T, c *http.Client, u, body string) (int, string) {
	t.Helper()
	resp, err := c.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeRequireApproval: with --require-approval a planner's draft is
// not published before a leader approves it; without it, the refusal (if
// any) is not about approval.
func TestServeRequireApproval(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "a.db")
	tests := []struct {
		name         string
		args         []string
		wantApproval bool
	}{
		{"flag set", []string{"--db", db, "--demo", "--demo-customers", "1000", "--require-approval"}, true},
		{"flag unset", []string{"--db", db}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := serve(t, tt.args...)
			planner := login(t, base, "planner")
			code, body := postJSON(t, planner, base+"/api/plans", `{"name":"`+tt.name+`"}`)
			if code != http.StatusCreated {
				t.Fatalf("POST /api/plans: %d %s", code, body)
			}
			var p struct {
				ID      int64 `json:"id"`
				Version int   `json:"version"`
			}
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatal(err)
			}
			code, body = postJSON(t, planner, fmt.Sprintf("%s/api/plans/%d/publish", base, p.ID), fmt.Sprintf(`{"version":%d}`, p.Version))
			needsApproval := code == http.StatusConflict && strings.Contains(body, "approval")
			if needsApproval != tt.wantApproval {
				t.Errorf("publish: %d %s; want a refusal for want of approval: %v", code, body, tt.wantApproval)
			}
		})
	}
}
