// The summary table: one row per district (or per grid of a district),
// sortable by every column, with the total row at the foot. Each figure
// cell carries its raw value (data-value) so the browser tests can check
// it against the API.
import { h } from "../dom";
import { fmtNumber, t } from "../i18n";
import type { CoverageRow } from "./api";

/** FUNNEL_STAGES are the method's six stages, the funnel columns. */
export const FUNNEL_STAGES = ["target", "list", "potential", "intent", "order", "in_network"] as const;

/** Column is one column of the table. */
export interface Column {
  key: string;
  /** i18n key of the header, and of its tooltip with ".title" appended when that exists. */
  label: string;
  title?: string;
  value(r: CoverageRow): number | string;
  /** How a value is shown; the raw value is in data-value. */
  format?(v: number | string, r: CoverageRow): string;
  kind: "text" | "number" | "percent";
  /** A narrower group heading above the column (the funnel). */
  group?: string;
}

/** share is part/whole as a percentage (0 when whole is 0). */
export function share(part: number, whole: number): number {
  return whole > 0 ? (100 * part) / whole : 0;
}

function pct(v: number | string): string {
  return `${(v as number).toFixed(1)}%`;
}

/** COLUMNS of the table, left to right. */
export const COLUMNS: readonly Column[] = [
  { key: "code", label: "cov.col.code", kind: "text", value: (r) => r.code },
  { key: "name", label: "cov.col.name", kind: "text", value: (r) => r.name },
  { key: "customers", label: "cov.col.customers", kind: "number", value: (r) => r.customers },
  { key: "pct_existing", label: "cov.col.pctExisting", title: "cov.col.pctExisting.title", kind: "percent", value: (r) => share(r.existing, r.customers), format: pct },
  {
    key: "pct_under_construction",
    label: "cov.col.pctUnderConstruction",
    title: "cov.col.pctUnderConstruction.title",
    kind: "percent",
    value: (r) => share(r.under_construction, r.customers),
    format: pct,
  },
  { key: "pct_planned", label: "cov.col.pctPlanned", title: "cov.col.pctPlanned.title", kind: "percent", value: (r) => share(r.planned, r.customers), format: pct },
  { key: "none", label: "cov.col.none", title: "cov.col.none.title", kind: "number", value: (r) => r.none },
  { key: "attack", label: "cov.col.attack", title: "cov.col.attack.title", kind: "number", value: (r) => r.attack },
  ...FUNNEL_STAGES.map(
    (s): Column => ({ key: `funnel_${s}`, label: `stage.${s}`, kind: "number", group: "cov.col.funnel", value: (r) => r.funnel?.[s] ?? 0 }),
  ),
];

/** Sort is the table's order: a column and a direction. */
export interface Sort {
  key: string;
  dir: "asc" | "desc";
}

/**
 * sortRows orders rows by a column (numbers numerically, text by the
 * locale's collation), ties by code; it does not change rows.
 */
export function sortRows(rows: readonly CoverageRow[], sort: Sort): CoverageRow[] {
  const col = COLUMNS.find((c) => c.key === sort.key) ?? COLUMNS[0];
  const sign = sort.dir === "asc" ? 1 : -1;
  const coll = new Intl.Collator(undefined, { numeric: true });
  return [...rows].sort((a, b) => {
    const va = col.value(a);
    const vb = col.value(b);
    const c = typeof va === "number" && typeof vb === "number" ? va - vb : coll.compare(String(va), String(vb));
    return c !== 0 ? sign * c : coll.compare(a.code, b.code);
  });
}

/** nextSort is the order after a click on column key's header. */
export function nextSort(cur: Sort, key: string): Sort {
  if (cur.key === key) return { key, dir: cur.dir === "asc" ? "desc" : "asc" };
  const col = COLUMNS.find((c) => c.key === key);
  // Figures start with the largest (the biggest gaps first), names A → Z.
  return { key, dir: col?.kind === "text" ? "asc" : "desc" };
}

