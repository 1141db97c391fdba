package demo

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mozillazg/go-pinyin"
	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/geo/geocode"
)

// rewriter writes demo addresses the way people type them: province and
// city left out, full-width digits, Chinese numerals, a homophone or two
// swapped characters in the road name (what pinyin input makes), extra
// building, floor and room text, spaces, traditional characters.
type rewriter struct {
	rng        *rand.Rand
	homophones map[rune][]rune
	stats      map[string]int // how often each rewrite was applied
}

// commonChars are frequent Chinese characters: with the city's own name
// characters, the pool homophone typos are drawn from.
const commonChars = `的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坐集编宝谈府拉黑且随格尽剑讲布杀微怕母调局根曾准团段终乐切级克精哪官示冷域景头华鑫恒祥瑞泰盛荣昌隆福禄寿康宁安顺兴旺发达富贵吉庆永久长春秋冬夏湖河溪泉源峰岭岗坡塘港湾桥渡洲岛滩涧潭`

func newRewriter(seed uint64) *rewriter {
	w := &rewriter{rng: rand.New(rand.NewPCG(seed, 0x5eed)), homophones: map[rune][]rune{}, stats: map[string]int{}}
	pool := []rune(commonChars + string(roadFirst) + string(roadSecond))
	slices.Sort(pool)
	pool = slices.Compact(pool)
	byReading := map[string][]rune{}
	for _, r := range pool {
		for _, py := range pinyin.SinglePinyin(r, pinyin.NewArgs()) {
			byReading[py] = append(byReading[py], r)
		}
	}
	for _, r := range pool {
		for _, py := range pinyin.SinglePinyin(r, pinyin.NewArgs()) {
			for _, h := range byReading[py] {
				if h != r && !slices.Contains(w.homophones[r], h) {
					w.homophones[r] = append(w.homophones[r], h)
				}
			}
		}
	}
	return w
}

func (w *rewriter) chance(p float64, what string) bool {
	if w.rng.Float64() < p {
		w.stats[what]++
		return true
	}
	return false
}

var fullWidth = strings.NewReplacer("0", "０", "1", "１", "2", "２", "3", "３", "4", "４", "5", "５", "6", "６", "7", "７", "8", "８", "9", "９")

// chineseNumber writes n in Chinese numerals: 108 → 一百零八, 23 → 二十三,
// 12 → 十二.
func chineseNumber(n int) string {
	digits := []rune("零一二三四五六七八九")
	if n < 10 {
		return string(digits[n])
	}
	var b strings.Builder
	units := []struct {
		v int
		r string
	}{{1000, "千"}, {100, "百"}, {10, "十"}}
	zero := false
	started := false
	for _, u := range units {
		d := n / u.v % 10
		switch {
		case d == 0 && started:
			zero = true
		case d > 0:
			if zero {
				b.WriteString("零")
				zero = false
			}
			if !(u.v == 10 && d == 1 && !started) {
				b.WriteRune(digits[d])
			}
			b.WriteString(u.r)
			started = true
		}
	}
	if d := n % 10; d > 0 {
		if zero {
			b.WriteString("零")
		}
		b.WriteRune(digits[d])
	}
	return b.String()
}

// typo changes one character of a road name's stem: a homophone when there
// is one, else two neighbours swapped.
func (w *rewriter) typo(road string) string {
	rs := []rune(road)
	stem := len(rs) - 1
	if strings.HasSuffix(road, "大道") {
		stem = len(rs) - 2
	}
	if stem < 2 {
		return road
	}
	i := w.rng.IntN(stem)
	if hs := w.homophones[rs[i]]; len(hs) > 0 && w.rng.Float64() < 0.8 {
		rs[i] = hs[w.rng.IntN(len(hs))]
		w.stats["typo: homophone"]++
		return string(rs)
	}
	j := min(i+1, stem-1)
	if j == i {
		i--
	}
	rs[i], rs[j] = rs[j], rs[i]
	w.stats["typo: swapped"]++
	return string(rs)
}

