package demo

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridplan/funnel"
	"gridplan/geo"
	"gridplan/territory"
)

const day = 24 * time.Hour

func TestListsAndOwnership(t *testing.T) {
	checkLists(t, mustCity(t))
}

// checkLists: claimed customers are owned by a manager of their own grid
// through exactly one active claim; nobody else has an active claim; every
// list is within its manager's quota.
func checkLists(t *testing.T, c *City) {
	t.Helper()
	list := make([]int, len(c.Managers))
	active := make([]*funnel.Claim, len(c.Customers))
	for _, cl := range c.Claims {
		if cl.Status != funnel.ClaimActive {
			continue
		}
		if active[cl.CustomerID-1] != nil {
			t.Fatalf("customer %d has two active claims", cl.CustomerID)
		}
		active[cl.CustomerID-1] = cl
	}
	for i, cu := range c.Customers {
		cl := active[i]
		if !cu.Stage.Claimed() {
			if cu.OwnerID != 0 || cl != nil {
				t.Fatalf("customer %s at %s: owner %d, active claim %v", cu.ExternalID, cu.Stage, cu.OwnerID, cl)
			}
			continue
		}
		if cu.OwnerID == 0 || cl == nil || cl.ManagerID != cu.OwnerID {
			t.Fatalf("customer %s at %s: owner %d, active claim %+v", cu.ExternalID, cu.Stage, cu.OwnerID, cl)
		}
		m := c.Managers[cu.OwnerID-1]
		if m.GridID != cu.GridID {
			t.Fatalf("customer %s in grid %d is owned by %s of grid %d", cu.ExternalID, cu.GridID, m.Code, m.GridID)
		}
		list[cu.OwnerID-1]++
	}
	for i, m := range c.Managers {
		if list[i] < m.Quota.Min || list[i] > m.Quota.Max {
			t.Fatalf("manager %s (grid %d) holds %d customers, quota %d–%d", m.Code, m.GridID, list[i], m.Quota.Min, m.Quota.Max)
		}
	}
}

func TestClaims(t *testing.T) {
	c := mustCity(t)
	// Latest activity per (customer, manager).
	type cm struct{ c, m int64 }
	latest := map[cm]time.Time{}
	for _, a := range c.Activities {
		k := cm{a.CustomerID, a.ManagerID}
		if a.At.After(latest[k]) {
			latest[k] = a.At
		}
	}
	statuses := map[funnel.ClaimStatus]int{}
	nearLapse, recent, activeN := 0, 0, 0
	for i, cl := range c.Claims {
		if err := cl.Validate(); err != nil {
			t.Fatalf("claim %d: %v", cl.ID, err)
		}
		if cl.ID != int64(i+1) || (i > 0 && cl.ClaimedAt.Before(c.Claims[i-1].ClaimedAt)) {
			t.Fatalf("claim %d at position %d: ids must follow claim time", cl.ID, i)
		}
		statuses[cl.Status]++
		if !cl.ClaimedAt.Before(testNow) || (cl.EndedAt != nil && !cl.EndedAt.Before(testNow)) {
			t.Fatalf("claim %d claimed %v ended %v: after now %v", cl.ID, cl.ClaimedAt, cl.EndedAt, testNow)
		}
		if cl.Status != funnel.ClaimActive {
			continue
		}
		activeN++
		age := testNow.Sub(cl.ClaimedAt)
		if age < day || age > 60*day {
			t.Fatalf("active claim %d is %.1f days old, want 1–60", cl.ID, age.Hours()/24)
		}
		idle := testNow.Sub(cl.LastActivityAt)
		if idle >= LapseDays*day {
			t.Fatalf("active claim %d idle %.1f days: it would have lapsed", cl.ID, idle.Hours()/24)
		}
		if idle > 23*day {
			nearLapse++
		}
		if idle <= 14*day {
			recent++
		}
		if got := latest[cm{cl.CustomerID, cl.ManagerID}]; !got.Equal(cl.LastActivityAt) {
			t.Fatalf("active claim %d: last activity %v, but the latest logged is %v", cl.ID, cl.LastActivityAt, got)
		}
	}
	for _, s := range []funnel.ClaimStatus{funnel.ClaimActive, funnel.ClaimReleased, funnel.ClaimLapsed} {
		if statuses[s] == 0 {
			t.Errorf("no %s claims", s)
		}
	}
	if s := share(nearLapse, activeN); s < 0.01 || s > 0.10 {
		t.Errorf("%.1f%% of active claims idle over 23 days, want a few", 100*s)
	}
	if s := share(recent, activeN); s < 0.75 {
		t.Errorf("only %.1f%% of active claims had activity in the last 14 days, want most", 100*s)
	}
	t.Logf("claims %v, %d of %d active close to lapsing", statuses, nearLapse, activeN)
}

