//go:build race

package storetest

// raceEnabled is true under -race. The race detector makes SQLite's transpiled C about 30×
// slower, so the 100k bulk case would take about a minute; under -race it
// loads raceBulkCustomerCount rows instead (the race detector looks for
// unsynchronised access, which volume does not add to).
const raceEnabled = true
