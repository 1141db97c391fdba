package tsp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gridplan/territory/route/internal/textfile"
)

// Distance rules (TSPLIB EDGE_WEIGHT_TYPE values) that Read accepts.
const (
	EUC2D  = "EUC_2D"
	CEIL2D = "CEIL_2D"
	ATT    = "ATT"
	GEO    = "GEO"
)

// MaxDimension bounds DIMENSION in files Read accepts.
const MaxDimension = 1_000_000

// maxLineBytes bounds one line of a TSPLIB file.
const maxLineBytes = 1 << 20

// ErrFormat is wrapped by every *ParseError.
var ErrFormat = errors.New("tsplib: bad file")

// ParseError is a fault in a TSPLIB file: the line (1-based; 0 for the file
// as a whole) and the field (a keyword such as DIMENSION, or "node id", "x",
// "y", "tour node").
type ParseError struct {
	Line  int
	Field string
	Msg   string
}

func (e *ParseError) Error() string {
	return textfile.ErrorText("tsplib", e.Line, e.Field, e.Msg)
}

// Unwrap makes errors.Is(err, ErrFormat) hold.
func (e *ParseError) Unwrap() error { return ErrFormat }

// Point is a node's coordinates as the file gives them (for GEO: latitude
// and longitude in degrees.minutes, DDD.MM).
type Point struct{ X, Y float64 }

// Instance is a symmetric TSP read from a TSPLIB file. Node i of the file
// (1-based) is Coords[i-1].
type Instance struct {
	Name           string
	Comment        string
	EdgeWeightType string
	Coords         []Point
}

// Dimension is the number of nodes.
func (in *Instance) Dimension() int { return len(in.Coords) }

// Dist is the TSPLIB distance between nodes i and j (0-based).
func (in *Instance) Dist(i, j int) int {
	return distance(in.EdgeWeightType, in.Coords[i], in.Coords[j])
}

// TourLength is the length of the closed tour through the given 0-based
// nodes.
func (in *Instance) TourLength(tour []int) int64 {
	var sum int64
	for k := range tour {
		sum += int64(in.Dist(tour[k], tour[(k+1)%len(tour)]))
	}
	return sum
}

// Matrix is the instance's distance matrix for Solve.
func (in *Instance) Matrix() (*Matrix, error) {
	return NewMatrix(len(in.Coords), in.Dist)
}

// nint is TSPLIB's nearest integer: (int)(x + 0.5).
func nint(x float64) int { return int(x + 0.5) }

func distance(rule string, a, b Point) int {
	switch rule {
	case EUC2D:
		xd, yd := a.X-b.X, a.Y-b.Y
		return nint(math.Sqrt(xd*xd + yd*yd))
	case CEIL2D:
		xd, yd := a.X-b.X, a.Y-b.Y
		return int(math.Ceil(math.Sqrt(xd*xd + yd*yd)))
	case ATT:
		xd, yd := a.X-b.X, a.Y-b.Y
		r := math.Sqrt((xd*xd + yd*yd) / 10.0)
		t := nint(r)
		if float64(t) < r {
			return t + 1
		}
		return t
	case GEO:
		lat1, lon1 := geoRad(a.X), geoRad(a.Y)
		lat2, lon2 := geoRad(b.X), geoRad(b.Y)
		const rrr = 6378.388
		q1 := math.Cos(lon1 - lon2)
		q2 := math.Cos(lat1 - lat2)
		q3 := math.Cos(lat1 + lat2)
		c := 0.5 * ((1.0+q1)*q2 - (1.0-q1)*q3)
		c = max(-1, min(1, c)) // rounding can leave [-1, 1] by an ulp
		return int(rrr*math.Acos(c) + 1.0)
	}
	panic("tsp: unknown distance rule " + rule)
}

// geoRad converts TSPLIB's DDD.MM (degrees and minutes) to radians with
// TSPLIB's PI. The degrees are the integer part truncated toward zero, as
// in the TSPLIB FAQ and every reference implementation (the optimal tours
// of gr96 and gr202 re-score to their listed optima only so).
func geoRad(x float64) float64 {
	const pi = 3.141592
	deg := math.Trunc(x)
	m := x - deg
	return pi * (deg + 5.0*m/3.0) / 180.0
}

