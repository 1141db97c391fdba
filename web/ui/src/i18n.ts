// A small i18n dictionary: zh-CN and English. t(key) looks the key up in the
// current language, then in English, then gives the key itself, so a missing
// translation shows as readable English rather than a blank.
//
// Other modules (the planner pages) add their own keys with addMessages.

export type Lang = "zh-CN" | "en";

export const LANGS: readonly Lang[] = ["zh-CN", "en"];

/** localStorage key that remembers the language chosen with the switch. */
export const LANG_STORAGE_KEY = "gridplan.lang";

type Messages = Record<string, string>;

const en: Messages = {
  "app.name": "gridplan",
  "app.subtitle": "Grid territory planner",
  "lang.switch": "中文",
  "lang.switch.title": "切换到中文",

  "login.title": "Sign in",
  "login.username": "Username",
  "login.password": "Password",
  "login.submit": "Sign in",
  "login.failed": "Wrong username or password.",
  "login.busy": "Signing in…",
  "logout": "Log out",
  "session.expired": "Your session has ended; please sign in again.",

  "role.admin": "Administrator",
  "role.planner": "Planner",
  "role.leader": "Leader",
  "role.manager": "Customer manager",

  "nav.map": "Map",
  "nav.plans": "Plans",
  "nav.users": "Users",
  "nav.list": "My list",
  "nav.main": "Main navigation",

  "page.notFound": "This page does not exist.",
  "page.forbidden": "Your role cannot open this page.",
  "page.loading": "Loading…",

  "layers.basemap": "Basemap",
  "layers.blank": "Blank",
  "layers.districts": "Districts",
  "layers.grids": "Grids",
  "layers.gridLabels": "Grid labels",
  "layers.customers": "Customers",
  "layers.resources": "Network resources",

  "legend.title": "Legend",
  "legend.stages": "Customers by stage (zoom 14+)",
  "legend.hexes": "Customers per km² (hexagons)",
  "legend.resources": "Resources (zoom 12+)",
  "legend.grid": "Grid",
  "legend.district": "District",

  "stage.target": "Target",
  "stage.list": "List",
  "stage.potential": "Potential",
  "stage.intent": "Intent",
  "stage.order": "Order",
  "stage.in_network": "In network",
  "stage.lost": "Lost",
  "stage.churned": "Churned",

  "resource.existing": "Existing",
  "resource.under_construction": "Under construction",
  "resource.planned": "Planned",

  "grid.managers": "managers",
  "grid.manager": "manager",
  "grid.customers": "customers",
  "grid.customer": "customer",
  "grid.code": "Code",
  "grid.name": "Name",
  "grid.district": "District",
  "grid.status": "Status",
  "grid.version": "Version",
  "grid.updated": "Updated",
  "grid.count": "{n} grids",

  "customer.title": "Customer #{id}",
  "customer.stage": "Stage",
  "customer.grid": "Grid",
  "customer.address": "Address",
  "hex.customers": "{n} customers in this hexagon",

  "resource.kind": "Kind",
  "resource.radius": "Radius",
  "resource.capacity": "Capacity",
  "resource.expected": "Expected",

  "map.loadFailed": "Could not load {what}: {error}",
  "map.tilesFailed": "Customer tiles could not be loaded: {error}",
  "map.fit": "Zoom to all districts",
  "panel.title": "Overview",
  "panel.summary": "{districts} districts · {grids} grids",
  "panel.hint": "Click a grid, a hexagon or (from zoom 14) a customer for details.",

  "users.title": "Users",
  "users.username": "Username",
  "users.displayName": "Display name",
  "users.role": "Role",
  "users.manager": "Manager id",
  "users.created": "Created",
  "users.password": "Password",
  "users.add": "Add user",
  "users.delete": "Delete",
  "users.confirmDelete": "Delete user {name}?",
  "users.added": "User {name} added.",
  "users.deleted": "User {name} deleted.",

  "error.network": "The server cannot be reached.",
  "error.generic": "Something went wrong: {error}",
};

