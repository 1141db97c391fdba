package demo_test

import (
	"fmt"
	"time"

	"gridplan/data/demo"
	"gridplan/geo"
)

func ExampleGenerate() {
	c, err := demo.Generate(demo.Options{Seed: 1, Customers: 20000, Now: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(c.Districts), "districts,", len(c.Grids), "grids,", len(c.Managers), "managers,", len(c.Customers), "businesses")
	fmt.Println(c.Districts[0].Name, c.Districts[0].Code)
	fmt.Println(c.Customers[0].ExternalID, c.Customers[0].Name, c.Customers[0].Address)
	// Output:
	// 8 districts, 94 grids, 142 managers, 20000 businesses
	// 上城区 330102
	// HZ-000001 科聚便利店 浙江省杭州市拱墅区长城路756号天阳商业广场2幢219室
}

// The gazetteer geocodes the demo addresses: the road stretch and house
// number of an address give a point near the business (next to it on a
// street, within a few hundred metres in a park).
func ExampleRoad_PointAt() {
	c, err := demo.Generate(demo.Options{Seed: 1, Customers: 2000, Now: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	a := c.Addresses[0]
	road := c.Roads[a.RoadID-1]
	p, ok := road.PointAt(a.Number)
	fmt.Println(ok, geo.DistanceM(p, c.Customers[0].Location) < 300)
	// Output: true true
}
