// The funnel figures of a report (GET /api/funnel/metrics): counts per
// stage, success rate, the funnel chart, the stage-to-stage conversions
// with the median days spent in each stage, and the in-network warnings.
// The manager's list page shows them for his list; the funnel page
// (funnel.ts) for a grid, a district or the whole city.
import { append, h } from "../dom";
import { fmtNumber, t } from "../i18n";
import { STAGES, STEPS, type Report } from "./api";
import { FunnelChart, type FunnelBasis } from "./chart";

/** pct formats a rate of 0…1 as a percentage. */
export function pct(rate: number | undefined | null): string {
  if (rate === undefined || rate === null || !Number.isFinite(rate)) return "–";
  return `${fmtNumber(Math.round(rate * 1000) / 10)}%`;
}

/** dayOf is the YYYY-MM-DD part of an ISO time. */
export function dayOf(iso: string | undefined): string {
  return iso ? iso.slice(0, 10) : "";
}

/** lastDay is the last day of a period that ends (exclusive) at iso. */
export function lastDay(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return dayOf(iso);
  return new Date(d.getTime() - 1).toISOString().slice(0, 10);
}

/**
 * stageCounts is the strip of counts per stage and the success rate: the
 * manager's "my funnel numbers". Each count has data-stage and data-value.
 */
export function stageCounts(r: Report, stages: readonly string[] = STAGES): HTMLElement {
  const tile = (key: string, value: string, raw: number | string, attrs: Record<string, string>) =>
    h("div", { class: "fn-count", ...attrs }, h("b", { class: "fn-value", "data-value": String(raw) }, value), h("span", { class: "fn-label" }, t(key)));
  return h(
    "div",
    { class: "fn-counts", "data-testid": "funnel-counts" },
    stages.map((s) => tile(`stage.${s}`, fmtNumber(r.counts?.[s] ?? 0), r.counts?.[s] ?? 0, { "data-stage": s, class: `fn-count stage-${s}` })),
    tile("fn.successRate", pct(r.success_rate), r.success_rate, { "data-testid": "success-rate", class: "fn-count fn-rate" }),
  );
}

/** ReportView is the figures and the chart of one report, redrawn by set. */
export class ReportView {
  readonly el: HTMLElement;
  readonly chart: FunnelChart;
  report: Report | null = null;
  private basis: FunnelBasis = "reached";
  private readonly counts = h("div");
  private readonly facts = h("dl", { class: "fn-facts", "data-testid": "funnel-facts" });
  private readonly conv = h("div", { class: "fn-conv" });
  private readonly basisBtns: HTMLButtonElement[];
  private readonly countStages: readonly string[];

  constructor(opts: { showCounts?: boolean; countStages?: readonly string[] } = {}) {
    this.chart = new FunnelChart();
    this.basisBtns = (["counts", "reached"] as const).map((b) =>
      h(
        "button",
        {
          type: "button",
          "data-basis": b,
          "data-testid": `funnel-basis-${b}`,
          class: b === this.basis ? "active" : "",
          title: t(`fn.basis.${b}.title`),
          onclick: () => {
            this.basis = b;
            for (const x of this.basisBtns) x.classList.toggle("active", x.dataset.basis === b);
            if (this.report) this.chart.set(this.report, b);
          },
        },
        t(`fn.basis.${b}`),
      ),
    );
    this.el = h(
      "div",
      { class: "fn-report", "data-testid": "funnel-report" },
      opts.showCounts === false ? null : this.counts,
      h("div", { class: "fn-chart-head" }, h("h3", null, t("fn.chart")), h("div", { class: "segmented" }, this.basisBtns)),
      this.chart.el,
      this.facts,
      this.conv,
    );
    this.countStages = opts.countStages ?? STAGES;
  }

  set(r: Report): void {
    this.report = r;
    this.el.dataset.level = r.level;
    this.el.dataset.id = String(r.id ?? "");
    this.counts.replaceChildren(stageCounts(r, this.countStages));
    this.chart.set(r, this.basis);
    const fact = (key: string, value: string, testid: string) => [h("dt", null, t(key)), h("dd", { "data-testid": testid }, value)];
    const visits = r.visits ?? 0;
    this.facts.replaceChildren(
      ...fact("fn.contacted", fmtNumber(r.contacted ?? 0), "fact-contacted"),
      ...fact("fn.successRate", pct(r.success_rate), "fact-success"),
      ...(r.new_contacts_per_day !== undefined ? fact("fn.newPerDay", fmtNumber(Math.round(r.new_contacts_per_day * 10) / 10), "fact-new-per-day") : []),
      ...(r.visits !== undefined ? fact("fn.visits", t("fn.visitsValue", { verified: r.verified_visits ?? 0, visits }), "fact-visits") : []),
      ...(r.daily_contacts_needed != null && r.daily_contacts_needed > 0
        ? fact("fn.dailyNeeded", fmtNumber(Math.round(r.daily_contacts_needed * 10) / 10), "fact-daily-needed")
        : []),
      ...(r.warnings ? fact("fn.warnings", fmtNumber(r.warnings.length), "fact-warnings") : []),
      ...(r.from && r.to ? fact("fn.period", t("fn.periodValue", { from: dayOf(r.from), to: lastDay(r.to) }), "fact-period") : []),
    );
    const convs = r.conversions ?? [];
    const medians = r.median_days_in_stage ?? {};
    this.conv.replaceChildren();
    append(
      this.conv,
      convs.length
        ? h(
            "table",
            { class: "data fn-conv-table", "data-testid": "conversions" },
            h("thead", null, h("tr", null, h("th", null, t("fn.step")), h("th", { class: "num" }, t("fn.conversion")), h("th", { class: "num" }, t("fn.medianDays")))),
            h(
              "tbody",
              null,
              convs.map((c) =>
                h(
                  "tr",
                  { "data-from": c.from, "data-to": c.to },
                  h("td", null, `${t(`stage.${c.from}`)} → ${t(`stage.${c.to}`)}`),
                  h("td", { class: "num", "data-value": String(c.rate) }, pct(c.rate)),
                  h("td", { class: "num" }, medians[c.from] !== undefined ? fmtNumber(Math.round(medians[c.from] * 10) / 10) : "–"),
                ),
              ),
            ),
          )
        : null,
    );
  }

  dispose(): void {
    this.chart.dispose();
  }
}

/** stepsOnly: the six steps (for a manager, whose list holds no lost or churned customers). */
export const STEP_STAGES: readonly string[] = STEPS;
