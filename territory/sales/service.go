package sales

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gridplan/funnel"
	"gridplan/territory"
)

// Store is everything the sales service reads and writes.
type Store interface {
	territory.DistrictStore
	territory.GridStore
	territory.ManagerStore
	territory.CustomerStore
	territory.CustomerGridStore
	funnel.ClaimStore
	funnel.ActivityStore
	funnel.TransitionStore
	funnel.FollowUpStore
	funnel.SalesStore
	funnel.MetricsStore
}

// Service is the sales method at work: claims (报备) and their lapse,
// activities with their signals, stage changes with their checklists, a
// manager's list and the funnel metrics. Store serves reads outside
// transactions; InTx runs a function in one store transaction (the store's
// own InTx, adapted), and every write goes through it. Now defaults to
// time.Now, Logger to a discarding one.
type Service struct {
	Store  Store
	InTx   func(ctx context.Context, fn func(tx Store) error) error
	Now    func() time.Time
	Logger *slog.Logger
}

// Actor is who asks: the login, its role and, for a manager login (or an
// admin acting for a manager), the manager.
type Actor struct {
	UserID    int64
	Role      territory.Role
	ManagerID int64
}

// ForbiddenError is a refusal of the caller's role or scope; Reason is safe
// to show.
type ForbiddenError struct{ Reason string }

func (e *ForbiddenError) Error() string { return e.Reason }

// Unwrap lets errors.Is(err, territory.ErrForbidden) match.
func (e *ForbiddenError) Unwrap() error { return territory.ErrForbidden }

func forbidden(format string, args ...any) error {
	return &ForbiddenError{Reason: fmt.Sprintf(format, args...)}
}

func conflict(format string, args ...any) error {
	return &territory.ConflictError{Reason: fmt.Sprintf(format, args...)}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Service) inTx(ctx context.Context, fn func(tx Store) error) error {
	if s.InTx == nil {
		return fn(s.Store)
	}
	return s.InTx(ctx, fn)
}

// config is the stored funnel configuration (the default when none).
func (s *Service) config(ctx context.Context, st Store) (*funnel.Config, error) {
	cfg, err := st.FunnelConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("funnel config: %w", err)
	}
	return cfg, nil
}

// Config is the funnel configuration in force.
func (s *Service) Config(ctx context.Context) (*funnel.Config, error) {
	return s.config(ctx, s.Store)
}

// SaveConfig validates and stores the funnel configuration (admins only).
func (s *Service) SaveConfig(ctx context.Context, a Actor, cfg *funnel.Config) (*funnel.Config, error) {
	if a.Role != territory.RoleAdmin {
		return nil, forbidden("only an admin may change the funnel configuration")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := s.Store.SaveFunnelConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("save funnel config: %w", err)
	}
	return s.config(ctx, s.Store)
}

// customer loads a customer, naming him when he does not exist.
func customer(ctx context.Context, st Store, id int64) (*territory.Customer, error) {
	cu, err := st.Customer(ctx, id)
	if err != nil {
		return nil, lookupErr("customer", id, err)
	}
	return cu, nil
}

// manager loads a manager, naming him when he does not exist.
func manager(ctx context.Context, st Store, id int64) (*territory.Manager, error) {
	m, err := st.Manager(ctx, id)
	if err != nil {
		return nil, lookupErr("manager", id, err)
	}
	return m, nil
}

func lookupErr(kind string, id int64, err error) error {
	var nf *territory.NotFoundError
	if (errors.Is(err, territory.ErrNotFound) || errors.Is(err, funnel.ErrNotFound)) && !errors.As(err, &nf) {
		return territory.NotFound(kind, id)
	}
	return fmt.Errorf("%s %d: %w", kind, id, err)
}

// access is what an actor may do with one customer.
type access int

const (
	accessNone access = iota
	accessPool        // the customer sits in the pool of the actor's grid: claim, log activities, read
	accessOwn         // on the actor's list (or the actor is an admin): everything
)

// scope says how far actor a reaches customer cu. Admins reach everyone;
// a manager his own list and his grid's pool; other roles nothing (they
// read through the read-only calls, which check roles themselves).
func (s *Service) scope(ctx context.Context, st Store, a Actor, cu *territory.Customer) (access, error) {
	switch a.Role {
	case territory.RoleAdmin:
		return accessOwn, nil
	case territory.RoleManager:
	default:
		return accessNone, forbidden("role %s may not work customers' funnels", a.Role)
	}
	if a.ManagerID <= 0 {
		return accessNone, forbidden("this login is not linked to a manager")
	}
	if cu.OwnerID == a.ManagerID {
		return accessOwn, nil
	}
	if cu.OwnerID != 0 {
		return accessNone, forbidden("customer %d is on another manager's list", cu.ID)
	}
	m, err := manager(ctx, st, a.ManagerID)
	if err != nil {
		return accessNone, err
	}
	if cu.GridID == 0 || cu.GridID != m.GridID {
		return accessNone, forbidden("customer %d is not in your grid's pool", cu.ID)
	}
	return accessPool, nil
}

// readScope is scope for the read calls: leaders and planners read
// everyone too.
func (s *Service) readScope(ctx context.Context, st Store, a Actor, cu *territory.Customer) error {
	if a.Role == territory.RoleLeader || a.Role == territory.RolePlanner {
		return nil
	}
	_, err := s.scope(ctx, st, a, cu)
	return err
}

// activeClaim is the customer's active claim, nil when none.
func activeClaim(ctx context.Context, st Store, customerID int64) (*funnel.Claim, error) {
	cs, err := st.Claims(ctx, funnel.ClaimFilter{CustomerID: customerID, Status: funnel.ClaimActive, Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("claims of customer %d: %w", customerID, err)
	}
	if len(cs) == 0 {
		return nil, nil
	}
	return cs[0], nil
}

// hasSignal reports whether an opportunity signal was ever recorded on the
// customer.
func hasSignal(ctx context.Context, st Store, customerID int64) (bool, error) {
	as, err := st.Activities(ctx, funnel.ActivityFilter{CustomerID: customerID})
	if err != nil {
		return false, fmt.Errorf("activities of customer %d: %w", customerID, err)
	}
	for _, a := range as {
		if len(a.Signals) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// setState moves customer cu to stage and owner, expecting his stored
// stage to be cu.Stage, and updates cu.
func setState(ctx context.Context, st Store, cu *territory.Customer, stage funnel.Stage, owner int64) error {
	if err := st.SetFunnelState(ctx, cu.ID, cu.Stage, stage, owner); err != nil {
		if errors.Is(err, funnel.ErrConflict) || errors.Is(err, territory.ErrConflict) {
			return conflict("customer %d changed meanwhile (no longer at %s): reload and try again", cu.ID, cu.Stage)
		}
		return fmt.Errorf("set funnel state of customer %d: %w", cu.ID, err)
	}
	cu.Stage, cu.OwnerID = stage, owner
	return nil
}

// endClaim ends an active claim as status, by user (0: the system).
func endClaim(ctx context.Context, st Store, c *funnel.Claim, status funnel.ClaimStatus, at time.Time, reason string, user int64) error {
	c.Status, c.EndedAt, c.EndReason, c.EndedBy = status, &at, reason, user
	if c.LastActivityAt.Before(c.ClaimedAt) {
		c.LastActivityAt = c.ClaimedAt
	}
	if err := st.UpdateClaim(ctx, c); err != nil {
		return fmt.Errorf("end claim %d: %w", c.ID, err)
	}
	return nil
}

// day is the UTC midnight of t.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
