// The map in plan mode (#/map/plan/12): a plan's grids instead of the live
// ones, and for a draft the editing tools (draw, edit vertices, split,
// merge, delete), each previewed before it is saved; the validation report;
// submit / approve / publish as the plan's status and the user's role allow;
// export and import. Published and archived plans are shown read-only, with
// "restore as a new draft".
import L from "leaflet";
import type { LineString, MultiPolygon, Polygon } from "geojson";
import type { GridCollection, Role } from "../api";
import { describe, type Cleanup, type PageContext } from "../app";
import { confirmDialog, openDialog } from "../dialog";
import { append, clear, h } from "../dom";
import { fmtDate, fmtNumber, lang, t } from "../i18n";
import { toast } from "../toast";
import { GridsLayer, propTable } from "../map/grids";
import type { MapView } from "../pages/map";
import { plansApi, isConflict, type EditOptions, type GridFeatureIn, type Plan, type PlanGridFeature, type PlanGridProps, type ValidationReport } from "./api";
import { showConflict, showPreview, type PendingEdit } from "./preview";
import { bbox } from "../map/geom";
import { containsPoint, insidePoint, joinParts, splitShape } from "./shapes";
import { ValidationPanel } from "./validation";
import { testHooks } from "./hooks";
import { planStatusBadge } from "./status";

/** Roles that edit, submit and publish plans. */
export const EDITORS: Role[] = ["planner", "admin"];
/** Roles that approve a submitted plan. */
export const APPROVERS: Role[] = ["leader", "admin"];

type Mode = "idle" | "draw" | "edit" | "split" | "busy";

const SNAP_PX = 15; // Geoman's snapping distance on screen; the server snaps within 5 m on top

/** The style of grids by their state in the plan. */
const NEW_GRID_STYLE: L.PathOptions = { color: "#2e7d32", fillColor: "#66bb6a", fillOpacity: 0.12 };
const ERROR_GRID_STYLE: L.PathOptions = { color: "#c62828", weight: 2.5, dashArray: "6 4" };
const SELECTED_STYLE: L.PathOptions = { color: "#d81b60", weight: 3, fillOpacity: 0.22, dashArray: undefined };
const DRAW_STYLE: L.PathOptions = { color: "#d81b60", weight: 2.5, fillOpacity: 0.15 };

/** The approval setting, when GET /api/config tells it (require_approval); undefined when it does not. */
function approvalSetting(ctx: PageContext): boolean | undefined {
  const v = (ctx.config as unknown as { require_approval?: unknown }).require_approval;
  return typeof v === "boolean" ? v : undefined;
}

/** PlanEditor is one plan on the map page. */
export class PlanEditor {
  plan: Plan | null = null;
  /** Every grid of the plan, removed ones included. */
  features: PlanGridFeature[] = [];
  report: ValidationReport | null = null;
  selected: number[] = [];
  mode: Mode = "idle";
  readonly layer = new GridsLayer();
  readonly validation: ValidationPanel;
  private readonly abort = new AbortController();
  private readonly head = h("section", { class: "panel-section plan-head", id: "plan-panel", "data-testid": "plan-panel" });
  private readonly tools = h("section", { class: "panel-section plan-tools", id: "plan-tools" });
  private temp: L.Layer | null = null; // the shape being drawn
  private editing: L.Polygon | null = null; // the grid whose vertices are being edited
  private editMode: EditOptions["mode"] = "carve";
  private offs: (() => void)[] = [];
  /** loaded resolves after the first load (tests wait for it). */
  loaded: Promise<void>;

