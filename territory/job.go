package territory

import (
	"context"
	"encoding/json"
	"time"
)

// JobStatus is where a background job stands.
type JobStatus string

// Job statuses.
const (
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed"
)

// Job is a long operation (an import, a reassignment …) that runs in the
// background. It lives in the store so that any web replica can answer a
// poll about it.
type Job struct {
	ID         int64           `json:"id"`
	Kind       string          `json:"kind"` // "import_customers" …
	Status     JobStatus       `json:"status"`
	Done       int             `json:"done"`
	Total      int             `json:"total"`
	Message    string          `json:"message,omitempty"` // what it is doing now
	Result     json.RawMessage `json:"result,omitempty"`
	Error      string          `json:"error,omitempty"`
	CreatedBy  int64           `json:"created_by,omitempty"` // user id
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	FinishedAt *time.Time      `json:"finished_at,omitempty"`
}

// Validate checks a job before it is stored.
func (j *Job) Validate() error {
	switch {
	case blank(j.Kind):
		return Invalid("kind", "is required")
	case !oneOf(j.Status, []JobStatus{JobQueued, JobRunning, JobSucceeded, JobFailed}):
		return Invalid("status", "unknown job status %q", j.Status)
	case j.Done < 0 || j.Total < 0:
		return Invalid("done", "progress must not be negative")
	case len(j.Result) > 0 && !json.Valid(j.Result):
		return Invalid("result", "is not valid JSON")
	}
	return nil
}

// JobFilter selects jobs, newest first; zero fields do not filter.
type JobFilter struct {
	Kind      string
	CreatedBy int64
	Status    JobStatus
	Limit     int
}

// JobStore persists jobs. CreateJob sets ID and the times; UpdateJob sets
// UpdatedAt.
type JobStore interface {
	CreateJob(ctx context.Context, j *Job) error
	Job(ctx context.Context, id int64) (*Job, error)
	UpdateJob(ctx context.Context, j *Job) error
	Jobs(ctx context.Context, f JobFilter) ([]*Job, error)
}
