package shape

import (
	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

// FromRing converts an orb ring (or any point list) to a simplefeatures
// line string.
func FromRing(r []orb.Point) geom.LineString {
	coords := make([]float64, 0, 2*len(r))
	for _, p := range r {
		coords = append(coords, p[0], p[1])
	}
	return geom.NewLineString(geom.NewSequence(coords, geom.DimXY))
}

// FromLineString converts an orb line string.
func FromLineString(ls orb.LineString) geom.LineString { return FromRing(ls) }

// FromPolygon converts an orb polygon. simplefeatures does not validate on
// construction; the set operations assume valid input (geo.ValidatePolygon).
func FromPolygon(p orb.Polygon) geom.Polygon {
	rings := make([]geom.LineString, len(p))
	for i, r := range p {
		rings[i] = FromRing(r)
	}
	return geom.NewPolygon(rings)
}

// FromMultiPolygon converts an orb multipolygon.
func FromMultiPolygon(mp orb.MultiPolygon) geom.MultiPolygon {
	polys := make([]geom.Polygon, len(mp))
	for i, p := range mp {
		polys[i] = FromPolygon(p)
	}
	return geom.NewMultiPolygon(polys)
}

// Geometry converts a multipolygon to a simplefeatures Geometry, the type
// its set operations take.
func Geometry(mp orb.MultiPolygon) geom.Geometry { return FromMultiPolygon(mp).AsGeometry() }

// ToRing converts a simplefeatures line string to orb points.
func ToRing(ls geom.LineString) orb.Ring {
	seq := ls.Coordinates()
	r := make(orb.Ring, seq.Length())
	for i := range r {
		xy := seq.GetXY(i)
		r[i] = orb.Point{xy.X, xy.Y}
	}
	return r
}

// ToPolygon converts a simplefeatures polygon.
func ToPolygon(p geom.Polygon) orb.Polygon {
	if p.IsEmpty() {
		return nil
	}
	out := make(orb.Polygon, 0, p.NumRings())
	out = append(out, ToRing(p.ExteriorRing()))
	for i := 0; i < p.NumInteriorRings(); i++ {
		out = append(out, ToRing(p.InteriorRingN(i)))
	}
	return out
}

// ToMultiPolygon returns the areal part of g: its polygons, those of a
// multipolygon, or those found anywhere in a geometry collection. Points
// and lines (what an intersection of two grids that only touch yields) are
// dropped, so the result is empty (nil) when g has no area.
func ToMultiPolygon(g geom.Geometry) orb.MultiPolygon {
	var out orb.MultiPolygon
	var walk func(g geom.Geometry)
	walk = func(g geom.Geometry) {
		switch g.Type() {
		case geom.TypePolygon:
			if p := ToPolygon(g.MustAsPolygon()); p != nil {
				out = append(out, p)
			}
		case geom.TypeMultiPolygon:
			mp := g.MustAsMultiPolygon()
			for i := 0; i < mp.NumPolygons(); i++ {
				if p := ToPolygon(mp.PolygonN(i)); p != nil {
					out = append(out, p)
				}
			}
		case geom.TypeGeometryCollection:
			gc := g.MustAsGeometryCollection()
			for i := 0; i < gc.NumGeometries(); i++ {
				walk(gc.GeometryN(i))
			}
		}
	}
	walk(g)
	return out
}

// ToLineStrings returns the linear part of g (its line strings, at any
// depth), dropping points and polygons.
func ToLineStrings(g geom.Geometry) []orb.LineString {
	var out []orb.LineString
	var walk func(g geom.Geometry)
	walk = func(g geom.Geometry) {
		switch g.Type() {
		case geom.TypeLineString:
			if ls := g.MustAsLineString(); !ls.IsEmpty() {
				out = append(out, orb.LineString(ToRing(ls)))
			}
		case geom.TypeMultiLineString:
			mls := g.MustAsMultiLineString()
			for i := 0; i < mls.NumLineStrings(); i++ {
				if ls := mls.LineStringN(i); !ls.IsEmpty() {
					out = append(out, orb.LineString(ToRing(ls)))
				}
			}
		case geom.TypeGeometryCollection:
			gc := g.MustAsGeometryCollection()
			for i := 0; i < gc.NumGeometries(); i++ {
				walk(gc.GeometryN(i))
			}
		}
	}
	walk(g)
	return out
}

// Multi wraps a polygon as a one-part multipolygon (nil for nil).
func Multi(p orb.Polygon) orb.MultiPolygon {
	if len(p) == 0 {
		return nil
	}
	return orb.MultiPolygon{p}
}
