package vrptw

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"gridplan/territory/route/internal/textfile"
)

// Customer is one row of a Solomon instance; row 0 is the depot.
type Customer struct {
	ID      int     // CUST NO.
	X, Y    float64 // XCOORD., YCOORD.
	Demand  int     // DEMAND
	Ready   float64 // READY TIME: earliest start of service
	Due     float64 // DUE DATE: latest start of service (the depot's: latest return)
	Service float64 // SERVICE TIME
}

// Instance is a Solomon VRPTW instance.
type Instance struct {
	Name     string
	Vehicles int // VEHICLE NUMBER as given in the file (an upper bound, not the fleet solved for)
	Capacity int // VEHICLE CAPACITY
	// Nodes[0] is the depot, Nodes[i] customer i.
	Nodes []Customer
}

// Customers is the number of customers (the depot not counted).
func (in *Instance) Customers() int { return len(in.Nodes) - 1 }

// Distance is the Euclidean distance between nodes i and j (0 is the
// depot), unrounded; it is also the travel time.
func (in *Instance) Distance(i, j int) float64 {
	a, b := in.Nodes[i], in.Nodes[j]
	return math.Hypot(a.X-b.X, a.Y-b.Y)
}

// ParseError is a malformed instance: the line (1-based), the field when one
// is at fault, and what is wrong.
type ParseError struct {
	Line  int
	Field string
	Msg   string
}

