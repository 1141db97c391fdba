// A modal dialog: a title, a body and a row of buttons. openDialog resolves
// with the id of the button pressed, or null when the dialog is dismissed
// (Escape, the close button, or close() from outside). Focus goes to the
// first primary button and returns where it was.
import { h } from "./dom";
import { addMessages, t } from "./i18n";

addMessages("en", { "dialog.close": "Close", "dialog.cancel": "Cancel" });
addMessages("zh-CN", { "dialog.close": "关闭", "dialog.cancel": "取消" });

export interface DialogButton {
  id: string;
  label: string;
  kind?: "primary" | "danger" | "plain";
  /** disabled buttons are shown but cannot be pressed. */
  disabled?: boolean;
}

export interface DialogOptions {
  title: string;
  body: Node | Node[];
  buttons: DialogButton[];
  /** A test id on the dialog element (data-testid). */
  testId?: string;
  /** wide makes the dialog use most of the window (tables). */
  wide?: boolean;
  /**
   * onButton runs before the dialog closes; returning false keeps it open
   * (e.g. a form that does not validate). It may be async (the buttons are
   * disabled meanwhile).
   */
  onButton?: (id: string) => boolean | void | Promise<boolean | void>;
}

export interface DialogHandle {
  /** The dialog's element, to update its body. */
  el: HTMLElement;
  /** The pressed button's id, null when dismissed. */
  result: Promise<string | null>;
  close(): void;
  button(id: string): HTMLButtonElement | undefined;
}

/** openDialog shows a modal dialog. */
export function openDialog(o: DialogOptions): DialogHandle {
  const before = document.activeElement as HTMLElement | null;
  let resolve!: (v: string | null) => void;
  const result = new Promise<string | null>((r) => (resolve = r));
  let done = false;
  const buttons = new Map<string, HTMLButtonElement>();
  const finish = (v: string | null) => {
    if (done) return;
    done = true;
    overlay.remove();
    document.removeEventListener("keydown", onKey, true);
    before?.focus?.();
    resolve(v);
  };
  const press = async (id: string) => {
    if (o.onButton) {
      for (const b of buttons.values()) b.disabled = true;
      let keep: boolean | void;
      try {
        keep = await o.onButton(id);
      } finally {
        for (const [bid, b] of buttons) b.disabled = !!o.buttons.find((x) => x.id === bid)?.disabled;
      }
      if (keep === false) return;
    }
    finish(id);
  };
  const footer = h(
    "div",
    { class: "dialog-buttons" },
    o.buttons.map((b) => {
      const el = h(
        "button",
        { type: "button", class: b.kind && b.kind !== "plain" ? b.kind : "", "data-action": b.id, disabled: !!b.disabled, onclick: () => void press(b.id) },
        b.label,
      );
      buttons.set(b.id, el);
      return el;
    }),
  );
  const closeBtn = h("button", { type: "button", class: "dialog-close", "aria-label": t("dialog.close"), onclick: () => finish(null) }, "×");
  const titleId = `dialog-title-${Math.random().toString(36).slice(2, 8)}`;
  const box = h(
    "div",
    { class: `dialog${o.wide ? " wide" : ""}`, role: "dialog", "aria-modal": "true", "aria-labelledby": titleId, "data-testid": o.testId },
    h("header", null, h("h2", { id: titleId }, o.title), closeBtn),
    h("div", { class: "dialog-body" }, o.body),
    footer,
  );
  const overlay = h("div", { class: "dialog-overlay" }, box);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      finish(null);
    }
  };
  document.addEventListener("keydown", onKey, true);
  document.body.append(overlay);
  const first = [...buttons.values()].find((b) => b.classList.contains("primary") && !b.disabled) ?? closeBtn;
  first.focus();
  return { el: box, result, close: () => finish(null), button: (id) => buttons.get(id) };
}

/** confirmDialog asks a yes/no question; true when confirmed. */
export async function confirmDialog(title: string, message: string, confirmLabel: string, danger = false): Promise<boolean> {
  const d = openDialog({
    title,
    body: h("p", null, message),
    testId: "confirm-dialog",
    buttons: [
      { id: "cancel", label: t("dialog.cancel") },
      { id: "ok", label: confirmLabel, kind: danger ? "danger" : "primary" },
    ],
  });
  return (await d.result) === "ok";
}
