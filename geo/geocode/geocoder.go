package geocode

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/geo/address"
)

// Coder geocodes one address. *Geocoder (offline, from a gazetteer) and
// *Nominatim (an external service) implement it.
type Coder interface {
	Geocode(ctx context.Context, address string) (Result, error)
}

var (
	_ Coder = (*Geocoder)(nil)
	_ Coder = (*Nominatim)(nil)
)

// Options configure a Geocoder.
type Options struct {
	// MinPrecision rejects results coarser than it with ErrTooCoarse (the
	// error says what was found and why nothing finer was); 0 accepts
	// anything down to a district centroid.
	MinPrecision Precision
}

// Geocoder geocodes addresses offline against a Gazetteer. It holds no
// mutable state: one Geocoder may serve any number of goroutines.
type Geocoder struct {
	g    *Gazetteer
	opts Options
}

// New returns a geocoder over g.
func New(g *Gazetteer, opts Options) (*Geocoder, error) {
	if g == nil {
		return nil, fmt.Errorf("geocoder: no gazetteer")
	}
	if opts.MinPrecision != 0 && (opts.MinPrecision < PrecisionPoint || opts.MinPrecision > PrecisionDistrict) {
		return nil, fmt.Errorf("geocoder options: min precision: unknown precision %d", opts.MinPrecision)
	}
	return &Geocoder{g: g, opts: opts}, nil
}

// Gazetteer returns the gazetteer the geocoder matches against.
func (gc *Geocoder) Gazetteer() *Gazetteer { return gc.g }

// Geocode locates one address. Matching goes from the finest precision to
// the coarsest: the exact address point; the named place; the house
// number interpolated between its neighbours of the same parity on the
// same road (along the road's centre line when the gazetteer has one);
// the road; the postcode; the district (or town). Candidates are scored by
// how well their names match (typos cost), whether they lie in the
// district or town the address names, and precision; the best wins, and
// its confidence says how sure the match is. Errors: ErrEmpty,
// ErrNotFound, ErrTooCoarse (each wrapped with the reason), or ctx's.
func (gc *Geocoder) Geocode(ctx context.Context, addr string) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	a := address.Parse(addr)
	if a.Normalized == "" || a.Empty() {
		return Result{}, ErrEmpty
	}
	m := gc.g.match(&a)
	if !m.found {
		return Result{}, fmt.Errorf("%w: %s", ErrNotFound, m.why)
	}
	if min := gc.opts.MinPrecision; min != 0 && !m.prec.AtLeast(min) {
		return Result{}, fmt.Errorf("%w: found %s (%s), want %s or finer: %s", ErrTooCoarse, m.prec, m.matched, min, m.why)
	}
	return Result{Location: m.p, Precision: m.prec, Confidence: m.conf, Matched: m.matched}, nil
}

// Precision penalties: a candidate's score is its name cost plus its
// locality penalty plus this, lowest best. A point on a road in the wrong
// district (0.5) still beats the road alone in the right one (0.6): roads
// cross districts and people misname them.
const (
	penPoint        = 0
	penSuffixOnly   = 0.05 // the number's suffix differs (12 for 12A)
	penPlace        = 0.1
	penInterpolated = 0.2
	penRoad         = 0.6
	penPostcode     = 0.95
	penDistrict     = 1.0
)

// Locality penalties.
const (
	locMatch         = 0
	locUnknown       = 0.1 // the address names localities the gazetteer does not know
	locNoTown        = 0.2 // the road's town is not known
	locOtherDistrict = 0.4 // right city, another district than the one named: roads cross districts
	locConflict      = 0.9 // another town or city than the one named
	ambiguousM       = 200.0
	ambiguousGap     = 0.05
)

// query is an address being matched.
type query struct {
	a         *address.Address
	locs      [4]string // keys of known areas the address names
	nlocs     int
	cities    [4]string // keys of the cities those areas are or lie in
	ncities   int
	district  bool // one of locs is a district-level area
	anyLoc    bool // the address names localities (known or not)
	num       int
	suffix    string
	pc        int32 // postcode id, 0 when none or unknown
	pcPoint   orb.Point
	pcName    string
	placeKey  string
	roadTried string // the road text looked up, for messages
}

