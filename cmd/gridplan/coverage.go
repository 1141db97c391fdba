package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"gridplan/data"
	"gridplan/funnel"
	"gridplan/territory"
	"gridplan/territory/coverage"
)

const coverageUsage = `Usage: gridplan coverage report [flags]

Commands:
  report    customers by coverage status × funnel stage × carrier, per
            province, district and grid, as XLSX, CSV or JSON

Run "gridplan coverage report --help" for its flags.
`

const coverageReportSummary = `Report, for the province, every district and every grid, the customers
covered by existing resources, by resources under construction and by planned
resources, and those covered by none; the competitors' customers inside
existing coverage (the attack list); the funnel stages and carriers. As of a
date (default today), resources under construction or planned whose expected
date has come count as existing.

  --format xlsx   one sheet per level (省, 区县, 网格), Chinese headers, a total
                  row (合计) and the as-of date; written to --out (default
                  coverage-YYYY-MM-DD.xlsx)
  --format csv    one table, a 层级 (level) column first; Chinese headers; to
                  --out or stdout
  --format json   a list of summaries, one per level, each as GET
                  /api/coverage/summary answers; to --out or stdout

  gridplan coverage report [--format xlsx|csv|json] [--as-of YYYY-MM-DD] [--out FILE] [flags]`

// coverageConfig is what `coverage report` is configured with.
type coverageConfig struct {
	Config
	Format     string
	AsOf       string
	Out        string
	Level      string
	DistrictID int64
}

// coverageCmd dispatches `gridplan coverage SUBCOMMAND`.
func coverageCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, coverageUsage)
		return errors.New("coverage: say what to do: gridplan coverage report")
	}
	switch args[0] {
	case "report":
		return coverageReportCmd(ctx, args[1:], e, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, coverageUsage)
		return flag.ErrHelp
	}
	fmt.Fprint(stderr, coverageUsage)
	return fmt.Errorf("coverage: unknown command %q (want report)", args[0])
}

func coverageReportCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var c coverageConfig
	fs := newFlagSet("coverage report", coverageReportSummary, stderr)
	c.dbFlag(fs, e)
	fs.StringVar(&c.Format, "format", "xlsx", "xlsx, csv or json")
	fs.StringVar(&c.AsOf, "as-of", "", "the day to report as of, YYYY-MM-DD (default today, in the local time zone)")
	fs.StringVar(&c.Out, "out", "", "the file to write (default: coverage-AS_OF.xlsx for xlsx, stdout for csv and json)")
	fs.StringVar(&c.Level, "level", "", "only this level: province, district or grid (default all three)")
	fs.Int64Var(&c.DistrictID, "district-id", 0, "only this district (its province row, its row, its grids)")
	c.logFlags(fs, e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("coverage report: unexpected arguments %q", fs.Args())
	}
	switch c.Format {
	case "xlsx", "csv", "json":
	default:
		return fmt.Errorf("--format %q: want xlsx, csv or json", c.Format)
	}
	asOf := coverage.DateOf(time.Now())
	if c.AsOf != "" {
		d, err := coverage.ParseDate("as-of", c.AsOf)
		if err != nil {
			return fmt.Errorf("--as-of %q: want a date YYYY-MM-DD", c.AsOf)
		}
		asOf = d
	}
	levels := coverage.Levels
	if c.Level != "" {
		lv, err := coverage.ParseLevel(c.Level)
		if err != nil {
			return fmt.Errorf("--level %q: want province, district or grid", c.Level)
		}
		levels = []coverage.Level{lv}
	}
	if c.DistrictID < 0 {
		return fmt.Errorf("--district-id %d: want a district id", c.DistrictID)
	}
	log, err := c.logger(stderr)
	if err != nil {
		return err
	}
	s, err := openMigrated(ctx, c.DB)
	if err != nil {
		return err
	}
	defer s.Close()

	t0 := time.Now()
	in, err := loadCoverageInput(ctx, s)
	if err != nil {
		return fmt.Errorf("coverage report: %w", err)
	}
	t1 := time.Now()
	a, err := coverage.New(ctx, in, coverage.Options{})
	if err != nil {
		return fmt.Errorf("coverage report: %w", err)
	}
	var sums []*coverage.Summary
	for _, lv := range levels {
		sum, err := a.Summary(asOf, lv, c.DistrictID)
		if err != nil {
			if errors.Is(err, territory.ErrNotFound) {
				return fmt.Errorf("--district-id %d: no such district", c.DistrictID)
			}
			return fmt.Errorf("coverage report: %w", err)
		}
		sums = append(sums, sum)
	}
	log.Info("coverage analysed", "customers", len(in.Customers), "resources", len(in.Resources), "grids", len(in.Grids),
		"districts", len(in.Districts), "load", t1.Sub(t0).Round(time.Millisecond), "analysis", time.Since(t1).Round(time.Millisecond))

	out := c.Out
	if out == "" && c.Format == "xlsx" {
		out = "coverage-" + asOf.String() + ".xlsx"
	}
	var w io.Writer = stdout
	var f *os.File
	if out != "" && out != "-" {
		if f, err = os.Create(out); err != nil {
			return fmt.Errorf("coverage report: %w", err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	switch c.Format {
	case "xlsx":
		err = coverage.WriteXLSX(bw, sums, districtNames(in.Districts))
	case "csv":
		err = writeCoverageCSV(bw, sums, districtNames(in.Districts))
	case "json":
		err = writeCoverageJSON(bw, sums)
	}
	if err == nil {
		err = bw.Flush()
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("coverage report: write %s: %w", out, err)
	}
	if f != nil {
		total := sums[0].Total.Cube
		by := total.ByStatus()
		fmt.Fprintf(stdout, "coverage as of %s written to %s (%s): %d customers: existing %d, under construction %d, planned %d, none %d; attack list %d\n",
			asOf, out, c.Format, total.Customers(), by[coverage.Existing], by[coverage.UnderConstruction], by[coverage.Planned], by[coverage.None], total.Attack())
	}
	return nil
}

// loadCoverageInput reads what an analysis needs from the store: every
// customer's location, stage, carrier and size, every resource, grid and
// district.
func loadCoverageInput(ctx context.Context, s data.Store) (coverage.Input, error) {
	var in coverage.Input
	err := s.CustomerLocations(ctx, nil, func(c territory.CustomerLocation) error {
		in.Customers = append(in.Customers, c)
		return nil
	})
	if err != nil {
		return in, fmt.Errorf("read customers: %w", err)
	}
	if in.Resources, err = s.Resources(ctx, territory.ResourceFilter{}); err != nil {
		return in, fmt.Errorf("read resources: %w", err)
	}
	if in.Grids, err = s.Grids(ctx, territory.GridFilter{}); err != nil {
		return in, fmt.Errorf("read grids: %w", err)
	}
	if in.Districts, err = s.Districts(ctx); err != nil {
		return in, fmt.Errorf("read districts: %w", err)
	}
	return in, nil
}

func districtNames(ds []*territory.District) map[int64]string {
	m := make(map[int64]string, len(ds))
	for _, d := range ds {
		m[d.ID] = d.Name
	}
	return m
}

// writeCoverageCSV writes every summary as one table: a 层级 (level)
// column, then the XLSX export's columns at grid level (所属区县 empty on
// province and district rows), a row per area, then each level's total
// (合计). UTF-8 with a byte-order mark, so that Excel shows the Chinese.
func writeCoverageCSV(w io.Writer, sums []*coverage.Summary, names map[int64]string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header := append([]string{"层级"}, coverage.Header(coverage.LevelGrid)...)
	if err := cw.Write(header); err != nil {
		return err
	}
	line := func(lv coverage.Level, r *coverage.Row) []string {
		vals := r.Values(lv, names[r.DistrictID])
		if lv != coverage.LevelGrid { // no district column: leave it empty
			vals = append(vals[:2], append([]any{""}, vals[2:]...)...)
		}
		out := make([]string, 0, len(vals)+1)
		out = append(out, coverage.SheetName[lv])
		for _, v := range vals {
			switch x := v.(type) {
			case float64:
				out = append(out, fmt.Sprintf("%.4f", x))
			default:
				out = append(out, fmt.Sprint(x))
			}
		}
		return out
	}
	for _, s := range sums {
		for i := range s.Rows {
			if err := cw.Write(line(s.Level, &s.Rows[i])); err != nil {
				return err
			}
		}
		total := s.Total
		total.Code, total.Name, total.ID, total.DistrictID = "合计", "", 0, 0
		if err := cw.Write(line(s.Level, &total)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// summaryJSON is a summary as GET /api/coverage/summary answers it.
type summaryJSON struct {
	AsOf  string    `json:"as_of"`
	Level string    `json:"level"`
	Rows  []rowJSON `json:"rows"`
	Total rowJSON   `json:"total"`
}

// rowJSON is one report row: counts by status, the attack list, the
// funnel, and status by stage and by carrier.
type rowJSON struct {
	ID                int64                     `json:"id,omitempty"`
	Code              string                    `json:"code"`
	Name              string                    `json:"name"`
	DistrictID        int64                     `json:"district_id,omitempty"`
	Customers         int                       `json:"customers"`
	Existing          int                       `json:"existing"`
	UnderConstruction int                       `json:"under_construction"`
	Planned           int                       `json:"planned"`
	None              int                       `json:"none"`
	Attack            int                       `json:"attack"`
	Funnel            map[string]int            `json:"funnel"`
	ByStage           map[string]map[string]int `json:"by_stage"`
	ByCarrier         map[string]map[string]int `json:"by_carrier"`
}

func statusCounts(by [coverage.NumStatuses]int) map[string]int {
	m := make(map[string]int, coverage.NumStatuses)
	for _, s := range coverage.Statuses {
		m[s.String()] = by[s]
	}
	return m
}

func newRowJSON(r *coverage.Row) rowJSON {
	by := r.Cube.ByStatus()
	out := rowJSON{ID: r.ID, Code: r.Code, Name: r.Name, DistrictID: r.DistrictID, Customers: r.Cube.Customers(),
		Existing: by[coverage.Existing], UnderConstruction: by[coverage.UnderConstruction], Planned: by[coverage.Planned],
		None: by[coverage.None], Attack: r.Cube.Attack(),
		Funnel: map[string]int{}, ByStage: map[string]map[string]int{}, ByCarrier: map[string]map[string]int{}}
	fun, byStage := r.Cube.Funnel(), r.Cube.ByStage()
	for i, st := range funnel.Stages {
		out.Funnel[string(st)] = fun[i]
		out.ByStage[string(st)] = statusCounts(byStage[i])
	}
	if n := fun[coverage.OtherStage]; n > 0 {
		out.Funnel["unknown"] = n
		out.ByStage["unknown"] = statusCounts(byStage[coverage.OtherStage])
	}
	for i, ca := range r.Cube.ByCarrier() {
		out.ByCarrier[string(territory.Carriers[i])] = statusCounts(ca)
	}
	return out
}

// writeCoverageJSON writes the summaries as a JSON list, one object per
// level.
func writeCoverageJSON(w io.Writer, sums []*coverage.Summary) error {
	out := make([]summaryJSON, len(sums))
	for i, s := range sums {
		out[i] = summaryJSON{AsOf: s.AsOf.String(), Level: string(s.Level), Rows: make([]rowJSON, len(s.Rows)), Total: newRowJSON(&s.Total)}
		for j := range s.Rows {
			out[i].Rows[j] = newRowJSON(&s.Rows[j])
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
