package vrptw

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

const header = "X1\nVEHICLE\nNUMBER CAPACITY\n 2 100\nCUSTOMER\nCUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n"

func TestReadFile(t *testing.T) {
	in, err := ReadFile("testdata/tiny.txt")
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "TINY8" || in.Vehicles != 3 || in.Capacity != 50 || in.Customers() != 8 {
		t.Fatalf("got %s vehicles=%d capacity=%d customers=%d", in.Name, in.Vehicles, in.Capacity, in.Customers())
	}
	want := Customer{ID: 2, X: 70, Y: 55, Demand: 20, Ready: 40, Due: 120, Service: 10}
	if in.Nodes[2] != want {
		t.Errorf("customer 2 = %+v, want %+v", in.Nodes[2], want)
	}
	if d := in.Distance(0, 1); math.Abs(d-math.Sqrt(200)) > 1e-12 {
		t.Errorf("Distance(0, 1) = %v, want √200 (unrounded)", d)
	}
	if _, err := ReadFile("testdata/missing.txt"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		field, msg string
	}{
		{"empty", "", 1, "", "instance name"},
		{"no vehicle section", "X1\nCUSTOMER\n", 2, "", `want "VEHICLE"`},
		{"vehicle fields", "X1\nVEHICLE\nNUMBER CAPACITY\n 2\n", 4, "", "want 2 fields"},
		{"vehicle number", "X1\nVEHICLE\nNUMBER CAPACITY\n two 100\n", 4, "NUMBER", "not an integer"},
		{"capacity zero", "X1\nVEHICLE\nNUMBER CAPACITY\n 2 0\n", 4, "CAPACITY", "less than 1"},
		{"no customer header", "X1\nVEHICLE\nNUMBER CAPACITY\n 2 100\nCUSTOMER\nID X Y\n", 6, "", "want \"CUST NO."},
		{"no customers", header, 7, "", "at least one customer"},
		{"depot only", header + "0 0 0 0 0 100 0\n", 8, "", "at least one customer"},
		{"short row", header + "0 0 0 0 0 100 0\n1 5 5 10 0 50\n", 8, "", "want 7 fields"},
		{"sequence", header + "0 0 0 0 0 100 0\n2 5 5 10 0 50 5\n", 8, "CUST NO.", "out of sequence, want 1"},
		{"x", header + "0 0 0 0 0 100 0\n1 five 5 10 0 50 5\n", 8, "XCOORD.", "not a number"},
		{"y nan", header + "0 0 0 0 0 100 0\n1 5 NaN 10 0 50 5\n", 8, "YCOORD.", "not a number"},
		{"demand", header + "0 0 0 0 0 100 0\n1 5 5 1.5 0 50 5\n", 8, "DEMAND", "not an integer"},
		{"negative demand", header + "0 0 0 0 0 100 0\n1 5 5 -3 0 50 5\n", 8, "DEMAND", "less than 0"},
		{"ready", header + "0 0 0 0 0 100 0\n1 5 5 10 -1 50 5\n", 8, "READY TIME", "negative"},
		{"due before ready", header + "0 0 0 0 0 100 0\n\n1 5 5 10 60 50 5\n", 9, "DUE DATE", "before READY TIME"},
		{"service", header + "0 0 0 0 0 100 0\n1 5 5 10 0 50 1e99\n", 8, "SERVICE TIME", "beyond"},
		{"depot demand", header + "0 0 0 5 0 100 0\n1 5 5 10 0 50 5\n", 7, "DEMAND", "depot's demand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.text))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.Line != tt.line || pe.Field != tt.field || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("err = %q (line %d, field %q), want line %d, field %q, message with %q", err, pe.Line, pe.Field, tt.line, tt.field, tt.msg)
			}
		})
	}
}

func TestReadFileNamesFile(t *testing.T) {
	path := t.TempDir() + "/bad.txt"
	if err := os.WriteFile(path, []byte(header+"0 0 0 0 0 100 0\n1 5 5 x 0 50 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path)
	if err == nil || err.Error() != `bad.txt: line 8: DEMAND: "x" is not an integer` {
		t.Errorf("err = %v", err)
	}
}

func FuzzRead(f *testing.F) {
	tiny, err := os.ReadFile("testdata/tiny.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tiny)
	f.Add([]byte(header + "0 0 0 0 0 100 0\n1 5 5 10 0 50 5\n"))
	f.Add([]byte(header + "0 0 0 0 0 100 0\n1 5.5 -5 10.0 0 50 5\n2 1e3 0 0 0 0 0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Read(strings.NewReader(string(data)))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err %v is not a *ParseError", err)
			}
			if pe.Line < 1 {
				t.Fatalf("err %v: line %d", err, pe.Line)
			}
			return
		}
		if in.Vehicles < 1 || in.Capacity < 1 || len(in.Nodes) < 2 || in.Nodes[0].Demand != 0 {
			t.Fatalf("accepted a malformed instance: %+v", in)
		}
		for i, c := range in.Nodes {
			if c.ID != i || c.Demand < 0 || c.Ready < 0 || c.Due < c.Ready || c.Service < 0 ||
				math.IsNaN(c.X) || math.IsInf(c.X, 0) || math.IsNaN(c.Y) || math.IsInf(c.Y, 0) {
				t.Fatalf("accepted row %d: %+v", i, c)
			}
		}
	})
}
