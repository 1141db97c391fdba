package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/paulmach/orb"

	"gridplan/data"
	"gridplan/geo"
	"gridplan/territory"
	"gridplan/web"
)

const districtsSummary = `Import administrative boundaries as districts from a GeoJSON file as Chinese
map platforms publish them (DataV/阿里云 GeoAtlas: a FeatureCollection whose
features have "name" and "adcode" properties and a Polygon or MultiPolygon
geometry), or from KML/KMZ with the same properties as ExtendedData. Every
vertex is converted from --crs to WGS-84 (DataV and 高德 publish GCJ-02).
Districts are matched by adcode (the district code): a new one is created, a
known one updated, an identical one left alone. A bad feature is reported
with its index, name and the polygon, ring and point at fault; the good ones
are imported all the same (and the command then exits with an error).

  gridplan import districts FILE --crs wgs84|gcj02|bd09 [flags]`

// districtsConfig is what `import districts` is configured with.
type districtsConfig struct {
	Config
	File     string
	CRS      string
	City     string
	Province string
	DryRun   bool
}

// importKindCmd dispatches `gridplan import KIND`: districts here,
// customers to importCmd, resources to importResourcesCmd.
func importKindCmd(ctx context.Context, args []string, e env, stdin io.Reader, stdout, stderr io.Writer) error {
	const kinds = "Usage: gridplan import customers FILE [flags]\n       gridplan import districts FILE --crs … [flags]\n       gridplan import resources FILE [--crs …] [flags]\n"
	if len(args) == 0 {
		fmt.Fprint(stderr, kinds)
		return errors.New("import: say what to import: gridplan import customers FILE, gridplan import districts FILE or gridplan import resources FILE")
	}
	switch args[0] {
	case "districts":
		return importDistrictsCmd(ctx, args[1:], e, stdout, stderr)
	case "customers":
		return importCmd(ctx, args, e, stdin, stdout, stderr)
	case "resources":
		return importResourcesCmd(ctx, args[1:], e, stdout, stderr)
	}
	if importHelpArg(args[0]) {
		fmt.Fprint(stdout, kinds+"\nRun \"gridplan import customers --help\" (or districts, resources) for their flags.\n")
		return nil
	}
	fmt.Fprint(stderr, "Usage: gridplan import customers|districts|resources FILE [flags]\n")
	return fmt.Errorf("import: unknown kind %q (want customers, districts or resources)", args[0])
}

func importDistrictsCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var c districtsConfig
	fs := newFlagSet("import districts", districtsSummary, stderr)
	c.dbFlag(fs, e)
	fs.StringVar(&c.CRS, "crs", "", "coordinate system of the file (required): wgs84, gcj02 (DataV, 高德, Tencent) or bd09 (Baidu)")
	fs.StringVar(&c.City, "city", "", "city of districts whose feature does not say (property city), e.g. 杭州市")
	fs.StringVar(&c.Province, "province", "", "province of districts whose feature does not say (property province), e.g. 浙江省")
	fs.BoolVar(&c.DryRun, "dry-run", false, "read and check the file and print what would change, without writing")
	c.logFlags(fs, e)
	var err error
	if c.File, err = parseImportFile(fs, "import districts", args); err != nil {
		return err
	}
	if c.CRS == "" {
		return errors.New("import districts: --crs is required: wgs84, gcj02 (DataV/阿里云, 高德, Tencent) or bd09 (Baidu); a wrong guess shifts every boundary by hundreds of metres")
	}
	crs, err := geo.ParseCRS(c.CRS)
	if err != nil {
		return fmt.Errorf("--crs: %w", err)
	}
	raw, err := os.ReadFile(c.File)
	if err != nil {
		return fmt.Errorf("import districts: %w", err)
	}
	format, features, err := web.ReadAreas(raw, crs)
	if err != nil {
		return fmt.Errorf("import districts %s: %w", c.File, err)
	}
	if len(features) == 0 {
		return fmt.Errorf("import districts %s: the file holds no features", c.File)
	}

	s, err := openMigrated(ctx, c.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := upsertDistricts(ctx, s, features, districtDefaults{City: c.City, Province: c.Province}, c.DryRun)
	if err != nil {
		return fmt.Errorf("import districts %s: %w", c.File, err)
	}
	printDistricts(stdout, c.File, format, crs, res, c.DryRun)
	if n := len(res.Rejected); n > 0 {
		return fmt.Errorf("import districts %s: %d of %d features rejected (listed above)", c.File, n, len(features))
	}
	return nil
}

// districtDefaults fill what a boundary file does not say: DataV features
// carry name and adcode, not the city and province names.
type districtDefaults struct {
	City, Province string
}

// districtAction is what the import did with one feature.
type districtAction struct {
	Index    int
	Action   string // created, updated, unchanged
	District *territory.District
}

// districtsResult is the outcome of an import: an action per good feature,
// an error per bad one.
type districtsResult struct {
	Done     []districtAction
	Rejected []error
}

func (r *districtsResult) count(action string) int {
	n := 0
	for _, d := range r.Done {
		if d.Action == action {
			n++
		}
	}
	return n
}

