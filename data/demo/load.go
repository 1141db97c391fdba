package demo

import (
	"context"
	"errors"
	"fmt"

	"gridplan/data"
	"gridplan/territory"
)

// Load stages, in order, as reported to the progress function.
const (
	StageDistricts   = "districts"
	StageGrids       = "grids"
	StageManagers    = "managers"
	StageUsers       = "users"
	StageResources   = "resources"
	StageCustomers   = "customers"
	StageClaims      = "claims"
	StageActivities  = "activities"
	StageTransitions = "transitions"
	StageFollowUps   = "follow_ups"
)

// ErrNotEmpty is returned by Load when the store already holds data.
var ErrNotEmpty = errors.New("the store is not empty")

// Load writes c into s, which must be migrated and empty. Districts, grids,
// managers, users and resources are created in one transaction; customers,
// claims, activities, transitions and follow-ups then go through the
// store's bulk loaders (one transaction each), and last the city's gazetteer (Gazetteer) through the
// store's ReplaceGazetteer. Every user gets the password DemoPassword,
// hashed once.
//
// Load consumes c: it rewrites the entities' ids, and the references
// between them, to the ids the store assigns (Roads and Places get their
// district's store id too). Loading the same City twice is refused. When
// Load fails part-way the store may hold the first stages: Reset it before
// trying again with a freshly generated city.
//
// progress, when not nil, is told each stage's rows as they are written
// (done of total); it is called from Load's goroutine.
func Load(ctx context.Context, s data.Store, c *City, progress func(stage string, done, total int)) error {
	if progress == nil {
		progress = func(string, int, int) {}
	}
	if c.loaded {
		return fmt.Errorf("load demo city: the city was loaded already (generate a new one)")
	}
	if err := c.provisional(); err != nil {
		return fmt.Errorf("load demo city: %w", err)
	}
	empty, err := s.Empty(ctx)
	if err != nil {
		return fmt.Errorf("load demo city: %w", err)
	}
	if !empty {
		return fmt.Errorf("load demo city: %w", ErrNotEmpty)
	}
	hash, err := territory.HashPassword(DemoPassword)
	if err != nil {
		return fmt.Errorf("load demo city: hash the demo password: %w", err)
	}
	c.loaded = true // from here on c holds store ids, or a failed load's debris

	// Provisional id k maps to store id ids[k-1].
	distIDs := make([]int64, len(c.Districts))
	gridIDs := make([]int64, len(c.Grids))
	mgrIDs := make([]int64, len(c.Managers))
	userIDs := make([]int64, len(c.Users))
	err = s.InTx(ctx, func(tx data.Store) error {
		if err := createAll(ctx, StageDistricts, c.Districts, progress, func(i int, d *territory.District) error {
			d.ID = 0
			if err := tx.CreateDistrict(ctx, d); err != nil {
				return fmt.Errorf("district %s: %w", d.Name, err)
			}
			distIDs[i] = d.ID
			return nil
		}); err != nil {
			return err
		}
		if err := createAll(ctx, StageGrids, c.Grids, progress, func(i int, g *territory.Grid) error {
			g.ID, g.DistrictID = 0, distIDs[g.DistrictID-1]
			if err := tx.CreateGrid(ctx, g); err != nil {
				return fmt.Errorf("grid %s: %w", g.Code, err)
			}
			gridIDs[i] = g.ID
			return nil
		}); err != nil {
			return err
		}
		if err := createAll(ctx, StageManagers, c.Managers, progress, func(i int, m *territory.Manager) error {
			m.ID, m.GridID = 0, gridIDs[m.GridID-1]
			if err := tx.CreateManager(ctx, m); err != nil {
				return fmt.Errorf("manager %s: %w", m.Code, err)
			}
			mgrIDs[i] = m.ID
			return nil
		}); err != nil {
			return err
		}
		if err := createAll(ctx, StageUsers, c.Users, progress, func(i int, u *territory.User) error {
			u.ID, u.PasswordHash = 0, hash
			if u.ManagerID > 0 {
				u.ManagerID = mgrIDs[u.ManagerID-1]
			}
			if err := tx.CreateUser(ctx, u); err != nil {
				return fmt.Errorf("user %s: %w", u.Username, err)
			}
			userIDs[i] = u.ID
			return nil
		}); err != nil {
			return err
		}
		return createAll(ctx, StageResources, c.Resources, progress, func(_ int, r *territory.Resource) error {
			r.ID = 0
			if err := tx.CreateResource(ctx, r); err != nil {
				return fmt.Errorf("resource %s: %w", r.Name, err)
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("load demo city: %w", err)
	}
	for _, r := range c.Roads {
		r.DistrictID = distIDs[r.DistrictID-1]
	}
	for _, p := range c.Places {
		p.DistrictID = distIDs[p.DistrictID-1]
	}

	for _, cu := range c.Customers {
		cu.ID, cu.GridID = 0, gridIDs[cu.GridID-1]
		if cu.OwnerID > 0 {
			cu.OwnerID = mgrIDs[cu.OwnerID-1]
		}
	}
	if err := bulk(ctx, StageCustomers, len(c.Customers), progress, func(p data.Progress) error {
		return s.BulkCustomers(ctx, c.Customers, p)
	}); err != nil {
		return err
	}
	custIDs := make([]int64, len(c.Customers))
	for i, cu := range c.Customers {
		custIDs[i] = cu.ID
	}
	for _, cl := range c.Claims {
		cl.ID, cl.CustomerID, cl.ManagerID = 0, custIDs[cl.CustomerID-1], mgrIDs[cl.ManagerID-1]
	}
	if err := bulk(ctx, StageClaims, len(c.Claims), progress, func(p data.Progress) error {
		return s.BulkClaims(ctx, c.Claims, p)
	}); err != nil {
		return err
	}
	for _, a := range c.Activities {
		a.ID, a.CustomerID, a.ManagerID = 0, custIDs[a.CustomerID-1], mgrIDs[a.ManagerID-1]
	}
	if err := bulk(ctx, StageActivities, len(c.Activities), progress, func(p data.Progress) error {
		return s.BulkActivities(ctx, c.Activities, p)
	}); err != nil {
		return err
	}
	for _, t := range c.Transitions {
		t.ID, t.CustomerID = 0, custIDs[t.CustomerID-1]
		if t.ManagerID > 0 {
			t.ManagerID = mgrIDs[t.ManagerID-1]
		}
		if t.UserID > 0 {
			t.UserID = userIDs[t.UserID-1]
		}
	}
	if err := bulk(ctx, StageTransitions, len(c.Transitions), progress, func(p data.Progress) error {
		return s.BulkTransitions(ctx, c.Transitions, p)
	}); err != nil {
		return err
	}
	// Activities were numbered by time from 1: provisional id k is
	// c.Activities[k-1], which now holds its store id.
	for _, fu := range c.FollowUps {
		fu.ID, fu.CustomerID, fu.ManagerID = 0, custIDs[fu.CustomerID-1], mgrIDs[fu.ManagerID-1]
		if fu.ActivityID > 0 {
			fu.ActivityID = c.Activities[fu.ActivityID-1].ID
		}
	}
	if err := bulk(ctx, StageFollowUps, len(c.FollowUps), progress, func(p data.Progress) error {
		return s.BulkFollowUps(ctx, c.FollowUps, p)
	}); err != nil {
		return err
	}
	gaz := c.Gazetteer()
	return bulk(ctx, StageGazetteer, len(gaz), progress, func(p data.Progress) error {
		return s.ReplaceGazetteer(ctx, GazetteerSource, gaz, p)
	})
}

// provisional checks that every entity still has its provisional id (its
// position plus one), which Load's remapping relies on.
func (c *City) provisional() error {
	check := func(kind string, n int, id func(i int) int64) error {
		for i := range n {
			if id(i) != int64(i+1) {
				return fmt.Errorf("%s %d has id %d, not its provisional id %d: load a city as Generate returned it", kind, i+1, id(i), i+1)
			}
		}
		return nil
	}
	return errors.Join(
		check("district", len(c.Districts), func(i int) int64 { return c.Districts[i].ID }),
		check("grid", len(c.Grids), func(i int) int64 { return c.Grids[i].ID }),
		check("manager", len(c.Managers), func(i int) int64 { return c.Managers[i].ID }),
		check("customer", len(c.Customers), func(i int) int64 { return c.Customers[i].ID }),
		check("user", len(c.Users), func(i int) int64 { return c.Users[i].ID }),
		check("activity", len(c.Activities), func(i int) int64 { return c.Activities[i].ID }),
	)
}

// createAll runs create for every row, reporting progress and checking ctx
// every 256 rows.
func createAll[T any](ctx context.Context, stage string, rows []T, progress func(string, int, int), create func(i int, row T) error) error {
	progress(stage, 0, len(rows))
	for i, r := range rows {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := create(i, r); err != nil {
			return err
		}
		if (i+1)%256 == 0 || i+1 == len(rows) {
			progress(stage, i+1, len(rows))
		}
	}
	return nil
}

// bulk runs one bulk load with progress reported under stage.
func bulk(ctx context.Context, stage string, total int, progress func(string, int, int), load func(data.Progress) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("load demo city %s: %w", stage, err)
	}
	progress(stage, 0, total)
	if err := load(func(done int) { progress(stage, done, total) }); err != nil {
		return fmt.Errorf("load demo city %s: %w", stage, err)
	}
	progress(stage, total, total)
	return nil
}
