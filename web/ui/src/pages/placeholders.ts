// Pages that later issues fill in. Each is registered under its final id so
// the navigation by role is right already; a feature module replaces one by
// registering a page with the same id (registerPage).
import { registerPage, type PageContext } from "../app";
import { h } from "../dom";
import { t } from "../i18n";

function comingSoon(titleKey: string) {
  return (ctx: PageContext) => {
    ctx.root.append(h("section", { class: "page-section" }, h("h1", null, t(titleKey)), h("p", { class: "empty" }, t("page.comingSoon"))));
  };
}

// Plans: the planner module (src/planner/) registers the real page.
registerPage({ id: "plans", navKey: "nav.plans", roles: ["planner", "admin", "leader"], order: 20, render: comingSoon("nav.plans") });
registerPage({ id: "dashboards", navKey: "nav.dashboards", roles: ["leader", "admin"], order: 30, render: comingSoon("nav.dashboards") });
registerPage({ id: "list", navKey: "nav.list", roles: ["manager"], order: 10, render: comingSoon("nav.list") });
