package geocode

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"gridplan/geo"
	"gridplan/geo/address"
)

// Gazetteer is the offline geocoder's index: address points grouped by
// road, named places, road centre lines, district (and locality) centroids
// and postcode centroids, with name indexes that tolerate small typos.
// Build one with NewGazetteer or a Builder; it is never modified after,
// so any number of goroutines may read it at once.
type Gazetteer struct {
	roads      []*road
	roadNames  nameIndex
	places     []*place
	placeNames nameIndex
	areas      map[string]*area // locality key → centroid
	areaKeys   []string         // keys of areas, for suffix search
	postcodes  []postcode       // id-1 → postcode
	pcIDs      map[string]int32 // postcode key → id
	stats      Stats
}

// Stats counts what a gazetteer holds.
type Stats struct {
	Addresses int // address points
	Places    int // named places
	Roads     int // roads (one per name and district or town)
	Lines     int // road centre lines
	Areas     int // districts, cities and localities with a centroid
	Postcodes int
}

// Stats returns the gazetteer's counts.
func (g *Gazetteer) Stats() Stats { return g.stats }

// road is one named road in one district or town: its address points
// sorted by house number, its centre lines and a representative point.
type road struct {
	name, district, city  string // as first seen
	key, distKey, cityKey string
	lines                 []*line
	pts                   []point // numbered, by (num, suffix)
	unnumbered            []point // address points without a number
	mid                   orb.Point
	hasMid                bool
}

// point is an address point of a road.
type point struct {
	num    int32
	pc     int32  // postcode id, 0 = none
	suffix string // lower case: "a" of 12A, "-1" of 88-1
	p      orb.Point
}

// place is a named place.
type place struct {
	name, key        string
	number, street   string
	distKey, cityKey string
	p                orb.Point
}

// area is a district, city or locality centroid: given (KindDistrict) or
// the mean of its address points.
type area struct {
	name     string
	p        orb.Point
	given    bool
	sumX     float64
	sumY     float64
	n        int
	district bool   // a district-level name (more specific than a city)
	city     string // for a district: the key of its city, as first seen
}

type postcode struct {
	name       string
	sumX, sumY float64
	n          int
	p          orb.Point
}

// Builder collects entries into a Gazetteer. The zero value is not ready:
// use NewBuilder.
type Builder struct {
	g      *Gazetteer
	byKey  map[roadKey]int32
	n      int // entries added
	places map[string]bool
}

type roadKey struct{ name, dist, city string }

// NewBuilder returns an empty builder.
func NewBuilder() *Builder {
	return &Builder{
		g: &Gazetteer{
			roadNames:  newNameIndex(),
			placeNames: newNameIndex(),
			areas:      map[string]*area{},
			pcIDs:      map[string]int32{},
		},
		byKey:  map[roadKey]int32{},
		places: map[string]bool{},
	}
}

// NewGazetteer builds a gazetteer from entries. It fails on the first
// invalid entry, naming its index and field.
func NewGazetteer(entries []Entry) (*Gazetteer, error) {
	b := NewBuilder()
	for i := range entries {
		if err := b.Add(entries[i]); err != nil {
			return nil, fmt.Errorf("gazetteer entry %d: %w", i, err)
		}
	}
	return b.Build(), nil
}

// EntryError is an invalid gazetteer entry.
type EntryError struct {
	Field  string
	Reason string
}

func (e *EntryError) Error() string { return e.Field + ": " + e.Reason }

func invalid(field, format string, args ...any) error {
	return &EntryError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// validPoint checks a WGS-84 point.
func validPoint(field string, p orb.Point) error {
	switch {
	case math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0):
		return invalid(field, "coordinate is not a number: %v", p)
	case p[0] < -180 || p[0] > 180:
		return invalid(field, "longitude %g outside -180…180", p[0])
	case p[1] < -90 || p[1] > 90:
		return invalid(field, "latitude %g outside -90…90", p[1])
	}
	return nil
}

