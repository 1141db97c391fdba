// Typed calls to gridplan's JSON API. Every call sends the session cookie
// (same origin), JSON bodies with Content-Type: application/json (the server
// refuses other bodies), and turns an error answer
// {"error":{"code","message","field"}} into an ApiError.
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Polygon } from "geojson";

export type Role = "admin" | "planner" | "leader" | "manager";

export interface User {
  id: number;
  username: string;
  display_name?: string;
  role: Role;
  manager_id?: number;
  created_at: string;
}

export interface Quota {
  min: number;
  target: number;
  max: number;
}

export interface Manager {
  id: number;
  code: string;
  name: string;
  grid_id: number;
  role: string;
  quota: Quota;
  phone?: string;
}

/** Me is what POST /api/login and GET /api/me answer. */
export interface Me {
  user: User;
  manager: Manager | null;
}

/** UIConfig is GET /api/config: server settings the pages need. */
export interface UIConfig {
  basemap: { url: string; attribution: string };
}

export interface DistrictProps {
  id: number;
  code: string;
  name: string;
  city: string;
  province: string;
}

export interface GridProps {
  id: number;
  code: string;
  name: string;
  district_id: number;
  version: number;
  status: string;
  updated_at: string;
  updated_by?: string;
  /** Filled by the tiles snapshot; absent on older servers. */
  customer_count?: number;
  manager_count?: number;
}

export type ResourceStatus = "existing" | "under_construction" | "planned";

export interface ResourceProps {
  id: number;
  name: string;
  kind: string;
  status: ResourceStatus;
  radius_m?: number;
  capacity?: number;
  expected_date?: string;
}

export interface Customer {
  id: number;
  external_id: string;
  name: string;
  address: string;
  grid_id?: number;
  industry?: string;
  stage: string;
  owner_id?: number;
  lng: number;
  lat: number;
  cell: string;
}

export type DistrictCollection = FeatureCollection<MultiPolygon | Polygon, DistrictProps>;
export type GridFeature = Feature<Polygon | MultiPolygon, GridProps>;
export type GridCollection = FeatureCollection<Polygon | MultiPolygon, GridProps>;
export type ResourceCollection = FeatureCollection<Geometry, ResourceProps>;

/** ApiError is an error answer of the API, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let unauthorizedHandler: (() => void) | null = null;

/**
 * onUnauthorized sets what happens when a call other than the login gets 401
 * (the session ended): the shell shows the login page.
 */
export function onUnauthorized(fn: () => void): void {
  unauthorizedHandler = fn;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Query parameters; undefined and empty values are left out. */
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Do not call the 401 handler (the login itself). */
  quiet401?: boolean;
}

/** url builds a same-origin URL with query parameters. */
export function url(path: string, query?: RequestOptions["query"]): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}${path.includes("?") ? "&" : "?"}${s}` : path;
}

/**
 * request is the one place that talks to the server. It answers the decoded
 * JSON body (undefined for 204) and throws ApiError otherwise.
 */
export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json" },
    signal: opts.signal,
  };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["Content-Type"] = "application/json";
  }
  let res: Response;
  try {
    res = await fetch(url(path, opts.query), init);
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, "network", e instanceof Error ? e.message : String(e));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      if (res.ok) throw new ApiError(res.status, "invalid_response", `${method} ${path}: not JSON`);
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
    if (res.status === 401 && !opts.quiet401 && unauthorizedHandler) unauthorizedHandler();
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? `${method} ${path}: HTTP ${res.status}`, err?.field);
  }
  return data as T;
}

export const get = <T>(path: string, opts?: RequestOptions) => request<T>("GET", path, undefined, opts);
export const post = <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("POST", path, body ?? {}, opts);
export const put = <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>("PUT", path, body, opts);
export const patch = <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>("PATCH", path, body, opts);
export const del = <T>(path: string, opts?: RequestOptions) => request<T>("DELETE", path, undefined, opts);

/** The API's calls, typed. Feature modules add their own next to these with get/post/…. */
export const api = {
  login: (username: string, password: string) => post<Me>("/api/login", { username, password }, { quiet401: true }),
  logout: () => post<void>("/api/logout"),
  me: (opts?: RequestOptions) => get<Me>("/api/me", { quiet401: true, ...opts }),
  config: () => get<UIConfig>("/api/config"),

  districts: (opts?: RequestOptions) => get<DistrictCollection>("/api/districts", opts),
  grids: (query?: { district_id?: number; status?: string }, opts?: RequestOptions) =>
    get<GridCollection>("/api/grids", { ...opts, query }),
  grid: (id: number) => get<GridFeature>(`/api/grids/${id}`),
  resources: (query?: { status?: string; kind?: string; bbox?: string }, opts?: RequestOptions) =>
    get<ResourceCollection>("/api/resources", { ...opts, query }),
  managers: (query?: { grid_id?: number }) => get<{ items: Manager[] }>("/api/managers", { query }),
  customer: (id: number, opts?: RequestOptions) => get<Customer>(`/api/customers/${id}`, opts),

  users: () => get<{ items: User[] }>("/api/users"),
  createUser: (u: { username: string; password: string; role: Role; display_name?: string; manager_id?: number }) =>
    post<User>("/api/users", u),
  deleteUser: (id: number) => del<void>(`/api/users/${id}`),
};
