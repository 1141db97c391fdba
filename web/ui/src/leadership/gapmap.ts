// The gap map: H3 hexagons coloured by the weighted number of customers no
// resource covers (GET /api/coverage/gaps), and where to build next: K
// suggested sites of a given radius (GET /api/coverage/suggest), each a
// numbered marker with its coverage circle and a popup listing the
// customers it would cover. The page shows it for the whole city or for
// one district (with its grids outlined).
import L from "leaflet";
import { api, type UIConfig } from "../api";
import { describe } from "../app";
import { clear, h } from "../dom";
import { fmtNumber, t } from "../i18n";
import { toast } from "../toast";
import { DistrictsLayer } from "../map/districts";
import { pointInPolygon } from "../map/geom";
import { GridsLayer, propTable } from "../map/grids";
import { ResourcesLayer } from "../map/resources";
import { createMap, PANES } from "../map/view";
import { coverageApi, type GapCollection, type GapProps, type Scope, type SuggestedSite, type Suggestion } from "./api";

/** GAP_COLORS: light to dark as the uncovered weight grows (ColorBrewer RdPu). */
export const GAP_COLORS = ["#feebe2", "#fbb4b9", "#f768a1", "#c51b8a", "#7a0177"] as const;

/**
 * gapBreaks are the lower bounds of the colour classes above the first:
 * the weights' quintiles, so the colours spread over the hexagons whatever
 * the weights' scale (the first class starts at 0).
 */
export function gapBreaks(weights: readonly number[]): number[] {
  const w = weights.filter((x) => x > 0).sort((a, b) => a - b);
  if (w.length === 0) return [];
  const out: number[] = [];
  for (let i = 1; i < GAP_COLORS.length; i++) {
    const q = w[Math.min(w.length - 1, Math.floor((i * w.length) / GAP_COLORS.length))];
    if (q > (out[out.length - 1] ?? 0) && q > w[0]) out.push(q);
  }
  return out;
}

/** gapColor is the colour of a hexagon of weight w under breaks. */
export function gapColor(w: number, breaks: readonly number[]): string {
  let i = 0;
  while (i < breaks.length && w >= breaks[i]) i++;
  // Fewer breaks than classes (few distinct weights): use the darker end.
  return GAP_COLORS[Math.min(GAP_COLORS.length - 1, i + (GAP_COLORS.length - 1 - breaks.length))];
}

/** GapLayer draws the gap hexagons. */
export class GapLayer {
  readonly layer: L.GeoJSON<GapProps>;
  data: GapCollection = { type: "FeatureCollection", features: [] };
  breaks: number[] = [];

  constructor(renderer: L.Renderer) {
    this.layer = L.geoJSON<GapProps>(undefined, {
      // Not interactive: the resources' canvas above takes the clicks in
      // its pane; the map's click handler finds the hexagon instead (at).
      interactive: false,
      style: (f) => ({
        renderer,
        color: "#6a1b9a",
        weight: 0.5,
        opacity: 0.5,
        fillColor: gapColor(f?.properties.weight ?? 0, this.breaks),
        fillOpacity: 0.7,
      }),
    });
  }

  /** at is the hexagon holding a point, if any. */
  at(p: L.LatLng): GapCollection["features"][number] | undefined {
    return this.data.features.find((f) => pointInPolygon([p.lng, p.lat], f.geometry.coordinates));
  }

  /** popup is what a click on hexagon f shows. */
  static popup(f: GapCollection["features"][number]): HTMLElement {
    return propTable([
      [t("gaps.uncovered"), fmtNumber(f.properties.uncovered)],
      [t("gaps.weight"), fmtNumber(f.properties.weight)],
      [t("gaps.cell"), f.properties.cell],
    ]);
  }

  setData(fc: GapCollection): void {
    this.data = { ...fc, features: fc.features ?? [] };
    this.breaks = gapBreaks(this.data.features.map((f) => f.properties.weight));
    this.layer.clearLayers();
    this.layer.addData(this.data as GeoJSON.FeatureCollection);
  }

  /** legend is the colour classes with their weight ranges. */
  legend(): HTMLElement {
    const b = this.breaks;
    const first = GAP_COLORS.length - 1 - b.length;
    const items: HTMLElement[] = [];
    for (let i = 0; i <= b.length; i++) {
      const lo = i === 0 ? 0 : b[i - 1];
      const label = i < b.length ? `${fmtNumber(lo)}–${fmtNumber(b[i])}` : `≥ ${fmtNumber(lo)}`;
      const sw = h("span", { class: "swatch hex" });
      sw.style.background = GAP_COLORS[first + i];
      items.push(h("li", null, sw, label));
    }
    return h("ul", { class: "gap-legend", "data-testid": "gap-legend" }, items);
  }
}

