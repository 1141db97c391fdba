package territory

import (
	"errors"
	"fmt"
)

// Sentinel errors; check with errors.Is. Stores translate driver errors into
// these so that no driver type leaves package data.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrInvalid      = errors.New("invalid")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
)

// FieldError is a validation failure of one field; its message is safe to
// show to users and names the field (and, for geometry, the coordinate).
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Unwrap lets errors.Is(err, ErrInvalid) match.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Invalid returns a *FieldError for field.
func Invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// ConflictError is a refused write; Reason says what is in the way.
type ConflictError struct {
	Reason string
}

func (e *ConflictError) Error() string { return e.Reason }

// Unwrap lets errors.Is(err, ErrConflict) match.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// NotFoundError names what was looked for.
type NotFoundError struct {
	Kind string // "grid", "customer" …
	Key  string // the id or name looked up
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %s not found", e.Kind, e.Key) }

// Unwrap lets errors.Is(err, ErrNotFound) match.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// NotFound returns a *NotFoundError for an entity kind and numeric id.
func NotFound(kind string, id int64) error {
	return &NotFoundError{Kind: kind, Key: fmt.Sprint(id)}
}
