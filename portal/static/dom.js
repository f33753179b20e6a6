// DOM helpers shared by the portal's pages: plain ES modules, no framework.

export const $ = (id) => document.getElementById(id);

// el builds an element: attrs are attributes, "class", or on<event>
// listeners; children are nodes or text (null and false are skipped).
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// ask shows a modal question and resolves true when it is confirmed. The
// dialog is built once per page; Cancel has the focus, Escape cancels.
export function ask(title, text, okLabel, danger) {
  let d = $("ask");
  if (!d) {
    d = el("dialog", { id: "ask", "aria-labelledby": "ask-title" },
      el("form", { method: "dialog" },
        el("p", {}, el("strong", { id: "ask-title" })),
        el("div", { id: "ask-text" }),
        el("div", { class: "row" },
          el("button", { value: "cancel", id: "ask-cancel", class: "secondary" }, "Cancel"),
          el("button", { value: "ok", id: "ask-ok" }))));
    document.body.append(d);
  }
  $("ask-title").textContent = title;
  $("ask-text").replaceChildren(...[].concat(text).map((t) => (t instanceof Node ? t : el("p", {}, t))));
  $("ask-ok").textContent = okLabel;
  $("ask-ok").className = danger ? "danger" : "";
  d.returnValue = "";
  return new Promise((resolve) => {
    d.addEventListener("close", () => resolve(d.returnValue === "ok"), { once: true });
    d.showModal();
    $("ask-cancel").focus();
  });
}