const zh: Messages = {
  "app.name": "gridplan 网格规划",
  "app.subtitle": "销售网格规划",
  "lang.switch": "English",
  "lang.switch.title": "Switch to English",

  "login.title": "登录",
  "login.username": "用户名",
  "login.password": "密码",
  "login.submit": "登录",
  "login.failed": "用户名或密码错误。",
  "login.busy": "正在登录…",
  "logout": "退出登录",
  "session.expired": "登录已过期，请重新登录。",

  "role.admin": "系统管理员",
  "role.planner": "网格规划员",
  "role.leader": "领导",
  "role.manager": "客户经理",

  "nav.map": "地图",
  "nav.plans": "规划方案",
  "nav.users": "用户管理",
  "nav.list": "我的清单",
  "nav.main": "主导航",

  "page.notFound": "页面不存在。",
  "page.forbidden": "您的角色无权打开此页面。",
  "page.loading": "加载中…",

  "layers.basemap": "底图",
  "layers.blank": "空白底图",
  "layers.districts": "行政区",
  "layers.grids": "网格",
  "layers.gridLabels": "网格标注",
  "layers.customers": "客户",
  "layers.resources": "网络资源",

  "legend.title": "图例",
  "legend.stages": "客户阶段（14 级起）",
  "legend.hexes": "每平方公里客户数（六边形）",
  "legend.resources": "资源（12 级起）",
  "legend.grid": "网格",
  "legend.district": "行政区",

  "stage.target": "目标客户",
  "stage.list": "清单客户",
  "stage.potential": "潜在客户",
  "stage.intent": "意向客户",
  "stage.order": "订单客户",
  "stage.in_network": "在网客户",
  "stage.lost": "未成交",
  "stage.churned": "离网",

  "resource.existing": "已建",
  "resource.under_construction": "在建",
  "resource.planned": "规划",

  "grid.managers": "经理",
  "grid.manager": "经理",
  "grid.customers": "客户",
  "grid.customer": "客户",
  "grid.code": "编号",
  "grid.name": "名称",
  "grid.district": "行政区",
  "grid.status": "状态",
  "grid.version": "版本",
  "grid.updated": "更新",
  "grid.count": "{n} 个网格",

  "customer.title": "客户 #{id}",
  "customer.stage": "阶段",
  "customer.grid": "网格",
  "customer.address": "地址",
  "hex.customers": "此六边形内有 {n} 个客户",

  "resource.kind": "类型",
  "resource.radius": "覆盖半径",
  "resource.capacity": "容量",
  "resource.expected": "预计投产",

  "map.loadFailed": "无法加载{what}：{error}",
  "map.tilesFailed": "客户瓦片加载失败：{error}",
  "map.fit": "缩放到全部行政区",
  "panel.title": "概览",
  "panel.summary": "{districts} 个行政区 · {grids} 个网格",
  "panel.hint": "点击网格、六边形或客户（14 级起）查看详情。",

  "users.title": "用户管理",
  "users.username": "用户名",
  "users.displayName": "显示名",
  "users.role": "角色",
  "users.manager": "客户经理编号",
  "users.created": "创建时间",
  "users.password": "密码",
  "users.add": "添加用户",
  "users.delete": "删除",
  "users.confirmDelete": "删除用户 {name}？",
  "users.added": "已添加用户 {name}。",
  "users.deleted": "已删除用户 {name}。",

  "error.network": "无法连接服务器。",
  "error.generic": "出错了：{error}",
};

const dictionaries: Record<Lang, Messages> = { en, "zh-CN": zh };

let current: Lang = "en";
const listeners = new Set<(l: Lang) => void>();

/**
 * detectLang chooses the language: the remembered choice when there is one,
 * else Chinese when the browser's preferred languages put a Chinese one
 * before any English one, else English.
 */
export function detectLang(stored: string | null, preferred: readonly string[]): Lang {
  if (stored === "zh-CN" || stored === "en") return stored;
  for (const p of preferred) {
    const l = p.toLowerCase();
    if (l === "zh" || l.startsWith("zh-")) return "zh-CN";
    if (l === "en" || l.startsWith("en-")) return "en";
  }
  return "en";
}

function readStored(): string | null {
  try {
    return localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null; // storage disabled: no remembered choice
  }
}

/** initLang sets the language from storage and the browser; call it once at start. */
export function initLang(): Lang {
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language];
  current = detectLang(readStored(), langs);
  document.documentElement.lang = current;
  return current;
}

/** lang is the current language. */
export function lang(): Lang {
  return current;
}

/** setLang switches the language, remembers it and tells the listeners. */
export function setLang(l: Lang): void {
  current = l;
  document.documentElement.lang = l;
  try {
    localStorage.setItem(LANG_STORAGE_KEY, l);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
  for (const fn of listeners) fn(l);
}

/** onLangChange calls fn after every language switch; it returns the unsubscribe. */
export function onLangChange(fn: (l: Lang) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** addMessages adds (or overrides) keys of one language, for feature modules. */
export function addMessages(l: Lang, msgs: Messages): void {
  Object.assign(dictionaries[l], msgs);
}

/** hasMessage tells whether key is translated in the current language. */
export function hasMessage(key: string): boolean {
  return key in dictionaries[current];
}

/**
 * t translates key, replacing {name} with params.name. Numbers are
 * formatted for the language (1,234).
 */
export function t(key: string, params?: Record<string, string | number>): string {
  const msg = dictionaries[current][key] ?? en[key] ?? key;
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = params[name];
    if (v === undefined) return m;
    return typeof v === "number" ? fmtNumber(v) : v;
  });
}

/** fmtNumber formats an integer or a decimal for the current language. */
export function fmtNumber(n: number): string {
  return n.toLocaleString(current === "zh-CN" ? "zh-CN" : "en-US", { maximumFractionDigits: 1 });
}

/** fmtDate formats an ISO time as a local date and time. */
export function fmtDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(current === "zh-CN" ? "zh-CN" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
}
