package funnel

import (
	"fmt"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"gridplan/geo"
)

// ClaimConflictError refuses a claim on a customer another claim holds.
// HolderName is for the caller to fill (funnel does not know names); the
// message falls back to the manager id.
type ClaimConflictError struct {
	CustomerID int64     `json:"customer_id"`
	HolderID   int64     `json:"manager_id"`
	HolderName string    `json:"name,omitempty"`
	Since      time.Time `json:"since"`
}

func (e *ClaimConflictError) Error() string {
	who := fmt.Sprintf("manager %d", e.HolderID)
	if e.HolderName != "" {
		who = e.HolderName
	}
	return fmt.Sprintf("customer %d is held by %s since %s", e.CustomerID, who, e.Since.Format(time.DateOnly))
}

// Unwrap lets errors.Is(err, ErrConflict) match.
func (e *ClaimConflictError) Unwrap() error { return ErrConflict }

// QuotaError refuses a claim that would overfill a manager's list.
type QuotaError struct {
	ManagerID int64 `json:"manager_id"`
	Count     int   `json:"count"`
	Max       int   `json:"max"`
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("list full: %d of %d", e.Count, e.Max)
}

// Unwrap lets errors.Is(err, ErrConflict) match.
func (e *QuotaError) Unwrap() error { return ErrConflict }

// CooldownError refuses a manager reclaiming a customer whose claim by him
// lapsed recently: the pool must really reopen for his colleagues.
type CooldownError struct {
	ManagerID  int64     `json:"manager_id"`
	CustomerID int64     `json:"customer_id"`
	Until      time.Time `json:"until"`
}

func (e *CooldownError) Error() string {
	return fmt.Sprintf("manager %d's claim of customer %d lapsed; he may claim it again from %s",
		e.ManagerID, e.CustomerID, e.Until.Format(time.DateOnly))
}

// Unwrap lets errors.Is(err, ErrConflict) match.
func (e *CooldownError) Unwrap() error { return ErrConflict }

// CheckClaim decides whether managerID may claim a customer now. holder is
// the customer's active claim (nil: none); lastLapsed is managerID's most
// recent claim of the customer that ended (nil: none; only a lapsed one
// triggers the cooldown, a voluntary release does not); listCount is how
// many of his claimed customers count toward the quota (see
// Config.CountsTowardQuota) and quotaMax his maximum (≤ 0: 70). The first
// rule broken wins: held, then cooldown, then quota.
func CheckClaim(cfg *Config, now time.Time, managerID int64, holder, lastLapsed *Claim, listCount, quotaMax int) error {
	if holder != nil && holder.Status == ClaimActive {
		return &ClaimConflictError{CustomerID: holder.CustomerID, HolderID: holder.ManagerID, Since: holder.ClaimedAt}
	}
	if c := lastLapsed; c != nil && c.Status == ClaimLapsed && c.ManagerID == managerID {
		ended := LapseAt(cfg, c)
		if c.EndedAt != nil {
			ended = *c.EndedAt
		}
		if until := ended.AddDate(0, 0, cfg.cooldownDays()); now.Before(until) {
			return &CooldownError{ManagerID: managerID, CustomerID: c.CustomerID, Until: until}
		}
	}
	if quotaMax <= 0 {
		quotaMax = defaultQuotaMax
	}
	if listCount >= quotaMax {
		return &QuotaError{ManagerID: managerID, Count: listCount, Max: quotaMax}
	}
	return nil
}

// LapseAt is when claim c lapses if no qualifying activity comes first:
// LapseDays after its last one.
func LapseAt(cfg *Config, c *Claim) time.Time {
	return c.LastActivityAt.AddDate(0, 0, cfg.lapseDays())
}

// WarnAt is when the holder of c is warned: WarnDays before LapseAt.
func WarnAt(cfg *Config, c *Claim) time.Time {
	return LapseAt(cfg, c).AddDate(0, 0, -cfg.warnDays())
}

// Lapsing reports whether active claim c is in its warning window at now
// (including overdue claims the lapse job has not ended yet).
func Lapsing(cfg *Config, now time.Time, c *Claim) bool {
	return c.Status == ClaimActive && !now.Before(WarnAt(cfg, c))
}

// LapseCutoff is the cutoff to pass to SalesStore.LapseClaims at now: an
// active claim whose last activity is before it has passed its LapseAt.
func LapseCutoff(cfg *Config, now time.Time) time.Time {
	return now.AddDate(0, 0, -cfg.lapseDays())
}

// Qualifies reports whether an activity of kind keeps a claim alive.
func Qualifies(cfg *Config, kind ActivityKind) bool {
	if cfg == nil || cfg.QualifyingKinds == nil {
		return knownKind(kind)
	}
	return slices.Contains(cfg.QualifyingKinds, kind)
}

// IsVisit reports whether kind is one of the three visits (扫楼, 扫街, 上门),
// the kinds whose position is checked.
func IsVisit(kind ActivityKind) bool {
	return kind == VisitBuilding || kind == VisitStreet || kind == VisitDoor
}

// VerifyVisit decides an activity's Verified and DistanceM. A visit is
// verified when logged with a position within VisitMaxDistanceM of the
// customer; without a position, or for a customer without a location
// (zero point), it cannot be and is unverified. Other kinds happen
// anywhere and are verified. The distance is returned whenever both
// points are known.
func VerifyVisit(cfg *Config, kind ActivityKind, customer orb.Point, pos *orb.Point) (verified bool, distanceM *float64) {
	if pos != nil && customer != (orb.Point{}) {
		d := geo.DistanceM(customer, *pos)
		distanceM = &d
	}
	if !IsVisit(kind) {
		return true, distanceM
	}
	return distanceM != nil && *distanceM <= cfg.visitMaxDistanceM(), distanceM
}
