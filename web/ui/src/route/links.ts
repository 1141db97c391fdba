// Navigation links per stop: they open the phone's map app (or its web
// page) with directions to the customer. Each app takes its own datum:
// Amap (高德) GCJ-02, Baidu BD-09 (coord_type=bd09ll), Apple Maps and
// Google Maps WGS-84. The converted coordinates come from the server
// (geo's conversions, web/route.go), so the page never guesses an offset.
import type { LngLat, Mode, Stop } from "./api";

export type App = "amap" | "baidu" | "apple" | "google";
export const APPS: readonly App[] = ["amap", "baidu", "apple", "google"];

const fixed = (x: number) => x.toFixed(6);

/** amapMode, baiduMode, appleFlag, googleMode: each app's word for the mode. */
const amapMode: Record<Mode, string> = { walk: "walk", ebike: "ride", car: "car" };
const baiduMode: Record<Mode, string> = { walk: "walking", ebike: "riding", car: "driving" };
const appleFlag: Record<Mode, string> = { walk: "w", ebike: "w", car: "d" };
const googleMode: Record<Mode, string> = { walk: "walking", ebike: "bicycling", car: "driving" };

/**
 * navLink is the directions URL of app to stop, by mode; origin (BD-09) is
 * where the leg starts, for Baidu's web page, which wants one.
 */
export function navLink(app: App, stop: Stop, mode: Mode, originBD09?: LngLat): string {
  switch (app) {
    case "amap": {
      const g = stop.gcj02 ?? stop;
      const q = new URLSearchParams({ to: `${fixed(g.lng)},${fixed(g.lat)},${stop.name}`, mode: amapMode[mode], coordinate: "gaode", callnative: "1", src: "gridplan" });
      return `https://uri.amap.com/navigation?${q}`;
    }
    case "baidu": {
      const b = stop.bd09 ?? stop;
      const q = new URLSearchParams({
        destination: `latlng:${fixed(b.lat)},${fixed(b.lng)}|name:${stop.name}`,
        mode: baiduMode[mode],
        coord_type: "bd09ll",
        output: "html",
        src: "webapp.gridplan.route",
      });
      if (originBD09) q.set("origin", `latlng:${fixed(originBD09.lat)},${fixed(originBD09.lng)}|name:起点`);
      return `https://api.map.baidu.com/direction?${q}`;
    }
    case "apple":
      return `https://maps.apple.com/?daddr=${fixed(stop.lat)},${fixed(stop.lng)}&dirflg=${appleFlag[mode]}`;
    case "google":
      return `https://www.google.com/maps/dir/?api=1&destination=${fixed(stop.lat)},${fixed(stop.lng)}&travelmode=${googleMode[mode]}`;
  }
}
