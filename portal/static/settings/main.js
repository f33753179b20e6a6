// The Settings console: sign-in, the tenant picker and the pages, each
// page using only the public API with the signed-in user's permissions.
import { $, el } from "../dom.js";
import { initEnv, onEnv } from "../env.js";
import { api, current, onSignOut, setTenant, signIn, signOut } from "./session.js";
import { failure, matches, say } from "./ui.js";
import keys from "./keys.js";
import roles from "./roles.js";
import members from "./members.js";
import policyPage from "./policy.js";
import audit from "./audit.js";
import webhooks from "./webhooks.js";
import requests from "./requests.js";

const pages = [keys, roles, members, policyPage, audit, requests, webhooks];
let me = null;

function can(perm) {
  return !!me && me.permissions.some((p) => matches(p, perm));
}

// needs is what a page shows instead of failing when a permission is missing.
function needs(perm, what) {
  return el("p", { class: "needs", role: "note" }, (what || "This page") + " needs the permission ", el("code", {}, perm),
    ", which your roles (" + (me.roles.join(", ") || "none") + ") do not grant. Ask a tenant admin for it.");
}

function showSignIn(reason) {
  me = null;
  $("app").hidden = true;
  $("account").hidden = true;
  $("signin-section").hidden = false;
  $("signin-error").textContent = reason || "";
}

async function showApp() {
  $("signin-section").hidden = true;
  const s = current();
  const picker = $("tenant-picker");
  picker.replaceChildren(...(s.tenants || []).map((t) => el("option", { value: t.slug }, t.slug)));
  picker.value = s.tenant;
  $("tenant-field").hidden = (s.tenants || []).length < 2;
  $("who").textContent = s.email;
  $("account").hidden = false;
  const res = await api("GET", "/me").catch((e) => ({ status: 0, ok: false, json: { message: e.message } }));
  if (!res.ok) {
    $("app").hidden = false;
    failure(statusLine(), res);
    return;
  }
  me = res.json.data;
  $("who").textContent = s.email + " · " + (me.roles.join(", ") || "no roles");
  $("app").hidden = false;
  route();
}

// statusLine is the page's status line. say() puts it beside the control
// that caused its message, which may be inside the page being drawn
// again: route brings it back to its place first, so it is not lost.
let status = null;
const statusLine = () => (status = status || $("page-status"));
function keepStatus() {
  $("page-status-home").insertAdjacentElement("afterend", statusLine());
}

// route shows the page the hash names; it resolves once the page is drawn.
// refresh (after a change) draws it again in place: no "Loading…", so the
// page keeps its height and the reader's scroll position.
const refresh = () => route(true);
async function route(quiet) {
  if (!me) return;
  const id = (window.location.hash || "#keys").slice(1);
  const page = pages.find((p) => p.id === id) || pages[0];
  for (const p of pages) {
    $(p.id).hidden = p !== page;
    const link = document.querySelector('.tabs a[href="#' + p.id + '"]');
    if (p === page) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  const box = $(page.id).querySelector(".page-body");
  keepStatus();
  if (quiet !== true) say(statusLine());
  if (page.permission && !can(page.permission)) {
    box.replaceChildren(needs(page.permission));
    return;
  }
  if (quiet !== true) box.replaceChildren(el("p", { class: "muted" }, "Loading…"));
  // aria-busy while the page is being drawn: assistive technology (and the
  // browser tests) wait for the new content rather than read the old.
  box.setAttribute("aria-busy", "true");
  try {
    return await page.render({ box, status: statusLine(), me, can, needs, refresh });
  } catch (e) {
    failure(statusLine(), e);
  } finally {
    box.removeAttribute("aria-busy");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  initEnv();
  onSignOut(showSignIn);
  $("signin").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("signin-error").textContent = "";
    $("signin-submit").disabled = true;
    try {
      await signIn($("email").value.trim(), $("password").value);
      $("password").value = "";
      await showApp();
    } catch (e) {
      $("signin-error").textContent = e.message;
    } finally {
      $("signin-submit").disabled = false;
    }
  });
  $("sign-out").addEventListener("click", () => signOut("Signed out."));
  $("tenant-picker").addEventListener("change", () => { setTenant($("tenant-picker").value); showApp(); });
  window.addEventListener("hashchange", route);
  onEnv(() => { if (me) route(); });
  if (current()) showApp(); else showSignIn();
});
