// The map: a Leaflet map with gridplan's panes, the configured basemap, a
// layer switcher and a registry of named layers that feature modules add to.
import L from "leaflet";
import "@geoman-io/leaflet-geoman-free"; // extends the global L (L.PM); the planner pages use it
import markerIcon from "leaflet/dist/images/marker-icon.png";
import markerIcon2x from "leaflet/dist/images/marker-icon-2x.png";
import markerShadow from "leaflet/dist/images/marker-shadow.png";
import type { UIConfig } from "../api";
import { t } from "../i18n";

// Leaflet finds its default marker images through a CSS trick that hashed
// asset names defeat; give it the bundled URLs instead.
L.Icon.Default.mergeOptions({ iconUrl: markerIcon, iconRetinaUrl: markerIcon2x, shadowUrl: markerShadow });
L.Icon.Default.imagePath = "";

/**
 * Panes, bottom to top. Grids stay in Leaflet's overlayPane (z 400) so
 * Geoman's drawing and editing (which default to it) sit with them.
 */
export const PANES = {
  customers: { name: "gp-customers", z: 300 }, // vector-tile canvas, under every vector layer
  districts: { name: "gp-districts", z: 390 },
  resources: { name: "gp-resources", z: 420 },
  labels: { name: "gp-labels", z: 450 }, // text only, never catches the mouse
} as const;

/** LayerEntry is a layer known to the registry. */
export interface LayerEntry {
  id: string;
  labelKey: string;
  layer: L.Layer;
  base: boolean;
}

/**
 * LayerRegistry names the map's layers and keeps the layer switcher in step:
 * add("grids", "layers.grids", layer) shows it in the switcher under its
 * translated label.
 */
export class LayerRegistry {
  private entries = new Map<string, LayerEntry>();

  constructor(
    private readonly map: L.Map,
    private readonly control: L.Control.Layers,
  ) {}

  /**
   * add registers a layer (replacing one with the same id). Overlays start
   * visible unless visible is false; of the base layers the first added is shown.
   */
  add(id: string, labelKey: string, layer: L.Layer, opts: { base?: boolean; visible?: boolean } = {}): L.Layer {
    this.remove(id);
    const base = opts.base ?? false;
    this.entries.set(id, { id, labelKey, layer, base });
    if (base) {
      this.control.addBaseLayer(layer, t(labelKey));
      const hasBase = [...this.entries.values()].some((e) => e.base && e.id !== id && this.map.hasLayer(e.layer));
      if (!hasBase && opts.visible !== false) layer.addTo(this.map);
    } else {
      this.control.addOverlay(layer, t(labelKey));
      if (opts.visible !== false) layer.addTo(this.map);
    }
    return layer;
  }

  get<T extends L.Layer = L.Layer>(id: string): T | undefined {
    return this.entries.get(id)?.layer as T | undefined;
  }

  /** visible tells whether the layer is on the map. */
  visible(id: string): boolean {
    const e = this.entries.get(id);
    return !!e && this.map.hasLayer(e.layer);
  }

  /** show puts an overlay on the map or takes it off. */
  show(id: string, on: boolean): void {
    const e = this.entries.get(id);
    if (!e) return;
    if (on && !this.map.hasLayer(e.layer)) e.layer.addTo(this.map);
    if (!on && this.map.hasLayer(e.layer)) this.map.removeLayer(e.layer);
  }

  remove(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.control.removeLayer(e.layer);
    if (this.map.hasLayer(e.layer)) this.map.removeLayer(e.layer);
    this.entries.delete(id);
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }
}

export interface MapHandle {
  map: L.Map;
  layers: LayerRegistry;
  control: L.Control.Layers;
}

const VIEW_KEY = "gridplan.mapView";

/** savedView is the last centre and zoom of this tab, so a language switch or a reload keeps the place. */
export function savedView(): { center: L.LatLngExpression; zoom: number } | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(VIEW_KEY) ?? "null");
    if (v && typeof v.lat === "number" && typeof v.lng === "number" && typeof v.zoom === "number") return { center: [v.lat, v.lng], zoom: v.zoom };
  } catch {
    // no storage or bad JSON: no saved view
  }
  return null;
}

/**
 * createMap makes the map in el with the panes, the basemap (when the server
 * configures one) and a blank base, the layer switcher and a scale bar.
 */
export function createMap(el: HTMLElement, config: UIConfig): MapHandle {
  const map = L.map(el, {
    zoomControl: true,
    minZoom: 3,
    maxZoom: 19,
    worldCopyJump: false,
    // Geoman's global options are set by the planner module; the base map
    // edits nothing.
  });
  for (const p of Object.values(PANES)) {
    const pane = map.createPane(p.name);
    pane.style.zIndex = String(p.z);
    if (p.name === PANES.labels.name) pane.style.pointerEvents = "none";
  }
  const control = L.control.layers(undefined, undefined, { collapsed: true, position: "topright" }).addTo(map);
  const layers = new LayerRegistry(map, control);
  if (config.basemap.url) {
    layers.add(
      "basemap",
      "layers.basemap",
      L.tileLayer(config.basemap.url, { attribution: config.basemap.attribution, maxZoom: 19, crossOrigin: true }),
      { base: true },
    );
  }
  // A base with no tiles: offline, or to see the vector layers alone.
  layers.add("blank", "layers.blank", L.layerGroup(), { base: true });
  L.control.scale({ imperial: false }).addTo(map);
  map.on("moveend", () => {
    try {
      const c = map.getCenter();
      sessionStorage.setItem(VIEW_KEY, JSON.stringify({ lat: c.lat, lng: c.lng, zoom: map.getZoom() }));
    } catch {
      // no storage: nothing to remember
    }
  });
  return { map, layers, control };
}