func TestActivities(t *testing.T) {
	c := mustCity(t)
	kinds := map[funnel.ActivityKind]int{}
	perCustomer := make([]int, len(c.Customers))
	signals, unverified := 0, 0
	for i, a := range c.Activities {
		if err := a.Validate(); err != nil {
			t.Fatalf("activity %d: %v", a.ID, err)
		}
		if a.ID != int64(i+1) || (i > 0 && a.At.Before(c.Activities[i-1].At)) {
			t.Fatalf("activity %d at position %d: ids must follow time", a.ID, i)
		}
		if !a.At.Before(testNow) || a.At.Nanosecond() != 0 {
			t.Fatalf("activity %d at %v: want whole seconds before now", a.ID, a.At)
		}
		cu := c.Customers[a.CustomerID-1]
		if m := c.Managers[a.ManagerID-1]; m.GridID != cu.GridID {
			t.Fatalf("activity %d: manager %s of grid %d on customer of grid %d", a.ID, m.Code, m.GridID, cu.GridID)
		}
		kinds[a.Kind]++
		perCustomer[a.CustomerID-1]++
		if len(a.Signals) > 0 {
			signals++
		}
		visit := a.Kind == funnel.VisitBuilding || a.Kind == funnel.VisitStreet || a.Kind == funnel.VisitDoor
		if visit != (a.Position != nil) {
			t.Fatalf("activity %d (%s): position %v", a.ID, a.Kind, a.Position)
		}
		if visit {
			d := geo.DistanceM(*a.Position, cu.Location)
			if a.Verified && d > 100 || !a.Verified && d < 200 {
				t.Fatalf("activity %d: visit %.0f m from the customer, verified %v", a.ID, d, a.Verified)
			}
			if !a.Verified {
				unverified++
			}
		}
	}
	for i, n := range perCustomer {
		if n == 0 {
			t.Fatalf("customer %s has no activity: a target has been visited", c.Customers[i].ExternalID)
		}
	}
	for _, k := range []funnel.ActivityKind{funnel.VisitBuilding, funnel.VisitStreet, funnel.VisitDoor, funnel.Phone,
		funnel.Proposal, funnel.Demo, funnel.Bid, funnel.Negotiation, funnel.Activation, funnel.RetentionCall} {
		if kinds[k] == 0 {
			t.Errorf("no %s activities", k)
		}
	}
	if signals == 0 || unverified == 0 {
		t.Errorf("%d activities with signals, %d unverified visits: want some of each", signals, unverified)
	}
	// Every potential-or-later customer on a list had a signal.
	sig := make([]bool, len(c.Customers))
	for _, a := range c.Activities {
		if len(a.Signals) > 0 {
			sig[a.CustomerID-1] = true
		}
	}
	for i, cu := range c.Customers {
		if (cu.Stage == funnel.Potential || cu.Stage == funnel.Intent || cu.Stage == funnel.Order) && !sig[i] {
			t.Fatalf("customer %s at %s without an opportunity signal", cu.ExternalID, cu.Stage)
		}
	}
	t.Logf("%d activities: %v; %d with signals, %d unverified visits", len(c.Activities), kinds, signals, unverified)
}

