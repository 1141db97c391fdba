package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding names the text encoding a CSV file was read in.
type Encoding string

// Encodings the importer reads.
const (
	UTF8    Encoding = "UTF-8"
	UTF8BOM Encoding = "UTF-8 (BOM)"
	GB18030 Encoding = "GB18030" // a superset of GBK and GB2312: what Chinese Excel saves as "CSV"
	UTF16LE Encoding = "UTF-16LE (BOM)"
	UTF16BE Encoding = "UTF-16BE (BOM)"
)

// sniffBytes is how much of a file that cannot be rewound is examined to
// choose its encoding. A seekable file is examined whole.
const sniffBytes = 1 << 20

// badShare is the share of undecodable sequences above which an encoding is
// ruled out: a real file in that encoding has a stray bad byte or two (a
// truncated copy-paste), not one in a hundred.
const badShare = 0.01

// textStats is what one pass over the raw bytes learns.
type textStats struct {
	size      int64
	newlines  int64 // '\n' bytes: an estimate of the number of rows
	lastByte  byte
	nul       int64
	nulAt     int64
	controls  int64 // C0 controls other than \t \n \r \f \v and 0x1A (DOS EOF)
	u8Multi   int64 // valid multi-byte UTF-8 sequences
	u8Bad     int64 // invalid UTF-8 bytes
	u8BadAt   int64
	u8BadByte byte
}

// scanText reads r to the end, counting what detectEncoding needs. A rune
// cut by the end of a chunk is carried into the next; one cut by the end of
// a sample (partial) is not counted as bad.
func scanText(r io.Reader, partial bool) (textStats, error) {
	st := textStats{nulAt: -1, u8BadAt: -1}
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		n += carry
		atEOF := err == io.EOF
		if err != nil && !atEOF {
			return st, err
		}
		chunk := buf[:n]
		i := 0
		for i < len(chunk) {
			c := chunk[i]
			if c < utf8.RuneSelf {
				switch {
				case c == '\n':
					st.newlines++
				case c == 0:
					if st.nul == 0 {
						st.nulAt = st.size + int64(i)
					}
					st.nul++
				case c < 0x20 && c != '\t' && c != '\r' && c != '\f' && c != '\v' && c != 0x1a, c == 0x7f:
					st.controls++
				}
				i++
				continue
			}
			if !atEOF && !utf8.FullRune(chunk[i:]) {
				break // finish it with the next read
			}
			ru, size := utf8.DecodeRune(chunk[i:])
			if ru == utf8.RuneError && size == 1 {
				if !(atEOF && partial && !utf8.FullRune(chunk[i:])) {
					if st.u8Bad == 0 {
						st.u8BadAt, st.u8BadByte = st.size+int64(i), c
					}
					st.u8Bad++
				}
			} else {
				st.u8Multi++
			}
			i += size
		}
		if i > 0 {
			st.lastByte = chunk[i-1]
		}
		st.size += int64(i)
		carry = copy(buf, chunk[i:])
		if atEOF {
			return st, nil
		}
	}
}

// gbStats decodes r as GB18030 and counts the sequences it could not decode
// (the decoder writes U+FFFD for them) among the non-ASCII characters.
func gbStats(r io.Reader) (multi, bad int64, err error) {
	br := bufio.NewReaderSize(transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder()), 64<<10)
	for {
		ru, _, err := br.ReadRune()
		if err == io.EOF {
			return multi, bad, nil
		}
		if err != nil {
			return multi, bad, err
		}
		switch {
		case ru == utf8.RuneError:
			bad++
		case ru >= utf8.RuneSelf:
			multi++
		}
	}
}

// EncodingError refuses a file whose bytes are not text in an encoding the
// importer knows.
type EncodingError struct {
	Reason string
}

func (e *EncodingError) Error() string { return "unknown encoding: " + e.Reason }

