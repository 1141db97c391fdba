package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"gridplan/data"
	"gridplan/geo"
	"gridplan/territory/importer"
)

// registerResourceImport mounts POST /api/resources/import on r: an upload
// (CSV or GeoJSON, multipart or raw), so neither the JSON body limit nor
// the JSON content-type check applies; the upload limit and the origin
// check do.
func (s *server) registerResourceImport(r *gin.Engine) {
	maxUpload := s.Imports.withDefaults().MaxUploadBytes
	g := r.Group("/api/resources", limitBytes(maxUpload), s.requireSession)
	g.POST("/import", allow(EditResources), sameOrigin, s.importResources)
}

// resourceUploadTypes are the content types a raw resource upload may have.
var resourceUploadTypes = map[string]bool{
	"text/csv": true, "application/csv": true, "text/plain": true, "application/octet-stream": true,
	"application/vnd.ms-excel": true, "text/tab-separated-values": true,
	"application/geo+json": true, "application/json": true,
}

// resourceImportParams are the options an upload may give, as query
// parameters or multipart form fields.
var resourceImportParams = []string{"crs", "format", "dry_run"}

// resourceImport is the answer of POST /api/resources/import.
type resourceImport struct {
	File  string `json:"file,omitempty"`
	Bytes int    `json:"bytes"`
	*importer.ResourceResult
}

// importResources reads a small resource file (the whole of it in memory)
// and upserts it in one transaction, answering with the counts and the
// rejected rows. Resource files are thousands of rows, not millions:
// synchronous, unlike customer imports.
func (s *server) importResources(c *gin.Context) {
	params := map[string]string{}
	for _, p := range resourceImportParams {
		if v, ok := c.GetQuery(p); ok {
			params[p] = v
		}
	}
	mt, mtParams, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || !(mt == "multipart/form-data" || resourceUploadTypes[mt]) {
		fail(c, &publicError{kind: errUnsupportedMedia, field: "Content-Type", msg: fmt.Sprintf(
			"send the file as multipart/form-data (field \"file\") or as the raw body with Content-Type text/csv or application/geo+json, got %q",
			c.GetHeader("Content-Type"))})
		return
	}
	var (
		body []byte
		name = c.Query("filename")
	)
	if mt == "multipart/form-data" {
		body, name, err = readMultipartFile(c.Request.Body, mtParams["boundary"], params)
	} else {
		body, err = io.ReadAll(c.Request.Body)
		if err != nil {
			err = uploadError(err)
		}
	}
	if err != nil {
		fail(c, err)
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		fail(c, invalid("file", "is empty: send a CSV or GeoJSON file of resources"))
		return
	}
	opts := importer.ResourceOptions{}
	if v := params["crs"]; v != "" {
		if opts.CRS, err = geo.ParseCRS(v); err != nil {
			fail(c, invalid("crs", "%v", err))
			return
		}
	}
	switch f := params["format"]; f {
	case "":
		if mt == "application/geo+json" || mt == "application/json" {
			opts.Format = importer.ResourceGeoJSON
		}
	case "csv", "geojson":
		opts.Format = importer.ResourceFormat(f)
	default:
		fail(c, invalid("format", "unknown format %q (want csv or geojson)", f))
		return
	}
	if v := params["dry_run"]; v != "" {
		if opts.DryRun, err = strconv.ParseBool(v); err != nil {
			fail(c, invalid("dry_run", "must be true or false, got %q", v))
			return
		}
	}

	ctx := c.Request.Context()
	var res *importer.ResourceResult
	resourceEdits.Lock()
	defer resourceEdits.Unlock()
	err = s.Store.InTx(ctx, func(tx data.Store) error {
		var err error
		res, err = importer.ImportResources(ctx, tx, bytes.NewReader(body), opts)
		return err
	})
	if err != nil {
		fail(c, fmt.Errorf("import resources %s: %w", name, fileError(err)))
		return
	}
	if len(res.Changes) > 0 {
		s.resourcesChanged(res.Changes...)
	}
	s.Logger.Info("resources imported", "file", name, "bytes", len(body), "rows", res.Rows, "inserted", res.Inserted,
		"updated", res.Updated, "unchanged", res.Unchanged, "rejected", res.Rejected, "user", currentUser(c).Username)
	c.JSON(http.StatusOK, resourceImport{File: name, Bytes: len(body), ResourceResult: res})
}

// fileError gives a file the importer refuses as a whole a 400 on "file"
// that says why.
func fileError(err error) error {
	var fe *importer.FileError
	var ce *importer.ColumnsError
	switch {
	case errors.As(err, &fe):
		return invalid("file", "%s", fe.Reason)
	case errors.As(err, &ce):
		return invalid("file", "%s", ce.Reason)
	}
	return err
}

// uploadError turns a failed body read into a 413 when the body was too
// large.
func uploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fmt.Errorf("%w: %w", errTooLarge, mbe)
	}
	return invalid("body", "cannot be read: %v", err)
}

// readMultipartFile reads the form field "file" (or the first file part)
// into memory and the option fields into params.
func readMultipartFile(body io.Reader, boundary string, params map[string]string) ([]byte, string, error) {
	if boundary == "" {
		return nil, "", invalid("Content-Type", "multipart/form-data without a boundary")
	}
	mr := multipart.NewReader(body, boundary)
	var (
		file []byte
		name string
		got  bool
	)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, "", fmt.Errorf("%w: %w", errTooLarge, mbe)
			}
			return nil, "", invalid("body", "malformed multipart form: %v", err)
		}
		field := part.FormName()
		switch {
		case !got && (field == "file" || part.FileName() != ""):
			name, got = part.FileName(), true
			if file, err = io.ReadAll(part); err != nil {
				return nil, "", uploadError(err)
			}
		case contains(resourceImportParams, field):
			v, err := io.ReadAll(io.LimitReader(part, 4<<10))
			if err != nil {
				return nil, "", invalid(field, "cannot be read: %v", err)
			}
			params[field] = strings.TrimSpace(string(v))
		}
		part.Close()
	}
	if !got {
		return nil, "", invalid("file", "is missing: send the file in the form field \"file\"")
	}
	return file, name, nil
}
