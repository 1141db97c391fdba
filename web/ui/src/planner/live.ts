// The live map's plans section: the published version, the drafts in
// progress (open one on the map), and for editors a new draft in one click.
import { describe, type Cleanup, type PageContext } from "../app";
import { clear, h } from "../dom";
import { fmtDate, t } from "../i18n";
import { toast } from "../toast";
import type { MapView } from "../pages/map";
import { plansApi } from "./api";
import { EDITORS } from "./editor";
import { planLabel } from "./status";

/** livePlans adds the plans section to the live map's panel. */
export function livePlans(view: MapView, ctx: PageContext): Cleanup {
  const el = h("section", { class: "panel-section live-plans", "data-testid": "live-plans" }, h("h2", null, t("nav.plans")));
  const overview = document.getElementById("map-overview");
  if (overview?.nextSibling) view.panel.insertBefore(el, overview.nextSibling);
  else view.panel.append(el);
  const abort = new AbortController();
  const editor = EDITORS.includes(ctx.me.user.role);

  async function newDraft(): Promise<void> {
    try {
      const d = await plansApi.create({});
      toast(t("plan.draftCreated", { name: d.name }), "success");
      ctx.navigate("map", "plan", d.id);
    } catch (e) {
      toast(describe(e), "error");
    }
  }

  plansApi.list(["published", "draft", "pending_approval"], { signal: abort.signal }).then(
    ({ items }) => {
      clear(el);
      el.append(h("h2", null, t("nav.plans")));
      const pub = items.find((p) => p.status === "published");
      if (pub) {
        el.append(
          h(
            "p",
            { "data-testid": "live-version" },
            t("live.version", { n: pub.number ?? 0 }),
            pub.published_at ? h("small", { class: "muted" }, ` · ${pub.published_by ?? ""} ${fmtDate(pub.published_at)}`) : null,
          ),
        );
      }
      const drafts = items.filter((p) => p.status !== "published");
      if (drafts.length) {
        el.append(
          h("p", { class: "muted" }, t("live.drafts", { n: drafts.length })),
          h(
            "ul",
            { class: "live-drafts" },
            drafts.slice(0, 4).map((d) => h("li", null, h("a", { href: `#/map/plan/${d.id}` }, planLabel(d)))),
          ),
        );
      }
      const row = h("div", { class: "tool-row" }, h("a", { href: "#/plans", class: "button-link" }, t("live.allPlans")));
      if (editor) row.prepend(h("button", { type: "button", class: "primary", "data-testid": "live-new-draft", onclick: () => void newDraft() }, t("plan.newDraft")));
      el.append(row);
    },
    (e) => {
      if (e instanceof DOMException && e.name === "AbortError") return;
      clear(el);
      el.append(h("h2", null, t("nav.plans")), h("p", { class: "error" }, describe(e)));
    },
  );
  return () => {
    abort.abort();
    el.remove();
  };
}
