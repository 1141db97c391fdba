package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"gridplan/data"
	"gridplan/territory"
)

var jobCases = []testCase{
	{"job/crud", testJobCRUD},
	{"job/filter-and-order", testJobFilter},
	{"job/not-found-and-invalid", testJobInvalid},
}

// NewJob returns a valid queued job of kind started by user createdBy (0:
// nobody, e.g. the CLI).
func NewJob(kind string, createdBy int64) *territory.Job {
	return &territory.Job{Kind: kind, Status: territory.JobQueued, Total: 100, Message: "queued", CreatedBy: createdBy}
}

// sameJSON fails tb unless got and want are the same JSON value (PostgreSQL's
// jsonb keeps neither key order nor spacing).
func sameJSON(tb testing.TB, what string, got, want json.RawMessage) {
	tb.Helper()
	if len(got) == 0 || len(want) == 0 {
		if len(got) != len(want) {
			tb.Errorf("%s = %q, want %q", what, got, want)
		}
		return
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		tb.Fatalf("%s: stored %q is not JSON: %v", what, got, err)
	}
	Must(tb, json.Unmarshal(want, &w), "fixture JSON")
	sameValue(tb, what, g, w)
}

func sameJob(tb testing.TB, got, want *territory.Job) {
	tb.Helper()
	SameTime(tb, "job.CreatedAt", got.CreatedAt, want.CreatedAt)
	SameTime(tb, "job.UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	if (got.FinishedAt == nil) != (want.FinishedAt == nil) {
		tb.Errorf("job.FinishedAt = %v, want %v", got.FinishedAt, want.FinishedAt)
	} else if got.FinishedAt != nil {
		SameTime(tb, "job.FinishedAt", *got.FinishedAt, *want.FinishedAt)
	}
	sameJSON(tb, "job.Result", got.Result, want.Result)
	g, w := *got, *want
	g.CreatedAt, g.UpdatedAt, g.FinishedAt, g.Result = time.Time{}, time.Time{}, nil, nil
	w.CreatedAt, w.UpdatedAt, w.FinishedAt, w.Result = time.Time{}, time.Time{}, nil, nil
	sameValue(tb, "job", g, w)
}

func testJobCRUD(t *testing.T, s data.Store) {
	ctx := t.Context()
	u := NewUser("planner", territory.RolePlanner, 0)
	Must(t, s.CreateUser(ctx, u), "create user")
	j := NewJob("import_customers", u.ID)
	Must(t, s.CreateJob(ctx, j), "create job")
	if j.ID <= 0 {
		t.Fatalf("CreateJob left ID = %d", j.ID)
	}
	stamped(t, "job.CreatedAt", j.CreatedAt)
	stamped(t, "job.UpdatedAt", j.UpdatedAt)
	got, err := s.Job(ctx, j.ID)
	Must(t, err, "read job")
	sameJob(t, got, j)
	if got.Result != nil {
		t.Errorf("job without result reads back result %q", got.Result)
	}

	// Progress, then the end with a result.
	created := j.CreatedAt
	j.Status, j.Done, j.Message = territory.JobRunning, 40, "geocoding 40/100"
	Must(t, s.UpdateJob(ctx, j), "update job")
	got, err = s.Job(ctx, j.ID)
	Must(t, err, "read running job")
	sameJob(t, got, j)
	end := time.Date(2026, 11, 3, 8, 0, 1, 987654000, time.FixedZone("CST", 8*3600))
	j.Status, j.Done, j.Message, j.FinishedAt = territory.JobSucceeded, 100, "done", &end
	j.Result = json.RawMessage(`{"inserted": 95, "updated":0,"rejects":[{"line":7,"column":"地址","reason":"empty address"}],"rate":0.95}`)
	j.CreatedBy, j.CreatedAt = 0, time.Time{} // not the caller's to change
	Must(t, s.UpdateJob(ctx, j), "finish job")
	if j.CreatedBy != u.ID || !j.CreatedAt.Equal(created) {
		t.Errorf("after UpdateJob: created by %d at %v, want the stored %d at %v", j.CreatedBy, j.CreatedAt, u.ID, created)
	}
	SameTime(t, "job.FinishedAt", *j.FinishedAt, end)
	stamped(t, "job.UpdatedAt", j.UpdatedAt)
	got, err = s.Job(ctx, j.ID)
	Must(t, err, "read finished job")
	sameJob(t, got, j)

	// A failed job, and a job nobody (the CLI) started.
	cli := NewJob("assign", 0)
	cli.Status, cli.Error = territory.JobFailed, "grid 7 has an invalid boundary"
	Must(t, s.CreateJob(ctx, cli), "create CLI job")
	got, err = s.Job(ctx, cli.ID)
	Must(t, err, "read CLI job")
	sameJob(t, got, cli)

	// A job outlives its creator's login.
	Must(t, s.DeleteUser(ctx, u.ID), "delete user")
	got, err = s.Job(ctx, j.ID)
	Must(t, err, "read job of a deleted user")
	if got.CreatedBy != 0 {
		t.Errorf("job of a deleted user: CreatedBy %d, want 0", got.CreatedBy)
	}
}

