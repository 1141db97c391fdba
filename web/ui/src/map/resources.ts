// Network resources (GET /api/resources) coloured by status: a site is a dot
// with, when it has a radius, its coverage circle; an area is a polygon.
// A province has tens of thousands: they are drawn from minZoom on only,
// fetched for the area in view (bbox, with a margin, again when the view
// leaves it), on a canvas of their own pane.
import L from "leaflet";
import type { Feature, Geometry } from "geojson";
import { api, type ResourceCollection, type ResourceProps } from "../api";
import { fmtNumber, t } from "../i18n";
import { propTable } from "./grids";
import { RESOURCE_COLORS } from "./style";
import { PANES } from "./view";

export class ResourcesLayer {
  /** The drawn resources (those of the last fetched area). */
  readonly features: L.GeoJSON<ResourceProps>;
  /** What the layer switcher toggles. */
  readonly layer: L.LayerGroup;
  data: ResourceCollection = { type: "FeatureCollection", features: [] };
  /** Resources are drawn from this zoom on. */
  readonly minZoom: number;
  private readonly renderer = L.canvas({ pane: PANES.resources.name });
  private map: L.Map | null = null;
  private fetched: L.LatLngBounds | null = null;
  private inflight: AbortController | null = null;
  private readonly onMove = () => void this.update();
  /** onError is told when a fetch fails (not when it is aborted). */
  onError: ((e: unknown) => void) | null = null;

  constructor(opts: { minZoom?: number } = {}) {
    this.minZoom = opts.minZoom ?? 12;
    this.layer = L.layerGroup();
    this.features = L.geoJSON<ResourceProps>(undefined, {
      pane: PANES.resources.name,
      pmIgnore: true,
      snapIgnore: true,
      style: (f) => this.style(f?.properties),
      pointToLayer: (f: Feature<Geometry, ResourceProps>, at) => {
        const color = RESOURCE_COLORS[f.properties.status] ?? "#757575";
        const dot = L.circleMarker(at, { renderer: this.renderer, pane: PANES.resources.name, radius: 4.5, color: "#fff", weight: 1, fillColor: color, fillOpacity: 1, pmIgnore: true, snapIgnore: true });
        if (!f.properties.radius_m) return dot;
        const cover = L.circle(at, {
          renderer: this.renderer,
          pane: PANES.resources.name,
          radius: f.properties.radius_m,
          interactive: false,
          pmIgnore: true,
          snapIgnore: true,
          ...this.style(f.properties),
        });
        return L.featureGroup([cover, dot]);
      },
      onEachFeature: (f, l) => l.bindPopup(() => ResourcesLayer.popup(f.properties as ResourceProps)),
    });
  }

  private style(p?: ResourceProps): L.PathOptions {
    const color = (p && RESOURCE_COLORS[p.status]) ?? "#757575";
    return {
      renderer: this.renderer,
      color,
      weight: 1,
      opacity: 0.8,
      fillColor: color,
      fillOpacity: 0.07,
      dashArray: p?.status === "planned" ? "4 4" : p?.status === "under_construction" ? "8 3" : undefined,
    };
  }

  attach(map: L.Map): this {
    this.map = map;
    map.on("moveend overlayadd", this.onMove);
    return this;
  }

  detach(): void {
    this.map?.off("moveend overlayadd", this.onMove);
    this.inflight?.abort();
    this.map = null;
  }

  /** reload fetches the resources in view again (after data changed). */
  reload(): Promise<void> {
    this.fetched = null;
    return this.update();
  }

  /**
   * update shows the resources of the view: nothing below minZoom; else the
   * ones fetched for an area around the view, fetching again only when the
   * view leaves that area.
   */
  async update(): Promise<void> {
    const map = this.map;
    if (!map || !map.hasLayer(this.layer)) return;
    if (map.getZoom() < this.minZoom) {
      this.layer.removeLayer(this.features);
      return;
    }
    this.layer.addLayer(this.features);
    const view = map.getBounds();
    if (this.fetched?.contains(view)) return;
    const area = view.pad(0.5);
    this.inflight?.abort();
    const ctl = new AbortController();
    this.inflight = ctl;
    const clamp = (v: number, lim: number) => Math.max(-lim, Math.min(lim, v)).toFixed(6);
    const bboxParam = [clamp(area.getWest(), 180), clamp(area.getSouth(), 90), clamp(area.getEast(), 180), clamp(area.getNorth(), 90)].join(",");
    try {
      const fc = await api.resources({ bbox: bboxParam }, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      this.data = fc;
      this.fetched = area;
      this.features.clearLayers();
      this.features.addData(fc as GeoJSON.FeatureCollection);
    } catch (e) {
      if (!(e instanceof DOMException && e.name === "AbortError")) this.onError?.(e);
    } finally {
      if (this.inflight === ctl) this.inflight = null;
    }
  }

  static popup(p: ResourceProps): HTMLElement {
    const rows: [string, string][] = [
      [p.name, t(`resource.${p.status}`)],
      [t("resource.kind"), p.kind],
    ];
    if (p.radius_m) rows.push([t("resource.radius"), `${fmtNumber(p.radius_m)} m`]);
    if (p.capacity) rows.push([t("resource.capacity"), fmtNumber(p.capacity)]);
    if (p.expected_date) rows.push([t("resource.expected"), p.expected_date]);
    return propTable(rows);
  }
}
