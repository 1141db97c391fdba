package geo

import (
	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// CustomerCellRes is the H3 resolution stored with every customer. Resolution 12
// cells have ~10 m edges: about as fine as a geocoded address is accurate, so
// every coarser map (gap maps use 7–10) is an exact parent of the stored cell.
const CustomerCellRes = 12

// ToLatLng converts an orb point ({lon, lat}) to an H3 LatLng ({Lat, Lng}).
// It and FromLatLng are the only places the two axis orders meet.
func ToLatLng(p orb.Point) h3.LatLng { return h3.LatLng{Lat: p[1], Lng: p[0]} }

// FromLatLng converts an H3 LatLng back to an orb point.
func FromLatLng(ll h3.LatLng) orb.Point { return orb.Point{ll.Lng, ll.Lat} }

// Cell returns the H3 cell of p at resolution res. Each call crosses cgo
// (about 1.3 µs): compute cells once, when a point is stored, not in hot loops.
func Cell(p orb.Point, res int) h3.Cell { return h3.LatLngToCell(ToLatLng(p), res) }

// CellCenter returns the centre of an H3 cell as an orb point.
func CellCenter(c h3.Cell) orb.Point { return FromLatLng(h3.CellToLatLng(c)) }
