package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"gridplan/geo"
	"gridplan/geo/geocode"
	"gridplan/territory"
	"gridplan/territory/importer"
)

// seedImportJob stores a finished import job with one reject, as the
// admin, and returns it.
func seedImportJob(w *world) *territory.Job {
	res, _ := json.Marshal(importJob{File: "seed.csv", Bytes: 10, Result: &importer.Result{
		Format: importer.FormatCSV, Rows: 2, Rejected: 1,
		Rejects: []importer.Reject{{Line: 3, Column: "经度", Field: importer.FieldLng, Reason: "longitude \"NaN\" is not a number", Row: "C2,乙,x,NaN,30"}},
	}})
	now := time.Now().UTC()
	j := &territory.Job{Kind: JobKindImportCustomers, Status: territory.JobSucceeded, Done: 2, Total: 2, Result: res,
		CreatedBy: w.users["admin"].ID, FinishedAt: &now}
	if err := w.store.CreateJob(context.Background(), j); err != nil {
		panic(err)
	}
	return j
}

// seedGazetteer stores a small gazetteer: 文三路 in 西湖区 with address
// points at numbers 1–9, inside grid XH-01.
func seedGazetteer(tb testing.TB, w *world) {
	tb.Helper()
	var es []geocode.Entry
	base := orb.Point{120.095, 30.268}
	es = append(es, geocode.Entry{Source: "test", Kind: geocode.KindDistrict, Name: "西湖区", District: "西湖区", City: "杭州市", Region: "浙江省", Geometry: orb.Point{120.10, 30.27}})
	for n := 1; n <= 9; n++ {
		es = append(es, geocode.Entry{Source: "test", Kind: geocode.KindAddress, Number: fmt.Sprint(n), Street: "文三路",
			District: "西湖区", City: "杭州市", Region: "浙江省", Geometry: orb.Point{base[0] + float64(n)*0.0005, base[1]}})
	}
	if err := w.store.ReplaceGazetteer(context.Background(), "test", es, nil); err != nil {
		tb.Fatal(err)
	}
}

// jobOf decodes a job response.
func jobOf(tb testing.TB, rec *httptest.ResponseRecorder) territory.Job {
	tb.Helper()
	var j territory.Job
	decode(tb, rec, &j)
	return j
}

