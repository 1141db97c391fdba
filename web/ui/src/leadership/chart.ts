// The stacked bar chart: one bar per district (or grid), split into its
// customers covered by existing resources, by resources under
// construction, by planned ones, and not covered. ECharts, tree-shaken:
// only the bar chart, the grid, tooltip and legend components and the
// canvas renderer are bundled (echarts/core), not the whole library.
import { BarChart, type BarSeriesOption } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent, type GridComponentOption, type LegendComponentOption, type TooltipComponentOption } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { h } from "../dom";
import { fmtNumber, lang, t } from "../i18n";
import { RESOURCE_COLORS } from "../map/style";
import { COVERAGE_STATUSES, type CoverageRow, type CoverageStatus } from "./api";
import { share } from "./table";

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

type Option = echarts.ComposeOption<BarSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption>;

/** STATUS_COLORS: the resource colours of the map, and a soft red for the gaps. */
export const STATUS_COLORS: Record<CoverageStatus, string> = {
  existing: RESOURCE_COLORS.existing,
  under_construction: RESOURCE_COLORS.under_construction,
  planned: RESOURCE_COLORS.planned,
  none: "#e57373",
};

/** ChartMode: customer counts or shares of each row's customers. */
export type ChartMode = "count" | "share";

/** Height of one bar's band in pixels; the chart grows with the rows. */
const BAND_PX = 26;

/** CoverageChart draws the rows of a summary as horizontal stacked bars. */
export class CoverageChart {
  readonly el: HTMLElement;
  readonly chart: echarts.ECharts;
  private rows: CoverageRow[] = [];
  private mode: ChartMode = "count";
  private readonly resize = new ResizeObserver(() => this.chart.resize());
  /** onPick is called with the row whose bar was clicked. */
  onPick: ((r: CoverageRow) => void) | null = null;

  constructor() {
    this.el = h("div", { class: "cov-chart", "data-testid": "coverage-chart" });
    this.chart = echarts.init(this.el, undefined, { renderer: "canvas", locale: lang() === "zh-CN" ? "ZH" : "EN", height: 240 });
    this.chart.on("click", (p) => {
      const r = this.rows[p.dataIndex ?? -1];
      if (r) this.onPick?.(r);
    });
    this.resize.observe(this.el);
  }

  /** set shows rows, top to bottom, as counts or shares. */
  set(rows: readonly CoverageRow[], mode: ChartMode = this.mode): void {
    this.rows = [...rows];
    this.mode = mode;
    const height = Math.max(200, this.rows.length * BAND_PX + 90);
    this.el.style.height = `${height}px`;
    this.chart.resize({ height });
    const fmt = (v: number) => (mode === "share" ? `${v.toFixed(1)}%` : fmtNumber(v));
    const series: BarSeriesOption[] = COVERAGE_STATUSES.map((s) => ({
      type: "bar",
      id: s,
      name: t(`cov.status.${s}`),
      stack: "customers",
      itemStyle: { color: STATUS_COLORS[s] },
      emphasis: { focus: "series" },
      barMaxWidth: 22,
      data: this.rows.map((r) => (mode === "share" ? share(r[s], r.customers) : r[s])),
    }));
    const option: Option = {
      animation: false, // the page redraws on every filter change; no movement to wait for
      legend: { top: 0, data: series.map((x) => x.name as string) },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: (v) => fmt(Number(v)) },
      xAxis: { type: "value", max: mode === "share" ? 100 : undefined, axisLabel: { formatter: (v: number) => (mode === "share" ? `${v}%` : fmtNumber(v)) } },
      yAxis: { type: "category", inverse: true, data: this.rows.map((r) => r.name || r.code), axisLabel: { width: 140, overflow: "truncate" } },
      series,
    };
    this.chart.setOption(option, { notMerge: true });
  }

  /** seriesCount is the number of series drawn (the statuses). */
  seriesCount(): number {
    const o = this.chart.getOption() as { series?: unknown[] };
    return o.series?.length ?? 0;
  }

  dispose(): void {
    this.resize.disconnect();
    this.chart.dispose();
  }
}
