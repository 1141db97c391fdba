//go:build race

package main

// importRace is true under the race detector, which slows SQLite's
// transpiled C about 30×: the import figures test scales down.
const importRace = true
