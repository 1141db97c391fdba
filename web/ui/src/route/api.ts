// Typed calls to the route API (web/route.go): a manager's day route and
// his week plan. Times are RFC 3339 in China time (+08:00).
import { get, type RequestOptions } from "../api";

export type Mode = "walk" | "ebike" | "car";
export const MODES: readonly Mode[] = ["walk", "ebike", "car"];

export interface LngLat {
  lng: number;
  lat: number;
}

export interface Stop extends LngLat {
  seq: number;
  customer_id: number;
  name: string;
  address?: string;
  stage: string;
  industry?: string;
  priority: number;
  arrive: string;
  begin: string;
  depart: string;
  wait_s: number;
  service_s: number;
  travel_s: number;
  distance_m: number;
  windows: string[];
  /** Only in the day route: the position for Amap (GCJ-02) and Baidu (BD-09). */
  gcj02?: LngLat;
  bd09?: LngLat;
}

export type SkipReason = "closed" | "no_time" | "low_priority" | "unreachable" | "visited";

export interface Skip extends LngLat {
  customer_id: number;
  name: string;
  stage: string;
  priority: number;
  reason: SkipReason;
  windows: string[];
}

export interface DayRoute {
  mode: Mode;
  source: string;
  start: LngLat;
  end?: LngLat;
  start_at: string;
  finish_at: string;
  deadline: string;
  budget_s: number;
  stops: Stop[];
  skipped: Skip[];
  priority: number;
  distance_m: number;
  duration_s: number;
  travel_s: number;
  wait_s: number;
  service_s: number;
  end_travel_s: number;
  end_distance_m: number;
  baseline_priority: number;
  iterations: number;
  seed: number;
}

export interface RouteManager {
  id: number;
  code: string;
  name: string;
}

/** RouteDay is GET /api/managers/:id/route. */
export interface RouteDay extends DayRoute {
  date: string;
  manager: RouteManager;
  visited: Skip[];
  warning?: string;
  start_bd09: LngLat;
  config: { speed_kmh: number; detour: number };
}

export interface Visits {
  customer_id: number;
  name: string;
  wanted: number;
  planned: number;
  dates: string[];
}

/** WeekPlan is GET /api/managers/:id/week. */
export interface WeekPlan {
  days: { date: string; route: DayRoute }[];
  unscheduled: Skip[];
  visits: Visits[];
  period_days: number;
  priority: number;
  source: string;
  start_date: string;
  manager: RouteManager;
  mode: Mode;
  warning?: string;
}

export interface RouteQuery {
  date?: string;
  start?: string; // "lat,lng"
  end?: string;
  start_time?: string; // HH:MM
  budget?: string; // e.g. 8h
  mode?: Mode;
}

export interface WeekQuery {
  start_date?: string;
  days?: number;
  start?: string;
  budget?: string;
  mode?: Mode;
}

export const routeApi = {
  day: (managerId: number, query: RouteQuery, opts?: RequestOptions) =>
    get<RouteDay>(`/api/managers/${managerId}/route`, { ...opts, query: { ...query } }),
  week: (managerId: number, query: WeekQuery, opts?: RequestOptions) =>
    get<WeekPlan>(`/api/managers/${managerId}/week`, { ...opts, query: { ...query } }),
};

/** clock is the HH:MM of an RFC 3339 time as the server wrote it (China time). */
export const clock = (iso: string) => iso.slice(11, 16);
