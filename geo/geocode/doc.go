// Package geocode turns business addresses into WGS-84 points offline: a
// gazetteer of address points, named places, roads and district centroids,
// matched in order of precision (exact address point → named place →
// house number interpolated along its road → road → district), plus an
// optional client for an external geocoder speaking the Nominatim search
// API. Addresses are parsed by package geo/address.
//
// Build a Gazetteer from entries (NewGazetteer, or a Builder fed from the
// store's GazetteerEntries), or read address points from an OpenAddresses
// CSV (ReadOpenAddresses); a Geocoder over it answers Geocode(ctx,
// address) from any number of goroutines. Road and place names are found
// exactly, without their road type (Strand → Strand Street), after a
// division written without its marker (西湖文三路 → 文三路), or with one
// typo through a deletion index, homophones (the pinyin input method's
// typo) costing least; a candidate's score adds the name's cost, whether
// it lies in the district or town the address names, and its precision.
// Nominatim (off unless configured) implements the same Coder interface.
package geocode
