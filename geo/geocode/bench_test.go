package geocode_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/geo/geocode"
)

// synthCity is a generated Chinese city for benchmarks: districts of
// straight roads numbered every 10 m on both sides, with an address point
// for every number.
type synthCity struct {
	gz     *geocode.Gazetteer
	points int
	addrs  []string // addresses as people type them
	truth  []orb.Point
}

var (
	synthOnce sync.Map // size → *synthCity
	sinkRes   geocode.Result
)

// synthetic builds (once per size) a city of about points address points.
func synthetic(tb testing.TB, points int) *synthCity {
	tb.Helper()
	if c, ok := synthOnce.Load(points); ok {
		return c.(*synthCity)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	first := []rune("文天学教古紫丰江滨钱湖新春秋凤龙庆延中建环和平安康宁德兴振华明光金银玉翠杨柳桂梅兰竹松荷云星月阳晨泰富盛昌隆永长万百花溪桃清")
	second := []rune("山江河湖塘桥港湾苑园庄林溪泉源城门心华兴安宁平和福祥瑞丰业达通盛新明光阳晖景岭浦堤墩")
	suffixes := []string{"路", "街", "大道", "北路", "南路", "东路", "西路"}
	const perRoad = 200 // numbers per road: 100 per side, 10 m apart
	roads := points / perRoad
	districts := max(4, roads/100)
	b := geocode.NewBuilder()
	c := &synthCity{}
	origin := orb.Point{120.0, 30.0}
	names := map[string]bool{}
	for d := range districts {
		dist := "第" + strconv.Itoa(d+1) + "区"
		cx, cy := float64(d%10)*12000, float64(d/10)*12000
		if err := b.Add(geocode.Entry{Kind: geocode.KindDistrict, Name: dist, City: "杭州市", Geometry: geo.Offset(origin, cx+5000, cy+5000)}); err != nil {
			tb.Fatal(err)
		}
		for k := 0; k < roads/districts; k++ {
			var name string
			for name == "" || names[name] {
				name = string(first[rng.IntN(len(first))]) + string(second[rng.IntN(len(second))]) + suffixes[rng.IntN(len(suffixes))]
				if names[name] {
					name = string(first[rng.IntN(len(first))]) + string(first[rng.IntN(len(first))]) + string(second[rng.IntN(len(second))]) + suffixes[rng.IntN(len(suffixes))]
				}
			}
			names[name] = true
			x0, y0 := cx+rng.Float64()*10000, cy+rng.Float64()*10000
			ang := rng.Float64() * 2 * math.Pi
			ux, uy := math.Cos(ang), math.Sin(ang)
			start, end := geo.Offset(origin, x0, y0), geo.Offset(origin, x0+ux*1000, y0+uy*1000)
			if err := b.Add(geocode.Entry{Kind: geocode.KindRoad, Street: name, District: dist, City: "杭州市", Geometry: orb.LineString{start, end}}); err != nil {
				tb.Fatal(err)
			}
			for n := 1; n <= perRoad; n++ {
				along := float64((n-1)/2)*10 + 5
				side := 20.0
				if n%2 == 0 {
					side = -20
				}
				p := geo.Offset(origin, x0+ux*along-uy*side, y0+uy*along+ux*side)
				if err := b.Add(geocode.Entry{Kind: geocode.KindAddress, Number: strconv.Itoa(n), Street: name, District: dist, City: "杭州市", Region: "浙江省", Geometry: p}); err != nil {
					tb.Fatal(err)
				}
				c.points++
				if rng.IntN(points/20000+1) == 0 {
					c.addrs = append(c.addrs, typed(rng, dist, name, n))
					c.truth = append(c.truth, p)
				}
			}
		}
	}
	c.gz = b.Build()
	synthOnce.Store(points, c)
	return c
}

// typed writes an address the way people type it: with or without
// province and city, sometimes in full-width digits or with a room.
func typed(rng *rand.Rand, dist, road string, n int) string {
	var s strings.Builder
	switch rng.IntN(3) {
	case 0:
		s.WriteString("浙江省杭州市")
	case 1:
		s.WriteString("杭州市")
	}
	s.WriteString(dist)
	s.WriteString(road)
	num := strconv.Itoa(n)
	if rng.IntN(5) == 0 {
		num = strings.Map(func(r rune) rune { return r - '0' + '０' }, num)
	}
	s.WriteString(num)
	s.WriteString("号")
	if rng.IntN(4) == 0 {
		s.WriteString("3幢1205室")
	}
	return s.String()
}

// BenchmarkGeocode measures one geocode against gazetteers of 100,000 and
// 1,000,000 address points (run with -cpu 1 for the one-core figure; the
// addresses/s metric is what the issue asks about).
func BenchmarkGeocode(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("points=%d", n), func(b *testing.B) {
			c := synthetic(b, n)
			gc, err := geocode.New(c.gz, geocode.Options{})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				r, err := gc.Geocode(ctx, c.addrs[i%len(c.addrs)])
				if err != nil {
					b.Fatal(err)
				}
				sinkRes = r
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "addresses/s")
		})
	}
}

// BenchmarkGeocodeTypo is the slow path: a road name with one wrong
// character, found through the deletion index.
func BenchmarkGeocodeTypo(b *testing.B) {
	c := synthetic(b, 100_000)
	gc, _ := geocode.New(c.gz, geocode.Options{})
	ctx := context.Background()
	addrs := make([]string, 0, 256)
	for _, a := range c.addrs[:256] {
		rs := []rune(a)
		for i, r := range rs { // the road's first character becomes 闻
			if r == '区' && i+1 < len(rs) {
				rs[i+1] = '闻'
				break
			}
		}
		addrs = append(addrs, string(rs))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r, _ := gc.Geocode(ctx, addrs[i%len(addrs)])
		sinkRes = r
		i++
	}
}

// BenchmarkBuild measures building a gazetteer of 100,000 address points.
func BenchmarkBuild(b *testing.B) {
	for b.Loop() {
		synthOnce.Delete(100_000)
		synthetic(b, 100_000)
	}
}
