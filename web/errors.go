package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"gridplan/funnel"
	"gridplan/territory"
	"gridplan/territory/sales"
)

// Errors of the HTTP layer itself; the domain's sentinels cover the rest.
var (
	errTooLarge         = errors.New("request body too large")
	errUnsupportedMedia = errors.New("unsupported media type")
	errMethodNotAllowed = errors.New("method not allowed")

	errNoRoute  = &publicError{kind: territory.ErrNotFound, msg: "no such endpoint"}
	errNoMethod = &publicError{kind: errMethodNotAllowed, msg: "this endpoint does not accept that method"}
)

// errorKinds is the one table from error kind to HTTP status and code. The
// first row whose target matches (errors.Is) wins; anything unmatched is a
// 500 "internal" whose text is logged, never sent.
var errorKinds = []struct {
	target error
	status int
	code   string
	msg    string // default message when the error carries no safe one
}{
	{territory.ErrInvalid, http.StatusBadRequest, "invalid", "invalid request"},
	{funnel.ErrInvalid, http.StatusBadRequest, "invalid", "invalid request"},
	{territory.ErrUnauthorized, http.StatusUnauthorized, "unauthorized", "login required"},
	{territory.ErrForbidden, http.StatusForbidden, "forbidden", "your role may not do this"},
	{territory.ErrNotFound, http.StatusNotFound, "not_found", "not found"},
	{funnel.ErrNotFound, http.StatusNotFound, "not_found", "not found"},
	{errMethodNotAllowed, http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed"},
	{territory.ErrConflict, http.StatusConflict, "conflict", "conflict"},
	{funnel.ErrConflict, http.StatusConflict, "conflict", "conflict"},
	{errTooLarge, http.StatusRequestEntityTooLarge, "too_large", "request body too large"},
	{errUnsupportedMedia, http.StatusUnsupportedMediaType, "unsupported_media_type", "send the body as Content-Type: application/json"},
}

// errorBody is the one JSON error shape.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// The details of a refused claim or stage change (409), for the page
	// to show: who holds the customer and since when, the list's quota,
	// the end of a cooldown, the checklist items still missing.
	Holder   *funnel.ClaimConflictError `json:"holder,omitempty"`
	Quota    *funnel.QuotaError         `json:"quota,omitempty"`
	Cooldown *funnel.CooldownError      `json:"cooldown,omitempty"`
	Missing  []funnel.Requirement       `json:"missing,omitempty"`
}

// publicError is an error of a known kind whose message was written to be
// shown to the caller.
type publicError struct {
	kind  error
	msg   string
	field string
}

func (e *publicError) Error() string { return e.msg }
func (e *publicError) Unwrap() error { return e.kind }

func unauthorized(format string, args ...any) error {
	return &publicError{kind: territory.ErrUnauthorized, msg: fmt.Sprintf(format, args...)}
}

func forbidden(format string, args ...any) error {
	return &publicError{kind: territory.ErrForbidden, msg: fmt.Sprintf(format, args...)}
}

func conflict(format string, args ...any) error {
	return &territory.ConflictError{Reason: fmt.Sprintf(format, args...)}
}

// invalid is territory.Invalid, repeated here so handlers read uniformly.
func invalid(field, format string, args ...any) error {
	return territory.Invalid(field, format, args...)
}

// classify maps err to its status, code, safe message and field.
func classify(err error) (status int, d errorDetail) {
	for _, k := range errorKinds {
		if !errors.Is(err, k.target) {
			continue
		}
		d = errorDetail{Code: k.code, Message: k.msg}
		var (
			pe  *publicError
			tfe *territory.FieldError
			ffe *funnel.FieldError
			ce  *territory.ConflictError
			nf  *territory.NotFoundError
			mbe *http.MaxBytesError
			sfe *sales.ForbiddenError
			cce *funnel.ClaimConflictError
			qe  *funnel.QuotaError
			cde *funnel.CooldownError
			te  *funnel.TransitionError
		)
		// Only typed errors carry text meant for users; a sentinel wrapped
		// by fmt.Errorf somewhere below may carry driver detail, so its
		// text is not sent.
		switch {
		case errors.As(err, &pe):
			d.Message, d.Field = pe.msg, pe.field
		case errors.As(err, &tfe):
			d.Message, d.Field = tfe.Error(), tfe.Field
		case errors.As(err, &ffe):
			d.Message, d.Field = ffe.Error(), ffe.Field
		case errors.As(err, &ce):
			d.Message = ce.Reason
		case errors.As(err, &nf):
			d.Message = nf.Error()
		case errors.As(err, &mbe):
			d.Message = fmt.Sprintf("request body is larger than %d bytes", mbe.Limit)
		case errors.As(err, &sfe):
			d.Message = sfe.Reason
		case errors.As(err, &cce):
			d.Message, d.Holder = cce.Error(), cce
		case errors.As(err, &qe):
			d.Message, d.Quota = qe.Error(), qe
		case errors.As(err, &cde):
			d.Message, d.Cooldown = cde.Error(), cde
		case errors.As(err, &te):
			d.Message, d.Missing = te.Error(), te.Missing
		}
		return k.status, d
	}
	return http.StatusInternalServerError, errorDetail{Code: "internal", Message: "internal error; the server log has the details"}
}

