package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// readRecords reads every record of text with a cell cap and an expected
// width (0: none).
func readRecords(tb testing.TB, text string, maxCell, want int) []*record {
	tb.Helper()
	cr := newCSVReader(bufio.NewReader(strings.NewReader(text)), ',', maxCell)
	cr.want = want
	var out []*record
	for i := 0; ; i++ {
		if i > len(text)+10 {
			tb.Fatalf("reader does not terminate on %q", text)
		}
		rec, err := cr.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatalf("read %q: %v", text, err)
		}
		out = append(out, rec)
	}
}

// got is a record in a comparable form.
type got struct {
	line   int
	fields []string
	bad    string // problem reason substring, "" when parsed
}

func TestCSVReader(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		maxCell int
		want    int
		out     []got
	}{
		{"plain", "a,b\n1,2\n", 0, 0, []got{{1, []string{"a", "b"}, ""}, {2, []string{"1", "2"}, ""}}},
		{"crlf and no final newline", "a,b\r\n1,2", 0, 0, []got{{1, []string{"a", "b"}, ""}, {2, []string{"1", "2"}, ""}}},
		{"quotes, commas, escaped quotes", `"x,y","he said ""hi""",` + "\n", 0, 0, []got{{1, []string{"x,y", `he said "hi"`, ""}, ""}}},
		{"multi-line quoted field", "id,addr\n1,\"line1\r\nline2\"\n2,x\n", 0, 2,
			[]got{{1, []string{"id", "addr"}, ""}, {2, []string{"1", "line1\nline2"}, ""}, {4, []string{"2", "x"}, ""}}},
		{"blank lines keep numbering", "a,b\n\n\r\n1,2\n\n", 0, 2, []got{{1, []string{"a", "b"}, ""}, {4, []string{"1", "2"}, ""}}},
		{"bare quote is data", "a,b\n12\" pipe,x\n", 0, 2, []got{{1, []string{"a", "b"}, ""}, {2, []string{`12" pipe`, "x"}, ""}}},
		{"lone CR is data, last CR dropped", "a\rb,c\r", 0, 0, []got{{1, []string{"a\rb", "c"}, ""}}},
		{"trailing empty fields accepted", "a,b,c\n1,2,3,,\n", 0, 3, []got{{1, []string{"a", "b", "c"}, ""}, {2, []string{"1", "2", "3"}, ""}}},
		{"too few fields", "a,b,c\n1,2\n3,4,5\n", 0, 3,
			[]got{{1, []string{"a", "b", "c"}, ""}, {2, nil, "has 2 fields, want 3"}, {3, []string{"3", "4", "5"}, ""}}},
		{"too many fields", "a,b\n1,2,3\n", 0, 2, []got{{1, []string{"a", "b"}, ""}, {2, nil, "has 3 fields, want 2"}}},
		{"stray character after closing quote", "a,b\n\"x\"y,1\n2,3\n", 0, 2,
			[]got{{1, []string{"a", "b"}, ""}, {2, nil, `unexpected 'y' after the closing quote`}, {3, []string{"2", "3"}, ""}}},
		{"unclosed quote closed by a later field", "id,name,addr\n1,\"ACME,x\n2,Foo,y\n3,\"Bar\",z\n", 0, 3,
			[]got{{1, []string{"id", "name", "addr"}, ""}, {2, nil, "quote opened on line 2 is taken as unclosed"},
				{3, []string{"2", "Foo", "y"}, ""}, {4, []string{"3", "Bar", "z"}, ""}}},
		{"unclosed quote to the end of the file", "id,name,addr\n1,\"ACME,x\n2,Foo,y\n3,Bar,z\n", 0, 3,
			[]got{{1, []string{"id", "name", "addr"}, ""}, {2, nil, "never closed"},
				{3, []string{"2", "Foo", "y"}, ""}, {4, []string{"3", "Bar", "z"}, ""}}},
		{"unclosed quote on the last line", "a,b\n1,\"x", 0, 2, []got{{1, []string{"a", "b"}, ""}, {2, nil, "never closed"}}},
		{"two unclosed quotes", "a,b\n\"1,x\n\"2,y\n3,z\n", 0, 2,
			[]got{{1, []string{"a", "b"}, ""}, {2, nil, "unclosed"}, {3, nil, "unclosed"}, {4, []string{"3", "z"}, ""}}},
		{"big unquoted cell is capped and counted", "a,b\n" + strings.Repeat("x", 100) + ",1\n2,3\n", 16, 2,
			[]got{{1, []string{"a", "b"}, ""}, {2, []string{strings.Repeat("x", 16), "1"}, ""}, {3, []string{"2", "3"}, ""}}},
		{"big multi-line quoted cell is a broken quote", "a,b\n1,\"" + strings.Repeat("x\n", 40) + "\"\n2,3\n", 16, 2,
			nil}, // checked below: line 2 rejected, later lines read again
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			maxCell := tt.maxCell
			if maxCell == 0 {
				maxCell = DefaultMaxCellBytes
			}
			recs := readRecords(t, tt.in, maxCell, 0)
			if tt.want > 0 { // the header sets the width, as the importer does
				cr := newCSVReader(bufio.NewReader(strings.NewReader(tt.in)), ',', maxCell)
				recs = nil
				for {
					rec, err := cr.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					recs = append(recs, rec)
					cr.want = tt.want
				}
			}
			if tt.out == nil {
				if len(recs) < 2 || recs[1].problem == nil || recs[1].line != 2 {
					t.Fatalf("want line 2 rejected, got %s", dump(recs))
				}
				last := recs[len(recs)-1]
				if last.line != 43 || !reflect.DeepEqual(last.fields, []string{"2", "3"}) {
					t.Fatalf("the row after the runaway field was lost: %s", dump(recs))
				}
				return
			}
			if len(recs) != len(tt.out) {
				t.Fatalf("%d records, want %d: %s", len(recs), len(tt.out), dump(recs))
			}
			for i, w := range tt.out {
				r := recs[i]
				if r.line != w.line {
					t.Errorf("record %d: line %d, want %d", i, r.line, w.line)
				}
				switch {
				case w.bad != "":
					if r.problem == nil || !strings.Contains(r.problem.reason, w.bad) {
						t.Errorf("record %d: problem %+v, want one mentioning %q", i, r.problem, w.bad)
					}
				case r.problem != nil:
					t.Errorf("record %d: unexpected problem %q", i, r.problem.reason)
				case !reflect.DeepEqual(r.fields, w.fields):
					t.Errorf("record %d: fields %q, want %q", i, r.fields, w.fields)
				}
			}
		})
	}
}