func (e *ParseError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// MaxNodes bounds the rows an instance may have (the largest published
// instances have 1,001).
const MaxNodes = 100_000

var customerFields = [...]string{"CUST NO.", "XCOORD.", "YCOORD.", "DEMAND", "READY TIME", "DUE DATE", "SERVICE TIME"}

// ReadFile reads a Solomon instance from a file; errors name the file.
func ReadFile(path string) (*Instance, error) {
	return textfile.Read(path, filepath.Base(path), Read)
}

// Read parses an instance in Solomon's text format:
//
//	NAME
//	VEHICLE
//	NUMBER     CAPACITY
//	  25         200
//	CUSTOMER
//	CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME
//	    0      40         50          0          0       1236          0
//	    1      45         68         10        912        967         90
//	…
//
// Blank lines are ignored. Customer numbers must run 0, 1, 2, … with the
// depot first; errors are *ParseError values naming the line and field.
func Read(r io.Reader) (*Instance, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	line := 0
	// next returns the fields of the next non-blank line.
	next := func() ([]string, bool) {
		for sc.Scan() {
			line++
			if f := strings.Fields(sc.Text()); len(f) > 0 {
				return f, true
			}
		}
		return nil, false
	}
	eof := func(want string) error {
		if err := sc.Err(); err != nil {
			return fmt.Errorf("line %d: %w", line+1, err)
		}
		return &ParseError{Line: line + 1, Msg: "unexpected end of file, want " + want}
	}
	expect := func(want ...string) error {
		f, ok := next()
		if !ok {
			return eof(strings.Join(want, " "))
		}
		if !equalFold(f, want) {
			return &ParseError{Line: line, Msg: fmt.Sprintf("want %q, found %q", strings.Join(want, " "), strings.Join(f, " "))}
		}
		return nil
	}

	in := &Instance{}
	f, ok := next()
	if !ok {
		return nil, eof("the instance name")
	}
	in.Name = strings.Join(f, " ")
	if err := expect("VEHICLE"); err != nil {
		return nil, err
	}
	if err := expect("NUMBER", "CAPACITY"); err != nil {
		return nil, err
	}
	if f, ok = next(); !ok {
		return nil, eof("the vehicle number and capacity")
	}
	if len(f) != 2 {
		return nil, &ParseError{Line: line, Msg: fmt.Sprintf("want 2 fields (NUMBER CAPACITY), found %d", len(f))}
	}
	var err error
	if in.Vehicles, err = parseInt(f[0], line, "NUMBER", 1); err != nil {
		return nil, err
	}
	if in.Capacity, err = parseInt(f[1], line, "CAPACITY", 1); err != nil {
		return nil, err
	}
	if err := expect("CUSTOMER"); err != nil {
		return nil, err
	}
	if err := expect("CUST", "NO.", "XCOORD.", "YCOORD.", "DEMAND", "READY", "TIME", "DUE", "DATE", "SERVICE", "TIME"); err != nil {
		return nil, err
	}
	for {
		f, ok := next()
		if !ok {
			break
		}
		if len(f) != len(customerFields) {
			return nil, &ParseError{Line: line, Msg: fmt.Sprintf("want %d fields (CUST NO., XCOORD., YCOORD., DEMAND, READY TIME, DUE DATE, SERVICE TIME), found %d", len(customerFields), len(f))}
		}
		if len(in.Nodes) >= MaxNodes {
			return nil, &ParseError{Line: line, Msg: fmt.Sprintf("more than %d rows", MaxNodes)}
		}
		c, err := parseCustomer(f, line, len(in.Nodes))
		if err != nil {
			return nil, err
		}
		in.Nodes = append(in.Nodes, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	if len(in.Nodes) < 2 {
		return nil, &ParseError{Line: line + 1, Msg: "want the depot and at least one customer"}
	}
	return in, nil
}

func parseCustomer(f []string, line, want int) (Customer, error) {
	var c Customer
	var err error
	if c.ID, err = parseInt(f[0], line, customerFields[0], 0); err != nil {
		return c, err
	}
	if c.ID != want {
		return c, &ParseError{Line: line, Field: customerFields[0], Msg: fmt.Sprintf("%d out of sequence, want %d", c.ID, want)}
	}
	if c.X, err = parseFloat(f[1], line, customerFields[1], math.Inf(-1)); err != nil {
		return c, err
	}
	if c.Y, err = parseFloat(f[2], line, customerFields[2], math.Inf(-1)); err != nil {
		return c, err
	}
	if c.Demand, err = parseInt(f[3], line, customerFields[3], 0); err != nil {
		return c, err
	}
	if c.Ready, err = parseFloat(f[4], line, customerFields[4], 0); err != nil {
		return c, err
	}
	if c.Due, err = parseFloat(f[5], line, customerFields[5], 0); err != nil {
		return c, err
	}
	if c.Service, err = parseFloat(f[6], line, customerFields[6], 0); err != nil {
		return c, err
	}
	switch {
	case c.Due < c.Ready:
		return c, &ParseError{Line: line, Field: customerFields[5], Msg: fmt.Sprintf("%s before READY TIME %s", f[5], f[4])}
	case want == 0 && c.Demand != 0:
		return c, &ParseError{Line: line, Field: customerFields[3], Msg: fmt.Sprintf("the depot's demand is %d, want 0", c.Demand)}
	}
	return c, nil
}

// maxValue keeps coordinates and times far from overflow and from the
// precision float64 times need.
const maxValue = 1e9

func parseInt(s string, line int, field string, lo int) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil {
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f == math.Trunc(f) && math.Abs(f) <= maxValue {
			v, err = int(f), nil // "10.0"
		}
	}
	switch {
	case err != nil:
		return 0, &ParseError{Line: line, Field: field, Msg: fmt.Sprintf("%q is not an integer", s)}
	case v < lo:
		return 0, &ParseError{Line: line, Field: field, Msg: fmt.Sprintf("%d is less than %d", v, lo)}
	case v > maxValue:
		return 0, &ParseError{Line: line, Field: field, Msg: fmt.Sprintf("%d is more than %g", v, float64(maxValue))}
	}
	return v, nil
}

func parseFloat(s string, line int, field string, lo float64) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
		return 0, &ParseError{Line: line, Field: field, Msg: fmt.Sprintf("%q is not a number", s)}
	case v < lo:
		return 0, &ParseError{Line: line, Field: field, Msg: fmt.Sprintf("%s is negative", s)}
	case math.Abs(v) > maxValue:
		return 0, &ParseError{Line: line, Field: field, Msg: fmt.Sprintf("%s is beyond ±%g", s, float64(maxValue))}
	}
	return v, nil
}

func equalFold(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !strings.EqualFold(got[i], want[i]) {
			return false
		}
	}
	return true
}
