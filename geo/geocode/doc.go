// Package geocode turns business addresses into WGS-84 points offline: a
// gazetteer of address points, named places, roads and district centroids,
// matched in order of precision (exact address point → named place →
// house number interpolated along its road → road → district), plus an
// optional client for an external geocoder speaking the Nominatim search
// API. Addresses are parsed by package geo/address.
package geocode