// upsertDistricts matches features to stored districts by code (adcode)
// and writes the good ones in one transaction, unless dryRun. Bad features
// (unreadable, missing name or adcode, invalid boundary, an adcode already
// in the file) are rejected with a reason and left out.
func upsertDistricts(ctx context.Context, s data.Store, features []*web.AreaFeature, def districtDefaults, dryRun bool) (*districtsResult, error) {
	stored, err := s.Districts(ctx)
	if err != nil {
		return nil, fmt.Errorf("list districts: %w", err)
	}
	byCode := make(map[string]*territory.District, len(stored))
	for _, d := range stored {
		byCode[d.Code] = d
	}
	res := &districtsResult{}
	seen := map[string]int{}
	for _, f := range features {
		d, action, err := districtOf(f, byCode, def)
		if err == nil {
			if first, dup := seen[d.Code]; dup {
				err = fmt.Errorf("adcode %s: repeats feature %d", d.Code, first)
			} else {
				seen[d.Code] = f.Index
			}
		}
		if err != nil {
			res.Rejected = append(res.Rejected, fmt.Errorf("%s: %w", featureLabel(f), err))
			continue
		}
		res.Done = append(res.Done, districtAction{Index: f.Index, Action: action, District: d})
	}
	if dryRun {
		return res, nil
	}
	err = s.InTx(ctx, func(tx data.Store) error {
		for _, a := range res.Done {
			var err error
			switch a.Action {
			case "created":
				err = tx.CreateDistrict(ctx, a.District)
			case "updated":
				err = tx.UpdateDistrict(ctx, a.District)
			}
			if err != nil {
				return fmt.Errorf("feature %d (%s %s): %w", a.Index, a.District.Code, a.District.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// featureLabel names a feature in messages: its index and, as far as the
// file says, its name and adcode.
func featureLabel(f *web.AreaFeature) string {
	name, code := f.Prop("name", "NAME", "名称"), districtCode(f)
	switch {
	case name != "" && code != "":
		return fmt.Sprintf("feature %d (%s, adcode %s)", f.Index, name, code)
	case name != "":
		return fmt.Sprintf("feature %d (%s)", f.Index, name)
	case code != "":
		return fmt.Sprintf("feature %d (adcode %s)", f.Index, code)
	}
	return fmt.Sprintf("feature %d", f.Index)
}

// districtCode is the feature's adcode (DataV), else its code.
func districtCode(f *web.AreaFeature) string { return f.Prop("adcode", "code", "ADCODE", "CODE") }

// districtOf turns a feature into the district to write and says whether
// that creates, updates or leaves alone the stored one.
func districtOf(f *web.AreaFeature, byCode map[string]*territory.District, def districtDefaults) (*territory.District, string, error) {
	if f.Err != nil {
		return nil, "", f.Err
	}
	d := &territory.District{
		Code:     districtCode(f),
		Name:     f.Prop("name", "NAME", "名称"),
		City:     f.Prop("city", "城市"),
		Province: f.Prop("province", "省份"),
		Boundary: f.Boundary,
	}
	switch {
	case d.Code == "":
		return nil, "", errors.New(`adcode: is missing (want an "adcode" or "code" property)`)
	case strings.ContainsAny(d.Code, " \t\n"):
		return nil, "", fmt.Errorf("adcode: %q has white space in it", d.Code)
	case d.Name == "":
		return nil, "", errors.New(`name: is missing (want a "name" property)`)
	}
	old := byCode[d.Code]
	// The feature's own city and province first, then the flags, then
	// what the stored district has.
	if d.City == "" {
		d.City = def.City
	}
	if d.Province == "" {
		d.Province = def.Province
	}
	if old != nil && d.City == "" {
		d.City = old.City
	}
	if old != nil && d.Province == "" {
		d.Province = old.Province
	}
	switch {
	case d.City == "":
		return nil, "", errors.New("city: the file does not say: give --city")
	case d.Province == "":
		return nil, "", errors.New("province: the file does not say: give --province")
	}
	if err := d.Validate(); err != nil {
		return nil, "", err
	}
	if old == nil {
		return d, "created", nil
	}
	d.ID = old.ID
	if d.Name == old.Name && d.City == old.City && d.Province == old.Province && orb.Equal(d.Boundary, old.Boundary) {
		return d, "unchanged", nil
	}
	return d, "updated", nil
}

// printDistricts writes one line per district and a summary.
func printDistricts(w io.Writer, file string, format web.AreaFormat, crs geo.CRS, res *districtsResult, dryRun bool) {
	conv := map[geo.CRS]string{geo.GCJ02: "GCJ-02 → WGS-84", geo.BD09: "BD-09 → WGS-84"}[crs]
	if conv == "" {
		conv = "WGS-84"
	}
	kind := map[web.AreaFormat]string{web.FormatGeoJSON: "GeoJSON", web.FormatKML: "KML", web.FormatKMZ: "KMZ"}[format]
	verb := "imported"
	if dryRun {
		verb = "checked (dry run, nothing written)"
	}
	fmt.Fprintf(w, "%s districts %s (%s, %s): %d features: created %d, updated %d, unchanged %d, rejected %d\n",
		verb, file, kind, conv, len(res.Done)+len(res.Rejected),
		res.count("created"), res.count("updated"), res.count("unchanged"), len(res.Rejected))
	for _, a := range res.Done {
		d := a.District
		points, holes := 0, 0
		for _, p := range d.Boundary {
			holes += len(p) - 1
			for _, r := range p {
				points += len(r)
			}
		}
		fmt.Fprintf(w, "  %-9s %s %s, %s %s: %d polygon(s), %d hole(s), %d points\n",
			a.Action, d.Code, d.Name, d.Province, d.City, len(d.Boundary), holes, points)
	}
	for _, err := range res.Rejected {
		fmt.Fprintf(w, "  rejected  %v\n", err)
	}
}
