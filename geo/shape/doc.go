// Package shape is gridplan's polygon toolbox for editing grids: union,
// difference and intersection of (multi)polygons, areas in square metres,
// connected pieces, splitting a polygon with a line, snapping an edited
// polygon onto its neighbours, and finding overlaps and gaps.
//
// The overlay work (union, difference, intersection) is done by
// github.com/peterstace/simplefeatures (pure Go); this package converts orb
// geometries to and from it and adds what editing needs on top. Nothing
// here clips polygons by hand.
//
// Coordinates are WGS-84 longitude/latitude, and the set operations are
// planar in that lon/lat plane, the same plane in which grid assignment
// (planar.PolygonContains) decides which grid holds a customer, so "these
// two grids share an edge" means the same thing to both. Distances and
// areas are converted to metres locally (see AreaM2 and Snap).
//
// Real edits carry floating-point noise: a vertex dragged onto a
// neighbour's edge lands a few nanodegrees off it. simplefeatures merges
// nodes closer than a few hundred ULPs; Snap closes the larger, human-sized
// misses (metres); Clean drops the slivers of square millimetres that
// remain when neither applied. Callers that compare areas use a threshold
// such as SliverM2 rather than zero.
package shape
