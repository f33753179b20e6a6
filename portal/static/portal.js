// The developer portal: plain JavaScript, no framework, no outside requests.
"use strict";

const $ = (id) => document.getElementById(id);
const origin = window.location.origin;
const bases = { sandbox: origin + "/api/sandbox", live: origin + "/api" };
const state = { env: "sandbox", lang: "curl", doc: null };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

// --- Overview -----------------------------------------------------------
function overview() {
  for (const env of ["sandbox", "live"]) {
    $("base-" + env).textContent = bases[env];
    const link = $("ping-" + env);
    link.href = bases[env] + "/ping";
    fetch(bases[env] + "/ping").then((r) => {
      $("ping-" + env + "-status").textContent = r.ok ? "up" : "HTTP " + r.status;
    }).catch(() => { $("ping-" + env + "-status").textContent = "unreachable"; });
  }
  $("token-example").textContent =
    "curl -X POST " + bases.sandbox + "/auth/token \\\n" +
    "  -d grant_type=client_credentials \\\n" +
    "  -d client_secret=cien_test_…\n\n" +
    "curl -X POST " + bases.live + "/auth/token \\\n" +
    "  -d grant_type=password -d username=you@example.com -d password=… -d tenant=your-tenant";
}

// --- Permissions -----------------------------------------------------------
async function catalog() {
  const box = $("catalog");
  try {
    const r = await fetch(bases.sandbox + "/permissions");
    const perms = (await r.json()).data;
    const byModule = {};
    for (const p of perms) (byModule[p.module] = byModule[p.module] || []).push(p);
    box.replaceChildren();
    for (const [module, list] of Object.entries(byModule).sort()) {
      const rows = list.map((p) => el("tr", {}, el("td", {}, el("code", {}, p.name)), el("td", {}, p.description)));
      box.append(el("h3", {}, module), el("table", { class: "catalog" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Permission"), el("th", { scope: "col" }, "Allows"))),
        el("tbody", {}, ...rows)));
    }
  } catch (e) {
    box.replaceChildren(el("p", { class: "muted" }, "The catalog could not be loaded."));
  }
}

// --- Console -----------------------------------------------------------
const keyStore = (env) => "cien-portal-key-" + env;

function setEnv(env) {
  state.env = env;
  $("console-base").textContent = bases[env];
  document.querySelector(".env-toggle").classList.toggle("live", env === "live");
  $("api-key").value = sessionStorage.getItem(keyStore(env)) || "";
  $("api-key").placeholder = env === "live" ? "cien_live_…" : "cien_test_…";
  renderSample();
}

function currentRequest() {
  const method = $("method").value;
  let path = $("path").value.trim();
  if (!path.startsWith("/")) path = "/" + path;
  const headers = {};
  if ($("api-key").value) headers["X-API-Key"] = $("api-key").value;
  if ($("tenant").value) headers["X-Tenant-ID"] = $("tenant").value;
  if ($("idem").value) headers["Idempotency-Key"] = $("idem").value;
  const body = method === "GET" || method === "DELETE" ? "" : $("body").value.trim();
  if (body) headers["Content-Type"] = "application/json";
  return { method, url: bases[state.env] + path, headers, body };
}

function confirmLive(req) {
  return new Promise((resolve) => {
    const d = $("confirm-live");
    $("confirm-text").textContent = req.method + " " + req.url + " changes live data.";
    d.addEventListener("close", () => resolve(d.returnValue === "ok"), { once: true });
    d.showModal();
    $("confirm-cancel").focus();
  });
}

async function send(ev) {
  ev.preventDefault();
  const req = currentRequest();
  if (req.body) {
    try { JSON.parse(req.body); } catch (e) {
      show("bad", "The body is not valid JSON: " + e.message, "", "", null);
      return;
    }
  }
  if (state.env === "live" && req.method !== "GET") {
    $("status").className = "";
    $("status").textContent = "Waiting for your confirmation…";
  }
  if (state.env === "live" && req.method !== "GET" && !(await confirmLive(req))) {
    show("", "Cancelled: nothing was sent to live.", "", "", null);
    return;
  }
  sessionStorage.setItem(keyStore(state.env), $("api-key").value);
  $("status").textContent = "Sending…";
  const started = performance.now();
  try {
    const r = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body || undefined });
    const ms = Math.round(performance.now() - started);
    const text = await r.text();
    let pretty = text, json = null;
    try { json = JSON.parse(text); pretty = JSON.stringify(json, null, 2); } catch (e) { /* not JSON */ }
    const hdrs = [...r.headers.entries()].map(([k, v]) => k + ": " + v).join("\n");
    show(r.ok ? "ok" : "bad", r.status + " " + (r.statusText || ""), ms + " ms", hdrs, json, pretty);
  } catch (e) {
    show("bad", "Network error: " + e.message, "", "", null);
  }
}

