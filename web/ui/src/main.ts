// Entry point: styles, the pages (each registers itself), then the shell.
import "leaflet/dist/leaflet.css";
import "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css";
import "./styles.css";
import { initLang } from "./i18n";
import { start } from "./app";
import "./pages/map";
import "./pages/placeholders";
import "./pages/users";
import "./planner"; // after the placeholders: its pages replace them
import "./leadership"; // the coverage page for leaders, planners and admins

initLang();
void start();
