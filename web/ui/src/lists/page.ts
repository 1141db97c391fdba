// The manager's list page (#/list), mobile first:
//
//   my funnel numbers     counts per stage and the success rate
//   tabs                  My list · Pool · Funnel
//     My list             claims about to lapse (with the date), follow-ups
//                         due, then the list grouped by stage, most urgent
//                         first, each with its next action and signals;
//                         a tap opens the activity sheet (sheet.ts)
//     Pool                the grid's unclaimed customers with Claim (a 409
//                         shows who holds the customer, or the quota)
//     Funnel              the funnel chart and the conversions over the
//                         last 30, 90 or 365 days (report.ts)
//
// Leaders, planners and admins open #/list/:managerId, choosing the manager
// by district and grid; they see the same, read only.
import { api, type Manager } from "../api";
import { describe, type Cleanup, type PageContext } from "../app";
import { confirmDialog } from "../dialog";
import { append, h } from "../dom";
import { fmtNumber, hasMessage, t } from "../i18n";
import { toast } from "../toast";
import { FunnelApiError, funnelApi, STEPS, type FollowUp, type FunnelConfig, type ListItem, type ListView, type PoolView, type Report, type SignalAt } from "./api";
import { scopePicker } from "./picker";
import { dayOf, ReportView, STEP_STAGES, stageCounts } from "./report";
import { openActivitySheet } from "./sheet";

type Tab = "list" | "pool" | "funnel";

/** Follow-ups due within this many days are shown; later ones are folded. */
const FOLLOW_UP_SOON_DAYS = 30;

/** PERIODS offered on the funnel tab, in days up to today, as on the funnel page. */
const PERIODS = [30, 90, 365] as const;

/** What the page remembers while it is left and opened again (this tab). */
const memory: { tab: Tab; days: number } = { tab: "list", days: 30 };

/** isoDay is d's UTC day, YYYY-MM-DD. */
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** hooks is window.gridplan.lists: the page's state, for the browser tests and debugging. */
export function hooks(): Record<string, unknown> {
  const w = window as unknown as { gridplan?: Record<string, unknown> };
  w.gridplan ??= {};
  const o: Record<string, unknown> = { loads: 0 };
  w.gridplan.lists = o;
  return o;
}

/** nextActionText translates a next-action key; an unknown key reads as words. */
export function nextActionText(key: string | undefined): string {
  if (!key) return "";
  const k = `next.${key}`;
  return hasMessage(k) ? t(k) : key.replace(/_/g, " ");
}

/** signalChips are a customer's opportunity signals as chips. */
function signalChips(signals: readonly SignalAt[] | null | undefined): HTMLElement | null {
  if (!signals?.length) return null;
  return h(
    "span",
    { class: "chips inline" },
    signals.map((s) => h("span", { class: "chip small signal", "data-signal": s.kind, title: dayOf(s.at) }, t(`signal.${s.kind}`))),
  );
}

