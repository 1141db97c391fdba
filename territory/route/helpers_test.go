package route

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/funnel"
	"gridplan/geo"
)

// cst is China Standard Time, the zone of the tests' days.
var cst = time.FixedZone("CST", 8*3600)

// monday is a Monday morning.
var monday = time.Date(2026, 11, 30, 9, 0, 0, 0, cst)

var testIndustries = []string{"餐饮", "零售", "软件和信息技术服务", "商务服务", "制造", "医疗健康", "教育培训", "物流", "金融", ""}

var testStages = []funnel.Stage{funnel.List, funnel.List, funnel.Potential, funnel.Potential, funnel.Intent, funnel.Order, funnel.InNetwork}

// instance is n customers scattered over a grid of about radiusM around
// a centre in Hangzhou, with industries, stages and priorities drawn from
// seed: a manager's list.
func instance(tb testing.TB, seed uint64, n int, radiusM float64) DayInput {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	centre := orb.Point{120.15, 30.27}
	cs := make([]Customer, n)
	for i := range cs {
		st := testStages[rng.IntN(len(testStages))]
		cs[i] = Customer{
			ID:       int64(i + 1),
			Name:     fmt.Sprintf("客户 %d", i+1),
			Location: geo.Offset(centre, (rng.Float64()*2-1)*radiusM, (rng.Float64()*2-1)*radiusM),
			Stage:    st,
			Industry: testIndustries[rng.IntN(len(testIndustries))],
			Priority: float64(st.Step())*10 + float64(rng.IntN(40)),
		}
	}
	return DayInput{Start: centre, StartAt: monday, Budget: 8 * time.Hour, Mode: Walk, Customers: cs, Seed: seed}
}
