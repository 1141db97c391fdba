// The planner's pages and map tools: the plans page (drafts, history,
// compare, export and import), the map in plan mode (#/map/plan/12: draw,
// edit, split, merge and delete grids with a preview of every edit, the
// validation report, submit / approve / publish) and the map's search box.
import type L from "leaflet";
import type { PageContext } from "../app";
import { registerMapExtension, type MapView } from "../pages/map";
import "./planner.css";
import "./leaflet-guards";
import "./messages";
import "./plans";
import { openPlanOnMap, PlanEditor } from "./editor";
import { testHooks } from "./hooks";
import { livePlans } from "./live";
import { SearchControl } from "./search";
import { splitPolygon, splitShape } from "./shapes";

testHooks().shapes = { splitPolygon, splitShape };

registerMapExtension((view: MapView, ctx: PageContext) => {
  const cleanups: (() => void)[] = [];
  const planID = ctx.params[0] === "plan" ? Number(ctx.params[1]) : 0;
  const search = new SearchControl(view, (g) => {
    // In plan mode a grid found is the plan's grid standing for it.
    const ed = testHooks().planner;
    if (!(ed instanceof PlanEditor)) return false;
    const f = ed.active().find((x) => x.properties.grid_id === g.id) ?? ed.active().find((x) => x.properties.code === g.code);
    if (!f) return false;
    ed.focusGrid(f.properties.id);
    return true;
  });
  search.addTo(view.map);
  cleanups.push(() => search.remove());
  if (planID > 0 && Number.isInteger(planID)) cleanups.push(openPlanOnMap(view, ctx, planID));
  else cleanups.push(livePlans(view, ctx));
  return () => {
    for (const c of cleanups.reverse()) c();
    // Leaving the page while a zoom animates (a search hit, a violation, a
    // plan just loaded): Leaflet 1.9's map.remove() leaves the animation's
    // end timer running, which then reads the removed panes (an uncaught
    // TypeError). That handler returns early when no zoom is animating.
    (view.map as L.Map & { _animatingZoom?: boolean })._animatingZoom = false;
  };
});
