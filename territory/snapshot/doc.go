// Package snapshot keeps an in-memory, read-only copy of what the map shows
// of every customer (location, grid, stage, owner), indexed for map tiles,
// and swaps in a fresh copy whole when the store's data changes.
//
// A Snapshot is immutable once built, so any number of requests read it
// without locks. Its customers are sorted by a Z-order (Morton) key of
// their Web Mercator position at zoom 31: the customers of any map tile
// are then one contiguous run of that order, found by two binary searches
// (no tree to walk, no per-point boxes to store). Counts per H3 cell are
// precomputed for resolutions MinHexRes..MaxHexRes from the stored
// resolution-12 cells (sorted, a parent's children are contiguous, so each
// resolution is one pass), each resolution with an R-tree over its
// hexagons' boxes. A manager's own view is computed from his few hundred
// customers on the fly.
//
// A Cache holds the current Snapshot behind an atomic pointer. Changed (the
// web layer's own writes) starts a rebuild that the next reads wait for, so
// a publish or an import shows on the next tile; a cheap periodic
// comparison of the store's DataStamp catches other replicas' writes, and
// those reads keep the old snapshot until the new one is ready.
package snapshot
