// The developer portal: plain JavaScript modules, no framework, no outside requests.
import { $, el } from "./dom.js";
import { bases, currentEnv, initEnv, keyStore, onEnv } from "./env.js";

const state = { env: "sandbox", lang: "curl", doc: null, stream: null };

// --- Overview -----------------------------------------------------------
function overview() {
  for (const env of ["sandbox", "live"]) {
    // A line may break after a slash, not inside a word.
    const parts = bases[env].split(/(?<=\/)/);
    $("base-" + env).replaceChildren(...parts.flatMap((p, i) => (i < parts.length - 1 ? [p, el("wbr", {})] : [p])));
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
      const rows = list.map((p) => el("tr", {}, el("td", {}, el("code", {}, p.name)), el("td", {}, p.description),
        el("td", {}, p.object ? ["Rows of ", el("code", {}, p.object), "; conditions on ", el("code", { class: "fields" }, p.condition_fields.join(" "))]
          : p.shows ? ["Shows ", el("code", { class: "fields" }, p.shows.join(" "))] : "—")));
      box.append(el("h3", {}, module), el("table", { class: "catalog" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Permission"), el("th", { scope: "col" }, "Allows"), el("th", { scope: "col" }, "Row conditions / fields"))),
        el("tbody", {}, ...rows)));
    }
  } catch (e) {
    box.replaceChildren(el("p", { class: "muted" }, "The catalog could not be loaded."));
  }
}

// --- Event catalog -------------------------------------------------------
async function eventCatalog() {
  const box = $("event-catalog");
  try {
    const r = await fetch(bases.sandbox + "/event-types");
    const rows = (await r.json()).data.map((e) => el("tr", {},
      el("td", {}, el("code", {}, e.name)), el("td", {}, el("code", {}, e.permission)), el("td", {}, e.description)));
    box.replaceChildren(el("table", { class: "catalog" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Event type"), el("th", { scope: "col" }, "Permission"), el("th", { scope: "col" }, "When"))),
      el("tbody", {}, ...rows)));
  } catch (e) {
    box.replaceChildren(el("p", { class: "muted" }, "The event catalog could not be loaded."));
  }
}

// --- Console -----------------------------------------------------------
// useEnv follows the header's toggle: the key field shows that mode's key.
function useEnv(env) {
  state.env = env;
  $("api-key").value = bearer() ? "" : sessionStorage.getItem(keyStore(env)) || "";
  useScheme();
}

// The credential is an integration key (X-API-Key) or a bearer token from
// POST /auth/token (a member's, which X-Tenant-ID can point at one of its tenants).
const bearer = () => $("auth-scheme").value === "bearer";

function useScheme() {
  $("api-key-label").textContent = bearer() ? "Bearer token" : "X-API-Key";
  $("api-key").placeholder = bearer() ? "eyJ… (access_token from /auth/token)" : state.env === "live" ? "cien_live_…" : "cien_test_…";
  renderParams();
}

// credential is the header that carries what the field holds.
function credential() {
  const v = $("api-key").value.trim();
  if (!v) return {};
  return bearer() ? { Authorization: "Bearer " + v } : { "X-API-Key": v };
}

// Parameters are the {name} tokens of the path and the body: each gets an
// input, offered the ids a list call returns.
const paramRE = /\{([a-z_]+)\}/g;
const listFor = {
  invoice_id: ["/invoices", "id"], session_id: ["/pos/sessions", "id"], customer_id: ["/customers", "id"],
  requester_id: ["/admin/members", "user_id"], assignee_id: ["/admin/members", "user_id"],
  role: ["/admin/roles", "name"], name: ["/admin/roles", "name"],
};

function paramNames() {
  const names = new Set();
  for (const text of [$("path").value, $("body").value]) for (const m of text.matchAll(paramRE)) names.add(m[1]);
  return [...names];
}

// listOf says which list call offers values for a parameter: the
// collection the path names before it, or the field's own collection.
function listOf(name) {
  if (listFor[name] && !(name === "name" && !$("path").value.startsWith("/admin/roles"))) return listFor[name];
  const path = $("path").value;
  const at = path.indexOf("/{" + name + "}");
  if (at > 0) {
    const base = path.slice(0, at).replace("/admin/integration-keys", "/settings/integration-keys");
    return [base, base === "/admin/members" ? "user_id" : "id"];
  }
  return null;
}

function renderParams() {
  const box = $("params");
  const old = {};
  for (const i of box.querySelectorAll("input")) old[i.dataset.param] = i.value;
  box.replaceChildren();
  for (const name of paramNames()) {
    const list = "choices-" + name;
    const input = el("input", { id: "param-" + name, "data-param": name, list, placeholder: "choose or paste", spellcheck: "false" });
    input.value = old[name] || "";
    input.addEventListener("input", renderSample);
    box.append(el("label", { for: "param-" + name }, "{" + name + "}"), input, el("datalist", { id: list }));
    loadChoices(name);
  }
  renderSample();
}

async function loadChoices(name) {
  const src = listOf(name);
  const key = $("api-key").value;
  if (!src || !key) return;
  try {
    const r = await fetch(bases[state.env] + src[0] + (src[0].includes("?") ? "&" : "?") + "limit=20", { headers: credential() });
    if (!r.ok) return;
    const list = $("choices-" + name);
    if (!list) return;
    for (const item of (await r.json()).data || []) {
      const label = item.display_number || item.number || item.title || item.name || item.email || item.register || item.receipt_number || "";
      list.append(el("option", { value: String(item[src[1]]), label: String(label) }));
    }
  } catch (e) { /* offline: the input still takes a pasted id */ }
}

function paramValues() {
  const values = {};
  for (const i of $("params").querySelectorAll("input")) values[i.dataset.param] = i.value.trim();
  return values;
}

function multipart() {
  return !$("file-row").hidden;
}

// operationFor finds the documented operation of a method and path (a
// template such as /tickets/{id}, or a path with the ids filled in).
function operationFor(method, path) {
  if (!state.doc) return null;
  path = path.split("?")[0];
  for (const [tpl, item] of Object.entries(state.doc.paths)) {
    // {name} matches one segment: an id, or the {name} itself.
    const re = new RegExp("^" + tpl.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[a-z_]+\}/g, "[^/]+") + "$");
    if (re.test(path) && item[method.toLowerCase()]) return item[method.toLowerCase()];
  }
  return null;
}

