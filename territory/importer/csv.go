package importer

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// record is one row of the input as the readers hand it over.
type record struct {
	line    int      // line (CSV) or row (XLSX) where it starts, 1-based
	fields  []string // cells; a cell over the cap holds only its first bytes
	text    string   // the row as written, at most maxShow bytes
	textLen int      // the row's full length in bytes
	big     []bigCell
	problem *problem // the row could not be parsed
}

// bigCell is a cell over the size cap: its column and real size in bytes.
type bigCell struct{ col, size int }

// problem is why a row could not be parsed; col is -1 for the whole row.
type problem struct {
	col    int
	reason string
}

// csvReader reads RFC 4180 CSV from UTF-8 text as a stream, one record at a
// time, keeping at most maxCell bytes of any cell (the size of a larger cell
// is counted, not held) and maxShow bytes of a record's text.
//
// It differs from encoding/csv where real exports need it to:
//   - a quote inside an unquoted field is taken literally (12" pipe);
//   - a record with more fields than the header is accepted when the extra
//     fields are empty (trailing commas);
//   - a broken quote does not swallow the rest of the file. When a quoted
//     field crosses a line end and the record then turns out wrong (a stray
//     character after a closing quote, the wrong number of fields, a field
//     over the cap, maxRaw bytes without the quote closing, or the end of the
//     file), the first line is rejected as holding an unclosed quote and the
//     lines after it are read again as records of their own.
//
// Blank lines are skipped; "\r\n" ends a line like "\n"; a "\r" elsewhere is
// data, except a last one before the end of the file.
type csvReader struct {
	r       *bufio.Reader
	replay  []byte // bytes to read again before r
	rp      int
	back    []byte // bytes pushed back, last first
	comma   byte
	maxCell int
	maxRaw  int
	maxShow int
	want    int // fields per record; 0 until the header is known
	line    int // line number of the next byte
}

func newCSVReader(r *bufio.Reader, comma byte, maxCell int) *csvReader {
	return &csvReader{r: r, comma: comma, maxCell: maxCell, maxRaw: 4 * maxCell, maxShow: maxShow, line: 1}
}

// maxShow is how much of a rejected row's text is kept for the rejects file.
const maxShow = 4 << 10

// errRunaway stops a multi-line quoted field that has grown past the
// replay window.
var errRunaway = errors.New("runaway quoted field")

func (cr *csvReader) next() (byte, error) {
	if n := len(cr.back); n > 0 {
		b := cr.back[n-1]
		cr.back = cr.back[:n-1]
		return b, nil
	}
	if cr.rp < len(cr.replay) {
		b := cr.replay[cr.rp]
		cr.rp++
		return b, nil
	}
	return cr.r.ReadByte()
}

func (cr *csvReader) unread(b byte) { cr.back = append(cr.back, b) }

// readAgain puts b (bytes already read) in front of what is left to read:
// b, then the pushed-back bytes (which were read after it), then the rest
// of the replay buffer.
func (cr *csvReader) readAgain(b []byte) {
	rest := cr.replay[cr.rp:]
	buf := make([]byte, 0, len(b)+len(cr.back)+len(rest))
	buf = append(buf, b...)
	for i := len(cr.back) - 1; i >= 0; i-- {
		buf = append(buf, cr.back[i])
	}
	buf = append(buf, rest...)
	cr.back = cr.back[:0]
	cr.replay, cr.rp = buf, 0
}

// skipBlank consumes empty lines before a record; io.EOF when none is left.
func (cr *csvReader) skipBlank() error {
	for {
		b, err := cr.next()
		if err != nil {
			return err
		}
		switch b {
		case '\n':
			cr.line++
			continue
		case '\r':
			b2, err := cr.next()
			if err == io.EOF {
				return io.EOF // a last "\r" before the end is dropped
			}
			if err != nil {
				return err
			}
			if b2 == '\n' {
				cr.line++
				continue
			}
			cr.unread(b2)
		}
		cr.unread(b)
		return nil
	}
}

// Read returns the next record, or io.EOF. Parse problems come back in the
// record, not as errors; an error is the underlying reader failing.
func (cr *csvReader) Read() (*record, error) {
	if err := cr.skipBlank(); err != nil {
		return nil, err
	}
	p := recParse{cr: cr, rec: &record{line: cr.line}}
	return p.parse()
}