// match is the outcome of matching.
type match struct {
	found   bool
	p       orb.Point
	prec    Precision
	conf    float64
	matched string
	why     string // what kept it from being finer (or from being found)
}

// cand is one candidate result.
type cand struct {
	p       orb.Point
	prec    Precision
	score   float64
	conf    float64
	matched string
	why     string
}

func (g *Gazetteer) match(a *address.Address) match {
	q := query{a: a, num: -1}
	q.localities(g)
	if a.Number != "" {
		q.num, q.suffix = address.HouseNumber(numberKey(a.Number))
	}
	if a.Postcode != "" {
		if id, ok := g.pcIDs[postcodeKey(a.Postcode)]; ok {
			q.pc, q.pcPoint, q.pcName = id, g.postcodes[id-1].p, g.postcodes[id-1].name
		}
	}
	var buf [16]cand
	cs := buf[:0]
	cs = g.roadCandidates(&q, cs)
	cs = g.placeCandidates(&q, cs)
	why := "no road or place of the gazetteer matches"
	if q.roadTried != "" {
		why = "road " + q.roadTried + " not found"
	} else if a.Place != "" {
		why = "place " + a.Place + " not found"
	}
	if len(cs) > 0 {
		why = "the road or place found lies outside the district or town named"
	}
	// The postcode's centroid and the most specific named area compete
	// too: a road of the right name in another town is worse than the
	// town itself.
	if q.pc != 0 {
		cs = append(cs, cand{p: q.pcPoint, prec: PrecisionDistrict, conf: 0.5, score: penPostcode, matched: "postcode " + q.pcName, why: why})
	}
	if q.nlocs > 0 {
		ar := g.areas[q.locs[0]]
		cs = append(cs, cand{p: ar.p, prec: PrecisionDistrict, conf: 0.3, score: penDistrict, matched: ar.name, why: why})
	}
	if len(cs) == 0 {
		if q.anyLoc {
			why += "; no district or town of the gazetteer named either"
		}
		return match{why: why}
	}
	best := 0
	for i := 1; i < len(cs); i++ {
		if cs[i].score < cs[best].score-1e-9 || (math.Abs(cs[i].score-cs[best].score) <= 1e-9 && cs[i].prec < cs[best].prec) {
			best = i
		}
	}
	b := cs[best]
	// Ambiguity: another candidate about as good, somewhere else.
	others := 0
	for i, c := range cs {
		if i != best && c.prec == b.prec && c.score <= b.score+ambiguousGap && geo.DistanceM(c.p, b.p) > ambiguousM {
			others++
		}
	}
	if others > 0 {
		b.conf *= 0.7
		b.matched += " (ambiguous: " + strconv.Itoa(others+1) + " candidates)"
	}
	return match{found: true, p: b.p, prec: b.prec, conf: round2(b.conf), matched: b.matched, why: b.why}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// localities finds the areas the address names, most specific first.
func (q *query) localities(g *Gazetteer) {
	a := q.a
	add := func(name string) {
		if name == "" {
			return
		}
		q.anyLoc = true
		key := address.Key(name)
		ar, ok := g.areas[key]
		if !ok && key != "" && key[0] >= 0x80 {
			// 杭州西湖区 (city without 市): a known area as a suffix.
			for i := 0; i < len(key) && !ok; {
				_, sz := decodeRune(key[i:])
				i += sz
				if len(key)-i < 4 {
					break
				}
				if ar, ok = g.areas[key[i:]]; ok {
					key = key[i:]
				}
			}
		}
		if !ok || q.nlocs == len(q.locs) {
			return
		}
		for _, k := range q.locs[:q.nlocs] {
			if k == key {
				return
			}
		}
		q.locs[q.nlocs] = key
		q.nlocs++
		q.district = q.district || ar.district
	}
	add(a.District)
	add(a.Subdistrict)
	add(a.City)
	if a.Style == address.Chinese {
		add(a.Province)
	}
	// Most specific first: district-level areas before cities.
	sort.SliceStable(q.locs[:q.nlocs], func(i, j int) bool {
		return g.areas[q.locs[i]].district && !g.areas[q.locs[j]].district
	})
	for _, k := range q.locs[:q.nlocs] {
		c := k
		if ar := g.areas[k]; ar.district {
			c = ar.city
		}
		if c != "" && q.ncities < len(q.cities) && !slices.Contains(q.cities[:q.ncities], c) {
			q.cities[q.ncities] = c
			q.ncities++
		}
	}
}

// locPenalty scores a road or place in district distKey of city cityKey
// against the localities the address names.
func (q *query) locPenalty(distKey, cityKey string) float64 {
	if q.nlocs == 0 {
		if q.anyLoc {
			return locUnknown
		}
		return locMatch
	}
	for _, k := range q.locs[:q.nlocs] {
		if k == distKey && distKey != "" {
			return locMatch
		}
	}
	if cityKey == "" && distKey == "" {
		return locNoTown
	}
	for _, k := range q.cities[:q.ncities] {
		if k == cityKey || k == distKey {
			if q.district {
				return locOtherDistrict
			}
			return locMatch
		}
	}
	if q.ncities == 0 {
		return locOtherDistrict // a district of unknown city was named
	}
	return locConflict
}

// roadTexts are the parts of the address that may name its road, with
// whether typos may be corrected in them (only in the road field: a
// business name in Extra must not become a road by one letter).
func (q *query) roadTexts(yield func(text string, typos bool) bool) {
	a := q.a
	if a.Road != "" && !yield(a.Road, true) {
		return
	}
	if a.Extra != "" && !yield(a.Extra, false) {
		return
	}
	if a.Style == address.English {
		for _, t := range []string{a.District, a.Subdistrict, a.Place} {
			if t != "" && !yield(t, false) {
				return
			}
		}
	}
}

// roadCandidates appends a candidate per road whose name matches.
func (g *Gazetteer) roadCandidates(q *query, cs []cand) []cand {
	for text, typos := range q.roadTexts {
		key := address.Key(text)
		if key == "" {
			continue
		}
		if q.roadTried == "" {
			q.roadTried = text
		}
		n0 := len(cs)
		near := false // a candidate in the district or town named
		g.roadNames.lookup(key, func(id int32, name string, cost float64) {
			if cost > costBase && !typos {
				return // a business or town name is a road only if it is one (maybe without its type)
			}
			r := g.roads[id]
			loc := q.locPenalty(r.distKey, r.cityKey)
			if cost > 0 && loc >= locConflict {
				return // a near name in another town is another road
			}
			near = near || loc < locConflict
			cs = append(cs, g.roadCandidate(q, r, cost))
		})
		if near || (len(cs) > n0 && q.nlocs == 0) {
			break // else another part of the address may name a road in the right town
		}
	}
	return cs
}

// roadCandidate evaluates one road for the address: its exact point, an
// interpolation, or the road itself.
func (g *Gazetteer) roadCandidate(q *query, r *road, nameCost float64) cand {
	loc := q.locPenalty(r.distKey, r.cityKey)
	c := cand{}
	if q.num >= 0 {
		if p, exact, ok := r.find(q.num, q.suffix); ok {
			c.p, c.prec, c.conf = p, PrecisionPoint, 1
			c.score = penPoint
			if !exact {
				c.score, c.conf = penSuffixOnly, 0.9
			}
			c.matched = r.label(q.a.Number)
		} else if p, gap, ok := r.interpolate(q.num); ok {
			c.p, c.prec = p, PrecisionInterpolated
			g := math.Min(float64(gap), 400)
			c.conf = 0.85 - 0.35*g/400
			c.score = penInterpolated + 0.2*g/400
			c.matched = r.label(q.a.Number) + " (interpolated)"
			c.why = "no address point for number " + q.a.Number + " on " + r.name
		} else {
			c.prec, c.conf, c.score = PrecisionRoad, 0.5, penRoad
			c.p = r.roadPoint(q)
			c.matched = r.label("")
			c.why = "number " + q.a.Number + " is neither an address point of " + r.name + " nor between two of its numbers"
		}
	} else {
		c.prec, c.conf, c.score = PrecisionRoad, 0.5, penRoad
		c.p = r.roadPoint(q)
		c.matched = r.label("")
		c.why = "the address has no house number"
	}
	if q.pc != 0 && r.hasPostcode(q.pc) {
		loc = math.Max(0, loc-0.1) // the postcode confirms the road's town
		c.score -= 0.05
	}
	c.score += nameCost + loc
	c.conf *= (1 - nameCost) * (1 - loc)
	return c
}

// roadPoint is the road-precision point: among the road's addresses with
// the address's postcode when it has one, else the address point with the
// nearest house number (a number past the last known one is likely past
// its end), else the road's middle.
func (r *road) roadPoint(q *query) orb.Point {
	if q.pc != 0 {
		if p, ok := r.withPostcode(q.pc); ok {
			return p
		}
	}
	if q.num >= 0 && len(r.pts) > 0 {
		i := sort.Search(len(r.pts), func(i int) bool { return int(r.pts[i].num) >= q.num })
		switch {
		case i == len(r.pts):
			i--
		case i > 0 && q.num-int(r.pts[i-1].num) < int(r.pts[i].num)-q.num:
			i--
		}
		return r.pts[i].p
	}
	return r.mid
}

func (r *road) hasPostcode(pc int32) bool {
	for _, ps := range [][]point{r.pts, r.unnumbered} {
		for _, p := range ps {
			if p.pc == pc {
				return true
			}
		}
	}
	return false
}

// label describes a road match: 西湖区文三路88号, or 12 Main Street, Douglas.
func (r *road) label(number string) string {
	var b strings.Builder
	if hasHan(r.name) {
		b.WriteString(r.district)
		b.WriteString(r.name)
		if number != "" {
			b.WriteString(number)
			b.WriteString("号")
		}
		return b.String()
	}
	if number != "" {
		b.WriteString(number)
		b.WriteByte(' ')
	}
	b.WriteString(r.name)
	for _, t := range []string{r.district, r.city} {
		if t != "" {
			b.WriteString(", ")
			b.WriteString(t)
		}
	}
	return b.String()
}

// find returns the address point of number n with suffix suf; exact is
// false when only the number matched (12 for 12A, or 12A for 12).
func (r *road) find(n int, suf string) (orb.Point, bool, bool) {
	i := sort.Search(len(r.pts), func(i int) bool { return int(r.pts[i].num) >= n })
	var first *point
	for ; i < len(r.pts) && int(r.pts[i].num) == n; i++ {
		if r.pts[i].suffix == suf {
			return r.pts[i].p, true, true
		}
		if first == nil {
			first = &r.pts[i]
		}
	}
	if first != nil && (suf == "" || first.suffix == "" || suf[0] != '-') {
		return first.p, false, true
	}
	return orb.Point{}, false, false
}

// placeCandidates appends a candidate per named place whose name matches.
func (g *Gazetteer) placeCandidates(q *query, cs []cand) []cand {
	texts := [2]string{q.a.Place, ""}
	if q.a.Style == address.Chinese && q.a.Road == "" {
		texts[1] = q.a.Extra
	}
	for _, t := range texts {
		key := address.Key(t)
		if key == "" {
			continue
		}
		roadKey := address.Key(q.a.Road)
		n0 := len(cs)
		g.placeNames.lookup(key, func(id int32, name string, cost float64) {
			pl := g.places[id]
			loc := q.locPenalty(pl.distKey, pl.cityKey)
			c := cand{p: pl.p, prec: PrecisionPlace, conf: 0.9, score: penPlace + cost + loc, matched: pl.name}
			if roadKey != "" && roadKey == pl.street {
				c.score -= 0.05
			}
			c.conf *= (1 - cost) * (1 - loc)
			c.why = "no address point for the house number"
			cs = append(cs, c)
		})
		if len(cs) > n0 {
			break
		}
	}
	return cs
}
