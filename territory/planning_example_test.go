package territory_test

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/territory"
)

// A district of two grids; a planner draws a third over the middle, sees
// what it does, validates and publishes it.
func ExamplePlanner() {
	ctx := context.Background()
	o := orb.Point{120.165, 30.272}
	at := func(x, y float64) orb.Point { return geo.Offset(o, x, y) }
	rect := func(x0, y0, x1, y1 float64) orb.Polygon {
		return orb.Polygon{{at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1), at(x0, y0)}}
	}
	f := newPlanFake() // an in-memory PlannerStore; use data.Store in earnest
	d := &territory.District{Code: "330106", Name: "西湖区", City: "杭州市", Province: "浙江省",
		Boundary: orb.MultiPolygon{rect(0, 0, 2000, 1000)}}
	_ = f.CreateDistrict(ctx, d)
	west := &territory.Grid{Code: "XH-01", Name: "西", DistrictID: d.ID, Boundary: rect(0, 0, 1000, 1000), Status: territory.GridPublished}
	east := &territory.Grid{Code: "XH-02", Name: "东", DistrictID: d.ID, Boundary: rect(1000, 0, 2000, 1000), Status: territory.GridPublished}
	_ = f.CreateGrid(ctx, west)
	_ = f.CreateGrid(ctx, east)
	for i := range 20 { // a row of businesses along the middle of the district
		_ = f.CreateCustomer(ctx, &territory.Customer{Name: fmt.Sprint("shop ", i), Location: at(50+float64(i)*100, 500), GridID: []int64{west.ID, east.ID}[i/10]})
	}

	p := &territory.Planner{Store: f, InTx: f.InTx}
	draft, _ := p.NewDraft(ctx, "centre grid", 0, "王芳") // copies the published plan (made from the live grids)
	centre := &territory.PlanGrid{Code: "XH-03", Name: "中", DistrictID: d.ID,
		Boundary: orb.MultiPolygon{rect(700, 0, 1300, 1000)}} // carved out of both neighbours
	diff, _ := p.Preview(ctx, draft.ID, centre, territory.EditOptions{})
	fmt.Println("preview: customers moving:", diff.Moved)
	res, _ := p.SaveGrid(ctx, draft.ID, centre, territory.EditOptions{}, "王芳")
	fmt.Println("neighbours reshaped:", len(res.Changed))
	report, _ := p.Validate(ctx, draft.ID)
	fmt.Println("publishable:", report.OK)
	draft, _ = f.Plan(ctx, draft.ID)
	pub, _ := p.Publish(ctx, draft.ID, draft.Version, "王芳")
	fmt.Println("published as version", pub.Number)
	// Output:
	// preview: customers moving: 6
	// neighbours reshaped: 2
	// publishable: true
	// published as version 2
}
