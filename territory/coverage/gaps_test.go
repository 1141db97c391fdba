package coverage

import (
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
)

func TestParseWeights(t *testing.T) {
	tests := []struct {
		raw   string
		check func(w Weights) bool
		bad   string // part of the error, "" when valid
	}{
		{"", func(w Weights) bool { return w.Stage[funnel.Intent] == 3 && w.Size[territory.SizeLarge] == 4 }, ""},
		{"stage.target=2,size.small=1.5", func(w Weights) bool {
			return w.Stage[funnel.Target] == 2 && w.Size[territory.SizeSmall] == 1.5 && w.Stage[funnel.List] == 1.5
		}, ""},
		{" stage.意向 = 7 , size.unknown=0", func(w Weights) bool { return w.Stage[funnel.Intent] == 7 && w.Size[""] == 0 }, ""},
		{"stage.target", nil, "item 1"},
		{"stage.target=1,stage.vip=2", nil, `item 2 ("stage.vip=2"): unknown stage "vip"`},
		{"size.huge=2", nil, "unknown size"},
		{"colour.red=1", nil, "want stage.<stage> or size.<size>"},
		{"stage.target=-1", nil, "from 0 to 1000"},
		{"stage.target=NaN", nil, "from 0 to 1000"},
		{"stage.target=1e9", nil, "from 0 to 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			w, err := ParseWeights(tt.raw)
			if tt.bad != "" {
				var fe *territory.FieldError
				if !errors.As(err, &fe) || fe.Field != "weights" || !containsStr(err.Error(), tt.bad) {
					t.Errorf("error %v, want a weights FieldError saying %q", err, tt.bad)
				}
				return
			}
			if err != nil || !tt.check(w) {
				t.Errorf("weights %v, error %v", w, err)
			}
			again, err := ParseWeights(w.String())
			if err != nil || again.String() != w.String() {
				t.Errorf("round trip: %q → %q (%v)", w.String(), again.String(), err)
			}
		})
	}
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// Gaps counts the uncovered customers per cell with their weights; covered
// customers and customers out of scope are not in it.
func TestGaps(t *testing.T) {
	c := center
	far := geo.Offset(c, 3000, 0)
	mk := func(id int64, p orb.Point, st funnel.Stage, size territory.Size) territory.CustomerLocation {
		l := loc(id, p)
		l.Stage, l.Size = st, size
		return l
	}
	in := Input{
		Customers: []territory.CustomerLocation{
			mk(1, c, funnel.Intent, territory.SizeLarge),                           // covered
			mk(2, geo.Offset(far, 5, 5), funnel.Intent, territory.SizeLarge),       // 3 × 4
			mk(3, geo.Offset(far, -5, 5), funnel.Target, ""),                       // 1 × 1
			mk(4, geo.Offset(far, 2, -3), funnel.Lost, territory.SizeMicro),        // 0.5 × 1
			mk(5, geo.Offset(c, -4000, 0), funnel.Potential, territory.SizeMedium), // 2 × 2.5, elsewhere
		},
		Resources: []*territory.Resource{{ID: 1, Name: "r", Kind: "k", Status: territory.ResourceExisting, Geometry: c, RadiusM: 100}},
	}
	a := mustNew(t, in)
	d := day("2026-11-26")
	for res := MinGapRes; res <= MaxGapRes; res++ {
		gaps, err := a.Gaps(d, res, Scope{}, DefaultWeights())
		if err != nil {
			t.Fatal(err)
		}
		farCell := geo.Cell(far, res)
		var n int
		var w float64
		for _, g := range gaps {
			n += g.Uncovered
			w += g.Weight
			if g.Cell.Resolution() != res {
				t.Errorf("res %d: cell %v of resolution %d", res, g.Cell, g.Cell.Resolution())
			}
			if g.Cell == farCell && (g.Uncovered != 3 || math.Abs(g.Weight-13.5) > 1e-9) {
				t.Errorf("res %d: the far cell has %d / %.2f, want 3 / 13.5", res, g.Uncovered, g.Weight)
			}
		}
		if n != 4 || math.Abs(w-18.5) > 1e-9 {
			t.Errorf("res %d: %d uncovered weighing %.2f, want 4 and 18.5", res, n, w)
		}
	}
	// A box around the far customers keeps only them; custom weights apply.
	b := orb.Bound{Min: geo.Offset(far, -50, -50), Max: geo.Offset(far, 50, 50)}
	w, _ := ParseWeights("stage.intent=10")
	gaps, err := a.Gaps(d, 10, Scope{Bound: &b}, w)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, g := range gaps {
		sum += g.Weight
	}
	if math.Abs(sum-(40+1+0.5)) > 1e-9 {
		t.Errorf("box: weight %.2f, want 41.5", sum)
	}
	for _, res := range []int{6, 11} {
		if _, err := a.Gaps(d, res, Scope{}, DefaultWeights()); !errors.Is(err, territory.ErrInvalid) {
			t.Errorf("res %d: %v", res, err)
		}
	}
	// A planned resource takes its customers out of the gap map (they are
	// planned, not uncovered); from its date on they count as existing.
	in.Resources = append(in.Resources, &territory.Resource{ID: 2, Name: "p", Kind: "k", Status: territory.ResourcePlanned,
		ExpectedDate: datePtr("2027-06-30"), Cells: []h3.Cell{geo.Cell(far, 8)}})
	a = mustNew(t, in)
	if gs, _ := a.Gaps(day("2027-06-29"), 9, Scope{}, DefaultWeights()); count(gs) != 1 {
		t.Errorf("with the planned resource: %d uncovered, want 1", count(gs))
	}
	for _, tt := range []struct {
		asOf string
		want [NumStatuses]int
	}{{"2027-06-29", [NumStatuses]int{1, 0, 3, 1}}, {"2027-06-30", [NumStatuses]int{4, 0, 0, 1}}} {
		s, _ := a.Summary(day(tt.asOf), LevelProvince, 0)
		if got := s.Total.Cube.ByStatus(); got != tt.want {
			t.Errorf("as of %s: %v, want %v", tt.asOf, got, tt.want)
		}
	}
}

func count(gs []Gap) int {
	n := 0
	for _, g := range gs {
		n += g.Uncovered
	}
	return n
}
