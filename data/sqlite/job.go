package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gridplan/territory"
)

const jobCols = "id, kind, status, done, total, message, result, error, created_by, created_at, updated_at, finished_at"

func scanJob(row interface{ Scan(...any) error }) (*territory.Job, error) {
	var j territory.Job
	var result sql.NullString
	var createdBy, finished sql.NullInt64
	var created, updated int64
	err := row.Scan(&j.ID, &j.Kind, &j.Status, &j.Done, &j.Total, &j.Message, &result, &j.Error, &createdBy,
		&created, &updated, &finished)
	if err != nil {
		return nil, err
	}
	if result.Valid {
		j.Result = []byte(result.String)
	}
	j.CreatedBy, j.CreatedAt, j.UpdatedAt = createdBy.Int64, fromMicros(created), fromMicros(updated)
	if finished.Valid {
		t := fromMicros(finished.Int64)
		j.FinishedAt = &t
	}
	return &j, nil
}

// jobResult encodes a job's result: its JSON text, NULL when empty.
func jobResult(j *territory.Job) any {
	if len(j.Result) == 0 {
		return nil
	}
	return string(j.Result)
}

// finishedAt encodes FinishedAt, and brings the caller's copy to what a
// read returns (UTC, whole microseconds).
func finishedAt(j *territory.Job) any {
	if j.FinishedAt == nil {
		return nil
	}
	t := exact(*j.FinishedAt)
	j.FinishedAt = &t
	return micros(t)
}

// checkJobUser returns a FieldError on created_by when it names no user.
func checkJobUser(ctx context.Context, q querier, id int64) error {
	if id == 0 {
		return nil
	}
	ok, err := exists(ctx, q, "users", id)
	if err == nil && !ok {
		err = territory.Invalid("created_by", "user %d does not exist", id)
	}
	return err
}

// CreateJob validates j, stores it and sets j.ID, and CreatedAt and
// UpdatedAt to now when zero.
func (s *Store) CreateJob(ctx context.Context, j *territory.Job) error {
	if err := j.Validate(); err != nil {
		return err
	}
	if j.CreatedBy < 0 {
		return territory.Invalid("created_by", "must not be negative")
	}
	return s.write(ctx, func(q querier) error {
		if err := checkJobUser(ctx, q, j.CreatedBy); err != nil {
			return err
		}
		now := exact(s.now())
		created, updated := j.CreatedAt, j.UpdatedAt
		stamp(&created, now)
		stamp(&updated, now)
		res, err := q.ExecContext(ctx, `INSERT INTO jobs (kind, status, done, total, message, result, error, created_by,
				created_at, updated_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			j.Kind, j.Status, j.Done, j.Total, j.Message, jobResult(j), j.Error, nullID(j.CreatedBy),
			micros(created), micros(updated), finishedAt(j))
		if err != nil {
			return fmt.Errorf("sqlite: create job %q: %w", j.Kind, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		j.ID, j.CreatedAt, j.UpdatedAt = id, created, updated
		return nil
	})
}

// Job returns job id.
func (s *Store) Job(ctx context.Context, id int64) (*territory.Job, error) {
	j, err := scanJob(s.read().QueryRowContext(ctx, "SELECT "+jobCols+" FROM jobs WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, territory.NotFound("job", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: job %d: %w", id, err)
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
	return s.write(ctx, func(q querier) error {
		updated := exact(s.now())
		var createdBy sql.NullInt64
		var created int64
		err := q.QueryRowContext(ctx, `UPDATE jobs SET kind = ?, status = ?, done = ?, total = ?, message = ?, result = ?,
				error = ?, updated_at = ?, finished_at = ? WHERE id = ? RETURNING created_by, created_at`,
			j.Kind, j.Status, j.Done, j.Total, j.Message, jobResult(j), j.Error, micros(updated), finishedAt(j), j.ID).
			Scan(&createdBy, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return territory.NotFound("job", j.ID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: update job %d: %w", j.ID, err)
		}
		j.CreatedBy, j.CreatedAt, j.UpdatedAt = createdBy.Int64, fromMicros(created), updated
		return nil
	})
}

// Jobs returns the jobs f selects, newest first (by CreatedAt, then id).
func (s *Store) Jobs(ctx context.Context, f territory.JobFilter) ([]*territory.Job, error) {
	var w where
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	if f.CreatedBy != 0 {
		w.add("created_by = ?", f.CreatedBy)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	q := "SELECT " + jobCols + " FROM jobs" + w.String() + " ORDER BY created_at DESC, id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.read().QueryContext(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: jobs: %w", err)
	}
	return collect(rows, scanJob)
}
