// Label placement for areas (grids, districts): an area gets a label only
// when it is big enough on screen, bigger areas first, and a label that
// would overlap one already placed is left out. With thousands of areas the
// map stays readable at every zoom, and only the labels in view exist.
import L from "leaflet";
import { PANES } from "./view";

export interface LabelCandidate {
  /** Where the label's centre goes (inside the area). */
  at: L.LatLng;
  /** The area's bounding box. */
  box: L.LatLngBounds;
  /** The bold first line. */
  title: string;
  /** A smaller second line, shown when the area has room for it. */
  detail?: string;
}

export interface LabelOptions {
  className: string;
  /** The area's on-screen box must be at least this big for the title (px). */
  minWidth: number;
  minHeight: number;
  /** ... and this big for the detail line too. */
  detailWidth: number;
  detailHeight: number;
  /** Approximate width of a title character (px), for the overlap test. */
  charWidth: number;
}

/**
 * layoutLabels fills group with the labels of the candidates in view that
 * fit. It returns how many it placed.
 */
export function layoutLabels(map: L.Map, group: L.LayerGroup, cands: Iterable<LabelCandidate>, o: LabelOptions): number {
  group.clearLayers();
  const view = map.getBounds().pad(0.1);
  const fits: { c: LabelCandidate; p: L.Point; w: number; h: number }[] = [];
  for (const c of cands) {
    if (!view.intersects(c.box)) continue;
    const nw = map.latLngToContainerPoint(c.box.getNorthWest());
    const se = map.latLngToContainerPoint(c.box.getSouthEast());
    const w = se.x - nw.x, h = se.y - nw.y;
    if (w >= o.minWidth && h >= o.minHeight) fits.push({ c, p: map.latLngToContainerPoint(c.at), w, h });
  }
  fits.sort((a, b) => b.w * b.h - a.w * a.h);
  const placed: L.Bounds[] = [];
  for (const f of fits) {
    const withDetail = !!f.c.detail && f.w >= o.detailWidth && f.h >= o.detailHeight;
    const bw = Math.max(textWidth(f.c.title, o.charWidth), withDetail ? textWidth(f.c.detail!, 6.2) : 0) + 6;
    const bh = withDetail ? 30 : 17;
    const box = L.bounds([f.p.x - bw / 2, f.p.y - bh / 2], [f.p.x + bw / 2, f.p.y + bh / 2]);
    if (placed.some((b) => b.intersects(box))) continue;
    placed.push(box);
    const html = document.createElement("div");
    const b = document.createElement("b");
    b.textContent = f.c.title;
    html.appendChild(b);
    if (withDetail) {
      const s = document.createElement("span");
      s.textContent = f.c.detail!;
      html.appendChild(s);
    }
    L.marker(f.c.at, {
      pane: PANES.labels.name,
      interactive: false,
      keyboard: false,
      pmIgnore: true,
      snapIgnore: true,
      icon: L.divIcon({ className: o.className, html, iconSize: undefined }),
    }).addTo(group);
  }
  return placed.length;
}

/** textWidth estimates the width of s in px: CJK characters are about twice as wide as Latin ones. */
export function textWidth(s: string, latinPx: number): number {
  let w = 0;
  for (const ch of s) w += ch.charCodeAt(0) > 0x2e80 ? latinPx * 1.9 : latinPx;
  return w;
}
