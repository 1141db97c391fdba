package demo

import "gridplan/territory"

// DemoPassword is the password of every demo login.
const DemoPassword = "demo"

// buildUsers makes the demo logins: admin, planner and leader, and one per
// manager whose username is the manager's code (m001 …). Password hashes
// are left to Load, which hashes DemoPassword once for all of them.
func (g *gen) buildUsers() error {
	at := g.opts.Now.Truncate(1e9).UTC()
	c := g.city
	add := func(username, display string, role territory.Role, managerID int64) {
		c.Users = append(c.Users, &territory.User{
			ID: int64(len(c.Users) + 1), Username: username, DisplayName: display,
			Role: role, ManagerID: managerID, CreatedAt: at,
		})
	}
	add("admin", "系统管理员", territory.RoleAdmin, 0)
	add("planner", "网格规划员", territory.RolePlanner, 0)
	add("leader", "分公司领导", territory.RoleLeader, 0)
	mgrUser := make([]int64, len(c.Managers))
	for i, m := range c.Managers {
		add(m.Code, m.Name, territory.RoleManager, m.ID)
		mgrUser[i] = int64(len(c.Users))
	}
	// A manager's stage changes were made from his login.
	for i, t := range c.Transitions {
		if by := g.transBy[i]; by >= 0 {
			t.UserID = mgrUser[by]
		}
	}
	return nil
}