  constructor(
    readonly view: MapView,
    readonly ctx: PageContext,
    readonly planID: number,
  ) {
    const map = view.map;
    this.layer.attach(map);
    // The plan's grids take the live grids' places in the layer switcher.
    view.layers.add("grids", "layers.grids", this.layer.layer);
    view.layers.add("gridLabels", "layers.gridLabels", this.layer.labels);
    this.layer.setStyle((p) => this.styleOf(p as unknown as PlanGridProps));
    this.validation = new ValidationPanel(this);
    view.layers.add("validation", "layers.validation", this.validation.overlay);
    view.panel.prepend(this.head, this.tools, this.validation.el);
    document.getElementById("map-overview")?.classList.add("hidden");
    map.pm?.setLang(lang() === "zh-CN" ? "zh" : "en");

    const onClick = (e: L.LeafletMouseEvent) => this.onMapClick(e);
    map.on("click", onClick);
    this.offs.push(() => map.off("click", onClick));
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && this.mode !== "idle" && this.mode !== "busy" && !document.querySelector(".dialog-overlay")) this.cancelTool();
    };
    document.addEventListener("keydown", onKey);
    this.offs.push(() => document.removeEventListener("keydown", onKey));
    this.loaded = this.reload(true);
  }

  get role(): Role {
    return this.ctx.me.user.role;
  }

  /** canEdit: an editor looking at a draft (or a plan waiting for approval, which an edit returns to draft). */
  get canEdit(): boolean {
    const s = this.plan?.status;
    return EDITORS.includes(this.role) && (s === "draft" || s === "pending_approval");
  }

  destroy(): void {
    this.abort.abort();
    this.cancelTool();
    for (const off of this.offs) off();
    this.layer.detach();
  }

  /** active lists the grids still in the plan. */
  active(): PlanGridFeature[] {
    return this.features.filter((f) => !f.properties.removed);
  }

  grid(id: number): PlanGridFeature | undefined {
    return this.features.find((f) => f.properties.id === id);
  }

  /** reload fetches the plan, its grids and (for a draft) its validation report. */
  async reload(fit = false): Promise<void> {
    const signal = this.abort.signal;
    try {
      const [plan, fc] = await Promise.all([plansApi.get(this.planID, { signal }), plansApi.grids(this.planID, { signal })]);
      if (signal.aborted) return; // the page was left meanwhile
      this.plan = plan;
      this.features = fc.features;
      this.selected = this.selected.filter((id) => this.grid(id) && !this.grid(id)!.properties.removed);
      this.layer.setData({ type: "FeatureCollection", features: this.active() } as unknown as GridCollection);
      if (fit) {
        const b = this.layer.layer.getBounds();
        if (b.isValid()) this.view.map.fitBounds(b, { padding: [16, 16], animate: false });
      }
      this.renderHead();
      this.renderTools();
      if (plan.status === "draft" || plan.status === "pending_approval") {
        this.report = await plansApi.validation(this.planID, { signal });
        if (signal.aborted) return;
      } else {
        this.report = null;
      }
      this.validation.render();
      this.layer.restyle();
      this.renderHead();
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") return;
      clear(this.head);
      this.head.append(h("p", { class: "error" }, t("plan.loadFailed", { error: describe(e) })));
      throw e;
    }
  }

  private styleOf(p: PlanGridProps): L.PathOptions {
    let s: L.PathOptions = {};
    if (!p.grid_id) s = { ...NEW_GRID_STYLE };
    if (this.validation?.errorGrids().has(p.id)) s = { ...s, ...ERROR_GRID_STYLE };
    if (this.selected.includes(p.id)) s = { ...s, ...SELECTED_STYLE };
    return s;
  }

  /** select makes ids the selection and redraws what depends on it. */
  select(ids: number[]): void {
    this.selected = ids;
    this.layer.restyle();
    for (const id of ids) (this.layer.path(id) as L.Polygon | undefined)?.bringToFront();
    this.renderTools();
  }

  /**
   * onMapClick selects the grid under the click (Shift, Ctrl or Cmd: adds
   * it, for a merge). It works on the map's click rather than the grid
   * paths' own: from zoom 12 the resources' canvas lies above the grids and
   * takes their clicks. The map page's own popups (customers, hexagons)
   * open as usual; the selection shows in the panel.
   */
  private onMapClick(e: L.LeafletMouseEvent): void {
    if (this.mode !== "idle") return; // drawing or editing: Geoman has the clicks
    const f = this.gridAt(e.latlng);
    const multi = e.originalEvent.shiftKey || e.originalEvent.ctrlKey || e.originalEvent.metaKey;
    if (!f) {
      if (!multi) this.select([]);
      return;
    }
    const id = f.properties.id;
    if (multi && this.canEdit) {
      const next = this.selected.includes(id) ? this.selected.filter((x) => x !== id) : [...this.selected, id].slice(-2);
      this.select(next);
      return;
    }
    this.select([id]);
  }

  /** gridAt is the active grid holding the point (the lowest id where grids meet). */
  gridAt(at: L.LatLng): PlanGridFeature | undefined {
    const p = [at.lng, at.lat];
    return this.active().find((f) => {
      const [w, s, e, n] = bbox(f.geometry);
      return p[0] >= w && p[0] <= e && p[1] >= s && p[1] <= n && containsPoint(f.geometry, p);
    });
  }

  /** interiorPoint is a point inside grid id, [lat, lng] (tests click there). */
  interiorPoint(id: number): [number, number] | null {
    const f = this.grid(id);
    const p = f ? insidePoint(f.geometry) : null;
    return p ? [p[1], p[0]] : null;
  }

  /** gridFacts describes a selected grid in the panel. */
  private gridFacts(f: PlanGridFeature): HTMLElement {
    const p = f.properties;
    const rows: [string, string][] = [[t("grid.name"), p.name]];
    const d = this.view.districtName(p.district_id);
    if (d) rows.push([t("grid.district"), d]);
    rows.push([t("grid.customers"), fmtNumber(p.customer_count ?? 0)], [t("grid.managers"), fmtNumber(p.manager_count ?? 0)]);
    rows.push([t("plan.grid.live"), p.grid_id ? `#${p.grid_id}` : t("plan.grid.new")]);
    rows.push([t("grid.version"), String(p.version)]);
    if (p.updated_by) rows.push([t("grid.updated"), `${p.updated_by} · ${fmtDate(p.updated_at)}`]);
    return h("div", { class: "grid-facts" }, h("b", null, p.code), propTable(rows));
  }

  /** focusGrid selects a grid of the plan and zooms to it (search, validation). */
  focusGrid(id: number): void {
    const path = this.layer.path(id) as L.Polygon | undefined;
    if (!path) return;
    this.select([id]);
    this.view.map.fitBounds(path.getBounds(), { padding: [40, 40], maxZoom: 17 });
  }

  // ---- the panel ----

  private renderHead(): void {
    const p = this.plan;
    clear(this.head);
    if (!p) {
      this.head.append(h("p", { class: "muted" }, t("page.loading")));
      return;
    }
    const facts: [string, string][] = [[t("plan.createdBy"), `${p.created_by} · ${fmtDate(p.created_at)}`]];
    if (p.base_plan_id) facts.push([t("plan.base"), `#${p.base_plan_id}`]);
    if (p.submitted_by && p.submitted_at) facts.push([t("plan.submittedBy"), `${p.submitted_by} · ${fmtDate(p.submitted_at)}`]);
    if (p.approved_by && p.approved_at) facts.push([t("plan.approvedBy"), `${p.approved_by} · ${fmtDate(p.approved_at)}`]);
    if (p.published_by && p.published_at) facts.push([t("plan.publishedBy"), `${p.published_by} · ${fmtDate(p.published_at)}`]);
    facts.push([t("plan.grids"), fmtNumber(this.active().length)]);

    const actions = h("div", { class: "plan-actions" });
    const add = (label: string, fn: () => void, o: { id?: string; kind?: string; disabled?: boolean; title?: string } = {}) =>
      actions.append(
        h("button", { type: "button", class: o.kind ?? "", "data-testid": o.id, disabled: !!o.disabled, title: o.title, onclick: fn }, label),
      );
    const errors = this.report?.errors ?? 0;
    const blocked = errors > 0 ? t("plan.blocked", { n: errors }) : undefined;
    const validating = (p.status === "draft" || p.status === "pending_approval") && !this.report;
    const approval = approvalSetting(this.ctx);
    const editor = EDITORS.includes(this.role);
    if (editor && p.status === "draft") {
      // Submit when approval is required (or unknown); publish when it is
      // not (or unknown: the server says which).
      if (approval !== false) add(t("plan.submit"), () => void this.step("submit"), { id: "plan-submit", disabled: validating || errors > 0, title: blocked });
      if (approval !== true) add(t("plan.publish"), () => void this.step("publish"), { id: "plan-publish", kind: "primary", disabled: validating || errors > 0, title: blocked });
    }
    if (p.status === "pending_approval") {
      if (APPROVERS.includes(this.role) && !p.approved_by) {
        const same = p.submitted_by === this.ctx.me.user.username;
        add(t("plan.approve"), () => void this.step("approve"), { id: "plan-approve", kind: "primary", disabled: same, title: same ? t("plan.approveSelf") : undefined });
      }
      if (editor && (p.approved_by || approval !== true)) {
        add(t("plan.publish"), () => void this.step("publish"), { id: "plan-publish", kind: "primary", disabled: validating || errors > 0, title: blocked });
      }
    }
    if (p.status === "draft" || p.status === "pending_approval") add(t("plan.showChanges"), () => void this.showChanges(), { id: "plan-changes" });
    if (editor && p.status === "archived") add(t("plan.restore"), () => void this.newDraftFrom(p), { id: "plan-restore", kind: "primary" });
    if (editor && p.status === "published") add(t("plan.newDraft"), () => void this.newDraftFrom(p), { id: "plan-new-draft" });
    if (p.status !== "published") add(t("plan.compareWithPublished"), () => void this.compareWithPublished(), { id: "plan-compare" });

    const files = h(
      "div",
      { class: "plan-files" },
      h("a", { href: plansApi.exportURL(p.id, "geojson"), download: "", "data-testid": "export-geojson" }, t("plan.exportGeoJSON")),
      h("a", { href: plansApi.exportURL(p.id, "kml"), download: "", "data-testid": "export-kml" }, t("plan.exportKML")),
    );
    if (editor && p.status === "draft") files.append(importButton(p.id, () => void this.reload()));

    append(
      this.head,
      h("div", { class: "plan-title" }, h("h2", null, p.name), planStatusBadge(p)),
      propTable(facts),
      blocked && (p.status === "draft" || p.status === "pending_approval") ? h("p", { class: "plan-blocked", "data-testid": "plan-blocked" }, blocked) : null,
      p.status === "pending_approval" && editor ? h("p", { class: "hint" }, t("plan.pendingEditHint")) : null,
      p.status === "published" || p.status === "archived" ? h("p", { class: "hint" }, t("plan.readOnly")) : null,
      actions,
      files,
      h(
        "p",
        { class: "plan-links" },
        h("a", { href: "#/plans" }, t("plan.backToPlans")),
        " · ",
        h("a", { href: "#/map" }, t("plan.liveMap")),
      ),
    );
  }

  renderTools(): void {
    clear(this.tools);
    if (!this.plan || !this.canEdit) {
      this.tools.classList.add("hidden");
      return;
    }
    this.tools.classList.remove("hidden");
    const sel = this.selected.map((id) => this.grid(id)).filter((f): f is PlanGridFeature => !!f);
    const busy = this.mode !== "idle";
    const btn = (label: string, id: string, fn: () => void, disabled = false, kind = "") =>
      h("button", { type: "button", class: kind, "data-testid": id, disabled: disabled || busy, onclick: fn }, label);
    const modeSel = h(
      "select",
      { "data-testid": "edit-mode", title: t("tools.modeTitle") },
      h("option", { value: "carve", selected: this.editMode === "carve" }, t("tools.modeCarve")),
      h("option", { value: "fit", selected: this.editMode === "fit" }, t("tools.modeFit")),
    );
    modeSel.addEventListener("change", () => (this.editMode = modeSel.value as EditOptions["mode"]));
    this.tools.append(
      h("h2", null, t("tools.title")),
      h(
        "div",
        { class: "tool-row" },
        btn(t("tools.draw"), "tool-draw", () => this.startDraw()),
        btn(t("tools.edit"), "tool-edit", () => this.startEdit(), sel.length !== 1),
        btn(t("tools.split"), "tool-split", () => this.startSplit(), sel.length !== 1),
        btn(t("tools.merge"), "tool-merge", () => void this.merge(), sel.length !== 2),
        btn(t("tools.delete"), "tool-delete", () => void this.remove(), sel.length !== 1, "danger"),
      ),
      h("label", { class: "tool-mode" }, t("tools.mode"), modeSel),
    );
    if (this.mode === "draw" || this.mode === "split" || this.mode === "edit") {
      const hint = { draw: "tools.drawHint", split: "tools.splitHint", edit: "tools.editHint" }[this.mode];
      this.tools.append(
        h("p", { class: "tool-hint", "data-testid": "tool-hint" }, t(hint)),
        h(
          "div",
          { class: "tool-row" },
          h("button", { type: "button", class: "primary", "data-testid": "tool-finish", onclick: () => this.finishTool() }, t(this.mode === "edit" ? "tools.finishEdit" : "tools.finish")),
          h("button", { type: "button", "data-testid": "tool-cancel", onclick: () => this.cancelTool() }, t("dialog.cancel")),
        ),
      );
    } else if (sel.length) {
      this.tools.append(
        h(
          "ul",
          { class: "selection", "data-testid": "selection" },
          sel.map((f) => h("li", { "data-grid": f.properties.id }, this.gridFacts(f))),
        ),
      );
    } else {
      this.tools.append(h("p", { class: "hint" }, t("tools.selectHint")));
    }
  }

  // ---- tools ----

  private setMode(m: Mode): void {
    this.mode = m;
    this.view.infoPopups = m === "idle";
    this.renderTools();
  }

  private pmOptions() {
    return { snappable: true, snapDistance: SNAP_PX, allowSelfIntersection: false };
  }

  /** onCreate takes the next shape Geoman finishes drawing (once). */
  private onCreate(fn: (layer: L.Layer) => void): void {
    const map = this.view.map;
    this.offCreate();
    const handler = (e: { layer: L.Layer }) => {
      this.offCreate();
      this.temp = e.layer;
      this.setMode("busy");
      fn(e.layer);
    };
    map.on("pm:create", handler);
    this.offCreate = () => {
      map.off("pm:create", handler);
      this.offCreate = () => undefined;
    };
  }

  private offCreate: () => void = () => undefined;

  startDraw(): void {
    const map = this.view.map;
    this.view.map.closePopup();
    this.setMode("draw");
    this.onCreate((layer) => {
      (layer as L.Path).setStyle?.(DRAW_STYLE);
      const geom = (layer as L.Polygon).toGeoJSON().geometry as Polygon | MultiPolygon;
      void this.newGrid(geom).finally(() => this.endTool());
    });
    map.pm.enableDraw("Polygon", { ...this.pmOptions(), templineStyle: DRAW_STYLE, hintlineStyle: { ...DRAW_STYLE, dashArray: "5 5" }, pathOptions: DRAW_STYLE, continueDrawing: false });
  }

  startSplit(): void {
    const f = this.grid(this.selected[0]);
    if (!f) return;
    const map = this.view.map;
    map.closePopup();
    this.setMode("split");
    this.onCreate((layer) => {
      const line = (layer as L.Polyline).toGeoJSON().geometry as LineString;
      void this.split(f, line).finally(() => this.endTool());
    });
    map.pm.enableDraw("Line", { ...this.pmOptions(), templineStyle: DRAW_STYLE, hintlineStyle: { ...DRAW_STYLE, dashArray: "5 5" }, pathOptions: DRAW_STYLE, finishOn: "dblclick", continueDrawing: false });
  }

  startEdit(): void {
    const id = this.selected[0];
    const path = this.layer.path(id) as L.Polygon | undefined;
    if (!path) return;
    this.view.map.closePopup();
    this.editing = path;
    this.setMode("edit");
    path.pm.enable({ ...this.pmOptions(), draggable: false, allowSelfIntersectionEdit: false, allowRotation: false, allowCutting: false, allowRemoval: false });
  }

  /** finishTool ends what is being drawn or edited (the Finish button). */
  finishTool(): void {
    const map = this.view.map;
    // Geoman finishes a shape with a click on its first (polygon) or last
    // (line) vertex; the button does the same through its draw handler.
    const draw = map.pm.Draw as unknown as Record<string, { _finishShape?: () => void; enabled?: () => boolean }>;
    if (this.mode === "draw") draw.Polygon?._finishShape?.();
    else if (this.mode === "split") draw.Line?._finishShape?.();
    else if (this.mode === "edit" && this.editing) {
      const path = this.editing;
      const f = (path as L.Polygon & { feature?: PlanGridFeature }).feature;
      const geom = path.toGeoJSON().geometry as Polygon | MultiPolygon;
      path.pm.disable();
      this.editing = null;
      this.setMode("busy");
      if (f) void this.editGrid(f, geom).finally(() => this.endTool());
      else this.endTool();
    }
  }

  /** cancelTool abandons a drawing or an edit: nothing is sent. */
  cancelTool(): void {
    const map = this.view.map;
    if (!map.pm) return;
    this.offCreate();
    if (map.pm.globalDrawModeEnabled?.()) map.pm.disableDraw();
    if (this.editing) {
      this.editing.pm.disable();
      this.editing = null;
      this.layer.setData({ type: "FeatureCollection", features: this.active() } as unknown as GridCollection); // back to the stored shape
    }
    this.endTool();
  }

  private endTool(): void {
    if (this.temp) {
      this.temp.remove();
      this.temp = null;
    }
    const map = this.view.map;
    if (map.pm?.globalDrawModeEnabled?.()) map.pm.disableDraw();
    if (this.mode !== "idle") this.setMode("idle");
  }

  private opts(): EditOptions {
    return this.editMode === "fit" ? { mode: "fit" } : {};
  }

  /** after runs after a saved edit: reload, toast. */
  private async after(msg: string, moved?: number): Promise<void> {
    toast(moved === undefined ? msg : `${msg} ${t("edit.movedTotal", { n: moved })}`, "success");
    this.selected = [];
    await this.reload();
  }

  /**
   * run shows the preview of an edit and saves it on confirmation; a
   * conflict offers a reload. It tells whether the plan was saved or
   * reloaded (the map shows the stored shapes then).
   */
  private async run(edit: PendingEdit): Promise<boolean> {
    const out = await showPreview(this, edit);
    if (out.status === "saved") {
      await this.after(t("edit.saved", { what: edit.title }), out.result?.diff?.moved);
      return true;
    }
    if (out.status === "conflict" && (await showConflict(out.message))) {
      await this.reload();
      return true;
    }
    return false;
  }

  private async newGrid(geom: Polygon | MultiPolygon): Promise<void> {
    const props = await gridForm(this, geom);
    if (!props) return;
    const feature: GridFeatureIn = { type: "Feature", geometry: geom, properties: props };
    await this.run({
      title: t("edit.newGrid", { code: props.code }),
      kind: "new",
      touched: [],
      preview: () => plansApi.preview(this.planID, feature, this.opts()),
      save: () => plansApi.createGrid(this.planID, feature, this.opts()),
      feature,
    });
  }

  private async editGrid(f: PlanGridFeature, geom: Polygon | MultiPolygon): Promise<void> {
    const p = f.properties;
    const feature: GridFeatureIn = { type: "Feature", geometry: geom, properties: { id: p.id, version: p.version } };
    const done = await this.run({
      title: t("edit.editGrid", { code: p.code }),
      kind: "edit",
      touched: [p.id],
      preview: () => plansApi.preview(this.planID, feature, this.opts()),
      save: () => plansApi.updateGrid(this.planID, p.id, feature, this.opts()),
      feature,
    });
    // A cancelled edit puts the stored shape back on the map.
    if (!done) this.layer.setData({ type: "FeatureCollection", features: this.active() } as unknown as GridCollection);
  }

  private freeCode(code: string): string {
    const used = new Set(this.active().map((f) => f.properties.code));
    for (let i = 2; ; i++) if (!used.has(`${code}-${i}`)) return `${code}-${i}`;
  }

  private async split(f: PlanGridFeature, line: LineString): Promise<void> {
    const p = f.properties;
    const cut = splitShape(f.geometry, line.coordinates);
    const code = this.freeCode(p.code);
    const feature: GridFeatureIn | undefined = cut
      ? { type: "Feature", geometry: cut.cut, properties: { code, name: `${p.name}-${code.slice(p.code.length + 1)}`, district_id: p.district_id } }
      : undefined;
    await this.run({
      title: t("edit.split", { code: p.code }),
      kind: "split",
      touched: [p.id],
      // The split as a preview: the smaller side as a new grid, carved out
      // of this one, without snapping (the split cuts exactly on the line).
      preview: feature ? () => plansApi.preview(this.planID, feature, { snap_m: 0 }) : undefined,
      note: feature ? undefined : t("edit.splitNoPreview"),
      save: () => plansApi.split(this.planID, p.id, line, p.version),
      feature,
    });
  }

  private async merge(): Promise<void> {
    const [a, b] = this.selected.map((id) => this.grid(id));
    if (!a || !b) return;
    if (a.properties.district_id !== b.properties.district_id) {
      toast(t("edit.mergeDistricts"), "error");
      return;
    }
    const keep = await mergeForm(a, b);
    if (!keep) return;
    const other = keep === a ? b : a;
    const feature: GridFeatureIn = {
      type: "Feature",
      geometry: joinParts(keep.geometry, other.geometry),
      properties: { id: keep.properties.id, version: keep.properties.version },
    };
    await this.run({
      title: t("edit.merge", { a: keep.properties.code, b: other.properties.code }),
      kind: "merge",
      touched: [keep.properties.id, other.properties.id],
      // A merge as a preview: the kept grid reshaped to both, which carves
      // the other away (removed, its managers handed to the kept one).
      preview: () => plansApi.preview(this.planID, feature),
      save: () => plansApi.merge(this.planID, [keep.properties.id, other.properties.id], [keep.properties.version, other.properties.version]),
      feature,
    });
  }

  private async remove(): Promise<void> {
    const g = this.grid(this.selected[0]);
    if (!g) return;
    const choice = await deleteForm(this, g);
    if (!choice) return;
    const p = g.properties;
    const succ = choice.successor ? this.grid(choice.successor) : undefined;
    if (succ && choice.giveArea) {
      const feature: GridFeatureIn = {
        type: "Feature",
        geometry: joinParts(succ.geometry, g.geometry),
        properties: { id: succ.properties.id, version: succ.properties.version },
      };
      await this.run({
        title: t("edit.deleteInto", { code: p.code, to: succ.properties.code }),
        kind: "merge",
        touched: [p.id, succ.properties.id],
        preview: () => plansApi.preview(this.planID, feature),
        save: () => plansApi.merge(this.planID, [succ.properties.id, p.id], [succ.properties.version, p.version]),
        feature,
      });
      return;
    }
    await this.run({
      title: t("edit.delete", { code: p.code }),
      kind: "delete",
      touched: [p.id],
      note: t("edit.deleteGap", { n: p.customer_count ?? 0, code: p.code }),
      save: () => plansApi.removeGrid(this.planID, p.id, p.version, choice.successor),
    });
  }

  // ---- plan actions ----

  private async step(what: "submit" | "approve" | "publish"): Promise<void> {
    const p = this.plan;
    if (!p) return;
    if (what === "publish") {
      const ok = await confirmDialog(t("plan.publishTitle"), t("plan.publishConfirm", { name: p.name }), t("plan.publish"));
      if (!ok) return;
    }
    try {
      const out = await plansApi[what](p.id, p.version);
      if (what === "publish") {
        toast(t("plan.published", { n: out.number ?? 0 }), "success");
        // The live grids and customers changed: the live map, with its
        // tiles revalidated (their ETags change with the data).
        this.view.customers.refresh();
        this.ctx.navigate("map");
        return;
      }
      toast(t(what === "submit" ? "plan.submitted" : "plan.approved"), "success");
      await this.reload();
    } catch (e) {
      if (isConflict(e)) {
        // Stale plan, validation errors, or approval missing: say it, show the state.
        toast(describe(e), "error");
        await this.reload();
        return;
      }
      toast(describe(e), "error");
    }
  }

  private async newDraftFrom(p: Plan): Promise<void> {
    try {
      const d = await plansApi.create({ from_plan_id: p.id });
      toast(t(p.status === "archived" ? "plan.restored" : "plan.draftCreated", { name: d.name }), "success");
      this.ctx.navigate("map", "plan", d.id);
    } catch (e) {
      toast(describe(e), "error");
    }
  }

  private async compareWithPublished(): Promise<void> {
    try {
      const pub = (await plansApi.list(["published"])).items[0];
      if (!pub) return;
      this.ctx.navigate("plans", this.planID, "compare", pub.id);
    } catch (e) {
      toast(describe(e), "error");
    }
  }

  /** showChanges shows the whole draft's diff against the published plan. */
  private async showChanges(): Promise<void> {
    await showPreview(this, { title: t("plan.changesTitle"), kind: "all", touched: [], preview: () => plansApi.preview(this.planID) });
  }

  /** districtAt is the district holding the shape's inside point, by the loaded boundaries. */
  districtAt(geom: Polygon | MultiPolygon): number | undefined {
    const p = insidePoint(geom);
    if (!p) return undefined;
    return this.view.districts.data.features.find((d) => containsPoint(d.geometry as Polygon | MultiPolygon, p))?.properties.id;
  }
}

