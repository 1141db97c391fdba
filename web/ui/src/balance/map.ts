// The proposal's map: the scope's grids, every customer taking part as a
// dot coloured by his proposed manager (hollow grey: left in the pool; a
// dark ring: a locked claim), the managers' bases as labelled squares, and
// every change as an arrow — a polyline from the old manager's base (or the
// customer, from the pool) through the customer to the new manager's base
// (or the customer, back to the pool), its head an SVG marker in the new
// manager's colour.
import L from "leaflet";
import type { GridFeature, UIConfig } from "../api";
import { h } from "../dom";
import { fmtNumber, t } from "../i18n";
import { propTable } from "../map/grids";
import { GRID_STYLE } from "../map/style";
import { createMap } from "../map/view";
import type { Proposal, ProposalChange, ProposalCustomer, ProposalManager } from "./api";

/** MANAGER_COLORS: a categorical palette; managers beyond it reuse it in order. */
export const MANAGER_COLORS = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
  "#e377c2", "#17becf", "#bcbd22", "#393b79", "#ad494a", "#637939",
] as const;

/** POOL_COLOR marks what stays in (or goes back to) the pool. */
export const POOL_COLOR = "#9e9e9e";

/** colorOf gives each manager of the proposal his colour, in the order of the managers' table. */
export function managerColors(managers: readonly ProposalManager[]): Map<number, string> {
  const out = new Map<number, string>();
  managers.forEach((m, i) => out.set(m.id, MANAGER_COLORS[i % MANAGER_COLORS.length]));
  return out;
}

const ARROW_PANE = "gp-balance-arrows";
const DOT_PANE = "gp-balance-dots";
const SVG_NS = "http://www.w3.org/2000/svg";
/** ARROW_GAP: an arrow to a base ends this share of its last leg before it. */
const ARROW_GAP = 0.12;

/** ProposalMap draws one proposal at a time. */
export class ProposalMap {
  readonly el: HTMLElement;
  readonly map: L.Map;
  private readonly grids = L.featureGroup();
  private readonly dots = L.featureGroup();
  private readonly arrows = L.featureGroup();
  private readonly bases = L.featureGroup();
  private readonly arrowRenderer: L.Renderer;
  private readonly dotRenderer: L.Renderer;
  private readonly arrowOf = new Map<number, L.Polyline>();
  private readonly dotOf = new Map<number, L.CircleMarker>();
  private readonly hooks: Record<string, unknown>;

  constructor(config: UIConfig, hooks: Record<string, unknown>) {
    this.hooks = hooks;
    const mapEl = h("div", { class: "bal-map", "data-testid": "balance-map" });
    this.el = h("section", { class: "bal-section bal-map-box" }, mapEl, this.legend());
    const { map, layers } = createMap(mapEl, config);
    this.map = map;
    map.createPane(DOT_PANE).style.zIndex = "410";
    map.createPane(ARROW_PANE).style.zIndex = "420";
    this.dotRenderer = L.canvas({ pane: DOT_PANE, padding: 0.3 });
    this.arrowRenderer = L.svg({ pane: ARROW_PANE, padding: 0.3 });
    layers.add("bal-grids", "bal.layer.grids", this.grids);
    layers.add("bal-customers", "bal.layer.customers", this.dots);
    layers.add("bal-arrows", "bal.layer.moves", this.arrows);
    layers.add("bal-bases", "bal.layer.managers", this.bases);
    map.setView([30.272, 120.165], 13);
    hooks.map = map;
  }

  private legend(): HTMLElement {
    const swatch = (cls: string) => h("span", { class: `bal-swatch ${cls}` });
    return h(
      "div",
      { class: "bal-legend", "data-testid": "balance-legend" },
      h("span", null, swatch("dot"), t("bal.legend.dot")),
      h("span", null, swatch("pool"), t("bal.legend.pool")),
      h("span", null, swatch("locked"), t("bal.legend.locked")),
      h("span", null, swatch("arrow"), t("bal.legend.arrow")),
      h("span", null, swatch("base"), t("bal.legend.base")),
    );
  }

