// The policy simulator's answer, shown before a role change is saved or
// an import applied: which keys and members would go from allowed to
// denied (or back) on which routes over the logged traffic, and how many
// objects each credential would stop or start seeing.
import { el } from "../dom.js";
import { api } from "./session.js";
import { problem, table } from "./ui.js";

let count = 0;

// impact asks the server what change (a POST /admin/policy/simulate body)
// would do and renders the answer; a refusal is shown as the server words it.
export async function impact(change) {
  const id = "sim-" + ++count;
  let res;
  try {
    res = await api("POST", "/admin/policy/simulate", change, { dryRun: true });
  } catch (e) {
    return el("p", { class: "problem", role: "alert" }, "The simulation failed: " + e.message);
  }
  if (!res.ok) return el("div", {}, el("p", {}, "The simulation was refused:"), problem(res));
  const s = res.json.data;
  const who = (c) => c.key_name ? "key “" + c.key_name + "”" : c.user_email || c.credential;
  const flips = s.changes.map((c) => el("tr", {},
    el("td", {}, who(c)), el("td", {}, el("code", {}, c.method + " " + (c.operation ? c.route + " (" + c.operation + ")" : c.route))),
    el("td", {}, c.environment),
    el("td", {}, el("span", { class: c.from }, c.from), " → ", el("span", { class: c.to }, c.to)),
    el("td", {}, el("code", {}, c.permission)), el("td", {}, String(c.requests)), el("td", {}, el("code", {}, c.example_request_id))));
  const rows = s.rows.map((r) => el("tr", {},
    el("td", {}, r.label || r.credential), el("td", {}, r.object + "s"), el("td", {}, String(r.before)), el("td", {}, String(r.after)),
    el("td", {}, r.stop ? el("span", { class: "denied" }, "−" + r.stop) : "0"), el("td", {}, r.start ? el("span", { class: "allowed" }, "+" + r.start) : "0")));
  return el("div", { class: "simulation", id, role: "region", "aria-label": "Effect of this change on logged traffic" },
    el("p", { class: "sim-summary" }, el("strong", {}, "Logged traffic (" + new Date(s.since).toLocaleDateString() + " – now): "), s.summary),
    flips.length ? table("Requests decided the other way", ["Credential", "Route", "Environment", "Decision", "Permission", "Requests", "Example request"], flips) : null,
    rows.length ? table("Objects seen today, before and after", ["Credential", "Objects", "Now", "After", "Stop seeing", "Start seeing"], rows) : null);
}