/** importButton is a file input that imports GeoJSON or KML grids into draft planID. */
function importButton(planID: number, done: () => void): HTMLElement {
  const input = h("input", { type: "file", accept: ".geojson,.json,.kml,.kmz", "data-testid": "import-file", class: "visually-hidden", id: `import-${planID}` });
  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    try {
      const r = await plansApi.importFile(planID, file);
      showImportResult(r);
      done();
    } catch (e) {
      toast(describe(e), "error");
    }
  });
  return h("label", { class: "import-button", for: `import-${planID}` }, t("plan.import"), input);
}

/** showImportResult says what an import did, feature by feature for the failures. */
export function showImportResult(r: import("./api").PlanImportResult): void {
  const body = h(
    "div",
    { class: "import-result" },
    h("p", { "data-testid": "import-summary" }, t("import.summary", { features: r.features, created: r.created, replaced: r.replaced, unchanged: r.unchanged, failed: r.failed })),
    r.errors.length
      ? h(
          "table",
          { class: "data compact" },
          h("thead", null, h("tr", null, [t("import.feature"), t("grid.code"), t("import.field"), t("import.reason")].map((s) => h("th", null, s)))),
          h(
            "tbody",
            null,
            r.errors.map((e) => h("tr", null, h("td", null, String(e.index + 1)), h("td", null, e.code ?? ""), h("td", null, e.field ?? ""), h("td", null, e.message))),
          ),
        )
      : null,
  );
  openDialog({ title: t("import.title"), body, buttons: [{ id: "ok", label: t("dialog.close"), kind: "primary" }], testId: "import-dialog" });
}

