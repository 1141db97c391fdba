// The leadership page (#/coverage): network coverage against customers,
// as of today or a coming quarter end, drilled down from the city to a
// district and to a grid:
//
//   #/coverage                 the districts: table, stacked bars, gap map and suggested sites
//   #/coverage/district/3      the district's grids: the same, for district 3 only
//   #/coverage/grid/17         the grid's figures and its customers (build list, attack list, …)
//
// The as-of date, the tables' order and the chart's mode stay as chosen
// while moving between the levels (this tab).
import { api, get, type DistrictProps, type GridFeature } from "../api";
import { describe, type Cleanup, type PageContext } from "../app";
import { clear, h } from "../dom";
import { fmtNumber, t } from "../i18n";
import type { Feature, MultiPolygon, Polygon } from "geojson";
import { coverageApi, type CoverageRow, type CoverageSummary, type Level } from "./api";
import { asOfPicker, quarterEnds, savedAsOf, QUARTERS_OFFERED } from "./asof";
import { CoverageChart, type ChartMode } from "./chart";
import { customerList, type ListKind } from "./customers";
import { gapMap, type GapMap } from "./gapmap";
import { gridMap } from "./gridmap";
import { share, sortRows, summaryTable, type Sort } from "./table";

/** What the page remembers while it is left and opened again (this tab). */
const memory: { sort: Record<string, Sort>; chartMode: ChartMode; list: ListKind } = {
  sort: {},
  chartMode: "count",
  list: "build",
};

/** hooks is window.gridplan.coverage: the page's state, for the browser tests and debugging. */
function hooks(): Record<string, unknown> {
  const w = window as unknown as { gridplan?: Record<string, unknown> };
  w.gridplan ??= {};
  const o: Record<string, unknown> = { loads: 0 };
  w.gridplan.coverage = o;
  return o;
}

type View = { kind: "city" } | { kind: "district"; id: number } | { kind: "grid"; id: number };

function parseView(params: string[]): View {
  const [kind, raw] = params;
  const id = Number(raw);
  if ((kind === "district" || kind === "grid") && Number.isInteger(id) && id > 0) return { kind, id };
  return { kind: "city" };
}

/** kpis are the headline figures of one row (the city, a district, a grid). */
function kpis(r: CoverageRow): HTMLElement {
  const tile = (key: string, value: string, sub: string, testid: string, cls = "") =>
    h("div", { class: `kpi ${cls}`, "data-testid": testid }, h("span", { class: "kpi-label" }, t(key)), h("b", { class: "kpi-value" }, value), h("small", { class: "muted" }, sub));
  const pct = (n: number) => `${share(n, r.customers).toFixed(1)}%`;
  return h(
    "div",
    { class: "kpis", "data-testid": "kpis" },
    tile("cov.col.customers", fmtNumber(r.customers), "", "kpi-customers"),
    tile("cov.status.existing", pct(r.existing), fmtNumber(r.existing), "kpi-existing", "existing"),
    tile("cov.status.under_construction", pct(r.under_construction), fmtNumber(r.under_construction), "kpi-under_construction", "under_construction"),
    tile("cov.status.planned", pct(r.planned), fmtNumber(r.planned), "kpi-planned", "planned"),
    tile("cov.col.none", fmtNumber(r.none), pct(r.none), "kpi-none", "none"),
    tile("cov.col.attack", fmtNumber(r.attack), t("cov.attackSub"), "kpi-attack"),
  );
}

