// Typed calls to the plans API (/api/plans, web/plans.go), the grid files
// (export, import: web/planio*.go) and search (web/search.go). The JSON
// shapes follow territory/planning*.go: Plan, PlanDiff, ValidationReport,
// Comparison, EditResult.
import type { Feature, FeatureCollection, Geometry, LineString, MultiPolygon, Polygon } from "geojson";
import { ApiError, del, get, patch, post, put, url, type RequestOptions } from "../api";

export type PlanStatus = "draft" | "pending_approval" | "published" | "archived";

/** Plan is one version of the whole grid layout (territory.Plan). */
export interface Plan {
  id: number;
  name: string;
  status: PlanStatus;
  /** Version number given at publication; absent for a plan never published. */
  number?: number;
  base_plan_id?: number;
  /** Optimistic lock of plan-level changes (name, status). */
  version: number;
  note?: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  updated_by?: string;
  submitted_by?: string;
  submitted_at?: string;
  approved_by?: string;
  approved_at?: string;
  published_by?: string;
  published_at?: string;
}

/** PlanGridProps are the properties of GET /api/plans/:id/grids features. */
export interface PlanGridProps {
  /** The plan grid's id (not the live grid's). */
  id: number;
  plan_id: number;
  /** The live grid it stands for; 0 for a grid new in this plan. */
  grid_id: number;
  code: string;
  name: string;
  district_id: number;
  version: number;
  removed: boolean;
  successor_id?: number;
  updated_by?: string;
  updated_at: string;
  /** Customers the plan puts in the grid; managers of the live grid. */
  customer_count?: number;
  manager_count?: number;
}

export type PlanGridFeature = Feature<Polygon | MultiPolygon, PlanGridProps>;
export type PlanGridCollection = FeatureCollection<Polygon | MultiPolygon, PlanGridProps>;

/** CustomerMove is a customer changing grid (codes; "" for none). */
export interface CustomerMove {
  id: number;
  name: string;
  from: string;
  to: string;
  from_grid_id?: number;
  to_plan_grid_id?: number;
}

/** GridDelta is one grid's customers now (live) and under the plan. */
export interface GridDelta {
  plan_grid_id: number;
  grid_id: number;
  code: string;
  before: number;
  after: number;
  removed?: boolean;
  reshaped?: boolean;
}

/** ManagerOutside is a manager whose list would reach outside his grid. */
export interface ManagerOutside {
  manager_id: number;
  name: string;
  grid_id: number;
  plan_grid_id: number;
  customers_outside: number;
  customers_outside_before: number;
}

/** PlanDiff is what publishing a plan would do, against the published plan. */
export interface PlanDiff {
  moved: number;
  /** The first 500 moves; customers_total counts them all. */
  customers: CustomerMove[] | null;
  customers_total: number;
  grids: GridDelta[] | null;
  managers_outside: ManagerOutside[] | null;
}

export type ViolationKind = "overlap" | "gap" | "pieces" | "empty" | "quota_min" | "quota_max" | "removed_with_managers" | "outside_district";

export interface Violation {
  kind: ViolationKind;
  severity: "error" | "warning";
  plan_grid_ids: number[] | null;
  message: string;
  geometry?: Geometry;
}

/** ValidationReport: errors block submitting and publishing. */
export interface ValidationReport {
  ok: boolean;
  errors: number;
  warnings: number;
  violations: Violation[] | null;
}

export interface CoverageCounts {
  existing: number;
  under_construction: number;
  planned: number;
}

/** GridSide is a grid as one plan has it, in a comparison. */
export interface GridSide {
  plan_grid_id: number;
  name: string;
  area_km2: number;
  customers: number;
  claimed: number;
  managers: number;
  quota_min: number;
  quota_max: number;
  headroom: number;
  /** null until the coverage analyzer exists. */
  coverage: CoverageCounts | null;
}

export interface GridComparison {
  code: string;
  grid_id?: number;
  a: GridSide | null;
  b: GridSide | null;
}

export interface Comparison {
  a: Plan;
  b: Plan;
  grids: GridComparison[];
}

/** EditResult is what an edit did: the grid, the neighbours it changed, the plan's diff after it. */
export interface EditResult {
  grid: PlanGridFeature | null;
  changed: PlanGridFeature[];
  diff: PlanDiff | null;
}

/** PlanImportResult is the answer of POST /api/plans/:id/import. */
export interface PlanImportResult {
  plan_id: number;
  format: string;
  features: number;
  created: number;
  replaced: number;
  unchanged: number;
  failed: number;
  grids: { index: number; plan_grid_id: number; code: string; action: string; changed: number }[];
  errors: { index: number; code?: string; name?: string; field?: string; message: string }[];
}

