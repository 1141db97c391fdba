package coverage

import (
	"cmp"
	"slices"

	"gridplan/territory"
)

// Cube counts customers by coverage status × funnel stage (StageIndex) ×
// carrier (CarrierIndex): everything a report row shows is a sum of it.
type Cube [NumStatuses][NumStages][NumCarriers]int

// Customers is the number of customers counted.
func (c *Cube) Customers() int {
	n := 0
	for _, x := range c.ByStatus() {
		n += x
	}
	return n
}

// ByStatus counts the customers per coverage status.
func (c *Cube) ByStatus() [NumStatuses]int {
	var out [NumStatuses]int
	for s := range c {
		for st := range c[s] {
			for _, n := range c[s][st] {
				out[s] += n
			}
		}
	}
	return out
}

// Attack counts the competitors' customers inside existing coverage: the
// attack list.
func (c *Cube) Attack() int {
	n := 0
	for st := range c[Existing] {
		n += c[Existing][st][CarrierIndex(territory.CarrierCompetitor)]
	}
	return n
}

// Funnel counts the customers per funnel stage.
func (c *Cube) Funnel() [NumStages]int {
	var out [NumStages]int
	for s := range c {
		for st := range c[s] {
			for _, n := range c[s][st] {
				out[st] += n
			}
		}
	}
	return out
}

// ByStage counts the customers per stage and status.
func (c *Cube) ByStage() [NumStages][NumStatuses]int {
	var out [NumStages][NumStatuses]int
	for s := range c {
		for st := range c[s] {
			for _, n := range c[s][st] {
				out[st][s] += n
			}
		}
	}
	return out
}

// ByCarrier counts the customers per carrier and status.
func (c *Cube) ByCarrier() [NumCarriers][NumStatuses]int {
	var out [NumCarriers][NumStatuses]int
	for s := range c {
		for st := range c[s] {
			for ca, n := range c[s][st] {
				out[ca][s] += n
			}
		}
	}
	return out
}

// Add adds x to c.
func (c *Cube) Add(x *Cube) {
	for s := range c {
		for st := range c[s] {
			for ca := range c[s][st] {
				c[s][st][ca] += x[s][st][ca]
			}
		}
	}
}

// sub subtracts x from c.
func (c *Cube) sub(x *Cube) {
	for s := range c {
		for st := range c[s] {
			for ca := range c[s][st] {
				c[s][st][ca] -= x[s][st][ca]
			}
		}
	}
}

// addFlat adds one of the view's flat cubes.
func (c *Cube) addFlat(f []int32) {
	for s := range c {
		for st := range c[s] {
			for ca := range c[s][st] {
				c[s][st][ca] += int(f[s*keyLen+st*NumCarriers+ca])
			}
		}
	}
}

// Level is what a report's rows are.
type Level string

// Levels.
const (
	LevelProvince Level = "province"
	LevelDistrict Level = "district"
	LevelGrid     Level = "grid"
)

// Levels lists every level, widest first.
var Levels = []Level{LevelProvince, LevelDistrict, LevelGrid}

// ParseLevel reads a level; a bad one is a FieldError on "level".
func ParseLevel(raw string) (Level, error) {
	for _, l := range Levels {
		if string(l) == raw {
			return l, nil
		}
	}
	return "", territory.Invalid("level", "unknown level %q (want province, district or grid)", raw)
}

// Row is one grid, district or province of a report. Provinces have no id
// or code (their name is the districts' Province); DistrictID is set on
// grid rows.
type Row struct {
	ID         int64
	Code       string
	Name       string
	DistrictID int64
	Cube       Cube
}

// Summary is a coverage report at one level as of one day. Total counts
// every customer in scope (all, or one district's); Outside those of them
// in no row (in no grid at grid level, in no district otherwise), so that
// the rows and Outside add up to Total.
type Summary struct {
	AsOf    Date
	Level   Level
	Rows    []Row
	Total   Row
	Outside Cube
}

// Summary reports customers by coverage status × stage × carrier, one row
// per province, district or grid (every one, also empty ones), as of day
// asOf. districtID not 0 narrows it to that district: its own row, its
// grids, or its province's row counting only its customers.
func (a *Analyzer) Summary(asOf Date, level Level, districtID int64) (*Summary, error) {
	if _, err := ParseLevel(string(level)); err != nil {
		return nil, err
	}
	scope := int32(-1)
	if districtID != 0 {
		d, ok := a.districtOf[districtID]
		if !ok {
			return nil, territory.NotFound("district", districtID)
		}
		scope = d
	}
	s := &Summary{AsOf: asOf, Level: level, Rows: []Row{}}
	a.read(asOf, func(v *view) {
		distCube := func(d int) *Cube { // d: 1 + district index, 0: none
			var c Cube
			c.addFlat(v.dist[d*cubeLen : (d+1)*cubeLen])
			return &c
		}
		if scope >= 0 {
			s.Total.Cube = *distCube(int(scope) + 1)
			s.Total.ID, s.Total.Code, s.Total.Name = a.districts[scope].id, a.districts[scope].code, a.districts[scope].name
		} else {
			for d := 0; d <= len(a.districts); d++ {
				s.Total.Cube.Add(distCube(d))
			}
		}
		switch level {
		case LevelProvince:
			for _, p := range a.provinces {
				row := Row{Name: p}
				for i, d := range a.districts {
					if d.province == p && (scope < 0 || int32(i) == scope) {
						row.Cube.Add(distCube(i + 1))
					}
				}
				if scope < 0 || a.districts[scope].province == p {
					s.Rows = append(s.Rows, row)
				}
			}
		case LevelDistrict:
			for i, d := range a.districts {
				if scope < 0 || int32(i) == scope {
					s.Rows = append(s.Rows, Row{ID: d.id, Code: d.code, Name: d.name, Cube: *distCube(i + 1)})
				}
			}
		case LevelGrid:
			for i, g := range a.grids {
				if scope >= 0 && g.district != scope+1 {
					continue
				}
				row := Row{ID: g.id, Code: g.code, Name: g.name}
				if g.district > 0 {
					row.DistrictID = a.districts[g.district-1].id
				}
				row.Cube.addFlat(v.grid[(i+1)*cubeLen : (i+2)*cubeLen])
				s.Rows = append(s.Rows, row)
			}
		}
	})
	s.Outside = s.Total.Cube
	for i := range s.Rows {
		s.Outside.sub(&s.Rows[i].Cube)
	}
	slices.SortStableFunc(s.Rows, func(x, y Row) int {
		return cmp.Or(cmp.Compare(x.Code, y.Code), cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID))
	})
	return s, nil
}