// waitJob polls an import until it ends and returns it with its result.
func waitJob(tb testing.TB, w *world, user string, id int64) (territory.Job, importJob) {
	tb.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		rec := w.get(tb, user, path("/api/imports/%d", id))
		wantStatus(tb, rec, http.StatusOK)
		j := jobOf(tb, rec)
		if j.Status == territory.JobSucceeded || j.Status == territory.JobFailed {
			var res importJob
			if len(j.Result) > 0 {
				if err := json.Unmarshal(j.Result, &res); err != nil {
					tb.Fatalf("result %s: %v", j.Result, err)
				}
			}
			return j, res
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatalf("import %d did not end", id)
	return territory.Job{}, importJob{}
}

// waitImports waits until no import job of w is queued or running, so that
// a test does not end (closing the store) under a background import.
func waitImports(tb testing.TB, w *world) {
	tb.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		busy := false
		for _, st := range []territory.JobStatus{territory.JobQueued, territory.JobRunning} {
			js, err := w.store.Jobs(context.Background(), territory.JobFilter{Kind: JobKindImportCustomers, Status: st})
			if err != nil {
				tb.Fatal(err)
			}
			busy = busy || len(js) > 0
		}
		if !busy {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatal("imports still running")
}

const importCSV = "外部编号,名称,地址,经度,纬度,规模\n" +
	"W1,甲公司,,120.10,30.27,小型\n" + // in XH-01
	"W2,乙公司,杭州市西湖区文三路3号,,,\n" + // geocoded, in XH-01
	"W3,丙公司,,NaN,30.27,\n" + // rejected
	"W4,丁公司,,120.20,30.27,巨型\n" + // rejected
	"W5,戊公司,,120.20,30.27,微型\n" // in XH-02

// TestImportUpload posts a CSV as the raw body, polls the job to its end
// and fetches the rejects.
func TestImportUpload(t *testing.T) {
	w := newWorld(t)
	seedGazetteer(t, w)
	rec := w.do(t, request{Method: http.MethodPost, Path: "/api/imports?filename=客户.csv", Body: importCSV, ContentType: "text/csv; charset=utf-8",
		Cookie: w.session(t, "planner")})
	wantStatus(t, rec, http.StatusAccepted)
	j := jobOf(t, rec)
	if j.ID == 0 || j.Kind != JobKindImportCustomers || j.Status != territory.JobQueued || j.CreatedBy != w.users["planner"].ID {
		t.Fatalf("job %+v", j)
	}
	if loc := rec.Header().Get("Location"); loc != path("/api/imports/%d", j.ID) {
		t.Fatalf("Location %q", loc)
	}
	j, res := waitJob(t, w, "planner", j.ID)
	if j.Status != territory.JobSucceeded || j.Done != 5 || j.Total != 5 || j.FinishedAt == nil {
		t.Fatalf("job %+v", j)
	}
	if res.File != "客户.csv" || res.Inserted != 3 || res.Rejected != 2 || res.Geocoded != 1 || len(res.Rejects) != 2 || res.Rejects[0].Line != 4 {
		t.Fatalf("result %+v", res)
	}
	ctx := context.Background()
	for ext, grid := range map[string]int64{"W1": w.g1.ID, "W2": w.g1.ID, "W5": w.g2.ID} {
		c, err := w.store.CustomerByExternalID(ctx, ext)
		if err != nil {
			t.Fatal(err)
		}
		if c.GridID != grid || c.Cell != geo.Cell(c.Location, geo.CustomerCellRes) {
			t.Errorf("%s: grid %d (want %d), cell %v at %v", ext, c.GridID, grid, c.Cell, c.Location)
		}
	}

	rec = w.get(t, "admin", path("/api/imports/%d/rejects.csv", j.ID))
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\uFEFF"))).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][0] != "4" || recs[1][1] != "经度" || recs[2][1] != "规模" || recs[2][3] != "W4,丁公司,,120.20,30.27,巨型" {
		t.Fatalf("rejects %q (%v)", recs, err)
	}

	// The same file again changes nothing.
	rec = w.do(t, request{Method: http.MethodPost, Path: "/api/imports", Body: importCSV, ContentType: "text/csv", Cookie: w.session(t, "planner")})
	wantStatus(t, rec, http.StatusAccepted)
	_, res = waitJob(t, w, "planner", jobOf(t, rec).ID)
	if res.Unchanged != 3 || res.Inserted+res.Updated != 0 || res.Rejected != 2 {
		t.Fatalf("second import %+v", res.UpsertResult)
	}

	var list struct {
		Items []territory.Job `json:"items"`
	}
	rec = w.get(t, "planner", "/api/imports")
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &list)
	if len(list.Items) != 2 || list.Items[0].Result != nil {
		t.Fatalf("list %+v", list.Items)
	}
}

// multipartBody builds a form with fields and a file part.
func multipartBody(tb testing.TB, fields map[string]string, filename string, file []byte) (*bytes.Buffer, string) {
	tb.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			tb.Fatal(err)
		}
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			tb.Fatal(err)
		}
		fw.Write(file)
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	return &b, mw.FormDataContentType()
}