// ReadFile reads a TSPLIB instance from a file; the file name is in errors.
func ReadFile(path string) (*Instance, error) {
	return textfile.Read(path, path, Read)
}

// lineReader yields trimmed lines with their numbers.
type lineReader struct {
	sc   *bufio.Scanner
	line int
}

func newLineReader(r io.Reader) *lineReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLineBytes)
	return &lineReader{sc: sc}
}

func (lr *lineReader) next() (string, bool, error) {
	if !lr.sc.Scan() {
		if err := lr.sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				return "", false, &ParseError{Line: lr.line + 1, Field: "line", Msg: fmt.Sprintf("longer than %d bytes", maxLineBytes)}
			}
			return "", false, err
		}
		return "", false, nil
	}
	lr.line++
	return strings.TrimSpace(lr.sc.Text()), true, nil
}

// nextSection applies specification lines to h up to the next keyword h
// does not know and returns it; ok is false at EOF or the end of the file.
func (lr *lineReader) nextSection(h *header) (key string, ok bool, err error) {
	for {
		s, ok, err := lr.next()
		if err != nil || !ok {
			return "", false, err
		}
		if s == "" {
			continue
		}
		key, value := splitKeyword(s)
		if key == "EOF" {
			return "", false, nil
		}
		if known, err := h.keyword(lr.line, key, value); err != nil {
			return "", false, err
		} else if !known {
			return key, true, nil
		}
	}
}

// splitKeyword splits "KEY : value" or "KEY: value" or a bare "KEY".
func splitKeyword(s string) (key, value string) {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return strings.ToUpper(strings.TrimSpace(s[:i])), strings.TrimSpace(s[i+1:])
	}
	return strings.ToUpper(s), ""
}

// header is the specification part common to problems and tours.
type header struct {
	name, comment, typ, ewt, coordType string
	dim, dimLine, typLine, ewtLine     int
}

// keyword applies one specification line; it reports whether the key was
// known.
func (h *header) keyword(line int, key, value string) (bool, error) {
	switch key {
	case "NAME":
		h.name = value
	case "COMMENT":
		if h.comment != "" {
			h.comment += "\n"
		}
		h.comment += value
	case "TYPE":
		f := strings.Fields(value)
		if len(f) == 0 {
			return true, &ParseError{Line: line, Field: "TYPE", Msg: "empty"}
		}
		h.typ, h.typLine = strings.ToUpper(f[0]), line
	case "DIMENSION":
		n, err := strconv.Atoi(value)
		if err != nil {
			return true, &ParseError{Line: line, Field: "DIMENSION", Msg: fmt.Sprintf("not an integer: %q", value)}
		}
		if n < 1 || n > MaxDimension {
			return true, &ParseError{Line: line, Field: "DIMENSION", Msg: fmt.Sprintf("%d out of range 1..%d", n, MaxDimension)}
		}
		h.dim, h.dimLine = n, line
	case "EDGE_WEIGHT_TYPE":
		h.ewt, h.ewtLine = strings.ToUpper(value), line
	case "NODE_COORD_TYPE":
		h.coordType = strings.ToUpper(value)
		if h.coordType != "TWOD_COORDS" && h.coordType != "NO_COORDS" {
			return true, &ParseError{Line: line, Field: "NODE_COORD_TYPE", Msg: fmt.Sprintf("%q not supported (want TWOD_COORDS)", value)}
		}
	case "DISPLAY_DATA_TYPE", "CAPACITY", "EDGE_WEIGHT_FORMAT", "EDGE_DATA_FORMAT":
		// Not needed here; EDGE_WEIGHT_FORMAT only matters with EXPLICIT,
		// which EDGE_WEIGHT_TYPE refuses.
	default:
		return false, nil
	}
	return true, nil
}

