// The canvassing route pages: a manager's day route and week plan
// (#/route, page.ts); leaders, planners and admins open any manager's
// (#/route/:managerId).
import type { Role } from "../api";
import { currentUser, registerPage } from "../app";
import "./messages";
import { renderRoute } from "./page";
import "./route.css";

/** ROUTE_ROLES open the route page: a manager his own, the others anyone's. */
export const ROUTE_ROLES: Role[] = ["manager", "leader", "planner", "admin"];

// In the navigation of managers only ("Route" / 今日路线); the others open
// it by its address.
registerPage({
  id: "route",
  navKey: "nav.route",
  roles: ROUTE_ROLES,
  order: 29,
  get nav() {
    return currentUser()?.user.role === "manager";
  },
  render: renderRoute,
});