// TestImportMultipartXLSX uploads a workbook as a form with options as
// fields: a column map, a sheet and GCJ-02 coordinates.
func TestImportMultipartXLSX(t *testing.T) {
	w := newWorld(t)
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "名单")
	f.SetSheetRow("名单", "A1", &[]any{"编号", "公司", "经度", "纬度"})
	gcj := geo.WGS84ToGCJ02(orb.Point{120.10, 30.27})
	f.SetSheetRow("名单", "A2", &[]any{"X1", "甲", gcj[0], gcj[1]})
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	body, ctype := multipartBody(t, map[string]string{"crs": "gcj02", "map": "name=公司", "sheet": "名单"}, "名单.xlsx", buf.Bytes())
	rec := w.do(t, request{Method: http.MethodPost, Path: "/api/imports", Body: body.Bytes(), ContentType: ctype, Cookie: w.session(t, "admin")})
	wantStatus(t, rec, http.StatusAccepted)
	j, res := waitJob(t, w, "admin", jobOf(t, rec).ID)
	if j.Status != territory.JobSucceeded || res.Inserted != 1 || res.Sheet != "名单" || res.File != "名单.xlsx" || res.Format != importer.FormatXLSX {
		t.Fatalf("job %+v result %+v", j, res)
	}
	c, err := w.store.CustomerByExternalID(context.Background(), "X1")
	if err != nil || c.Name != "甲" || geo.DistanceM(c.Location, orb.Point{120.10, 30.27}) > 0.01 || c.GridID != w.g1.ID {
		t.Fatalf("X1 %+v (%v)", c, err)
	}
}

// TestImportRefusedFile: a file the importer refuses as a whole fails its
// job with the reason; it has no rejects.
func TestImportRefusedFile(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name, body, want string
	}{
		{"binary", "\x00\x01\x02binary\x00garbage", "unknown encoding: binary data"},
		{"missing columns", "foo,bar\n1,2\n", "missing required columns"},
		{"bad sheet", "", "no sheet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := "/api/imports"
			body := tt.body
			if tt.name == "bad sheet" {
				f := excelize.NewFile()
				buf, _ := f.WriteToBuffer()
				body, p = buf.String(), "/api/imports?sheet=Nope"
			}
			rec := w.do(t, request{Method: http.MethodPost, Path: p, Body: body, ContentType: "application/octet-stream", Cookie: w.session(t, "planner")})
			wantStatus(t, rec, http.StatusAccepted)
			j, _ := waitJob(t, w, "planner", jobOf(t, rec).ID)
			if j.Status != territory.JobFailed || !strings.Contains(j.Error, tt.want) {
				t.Fatalf("job %+v, want failed with %q", j, tt.want)
			}
			rec = w.get(t, "planner", path("/api/imports/%d/rejects.csv", j.ID))
			wantError(t, rec, http.StatusNotFound, "not_found", "")
		})
	}
}

