// Entry point: styles, the pages (each registers itself), then the shell.
import "leaflet/dist/leaflet.css";
import "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css";
import "./styles.css";
import { initLang } from "./i18n";
import { start } from "./app";
import "./pages/map";
import "./pages/users";
import "./planner"; // the plans pages and the map's planning tools
import "./leadership"; // the coverage page for leaders, planners and admins
import "./lists"; // the manager's list and the funnel charts
import "./balance"; // list balancing: proposals on the map, accepted into claims
import "./route"; // canvassing routes: a manager's day and week

initLang();
void start();
