package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"gridplan/territory"
)

// readGeoJSON reads a FeatureCollection (or a single Feature) of resources:
// properties by the same names as CSV columns, geometry a Point (with
// radius_m) or a Polygon, or null with a "cells" property.
func (ri *resImporter) readGeoJSON(body []byte) ([]*resRow, error) {
	var top struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, &FileError{Reason: "not a GeoJSON document: " + jsonReason(body, err), Err: err}
	}
	features := top.Features
	switch top.Type {
	case "FeatureCollection":
	case "Feature":
		features = []json.RawMessage{body}
	default:
		return nil, &FileError{Reason: fmt.Sprintf("a GeoJSON resource file is a FeatureCollection, got type %q", top.Type)}
	}
	var rows []*resRow
	for i, raw := range features {
		ri.res.Rows++
		if row := ri.featureRow(i, raw); row != nil {
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// jsonReason explains a JSON syntax error with its line.
func jsonReason(body []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(body[:min(int(se.Offset), len(body))], []byte{'\n'})
		return fmt.Sprintf("%v (line %d, byte %d)", err, line, se.Offset)
	}
	return err.Error()
}

// featureRow turns one feature into a row, or rejects it (nil).
func (ri *resImporter) featureRow(index int, raw json.RawMessage) *resRow {
	row := &resRow{feature: index, set: map[ResourceField]bool{}}
	var f struct {
		Type       string                     `json:"type"`
		Geometry   json.RawMessage            `json:"geometry"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		ri.reject(row, "", "not a GeoJSON Feature: "+err.Error())
		return nil
	}
	if f.Type != "Feature" {
		ri.reject(row, "", fmt.Sprintf("not a Feature: type %q", f.Type))
		return nil
	}
	// Properties by field: the best alias wins, then the first key in
	// sorted order (JSON objects have no order of their own).
	keys := make([]string, 0, len(f.Properties))
	for k := range f.Properties {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	prop := map[ResourceField]string{}
	rank := map[ResourceField]int{}
	for _, k := range keys {
		fld, r, ok := resourceFieldOf(k)
		if !ok {
			continue
		}
		if _, dup := prop[fld]; dup && rank[fld] <= r {
			continue
		}
		prop[fld], rank[fld] = k, r
		if _, known := ri.res.Columns[fld]; !known {
			ri.res.Columns[fld] = k
		}
	}
	row.column = func(fld ResourceField) string {
		if fld == ResourceGeometry {
			return "geometry"
		}
		if k, ok := prop[fld]; ok {
			return k
		}
		return string(fld)
	}
	// text reads a property as text: a string, or a number as written.
	var bad ResourceField
	var badReason string
	text := func(fld ResourceField) string {
		k, ok := prop[fld]
		if !ok {
			return ""
		}
		v := bytes.TrimSpace(f.Properties[k])
		switch {
		case len(v) == 0 || string(v) == "null":
			return ""
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				bad, badReason = fld, "is not a valid string"
				return ""
			}
			return strings.TrimSpace(s)
		case v[0] == '-' || v[0] >= '0' && v[0] <= '9':
			return string(v)
		}
		if bad == "" {
			bad, badReason = fld, fmt.Sprintf("must be a string or a number, got %s", clip(string(v), 40))
		}
		return ""
	}

	r := &territory.Resource{Code: text(ResourceCode), Name: text(ResourceName), Kind: text(ResourceKind)}
	row.r = r
	if bad != "" {
		ri.reject(row, bad, badReason)
		return nil
	}
	if fld, reason := ri.fill(r, row.set, text); reason != "" || bad != "" {
		if bad != "" {
			fld, reason = bad, badReason
		}
		ri.reject(row, fld, reason)
		return nil
	}

	var point *orb.Point
	var geom orb.Geometry
	if g := bytes.TrimSpace(f.Geometry); len(g) > 0 && string(g) != "null" {
		var rg rawGeometry
		if err := json.Unmarshal(g, &rg); err != nil {
			ri.reject(row, ResourceGeometry, "not a GeoJSON geometry: "+err.Error())
			return nil
		}
		parsed, err := rg.geometry()
		if err == nil {
			parsed, err = toWGS84(parsed, ri.opts.CRS)
		}
		if err != nil {
			ri.reject(row, ResourceGeometry, err.Error())
			return nil
		}
		geom = parsed
	} else if lngS, latS := text(ResourceLng), text(ResourceLat); lngS != "" || latS != "" {
		if lngS == "" || latS == "" {
			ri.reject(row, ResourceLng, "give both lng and lat, or a geometry")
			return nil
		}
		p, fld, reason := ri.lngLat(lngS, latS)
		if reason != "" {
			ri.reject(row, fld, reason)
			return nil
		}
		point = &p
	}
	cells, fld, reason := propCells(f.Properties, prop)
	if reason != "" {
		ri.reject(row, fld, reason)
		return nil
	}
	radius := text(ResourceRadius)
	if bad != "" {
		ri.reject(row, bad, badReason)
		return nil
	}
	if fld, reason := coverage(r, point, geom, cells, radius, row.set); reason != "" {
		ri.reject(row, fld, reason)
		return nil
	}
	return ri.valid(row)
}

// propCells reads the cells property: an array of H3 strings, or one string
// listing them; nil when there is none.
func propCells(props map[string]json.RawMessage, prop map[ResourceField]string) ([]string, ResourceField, string) {
	k, ok := prop[ResourceCells]
	if !ok {
		return nil, "", ""
	}
	v := bytes.TrimSpace(props[k])
	switch {
	case len(v) == 0 || string(v) == "null":
		return nil, "", ""
	case v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, ResourceCells, "is not a valid string"
		}
		if strings.TrimSpace(s) == "" {
			return nil, "", ""
		}
		return splitCells(s), "", ""
	case v[0] == '[':
		var items []any
		if err := json.Unmarshal(v, &items); err != nil {
			return nil, ResourceCells, "is not a valid array"
		}
		out := make([]string, len(items))
		for i, it := range items {
			s, ok := it.(string)
			if !ok {
				return nil, ResourceCells, fmt.Sprintf("item %d: an H3 cell is written as a string (like \"8931aa42a5bffff\"), got %v", i, it)
			}
			out[i] = s
		}
		return out, "", ""
	}
	return nil, ResourceCells, "must be an array of H3 cell strings"
}
