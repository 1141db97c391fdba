// The plans page (#/plans): the drafts in progress and the history (every
// published version, with who published it and when); open a plan on the
// map, view an old version read-only, restore it as a new draft, make a
// draft of the published plan, rename or delete a draft, compare two plans,
// export a plan as GeoJSON or KML and import grids into a draft.
// #/plans/12/compare/9 is the comparison (compare.ts); #/plans/12 opens
// plan 12 on the map.
import { describe, registerPage, type PageContext } from "../app";
import { confirmDialog, openDialog } from "../dialog";
import { clear, h } from "../dom";
import { fmtDate, t } from "../i18n";
import { toast } from "../toast";
import { plansApi, type Plan } from "./api";
import { renderCompare } from "./compare";
import { EDITORS, showImportResult } from "./editor";
import { planStatusBadge } from "./status";

function renderPlans(ctx: PageContext): (() => void) | void {
  const [first, sub, other] = ctx.params;
  if (first && sub === "compare" && other) return renderCompare(ctx, Number(first), Number(other));
  if (first && Number(first) > 0) {
    // A plan's own page is the map showing it (after this render returns:
    // the shell records this page's cleanup first).
    const id = Number(first);
    setTimeout(() => {
      history.replaceState(null, "", `#/map/plan/${id}`);
      ctx.navigate("map", "plan", id);
    }, 0);
    return;
  }
  const editor = EDITORS.includes(ctx.me.user.role);
  const abort = new AbortController();
  const picked = new Set<number>();
  const drafts = h("div", { class: "table-wrap" });
  const hist = h("div", { class: "table-wrap" });
  const compareBtn = h("button", { type: "button", "data-testid": "compare-selected", disabled: true, onclick: () => compareSelected() }, t("plans.compareSelected"));
  const newDraftBtn = editor ? h("button", { type: "button", class: "primary", "data-testid": "new-draft", onclick: () => void newDraft() }, t("plans.newDraft")) : null;
  ctx.root.append(
    h(
      "section",
      { class: "page-section plans-page" },
      h("div", { class: "page-head" }, h("h1", null, t("plans.title")), h("span", { class: "spacer" }), compareBtn, newDraftBtn),
      h("p", { class: "hint" }, t(editor ? "plans.hintEditor" : "plans.hintReader")),
      h("h2", null, t("plans.drafts")),
      drafts,
      h("h2", null, t("plans.history")),
      hist,
    ),
  );

  function syncCompare(): void {
    compareBtn.disabled = picked.size !== 2;
  }

  function compareSelected(): void {
    const [a, b] = [...picked];
    if (a && b) ctx.navigate("plans", a, "compare", b);
  }

  function pick(p: Plan): HTMLElement {
    const box = h("input", { type: "checkbox", "data-testid": "compare-pick", title: t("plans.pickTitle"), checked: picked.has(p.id) });
    box.addEventListener("change", () => {
      if (box.checked) picked.add(p.id);
      else picked.delete(p.id);
      if (picked.size > 2) {
        // Keep the last two picked.
        const [oldest] = picked;
        picked.delete(oldest);
        const el = ctx.root.querySelector<HTMLInputElement>(`tr[data-plan="${oldest}"] input[data-testid=compare-pick]`);
        if (el) el.checked = false;
      }
      syncCompare();
    });
    return box;
  }

  function exportLinks(p: Plan): HTMLElement[] {
    return [
      h("a", { href: plansApi.exportURL(p.id, "geojson"), download: "", class: "small-link", "data-testid": "export-geojson" }, "GeoJSON"),
      h("a", { href: plansApi.exportURL(p.id, "kml"), download: "", class: "small-link", "data-testid": "export-kml" }, "KML"),
    ];
  }

  function importInput(p: Plan): HTMLElement {
    const id = `import-${p.id}`;
    const input = h("input", { type: "file", id, accept: ".geojson,.json,.kml,.kmz", class: "visually-hidden", "data-testid": "import-file" });
    input.addEventListener("change", async () => {
      const file = input.files?.[0];
      input.value = "";
      if (!file) return;
      try {
        showImportResult(await plansApi.importFile(p.id, file));
        await refresh();
      } catch (e) {
        toast(describe(e), "error");
      }
    });
    return h("label", { class: "import-button small", for: id, title: t("plan.importTitle") }, t("plan.import"), input);
  }

  async function newDraft(from?: Plan): Promise<void> {
    try {
      const d = await plansApi.create(from ? { from_plan_id: from.id } : {});
      toast(t(from?.status === "archived" ? "plan.restored" : "plan.draftCreated", { name: d.name }), "success");
      ctx.navigate("map", "plan", d.id);
    } catch (e) {
      toast(describe(e), "error");
    }
  }

  async function remove(p: Plan): Promise<void> {
    if (!(await confirmDialog(t("plans.deleteTitle"), t("plans.deleteConfirm", { name: p.name }), t("plans.delete"), true))) return;
    try {
      await plansApi.remove(p.id);
      toast(t("plans.deleted", { name: p.name }), "success");
      picked.delete(p.id);
      await refresh();
    } catch (e) {
      toast(describe(e), "error");
    }
  }

  async function rename(p: Plan): Promise<void> {
    const name = h("input", { value: p.name, "data-testid": "rename-input", maxlength: 200 });
    const note = h("input", { value: p.note ?? "", "data-testid": "note-input", maxlength: 500 });
    const err = h("p", { class: "form-error", role: "alert" });
    const d = openDialog({
      title: t("plans.renameTitle"),
      testId: "rename-dialog",
      body: h("div", { class: "stack-form" }, h("label", null, t("plans.name")), name, h("label", null, t("plans.note")), note, err),
      buttons: [
        { id: "cancel", label: t("dialog.cancel") },
        { id: "ok", label: t("plans.save"), kind: "primary" },
      ],
      onButton: async (id) => {
        if (id !== "ok") return true;
        try {
          await plansApi.patch(p.id, { name: name.value.trim() || p.name, note: note.value.trim(), version: p.version });
          return true;
        } catch (e) {
          err.textContent = describe(e);
          return false;
        }
      },
    });
    if ((await d.result) === "ok") await refresh();
  }

  function draftRow(p: Plan): HTMLElement {
    const actions = h(
      "td",
      { class: "actions" },
      h("a", { href: `#/map/plan/${p.id}`, class: "button-link", "data-testid": "open-plan" }, t(editor ? "plans.openEdit" : "plans.open")),
      ...exportLinks(p),
    );
    if (editor) {
      if (p.status === "draft") actions.append(importInput(p));
      actions.append(h("button", { type: "button", class: "small", "data-testid": "rename-plan", onclick: () => void rename(p) }, t("plans.rename")));
      if (p.status === "draft") actions.append(h("button", { type: "button", class: "danger small", "data-testid": "delete-plan", onclick: () => void remove(p) }, t("plans.delete")));
    }
    return h(
      "tr",
      { "data-plan": p.id, "data-status": p.status },
      h("td", null, pick(p)),
      h("td", { class: "plan-name" }, h("b", null, p.name), p.note ? h("div", { class: "muted small" }, p.note) : null),
      h("td", null, planStatusBadge(p)),
      h("td", null, p.base_plan_id ? `#${p.base_plan_id}` : "—"),
      h("td", { class: "when" }, p.created_by, h("div", { class: "muted small" }, fmtDate(p.created_at))),
      h("td", { class: "when" }, p.updated_by ?? "", h("div", { class: "muted small" }, fmtDate(p.updated_at))),
      actions,
    );
  }

  function historyRow(p: Plan): HTMLElement {
    const actions = h(
      "td",
      { class: "actions" },
      h("a", { href: `#/map/plan/${p.id}`, class: "button-link", "data-testid": "view-plan" }, t("plans.view")),
      ...exportLinks(p),
    );
    if (editor) {
      actions.append(
        p.status === "archived"
          ? h("button", { type: "button", class: "small primary", "data-testid": "restore-plan", onclick: () => void newDraft(p) }, t("plan.restore"))
          : h("button", { type: "button", class: "small", "data-testid": "draft-from-plan", onclick: () => void newDraft(p) }, t("plan.newDraft")),
      );
    }
    return h(
      "tr",
      { "data-plan": p.id, "data-status": p.status, "data-number": p.number ?? 0 },
      h("td", null, pick(p)),
      h("td", { class: "num" }, h("b", null, t("plan.versionShort", { n: p.number ?? 0 }))),
      h("td", { class: "plan-name" }, p.name, p.note ? h("div", { class: "muted small" }, p.note) : null),
      h("td", null, planStatusBadge(p)),
      h("td", { "data-testid": "published-by" }, p.published_by ?? "—"),
      h("td", { class: "when" }, p.published_at ? fmtDate(p.published_at) : "—"),
      h("td", null, p.approved_by ? `${p.approved_by}` : "—"),
      actions,
    );
  }

  async function refresh(): Promise<void> {
    let items: Plan[];
    try {
      items = (await plansApi.list(undefined, { signal: abort.signal })).items;
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") return;
      clear(drafts);
      drafts.append(h("p", { class: "error" }, describe(e)));
      return;
    }
    const open = items.filter((p) => p.status === "draft" || p.status === "pending_approval");
    const done = items.filter((p) => p.status === "published" || p.status === "archived").sort((a, b) => (b.number ?? 0) - (a.number ?? 0));
    for (const id of [...picked]) if (!items.some((p) => p.id === id)) picked.delete(id);
    syncCompare();
    clear(drafts);
    drafts.append(
      open.length
        ? h(
            "table",
            { class: "data", id: "drafts-table" },
            h("thead", null, h("tr", null, ["", t("plans.name"), t("plans.status"), t("plans.base"), t("plans.created"), t("plans.updated"), ""].map((s) => h("th", null, s)))),
            h("tbody", null, open.map(draftRow)),
          )
        : h("p", { class: "empty", id: "drafts-empty" }, t(editor ? "plans.noDraftsEditor" : "plans.noDrafts")),
    );
    clear(hist);
    hist.append(
      h(
        "table",
        { class: "data", id: "history-table" },
        h("thead", null, h("tr", null, ["", t("plans.version"), t("plans.name"), t("plans.status"), t("plans.publishedBy"), t("plans.publishedAt"), t("plans.approvedBy"), ""].map((s) => h("th", null, s)))),
        h("tbody", null, done.map(historyRow)),
      ),
    );
  }

  void refresh();
  return () => abort.abort();
}

registerPage({ id: "plans", navKey: "nav.plans", roles: ["planner", "admin", "leader"], order: 20, render: renderPlans });