/** gridForm asks the code, name and district of a drawn grid; null when cancelled. */
async function gridForm(ed: PlanEditor, geom: Polygon | MultiPolygon): Promise<{ code: string; name: string; district_id: number } | null> {
  const districts = ed.view.districts.data.features.map((f) => f.properties);
  const at = ed.districtAt(geom) ?? districts[0]?.id;
  const district = h(
    "select",
    { id: "grid-district", "data-testid": "grid-district" },
    districts.map((d) => h("option", { value: d.id, selected: d.id === at }, `${d.name} (${d.code})`)),
  );
  const suggest = () => {
    const d = districts.find((x) => x.id === Number(district.value));
    if (!d) return "";
    const used = new Set(ed.active().map((f) => f.properties.code));
    for (let i = 1; ; i++) {
      const c = `${d.code}-${String(i).padStart(2, "0")}`;
      if (!used.has(c)) return c;
    }
  };
  const code = h("input", { id: "grid-code", "data-testid": "grid-code", required: true, maxlength: 64, value: suggest(), autocomplete: "off" });
  const name = h("input", { id: "grid-name", "data-testid": "grid-name", autocomplete: "off", placeholder: t("gridForm.namePlaceholder") });
  let codeTouched = false;
  code.addEventListener("input", () => (codeTouched = true));
  district.addEventListener("change", () => {
    if (!codeTouched) code.value = suggest();
  });
  const err = h("p", { class: "form-error", role: "alert" });
  const body = h(
    "form",
    { class: "stack-form", "data-testid": "grid-form", onsubmit: (e: Event) => e.preventDefault() },
    h("label", { for: "grid-district" }, t("grid.district")),
    district,
    h("label", { for: "grid-code" }, t("grid.code")),
    code,
    h("label", { for: "grid-name" }, t("grid.name")),
    name,
    h("p", { class: "hint" }, t("gridForm.hint")),
    err,
  );
  const d = openDialog({
    title: t("gridForm.title"),
    body,
    testId: "grid-form-dialog",
    buttons: [
      { id: "cancel", label: t("dialog.cancel") },
      { id: "ok", label: t("gridForm.preview"), kind: "primary" },
    ],
    onButton: (id) => {
      if (id !== "ok") return true;
      const c = code.value.trim();
      if (!c) {
        err.textContent = t("gridForm.codeRequired");
        return false;
      }
      if (ed.active().some((f) => f.properties.code === c)) {
        err.textContent = t("gridForm.codeTaken", { code: c });
        return false;
      }
      return true;
    },
  });
  setTimeout(() => code.focus(), 0);
  if ((await d.result) !== "ok") return null;
  const c = code.value.trim();
  return { code: c, name: name.value.trim() || c, district_id: Number(district.value) };
}

