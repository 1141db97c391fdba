package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"gridplan/funnel"
	"gridplan/territory"
)

// constraint explains one named constraint of the schema (migrations/) so
// that a violation becomes a message a planner understands. A constraint
// missing here still yields a sensible, if plainer, error.
type constraint struct {
	field    string // the column it guards, as the domain's FieldError names it
	what     string // unique: what clashes ("grid code"); foreign key: the entity referred to ("district")
	referrer string // foreign key: what the referring rows are, for refused deletes ("managers")
	funnel   bool   // a claims/activities constraint: report with package funnel's errors
	quote    bool   // unique on text: quote the clashing value
}

var constraints = map[string]constraint{
	"districts_pkey":            {field: "id", what: "district id"},
	"grids_pkey":                {field: "id", what: "grid id"},
	"managers_pkey":             {field: "id", what: "manager id"},
	"customers_pkey":            {field: "id", what: "customer id"},
	"resources_pkey":            {field: "id", what: "resource id"},
	"users_pkey":                {field: "id", what: "user id"},
	"sessions_pkey":             {field: "token_hash", what: "session"},
	"claims_pkey":               {field: "id", what: "claim id", funnel: true},
	"activities_pkey":           {field: "id", what: "activity id", funnel: true},
	"transitions_pkey":          {field: "id", what: "transition id", funnel: true},
	"follow_ups_pkey":           {field: "id", what: "follow-up id", funnel: true},
	"districts_code_key":        {field: "code", what: "district code", quote: true},
	"grids_code_key":            {field: "code", what: "grid code", quote: true},
	"managers_code_key":         {field: "code", what: "manager code", quote: true},
	"users_username_key":        {field: "username", what: "username", quote: true},
	"customers_external_id_key": {field: "external_id", what: "customer external_id", quote: true},
	"resources_code_key":        {field: "code", what: "resource code", quote: true},

	"grids_district_id_fkey":       {field: "district_id", what: "district", referrer: "grids"},
	"managers_grid_id_fkey":        {field: "grid_id", what: "grid", referrer: "managers"},
	"customers_grid_id_fkey":       {field: "grid_id", what: "grid", referrer: "customers"},
	"customers_owner_id_fkey":      {field: "owner_id", what: "manager", referrer: "customers"},
	"users_manager_id_fkey":        {field: "manager_id", what: "manager", referrer: "user logins"},
	"sessions_user_id_fkey":        {field: "user_id", what: "user", referrer: "sessions"},
	"claims_customer_id_fkey":      {field: "customer_id", what: "customer", referrer: "claims", funnel: true},
	"claims_manager_id_fkey":       {field: "manager_id", what: "manager", referrer: "claims", funnel: true},
	"activities_customer_id_fkey":  {field: "customer_id", what: "customer", referrer: "activities", funnel: true},
	"activities_manager_id_fkey":   {field: "manager_id", what: "manager", referrer: "activities", funnel: true},
	"claims_ended_by_fkey":         {field: "ended_by", what: "user", referrer: "claims", funnel: true},
	"transitions_customer_id_fkey": {field: "customer_id", what: "customer", referrer: "transitions", funnel: true},
	"transitions_manager_id_fkey":  {field: "manager_id", what: "manager", referrer: "transitions", funnel: true},
	"transitions_user_id_fkey":     {field: "user_id", what: "user", referrer: "transitions", funnel: true},
	"follow_ups_customer_id_fkey":  {field: "customer_id", what: "customer", referrer: "follow-ups", funnel: true},
	"follow_ups_manager_id_fkey":   {field: "manager_id", what: "manager", referrer: "follow-ups", funnel: true},
	"follow_ups_activity_id_fkey":  {field: "activity_id", what: "activity", referrer: "follow-ups", funnel: true},

	"jobs_pkey":            {field: "id", what: "job id"},
	"gazetteer_pkey":       {field: "id", what: "gazetteer entry id"},
	"jobs_created_by_fkey": {field: "created_by", what: "user", referrer: "jobs"},

	"plans_pkey":                   {field: "id", what: "plan id"},
	"plan_grids_pkey":              {field: "id", what: "plan grid id"},
	"plans_base_plan_id_fkey":      {field: "base_plan_id", what: "plan", referrer: "plans based on it"},
	"plan_grids_plan_id_fkey":      {field: "plan_id", what: "plan", referrer: "grids"},
	"plan_grids_district_id_fkey":  {field: "district_id", what: "district", referrer: "grids in grid plans (drafts or history)"},
	"plan_grids_successor_id_fkey": {field: "successor_id", what: "plan grid", referrer: "removed grids naming it as successor"},
	"plans_status_check":           {field: "status"},

	"grids_status_check":         {field: "status"},
	"jobs_status_check":          {field: "status"},
	"resources_status_check":     {field: "status"},
	"resources_coverage_check":   {field: "geometry"},
	"claims_status_check":        {field: "status", funnel: true},
	"activities_position_check":  {field: "position", funnel: true},
	"transitions_evidence_check": {field: "evidence", funnel: true},
}

