// Customers as Mapbox Vector Tiles (GET /tiles/customers/{z}/{x}/{y}.mvt),
// drawn on canvas tiles of a Leaflet GridLayer: below zoom 14 the layer
// "customer_hexes" (H3 hexagons, property count) coloured by density; from
// zoom 14 the layer "customers" (points, properties id, stage, grid_id)
// coloured by funnel stage.
//
// Why a GridLayer of our own over @mapbox/vector-tile + pbf rather than
// leaflet.vectorgrid: vectorgrid's last release is from 2017, it bundles old
// copies of pbf and vector-tile and patches the global L as a UMD script, and
// it turns every feature into a Leaflet path object with its own event
// bookkeeping — thousands per tile at street zoom. Here a tile is decoded by
// the maintained parsers and painted in one pass; the decoded points are kept
// for click look-ups, and the counts are exposed for tests (stats()).
import L from "leaflet";
import { PbfReader } from "pbf";
import { VectorTile, type VectorTileFeature } from "@mapbox/vector-tile";
import { hexColor, STAGE_COLORS, UNKNOWN_STAGE_COLOR } from "./style";
import { PANES } from "./view";

/** POINTS_MIN_ZOOM is the zoom from which the server sends points instead of hexagons. */
export const POINTS_MIN_ZOOM = 14;

const EARTH_CIRCUMFERENCE_M = 40075016.686;

/** TilePoint is a customer point in tile pixels (0..256). */
export interface TilePoint {
  x: number;
  y: number;
  id: number;
  stage: string;
  gridId: number;
}

/** TileHex is a hexagon: its rings in tile pixels, count and density. */
export interface TileHex {
  rings: { x: number; y: number }[][];
  count: number;
  density: number;
  cell: string;
}

interface TileData {
  points: TilePoint[];
  hexes: TileHex[];
  bytes: number;
}

export interface CustomerStats {
  /** tiles loaded and drawn (of those the layer currently holds) */
  tiles: number;
  points: number;
  hexes: number;
  /** sum of the hexagons' counts */
  hexCustomers: number;
  bytes: number;
  errors: number;
}

export interface CustomerTilesOptions extends L.GridLayerOptions {
  /** URL template; {z}/{x}/{y} are replaced. */
  url?: string;
}

/** tileLatitude is the latitude at the vertical middle of tile y at zoom z. */
function tileLatitude(y: number, z: number): number {
  const n = Math.PI - (2 * Math.PI * (y + 0.5)) / 2 ** z;
  return (180 / Math.PI) * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)));
}

function ringAreaPx(r: { x: number; y: number }[]): number {
  let a = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) a += (r[j].x - r[i].x) * (r[j].y + r[i].y);
  return Math.abs(a / 2);
}

/**
 * decodeTile turns an MVT buffer into points and hexagons in tile pixels.
 * Hexagon density is count / area, the area measured on the tile itself
 * (Web Mercator metres at the tile's latitude), so no H3 library is needed.
 */
export function decodeTile(buf: ArrayBuffer, coords: { x: number; y: number; z: number }, tileSize = 256): TileData {
  const vt = new VectorTile(new PbfReader(new Uint8Array(buf)));
  const out: TileData = { points: [], hexes: [], bytes: buf.byteLength };
  const pts = vt.layers["customers"];
  if (pts) {
    const k = tileSize / pts.extent;
    for (let i = 0; i < pts.length; i++) {
      const f: VectorTileFeature = pts.feature(i);
      const p = f.properties;
      for (const ring of f.loadGeometry()) {
        for (const q of ring) {
          out.points.push({
            x: q.x * k,
            y: q.y * k,
            id: Number(p.id ?? f.id ?? 0),
            stage: String(p.stage ?? ""),
            gridId: Number(p.grid_id ?? 0),
          });
        }
      }
    }
  }
  const hex = vt.layers["customer_hexes"];
  if (hex) {
    const k = tileSize / hex.extent;
    // metres per tile pixel at this tile's latitude (Web Mercator scale)
    const mPerPx = (EARTH_CIRCUMFERENCE_M * Math.cos((tileLatitude(coords.y, coords.z) * Math.PI) / 180)) / (2 ** coords.z * tileSize);
    for (let i = 0; i < hex.length; i++) {
      const f = hex.feature(i);
      const rings = f.loadGeometry().map((r) => r.map((q) => ({ x: q.x * k, y: q.y * k })));
      const count = Number(f.properties.count ?? 0);
      // Clipped at the tile edge, a hexagon's part would look denser than
      // it is; the largest ring's area is a fair measure for whole ones and
      // a bounded error for cut ones (count / visible part ≥ true density).
      let areaPx = 0;
      for (const r of rings) areaPx = Math.max(areaPx, ringAreaPx(r));
      const km2 = (areaPx * mPerPx * mPerPx) / 1e6;
      out.hexes.push({ rings, count, density: km2 > 0 ? count / km2 : 0, cell: String(f.properties.cell ?? "") });
    }
  }
  return out;
}

