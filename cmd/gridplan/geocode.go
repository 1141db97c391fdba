package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb/planar"

	"gridplan/data"
	"gridplan/geo/geocode"
)

const geocodeSummary = `Geocode addresses read from standard input, one per line, and write CSV to
standard output: address,lat,lng,precision,confidence,error — a header row,
then one row per input line in input order (blank lat/lng and the reason in
error when an address fails). Addresses are matched offline against the
store's gazetteer and district centroids, or against --gazetteer FILE (an
OpenAddresses CSV: LON,LAT,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,POSTCODE).
--nominatim URL asks a Nominatim server instead (one request a second).

  gridplan geocode [--gazetteer FILE.csv] [--min-precision road] < addresses.txt > results.csv`

// maxAddressBytes bounds one input line: longer is no address.
const maxAddressBytes = 2048

// geocodeConfig is what `geocode` is configured with.
type geocodeConfig struct {
	Config
	Gazetteer    string
	MinPrecision string
	Nominatim    string
	UserAgent    string
	CountryCodes string
}

func geocodeCmd(ctx context.Context, args []string, e env, stdin io.Reader, stdout, stderr io.Writer) error {
	var c geocodeConfig
	fs := newFlagSet("geocode", geocodeSummary, stderr)
	c.dbFlag(fs, e)
	fs.StringVar(&c.Gazetteer, "gazetteer", "", "an OpenAddresses CSV to geocode against instead of the store's gazetteer")
	fs.StringVar(&c.MinPrecision, "min-precision", "", "fail addresses found only more coarsely: point, place, interpolated, road or district (default: any)")
	fs.StringVar(&c.Nominatim, "nominatim", "", "base URL of a Nominatim server to ask instead (off by default; sends the addresses there)")
	fs.StringVar(&c.UserAgent, "user-agent", "gridplan-geocode", "User-Agent sent to the Nominatim server (its usage policy requires one that names you)")
	fs.StringVar(&c.CountryCodes, "countrycodes", "", "with --nominatim: limit results to these countries, e.g. cn or cn,hk")
	c.logFlags(fs, e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("geocode: unexpected arguments %q (addresses are read from standard input)", fs.Args())
	}
	var min geocode.Precision
	if c.MinPrecision != "" {
		var err error
		if min, err = geocode.ParsePrecision(c.MinPrecision); err != nil {
			return fmt.Errorf("--min-precision: %w", err)
		}
	}
	if c.Nominatim != "" && c.Gazetteer != "" {
		return errors.New("geocode: --nominatim and --gazetteer exclude each other")
	}
	log, err := c.logger(stderr)
	if err != nil {
		return err
	}
	coder, err := c.coder(ctx, min, log)
	if err != nil {
		return err
	}
	return geocodeLines(ctx, coder, stdin, stdout, log)
}

// coder builds the geocoder the flags ask for.
func (c *geocodeConfig) coder(ctx context.Context, min geocode.Precision, log *slog.Logger) (geocode.Coder, error) {
	if c.Nominatim != "" {
		var codes []string
		for _, cc := range strings.Split(c.CountryCodes, ",") {
			if cc = strings.TrimSpace(cc); cc != "" {
				codes = append(codes, cc)
			}
		}
		n, err := geocode.NewNominatim(geocode.NominatimOptions{BaseURL: c.Nominatim, UserAgent: c.UserAgent, CountryCodes: codes, MinPrecision: min})
		if err != nil {
			return nil, fmt.Errorf("--nominatim: %w", err)
		}
		log.Info("geocoding with Nominatim", "url", c.Nominatim)
		return n, nil
	}
	t0 := time.Now()
	var gz *geocode.Gazetteer
	if c.Gazetteer != "" {
		entries, err := readOpenAddressesFile(ctx, c.Gazetteer, log)
		if err != nil {
			return nil, err
		}
		if gz, err = geocode.NewGazetteer(entries); err != nil {
			return nil, fmt.Errorf("--gazetteer %s: %w", c.Gazetteer, err)
		}
	} else {
		s, err := openMigrated(ctx, c.DB)
		if err != nil {
			return nil, err
		}
		defer s.Close()
		if gz, err = storeGazetteer(ctx, s); err != nil {
			return nil, err
		}
	}
	st := gz.Stats()
	if st.Addresses+st.Places+st.Roads+st.Areas == 0 {
		return nil, fmt.Errorf("geocode: the gazetteer is empty: load the demo city (gridplan demo) or pass --gazetteer FILE")
	}
	log.Info("gazetteer loaded", "addresses", st.Addresses, "places", st.Places, "roads", st.Roads, "areas", st.Areas,
		"postcodes", st.Postcodes, "elapsed", time.Since(t0).Round(time.Millisecond))
	return geocode.New(gz, geocode.Options{MinPrecision: min})
}

