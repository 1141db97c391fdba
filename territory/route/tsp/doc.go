// Package tsp reads TSPLIB95 instances and solves the symmetric travelling
// salesman problem.
//
// Read parses a TSPLIB file with a NODE_COORD_SECTION and one of the
// distance rules EUC_2D, CEIL_2D, ATT or GEO, computed exactly as TSPLIB95
// defines them (integer distances); ReadTour parses a TOUR_SECTION file.
// Errors name the line and the field at fault (*ParseError).
//
// Solve is an anytime, single-threaded, deterministic heuristic: a
// nearest-neighbour start, then 2-opt and Or-opt moves over neighbour lists
// with don't-look bits, then iterated local search with local double-bridge
// kicks until the time limit, the iteration budget or the context ends. The
// result is never worse than the start. With the same seed and iteration
// budget it is identical from run to run; a time limit only decides how far
// the same trajectory gets.
package tsp