/** mergeForm asks which of two grids keeps its code; null when cancelled. */
async function mergeForm(a: PlanGridFeature, b: PlanGridFeature): Promise<PlanGridFeature | null> {
  const sel = h(
    "select",
    { "data-testid": "merge-keep" },
    [a, b].map((f) => h("option", { value: f.properties.id }, `${f.properties.code} · ${f.properties.name}`)),
  );
  const d = openDialog({
    title: t("mergeForm.title"),
    body: h("div", { class: "stack-form" }, h("p", null, t("mergeForm.text", { a: a.properties.code, b: b.properties.code })), h("label", null, t("mergeForm.keep")), sel),
    testId: "merge-dialog",
    buttons: [
      { id: "cancel", label: t("dialog.cancel") },
      { id: "ok", label: t("gridForm.preview"), kind: "primary" },
    ],
  });
  if ((await d.result) !== "ok") return null;
  return Number(sel.value) === a.properties.id ? a : b;
}

/** deleteForm asks the successor of a grid to delete and whether it takes the area; null when cancelled. */
async function deleteForm(ed: PlanEditor, g: PlanGridFeature): Promise<{ successor?: number; giveArea: boolean } | null> {
  const p = g.properties;
  const managers = p.manager_count ?? 0;
  // Neighbours first (their boxes touch), then the rest of the district.
  const box = L.geoJSON(g).getBounds().pad(0.05);
  const cands = ed
    .active()
    .filter((f) => f.properties.id !== p.id && f.properties.district_id === p.district_id)
    .map((f) => ({ f, near: L.geoJSON(f).getBounds().intersects(box) }))
    .sort((x, y) => Number(y.near) - Number(x.near) || x.f.properties.code.localeCompare(y.f.properties.code));
  const sel = h(
    "select",
    { "data-testid": "delete-successor", id: "delete-successor" },
    h("option", { value: "" }, t("deleteForm.none")),
    cands.map(({ f, near }) => h("option", { value: f.properties.id, selected: near && cands[0].f === f }, `${f.properties.code} · ${f.properties.name}${near ? " ★" : ""}`)),
  );
  const give = h("input", { type: "checkbox", "data-testid": "delete-give-area", checked: true });
  const sync = () => {
    give.disabled = !sel.value;
  };
  sel.addEventListener("change", sync);
  sync();
  const err = h("p", { class: "form-error", role: "alert" });
  const d = openDialog({
    title: t("deleteForm.title", { code: p.code }),
    testId: "delete-dialog",
    body: h(
      "div",
      { class: "stack-form" },
      h("p", null, t("deleteForm.text", { customers: p.customer_count ?? 0, managers })),
      h("label", { for: "delete-successor" }, managers > 0 ? t("deleteForm.successorRequired") : t("deleteForm.successor")),
      sel,
      h("label", { class: "check" }, give, t("deleteForm.giveArea")),
      h("p", { class: "hint" }, t("deleteForm.hint")),
      err,
    ),
    buttons: [
      { id: "cancel", label: t("dialog.cancel") },
      { id: "ok", label: t("gridForm.preview"), kind: "primary" },
    ],
    onButton: (id) => {
      if (id === "ok" && managers > 0 && !sel.value) {
        err.textContent = t("deleteForm.needSuccessor", { n: managers });
        return false;
      }
      return true;
    },
  });
  if ((await d.result) !== "ok") return null;
  return { successor: sel.value ? Number(sel.value) : undefined, giveArea: !!sel.value && give.checked };
}

/** openPlanOnMap starts plan mode on the map page; it returns the cleanup. */
export function openPlanOnMap(view: MapView, ctx: PageContext, planID: number): Cleanup {
  const ed = new PlanEditor(view, ctx, planID);
  ed.loaded.catch((e) => toast(describe(e), "error"));
  const hooks = testHooks();
  hooks.planner = ed;
  return () => {
    ed.destroy();
    if (hooks.planner === ed) delete hooks.planner;
  };
}