// syncForm shows the file picker only where the route takes an upload.
function syncForm() {
  const op = operationFor($("method").value, $("path").value.trim());
  const upload = !!(op && op.requestBody && op.requestBody.content && op.requestBody.content["multipart/form-data"]);
  $("file-row").hidden = !upload;
  $("body-label").textContent = upload ? "Form fields (as JSON)" : "JSON body";
}

function currentRequest() {
  const method = $("method").value;
  const values = paramValues();
  let path = $("path").value.trim();
  if (!path.startsWith("/")) path = "/" + path;
  path = path.replace(paramRE, (all, name) => values[name] ? encodeURIComponent(values[name]) : all);
  const headers = credential();
  if ($("tenant").value) headers["X-Tenant-ID"] = $("tenant").value;
  if ($("idem").value) headers["Idempotency-Key"] = $("idem").value;
  let body = method === "GET" || method === "DELETE" ? "" : $("body").value.trim();
  body = body.replace(/"\{([a-z_]+)\}"/g, (all, name) => values[name] ? JSON.stringify(values[name]) : all);
  const req = { method, url: bases[state.env] + path, headers, body, missing: paramNames().filter((n) => !values[n]) };
  if (multipart()) {
    req.fields = [];
    let parsed = {};
    try { parsed = body ? JSON.parse(body) : {}; } catch (e) { /* reported on send */ }
    for (const [k, v] of Object.entries(parsed)) {
      if (k === "file") continue;
      for (const one of Array.isArray(v) ? v : [v]) req.fields.push([k, String(one)]);
    }
    req.file = $("file").files[0] || null;
    req.body = "";
  } else if (body) {
    headers["Content-Type"] = "application/json";
  }
  return req;
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
  if (req.missing.length) {
    show("bad", "Fill in " + req.missing.map((n) => "{" + n + "}").join(", ") + " first: pick one from the list or paste an id.", "", "", null);
    $("param-" + req.missing[0]).focus();
    return;
  }
  if (!multipart() && req.body) {
    try { JSON.parse(req.body); } catch (e) {
      show("bad", "The body is not valid JSON: " + e.message, "", "", null);
      return;
    }
  }
  if (multipart() && !req.file) {
    show("bad", "Choose the file to upload first.", "", "", null);
    $("file").focus();
    return;
  }
  const write = req.method !== "GET";
  if (state.env === "live" && write) {
    if (!$("api-key").value) {
      show("bad", bearer() ? "Paste a live access token first: nothing was sent." : "Paste a live key (cien_live_…) first: nothing was sent.", "", "", null);
      $("api-key").focus();
      return;
    }
    show("", "Waiting for your confirmation…", "", "", null);
    if (!(await confirmLive(req))) {
      show("", "Cancelled: nothing was sent to live.", "", "", null);
      return;
    }
  }
  show("", "Sending…", "", "", null);
  const started = performance.now();
  try {
    let body = req.body || undefined;
    if (multipart()) {
      body = new FormData();
      for (const [k, v] of req.fields) body.append(k, v);
      body.append("file", req.file, req.file.name);
    }
    stopStream();
    const abort = new AbortController();
    const r = await fetch(req.url, { method: req.method, headers: req.headers, body, signal: abort.signal });
    const ms = Math.round(performance.now() - started);
    const hdrs = [...r.headers.entries()].map(([k, v]) => k + ": " + v).join("\n");
    if (r.ok && (r.headers.get("Content-Type") || "").startsWith("text/event-stream")) {
      return streamInto(r, abort, ms, hdrs);
    }
    const text = await r.text();
    let pretty = text, json = null;
    try { json = JSON.parse(text); pretty = JSON.stringify(json, null, 2); } catch (e) { /* not JSON */ }
    const ok = r.ok && !(json && Array.isArray(json.errors));
    show(ok ? "ok" : "bad", r.status + " " + (r.statusText || ""), ms + " ms", hdrs, json, pretty);
  } catch (e) {
    show("bad", "Network error: " + e.message, "", "", null);
  }
}

