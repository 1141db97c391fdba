package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"gridplan/data"
	"gridplan/web"
)

func serveCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var c Config
	fs := newFlagSet("serve", "Start the web server and API. Migrations are applied first; with --demo an\nempty store is filled with the demo city.", stderr)
	fs.StringVar(&c.Addr, "addr", e.str("GRIDPLAN_ADDR", ":8080"), "listen address (env GRIDPLAN_ADDR)")
	c.dbFlag(fs, e)
	fs.BoolVar(&c.Demo, "demo", e.boolean("GRIDPLAN_DEMO", false), "load the demo city when the store is empty (env GRIDPLAN_DEMO)")
	c.demoFlags(fs, "demo-customers")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", e.boolean("GRIDPLAN_SECURE_COOKIES", false), "mark session cookies Secure (behind HTTPS) (env GRIDPLAN_SECURE_COOKIES)")
	fs.BoolVar(&c.RequireApproval, "require-approval", e.boolean("GRIDPLAN_REQUIRE_APPROVAL", false), "publishing a grid plan needs a leader's approval first (env GRIDPLAN_REQUIRE_APPROVAL)")
	fs.DurationVar(&c.SessionTTL, "session-ttl", 12*time.Hour, "how long a login lasts")
	fs.DurationVar(&c.LapseEvery, "lapse-every", time.Hour, "how often to end claims without a qualifying activity for the configured days (0: never; safe on several replicas)")
	fs.Int64Var(&c.MaxUploadMB, "max-upload-mb", e.int64("GRIDPLAN_MAX_UPLOAD_MB", web.DefaultMaxUploadBytes>>20), "largest import file accepted by POST /api/imports, in MiB (env GRIDPLAN_MAX_UPLOAD_MB)")
	fs.StringVar(&c.BasemapURL, "basemap-url", e.str("GRIDPLAN_BASEMAP_URL", web.DefaultBasemapURL), `map pages' basemap tile URL template with {z}/{x}/{y}; "none" for a blank background (env GRIDPLAN_BASEMAP_URL)`)
	fs.StringVar(&c.BasemapAttribution, "basemap-attribution", e.str("GRIDPLAN_BASEMAP_ATTRIBUTION", ""), "basemap credit line, HTML (default: OpenStreetMap's for the default URL) (env GRIDPLAN_BASEMAP_ATTRIBUTION)")
	fs.StringVar(&c.OSRMURL, "osrm-url", e.str("GRIDPLAN_OSRM_URL", ""), "OSRM server whose table service times the canvassing routes, e.g. http://127.0.0.1:5000 (default: straight-line estimates) (env GRIDPLAN_OSRM_URL)")
	c.logFlags(fs, e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected arguments %q", fs.Args())
	}
	if err := c.validateBasemap(); err != nil {
		return err
	}
	if err := c.validateDemo(); err != nil {
		return err
	}
	if c.LapseEvery < 0 {
		return fmt.Errorf("--lapse-every %s: want a positive duration, or 0 to turn the lapse job off", c.LapseEvery)
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
	log.Info("store ready", "dialect", s.Dialect())
	if c.Demo {
		empty, err := s.Empty(ctx)
		if err != nil {
			return fmt.Errorf("check store: %w", err)
		}
		if empty {
			if err := loadDemo(ctx, s, &c, log, stderr); err != nil {
				return err
			}
		} else {
			log.Info("store already holds data; demo city not loaded")
		}
	}

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	srv := &http.Server{
		Handler: web.NewRouter(web.Deps{
			Store:           s,
			Logger:          log,
			SecureCookies:   c.SecureCookies,
			RequireApproval: c.RequireApproval,
			SessionTTL:      c.SessionTTL,
			Registry:        reg,
			Imports:         web.ImportConfig{MaxUploadBytes: c.MaxUploadMB << 20},
			Basemap:         web.Basemap{URL: c.BasemapURL, Attribution: c.BasemapAttribution},
			Route:           web.RouteConfig{OSRMURL: c.OSRMURL},
			WarmUp:          true,
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "gridplan is serving on %s\n", publicURL(ln.Addr()))
	if c.Demo {
		fmt.Fprintln(stdout, "demo logins (password \"demo\"): admin, planner, leader, and one per manager: m001, m002, …")
	}

	go sweepSessions(ctx, s, log)
	if c.LapseEvery > 0 {
		go lapseClaims(ctx, s, log, c.LapseEvery)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// publicURL turns a listener address into a URL a person can click: an
// unspecified host (":8080", "[::]:8080") becomes localhost.
func publicURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// sweepSessions deletes expired sessions hourly so the table does not grow
// without bound; any replica may do it.
func sweepSessions(ctx context.Context, s data.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			n, err := s.DeleteExpiredSessions(ctx, now)
			if err != nil && ctx.Err() == nil {
				log.Warn("sweep sessions", "err", err)
			} else if n > 0 {
				log.Info("expired sessions deleted", "count", n)
			}
		}
	}
}

// lapseClaims runs the claim lapse job at start and then every period:
// claims without a qualifying activity for the configured days end and their
// customers return to the grid pool. Several replicas may run it at once;
// each claim lapses exactly once.
func lapseClaims(ctx context.Context, s data.Store, log *slog.Logger, every time.Duration) {
	svc := web.NewSalesService(s, log, time.Now)
	run := func() {
		if _, err := svc.Lapse(ctx); err != nil && ctx.Err() == nil {
			log.Warn("lapse claims", "err", err)
		}
	}
	run()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			run()
		}
	}
}
