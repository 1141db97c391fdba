// The map page: districts, grids with labels, customers as vector tiles,
// resources; layer switcher, legend, an overview panel. It is read-only; the
// planner module adds drawing and editing through registerMapExtension,
// which hands it the MapView (the Leaflet map, the layer registry, the
// layers, the side panel).
import L from "leaflet";
import { api } from "../api";
import { describe, registerPage, type Cleanup, type PageContext } from "../app";
import { clear, h } from "../dom";
import { fmtNumber, t } from "../i18n";
import { toast } from "../toast";
import { CustomerTiles, POINTS_MIN_ZOOM, type TilePoint } from "../map/customers";
import { pointInPolygon } from "../map/geom";
import { GridsLayer, propTable } from "../map/grids";
import { DistrictsLayer } from "../map/districts";
import { Legend } from "../map/legend";
import { ResourcesLayer } from "../map/resources";
import { createMap, savedView, type MapHandle } from "../map/view";

/** The demo city's centre (Wulin Square, Hangzhou), when there is nothing to fit. */
const FALLBACK_CENTER: L.LatLngExpression = [30.272, 120.165];

export type LayerName = "districts" | "grids" | "resources" | "customers";

/** MapView is what the map page hands to its extensions. */
export interface MapView extends MapHandle {
  districts: DistrictsLayer;
  grids: GridsLayer;
  resources: ResourcesLayer;
  customers: CustomerTiles;
  /** The side panel; extensions append their sections to it. */
  panel: HTMLElement;
  /** The page's root (map and panel). */
  root: HTMLElement;
  /** When false, clicks on the map open no info popups (e.g. while drawing). */
  infoPopups: boolean;
  /** reload fetches the named layers again (all by default); customer tiles are revalidated (ETag). */
  reload(which?: LayerName[]): Promise<void>;
  /** fitAll zooms to the districts (or the grids when there are no districts). */
  fitAll(): void;
  districtName(id: number): string | undefined;
}

export type MapExtension = (view: MapView, ctx: PageContext) => Cleanup | void;

const extensions: MapExtension[] = [];

/** registerMapExtension adds a module to every map page (the planner's editing tools). */
export function registerMapExtension(ext: MapExtension): void {
  extensions.push(ext);
}

declare global {
  interface Window {
    /** Test and debugging hook: the current map page's view. */
    gridplan?: { view?: MapView };
  }
}

