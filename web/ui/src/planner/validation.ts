// The validation report of a draft (GET /api/plans/:id/validation): errors
// (they block submitting and publishing) and warnings, each clickable:
// the map zooms to its geometry and highlights it. Overlaps, gaps, parts of
// grids in several pieces and parts outside their district are drawn on the
// map as a layer of their own.
import L from "leaflet";
import type { Feature, Geometry } from "geojson";
import { clear, h } from "../dom";
import { t } from "../i18n";
import type { Violation } from "./api";
import type { PlanEditor } from "./editor";

/** Kinds whose geometry is an area of its own worth drawing (not a whole grid). */
const DRAWN = new Set(["overlap", "gap", "pieces", "outside_district"]);

const KIND_STYLE: Record<string, L.PathOptions> = {
  overlap: { color: "#b71c1c", weight: 1.5, fillColor: "#e53935", fillOpacity: 0.45 },
  gap: { color: "#e65100", weight: 1.5, dashArray: "4 3", fillColor: "#ffb300", fillOpacity: 0.5 },
  pieces: { color: "#6a1b9a", weight: 1.5, fillColor: "#ab47bc", fillOpacity: 0.4 },
  outside_district: { color: "#4e342e", weight: 1.5, fillColor: "#8d6e63", fillOpacity: 0.4 },
};

const HIGHLIGHT_STYLE: L.PathOptions = { color: "#ff00c8", weight: 4, opacity: 1, fill: false, dashArray: undefined };

type ViolationFeature = Feature<Geometry, { i: number; kind: string; severity: string }>;

/** ValidationPanel is the report's panel section and map layer. */
export class ValidationPanel {
  readonly el = h("section", { class: "panel-section validation", id: "validation-panel", "data-testid": "validation-panel" });
  /** The areas at fault and the highlight: one entry in the layer switcher. */
  readonly overlay: L.FeatureGroup;
  private readonly shapes: L.GeoJSON;
  private readonly highlight: L.GeoJSON;
  active: number | null = null;

  constructor(private readonly ed: PlanEditor) {
    const common = { pmIgnore: true, snapIgnore: true } as L.GeoJSONOptions;
    this.shapes = L.geoJSON(undefined, {
      ...common,
      style: (f) => KIND_STYLE[(f as ViolationFeature).properties.kind] ?? {},
      onEachFeature: (f, l) => {
        const i = (f as ViolationFeature).properties.i;
        (l as L.Path).options.className = `violation-shape violation-${i}`;
        l.on("click", (e: L.LeafletMouseEvent) => {
          if (this.ed.mode !== "idle") return;
          L.DomEvent.stopPropagation(e);
          this.focus(i);
        });
      },
    });
    this.highlight = L.geoJSON(undefined, { ...common, interactive: false, style: () => HIGHLIGHT_STYLE });
    this.overlay = L.featureGroup([this.shapes, this.highlight]);
  }

  violations(): Violation[] {
    return this.ed.report?.violations ?? [];
  }

  /** errorGrids are the plan grids named by an error (drawn in red). */
  errorGrids(): Set<number> {
    const out = new Set<number>();
    for (const v of this.violations()) if (v.severity === "error") for (const id of v.plan_grid_ids ?? []) out.add(id);
    return out;
  }

  render(): void {
    clear(this.el);
    this.shapes.clearLayers();
    this.highlight.clearLayers();
    this.active = null;
    const r = this.ed.report;
    if (!r) {
      this.el.classList.add("hidden");
      return;
    }
    this.el.classList.remove("hidden");
    const vs = this.violations();
    vs.forEach((v, i) => {
      if (v.geometry && DRAWN.has(v.kind)) this.shapes.addData({ type: "Feature", geometry: v.geometry, properties: { i, kind: v.kind, severity: v.severity } } as ViolationFeature);
    });
    this.el.append(
      h("h2", null, t("validation.title")),
      h(
        "p",
        { class: r.errors ? "validation-summary bad" : "validation-summary ok", "data-testid": "validation-summary", "data-errors": r.errors, "data-warnings": r.warnings },
        vs.length ? t("validation.summary", { errors: r.errors, warnings: r.warnings }) : t("validation.ok"),
      ),
    );
    if (!vs.length) return;
    this.el.append(
      h(
        "ol",
        { class: "violations" },
        vs.map((v, i) =>
          h(
            "li",
            { class: `violation ${v.severity}`, "data-kind": v.kind, "data-severity": v.severity, "data-index": i },
            h(
              "button",
              { type: "button", class: "violation-button", title: t("validation.zoom"), onclick: () => this.focus(i) },
              h("span", { class: `sev ${v.severity}` }, t(`validation.${v.severity}`)),
              h("b", null, t(`violation.${v.kind}`)),
              h("span", { class: "violation-message" }, v.message),
            ),
          ),
        ),
      ),
    );
  }

  /** focus zooms to violation i and highlights its geometry (or its grids). */
  focus(i: number): void {
    const v = this.violations()[i];
    if (!v) return;
    this.active = i;
    for (const li of this.el.querySelectorAll(".violation")) li.classList.toggle("active", Number((li as HTMLElement).dataset.index) === i);
    this.highlight.clearLayers();
    let bounds: L.LatLngBounds | null = null;
    if (v.geometry) {
      this.highlight.addData(v.geometry as never);
      bounds = this.highlight.getBounds();
    }
    const ids = v.plan_grid_ids ?? [];
    if (ids.length) {
      this.ed.select(ids.filter((id) => this.ed.grid(id) && !this.ed.grid(id)!.properties.removed).slice(0, 2));
      if (!bounds || !bounds.isValid()) {
        for (const id of ids) {
          const p = this.ed.layer.path(id) as L.Polygon | undefined;
          if (p) bounds = bounds && bounds.isValid() ? bounds.extend(p.getBounds()) : p.getBounds();
        }
      }
    }
    if (!this.ed.view.map.hasLayer(this.overlay)) this.overlay.addTo(this.ed.view.map);
    if (bounds && bounds.isValid()) this.ed.view.map.fitBounds(bounds, { padding: [60, 60], maxZoom: 18 });
  }
}
