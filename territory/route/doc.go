// Package route plans a customer manager's canvassing (扫楼/扫街): which of
// his customers to visit today and in what order (Day), and how to spread
// his list over the working days of a week or two (Week).
//
// A day route is an orienteering problem with time windows: every customer
// has a priority (funnel.Priority: stage, signals, a lapsing claim, days
// since the last contact, an expiring competitor contract), a service time
// (by stage) and business hours (by industry, see Hours); the manager has a
// start point, an optional end point, a start time, a time budget and a
// travel mode (walk, e-bike, car: a speed and a detour factor over the
// straight line). Day maximises the priority collected within the budget,
// then minimises the time: greedy insertions (by priority over extra time,
// and by priority alone, the baseline DayGreedy), then an iterated local
// search (2-opt and or-opt inside the route; insert, remove and swap with
// the customers left out) until its iterations or its time limit run out.
// It is deterministic for a seed whenever the iterations end first.
//
// Travel times come from a Matrix: Straight (haversine × detour ÷ speed,
// the default) or OSRM (the table service of an OSRM server).
//
// The subpackages (tsp, op, vrptw) hold the solvers measured on the
// published benchmarks (TSPLIB, orienteering, Solomon); this package does
// not depend on them.
package route
