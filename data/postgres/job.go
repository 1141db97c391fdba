package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"gridplan/territory"
)

const jobColumns = `id, kind, status, done, total, message, result, error, coalesce(created_by, 0), created_at,
	updated_at, finished_at`

func scanJob(row pgx.Row) (*territory.Job, error) {
	var j territory.Job
	var result []byte
	var finished *time.Time
	err := row.Scan(&j.ID, &j.Kind, &j.Status, &j.Done, &j.Total, &j.Message, &result, &j.Error, &j.CreatedBy,
		&j.CreatedAt, &j.UpdatedAt, &finished)
	if err != nil {
		return nil, err
	}
	if result != nil {
		j.Result = result
	}
	j.CreatedAt, j.UpdatedAt = j.CreatedAt.UTC(), j.UpdatedAt.UTC()
	if finished != nil {
		f := finished.UTC()
		j.FinishedAt = &f
	}
	return &j, nil
}

// jobResult is a job's result as a jsonb parameter: its JSON text, NULL
// when empty. (A string is sent as JSON text, not quoted.)
func jobResult(j *territory.Job) any {
	if len(j.Result) == 0 {
		return nil
	}
	return string(j.Result)
}

// finishedAt stamps j.FinishedAt as the store keeps it and returns it as a
// parameter.
func finishedAt(j *territory.Job) *time.Time {
	if j.FinishedAt == nil {
		return nil
	}
	f := stamp(*j.FinishedAt)
	j.FinishedAt = &f
	return &f
}

// translateJob is translate for a job write: JSON that json.Valid accepts
// but jsonb refuses (a \u0000 escape) is a FieldError on result.
func translateJob(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22P0") {
		return territory.Invalid("result", "cannot be stored as jsonb: %s", pe.Message)
	}
	return translate(err)
}

// CreateJob validates j, stores it and sets j.ID, and CreatedAt and
// UpdatedAt to now when zero. A CreatedBy naming no user is a FieldError
// on created_by.
func (s *Store) CreateJob(ctx context.Context, j *territory.Job) error {
	if err := j.Validate(); err != nil {
		return err
	}
	if j.CreatedBy < 0 {
		return territory.Invalid("created_by", "must not be negative")
	}
	t := now()
	created := stampOr(j.CreatedAt, t)
	updated := stampOr(j.UpdatedAt, t)
	var id int64
	err := s.db.QueryRow(ctx, `INSERT INTO jobs (kind, status, done, total, message, result, error, created_by,
			created_at, updated_at, finished_at)
		VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11) RETURNING id`,
		j.Kind, string(j.Status), j.Done, j.Total, j.Message, jobResult(j), j.Error, nullID(j.CreatedBy),
		created, updated, finishedAt(j)).Scan(&id)
	if err != nil {
		return fmt.Errorf("create job %q: %w", j.Kind, translateJob(err))
	}
	j.ID, j.CreatedAt, j.UpdatedAt = id, created, updated
	return nil
}

// Job returns job id.
func (s *Store) Job(ctx context.Context, id int64) (*territory.Job, error) {
	j, err := scanJob(s.db.QueryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "job", id)
	}
	return j, nil
}

// UpdateJob validates j and overwrites job j.ID's kind, status, progress,
// message, result, error and FinishedAt; UpdatedAt becomes now. Who created
// it and when stay as stored and are copied into j.
func (s *Store) UpdateJob(ctx context.Context, j *territory.Job) error {
	if err := j.Validate(); err != nil {
		return err
	}
	updated := now()
	var createdBy int64
	var created time.Time
	err := s.db.QueryRow(ctx, `UPDATE jobs SET kind = $2, status = $3, done = $4, total = $5, message = $6,
			result = $7::jsonb, error = $8, updated_at = $9, finished_at = $10
		WHERE id = $1 RETURNING coalesce(created_by, 0), created_at`,
		j.ID, j.Kind, string(j.Status), j.Done, j.Total, j.Message, jobResult(j), j.Error, updated, finishedAt(j)).
		Scan(&createdBy, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return territory.NotFound("job", j.ID)
	}
	if err != nil {
		return fmt.Errorf("update job %d: %w", j.ID, translateJob(err))
	}
	j.CreatedBy, j.CreatedAt, j.UpdatedAt = createdBy, created.UTC(), updated
	return nil
}

// Jobs returns the jobs f selects, newest first (by CreatedAt, then id).
func (s *Store) Jobs(ctx context.Context, f territory.JobFilter) ([]*territory.Job, error) {
	var q filter
	if f.Kind != "" {
		q.add("kind = ?", f.Kind)
	}
	if f.CreatedBy != 0 {
		q.add("created_by = ?", f.CreatedBy)
	}
	if f.Status != "" {
		q.add("status = ?", string(f.Status))
	}
	tail := q.where() + " ORDER BY created_at DESC, id DESC"
	if f.Limit > 0 {
		q.args = append(q.args, f.Limit)
		tail += fmt.Sprintf(" LIMIT $%d", len(q.args))
	}
	rows, err := s.db.Query(ctx, `SELECT `+jobColumns+` FROM jobs`+tail, q.args...)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", translate(err))
	}
	js, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*territory.Job, error) { return scanJob(r) })
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", translate(err))
	}
	return js, nil
}
