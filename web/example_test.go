package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"gridplan/data/sqlite"
	"gridplan/territory"
	"gridplan/web"
)

// ExampleNewRouter serves the API from an embedded SQLite store: a health
// check, a login and the logged-in user.
func ExampleNewRouter() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "gridplan-example")
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "gridplan.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	hash, _ := territory.HashPassword("s3cret-pass")
	_ = store.CreateUser(ctx, &territory.User{Username: "planner", PasswordHash: hash, Role: territory.RolePlanner})

	router := web.NewRouter(web.Deps{Store: store})

	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	fmt.Println(rec.Code, rec.Body)

	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api/login", strings.NewReader(`{"username":"planner","password":"s3cret-pass"}`))
	req.Header.Set("Content-Type", "application/json")
	router.ServeHTTP(rec, req)
	cookie := rec.Result().Cookies()[0]
	fmt.Println(rec.Code, cookie.Name, cookie.HttpOnly)

	rec = httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodGet, "/api/grids", nil)
	router.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body)

	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	router.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body)
	// Output:
	// 200 {"status":"ok"}
	// 200 gridplan_session true
	// 401 {"error":{"code":"unauthorized","message":"login required"}}
	// 200 {"features":[],"type":"FeatureCollection"}
}
