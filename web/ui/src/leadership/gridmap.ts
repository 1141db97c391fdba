// The grid's map at the drill-down's last level: the grid's outline and the
// customers of the list's current page as dots coloured by their coverage,
// so a build list can be read on the ground.
import L from "leaflet";
import type { UIConfig, GridFeature } from "../api";
import { h } from "../dom";
import { t } from "../i18n";
import { propTable } from "../map/grids";
import { GRID_STYLE } from "../map/style";
import { ResourcesLayer } from "../map/resources";
import { createMap } from "../map/view";
import type { CoverageCustomer } from "./api";
import { STATUS_COLORS } from "./chart";

/** GridMap shows one grid and a page of its customers. */
export interface GridMap {
  el: HTMLElement;
  show(items: readonly CoverageCustomer[]): void;
  dispose(): void;
}

/** gridMap builds the map of grid g. */
export function gridMap(config: UIConfig, g: GridFeature, hooks: Record<string, unknown>): GridMap {
  const mapEl = h("div", { class: "cov-grid-map", "data-testid": "grid-map" });
  const el = h("section", { class: "cov-section" }, h("h2", null, t("gridmap.title")), h("p", { class: "hint" }, t("gridmap.hint")), mapEl);
  const { map, layers } = createMap(mapEl, config);
  const outline = L.geoJSON(g, { style: () => ({ ...GRID_STYLE, fillOpacity: 0.04 }), interactive: false });
  const dots = L.featureGroup();
  const resources = new ResourcesLayer().attach(map);
  layers.add("grids", "layers.grids", outline);
  layers.add("resources", "layers.resources", resources.layer);
  layers.add("customers", "layers.customers", dots);
  hooks.gridMap = { map, dots };
  map.setView([30.272, 120.165], 14); // until the element is in the page and has a size
  // Fit once the page has laid the map out (a detached element has no size).
  requestAnimationFrame(() => {
    map.invalidateSize();
    const b = outline.getBounds();
    if (b.isValid()) map.fitBounds(b, { padding: [16, 16], animate: false });
  });
  return {
    el,
    show(items) {
      dots.clearLayers();
      for (const c of items) {
        const color = STATUS_COLORS[c.coverage] ?? "#757575";
        L.circleMarker([c.lat, c.lng], { radius: 5, color: "#fff", weight: 1, fillColor: color, fillOpacity: 0.95 })
          .bindPopup(() => h("div", null, h("h3", { class: "popup-title" }, c.name), h("p", { class: "muted small" }, c.address), propTable([[t("list.coverage"), t(`cov.status.${c.coverage}`)]])))
          .addTo(dots);
      }
    },
    dispose() {
      resources.detach();
      (map as L.Map & { _animatingZoom?: boolean })._animatingZoom = false;
      map.remove();
    },
  };
}
