// The grids layer (SVG polygons in the overlay pane) and their labels: code,
// manager count and customer count. Labels are drawn only for the grids in
// view that are big enough on screen, so a province's thousands of grids
// cost nothing when zoomed out.
import L from "leaflet";
import type { Feature, MultiPolygon, Polygon } from "geojson";
import { api, type GridCollection, type GridFeature, type GridProps } from "../api";
import { fmtNumber, t } from "../i18n";
import { bbox, labelPoint } from "./geom";
import { layoutLabels, type LabelCandidate } from "./labels";
import { GRID_SELECTED_STYLE, GRID_STYLE } from "./style";
import { PANES } from "./view";

export type GridStyleFn = (props: GridProps) => L.PathOptions;

export interface GridsLayerOptions {
  /** No labels below this zoom (default 10), whatever the grids' size. */
  labelMinZoom?: number;
}

/** GridsLayer shows the grids of a FeatureCollection and labels them. */
export class GridsLayer {
  /** The polygons; each child layer has .feature (GridFeature). */
  readonly layer: L.GeoJSON<GridProps>;
  /** The labels, a separate overlay so the switcher can hide them. */
  readonly labels: L.LayerGroup;
  data: GridCollection = { type: "FeatureCollection", features: [] };
  private byId = new Map<number, L.Path>();
  private anchors = new Map<number, { at: L.LatLng; box: L.LatLngBounds }>();
  private selected: number | null = null;
  private styleFn: GridStyleFn = () => GRID_STYLE;
  private readonly labelMinZoom: number;
  private map: L.Map | null = null;
  private readonly onMove = () => this.drawLabels();

  constructor(opts: GridsLayerOptions = {}) {
    this.labelMinZoom = opts.labelMinZoom ?? 10;
    this.layer = L.geoJSON<GridProps>(undefined, {
      style: (f) => this.styleOf(f as GridFeature),
      onEachFeature: (f, l) => {
        const id = (f as GridFeature).properties.id;
        this.byId.set(id, l as L.Path);
        (l as L.Path).options.className = `grid grid-${id}`;
      },
    });
    this.labels = L.layerGroup([], { pane: PANES.labels.name });
  }

  /** attach follows the map's moves to redraw the labels. */
  attach(map: L.Map): this {
    this.map = map;
    map.on("moveend zoomend", this.onMove);
    map.on("overlayadd overlayremove", this.onMove);
    return this;
  }

  detach(): void {
    this.map?.off("moveend zoomend", this.onMove);
    this.map?.off("overlayadd overlayremove", this.onMove);
    this.map = null;
  }

  /** load fetches the live grids (GET /api/grids) and shows them. */
  async load(signal?: AbortSignal): Promise<GridCollection> {
    const fc = await api.grids(undefined, { signal });
    this.setData(fc);
    return fc;
  }

  /** setData replaces the grids shown (the planner pages show a plan's grids this way). */
  setData(fc: GridCollection): void {
    this.data = fc;
    this.layer.clearLayers();
    this.byId.clear();
    this.anchors.clear();
    this.layer.addData(fc as GeoJSON.FeatureCollection);
    for (const f of fc.features) {
      const p = labelPoint(f.geometry as Polygon | MultiPolygon);
      if (!p) continue;
      const [w, s, e, n] = bbox(f.geometry as Polygon | MultiPolygon);
      this.anchors.set(f.properties.id, { at: L.latLng(p[1], p[0]), box: L.latLngBounds([s, w], [n, e]) });
    }
    this.drawLabels();
  }

  /** setStyle changes how grids are drawn (e.g. by validation result) and restyles them. */
  setStyle(fn: GridStyleFn): void {
    this.styleFn = fn;
    this.restyle();
  }

  restyle(): void {
    this.layer.setStyle((f) => this.styleOf(f as GridFeature));
  }

  private styleOf(f: GridFeature | undefined): L.PathOptions {
    if (!f) return GRID_STYLE;
    const base = { ...GRID_STYLE, ...this.styleFn(f.properties) };
    return f.properties.id === this.selected ? { ...base, ...GRID_SELECTED_STYLE } : base;
  }

  /** path is the polygon of grid id. */
  path(id: number): L.Path | undefined {
    return this.byId.get(id);
  }

  feature(id: number): GridFeature | undefined {
    return this.data.features.find((f) => f.properties.id === id);
  }

  /** select highlights one grid (null: none). */
  select(id: number | null): void {
    this.selected = id;
    this.restyle();
    if (id !== null) (this.byId.get(id) as L.Polygon | undefined)?.bringToFront();
  }

  /** labelText is the label's two lines: the code, then managers · customers when known. */
  static labelLines(p: GridProps): [string, string] {
    const parts: string[] = [];
    if (typeof p.manager_count === "number") parts.push(`${fmtNumber(p.manager_count)} ${t(p.manager_count === 1 ? "grid.manager" : "grid.managers")}`);
    if (typeof p.customer_count === "number") parts.push(`${fmtNumber(p.customer_count)} ${t(p.customer_count === 1 ? "grid.customer" : "grid.customers")}`);
    return [p.code, parts.join(" · ")];
  }

  /**
   * drawLabels labels the grids in view that are big enough on screen: the
   * code from about 50×18 px, the counts too from about 90×40 px, without
   * overlaps (layoutLabels).
   */
  drawLabels(): void {
    const map = this.map;
    if (!map || !map.hasLayer(this.labels) || !map.hasLayer(this.layer) || map.getZoom() < this.labelMinZoom) {
      this.labels.clearLayers();
      return;
    }
    const cands: LabelCandidate[] = [];
    for (const f of this.data.features) {
      const a = this.anchors.get(f.properties.id);
      if (!a) continue;
      const [title, detail] = GridsLayer.labelLines(f.properties);
      cands.push({ at: a.at, box: a.box, title, detail });
    }
    layoutLabels(map, this.labels, cands, { className: "grid-label", minWidth: 50, minHeight: 18, detailWidth: 90, detailHeight: 40, charWidth: 7.5 });
  }

  /** popup is the content shown when a grid is clicked. */
  static popup(f: Feature<Polygon | MultiPolygon, GridProps>, districtName?: string): HTMLElement {
    const p = f.properties;
    const rows: [string, string][] = [
      [t("grid.code"), p.code],
      [t("grid.name"), p.name],
    ];
    if (districtName) rows.push([t("grid.district"), districtName]);
    if (typeof p.manager_count === "number") rows.push([t("grid.managers"), fmtNumber(p.manager_count)]);
    if (typeof p.customer_count === "number") rows.push([t("grid.customers"), fmtNumber(p.customer_count)]);
    rows.push([t("grid.version"), String(p.version)]);
    return propTable(rows);
  }
}

/** propTable renders label/value rows as a small table. */
export function propTable(rows: [string, string][]): HTMLElement {
  const table = document.createElement("table");
  table.className = "props";
  for (const [k, v] of rows) {
    const tr = table.insertRow();
    const th = document.createElement("th");
    th.textContent = k;
    tr.appendChild(th);
    tr.insertCell().textContent = v;
  }
  return table;
}
