// The activity sheet: opened by tapping a customer of the list. The common
// case — a visit with an opportunity signal — takes three taps in all: the
// customer, the signal, Save (the kind starts as the last one used, a door
// visit at first). A stage change is one more tap; when the chosen stage
// has a checklist its fields appear, and when the server refuses (409) the
// items it misses are listed and their fields marked. A visit carries the
// phone's position when the browser gives it.
import { describe } from "../app";
import { openDialog } from "../dialog";
import { append, h } from "../dom";
import { fmtDate, lang, t } from "../i18n";
import {
  ACTIVITY_KINDS,
  earlierSteps,
  FunnelApiError,
  funnelApi,
  isVisit,
  items,
  nextStep,
  SIGNAL_KINDS,
  type ActivityInput,
  type ActivityKind,
  type ActivityResult,
  type FunnelConfig,
  type Requirement,
  type SignalKind,
  type Stage,
} from "./api";
import { dayOf } from "./report";

/** KIND_KEY remembers the last activity kind chosen (this browser). */
const KIND_KEY = "gridplan.lists.kind";

function lastKind(): ActivityKind {
  try {
    const k = localStorage.getItem(KIND_KEY);
    if (k && (ACTIVITY_KINDS as readonly string[]).includes(k)) return k as ActivityKind;
  } catch {
    // no storage
  }
  return "visit_door";
}

function saveKind(k: ActivityKind): void {
  try {
    localStorage.setItem(KIND_KEY, k);
  } catch {
    // no storage
  }
}

/** reqLabel is a checklist item's label in the page's language. */
export function reqLabel(r: Requirement): string {
  return lang() === "zh-CN" ? r.label_zh || r.label : r.label || r.label_zh;
}

/** Position is where the phone was, as the API takes it. */
interface Position {
  lat: number;
  lng: number;
  accuracy: number;
}

/**
 * locate asks the browser for the position (once per sheet); it answers
 * null when there is none (no API, refused, timed out).
 */
function locate(timeoutMs = 8000): Promise<Position | null> {
  if (!("geolocation" in navigator)) return Promise.resolve(null);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60_000 },
    );
  });
}

export interface SheetCustomer {
  id: number;
  name: string;
  address?: string;
  stage: Stage;
  /** hasSignal: an opportunity signal was recorded on him before. */
  hasSignal?: boolean;
}

export interface SheetOptions {
  customer: SheetCustomer;
  config: FunnelConfig | null;
  /** editable: the viewer holds the list (else the sheet only shows the history). */
  editable: boolean;
  /** hooks: window.gridplan.lists, for the tests (the taps, the position). */
  hooks: Record<string, unknown>;
  onSaved: (r: ActivityResult) => void;
  onRelease?: () => void;
}

/** chipGroup is a row of toggle buttons; single: at most one pressed. */
function chipGroup<T extends string>(
  name: string,
  values: readonly T[],
  label: (v: T) => string,
  single: boolean,
  initial: T[],
  onChange: (sel: T[]) => void,
): { el: HTMLElement; selected: () => T[]; set: (sel: T[]) => void } {
  let sel = [...initial];
  const btns = values.map((v) =>
    h(
      "button",
      {
        type: "button",
        class: "chip",
        "data-value": v,
        "aria-pressed": sel.includes(v) ? "true" : "false",
        onclick: () => {
          if (single) sel = [v];
          else sel = sel.includes(v) ? sel.filter((x) => x !== v) : [...sel, v];
          sync();
          onChange(sel);
        },
      },
      label(v),
    ),
  );
  const sync = () => {
    for (const b of btns) b.setAttribute("aria-pressed", sel.includes(b.dataset.value as T) ? "true" : "false");
  };
  return {
    el: h("div", { class: "chips", role: "group", "data-testid": `chips-${name}` }, btns),
    selected: () => sel,
    set: (s) => {
      sel = [...s];
      sync();
    },
  };
}

