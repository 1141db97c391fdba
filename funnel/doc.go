// Package funnel is the six-step sales method (清单制六步销售法): the stages a
// customer moves through (target → list → potential → intent → order →
// in_network, with lost and churned as outcomes), the exclusive claims (报备)
// that put a customer on one manager's list, and the sales activities and
// opportunity signals (商机) that keep a claim alive.
//
// funnel is domain only: it declares the store interfaces it needs and knows
// nothing of databases or HTTP.
package funnel
