// District boundaries (dashed, not clickable) and their names, placed like
// grid labels: only where a district is big enough on screen, no overlaps.
import L from "leaflet";
import type { MultiPolygon, Polygon } from "geojson";
import { api, type DistrictCollection, type DistrictProps } from "../api";
import { bbox, labelPoint } from "./geom";
import { layoutLabels, type LabelCandidate } from "./labels";
import { DISTRICT_STYLE } from "./style";
import { PANES } from "./view";

export class DistrictsLayer {
  readonly boundaries: L.GeoJSON<DistrictProps>;
  readonly labels: L.LayerGroup;
  /** Boundaries and names together: one entry in the layer switcher. */
  readonly layer: L.FeatureGroup;
  data: DistrictCollection = { type: "FeatureCollection", features: [] };
  private cands: LabelCandidate[] = [];
  private map: L.Map | null = null;
  private readonly onMove = () => this.drawLabels();

  constructor() {
    this.boundaries = L.geoJSON<DistrictProps>(undefined, { pane: PANES.districts.name, interactive: false, style: () => DISTRICT_STYLE });
    this.labels = L.layerGroup([], { pane: PANES.labels.name });
    this.layer = L.featureGroup([this.boundaries, this.labels]);
  }

  attach(map: L.Map): this {
    this.map = map;
    map.on("moveend zoomend overlayadd overlayremove", this.onMove);
    return this;
  }

  detach(): void {
    this.map?.off("moveend zoomend overlayadd overlayremove", this.onMove);
    this.map = null;
  }

  async load(signal?: AbortSignal): Promise<DistrictCollection> {
    const fc = await api.districts({ signal });
    this.setData(fc);
    return fc;
  }

  setData(fc: DistrictCollection): void {
    this.data = fc;
    this.boundaries.clearLayers();
    this.boundaries.addData(fc as GeoJSON.FeatureCollection);
    this.cands = [];
    for (const f of fc.features) {
      const g = f.geometry as Polygon | MultiPolygon;
      const p = labelPoint(g);
      if (!p) continue;
      const [w, s, e, n] = bbox(g);
      this.cands.push({ at: L.latLng(p[1], p[0]), box: L.latLngBounds([s, w], [n, e]), title: f.properties.name });
    }
    this.drawLabels();
  }

  name(id: number): string | undefined {
    return this.data.features.find((f) => f.properties.id === id)?.properties.name;
  }

  drawLabels(): void {
    const map = this.map;
    if (!map || !map.hasLayer(this.layer)) {
      this.labels.clearLayers();
      return;
    }
    layoutLabels(map, this.labels, this.cands, { className: "district-label", minWidth: 90, minHeight: 40, detailWidth: Infinity, detailHeight: Infinity, charWidth: 8 });
  }
}