// rewrite writes a the way a person might.
func (w *rewriter) rewrite(a Address) string {
	var b strings.Builder
	switch r := w.rng.Float64(); {
	case r < 0.35:
		b.WriteString("浙江省杭州市")
	case r < 0.55:
		w.stats["no province"]++
		b.WriteString("杭州市")
	case r < 0.65:
		w.stats["city without 市"]++
		b.WriteString("杭州")
	default:
		w.stats["no province, no city"]++
	}
	if !w.chance(0.05, "no district") {
		b.WriteString(a.District)
	}
	sp := w.chance(0.1, "spaces")
	space := func() {
		if sp {
			b.WriteByte(' ')
		}
	}
	placeOnly := a.Place != "" && w.chance(0.1, "place without road")
	if !placeOnly {
		space()
		road := a.Road
		if w.chance(0.1, "road typo") {
			road = w.typo(road)
		}
		b.WriteString(road)
		space()
		num := strconv.Itoa(a.Number)
		switch r := w.rng.Float64(); {
		case r < 0.15:
			w.stats["full-width digits"]++
			num = fullWidth.Replace(num)
		case r < 0.3:
			w.stats["Chinese numerals"]++
			num = chineseNumber(a.Number)
		}
		b.WriteString(num)
		if w.chance(0.05, "traditional 號") {
			b.WriteString("號")
		} else {
			b.WriteString("号")
		}
	}
	if a.Place != "" {
		space()
		b.WriteString(a.Place)
		switch r := w.rng.Float64(); {
		case r < 0.5:
			b.WriteString(strconv.Itoa(a.Building) + "幢" + strconv.Itoa(a.Room) + "室")
		case r < 0.7:
			w.stats["other building/room form"]++
			b.WriteString(strconv.Itoa(a.Building) + "号楼" + strconv.Itoa(a.Room/100) + "层" + strconv.Itoa(a.Room))
		case r < 0.85:
			w.stats["other building/room form"]++
			b.WriteString(chineseNumber(a.Building) + "栋" + strconv.Itoa(a.Room))
		default:
			w.stats["no building/room"]++
		}
		return b.String()
	}
	switch r := w.rng.Float64(); {
	case r < 0.08:
		w.stats["extra: floor"]++
		b.WriteString([]string{"1楼", "一楼", "2层", "底商"}[w.rng.IntN(4)])
	case r < 0.16:
		w.stats["extra: building/room"]++
		b.WriteString([]string{"A座", "3幢201室", "2单元301", "B座5层"}[w.rng.IntN(4)])
	case r < 0.2:
		w.stats["extra: remark"]++
		b.WriteString("(" + []string{"近地铁站", "对面", "旁边小巷进"}[w.rng.IntN(3)] + ")")
	case r < 0.23:
		w.stats["extra: sub-number"]++
		s := b.String()
		b.Reset()
		b.WriteString(strings.TrimSuffix(strings.TrimSuffix(s, "号"), "號") + "-" + strconv.Itoa(1+w.rng.IntN(3)) + "号")
	}
	return b.String()
}

// quality is what one geocoding run measured.
type quality struct {
	n, resolved, near int
	byPrecision       map[geocode.Precision]int
}

func (q quality) String() string {
	var parts []string
	for p := geocode.PrecisionPoint; p <= geocode.PrecisionDistrict; p++ {
		parts = append(parts, p.String()+"="+strconv.Itoa(q.byPrecision[p]))
	}
	return strconv.Itoa(q.n) + " addresses: resolved " + pct(q.resolved, q.n) + ", near " + pct(q.near, q.n) + " (" + strings.Join(parts, " ") + ")"
}

func pct(a, b int) string { return strconv.FormatFloat(100*float64(a)/float64(b), 'f', 2, 64) + "%" }

