// The manager's route page (#/route, #/route/:managerId), mobile first:
//
//   controls      date, start time, travel mode, time budget, Plan;
//                 re-optimise from the phone's position; GPX / GeoJSON
//   Day tab       the map (numbered stops, the path from the start), the
//                 ordered stops with arrival and visit times, opening
//                 hours, navigate links (Amap, Baidu, Apple, Google) and
//                 "Visited" (logs a visit activity with the phone's
//                 position, then plans the rest of the day from there);
//                 the customers left out with the reason
//   Week tab      the working days with their stops and times
//
// Leaders, planners and admins pick a manager (district, grid, manager)
// and see the same, read only.
import L from "leaflet";
import { describe, type Cleanup, type PageContext } from "../app";
import { h } from "../dom";
import { fmtNumber, t } from "../i18n";
import { funnelApi } from "../lists/api";
import { scopePicker } from "../lists/picker";
import { createMap } from "../map/view";
import { toast } from "../toast";
import { clock, MODES, routeApi, type DayRoute, type Mode, type RouteDay, type RouteQuery, type Skip, type Stop, type WeekPlan } from "./api";
import { download, toGeoJSON, toGPX } from "./export";
import { APPS, navLink } from "./links";

type Tab = "day" | "week";

/** BUDGETS offered, in hours. */
const BUDGETS = [2, 3, 4, 6, 8, 10] as const;

/** What the page remembers (localStorage): travel mode and budget. */
const STORE_KEY = "gridplan.route";

interface Settings {
  mode: Mode;
  budget: number;
}

function loadSettings(): Settings {
  try {
    const s = JSON.parse(localStorage.getItem(STORE_KEY) ?? "{}") as Partial<Settings>;
    return { mode: MODES.includes(s.mode as Mode) ? (s.mode as Mode) : "walk", budget: BUDGETS.includes(s.budget as never) ? (s.budget as number) : 8 };
  } catch {
    return { mode: "walk", budget: 8 };
  }
}

/** hooks is window.gridplan.route: the page's state, for the browser tests and debugging. */
function hooks(): Record<string, unknown> {
  const w = window as unknown as { gridplan?: Record<string, unknown> };
  w.gridplan ??= {};
  const o: Record<string, unknown> = { loads: 0, weekLoads: 0 };
  w.gridplan.route = o;
  return o;
}

/** locate asks the phone for its position; null when it gives none. */
function locate(timeoutMs = 8000): Promise<{ lat: number; lng: number; accuracy: number } | null> {
  if (!("geolocation" in navigator)) return Promise.resolve(null);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 30_000 },
    );
  });
}

const minutes = (s: number) => Math.round(s / 60);
const km = (m: number) => fmtNumber(Math.round(m / 100) / 10);
const hm = (s: number) => {
  const m = Math.round(s / 60);
  return t("route.duration", { h: Math.floor(m / 60), m: m % 60 });
};

/** todayCST is today's date in China time, YYYY-MM-DD. */
const todayCST = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

