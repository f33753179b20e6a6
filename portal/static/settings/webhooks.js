// Webhooks of the portal's environment: endpoints (create with the secret
// shown once, event filter, enable/disable, test, rotate, delete) and
// their deliveries with every attempt, retry and replay.
import { ask, el } from "../dom.js";
import { base, currentEnv } from "../env.js";
import { api } from "./session.js";
import { failure, field, perform, say, secretOnce, table, when } from "./ui.js";

const WEBHOOKS = "settings.webhooks.manage";
const view = { open: "", expanded: new Set() }; // the endpoint whose deliveries are shown; deliveries whose attempts are open

const typeList = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);

export default {
  id: "webhooks",
  permission: WEBHOOKS,
  async render(ctx) {
    const [list, types] = await Promise.all([
      api("GET", "/webhook-endpoints"),
      fetch(base() + "/event-types").then((r) => r.json()).catch(() => ({ data: [] })),
    ]);
    if (!list.ok) return failure(ctx.status, list);

    const run = (call, done) => perform(ctx, call, done);
    const showSecret = (label, secret) => {
      const panel = document.getElementById("endpoint-secret");
      panel.replaceChildren(secretOnce(label, secret));
      panel.querySelector("button").focus();
    };

    const create = el("form", { id: "create-endpoint", class: "card" }, el("h3", {}, "Create endpoint"),
      field("URL", "endpoint-url", { type: "url", required: true, placeholder: currentEnv() === "live" ? "https://…" : "https://… (http allowed in sandbox)" }),
      field("Description", "endpoint-description", {}),
      field("Event types (comma-separated; wildcards such as invoice.* or *)", "endpoint-types", { value: "*", spellcheck: "false", list: "event-type-names" }),
      el("datalist", { id: "event-type-names" }, (types.data || []).map((t) => el("option", { value: t.name }))),
      el("details", {}, el("summary", {}, "Event types"), el("p", { class: "muted" }, (types.data || []).map((t) => t.name).join(", "))),
      el("button", { type: "submit" }, "Create endpoint"));
    create.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const body = { url: create.querySelector("#endpoint-url").value.trim(), description: create.querySelector("#endpoint-description").value,
        event_types: typeList(create.querySelector("#endpoint-types").value) };
      run(() => api("POST", "/webhook-endpoints", body), (ep) => showSecret("Signing secret of " + ep.url, ep.secret));
    });

    const rows = list.json.data.map((ep) => el("tr", { "data-endpoint": ep.id },
      el("td", {}, el("code", {}, ep.url), ep.description ? el("div", { class: "muted" }, ep.description) : null),
      el("td", {}, ep.event_types.join(", ")),
      el("td", {}, ep.enabled ? "enabled" : "disabled", ep.disabled_reason ? el("div", { class: "muted" }, ep.disabled_reason) : null,
        ep.failing_since ? el("div", { class: "problem-text" }, "failing since ", when(ep.failing_since)) : null),
      el("td", { class: "actions" },
        el("button", { type: "button", class: "secondary", "aria-label": "Deliveries of " + ep.url, onclick: () => { view.open = ep.id; ctx.refresh(); } }, "Deliveries"),
        el("button", { type: "button", class: "secondary", "aria-label": (ep.enabled ? "Disable " : "Enable ") + ep.url,
          onclick: () => run(() => api("PATCH", "/webhook-endpoints/" + ep.id, { enabled: !ep.enabled }), () => (ep.enabled ? "Disabled " : "Enabled ") + ep.url + ".") }, ep.enabled ? "Disable" : "Enable"),
        el("button", { type: "button", class: "secondary", "aria-label": "Send test to " + ep.url,
          onclick: () => { view.open = ep.id; run(() => api("POST", "/webhook-endpoints/" + ep.id + "/test"), () => "A ping was queued for " + ep.url + "."); } }, "Send test"),
        el("button", { type: "button", class: "secondary", "aria-label": "Rotate secret of " + ep.url,
          onclick: async () => {
            if (!(await ask("Rotate secret of " + ep.url + "?", "Deliveries carry signatures with both the old and the new secret for 24 hours.", "Rotate secret", false))) return;
            run(() => api("POST", "/webhook-endpoints/" + ep.id + "/rotate-secret", undefined, { asked: true }), (r) => showSecret("New signing secret of " + ep.url, r.secret));
          } }, "Rotate secret"),
        el("button", { type: "button", class: "danger", "aria-label": "Delete " + ep.url,
          onclick: async () => {
            if (!(await ask("Delete the endpoint " + ep.url + "?", "It receives nothing more; its deliveries are deleted with it.", "Delete endpoint", true))) return;
            run(() => api("DELETE", "/webhook-endpoints/" + ep.id, undefined, { asked: true }), () => "Deleted " + ep.url + ".");
          } }, "Delete"))));

    const open = list.json.data.find((ep) => ep.id === view.open);
    say(ctx.box,
      el("p", { class: "muted" }, "Endpoints of the " + currentEnv() + " environment; each receives the events its owner may view, signed per Standard Webhooks."),
      el("div", { id: "endpoint-secret" }), create,
      table("Webhook endpoints", ["URL", "Event types", "State", "Actions"], rows),
      open ? await deliveries(ctx, open, run) : null);
  },
};