/** openActivitySheet opens the sheet for one customer. */
export function openActivitySheet(o: SheetOptions): void {
  const c = o.customer;
  const hk = o.hooks;
  hk.sheetTaps = 0;
  const stage = c.stage;
  const history = h("div", { class: "sheet-history", "data-testid": "sheet-history" }, h("p", { class: "muted" }, t("page.loading")));
  const body: Node[] = [
    h(
      "div",
      { class: "sheet-customer" },
      h("span", { class: `stage-badge stage-${stage}`, "data-testid": "sheet-stage" }, t(`stage.${stage}`)),
      c.address ? h("p", { class: "muted" }, c.address) : null,
    ),
  ];

  // The form: kind, signals (a contract date with the expiring one), stage
  // change with its checklist or reason, note, position.
  let kind: ActivityKind = lastKind();
  let to: Stage | "" = "";
  let pos: Position | null = null;
  let locating: Promise<Position | null> | null = null;
  const posLine = h("p", { class: "sheet-pos muted", "data-testid": "sheet-position" });
  const startLocate = () => {
    if (locating || !isVisit(kind)) return;
    posLine.textContent = t("sheet.locating");
    posLine.dataset.state = "locating";
    locating = locate().then((p) => {
      pos = p;
      hk.position = p;
      posLine.dataset.state = p ? "ok" : "none";
      posLine.textContent = p ? t("sheet.position", { accuracy: Math.round(p.accuracy) }) : t("sheet.noPosition");
      return p;
    });
  };

  const contractDate = h("input", { type: "date", "data-testid": "contract-expires", "aria-label": t("sheet.contractExpires") });
  const contractRow = h("label", { class: "sheet-field", hidden: true }, h("span", null, t("sheet.contractExpires")), contractDate);
  const checklist = h("div", { class: "sheet-checklist", "data-testid": "checklist", hidden: true });
  const reason = h("textarea", { rows: 2, "data-testid": "reason", "aria-label": t("sheet.reason") });
  const reasonRow = h("label", { class: "sheet-field", hidden: true }, h("span", null, t("sheet.reason")), reason);
  const note = h("input", { type: "text", "data-testid": "note", placeholder: t("sheet.notePlaceholder"), "aria-label": t("sheet.note") });
  const missingBox = h("div", { class: "sheet-missing", "data-testid": "missing", role: "alert", hidden: true });
  const errorBox = h("p", { class: "error", "data-testid": "sheet-error", role: "alert" });
  const evidenceInputs = new Map<string, HTMLInputElement>();

  const tap = () => (hk.sheetTaps = Number(hk.sheetTaps) + 1);

  const kinds = chipGroup("kind", ACTIVITY_KINDS, (k) => t(`kind.${k}`), true, [kind], (sel) => {
    tap();
    kind = sel[0];
    saveKind(kind);
    if (isVisit(kind)) startLocate();
    else {
      posLine.textContent = "";
      posLine.dataset.state = "";
    }
  });
  const signals = chipGroup("signal", SIGNAL_KINDS, (s) => t(`signal.${s}`), false, [], (sel) => {
    tap();
    contractRow.hidden = !sel.includes("contract_expiring");
    renderChecklist();
  });

  // Stage choices: none, the next step, back (a reason), lost (a reason);
  // in network: churned; after lost or churned: back to target.
  const next = nextStep(stage);
  const back = earlierSteps(stage).filter((s) => s !== "target");
  const stageChoices: (Stage | "")[] = [""];
  if (next && stage !== "target") stageChoices.push(next);
  if (stage === "in_network") stageChoices.push("churned");
  else if (stage === "lost" || stage === "churned") stageChoices.push("target");
  else if (stage !== "target") stageChoices.push("lost");
  const backSelect = h(
    "select",
    { "data-testid": "back-to", "aria-label": t("sheet.backTo") },
    h("option", { value: "" }, t("sheet.backTo")),
    back.map((s) => h("option", { value: s }, t(`stage.${s}`))),
  );
  const stages = chipGroup(
    "stage",
    stageChoices,
    (s) => (s === "" ? t("sheet.noChange") : s === next ? `→ ${t(`stage.${s}`)}` : t(`stage.${s}`)),
    true,
    [""],
    (sel) => {
      tap();
      backSelect.value = "";
      setTo(sel[0]);
    },
  );
  backSelect.addEventListener("change", () => {
    tap();
    stages.set(backSelect.value ? [] : [""]);
    setTo(backSelect.value as Stage | "");
  });

  function needsReason(s: Stage | ""): boolean {
    if (!s) return false;
    return s === "lost" || s === "churned" || (earlierSteps(stage) as string[]).includes(s);
  }

  function setTo(s: Stage | ""): void {
    to = s;
    reasonRow.hidden = !needsReason(s);
    missingBox.hidden = true;
    renderChecklist();
  }

  /** renderChecklist shows the fields of the chosen stage's checklist (values kept). */
  function renderChecklist(missing: Requirement[] = []): void {
    const reqs = (to && o.config?.checklists?.[to]) || [];
    checklist.hidden = reqs.length === 0;
    checklist.dataset.stage = to;
    const missingKeys = new Set(missing.map((m) => m.key));
    checklist.replaceChildren();
    append(
      checklist,
      reqs.length ? h("h4", null, t("sheet.checklist", { stage: t(`stage.${to}`) })) : null,
      ...reqs.map((r) => {
        const cls = `req${missingKeys.has(r.key) ? " missing" : ""}`;
        const label = reqLabel(r) + (r.optional ? ` ${t("sheet.optional")}` : "");
        if (r.kind === "signal") {
          const tapped = signals.selected().length > 0;
          const met = tapped || !!c.hasSignal;
          return h(
            "div",
            { class: `${cls} req-signal`, "data-req": r.key, "data-met": met ? "true" : "false" },
            h("span", { class: "req-mark" }, met ? "✓" : "•"),
            h("span", null, label, " ", h("small", { class: "muted" }, tapped ? t("sheet.signalTapped") : met ? t("sheet.signalRecorded") : t("sheet.signalNeeded"))),
          );
        }
        let input = evidenceInputs.get(r.key);
        if (!input) {
          input =
            r.kind === "bool"
              ? h("input", { type: "checkbox", "data-evidence": r.key })
              : h("input", { type: r.kind === "date" ? "date" : "text", "data-evidence": r.key, max: r.kind === "date" ? dayOf(new Date().toISOString()) : undefined });
          input.dataset.kind = r.kind;
          const field = input;
          // A field filled in is no longer shown as missing.
          field.addEventListener("change", () => field.closest(".req")?.classList.remove("missing"));
          evidenceInputs.set(r.key, input);
        }
        return r.kind === "bool"
          ? h("label", { class: `${cls} req-bool`, "data-req": r.key }, input, h("span", null, label))
          : h("label", { class: `${cls} sheet-field`, "data-req": r.key }, h("span", null, label), input);
      }),
    );
  }

  function evidence(): Record<string, string> {
    const out: Record<string, string> = {};
    const reqs = (to && o.config?.checklists?.[to]) || [];
    for (const r of reqs) {
      const input = evidenceInputs.get(r.key);
      if (!input) continue;
      const v = r.kind === "bool" ? (input.checked ? "true" : "") : input.value.trim();
      if (v) out[r.key] = v;
    }
    return out;
  }

  function showMissing(e: FunnelApiError): void {
    const missing = e.missing;
    missingBox.hidden = false;
    missingBox.replaceChildren();
    append(
      missingBox,
      h("b", null, missing.length ? t("sheet.missing") : e.message),
      missing.length ? h("ul", null, missing.map((m) => h("li", { "data-key": m.key }, reqLabel(m)))) : null,
    );
    hk.missing = missing.map((m) => m.key);
    renderChecklist(missing);
    (checklist.hidden ? missingBox : checklist).scrollIntoView({ block: "start", behavior: "instant" });
  }

  if (o.editable) {
    body.push(
      h("h4", null, t("sheet.kind")),
      kinds.el,
      h("h4", null, t("sheet.signals")),
      signals.el,
      contractRow,
      h("h4", null, t("sheet.stage")),
      h("div", { class: "sheet-stage-row" }, stages.el, back.length ? backSelect : null),
      checklist,
      missingBox,
      reasonRow,
      h("label", { class: "sheet-field" }, h("span", null, t("sheet.note")), note),
      posLine,
      errorBox,
    );
    startLocate();
  }
  body.push(h("details", { class: "sheet-history-box" }, h("summary", null, t("sheet.history")), history));

  async function save(): Promise<boolean> {
    errorBox.textContent = "";
    const sel = signals.selected();
    const input: ActivityInput = { kind, signals: sel as SignalKind[] };
    const n = note.value.trim();
    if (n) input.note = n;
    if (sel.includes("contract_expiring")) {
      if (!contractDate.value) {
        errorBox.textContent = t("sheet.contractNeeded");
        contractDate.focus();
        return false;
      }
      input.contract_expires = contractDate.value;
    }
    if (to) {
      input.to = to;
      const ev = evidence();
      if (Object.keys(ev).length) input.evidence = ev;
      if (needsReason(to)) {
        if (!reason.value.trim()) {
          errorBox.textContent = t("sheet.reasonNeeded");
          reason.focus();
          return false;
        }
      }
      if (reason.value.trim()) input.reason = reason.value.trim();
    }
    if (isVisit(kind)) {
      // The position, when the browser gives one soon enough.
      const p = pos ?? (locating ? await Promise.race([locating, new Promise<null>((r) => setTimeout(() => r(null), 3000))]) : null);
      if (p) input.position = { lat: p.lat, lng: p.lng };
    }
    hk.lastInput = input;
    try {
      const r = await funnelApi.logActivity(c.id, input);
      hk.lastResult = r;
      o.onSaved(r);
      return true;
    } catch (e) {
      if (e instanceof FunnelApiError && e.status === 409) {
        showMissing(e);
        return false;
      }
      errorBox.textContent = describe(e);
      errorBox.scrollIntoView({ block: "nearest", behavior: "instant" });
      return false;
    }
  }

  const buttons = o.editable
    ? [
        ...(o.onRelease ? [{ id: "release", label: t("sheet.release"), kind: "danger" as const }] : []),
        { id: "cancel", label: t("dialog.cancel") },
        { id: "save", label: t("sheet.save"), kind: "primary" as const },
      ]
    : [{ id: "cancel", label: t("dialog.close") }];
  const d = openDialog({
    title: c.name,
    body,
    testId: "activity-sheet",
    buttons,
    onButton: async (id) => {
      if (id === "save") {
        tap();
        return save();
      }
      if (id === "release") {
        o.onRelease?.();
      }
      return true;
    },
  });
  d.el.classList.add("sheet");
  d.el.parentElement?.classList.add("sheet-overlay");
  d.el.dataset.customer = String(c.id);
  hk.sheet = d;
  void d.result.then(() => {
    if (hk.sheet === d) delete hk.sheet;
  });

  // The history: the latest activities and stage changes, newest first.
  void Promise.all([funnelApi.activities(c.id), funnelApi.transitions(c.id)]).then(
    ([as, ts]) => {
      type Row = { at: string; el: HTMLElement };
      const rows: Row[] = [
        ...items(as).map((a) => ({
          at: a.at,
          el: h(
            "li",
            { "data-activity": String(a.id) },
            h("span", { class: "muted" }, fmtDate(a.at)),
            " ",
            t(`kind.${a.kind}`),
            isVisit(a.kind) ? h("small", { class: a.verified ? "ok" : "warn" }, " ", a.verified ? t("sheet.verified") : t("sheet.unverified")) : null,
            (a.signals ?? []).map((s) => h("span", { class: "chip small" }, t(`signal.${s}`))),
            a.note ? h("div", { class: "muted" }, a.note) : null,
          ),
        })),
        ...items(ts).map((x) => ({
          at: x.at,
          el: h(
            "li",
            { "data-transition": String(x.id) },
            h("span", { class: "muted" }, fmtDate(x.at)),
            " ",
            h("b", null, `${t(`stage.${x.from}`)} → ${t(`stage.${x.to}`)}`),
            x.reason ? h("div", { class: "muted" }, x.reason) : null,
          ),
        })),
      ].sort((a, b) => b.at.localeCompare(a.at));
      history.replaceChildren(rows.length ? h("ul", null, rows.slice(0, 30).map((r) => r.el)) : h("p", { class: "muted" }, t("sheet.noHistory")));
    },
    (e) => history.replaceChildren(h("p", { class: "error" }, describe(e))),
  );
}
