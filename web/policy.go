package web

import (
	"github.com/gin-gonic/gin"

	"gridplan/territory"
)

// Action is something a route does, as the policy sees it.
type Action string

// Actions. Each route names exactly one.
const (
	ReadMap       Action = "read_map"       // districts, grids, resources
	ReadManagers  Action = "read_managers"  // managers and their teams
	ReadCustomers Action = "read_customers" // customers, and their map tiles
	EditGrids     Action = "edit_grids"     // create, update, delete grids
	ManageUsers   Action = "manage_users"   // list, create, delete logins
	// ImportCustomers uploads customer files and follows their import jobs.
	ImportCustomers Action = "import_customers"
	// ReadPlans lists grid plans (drafts and history), their grids, diffs,
	// validation reports and comparisons.
	ReadPlans Action = "read_plans"
	// EditPlans creates, edits, deletes, submits and publishes plans.
	EditPlans Action = "edit_plans"
	// ApprovePlans approves a submitted plan (when approval is required).
	ApprovePlans Action = "approve_plans"
	// EditResources creates, updates, deletes and imports network
	// resources.
	EditResources Action = "edit_resources"
	// ReadCoverage reads the coverage analysis: reports per province,
	// district and grid, gap maps, suggested sites, attack and build
	// lists, the XLSX export.
	ReadCoverage Action = "read_coverage"
	// ReadFunnel reads lists, pools, activities, transitions, funnel
	// metrics and the funnel configuration (managers: their own list,
	// their own and their grid's numbers, their grid's pool).
	ReadFunnel Action = "read_funnel"
	// WorkFunnel claims, releases, logs activities, changes stages and
	// marks follow-ups done (managers: on their own list and their grid's
	// pool, their own follow-ups).
	WorkFunnel Action = "work_funnel"
	// ConfigureFunnel edits the funnel configuration and runs the lapse
	// job by hand.
	ConfigureFunnel Action = "configure_funnel"
	// BalanceLists proposes list assignments for a grid or a district and
	// accepts them (claims moved, given and released).
	BalanceLists Action = "balance_lists"
	// ReadRoutes plans a manager's canvassing route for a day and his
	// week (managers: their own).
	ReadRoutes Action = "read_routes"
)

// Actions lists every action, for tables and tests.
var Actions = []Action{ReadMap, ReadManagers, ReadCustomers, EditGrids, ManageUsers, ImportCustomers,
	ReadPlans, EditPlans, ApprovePlans, EditResources, ReadCoverage, ReadFunnel, WorkFunnel, ConfigureFunnel, BalanceLists, ReadRoutes}

// Scope is how much of an action a role may do.
type Scope int

// Scopes. The zero value refuses, so an action missing from the table is
// forbidden rather than open.
const (
	ScopeNone Scope = iota // 403
	ScopeOwn               // only what is his: own grid team, own customers
	ScopeAll               // everything
)

func (s Scope) String() string {
	switch s {
	case ScopeOwn:
		return "own"
	case ScopeAll:
		return "all"
	}
	return "none"
}

// Policy is the one table of who may do what. Handlers of actions that a
// role holds with ScopeOwn narrow their queries to the caller's own
// (see ownManagerID); everything else is decided here.
var Policy = map[territory.Role]map[Action]Scope{
	territory.RoleAdmin: {
		ReadMap: ScopeAll, ReadManagers: ScopeAll, ReadCustomers: ScopeAll,
		EditGrids: ScopeAll, ManageUsers: ScopeAll, ImportCustomers: ScopeAll,
		ReadPlans: ScopeAll, EditPlans: ScopeAll, ApprovePlans: ScopeAll,
		EditResources: ScopeAll, ReadCoverage: ScopeAll,
		ReadFunnel: ScopeAll, WorkFunnel: ScopeAll, ConfigureFunnel: ScopeAll,
		BalanceLists: ScopeAll, ReadRoutes: ScopeAll,
	},
	territory.RolePlanner: {
		ReadMap: ScopeAll, ReadManagers: ScopeAll, ReadCustomers: ScopeAll,
		EditGrids: ScopeAll, ImportCustomers: ScopeAll,
		ReadPlans: ScopeAll, EditPlans: ScopeAll,
		EditResources: ScopeAll, ReadCoverage: ScopeAll,
		ReadFunnel: ScopeAll, BalanceLists: ScopeAll, ReadRoutes: ScopeAll,
	},
	territory.RoleLeader: {
		ReadMap: ScopeAll, ReadManagers: ScopeAll, ReadCustomers: ScopeAll,
		ReadPlans: ScopeAll, ApprovePlans: ScopeAll, ReadCoverage: ScopeAll,
		ReadFunnel: ScopeAll, ReadRoutes: ScopeAll,
	},
	territory.RoleManager: {
		ReadMap: ScopeAll, ReadManagers: ScopeOwn, ReadCustomers: ScopeOwn,
		ReadFunnel: ScopeOwn, WorkFunnel: ScopeOwn, ReadRoutes: ScopeOwn,
	},
}

// allow lets the request through when the current user's role holds the
// action, and records the scope for the handler.
func allow(a Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		u := currentUser(c)
		if u == nil { // requireSession runs first; this is a wiring guard
			fail(c, unauthorized("login required"))
			return
		}
		scope := Policy[u.Role][a]
		if scope == ScopeNone {
			fail(c, forbidden("role %s may not %s", u.Role, actionPhrase[a]))
			return
		}
		c.Set(keyScope, scope)
		c.Next()
	}
}

var actionPhrase = map[Action]string{
	ReadMap:         "read the map",
	ReadManagers:    "read managers",
	ReadCustomers:   "read customers",
	EditGrids:       "edit grids",
	ManageUsers:     "manage users",
	ImportCustomers: "import customers",
	ReadPlans:       "read grid plans",
	EditPlans:       "edit grid plans",
	ApprovePlans:    "approve grid plans",
	EditResources:   "edit network resources",
	ReadCoverage:    "read network coverage",
	ReadFunnel:      "read sales funnels",
	WorkFunnel:      "work customers' funnels (claims, activities, stage changes, follow-ups)",
	ConfigureFunnel: "configure the sales funnel",
	BalanceLists:    "balance managers' lists",
	ReadRoutes:      "plan managers' routes",
}

func scopeOf(c *gin.Context) Scope {
	v, _ := c.Get(keyScope)
	s, _ := v.(Scope)
	return s
}

// ownManagerID is the manager id a ScopeOwn caller is limited to. A manager
// login not linked to a manager owns nothing and gets 403.
func ownManagerID(c *gin.Context) (int64, error) {
	u := currentUser(c)
	if u == nil || u.ManagerID == 0 {
		return 0, forbidden("this login is not linked to a manager")
	}
	return u.ManagerID, nil
}
