// Users (admin): the logins, a form to add one, delete.
import { api, type Role, type User } from "../api";
import { describe, registerPage, type PageContext } from "../app";
import { clear, h } from "../dom";
import { fmtDate, t } from "../i18n";
import { toast } from "../toast";

const ROLES: Role[] = ["planner", "leader", "manager", "admin"];

function renderUsers(ctx: PageContext): void {
  const table = h("table", { class: "data", id: "users-table" });
  const box = h("section", { class: "page-section" }, h("h1", null, t("users.title")), table);
  ctx.root.append(box);

  async function refresh(): Promise<void> {
    let users: User[];
    try {
      users = (await api.users()).items;
    } catch (e) {
      toast(describe(e), "error");
      return;
    }
    clear(table);
    table.append(
      h("thead", null, h("tr", null, [t("users.username"), t("users.displayName"), t("users.role"), t("users.manager"), t("users.created"), ""].map((s) => h("th", null, s)))),
      h(
        "tbody",
        null,
        users.map((u) =>
          h(
            "tr",
            { "data-user": u.username },
            h("td", null, u.username),
            h("td", null, u.display_name ?? ""),
            h("td", null, t(`role.${u.role}`)),
            h("td", null, u.manager_id ? String(u.manager_id) : ""),
            h("td", null, fmtDate(u.created_at)),
            h(
              "td",
              null,
              u.id === ctx.me.user.id
                ? ""
                : h("button", { type: "button", class: "danger small", onclick: () => void remove(u) }, t("users.delete")),
            ),
          ),
        ),
      ),
    );
  }

  async function remove(u: User): Promise<void> {
    if (!confirm(t("users.confirmDelete", { name: u.username }))) return;
    try {
      await api.deleteUser(u.id);
      toast(t("users.deleted", { name: u.username }), "success");
      await refresh();
    } catch (e) {
      toast(describe(e), "error");
    }
  }

  const username = h("input", { name: "username", required: true, autocomplete: "off" });
  const display = h("input", { name: "display_name", autocomplete: "off" });
  const password = h("input", { name: "password", type: "password", required: true, autocomplete: "new-password" });
  const role = h("select", { name: "role" }, ROLES.map((r) => h("option", { value: r }, t(`role.${r}`))));
  const manager = h("input", { name: "manager_id", type: "number", min: 1 });
  const form = h(
    "form",
    { class: "inline-form", id: "user-form" },
    h("label", null, t("users.username"), username),
    h("label", null, t("users.displayName"), display),
    h("label", null, t("users.password"), password),
    h("label", null, t("users.role"), role),
    h("label", null, t("users.manager"), manager),
    h("button", { type: "submit", class: "primary" }, t("users.add")),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await api.createUser({
        username: username.value.trim(),
        password: password.value,
        role: role.value as Role,
        display_name: display.value.trim() || undefined,
        manager_id: manager.value ? Number(manager.value) : undefined,
      });
      toast(t("users.added", { name: username.value.trim() }), "success");
      form.reset();
      await refresh();
    } catch (e) {
      toast(describe(e), "error");
    }
  });
  box.append(h("h2", null, t("users.add")), form);
  void refresh();
}

registerPage({ id: "users", navKey: "nav.users", roles: ["admin"], order: 90, render: renderUsers });
