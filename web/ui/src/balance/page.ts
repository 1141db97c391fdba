// The list-balancing page (#/balance, #/balance/:districtId[/:gridId]):
// choose a district and optionally one of its grids, the slack, cross-grid
// and compact lists, run; review the proposal on the map and in the tables;
// accept all of it or the changes left ticked. The results say, per change,
// applied or refused and why (a proposal goes stale when lists change
// meanwhile: the server checks each change again).
import { api, type GridFeature } from "../api";
import { describe, type Cleanup, type PageContext } from "../app";
import { confirmDialog } from "../dialog";
import { h } from "../dom";
import { fmtNumber, hasMessage, t } from "../i18n";
import { scopePicker, type PickerValue } from "../lists/picker";
import { toast } from "../toast";
import { balanceApi, type AcceptChange, type AcceptResult, type Proposal, type ProposalChange, type ProposalIn } from "./api";
import { managerColors, POOL_COLOR, ProposalMap } from "./map";

/** hooks is window.gridplan.balance: the page's state, for the browser tests and debugging. */
function hooks(): Record<string, unknown> {
  const w = window as unknown as { gridplan?: Record<string, unknown> };
  w.gridplan ??= {};
  const o: Record<string, unknown> = { loads: 0, accepts: 0 };
  w.gridplan.balance = o;
  return o;
}

const km = (m: number) => fmtNumber(Math.round(m / 100) / 10);

/** reasonText translates the balancer's reason key; unknown keys show the balancer's note. */
function reasonText(ch: ProposalChange): string {
  const key = `bal.reason.${ch.reason}`;
  if (hasMessage(key)) return t(key);
  return ch.note || ch.reason;
}

