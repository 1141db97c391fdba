// How a plan's status looks: a coloured badge with the version number of a
// published or archived plan.
import { h } from "../dom";
import { t } from "../i18n";
import type { Plan } from "./api";

/** planStatusBadge is the status of p as a small badge ("published · v3"). */
export function planStatusBadge(p: Plan): HTMLElement {
  const text = p.number ? `${t(`status.${p.status}`)} · ${t("plan.versionShort", { n: p.number })}` : t(`status.${p.status}`);
  return h("span", { class: `badge status-${p.status}`, "data-status": p.status }, text);
}

/** planLabel names a plan for people: "v3 · Spring 2027" or "#12 · Draft of …". */
export function planLabel(p: Plan): string {
  return p.number ? `${t("plan.versionShort", { n: p.number })} · ${p.name}` : `#${p.id} · ${p.name}`;
}
