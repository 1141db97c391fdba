package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridplan/territory"
)

func TestAssignHelpAndArgs(t *testing.T) {
	_, stderr, err := runCmd(t, noEnv, "", "assign", "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("assign --help: %v", err)
	}
	for _, w := range []string{"Usage: gridplan assign", "-db", "-dry-run", "lower grid id"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("help does not mention %q:\n%s", w, stderr)
		}
	}
	if _, _, err := runCmd(t, noEnv, "", "assign", "extra"); err == nil || !strings.Contains(err.Error(), "unexpected arguments") {
		t.Fatalf("assign extra: %v", err)
	}
	if _, _, err := runCmd(t, noEnv, "", "assign", "--db", "mysql://x"); err == nil || !strings.Contains(err.Error(), "postgres:// URL") {
		t.Fatalf("assign with a bad dsn: %v", err)
	}
}

func TestAssignCommandSQLite(t *testing.T) {
	checkAssignCommand(t, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
}

func TestAssignCommandPostgres(t *testing.T) {
	checkAssignCommand(t, postgresURL(t))
}

// totalLine matches the table's last line: grids, customers, moved in,
// moved out, unassigned.
var totalLine = regexp.MustCompile(`(?m)^\s*total\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$`)

// checkAssignCommand loads a small demo city into db, puts some customers
// in the wrong grid or none and one outside the city, and checks that
// "assign --dry-run" reports without writing, "assign" repairs exactly those
// and a second "assign" has nothing left to do.
func checkAssignCommand(t *testing.T, db string) {
	if _, _, err := runCmd(t, noEnv, "", "demo", "--db", db, "--customers", "3000", "--log-level", "warn"); err != nil {
		t.Fatalf("demo: %v", err)
	}
	ctx := context.Background()
	s, err := openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	grids, err := s.Grids(ctx, territory.GridFilter{})
	if err != nil {
		t.Fatal(err)
	}
	truth := map[int64]int64{}
	var wrong []territory.GridMove
	err = s.CustomerLocations(ctx, nil, func(c territory.CustomerLocation) error {
		truth[c.ID] = c.GridID
		if c.ID%50 == 0 {
			to := grids[int(c.ID/50)%len(grids)].ID
			if c.ID%100 == 0 {
				to = 0
			}
			if to != c.GridID {
				wrong = append(wrong, territory.GridMove{CustomerID: c.ID, From: c.GridID, To: to})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(wrong) < 50 {
		t.Fatalf("only %d customers to misplace", len(wrong))
	}
	if err := s.MoveCustomers(ctx, wrong); err != nil {
		t.Fatal(err)
	}
	// A customer far from the city, wrongly put in a grid.
	far := &territory.Customer{ExternalID: "FAR", Name: "远方客户", Location: orb.Point{100, 40}, GridID: grids[0].ID, Carrier: territory.CarrierNone}
	far.Normalize()
	if err := s.CreateCustomer(ctx, far); err != nil {
		t.Fatal(err)
	}
	truth[far.ID] = 0
	moves := len(wrong) + 1

	out, _, err := runCmd(t, noEnv, "", "assign", "--db", db, "--dry-run", "--log-level", "warn")
	if err != nil {
		t.Fatalf("assign --dry-run: %v", err)
	}
	if !strings.Contains(out, fmt.Sprintf("would move (dry run, nothing written) %d", moves)) {
		t.Fatalf("dry run output:\n%s", out)
	}
	if c, err := s.Customer(ctx, far.ID); err != nil || c.GridID != grids[0].ID {
		t.Fatalf("dry run wrote: %+v, %v", c, err)
	}

	out, _, err = runCmd(t, noEnv, "", "assign", "--db", db, "--log-level", "warn")
	if err != nil {
		t.Fatalf("assign: %v", err)
	}
	m := totalLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no total line in:\n%s", out)
	}
	wantTotal := []string{fmt.Sprint(len(grids)), fmt.Sprint(len(truth) - countZero(truth)), fmt.Sprint(moves), "", "1"}
	if m[1] != wantTotal[0] || m[2] != wantTotal[1] || m[3] != wantTotal[2] || m[5] != wantTotal[4] {
		t.Errorf("total line %q, want grids %s, customers %s, moved in %s, unassigned %s\n%s", m[0], wantTotal[0], wantTotal[1], wantTotal[2], wantTotal[4], out)
	}
	if !strings.Contains(out, "(outside every district)") || !strings.Contains(out, fmt.Sprintf("moved %d in", moves)) {
		t.Errorf("output lacks the outside line or the summary:\n%s", out)
	}
	err = s.CustomerLocations(ctx, nil, func(c territory.CustomerLocation) error {
		if c.GridID != truth[c.ID] {
			return fmt.Errorf("customer %d in grid %d after assign, want %d", c.ID, c.GridID, truth[c.ID])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	out, _, err = runCmd(t, noEnv, "", "assign", "--db", db, "--log-level", "warn")
	if err != nil || !strings.Contains(out, "moved 0 in") {
		t.Fatalf("second assign: %v\n%s", err, out)
	}
}

func countZero(m map[int64]int64) int {
	n := 0
	for _, g := range m {
		if g == 0 {
			n++
		}
	}
	return n
}
