// The sales pages of the funnel: the manager's list (#/list, page.ts) with
// his funnel numbers, his claims about to lapse, his follow-ups, the grid's
// pool to claim from and the activity sheet (sheet.ts); the same list of
// any manager for leaders, planners and admins (#/list/:managerId); and
// the funnel chart of a grid, a district or the city (#/funnel, funnel.ts).
import type { Role } from "../api";
import { currentUser, registerPage } from "../app";
import { renderFunnel } from "./funnel";
import "./lists.css";
import "./messages";
import { renderList } from "./page";

/** LIST_ROLES open the list page: a manager his own, the others anyone's. */
export const LIST_ROLES: Role[] = ["manager", "leader", "planner", "admin"];

/** FUNNEL_ROLES open the funnel page. */
export const FUNNEL_ROLES: Role[] = ["leader", "planner", "admin"];

// The list page. Its navigation label is the
// manager's "My list", the others' "Lists" (the shell reads navKey when it
// draws the bar, after the login).
registerPage({
  id: "list",
  get navKey() {
    return currentUser()?.user.role === "manager" ? "nav.list" : "nav.lists";
  },
  roles: LIST_ROLES,
  order: 28,
  render: renderList,
});
registerPage({ id: "funnel", navKey: "nav.funnel", roles: FUNNEL_ROLES, order: 27, render: renderFunnel });