export function renderRoute(ctx: PageContext): Cleanup {
  const me = ctx.me;
  const isManager = me.user.role === "manager";
  const ownId = me.manager?.id ?? me.user.manager_id ?? 0;
  const routeId = Number(ctx.params[0]);
  const managerId = Number.isInteger(routeId) && routeId > 0 ? routeId : isManager ? ownId : 0;
  const editable = isManager && managerId === ownId;
  const hk = hooks();
  hk.managerId = managerId;
  const abort = new AbortController();
  const disposers: (() => void)[] = [() => abort.abort()];
  const cleanup = () => disposers.forEach((d) => d());

  const title = h("h1", { "data-testid": "route-title" }, t(editable ? "route.title" : "route.titleOther"));
  const page = h("div", { class: "route-page", "data-testid": "route-page", "data-state": "loading" }, h("div", { class: "page-head" }, title));
  ctx.root.append(page);

  if (!isManager) {
    const pickBox = h("div", { class: "lists-pick" });
    page.append(pickBox);
    pickBox.append(
      scopePicker({
        withManagers: true,
        initial: {},
        signal: abort.signal,
        onChange: (v) => {
          if (v.managerId && v.managerId !== managerId) ctx.navigate("route", v.managerId);
        },
      }),
    );
    if (!managerId) {
      page.append(h("p", { class: "hint" }, t("route.pickHint")));
      page.dataset.state = "ready";
      return cleanup;
    }
  } else if (!managerId) {
    page.append(h("p", { class: "empty" }, t("route.noManager")));
    page.dataset.state = "ready";
    return cleanup;
  }

  // Controls.
  const settings = loadSettings();
  const dateIn = h("input", { type: "date", value: todayCST(), "data-testid": "route-date", "aria-label": t("route.date") });
  const timeIn = h("input", { type: "time", "data-testid": "route-start-time", "aria-label": t("route.startTime"), placeholder: t("route.startTimeNow") });
  const modeSel = h(
    "select",
    { "data-testid": "route-mode", "aria-label": t("route.mode") },
    MODES.map((m) => h("option", { value: m, selected: m === settings.mode }, t(`route.mode.${m}`))),
  );
  const budgetSel = h(
    "select",
    { "data-testid": "route-budget", "aria-label": t("route.budget") },
    BUDGETS.map((b) => h("option", { value: String(b), selected: b === settings.budget }, t("route.budgetHours", { n: b }))),
  );
  const planBtn = h("button", { type: "submit", class: "primary", "data-testid": "route-plan" }, t("route.plan"));
  const hereBtn = h("button", { type: "button", "data-testid": "route-from-here", title: t("route.fromHereTitle"), hidden: !editable }, t("route.fromHere"));
  const gpxBtn = h("button", { type: "button", "data-testid": "route-gpx", title: t("route.exportTitle") }, t("route.exportGPX"));
  const geoBtn = h("button", { type: "button", "data-testid": "route-geojson", title: t("route.exportTitle") }, t("route.exportGeoJSON"));
  const form = h(
    "form",
    { class: "route-controls", "data-testid": "route-controls" },
    h("label", null, h("span", null, t("route.date")), dateIn),
    h("label", null, h("span", null, t("route.startTime")), timeIn),
    h("label", null, h("span", null, t("route.mode")), modeSel),
    h("label", null, h("span", null, t("route.budget")), budgetSel),
    planBtn,
  );
  const tabs: Record<Tab, HTMLButtonElement> = {
    day: h("button", { type: "button", role: "tab", "data-testid": "route-tab-day" }, t("route.tab.day")),
    week: h("button", { type: "button", role: "tab", "data-testid": "route-tab-week" }, t("route.tab.week")),
  };
  const dayPanel = h("div", { class: "route-panel", "data-testid": "route-day" });
  const weekPanel = h("div", { class: "route-panel", "data-testid": "route-week", hidden: true });
  const sub = h("p", { class: "muted route-sub", "data-testid": "route-sub" });
  page.append(sub, form, h("div", { class: "route-actions" }, hereBtn, gpxBtn, geoBtn), h("div", { class: "tabs", role: "tablist" }, tabs.day, tabs.week), dayPanel, weekPanel);

  // The map of the day.
  const mapEl = h("div", { class: "route-map", "data-testid": "route-map" });
  const summary = h("p", { class: "route-summary", "data-testid": "route-summary" });
  const warning = h("p", { class: "route-warning", "data-testid": "route-warning", hidden: true });
  const stopsEl = h("ol", { class: "route-stops", "data-testid": "route-stops" });
  const skippedEl = h("div", { class: "route-skipped" });
  dayPanel.append(summary, warning, mapEl, stopsEl, skippedEl);
  const { map } = createMap(mapEl, ctx.config);
  const overlay = L.featureGroup().addTo(map);
  disposers.push(() => map.remove());

  // Where the day starts: the base (server default) until "from here"
  // or "visited" moves it.
  let start: string | undefined;
  let current: RouteDay | null = null;
  let seq = 0;

  const query = (): RouteQuery => ({
    date: dateIn.value || undefined,
    start_time: timeIn.value || undefined,
    mode: modeSel.value as Mode,
    budget: `${budgetSel.value}h`,
    start,
  });

  const save = () => {
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify({ mode: modeSel.value, budget: Number(budgetSel.value) }));
    } catch {
      // private mode: not remembered
    }
  };

  async function loadDay(): Promise<void> {
    const my = ++seq;
    const q = query();
    hk.query = q;
    page.dataset.state = "loading";
    summary.textContent = t("route.loading");
    try {
      const r = await routeApi.day(managerId, q, { signal: abort.signal });
      if (my !== seq) return;
      current = r;
      hk.route = r;
      drawDay(r);
      hk.loads = (hk.loads as number) + 1;
      page.dataset.state = "ready";
    } catch (e) {
      if (abort.signal.aborted || my !== seq) return;
      summary.textContent = describe(e);
      page.dataset.state = "error";
    }
  }

  function drawDay(r: RouteDay): void {
    sub.textContent = `${t("route.titleOf", { name: r.manager.name, code: r.manager.code })} · ${r.date} · ${t(start ? "route.fromPosition" : "route.fromBase")}`;
    summary.replaceChildren(
      h("span", null, t("route.summary", { n: r.stops.length, km: km(r.distance_m), time: hm(r.duration_s), finish: clock(r.finish_at) })),
      " · ",
      h("span", { class: "muted", title: t("route.priorityTitle") }, t("route.summaryPriority", { p: Math.round(r.priority) })),
      " · ",
      h("span", { class: "muted" }, t(`route.source.${r.source}`)),
    );
    warning.hidden = !r.warning;
    warning.textContent = r.warning ? t("route.osrmWarning") : "";

    // Map: the start, numbered stops, the path.
    overlay.clearLayers();
    const path: L.LatLngExpression[] = [[r.start.lat, r.start.lng]];
    L.circleMarker([r.start.lat, r.start.lng], { radius: 8, color: "#0b6", fillColor: "#0b6", fillOpacity: 0.9 }).bindTooltip(t("route.start")).addTo(overlay);
    for (const s of r.stops) {
      path.push([s.lat, s.lng]);
      const icon = L.divIcon({ className: "route-num", html: `<span>${s.seq}</span>`, iconSize: [26, 26], iconAnchor: [13, 13] });
      L.marker([s.lat, s.lng], { icon, title: `${s.seq}. ${s.name}` }).bindPopup(`${s.seq}. ${s.name} · ${clock(s.begin)}`).addTo(overlay);
    }
    if (r.end) {
      path.push([r.end.lat, r.end.lng]);
      L.circleMarker([r.end.lat, r.end.lng], { radius: 7, color: "#333", fillColor: "#fff", fillOpacity: 1 }).bindTooltip(t("route.end")).addTo(overlay);
    }
    L.polyline(path, { color: "#1565c0", weight: 4, opacity: 0.8 }).addTo(overlay);
    for (const s of r.skipped) {
      L.circleMarker([s.lat, s.lng], { radius: 4, color: "#999", weight: 1, fillOpacity: 0.5 }).bindTooltip(`${s.name}: ${t(`route.reason.${s.reason}`)}`).addTo(overlay);
    }
    const b = overlay.getBounds();
    if (b.isValid()) map.fitBounds(b, { padding: [24, 24], maxZoom: 17 });

    // The stops.
    stopsEl.replaceChildren(...r.stops.map((s, i) => stopItem(r, s, i)));
    if (!r.stops.length) stopsEl.append(h("li", { class: "empty" }, t("route.empty")));
    skippedEl.replaceChildren(
      skipList(t("route.skipped", { n: r.skipped.length }), r.skipped, "route-skipped"),
      r.visited.length ? skipList(t("route.visitedToday", { n: r.visited.length }), r.visited, "route-visited") : "",
    );
  }

  function stopItem(r: RouteDay, s: Stop, i: number): HTMLElement {
    const origin = i === 0 ? r.start_bd09 : r.stops[i - 1].bd09;
    const links = h(
      "span",
      { class: "route-nav" },
      h("span", { class: "muted" }, t("route.navigate")),
      APPS.map((app) =>
        h("a", { href: navLink(app, s, r.mode, origin), target: "_blank", rel: "noopener", "data-app": app, class: "chip small" }, t(`route.app.${app}`)),
      ),
    );
    const visited = editable
      ? h("button", { type: "button", class: "small", "data-action": "visited", title: t("route.markVisitedTitle"), onclick: () => void markVisited(s) }, t("route.markVisited"))
      : null;
    const times = [
      t("route.arrive", { time: clock(s.arrive) }),
      s.wait_s >= 60 ? t("route.wait", { n: minutes(s.wait_s) }) : "",
      t("route.visit", { from: clock(s.begin), to: clock(s.depart) }),
    ].filter(Boolean);
    return h(
      "li",
      { "data-customer": s.customer_id, "data-seq": s.seq },
      h("span", { class: "route-badge" }, String(s.seq)),
      h(
        "div",
        { class: "route-stop" },
        h("div", { class: "route-stop-head" }, h("strong", null, s.name), h("span", { class: `chip small stage-${s.stage}` }, t(`stage.${s.stage}`))),
        s.address ? h("div", { class: "muted" }, s.address) : null,
        h("div", { class: "route-times", "data-testid": "stop-times" }, times.join(" · ")),
        h("div", { class: "muted small" }, t("route.travel", { n: minutes(s.travel_s), m: Math.round(s.distance_m) }), s.windows.length ? ` · ${t("route.hours", { hours: s.windows.join(", ") })}` : ""),
        h("div", { class: "route-stop-actions" }, links, visited),
      ),
    );
  }

  function skipList(label: string, items: Skip[], testid: string): HTMLElement {
    return h(
      "details",
      { "data-testid": testid },
      h("summary", null, label),
      h(
        "ul",
        null,
        items.map((s) => h("li", { "data-customer": s.customer_id, "data-reason": s.reason }, h("span", null, s.name), " ", h("span", { class: "muted" }, t(`route.reason.${s.reason}`)))),
      ),
    );
  }

  async function markVisited(s: Stop): Promise<void> {
    const pos = await locate();
    try {
      await funnelApi.logActivity(s.customer_id, { kind: "visit_door", position: pos ?? undefined } as Parameters<typeof funnelApi.logActivity>[1]);
    } catch (e) {
      toast(describe(e), "error");
      return;
    }
    hk.visited = ((hk.visited as number[] | undefined) ?? []).concat(s.customer_id);
    toast(t("route.visitedToast", { name: s.name }), "success");
    const here = pos ?? s;
    start = `${here.lat.toFixed(6)},${here.lng.toFixed(6)}`;
    await loadDay();
  }

  async function fromHere(): Promise<void> {
    const pos = await locate();
    if (!pos) toast(t("route.noPosition"), "info");
    else start = `${pos.lat.toFixed(6)},${pos.lng.toFixed(6)}`;
    timeIn.value = "";
    await loadDay();
  }

  // The week.
  async function loadWeek(): Promise<void> {
    weekPanel.replaceChildren(h("p", { class: "muted" }, t("route.week.loading")));
    try {
      const w = await routeApi.week(managerId, { start_date: dateIn.value || undefined, mode: modeSel.value as Mode, budget: `${budgetSel.value}h` }, { signal: abort.signal });
      hk.week = w;
      drawWeek(w);
      hk.weekLoads = (hk.weekLoads as number) + 1;
    } catch (e) {
      if (!abort.signal.aborted) weekPanel.replaceChildren(h("p", { class: "empty error" }, describe(e)));
    }
  }

  function drawWeek(w: WeekPlan): void {
    const visits = w.days.reduce((n, d) => n + d.route.stops.length, 0);
    const customers = w.visits.filter((v) => v.planned > 0).length;
    weekPanel.replaceChildren(
      h("p", { class: "route-summary", "data-testid": "week-summary" }, t("route.week.summary", { days: w.days.length, visits, customers, total: w.visits.length })),
      w.warning ? h("p", { class: "route-warning" }, t("route.osrmWarning")) : "",
      ...w.days.map((d) => weekDay(d.date, d.route)),
      w.unscheduled.length ? skipList(t("route.week.unscheduled", { n: w.unscheduled.length }), w.unscheduled, "week-unscheduled") : "",
    );
  }

  function weekDay(date: string, r: DayRoute): HTMLElement {
    const wd = new Date(`${date}T12:00:00+08:00`).getUTCDay();
    return h(
      "section",
      { class: "route-week-day", "data-testid": "week-day", "data-date": date },
      h(
        "h3",
        null,
        `${t(`weekday.${wd}`)} ${date.slice(5)}`,
        " ",
        h("small", { class: "muted" }, r.stops.length ? t("route.week.day", { n: r.stops.length, km: km(r.distance_m), finish: clock(r.finish_at) }) : t("route.week.dayOff")),
      ),
      h(
        "ol",
        null,
        r.stops.map((s) => h("li", { "data-customer": s.customer_id }, h("span", { class: "muted" }, clock(s.begin)), " ", s.name)),
      ),
    );
  }

  // Tabs, controls, exports.
  let tab: Tab = "day";
  const show = (to: Tab) => {
    tab = to;
    for (const k of ["day", "week"] as Tab[]) {
      tabs[k].setAttribute("aria-selected", String(k === to));
      tabs[k].classList.toggle("active", k === to);
    }
    dayPanel.hidden = to !== "day";
    weekPanel.hidden = to !== "week";
    if (to === "day") map.invalidateSize();
    else void loadWeek();
  };
  tabs.day.addEventListener("click", () => show("day"));
  tabs.week.addEventListener("click", () => show("week"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    save();
    if (tab === "week") void loadWeek();
    else void loadDay();
  });
  hereBtn.addEventListener("click", () => void fromHere());
  const fileName = (ext: string) => `route-${current?.manager.code ?? managerId}-${current?.date ?? ""}.${ext}`;
  const titleOf = (r: RouteDay) => `${r.manager.name} ${r.date}`;
  gpxBtn.addEventListener("click", () => {
    if (!current) return;
    const text = toGPX(current, titleOf(current));
    hk.lastExport = text;
    download(text, fileName("gpx"), "application/gpx+xml");
  });
  geoBtn.addEventListener("click", () => {
    if (!current) return;
    const text = toGeoJSON(current, titleOf(current));
    hk.lastExport = text;
    download(text, fileName("geojson"), "application/geo+json");
  });

  show("day");
  void loadDay();
  return cleanup;
}