// Add adds one entry. Address points need a street and a point; places a
// name and a point; roads a street and a line of at least two points;
// districts a name (or district or city) and a point.
func (b *Builder) Add(e Entry) error {
	g := b.g
	b.n++
	switch e.Kind {
	case KindAddress:
		p, ok := e.Geometry.(orb.Point)
		if !ok {
			return invalid("geometry", "an address needs a point, got %s", geomName(e.Geometry))
		}
		if err := validPoint("geometry", p); err != nil {
			return err
		}
		if strings.TrimSpace(e.Street) == "" {
			return invalid("street", "is required for an address point")
		}
		r := b.road(e.Street, e.District, e.City)
		pt := point{num: -1, p: p}
		if e.Postcode != "" {
			pt.pc = b.postcode(e.Postcode, p)
		}
		if num := strings.TrimSpace(e.Number); num != "" {
			n, suf := address.HouseNumber(numberKey(num))
			if n >= 0 {
				pt.num, pt.suffix = int32(n), suf
			}
		}
		if pt.num >= 0 {
			r.pts = append(r.pts, pt)
		} else {
			r.unnumbered = append(r.unnumbered, pt)
		}
		if da := b.addToArea(e.District, true, p); da != nil && da.city == "" {
			da.city = address.Key(e.City)
		}
		b.addToArea(e.City, false, p)
		g.stats.Addresses++
	case KindPlace:
		p, ok := e.Geometry.(orb.Point)
		if !ok {
			return invalid("geometry", "a place needs a point, got %s", geomName(e.Geometry))
		}
		if err := validPoint("geometry", p); err != nil {
			return err
		}
		key := address.Key(e.Name)
		if key == "" {
			return invalid("name", "is required for a place")
		}
		pl := &place{name: e.Name, key: key, number: numberKey(e.Number), street: address.Key(e.Street),
			distKey: address.Key(e.District), cityKey: address.Key(e.City), p: p}
		g.placeNames.add(key, int32(len(g.places)))
		g.places = append(g.places, pl)
		g.stats.Places++
	case KindRoad:
		ls, ok := e.Geometry.(orb.LineString)
		if !ok {
			return invalid("geometry", "a road needs a line string, got %s", geomName(e.Geometry))
		}
		if len(ls) < 2 {
			return invalid("geometry", "a road line needs at least 2 points, got %d", len(ls))
		}
		for i, p := range ls {
			if err := validPoint(fmt.Sprintf("geometry point %d", i), p); err != nil {
				return err
			}
		}
		if strings.TrimSpace(e.Street) == "" {
			return invalid("street", "is required for a road")
		}
		r := b.road(e.Street, e.District, e.City)
		r.lines = append(r.lines, newLine(ls))
		g.stats.Lines++
	case KindDistrict:
		p, ok := e.Geometry.(orb.Point)
		if !ok {
			return invalid("geometry", "a district needs its centroid as a point, got %s", geomName(e.Geometry))
		}
		if err := validPoint("geometry", p); err != nil {
			return err
		}
		name, isDistrict := e.Name, true
		if name == "" {
			name = e.District
		}
		if name == "" {
			name, isDistrict = e.City, false
		}
		key := address.Key(name)
		if key == "" {
			return invalid("name", "is required for a district")
		}
		a := b.area(key, name, isDistrict)
		a.p, a.given = p, true
		if isDistrict && a.city == "" {
			a.city = address.Key(e.City)
		}
	default:
		return invalid("kind", "unknown kind %q (want address, place, road or district)", e.Kind)
	}
	return nil
}

func geomName(g orb.Geometry) string {
	if g == nil {
		return "nothing"
	}
	return g.GeoJSONType()
}

// numberKey is the matching form of a house number: lower case, no spaces.
func numberKey(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ' ' || (c >= 'A' && c <= 'Z') {
			return strings.ToLower(strings.ReplaceAll(s, " ", ""))
		}
	}
	return s
}

func (b *Builder) road(street, district, city string) *road {
	k := roadKey{address.Key(street), address.Key(district), address.Key(city)}
	if id, ok := b.byKey[k]; ok {
		return b.g.roads[id]
	}
	r := &road{name: strings.TrimSpace(street), district: district, city: city, key: k.name, distKey: k.dist, cityKey: k.city}
	b.byKey[k] = int32(len(b.g.roads))
	b.g.roads = append(b.g.roads, r)
	return r
}

func (b *Builder) area(key, name string, district bool) *area {
	a := b.g.areas[key]
	if a == nil {
		a = &area{name: name, district: district}
		b.g.areas[key] = a
	}
	a.district = a.district || district
	return a
}

func (b *Builder) addToArea(name string, district bool, p orb.Point) *area {
	if name == "" {
		return nil
	}
	key := address.Key(name)
	if key == "" {
		return nil
	}
	a := b.area(key, name, district)
	a.sumX += p[0]
	a.sumY += p[1]
	a.n++
	return a
}

func (b *Builder) postcode(name string, p orb.Point) int32 {
	key := postcodeKey(name)
	if key == "" {
		return 0
	}
	id, ok := b.g.pcIDs[key]
	if !ok {
		b.g.postcodes = append(b.g.postcodes, postcode{name: strings.TrimSpace(name)})
		id = int32(len(b.g.postcodes))
		b.g.pcIDs[key] = id
	}
	pc := &b.g.postcodes[id-1]
	pc.sumX += p[0]
	pc.sumY += p[1]
	pc.n++
	return id
}

// postcodeKey is a postcode in upper case without spaces.
func postcodeKey(s string) string {
	var buf [16]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		if n == len(buf) {
			return strings.ToUpper(strings.ReplaceAll(s, " ", ""))
		}
		buf[n] = c
		n++
	}
	return string(buf[:n])
}