  /** show draws proposal p over the scope's grids. */
  show(p: Proposal, colors: Map<number, string>, grids: readonly GridFeature[]): void {
    this.grids.clearLayers();
    this.dots.clearLayers();
    this.arrows.clearLayers();
    this.bases.clearLayers();
    this.arrowOf.clear();
    this.dotOf.clear();
    this.map.invalidateSize();

    for (const g of grids) {
      L.geoJSON(g, { style: () => ({ ...GRID_STYLE, fillOpacity: 0.03 }), interactive: false }).addTo(this.grids);
    }
    const mgr = new Map(p.managers.map((m) => [m.id, m]));
    const name = (id: number) => {
      const m = mgr.get(id);
      return m ? `${m.name} (${m.code})` : t("bal.pool");
    };
    const dotColors: Record<number, string> = {};
    for (const c of p.customers) {
      const color = c.proposed ? (colors.get(c.proposed) ?? POOL_COLOR) : POOL_COLOR;
      dotColors[c.id] = c.proposed ? color : "pool";
      const dot = L.circleMarker([c.lat, c.lng], {
        renderer: this.dotRenderer,
        radius: c.holder !== c.proposed ? 6 : 4.5,
        color: c.locked ? "#263238" : c.proposed ? "#fff" : POOL_COLOR,
        weight: c.locked ? 2 : 1,
        fillColor: c.proposed ? color : "#fff",
        fillOpacity: 0.95,
      });
      dot.bindPopup(() => this.customerPopup(c, name));
      dot.addTo(this.dots);
      this.dotOf.set(c.id, dot);
    }

    const byID = new Map(p.customers.map((c) => [c.id, c]));
    for (const ch of p.changes) {
      const c = byID.get(ch.customer_id);
      if (!c) continue;
      const pts: L.LatLngTuple[] = [];
      const from = mgr.get(ch.from);
      const to = mgr.get(ch.to);
      if (from) pts.push([from.lat, from.lng]);
      pts.push([c.lat, c.lng]);
      if (to) {
        // Stop short of the base, so the head shows beside its mark.
        const [lat, lng] = pts[pts.length - 1];
        pts.push([to.lat + (lat - to.lat) * ARROW_GAP, to.lng + (lng - to.lng) * ARROW_GAP]);
      }
      const color = to ? (colors.get(to.id) ?? POOL_COLOR) : POOL_COLOR;
      const line = L.polyline(pts, {
        renderer: this.arrowRenderer,
        color,
        weight: 2,
        opacity: 0.85,
        className: "bal-arrow",
        interactive: true,
      });
      line.bindTooltip(() => `${ch.customer_name}: ${name(ch.from)} → ${name(ch.to)}`, { sticky: true });
      line.addTo(this.arrows);
      this.arrowOf.set(ch.customer_id, line);
    }
    this.arrowHeads(p.changes, colors);

    for (const m of p.managers) {
      const color = colors.get(m.id) ?? POOL_COLOR;
      // A pin: the code in a label above a small square at the base itself.
      const icon = L.divIcon({
        className: "bal-base",
        html: h(
          "span",
          { class: "bal-base-pin", "data-manager": m.id },
          h("span", { class: "bal-base-mark", style: `background:${color}` }, m.code),
          h("span", { class: "bal-base-dot", style: `background:${color}` }),
        ),
        iconSize: [0, 0],
        iconAnchor: [0, 0],
      });
      L.marker([m.lat, m.lng], { icon, keyboard: false, title: `${m.name} (${m.code})`, zIndexOffset: 500 })
        .bindPopup(() => this.managerPopup(m))
        .addTo(this.bases);
    }

    this.hooks.arrows = this.arrowOf.size;
    this.hooks.dots = this.dotOf.size;
    this.hooks.dotColors = dotColors;
    const b = L.featureGroup([this.grids, this.dots, this.bases]).getBounds();
    if (b.isValid()) this.map.fitBounds(b, { padding: [20, 20], animate: false, maxZoom: 17 });
  }

