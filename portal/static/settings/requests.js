// The request log: every API request of this tenant's credentials in the
// portal's environment. Requests (filters, cursor pages, each request's
// events and audit entries, a live tail in sandbox), Errors (failures
// grouped by code and route) and Keys (a key's requests and errors per hour
// or day, drawn as an SVG chart by this page).
import { el } from "../dom.js";
import { currentEnv } from "../env.js";
import { api } from "./session.js";
import { failure, say, table, when } from "./ui.js";

const VIEW = "settings.request-logs.view";
const KEYS = "settings.integration-keys.manage";
const filters = [
  ["credential", "Credential", "key:<id>, user:<id> or an id"], ["status", "Status", "404 or 4xx"],
  ["method", "Method", "GET, POST…"], ["route", "Route", "/tickets/{id}"], ["error_code", "Error code", "e.g. not_found"],
  ["request_id", "Request id", "X-Request-ID"],
];
// Tabs, filters, pages and the chosen key stay as they are while the page
// is drawn again.
const view = { tab: "requests", filter: {}, cursors: [""], window: "24", key: "", bucket: "hour", tail: false };
let tailTimer = null;

const who = (r) => r.key_name ? "key “" + r.key_name + "”" : r.user_email || r.credential;

export default {
  id: "requests",
  permission: VIEW,
  async render(ctx) {
    clearInterval(tailTimer);
    const tabs = el("div", { class: "row subtabs", role: "group", "aria-label": "Request log views" },
      [["requests", "Requests"], ["errors", "Errors"], ["keys", "Keys"]].map(([id, label]) =>
        el("button", { type: "button", id: "log-tab-" + id, class: view.tab === id ? "" : "secondary", "aria-pressed": String(view.tab === id),
          onclick: () => { view.tab = id; ctx.refresh(); } }, label)));
    const body = view.tab === "errors" ? await errors(ctx) : view.tab === "keys" ? await keys(ctx) : await requests(ctx);
    say(ctx.box, tabs, ...[].concat(body));
  },
};

