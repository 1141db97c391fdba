// Package geo holds gridplan's geometry helpers: the one conversion between
// orb's {lon, lat} points and H3's {Lat, Lng}, geodesic distances, geometry
// validation that says exactly which coordinate is wrong, and the point→polygon
// index (R-tree box hit, then exact point-in-polygon) that assigns customers to
// grids.
//
// Everything here is WGS-84 longitude/latitude in degrees. geo imports nothing
// of gridplan's own.
package geo
