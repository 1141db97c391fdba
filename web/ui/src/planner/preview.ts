// The preview of an edit, before it is saved: the customers that change
// grid (how many, and who), the managers whose list customers would lie
// outside their grid, and the customer counts of the affected grids, from
// POST /api/plans/:id/preview. Save or Cancel; a 409 on save (someone else
// changed the grid or the plan) never overwrites: it says so and offers a
// reload.
import { ApiError } from "../api";
import { describe } from "../app";
import { openDialog } from "../dialog";
import { clear, h } from "../dom";
import { fmtNumber, t } from "../i18n";
import type { EditResult, GridDelta, GridFeatureIn, PlanDiff } from "./api";
import { isConflict } from "./api";
import type { PlanEditor } from "./editor";
import { testHooks } from "./hooks";

/** PendingEdit is an edit waiting for its preview and the planner's decision. */
export interface PendingEdit {
  title: string;
  kind: "new" | "edit" | "split" | "merge" | "delete" | "all";
  /** Plan grid ids the edit changes (their rows come first). */
  touched: number[];
  /** The server's diff of the plan with the edit; absent when the edit cannot be previewed (note says why). */
  preview?: () => Promise<PlanDiff>;
  note?: string;
  /** Absent: a preview only (the whole draft's changes), closed with Close. */
  save?: () => Promise<EditResult>;
  /** The feature sent to the preview (tests compare it with their own call). */
  feature?: GridFeatureIn;
}

export type PreviewOutcome =
  | { status: "saved"; result: EditResult }
  | { status: "cancelled" }
  | { status: "conflict"; message: string };

/** The most rows a table of the dialog shows (the API lists up to 500 customers). */
const MAX_ROWS = 500;

/** showPreview shows the preview of edit and saves it when the planner says so. */
export async function showPreview(ed: PlanEditor, edit: PendingEdit): Promise<PreviewOutcome> {
  const hooks = testHooks();
  hooks.lastEdit = edit;
  hooks.lastPreview = undefined;
  const body = h("div", { class: "preview", "data-testid": "preview", "data-state": "loading" }, h("p", { class: "muted" }, t("preview.loading")));
  const saveErr = h("p", { class: "form-error", role: "alert", "data-testid": "preview-error" });
  let outcome: PreviewOutcome = { status: "cancelled" };
  const d = openDialog({
    title: edit.title,
    body: [body, saveErr],
    wide: true,
    testId: "preview-dialog",
    buttons: edit.save
      ? [
          { id: "cancel", label: t("dialog.cancel") },
          { id: "save", label: t("preview.save"), kind: "primary", disabled: !!edit.preview },
        ]
      : [{ id: "close", label: t("dialog.close"), kind: "primary" }],
    onButton: async (id) => {
      if (id !== "save" || !edit.save) return true;
      saveErr.textContent = "";
      try {
        outcome = { status: "saved", result: await edit.save() };
        return true;
      } catch (e) {
        if (isConflict(e)) {
          outcome = { status: "conflict", message: (e as ApiError).message };
          return true;
        }
        saveErr.textContent = describe(e);
        return false;
      }
    },
  });
  if (edit.preview) {
    edit
      .preview()
      .then((diff) => {
        hooks.lastPreview = diff;
        clear(body);
        body.append(renderDiff(ed, edit, diff));
        body.dataset.state = "ready";
        const save = d.button("save");
        if (save) save.disabled = false;
      })
      .catch((e) => {
        clear(body);
        body.dataset.state = "error";
        if (isConflict(e)) {
          // The grid changed since it was loaded: the save would be refused too.
          outcome = { status: "conflict", message: (e as ApiError).message };
          d.close();
          return;
        }
        body.append(h("p", { class: "error" }, t("preview.failed", { error: describe(e) })));
      });
  } else {
    clear(body);
    body.dataset.state = "ready";
    body.append(h("p", { class: "preview-note", "data-testid": "preview-note" }, edit.note ?? t("preview.none")));
  }
  await d.result;
  return outcome;
}

