// Typed calls to the funnel API (web/funnel.go): claims (报备), activities
// with their signals and an optional stage change, transitions, a manager's
// list, his grid's pool, the funnel metrics and the funnel configuration.
//
// The calls that can be refused with 409 (claim, activity, transition) keep
// the whole error body: a claim refused names the holder (or the quota, or
// the cooldown), a stage change refused lists what its checklist misses.
import { ApiError, get, url, type Manager, type RequestOptions } from "../api";

/** The six steps in order, then the two outcomes (funnel.Stages). */
export const STEPS = ["target", "list", "potential", "intent", "order", "in_network"] as const;
export const STAGES = [...STEPS, "lost", "churned"] as const;
export type Stage = (typeof STAGES)[number];

/** Activity kinds (funnel.ActivityKinds); the visits first. */
export const ACTIVITY_KINDS = [
  "visit_door",
  "visit_building",
  "visit_street",
  "phone",
  "event",
  "proposal",
  "demo",
  "bid",
  "negotiation",
  "activation",
  "retention_call",
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** isVisit: the kinds that carry the phone's position. */
export const isVisit = (k: string) => k.startsWith("visit_");

/** Opportunity signals (商机, funnel.SignalKinds). */
export const SIGNAL_KINDS = ["competitor_complaint", "new_need", "product_inquiry", "contract_expiring", "relocation"] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** Requirement is one item of a stage's checklist (funnel.Requirement). */
export interface Requirement {
  key: string;
  label: string;
  label_zh: string;
  kind: "text" | "bool" | "date" | "signal";
  optional?: boolean;
}

/** FunnelConfig is GET /api/funnel/config (funnel.Config). */
export interface FunnelConfig {
  checklists: Partial<Record<Stage, Requirement[]>>;
  quota_stages: Stage[];
  lapse_days: number;
  warn_days: number;
  cooldown_days: number;
  qualifying_kinds: ActivityKind[];
  visit_max_distance_m: number;
  no_contact_days: number;
  renewal_warn_days: number;
}

export interface Claim {
  id: number;
  customer_id: number;
  manager_id: number;
  status: "active" | "released" | "lapsed";
  claimed_at: string;
  last_activity_at: string;
  ended_at?: string;
  end_reason?: string;
  ended_by?: number;
}

export interface Activity {
  id: number;
  customer_id: number;
  manager_id: number;
  kind: ActivityKind;
  at: string;
  note?: string;
  signals?: SignalKind[] | null;
  /** Where the phone was when a visit was logged. */
  position?: { lng: number; lat: number };
  verified: boolean;
  distance_m?: number;
  contract_expires?: string;
}

export interface Transition {
  id: number;
  customer_id: number;
  manager_id?: number;
  user_id?: number;
  from: Stage;
  to: Stage;
  at: string;
  reason?: string;
  evidence?: Record<string, string>;
}

export interface FollowUp {
  id: number;
  customer_id: number;
  manager_id: number;
  activity_id?: number;
  due: string;
  reason: string;
  created_at: string;
  done_at?: string;
}

/** SignalAt is the latest time a signal of a kind was recorded. */
export interface SignalAt {
  kind: SignalKind;
  at: string;
}

/** ListCustomer is a customer as the list and the pool show him (sales.ListCustomer). */
export interface ListCustomer {
  id: number;
  name: string;
  address: string;
  lng: number;
  lat: number;
  grid_id?: number;
  stage: Stage;
  owner_id?: number;
  industry?: string;
  size?: string;
  carrier?: string;
  special?: boolean;
}

/** ListItem is one customer of a manager's list with what to do next (sales.ListItem). */
export interface ListItem extends ListCustomer {
  claim?: Claim;
  lapse_at?: string;
  /** Inside the warning window before the claim lapses. */
  lapsing: boolean;
  /** Higher is more urgent (funnel.Priority). */
  priority: number;
  /** A key (log_visit, qualify, record_requirement, …) that the page translates. */
  next_action: string;
  signals: SignalAt[] | null;
  last_activity_at?: string;
  contract_expires?: string;
  follow_ups: FollowUp[] | null;
}

/** ListGroup is the list's customers at one stage, most urgent first. */
export interface ListGroup {
  stage: Stage;
  items: ListItem[] | null;
}

/** PoolSummary counts a grid's unclaimed customers by stage. */
export interface PoolSummary {
  grid_id: number;
  grid_code?: string;
  grid_name?: string;
  count: number;
  counts?: Record<string, number>;
}

/** ListView is GET /api/funnel/list (sales.ListView). */
export interface ListView {
  manager: Manager;
  now?: string;
  /** count: the customers counting toward the quota. */
  quota: { count: number; min: number; target: number; max: number };
  /** Customers he holds at each stage. */
  counts: Record<string, number>;
  /** list … in_network always, then target, lost and churned when he holds any. */
  groups: ListGroup[] | null;
  /** Claims that lapse within the warning days, soonest first. */
  lapsing: ListItem[] | null;
  /** Open follow-ups, earliest due first. */
  follow_ups: (FollowUp & { customer_name?: string })[] | null;
  pool: PoolSummary;
}

/** PoolItem is an unclaimed customer; cooldown_until: when the asking manager may claim him again. */
export interface PoolItem extends ListCustomer {
  cooldown_until?: string;
}

/** PoolView is GET /api/funnel/pool. */
export interface PoolView extends PoolSummary {
  items: PoolItem[] | null;
}

export type MetricsLevel = "manager" | "grid" | "district" | "province";

export interface Conversion {
  from: Stage;
  to: Stage;
  rate: number;
}

export interface Warning {
  customer_id: number;
  kind: "no_contact" | "renewal_near" | "open_complaint" | string;
  since?: string;
  due?: string;
}

/** Report is GET /api/funnel/metrics (funnel.Report plus level, id, name). */
export interface Report {
  level: MetricsLevel;
  id: number;
  name?: string;
  /** The period [from, to) and its length in days. */
  from?: string;
  to?: string;
  days?: number;
  counts: Record<string, number>;
  reached?: Record<string, number>;
  conversions?: Conversion[] | null;
  median_days_in_stage?: Record<string, number>;
  contacted: number;
  success_rate: number;
  new_contacts?: number;
  new_contacts_per_day?: number;
  verified_visits?: number;
  visits?: number;
  order_rate?: number;
  target_orders?: number;
  /** Absent when not asked (target_orders) or no order observed. */
  daily_contacts_needed?: number | null;
  warnings?: Warning[] | null;
}

/** ActivityInput is the body of POST /api/customers/:id/activities. */
export interface ActivityInput {
  kind: ActivityKind;
  at?: string;
  note?: string;
  signals: SignalKind[];
  position?: { lat: number; lng: number };
  contract_expires?: string;
  to?: Stage;
  evidence?: Record<string, string>;
  reason?: string;
}

export interface ActivityResult {
  activity: Activity;
  transition?: Transition;
  follow_up?: FollowUp;
  claim?: Claim;
}

/** Holder is who holds a customer a claim was refused for. */
export interface Holder {
  manager_id: number;
  name?: string;
  code?: string;
  since?: string;
}

/** ErrorBody is the API's error object with what a 409 adds. */
export interface ErrorBody {
  code?: string;
  message?: string;
  field?: string;
  holder?: Holder;
  missing?: Requirement[];
  /** A quota refusal: the list's count and the maximum (also as quota: {count, max}). */
  count?: number;
  max?: number;
  quota?: { count?: number; max?: number };
  /** A cooldown refusal: from when the manager may claim again (also as cooldown: {until}). */
  until?: string;
  cooldown?: { until?: string };
}

/** FunnelApiError is an ApiError that keeps the whole error object. */
export class FunnelApiError extends ApiError {
  constructor(
    status: number,
    readonly body: ErrorBody,
    fallback: string,
  ) {
    super(status, body.code ?? `http_${status}`, body.message ?? fallback, body.field);
  }
  /** missing is the checklist items a refused stage change lacks. */
  get missing(): Requirement[] {
    return this.body.missing ?? [];
  }
}

/**
 * send is request() of ../api for the calls whose refusals carry more than
 * a message: the error body stays on the FunnelApiError. A 401 goes through
 * the shell's handler (by asking for /api/me the ordinary way).
 */
async function send<T>(method: string, path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url(path, opts.query), {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(body ?? {}),
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
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
    if (res.status === 401) await get("/api/me").catch(() => undefined);
    const top = (data ?? {}) as { error?: ErrorBody; missing?: Requirement[]; holder?: Holder };
    // The extras may sit in the error object or beside it.
    const err: ErrorBody = { ...(top.error ?? {}) };
    err.missing ??= top.missing;
    err.holder ??= top.holder;
    err.count ??= err.quota?.count;
    err.max ??= err.quota?.max;
    err.until ??= err.cooldown?.until;
    throw new FunnelApiError(res.status, err, `${method} ${path}: HTTP ${res.status}`);
  }
  return data as T;
}

const cust = (id: number) => `/api/customers/${id}`;

/** funnelApi is the funnel API, typed. */
export const funnelApi = {
  config: (opts?: RequestOptions) => get<FunnelConfig>("/api/funnel/config", opts),
  list: (managerId: number | undefined, opts?: RequestOptions) => get<ListView>("/api/funnel/list", { ...opts, query: { manager_id: managerId } }),
  pool: (gridId: number | undefined, opts?: RequestOptions) => get<PoolView>("/api/funnel/pool", { ...opts, query: { grid_id: gridId } }),
  metrics: (q: { level: MetricsLevel; id?: number; from?: string; to?: string; target_orders?: number }, opts?: RequestOptions) =>
    get<Report>("/api/funnel/metrics", { ...opts, query: { ...q } }),

  claim: (customerId: number) => send<{ claim: Claim } | Claim>("POST", `${cust(customerId)}/claim`, {}),
  release: (customerId: number, reason: string) => send<{ claim: Claim } | Claim>("POST", `${cust(customerId)}/release`, { reason }),
  followUpDone: (followUpId: number) => send<{ follow_up: FollowUp }>("POST", `/api/followups/${followUpId}/done`, {}),
  logActivity: (customerId: number, a: ActivityInput) => send<ActivityResult>("POST", `${cust(customerId)}/activities`, a),
  transition: (customerId: number, to: Stage, evidence: Record<string, string>, reason?: string) =>
    send<{ transition: Transition } | Transition>("POST", `${cust(customerId)}/transition`, { to, evidence, reason }),
  activities: (customerId: number, opts?: RequestOptions) => get<{ items: Activity[] } | Activity[]>(`${cust(customerId)}/activities`, opts),
  transitions: (customerId: number, opts?: RequestOptions) => get<{ items: Transition[] } | Transition[]>(`${cust(customerId)}/transitions`, opts),
};

/** items accepts a bare array or {items: […]}. */
export function items<T>(v: { items?: T[] | null } | T[] | null | undefined): T[] {
  if (!v) return [];
  return Array.isArray(v) ? v : (v.items ?? []);
}

/** nextStep is the step after s (forward one step), none after in_network or for outcomes. */
export function nextStep(s: Stage): Stage | undefined {
  const i = (STEPS as readonly string[]).indexOf(s);
  return i >= 0 && i < STEPS.length - 1 ? STEPS[i + 1] : undefined;
}

/** earlierSteps are the steps before s (a move back needs a reason). */
export function earlierSteps(s: Stage): Stage[] {
  const i = (STEPS as readonly string[]).indexOf(s);
  return i > 0 ? STEPS.slice(0, i) : [];
}