// streamInto shows a server-sent event stream as it comes, until Stop (or
// another request) ends it.
async function streamInto(r, abort, ms, hdrs) {
  state.stream = abort;
  $("stop").hidden = false;
  show("ok", r.status + " " + (r.statusText || "") + " — streaming; each event appears as it arrives", ms + " ms", hdrs, null, "");
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      $("resp-body").textContent += value;
    }
    $("status").textContent = r.status + " — the stream ended";
  } catch (e) {
    if (abort.signal.aborted) $("status").textContent = r.status + " — stream stopped";
    else show("bad", "The stream broke: " + e.message, "", hdrs, null, $("resp-body").textContent);
  } finally {
    if (state.stream === abort) { state.stream = null; $("stop").hidden = true; }
  }
}

function stopStream() {
  if (state.stream) state.stream.abort();
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
  } else if (json && Array.isArray(json.errors)) {
    // GraphQL: a list of errors, each with extensions.code (and field errors for VALIDATION).
    const items = json.errors.map((e) => {
      const ext = e.extensions || {};
      const fields = ext.errors ? " " + Object.entries(ext.errors).map(([f, m]) => f + ": " + [].concat(m).join(" ")).join("; ") : "";
      return el("li", {}, el("code", {}, ext.code || "ERROR"), ": " + e.message + fields);
    });
    sum.append(el("ul", { class: "field-errors" }, ...items));
  } else if (json && json.errors && typeof json.errors === "object") {
    const items = Object.entries(json.errors).map(([f, msgs]) => el("li", {}, el("code", {}, f), ": " + [].concat(msgs).join(" ")));
    sum.append(el("ul", { class: "field-errors" }, ...items));
  }
}