/** How many customer names a site's popup shows at first (and per "more"). */
const POPUP_NAMES = 20;

/** SitesLayer draws the suggested sites: numbered markers and their circles. */
export class SitesLayer {
  readonly layer = L.featureGroup();
  sites: SuggestedSite[] = [];
  private markers = new Map<number, L.Marker>();

  constructor(private readonly signal: AbortSignal) {}

  set(sites: readonly SuggestedSite[], radiusM: number): void {
    this.sites = [...sites];
    this.layer.clearLayers();
    this.markers.clear();
    for (const s of this.sites) {
      const at = L.latLng(s.lat, s.lng);
      L.circle(at, { radius: radiusM, color: "#0d47a1", weight: 2, dashArray: "6 4", fillColor: "#42a5f5", fillOpacity: 0.12, interactive: false, pane: PANES.resources.name }).addTo(
        this.layer,
      );
      const icon = L.divIcon({ className: "site-marker", html: `<span>${s.rank}</span>`, iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -12] });
      const m = L.marker(at, { icon, title: t("sites.markerTitle", { rank: s.rank }), zIndexOffset: 1000 - s.rank, keyboard: true });
      m.bindPopup(() => this.popup(s), { maxWidth: 360, minWidth: 240 });
      m.addTo(this.layer);
      this.markers.set(s.rank, m);
    }
  }

  /** open opens the popup of the site ranked rank. */
  open(rank: number): void {
    this.markers.get(rank)?.openPopup();
  }

  /** popup lists the site's figures and the customers it would cover (names fetched on opening). */
  private popup(s: SuggestedSite): HTMLElement {
    const ids = s.customers ?? [];
    const list = h("ol", { class: "site-customers", "data-testid": "site-customers" });
    const more = h("button", { type: "button", class: "link small" }, t("sites.more"));
    let shown = 0;
    const showMore = async () => {
      const batch = ids.slice(shown, shown + POPUP_NAMES);
      shown += batch.length;
      more.hidden = shown >= ids.length;
      const items = batch.map((id) => {
        const li = h("li", { "data-customer": id }, `#${id}`);
        list.append(li);
        return { id, li };
      });
      await Promise.all(
        items.map(({ id, li }) =>
          api.customer(id, { signal: this.signal }).then(
            (c) => {
              li.replaceChildren(h("b", null, c.name), " ", h("small", { class: "muted" }, c.address));
            },
            () => undefined, // the id stays: better than nothing
          ),
        ),
      );
    };
    more.addEventListener("click", () => void showMore());
    void showMore();
    const rest = s.customer_count - ids.length;
    return h(
      "div",
      { class: "site-popup", "data-testid": "site-popup", "data-rank": s.rank },
      h("h3", null, t("sites.title", { rank: s.rank })),
      propTable([
        [t("sites.customers"), fmtNumber(s.customer_count)],
        [t("sites.weight"), fmtNumber(s.weight)],
        [t("sites.cell"), s.cell],
        [t("sites.at"), `${s.lat.toFixed(5)}, ${s.lng.toFixed(5)}`],
      ]),
      h("h4", null, t("sites.wouldCover")),
      list,
      more,
      rest > 0 ? h("p", { class: "muted small" }, t("sites.listCapped", { n: ids.length, total: s.customer_count })) : null,
    );
  }
}

/** GapMapOptions configure gapMap. */
export interface GapMapOptions {
  config: UIConfig;
  /** Only this district (and its grids); 0 for the whole city. */
  districtId: number;
  /** A test and debugging hook: the object the map's state is put on. */
  hooks: Record<string, unknown>;
}

/** Settings of the gap map kept across pages of this tab (not the data). */
const settings = { res: 9, k: 5, radius: 500 };

/** RESOLUTIONS the gap map offers (the API takes 7–10). */
export const RESOLUTIONS = [7, 8, 9, 10] as const;

/** GapMap is the page's map section. */
export interface GapMap {
  el: HTMLElement;
  /** load fetches the gaps and the suggested sites as of a date. */
  load(asOf: string): Promise<void>;
  dispose(): void;
}

