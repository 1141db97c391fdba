// The list-balancing page (#/balance, page.ts): a planner runs the balancer
// for a grid or a district, reviews the proposal on the map (customers
// coloured by their proposed manager, every change an arrow from the old
// manager or the pool to the new one, the managers' bases) and in the
// tables (each manager's list before and after, the changes with their
// reasons), and accepts all or part of it; the accepted changes become
// claims. Planners and admins (the API's policy: balance_lists).
import type { Role } from "../api";
import { registerPage } from "../app";
import "./balance.css";
import "./messages";
import { renderBalance } from "./page";

/** BALANCE_ROLES open the page. */
export const BALANCE_ROLES: Role[] = ["planner", "admin"];

registerPage({ id: "balance", navKey: "nav.balance", roles: BALANCE_ROLES, order: 29, render: renderBalance });
