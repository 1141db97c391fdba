package op

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"gridplan/territory/route/internal/textfile"
)

// MaxPoints bounds the instances Read and Solve take (the distance matrix
// is held in full).
const MaxPoints = 4000

// ErrFormat is wrapped by every *ParseError.
var ErrFormat = errors.New("op: bad file")

// ParseError is a fault in an instance file: the line (1-based, 0 for the
// file as a whole) and the field ("Tmax", "P", "x", "y", "score", "point").
type ParseError struct {
	Line  int
	Field string
	Msg   string
}

func (e *ParseError) Error() string { return textfile.ErrorText("op", e.Line, e.Field, e.Msg) }

// Unwrap makes errors.Is(err, ErrFormat) hold.
func (e *ParseError) Unwrap() error { return ErrFormat }

// Point is a position in the plane.
type Point struct{ X, Y float64 }

// Instance is an orienteering instance as the file gives it: Points[0] is
// the start, Points[1] the end.
type Instance struct {
	Name   string
	Tmax   float64
	Paths  int
	Points []Point
	Scores []float64
}

// Problem is what Solve works on: n points with their scores, the start
// and end (equal for a round trip), the length budget and a symmetric
// distance function.
type Problem struct {
	N          int
	Score      []float64
	Start, End int
	Budget     float64
	Dist       func(i, j int) float64
}

// Problem is the instance as Solve takes it: Euclidean distances, from
// point 0 to point 1 within Tmax.
func (in *Instance) Problem() *Problem {
	return &Problem{
		N:      len(in.Points),
		Score:  in.Scores,
		Start:  0,
		End:    1,
		Budget: in.Tmax,
		Dist:   in.Dist,
	}
}

// Dist is the Euclidean distance between points i and j.
func (in *Instance) Dist(i, j int) float64 {
	a, b := in.Points[i], in.Points[j]
	return math.Hypot(a.X-b.X, a.Y-b.Y)
}

// ReadFile reads an instance; its name is the file name without extension.
func ReadFile(path string) (*Instance, error) {
	in, err := textfile.Read(path, path, Read)
	if err != nil {
		return nil, err
	}
	in.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return in, nil
}

// Read parses an instance: "Tmax P", then one "x y score" line per point,
// at least two (start and end). Blank lines are skipped.
func Read(r io.Reader) (*Instance, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	in := &Instance{}
	header := false
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if !header {
			if len(f) != 2 {
				return nil, &ParseError{Line: line, Field: "header", Msg: fmt.Sprintf("want 2 fields \"Tmax P\", got %d", len(f))}
			}
			tmax, err := parseNumber(f[0])
			if err != nil || tmax < 0 {
				return nil, &ParseError{Line: line, Field: "Tmax", Msg: fmt.Sprintf("want a number ≥ 0, got %q", f[0])}
			}
			p, err := strconv.Atoi(f[1])
			if err != nil || p < 1 {
				return nil, &ParseError{Line: line, Field: "P", Msg: fmt.Sprintf("want a positive integer, got %q", f[1])}
			}
			if p != 1 {
				return nil, &ParseError{Line: line, Field: "P", Msg: fmt.Sprintf("%d paths: only P = 1 is supported", p)}
			}
			in.Tmax, in.Paths, header = tmax, p, true
			continue
		}
		if len(f) != 3 {
			return nil, &ParseError{Line: line, Field: "point", Msg: fmt.Sprintf("want 3 fields \"x y score\", got %d", len(f))}
		}
		if len(in.Points) == MaxPoints {
			return nil, &ParseError{Line: line, Field: "point", Msg: fmt.Sprintf("more than %d points", MaxPoints)}
		}
		var v [3]float64
		for k, name := range [...]string{"x", "y", "score"} {
			x, err := parseNumber(f[k])
			if err != nil {
				return nil, &ParseError{Line: line, Field: name, Msg: err.Error()}
			}
			v[k] = x
		}
		if v[2] < 0 {
			return nil, &ParseError{Line: line, Field: "score", Msg: fmt.Sprintf("negative: %q", f[2])}
		}
		in.Points = append(in.Points, Point{v[0], v[1]})
		in.Scores = append(in.Scores, v[2])
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &ParseError{Line: line + 1, Field: "line", Msg: "too long"}
		}
		return nil, err
	}
	if !header {
		return nil, &ParseError{Field: "header", Msg: "missing: empty file"}
	}
	if len(in.Points) < 2 {
		return nil, &ParseError{Field: "point", Msg: fmt.Sprintf("%d points: want a start and an end at least", len(in.Points))}
	}
	return in, nil
}

// maxAbs bounds numbers so that sums of distances stay exact enough.
const maxAbs = 1e9

func parseNumber(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxAbs {
		return 0, fmt.Errorf("%q out of range ±%g", s, maxAbs)
	}
	return v, nil
}