// detail opens a request: its events and audit entries.
async function detail(requestID) {
  const res = await api("GET", "/request-logs/" + encodeURIComponent(requestID));
  if (!res.ok) return el("div", {}, failureNode(res));
  const d = res.json.data;
  const r = d.request;
  const facts = [
    ["Path", r.path], ["Credential", r.credential + (r.via ? " (" + r.via + ")" : "")], ["Decision", (r.decision || "no permission needed") +
      (r.role ? " by role " + r.role + " (rule " + r.rule + ")" : "")], ["Permissions required", r.permissions.join(", ") || "—"],
    ["Error code", r.error_code || "—"], ["Idempotency key", r.idempotency_key || "—"], ["Client", r.client_ip + " · " + (r.user_agent || "—")],
  ];
  if (r.operation || r.cost) facts.push(["GraphQL", (r.operation || "(anonymous)") + " · cost " + r.cost]);
  const events = d.events.map((e) => el("li", {}, el("code", {}, e.type), " ", e.id));
  const audits = d.audit_events === null ? el("p", { class: "muted" }, "Audit entries need admin.audit.view.")
    : d.audit_events.length ? el("ul", {}, d.audit_events.map((a) => el("li", {}, el("code", {}, a.action), " " + a.entity_type + " " + a.entity_id)))
      : el("p", { class: "muted" }, "No audit entry.");
  return el("div", { class: "request-detail" },
    el("dl", {}, facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
    el("h4", {}, "Events"), events.length ? el("ul", {}, events) : el("p", { class: "muted" }, "No event."),
    el("h4", {}, "Audit entries"), audits);
}

function failureNode(res) {
  const box = el("div");
  failure(box, res);
  return box;
}

function requestRow(r) {
  const details = el("tr", { class: "details", hidden: true }, el("td", { colspan: "7" }, "Loading…"));
  const toggle = el("button", { type: "button", class: "secondary", "aria-expanded": "false", "aria-label": "Details of request " + r.request_id }, "Details");
  toggle.addEventListener("click", async () => {
    details.hidden = !details.hidden;
    toggle.setAttribute("aria-expanded", String(!details.hidden));
    if (!details.hidden) details.firstChild.replaceChildren(await detail(r.request_id));
  });
  const status = el("span", { class: r.status >= 400 ? "denied" : "allowed" }, String(r.status));
  return [el("tr", { "data-request": r.id },
    el("td", {}, when(r.created_at)), el("td", {}, el("code", {}, r.method + " " + (r.route || r.path))),
    el("td", {}, status, r.error_code ? " " + r.error_code : ""), el("td", {}, who(r)),
    el("td", {}, r.permission ? el("span", { class: r.decision }, r.decision + " ") : "—", r.permission ? el("code", {}, r.permission) : ""),
    el("td", {}, r.latency_ms.toFixed(1) + " ms"), el("td", {}, toggle)), details];
}

const headers = ["Time", "Request", "Status", "Credential", "Permission", "Latency", "More"];

async function requests(ctx) {
  const form = el("form", { id: "log-filters", class: "filters" },
    filters.map(([name, label, hint]) => el("div", { class: "field" }, el("label", { for: "log-" + name }, label),
      el("input", { id: "log-" + name, name, placeholder: hint, value: view.filter[name] || "", spellcheck: "false" }))),
    el("div", { class: "field" }, el("label", { for: "log-decision" }, "Decision"),
      el("select", { id: "log-decision", name: "decision" }, [["", "Any"], ["allowed", "Allowed"], ["denied", "Denied"]].map(([v, l]) =>
        el("option", { value: v, selected: (view.filter.decision || "") === v }, l)))),
    el("div", { class: "field" }, el("label", { for: "log-since" }, "From"), el("input", { id: "log-since", name: "since", type: "datetime-local", value: view.filter.since || "" })),
    el("div", { class: "field" }, el("label", { for: "log-until" }, "Until"), el("input", { id: "log-until", name: "until", type: "datetime-local", value: view.filter.until || "" })),
    el("div", { class: "row" }, el("button", { type: "submit" }, "Filter"), el("button", { type: "reset", class: "secondary" }, "Clear")));
  const read = () => Object.fromEntries([...new FormData(form)].filter(([, v]) => v !== ""));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); view.filter = read(); view.cursors = [""]; ctx.refresh(); });
  form.addEventListener("reset", () => { view.filter = {}; view.cursors = [""]; setTimeout(ctx.refresh); });
  const query = (cursor) => {
    const q = new URLSearchParams({ limit: "25" });
    for (const [k, v] of Object.entries(view.filter)) q.set(k, k === "since" || k === "until" ? new Date(v).toISOString() : v);
    if (cursor) q.set("cursor", cursor);
    return "/request-logs?" + q;
  };
  const res = await api("GET", query(view.cursors[view.cursors.length - 1]));
  if (!res.ok) {
    failure(ctx.status, res);
    return [form];
  }
  const tbody = table("Requests, newest first", headers, res.json.data.flatMap(requestRow));
  const meta = res.json.meta || {};
  const prev = el("button", { type: "button", class: "secondary", disabled: view.cursors.length < 2 }, "Previous page");
  prev.addEventListener("click", () => { view.cursors.pop(); ctx.refresh(); });
  const next = el("button", { type: "button", class: "secondary", disabled: !meta.has_more }, "Next page");
  next.addEventListener("click", () => { view.cursors.push(meta.next_cursor); ctx.refresh(); });

  // The live tail polls the first page every 2 s and adds what is new on top.
  const tailNote = el("span", { class: "muted", id: "tail-note", "aria-live": "polite" });
  let tail = null;
  if (currentEnv() === "sandbox") {
    tail = el("label", {}, el("input", { type: "checkbox", id: "log-tail", checked: view.tail && view.cursors.length === 1 }), " Live tail");
    const seen = new Set(res.json.data.map((r) => r.id));
    const poll = async () => {
      const r = await api("GET", query("")).catch(() => null);
      if (!r || !r.ok) return;
      const fresh = r.json.data.filter((x) => !seen.has(x.id));
      fresh.forEach((x) => seen.add(x.id));
      const body = tbody.querySelector("tbody");
      if (fresh.length && body.querySelector("td.muted")) body.replaceChildren();
      body.prepend(...fresh.flatMap(requestRow));
      tailNote.textContent = fresh.length ? fresh.length + " new at " + new Date().toLocaleTimeString() : "";
    };
    const start = () => { clearInterval(tailTimer); tailTimer = setInterval(() => document.getElementById("log-tail") ? poll() : clearInterval(tailTimer), 2000); };
    tail.firstChild.addEventListener("change", (ev) => {
      view.tail = ev.target.checked;
      if (view.tail && view.cursors.length > 1) { view.cursors = [""]; ctx.refresh(); return; }
      if (view.tail) start(); else clearInterval(tailTimer);
      tailNote.textContent = view.tail ? "Watching for new requests…" : "";
    });
    if (view.tail && view.cursors.length === 1) start();
  } else {
    tail = el("span", { class: "muted" }, "The live tail is offered in sandbox.");
  }
  return [form, el("div", { class: "row" }, tail, tailNote),
    view.filter.request_id ? el("p", {}, "Requests with id ", el("code", {}, view.filter.request_id), ".") : null,
    tbody, el("div", { class: "row pager" }, prev, el("span", { class: "muted" }, "Page " + view.cursors.length), next)];
}