// TestImportBadRequests: everything refused before a job is made.
func TestImportBadRequests(t *testing.T) {
	w := newWorldDeps(t, Deps{Imports: ImportConfig{MaxUploadBytes: 1 << 10}})
	big := strings.Repeat("x", 2<<10)
	tests := []struct {
		name   string
		r      request
		status int
		code   string
		field  string
	}{
		{"anonymous", request{Method: "POST", Path: "/api/imports", Body: importCSV, ContentType: "text/csv"}, 401, "unauthorized", ""},
		{"manager", request{Method: "POST", Path: "/api/imports", Body: importCSV, ContentType: "text/csv", Cookie: w.session(t, "zhang")}, 403, "forbidden", ""},
		{"leader", request{Method: "POST", Path: "/api/imports", Body: importCSV, ContentType: "text/csv", Cookie: w.session(t, "leader")}, 403, "forbidden", ""},
		{"json", request{Method: "POST", Path: "/api/imports", Body: `{"file":"x"}`, Cookie: w.session(t, "planner")}, 415, "unsupported_media_type", "Content-Type"},
		{"no type", request{Method: "POST", Path: "/api/imports", Body: importCSV, ContentType: "", Cookie: w.session(t, "planner")}, 415, "unsupported_media_type", "Content-Type"},
		{"empty", request{Method: "POST", Path: "/api/imports", Body: "", ContentType: "text/csv", Cookie: w.session(t, "planner")}, 400, "invalid", "file"},
		{"too large", request{Method: "POST", Path: "/api/imports", Body: big, ContentType: "text/csv", Cookie: w.session(t, "planner")}, 413, "too_large", ""},
		{"bad crs", request{Method: "POST", Path: "/api/imports?crs=mars2", Body: importCSV, ContentType: "text/csv", Cookie: w.session(t, "planner")}, 400, "invalid", "crs"},
		{"bad map", request{Method: "POST", Path: "/api/imports?map=colour=x", Body: importCSV, ContentType: "text/csv", Cookie: w.session(t, "planner")}, 400, "invalid", "map"},
		{"bad precision", request{Method: "POST", Path: "/api/imports?min_precision=street", Body: importCSV, ContentType: "text/csv", Cookie: w.session(t, "planner")}, 400, "invalid", "min_precision"},
		{"bad carrier", request{Method: "POST", Path: "/api/imports?our_carrier=ATT", Body: importCSV, ContentType: "text/csv", Cookie: w.session(t, "planner")}, 400, "invalid", "our_carrier"},
		{"unknown job", request{Method: "GET", Path: "/api/imports/999", Cookie: w.session(t, "planner")}, 404, "not_found", ""},
		{"bad id", request{Method: "GET", Path: "/api/imports/x", Cookie: w.session(t, "planner")}, 400, "invalid", "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := w.do(t, tt.r)
			if tt.r.ContentType == "" && tt.r.Body == importCSV { // request sets JSON when empty: force none
				req := httptest.NewRequest(tt.r.Method, tt.r.Path, strings.NewReader(importCSV))
				req.AddCookie(tt.r.Cookie)
				rec = httptest.NewRecorder()
				w.handler.ServeHTTP(rec, req)
			}
			wantError(t, rec, tt.status, tt.code, tt.field)
		})
	}
	t.Run("too large, no declared length", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/api/imports", io.MultiReader(strings.NewReader(big)))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "text/csv")
		req.AddCookie(w.session(t, "planner"))
		rec := httptest.NewRecorder()
		w.handler.ServeHTTP(rec, req)
		wantError(t, rec, 413, "too_large", "")
	})
	t.Run("multipart without a file", func(t *testing.T) {
		body, ctype := multipartBody(t, map[string]string{"crs": "gcj02"}, "", nil)
		rec := w.do(t, request{Method: "POST", Path: "/api/imports", Body: body.Bytes(), ContentType: ctype, Cookie: w.session(t, "planner")})
		wantError(t, rec, 400, "invalid", "file")
	})
	t.Run("cross-site", func(t *testing.T) {
		for _, h := range []struct{ k, v string }{{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}} {
			req := httptest.NewRequest("POST", "/api/imports", strings.NewReader(importCSV))
			req.Header.Set("Content-Type", "text/csv")
			req.Header.Set(h.k, h.v)
			req.AddCookie(w.session(t, "planner"))
			rec := httptest.NewRecorder()
			w.handler.ServeHTTP(rec, req)
			wantError(t, rec, 403, "forbidden", "")
		}
	})
	t.Run("a job of another kind is not an import", func(t *testing.T) {
		j := &territory.Job{Kind: "assign", Status: territory.JobSucceeded}
		if err := w.store.CreateJob(context.Background(), j); err != nil {
			t.Fatal(err)
		}
		wantError(t, w.get(t, "planner", path("/api/imports/%d", j.ID)), 404, "not_found", "")
	})
	jobs, err := w.store.Jobs(context.Background(), territory.JobFilter{Kind: JobKindImportCustomers})
	if err != nil || len(jobs) != 0 {
		t.Fatalf("refused requests made jobs: %v %v", jobs, err)
	}
}

