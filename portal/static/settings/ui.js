// Widgets the settings pages share: results and errors as the API words
// them, secrets shown once, tables, time stamps and before/after diffs.
import { el } from "../dom.js";
import { Cancelled } from "./session.js";

// matches mirrors the server's wildcard rule (policy.Match): "*",
// "module.*" or the name itself.
export const matches = (pattern, perm) => pattern === "*" || pattern === perm || (pattern.endsWith(".*") && perm.startsWith(pattern.slice(0, -1)));

// problem renders a refused call: the message and each field's errors
// (the 422 shape), exactly as the server sent them.
export function problem(res) {
  const j = res.json || {};
  const fields = j.errors && typeof j.errors === "object" && !Array.isArray(j.errors) ? Object.entries(j.errors) : [];
  return el("div", { class: "problem", role: "alert" },
    el("p", {}, el("strong", {}, "HTTP " + res.status + ": "), j.message || j.error_description || "The request was refused."),
    fields.length ? el("ul", {}, fields.map(([f, msgs]) => el("li", {}, el("code", {}, f), ": " + [].concat(msgs).join(" ")))) : null);
}

// say puts text (each a paragraph) and nodes in box; null and false are skipped.
// The page's status line is put beside the control that caused it.
export function say(box, ...content) {
  const nodes = content.filter((c) => c !== null && c !== undefined && c !== false).map((c) => (c instanceof Node ? c : el("p", {}, c)));
  box.replaceChildren(...nodes);
  if (box.id === "page-status") besideTrigger(box, nodes.length > 0);
}

// The control the person last used (a button, or a form they submitted),
// as selectors that find it again after the page is drawn anew: the
// control itself, else the row or form it was in (a Disable button is an
// Enable button once drawn again).
let trigger = [];
const rowKeys = ["data-endpoint", "data-delivery", "data-key", "data-member", "data-role"];
function remember(ev) {
  const t = ev.target instanceof Element && ev.target.closest("button, input[type=submit], form");
  if (!t) return;
  const label = t.getAttribute("aria-label");
  trigger = [t.id ? "#" + CSS.escape(t.id) : label ? t.tagName.toLowerCase() + '[aria-label="' + CSS.escape(label) + '"]' : ""];
  const row = t.closest(rowKeys.map((k) => "[" + k + "]").join(", ") + ", form[id], .card[id]");
  if (row) {
    const key = rowKeys.find((k) => row.hasAttribute(k));
    trigger.push(key ? "[" + key + '="' + CSS.escape(row.getAttribute(key)) + '"]' : "#" + CSS.escape(row.id));
  }
}
document.addEventListener("click", remember, true);
document.addEventListener("submit", remember, true);

// besideTrigger moves the status line right after the block holding the
// last-used control (its form, card or table) and scrolls it into view, so
// a refusal or a confirmation shows where the person is looking; with
// nothing to say, or no control to stand by, it goes back to its place.
function besideTrigger(box, showing) {
  const home = document.getElementById("page-status-home");
  const at = showing ? trigger.filter(Boolean).map((s) => document.querySelector(s)).find(Boolean) : null;
  const block = at && at.closest("form, .card, .table-wrap, .row");
  if (block && block.parentElement) block.insertAdjacentElement("afterend", box);
  else if (home) home.insertAdjacentElement("afterend", box);
  if (showing) box.scrollIntoView({ block: "nearest" });
}

// failure turns an exception or a refused call into what the user sees.
export function failure(box, resOrError) {
  if (resOrError instanceof Error) say(box, el("p", { class: "problem", role: "alert" }, resOrError.message));
  else say(box, problem(resOrError));
}

// perform runs a change: call() makes the request; when it succeeds the
// page is drawn again and done(data) says what happened (a message, or a
// secret to show once); a refusal is shown as the server words it.
export async function perform(ctx, call, done) {
  try {
    const res = await call();
    if (!res.ok) return failure(ctx.status, res);
    await ctx.refresh();
    const out = await done(res.json.data);
    if (typeof out === "string") say(ctx.status, out);
  } catch (e) {
    if (e instanceof Cancelled) say(ctx.status, e.message); else failure(ctx.status, e);
  }
}

let secretCount = 0;
// secretOnce shows a secret with a copy button and the warning that it is
// not shown again; extra is appended (e.g. "Use in console").
export function secretOnce(label, secret, ...extra) {
  const id = "secret-" + ++secretCount;
  const copied = el("span", { class: "muted", "aria-live": "polite" });
  return el("div", { class: "secret", role: "region", "aria-label": label },
    el("p", {}, el("strong", {}, label)),
    el("p", {}, el("code", { id, class: "secret-value" }, secret)),
    el("p", { class: "warning-text" }, "Copy it now: it will not be shown again."),
    el("div", { class: "row" },
      el("button", {
        type: "button", class: "secondary", onclick: async () => {
          try { await navigator.clipboard.writeText(secret); copied.textContent = "Copied."; } catch (e) { copied.textContent = "Copy failed: select the text and copy it by hand."; }
        },
      }, "Copy"), ...extra, copied));
}

export function table(caption, headers, rows) {
  // The wrapper scrolls sideways on a phone: focusable, so keys scroll it too.
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption }, el("table", { class: "grid" },
    el("caption", { class: "visually-hidden" }, caption),
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: headers.length, class: "muted" }, "None yet.")))));
}

export function when(t) {
  if (!t) return "—";
  const d = new Date(t);
  return el("time", { datetime: t, title: t }, d.toLocaleString());
}

// diff lists every field of before/after that differs, old value beside new.
export function diff(before, after) {
  before = before || {};
  after = after || {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const show = (v) => (v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));
  const rows = keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).map((k) =>
    el("tr", {}, el("th", { scope: "row" }, k), el("td", { class: "old" }, show(before[k])), el("td", { class: "new" }, show(after[k]))));
  if (!rows.length) return el("p", { class: "muted" }, "No field changed.");
  return el("table", { class: "diff" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Field"), el("th", { scope: "col" }, "Before"), el("th", { scope: "col" }, "After"))),
    el("tbody", {}, rows));
}

// roleBoxes is a fieldset of one checkbox per role, the given ones ticked;
// read the choice back with checkedRoles(fieldset).
export function roleBoxes(legend, idPrefix, roles, chosen) {
  return el("fieldset", { class: "roles" }, el("legend", {}, legend),
    roles.map((r) => el("label", {}, el("input", { type: "checkbox", value: r.name, id: idPrefix + "-" + r.name, checked: chosen.includes(r.name) }), " " + r.name)));
}

export function checkedRoles(box) {
  return [...box.querySelectorAll("input[type=checkbox]:checked")].map((i) => i.value);
}

// field is a labelled input.
export function field(label, id, attrs) {
  return el("div", { class: "field" }, el("label", { for: id }, label), el("input", Object.assign({ id, name: id }, attrs || {})));
}
