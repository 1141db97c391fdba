// A grid's customers with their coverage (GET /api/coverage/customers):
// the build list (no coverage), the attack list (competitors' customers
// inside existing coverage) or any status and carrier, a page at a time.
import { describe } from "../app";
import { h } from "../dom";
import { t } from "../i18n";
import { CARRIERS, COVERAGE_STATUSES, coverageApi, type Carrier, type CoverageCustomer, type CoveragePage, type CoverageStatus, type CustomerQuery } from "./api";
import { STATUS_COLORS } from "./chart";

/** PAGE_SIZE is the customers per page. */
export const PAGE_SIZE = 50;

/** ListKind is a preset of the filters. */
export type ListKind = "build" | "attack" | "all";

/** presetFilter is the status and carrier of a preset list. */
export function presetFilter(kind: ListKind): { status: CoverageStatus | ""; carrier: Carrier | "" } {
  switch (kind) {
    case "build":
      return { status: "none", carrier: "" };
    case "attack":
      return { status: "existing", carrier: "competitor" };
    default:
      return { status: "", carrier: "" };
  }
}

/** presetOf names the preset that status and carrier make, if any. */
export function presetOf(status: string, carrier: string): ListKind | "" {
  for (const k of ["build", "attack", "all"] as const) {
    const f = presetFilter(k);
    if (f.status === status && f.carrier === carrier) return k;
  }
  return "";
}

/** statusBadge shows a coverage status in its colour. */
export function statusBadge(s: CoverageStatus): HTMLElement {
  const b = h("span", { class: "cov-badge", "data-status": s }, t(`cov.status.${s}`));
  b.style.borderColor = STATUS_COLORS[s] ?? "#9e9e9e";
  b.style.color = s === "none" ? "#b71c1c" : (STATUS_COLORS[s] ?? "#424242");
  return b;
}

/** CustomerListOptions configure customerList. */
export interface CustomerListOptions {
  gridId: number;
  /** The list shown first. */
  kind: ListKind;
  hooks: Record<string, unknown>;
  /** onKind tells the page the preset chosen (to remember it). */
  onKind?(k: ListKind): void;
  /** onPage gets the customers of every page shown (for the map). */
  onPage?(items: CoverageCustomer[]): void;
}

/** CustomerList is the drill-down's last level. */
export interface CustomerList {
  el: HTMLElement;
  load(asOf: string): Promise<void>;
  dispose(): void;
}