// TestImportStaleJobs: jobs a stopped process left queued or running are
// failed when a router starts, if they are old enough, or when polled once
// they grow old; a fresh running job (another replica's) is left alone.
func TestImportStaleJobs(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	old := time.Now().Add(-time.Hour)
	mk := func(st territory.JobStatus, updated time.Time) *territory.Job {
		j := &territory.Job{Kind: JobKindImportCustomers, Status: st, CreatedAt: updated, UpdatedAt: updated}
		if err := w.store.CreateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		return j
	}
	deadRunning, deadQueued, live := mk(territory.JobRunning, old), mk(territory.JobQueued, old), mk(territory.JobRunning, time.Now())
	done := seedImportJob(w)

	NewRouter(Deps{Store: w.store}) // a process starting
	for _, j := range []*territory.Job{deadRunning, deadQueued} {
		got, err := w.store.Job(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != territory.JobFailed || !strings.Contains(got.Error, "server stopped") || got.FinishedAt == nil {
			t.Errorf("job %d left %s (%q)", j.ID, got.Status, got.Error)
		}
	}
	for _, j := range []*territory.Job{live, done} {
		if got, _ := w.store.Job(ctx, j.ID); got.Status != j.Status {
			t.Errorf("job %d changed to %s", j.ID, got.Status)
		}
	}

	// The live one stops being touched: a poll after StaleAfter fails it.
	w2 := newWorldDeps(t, Deps{Imports: ImportConfig{StaleAfter: 50 * time.Millisecond}})
	j := &territory.Job{Kind: JobKindImportCustomers, Status: territory.JobRunning}
	if err := w2.store.CreateJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	if got := jobOf(t, w2.get(t, "planner", path("/api/imports/%d", j.ID))); got.Status != territory.JobRunning {
		t.Fatalf("fresh job reported %s", got.Status)
	}
	time.Sleep(80 * time.Millisecond)
	if got := jobOf(t, w2.get(t, "planner", path("/api/imports/%d", j.ID))); got.Status != territory.JobFailed {
		t.Fatalf("stale job reported %s", got.Status)
	}
}

// TestImportHeartbeat: a long import keeps its job fresh, so neither a
// poll nor another replica's start fails it.
func TestImportHeartbeat(t *testing.T) {
	slow := &slowGeocoder{delay: 30 * time.Millisecond}
	w := newWorldDeps(t, Deps{Imports: ImportConfig{StaleAfter: 100 * time.Millisecond, Geocoder: slow}})
	var b strings.Builder
	b.WriteString("id,name,address\n")
	for i := range 12 {
		fmt.Fprintf(&b, "H%d,n,某路%d号\n", i, i)
	}
	rec := w.do(t, request{Method: "POST", Path: "/api/imports", Body: b.String(), ContentType: "text/csv", Cookie: w.session(t, "planner")})
	wantStatus(t, rec, http.StatusAccepted)
	j, res := waitJob(t, w, "planner", jobOf(t, rec).ID) // ~360 ms of geocoding, polled all along
	if j.Status != territory.JobSucceeded || res.Inserted != 12 {
		t.Fatalf("job %+v result %+v", j, res.UpsertResult)
	}
}

// slowGeocoder places every address at one point, slowly.
type slowGeocoder struct{ delay time.Duration }

func (g *slowGeocoder) Geocode(ctx context.Context, _ string) (geocode.Result, error) {
	select {
	case <-ctx.Done():
		return geocode.Result{}, ctx.Err()
	case <-time.After(g.delay):
	}
	return geocode.Result{Location: orb.Point{120.10, 30.27}, Precision: geocode.PrecisionPoint, Confidence: 1}, nil
}

// TestImportRejectsWhileRunning: the rejects of an import still running
// are a conflict.
func TestImportRejectsWhileRunning(t *testing.T) {
	w := newWorld(t)
	j := &territory.Job{Kind: JobKindImportCustomers, Status: territory.JobRunning}
	if err := w.store.CreateJob(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	wantError(t, w.get(t, "planner", path("/api/imports/%d/rejects.csv", j.ID)), http.StatusConflict, "conflict", "")
}
