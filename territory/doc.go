// Package territory is the sales organisation laid over the map: districts
// (province > city > district), the grids (网格) that cut them, the customer
// managers of each grid team with their list quotas, the customers located in
// grids, the network resources whose coverage planners count, and the users
// and sessions through which people work with all of it.
//
// territory declares the store interfaces it needs; package data implements
// them. Coverage, list balancing and canvassing routes live here too as they
// arrive.
package territory