export function renderList(ctx: PageContext): Cleanup {
  const me = ctx.me;
  const isManager = me.user.role === "manager";
  const routeId = Number(ctx.params[0]);
  const managerId = Number.isInteger(routeId) && routeId > 0 ? routeId : isManager ? (me.manager?.id ?? me.user.manager_id ?? 0) : 0;
  const editable = isManager && managerId === (me.manager?.id ?? me.user.manager_id);
  const hk = hooks();
  hk.managerId = managerId;
  hk.editable = editable;
  const abort = new AbortController();
  const disposers: (() => void)[] = [];

  const title = h("h1", { "data-testid": "list-title" }, t(isManager && editable ? "lists.title" : "lists.titleOther"));
  const sub = h("p", { class: "muted lists-sub", "data-testid": "list-sub" });
  const status = h("p", { class: "muted", "data-testid": "lists-status" });
  const head = h("div", { class: "page-head" }, title);
  if (!isManager && managerId) {
    // From a manager's list to his day route and week plan.
    head.append(h("a", { class: "button-link", href: `#/route/${managerId}`, "data-testid": "list-route-link" }, t("lists.openRoute")));
  }
  const page = h("div", { class: "lists-page", "data-testid": "lists-page", "data-state": "loading" }, head, sub);
  ctx.root.append(page);

  if (!isManager) {
    // The manager picker; the route keeps the choice.
    const pickBox = h("div", { class: "lists-pick" });
    page.append(pickBox);
    const start = async () => {
      let initial = {};
      if (managerId) {
        try {
          const lv = await funnelApi.list(managerId, { signal: abort.signal });
          const g = await api.grid(lv.manager.grid_id);
          initial = { districtId: g.properties.district_id, gridId: lv.manager.grid_id, managerId };
        } catch {
          // the list below says what went wrong
        }
      }
      pickBox.append(
        scopePicker({
          withManagers: true,
          initial,
          signal: abort.signal,
          onChange: (v, managers) => {
            hk.pickerManagers = managers.map((m) => m.id);
            if (v.managerId && v.managerId !== managerId) ctx.navigate("list", v.managerId);
          },
        }),
      );
    };
    void start();
    if (!managerId) {
      page.append(h("p", { class: "hint" }, t("lists.pickHint")));
      page.dataset.state = "ready";
      return () => abort.abort();
    }
  } else if (!managerId) {
    page.append(h("p", { class: "empty" }, t("lists.noManager")));
    page.dataset.state = "ready";
    return () => abort.abort();
  }

  // The manager's funnel numbers, the tabs and their panels.
  const countsBox = h("div", { class: "lists-counts" });
  const tabs: Record<Tab, HTMLButtonElement> = {
    list: h("button", { type: "button", role: "tab", "data-tab": "list", "data-testid": "tab-list" }, t("lists.tab.list")),
    pool: h("button", { type: "button", role: "tab", "data-tab": "pool", "data-testid": "tab-pool" }, t("lists.tab.pool")),
    funnel: h("button", { type: "button", role: "tab", "data-tab": "funnel", "data-testid": "tab-funnel" }, t("lists.tab.funnel")),
  };
  const panels: Record<Tab, HTMLElement> = {
    list: h("div", { class: "lists-panel", role: "tabpanel", "data-testid": "panel-list" }),
    pool: h("div", { class: "lists-panel", role: "tabpanel", "data-testid": "panel-pool" }),
    funnel: h("div", { class: "lists-panel", role: "tabpanel", "data-testid": "panel-funnel" }),
  };
  const report = new ReportView({ showCounts: false });
  disposers.push(() => report.dispose());
  hk.chart = report.chart;
  // The funnel's period (days up to today): the chart's reached figures,
  // the conversions and the medians follow it.
  const period = h(
    "select",
    { "data-testid": "list-period", "aria-label": t("fn.periodLabel") },
    PERIODS.map((d) => h("option", { value: String(d), selected: d === memory.days }, t("fn.lastDays", { n: d }))),
  );
  period.addEventListener("change", () => {
    memory.days = Number(period.value);
    void reload();
  });
  panels.funnel.append(h("div", { class: "pick fn-options" }, h("label", null, h("span", null, t("fn.periodLabel")), period)), report.el);
  page.append(countsBox, h("div", { class: "lists-tabs", role: "tablist" }, Object.values(tabs)), status, ...Object.values(panels));

  let view: ListView | null = null;
  let config: FunnelConfig | null = null;
  let poolLoaded = false;

  const showTab = (tab: Tab) => {
    memory.tab = tab;
    page.dataset.tab = tab;
    for (const [k, b] of Object.entries(tabs)) {
      b.setAttribute("aria-selected", k === tab ? "true" : "false");
      b.classList.toggle("active", k === tab);
    }
    for (const [k, p] of Object.entries(panels)) p.hidden = k !== tab;
    if (tab === "pool" && !poolLoaded) void loadPool();
    if (tab === "funnel") report.chart.chart.resize();
  };
  for (const [k, b] of Object.entries(tabs)) b.addEventListener("click", () => showTab(k as Tab));

  /** customerCard is one customer of the list: a tap opens the sheet. */
  function customerCard(it: ListItem, extra?: HTMLElement | null): HTMLElement {
    const cu = it;
    const open = () =>
      openActivitySheet({
        customer: { id: cu.id, name: cu.name, address: cu.address, stage: it.stage, hasSignal: (it.signals?.length ?? 0) > 0 },
        config,
        editable,
        hooks: hk,
        onSaved: (r) => {
          const moved = r.transition ? t("lists.savedMoved", { stage: t(`stage.${r.transition.to}`) }) : "";
          toast(`${t("lists.saved", { name: cu.name })}${moved}`, "success");
          void reload();
        },
        onRelease: editable ? () => void release(it) : undefined,
      });
    return h(
      "button",
      {
        type: "button",
        class: `lc${it.lapsing ? " lapsing" : ""}`,
        "data-customer": String(cu.id),
        "data-stage": it.stage,
        "data-priority": String(it.priority ?? ""),
        onclick: open,
      },
      h("span", { class: "lc-top" }, h("b", { class: "lc-name" }, cu.name), Number.isFinite(it.priority) ? h("span", { class: "lc-prio", title: t("lists.priority") }, fmtNumber(Math.round(it.priority))) : null),
      h("span", { class: "lc-addr muted" }, cu.address),
      h(
        "span",
        { class: "lc-meta" },
        it.next_action ? h("span", { class: "lc-next", "data-next": it.next_action }, "➜ ", nextActionText(it.next_action)) : null,
        signalChips(it.signals),
      ),
      extra ?? null,
    );
  }

  async function release(it: ListItem): Promise<void> {
    const ok = await confirmDialog(t("lists.releaseTitle"), t("lists.releaseConfirm", { name: it.name }), t("sheet.release"), true);
    if (!ok) return;
    try {
      await funnelApi.release(it.id, t("lists.releaseReason"));
      toast(t("lists.released", { name: it.name }), "success");
      hk.released = it.id;
      poolLoaded = false;
      await reload();
    } catch (e) {
      toast(describe(e), "error");
    }
  }

  function renderListPanel(v: ListView): void {
    const groups = v.groups ?? [];
    const all = groups.flatMap((g) => g.items ?? []);
    const byId = new Map(all.map((it) => [it.id, it]));
    const sections: HTMLElement[] = [];
    if (v.lapsing?.length) {
      sections.push(
        h(
          "section",
          { class: "lists-section warn", "data-testid": "lapsing" },
          h("h2", null, t("lists.lapsing", { n: v.lapsing.length })),
          v.lapsing.map((it) => customerCard(it, h("span", { class: "lc-lapse", "data-lapse": dayOf(it.lapse_at) }, t("lists.lapsesOn", { date: dayOf(it.lapse_at) })))),
        ),
      );
    }
    if (v.follow_ups?.length) {
      // Due within FOLLOW_UP_SOON_DAYS (or overdue) shown, the later ones folded.
      const today = dayOf(v.now ?? new Date().toISOString());
      const soonLimit = dayOf(new Date(Date.parse(today) + FOLLOW_UP_SOON_DAYS * 86_400_000).toISOString());
      const item = (f: FollowUp & { customer_name?: string }) => {
        const it = byId.get(f.customer_id);
        const name = it?.name ?? f.customer_name ?? `#${f.customer_id}`;
        const done = editable
          ? h("button", { type: "button", class: "fu-done", "data-testid": "follow-up-done", title: t("lists.followUpDoneTitle") }, "✓ ", t("lists.followUpDone"))
          : null;
        done?.addEventListener("click", async () => {
          done.disabled = true;
          try {
            await funnelApi.followUpDone(f.id);
            toast(t("lists.followUpDoneToast", { name }), "success");
            hk.followUpDone = f.id;
            await reload();
          } catch (e) {
            done.disabled = false;
            toast(describe(e), "error");
          }
        });
        return h(
          "li",
          { "data-follow-up": String(f.id), class: dayOf(f.due) < today ? "overdue" : "" },
          h("div", { class: "fu-head" }, h("b", { class: "fu-due" }, dayOf(f.due)), done),
          it ? customerCard(it) : h("span", null, name),
          h("div", { class: "muted" }, f.reason),
        );
      };
      const soon = v.follow_ups.filter((f) => dayOf(f.due) <= soonLimit);
      const later = v.follow_ups.filter((f) => dayOf(f.due) > soonLimit);
      sections.push(
        h(
          "section",
          { class: "lists-section", "data-testid": "follow-ups", "data-soon": String(soon.length), "data-later": String(later.length) },
          h("h2", null, t("lists.followUps", { n: soon.length })),
          soon.length ? h("ul", { class: "fu-list" }, soon.map(item)) : h("p", { class: "muted" }, t("lists.noFollowUpsSoon", { n: FOLLOW_UP_SOON_DAYS })),
          later.length ? h("details", { class: "fu-later" }, h("summary", null, t("lists.followUpsLater", { n: later.length })), h("ul", { class: "fu-list" }, later.map(item))) : null,
        ),
      );
    }
    for (const s of STEPS) {
      const g = groups.find((x) => x.stage === s);
      if (!g?.items?.length) continue;
      sections.push(
        h(
          "details",
          { class: `lists-group stage-${s}`, open: true, "data-testid": `group-${s}`, "data-count": String(g.items.length) },
          h("summary", null, h("span", { class: `stage-dot stage-${s}` }), t(`stage.${s}`), h("span", { class: "muted" }, ` · ${fmtNumber(g.items.length)}`)),
          (g.items ?? []).map((it) => customerCard(it)),
        ),
      );
    }
    for (const g of groups) {
      if ((STEPS as readonly string[]).includes(g.stage) || !g.items?.length) continue;
      sections.push(
        h(
          "details",
          { class: `lists-group stage-${g.stage}`, "data-testid": `group-${g.stage}`, "data-count": String(g.items.length) },
          h("summary", null, t(`stage.${g.stage}`), h("span", { class: "muted" }, ` · ${fmtNumber(g.items.length)}`)),
          (g.items ?? []).map((it) => customerCard(it)),
        ),
      );
    }
    if (!sections.length) sections.push(h("p", { class: "empty" }, t(editable ? "lists.emptyMine" : "lists.empty")));
    panels.list.replaceChildren(...sections);
  }

  function renderPool(p: PoolView): void {
    const list = p.items ?? [];
    const filter = h("input", { type: "search", "data-testid": "pool-filter", placeholder: t("lists.poolFilter"), "aria-label": t("lists.poolFilter") });
    const ul = h("ul", { class: "pool-list", "data-testid": "pool-list" });
    const draw = () => {
      const q = filter.value.trim().toLowerCase();
      const shown = q ? list.filter((c) => c.name.toLowerCase().includes(q) || c.address.toLowerCase().includes(q)) : list;
      ul.replaceChildren(
        ...shown.slice(0, 200).map((c) => {
          const msg = h("div", { class: "pool-msg", role: "status" });
          const btn = h("button", { type: "button", class: "primary claim", "data-testid": "claim", disabled: !editable || !!c.cooldown_until }, t("lists.claim"));
          if (c.cooldown_until) msg.textContent = t("lists.cooldown", { until: dayOf(c.cooldown_until) });
          btn.addEventListener("click", async () => {
            btn.disabled = true;
            msg.textContent = "";
            msg.className = "pool-msg";
            try {
              await funnelApi.claim(c.id);
              toast(t("lists.claimed", { name: c.name }), "success");
              li.remove();
              hk.claimed = c.id;
              await reload();
            } catch (e) {
              btn.disabled = false;
              msg.classList.add("error");
              msg.textContent = e instanceof FunnelApiError && e.status === 409 ? claimRefusal(e) : describe(e);
              // Held by another: no use trying again.
              if (e instanceof FunnelApiError && e.body.holder) btn.disabled = true;
              hk.claimError = msg.textContent;
            }
          });
          const li = h(
            "li",
            { "data-customer": String(c.id), "data-stage": c.stage },
            h("div", { class: "pool-main" }, h("b", null, c.name), h("span", { class: "muted" }, c.address), c.industry ? h("small", { class: "muted" }, c.industry) : null, msg),
            btn,
          );
          return li;
        }),
      );
      if (shown.length > 200) ul.append(h("li", { class: "muted" }, t("lists.poolMore", { n: shown.length - 200 })));
    };
    filter.addEventListener("input", draw);
    draw();
    panels.pool.replaceChildren();
    append(
      panels.pool,
      h("p", { class: "hint" }, t(editable ? "lists.poolHint" : "lists.poolHintOther", { n: p.count ?? list.length })),
      list.length ? filter : null,
      list.length ? ul : h("p", { class: "empty" }, t("lists.poolEmpty")),
    );
  }

  async function loadPool(): Promise<void> {
    if (!view) return;
    poolLoaded = true;
    panels.pool.replaceChildren(h("p", { class: "muted" }, t("page.loading")));
    try {
      const p = await funnelApi.pool(view.manager.grid_id, { signal: abort.signal });
      hk.pool = p;
      renderPool(p);
      hk.poolLoads = Number(hk.poolLoads ?? 0) + 1;
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") return;
      poolLoaded = false;
      panels.pool.replaceChildren(h("p", { class: "error" }, describe(e)));
    }
  }

  function showHeader(v: ListView, r: Report): void {
    const m: Manager = v.manager;
    title.textContent = editable ? t("lists.title") : t("lists.titleOf", { name: m.name, code: m.code });
    sub.replaceChildren(
      h("span", { "data-testid": "quota", "data-count": String(v.quota.count), "data-max": String(v.quota.max) }, t("lists.quota", { n: v.quota.count, max: v.quota.max })),
      " · ",
      h("span", null, t("lists.poolCount", { n: v.pool?.count ?? 0 })),
    );
    tabs.pool.textContent = `${t("lists.tab.pool")} (${fmtNumber(v.pool?.count ?? 0)})`;
    // His funnel's numbers (the metrics: the customers he holds and those
    // he moved on, as the success rate and the chart count them).
    countsBox.replaceChildren(stageCounts(r, STEP_STAGES.filter((s) => s !== "target")));
  }

  /** metricsQuery is the manager's report over the chosen period. */
  const metricsQuery = () => {
    const today = new Date();
    const from = new Date(today.getTime() - (memory.days - 1) * 86_400_000);
    return { level: "manager" as const, id: managerId, from: isoDay(from), to: isoDay(today) };
  };

  let loadSeq = 0;
  async function reload(): Promise<void> {
    const seq = ++loadSeq;
    page.dataset.state = "loading";
    status.textContent = "";
    status.classList.remove("error");
    try {
      const [v, r, cfg] = await Promise.all([
        funnelApi.list(managerId, { signal: abort.signal }),
        funnelApi.metrics(metricsQuery(), { signal: abort.signal }),
        config ? Promise.resolve(config) : funnelApi.config({ signal: abort.signal }).catch(() => null),
      ]);
      if (seq !== loadSeq) return;
      view = v;
      config = cfg;
      hk.view = v;
      hk.report = r;
      hk.config = cfg;
      showHeader(v, r);
      renderListPanel(v);
      report.set(r);
      if (poolLoaded && memory.tab === "pool") void loadPool();
      else poolLoaded = false;
      page.dataset.state = "ready";
      hk.loads = Number(hk.loads) + 1;
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") return;
      if (seq !== loadSeq) return;
      page.dataset.state = "error";
      status.textContent = describe(e);
      status.classList.add("error");
    }
  }

  showTab(memory.tab);
  void reload().then(() => {
    if (memory.tab === "pool" && !poolLoaded) void loadPool();
  });

  return () => {
    abort.abort();
    for (const d of disposers.reverse()) d();
    const sheet = hk.sheet as { close(): void } | undefined;
    sheet?.close();
    const w = window as unknown as { gridplan?: Record<string, unknown> };
    if (w.gridplan?.lists === hk) delete w.gridplan.lists;
  };
}

/** claimRefusal words a 409 to a claim: the holder and since when, the quota, or the cooldown. */
export function claimRefusal(e: FunnelApiError): string {
  const b = e.body;
  if (b.holder) {
    const who = b.holder.name ? (b.holder.code ? `${b.holder.name} (${b.holder.code})` : b.holder.name) : `#${b.holder.manager_id}`;
    return b.holder.since ? t("lists.heldBySince", { who, since: dayOf(b.holder.since) }) : t("lists.heldBy", { who });
  }
  if (b.max !== undefined && b.count !== undefined) return t("lists.quotaFull", { n: b.count, max: b.max });
  if (b.until) return t("lists.cooldown", { until: dayOf(b.until) });
  return e.message;
}
