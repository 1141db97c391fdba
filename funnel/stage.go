package funnel

import "fmt"

// Stage is where a customer stands in the six-step method.
type Stage string

// The six steps, in order, then the two outcomes.
const (
	Target    Stage = "target"     // 目标客户: visited, basic facts known
	List      Stage = "list"       // 清单客户: claimed into one manager's list
	Potential Stage = "potential"  // 潜在客户: an opportunity signal was seen
	Intent    Stage = "intent"     // 意向客户: a concrete requirement was stated
	Order     Stage = "order"      // 订单客户: an order was signed
	InNetwork Stage = "in_network" // 在网客户: service active
	Lost      Stage = "lost"       // 流失(未成交): dropped out before activation
	Churned   Stage = "churned"    // 离网: left after being in network
)

// Steps are the six steps in funnel order.
var Steps = []Stage{Target, List, Potential, Intent, Order, InNetwork}

// Stages are all stages, steps first, then outcomes.
var Stages = []Stage{Target, List, Potential, Intent, Order, InNetwork, Lost, Churned}

var stageLabelZH = map[Stage]string{
	Target: "目标客户", List: "清单客户", Potential: "潜在客户", Intent: "意向客户",
	Order: "订单客户", InNetwork: "在网客户", Lost: "流失客户", Churned: "离网客户",
}

// ParseStage accepts the English code or the Chinese name (目标, 目标客户 …).
func ParseStage(s string) (Stage, error) {
	for _, st := range Stages {
		zh := stageLabelZH[st]
		if s == string(st) || s == zh || s+"客户" == zh {
			return st, nil
		}
	}
	return "", &FieldError{Field: "stage", Reason: fmt.Sprintf("unknown stage %q (want one of target, list, potential, intent, order, in_network, lost, churned)", s)}
}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return s.Index() >= 0 }

// Index is the position of s in Stages, or -1.
func (s Stage) Index() int {
	for i, st := range Stages {
		if st == s {
			return i
		}
	}
	return -1
}

// Step is the 1-based step number (target 1 … in_network 6), 0 for outcomes.
func (s Stage) Step() int {
	if i := s.Index(); i >= 0 && i < len(Steps) {
		return i + 1
	}
	return 0
}

// LabelZH is the Chinese name used on screens and reports.
func (s Stage) LabelZH() string { return stageLabelZH[s] }

// Claimed reports whether a customer at stage s is normally on a manager's
// list (list through order). Which stages count toward quotas becomes
// configuration with the claims capability.
func (s Stage) Claimed() bool {
	return s == List || s == Potential || s == Intent || s == Order
}