// renderErrors is the one place errors become responses: handlers call
// c.Error(err) and return; after them, this middleware answers with the
// JSON error shape unless something was already written.
func (s *server) renderErrors(c *gin.Context) {
	c.Next()
	if len(c.Errors) == 0 || c.Writer.Written() {
		return
	}
	s.writeError(c, c.Errors.Last().Err)
}

func (s *server) writeError(c *gin.Context, err error) {
	status, d := classify(err)
	if status == http.StatusInternalServerError {
		s.Logger.ErrorContext(c.Request.Context(), "request failed", "err", err, "method", c.Request.Method,
			"route", routeOf(c), "request_id", requestIDOf(c))
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Cookie realm="gridplan", cookie-name="`+sessionCookie+`"`)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: d})
}

// fail records err for renderErrors and stops the handler chain.
func fail(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Abort()
}

// decodeJSON reads the request body into v: exactly one JSON value, no
// trailing data. Malformed JSON is a 400 on "body" giving the byte offset, a
// value of the wrong type a 400 on its field, an oversized body a 413.
func decodeJSON(c *gin.Context, v any) error {
	if c.Request.Body == nil || c.Request.Body == http.NoBody {
		return invalid("body", "is required (a JSON object)")
	}
	dec := json.NewDecoder(c.Request.Body)
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fmt.Errorf("%w: %w", errTooLarge, err)
		}
		return invalid("body", "unexpected data after the JSON value at byte %d", dec.InputOffset())
	}
	return nil
}

func jsonError(err error) error {
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		ute *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return fmt.Errorf("%w: %w", errTooLarge, err)
	case errors.Is(err, io.EOF):
		return invalid("body", "is required (a JSON object)")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("body", "malformed JSON: unexpected end of input")
	case errors.As(err, &se):
		return invalid("body", "malformed JSON at byte %d: %s", se.Offset, se.Error())
	case errors.As(err, &ute):
		// A GeoJSON Feature's properties are the object's fields: name
		// them as such ("district_id", not "properties.district_id").
		field := strings.TrimPrefix(ute.Field, "properties.")
		if field == "" {
			return invalid("body", "must be a JSON %s, got %s", "object", ute.Value)
		}
		return invalid(field, "must be %s, got %s (at byte %d)", jsonKind(ute.Type.Kind().String()), ute.Value, ute.Offset)
	}
	return invalid("body", "cannot be read: %v", err)
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"):
		return "an integer"
	case strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "true or false"
	case goKind == "slice", goKind == "array":
		return "an array"
	}
	return "an object"
}

// parseID parses a positive int64 id named field.
func parseID(field, raw string) (int64, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid(field, "must be a positive integer id, got %q", raw)
	}
	return id, nil
}

// pathID is the :id path parameter as a positive id.
func pathID(c *gin.Context) (int64, error) { return parseID("id", c.Param("id")) }

// queryID is an optional positive id query parameter; 0 when absent.
func queryID(c *gin.Context, name string) (int64, error) {
	raw, ok := c.GetQuery(name)
	if !ok {
		return 0, nil
	}
	return parseID(name, raw)
}

// lookupErr names what a failed lookup was looking for: a store's bare
// ErrNotFound becomes "grid 7 not found"; other errors keep their cause
// for the log.
func lookupErr(kind string, id int64, err error) error {
	var nf *territory.NotFoundError
	if errors.Is(err, territory.ErrNotFound) && !errors.As(err, &nf) {
		return territory.NotFound(kind, id)
	}
	return fmt.Errorf("%s %d: %w", kind, id, err)
}
