package sales

import (
	"context"
	"fmt"
	"sync"
	"time"

	"gridplan/funnel"
	"gridplan/territory"
)

// Level is the scope of a funnel report.
type Level string

// Levels.
const (
	LevelManager  Level = "manager"
	LevelGrid     Level = "grid"
	LevelDistrict Level = "district"
	LevelProvince Level = "province"
)

// ParseLevel reads a level name.
func ParseLevel(s string) (Level, error) {
	switch l := Level(s); l {
	case LevelManager, LevelGrid, LevelDistrict, LevelProvince:
		return l, nil
	}
	return "", territory.Invalid("level", "unknown level %q (want manager, grid, district or province)", s)
}

// History windows a report reads before its period: transitions make
// "reached" exact for customers who moved before it; activities give the
// first contact and the in-network warnings (last contact, renewal dates,
// complaints). Older history is not read, which bounds the work at a
// province's scale.
const (
	TransitionLookbackDays = 730
	ActivityLookbackDays   = 365
)

// MetricsQuery asks for one report: the level and the id of the manager,
// grid or district (the province needs none), the period [From, To), and
// optionally the orders to aim for.
type MetricsQuery struct {
	Level        Level
	ID           int64
	From, To     time.Time
	TargetOrders int
}

// MetricsView is a funnel report with what it covers.
type MetricsView struct {
	Level Level  `json:"level"`
	ID    int64  `json:"id,omitempty"`
	Name  string `json:"name"`
	*funnel.Report
}

// Metrics computes the funnel report of a manager (the customers he holds
// and those he moved through the funnel), a grid, a district or the
// province over a period. A manager reads his own and his grid's; leaders,
// planners and admins everything.
func (s *Service) Metrics(ctx context.Context, a Actor, q MetricsQuery) (*MetricsView, error) {
	if q.Level == LevelManager {
		return s.metricsRecords(ctx, a, q)
	}
	return s.metricsStreamed(ctx, a, q)
}

// metricsStart checks q and the actor's right to it and returns the empty
// view, the metrics input without records, and every grid's district.
func (s *Service) metricsStart(ctx context.Context, a Actor, q MetricsQuery) (*MetricsView, funnel.MetricsInput, map[int64]int64, error) {
	st := s.Store
	if !q.To.After(q.From) {
		return nil, funnel.MetricsInput{}, nil, territory.Invalid("to", "must be after from")
	}
	if q.Level != LevelProvince && q.ID <= 0 {
		return nil, funnel.MetricsInput{}, nil, territory.Invalid("id", "is required for level %s", q.Level)
	}
	if err := s.metricsScope(ctx, st, a, q); err != nil {
		return nil, funnel.MetricsInput{}, nil, err
	}
	cfg, err := s.config(ctx, st)
	if err != nil {
		return nil, funnel.MetricsInput{}, nil, err
	}
	districtOf, err := s.gridDistricts(ctx, st)
	if err != nil {
		return nil, funnel.MetricsInput{}, nil, err
	}
	in := funnel.MetricsInput{Config: cfg, From: q.From, To: q.To, Now: s.now(), TargetOrders: q.TargetOrders}
	return &MetricsView{Level: q.Level, ID: q.ID}, in, districtOf, nil
}

