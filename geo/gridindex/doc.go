// Package gridindex maps points to the sales grid that holds them.
//
// An Index is built once from grid polygons and then only read, so any
// number of goroutines may query it; to change the grids, build a new Index
// and swap it in whole.
//
// A query first tries a cache keyed by H3 cell, then falls back to the exact
// test: an R-tree (tidwall/rtree) over the polygons' bounding boxes finds the
// candidates and planar.PolygonContains (orb) decides. Both paths give the
// same answer by construction:
//
//   - The exact test is the rule. A point belongs to the grid with the
//     lowest id among those whose closed polygon (boundary included, as
//     planar.PolygonContains counts it) contains the point; a point that no
//     polygon contains is unassigned. So a point on an edge shared by grids 7
//     and 9 belongs to grid 7, and a point where grids overlap belongs to the
//     older (lower id) grid. A point on the edge of a hole is outside the
//     holed grid: planar.PolygonContains counts a hole's boundary as the
//     hole's.
//   - The cache never relies on H3 geometry. For each H3 cell (at a
//     resolution chosen from the grids' sizes) whose centre lies inside one
//     grid, the build computes a disc around that centre, in plain lon/lat
//     with longitude scaled by the cosine of the index's mid latitude, that
//     stays at least a millimetre away from every grid's boundary: inside
//     its grid and clear of every other grid. A query looks up the parent of
//     the point's own cell and answers from the cache only when the point
//     itself lies in that disc. H3 cell edges are geodesic and a child cell
//     pokes out of its parent, but neither matters: the point is checked
//     against the disc, not against the cell, so a wrong or stale cell only
//     costs a fallback to the exact test, never a wrong answer.
//
// The disc is planar in the same lon/lat plane as planar.PolygonContains, so
// "the disc lies inside the polygon, a millimetre clear of its edges" is a
// statement the exact test agrees with, far above floating-point noise.
package gridindex