function windowPicker(id, onchange) {
  return el("div", { class: "field" }, el("label", { for: id }, "Window"),
    el("select", { id, onchange: (ev) => { view.window = ev.target.value; onchange(); } },
      [["24", "Last 24 hours"], ["168", "Last 7 days"], ["336", "Last 14 days"]].map(([v, l]) => el("option", { value: v, selected: view.window === v }, l))));
}

const since = () => new Date(Date.now() - Number(view.window) * 3600e3).toISOString();

async function errors(ctx) {
  const res = await api("GET", "/request-logs/errors?since=" + encodeURIComponent(since()));
  const pick = el("div", { class: "filters" }, windowPicker("errors-window", ctx.refresh));
  if (!res.ok) {
    failure(ctx.status, res);
    return [pick];
  }
  const open = (id) => () => { view.tab = "requests"; view.filter = { request_id: id }; view.cursors = [""]; ctx.refresh(); };
  const rows = res.json.data.groups.map((g) => el("tr", {},
    el("td", {}, el("code", {}, g.code || "—")), el("td", {}, el("code", {}, g.method + " " + g.route)), el("td", {}, String(g.status)),
    el("td", {}, String(g.count)), el("td", {}, when(g.last_seen_at)),
    el("td", {}, el("button", { type: "button", class: "link", onclick: open(g.example_request_id), title: "Open this request" }, g.example_request_id))));
  return [pick, table("Failed requests by error code and route, most frequent first", ["Code", "Route", "Status", "Requests", "Last seen", "Example"], rows)];
}

