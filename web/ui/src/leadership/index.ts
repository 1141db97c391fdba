// The leadership page (#/coverage, page.ts): coverage of the customers by
// existing, under-construction and planned resources per district and grid,
// as of today or a coming quarter end; the stacked bars (ECharts); the gap
// map with the suggested sites; the drill-down to a grid's build and attack
// lists; the XLSX export. Leaders, planners and admins see it; a customer
// manager does not (and the API refuses him).
import type { Role } from "../api";
import { registerPage } from "../app";
import "./leadership.css";
import "./messages";
import { renderCoverage } from "./page";

/** ROLES that open the leadership page (the API's coverage policy). */
export const ROLES: Role[] = ["leader", "planner", "admin"];

registerPage({ id: "coverage", navKey: "nav.coverage", roles: ROLES, order: 25, render: renderCoverage });
