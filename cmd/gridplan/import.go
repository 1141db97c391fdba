package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	"gridplan/data"
	"gridplan/geo"
	"gridplan/geo/geocode"
	"gridplan/territory"
	"gridplan/territory/importer"
)

const importSummary = `Import customers from a CSV or XLSX file into the store, by external id:
new ones are inserted, changed ones updated, the rest left alone, so importing
the same file twice changes nothing. Columns are found by their headers
(外部编号/external_id, 名称/name, 地址/address, 经度/lng, 纬度/lat, 行业, 规模,
运营商, 特殊 …). Rows without coordinates are geocoded against the store's
gazetteer (and --gazetteer). Each customer gets its H3 cell and grid.
Bad rows go to the rejects file with line, column and reason; the good rows
are imported all the same.

  gridplan import customers FILE [flags]`

// importConfig is what `import customers` is configured with.
type importConfig struct {
	Config
	File         string
	CRS          string
	Map          string
	Rejects      string
	Sheet        string
	MinPrecision string
	OurCarrier   string
	Gazetteer    string
	BatchSize    int
}

func importCmd(ctx context.Context, args []string, e env, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "customers" && !importHelpArg(args[0])) {
		fmt.Fprintf(stderr, "Usage: gridplan import customers FILE [flags]\n")
		if len(args) == 0 {
			return errors.New("import: say what to import: gridplan import customers FILE")
		}
		return fmt.Errorf("import: unknown kind %q (want customers)", args[0])
	}
	if !importHelpArg(args[0]) {
		args = args[1:]
	}
	var c importConfig
	fs := newFlagSet("import customers", importSummary, stderr)
	c.dbFlag(fs, e)
	fs.StringVar(&c.CRS, "crs", "wgs84", "coordinate system of the coordinate columns: wgs84, gcj02 (高德, Tencent) or bd09 (Baidu)")
	fs.StringVar(&c.Map, "map", "", "column map overriding the headers, e.g. name=公司,address=住所 (fields: external_id, name, address, lng, lat, industry, size, carrier, special)")
	fs.StringVar(&c.Rejects, "rejects", "", "where to write the rejected rows (default FILE.rejects.csv; removed when nothing is rejected)")
	fs.StringVar(&c.Sheet, "sheet", "", "sheet of an XLSX workbook (default the first)")
	fs.StringVar(&c.MinPrecision, "min-precision", "", "reject rows geocoded more coarsely: point, place, interpolated, road or district (default: any)")
	fs.StringVar(&c.OurCarrier, "our-carrier", "", "the operator we are (电信, 移动, 联通, 广电), so that a carrier column may name operators")
	fs.StringVar(&c.Gazetteer, "gazetteer", "", "an OpenAddresses CSV (LON,LAT,NUMBER,STREET,…) to geocode against besides the store's gazetteer")
	fs.IntVar(&c.BatchSize, "batch", importer.DefaultBatchSize, "rows merged and stored per transaction")
	c.logFlags(fs, e)
	var err error
	if c.File, err = parseImportFile(fs, "import customers", args); err != nil {
		return err
	}
	opts, err := c.options()
	if err != nil {
		return err
	}
	log, err := c.logger(stderr)
	if err != nil {
		return err
	}
	f, err := os.Open(c.File)
	if err != nil {
		return fmt.Errorf("import customers: %w", err)
	}
	defer f.Close()
	var extra []geocode.Entry
	if c.Gazetteer != "" {
		if extra, err = readGazetteerFile(ctx, c.Gazetteer, log); err != nil {
			return err
		}
	}

	s, err := openMigrated(ctx, c.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := importWiring(ctx, s, extra, &opts, log); err != nil {
		return err
	}

	rejectsPath := c.Rejects
	if rejectsPath == "" {
		rejectsPath = c.File + ".rejects.csv"
	}
	rf, err := os.Create(rejectsPath)
	if err != nil {
		return fmt.Errorf("import customers: rejects file: %w", err)
	}
	rw, err := importer.NewRejectsWriter(rf)
	if err != nil {
		rf.Close()
		return err
	}
	opts.OnReject = rw.Write
	p := newProgress(stderr, log)
	opts.Progress = func(pr importer.Progress) { p.Report("import "+c.File, pr.Rows, pr.TotalRows) }

	start := time.Now()
	res, err := importer.Import(ctx, s, f, opts)
	p.finish()
	elapsed := time.Since(start)
	ferr := rw.Flush()
	if cerr := rf.Close(); ferr == nil {
		ferr = cerr
	}
	if res == nil || rw.Count() == 0 {
		os.Remove(rejectsPath) // nothing rejected: no stale file either
	}
	if err != nil {
		if res != nil && res.Rows > 0 {
			printImport(stdout, c.File, res, elapsed, "")
		}
		return fmt.Errorf("import customers %s: %w", c.File, err)
	}
	if ferr != nil {
		return fmt.Errorf("import customers: rejects file %s: %w", rejectsPath, ferr)
	}
	shown := ""
	if rw.Count() > 0 {
		shown = rejectsPath
	}
	printImport(stdout, c.File, res, elapsed, shown)
	return nil
}

