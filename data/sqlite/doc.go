// Package sqlite is the embedded data.Store: one SQLite file through the
// pure-Go driver modernc.org/sqlite, so that a fresh machine runs the whole
// product with no database server. It passes the same conformance suite as
// the PostgreSQL store (package storetest).
//
// Open connects, Migrate applies the embedded schema (goose, dialect
// sqlite3). Polygons are stored as WKB, points as REAL pairs, times as
// integer unix microseconds UTC. Driver errors never leave the package: a
// unique clash becomes a *territory.ConflictError naming the value, a missing
// row a *territory.NotFoundError, and references are checked before writing
// so that the error names the field.
//
// Imports (UpsertCustomers) look the stored rows up by external id, compare
// them in Go and write only new and changed rows with prepared statements in
// one transaction; grid moves are one prepared UPDATE per customer; the
// gazetteer is a table of WKB entries in insertion order; job results are
// JSON text.
package sqlite