// recParse is the state of one record being read.
type recParse struct {
	cr       *csvReader
	rec      *record
	first    []byte // text of the first line (capped at maxShow)
	firstLen int
	rest     []byte // text after the first line, once a quoted field crossed it
	multi    bool
	fields   []string
	field    []byte
	fieldLen int
	eol      int // bytes of the line end that closed the record
}

// get reads one byte and keeps it in the record's text.
func (p *recParse) get() (byte, error) {
	b, err := p.cr.next()
	if err != nil {
		return 0, err
	}
	if b == '\n' {
		p.cr.line++
	}
	if p.multi {
		p.rest = append(p.rest, b)
		if len(p.rest) > p.cr.maxRaw {
			return b, errRunaway
		}
	} else {
		p.firstLen++
		if len(p.first) < p.cr.maxShow {
			p.first = append(p.first, b)
		}
	}
	return b, nil
}

func (p *recParse) add(b byte) {
	p.fieldLen++
	if len(p.field) < p.cr.maxCell {
		p.field = append(p.field, b)
	}
}

func (p *recParse) endField() {
	if p.fieldLen > p.cr.maxCell {
		p.rec.big = append(p.rec.big, bigCell{col: len(p.fields), size: p.fieldLen})
	}
	p.fields = append(p.fields, string(p.field))
	p.field, p.fieldLen = p.field[:0], 0
}

