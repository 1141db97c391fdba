// The legend: districts and grids, customer stages, the hexagon density
// scale and resource statuses.
import L from "leaflet";
import { h } from "../dom";
import { fmtNumber, t } from "../i18n";
import { HEX_CLASSES, RESOURCE_COLORS, RESOURCE_STATUSES, STAGE_COLORS, STAGES } from "./style";

function swatch(cls: string, style: string): HTMLElement {
  const s = h("span", { class: `swatch ${cls}` });
  s.setAttribute("style", style);
  return s;
}

/** legendElement builds the legend's content (also usable outside the map). */
export function legendElement(): HTMLElement {
  const hexRows = HEX_CLASSES.map((k, i) => {
    const next = HEX_CLASSES[i + 1];
    const label = next ? `${fmtNumber(k.min)}–${fmtNumber(next.min)}` : `≥ ${fmtNumber(k.min)}`;
    return h("li", null, swatch("hex", `background:${k.color}`), label);
  });
  return h(
    "div",
    { class: "legend-body" },
    h(
      "ul",
      null,
      h("li", null, swatch("line", "border-top:2.5px dashed #263238"), t("legend.district")),
      h("li", null, swatch("area", "border:1.5px solid #1565c0;background:rgba(100,181,246,.25)"), t("legend.grid")),
    ),
    h("h4", null, t("legend.stages")),
    h("ul", { class: "legend-stages" }, STAGES.map((s) => h("li", { "data-stage": s }, swatch("dot", `background:${STAGE_COLORS[s]}`), t(`stage.${s}`)))),
    h("h4", null, t("legend.hexes")),
    h("ul", { class: "legend-hexes" }, hexRows),
    h("h4", null, t("legend.resources")),
    h("ul", null, RESOURCE_STATUSES.map((s) => h("li", null, swatch("dot", `background:${RESOURCE_COLORS[s]}`), t(`resource.${s}`)))),
  );
}

/** Legend is a collapsible map control at the bottom right. */
export class Legend extends L.Control {
  constructor() {
    super({ position: "bottomright" });
  }

  override onAdd(): HTMLElement {
    const details = h("details", { class: "legend leaflet-bar", open: window.innerWidth > 900 }, h("summary", null, t("legend.title")), legendElement());
    L.DomEvent.disableClickPropagation(details);
    L.DomEvent.disableScrollPropagation(details);
    return details;
  }
}
