package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"gridplan/geo"
	"gridplan/geo/geocode"
	"gridplan/territory"
	"gridplan/territory/importer"
)

// JobKindImportCustomers is the kind of the jobs POST /api/imports starts.
const JobKindImportCustomers = "import_customers"

// Defaults of the zero ImportConfig fields.
const (
	DefaultMaxUploadBytes = 64 << 20 // a 64 MiB file holds about 400,000 customers
	DefaultMaxImports     = 2        // imports running at once in one process; more wait, queued
	// DefaultStaleAfter: a running import touches its job at least every
	// StaleAfter/4, so one untouched for this long died with its process.
	DefaultStaleAfter = 2 * time.Minute
)

// ImportConfig configures POST /api/imports. Zero fields get defaults.
type ImportConfig struct {
	// MaxUploadBytes bounds an uploaded file (the JSON limit,
	// Deps.MaxBodyBytes, does not apply to uploads).
	MaxUploadBytes int64
	// MaxRunning bounds the imports one process runs at once.
	MaxRunning int
	// StaleAfter is how long a running import's job may go without an
	// update before it is taken for dead (its process stopped) and marked
	// failed.
	StaleAfter time.Duration
	// TempDir holds uploads while they are imported; "" is os.TempDir().
	TempDir string
	// Geocoder, when not nil, replaces the offline geocoder built from the
	// store's gazetteer for every import.
	Geocoder importer.Geocoder
}

func (c ImportConfig) withDefaults() ImportConfig {
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if c.MaxRunning <= 0 {
		c.MaxRunning = DefaultMaxImports
	}
	if c.StaleAfter <= 0 {
		c.StaleAfter = DefaultStaleAfter
	}
	return c
}

// imports serves /api/imports: uploads become jobs run in the background,
// polled through the store (so any replica can answer the poll).
type imports struct {
	s    *server
	cfg  ImportConfig
	slot chan struct{} // one token per running import
}

// registerImports mounts the import routes on g, which must not carry the
// JSON body limit or the JSON content-type check: uploads are CSV or XLSX,
// larger than JSON bodies. It first marks failed the import jobs that a
// stopped process left running.
func (s *server) registerImports(g *gin.RouterGroup) {
	h := &imports{s: s, cfg: s.Imports.withDefaults()}
	h.slot = make(chan struct{}, h.cfg.MaxRunning)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if n, err := h.sweep(ctx); err != nil {
		s.Logger.Warn("import jobs: cannot check for jobs left running", "err", err)
	} else if n > 0 {
		s.Logger.Warn("import jobs left running by a stopped process marked failed", "count", n)
	}

	g.Use(h.limitUpload, s.requireSession)
	g.POST("", allow(ImportCustomers), sameOrigin, h.create)
	g.GET("", allow(ImportCustomers), h.list)
	g.GET("/:id", allow(ImportCustomers), h.get)
	g.GET("/:id/rejects.csv", allow(ImportCustomers), h.rejects)
}

// limitUpload caps an upload at MaxUploadBytes, as limitBody does for JSON.
func (h *imports) limitUpload(c *gin.Context) {
	if c.Request.ContentLength > h.cfg.MaxUploadBytes {
		fail(c, fmt.Errorf("%w: %w", errTooLarge, &http.MaxBytesError{Limit: h.cfg.MaxUploadBytes}))
		return
	}
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, h.cfg.MaxUploadBytes)
	}
	c.Next()
}

// sameOrigin refuses a cross-site upload. Uploads cannot use requireJSON,
// the CSRF defence of the JSON API, since a file comes as multipart or
// CSV; SameSite=Lax already keeps the session cookie off cross-site POSTs,
// and this checks what the browser says about the request's origin too.
func sameOrigin(c *gin.Context) {
	if c.GetHeader("Sec-Fetch-Site") == "cross-site" {
		fail(c, forbidden("cross-site uploads are refused"))
		return
	}
	if o := c.GetHeader("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != c.Request.Host {
			fail(c, forbidden("uploads from origin %q are refused", o))
			return
		}
	}
	c.Next()
}

// uploadTypes are the content types a raw upload may have: what browsers
// and curl send for CSV and XLSX files (Windows calls CSV
// application/vnd.ms-excel).
var uploadTypes = map[string]bool{
	"text/csv": true, "application/csv": true, "text/plain": true, "application/octet-stream": true,
	"application/vnd.ms-excel": true, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true,
	"text/tab-separated-values": true,
}

// importJob is what the job's Result holds: the file and the importer's
// result (counts, columns, rejects).
type importJob struct {
	File      string `json:"file"`
	Bytes     int64  `json:"bytes"`
	ElapsedMS int64  `json:"elapsed_ms"`
	*importer.Result
}