function show(cls, status, timing, headers, json, pretty) {
  $("status").className = cls;
  $("status").textContent = status;
  $("timing").textContent = timing;
  $("resp-headers").textContent = headers;
  $("resp-body").textContent = pretty || "";
  const sum = $("summary");
  sum.replaceChildren();
  const data = json && json.data;
  if (data && data.grand_total !== undefined) {
    sum.append(el("table", { class: "totals", id: "quote-totals" },
      el("tbody", {},
        el("tr", {}, el("th", { scope: "row" }, "Subtotal"), el("td", {}, data.subtotal + " " + data.currency)),
        el("tr", {}, el("th", { scope: "row" }, "Discounts"), el("td", {}, data.discount_total + " " + data.currency)),
        el("tr", {}, el("th", { scope: "row" }, "Tax"), el("td", {}, data.tax_total + " " + data.currency)),
        el("tr", {}, el("th", { scope: "row" }, "Grand total"), el("td", { id: "grand-total" }, data.grand_total + " " + data.currency)))));
  } else if (json && json.errors) {
    const items = Object.entries(json.errors).map(([f, msgs]) => el("li", {}, el("code", {}, f), ": " + msgs.join(" ")));
    sum.append(el("ul", { class: "field-errors" }, ...items));
  }
}

// --- Code samples --------------------------------------------------------
const sq = (s) => "'" + s.replace(/'/g, "'\\''") + "'";
const generators = {
  curl(r) {
    const parts = ["curl -sS -X " + r.method + " " + sq(r.url)];
    for (const [k, v] of Object.entries(r.headers)) parts.push("-H " + sq(k + ": " + v));
    if (r.body) parts.push("--data-raw " + sq(r.body));
    return parts.join(" \\\n  ");
  },
  js(r) {
    const opts = { method: r.method, headers: r.headers };
    let s = "const res = await fetch(" + JSON.stringify(r.url) + ", " + JSON.stringify(opts, null, 2).replace(/\n}$/, "");
    if (r.body) s += ",\n  \"body\": JSON.stringify(" + r.body + ")";
    return s + "\n});\nconsole.log(res.status, await res.json());";
  },
  go(r) {
    const lines = ["package main", "", "import (", "\t\"fmt\"", "\t\"io\"", "\t\"net/http\"", "\t\"strings\"", ")", "", "func main() {",
      "\treq, err := http.NewRequest(" + JSON.stringify(r.method) + ", " + JSON.stringify(r.url) + ", strings.NewReader(" + JSON.stringify(r.body) + "))",
      "\tif err != nil {", "\t\tpanic(err)", "\t}"];
    for (const [k, v] of Object.entries(r.headers)) lines.push("\treq.Header.Set(" + JSON.stringify(k) + ", " + JSON.stringify(v) + ")");
    lines.push("\tres, err := http.DefaultClient.Do(req)", "\tif err != nil {", "\t\tpanic(err)", "\t}", "\tdefer res.Body.Close()",
      "\tbody, _ := io.ReadAll(res.Body)", "\tfmt.Println(res.Status, string(body))", "}");
    return lines.join("\n");
  },
  python(r) {
    const lines = ["import json, urllib.request", "",
      "req = urllib.request.Request(", "    " + JSON.stringify(r.url) + ",", "    method=" + JSON.stringify(r.method) + ","];
    if (r.body) lines.push("    data=" + JSON.stringify(r.body) + ".encode(),");
    lines.push("    headers=" + JSON.stringify(r.headers) + ",", ")",
      "try:", "    with urllib.request.urlopen(req) as res:", "        print(res.status, json.load(res))",
      "except urllib.error.HTTPError as err:", "    print(err.code, json.load(err))");
    return lines.join("\n");
  },
};

