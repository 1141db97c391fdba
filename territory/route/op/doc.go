// Package op solves the orienteering problem: choose which points to visit
// on a path from a start to an end, within a length budget, so that the
// collected score is greatest (and, among equal scores, the path shortest).
//
// Read parses the classic OP test-instance format (Tsiligirides, Chao et
// al.: first line "Tmax P", then "x y score" per point, the first point
// the start and the second the end, Euclidean distances); errors name the
// line and the field at fault (*ParseError).
//
// Solve is an anytime, single-threaded, deterministic iterated local
// search: greedy insertion by score per extra length, then local search
// (2-opt and Or-opt to shorten the path, insertion of unvisited points,
// replacement of a visited point by a better unvisited one), then shakes
// that remove a random stretch of the path, until the time limit, the
// iteration budget or the context ends. The route is always feasible.
package op
