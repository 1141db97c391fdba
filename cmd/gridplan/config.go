package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"gridplan/data/demo"
	"gridplan/web"
)

// DefaultDB is the embedded store used when neither --db nor DATABASE_URL is set.
const DefaultDB = "sqlite:./var/gridplan.db"

// Config is everything the subcommands are configured with: flags first,
// then environment variables, then defaults. It is passed down, never global.
type Config struct {
	Addr          string
	DB            string
	Demo          bool
	DemoCustomers int
	Seed          uint64
	Reset         bool
	SecureCookies bool
	// RequireApproval makes publishing a grid plan need a leader's approval.
	RequireApproval bool
	SessionTTL      time.Duration
	// LapseEvery is how often serve runs the claim lapse job (0: never).
	LapseEvery  time.Duration
	MaxUploadMB int64
	// BasemapURL is the map pages' tile URL template ("none": no basemap);
	// BasemapAttribution its credit line (HTML).
	BasemapURL         string
	BasemapAttribution string
	LogLevel           string
	LogFormat          string

	// OSRMURL is the OSRM server timing the canvassing routes ("": haversine).
	OSRMURL string
}

// env is the environment as a lookup function, so tests can supply their own.
type env func(key string) (string, bool)

func envFromOS() env { return os.LookupEnv }

func (e env) str(key, def string) string {
	if v, ok := e(key); ok && v != "" {
		return v
	}
	return def
}

func (e env) boolean(key string, def bool) bool {
	if v, ok := e(key); ok && v != "" {
		b, err := strconv.ParseBool(v)
		if err == nil {
			return b
		}
	}
	return def
}

func (e env) int64(key string, def int64) int64 {
	if v, ok := e(key); ok && v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return def
}

// newFlagSet makes a flag set that prints its usage to w and returns
// flag.ErrHelp (not an exit) on --help.
func newFlagSet(name, summary string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintf(w, "Usage: gridplan %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

func (c *Config) dbFlag(fs *flag.FlagSet, e env) {
	fs.StringVar(&c.DB, "db", e.str("DATABASE_URL", DefaultDB),
		`store: "sqlite:PATH" (embedded) or a postgres:// URL (env DATABASE_URL)`)
}

func (c *Config) logFlags(fs *flag.FlagSet, e env) {
	fs.StringVar(&c.LogLevel, "log-level", e.str("GRIDPLAN_LOG_LEVEL", "info"), "debug, info, warn or error (env GRIDPLAN_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", e.str("GRIDPLAN_LOG_FORMAT", "text"), "text or json (env GRIDPLAN_LOG_FORMAT)")
}

func (c *Config) demoFlags(fs *flag.FlagSet, customersFlag string) {
	fs.IntVar(&c.DemoCustomers, customersFlag, 20000, "number of demo businesses (1,000,000 is a province)")
	fs.Uint64Var(&c.Seed, "seed", 1, "random seed of the demo city")
}

func (c *Config) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(c.LogFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("--log-format %q: want text or json", c.LogFormat)
	}
}

func (c *Config) validateDemo() error {
	if c.DemoCustomers < 1 || c.DemoCustomers > demo.MaxCustomers {
		return fmt.Errorf("--customers %d: want 1 to %d", c.DemoCustomers, demo.MaxCustomers)
	}
	return nil
}

// validateBasemap checks --basemap-url: "none", or an http(s) URL template
// holding {z}, {x} and {y}.
func (c *Config) validateBasemap() error {
	u := strings.TrimSpace(c.BasemapURL)
	if u == "" || u == web.BasemapNone {
		c.BasemapURL = web.BasemapNone
		return nil
	}
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return fmt.Errorf("--basemap-url %q: want an http(s) URL template or \"none\"", c.BasemapURL)
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(u, p) {
			return fmt.Errorf("--basemap-url %q: lacks %s (want a tile template like %s)", c.BasemapURL, p, web.DefaultBasemapURL)
		}
	}
	c.BasemapURL = u
	return nil
}