func dump(recs []*record) string {
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "\n  line %d: %q", r.line, r.fields)
		if r.problem != nil {
			fmt.Fprintf(&b, " BAD %s", r.problem.reason)
		}
	}
	return b.String()
}

// TestCSVReaderBigCellText: a rejected row's text is cut at maxShow, and
// the record says how long the row really was.
func TestCSVReaderBigCellText(t *testing.T) {
	in := "a,b\n1," + strings.Repeat("y", 1<<20) + "\n2,3\n"
	recs := readRecords(t, in, 1024, 2)
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[1]
	if len(r.big) != 1 || r.big[0].col != 1 || r.big[0].size != 1<<20 {
		t.Fatalf("big = %+v, want column 1 of %d bytes", r.big, 1<<20)
	}
	if len(r.text) != maxShow || r.textLen != 2+1<<20 {
		t.Fatalf("text %d bytes (len %d), want %d (len %d)", len(r.text), r.textLen, maxShow, 2+1<<20)
	}
	if len(r.fields[1]) != 1024 {
		t.Fatalf("cell kept %d bytes, want 1024", len(r.fields[1]))
	}
}

// TestCSVReaderMatchesEncodingCSV writes random records with encoding/csv
// and reads them back.
func TestCSVReaderMatchesEncodingCSV(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", ",", "\"", "\n", "\r\n", " ", "名", "\t", "x"}
	for iter := 0; iter < 500; iter++ {
		var recs [][]string
		width := 1 + rng.IntN(5)
		for range 1 + rng.IntN(6) {
			rec := make([]string, width)
			for i := range rec {
				var b strings.Builder
				for range rng.IntN(6) {
					b.WriteString(alphabet[rng.IntN(len(alphabet))])
				}
				rec[i] = b.String()
			}
			if width == 1 && rec[0] == "" {
				rec[0] = "z" // encoding/csv writes an empty lone field as a blank line
			}
			recs = append(recs, rec)
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.UseCRLF = rng.IntN(2) == 0
		if err := w.WriteAll(recs); err != nil {
			t.Fatal(err)
		}
		compareWithEncodingCSV(t, buf.Bytes())
	}
}