// startMulti marks the record as spanning lines: from here on its text goes
// to rest, which can be read again.
func (p *recParse) startMulti(eolLen int) {
	p.multi = true
	p.first = trimEOL(p.first)
	p.firstLen -= eolLen
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

func (p *recParse) parse() (*record, error) {
	for {
		b, err := p.get()
		switch {
		case err == io.EOF: // the record ended right after a separator
			p.endField()
			return p.finish(), nil
		case errors.Is(err, errRunaway):
			return p.broken(len(p.fields), fmt.Sprintf("a quoted field runs on for more than %d bytes without closing", p.cr.maxRaw)), nil
		case err != nil:
			return nil, err
		}
		var done bool
		if b == '"' {
			done, err = p.quoted()
		} else {
			done, err = p.unquoted(b)
		}
		if err != nil {
			return nil, err
		}
		if done {
			return p.rec, nil
		}
	}
}

// unquoted reads a field that starts with b; done when the record ended.
func (p *recParse) unquoted(b byte) (done bool, err error) {
	for {
		switch b {
		case p.cr.comma:
			p.endField()
			return false, nil
		case '\n':
			p.eol = 1
			p.endField()
			p.finish()
			return true, nil
		case '\r':
			b2, err := p.get()
			if err == io.EOF {
				p.eol = 1
				p.endField()
				p.finish()
				return true, nil
			}
			if err != nil {
				return p.fail(err)
			}
			if b2 == '\n' {
				p.eol = 2
				p.endField()
				p.finish()
				return true, nil
			}
			p.add('\r')
			b = b2
			continue
		default:
			p.add(b)
		}
		b, err = p.get()
		if err == io.EOF {
			p.endField()
			p.finish()
			return true, nil
		}
		if err != nil {
			return p.fail(err)
		}
	}
}

// fail turns a read error inside a record into the record's outcome: a
// runaway multi-line record is broken, anything else is the reader's error.
func (p *recParse) fail(err error) (bool, error) {
	if errors.Is(err, errRunaway) {
		p.broken(len(p.fields), fmt.Sprintf("a quoted field runs on for more than %d bytes without closing", p.cr.maxRaw))
		return true, nil
	}
	return false, err
}

// quoted reads a quoted field, its opening quote consumed.
func (p *recParse) quoted() (done bool, err error) {
	col := len(p.fields)
	for {
		b, err := p.get()
		if err == io.EOF {
			p.broken(col, "a quoted field is never closed")
			return true, nil
		}
		if err != nil {
			return p.fail(err)
		}
		eolLen := 1
		switch b {
		case '"':
			b2, err := p.get()
			if err == io.EOF {
				p.endField()
				p.finish()
				return true, nil
			}
			if err != nil {
				return p.fail(err)
			}
			switch b2 {
			case '"':
				p.add('"')
				continue
			case p.cr.comma:
				p.endField()
				return false, nil
			case '\n':
				p.eol = 1
				p.endField()
				p.finish()
				return true, nil
			case '\r':
				b3, err := p.get()
				if err == io.EOF || (err == nil && b3 == '\n') {
					p.eol = 1
					if err == nil {
						p.eol = 2
					}
					p.endField()
					p.finish()
					return true, nil
				}
				if err != nil {
					return p.fail(err)
				}
			}
			return p.afterQuote(col, b2)
		case '\r':
			b2, err := p.get()
			if err == io.EOF {
				p.broken(col, "a quoted field is never closed")
				return true, nil
			}
			if err != nil {
				return p.fail(err)
			}
			if b2 != '\n' {
				p.add('\r')
				p.cr.unread(b2)
				p.unkeep()
				continue
			}
			b, eolLen = '\n', 2
			fallthrough
		case '\n':
			p.add('\n')
			if !p.multi {
				p.startMulti(eolLen)
			}
		default:
			p.add(b)
		}
		if p.multi && p.fieldLen > p.cr.maxCell {
			p.broken(col, fmt.Sprintf("a quoted field runs on for more than %d bytes without closing", p.cr.maxCell))
			return true, nil
		}
	}
}

// unkeep drops the last byte kept in the record's text (it was pushed back
// to be read again).
func (p *recParse) unkeep() {
	if p.multi {
		p.rest = p.rest[:len(p.rest)-1]
		return
	}
	p.firstLen--
	if len(p.first) > 0 && len(p.first) <= p.cr.maxShow {
		p.first = p.first[:len(p.first)-1]
	}
}

// afterQuote handles a character that follows a closing quote but is no
// separator: the quote was not meant to close the field.
func (p *recParse) afterQuote(col int, b byte) (bool, error) {
	reason := fmt.Sprintf("unexpected %q after the closing quote of a quoted field", rune(b))
	if p.multi {
		p.broken(col, reason)
		return true, nil
	}
	// One line only: give up on it and resume at the next line.
	for {
		c, err := p.get()
		if err == io.EOF {
			break
		}
		if err == nil && c == '\n' {
			p.eol = 1
			if len(p.first) > 1 && p.first[len(p.first)-2] == '\r' {
				p.eol = 2
			}
			break
		}
		if err != nil {
			return p.fail(err)
		}
	}
	p.endField()
	p.setText()
	p.rec.fields = p.fields
	p.rec.problem = &problem{col: col, reason: reason}
	return true, nil
}

// finish completes a record that parsed, checking its number of fields.
func (p *recParse) finish() *record {
	p.setText()
	want := p.cr.want
	if want > 0 && len(p.fields) > want && allEmpty(p.fields[want:]) {
		p.fields = p.fields[:want]
	}
	p.rec.fields = p.fields
	if want > 0 && len(p.fields) != want {
		reason := fmt.Sprintf("has %d fields, want %d (as many as the header)", len(p.fields), want)
		if p.multi {
			return p.broken(-1, reason+": a quote opened on this line seems not to close on it")
		}
		p.rec.problem = &problem{col: -1, reason: reason}
	}
	return p.rec
}

func allEmpty(fs []string) bool {
	for _, f := range fs {
		if f != "" {
			return false
		}
	}
	return true
}

func (p *recParse) setText() {
	text := p.first
	if p.multi {
		text = append(append(append([]byte(nil), p.first...), '\n'), p.rest...)
		text = trimEOL(text)
	} else {
		text = trimEOL(text)
	}
	p.rec.textLen = p.firstLen - p.eol
	if p.multi {
		p.rec.textLen += 1 + len(p.rest)
	}
	if len(text) > p.cr.maxShow {
		text = text[:p.cr.maxShow]
	}
	p.rec.text = string(text)
}

// broken rejects the record's first line and, when the record ran over
// further lines, reads those again as records of their own.
func (p *recParse) broken(col int, reason string) *record {
	if !p.multi { // the end of the file inside a quote opened on the last line
		p.setText()
		p.endField()
		p.rec.fields = p.fields
		p.rec.problem = &problem{col: col, reason: reason}
		return p.rec
	}
	p.rec.text = string(p.first)
	p.rec.textLen = p.firstLen
	p.rec.fields = nil
	p.rec.big = nil
	p.rec.problem = &problem{col: col, reason: reason + fmt.Sprintf(
		"; the quote opened on line %d is taken as unclosed and the lines after it are read again", p.rec.line)}
	p.cr.readAgain(p.rest)
	p.cr.line = p.rec.line + 1
	return p.rec
}
