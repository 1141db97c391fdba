// Shapes for previews. The server does every real geometry operation
// (snapping, clipping, carving, splitting, merging: geo/shape); the page
// only needs to say, before a save, what an edit proposes, in terms the
// preview endpoint understands (one grid's new shape):
//
//   - a merge of A and B is A reshaped to both their parts: the carve then
//     takes all of B, which is removed with A as its successor, exactly as
//     the merge does;
//   - a split along a line is a new grid made of the smaller side: the carve
//     takes it from the grid, as the split does.
//
// splitPolygon cuts only the simple case (the line crosses the outer ring
// exactly twice and no hole); anything else gets no preview here and the
// planner is told so.
import type { MultiPolygon, Polygon, Position } from "geojson";
import { labelPoint, pointInPolygon } from "../map/geom";

type Ring = Position[];

/** parts lists the polygons of a Polygon or MultiPolygon. */
export function parts(g: Polygon | MultiPolygon): Position[][][] {
  return g.type === "Polygon" ? [g.coordinates] : g.coordinates;
}

/** joinParts is a MultiPolygon holding every part of every shape (their union, when they do not overlap). */
export function joinParts(...gs: (Polygon | MultiPolygon)[]): MultiPolygon {
  return { type: "MultiPolygon", coordinates: gs.flatMap(parts) };
}

/** ringArea is the signed planar area of a ring in square degrees. */
export function ringArea(r: Ring): number {
  let a = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) a += (r[j][0] - r[i][0]) * (r[j][1] + r[i][1]);
  return a / 2;
}

/** polygonArea: outer ring minus holes, square degrees. */
export function polygonArea(p: Position[][]): number {
  return p.reduce((s, r, i) => s + (i === 0 ? 1 : -1) * Math.abs(ringArea(r)), 0);
}

/** containsPoint tells whether the shape holds p (holes excluded). */
export function containsPoint(g: Polygon | MultiPolygon, p: Position): boolean {
  return parts(g).some((rings) => pointInPolygon(p, rings));
}

/** insidePoint is a point inside the shape (for finding its district). */
export function insidePoint(g: Polygon | MultiPolygon): Position | null {
  return labelPoint(g);
}

interface Crossing {
  at: Position;
  /** Position along the line: segment index + fraction. */
  s: number;
  /** Position along the ring: segment index + fraction. */
  r: number;
}

/** segCross intersects segments p1p2 and q1q2: their fractions, or null. */
function segCross(p1: Position, p2: Position, q1: Position, q2: Position): [number, number] | null {
  const dx = p2[0] - p1[0], dy = p2[1] - p1[1];
  const ex = q2[0] - q1[0], ey = q2[1] - q1[1];
  const den = dx * ey - dy * ex;
  if (den === 0) return null; // parallel (collinear overlaps give no clean cut)
  const fx = q1[0] - p1[0], fy = q1[1] - p1[1];
  const t = (fx * ey - fy * ex) / den;
  const u = (fx * dy - fy * dx) / den;
  const eps = 1e-12;
  if (t < -eps || t > 1 + eps || u < -eps || u > 1 + eps) return null;
  return [Math.min(1, Math.max(0, t)), Math.min(1, Math.max(0, u))];
}

function near(a: Position, b: Position): boolean {
  return Math.abs(a[0] - b[0]) < 1e-9 && Math.abs(a[1] - b[1]) < 1e-9;
}

/**
 * extendEnds lengthens the line's first and last segments by d degrees, so
 * that a line drawn onto an edge (snapped) or a hair short of it still
 * crosses it; the server extends ends within 5 m of the edge the same way.
 */
function extendEnds(line: Position[], d: number): Position[] {
  if (line.length < 2) return line;
  const out = line.map((p) => [p[0], p[1]]);
  const ext = (a: Position, b: Position): Position => {
    const len = Math.hypot(a[0] - b[0], a[1] - b[1]);
    if (len === 0) return a;
    return [a[0] + ((a[0] - b[0]) / len) * d, a[1] + ((a[1] - b[1]) / len) * d];
  };
  out[0] = ext(out[0], out[1]);
  out[out.length - 1] = ext(out[out.length - 1], out[out.length - 2]);
  return out;
}