function cell(col: Column, r: CoverageRow): HTMLElement {
  const v = col.value(r);
  const text = col.format ? col.format(v, r) : typeof v === "number" ? fmtNumber(v) : v;
  const attrs: Record<string, string | number> = { "data-col": col.key, "data-value": typeof v === "number" ? v : String(v) };
  if (col.kind !== "text") attrs.class = "num";
  if (col.kind === "percent") {
    const n = col.key === "pct_existing" ? r.existing : col.key === "pct_under_construction" ? r.under_construction : r.planned;
    attrs.title = t("cov.ofCustomers", { n, total: r.customers });
  }
  return h("td", attrs, text);
}

/** TableOptions configure summaryTable. */
export interface TableOptions {
  rows: readonly CoverageRow[];
  total: CoverageRow;
  /** The customers of total in no row; shown above the total when there are any. */
  outside?: CoverageRow;
  sort: Sort;
  onSort(s: Sort): void;
  /** The drill-down address of a row ("#/coverage/district/3"). */
  href(r: CoverageRow): string;
  /** "district" or "grid": what a row is, for the test ids. */
  rowKind: string;
}

/** summaryTable draws the table; it redraws itself when a header is clicked. */
export function summaryTable(o: TableOptions): HTMLElement {
  const wrap = h("div", { class: "table-wrap cov-table-wrap" });
  let sort = o.sort;
  const draw = () => {
    const groups = h("tr", { class: "cov-groups" });
    let i = 0;
    while (i < COLUMNS.length) {
      const g = COLUMNS[i].group;
      let span = 1;
      while (i + span < COLUMNS.length && COLUMNS[i + span].group === g) span++;
      groups.append(h("th", { colspan: span, class: g ? "cov-group" : "" }, g ? t(g) : ""));
      i += span;
    }
    const heads = h(
      "tr",
      null,
      COLUMNS.map((c) => {
        const active = sort.key === c.key;
        const btn = h(
          "button",
          { type: "button", class: "sort", "data-sort": c.key, title: c.title ? t(c.title) : t("cov.sortBy", { col: t(c.label) }) },
          t(c.label),
          h("span", { class: "sort-mark", "aria-hidden": "true" }, active ? (sort.dir === "asc" ? "▲" : "▼") : ""),
        );
        btn.addEventListener("click", () => {
          sort = nextSort(sort, c.key);
          o.onSort(sort);
          draw();
        });
        return h("th", { class: c.kind !== "text" ? "num" : "", "aria-sort": active ? (sort.dir === "asc" ? "ascending" : "descending") : "none" }, btn);
      }),
    );
    const body = h(
      "tbody",
      null,
      sortRows(o.rows, sort).map((r) =>
        h(
          "tr",
          { "data-id": r.id, "data-testid": `${o.rowKind}-row` },
          COLUMNS.map((c) => {
            const td = cell(c, r);
            if (c.key === "name" || c.key === "code") {
              td.textContent = "";
              td.append(h("a", { href: o.href(r), "data-testid": c.key === "name" ? "drill" : undefined }, String(c.value(r)) || "—"));
            }
            return td;
          }),
        ),
      ),
    );
    if (o.rows.length === 0) body.append(h("tr", null, h("td", { colspan: COLUMNS.length, class: "empty" }, t("cov.noRows"))));
    const out = o.outside && o.outside.customers > 0 ? o.outside : null;
    const foot = h(
      "tfoot",
      null,
      out
        ? h(
            "tr",
            { "data-testid": "outside-row", class: "outside", title: t(`cov.outside.${o.rowKind}Name`) },
            COLUMNS.map((c) => {
              if (c.key === "code") return h("td", { "data-col": "code" }, t(`cov.outside.${o.rowKind}`));
              if (c.key === "name") return h("td", { "data-col": "name" }, t(`cov.outside.${o.rowKind}Name`));
              return cell(c, out);
            }),
          )
        : null,
      h(
        "tr",
        { "data-testid": "total-row" },
        COLUMNS.map((c) => {
          if (c.key === "code") return h("td", { "data-col": "code" }, t("cov.total"));
          if (c.key === "name") return h("td", { "data-col": "name" }, t("cov.rowCount", { n: o.rows.length }));
          return cell(c, o.total);
        }),
      ),
    );
    wrap.replaceChildren(h("table", { class: "data cov-table", "data-testid": "coverage-table", "data-sort": `${sort.key}:${sort.dir}` }, h("thead", null, groups, heads), body, foot));
  };
  draw();
  return wrap;
}