async function keys(ctx) {
  const keysRes = ctx.can(KEYS) ? await api("GET", "/settings/integration-keys") : null;
  const list = keysRes && keysRes.ok ? keysRes.json.data : [];
  if (!view.key && list.length) view.key = "key:" + list[0].id;
  const keySelect = list.length
    ? el("select", { id: "usage-key", onchange: (ev) => { view.key = ev.target.value; ctx.refresh(); } },
      list.map((k) => el("option", { value: "key:" + k.id, selected: view.key === "key:" + k.id }, k.name + " (" + k.prefix + "…, " + k.status + ")")))
    : el("input", { id: "usage-key", value: view.key, placeholder: "key:<id>", onchange: (ev) => { view.key = ev.target.value.trim(); ctx.refresh(); } });
  const controls = el("div", { class: "filters" },
    el("div", { class: "field" }, el("label", { for: "usage-key" }, "Key"), keySelect), windowPicker("usage-window", ctx.refresh),
    el("div", { class: "field" }, el("label", { for: "usage-bucket" }, "Per"),
      el("select", { id: "usage-bucket", onchange: (ev) => { view.bucket = ev.target.value; ctx.refresh(); } },
        [["hour", "Hour"], ["day", "Day"]].map(([v, l]) => el("option", { value: v, selected: view.bucket === v }, l)))));
  const usage = list.length ? table("Keys, last 7 days", ["Key", "Requests", "Per day", "Error rate", "Last request"], list.map((k) => {
    const u = k.usage || { requests: 0, requests_per_day: 0, error_rate: 0, last_request_at: null };
    return el("tr", { "data-key": k.id }, el("td", {}, k.name), el("td", {}, String(u.requests)), el("td", {}, String(u.requests_per_day)),
      el("td", {}, (u.error_rate * 100).toFixed(1) + " %"), el("td", {}, when(u.last_request_at)));
  })) : null;
  if (!view.key) return [controls, el("p", { class: "muted" }, "Name a key (key:<id>) to see its requests over time.")];
  const q = new URLSearchParams({ credential: view.key, since: since(), bucket: view.bucket });
  const res = await api("GET", "/request-logs/stats?" + q);
  if (!res.ok) {
    failure(ctx.status, res);
    return [controls, usage];
  }
  const s = res.json.data;
  const figures = el("p", { id: "usage-figures" }, s.requests + " requests, " + s.errors + " errors (" + (s.error_rate * 100).toFixed(1) + " %) · last request: ", when(s.last_request_at));
  return [controls, figures, chart(s), usage];
}

// chart draws requests (bars) and errors (red bars in front) per bucket as
// SVG, with a table of the same figures for screen readers.
function chart(s) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = (tag, attrs, ...kids) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    e.append(...kids);
    return e;
  };
  const W = 720, H = 180, pad = 28, n = s.buckets.length || 1;
  const max = Math.max(1, ...s.buckets.map((b) => b.requests));
  const bw = (W - pad) / n;
  const y = (v) => H - pad - (v / max) * (H - pad * 1.5);
  const label = (b) => new Date(b.start).toLocaleString([], s.bucket === "day" ? { month: "short", day: "numeric" } : { month: "short", day: "numeric", hour: "2-digit" });
  const bars = s.buckets.flatMap((b, i) => [
    svg("rect", { x: pad + i * bw + 1, y: y(b.requests), width: Math.max(1, bw - 2), height: H - pad - y(b.requests), class: "bar-requests" },
      svg("title", {}, label(b) + ": " + b.requests + " requests, " + b.errors + " errors")),
    b.errors ? svg("rect", { x: pad + i * bw + 1, y: y(b.errors), width: Math.max(1, bw - 2), height: H - pad - y(b.errors), class: "bar-errors" }) : null,
  ].filter(Boolean));
  const ticks = [0, Math.floor(n / 2), n - 1].filter((v, i, a) => a.indexOf(v) === i && s.buckets[v]).map((i) =>
    svg("text", { x: pad + i * bw, y: H - 8, class: "tick" }, label(s.buckets[i])));
  const picture = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "usage-chart", role: "img", "aria-labelledby": "usage-chart-title" },
    svg("title", { id: "usage-chart-title" }, "Requests and errors per " + s.bucket), svg("text", { x: 2, y: 12, class: "tick" }, String(max)),
    svg("line", { x1: pad, y1: H - pad, x2: W, y2: H - pad, class: "axis" }), ...bars, ...ticks);
  const rows = s.buckets.filter((b) => b.requests).map((b) => el("tr", {}, el("td", {}, label(b)), el("td", {}, String(b.requests)), el("td", {}, String(b.errors))));
  return el("figure", { class: "chart" }, picture,
    el("figcaption", {}, el("span", { class: "legend-requests" }, "■ requests"), " ", el("span", { class: "legend-errors" }, "■ errors (status ≥ 400)")),
    el("details", {}, el("summary", {}, "The figures"), table("Requests and errors per " + s.bucket, ["From", "Requests", "Errors"], rows)));
}