export interface SearchGrid {
  id: number;
  code: string;
  name: string;
  district_id: number;
  /** minLng, minLat, maxLng, maxLat */
  bbox: [number, number, number, number];
  match: string;
}

export interface SearchCustomer {
  id: number;
  name: string;
  address: string;
  grid_id?: number;
  owner_id?: number;
  stage: string;
  lng: number;
  lat: number;
  match: string;
}

export interface SearchResult {
  q: string;
  grids: SearchGrid[] | null;
  customers: SearchCustomer[] | null;
}

/** GridFeatureIn is the body of a grid save or preview (a GeoJSON Feature). */
export interface GridFeatureIn {
  type: "Feature";
  geometry?: Polygon | MultiPolygon;
  properties: { id?: number; version?: number; code?: string; name?: string; district_id?: number };
}

/** EditOptions are the ?snap_m= and ?mode= of an edit. */
export interface EditOptions {
  snap_m?: number;
  mode?: "carve" | "fit";
}

const base = "/api/plans";

/** plansApi is the plans API, typed. */
export const plansApi = {
  list: (statuses?: PlanStatus[], opts?: RequestOptions) =>
    get<{ items: Plan[] }>(base, { ...opts, query: { status: statuses?.join(",") } }),
  create: (body: { name?: string; from_plan_id?: number }) => post<Plan>(base, body),
  get: (id: number, opts?: RequestOptions) => get<Plan>(`${base}/${id}`, opts),
  patch: (id: number, body: { name?: string; note?: string; version: number }) => patch<Plan>(`${base}/${id}`, body),
  remove: (id: number) => del<void>(`${base}/${id}`),
  grids: (id: number, opts?: RequestOptions) => get<PlanGridCollection>(`${base}/${id}/grids`, opts),
  createGrid: (id: number, f: GridFeatureIn, o?: EditOptions) => post<EditResult>(`${base}/${id}/grids`, f, { query: { ...o } }),
  updateGrid: (id: number, gid: number, f: GridFeatureIn, o?: EditOptions) => put<EditResult>(`${base}/${id}/grids/${gid}`, f, { query: { ...o } }),
  removeGrid: (id: number, gid: number, version: number, successor?: number) =>
    del<EditResult>(`${base}/${id}/grids/${gid}`, { query: { version, successor: successor || undefined } }),
  split: (id: number, gid: number, line: LineString, version: number) => post<EditResult>(`${base}/${id}/grids/${gid}/split`, { line, version }),
  merge: (id: number, gridIDs: number[], versions: number[]) => post<EditResult>(`${base}/${id}/merge`, { grid_ids: gridIDs, versions }),
  preview: (id: number, grid?: GridFeatureIn, o?: EditOptions, opts?: RequestOptions) =>
    post<PlanDiff>(`${base}/${id}/preview`, grid ? { grid } : {}, { ...opts, query: { ...o } }),
  validation: (id: number, opts?: RequestOptions) => get<ValidationReport>(`${base}/${id}/validation`, opts),
  submit: (id: number, version: number) => post<Plan>(`${base}/${id}/submit`, { version }),
  approve: (id: number, version: number) => post<Plan>(`${base}/${id}/approve`, { version }),
  publish: (id: number, version: number) => post<Plan>(`${base}/${id}/publish`, { version }),
  compare: (a: number, b: number, opts?: RequestOptions) => get<Comparison>(`${base}/${a}/compare/${b}`, opts),
  exportURL: (id: number, format: "geojson" | "kml") => url(`${base}/${id}/export`, { format }),
  search: (q: string, limit: number, opts?: RequestOptions) => get<SearchResult>("/api/search", { ...opts, query: { q, limit } }),

  /**
   * importFile sends a GeoJSON or KML file as the raw body (the server
   * decides the format by content; uploads are checked by origin, not by
   * the JSON content type).
   */
  async importFile(id: number, file: File): Promise<PlanImportResult> {
    const type = file.type || (/\.kml$/i.test(file.name) ? "application/vnd.google-earth.kml+xml" : /\.kmz$/i.test(file.name) ? "application/vnd.google-earth.kmz" : "application/geo+json");
    let res: Response;
    try {
      res = await fetch(`${base}/${id}/import`, { method: "POST", credentials: "same-origin", headers: { Accept: "application/json", "Content-Type": type }, body: file });
    } catch (e) {
      throw new ApiError(0, "network", e instanceof Error ? e.message : String(e));
    }
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!res.ok) {
      const err = (data as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
      throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? `import: HTTP ${res.status}`, err?.field);
    }
    return data as PlanImportResult;
  },
};

/** isConflict tells a 409 (a stale version: someone else changed it). */
export function isConflict(e: unknown): e is ApiError {
  return e instanceof ApiError && e.status === 409;
}