// detectEncoding chooses how to read a CSV file: a byte-order mark decides
// (UTF-8, UTF-16LE/BE); otherwise bytes that are valid UTF-8 are UTF-8, and
// bytes that are not are GB18030 (GBK's superset, what Chinese Excel writes).
// A few bad sequences among many good ones are tolerated (the rows holding
// them are rejected one by one); binary data (NUL bytes, control characters)
// and bytes that are neither are refused with an *EncodingError.
//
// sample holds the first bytes of the file; rest, when not nil, reads the
// whole file again from its start, so that a seekable file is judged whole.
func detectEncoding(sample []byte, whole func() (io.Reader, error)) (Encoding, textStats, error) {
	switch {
	case bytes.HasPrefix(sample, []byte{0xEF, 0xBB, 0xBF}):
		st, err := statsOf(sample, whole)
		return UTF8BOM, st, err
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}):
		return UTF16LE, textStats{}, nil
	case bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		return UTF16BE, textStats{}, nil
	}
	st, err := statsOf(sample, whole)
	if err != nil {
		return "", st, err
	}
	if st.nul > 0 {
		return "", st, &EncodingError{Reason: fmt.Sprintf("binary data, not text: NUL byte at offset %d (a spreadsheet in another format, or UTF-16 without a byte-order mark?)", st.nulAt)}
	}
	if st.controls > max(1, st.size/100) {
		return "", st, &EncodingError{Reason: fmt.Sprintf("binary data, not text: %d control characters in %d bytes", st.controls, st.size)}
	}
	if st.u8Bad == 0 {
		return UTF8, st, nil
	}
	if float64(st.u8Bad) < badShare*float64(st.u8Multi+st.u8Bad) {
		return UTF8, st, nil // mostly UTF-8: the few rows with bad bytes are rejected
	}
	var multi, bad int64
	if whole != nil {
		r, err := whole()
		if err != nil {
			return "", st, err
		}
		multi, bad, err = gbStats(r)
		if err != nil {
			return "", st, err
		}
	} else {
		multi, bad, _ = gbStats(bytes.NewReader(trimPartialGB(sample)))
	}
	if bad == 0 || float64(bad) < badShare*float64(multi+bad) {
		return GB18030, st, nil
	}
	return "", st, &EncodingError{Reason: fmt.Sprintf(
		"neither UTF-8 (invalid byte 0x%02X at offset %d, %d bad of %d non-ASCII sequences) nor GB18030/GBK (%d bad of %d); save the file as UTF-8 CSV or XLSX",
		st.u8BadByte, st.u8BadAt, st.u8Bad, st.u8Multi+st.u8Bad, bad, multi+bad)}
}

func statsOf(sample []byte, whole func() (io.Reader, error)) (textStats, error) {
	if whole == nil {
		return scanText(bytes.NewReader(sample), len(sample) >= sniffBytes)
	}
	r, err := whole()
	if err != nil {
		return textStats{}, err
	}
	return scanText(r, false)
}

// trimPartialGB drops a possibly cut multi-byte sequence at the end of a
// sample, so that the cut does not count as a bad sequence.
func trimPartialGB(b []byte) []byte {
	if len(b) < sniffBytes {
		return b
	}
	for k := 0; k < 3 && len(b) > 0 && b[len(b)-1] >= 0x80; k++ {
		b = b[:len(b)-1]
	}
	return b
}

// decoder returns a reader of UTF-8 text from r in encoding e, without a
// byte-order mark.
func decoder(r io.Reader, e Encoding) io.Reader {
	switch e {
	case GB18030:
		return transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())
	case UTF16LE:
		return transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	case UTF16BE:
		return transform.NewReader(r, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder())
	case UTF8BOM:
		// Skip the mark by hand: x/text's UTF-8 decoder would also turn bad
		// bytes into U+FFFD, hiding them from the per-row check.
		var bom [3]byte
		if _, err := io.ReadFull(r, bom[:]); err != nil {
			return errReader{err}
		}
	}
	return r
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