export function renderBalance(ctx: PageContext): Cleanup {
  const hk = hooks();
  const abort = new AbortController();
  const [d0, g0] = ctx.params.map(Number);
  let scope: PickerValue = { districtId: d0 > 0 ? d0 : 0, gridId: g0 > 0 ? g0 : 0, managerId: 0 };
  let map: ProposalMap | null = null;

  // The form.
  const runBtn = h("button", { type: "button", class: "primary", "data-testid": "balance-run", disabled: true }, t("bal.run"));
  const picker = scopePicker({
    withManagers: false,
    initial: scope,
    signal: abort.signal,
    onChange: (v) => {
      scope = v;
      runBtn.disabled = !v.districtId;
      runBtn.textContent = t(v.gridId ? "bal.runGrid" : v.districtId ? "bal.runDistrict" : "bal.run");
      history.replaceState(null, "", `#/balance${v.districtId ? `/${v.districtId}` : ""}${v.gridId ? `/${v.gridId}` : ""}`);
    },
  });
  const slack = h("input", { type: "number", min: 0, step: 1, inputmode: "numeric", placeholder: t("bal.slackDefault"), "data-testid": "balance-slack", class: "bal-num" });
  const penalty = h("input", { type: "number", min: 0, max: 100000, step: 50, value: 300, "data-testid": "balance-penalty", class: "bal-num" });
  const cross = h("input", { type: "checkbox", "data-testid": "balance-cross-grid" });
  const compact = h("input", { type: "checkbox", "data-testid": "balance-compact" });
  const form = h(
    "div",
    { class: "bal-form", "data-testid": "balance-form" },
    picker,
    h("label", { title: t("bal.slackTitle") }, h("span", null, t("bal.slack")), slack),
    h("label", { title: t("bal.penaltyTitle") }, h("span", null, t("bal.penalty")), penalty),
    h("label", { class: "check", title: t("bal.crossGridTitle") }, cross, t("bal.crossGrid")),
    h("label", { class: "check", title: t("bal.compactTitle") }, compact, t("bal.compact")),
    runBtn,
  );
  const status = h("p", { class: "muted", "data-testid": "balance-status" });
  const body = h("div", { class: "bal-body" });
  const page = h(
    "div",
    { class: "bal-page", "data-testid": "balance-page", "data-state": "idle" },
    h("div", { class: "page-head bal-head" }, h("h1", null, t("bal.title"))),
    h("p", { class: "hint" }, t("bal.hint")),
    form,
    status,
    body,
  );
  ctx.root.append(page);

  const setStatus = (msg: string, error = false) => {
    status.textContent = msg;
    status.classList.toggle("error", error);
  };

  async function run(): Promise<void> {
    if (!scope.districtId) return;
    const req: ProposalIn = scope.gridId ? { grid_id: scope.gridId } : { district_id: scope.districtId };
    if (slack.value.trim() !== "") req.slack = Number(slack.value);
    if (penalty.value.trim() !== "") req.move_penalty_m = Number(penalty.value);
    req.cross_grid = cross.checked;
    req.compact = compact.checked;
    page.dataset.state = "loading";
    runBtn.disabled = true;
    setStatus(t("bal.running"));
    try {
      const [p, grids] = await Promise.all([
        balanceApi.propose(req, { signal: abort.signal }),
        api.grids({ district_id: scope.districtId }, { signal: abort.signal }),
      ]);
      if (abort.signal.aborted) return;
      hk.proposal = p;
      const inScope = new Set(p.scope.grid_ids);
      show(p, grids.features.filter((g) => inScope.has(g.properties.id)));
      setStatus(t("bal.solved", { ms: fmtNumber(p.solve_ms) }));
      page.dataset.state = "ready";
      hk.loads = (Number(hk.loads) || 0) + 1;
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") return;
      page.dataset.state = "error";
      setStatus(describe(e), true);
    } finally {
      runBtn.disabled = !scope.districtId;
    }
  }
  runBtn.addEventListener("click", () => void run());

  function show(p: Proposal, grids: GridFeature[]): void {
    const colors = managerColors(p.managers);
    const mgr = new Map(p.managers.map((m) => [m.id, m]));
    const who = (id: number) => {
      const m = mgr.get(id);
      if (!m) return h("span", { class: "bal-who pool" }, h("i", { class: "bal-swatch", style: `background:${POOL_COLOR}` }), t("bal.pool"));
      return h("span", { class: "bal-who", title: m.name }, h("i", { class: "bal-swatch", style: `background:${colors.get(m.id)}` }), `${m.name} (${m.code})`);
    };

    // Headline figures.
    const travelBefore = p.managers.reduce((s, m) => s + m.travel_before_m, 0);
    const fig = (key: string, value: string, testid: string, sub = "") =>
      h("div", { class: "bal-fig", "data-testid": testid }, h("span", { class: "bal-fig-label" }, t(key)), h("b", null, value), sub ? h("small", { class: "muted" }, sub) : null);
    const figures = h(
      "div",
      { class: "bal-figs", "data-testid": "balance-figures" },
      fig("bal.fig.customers", fmtNumber(p.pool + p.held), "fig-customers", t("bal.fig.customersSub", { pool: p.pool, held: p.held })),
      fig("bal.fig.locked", fmtNumber(p.locked), "fig-locked", t("bal.fig.lockedSub", { movable: p.movable })),
      fig("bal.fig.assigned", fmtNumber(p.assigned), "fig-assigned", t("bal.fig.assignedSub", { slack: p.params.slack })),
      fig("bal.fig.changes", fmtNumber(p.changes.length), "fig-changes"),
      fig("bal.fig.travel", `${km(travelBefore)} → ${km(p.cost_m)} km`, "fig-travel"),
    );
    const infeasible: HTMLElement[] = p.infeasible
      ? [h("div", { class: "bal-infeasible", role: "alert", "data-testid": "balance-infeasible" }, h("b", null, t("bal.infeasible")), " ", p.infeasible)]
      : [];
    if (p.notes?.length) {
      infeasible.push(h("div", { class: "bal-notes", "data-testid": "balance-notes" }, h("b", null, t("bal.notes")), h("ul", null, p.notes.map((n) => h("li", null, n)))));
    }

    // The map.
    map?.dispose();
    map = new ProposalMap(ctx.config, hk);

    // Per manager: before and after.
    const travel = (before: number, after: number) =>
      h("td", { class: "num", "data-col": "travel", "data-before": String(before), "data-after": String(after) }, `${km(before)} → ${km(after)}`);
    const num = (col: string, v: number, text = fmtNumber(v)) => h("td", { class: "num", "data-col": col, "data-value": String(v) }, text);
    const managerRows = p.managers.map((m) =>
      h(
        "tr",
        { "data-manager": m.id, class: m.violation ? "violation" : "" },
        h("td", null, who(m.id)),
        h("td", { class: "num", "data-col": "quota", "data-value": `${m.min}-${m.max}` }, `${m.min}–${m.max}`),
        num("before", m.before),
        num("after", m.after, `${fmtNumber(m.after)}${m.violation ? ` (${m.violation > 0 ? "+" : ""}${m.violation})` : ""}`),
        h("td", { class: "num delta", "data-col": "delta" }, m.gained ? h("span", { class: "gain" }, `+${m.gained}`) : null, m.lost ? h("span", { class: "loss" }, ` −${m.lost}`) : null),
        travel(m.travel_before_m, m.travel_after_m),
      ),
    );
    const sum = (f: (m: (typeof p.managers)[number]) => number) => p.managers.reduce((s, m) => s + f(m), 0);
    const managers = h(
      "section",
      { class: "bal-section" },
      h("h2", null, t("bal.managers")),
      h(
        "table",
        { class: "data bal-table", "data-testid": "balance-managers" },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", null, t("bal.col.manager")),
            h("th", { class: "num" }, t("bal.col.quota")),
            h("th", { class: "num" }, t("bal.col.before")),
            h("th", { class: "num" }, t("bal.col.after")),
            h("th", { class: "num" }, t("bal.col.delta")),
            h("th", { class: "num" }, t("bal.col.travel")),
          ),
        ),
        h("tbody", null, managerRows),
        h(
          "tfoot",
          null,
          h(
            "tr",
            null,
            h("td", null, t("bal.total")),
            h("td", null),
            num("before", sum((m) => m.before)),
            num("after", sum((m) => m.after)),
            h("td", null),
            travel(travelBefore, p.cost_m),
          ),
        ),
      ),
    );

    // The changes, each with a checkbox.
    const boxes = new Map<number, HTMLInputElement>();
    const statusCell = new Map<number, HTMLElement>();
    const done = new Set<number>();
    const changeRows = p.changes.map((ch) => {
      const box = h("input", { type: "checkbox", checked: true, "data-testid": "change-select", "aria-label": ch.customer_name });
      boxes.set(ch.customer_id, box);
      box.addEventListener("change", () => {
        map?.mark(ch.customer_id, box.checked ? "selected" : "unselected");
        syncSelection();
      });
      const cell = h("td", { class: "bal-result", "data-col": "result" });
      statusCell.set(ch.customer_id, cell);
      const nameLink = h("button", { type: "button", class: "link", onclick: () => map?.focus(ch.customer_id) }, ch.customer_name);
      return h(
        "tr",
        { "data-customer": ch.customer_id, "data-from": ch.from, "data-to": ch.to },
        h("td", null, box),
        h("td", null, nameLink),
        h("td", null, who(ch.from)),
        h("td", null, who(ch.to)),
        h("td", { class: "num" }, km(ch.distance_m)),
        h("td", { class: "bal-reason", "data-reason": ch.reason }, reasonText(ch), ch.warning ? h("div", { class: "bal-warning" }, ch.warning) : null),
        cell,
      );
    });
    const all = h("input", { type: "checkbox", checked: true, "data-testid": "changes-all", "aria-label": t("bal.selectAll") });
    all.addEventListener("change", () => {
      for (const [id, b] of boxes) {
        if (done.has(id)) continue;
        b.checked = all.checked;
        map?.mark(id, b.checked ? "selected" : "unselected");
      }
      syncSelection();
    });
    const selectedInfo = h("span", { class: "muted", "data-testid": "changes-selected" });
    const acceptSel = h("button", { type: "button", class: "primary", "data-testid": "accept-selected" }, t("bal.acceptSelected"));
    const acceptAll = h("button", { type: "button", "data-testid": "accept-all" }, t("bal.acceptAll"));
    const resultInfo = h("p", { class: "bal-results", "data-testid": "accept-summary" });
    const selected = () => p.changes.filter((ch) => !done.has(ch.customer_id) && boxes.get(ch.customer_id)?.checked);
    function syncSelection(): void {
      const open = p.changes.filter((ch) => !done.has(ch.customer_id));
      const n = selected().length;
      selectedInfo.textContent = t("bal.selected", { n, total: open.length });
      selectedInfo.dataset.count = String(n);
      acceptSel.disabled = n === 0;
      acceptAll.disabled = open.length === 0;
      all.checked = open.length > 0 && n === open.length;
      all.indeterminate = n > 0 && n < open.length;
    }
    const changes = h(
      "section",
      { class: "bal-section" },
      h("div", { class: "section-head" }, h("h2", null, t("bal.changes")), selectedInfo, acceptSel, acceptAll),
      p.changes.length === 0
        ? h("p", { class: "muted", "data-testid": "changes-none" }, t("bal.noChanges"))
        : h(
            "div",
            { class: "bal-scroll" },
            h(
              "table",
              { class: "data bal-table", "data-testid": "balance-changes" },
              h(
                "thead",
                null,
                h(
                  "tr",
                  null,
                  h("th", null, all),
                  h("th", null, t("bal.col.customer")),
                  h("th", null, t("bal.col.from")),
                  h("th", null, t("bal.col.to")),
                  h("th", { class: "num" }, t("bal.col.distance")),
                  h("th", null, t("bal.col.reason")),
                  h("th", null, t("bal.col.result")),
                ),
              ),
              h("tbody", null, changeRows),
            ),
          ),
      resultInfo,
    );

    async function accept(list: ProposalChange[]): Promise<void> {
      if (list.length === 0) return;
      const ok = await confirmDialog(t("bal.confirmTitle"), t("bal.confirm", { n: list.length }), t("bal.confirmOk"));
      if (!ok) return;
      acceptSel.disabled = acceptAll.disabled = true;
      const sent: AcceptChange[] = list.map((ch) => ({ customer_id: ch.customer_id, from: ch.from, to: ch.to }));
      try {
        const out = await balanceApi.accept(sent, p.params.cross_grid, { signal: abort.signal });
        out.results.forEach((r) => showResult(r));
        hk.accepts = (Number(hk.accepts) || 0) + 1;
        hk.lastAccept = out;
        resultInfo.textContent = t("bal.acceptDone", { applied: out.applied, refused: out.refused });
        resultInfo.dataset.applied = String(out.applied);
        resultInfo.dataset.refused = String(out.refused);
        toast(resultInfo.textContent, out.refused ? "info" : "success");
      } catch (e) {
        if (e instanceof DOMException && e.name === "AbortError") return;
        toast(describe(e), "error");
      } finally {
        syncSelection();
      }
    }
    function showResult(r: AcceptResult): void {
      const cell = statusCell.get(r.customer_id);
      if (!cell) return;
      cell.dataset.status = r.status;
      cell.replaceChildren(h("span", { class: `bal-status ${r.status}` }, t(`bal.status.${r.status}`)));
      if (r.reason) cell.append(h("div", { class: "bal-refusal", "data-code": r.code ?? "" }, r.reason));
      map?.mark(r.customer_id, r.status);
      if (r.status === "applied") {
        done.add(r.customer_id);
        const b = boxes.get(r.customer_id);
        if (b) b.disabled = true;
      }
    }
    acceptSel.addEventListener("click", () => void accept(selected()));
    acceptAll.addEventListener("click", () => void accept(p.changes.filter((ch) => !done.has(ch.customer_id))));
    syncSelection();

    body.replaceChildren(figures, ...infeasible, h("div", { class: "bal-grid" }, map.el, managers), changes);
    // The map needs its element in the page (a size) before it draws.
    map.show(p, colors, grids);
  }

  // Opened with a scope in the route: run at once.
  if (scope.districtId) {
    let started = false;
    const tryRun = () => {
      if (started || abort.signal.aborted) return;
      if (runBtn.disabled) {
        setTimeout(tryRun, 50);
        return;
      }
      started = true;
      void run();
    };
    tryRun();
  }

  return () => {
    abort.abort();
    map?.dispose();
    map = null;
  };
}