function renderCoverage(ctx: PageContext): Cleanup {
  const view = parseView(ctx.params);
  const hk = hooks();
  hk.view = view;
  const abort = new AbortController();
  const disposers: (() => void)[] = [];
  let asOf = savedAsOf();

  const crumbs = h("nav", { class: "crumbs", "aria-label": t("cov.crumbs"), "data-testid": "crumbs" }, h("a", { href: "#/coverage" }, t("cov.city")));
  const asOfShown = h("span", { class: "asof-shown muted", "data-testid": "asof-shown" });
  const exportLink = h("a", { class: "button-link export", download: "", "data-testid": "export-xlsx", title: t("cov.exportTitle") }, t("cov.export"));
  const syncExport = () => exportLink.setAttribute("href", coverageApi.exportURL(asOf || undefined));
  syncExport();
  const head = h(
    "div",
    { class: "page-head cov-head" },
    h("h1", null, t("cov.title")),
    crumbs,
    h("span", { class: "spacer" }),
    asOfPicker(asOf, (v) => {
      asOf = v;
      syncExport();
      void loadAll();
    }),
    exportLink,
  );
  const status = h("p", { class: "muted", "data-testid": "cov-status" });
  const body = h("div", { class: "cov-body" });
  const page = h("div", { class: "cov-page", "data-testid": "coverage-page", "data-view": view.kind }, head, h("p", { class: "hint" }, t(`cov.hint.${view.kind}`), " ", asOfShown), status, body);
  ctx.root.append(page);

  // The parts of this view, each reloaded on a change of date; a newer
  // load aborts the requests of the one before (its answers must not win).
  const loaders: ((d: string, signal: AbortSignal) => Promise<void>)[] = [];
  let loadSeq = 0;
  let loadCtl: AbortController | null = null;
  abort.signal.addEventListener("abort", () => loadCtl?.abort());
  async function loadAll(): Promise<void> {
    const seq = ++loadSeq;
    loadCtl?.abort();
    const ctl = (loadCtl = new AbortController());
    page.dataset.state = "loading";
    status.textContent = "";
    status.classList.remove("error");
    try {
      await Promise.all(loaders.map((l) => l(asOf, ctl.signal)));
      if (seq !== loadSeq || abort.signal.aborted) return;
      page.dataset.state = "ready";
      hk.loads = (Number(hk.loads) || 0) + 1;
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") return;
      if (seq !== loadSeq) return;
      page.dataset.state = "error";
      status.textContent = describe(e);
      status.classList.add("error");
    }
  }

  /** summarySection is the KPIs, the table and the chart of a summary's rows. */
  function summarySection(q: { level: Level; district_id?: number }, rowKind: "district" | "grid", href: (r: CoverageRow) => string) {
    const kpiBox = h("div");
    const tableBox = h("section", { class: "cov-section" }, h("h2", null, t(rowKind === "district" ? "cov.districts" : "cov.grids")));
    const tableSlot = h("div");
    tableBox.append(tableSlot);
    const chart = new CoverageChart();
    disposers.push(() => chart.dispose());
    chart.onPick = (r) => (location.hash = href(r));
    hk.chart = chart;
    const modeBtns = (["count", "share"] as const).map((m) =>
      h(
        "button",
        {
          type: "button",
          "data-mode": m,
          "data-testid": `chart-${m}`,
          class: memory.chartMode === m ? "active" : "",
          onclick: () => {
            memory.chartMode = m;
            for (const b of modeBtns) b.classList.toggle("active", b.dataset.mode === m);
            redrawChart();
          },
        },
        t(`cov.chart.${m}`),
      ),
    );
    const chartBox = h(
      "section",
      { class: "cov-section" },
      h("div", { class: "section-head" }, h("h2", null, t(rowKind === "district" ? "cov.chartDistricts" : "cov.chartGrids")), h("div", { class: "segmented" }, modeBtns)),
      chart.el,
    );
    let rows: CoverageRow[] = [];
    const sortKey = rowKind;
    memory.sort[sortKey] ??= { key: "none", dir: "desc" };
    // The chart follows the table's order.
    const redrawChart = () => chart.set(sortRows(rows, memory.sort[sortKey]), memory.chartMode);
    body.append(kpiBox, tableBox, chartBox);
    loaders.push(async (d, signal) => {
      const s: CoverageSummary = await coverageApi.summary({ ...q, as_of: d || undefined }, { signal });
      rows = s.rows ?? [];
      hk.summary = s;
      asOfShown.textContent = t("cov.asOf", { date: s.as_of });
      asOfShown.dataset.asOf = s.as_of;
      kpiBox.replaceChildren(kpis(s.total));
      tableSlot.replaceChildren(
        summaryTable({
          rows,
          total: s.total,
          outside: s.outside,
          sort: memory.sort[sortKey],
          rowKind,
          href,
          onSort: (st) => {
            memory.sort[sortKey] = st;
            redrawChart();
          },
        }),
      );
      redrawChart();
    });
  }

  /** trendSection shows the totals at today and each coming quarter end, on demand. */
  function trendSection(q: { level: Level; district_id?: number }) {
    const chart = new CoverageChart();
    disposers.push(() => chart.dispose());
    hk.trendChart = chart;
    const box = h("div", { class: "trend" });
    const btn = h("button", { type: "button", "data-testid": "trend-show" }, t("trend.show"));
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      btn.textContent = t("page.loading");
      const dates = ["", ...quarterEnds(new Date(), QUARTERS_OFFERED).map((x) => x.date)];
      try {
        const all = await Promise.all(dates.map((d) => coverageApi.summary({ ...q, as_of: d || undefined }, { signal: abort.signal })));
        const rows = all.map((s, i) => ({ ...s.total, id: i, code: s.as_of, name: i === 0 ? t("trend.today", { date: s.as_of }) : s.as_of }));
        hk.trend = rows;
        box.replaceChildren(chart.el);
        chart.set(rows, "share");
        btn.remove();
      } catch (e) {
        if (e instanceof DOMException && e.name === "AbortError") return;
        btn.disabled = false;
        btn.textContent = t("trend.show");
        box.replaceChildren(h("p", { class: "error" }, describe(e)));
      }
    });
    body.append(h("section", { class: "cov-section" }, h("h2", null, t("trend.title")), h("p", { class: "hint" }, t("trend.hint")), btn, box));
  }

  function mapSection(districtId: number) {
    const gm: GapMap = gapMap({ config: ctx.config, districtId, hooks: (hk.map = {}) as Record<string, unknown> });
    disposers.push(() => gm.dispose());
    body.append(gm.el);
    loaders.push((d) => gm.load(d));
  }

  async function districtName(id: number): Promise<string> {
    try {
      const f = await get<Feature<Polygon | MultiPolygon, DistrictProps>>(`/api/districts/${id}`, { signal: abort.signal });
      return f.properties.name;
    } catch {
      return `#${id}`;
    }
  }

  const crumb = (href: string | null, text: string, testid: string) =>
    href ? h("a", { href, "data-testid": testid }, text) : h("span", { "data-testid": testid, "aria-current": "page" }, text);

  if (view.kind === "city") {
    summarySection({ level: "district" }, "district", (r) => `#/coverage/district/${r.id}`);
    trendSection({ level: "province" });
    mapSection(0);
    void loadAll();
  } else if (view.kind === "district") {
    const name = h("span", { "data-testid": "crumb-district", "aria-current": "page" }, `#${view.id}`);
    crumbs.append(" › ", name);
    void districtName(view.id).then((n) => (name.textContent = n));
    summarySection({ level: "grid", district_id: view.id }, "grid", (r) => `#/coverage/grid/${r.id}`);
    trendSection({ level: "grid", district_id: view.id });
    mapSection(view.id);
    void loadAll();
  } else {
    // The grid: its district first (for the crumbs and its row of figures).
    const gridId = view.id;
    void api.grid(gridId).then(
      async (g: GridFeature) => {
        if (abort.signal.aborted) return;
        const p = g.properties;
        hk.grid = p;
        crumbs.append(" › ", crumb(`#/coverage/district/${p.district_id}`, `#${p.district_id}`, "crumb-district"), " › ", crumb(null, `${p.code} ${p.name}`, "crumb-grid"));
        void districtName(p.district_id).then((n) => {
          const a = crumbs.querySelector("[data-testid=crumb-district]");
          if (a) a.textContent = n;
        });
        const kpiBox = h("div");
        body.append(kpiBox);
        loaders.push(async (d, signal) => {
          const s = await coverageApi.summary({ level: "grid", district_id: p.district_id, as_of: d || undefined }, { signal });
          hk.summary = s;
          asOfShown.textContent = t("cov.asOf", { date: s.as_of });
          asOfShown.dataset.asOf = s.as_of;
          const row = (s.rows ?? []).find((r) => r.id === gridId);
          kpiBox.replaceChildren(row ? kpis(row) : h("p", { class: "empty" }, t("cov.gridNoRow")));
        });
        const gm = gridMap(ctx.config, g, hk);
        disposers.push(() => gm.dispose());
        const list = customerList({ gridId, kind: memory.list, hooks: hk, onKind: (k) => (memory.list = k), onPage: (items) => gm.show(items) });
        disposers.push(() => list.dispose());
        body.append(h("div", { class: "cov-grid-split" }, list.el, gm.el));
        loaders.push((d) => list.load(d));
        await loadAll();
      },
      (e) => {
        if (abort.signal.aborted) return;
        clear(body);
        body.append(h("p", { class: "empty error" }, describe(e)));
        page.dataset.state = "error";
      },
    );
  }

  return () => {
    abort.abort();
    for (const d of disposers.reverse()) d();
    const w = window as unknown as { gridplan?: Record<string, unknown> };
    if (w.gridplan?.coverage === hk) delete w.gridplan.coverage;
  };
}

export { renderCoverage };
