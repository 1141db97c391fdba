// GPX and GeoJSON of a day route, built in the browser and downloaded.
import type { DayRoute } from "./api";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** toGPX is the route as GPX 1.1: a waypoint per stop (in order) and the track start → stops → end. */
export function toGPX(r: DayRoute, title: string): string {
  const pts = [r.start, ...r.stops, ...(r.end ? [r.end] : [])];
  const wpts = r.stops
    .map(
      (s) =>
        `  <wpt lat="${s.lat}" lon="${s.lng}"><time>${new Date(s.arrive).toISOString()}</time><name>${s.seq}. ${esc(s.name)}</name>` +
        `<desc>${esc(s.address ?? "")}</desc><type>${esc(s.stage)}</type></wpt>`,
    )
    .join("\n");
  const trkpts = pts.map((p) => `      <trkpt lat="${p.lat}" lon="${p.lng}"/>`).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="gridplan" xmlns="http://www.topografix.com/GPX/1/1">
  <metadata><name>${esc(title)}</name><time>${new Date(r.start_at).toISOString()}</time></metadata>
${wpts}
  <trk><name>${esc(title)}</name>
    <trkseg>
${trkpts}
    </trkseg>
  </trk>
</gpx>
`;
}

/** toGeoJSON is the route as a FeatureCollection: the stops as points, then the path as a LineString. */
export function toGeoJSON(r: DayRoute, title: string): string {
  const pts = [r.start, ...r.stops, ...(r.end ? [r.end] : [])];
  const fc = {
    type: "FeatureCollection",
    name: title,
    features: [
      ...r.stops.map((s) => ({
        type: "Feature",
        geometry: { type: "Point", coordinates: [s.lng, s.lat] },
        properties: { seq: s.seq, customer_id: s.customer_id, name: s.name, address: s.address ?? "", stage: s.stage, priority: s.priority, arrive: s.arrive, depart: s.depart },
      })),
      {
        type: "Feature",
        geometry: { type: "LineString", coordinates: pts.map((p) => [p.lng, p.lat]) },
        properties: { mode: r.mode, distance_m: r.distance_m, duration_s: r.duration_s, start_at: r.start_at, finish_at: r.finish_at },
      },
    ],
  };
  return JSON.stringify(fc, null, 1);
}

/** download saves text as a file. */
export function download(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