/** renderDiff draws a PlanDiff: the count, the grids, the managers, the customers. */
function renderDiff(ed: PlanEditor, edit: PendingEdit, diff: PlanDiff): HTMLElement {
  const out = h("div", { class: "diff" });
  if (edit.note) out.append(h("p", { class: "preview-note" }, edit.note));
  out.append(
    h(
      "p",
      { class: "preview-moved", "data-testid": "preview-moved", "data-moved": diff.moved },
      h("b", null, fmtNumber(diff.moved)),
      " ",
      t(diff.moved === 1 ? "preview.movedOne" : "preview.moved"),
    ),
    h("p", { class: "hint" }, t(edit.kind === "all" ? "preview.scopeAll" : "preview.scope")),
  );

  // Grids: published count, the draft's count now, and with the edit.
  const showNow = edit.kind !== "all";
  const deltas = [...(diff.grids ?? [])];
  const now = (g: GridDelta): number | undefined => ed.grid(g.plan_grid_id)?.properties.customer_count;
  const changes = (g: GridDelta) => (showNow ? now(g) !== g.after || edit.touched.includes(g.plan_grid_id) : true);
  deltas.sort((x, y) => Number(changes(y)) - Number(changes(x)) || Math.abs(y.after - y.before) - Math.abs(x.after - x.before));
  if (deltas.length) {
    out.append(
      h("h3", null, t("preview.grids")),
      h(
        "table",
        { class: "data compact", "data-testid": "preview-grids" },
        h(
          "thead",
          null,
          h("tr", null, h("th", null, t("grid.code")), h("th", { class: "num" }, t("preview.published")), showNow ? h("th", { class: "num" }, t("preview.draftNow")) : null, h("th", { class: "num" }, t(showNow ? "preview.withEdit" : "preview.inDraft"))),
        ),
        h(
          "tbody",
          null,
          deltas.slice(0, MAX_ROWS).map((g) => {
            const n = now(g);
            const isNew = !ed.grid(g.plan_grid_id) && g.grid_id === 0;
            return h(
              "tr",
              { class: changes(g) ? "changed" : "", "data-code": g.code },
              h("td", null, g.code, g.removed ? h("small", { class: "tag" }, t("preview.removed")) : null, isNew ? h("small", { class: "tag new" }, t("plan.grid.new")) : null),
              h("td", { class: "num" }, g.grid_id ? fmtNumber(g.before) : "—"),
              showNow ? h("td", { class: "num" }, n === undefined ? "—" : fmtNumber(n)) : null,
              h("td", { class: "num" }, h("b", null, fmtNumber(g.after)), delta(g.after - g.before)),
            );
          }),
        ),
      ),
    );
  }

  const mo = diff.managers_outside ?? [];
  out.append(h("h3", null, t("preview.managers")));
  if (mo.length) {
    out.append(
      h(
        "table",
        { class: "data compact", "data-testid": "preview-managers" },
        h("thead", null, h("tr", null, [t("preview.manager"), t("preview.managerGrid"), t("preview.outsideNow"), t("preview.outsideAfter")].map((s, i) => h("th", { class: i > 1 ? "num" : "" }, s)))),
        h(
          "tbody",
          null,
          mo.map((m) =>
            h(
              "tr",
              null,
              h("td", null, m.name),
              h("td", null, ed.grid(m.plan_grid_id)?.properties.code ?? (m.grid_id ? `#${m.grid_id}` : "—")),
              h("td", { class: "num" }, fmtNumber(m.customers_outside_before)),
              h("td", { class: "num" }, h("b", null, fmtNumber(m.customers_outside))),
            ),
          ),
        ),
      ),
    );
  } else {
    out.append(h("p", { class: "muted" }, t("preview.noManagers")));
  }

  const cs = diff.customers ?? [];
  if (cs.length) {
    const list = h(
      "details",
      { class: "preview-customers", open: cs.length <= 50 },
      h("summary", null, t("preview.customers", { n: diff.customers_total })),
      h(
        "table",
        { class: "data compact", "data-testid": "preview-customers" },
        h("thead", null, h("tr", null, [t("preview.customer"), t("preview.from"), t("preview.to")].map((s) => h("th", null, s)))),
        h(
          "tbody",
          null,
          cs.slice(0, MAX_ROWS).map((c) => h("tr", { "data-customer": c.id }, h("td", null, c.name), h("td", null, c.from || t("preview.noGrid")), h("td", null, c.to || t("preview.noGrid")))),
        ),
      ),
      diff.customers_total > cs.length ? h("p", { class: "muted" }, t("preview.more", { n: diff.customers_total - cs.length })) : null,
    );
    out.append(list);
  }
  return out;
}

function delta(n: number): HTMLElement | null {
  if (n === 0) return null;
  return h("small", { class: n > 0 ? "delta up" : "delta down" }, ` ${n > 0 ? "+" : "−"}${fmtNumber(Math.abs(n))}`);
}

/**
 * showConflict says that a save was refused because someone else changed
 * the grid or the plan first (the server's message says who and when); it
 * resolves true when the planner asks for a reload.
 */
export async function showConflict(message: string): Promise<boolean> {
  const d = openDialog({
    title: t("conflict.title"),
    testId: "conflict-dialog",
    body: [h("p", { class: "conflict-message", "data-testid": "conflict-message" }, message), h("p", { class: "hint" }, t("conflict.hint"))],
    buttons: [
      { id: "close", label: t("dialog.close") },
      { id: "reload", label: t("conflict.reload"), kind: "primary" },
    ],
  });
  return (await d.result) === "reload";
}
