// Two plans side by side (#/plans/12/compare/9, GET
// /api/plans/12/compare/9): per grid, the customers each plan puts in it,
// its managers and their quota headroom (how many more list customers the
// team can take), and the coverage counts once coverage is computed (the
// columns stay empty until then).
import { describe, type PageContext } from "../app";
import { clear, h } from "../dom";
import { fmtNumber, t } from "../i18n";
import { plansApi, type Comparison, type GridComparison, type GridSide } from "./api";
import { planLabel, planStatusBadge } from "./status";

/** differs tells whether a grid's row changes between the plans. */
function differs(g: GridComparison): boolean {
  if (!g.a || !g.b) return true;
  return g.a.customers !== g.b.customers || g.a.managers !== g.b.managers || g.a.headroom !== g.b.headroom || Math.abs(g.a.area_km2 - g.b.area_km2) > 1e-4;
}

function coverage(s: GridSide | null): string {
  if (!s) return "";
  if (!s.coverage) return "—";
  return `${fmtNumber(s.coverage.existing)} / ${fmtNumber(s.coverage.under_construction)} / ${fmtNumber(s.coverage.planned)}`;
}

function sideCells(s: GridSide | null): HTMLElement[] {
  if (!s) return [h("td", { class: "absent", colspan: 5 }, t("compare.absent"))];
  return [
    h("td", { class: "num", "data-col": "customers" }, fmtNumber(s.customers)),
    h("td", { class: "num", "data-col": "managers" }, fmtNumber(s.managers)),
    h("td", { class: `num${s.headroom < 0 ? " negative" : ""}`, "data-col": "headroom", title: t("compare.headroomTitle", { max: s.quota_max, claimed: s.claimed }) }, fmtNumber(s.headroom)),
    h("td", { class: "num" }, fmtNumber(Math.round(s.area_km2 * 100) / 100)),
    h("td", { class: "num coverage" }, coverage(s)),
  ];
}

function totals(c: Comparison, side: "a" | "b"): { grids: number; customers: number; managers: number; headroom: number } {
  let grids = 0, customers = 0, managers = 0, headroom = 0;
  for (const g of c.grids) {
    const s = g[side];
    if (!s) continue;
    grids++;
    customers += s.customers;
    managers += s.managers;
    headroom += s.headroom;
  }
  return { grids, customers, managers, headroom };
}

/** renderCompare draws the comparison of plans a and b into the page. */
export function renderCompare(ctx: PageContext, a: number, b: number): () => void {
  const abort = new AbortController();
  const box = h("section", { class: "page-section compare-page", "data-testid": "compare" }, h("p", { class: "muted" }, t("page.loading")));
  ctx.root.append(box);
  plansApi.compare(a, b, { signal: abort.signal }).then(
    (c) => draw(c),
    (e) => {
      if (e instanceof DOMException && e.name === "AbortError") return;
      clear(box);
      box.append(h("p", { class: "error" }, describe(e)), h("a", { href: "#/plans" }, t("plan.backToPlans")));
    },
  );

  function draw(c: Comparison): void {
    clear(box);
    const onlyDiff = h("input", { type: "checkbox", checked: true, "data-testid": "compare-only-diff" });
    const table = h("table", { class: "data compact compare-table", id: "compare-table" });
    const ta = totals(c, "a"), tb = totals(c, "b");
    const fill = () => {
      clear(table);
      const rows = c.grids.filter((g) => !onlyDiff.checked || differs(g));
      const sub = [t("compare.customers"), t("compare.managers"), t("compare.headroom"), t("compare.area"), t("compare.coverage")];
      table.append(
        h(
          "thead",
          null,
          h("tr", null, h("th", { rowspan: 2 }, t("grid.code")), h("th", { colspan: 5, class: "side-a" }, planLabel(c.a)), h("th", { colspan: 5, class: "side-b" }, planLabel(c.b)), h("th", { rowspan: 2, class: "num" }, t("compare.delta"))),
          h("tr", null, [...sub, ...sub].map((s) => h("th", { class: "num", title: s === t("compare.coverage") ? t("compare.coverageTitle") : undefined }, s))),
        ),
        h(
          "tbody",
          null,
          rows.map((g) => {
            const d = (g.b?.customers ?? 0) - (g.a?.customers ?? 0);
            return h(
              "tr",
              { "data-code": g.code, class: !g.a ? "only-b" : !g.b ? "only-a" : differs(g) ? "differs" : "" },
              h("td", null, h("b", null, g.code), h("div", { class: "muted small" }, g.a?.name ?? g.b?.name ?? "")),
              ...sideCells(g.a),
              ...sideCells(g.b),
              h("td", { class: `num${d > 0 ? " up" : d < 0 ? " down" : ""}` }, d === 0 ? "0" : `${d > 0 ? "+" : "−"}${fmtNumber(Math.abs(d))}`),
            );
          }),
        ),
      );
      if (!rows.length) table.append(h("tbody", null, h("tr", null, h("td", { colspan: 12, class: "empty" }, t("compare.same")))));
    };
    onlyDiff.addEventListener("change", fill);
    fill();
    const changed = c.grids.filter(differs).length;
    box.append(
      h("p", null, h("a", { href: "#/plans" }, t("plan.backToPlans"))),
      h("h1", null, t("compare.title")),
      h(
        "div",
        { class: "compare-heads" },
        h("div", { class: "side-a" }, h("b", null, planLabel(c.a)), " ", planStatusBadge(c.a), h("p", { class: "muted" }, t("compare.totals", { grids: ta.grids, customers: ta.customers, managers: ta.managers, headroom: ta.headroom })), h("a", { href: `#/map/plan/${c.a.id}` }, t("plans.view"))),
        h("div", { class: "side-b" }, h("b", null, planLabel(c.b)), " ", planStatusBadge(c.b), h("p", { class: "muted" }, t("compare.totals", { grids: tb.grids, customers: tb.customers, managers: tb.managers, headroom: tb.headroom })), h("a", { href: `#/map/plan/${c.b.id}` }, t("plans.view"))),
      ),
      h("p", { "data-testid": "compare-summary" }, t("compare.summary", { n: changed, total: c.grids.length })),
      h("label", { class: "check" }, onlyDiff, t("compare.onlyDiff")),
      h("p", { class: "hint" }, t("compare.coverageHint")),
      h("div", { class: "table-wrap" }, table),
    );
  }
  return () => abort.abort();
}
