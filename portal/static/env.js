// The portal's environment, sandbox or live: chosen with the toggle in the
// header of every page, kept in this tab's session storage (the explorer
// and the API reference read it too) and announced as a "cien-env" event.
import { $ } from "./dom.js";

export const bases = { sandbox: window.location.origin + "/api/sandbox", live: window.location.origin + "/api" };
const store = "cien-portal-env";

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

// initEnv wires the header's toggle; call it once the page is parsed.
export function initEnv() {
  for (const r of document.querySelectorAll("input[name=env]")) r.addEventListener("change", (e) => setEnv(e.target.value));
  show(currentEnv());
}
