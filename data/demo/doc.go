// Package demo generates the demo city: a Hangzhou-like city of districts,
// grids, grid teams, businesses, network resources, claims and activities,
// seeded and deterministic, and loads it into a data.Store.
//
// The city is cut from one jittered lattice: each grid is a quad of it and
// each district a disk-shaped union of quads, so grids tile districts
// exactly. A street network is laid over it and every business is placed
// at a measure along a road and an offset to one side, which gives it a
// postal address (district, road, house number, odd left and even right)
// that matches its position; Roads and Places, the gazetteer behind those
// addresses, come with the city for a geocoder to use. Businesses cluster
// the way real ones do: in parks, towers and plazas, along shopping
// streets, thinly elsewhere. The funnel, lists and claims follow the
// six-step method's rules (lists within quota, in-network under 15% of the
// contacted, claims kept alive by recent activity).
//
// Sizes scale with Options.Customers at a constant density, so the city
// grows in area: 20,000 businesses give about 8 districts, 95 grids and 140
// managers over ~200 km²; 1,000,000 give about 100 districts, 4,700 grids
// and 7,100 managers over ~9,000 km². Below ~8,000 businesses some lists
// fall short of the quota minimum (there are not enough businesses per
// grid); no list ever exceeds the maximum.
//
// Output is byte-identical for the same Options on the same architecture
// (floating-point fusion may differ between architectures).
package demo
