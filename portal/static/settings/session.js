// The signed-in user's session: the password grant of the token endpoint,
// its tokens kept in this tab's session storage (never anywhere else),
// refreshed a minute before the access token expires, and the one function
// every settings page calls the API through.
import { ask } from "../dom.js";
import { base, currentEnv } from "../env.js";

const store = "cien-settings-session";
let session = null;
let timer = null;
const listeners = [];

try { session = JSON.parse(sessionStorage.getItem(store)); } catch (e) { session = null; }

function save() {
  if (session) sessionStorage.setItem(store, JSON.stringify(session)); else sessionStorage.removeItem(store);
}

export const current = () => session;

// onSignOut calls fn(reason) when the session ends, asked for or not.
export function onSignOut(fn) { listeners.push(fn); }

async function grant(params) {
  const r = await fetch(base() + "/auth/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params),
  });
  let j = {};
  try { j = await r.json(); } catch (e) { /* not JSON: reported below */ }
  if (!r.ok) throw new Error(j.error_description || j.message || "The token endpoint answered HTTP " + r.status + ".");
  return j;
}

function keep(tokens, extra) {
  session = Object.assign({}, session, extra, {
    access: tokens.access_token,
    refresh: tokens.refresh_token,
    expiresAt: Date.now() + tokens.expires_in * 1000,
  });
  if (tokens.tenants) session.tenants = tokens.tenants;
  save();
  schedule();
}

function schedule() {
  clearTimeout(timer);
  if (!session) return;
  timer = setTimeout(() => { refresh().catch(() => {}); }, Math.max(0, session.expiresAt - Date.now() - 60000));
}

export async function signIn(email, password) {
  const tokens = await grant({ grant_type: "password", username: email, password });
  const tenants = tokens.tenants || [];
  session = null;
  keep(tokens, { email, tenant: tenants.length ? tenants[0].slug : "" });
}

let refreshing = null;
async function refresh() {
  if (!session) throw new Error("Not signed in.");
  refreshing = refreshing || grant({ grant_type: "refresh_token", refresh_token: session.refresh })
    .then((tokens) => keep(tokens, {}))
    .catch((e) => { signOut("Your session ended (" + e.message + "): sign in again."); throw e; })
    .finally(() => { refreshing = null; });
  return refreshing;
}

export function signOut(reason) {
  clearTimeout(timer);
  session = null;
  save();
  for (const fn of listeners) fn(reason || "");
}

export function setTenant(slug) {
  session.tenant = slug;
  save();
}

// Cancelled is thrown when a live write was not confirmed.
export class Cancelled extends Error {}

// liveOK asks before a write to live data and resolves whether to go on;
// in sandbox it says yes at once.
export async function liveOK(what) {
  if (currentEnv() !== "live") return true;
  return ask("Change live data?", [what, "This is the live environment: the change applies to real data."], "Apply to live", true);
}

// api calls the API in the portal's environment as the signed-in user and
// resolves { status, ok, json }; a write to live asks first unless the
// caller already asked (opts.asked) or it writes nothing (opts.dryRun).
export async function api(method, path, body, opts) {
  opts = opts || {};
  if (!session) throw new Error("Not signed in.");
  if (method !== "GET" && !opts.asked && !opts.dryRun && !(await liveOK(method + " " + path))) throw new Cancelled("Cancelled: nothing was changed.");
  if (session.expiresAt - Date.now() < 30000) await refresh();
  const send = () => {
    const headers = { Authorization: "Bearer " + session.access };
    if (session.tenant) headers["X-Tenant-ID"] = session.tenant;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(base() + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  let r = await send();
  if (r.status === 401) { // the access token was refused: refresh once
    await refresh();
    r = await send();
  }
  let json = null;
  const text = await r.text();
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = { message: text }; }
  return { status: r.status, ok: r.ok, json: json || {} };
}

schedule();