// Build finishes the gazetteer: sorts address points, merges roads known
// without a town into the road of that name nearby, computes centroids and
// builds the name indexes. The builder must not be used afterwards.
func (b *Builder) Build() *Gazetteer {
	g := b.g
	b.mergeTownless()
	for i, r := range g.roads {
		if r == nil {
			continue
		}
		slices.SortStableFunc(r.pts, func(x, y point) int {
			if c := cmp.Compare(x.num, y.num); c != 0 {
				return c
			}
			return strings.Compare(x.suffix, y.suffix)
		})
		r.mid, r.hasMid = r.representative()
		g.roadNames.add(r.key, int32(i))
		g.stats.Roads++
	}
	for key, a := range g.areas {
		if !a.given {
			if a.n == 0 {
				delete(g.areas, key)
				continue
			}
			a.p = orb.Point{a.sumX / float64(a.n), a.sumY / float64(a.n)}
		}
		g.areaKeys = append(g.areaKeys, key)
	}
	slices.Sort(g.areaKeys)
	g.stats.Areas = len(g.areas)
	for i := range g.postcodes {
		pc := &g.postcodes[i]
		pc.p = orb.Point{pc.sumX / float64(pc.n), pc.sumY / float64(pc.n)}
	}
	g.stats.Postcodes = len(g.postcodes)
	g.roadNames.finish()
	g.placeNames.finish()
	b.g = nil
	return g
}

// mergeTownless folds a road known without district or town (an address
// point whose town was left out) into the road of the same name with a
// town nearest to it, within 3 km; several roads of one name in different
// towns stay apart.
func (b *Builder) mergeTownless() {
	g := b.g
	byName := map[string][]int{}
	for i, r := range g.roads {
		byName[r.key] = append(byName[r.key], i)
	}
	var keep []*road
	for i, r := range g.roads {
		if r.distKey != "" || r.cityKey != "" || len(byName[r.key]) < 2 {
			continue
		}
		c, ok := r.centroid()
		if !ok {
			continue
		}
		best, bestD := -1, 3000.0
		for _, j := range byName[r.key] {
			o := g.roads[j]
			if j == i || o == nil || (o.distKey == "" && o.cityKey == "") {
				continue
			}
			if oc, ok := o.centroid(); ok {
				if d := geo.DistanceM(c, oc); d < bestD {
					best, bestD = j, d
				}
			}
		}
		if best >= 0 {
			o := g.roads[best]
			o.pts = append(o.pts, r.pts...)
			o.unnumbered = append(o.unnumbered, r.unnumbered...)
			o.lines = append(o.lines, r.lines...)
			g.roads[i] = nil
		}
	}
	for _, r := range g.roads {
		if r != nil {
			keep = append(keep, r)
		}
	}
	g.roads = keep
}

// centroid is the mean of a road's points (or line vertices).
func (r *road) centroid() (orb.Point, bool) {
	var x, y float64
	n := 0
	for _, ps := range [][]point{r.pts, r.unnumbered} {
		for _, p := range ps {
			x += p.p[0]
			y += p.p[1]
			n++
		}
	}
	if n == 0 {
		for _, l := range r.lines {
			for _, p := range l.pts {
				x += p[0]
				y += p[1]
				n++
			}
		}
	}
	if n == 0 {
		return orb.Point{}, false
	}
	return orb.Point{x / float64(n), y / float64(n)}, true
}

// representative is where a road-precision result lands: the middle of its
// longest line, else the address point nearest the mean of its points.
func (r *road) representative() (orb.Point, bool) {
	var best *line
	for _, l := range r.lines {
		if best == nil || l.length() > best.length() {
			best = l
		}
	}
	if best != nil {
		return best.at(best.length()/2, 0), true
	}
	c, ok := r.centroid()
	if !ok {
		return orb.Point{}, false
	}
	return r.nearest(c, 0), true
}

// nearest returns the road's address point nearest c, among those with
// postcode pc when pc is not 0 (and all when none has it).
func (r *road) nearest(c orb.Point, pc int32) orb.Point {
	best, bestD := c, math.Inf(1)
	for _, ps := range [][]point{r.pts, r.unnumbered} {
		for _, p := range ps {
			if pc != 0 && p.pc != pc {
				continue
			}
			if d := sqDist(c, p.p); d < bestD {
				best, bestD = p.p, d
			}
		}
	}
	if math.IsInf(bestD, 1) && pc != 0 {
		return r.nearest(c, 0)
	}
	return best
}

// sqDist is a squared distance in degrees with longitude scaled by the
// cosine of the latitude: enough to compare nearby points.
func sqDist(a, b orb.Point) float64 {
	k := math.Cos(a[1] * math.Pi / 180)
	dx, dy := (a[0]-b[0])*k, a[1]-b[1]
	return dx*dx + dy*dy
}

// withPostcode returns the medoid-like point of the road's address points
// with postcode pc: the one nearest their mean. False when none has it.
func (r *road) withPostcode(pc int32) (orb.Point, bool) {
	var x, y float64
	n := 0
	for _, ps := range [][]point{r.pts, r.unnumbered} {
		for _, p := range ps {
			if p.pc == pc {
				x += p.p[0]
				y += p.p[1]
				n++
			}
		}
	}
	if n == 0 {
		return orb.Point{}, false
	}
	return r.nearest(orb.Point{x / float64(n), y / float64(n)}, pc), true
}