/** customerList builds the filters, the table and the pager of a grid's customers. */
export function customerList(o: CustomerListOptions): CustomerList {
  const abort = new AbortController();
  let asOf = "";
  let { status, carrier } = presetFilter(o.kind);
  /** cursors[i] is the cursor of page i (page 0 has none). */
  let cursors: (string | undefined)[] = [undefined];
  let pageNo = 0;

  const presets = h(
    "div",
    { class: "segmented", role: "group", "aria-label": t("list.presets") },
    (["build", "attack", "all"] as const).map((k) =>
      h("button", { type: "button", "data-list": k, "data-testid": `list-${k}`, title: t(`list.${k}.title`), onclick: () => choose(presetFilter(k)) }, t(`list.${k}`)),
    ),
  );
  const statusSel = h(
    "select",
    { "data-testid": "filter-status", "aria-label": t("list.status") },
    h("option", { value: "" }, t("list.anyStatus")),
    COVERAGE_STATUSES.map((s) => h("option", { value: s }, t(`cov.status.${s}`))),
  );
  const carrierSel = h(
    "select",
    { "data-testid": "filter-carrier", "aria-label": t("list.carrier") },
    h("option", { value: "" }, t("list.anyCarrier")),
    CARRIERS.map((c) => h("option", { value: c }, t(`carrier.${c}`))),
  );
  statusSel.addEventListener("change", () => choose({ status: statusSel.value as CoverageStatus | "", carrier }));
  carrierSel.addEventListener("change", () => choose({ status, carrier: carrierSel.value as Carrier | "" }));
  const info = h("p", { class: "small", "data-testid": "list-info" });
  const tableBox = h("div", { class: "table-wrap" });
  const prev = h("button", { type: "button", "data-testid": "page-prev", onclick: () => go(pageNo - 1) }, t("list.prev"));
  const next = h("button", { type: "button", "data-testid": "page-next", onclick: () => go(pageNo + 1) }, t("list.next"));
  const pager = h("div", { class: "pager" }, prev, h("span", { class: "muted small", "data-testid": "page-no" }), next);
  const el = h(
    "section",
    { class: "cov-section cov-customers", "data-testid": "customer-list" },
    h("h2", null, t("list.title")),
    h("div", { class: "filters" }, presets, h("label", { class: "field" }, h("span", null, t("list.status")), statusSel), h("label", { class: "field" }, h("span", null, t("list.carrier")), carrierSel)),
    info,
    tableBox,
    pager,
  );

  function syncControls(): void {
    statusSel.value = status;
    carrierSel.value = carrier;
    const kind = presetOf(status, carrier);
    for (const b of presets.querySelectorAll<HTMLButtonElement>("button")) b.classList.toggle("active", b.dataset.list === kind);
    el.dataset.status = status;
    el.dataset.carrier = carrier;
  }

  function choose(f: { status: CoverageStatus | ""; carrier: Carrier | "" }): void {
    status = f.status;
    carrier = f.carrier;
    const kind = presetOf(status, carrier);
    if (kind) o.onKind?.(kind);
    cursors = [undefined];
    void go(0);
  }

  let ctl: AbortController | null = null;
  async function go(n: number): Promise<void> {
    if (n < 0 || n >= cursors.length) return;
    syncControls();
    ctl?.abort();
    const mine = (ctl = new AbortController());
    abort.signal.addEventListener("abort", () => mine.abort());
    el.dataset.state = "loading";
    prev.disabled = next.disabled = true;
    const q: CustomerQuery & { as_of?: string } = { grid_id: o.gridId, status, carrier, limit: PAGE_SIZE, cursor: cursors[n], as_of: asOf || undefined };
    let page: CoveragePage;
    try {
      page = await coverageApi.customers(q, { signal: mine.signal });
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") return;
      el.dataset.state = "error";
      tableBox.replaceChildren(h("p", { class: "error" }, describe(e)));
      return;
    }
    if (mine.signal.aborted) return;
    pageNo = n;
    if (page.next_cursor) cursors[n + 1] = page.next_cursor;
    else cursors.length = n + 1;
    const items = page.items ?? [];
    o.hooks.customers = { query: q, page };
    o.onPage?.(items);
    const from = n * PAGE_SIZE + (items.length ? 1 : 0);
    info.textContent = t("list.info", { from, to: n * PAGE_SIZE + items.length, total: page.total });
    info.dataset.total = String(page.total);
    (pager.querySelector("[data-testid=page-no]") as HTMLElement).textContent = t("list.page", { n: n + 1 });
    prev.disabled = n === 0;
    next.disabled = !page.next_cursor;
    tableBox.replaceChildren(
      h(
        "table",
        { class: "data compact", "data-testid": "customers-table" },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            ["list.name", "customer.address", "customer.stage", "list.carrier", "list.size", "list.coverage", "list.covering"].map((k) => h("th", null, t(k))),
          ),
        ),
        h(
          "tbody",
          null,
          items.length
            ? items.map((c) =>
                h(
                  "tr",
                  { "data-customer": c.id, "data-coverage": c.coverage, "data-carrier": c.carrier ?? "" },
                  h("td", null, c.name),
                  h("td", { class: "muted small" }, c.address),
                  h("td", null, t(`stage.${c.stage}`)),
                  h("td", null, c.carrier ? t(`carrier.${c.carrier}`) : "—"),
                  h("td", null, c.size ? t(`size.${c.size}`) : "—"),
                  h("td", null, statusBadge(c.coverage)),
                  h("td", { class: "small" }, (c.covering ?? []).length ? (c.covering ?? []).map((id) => `#${id}`).join(", ") : "—"),
                ),
              )
            : h("tr", null, h("td", { colspan: 7, class: "empty" }, t("list.empty"))),
        ),
      ),
    );
    el.dataset.state = "ready";
    el.dataset.page = String(n);
  }

  syncControls();
  return {
    el,
    load(d: string): Promise<void> {
      asOf = d;
      cursors = [undefined];
      return go(0);
    },
    dispose(): void {
      abort.abort();
    },
  };
}
