package demo

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"gridplan/data"
	"gridplan/data/sqlite"
	"gridplan/funnel"
	"gridplan/territory"
)

// openSQLite opens a migrated SQLite store in a temporary file.
func openSQLite(tb testing.TB) data.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "demo.db"))
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s
}

// progressRecorder checks that each stage's progress only grows and ends
// at its total.
type progressRecorder struct {
	order []string
	last  map[string][2]int
	err   error
}

func (p *progressRecorder) report(stage string, done, total int) {
	if p.last == nil {
		p.last = map[string][2]int{}
	}
	prev, seen := p.last[stage]
	if !seen {
		p.order = append(p.order, stage)
	}
	if seen && (done < prev[0] || total != prev[1]) && p.err == nil {
		p.err = errors.New(stage + ": progress went back or changed total")
	}
	p.last[stage] = [2]int{done, total}
}

func TestLoadSQLite(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	c, err := Generate(Options{Seed: 11, Customers: 3000, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	// What to compare with after the load, by provisional position.
	nDist, nGrid, nMgr, nCust, nClaim, nAct, nRes := len(c.Districts), len(c.Grids), len(c.Managers), len(c.Customers), len(c.Claims), len(c.Activities), len(c.Resources)
	custGridCode := make([]string, nCust)
	custOwnerCode := make([]string, nCust)
	for i, cu := range c.Customers {
		custGridCode[i] = c.Grids[cu.GridID-1].Code
		if cu.OwnerID > 0 {
			custOwnerCode[i] = c.Managers[cu.OwnerID-1].Code
		}
	}

	var prog progressRecorder
	if err := Load(ctx, s, c, prog.report); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if prog.err != nil {
		t.Fatal(prog.err)
	}
	wantStages := []string{StageDistricts, StageGrids, StageManagers, StageUsers, StageResources, StageCustomers, StageClaims, StageActivities, StageTransitions, StageFollowUps, StageGazetteer}
	if strings.Join(prog.order, ",") != strings.Join(wantStages, ",") {
		t.Fatalf("stages %v, want %v", prog.order, wantStages)
	}
	for _, st := range wantStages {
		if last := prog.last[st]; last[0] != last[1] {
			t.Errorf("stage %s ended at %d of %d", st, last[0], last[1])
		}
	}

	t.Run("counts", func(t *testing.T) {
		ds, err := s.Districts(ctx)
		must(t, err)
		gs, err := s.Grids(ctx, territory.GridFilter{})
		must(t, err)
		ms, err := s.Managers(ctx, territory.ManagerFilter{})
		must(t, err)
		nc, err := s.CountCustomers(ctx, territory.CustomerFilter{})
		must(t, err)
		cls, err := s.Claims(ctx, funnel.ClaimFilter{})
		must(t, err)
		as, err := s.Activities(ctx, funnel.ActivityFilter{})
		must(t, err)
		rs, err := s.Resources(ctx, territory.ResourceFilter{})
		must(t, err)
		us, err := s.Users(ctx)
		must(t, err)
		got := []int{len(ds), len(gs), len(ms), nc, len(cls), len(as), len(rs), len(us)}
		want := []int{nDist, nGrid, nMgr, nCust, nClaim, nAct, nRes, nMgr + 3}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("store holds %v rows (districts, grids, managers, customers, claims, activities, resources, users), want %v", got, want)
			}
		}
	})

	t.Run("references", func(t *testing.T) {
		gridByID := map[int64]*territory.Grid{}
		gs, err := s.Grids(ctx, territory.GridFilter{})
		must(t, err)
		for _, g := range gs {
			gridByID[g.ID] = g
		}
		for i, cu := range c.Customers {
			stored, err := s.CustomerByExternalID(ctx, cu.ExternalID)
			must(t, err)
			if stored.ID != cu.ID || gridByID[stored.GridID].Code != custGridCode[i] {
				t.Fatalf("customer %s: id %d/%d, grid %v, want grid %s", cu.ExternalID, stored.ID, cu.ID, gridByID[stored.GridID], custGridCode[i])
			}
			if custOwnerCode[i] != "" {
				m, err := s.Manager(ctx, stored.OwnerID)
				must(t, err)
				if m.Code != custOwnerCode[i] || m.GridID != stored.GridID {
					t.Fatalf("customer %s owned by %s of grid %d, want %s of its grid %d", cu.ExternalID, m.Code, m.GridID, custOwnerCode[i], stored.GridID)
				}
			}
			if i == 200 {
				break // a sample is enough: ids were remapped in one pass
			}
		}
		active, err := s.Claims(ctx, funnel.ClaimFilter{Status: funnel.ClaimActive})
		must(t, err)
		for _, cl := range active[:min(len(active), 200)] {
			cu, err := s.Customer(ctx, cl.CustomerID)
			must(t, err)
			if cu.OwnerID != cl.ManagerID || !cu.Stage.Claimed() {
				t.Fatalf("active claim %d: customer %s at %s owned by %d, claim by %d", cl.ID, cu.ExternalID, cu.Stage, cu.OwnerID, cl.ManagerID)
			}
		}
	})

	t.Run("logins", func(t *testing.T) {
		// One hash for everybody (bcrypt once), and it is "demo".
		us, err := s.Users(ctx)
		must(t, err)
		for _, u := range us {
			if u.PasswordHash == "" || u.PasswordHash != us[0].PasswordHash {
				t.Fatalf("user %s has hash %q, user %s %q: want one shared hash", u.Username, u.PasswordHash, us[0].Username, us[0].PasswordHash)
			}
		}
		if !territory.CheckPassword(us[0].PasswordHash, DemoPassword) {
			t.Fatalf("password %q refused", DemoPassword)
		}
		for _, name := range []string{"admin", "planner", "leader", "m001", "m" + pad(nMgr, 3)} {
			u, err := s.UserByUsername(ctx, name)
			must(t, err)
			if u.Role == territory.RoleManager {
				m, err := s.Manager(ctx, u.ManagerID)
				must(t, err)
				if m.Code != name {
					t.Fatalf("login %s is linked to manager %s", name, m.Code)
				}
			}
		}
	})

	t.Run("twice", func(t *testing.T) {
		err := Load(ctx, s, c, nil)
		if err == nil || !strings.Contains(err.Error(), "loaded already") {
			t.Fatalf("loading a loaded city again: %v", err)
		}
		fresh, err := Generate(Options{Seed: 12, Customers: 500, Now: testNow})
		must(t, err)
		if err := Load(ctx, s, fresh, nil); !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("loading into a full store: %v, want ErrNotEmpty", err)
		}
	})
}

func TestLoadRefuses(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		edit    func(c *City)
		wantErr string
		wantIs  error
	}{
		{"cancelled", cancelled, func(*City) {}, "", context.Canceled},
		{"ids not provisional", context.Background(), func(c *City) { c.Customers[3].ID = 99 }, "customer 4 has id 99", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openSQLite(t)
			c, err := Generate(Options{Seed: 11, Customers: 500, Now: testNow})
			must(t, err)
			tt.edit(c)
			err = Load(tt.ctx, s, c, nil)
			if err == nil || (tt.wantIs != nil && !errors.Is(err, tt.wantIs)) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Load: %v, want an error containing %q (is %v)", err, tt.wantErr, tt.wantIs)
			}
			if empty, err := s.Empty(context.Background()); err != nil || !empty {
				t.Fatalf("after a refused load the store is empty = %v, %v", empty, err)
			}
		})
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
