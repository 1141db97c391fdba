// Package textfile holds what the instance readers of the route solvers
// (tsp, op, vrptw) share: opening a file for a reader and the text of a
// parse error.
package textfile

import (
	"fmt"
	"io"
	"os"
)

// Read opens path and parses it with read; a parse error is prefixed with
// label (the path or its base name).
func Read[T any](path, label string, read func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, err
	}
	defer f.Close()
	v, err := read(f)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", label, err)
	}
	return v, nil
}

// ErrorText is the message of a parse error: "prefix: line N: field: msg",
// or "prefix: field: msg" for line 0 (the file as a whole).
func ErrorText(prefix string, line int, field, msg string) string {
	if line == 0 {
		return fmt.Sprintf("%s: %s: %s", prefix, field, msg)
	}
	return fmt.Sprintf("%s: line %d: %s: %s", prefix, line, field, msg)
}
