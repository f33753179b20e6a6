// The portal's environment, sandbox or live: chosen with the toggle in the
// header of every page, kept in this tab's session storage (the explorer
// and the API reference read it too) and announced as a "cien-env" event.
import { $, el } from "./dom.js";

export const bases = { sandbox: window.location.origin + "/api/sandbox", live: window.location.origin + "/api" };
const store = "cien-portal-env";

// keyStore names where the console's key for env is kept (this tab's
// session storage; the explorer and the API reference read it too).
export const keyStore = (env) => "cien-portal-key-" + env;

export function currentEnv() {
  return sessionStorage.getItem(store) === "live" ? "live" : "sandbox";
}

export function base() {
  return bases[currentEnv()];
}

// onEnv calls fn with the new environment whenever the toggle changes it.
export function onEnv(fn) {
  document.addEventListener("cien-env", (e) => fn(e.detail));
}

function show(env) {
  document.body.classList.toggle("live", env === "live");
  $("env-" + env).checked = true;
  $("live-bar").hidden = env !== "live";
  for (const e of document.querySelectorAll("[data-base]")) e.textContent = bases[env];
  const explorer = env === "live" ? "/api/graphql" : "/api/sandbox/graphql";
  for (const a of document.querySelectorAll("[data-explorer]")) a.href = explorer;
}

export function setEnv(env) {
  sessionStorage.setItem(store, env);
  show(env);
  document.dispatchEvent(new CustomEvent("cien-env", { detail: env }));
}

// initEnv puts the toggle and the live bar into the page's header and
// wires them; call it once the page is parsed.
export function initEnv() {
  const header = document.querySelector("header.top");
  header.prepend(el("p", { id: "live-bar", class: "live-bar", role: "status", hidden: true },
    "You are viewing live data: writes change real records, and each one asks first."));
  header.append(el("div", { class: "env-toggle", role: "radiogroup", "aria-label": "Environment" },
    ["sandbox", "live"].map((env) => el("label", {}, el("input", { type: "radio", name: "env", value: env, id: "env-" + env }),
      env === "live" ? " Live" : " Sandbox"))));
  for (const r of document.querySelectorAll("input[name=env]")) r.addEventListener("change", (e) => setEnv(e.target.value));
  show(currentEnv());
}