  /**
   * arrowHeads gives every arrow an SVG marker head in its colour: one
   * <marker> per colour in the arrows' SVG, referenced by marker-end (the
   * head keeps its size at every zoom).
   */
  private arrowHeads(changes: readonly ProposalChange[], colors: Map<number, string>): void {
    const svg = this.map.getPane(ARROW_PANE)?.querySelector("svg");
    if (!svg) return;
    let defs = svg.querySelector("defs");
    if (!defs) {
      defs = document.createElementNS(SVG_NS, "defs");
      svg.insertBefore(defs, svg.firstChild);
    }
    const ids = new Map<string, string>();
    const headFor = (color: string): string => {
      let id = ids.get(color);
      if (id) return id;
      id = `bal-head-${color.replace(/[^0-9a-z]/gi, "")}`;
      ids.set(color, id);
      if (!defs!.querySelector(`#${id}`)) {
        const marker = document.createElementNS(SVG_NS, "marker");
        for (const [k, v] of Object.entries({ id, viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "11", markerHeight: "11", markerUnits: "userSpaceOnUse", orient: "auto" })) {
          marker.setAttribute(k, v);
        }
        const path = document.createElementNS(SVG_NS, "path");
        path.setAttribute("d", "M0,0 L10,5 L0,10 z");
        path.setAttribute("fill", color);
        marker.append(path);
        defs!.append(marker);
      }
      return id;
    };
    for (const ch of changes) {
      const line = this.arrowOf.get(ch.customer_id);
      const el = line?.getElement();
      if (!el) continue;
      const color = ch.to ? (colors.get(ch.to) ?? POOL_COLOR) : POOL_COLOR;
      el.setAttribute("marker-end", `url(#${headFor(color)})`);
      el.setAttribute("data-customer", String(ch.customer_id));
    }
  }

  /** mark shows a change as selected, left out, applied or refused. */
  mark(customerId: number, state: "selected" | "unselected" | "applied" | "refused"): void {
    const el = this.arrowOf.get(customerId)?.getElement();
    if (!el) return;
    el.classList.remove("selected", "unselected", "applied", "refused");
    el.classList.add(state);
  }

  /** focus centres the map on a customer and opens his popup. */
  focus(customerId: number): void {
    const dot = this.dotOf.get(customerId);
    if (!dot) return;
    this.map.setView(dot.getLatLng(), Math.max(this.map.getZoom(), 16), { animate: false });
    dot.openPopup();
  }

  private customerPopup(c: ProposalCustomer, name: (id: number) => string): HTMLElement {
    const rows: [string, string][] = [
      [t("bal.col.stage"), t(`stage.${c.stage}`)],
      [t("bal.col.holder"), name(c.holder)],
      [t("bal.col.proposed"), name(c.proposed)],
      [t("bal.col.weight"), fmtNumber(c.weight)],
    ];
    if (c.locked) rows.push([t("bal.col.claim"), t("bal.locked")]);
    else if (c.lapsing) rows.push([t("bal.col.claim"), t("bal.lapsing")]);
    return h("div", null, h("h3", { class: "popup-title" }, c.name), propTable(rows));
  }

  private managerPopup(m: ProposalManager): HTMLElement {
    return h(
      "div",
      null,
      h("h3", { class: "popup-title" }, `${m.name} (${m.code})`),
      propTable([
        [t("bal.col.quota"), `${m.min}–${m.max}`],
        [t("bal.col.before"), String(m.before)],
        [t("bal.col.after"), String(m.after)],
      ]),
    );
  }

  dispose(): void {
    (this.map as L.Map & { _animatingZoom?: boolean })._animatingZoom = false;
    this.map.remove();
  }
}