function renderSample() {
  $("sample").textContent = generators[state.lang](currentRequest());
  for (const b of document.querySelectorAll("[data-lang]")) b.setAttribute("aria-selected", String(b.dataset.lang === state.lang));
}

// --- From the OpenAPI document ---------------------------------------------
function fill(method, path, body) {
  $("method").value = method.toUpperCase();
  $("path").value = path;
  $("body").value = body ? JSON.stringify(body, null, 2) : "";
  renderSample();
  $("console").scrollIntoView();
  $("send").focus();
}

function exampleOf(op) {
  const c = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
  return c && c.example;
}

function fromDocument(doc) {
  state.doc = doc;
  const list = $("paths");
  const modules = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    list.append(el("option", { value: path }));
    for (const [method, op] of Object.entries(item)) {
      if (method === "servers") continue;
      const tag = (op.tags || ["Other"])[0];
      (modules[tag] = modules[tag] || []).push({ method, path, op });
    }
  }
  const box = $("module-list");
  box.replaceChildren();
  for (const t of doc.tags) {
    const routes = modules[t.name] || [];
    const rows = routes.map((r) => el("div", { class: "route" },
      el("span", { class: "m" }, r.method.toUpperCase()), el("span", { class: "p" }, r.path),
      el("span", {}, r.op.summary, r.op["x-permission"] ? el("span", { class: "perm" }, " · " + r.op["x-permission"]) : ""),
      el("button", { type: "button", onclick: () => fill(r.method, r.path, exampleOf(r.op) || (r.op.requestBody ? {} : null)), "aria-label": "Try " + r.method.toUpperCase() + " " + r.path }, "Try it")));
    box.append(el("div", { class: "module" }, el("h3", {}, t.name), el("p", { class: "muted" }, t.description), ...rows));
  }
  const errors = $("error-list");
  errors.replaceChildren();
  const success = el("pre", { id: "success-example" }, "…");
  errors.append(el("h3", {}, "200 — success (GET /ping, live from the server)"), success);
  fetch(bases.sandbox + "/ping").then((r) => r.json()).then((j) => { success.textContent = JSON.stringify(j, null, 2); }).catch(() => {});
  const codes = { ValidationFailed: 422, Unauthenticated: 401, Forbidden: 403, NotFound: 404, TooManyRequests: 429, Conflict: 409 };
  for (const [name, status] of Object.entries(codes)) {
    const r = doc.components.responses[name];
    const ex = r && r.content["application/json"].example;
    if (ex) errors.append(el("h3", {}, status + " — " + r.description), el("pre", {}, JSON.stringify(ex, null, 2)));
  }
  // The preloaded sample: the public quote calculation, with the documented example.
  const quote = doc.paths["/quote/calculate"] && doc.paths["/quote/calculate"].post;
  if (quote && !$("body").value) {
    $("method").value = "POST";
    $("path").value = "/quote/calculate";
    $("body").value = JSON.stringify(exampleOf(quote), null, 2);
  }
  renderSample();
}

async function openapi() {
  try {
    const r = await fetch(bases.sandbox + "/openapi.json");
    fromDocument(await r.json());
  } catch (e) {
    $("module-list").replaceChildren(el("p", { class: "muted" }, "The API description could not be loaded."));
  }
}

// --- Wiring ------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  overview();
  setEnv("sandbox");
  for (const r of document.querySelectorAll("input[name=env]")) r.addEventListener("change", (e) => setEnv(e.target.value));
  $("request").addEventListener("submit", send);
  $("request").addEventListener("input", renderSample);
  $("method").addEventListener("change", renderSample);
  for (const b of document.querySelectorAll("[data-lang]")) b.addEventListener("click", () => { state.lang = b.dataset.lang; renderSample(); });
  $("copy").addEventListener("click", () => {
    if (navigator.clipboard) navigator.clipboard.writeText($("sample").textContent).catch(() => {});
  });
  catalog();
  openapi();
});