// options turns the flags into importer options.
func (c *importConfig) options() (importer.Options, error) {
	var o importer.Options
	crs, err := geo.ParseCRS(c.CRS)
	if err != nil {
		return o, fmt.Errorf("--crs: %w", err)
	}
	o.CRS = crs
	if o.Map, err = importer.ParseMap(c.Map); err != nil {
		return o, fmt.Errorf("--map: %w", err)
	}
	if c.MinPrecision != "" {
		if o.MinPrecision, err = geocode.ParsePrecision(c.MinPrecision); err != nil {
			return o, fmt.Errorf("--min-precision: %w", err)
		}
	}
	if c.OurCarrier != "" {
		if o.OurCarrier, err = importer.CarrierName(c.OurCarrier); err != nil {
			return o, fmt.Errorf("--our-carrier: %w", err)
		}
	}
	if c.BatchSize < 1 {
		return o, fmt.Errorf("--batch %d: want at least 1", c.BatchSize)
	}
	o.BatchSize = c.BatchSize
	o.Sheet = c.Sheet
	return o, nil
}

// importWiring gives an import its geocoder (the store's gazetteer plus
// extra) and its grid index (every stored grid).
func importWiring(ctx context.Context, s data.Store, extra []geocode.Entry, opts *importer.Options, log *slog.Logger) error {
	t0 := time.Now()
	gc, st, err := importer.LoadGeocoder(ctx, s, extra, opts.MinPrecision)
	if err != nil {
		return err
	}
	opts.Geocoder, opts.GeocodeWorkers = gc, runtime.GOMAXPROCS(0) // the offline geocoder is safe for concurrent use
	if gc == nil {
		log.Warn("no gazetteer in the store: rows without coordinates will be rejected")
	} else {
		log.Info("gazetteer loaded", "addresses", st.Addresses, "places", st.Places, "roads", st.Roads, "areas", st.Areas,
			"elapsed", time.Since(t0).Round(time.Millisecond))
	}
	t1 := time.Now()
	ix, err := territory.LoadGridIndex(ctx, s)
	if err != nil {
		return err
	}
	opts.Locator = ix
	log.Info("grid index built", "grids", ix.Len(), "elapsed", time.Since(t1).Round(time.Millisecond))
	return nil
}

// readGazetteerFile reads an OpenAddresses CSV; bad lines are logged and
// left out.
func readGazetteerFile(ctx context.Context, path string, log *slog.Logger) ([]geocode.Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--gazetteer: %w", err)
	}
	defer f.Close()
	entries, err := geocode.ReadOpenAddresses(ctx, f, "openaddresses:"+path)
	var le *geocode.LinesError
	if errors.As(err, &le) {
		log.Warn("gazetteer lines left out", "file", path, "err", err)
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("--gazetteer %s: %w", path, err)
	}
	return entries, nil
}

// printImport writes the summary of an import.
func printImport(w io.Writer, file string, res *importer.Result, elapsed time.Duration, rejects string) {
	how := []string{strings.ToUpper(string(res.Format))}
	if res.Encoding != "" {
		how = append(how, string(res.Encoding))
	}
	if res.Sheet != "" {
		how = append(how, "sheet "+res.Sheet)
	}
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(res.Rows) / s
	}
	fmt.Fprintf(w, "imported %s (%s): %d rows in %s (%.0f rows/s)\n", file, strings.Join(how, ", "), res.Rows, elapsed.Round(time.Millisecond), rate)
	fmt.Fprintf(w, "  inserted %d, updated %d, unchanged %d, rejected %d (geocoded %d)\n",
		res.Inserted, res.Updated, res.Unchanged, res.Rejected, res.Geocoded)
	for _, n := range res.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	if len(res.Ignored) > 0 {
		fmt.Fprintf(w, "  columns ignored: %s\n", strings.Join(res.Ignored, ", "))
	}
	if rejects != "" {
		fmt.Fprintf(w, "  rejected rows: %s\n", rejects)
	}
}

// parseImportArgs parses flags that may come before and after positional
// arguments (flag stops at the first argument otherwise).
// parseImportFile parses args, flags before or after the one file
// argument, and returns that file; none or more than one is an error.
func parseImportFile(fs *flag.FlagSet, cmd string, args []string) (string, error) {
	pos, err := parseImportArgs(fs, args)
	if err != nil {
		return "", err
	}
	switch len(pos) {
	case 0:
		fs.Usage()
		return "", fmt.Errorf("%s: no file given", cmd)
	case 1:
		return pos[0], nil
	default:
		return "", fmt.Errorf("%s: unexpected arguments %q", cmd, pos[1:])
	}
}

func parseImportArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func importHelpArg(s string) bool { return s == "-h" || s == "-help" || s == "--help" || s == "help" }