/** CustomerTiles is the customers' vector-tile layer. */
export class CustomerTiles extends L.GridLayer {
  private readonly urlTemplate: string;
  /** The decoded tiles, by "z/x/y", with the element they were drawn on. */
  private readonly tiles = new Map<string, { el: HTMLElement; data: TileData }>();
  /** The fetch of each tile element still loading. */
  private readonly aborts = new WeakMap<HTMLElement, AbortController>();
  private errors = 0;
  /** onError is told about failed tiles (not aborted ones); the page shows a toast once. */
  onError: ((err: Error) => void) | null = null;

  constructor(opts: CustomerTilesOptions = {}) {
    super({ pane: PANES.customers.name, maxZoom: 19, updateWhenZooming: false, keepBuffer: 1, ...opts });
    this.urlTemplate = opts.url ?? "/tiles/customers/{z}/{x}/{y}.mvt";
    // Leaflet may create a tile anew (redraw, refresh) before it unloads
    // the old element of the same key: bookkeeping goes by element, so the
    // old one's unload neither aborts nor forgets the new one.
    this.on("tileunload", (e: L.TileEvent) => {
      this.aborts.get(e.tile)?.abort();
      this.aborts.delete(e.tile);
      const key = this.keyOf(e.coords);
      if (this.tiles.get(key)?.el === e.tile) this.tiles.delete(key);
    });
  }

  private keyOf(c: L.Coords): string {
    return `${c.z}/${c.x}/${c.y}`;
  }

  tileUrl(c: L.Coords): string {
    return this.urlTemplate.replace("{z}", String(c.z)).replace("{x}", String(c.x)).replace("{y}", String(c.y));
  }

  protected override createTile(coords: L.Coords, done: L.DoneCallback): HTMLElement {
    const size = this.getTileSize();
    const canvas = document.createElement("canvas");
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    canvas.width = size.x * dpr;
    canvas.height = size.y * dpr;
    canvas.style.width = `${size.x}px`;
    canvas.style.height = `${size.y}px`;
    const key = this.keyOf(coords);
    const ctl = new AbortController();
    this.aborts.set(canvas, ctl);
    // cache "no-cache": always revalidate with the ETag, so a publish or an
    // import is visible at once while unchanged tiles cost a 304.
    fetch(this.tileUrl(coords), { credentials: "same-origin", cache: "no-cache", signal: ctl.signal })
      .then(async (res) => {
        if (res.status === 204 || res.status === 404) return new ArrayBuffer(0);
        if (!res.ok) throw new Error(`tile ${key}: HTTP ${res.status}`);
        return res.arrayBuffer();
      })
      .then((buf) => {
        if (ctl.signal.aborted) return;
        const data = buf.byteLength ? decodeTile(buf, coords, size.x) : { points: [], hexes: [], bytes: 0 };
        this.tiles.set(key, { el: canvas, data });
        this.aborts.delete(canvas);
        const ctx = canvas.getContext("2d");
        if (ctx) {
          ctx.scale(dpr, dpr);
          draw(ctx, data, coords.z >= 16 ? 4.5 : 3.5);
        }
        done(undefined, canvas);
      })
      .catch((err: unknown) => {
        if (ctl.signal.aborted) return;
        this.aborts.delete(canvas);
        this.errors++;
        const e = err instanceof Error ? err : new Error(String(err));
        this.onError?.(e);
        done(e, canvas);
      });
    return canvas;
  }

