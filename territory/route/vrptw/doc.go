// Package vrptw solves the vehicle routing problem with time windows on
// Solomon's benchmark instances: read an instance in Solomon's original text
// format, then, for a fleet of K vehicles of the instance's capacity, find
// routes from the depot that serve every customer once, within his time
// window and the vehicles' capacity, and minimise the total distance.
//
// Distances are Euclidean and not rounded; travel time equals distance, as
// the literature reports results. A vehicle leaves the depot at the depot's
// ready time, waits when it arrives before a customer's ready time, must
// start serving him by his due date, and must be back at the depot by the
// depot's due date.
//
// The solver builds a solution by greedy insertion and improves it with
// slack induction by string removals (SISR, Christiaens and Vanden Berghe,
// 2020): ruin removes a few strings of customers that are close to each
// other from different routes, recreate reinserts them greedily in a random
// order with blinks, and simulated annealing decides which results to keep.
// One step in ten exchanges two routes' tails instead (2-opt*), which moves
// whole groups of customers when the routes have no slack for single ones.
// Up to eight short annealing chains from different starts compete for the
// second half of the budget. While some customers cannot be placed in K
// routes the solver first minimises their number (with absence counters,
// as SISR's fleet minimisation). Check verifies any solution. It is
// deterministic for a seed and an iteration budget, and anytime: a time
// limit or a cancelled context returns the best solution so far.
package vrptw