// metricsRecords computes a report from the full records the store's
// ordinary reads return: the manager's report (a few hundred customers),
// and, for the other levels, the reference the streamed report is tested
// against.
func (s *Service) metricsRecords(ctx context.Context, a Actor, q MetricsQuery) (*MetricsView, error) {
	st := s.Store
	v, in, districtOf, err := s.metricsStart(ctx, a, q)
	if err != nil {
		return nil, err
	}
	mc := func(id int64, stage funnel.Stage, owner, grid int64) funnel.MetricCustomer {
		return funnel.MetricCustomer{ID: id, Stage: stage, OwnerID: owner, GridID: grid, DistrictID: districtOf[grid]}
	}
	tf := funnel.TransitionFilter{Since: q.From.AddDate(0, 0, -TransitionLookbackDays), Until: q.To}
	af := funnel.ActivityFilter{Since: q.From.AddDate(0, 0, -ActivityLookbackDays), Until: q.To}

	switch q.Level {
	case LevelManager:
		m, err := manager(ctx, st, q.ID)
		if err != nil {
			return nil, err
		}
		v.Name = m.Name
		tf.ManagerID, af.ManagerID = m.ID, m.ID
		cs, err := st.Customers(ctx, territory.CustomerFilter{OwnerID: m.ID})
		if err != nil {
			return nil, fmt.Errorf("customers of manager %d: %w", m.ID, err)
		}
		seen := map[int64]bool{}
		for _, cu := range cs {
			seen[cu.ID] = true
			in.Customers = append(in.Customers, mc(cu.ID, cu.Stage, cu.OwnerID, cu.GridID))
		}
		// The customers he moved and no longer holds (lost, in network,
		// returned to the pool) count as his contacts too.
		if in.Transitions, err = st.Transitions(ctx, tf); err != nil {
			return nil, fmt.Errorf("transitions: %w", err)
		}
		for _, t := range in.Transitions {
			if seen[t.CustomerID] {
				continue
			}
			seen[t.CustomerID] = true
			cu, err := st.Customer(ctx, t.CustomerID)
			if err != nil {
				continue // deleted since
			}
			in.Customers = append(in.Customers, mc(cu.ID, cu.Stage, cu.OwnerID, cu.GridID))
		}
	case LevelGrid:
		g, err := st.Grid(ctx, q.ID)
		if err != nil {
			return nil, lookupErr("grid", q.ID, err)
		}
		v.Name = g.Name
		cs, err := st.Customers(ctx, territory.CustomerFilter{GridID: g.ID})
		if err != nil {
			return nil, fmt.Errorf("customers of grid %d: %w", g.ID, err)
		}
		for _, cu := range cs {
			in.Customers = append(in.Customers, mc(cu.ID, cu.Stage, cu.OwnerID, cu.GridID))
		}
	case LevelDistrict, LevelProvince:
		if q.Level == LevelDistrict {
			d, err := st.District(ctx, q.ID)
			if err != nil {
				return nil, lookupErr("district", q.ID, err)
			}
			v.Name = d.Name
		} else {
			ds, err := st.Districts(ctx)
			if err != nil {
				return nil, fmt.Errorf("districts: %w", err)
			}
			if len(ds) > 0 {
				v.Name = ds[0].Province
			}
			v.ID = 0
		}
		err := st.CustomerLocations(ctx, nil, func(l territory.CustomerLocation) error {
			if q.Level == LevelDistrict && (l.GridID == 0 || districtOf[l.GridID] != q.ID) {
				return nil
			}
			in.Customers = append(in.Customers, mc(l.ID, l.Stage, l.OwnerID, l.GridID))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("customers: %w", err)
		}
	}
	if in.Transitions == nil {
		if in.Transitions, err = st.Transitions(ctx, tf); err != nil {
			return nil, fmt.Errorf("transitions: %w", err)
		}
	}
	if q.Level == LevelManager {
		af.ManagerID = 0 // his customers' whole history: first contacts may be a colleague's
		if len(in.Customers) == 0 {
			in.Activities = nil
		} else if in.Activities, err = customerActivities(ctx, st, in.Customers, af); err != nil {
			return nil, err
		}
	} else if in.Activities, err = st.Activities(ctx, af); err != nil {
		return nil, fmt.Errorf("activities: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v.Report = funnel.Metrics(in)
	return v, nil
}

// customerActivities reads the activities of a few customers (a manager's).
func customerActivities(ctx context.Context, st Store, cs []funnel.MetricCustomer, f funnel.ActivityFilter) ([]*funnel.Activity, error) {
	var out []*funnel.Activity
	for _, c := range cs {
		f.CustomerID = c.ID
		as, err := st.Activities(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("activities of customer %d: %w", c.ID, err)
		}
		out = append(out, as...)
	}
	return out, nil
}

// gridDistricts maps every grid to its district.
func (s *Service) gridDistricts(ctx context.Context, st Store) (map[int64]int64, error) {
	gs, err := st.Grids(ctx, territory.GridFilter{})
	if err != nil {
		return nil, fmt.Errorf("grids: %w", err)
	}
	out := make(map[int64]int64, len(gs))
	for _, g := range gs {
		out[g.ID] = g.DistrictID
	}
	return out, nil
}

// metricsScope: a manager reads his own report and his grid's; leaders,
// planners and admins every report.
func (s *Service) metricsScope(ctx context.Context, st Store, a Actor, q MetricsQuery) error {
	switch a.Role {
	case territory.RoleLeader, territory.RolePlanner, territory.RoleAdmin:
		return nil
	case territory.RoleManager:
	default:
		return forbidden("role %s may not read funnel metrics", a.Role)
	}
	if a.ManagerID <= 0 {
		return forbidden("this login is not linked to a manager")
	}
	switch q.Level {
	case LevelManager:
		if q.ID == a.ManagerID {
			return nil
		}
		return forbidden("managers see only their own funnel and their grid's")
	case LevelGrid:
		m, err := manager(ctx, st, a.ManagerID)
		if err != nil {
			return err
		}
		if m.GridID == q.ID {
			return nil
		}
		return forbidden("managers see only their own funnel and their grid's")
	}
	return forbidden("managers see only their own funnel and their grid's")
}

// metricsStreamed computes the report of a grid, a district or the province
// from the store's lean streams (funnel.MetricsStore) rather than full
// records: the customers' id, stage, owner and grid, and only the columns
// of the transitions and activities the metrics read, both streamed at once
// into a funnel.MetricsBuilder. The report is metricsRecords'.
func (s *Service) metricsStreamed(ctx context.Context, a Actor, q MetricsQuery) (*MetricsView, error) {
	st := s.Store
	v, in, districtOf, err := s.metricsStart(ctx, a, q)
	if err != nil {
		return nil, err
	}
	mc := func(id int64, stage funnel.Stage, owner, grid int64) funnel.MetricCustomer {
		return funnel.MetricCustomer{ID: id, Stage: stage, OwnerID: owner, GridID: grid, DistrictID: districtOf[grid]}
	}
	tf := funnel.HistoryFilter{Since: q.From.AddDate(0, 0, -TransitionLookbackDays), Until: q.To}
	af := funnel.HistoryFilter{Since: q.From.AddDate(0, 0, -ActivityLookbackDays), Until: q.To}
	switch q.Level {
	case LevelGrid:
		g, err := st.Grid(ctx, q.ID)
		if err != nil {
			return nil, lookupErr("grid", q.ID, err)
		}
		v.Name = g.Name
		cs, err := st.Customers(ctx, territory.CustomerFilter{GridID: g.ID})
		if err != nil {
			return nil, fmt.Errorf("customers of grid %d: %w", g.ID, err)
		}
		for _, cu := range cs {
			in.Customers = append(in.Customers, mc(cu.ID, cu.Stage, cu.OwnerID, cu.GridID))
		}
		// The grid's district narrows what the store streams; the builder
		// keeps only the grid's customers.
		tf.DistrictID, af.DistrictID = g.DistrictID, g.DistrictID
	case LevelDistrict:
		d, err := st.District(ctx, q.ID)
		if err != nil {
			return nil, lookupErr("district", q.ID, err)
		}
		v.Name = d.Name
		tf.DistrictID, af.DistrictID = d.ID, d.ID
		// The district's customers, grid by grid.
		gs, err := st.Grids(ctx, territory.GridFilter{DistrictID: d.ID})
		if err != nil {
			return nil, fmt.Errorf("grids of district %d: %w", d.ID, err)
		}
		for _, g := range gs {
			cs, err := st.Customers(ctx, territory.CustomerFilter{GridID: g.ID})
			if err != nil {
				return nil, fmt.Errorf("customers of grid %d: %w", g.ID, err)
			}
			for _, cu := range cs {
				in.Customers = append(in.Customers, mc(cu.ID, cu.Stage, cu.OwnerID, cu.GridID))
			}
		}
	case LevelProvince:
		ds, err := st.Districts(ctx)
		if err != nil {
			return nil, fmt.Errorf("districts: %w", err)
		}
		if len(ds) > 0 {
			v.Name = ds[0].Province
		}
		v.ID = 0
		err = st.CustomerLocations(ctx, nil, func(l territory.CustomerLocation) error {
			in.Customers = append(in.Customers, mc(l.ID, l.Stage, l.OwnerID, l.GridID))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("customers: %w", err)
		}
	default:
		return nil, territory.Invalid("level", "unknown level %q", q.Level)
	}
	b := funnel.NewMetricsBuilder(in)
	// The two streams at once, each into its own half of the builder.
	var wg sync.WaitGroup
	var terr, aerr error
	wg.Go(func() {
		terr = st.TransitionSteps(ctx, tf, func(t funnel.TransitionStep) error { b.AddTransition(t); return nil })
	})
	aerr = st.ActivityFacts(ctx, af, func(a funnel.ActivityFact) error { b.AddActivity(a); return nil })
	wg.Wait()
	if terr != nil {
		return nil, fmt.Errorf("transitions: %w", terr)
	}
	if aerr != nil {
		return nil, fmt.Errorf("activities: %w", aerr)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v.Report = b.Report()
	return v, nil
}
