// The scope picker of leaders, planners and admins: a district, then one of
// its grids, then (on the list page) one of the grid's managers. Each
// select loads its options when the one before it changes.
import { api, type Manager } from "../api";
import { describe } from "../app";
import { h } from "../dom";
import { t } from "../i18n";

export interface PickerValue {
  districtId: number;
  gridId: number;
  managerId: number;
}

export interface PickerOptions {
  /** withManagers adds the manager select (the list page). */
  withManagers: boolean;
  initial: Partial<PickerValue>;
  onChange: (v: PickerValue, managers: Manager[]) => void;
  signal: AbortSignal;
}

const option = (value: number, label: string) => h("option", { value: String(value) }, label);

/** scopePicker builds the selects; onChange runs after every choice (and once loaded). */
export function scopePicker(o: PickerOptions): HTMLElement {
  const district = h("select", { "data-testid": "pick-district", "aria-label": t("pick.district") }, option(0, t("pick.allDistricts")));
  const grid = h("select", { "data-testid": "pick-grid", "aria-label": t("pick.grid"), disabled: true }, option(0, t("pick.allGrids")));
  const manager = h("select", { "data-testid": "pick-manager", "aria-label": t("pick.manager"), disabled: true }, option(0, t("pick.chooseManager")));
  const status = h("span", { class: "muted pick-status" });
  let managers: Manager[] = [];
  const value = (): PickerValue => ({ districtId: Number(district.value), gridId: Number(grid.value), managerId: Number(manager.value) });
  const fire = () => o.onChange(value(), managers);

  async function loadGrids(districtId: number, keep?: number): Promise<void> {
    grid.replaceChildren(option(0, t("pick.allGrids")));
    grid.disabled = true;
    if (!districtId) return;
    const gs = await api.grids({ district_id: districtId }, { signal: o.signal });
    const sorted = [...gs.features].sort((a, b) => a.properties.code.localeCompare(b.properties.code));
    grid.append(...sorted.map((f) => option(f.properties.id, `${f.properties.code} ${f.properties.name}`)));
    grid.disabled = false;
    if (keep && sorted.some((f) => f.properties.id === keep)) grid.value = String(keep);
  }

  async function loadManagers(gridId: number, keep?: number): Promise<void> {
    managers = [];
    manager.replaceChildren(option(0, t("pick.chooseManager")));
    manager.disabled = true;
    if (!o.withManagers || !gridId) return;
    const ms = await api.managers({ grid_id: gridId });
    managers = [...ms.items].sort((a, b) => a.code.localeCompare(b.code));
    manager.append(...managers.map((m) => option(m.id, `${m.name} (${m.code})`)));
    manager.disabled = false;
    if (keep && managers.some((m) => m.id === keep)) manager.value = String(keep);
  }

  const guard = async (fn: () => Promise<void>) => {
    status.textContent = t("page.loading");
    status.classList.remove("error");
    try {
      await fn();
      status.textContent = "";
      fire();
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") return;
      status.textContent = describe(e);
      status.classList.add("error");
    }
  };

  district.addEventListener("change", () =>
    void guard(async () => {
      await loadGrids(Number(district.value));
      await loadManagers(0);
    }),
  );
  grid.addEventListener("change", () => void guard(() => loadManagers(Number(grid.value))));
  manager.addEventListener("change", fire);

  void guard(async () => {
    const ds = await api.districts({ signal: o.signal });
    const sorted = [...ds.features].sort((a, b) => a.properties.code.localeCompare(b.properties.code));
    district.append(...sorted.map((f) => option(f.properties.id, f.properties.name)));
    if (o.initial.districtId) {
      district.value = String(o.initial.districtId);
      await loadGrids(o.initial.districtId, o.initial.gridId);
      if (o.initial.gridId) await loadManagers(o.initial.gridId, o.initial.managerId);
    }
  });

  return h(
    "div",
    { class: "pick", "data-testid": "scope-picker" },
    h("label", null, h("span", null, t("pick.district")), district),
    h("label", null, h("span", null, t("pick.grid")), grid),
    o.withManagers ? h("label", null, h("span", null, t("pick.manager")), manager) : null,
    status,
  );
}
