package territory

import (
	"context"

	"github.com/paulmach/orb"
)

// Default list quota of the method: 30–70 customers, about 50.
const (
	DefaultQuotaMin    = 30
	DefaultQuotaTarget = 50
	DefaultQuotaMax    = 70
)

// ManagerRole is a manager's role in his grid team.
type ManagerRole string

// Manager roles.
const (
	RoleCustomerManager ManagerRole = "customer_manager" // 客户经理
	RoleGridLead        ManagerRole = "grid_lead"        // 网格长
)

// Quota bounds a manager's list size.
type Quota struct {
	Min    int `json:"min"`
	Target int `json:"target"`
	Max    int `json:"max"`
}

// DefaultQuota is 30/50/70.
func DefaultQuota() Quota {
	return Quota{Min: DefaultQuotaMin, Target: DefaultQuotaTarget, Max: DefaultQuotaMax}
}

// Manager is a customer manager (客户经理) of a grid team.
type Manager struct {
	ID     int64       `json:"id"`
	Code   string      `json:"code"` // login-friendly code, e.g. m001
	Name   string      `json:"name"`
	GridID int64       `json:"grid_id"`
	Role   ManagerRole `json:"role"`
	Quota  Quota       `json:"quota"`
	Base   orb.Point   `json:"-"` // where his day starts: office or home
	Phone  string      `json:"phone,omitempty"`
}

// Normalize fills defaults: the 30/50/70 quota when none is set and the
// customer-manager role.
func (m *Manager) Normalize() {
	if m.Quota == (Quota{}) {
		m.Quota = DefaultQuota()
	}
	if m.Role == "" {
		m.Role = RoleCustomerManager
	}
}

// Validate checks a manager before it is stored.
func (m *Manager) Validate() error {
	switch {
	case blank(m.Code):
		return Invalid("code", "is required")
	case blank(m.Name):
		return Invalid("name", "is required")
	case m.GridID <= 0:
		return Invalid("grid_id", "must be a positive id, got %d", m.GridID)
	case m.Role != RoleCustomerManager && m.Role != RoleGridLead:
		return Invalid("role", "unknown manager role %q (want customer_manager or grid_lead)", m.Role)
	case m.Quota.Min < 0:
		return Invalid("quota.min", "must not be negative, got %d", m.Quota.Min)
	case m.Quota.Min > m.Quota.Target || m.Quota.Target > m.Quota.Max:
		return Invalid("quota", "needs min ≤ target ≤ max, got %d/%d/%d", m.Quota.Min, m.Quota.Target, m.Quota.Max)
	}
	return validPoint("base", m.Base)
}

// ManagerFilter selects managers; zero fields do not filter.
type ManagerFilter struct {
	GridID  int64
	AfterID int64
	Limit   int
}

// ManagerStore persists managers.
type ManagerStore interface {
	CreateManager(ctx context.Context, m *Manager) error
	Manager(ctx context.Context, id int64) (*Manager, error)
	Managers(ctx context.Context, f ManagerFilter) ([]*Manager, error)
	UpdateManager(ctx context.Context, m *Manager) error
	DeleteManager(ctx context.Context, id int64) error
}