/** gapMap builds the map section: the map, its controls and the list of suggested sites. */
export function gapMap(o: GapMapOptions): GapMap {
  const abort = new AbortController();
  const mapEl = h("div", { class: "cov-map", id: "coverage-map", "data-testid": "coverage-map" });
  const side = h("aside", { class: "cov-map-side" });
  const el = h(
    "section",
    { class: "cov-section cov-gaps", "data-testid": "gap-section" },
    h("h2", null, t(o.districtId ? "gaps.titleDistrict" : "gaps.title")),
    h("p", { class: "hint" }, t("gaps.hint")),
    h("div", { class: "cov-map-wrap" }, mapEl, side),
  );
  const handle = createMap(mapEl, o.config);
  const { map, layers } = handle;
  const renderer = L.canvas({ padding: 0.3 });
  const districts = new DistrictsLayer().attach(map);
  const grids = o.districtId ? new GridsLayer({ labelMinZoom: 12 }).attach(map) : null;
  const gaps = new GapLayer(renderer);
  const sites = new SitesLayer(abort.signal);
  const resources = new ResourcesLayer().attach(map);
  layers.add("districts", "layers.districts", districts.layer);
  if (grids) {
    layers.add("grids", "layers.grids", grids.layer);
    grids.setStyle(() => ({ fillOpacity: 0, weight: 1 }));
  }
  layers.add("resources", "layers.resources", resources.layer);
  layers.add("gaps", "layers.gaps", gaps.layer);
  layers.add("sites", "layers.sites", sites.layer);
  map.setView([30.272, 120.165], 11);
  map.on("click", (e: L.LeafletMouseEvent) => {
    if (!map.hasLayer(gaps.layer)) return;
    const f = gaps.at(e.latlng);
    if (f) L.popup().setLatLng(e.latlng).setContent(GapLayer.popup(f)).openOn(map);
  });
  let asOf = "";
  let fitted = false;
  // The sites are suggested with the defaults at once; a new date suggests
  // again with the settings then.
  let suggestedOnce = true;
  Object.assign(o.hooks, { map, gaps, sites, districts, grids });

  // Controls: resolution, K, radius, the button; the result and the sites.
  const res = h(
    "select",
    { "data-testid": "gap-res" },
    RESOLUTIONS.map((r) => h("option", { value: r, selected: r === settings.res }, t("gaps.res", { r }))),
  );
  const k = h("input", { type: "number", min: 1, max: 50, step: 1, value: settings.k, "data-testid": "suggest-k", required: true });
  const radius = h("input", { type: "number", min: 50, max: 50000, step: 50, value: settings.radius, "data-testid": "suggest-radius", required: true });
  const go = h("button", { type: "button", class: "primary", "data-testid": "suggest-go" }, t("sites.suggest"));
  const gapInfo = h("p", { class: "small", "data-testid": "gap-info" });
  const legendBox = h("div");
  const result = h("div", { class: "sites-result", "data-testid": "sites-result" });
  side.append(
    h("label", { class: "field" }, h("span", null, t("gaps.resLabel")), res),
    gapInfo,
    legendBox,
    h("h3", null, t("sites.heading")),
    h("p", { class: "hint" }, t("sites.hint")),
    h("div", { class: "field-row" }, h("label", { class: "field" }, h("span", null, t("sites.k")), k), h("label", { class: "field" }, h("span", null, t("sites.radius")), radius)),
    go,
    result,
  );
  // The hexagon size is the gap map's only: the sites' candidates are
  // cells the server sizes to the radius.
  res.addEventListener("change", () => {
    settings.res = Number(res.value);
    void loadGaps();
  });
  go.addEventListener("click", () => void suggest());
  for (const input of [k, radius]) input.addEventListener("keydown", (e) => e.key === "Enter" && void suggest());

  const scope = (): Scope => ({ as_of: asOf || undefined, district_id: o.districtId || undefined });

  let gapsCtl: AbortController | null = null;
  async function loadGaps(): Promise<void> {
    gapsCtl?.abort();
    const ctl = (gapsCtl = new AbortController());
    abort.signal.addEventListener("abort", () => ctl.abort());
    gapInfo.textContent = t("page.loading");
    try {
      const fc = await coverageApi.gaps({ ...scope(), res: settings.res }, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      gaps.setData(fc);
      const n = gaps.data.features.reduce((a, f) => a + f.properties.uncovered, 0);
      const w = gaps.data.features.reduce((a, f) => a + f.properties.weight, 0);
      gapInfo.textContent = t("gaps.info", { cells: gaps.data.features.length, n, w });
      gapInfo.dataset.cells = String(gaps.data.features.length);
      legendBox.replaceChildren(h("h4", null, t("gaps.legend")), gaps.legend());
      o.hooks.gapsLoaded = (Number(o.hooks.gapsLoaded) || 0) + 1;
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") return;
      gapInfo.textContent = describe(e);
      gapInfo.classList.add("error");
    }
  }

  let suggestCtl: AbortController | null = null;
  async function suggest(): Promise<void> {
    const kv = Number(k.value);
    const rv = Number(radius.value);
    if (!Number.isInteger(kv) || kv < 1 || kv > 50) {
      toast(t("sites.badK"), "error");
      k.focus();
      return;
    }
    if (!Number.isFinite(rv) || rv < 50 || rv > 50000) {
      toast(t("sites.badRadius"), "error");
      radius.focus();
      return;
    }
    settings.k = kv;
    settings.radius = rv;
    suggestedOnce = true;
    suggestCtl?.abort();
    const ctl = (suggestCtl = new AbortController());
    abort.signal.addEventListener("abort", () => ctl.abort());
    go.disabled = true;
    result.dataset.state = "loading";
    clear(result);
    result.append(h("p", { class: "muted" }, t("sites.computing")));
    try {
      const sg = await coverageApi.suggest({ ...scope(), k: kv, radius: rv }, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      o.hooks.suggestion = sg;
      const list = sg.sites ?? [];
      sites.set(list, rv);
      renderResult(sg, rv);
      result.dataset.state = "ready";
      if (list.length) {
        const b = sites.layer.getBounds();
        if (b.isValid()) map.fitBounds(b.pad(0.2), { animate: false, maxZoom: 15 });
      }
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") return;
      result.dataset.state = "error";
      clear(result);
      result.append(h("p", { class: "error" }, describe(e)));
    } finally {
      if (suggestCtl === ctl) go.disabled = false;
    }
  }

  function renderResult(sg: Suggestion, rv: number): void {
    clear(result);
    const list = sg.sites ?? [];
    // uncovered_weight is the whole gap before any site is built.
    const total = sg.uncovered_weight;
    const covered = sg.covered_customers ?? list.reduce((a, s) => a + s.customer_count, 0);
    result.append(
      h(
        "p",
        { class: "small", "data-testid": "sites-summary" },
        list.length
          ? t("sites.summary", {
              n: list.length,
              r: rv,
              customers: covered,
              uncovered: sg.uncovered_customers ?? 0,
              w: sg.covered_weight,
              total,
              pct: total > 0 ? `${((100 * sg.covered_weight) / total).toFixed(1)}%` : "0%",
            })
          : t("sites.none"),
      ),
    );
    if (!list.length) return;
    result.append(
      h(
        "ol",
        { class: "sites-list" },
        list.map((s) =>
          h(
            "li",
            { "data-rank": s.rank },
            h(
              "button",
              {
                type: "button",
                class: "link",
                "data-testid": "site-item",
                onclick: () => {
                  map.setView([s.lat, s.lng], Math.max(map.getZoom(), 14), { animate: false });
                  sites.open(s.rank);
                },
              },
              t("sites.item", { rank: s.rank, customers: s.customer_count, w: s.weight }),
            ),
          ),
        ),
      ),
      h("p", { class: "muted small" }, t("sites.method", { method: sg.method, candidates: sg.candidates ?? 0, res: sg.res ?? "?" })),
    );
  }

  async function loadContext(): Promise<void> {
    try {
      await districts.load(abort.signal);
      if (grids) grids.setData(await api.grids({ district_id: o.districtId }, { signal: abort.signal }));
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") return;
      toast(t("map.loadFailed", { what: t("layers.districts"), error: describe(e) }), "error");
    }
    if (abort.signal.aborted || fitted) return;
    fitted = true;
    const f = o.districtId ? districts.data.features.find((d) => d.properties.id === o.districtId) : null;
    const b = f ? L.geoJSON(f).getBounds() : districts.boundaries.getBounds();
    if (b.isValid()) map.fitBounds(b, { padding: [12, 12], animate: false });
  }
  const context = loadContext();
  requestAnimationFrame(() => map.invalidateSize());

  return {
    el,
    async load(d: string): Promise<void> {
      asOf = d;
      await context;
      await Promise.all([loadGaps(), suggestedOnce ? suggest() : Promise.resolve()]);
    },
    dispose(): void {
      abort.abort();
      districts.detach();
      grids?.detach();
      resources.detach();
      (map as L.Map & { _animatingZoom?: boolean })._animatingZoom = false;
      map.remove();
    },
  };
}
