package route_test

import (
	"context"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory/route"
)

// A manager on foot from his office at 15:30 with two hours: the lapsing
// intent customer first, the restaurant once it opens for dinner; the
// office building is closed on Saturdays.
func ExampleDay() {
	cst := time.FixedZone("CST", 8*3600)
	office := orb.Point{120.150, 30.270}
	r, err := route.Day(context.Background(), route.DayInput{
		Start:   office,
		StartAt: time.Date(2026, 12, 5, 15, 30, 0, 0, cst), // a Saturday
		Budget:  2 * time.Hour,
		Mode:    route.Walk,
		Customers: []route.Customer{
			{ID: 1, Name: "某某便利店", Location: geo.Offset(office, 400, 0), Stage: funnel.Intent, Industry: "零售", Priority: 75},
			{ID: 2, Name: "某某面馆", Location: geo.Offset(office, 400, 300), Stage: funnel.Potential, Industry: "餐饮", Priority: 40},
			{ID: 3, Name: "某某科技有限公司", Location: geo.Offset(office, 0, 300), Stage: funnel.List, Industry: "软件和信息技术服务", Priority: 30},
		},
	})
	if err != nil {
		panic(err)
	}
	for _, s := range r.Stops {
		fmt.Printf("%d. %s %s–%s\n", s.Seq, s.Name, s.Begin.Format("15:04"), s.Depart.Format("15:04"))
	}
	for _, s := range r.Skipped {
		fmt.Printf("skipped %s: %s\n", s.Name, s.Reason)
	}
	// Output:
	// 1. 某某便利店 15:36–16:06
	// 2. 某某面馆 17:00–17:20
	// skipped 某某科技有限公司: closed
}
