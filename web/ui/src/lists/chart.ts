// The funnel chart: the six steps from target to in-network, each as wide
// as its customers. ECharts, tree-shaken like the coverage bars: only the
// funnel series, the tooltip and the canvas renderer are bundled.
import { FunnelChart as EFunnel, type FunnelSeriesOption } from "echarts/charts";
import { TooltipComponent, type TooltipComponentOption } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { h } from "../dom";
import { fmtNumber, lang, t } from "../i18n";
import { STAGE_COLORS } from "../map/style";
import { STEPS, type Report } from "./api";

echarts.use([EFunnel, TooltipComponent, CanvasRenderer]);

type Option = echarts.ComposeOption<FunnelSeriesOption | TooltipComponentOption>;

/** FunnelBasis: the customers now at each step, or those that ever reached it. */
export type FunnelBasis = "counts" | "reached";

/** funnelValues are the six steps' figures of a report, target first. */
export function funnelValues(r: Report, basis: FunnelBasis): number[] {
  const src = basis === "reached" && r.reached ? r.reached : r.counts;
  return STEPS.map((s) => src?.[s] ?? 0);
}

/** FunnelChart draws a report's six steps as a funnel. */
export class FunnelChart {
  readonly el: HTMLElement;
  readonly chart: echarts.ECharts;
  private readonly resize = new ResizeObserver(() => this.chart.resize());
  /** values are the figures drawn, target first (for the tests). */
  values: number[] = [];

  constructor(testid = "funnel-chart", height = 260) {
    this.el = h("div", { class: "funnel-chart", "data-testid": testid, style: `height:${height}px` });
    this.chart = echarts.init(this.el, undefined, { renderer: "canvas", locale: lang() === "zh-CN" ? "ZH" : "EN", height });
    this.resize.observe(this.el);
  }

  /** set draws r (counts now, or reached: the funnel of how far customers got). */
  set(r: Report, basis: FunnelBasis = "counts"): void {
    this.values = funnelValues(r, basis);
    const max = Math.max(1, ...this.values);
    const option: Option = {
      animation: false,
      tooltip: { trigger: "item", formatter: (p) => `${(p as { name: string }).name}: ${fmtNumber(Number((p as { value: number }).value))}` },
      series: [
        {
          type: "funnel",
          id: "funnel",
          sort: "none", // method order, whatever the figures
          min: 0,
          max,
          minSize: "8%",
          maxSize: "100%",
          gap: 2,
          left: 8,
          right: 8,
          top: 8,
          bottom: 8,
          label: { show: true, position: "inside", color: "#fff", formatter: (p) => `${(p as { name: string }).name}  ${fmtNumber(Number((p as { value: number }).value))}`, fontSize: 12 },
          labelLine: { show: false },
          itemStyle: { borderColor: "#fff", borderWidth: 1 },
          data: STEPS.map((s, i) => ({ name: t(`stage.${s}`), value: this.values[i], itemStyle: { color: STAGE_COLORS[s] } })),
        },
      ],
    };
    this.chart.setOption(option, { notMerge: true });
  }

  dispose(): void {
    this.resize.disconnect();
    this.chart.dispose();
  }
}
