// The "as of" date: today (the server's default) or a quarter end, so
// leadership sees the gaps close quarter by quarter as resources under
// construction and planned ones reach their expected dates; any other date
// can be typed in.
import { h } from "../dom";
import { t } from "../i18n";

/** isoDate formats a local date as YYYY-MM-DD. */
export function isoDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** QuarterEnd is the last day of a calendar quarter. */
export interface QuarterEnd {
  year: number;
  /** 1–4 */
  quarter: number;
  /** YYYY-MM-DD */
  date: string;
}

/**
 * quarterEnds lists n quarter ends, the first being the end of today's
 * quarter (today itself when it is one).
 */
export function quarterEnds(today: Date, n: number): QuarterEnd[] {
  const out: QuarterEnd[] = [];
  let year = today.getFullYear();
  let q = Math.floor(today.getMonth() / 3); // 0-based
  for (let i = 0; i < n; i++) {
    // Day 0 of the month after the quarter's last month is that month's last day.
    out.push({ year, quarter: q + 1, date: isoDate(new Date(year, q * 3 + 3, 0)) });
    if (++q === 4) {
      q = 0;
      year++;
    }
  }
  return out;
}

/** validDate tells a real calendar date written YYYY-MM-DD. */
export function validDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.getFullYear() === Number(m[1]) && d.getMonth() === Number(m[2]) - 1 && d.getDate() === Number(m[3]);
}

/** How many quarter ends the picker offers (two years ahead). */
export const QUARTERS_OFFERED = 8;

const STORAGE_KEY = "gridplan.coverage.asOf";

/** savedAsOf is the date chosen last in this tab ("" for today). */
export function savedAsOf(): string {
  try {
    const v = sessionStorage.getItem(STORAGE_KEY) ?? "";
    return validDate(v) ? v : "";
  } catch {
    return "";
  }
}

function saveAsOf(v: string): void {
  try {
    if (v) sessionStorage.setItem(STORAGE_KEY, v);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // no storage: the choice lasts until the page is left
  }
}

/**
 * asOfPicker is a select of today and the coming quarter ends beside a
 * date field; onChange gets "" for today or YYYY-MM-DD.
 */
export function asOfPicker(value: string, onChange: (v: string) => void, today = new Date()): HTMLElement {
  const ends = quarterEnds(today, QUARTERS_OFFERED);
  const select = h(
    "select",
    { "data-testid": "asof-select", "aria-label": t("asof.label") },
    h("option", { value: "" }, t("asof.today")),
    ends.map((q) => h("option", { value: q.date }, t("asof.quarter", { year: String(q.year), q: q.quarter, date: q.date }))),
    h("option", { value: "custom", disabled: true }, t("asof.custom")),
  );
  const input = h("input", { type: "date", "data-testid": "asof-date", "aria-label": t("asof.dateLabel"), min: "2000-01-01", max: "2100-12-31" });
  const sync = (v: string) => {
    input.value = v || isoDate(today);
    select.value = v === "" || ends.some((q) => q.date === v) ? v : "custom";
  };
  sync(value);
  const set = (v: string) => {
    if (v === isoDate(today)) v = "";
    sync(v);
    saveAsOf(v);
    onChange(v);
  };
  select.addEventListener("change", () => {
    if (select.value !== "custom") set(select.value);
  });
  input.addEventListener("change", () => {
    if (validDate(input.value)) set(input.value);
  });
  return h("label", { class: "asof-picker" }, h("span", null, t("asof.label")), select, input);
}
