package coverage

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gridplan/funnel"
	"gridplan/territory"
)

// Weights value an uncovered customer for the gap map and for site
// suggestions: his stage's weight times his size's. A stage or size
// missing from the maps weighs 1; a stage the store holds but funnel does
// not know weighs 1 too.
type Weights struct {
	Stage map[funnel.Stage]float64
	// Size is keyed by size; the key "" is a customer of unknown size.
	Size map[territory.Size]float64
}

// DefaultWeights are the weights when the caller gives none. Stages: a
// customer further down the funnel is worth more to reach (an intent or an
// order waiting for a line is revenue waiting), in-network customers still
// count (they can be upsold once reached), lost and churned ones count
// half:
//
//	target 1, list 1.5, potential 2, intent 3, order 3, in_network 1, lost 0.5, churned 0.5
//
// Sizes: roughly the lines a business of that class buys, relative to a
// micro business: micro 1, small 1.5, medium 2.5, large 4, unknown 1.
func DefaultWeights() Weights {
	return Weights{
		Stage: map[funnel.Stage]float64{
			funnel.Target: 1, funnel.List: 1.5, funnel.Potential: 2, funnel.Intent: 3, funnel.Order: 3,
			funnel.InNetwork: 1, funnel.Lost: 0.5, funnel.Churned: 0.5,
		},
		Size: map[territory.Size]float64{
			"": 1, territory.SizeMicro: 1, territory.SizeSmall: 1.5, territory.SizeMedium: 2.5, territory.SizeLarge: 4,
		},
	}
}

// MaxWeight bounds one weight.
const MaxWeight = 1000

// ParseWeights reads "stage.target=1,stage.list=2,size.small=1.5,
// size.unknown=1" on top of DefaultWeights (stages by their code or
// Chinese name, sizes by code or "unknown"). A bad item is a FieldError
// on "weights" naming it.
func ParseWeights(raw string) (Weights, error) {
	w := DefaultWeights()
	if strings.TrimSpace(raw) == "" {
		return w, nil
	}
	for i, item := range strings.Split(raw, ",") {
		bad := func(format string, args ...any) error {
			return territory.Invalid("weights", "item %d (%q): %s", i+1, item, fmt.Sprintf(format, args...))
		}
		name, val, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return w, bad("want name=value, e.g. stage.intent=3 or size.large=4")
		}
		x, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 || x > MaxWeight {
			return w, bad("the weight must be a number from 0 to %d", MaxWeight)
		}
		dim, key, _ := strings.Cut(strings.TrimSpace(name), ".")
		switch dim {
		case "stage":
			st, err := funnel.ParseStage(key)
			if err != nil {
				return w, bad("unknown stage %q", key)
			}
			w.Stage[st] = x
		case "size":
			if key == "unknown" {
				w.Size[""] = x
				continue
			}
			if sizeIndex(territory.Size(key)) == 0 {
				return w, bad("unknown size %q (want micro, small, medium, large or unknown)", key)
			}
			w.Size[territory.Size(key)] = x
		default:
			return w, bad("want stage.<stage> or size.<size>, got %q", name)
		}
	}
	return w, nil
}

// String writes the weights in ParseWeights's form, stages and sizes in
// their canonical order.
func (w Weights) String() string {
	var parts []string
	for _, st := range funnel.Stages {
		if x, ok := w.Stage[st]; ok {
			parts = append(parts, "stage."+string(st)+"="+strconv.FormatFloat(x, 'g', -1, 64))
		}
	}
	for _, sz := range append([]territory.Size{""}, territory.Sizes...) {
		if x, ok := w.Size[sz]; ok {
			name := string(sz)
			if sz == "" {
				name = "unknown"
			}
			parts = append(parts, "size."+name+"="+strconv.FormatFloat(x, 'g', -1, 64))
		}
	}
	return strings.Join(parts, ",")
}

// table is the weight of every (cube key, size index): stage weight ×
// size weight.
type weightTable [NumStages * NumCarriers][NumSizes]float64

func (w Weights) table() *weightTable {
	var t weightTable
	for key := range t {
		st := key / NumCarriers
		sw := 1.0
		if st < OtherStage {
			if x, ok := w.Stage[funnel.Stages[st]]; ok {
				sw = x
			}
		}
		for sz := range t[key] {
			zw := 1.0
			var s territory.Size
			if sz > 0 {
				s = territory.Sizes[sz-1]
			}
			if x, ok := w.Size[s]; ok {
				zw = x
			}
			t[key][sz] = sw * zw
		}
	}
	return &t
}
