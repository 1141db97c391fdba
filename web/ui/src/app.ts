// The shell: login page, top bar with navigation by role, language switch,
// logout, and a hash router (#/map, #/plans/12, …) over a registry of pages.
// Feature modules add pages with registerPage; a page with the id of an
// existing one replaces it.
import { api, ApiError, onUnauthorized, type Me, type Role, type UIConfig } from "./api";
import { clear, h } from "./dom";
import { lang, onLangChange, setLang, t } from "./i18n";
import { toast } from "./toast";

/** Cleanup undoes what a page's render did (timers, maps, listeners). */
export type Cleanup = () => void;

/** PageContext is what a page renders with. */
export interface PageContext {
  me: Me;
  config: UIConfig;
  /** The element below the top bar that the page owns until its cleanup. */
  root: HTMLElement;
  /** The route's parts after the page id: #/plans/12/compare/9 → ["12", "compare", "9"]. */
  params: string[];
  /** navigate changes the route (e.g. navigate("plans", "12")). */
  navigate: (...parts: (string | number)[]) => void;
}

/** PageDef is a page of the shell. */
export interface PageDef {
  /** The route: #/id. */
  id: string;
  /** i18n key of the navigation label. */
  navKey: string;
  /** Roles that see the page in the navigation and may open it. */
  roles: Role[];
  /** Position in the navigation, ascending. */
  order: number;
  /** false hides it from the navigation (still reachable by its route). */
  nav?: boolean;
  render(ctx: PageContext): Cleanup | void | Promise<Cleanup | void>;
}

const pages = new Map<string, PageDef>();

/** registerPage adds a page, or replaces the page with the same id. */
export function registerPage(p: PageDef): void {
  pages.set(p.id, p);
}

/** pagesFor lists the navigation of a role, in order. */
export function pagesFor(role: Role): PageDef[] {
  return [...pages.values()].filter((p) => p.roles.includes(role) && p.nav !== false).sort((a, b) => a.order - b.order);
}

/** parseRoute splits "#/plans/12" into ["plans", "12"]. */
export function parseRoute(hash: string): string[] {
  return hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter((s) => s !== "")
    .map(decodeURIComponent);
}

export function navigate(...parts: (string | number)[]): void {
  const hash = "#/" + parts.map((p) => encodeURIComponent(String(p))).join("/");
  if (location.hash === hash) render();
  else location.hash = hash;
}

interface State {
  me: Me | null;
  config: UIConfig | null;
  cleanup: Cleanup | null;
  /** increments on every render, so a slow async render can tell it is stale. */
  seq: number;
}

const state: State = { me: null, config: null, cleanup: null, seq: 0 };

function app(): HTMLElement {
  return document.getElementById("app")!;
}

function runCleanup(): void {
  const c = state.cleanup;
  state.cleanup = null;
  if (c) {
    try {
      c();
    } catch (e) {
      console.error("page cleanup", e);
    }
  }
}

function langButton(): HTMLButtonElement {
  return h(
    "button",
    {
      type: "button",
      class: "lang-switch",
      "data-testid": "lang-switch",
      title: t("lang.switch.title"),
      onclick: () => setLang(lang() === "zh-CN" ? "en" : "zh-CN"),
    },
    t("lang.switch"),
  );
}