/** crossings of line with the closed ring, sorted along the line, duplicates (a vertex hit twice) merged. */
function crossings(line: Position[], ring: Ring): Crossing[] {
  const out: Crossing[] = [];
  for (let i = 0; i + 1 < line.length; i++) {
    for (let j = 0; j + 1 < ring.length; j++) {
      const c = segCross(line[i], line[i + 1], ring[j], ring[j + 1]);
      if (!c) continue;
      const at: Position = [ring[j][0] + (ring[j + 1][0] - ring[j][0]) * c[1], ring[j][1] + (ring[j + 1][1] - ring[j][1]) * c[1]];
      if (out.some((o) => near(o.at, at))) continue;
      out.push({ at, s: i + c[0], r: j + c[1] });
    }
  }
  return out.sort((a, b) => a.s - b.s);
}

/**
 * ringWalk collects the ring's vertices met going forward from ring
 * position a to ring position b (positions are segment index + fraction;
 * vertices at either end excluded).
 */
function ringWalk(ring: Ring, a: number, b: number): Position[] {
  const n = ring.length - 1; // distinct vertices
  let dist = b - a;
  if (dist <= 0) dist += n;
  const out: Position[] = [];
  for (let m = 1; m <= n + 1; m++) {
    const k = Math.floor(a) + m;
    const d = k - a;
    if (d <= 1e-12) continue; // the vertex at a itself
    if (d >= dist - 1e-12) break; // at or past b
    out.push(ring[k % n]);
  }
  return out;
}

/**
 * splitPolygon cuts a polygon in two along line, when the line crosses its
 * outer ring exactly twice and touches no hole. It answers the two parts
 * (each a polygon: outer ring plus the holes that fall in it), or null.
 */
export function splitPolygon(poly: Position[][], line: Position[], extendDeg = 5e-5): [Position[][], Position[][]] | null {
  if (poly.length === 0 || line.length < 2) return null;
  const outer = poly[0];
  const lineX = extendEnds(line, extendDeg);
  const cs = crossings(lineX, outer);
  if (cs.length !== 2) return null;
  for (const hole of poly.slice(1)) if (crossings(lineX, hole).length > 0) return null;
  const [a, b] = cs;
  // The cut: a, the line's vertices between a and b, then b.
  const cut: Position[] = [a.at];
  for (let i = Math.floor(a.s) + 1; i < b.s; i++) cut.push(lineX[i]);
  cut.push(b.at);
  const back = [...cut].reverse();
  // One side goes along the ring from a to b and back along the cut; the
  // other from b to a and forward along the cut.
  const p1: Ring = [a.at, ...ringWalk(outer, a.r, b.r), b.at, ...back.slice(1)];
  const p2: Ring = [b.at, ...ringWalk(outer, b.r, a.r), a.at, ...cut.slice(1)];
  const close = (r: Ring): Ring => (near(r[0], r[r.length - 1]) ? r : [...r, r[0]]);
  const r1 = close(p1), r2 = close(p2);
  if (r1.length < 4 || r2.length < 4 || Math.abs(ringArea(r1)) === 0 || Math.abs(ringArea(r2)) === 0) return null;
  const s1: Position[][] = [r1], s2: Position[][] = [r2];
  for (const hole of poly.slice(1)) (pointInPolygon(hole[0], [r1]) ? s1 : s2).push(hole);
  return [s1, s2];
}

/**
 * splitShape cuts the one part of g that line crosses. It answers the part
 * that stays with the grid (the larger: the server keeps the largest part
 * in the grid) and the part that becomes a new grid, or null when the cut
 * is not the simple case.
 */
export function splitShape(g: Polygon | MultiPolygon, line: Position[]): { keep: MultiPolygon; cut: Polygon } | null {
  const ps = parts(g);
  let found: { i: number; pieces: [Position[][], Position[][]] } | null = null;
  for (let i = 0; i < ps.length; i++) {
    const pieces = splitPolygon(ps[i], line);
    if (!pieces) continue;
    if (found) return null; // crosses two parts: leave it to the server
    found = { i, pieces };
  }
  if (!found) return null;
  const [x, y] = found.pieces;
  const [big, small] = polygonArea(x) >= polygonArea(y) ? [x, y] : [y, x];
  const keep = ps.map((p, i) => (i === found!.i ? big : p));
  return { keep: { type: "MultiPolygon", coordinates: keep }, cut: { type: "Polygon", coordinates: small } };
}
