package importer

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// RejectsHeader is the header row of a rejects file.
var RejectsHeader = []string{"line", "column", "reason", "row"}

// RejectsWriter writes rejected rows as CSV: line, column, reason and the
// row as written. The file starts with a UTF-8 byte-order mark so that
// Excel shows its Chinese text right; the importer reads it back.
type RejectsWriter struct {
	w *csv.Writer
	n int
}

// NewRejectsWriter writes the byte-order mark and the header to w.
func NewRejectsWriter(w io.Writer) (*RejectsWriter, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, fmt.Errorf("rejects: %w", err)
	}
	rw := &RejectsWriter{w: csv.NewWriter(w)}
	if err := rw.w.Write(RejectsHeader); err != nil {
		return nil, fmt.Errorf("rejects: %w", err)
	}
	return rw, nil
}

// Write adds one reject; it fits Options.OnReject.
func (rw *RejectsWriter) Write(r Reject) error {
	if err := rw.w.Write([]string{strconv.Itoa(r.Line), r.Column, r.Reason, r.Row}); err != nil {
		return fmt.Errorf("rejects: %w", err)
	}
	rw.n++
	if rw.n%256 == 0 {
		rw.w.Flush()
		return rw.w.Error()
	}
	return nil
}

// Flush writes what is buffered and reports any write error so far.
func (rw *RejectsWriter) Flush() error {
	rw.w.Flush()
	if err := rw.w.Error(); err != nil {
		return fmt.Errorf("rejects: %w", err)
	}
	return nil
}

// Count is the number of rejects written.
func (rw *RejectsWriter) Count() int { return rw.n }

// WriteRejects writes rs as a whole rejects file.
func WriteRejects(w io.Writer, rs []Reject) error {
	rw, err := NewRejectsWriter(w)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := rw.Write(r); err != nil {
			return err
		}
	}
	return rw.Flush()
}