// --- Code samples --------------------------------------------------------
const sq = (s) => "'" + s.replace(/'/g, "'\\''") + "'";
const generators = {
  curl(r) {
    const parts = ["curl -sS -X " + r.method + " " + sq(r.url)];
    for (const [k, v] of Object.entries(r.headers)) parts.push("-H " + sq(k + ": " + v));
    if (r.fields) {
      for (const [k, v] of r.fields) parts.push("-F " + sq(k + "=" + v));
      parts.push("-F " + sq("file=@" + (r.file ? r.file.name : "contract.pdf")));
    }
    if (r.body) parts.push("--data-raw " + sq(r.body));
    return parts.join(" \\\n  ");
  },
  js(r) {
    if (r.fields) {
      const lines = ["const form = new FormData();"];
      for (const [k, v] of r.fields) lines.push("form.append(" + JSON.stringify(k) + ", " + JSON.stringify(v) + ");");
      lines.push("form.append(\"file\", fileInput.files[0]); // an <input type=file>, or a Blob",
        "const res = await fetch(" + JSON.stringify(r.url) + ", { method: " + JSON.stringify(r.method) + ", headers: " + JSON.stringify(r.headers) + ", body: form });",
        "console.log(res.status, await res.json());");
      return lines.join("\n");
    }
    const opts = { method: r.method, headers: r.headers };
    let s = "const res = await fetch(" + JSON.stringify(r.url) + ", " + JSON.stringify(opts, null, 2).replace(/\n}$/, "");
    if (r.body) s += ",\n  \"body\": JSON.stringify(" + r.body + ")";
    return s + "\n});\nconsole.log(res.status, await res.json());";
  },
  go(r) {
    if (r.fields) {
      const name = r.file ? r.file.name : "contract.pdf";
      const lines = ["package main", "", "import (", "\t\"bytes\"", "\t\"fmt\"", "\t\"io\"", "\t\"mime/multipart\"", "\t\"net/http\"", "\t\"os\"", ")", "", "func main() {",
        "\tvar body bytes.Buffer", "\tw := multipart.NewWriter(&body)"];
      for (const [k, v] of r.fields) lines.push("\tw.WriteField(" + JSON.stringify(k) + ", " + JSON.stringify(v) + ")");
      lines.push("\tf, err := os.Open(" + JSON.stringify(name) + ")", "\tif err != nil {", "\t\tpanic(err)", "\t}",
        "\tpart, _ := w.CreateFormFile(\"file\", " + JSON.stringify(name) + ")", "\tio.Copy(part, f)", "\tw.Close()",
        "\treq, _ := http.NewRequest(" + JSON.stringify(r.method) + ", " + JSON.stringify(r.url) + ", &body)",
        "\treq.Header.Set(\"Content-Type\", w.FormDataContentType())");
      for (const [k, v] of Object.entries(r.headers)) lines.push("\treq.Header.Set(" + JSON.stringify(k) + ", " + JSON.stringify(v) + ")");
      lines.push("\tres, err := http.DefaultClient.Do(req)", "\tif err != nil {", "\t\tpanic(err)", "\t}", "\tdefer res.Body.Close()",
        "\tout, _ := io.ReadAll(res.Body)", "\tfmt.Println(res.Status, string(out))", "}");
      return lines.join("\n");
    }
    const lines = ["package main", "", "import (", "\t\"fmt\"", "\t\"io\"", "\t\"net/http\"", "\t\"strings\"", ")", "", "func main() {",
      "\treq, err := http.NewRequest(" + JSON.stringify(r.method) + ", " + JSON.stringify(r.url) + ", strings.NewReader(" + JSON.stringify(r.body) + "))",
      "\tif err != nil {", "\t\tpanic(err)", "\t}"];
    for (const [k, v] of Object.entries(r.headers)) lines.push("\treq.Header.Set(" + JSON.stringify(k) + ", " + JSON.stringify(v) + ")");
    lines.push("\tres, err := http.DefaultClient.Do(req)", "\tif err != nil {", "\t\tpanic(err)", "\t}", "\tdefer res.Body.Close()",
      "\tbody, _ := io.ReadAll(res.Body)", "\tfmt.Println(res.Status, string(body))", "}");
    return lines.join("\n");
  },
  python(r) {
    if (r.fields) {
      const name = r.file ? r.file.name : "contract.pdf";
      return ["# pip install requests", "import requests", "",
        "res = requests.request(" + JSON.stringify(r.method) + ", " + JSON.stringify(r.url) + ",",
        "    headers=" + JSON.stringify(r.headers) + ",",
        // A list of pairs, not a dict: repeated fields (tags) must all go.
        "    data=[" + r.fields.map(([k, v]) => "(" + JSON.stringify(k) + ", " + JSON.stringify(v) + ")").join(", ") + "],",
        "    files={\"file\": open(" + JSON.stringify(name) + ", \"rb\")})",
        "print(res.status_code, res.json())"].join("\n");
    }
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
function fill(method, path, op) {
  $("method").value = method.toUpperCase();
  $("path").value = path;
  syncForm();
  let body = exampleOf(op) || (op.requestBody ? {} : null);
  if (body && typeof body === "object") {
    body = Object.assign({}, body);
    delete body.file;
    // Ids in examples stand for ids of your own: ask for them.
    for (const [k, v] of Object.entries(body)) if (v === "00000000-0000-0000-0000-000000000000") body[k] = "{" + k + "}";
  }
  $("body").value = body ? JSON.stringify(body, null, 2) : "";
  renderParams();
  $("console").scrollIntoView();
  const first = $("params").querySelector("input");
  (first || $("send")).focus();
}

function exampleOf(op) {
  const content = (op.requestBody && op.requestBody.content) || {};
  const c = content["application/json"] || content["multipart/form-data"];
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
      el("button", { type: "button", onclick: () => fill(r.method, r.path, r.op), "aria-label": "Try " + r.method.toUpperCase() + " " + r.path }, "Try it")));
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
// httpWarning: a key typed on a page served in clear text from another
// machine is a leaked key.
function httpWarning() {
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(window.location.hostname);
  if (window.location.protocol !== "http:" || local) return;
  const https = "https://" + window.location.host + window.location.pathname;
  $("https-link").href = https;
  $("https-link").textContent = https;
  $("http-warning").hidden = false;
}

document.addEventListener("DOMContentLoaded", () => {
  httpWarning();
  overview();
  initEnv();
  useEnv(currentEnv());
  onEnv(useEnv);
  $("request").addEventListener("submit", send);
  $("request").addEventListener("input", renderSample);
  $("path").addEventListener("change", () => { syncForm(); renderParams(); });
  $("auth-scheme").addEventListener("change", () => useEnv(state.env));
  $("stop").addEventListener("click", stopStream);
  $("body").addEventListener("change", renderParams);
  // The key is kept as it is typed, so the explorer and the reference have it at once.
  $("api-key").addEventListener("input", () => { if (!bearer()) sessionStorage.setItem(keyStore(state.env), $("api-key").value); });
  $("api-key").addEventListener("change", renderParams);
  $("file").addEventListener("change", renderSample);
  $("method").addEventListener("change", () => { syncForm(); renderSample(); });
  for (const b of document.querySelectorAll("[data-lang]")) b.addEventListener("click", () => { state.lang = b.dataset.lang; renderSample(); });
  $("copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("sample").textContent);
      $("copied").textContent = "Copied.";
    } catch (e) {
      $("copied").textContent = "Copy failed: select the sample and copy it by hand.";
    }
    setTimeout(() => { $("copied").textContent = ""; }, 2000);
  });
  catalog();
  eventCatalog();
  openapi();
});