func testJobFilter(t *testing.T, s data.Store) {
	ctx := t.Context()
	a, b := NewUser("alice", territory.RolePlanner, 0), NewUser("bob", territory.RoleAdmin, 0)
	Must(t, s.CreateUser(ctx, a), "create user")
	Must(t, s.CreateUser(ctx, b), "create user")
	type spec struct {
		kind   string
		by     int64
		status territory.JobStatus
		minute int // CreatedAt = Epoch + minute
	}
	specs := []spec{
		{"import_customers", a.ID, territory.JobSucceeded, 0},
		{"assign", b.ID, territory.JobRunning, 5},
		{"import_customers", b.ID, territory.JobFailed, 2},
		{"import_customers", a.ID, territory.JobRunning, 5}, // same time as job 1: the later id is newer
		{"assign", 0, territory.JobQueued, 9},
	}
	jobs := make([]*territory.Job, len(specs))
	for i, sp := range specs {
		j := NewJob(sp.kind, sp.by)
		j.Status, j.CreatedAt = sp.status, Epoch.Add(time.Duration(sp.minute)*time.Minute)
		Must(t, s.CreateJob(ctx, j), "create job")
		SameTime(t, "given CreatedAt", j.CreatedAt, Epoch.Add(time.Duration(sp.minute)*time.Minute))
		jobs[i] = j
	}
	id := func(i int) int64 { return jobs[i].ID }
	tests := []struct {
		name string
		f    territory.JobFilter
		want []int64
	}{
		{"all, newest first", territory.JobFilter{}, []int64{id(4), id(3), id(1), id(2), id(0)}},
		{"kind", territory.JobFilter{Kind: "import_customers"}, []int64{id(3), id(2), id(0)}},
		{"created by", territory.JobFilter{CreatedBy: a.ID}, []int64{id(3), id(0)}},
		{"status", territory.JobFilter{Status: territory.JobRunning}, []int64{id(3), id(1)}},
		{"kind and creator", territory.JobFilter{Kind: "assign", CreatedBy: b.ID}, []int64{id(1)}},
		{"limit", territory.JobFilter{Limit: 2}, []int64{id(4), id(3)}},
		{"kind with limit", territory.JobFilter{Kind: "import_customers", Limit: 1}, []int64{id(3)}},
		{"nothing", territory.JobFilter{Kind: "coverage"}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Jobs(ctx, tt.f)
			Must(t, err, "list jobs")
			sameValue(t, fmt.Sprintf("jobs %+v", tt.f), ids(got, func(j *territory.Job) int64 { return j.ID }), tt.want)
		})
	}
	all, err := s.Jobs(ctx, territory.JobFilter{})
	Must(t, err, "list jobs")
	for _, g := range all {
		for _, w := range jobs {
			if g.ID == w.ID {
				sameJob(t, g, w)
			}
		}
	}
}

func testJobInvalid(t *testing.T, s data.Store) {
	ctx := t.Context()
	_, err := s.Job(ctx, 987654)
	WantNotFound(t, err)
	if err != nil && err.Error() != "job 987654 not found" {
		t.Errorf("not-found message %q, want %q", err, "job 987654 not found")
	}
	missing := NewJob("assign", 0)
	missing.ID = 987654
	WantNotFound(t, s.UpdateJob(ctx, missing))

	j := NewJob("import_customers", 0)
	Must(t, s.CreateJob(ctx, j), "create job")
	stored := *j
	tests := []struct {
		name  string
		field string
		edit  func(j *territory.Job)
	}{
		{"invalid JSON result", "result", func(j *territory.Job) { j.Result = json.RawMessage(`{"inserted": 3,`) }},
		{"blank kind", "kind", func(j *territory.Job) { j.Kind = " " }},
		{"unknown status", "status", func(j *territory.Job) { j.Status = "paused" }},
		{"negative progress", "done", func(j *territory.Job) { j.Done = -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewJob("import_customers", 0)
			tt.edit(c)
			WantField(t, s.CreateJob(ctx, c), tt.field)
			u := stored
			tt.edit(&u)
			WantField(t, s.UpdateJob(ctx, &u), tt.field)
			got, err := s.Job(ctx, j.ID)
			Must(t, err, "read job")
			sameJob(t, got, &stored)
		})
	}
	t.Run("unknown creator", func(t *testing.T) {
		WantField(t, s.CreateJob(ctx, NewJob("assign", 987654)), "created_by")
	})
	all, err := s.Jobs(ctx, territory.JobFilter{})
	Must(t, err, "list jobs")
	if len(all) != 1 {
		t.Errorf("%d jobs stored after refused writes, want 1", len(all))
	}
}