/** showLogin renders the login form; a successful login starts the shell. */
export function showLogin(message?: string): void {
  runCleanup();
  state.me = null;
  document.title = `${t("login.title")} · gridplan`;
  const root = app();
  clear(root);
  const user = h("input", { id: "login-username", name: "username", autocomplete: "username", required: true, autofocus: true });
  const pass = h("input", { id: "login-password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const err = h("p", { class: "login-error", role: "alert" }, message ?? "");
  const submit = h("button", { type: "submit", class: "primary", id: "login-submit" }, t("login.submit"));
  const form = h(
    "form",
    { class: "login-form", id: "login-form", novalidate: true },
    h("h1", null, t("app.name")),
    h("p", { class: "subtitle" }, t("app.subtitle")),
    h("label", { for: "login-username" }, t("login.username")),
    user,
    h("label", { for: "login-password" }, t("login.password")),
    pass,
    err,
    submit,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    err.textContent = "";
    submit.disabled = true;
    submit.textContent = t("login.busy");
    try {
      state.me = await api.login(user.value.trim(), pass.value);
      await startShell();
    } catch (e) {
      err.textContent = e instanceof ApiError && e.status === 401 ? t("login.failed") : describe(e);
      submit.disabled = false;
      submit.textContent = t("login.submit");
      pass.select();
    }
  });
  root.append(h("div", { class: "login-page" }, h("div", { class: "login-lang" }, langButton()), form));
  user.focus();
}

/** describe turns an error into a message for a person. */
export function describe(e: unknown): string {
  if (e instanceof ApiError) return e.status === 0 ? t("error.network") : e.message;
  return t("error.generic", { error: e instanceof Error ? e.message : String(e) });
}

async function startShell(): Promise<void> {
  state.config = await api.config();
  const allowed = pagesFor(state.me!.user.role);
  const [id] = parseRoute(location.hash);
  if (!id || !allowed.some((p) => p.id === id)) {
    // Land on the role's first page; replace, so Back does not return to a
    // page the role cannot open.
    if (allowed.length) history.replaceState(null, "", `#/${allowed[0].id}`);
  }
  render();
}

function topBar(me: Me, current: string): HTMLElement {
  const nav = h(
    "nav",
    { class: "main-nav", "aria-label": t("nav.main") },
    pagesFor(me.user.role).map((p) =>
      h("a", { href: `#/${p.id}`, class: p.id === current ? "active" : "", "data-page": p.id, "aria-current": p.id === current ? "page" : undefined }, t(p.navKey)),
    ),
  );
  const who = me.user.display_name || me.user.username;
  const logout = h("button", { type: "button", class: "logout", id: "logout", onclick: () => void doLogout() }, t("logout"));
  return h(
    "header",
    { class: "topbar" },
    h("a", { class: "brand", href: "#/" }, t("app.name")),
    nav,
    h("span", { class: "spacer" }),
    h("span", { class: "who", title: me.user.username }, who, h("small", null, t(`role.${me.user.role}`))),
    langButton(),
    logout,
  );
}

async function doLogout(): Promise<void> {
  try {
    await api.logout();
  } catch (e) {
    // The session may be gone already; the login page is right either way.
    if (!(e instanceof ApiError && e.status === 401)) toast(describe(e), "error");
  }
  history.replaceState(null, "", "#/");
  showLogin();
}

/** render draws the top bar and the current route's page. */
export function render(): void {
  const me = state.me;
  if (!me || !state.config) return;
  runCleanup();
  const seq = ++state.seq;
  const parts = parseRoute(location.hash);
  const allowed = pagesFor(me.user.role);
  const id = parts[0] ?? allowed[0]?.id ?? "";
  const page = pages.get(id);
  const root = app();
  clear(root);
  root.append(topBar(me, id));
  const main = h("main", { class: "page", id: "page", "data-page": id });
  root.append(main);
  document.title = `${page ? t(page.navKey) : t("app.name")} · gridplan`;
  if (!page) {
    main.append(h("p", { class: "empty" }, t("page.notFound")));
    return;
  }
  if (!page.roles.includes(me.user.role)) {
    main.append(h("p", { class: "empty" }, t("page.forbidden")));
    return;
  }
  const ctx: PageContext = { me, config: state.config, root: main, params: parts.slice(1), navigate };
  let out: ReturnType<PageDef["render"]>;
  try {
    out = page.render(ctx);
  } catch (e) {
    main.append(h("p", { class: "empty error" }, describe(e)));
    return;
  }
  if (out instanceof Promise) {
    out.then(
      (c) => {
        if (seq !== state.seq) c?.(); // the route changed meanwhile
        else state.cleanup = c ?? null;
      },
      (e) => {
        if (seq === state.seq) main.append(h("p", { class: "empty error" }, describe(e)));
      },
    );
  } else {
    state.cleanup = out ?? null;
  }
}

/** currentUser is the logged-in user's Me, or null on the login page. */
export function currentUser(): Me | null {
  return state.me;
}

/** start boots the app: the shell when a session exists, else the login page. */
export async function start(): Promise<void> {
  onUnauthorized(() => {
    if (state.me) showLogin(t("session.expired"));
  });
  window.addEventListener("hashchange", () => render());
  onLangChange(() => (state.me ? render() : showLogin()));
  try {
    state.me = await api.me();
  } catch (e) {
    showLogin(e instanceof ApiError && e.status === 401 ? undefined : describe(e));
    return;
  }
  try {
    await startShell();
  } catch (e) {
    showLogin(describe(e));
  }
}
