// Package web is gridplan's HTTP API: a gin router with session login, one
// role policy table, one error shape, request logging, Prometheus metrics and
// the web front end (web/ui, built by npm and embedded; see ui.go).
//
// NewRouter builds the whole thing from Deps; cmd/gridplan serves it and the
// tests drive the very same router through httptest.
//
// Every error leaves as
//
//	{"error": {"code": "invalid", "message": "geometry: ring 0 point 3: …", "field": "geometry"}}
//
// with the status code chosen in one table (errors.go). Who may do what is
// one table too (policy.go).
package web
