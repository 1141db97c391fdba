package sales

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gridplan/funnel"
	"gridplan/territory"
)

// errLostRace says the store's unique index refused our claim: another
// claim of the customer committed between our check and our insert.
var errLostRace = errors.New("claim lost the race")

// Claim puts customer customerID on manager a.ManagerID's list (报备). A
// manager claims in his own grid's pool only (403 otherwise); an admin
// claims for the manager a.ManagerID names. Refusals are 409s that say
// why: *funnel.ClaimConflictError naming the holder and since when,
// *funnel.QuotaError with the numbers, *funnel.CooldownError with the day
// the manager may claim the customer again. In one transaction: the
// manager's row is locked (his list count cannot race), the rules are
// checked, the claim is created (the store's unique index of active claims
// decides a race between managers) and the customer moves target → list
// (lost and churned customers restart at list too; a customer left at a
// later stage by a lapse keeps it).
func (s *Service) Claim(ctx context.Context, a Actor, customerID int64) (*funnel.Claim, error) {
	if err := canWork(a); err != nil {
		return nil, err
	}
	if a.ManagerID <= 0 {
		return nil, territory.Invalid("manager_id", "is required: say which manager claims the customer")
	}
	now := s.now()
	var out *funnel.Claim
	err := s.inTx(ctx, func(tx Store) error {
		if err := tx.LockManager(ctx, a.ManagerID); err != nil {
			return lookupErr("manager", a.ManagerID, err)
		}
		m, err := manager(ctx, tx, a.ManagerID)
		if err != nil {
			return err
		}
		cu, err := customer(ctx, tx, customerID)
		if err != nil {
			return err
		}
		if cu.GridID == 0 || cu.GridID != m.GridID {
			if a.Role == territory.RoleManager {
				return forbidden("customer %d is not in your grid's pool", cu.ID)
			}
			return conflict("customer %d is not in manager %s's grid: a manager claims in his own grid only", cu.ID, m.Code)
		}
		cfg, err := s.config(ctx, tx)
		if err != nil {
			return err
		}
		holder, err := activeClaim(ctx, tx, cu.ID)
		if err != nil {
			return err
		}
		if holder == nil && cu.OwnerID != 0 {
			// On a list without an active claim (an in-network customer
			// kept by his manager, an imported owner): held all the same.
			holder = &funnel.Claim{CustomerID: cu.ID, ManagerID: cu.OwnerID, Status: funnel.ClaimActive, ClaimedAt: cu.UpdatedAt, LastActivityAt: cu.UpdatedAt}
		}
		lapsed, err := lastLapsed(ctx, tx, cu.ID, m.ID)
		if err != nil {
			return err
		}
		count, err := quotaCount(ctx, tx, cfg, m.ID)
		if err != nil {
			return err
		}
		if err := funnel.CheckClaim(cfg, now, m.ID, holder, lapsed, count, m.Quota.Max); err != nil {
			return s.explain(ctx, tx, err)
		}
		c := &funnel.Claim{CustomerID: cu.ID, ManagerID: m.ID, Status: funnel.ClaimActive, ClaimedAt: now, LastActivityAt: now}
		if err := tx.CreateClaim(ctx, c); err != nil {
			if errors.Is(err, funnel.ErrConflict) || errors.Is(err, territory.ErrConflict) {
				return errLostRace
			}
			return fmt.Errorf("create claim: %w", err)
		}
		from := cu.Stage
		to := from
		if from == funnel.Target || from == funnel.Lost || from == funnel.Churned {
			to = funnel.List
		}
		if err := setState(ctx, tx, cu, to, m.ID); err != nil {
			return err
		}
		if to != from {
			t := &funnel.Transition{CustomerID: cu.ID, ManagerID: m.ID, UserID: a.UserID, From: from, To: to, At: now, Reason: "claimed"}
			if err := tx.CreateTransition(ctx, t); err != nil {
				return fmt.Errorf("record transition: %w", err)
			}
		}
		out = c
		return nil
	})
	if errors.Is(err, errLostRace) {
		// The winner has committed: name him.
		holder, herr := activeClaim(ctx, s.Store, customerID)
		if herr != nil {
			return nil, herr
		}
		if holder == nil {
			return nil, conflict("customer %d was claimed by someone else at the same moment: try again", customerID)
		}
		return nil, s.explain(ctx, s.Store, &funnel.ClaimConflictError{CustomerID: customerID, HolderID: holder.ManagerID, Since: holder.ClaimedAt})
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// explain fills the holder's name into a claim refusal.
func (s *Service) explain(ctx context.Context, st Store, err error) error {
	var ce *funnel.ClaimConflictError
	if errors.As(err, &ce) && ce.HolderID > 0 && ce.HolderName == "" {
		if m, merr := st.Manager(ctx, ce.HolderID); merr == nil {
			ce.HolderName = holderName(m)
		}
	}
	return err
}

// holderName is how a refusal names a manager: 王伟 (m012).
func holderName(m *territory.Manager) string {
	return fmt.Sprintf("%s (%s)", m.Name, m.Code)
}

// lastLapsed is manager's most recent lapsed claim of the customer, nil
// when none.
func lastLapsed(ctx context.Context, st Store, customerID, managerID int64) (*funnel.Claim, error) {
	cs, err := st.Claims(ctx, funnel.ClaimFilter{CustomerID: customerID, ManagerID: managerID, Status: funnel.ClaimLapsed})
	if err != nil {
		return nil, fmt.Errorf("lapsed claims: %w", err)
	}
	var last *funnel.Claim
	for _, c := range cs {
		if c.EndedAt != nil && (last == nil || c.EndedAt.After(*last.EndedAt)) {
			last = c
		}
	}
	return last, nil
}

// quotaCount is the number of manager's active claims whose customer's
// stage counts toward the quota.
func quotaCount(ctx context.Context, st Store, cfg *funnel.Config, managerID int64) (int, error) {
	claims, err := st.Claims(ctx, funnel.ClaimFilter{ManagerID: managerID, Status: funnel.ClaimActive})
	if err != nil {
		return 0, fmt.Errorf("claims of manager %d: %w", managerID, err)
	}
	if len(claims) == 0 {
		return 0, nil
	}
	claimed := make(map[int64]bool, len(claims))
	for _, c := range claims {
		claimed[c.CustomerID] = true
	}
	cs, err := st.Customers(ctx, territory.CustomerFilter{OwnerID: managerID})
	if err != nil {
		return 0, fmt.Errorf("customers of manager %d: %w", managerID, err)
	}
	n := 0
	for _, cu := range cs {
		if claimed[cu.ID] && cfg.CountsTowardQuota(cu.Stage) {
			n++
		}
	}
	return n, nil
}

// Release ends the active claim of the customer (his holder, or an admin):
// the customer returns to the grid pool (a list customer to target), the
// claim keeps who released it, when and why.
func (s *Service) Release(ctx context.Context, a Actor, customerID int64, reason string) (*funnel.Claim, error) {
	if err := canWork(a); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		reason = "released"
	}
	if len(reason) > 500 {
		return nil, territory.Invalid("reason", "is longer than 500 bytes")
	}
	now := s.now()
	var out *funnel.Claim
	err := s.inTx(ctx, func(tx Store) error {
		cu, err := customer(ctx, tx, customerID)
		if err != nil {
			return err
		}
		acc, err := s.scope(ctx, tx, a, cu)
		if err != nil {
			return err
		}
		if acc != accessOwn {
			return forbidden("customer %d is not on your list", cu.ID)
		}
		c, err := activeClaim(ctx, tx, cu.ID)
		if err != nil {
			return err
		}
		if c == nil {
			return conflict("customer %d has no active claim to release", cu.ID)
		}
		if err := endClaim(ctx, tx, c, funnel.ClaimReleased, now, reason, a.UserID); err != nil {
			return err
		}
		if err := backToPool(ctx, tx, cu, c.ManagerID, a.UserID, now, reason); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// backToPool returns a customer whose claim ended to his grid's pool: no
// owner; a list customer goes back to target (recorded as a transition by
// user, 0 for the system); later stages are kept for the next claimant.
// A customer no longer held by the claim's manager is left alone.
func backToPool(ctx context.Context, tx Store, cu *territory.Customer, managerID, user int64, at time.Time, reason string) error {
	for attempt := 0; ; attempt++ {
		if cu.OwnerID != managerID {
			return nil
		}
		from, to := cu.Stage, cu.Stage
		if from == funnel.List {
			to = funnel.Target
		}
		err := setState(ctx, tx, cu, to, 0)
		if errors.Is(err, territory.ErrConflict) && attempt < 3 {
			// Moved meanwhile (PostgreSQL, another transaction): look again.
			if cu, err = customer(ctx, tx, cu.ID); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if to != from {
			t := &funnel.Transition{CustomerID: cu.ID, ManagerID: managerID, UserID: user, From: from, To: to, At: at, Reason: reason}
			if err := tx.CreateTransition(ctx, t); err != nil {
				return fmt.Errorf("record transition: %w", err)
			}
		}
		return nil
	}
}

// LapseResult is what one lapse run ended.
type LapseResult struct {
	At     time.Time       `json:"at"`
	Cutoff time.Time       `json:"cutoff"` // claims without a qualifying activity since then lapsed
	Count  int             `json:"count"`
	Claims []*funnel.Claim `json:"claims"`
}

// Lapse ends every active claim without a qualifying activity for the
// configured LapseDays: the claim lapses, the customer returns to the pool
// (a list customer to target, recorded as a system transition), and the
// manager may not claim him again for CooldownDays. Idempotent, and safe to
// run on several replicas at once: the store's one conditional UPDATE hands
// each claim to exactly one run, and the customer changes happen in the
// same transaction.
func (s *Service) Lapse(ctx context.Context) (LapseResult, error) {
	now := s.now()
	res := LapseResult{At: now, Claims: []*funnel.Claim{}}
	err := s.inTx(ctx, func(tx Store) error {
		cfg, err := s.config(ctx, tx)
		if err != nil {
			return err
		}
		res.Cutoff = funnel.LapseCutoff(cfg, now)
		reason := fmt.Sprintf("no qualifying activity for %d days: back to the grid pool", cfg.LapseDays)
		claims, err := tx.LapseClaims(ctx, res.Cutoff, now, reason)
		if err != nil {
			return fmt.Errorf("lapse claims: %w", err)
		}
		for i, c := range claims {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			cu, err := customer(ctx, tx, c.CustomerID)
			if errors.Is(err, territory.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if err := backToPool(ctx, tx, cu, c.ManagerID, 0, now, reason); err != nil {
				return err
			}
		}
		res.Claims = append(res.Claims, claims...)
		return nil
	})
	if err != nil {
		return LapseResult{}, err
	}
	res.Count = len(res.Claims)
	if res.Count > 0 {
		s.log().Info("claims lapsed", "count", res.Count, "cutoff", res.Cutoff)
	}
	return res, nil
}

// canWork refuses roles that do not work funnels: managers and admins do.
func canWork(a Actor) error {
	switch a.Role {
	case territory.RoleAdmin, territory.RoleManager:
		if a.Role == territory.RoleManager && a.ManagerID <= 0 {
			return forbidden("this login is not linked to a manager")
		}
		return nil
	}
	return forbidden("role %s may not work customers' funnels", a.Role)
}