// storeGazetteer builds a gazetteer from the store: every district's
// centroid (so an address naming only its district still lands), then the
// stored gazetteer entries, whose own district centroids take precedence.
func storeGazetteer(ctx context.Context, s data.Store) (*geocode.Gazetteer, error) {
	b := geocode.NewBuilder()
	ds, err := s.Districts(ctx)
	if err != nil {
		return nil, fmt.Errorf("load districts: %w", err)
	}
	for _, d := range ds {
		if len(d.Boundary) == 0 {
			continue
		}
		p, _ := planar.CentroidArea(d.Boundary)
		if err := b.Add(geocode.Entry{Source: "store", Kind: geocode.KindDistrict, Name: d.Name, District: d.Name,
			City: d.City, Region: d.Province, Geometry: p}); err != nil {
			return nil, fmt.Errorf("district %d (%s): %w", d.ID, d.Name, err)
		}
	}
	n := 0
	err = s.GazetteerEntries(ctx, func(e geocode.Entry) error {
		n++
		if err := b.Add(e); err != nil {
			return fmt.Errorf("gazetteer entry %d (%s): %w", n, e.Source, err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load gazetteer: %w", err)
	}
	return b.Build(), nil
}

// readOpenAddressesFile reads an OpenAddresses CSV; bad lines are logged
// and left out.
func readOpenAddressesFile(ctx context.Context, path string, log *slog.Logger) ([]geocode.Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--gazetteer: %w", err)
	}
	defer f.Close()
	entries, err := geocode.ReadOpenAddresses(ctx, f, "openaddresses:"+path)
	if le := (*geocode.LinesError)(nil); errors.As(err, &le) {
		log.Warn("gazetteer lines left out", "file", path, "bad_lines", le.Total, "err", err)
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("--gazetteer %s: %w", path, err)
	}
	return entries, nil
}

// geocodeLines geocodes every line of in and writes the CSV rows to out.
func geocodeLines(ctx context.Context, coder geocode.Coder, in io.Reader, out io.Writer, log *slog.Logger) error {
	t0 := time.Now()
	r := bufio.NewReaderSize(in, 64<<10)
	bw := bufio.NewWriterSize(out, 64<<10)
	w := csv.NewWriter(bw)
	if err := w.Write([]string{"address", "lat", "lng", "precision", "confidence", "error"}); err != nil {
		return err
	}
	counts := map[string]int{}
	for line := 1; ; line++ {
		text, err := readLine(r)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read stdin line %d: %w", line, err)
		}
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		row := []string{text, "", "", "", "", ""}
		if len(text) > maxAddressBytes {
			row[0] = text[:200] + "…"
			row[5] = fmt.Sprintf("address too long: %d bytes (at most %d)", len(text), maxAddressBytes)
			counts["failed"]++
		} else if res, err := coder.Geocode(ctx, text); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			row[5] = err.Error()
			counts["failed"]++
		} else {
			row[1] = strconv.FormatFloat(res.Location[1], 'f', 7, 64)
			row[2] = strconv.FormatFloat(res.Location[0], 'f', 7, 64)
			row[3] = res.Precision.String()
			row[4] = strconv.FormatFloat(res.Confidence, 'f', 2, 64)
			counts[row[3]]++
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	args := []any{"elapsed", time.Since(t0).Round(time.Millisecond)}
	for _, k := range []string{"point", "place", "interpolated", "road", "district", "failed"} {
		args = append(args, k, counts[k])
	}
	log.Info("geocoded", args...)
	return nil
}

// readLine reads one line without its line ending, whatever its length;
// io.EOF only when nothing is left.
func readLine(r *bufio.Reader) (string, error) {
	s, err := r.ReadString('\n')
	if err == io.EOF && s != "" {
		err = nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(s, "\r\n"), nil
}
