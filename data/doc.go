// Package data is persistence: the Store that the domain packages' store
// interfaces add up to, implemented for PostgreSQL (package postgres, pgx v5)
// and for embedded SQLite (package sqlite, modernc.org/sqlite, pure Go). Both
// pass the same conformance suite (package storetest). Package demo generates
// the demo city.
//
// Driver errors are translated here: a missing row becomes the domain's
// ErrNotFound, a unique or version clash its ErrConflict. No driver type
// leaves package data.
package data