// deliveries lists an endpoint's newest deliveries; each opens its attempts.
async function deliveries(ctx, ep, run) {
  const res = await api("GET", "/webhook-endpoints/" + ep.id + "/deliveries?limit=25");
  if (!res.ok) return el("div", {}, failure(ctx.status, res));
  const since = el("input", { id: "replay-since", type: "datetime-local" });
  const replay = el("form", { id: "replay", class: "row" },
    el("label", { for: "replay-since" }, "Replay events since"), since, el("button", { type: "submit" }, "Replay"));
  replay.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!since.value) return say(ctx.status, "Choose the time to replay from.");
    run(() => api("POST", "/webhook-endpoints/" + ep.id + "/replay", { since: new Date(since.value).toISOString() }), (r) => r.deliveries + " deliveries queued.");
  });
  const rows = res.json.data.flatMap((d) => {
    const attempts = el("tr", { class: "details", hidden: true }, el("td", { colspan: "5" }));
    const show = el("button", { type: "button", class: "secondary", "aria-expanded": "false", "aria-label": "Attempts of " + d.id }, "Attempts");
    show.addEventListener("click", async () => {
      if (!attempts.hidden) { attempts.hidden = true; show.setAttribute("aria-expanded", "false"); view.expanded.delete(d.id); return; }
      view.expanded.add(d.id);
      const r = await api("GET", "/webhook-deliveries/" + d.id);
      if (!r.ok) return failure(ctx.status, r);
      attempts.firstChild.replaceChildren(table("Attempts", ["Time", "Status", "Latency", "Response / error"], r.json.data.attempt_log.map((a) =>
        el("tr", {}, el("td", {}, when(a.created_at)), el("td", {}, a.status_code || "—"), el("td", {}, a.latency_ms + " ms"),
          el("td", {}, el("code", {}, a.error || a.response_body || "")))) ));
      attempts.hidden = false;
      show.setAttribute("aria-expanded", "true");
    });
    if (view.expanded.has(d.id)) show.click(); // open again after the page is drawn anew
    const retry = el("button", { type: "button", class: "secondary", "aria-label": "Retry " + d.id,
      onclick: () => run(() => api("POST", "/webhook-deliveries/" + d.id + "/retry"), () => "Delivery " + d.id + " is sent again.") }, "Retry");
    return [el("tr", { "data-delivery": d.id }, el("td", {}, when(d.created_at)), el("td", {}, el("code", {}, d.event_type)),
      el("td", { class: "status-" + d.status }, d.status), el("td", {}, String(d.attempts)), el("td", { class: "actions" }, show, retry)), attempts];
  });
  return el("div", { id: "deliveries", class: "card" }, el("h3", {}, "Deliveries to " + ep.url), replay,
    table("Deliveries, newest first", ["Created", "Event type", "Status", "Attempts", "Actions"], rows));
}
