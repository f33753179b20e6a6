// The audit log: filters, cursor pages, each event's before/after as a
// diff, and a request id that opens every event of its request.
import { el } from "../dom.js";
import { api } from "./session.js";
import { diff, failure, say, table, when } from "./ui.js";

const AUDIT = "admin.audit.view";
const filters = [
  ["actor", "Actor", "user:<id>, key:<id> or cli"], ["action", "Action", "e.g. role.updated"],
  ["entity_type", "Entity", "e.g. integration_key"], ["request_id", "Request id", ""],
];
// The filters and pages stay as they are while the page is re-drawn.
const view = { filter: {}, cursors: [""] };

export default {
  id: "audit",
  permission: AUDIT,
  async render(ctx) {
    const form = el("form", { id: "audit-filters", class: "filters" },
      filters.map(([name, label, hint]) => el("div", { class: "field" }, el("label", { for: "audit-" + name }, label),
        el("input", { id: "audit-" + name, name, placeholder: hint, value: view.filter[name] || "", spellcheck: "false" }))),
      el("div", { class: "field" }, el("label", { for: "audit-environment" }, "Environment"),
        el("select", { id: "audit-environment", name: "environment" }, [["", "Both"], ["sandbox", "Sandbox"], ["live", "Live"]].map(([v, l]) =>
          el("option", { value: v, selected: (view.filter.environment || "") === v }, l)))),
      el("div", { class: "field" }, el("label", { for: "audit-since" }, "From"), el("input", { id: "audit-since", name: "since", type: "datetime-local", value: view.filter.since || "" })),
      el("div", { class: "field" }, el("label", { for: "audit-until" }, "Until"), el("input", { id: "audit-until", name: "until", type: "datetime-local", value: view.filter.until || "" })),
      el("div", { class: "row" }, el("button", { type: "submit" }, "Filter"), el("button", { type: "reset", class: "secondary" }, "Clear")));
    const read = () => Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ""));
    form.addEventListener("submit", (ev) => { ev.preventDefault(); view.filter = read(); view.cursors = [""]; ctx.refresh(); });
    form.addEventListener("reset", () => { view.filter = {}; view.cursors = [""]; setTimeout(ctx.refresh); });

    const q = new URLSearchParams({ limit: "25" });
    for (const [k, v] of Object.entries(view.filter)) q.set(k, k === "since" || k === "until" ? new Date(v).toISOString() : v);
    const cursor = view.cursors[view.cursors.length - 1];
    if (cursor) q.set("cursor", cursor);
    const res = await api("GET", "/audit-events?" + q);
    if (!res.ok) {
      say(ctx.box, form);
      return failure(ctx.status, res);
    }
    const byRequest = (id) => () => { view.filter = { request_id: id }; view.cursors = [""]; ctx.refresh(); };
    const rows = res.json.data.flatMap((e) => {
      const details = el("tr", { class: "details", hidden: true }, el("td", { colspan: "6" }, diff(e.before, e.after),
        el("p", { class: "muted" }, "Credential: " + (e.credential || "—") + " · entity id: " + e.entity_id)));
      const toggle = el("button", { type: "button", class: "secondary", "aria-expanded": "false", "aria-label": "Changes of " + e.action + " " + e.entity_id }, "Changes");
      toggle.addEventListener("click", () => {
        details.hidden = !details.hidden;
        toggle.setAttribute("aria-expanded", String(!details.hidden));
      });
      return [el("tr", { "data-event": e.id },
        el("td", {}, when(e.created_at)), el("td", {}, el("code", {}, e.actor)), el("td", {}, el("code", {}, e.action)),
        el("td", {}, e.entity_type), el("td", {}, e.request_id ? el("button", { type: "button", class: "link request-link", onclick: byRequest(e.request_id), title: "Every event of this request" }, e.request_id) : "—", " · ", e.environment || "both"),
        el("td", {}, toggle)), details];
    });
    const meta = res.json.meta || {};
    const prev = el("button", { type: "button", class: "secondary", disabled: view.cursors.length < 2 }, "Previous page");
    prev.addEventListener("click", () => { view.cursors.pop(); ctx.refresh(); });
    const next = el("button", { type: "button", class: "secondary", disabled: !meta.has_more }, "Next page");
    next.addEventListener("click", () => { view.cursors.push(meta.next_cursor); ctx.refresh(); });
    say(ctx.box, form,
      view.filter.request_id ? el("p", {}, "Every event of request ", el("code", {}, view.filter.request_id), ".") : null,
      table("Audit events, newest first", ["Time", "Actor", "Action", "Entity", "Request · environment", "Before / after"], rows),
      el("div", { class: "row pager" }, prev, el("span", { class: "muted" }, "Page " + view.cursors.length), next));
  },
};
