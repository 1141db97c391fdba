package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"gridplan/territory"
)

func assignCmd(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	var c Config
	fs := newFlagSet("assign", "Reassign every customer to the grid holding its location and print, per\ndistrict, the customers in its grids, how many moved in and out, and how many\nlie inside it but in no grid. On a shared edge the lower grid id wins; drafts count.", stderr)
	c.dbFlag(fs, e)
	dryRun := fs.Bool("dry-run", false, "compute and print the moves without writing them")
	c.logFlags(fs, e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("assign: unexpected arguments %q", fs.Args())
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
	p := newProgress(stderr, log)
	res, err := territory.Assign(ctx, s, territory.AssignOptions{DryRun: *dryRun, Progress: p.Report})
	p.finish()
	if err != nil {
		return err
	}
	log.Info("grid index", "grids", res.Index.Grids, "cache_res", res.Index.CacheRes, "cached_cells", res.Index.CachedCells,
		"tree_build", res.Index.TreeBuild.Round(time.Microsecond), "cache_build", res.Index.CacheBuild.Round(time.Millisecond))
	printAssign(stdout, res)
	return nil
}

// printAssign writes the per-district table and a summary line.
func printAssign(w io.Writer, res *territory.AssignResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	// The name goes last: Chinese characters are two columns wide on a
	// terminal, which tabwriter cannot know.
	fmt.Fprintln(tw, "district\tgrids\tcustomers\tmoved_in\tmoved_out\tunassigned\t  name")
	var grids, in, out int
	for _, d := range res.Districts {
		code, name := d.Code, d.Name
		if d.DistrictID == 0 {
			code, name = "-", "(outside every district)"
		} else if code == "" {
			code = fmt.Sprint(d.DistrictID)
		}
		grids, in, out = grids+d.Grids, in+d.MovedIn, out+d.MovedOut
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t  %s\n", code, d.Grids, d.Customers, d.MovedIn, d.MovedOut, d.Unassigned, name)
	}
	fmt.Fprintf(tw, "total\t%d\t%d\t%d\t%d\t%d\t\n", grids, res.Assigned, in, out, res.Unassigned)
	tw.Flush()
	verb := "moved"
	if !res.Written {
		verb = "would move (dry run, nothing written)"
	}
	fmt.Fprintf(w, "%d customers: %d in a grid, %d in none; %s %d in %s\n",
		res.Customers, res.Assigned, res.Unassigned, verb, len(res.Moves), res.Elapsed.Round(time.Millisecond))
}