// importParams are the options an upload may give, as query parameters or
// multipart form fields.
var importParams = []string{"crs", "map", "sheet", "min_precision", "our_carrier"}

func (h *imports) create(c *gin.Context) {
	ctx := c.Request.Context()
	params := map[string]string{}
	for _, p := range importParams {
		if v, ok := c.GetQuery(p); ok {
			params[p] = v
		}
	}
	mt, mtParams, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || !(mt == "multipart/form-data" || uploadTypes[mt]) {
		fail(c, &publicError{kind: errUnsupportedMedia, field: "Content-Type", msg: fmt.Sprintf(
			"send the file as multipart/form-data (field \"file\") or as the raw body with Content-Type text/csv or %s, got %q",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", c.GetHeader("Content-Type"))})
		return
	}
	var (
		f    *os.File
		name = c.Query("filename")
		size int64
	)
	if mt == "multipart/form-data" {
		f, name, size, err = h.spoolMultipart(c.Request.Body, mtParams["boundary"], params)
	} else {
		f, size, err = h.spool(c.Request.Body)
	}
	if err != nil {
		fail(c, err)
		return
	}
	keep := false
	defer func() {
		if !keep {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if size == 0 {
		fail(c, invalid("file", "is empty: send a CSV or XLSX file"))
		return
	}
	opts, err := importOptions(params)
	if err != nil {
		fail(c, err)
		return
	}
	if name == "" {
		name = "upload"
	}
	job := &territory.Job{Kind: JobKindImportCustomers, Status: territory.JobQueued, CreatedBy: currentUser(c).ID,
		Message: fmt.Sprintf("queued: %s (%d bytes)", name, size)}
	if err := h.s.Store.CreateJob(ctx, job); err != nil {
		fail(c, fmt.Errorf("create import job: %w", err))
		return
	}
	keep = true
	answer := *job // the background import changes its own copy
	go h.run(job, f, name, size, opts)
	c.Header("Location", "/api/imports/"+strconv.FormatInt(answer.ID, 10))
	c.JSON(http.StatusAccepted, &answer)
}

// importOptions checks the options of an upload, naming the bad one.
func importOptions(p map[string]string) (importer.Options, error) {
	var o importer.Options
	var err error
	if v := p["crs"]; v != "" {
		if o.CRS, err = geo.ParseCRS(v); err != nil {
			return o, invalid("crs", "%v", err)
		}
	}
	if o.Map, err = importer.ParseMap(p["map"]); err != nil {
		return o, invalid("map", "%v", err)
	}
	if v := p["min_precision"]; v != "" {
		if o.MinPrecision, err = geocode.ParsePrecision(v); err != nil {
			return o, invalid("min_precision", "%v", err)
		}
	}
	if v := p["our_carrier"]; v != "" {
		if o.OurCarrier, err = importer.CarrierName(v); err != nil {
			return o, invalid("our_carrier", "%v", err)
		}
	}
	o.Sheet = p["sheet"]
	return o, nil
}

// spool copies an upload into a temporary file, rewound for reading.
func (h *imports) spool(r io.Reader) (*os.File, int64, error) {
	f, err := os.CreateTemp(h.cfg.TempDir, "gridplan-import-*")
	if err != nil {
		return nil, 0, fmt.Errorf("spool upload: %w", err)
	}
	n, err := io.Copy(f, r)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, 0, fmt.Errorf("%w: %w", errTooLarge, mbe)
		}
		return nil, 0, fmt.Errorf("spool upload: %w", err)
	}
	return f, n, nil
}

// spoolMultipart streams a multipart form: the part "file" (or the first
// part with a file name) is spooled, small fields among importParams are
// read into params.
func (h *imports) spoolMultipart(body io.Reader, boundary string, params map[string]string) (*os.File, string, int64, error) {
	if boundary == "" {
		return nil, "", 0, invalid("Content-Type", "multipart/form-data without a boundary")
	}
	mr := multipart.NewReader(body, boundary)
	var (
		f    *os.File
		name string
		size int64
	)
	cleanup := func() {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			cleanup()
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, "", 0, fmt.Errorf("%w: %w", errTooLarge, mbe)
			}
			return nil, "", 0, invalid("body", "malformed multipart form: %v", err)
		}
		field := part.FormName()
		switch {
		case f == nil && (field == "file" || part.FileName() != ""):
			name = part.FileName()
			if f, size, err = h.spool(part); err != nil {
				return nil, "", 0, err
			}
		case contains(importParams, field):
			v, err := io.ReadAll(io.LimitReader(part, 4<<10))
			if err != nil {
				cleanup()
				return nil, "", 0, invalid(field, "cannot be read: %v", err)
			}
			params[field] = strings.TrimSpace(string(v))
		}
		part.Close()
	}
	if f == nil {
		return nil, "", 0, invalid("file", "is missing: send the file in the form field \"file\"")
	}
	return f, name, size, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// jobRunner updates one job from the import's goroutine and its heartbeat.
type jobRunner struct {
	h   *imports
	mu  sync.Mutex
	job *territory.Job
}

// update applies fn to the job and stores it; failures are logged (the
// import goes on: its outcome is stored at the end).
func (r *jobRunner) update(fn func(j *territory.Job)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fn != nil {
		fn(r.job)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.h.s.Store.UpdateJob(ctx, r.job); err != nil {
		r.h.s.Logger.Warn("import job: update", "job", r.job.ID, "err", err)
	}
}

// run imports the spooled file in the background and records the outcome
// in the job. It waits for a free slot first (the job stays queued).
func (h *imports) run(job *territory.Job, f *os.File, name string, size int64, opts importer.Options) {
	defer os.Remove(f.Name())
	defer f.Close()
	r := &jobRunner{h: h, job: job}
	h.slot <- struct{}{}
	defer func() { <-h.slot }()
	defer func() { // a panic fails the job instead of leaving it running
		if v := recover(); v != nil {
			h.s.Logger.Error("import job panicked", "job", job.ID, "panic", fmt.Sprint(v))
			r.update(func(j *territory.Job) { finishJob(j, nil, "internal error; the server log has the details") })
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Hour)
	defer cancel()
	start := time.Now()
	r.update(func(j *territory.Job) {
		j.Status, j.Message = territory.JobRunning, "loading the gazetteer and the grids"
	})
	stop := h.heartbeat(r)
	defer stop()

	res, err := h.runImport(ctx, r, f, opts)
	h.s.dataChanged() // before the job shows finished; batches may have landed even on error
	var result json.RawMessage
	if res != nil {
		b, merr := json.Marshal(importJob{File: name, Bytes: size, ElapsedMS: time.Since(start).Milliseconds(), Result: res})
		if merr == nil {
			result = b
		}
	}
	msg := ""
	if err != nil {
		msg = publicImportError(err)
		if msg == "" {
			h.s.Logger.Error("import job failed", "job", job.ID, "file", name, "err", err)
			msg = "internal error; the server log has the details"
		}
	}
	stop()
	r.update(func(j *territory.Job) { finishJob(j, result, msg) })
	h.s.Logger.Info("import job done", "job", job.ID, "file", name, "status", job.Status, "elapsed", time.Since(start).Round(time.Millisecond))
}

func (h *imports) runImport(ctx context.Context, r *jobRunner, f *os.File, opts importer.Options) (*importer.Result, error) {
	opts.Geocoder = h.cfg.Geocoder
	if opts.Geocoder == nil {
		gc, _, err := importer.LoadGeocoder(ctx, h.s.Store, nil, opts.MinPrecision)
		if err != nil {
			return nil, err
		}
		opts.Geocoder, opts.GeocodeWorkers = gc, runtime.GOMAXPROCS(0) // the offline geocoder is safe for concurrent use
	}
	ix, err := territory.LoadGridIndex(ctx, h.s.Store)
	if err != nil {
		return nil, err
	}
	opts.Locator = ix
	var last time.Time
	opts.Progress = func(p importer.Progress) {
		if time.Since(last) < 500*time.Millisecond {
			return
		}
		last = time.Now()
		r.update(func(j *territory.Job) {
			j.Done, j.Total = p.Rows, max(p.TotalRows, p.Rows)
			j.Message = fmt.Sprintf("importing: %d rows read, %d inserted, %d updated, %d unchanged, %d rejected",
				p.Rows, p.Inserted, p.Updated, p.Unchanged, p.Rejected)
		})
	}
	res, err := importer.Import(ctx, h.s.Store, f, opts)
	if res != nil {
		r.mu.Lock()
		r.job.Done, r.job.Total = res.Rows, res.Rows
		r.mu.Unlock()
	}
	return res, err
}

// heartbeat touches the job every StaleAfter/4 until stop is called, so a
// live import is never taken for a dead one.
func (h *imports) heartbeat(r *jobRunner) (stop func()) {
	done, exited := make(chan struct{}), make(chan struct{})
	var once sync.Once
	go func() {
		defer close(exited)
		t := time.NewTicker(h.cfg.StaleAfter / 4)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				r.update(nil)
			}
		}
	}()
	return func() {
		once.Do(func() { close(done) })
		<-exited
	}
}

// finishJob sets a job's final state: failed with msg, or succeeded.
func finishJob(j *territory.Job, result json.RawMessage, msg string) {
	now := time.Now().UTC()
	j.FinishedAt = &now
	if len(result) > 0 {
		j.Result = result
	}
	if msg != "" {
		j.Status, j.Error, j.Message = territory.JobFailed, msg, "failed"
		return
	}
	j.Status, j.Message = territory.JobSucceeded, "done"
}

// publicImportError is the message of an import error meant for users (a
// refused file, a bad column), or "" for an internal one.
func publicImportError(err error) string {
	var (
		fe *importer.FileError
		ce *importer.ColumnsError
		fd *territory.FieldError
	)
	switch {
	case errors.As(err, &fe):
		return "the file was refused: " + fe.Reason
	case errors.As(err, &ce):
		return "the file was refused: " + ce.Reason
	case errors.As(err, &fd):
		return fd.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "the import took too long and was stopped; import the file again to finish it (imports are idempotent)"
	}
	return ""
}

// sweep marks failed the import jobs still queued or running whose last
// update is older than StaleAfter: their process stopped. The age test
// (rather than failing every running job) keeps a replica that starts from
// failing the live imports of another. It returns how many it marked.
func (h *imports) sweep(ctx context.Context) (int, error) {
	n := 0
	for _, st := range []territory.JobStatus{territory.JobRunning, territory.JobQueued} {
		jobs, err := h.s.Store.Jobs(ctx, territory.JobFilter{Kind: JobKindImportCustomers, Status: st})
		if err != nil {
			return n, err
		}
		for _, j := range jobs {
			if h.markIfStale(ctx, j) {
				n++
			}
		}
	}
	return n, nil
}

// markIfStale fails j when it is queued or running and has not been
// updated for StaleAfter. Job times are the store's wall clock, so this
// compares with the wall clock, not Deps.Now.
func (h *imports) markIfStale(ctx context.Context, j *territory.Job) bool {
	if j.Status != territory.JobRunning && j.Status != territory.JobQueued {
		return false
	}
	if time.Since(j.UpdatedAt) < h.cfg.StaleAfter {
		return false
	}
	finishJob(j, nil, fmt.Sprintf("the server stopped during the import (no progress since %s); import the file again: rows already stored stay unchanged",
		j.UpdatedAt.UTC().Format(time.RFC3339)))
	if err := h.s.Store.UpdateJob(ctx, j); err != nil {
		h.s.Logger.Warn("import job: mark stale job failed", "job", j.ID, "err", err)
		return false
	}
	return true
}

// importJobByID loads an import job, 404 for any other kind.
func (h *imports) importJobByID(c *gin.Context) (*territory.Job, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	j, err := h.s.Store.Job(c.Request.Context(), id)
	if err != nil {
		return nil, lookupErr("import", id, err)
	}
	if j.Kind != JobKindImportCustomers {
		return nil, territory.NotFound("import", id)
	}
	h.markIfStale(c.Request.Context(), j)
	return j, nil
}

func (h *imports) get(c *gin.Context) {
	j, err := h.importJobByID(c)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, j)
}

// list shows the latest imports, newest first, without their results
// (fetch one for its counts and rejects).
func (h *imports) list(c *gin.Context) {
	jobs, err := h.s.Store.Jobs(c.Request.Context(), territory.JobFilter{Kind: JobKindImportCustomers, Limit: 50})
	if err != nil {
		fail(c, fmt.Errorf("list import jobs: %w", err))
		return
	}
	for _, j := range jobs {
		j.Result = nil
	}
	if jobs == nil {
		jobs = []*territory.Job{}
	}
	c.JSON(http.StatusOK, gin.H{"items": jobs})
}

// rejects sends a finished import's rejected rows as CSV (the format of
// gridplan import's rejects file).
func (h *imports) rejects(c *gin.Context) {
	j, err := h.importJobByID(c)
	if err != nil {
		fail(c, err)
		return
	}
	if j.Status == territory.JobQueued || j.Status == territory.JobRunning {
		fail(c, conflict("import %d is still %s: its rejects are known when it ends", j.ID, j.Status))
		return
	}
	if len(j.Result) == 0 {
		fail(c, &territory.NotFoundError{Kind: "rejects of import", Key: fmt.Sprintf("%d (it failed before reading rows: %s)", j.ID, j.Error)})
		return
	}
	var res importJob
	if err := json.Unmarshal(j.Result, &res); err != nil || res.Result == nil {
		fail(c, fmt.Errorf("import %d: decode result: %v", j.ID, err))
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="import-%d-rejects.csv"`, j.ID))
	c.Status(http.StatusOK)
	if err := importer.WriteRejects(c.Writer, res.Rejects); err != nil {
		h.s.Logger.Warn("write rejects", "job", j.ID, "err", err)
	}
}
