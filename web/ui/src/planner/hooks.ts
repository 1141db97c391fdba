// Test and debugging hooks on window.gridplan (the map page puts its view
// there): the planner adds the plan editor, the last edit previewed and
// its diff, so browser tests can check the page against the API.
import type { PlanEditor } from "./editor";

export interface PlannerHooks {
  planner?: PlanEditor;
  /** The last PendingEdit shown in a preview dialog. */
  lastEdit?: unknown;
  /** The PlanDiff that preview showed. */
  lastPreview?: unknown;
  /** The cuts the split preview relies on (shapes.ts), for table tests. */
  shapes?: unknown;
}

/** testHooks returns window.gridplan, creating it when needed. */
export function testHooks(): PlannerHooks {
  const w = window as unknown as { gridplan?: Record<string, unknown> };
  w.gridplan ??= {};
  return w.gridplan as PlannerHooks;
}