// compareWithEncodingCSV checks that where encoding/csv (strict) reads
// data without error, our reader reads the same records at the same lines.
func compareWithEncodingCSV(t *testing.T, data []byte) {
	t.Helper()
	std := csv.NewReader(bytes.NewReader(data))
	std.FieldsPerRecord = -1
	var want [][]string
	var lines []int
	for {
		rec, err := std.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return // not comparable: we are lenient where it is strict
		}
		line, _ := std.FieldPos(0)
		want = append(want, rec)
		lines = append(lines, line)
	}
	recs := readRecords(t, string(data), 1<<20, 0)
	if len(recs) != len(want) {
		t.Fatalf("%q: %d records, encoding/csv reads %d", data, len(recs), len(want))
	}
	for i, r := range recs {
		if r.problem != nil || !reflect.DeepEqual(r.fields, want[i]) || r.line != lines[i] {
			t.Fatalf("%q record %d: %q at line %d (problem %+v), encoding/csv reads %q at line %d", data, i, r.fields, r.line, r.problem, want[i], lines[i])
		}
	}
}

// FuzzReadCSV feeds arbitrary bytes to the CSV reader and to the whole
// import. It must not panic or loop; every record it returns respects the
// caps; where encoding/csv reads the input without error, ours reads the
// same; and an import either refuses the file or accounts for every row.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"id,name,address\n1,A,x\n",
		"外部编号,名称,地址,经度,纬度\nC1,甲,文三路1号,120.1,30.2\n",
		"a,b\n\"1,x\n2,y\n",
		"a,b\n\"x\"y,1\n",
		"a,\"b\r\nc\"\r\n\"\"\"\",\n",
		"\xef\xbb\xbfid,name,lng,lat\n1,A,NaN,Inf\n",
		"\xff\xfe\x00\x01",
		"\xb1\xe0\xba\xc5,\xc3\xfb\xb3\xc6,\xb5\xd8\xd6\xb7\r\nC1,\xbc\xd7,\xce\xc4\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxCell = 8
		recs := readRecords(t, string(data), maxCell, 0)
		lines := bytes.Count(data, []byte{'\n'}) + 1
		prev := 0
		for _, r := range recs {
			if r.line < prev || r.line > lines {
				t.Fatalf("line %d after %d (input has %d lines)", r.line, prev, lines)
			}
			prev = r.line
			for _, c := range r.fields {
				if len(c) > maxCell {
					t.Fatalf("cell of %d bytes passed the cap of %d", len(c), maxCell)
				}
			}
			if len(r.text) > maxShow {
				t.Fatalf("text of %d bytes", len(r.text))
			}
		}
		compareWithEncodingCSV(t, data)

		st := newMemStore()
		res, err := Import(context.Background(), st, bytes.NewReader(data), Options{
			Geocoder: fakeGeocoder{}, MaxCellBytes: 64, BatchSize: 3,
		})
		if err != nil {
			var fe *FileError
			var ce *ColumnsError
			if !errors.As(err, &fe) && !errors.As(err, &ce) {
				t.Fatalf("import failed with %T: %v", err, err)
			}
			return
		}
		if n := res.Inserted + res.Updated + res.Unchanged + res.Rejected; n != res.Rows {
			t.Fatalf("%d rows read, %d accounted for: %+v", res.Rows, n, res)
		}
		for _, rj := range res.Rejects {
			if rj.Line < 1 || rj.Reason == "" {
				t.Fatalf("bad reject %+v", rj)
			}
		}
	})
}
