// Toasts: short messages in the corner that go away by themselves (errors
// stay longer and can be closed).
import { h } from "./dom";

export type ToastKind = "info" | "success" | "error";

/** toast shows msg for a while; it returns a function that closes it early. */
export function toast(msg: string, kind: ToastKind = "info", ms = kind === "error" ? 8000 : 3500): () => void {
  let box = document.getElementById("toasts");
  if (!box) {
    box = h("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.appendChild(box);
  }
  const close = () => el.remove();
  const el = h("div", { class: `toast toast-${kind}` }, h("span", null, msg), h("button", { class: "toast-close", "aria-label": "close", onclick: close }, "×"));
  box.appendChild(el);
  const timer = window.setTimeout(close, ms);
  return () => {
    window.clearTimeout(timer);
    close();
  };
}