  /**
   * refresh reloads every tile (after an edit, a publish or an import): the
   * server's ETags make unchanged tiles cheap.
   */
  refresh(): void {
    this.redraw();
  }

  /** stats counts what the tiles in the layer hold, for the page and for tests. */
  stats(): CustomerStats {
    const s: CustomerStats = { tiles: this.tiles.size, points: 0, hexes: 0, hexCustomers: 0, bytes: 0, errors: this.errors };
    for (const { data: d } of this.tiles.values()) {
      s.points += d.points.length;
      s.hexes += d.hexes.length;
      s.bytes += d.bytes;
      for (const h of d.hexes) s.hexCustomers += h.count;
    }
    return s;
  }

  /**
   * pick finds what was drawn at latlng: the nearest customer point within
   * tolerancePx, or the hexagon containing it.
   */
  pick(map: L.Map, latlng: L.LatLng, tolerancePx = 6): { point?: TilePoint; hex?: TileHex } {
    const z = map.getZoom();
    const size = this.getTileSize();
    const p = map.project(latlng, z);
    const tx = Math.floor(p.x / size.x), ty = Math.floor(p.y / size.y);
    const data = this.tiles.get(`${z}/${tx}/${ty}`)?.data;
    if (!data) return {};
    const lx = p.x - tx * size.x, ly = p.y - ty * size.y;
    let best: TilePoint | undefined;
    let bestD = tolerancePx * tolerancePx;
    for (const q of data.points) {
      const d = (q.x - lx) ** 2 + (q.y - ly) ** 2;
      if (d <= bestD) {
        bestD = d;
        best = q;
      }
    }
    if (best) return { point: best };
    for (const hx of data.hexes) {
      let inside = false;
      for (const r of hx.rings)
        for (let i = 0, j = r.length - 1; i < r.length; j = i++)
          if (r[i].y > ly !== r[j].y > ly && lx < ((r[j].x - r[i].x) * (ly - r[i].y)) / (r[j].y - r[i].y) + r[i].x) inside = !inside;
      if (inside) return { hex: hx };
    }
    return {};
  }
}

/** draw paints a decoded tile: hexagons first, then points (radius r px) on top. */
export function draw(ctx: CanvasRenderingContext2D, data: TileData, r = 3.5): void {
  ctx.lineWidth = 0.5;
  for (const hx of data.hexes) {
    ctx.beginPath();
    for (const r of hx.rings) {
      r.forEach((q, i) => (i ? ctx.lineTo(q.x, q.y) : ctx.moveTo(q.x, q.y)));
      ctx.closePath();
    }
    ctx.globalAlpha = 0.72;
    ctx.fillStyle = hexColor(hx.density);
    ctx.fill("evenodd");
    ctx.globalAlpha = 0.5;
    ctx.strokeStyle = "#7f2704";
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  if (!data.points.length) return;
  // One path per stage: a few fills instead of one per customer.
  const byStage = new Map<string, TilePoint[]>();
  for (const q of data.points) {
    const list = byStage.get(q.stage);
    if (list) list.push(q);
    else byStage.set(q.stage, [q]);
  }
  ctx.strokeStyle = "#ffffff";
  ctx.lineWidth = 1;
  for (const [stage, list] of byStage) {
    ctx.beginPath();
    for (const q of list) {
      ctx.moveTo(q.x + r, q.y);
      ctx.arc(q.x, q.y, r, 0, 2 * Math.PI);
    }
    ctx.fillStyle = STAGE_COLORS[stage] ?? UNKNOWN_STAGE_COLOR;
    ctx.fill();
    ctx.stroke();
  }
}
