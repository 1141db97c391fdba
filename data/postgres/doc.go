// Package postgres is the production data.Store: PostgreSQL 15 through pgx v5
// and its pool. It needs no extension: geometries are stored as WKB (bytea),
// customer locations as lon/lat double precision columns with a btree index
// for bounding-box filters, H3 cells as bigint, and every spatial computation
// happens in Go on indexes built from the store.
//
// Open connects; Migrate applies the embedded goose migrations (Open does not
// migrate). Bulk loads use COPY inside one transaction. Imports
// (UpsertCustomers) look the stored rows up by external id (= ANY), compare
// them in Go, COPY the new ones and update the changed ones from arrays
// (UPDATE … FROM unnest); grid moves are UPDATE … FROM unnest too; the
// gazetteer is COPYed; job results are jsonb. Driver errors are
// translated into the domain's errors (territory.NotFoundError,
// ConflictError, FieldError; funnel.ErrNotFound and ErrConflict for claims);
// no pgx or pgconn type leaves the package.
//
// Transactions: InTx binds a Store to one transaction. A nested InTx runs in
// a savepoint of the outer transaction, so that an error inside it undoes
// only its own work and leaves the outer transaction usable. Note that
// PostgreSQL aborts a transaction on any failed statement: after an error
// inside InTx, further statements fail until fn returns, unless the failing
// step ran in its own nested InTx.
package postgres