func mustGeocoder(tb testing.TB, entries []geocode.Entry) *geocode.Geocoder {
	tb.Helper()
	gz, err := geocode.NewGazetteer(entries)
	if err != nil {
		tb.Fatalf("NewGazetteer: %v", err)
	}
	gc, err := geocode.New(gz, geocode.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return gc
}

// geocodeAll geocodes each address and counts those within nearM of its
// true point.
func geocodeAll(tb testing.TB, gc *geocode.Geocoder, addrs []string, truth []orb.Point, nearM float64) quality {
	tb.Helper()
	ctx := context.Background()
	q := quality{n: len(addrs), byPrecision: map[geocode.Precision]int{}}
	shown := 0
	for i, s := range addrs {
		r, err := gc.Geocode(ctx, s)
		if err != nil {
			if shown++; shown <= 5 {
				tb.Logf("unresolved %q: %v", s, err)
			}
			continue
		}
		q.resolved++
		q.byPrecision[r.Precision]++
		if d := geo.DistanceM(r.Location, truth[i]); d <= nearM {
			q.near++
		} else if shown++; shown <= 12 {
			tb.Logf("%.0f m off: %q → %s %s (%.2f)", d, s, r.Precision, r.Matched, r.Confidence)
		}
	}
	return q
}

// TestGeocodeDemoAddresses geocodes every business of the test city from
// its address rewritten the way people type it, against the city's
// gazetteer. An address's true point is the business itself for a street
// address, and its place's point for a tenant of a park, tower or plaza
// (the demo does not place buildings inside a place, so nothing finer is
// knowable from a tenant's address). Then a fifth of the address points
// are removed and their own addresses, rewritten the same way, are
// geocoded: interpolation from the neighbours must still put them near.
func TestGeocodeDemoAddresses(t *testing.T) {
	c := mustCity(t)
	entries := c.Gazetteer()
	gc := mustGeocoder(t, entries)
	w := newRewriter(20261126)

	addrs := make([]string, len(c.Customers))
	truth := make([]orb.Point, len(c.Customers))
	for i, a := range c.Addresses {
		addrs[i] = w.rewrite(a)
		truth[i] = c.Customers[i].Location
		if a.Place != "" {
			truth[i] = c.Places[a.PlaceID-1].Point
		}
	}
	q := geocodeAll(t, gc, addrs, truth, 30)
	t.Logf("all businesses, within 30 m: %v", q)
	t.Logf("rewrites: %v", w.stats)
	if share(q.resolved, q.n) < 0.98 || share(q.near, q.n) < 0.95 {
		t.Errorf("resolved %s (want ≥ 98%%), within 30 m %s (want ≥ 95%%)", pct(q.resolved, q.n), pct(q.near, q.n))
	}

	// A fifth of the address points removed.
	rng := rand.New(rand.NewPCG(7, 11))
	var kept []geocode.Entry
	var removed []geocode.Entry
	for _, e := range entries {
		if e.Kind == geocode.KindAddress && rng.Float64() < 0.2 {
			removed = append(removed, e)
			continue
		}
		kept = append(kept, e)
	}
	gc = mustGeocoder(t, kept)
	addrs, truth = addrs[:0], truth[:0]
	w = newRewriter(99)
	for _, e := range removed {
		n, _ := strconv.Atoi(e.Number)
		addrs = append(addrs, w.rewrite(Address{District: e.District, Road: e.Street, Number: n}))
		truth = append(truth, e.Geometry.(orb.Point))
	}
	q = geocodeAll(t, gc, addrs, truth, 100)
	t.Logf("removed address points, within 100 m: %v", q)
	if share(q.near, q.n) < 0.90 {
		t.Errorf("removed points within 100 m: %s, want ≥ 90%%", pct(q.near, q.n))
	}
}

func TestChineseNumber(t *testing.T) {
	for n, want := range map[int]string{3: "三", 10: "十", 12: "十二", 23: "二十三", 108: "一百零八", 1203: "一千二百零三", 1010: "一千零一十", 250: "二百五十"} {
		if got := chineseNumber(n); got != want {
			t.Errorf("chineseNumber(%d) = %s, want %s", n, got, want)
		}
	}
}

// Load stores the gazetteer; a geocoder built from the stored entries
// finds the businesses' addresses.
func TestLoadStoresGazetteer(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	c, err := Generate(Options{Seed: 5, Customers: 1000, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	want := c.Gazetteer()
	addr, loc := c.Customers[0].Address, c.Customers[0].Location
	if c.Addresses[0].Place != "" {
		loc = c.Places[c.Addresses[0].PlaceID-1].Point
	}
	var stages []string
	if err := Load(ctx, s, c, func(stage string, done, total int) {
		if len(stages) == 0 || stages[len(stages)-1] != stage {
			stages = append(stages, stage)
		}
	}); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if stages[len(stages)-1] != StageGazetteer {
		t.Fatalf("stages %v: the gazetteer should be the last", stages)
	}
	b := geocode.NewBuilder()
	n := 0
	if err := s.GazetteerEntries(ctx, func(e geocode.Entry) error {
		if e.Source != GazetteerSource {
			t.Errorf("entry %d: source %q, want %q", n, e.Source, GazetteerSource)
		}
		n++
		return b.Add(e)
	}); err != nil {
		t.Fatalf("GazetteerEntries: %v", err)
	}
	if n != len(want) {
		t.Fatalf("stored %d gazetteer entries, want %d", n, len(want))
	}
	gc, err := geocode.New(b.Build(), geocode.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := gc.Geocode(ctx, addr)
	if err != nil {
		t.Fatalf("Geocode(%q): %v", addr, err)
	}
	if d := geo.DistanceM(r.Location, loc); d > 30 || r.Precision != geocode.PrecisionPoint {
		t.Fatalf("Geocode(%q) = %+v, %.0f m from the business", addr, r, d)
	}
}

// The gazetteer is deterministic, has every kind, and puts an address
// point wherever a business has a street address.
func TestGazetteerEntries(t *testing.T) {
	c := mustCity(t)
	a, b := c.Gazetteer(), c.Gazetteer()
	if len(a) != len(b) {
		t.Fatalf("two calls gave %d and %d entries", len(a), len(b))
	}
	kinds := map[geocode.Kind]int{}
	type key struct {
		road, number string
	}
	have := map[key]bool{}
	for i := range a {
		if a[i].Kind != b[i].Kind || a[i].Street != b[i].Street || a[i].Number != b[i].Number {
			t.Fatalf("entry %d differs between calls", i)
		}
		if a[i].Source != GazetteerSource || a[i].City == "" || a[i].Region == "" {
			t.Fatalf("entry %d: %+v: want source demo, a city and a region", i, a[i])
		}
		kinds[a[i].Kind]++
		if a[i].Kind == geocode.KindAddress {
			have[key{a[i].District + a[i].Street, a[i].Number}] = true
		}
	}
	if kinds[geocode.KindDistrict] != len(c.Districts) || kinds[geocode.KindRoad] != len(c.Roads) || kinds[geocode.KindPlace] != len(c.Places) {
		t.Fatalf("kinds %v: want %d districts, %d roads, %d places", kinds, len(c.Districts), len(c.Roads), len(c.Places))
	}
	for i, ad := range c.Addresses {
		if !have[key{ad.District + ad.Road, strconv.Itoa(ad.Number)}] {
			t.Fatalf("customer %d: no address point for %s", i, c.Customers[i].Address)
		}
	}
	// More numbers than the businesses' own: the gazetteer lists buildings
	// along every road.
	if kinds[geocode.KindAddress] < len(c.Customers)/2 {
		t.Fatalf("%d address points for %d businesses", kinds[geocode.KindAddress], len(c.Customers))
	}
	t.Logf("gazetteer of the %d-business city: %v", len(c.Customers), kinds)
}
