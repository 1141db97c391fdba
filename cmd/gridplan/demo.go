package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"gridplan/data"
	"gridplan/data/demo"
)

func demoCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var c Config
	fs := newFlagSet("demo", "Generate the demo city (a Hangzhou-like city with districts, grids, managers,\nbusinesses, resources, claims and activities) and load it into the store.\nThe store must be empty unless --reset is given.", stderr)
	c.dbFlag(fs, e)
	c.demoFlags(fs, "customers")
	fs.BoolVar(&c.Reset, "reset", false, "delete everything in the store first")
	c.logFlags(fs, e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo: unexpected arguments %q", fs.Args())
	}
	if err := c.validateDemo(); err != nil {
		return err
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
	if c.Reset {
		if err := s.Reset(ctx); err != nil {
			return fmt.Errorf("reset store: %w", err)
		}
	} else if empty, err := s.Empty(ctx); err != nil {
		return fmt.Errorf("check store: %w", err)
	} else if !empty {
		return fmt.Errorf("the store %s already holds data: pass --reset to replace it with the demo city", redact(c.DB))
	}
	start := time.Now()
	if err := loadDemo(ctx, s, &c, log, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo city with %d businesses loaded into %s in %s\n", c.DemoCustomers, s.Dialect(), time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(stdout, "logins (password \"demo\"): admin, planner, leader, m001, m002, …")
	return nil
}

// loadDemo generates the demo city and writes it into s, reporting progress.
func loadDemo(ctx context.Context, s data.Store, c *Config, log *slog.Logger, progressW io.Writer) error {
	t0 := time.Now()
	city, err := demo.Generate(demo.Options{Seed: c.Seed, Customers: c.DemoCustomers, Now: time.Now().UTC()})
	if err != nil {
		return fmt.Errorf("generate demo city: %w", err)
	}
	log.Info("demo city generated", "customers", len(city.Customers), "grids", len(city.Grids),
		"managers", len(city.Managers), "elapsed", time.Since(t0).Round(time.Millisecond))
	t1 := time.Now()
	p := newProgress(progressW, log)
	if err := demo.Load(ctx, s, city, p.Report); err != nil {
		return fmt.Errorf("load demo city: %w", err)
	}
	p.finish()
	log.Info("demo city loaded", "dialect", s.Dialect(), "elapsed", time.Since(t1).Round(time.Millisecond))
	return nil
}
