package shape_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/geo/shape"
)

// A planner draws a grid whose west edge misses its neighbour's east edge
// by about 2 m; snapping makes the two edges one, so nothing lies between
// them.
func ExampleSnap() {
	o := orb.Point{120.165, 30.272}
	west := orb.MultiPolygon{{{o, geo.Offset(o, 1000, 0), geo.Offset(o, 1000, 1000), geo.Offset(o, 0, 1000), o}}}
	drawn := orb.MultiPolygon{{{geo.Offset(o, 1002, 0), geo.Offset(o, 2000, 0), geo.Offset(o, 2000, 1000),
		geo.Offset(o, 998, 1000), geo.Offset(o, 1002, 0)}}}
	snapped, err := shape.Snap(drawn, []orb.MultiPolygon{west}, 5)
	if err != nil {
		panic(err)
	}
	u, _ := shape.Union(west, snapped)
	fmt.Printf("%d part, %d ring, %.2f km²\n", len(u), len(u[0]), shape.AreaM2(u)/1e6)
	// Output: 1 part, 1 ring, 2.00 km²
}

func ExampleSplitByLine() {
	o := orb.Point{120.165, 30.272}
	sq := orb.Polygon{{o, geo.Offset(o, 1000, 0), geo.Offset(o, 1000, 1000), geo.Offset(o, 0, 1000), o}}
	cut := orb.LineString{geo.Offset(o, 300, -50), geo.Offset(o, 300, 1050)}
	parts, err := shape.SplitByLine(sq, cut)
	if err != nil {
		panic(err)
	}
	for _, p := range parts {
		fmt.Printf("%.2f km²\n", shape.PolygonAreaM2(p)/1e6)
	}
	// Output:
	// 0.70 km²
	// 0.30 km²
}
