// Typed calls to the coverage API (web/coverage*.go): the summary per
// province, district or grid, the gap map, the suggested sites, the covered
// and uncovered customers, and the XLSX export. Every call takes as_of
// (YYYY-MM-DD; the server's today when left out): resources under
// construction or planned whose expected date has passed by then count as
// existing.
import type { FeatureCollection, Polygon } from "geojson";
import { get, url, type Customer, type RequestOptions } from "../api";

/** CoverageStatus is a customer's best coverage, best first. */
export type CoverageStatus = "existing" | "under_construction" | "planned" | "none";

/** COVERAGE_STATUSES in order, best first (the order of the stacked bars). */
export const COVERAGE_STATUSES: readonly CoverageStatus[] = ["existing", "under_construction", "planned", "none"];

/** Carriers as the API names them (territory.Carrier). */
export const CARRIERS = ["ours", "competitor", "none", "unknown"] as const;
export type Carrier = (typeof CARRIERS)[number];

/** Level is what one row of a summary stands for. */
export type Level = "province" | "district" | "grid";

/** StatusCounts counts customers by coverage status. */
export type StatusCounts = Record<CoverageStatus, number>;

/** CoverageRow is one province, district or grid of a summary, or its total. */
export interface CoverageRow extends StatusCounts {
  id: number;
  code: string;
  name: string;
  /** A grid's district (grid rows only). */
  district_id?: number;
  customers: number;
  /** Competitors' customers inside existing coverage: the attack list. */
  attack: number;
  /** Customers by funnel stage (target … in_network, lost, churned). */
  funnel: Record<string, number>;
  by_stage?: Record<string, StatusCounts>;
  by_carrier?: Record<string, StatusCounts>;
}

/** CoverageSummary is GET /api/coverage/summary. */
export interface CoverageSummary {
  as_of: string;
  level: Level;
  rows: CoverageRow[] | null;
  /** Every customer in scope, also those in no row. */
  total: CoverageRow;
  /** The customers of total in no row (in no grid, or in no district). */
  outside?: CoverageRow;
}

/** GapProps are a gap hexagon's properties: uncovered customers and their weight. */
export interface GapProps {
  cell: string;
  uncovered: number;
  weight: number;
}

export type GapCollection = FeatureCollection<Polygon, GapProps>;

/** SuggestedSite is one site of GET /api/coverage/suggest, rank 1 first. */
export interface SuggestedSite {
  rank: number;
  cell: string;
  lng: number;
  lat: number;
  /** The uncovered weight it would cover (beyond the better-ranked sites). */
  weight: number;
  customer_count: number;
  /** The first 200 of the customers it would cover (ids). */
  customers: number[] | null;
}

/** Suggestion is GET /api/coverage/suggest. */
export interface Suggestion {
  sites: SuggestedSite[] | null;
  /** In no coverage in scope before any site. */
  uncovered_weight: number;
  uncovered_customers?: number;
  /** What the sites together would cover. */
  covered_weight: number;
  covered_customers?: number;
  /** The candidates' H3 resolution (chosen from the radius when not asked for). */
  res?: number;
  radius_m?: number;
  candidates?: number;
  method: string;
}

/** CoverageCustomer is a customer as /api/customers gives it, with his coverage. */
export interface CoverageCustomer extends Customer {
  carrier?: string;
  size?: string;
  coverage: CoverageStatus;
  covering: number[] | null;
}

/** CoveragePage is one page of GET /api/coverage/customers. */
export interface CoveragePage {
  items: CoverageCustomer[] | null;
  next_cursor: string | null;
  total: number;
}

/** CustomerQuery filters GET /api/coverage/customers. */
export interface CustomerQuery {
  status?: CoverageStatus | "";
  carrier?: Carrier | "";
  district_id?: number;
  grid_id?: number;
  limit?: number;
  cursor?: string;
}

/** Scope narrows the gap map and the suggestions to a district (all when 0). */
export interface Scope {
  as_of?: string;
  district_id?: number;
}

const base = "/api/coverage";

/** coverageApi is the coverage API, typed. */
export const coverageApi = {
  summary: (q: { level: Level; district_id?: number; as_of?: string }, opts?: RequestOptions) =>
    get<CoverageSummary>(`${base}/summary`, { ...opts, query: { ...q } }),
  gaps: (q: Scope & { res: number }, opts?: RequestOptions) => get<GapCollection>(`${base}/gaps`, { ...opts, query: { ...q } }),
  suggest: (q: Scope & { k: number; radius: number; res?: number }, opts?: RequestOptions) =>
    get<Suggestion>(`${base}/suggest`, { ...opts, query: { ...q } }),
  customers: (q: CustomerQuery & { as_of?: string }, opts?: RequestOptions) =>
    get<CoveragePage>(`${base}/customers`, { ...opts, query: { ...q } }),
  /** exportURL is the XLSX workbook's address (one sheet per level). */
  exportURL: (asOf?: string) => url(`${base}/export.xlsx`, { as_of: asOf }),
};