// oneActiveClaim is the partial unique index behind "one active claim per
// customer".
const oneActiveClaim = "claims_one_active_idx"

// Error codes of PostgreSQL (Appendix A of its manual) that the store turns
// into domain errors.
const (
	codeNotNull      = "23502"
	codeForeignKey   = "23503"
	codeUnique       = "23505"
	codeCheck        = "23514"
	codeTxAborted    = "25P02"
	codeSerializaton = "40001"
	codeDeadlock     = "40P01"
)

// keyDetail pulls the value out of a violation's detail, e.g.
// `Key (code)=(XH-01) already exists.` With the server's messages in another
// language it does not match and messages go without the value.
var keyDetail = regexp.MustCompile(`^Key \(([^)]*)\)=\((.*)\) `)

func detailValue(pe *pgconn.PgError) string {
	if m := keyDetail.FindStringSubmatch(pe.Detail); m != nil {
		return m[2]
	}
	return ""
}

// translate turns a driver error into the domain's errors: a violated
// constraint into a FieldError or ConflictError naming what is wrong,
// anything else into an opaque error that keeps only the message (and
// context cancellation). Errors that are not the driver's pass unchanged.
// A missing row is handled by the callers, who know what was looked for.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pgError(pe)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return territory.ErrNotFound
	}
	return opaque(err)
}

func pgError(pe *pgconn.PgError) error {
	c, known := constraints[pe.ConstraintName]
	val := detailValue(pe)
	switch pe.Code {
	case codeUnique:
		if pe.ConstraintName == oneActiveClaim {
			if val == "" {
				return fmt.Errorf("the customer already has an active claim: %w", funnel.ErrConflict)
			}
			return fmt.Errorf("customer %s already has an active claim: %w", val, funnel.ErrConflict)
		}
		what := c.what
		if !known {
			what = "a row with this key"
		}
		reason := what + " already exists"
		switch {
		case val != "" && c.quote:
			reason = fmt.Sprintf("%s %q already exists", what, val)
		case val != "":
			reason = fmt.Sprintf("%s %s already exists", what, val)
		}
		if c.funnel {
			return fmt.Errorf("%s: %w", reason, funnel.ErrConflict)
		}
		return &territory.ConflictError{Reason: reason}
	case codeForeignKey:
		if !known {
			return fieldError(false, "", "refers to a row that does not exist")
		}
		if val == "" {
			return fieldError(c.funnel, c.field, fmt.Sprintf("no such %s", c.what))
		}
		return fieldError(c.funnel, c.field, fmt.Sprintf("%s %s does not exist", c.what, val))
	case codeNotNull:
		return fieldError(c.funnel, pe.ColumnName, "is required")
	case codeCheck:
		field := c.field
		if !known {
			field = pe.ConstraintName
		}
		return fieldError(c.funnel, field, "has a value the schema refuses ("+pe.ConstraintName+")")
	case codeTxAborted:
		return errors.New("postgres: the transaction was aborted by an earlier error; nothing more runs in it until it ends")
	case codeSerializaton, codeDeadlock:
		return &dbError{msg: pe.Message + " (retry the operation)"}
	}
	return &dbError{msg: pe.Error()}
}

func fieldError(inFunnel bool, field, reason string) error {
	if field == "" {
		field = "(unknown)"
	}
	if inFunnel {
		return &funnel.FieldError{Field: field, Reason: reason}
	}
	return &territory.FieldError{Field: field, Reason: reason}
}

// translateDelete is translate for a DELETE of kind id: a foreign key that
// refuses the delete becomes a ConflictError saying what still refers to it.
func translateDelete(err error, kind string, id int64) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == codeForeignKey {
		if c, ok := constraints[pe.ConstraintName]; ok && c.referrer != "" {
			return &territory.ConflictError{Reason: fmt.Sprintf("%s %d still has %s", kind, id, c.referrer)}
		}
		return &territory.ConflictError{Reason: fmt.Sprintf("%s %d is still referred to", kind, id)}
	}
	return translate(err)
}

// notFound is translate for a lookup of kind id: no row is a NotFoundError.
func notFound(err error, kind string, id int64) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return territory.NotFound(kind, id)
	}
	return translate(err)
}

// dbError is a driver error reduced to its message, so that no driver type
// leaves the package; it keeps a context cancellation or deadline visible
// to errors.Is.
type dbError struct {
	msg   string
	cause error
}

func (e *dbError) Error() string { return "postgres: " + e.msg }

func (e *dbError) Unwrap() error { return e.cause }

func opaque(err error) error {
	if err == nil {
		return nil
	}
	e := &dbError{msg: err.Error()}
	switch {
	case errors.Is(err, context.Canceled):
		e.cause = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		e.cause = context.DeadlineExceeded
	}
	return e
}
