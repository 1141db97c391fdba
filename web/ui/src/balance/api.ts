// Typed calls to the list-balancing API (web/balance.go): a proposal for a
// grid or a district, and the accept of all or part of its changes.
import { post, type RequestOptions } from "../api";

/** ProposalIn is the body of POST /api/balance/proposals: grid_id or district_id. */
export interface ProposalIn {
  grid_id?: number;
  district_id?: number;
  /** Customers left in the pool; left out: 10% of those taking part. */
  slack?: number;
  cross_grid?: boolean;
  compact?: boolean;
  /** Cost of moving an existing claim, metres; left out: 300. */
  move_penalty_m?: number;
}

export interface ProposalManager {
  id: number;
  code: string;
  name: string;
  grid_id: number;
  lng: number;
  lat: number;
  min: number;
  target: number;
  max: number;
  locked: number;
  before: number;
  after: number;
  gained: number;
  lost: number;
  travel_before_m: number;
  travel_after_m: number;
  /** after − max (> 0) or after − min (< 0) when the quotas cannot all hold. */
  violation: number;
}

export interface ProposalCustomer {
  id: number;
  name: string;
  lng: number;
  lat: number;
  grid_id: number;
  stage: string;
  /** The manager holding him now; 0: the pool. */
  holder: number;
  /** The proposed manager; 0: the pool. */
  proposed: number;
  locked: boolean;
  lapsing: boolean;
  weight: number;
}

export interface ProposalChange {
  customer_id: number;
  customer_name: string;
  from: number;
  to: number;
  distance_m: number;
  reason: string;
  note: string;
  warning?: string;
}

/** Proposal is POST /api/balance/proposals. */
export interface Proposal {
  at: string;
  scope: { kind: "grid" | "district"; id: number; code: string; name: string; grid_ids: number[] };
  params: { slack: number; cross_grid: boolean; compact: boolean; move_penalty_m: number };
  pool: number;
  held: number;
  locked: number;
  movable: number;
  assigned: number;
  cost_m: number;
  infeasible?: string;
  /** What shaped the proposal without making it infeasible. */
  notes: string[];
  /** Compact mode: the total distance to the lists' medoids. */
  compact_cost_m?: number;
  solve_ms: number;
  managers: ProposalManager[];
  customers: ProposalCustomer[];
  changes: ProposalChange[];
}

export interface AcceptChange {
  customer_id: number;
  from: number;
  to: number;
}

export interface AcceptResult extends AcceptChange {
  status: "applied" | "refused";
  /** Why it was refused: stale, valid, full, cooldown, grid, not_found, conflict. */
  code?: string;
  reason?: string;
  owner: number;
}

/** AcceptOut is POST /api/balance/accept: one result per change, in order. */
export interface AcceptOut {
  results: AcceptResult[];
  applied: number;
  refused: number;
}

export const balanceApi = {
  propose: (body: ProposalIn, opts?: RequestOptions) => post<Proposal>("/api/balance/proposals", body, opts),
  accept: (changes: AcceptChange[], crossGrid: boolean, opts?: RequestOptions) =>
    post<AcceptOut>("/api/balance/accept", { changes, cross_grid: crossGrid }, opts),
};
