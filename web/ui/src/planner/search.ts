// The map's search box (GET /api/search): a grid by code or name, a
// customer by name. Picking a grid zooms to it and selects it; picking a
// customer zooms to street level and marks him.
import L from "leaflet";
import { describe } from "../app";
import { clear, h } from "../dom";
import { t } from "../i18n";
import { propTable } from "../map/grids";
import type { MapView } from "../pages/map";
import { plansApi, type SearchCustomer, type SearchGrid } from "./api";

const DEBOUNCE_MS = 200;
const LIMIT = 8;

type Hit = { kind: "grid"; grid: SearchGrid } | { kind: "customer"; customer: SearchCustomer };

/**
 * SearchControl is the search box at the map's top left. onGrid may take
 * over a picked grid (plan mode selects the plan's grid) by returning true.
 */
export class SearchControl extends L.Control {
  private input!: HTMLInputElement;
  private list!: HTMLElement;
  private hits: Hit[] = [];
  private activeIdx = -1;
  private timer = 0;
  private inflight: AbortController | null = null;
  private readonly marks = L.layerGroup([], { pmIgnore: true, snapIgnore: true } as L.LayerOptions);

  constructor(
    private readonly view: MapView,
    private readonly onGrid?: (g: SearchGrid) => boolean,
  ) {
    super({ position: "topleft" });
  }

  override onAdd(map: L.Map): HTMLElement {
    this.marks.addTo(map);
    this.input = h("input", {
      type: "search",
      id: "map-search",
      "data-testid": "map-search",
      placeholder: t("search.placeholder"),
      "aria-label": t("search.placeholder"),
      autocomplete: "off",
      spellcheck: false,
    });
    this.list = h("ul", { class: "search-results", role: "listbox", "data-testid": "search-results", hidden: true });
    const box = h("div", { class: "map-search leaflet-bar" }, this.input, this.list);
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    this.input.addEventListener("input", () => this.schedule());
    this.input.addEventListener("keydown", (e) => this.onKey(e));
    this.input.addEventListener("focus", () => {
      if (this.hits.length) this.list.hidden = false;
    });
    this.input.addEventListener("blur", () => setTimeout(() => (this.list.hidden = true), 150));
    return box;
  }

  override onRemove(): void {
    window.clearTimeout(this.timer);
    this.inflight?.abort();
    this.marks.remove();
  }

  private schedule(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.search(), DEBOUNCE_MS);
  }

  private async search(): Promise<void> {
    const q = this.input.value.trim();
    this.inflight?.abort();
    if (!q) {
      this.show([]);
      return;
    }
    const ctl = new AbortController();
    this.inflight = ctl;
    try {
      const r = await plansApi.search(q, LIMIT, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      this.show([...(r.grids ?? []).map((g) => ({ kind: "grid", grid: g }) as Hit), ...(r.customers ?? []).map((c) => ({ kind: "customer", customer: c }) as Hit)]);
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") return;
      clear(this.list);
      this.list.append(h("li", { class: "search-empty error" }, describe(e)));
      this.list.hidden = false;
    }
  }

  private show(hits: Hit[]): void {
    this.hits = hits;
    this.activeIdx = hits.length ? 0 : -1;
    clear(this.list);
    if (!this.input.value.trim()) {
      this.list.hidden = true;
      return;
    }
    if (!hits.length) this.list.append(h("li", { class: "search-empty" }, t("search.none")));
    let section = "";
    hits.forEach((hit, i) => {
      if (hit.kind !== section) {
        section = hit.kind;
        this.list.append(h("li", { class: "search-section" }, t(hit.kind === "grid" ? "search.grids" : "search.customers")));
      }
      const label =
        hit.kind === "grid"
          ? [h("b", null, hit.grid.code), " ", h("span", null, hit.grid.name)]
          : [h("b", null, hit.customer.name), " ", h("small", null, hit.customer.address)];
      this.list.append(
        h(
          "li",
          {
            class: i === this.activeIdx ? "search-hit active" : "search-hit",
            role: "option",
            "data-kind": hit.kind,
            "data-id": hit.kind === "grid" ? hit.grid.id : hit.customer.id,
            onmousedown: (e: Event) => {
              e.preventDefault(); // keep the focus: blur would hide the list first
              this.pick(hit);
            },
          },
          label,
        ),
      );
    });
    this.list.hidden = false;
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!this.hits.length) return;
      e.preventDefault();
      this.activeIdx = (this.activeIdx + (e.key === "ArrowDown" ? 1 : -1) + this.hits.length) % this.hits.length;
      this.list.querySelectorAll(".search-hit").forEach((el, i) => el.classList.toggle("active", i === this.activeIdx));
    } else if (e.key === "Enter") {
      e.preventDefault();
      window.clearTimeout(this.timer);
      if (this.hits[this.activeIdx]) this.pick(this.hits[this.activeIdx]);
      else void this.search();
    } else if (e.key === "Escape") {
      this.input.value = "";
      this.show([]);
    }
  }

  private pick(hit: Hit): void {
    this.list.hidden = true;
    const map = this.view.map;
    this.marks.clearLayers();
    if (hit.kind === "grid") {
      const g = hit.grid;
      this.input.value = g.code;
      if (this.onGrid?.(g)) return;
      const [w, s, e, n] = g.bbox;
      map.fitBounds([[s, w], [n, e]], { padding: [40, 40], maxZoom: 17 });
      this.view.grids.select(g.id);
      return;
    }
    const c = hit.customer;
    this.input.value = c.name;
    map.setView([c.lat, c.lng], Math.max(map.getZoom(), 17));
    const rows: [string, string][] = [
      [t("customer.stage"), t(`stage.${c.stage}`)],
      [t("customer.address"), c.address],
    ];
    const grid = c.grid_id ? this.view.grids.feature(c.grid_id)?.properties.code : undefined;
    if (grid) rows.push([t("customer.grid"), grid]);
    L.circleMarker([c.lat, c.lng], { radius: 11, color: "#ff00c8", weight: 3, fill: false, pmIgnore: true, snapIgnore: true, className: "search-mark" } as L.CircleMarkerOptions)
      .addTo(this.marks)
      .bindPopup(h("div", { class: "customer-popup" }, h("h3", null, c.name), propTable(rows)))
      .openPopup();
  }
}
