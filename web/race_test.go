//go:build race

package web

// raceEnabled is true under the race detector, which slows bcrypt about
// twentyfold and makes timing comparisons meaningless.
const raceEnabled = true
