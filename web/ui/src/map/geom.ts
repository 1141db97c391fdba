// Small planar helpers on GeoJSON coordinates ([lng, lat]) for placing labels.
import type { MultiPolygon, Polygon, Position } from "geojson";

type Ring = Position[];

function ringArea(r: Ring): number {
  let a = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) a += (r[j][0] - r[i][0]) * (r[j][1] + r[i][1]);
  return a / 2;
}

function ringCentroid(r: Ring): Position | null {
  let a = 0, x = 0, y = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const f = r[j][0] * r[i][1] - r[i][0] * r[j][1];
    a += f;
    x += (r[j][0] + r[i][0]) * f;
    y += (r[j][1] + r[i][1]) * f;
  }
  if (a === 0) return null;
  return [x / (3 * a), y / (3 * a)];
}

/** pointInPolygon: even-odd rule over all rings (holes excluded). */
export function pointInPolygon(p: Position, rings: Ring[]): boolean {
  let inside = false;
  for (const r of rings) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i], [xj, yj] = r[j];
      if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/**
 * labelPoint is a point inside the polygon (the largest part of a
 * multipolygon) to hang its label on: the centroid when it lies inside,
 * else the middle of the widest inside stretch of the horizontal line
 * through the centroid (an L- or U-shaped grid has its centroid outside).
 */
export function labelPoint(g: Polygon | MultiPolygon): Position | null {
  const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  let best: Ring[] | null = null;
  let bestArea = -1;
  for (const p of polys) {
    if (!p.length || p[0].length < 4) continue;
    const a = Math.abs(ringArea(p[0]));
    if (a > bestArea) {
      bestArea = a;
      best = p;
    }
  }
  if (!best) return null;
  const c = ringCentroid(best[0]) ?? best[0][0];
  if (pointInPolygon(c, best)) return c;
  const y = c[1];
  const xs: number[] = [];
  for (const r of best) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i], [xj, yj] = r[j];
      if (yi > y !== yj > y) xs.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
    }
  }
  xs.sort((a, b) => a - b);
  let span = -1, mid = c[0];
  for (let i = 0; i + 1 < xs.length; i += 2) {
    if (xs[i + 1] - xs[i] > span) {
      span = xs[i + 1] - xs[i];
      mid = (xs[i] + xs[i + 1]) / 2;
    }
  }
  return span > 0 ? [mid, y] : best[0][0];
}

/** bbox of a polygon or multipolygon: [west, south, east, north]. */
export function bbox(g: Polygon | MultiPolygon): [number, number, number, number] {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  const polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
  for (const p of polys)
    for (const r of p)
      for (const [x, y] of r) {
        if (x < w) w = x;
        if (x > e) e = x;
        if (y < s) s = y;
        if (y > n) n = y;
      }
  return [w, s, e, n];
}
