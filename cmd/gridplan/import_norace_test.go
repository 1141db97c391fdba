//go:build !race

package main

// importRace is true under the race detector; see import_race_test.go.
const importRace = false