function renderMap(ctx: PageContext): Cleanup {
  const mapEl = h("div", { class: "map", id: "map" });
  const panel = h("aside", { class: "panel", id: "map-panel" });
  const root = h("div", { class: "map-page" }, mapEl, panel);
  ctx.root.append(root);

  const handle = createMap(mapEl, ctx.config);
  const { map, layers } = handle;
  const abort = new AbortController();

  const districts = new DistrictsLayer().attach(map);
  const grids = new GridsLayer().attach(map);
  const resources = new ResourcesLayer().attach(map);
  const customers = new CustomerTiles();
  resources.onError = (e) => toast(t("map.loadFailed", { what: t("layers.resources"), error: describe(e) }), "error");
  let tileErrorShown = false;
  customers.onError = (e) => {
    if (!tileErrorShown) toast(t("map.tilesFailed", { error: e.message }), "error");
    tileErrorShown = true;
  };

  layers.add("customers", "layers.customers", customers);
  layers.add("districts", "layers.districts", districts.layer);
  layers.add("grids", "layers.grids", grids.layer);
  layers.add("gridLabels", "layers.gridLabels", grids.labels);
  layers.add("resources", "layers.resources", resources.layer);
  new Legend().addTo(map);

  const view: MapView = {
    ...handle,
    districts,
    grids,
    resources,
    customers,
    panel,
    root,
    infoPopups: true,
    reload,
    fitAll,
    districtName: (id) => districts.name(id),
  };

  const saved = savedView();
  if (saved) map.setView(saved.center, saved.zoom);
  else map.setView(FALLBACK_CENTER, 12);

  function fitAll(): void {
    const b = districts.boundaries.getBounds();
    if (b.isValid()) map.fitBounds(b, { padding: [16, 16] });
    else if (grids.layer.getBounds().isValid()) map.fitBounds(grids.layer.getBounds(), { padding: [16, 16] });
  }

  async function reload(which: LayerName[] = ["districts", "grids", "resources", "customers"]): Promise<void> {
    const jobs: Promise<unknown>[] = [];
    const fail = (what: string) => (e: unknown) => {
      if (e instanceof DOMException && e.name === "AbortError") return;
      toast(t("map.loadFailed", { what: t(`layers.${what}`), error: describe(e) }), "error");
    };
    if (which.includes("districts")) jobs.push(districts.load(abort.signal).catch(fail("districts")));
    if (which.includes("grids")) jobs.push(grids.load(abort.signal).catch(fail("grids")));
    if (which.includes("resources")) jobs.push(resources.reload());
    if (which.includes("customers")) customers.refresh();
    await Promise.all(jobs);
    if (!abort.signal.aborted) renderOverview();
  }

  const overview = h("section", { class: "panel-section", id: "map-overview" });
  panel.append(overview);
  function renderOverview(): void {
    clear(overview);
    overview.append(
      h("h2", null, t("panel.title")),
      h(
        "p",
        { class: "summary", "data-testid": "map-summary" },
        t("panel.summary", { districts: districts.data.features.length, grids: grids.data.features.length }),
      ),
      h("p", { class: "hint" }, t("panel.hint")),
      h("button", { type: "button", class: "link", onclick: fitAll }, t("map.fit")),
    );
  }
  renderOverview();

  // Info popups: a customer point under the mouse wins, then the grid, then
  // the hexagon. Grid clicks stop here so the map's own click (outside any
  // grid) does not open a second popup.
  function customerPopup(at: L.LatLng, q: TilePoint): void {
    const body = propTable([
      [t("customer.stage"), t(`stage.${q.stage}`)],
      [t("customer.grid"), grids.feature(q.gridId)?.properties.code ?? (q.gridId ? `#${q.gridId}` : "—")],
    ]);
    const title = h("h3", null, t("customer.title", { id: q.id }));
    const addr = h("p", { class: "muted" });
    const popup = L.popup().setLatLng(at).setContent(h("div", { class: "customer-popup" }, title, addr, body)).openOn(map);
    api.customer(q.id, { signal: abort.signal }).then(
      (c) => {
        title.textContent = c.name;
        addr.textContent = c.address;
        popup.update();
      },
      () => undefined, // the point's own facts are shown already
    );
  }
  function pickCustomer(e: L.LeafletMouseEvent): boolean {
    if (!map.hasLayer(customers)) return false;
    const picked = customers.pick(map, e.latlng);
    if (picked.point && map.getZoom() >= POINTS_MIN_ZOOM) {
      customerPopup(e.latlng, picked.point);
      return true;
    }
    return false;
  }
  function pickHex(e: L.LeafletMouseEvent): boolean {
    if (!map.hasLayer(customers)) return false;
    const picked = customers.pick(map, e.latlng);
    if (!picked.hex) return false;
    L.popup().setLatLng(e.latlng).setContent(h("p", null, t("hex.customers", { n: fmtNumber(picked.hex.count) }))).openOn(map);
    return true;
  }
  grids.layer.on("click", (e: L.LeafletMouseEvent) => {
    if (!view.infoPopups) return;
    L.DomEvent.stopPropagation(e);
    if (pickCustomer(e)) return;
    const f = (e.propagatedFrom as L.Layer & { feature?: GeoJSON.Feature }).feature;
    if (!f) return;
    const gf = f as Parameters<typeof GridsLayer.popup>[0];
    grids.select(gf.properties.id);
    L.popup().setLatLng(e.latlng).setContent(GridsLayer.popup(gf, view.districtName(gf.properties.district_id))).openOn(map);
  });
  // A click the grid polygons did not get (the resources' canvas lies above
  // them and takes every click in its pane, hit or not) still opens the
  // popup of the grid under it.
  function pickGrid(e: L.LeafletMouseEvent): boolean {
    if (!map.hasLayer(grids.layer)) return false;
    const p = [e.latlng.lng, e.latlng.lat];
    const f = grids.data.features.find((g) => {
      const geom = g.geometry;
      if (geom.type === "Polygon") return pointInPolygon(p, geom.coordinates);
      if (geom.type === "MultiPolygon") return geom.coordinates.some((rings) => pointInPolygon(p, rings));
      return false;
    });
    if (!f) return false;
    grids.select(f.properties.id);
    L.popup().setLatLng(e.latlng).setContent(GridsLayer.popup(f, view.districtName(f.properties.district_id))).openOn(map);
    return true;
  }
  map.on("click", (e: L.LeafletMouseEvent) => {
    if (!view.infoPopups) return;
    if (!pickCustomer(e) && !pickGrid(e)) pickHex(e);
  });
  map.on("popupclose", () => grids.select(null));

  const cleanups: Cleanup[] = [];
  window.gridplan = { ...(window.gridplan ?? {}), view };
  void reload(["districts", "grids", "resources"]).then(() => {
    // The page may have been left while loading: the map is gone then.
    if (!saved && !abort.signal.aborted) fitAll();
  });
  for (const ext of extensions) {
    try {
      const c = ext(view, ctx);
      if (c) cleanups.push(c);
    } catch (e) {
      console.error("map extension", e);
      toast(describe(e), "error");
    }
  }

  // The map measures its box when created; the flex layout settles after.
  requestAnimationFrame(() => map.invalidateSize());

  return () => {
    for (const c of cleanups.reverse()) c();
    abort.abort();
    grids.detach();
    districts.detach();
    resources.detach();
    map.remove();
    if (window.gridplan?.view === view) delete window.gridplan.view;
  };
}

registerPage({ id: "map", navKey: "nav.map", roles: ["planner", "admin", "leader"], order: 10, render: renderMap });
