package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"gridplan/web"
)

const funnelUsage = `Usage: gridplan funnel lapse [flags]

Commands:
  lapse     end every claim (报备) without a qualifying activity for the
            configured days now (gridplan serve does it every hour)

Run "gridplan funnel lapse --help" for its flags.
`

// funnelCmd dispatches `gridplan funnel SUBCOMMAND`.
func funnelCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, funnelUsage)
		return errors.New("funnel: say what to do: gridplan funnel lapse")
	}
	switch args[0] {
	case "lapse":
		return funnelLapseCmd(ctx, args[1:], e, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, funnelUsage)
		return flag.ErrHelp
	}
	fmt.Fprint(stderr, funnelUsage)
	return fmt.Errorf("funnel: unknown command %q (want lapse)", args[0])
}

func funnelLapseCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var c Config
	fs := newFlagSet("funnel lapse", "End every claim without a qualifying activity for the configured lapse days\n(default 30): the customer returns to his grid's pool, a list customer to\ntarget. Idempotent, and safe while servers run the same job.", stderr)
	c.dbFlag(fs, e)
	c.logFlags(fs, e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("funnel lapse: unexpected arguments %q", fs.Args())
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
	res, err := web.NewSalesService(s, log, time.Now).Lapse(ctx)
	if err != nil {
		return fmt.Errorf("funnel lapse: %w", err)
	}
	fmt.Fprintf(stdout, "%d claims lapsed (no qualifying activity since %s)\n", res.Count, res.Cutoff.Format(time.DateTime))
	return nil
}