// Read parses a TSPLIB TSP instance with a NODE_COORD_SECTION.
func Read(r io.Reader) (*Instance, error) {
	lr := newLineReader(r)
	var h header
	var coords []Point
	for {
		key, ok, err := lr.nextSection(&h)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		switch key {
		case "NODE_COORD_SECTION":
			if coords != nil {
				return nil, &ParseError{Line: lr.line, Field: key, Msg: "given twice"}
			}
			if h.dim == 0 {
				return nil, &ParseError{Line: lr.line, Field: "DIMENSION", Msg: "missing before NODE_COORD_SECTION"}
			}
			if coords, err = readCoords(lr, h.dim); err != nil {
				return nil, err
			}
		case "DISPLAY_DATA_SECTION":
			// Display coordinates only: skip h.dim lines of them.
			if h.dim == 0 {
				return nil, &ParseError{Line: lr.line, Field: "DIMENSION", Msg: "missing before DISPLAY_DATA_SECTION"}
			}
			for i := 0; i < h.dim; i++ {
				if _, ok, err := lr.next(); err != nil {
					return nil, err
				} else if !ok {
					return nil, &ParseError{Line: lr.line, Field: key, Msg: fmt.Sprintf("file ends after %d of %d lines", i, h.dim)}
				}
			}
		case "EDGE_WEIGHT_SECTION", "EDGE_DATA_SECTION", "FIXED_EDGES_SECTION", "DEMAND_SECTION", "DEPOT_SECTION", "TOUR_SECTION":
			return nil, &ParseError{Line: lr.line, Field: key, Msg: "not supported (want NODE_COORD_SECTION)"}
		default:
			return nil, &ParseError{Line: lr.line, Field: "keyword", Msg: fmt.Sprintf("unknown keyword %q", key)}
		}
	}
	switch {
	case h.typ != "" && h.typ != "TSP":
		return nil, &ParseError{Line: h.typLine, Field: "TYPE", Msg: fmt.Sprintf("%q not supported (want TSP)", h.typ)}
	case h.ewt == "":
		return nil, &ParseError{Field: "EDGE_WEIGHT_TYPE", Msg: "missing"}
	case h.ewt != EUC2D && h.ewt != CEIL2D && h.ewt != ATT && h.ewt != GEO:
		return nil, &ParseError{Line: h.ewtLine, Field: "EDGE_WEIGHT_TYPE", Msg: fmt.Sprintf("%q not supported (want EUC_2D, CEIL_2D, ATT or GEO)", h.ewt)}
	case h.dim == 0:
		return nil, &ParseError{Field: "DIMENSION", Msg: "missing"}
	case coords == nil:
		return nil, &ParseError{Field: "NODE_COORD_SECTION", Msg: "missing"}
	}
	return &Instance{Name: h.name, Comment: h.comment, EdgeWeightType: h.ewt, Coords: coords}, nil
}

// readCoords reads the dim lines "id x y" of a NODE_COORD_SECTION. Memory
// grows with the lines read, not with what DIMENSION claims.
func readCoords(lr *lineReader, dim int) ([]Point, error) {
	type node struct {
		id int
		p  Point
	}
	nodes := make([]node, 0, min(dim, 1024))
	seen := make(map[int]bool, min(dim, 1024))
	for i := 0; i < dim; {
		s, ok, err := lr.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &ParseError{Line: lr.line, Field: "NODE_COORD_SECTION", Msg: fmt.Sprintf("file ends after %d of %d nodes", i, dim)}
		}
		if s == "" {
			continue
		}
		f := strings.Fields(s)
		if len(f) == 1 && (f[0] == "EOF" || !isNumberStart(f[0])) {
			return nil, &ParseError{Line: lr.line, Field: "NODE_COORD_SECTION", Msg: fmt.Sprintf("%d of %d nodes before %q", i, dim, f[0])}
		}
		if len(f) != 3 {
			return nil, &ParseError{Line: lr.line, Field: "node", Msg: fmt.Sprintf("want 3 fields \"id x y\", got %d", len(f))}
		}
		id, err := strconv.Atoi(f[0])
		if err != nil {
			return nil, &ParseError{Line: lr.line, Field: "node id", Msg: fmt.Sprintf("not an integer: %q", f[0])}
		}
		if id < 1 || id > dim {
			return nil, &ParseError{Line: lr.line, Field: "node id", Msg: fmt.Sprintf("%d out of range 1..%d", id, dim)}
		}
		if seen[id] {
			return nil, &ParseError{Line: lr.line, Field: "node id", Msg: fmt.Sprintf("%d given twice", id)}
		}
		x, err := parseCoord(f[1])
		if err != nil {
			return nil, &ParseError{Line: lr.line, Field: "x", Msg: err.Error()}
		}
		y, err := parseCoord(f[2])
		if err != nil {
			return nil, &ParseError{Line: lr.line, Field: "y", Msg: err.Error()}
		}
		seen[id] = true
		nodes = append(nodes, node{id, Point{x, y}})
		i++
	}
	coords := make([]Point, dim)
	for _, nd := range nodes {
		coords[nd.id-1] = nd.p
	}
	return coords, nil
}

