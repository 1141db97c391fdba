// The funnel page (#/funnel) of leaders, planners and admins: the funnel of
// the whole city, a district or a grid (GET /api/funnel/metrics), chosen
// with the district and grid selects; the route keeps the choice:
//
//   #/funnel                 the city (level province)
//   #/funnel/district/3      district 3
//   #/funnel/grid/17         grid 17, with links to its managers' lists
import { api } from "../api";
import { describe, type Cleanup, type PageContext } from "../app";
import { h } from "../dom";
import { t } from "../i18n";
import { funnelApi, type MetricsLevel } from "./api";
import { scopePicker } from "./picker";
import { ReportView } from "./report";

type View = { level: "province"; id: 0 } | { level: "district" | "grid"; id: number };

/** PERIODS offered, in days up to today (the API's default is 30). */
const PERIODS = [30, 90, 365] as const;

/** What the page remembers while it is left and opened again (this tab). */
const memory: { days: number; targetOrders: number } = { days: 30, targetOrders: 0 };

/** isoDay is d's UTC day, YYYY-MM-DD. */
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

function parseView(params: string[]): View {
  const [kind, raw] = params;
  const id = Number(raw);
  if ((kind === "district" || kind === "grid") && Number.isInteger(id) && id > 0) return { level: kind, id };
  return { level: "province", id: 0 };
}

export function renderFunnel(ctx: PageContext): Cleanup {
  const view = parseView(ctx.params);
  const w = window as unknown as { gridplan?: Record<string, unknown> };
  w.gridplan ??= {};
  const hk: Record<string, unknown> = { loads: 0, view };
  w.gridplan.funnel = hk;
  const abort = new AbortController();

  const title = h("h1", { "data-testid": "funnel-title" }, t("fn.title"));
  const status = h("p", { class: "muted", "data-testid": "funnel-status" });
  const report = new ReportView();
  hk.chart = report.chart;
  const managersBox = h("div", { class: "fn-managers" });
  const page = h("div", { class: "lists-page funnel-page", "data-testid": "funnel-page", "data-state": "loading", "data-level": view.level }, h("div", { class: "page-head" }, title));
  ctx.root.append(page);

  const go = (level: MetricsLevel, id: number) => {
    if (level === "province") ctx.navigate("funnel");
    else ctx.navigate("funnel", level, id);
  };

  // The period (days up to today) and the orders to aim for: the report's
  // conversions, medians and daily contacts needed follow them.
  const period = h(
    "select",
    { "data-testid": "fn-period", "aria-label": t("fn.periodLabel") },
    PERIODS.map((d) => h("option", { value: String(d), selected: d === memory.days }, t("fn.lastDays", { n: d }))),
  );
  const target = h("input", {
    type: "number",
    min: 0,
    max: 100000,
    step: 1,
    "data-testid": "fn-target-orders",
    "aria-label": t("fn.targetOrders"),
    value: memory.targetOrders ? String(memory.targetOrders) : "",
    placeholder: "0",
  });
  let loadSeq = 0;
  const loadReport = async () => {
    const seq = ++loadSeq;
    const today = new Date();
    const from = new Date(today.getTime() - (memory.days - 1) * 86_400_000);
    page.dataset.state = "loading";
    const r = await funnelApi.metrics(
      { level: view.level, id: view.id || undefined, from: isoDay(from), to: isoDay(today), target_orders: memory.targetOrders || undefined },
      { signal: abort.signal },
    );
    if (seq !== loadSeq) return;
    hk.report = r;
    if (view.level !== "grid") title.textContent = r.name ? t("fn.titleOf", { name: r.name }) : t("fn.title");
    report.set(r);
    status.textContent = "";
    status.classList.remove("error");
    page.dataset.state = "ready";
    hk.loads = Number(hk.loads) + 1;
  };
  const reload = () =>
    loadReport().catch((e) => {
      if (e instanceof DOMException && e.name === "AbortError") return;
      page.dataset.state = "error";
      status.textContent = describe(e);
      status.classList.add("error");
    });
  period.addEventListener("change", () => {
    memory.days = Number(period.value);
    void reload();
  });
  target.addEventListener("change", () => {
    const n = Math.max(0, Math.floor(Number(target.value) || 0));
    memory.targetOrders = n;
    void reload();
  });

  const start = async () => {
    let initial: { districtId?: number; gridId?: number } = {};
    if (view.level === "district") initial = { districtId: view.id };
    if (view.level === "grid") {
      const g = await api.grid(view.id);
      initial = { districtId: g.properties.district_id, gridId: view.id };
      title.textContent = t("fn.titleOf", { name: `${g.properties.code} ${g.properties.name}` });
    }
    page.append(
      scopePicker({
        withManagers: false,
        initial,
        signal: abort.signal,
        onChange: (v) => {
          const want: View = v.gridId ? { level: "grid", id: v.gridId } : v.districtId ? { level: "district", id: v.districtId } : { level: "province", id: 0 };
          if (want.level !== view.level || want.id !== view.id) go(want.level, want.id);
        },
      }),
      h("div", { class: "pick fn-options" }, h("label", null, h("span", null, t("fn.periodLabel")), period), h("label", null, h("span", null, t("fn.targetOrders")), target)),
      status,
      h("section", { class: "lists-section" }, report.el),
      managersBox,
    );
    await loadReport();
    if (view.level === "grid") {
      const ms = await api.managers({ grid_id: view.id });
      managersBox.replaceChildren(
        h(
          "section",
          { class: "lists-section", "data-testid": "grid-managers" },
          h("h2", null, t("fn.managers")),
          h(
            "ul",
            null,
            ms.items.map((m) => h("li", null, h("a", { href: `#/list/${m.id}`, "data-manager": String(m.id) }, `${m.name} (${m.code})`))),
          ),
        ),
      );
    }
  };
  start().catch((e) => {
    if (e instanceof DOMException && e.name === "AbortError") return;
    page.dataset.state = "error";
    status.textContent = describe(e);
    status.classList.add("error");
    if (!status.isConnected) page.append(status);
  });

  return () => {
    abort.abort();
    report.dispose();
    if (w.gridplan?.funnel === hk) delete w.gridplan.funnel;
  };
}