func TestManagers(t *testing.T) {
	c := mustCity(t)
	gix := gridIndex(t, c)
	perGrid := make([]int, len(c.Grids))
	leads := 0
	for i, m := range c.Managers {
		if want := fmt.Sprintf("m%03d", i+1); m.Code != want || m.ID != int64(i+1) {
			t.Fatalf("manager %d: code %s id %d, want %s", i, m.Code, m.ID, want)
		}
		if !chineseRE.MatchString(m.Name) || len([]rune(m.Name)) < 2 || len([]rune(m.Name)) > 3 {
			t.Fatalf("manager %s: name %q", m.Code, m.Name)
		}
		if gi, ok := gix.Locate(m.Base); !ok || int64(gi+1) != m.GridID {
			t.Fatalf("manager %s of grid %d: base %v is in grid %d", m.Code, m.GridID, m.Base, gi+1)
		}
		if m.Quota != territory.DefaultQuota() {
			t.Fatalf("manager %s: quota %+v", m.Code, m.Quota)
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("manager %s: %v", m.Code, err)
		}
		perGrid[m.GridID-1]++
		if m.Role == territory.RoleGridLead {
			leads++
		}
	}
	for i, n := range perGrid {
		if n == 0 {
			t.Fatalf("grid %s has no manager", c.Grids[i].Code)
		}
	}
	if leads == 0 {
		t.Fatal("no grid leads")
	}
}

func TestUsers(t *testing.T) {
	c := mustCity(t)
	if len(c.Users) != 3+len(c.Managers) {
		t.Fatalf("%d users for %d managers", len(c.Users), len(c.Managers))
	}
	want := []struct {
		name string
		role territory.Role
	}{{"admin", territory.RoleAdmin}, {"planner", territory.RolePlanner}, {"leader", territory.RoleLeader}}
	for i, w := range want {
		if u := c.Users[i]; u.Username != w.name || u.Role != w.role || u.ManagerID != 0 {
			t.Fatalf("user %d: %+v, want %s (%s)", i, u, w.name, w.role)
		}
	}
	for i, m := range c.Managers {
		u := c.Users[3+i]
		if u.Username != m.Code || u.Role != territory.RoleManager || u.ManagerID != m.ID || u.PasswordHash != "" {
			t.Fatalf("user of manager %s: %+v", m.Code, u)
		}
	}
}

func TestResources(t *testing.T) {
	c := mustCity(t)
	status := map[territory.ResourceStatus]int{}
	geom := map[string]int{}
	kinds := map[string]int{}
	for _, r := range c.Resources {
		if err := r.Validate(); err != nil {
			t.Fatalf("resource %s: %v", r.Name, err)
		}
		status[r.Status]++
		geom[r.Geometry.GeoJSONType()]++
		kinds[r.Kind]++
		switch r.Status {
		case territory.ResourceExisting:
			if r.ExpectedDate != nil {
				t.Fatalf("existing resource %s expected on %v", r.Name, r.ExpectedDate)
			}
		default:
			if r.ExpectedDate == nil || !r.ExpectedDate.After(testNow) {
				t.Fatalf("%s resource %s expected on %v, want after now", r.Status, r.Name, r.ExpectedDate)
			}
		}
	}
	for _, s := range territory.ResourceStatuses {
		if status[s] == 0 {
			t.Errorf("no %s resources", s)
		}
	}
	if geom["Point"] == 0 || geom["Polygon"] == 0 {
		t.Errorf("geometries %v: want points with radius and polygons", geom)
	}
	for _, k := range []string{KindFibreCabinet, KindSite5G, KindBuildingAccess, KindServingArea} {
		if kinds[k] == 0 {
			t.Errorf("no %s", k)
		}
	}
	// Coverage, by status, and every resource where businesses are.
	coveredBy := map[territory.ResourceStatus]int{}
	ix := newResourceIndex(c.Resources)
	for _, cu := range c.Customers {
		best := -1
		ix.each(cu.Location, func(i int) {
			r := c.Resources[i]
			if Covers(r, cu.Location) {
				ix.hits[i]++
				if k := statusRank(r.Status); best < 0 || k < best {
					best = k
				}
			}
		})
		if best >= 0 {
			coveredBy[territory.ResourceStatuses[best]]++
		}
	}
	for i, n := range ix.hits {
		if n == 0 {
			t.Fatalf("resource %s covers no business", c.Resources[i].Name)
		}
	}
	n := len(c.Customers)
	if s := share(coveredBy[territory.ResourceExisting], n); s < 0.55 || s > 0.70 {
		t.Errorf("existing resources cover %.1f%% of businesses, want 55–70%%", 100*s)
	}
	if coveredBy[territory.ResourceUnderConstruction] == 0 || coveredBy[territory.ResourcePlanned] == 0 {
		t.Errorf("coverage %v: resources under construction and planned must reach new businesses", coveredBy)
	}
	t.Logf("%d resources %v %v; best coverage per business %v of %d", len(c.Resources), status, kinds, coveredBy, n)
}