// maxCoord bounds coordinates so that every distance fits an int32.
const maxCoord = 5e8

func parseCoord(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxCoord {
		return 0, fmt.Errorf("%q out of range ±%g", s, maxCoord)
	}
	return v, nil
}

func isNumberStart(s string) bool {
	c := s[0]
	return c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')
}

// ReadTour parses a TSPLIB TOUR file and returns its first tour as 0-based
// nodes. A TOUR_SECTION lists node ids (any number per line) ending with -1
// or EOF. With dim > 0 the tour must visit exactly the nodes 1..dim once
// each; with dim 0 it must be a permutation of 1..len(tour), checked against
// the file's DIMENSION when it has one.
func ReadTour(r io.Reader, dim int) ([]int, error) {
	lr := newLineReader(r)
	var h header
	var tour []int
	sectionLine := 0
	for {
		key, ok, err := lr.nextSection(&h)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if key != "TOUR_SECTION" {
			return nil, &ParseError{Line: lr.line, Field: "keyword", Msg: fmt.Sprintf("unknown keyword %q (want TOUR_SECTION)", key)}
		}
		if tour != nil {
			break // only the first tour
		}
		sectionLine = lr.line
		tour = []int{}
		if err := readTourNodes(lr, &tour); err != nil {
			return nil, err
		}
	}
	if h.typ != "" && h.typ != "TOUR" {
		return nil, &ParseError{Line: h.typLine, Field: "TYPE", Msg: fmt.Sprintf("%q is no tour (want TOUR)", h.typ)}
	}
	if tour == nil {
		return nil, &ParseError{Field: "TOUR_SECTION", Msg: "missing"}
	}
	n := dim
	if n == 0 {
		n = h.dim
	}
	if n == 0 {
		n = len(tour)
	}
	if len(tour) != n {
		return nil, &ParseError{Line: sectionLine, Field: "TOUR_SECTION", Msg: fmt.Sprintf("%d nodes, want %d", len(tour), n)}
	}
	seen := make([]bool, n)
	for k, v := range tour {
		if v < 1 || v > n {
			return nil, &ParseError{Line: sectionLine, Field: "tour node", Msg: fmt.Sprintf("%d out of range 1..%d", v, n)}
		}
		if seen[v-1] {
			return nil, &ParseError{Line: sectionLine, Field: "tour node", Msg: fmt.Sprintf("%d visited twice", v)}
		}
		seen[v-1] = true
		tour[k] = v - 1
	}
	return tour, nil
}

func readTourNodes(lr *lineReader, tour *[]int) error {
	for {
		s, ok, err := lr.next()
		if err != nil {
			return err
		}
		if !ok || s == "EOF" {
			return nil
		}
		for _, f := range strings.Fields(s) {
			v, err := strconv.Atoi(f)
			if err != nil {
				return &ParseError{Line: lr.line, Field: "tour node", Msg: fmt.Sprintf("not an integer: %q", f)}
			}
			if v == -1 {
				return nil
			}
			if len(*tour) >= MaxDimension {
				return &ParseError{Line: lr.line, Field: "TOUR_SECTION", Msg: fmt.Sprintf("more than %d nodes", MaxDimension)}
			}
			*tour = append(*tour, v)
		}
	}
}
