package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"gridplan/data"
	"gridplan/geo"
	"gridplan/territory/importer"
)

const resourcesSummary = `Import network resources (fibre cabinets, OLTs, 5G sites, building accesses …)
from a CSV file or a GeoJSON FeatureCollection. CSV columns are found by their
English or Chinese headers: code/编码, name/名称, kind/类型, status/状态
(existing/现有, under_construction/在建, planned/规划), lng/经度, lat/纬度,
radius_m/半径 (metres; 0.5km works), capacity/容量, expected_date/预计日期
(YYYY-MM-DD; 2027/3/1 works), geometry/wkt (WKT or GeoJSON: a point with a
radius, or a polygon) and cells/h3 (H3 cells separated by spaces, commas,
semicolons or |). A GeoJSON feature has the same properties and a Point (with
radius_m) or Polygon geometry, or a null geometry with cells. Coordinates are
converted from --crs to WGS-84.

A row updates the stored resource with its code, or, without a code, the one
of the same kind and name that has no code; otherwise it is created. Importing
the same file twice changes nothing. Bad rows are listed with their line (or
feature index), column and reason; the good ones are imported all the same, in
one transaction (and the command then exits with an error).

  gridplan import resources FILE [--crs wgs84|gcj02|bd09] [flags]`

// resourcesConfig is what `import resources` is configured with.
type resourcesConfig struct {
	Config
	File   string
	CRS    string
	Format string
	DryRun bool
}

func importResourcesCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var c resourcesConfig
	fs := newFlagSet("import resources", resourcesSummary, stderr)
	c.dbFlag(fs, e)
	fs.StringVar(&c.CRS, "crs", "wgs84", "coordinate system of the file: wgs84, gcj02 (高德, Tencent) or bd09 (Baidu)")
	fs.StringVar(&c.Format, "format", "", "csv or geojson (default: told by the first character, \"{\" being GeoJSON)")
	fs.BoolVar(&c.DryRun, "dry-run", false, "read, check and match every row and print what would change, without writing")
	c.logFlags(fs, e)
	var err error
	if c.File, err = parseImportFile(fs, "import resources", args); err != nil {
		return err
	}
	opts := importer.ResourceOptions{DryRun: c.DryRun}
	if opts.CRS, err = geo.ParseCRS(c.CRS); err != nil {
		return fmt.Errorf("--crs: %w", err)
	}
	switch c.Format {
	case "", "csv", "geojson":
		opts.Format = importer.ResourceFormat(c.Format)
	default:
		return fmt.Errorf("--format %q: want csv or geojson", c.Format)
	}
	f, err := os.Open(c.File)
	if err != nil {
		return fmt.Errorf("import resources: %w", err)
	}
	defer f.Close()

	s, err := openMigrated(ctx, c.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	start := time.Now()
	var res *importer.ResourceResult
	err = s.InTx(ctx, func(tx data.Store) error {
		var err error
		res, err = importer.ImportResources(ctx, tx, f, opts)
		return err
	})
	if err != nil {
		return fmt.Errorf("import resources %s: %w", c.File, err)
	}
	printResources(stdout, c.File, res, time.Since(start))
	if res.Rejected > 0 {
		return fmt.Errorf("import resources %s: %d of %d rows rejected (listed above)", c.File, res.Rejected, res.Rows)
	}
	return nil
}

// printResources writes the summary of a resource import and its rejects.
func printResources(w io.Writer, file string, res *importer.ResourceResult, elapsed time.Duration) {
	verb := "imported"
	if res.DryRun {
		verb = "checked (dry run, nothing written)"
	}
	enc := ""
	if res.Encoding != "" {
		enc = ", " + string(res.Encoding)
	}
	fmt.Fprintf(w, "%s resources %s (%s%s, %s) in %v: %d rows: created %d, updated %d, unchanged %d, rejected %d\n",
		verb, file, res.Format, enc, res.CRS, elapsed.Round(time.Millisecond), res.Rows, res.Inserted, res.Updated, res.Unchanged, res.Rejected)
	for _, f := range importer.ResourceFields {
		if h, ok := res.Columns[f]; ok {
			fmt.Fprintf(w, "  column %-13s ← %s\n", f, h)
		}
	}
	if len(res.Ignored) > 0 {
		fmt.Fprintf(w, "  ignored columns: %v\n", res.Ignored)
	}
	for _, r := range res.Rejects {
		col := ""
		if r.Column != "" {
			col = " column " + r.Column
		}
		fmt.Fprintf(w, "  rejected %s%s: %s\n", r.Where(), col, r.Reason)
	}
	if res.RejectsOmitted > 0 {
		fmt.Fprintf(w, "  … and %d more rejected rows\n", res.RejectsOmitted)
	}
}