func statusRank(s territory.ResourceStatus) int {
	for i, x := range territory.ResourceStatuses {
		if x == s {
			return i
		}
	}
	return -1
}

// resourceIndex finds resources whose reach (circle or polygon box) holds
// a point; hits counts the businesses each covers.
type resourceIndex struct {
	ix   *geo.Index[int]
	hits []int
}

func newResourceIndex(rs []*territory.Resource) *resourceIndex {
	ix := geo.NewIndex[int]()
	for i, r := range rs {
		switch g := r.Geometry.(type) {
		case orb.Point:
			// A box polygon of the circle's extent.
			ne := geo.Offset(g, r.RadiusM*1.01, r.RadiusM*1.01)
			sw := geo.Offset(g, -r.RadiusM*1.01, -r.RadiusM*1.01)
			ix.Add(i, orb.Polygon{{sw, {ne[0], sw[1]}, ne, {sw[0], ne[1]}, sw}})
		case orb.Polygon:
			ix.Add(i, g)
		}
	}
	return &resourceIndex{ix: ix, hits: make([]int, len(rs))}
}

func (x *resourceIndex) each(p orb.Point, fn func(i int)) {
	x.ix.Search(orb.Bound{Min: p, Max: p}, func(i int, _ orb.Polygon) bool { fn(i); return true })
}

// TestTransitions: every customer's stage changes form one path from
// target to his stage (none for a target never listed), in time order,
// after his claim, each forward step with its default checklist's evidence
// (potential after an opportunity signal); going back, to lost and to
// churned with a reason; lapses by the system, the rest by the manager's
// login.
func TestTransitions(t *testing.T) {
	c := mustCity(t)
	cfg := funnel.DefaultConfig()
	byCust := make([][]*funnel.Transition, len(c.Customers))
	for i, tr := range c.Transitions {
		if tr.ID != int64(i+1) || (i > 0 && tr.At.Before(c.Transitions[i-1].At)) {
			t.Fatalf("transition %d at position %d: ids must follow time", tr.ID, i)
		}
		if !tr.At.Before(testNow) || tr.At.Nanosecond() != 0 {
			t.Fatalf("transition %d at %v: want whole seconds before now", tr.ID, tr.At)
		}
		byCust[tr.CustomerID-1] = append(byCust[tr.CustomerID-1], tr)
	}
	firstSignal := make([]time.Time, len(c.Customers))
	for _, a := range c.Activities {
		if len(a.Signals) > 0 && firstSignal[a.CustomerID-1].IsZero() {
			firstSignal[a.CustomerID-1] = a.At
		}
	}
	reached := map[funnel.Stage]int{}
	lapses := 0
	for i, cu := range c.Customers {
		ts := byCust[i]
		if len(ts) == 0 {
			if cu.Stage != funnel.Target {
				t.Fatalf("customer %s at %s without transitions", cu.ExternalID, cu.Stage)
			}
			continue
		}
		if ts[0].From != funnel.Target || ts[0].To != funnel.List {
			t.Fatalf("customer %s: first transition %s → %s, want target → list", cu.ExternalID, ts[0].From, ts[0].To)
		}
		for k, tr := range ts {
			if k > 0 && tr.From != ts[k-1].To {
				t.Fatalf("customer %s: transition %d from %s after one to %s", cu.ExternalID, tr.ID, tr.From, ts[k-1].To)
			}
			m := c.Managers[tr.ManagerID-1]
			if m.GridID != cu.GridID {
				t.Fatalf("transition %d: manager %s of grid %d on a customer of grid %d", tr.ID, m.Code, m.GridID, cu.GridID)
			}
			forward := tr.To.Step() == tr.From.Step()+1 && tr.From.Step() > 0
			if forward {
				reached[tr.To]++
				for _, r := range cfg.Checklists[tr.To] {
					if r.Kind == funnel.KindSignal {
						if fs := firstSignal[i]; fs.IsZero() || fs.After(tr.At) {
							t.Fatalf("transition %d to %s at %v: no signal before it (first %v)", tr.ID, tr.To, tr.At, fs)
						}
					} else if strings.TrimSpace(tr.Evidence[r.Key]) == "" {
						t.Fatalf("transition %d to %s: evidence %v lacks %s", tr.ID, tr.To, tr.Evidence, r.Key)
					}
				}
			} else if tr.Reason == "" {
				t.Fatalf("transition %d %s → %s without a reason", tr.ID, tr.From, tr.To)
			}
			system := tr.UserID == 0
			if system != (tr.From == funnel.List && tr.To == funnel.Target) {
				t.Fatalf("transition %d %s → %s by user %d", tr.ID, tr.From, tr.To, tr.UserID)
			}
			if system {
				lapses++
			} else if u := c.Users[tr.UserID-1]; u.ManagerID != tr.ManagerID {
				t.Fatalf("transition %d by user %s of manager %d, want manager %d's", tr.ID, u.Username, u.ManagerID, tr.ManagerID)
			}
		}
		if last := ts[len(ts)-1]; last.To != cu.Stage {
			t.Fatalf("customer %s at %s, last transition to %s", cu.ExternalID, cu.Stage, last.To)
		}
	}
	// Every step is reached by someone, going back happens, and fewer are
	// reached at each step.
	for k := 1; k < len(funnel.Steps); k++ {
		st := funnel.Steps[k]
		if reached[st] == 0 || (k > 2 && reached[st] > reached[funnel.Steps[k-1]]) {
			t.Fatalf("reached per stage %v", reached)
		}
	}
	if lapses == 0 {
		t.Error("no lapse transitions")
	}
	t.Logf("%d transitions; reached %v; %d lapses", len(c.Transitions), reached, lapses)
}

// TestContractFollowUps: every contract_expiring signal carries the end of
// the contract 1–6 months after the activity and has one follow-up, due 30
// days before that end (or on the activity's day), by the activity's
// manager; some are done, some open.
func TestContractFollowUps(t *testing.T) {
	c := mustCity(t)
	byAct := map[int64]*funnel.FollowUp{}
	open := 0
	for i, fu := range c.FollowUps {
		if fu.ID != int64(i+1) {
			t.Fatalf("follow-up %d at position %d", fu.ID, i)
		}
		if byAct[fu.ActivityID] != nil {
			t.Fatalf("activity %d has two follow-ups", fu.ActivityID)
		}
		byAct[fu.ActivityID] = fu
		if fu.DoneAt == nil {
			open++
		} else if !fu.DoneAt.Before(testNow) || fu.DoneAt.Before(fu.CreatedAt) {
			t.Fatalf("follow-up %d created %v done %v", fu.ID, fu.CreatedAt, fu.DoneAt)
		}
	}
	n := 0
	for _, a := range c.Activities {
		if !slices.Contains(a.Signals, funnel.ContractExpiring) {
			if a.ContractExpires != nil {
				t.Fatalf("activity %d without the signal has ContractExpires", a.ID)
			}
			continue
		}
		n++
		if a.ContractExpires == nil {
			t.Fatalf("activity %d: contract_expiring without a date", a.ID)
		}
		exp := *a.ContractExpires
		if d := exp.Sub(a.At); d < 29*day || d > 184*day || exp.Location() != time.UTC || exp.Hour() != 0 {
			t.Fatalf("activity %d at %v: contract expires %v", a.ID, a.At, exp)
		}
		fu := byAct[a.ID]
		if fu == nil {
			t.Fatalf("activity %d: no follow-up", a.ID)
		}
		due := exp.AddDate(0, 0, -30)
		if local := a.At.In(time.FixedZone("CST", 8*3600)); due.Before(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)) {
			due = time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
		}
		if !fu.Due.Equal(due) || fu.CustomerID != a.CustomerID || fu.ManagerID != a.ManagerID || !fu.CreatedAt.Equal(a.At) {
			t.Fatalf("activity %d (expires %v): follow-up %+v", a.ID, exp, fu)
		}
	}
	if n == 0 || n != len(c.FollowUps) || open == 0 || open == n {
		t.Fatalf("%d contract signals, %d follow-ups, %d open", n, len(c.FollowUps), open)
	}
	t.Logf("%d contract follow-ups, %d open", n, open)
}
