// Integration keys of the portal's environment: list, create (the secret
// shown once), roll with a grace period, revoke, change roles.
import { ask, el } from "../dom.js";
import { currentEnv, keyStore } from "../env.js";
import { api } from "./session.js";
import { checkedRoles, failure, field, perform, roleBoxes, say, secretOnce, table, when } from "./ui.js";
import { impact } from "./simulation.js";

const MANAGE = "settings.integration-keys.manage";
const POLICIES = "admin.policies.manage";

// roleChooser is checkboxes of the tenant's roles when the user may list
// them, otherwise a comma-separated text field.
function roleChooser(ctx, roles, id, chosen) {
  if (roles) return roleBoxes("Roles", id, roles, chosen);
  return field("Roles (comma-separated)", id, { value: chosen.join(", "), spellcheck: "false" });
}

function chosenRoles(box) {
  const text = box.querySelector("input:not([type=checkbox])");
  if (text) return text.value.split(",").map((s) => s.trim()).filter(Boolean);
  return checkedRoles(box);
}

export default {
  id: "keys",
  permission: MANAGE,
  async render(ctx) {
    const [list, rolesRes, membersRes] = await Promise.all([
      api("GET", "/settings/integration-keys"),
      ctx.can(POLICIES) ? api("GET", "/admin/roles") : null,
      ctx.can(POLICIES) ? api("GET", "/admin/members") : null,
    ]);
    if (!list.ok) return failure(ctx.status, list);
    const roles = rolesRes && rolesRes.ok ? rolesRes.json.data : null;
    const who = {};
    if (membersRes && membersRes.ok) for (const m of membersRes.json.data) who[m.user_id] = m.email;
    const env = currentEnv();
    const reveal = el("div", { id: "key-secret" });

    const chooser = roleChooser(ctx, roles, "new-key-roles", []);
    const form = el("form", { id: "create-key", class: "card" },
      el("h3", {}, "Create key"),
      field("Name", "new-key-name", { required: true, maxlength: "100" }),
      chooser,
      field("Expiry (optional)", "new-key-expiry", { type: "datetime-local" }),
      el("button", { type: "submit", id: "create-key-submit" }, "Create key"));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const body = { name: form.querySelector("#new-key-name").value.trim(), roles: chosenRoles(chooser) };
      const exp = form.querySelector("#new-key-expiry").value;
      if (exp) body.expires_at = new Date(exp).toISOString();
      perform(ctx, () => api("POST", "/settings/integration-keys", body), (k) => showSecret(k, "New key “" + k.name + "”"));
    });

    // The secret survives the re-render that lists the new key.
    function showSecret(k, label) {
      const panel = document.getElementById("key-secret");
      const use = el("button", {
        type: "button", class: "secondary", onclick: () => {
          sessionStorage.setItem(keyStore(k.environment), k.secret);
          use.textContent = "Set as the console's " + k.environment + " key";
        },
      }, "Use in console");
      panel.replaceChildren(secretOnce(label + " (" + k.environment + ")", k.secret, use));
      panel.querySelector("button").focus();
    }

    const rows = list.json.data.map((k) => {
      const actions = el("td", { class: "actions" });
      if (k.status === "active") {
        actions.append(
          el("button", { type: "button", class: "secondary", "aria-label": "Roll " + k.name, onclick: () => roll(k) }, "Roll"),
          el("button", { type: "button", class: "danger", "aria-label": "Revoke " + k.name, onclick: () => revoke(k) }, "Revoke"));
        if (ctx.can(POLICIES)) actions.append(el("button", { type: "button", class: "secondary", "aria-label": "Change roles of " + k.name, onclick: () => editRoles(k, row) }, "Change roles"));
      }
      const row = el("tr", { "data-key": k.id },
        el("td", {}, k.name), el("td", {}, el("code", {}, k.prefix)), el("td", {}, k.environment), el("td", {}, k.roles.join(", ")),
        el("td", {}, k.created_by ? who[k.created_by] || k.created_by : "CLI"), el("td", {}, when(k.last_used_at)),
        el("td", {}, k.usage ? k.usage.requests + " (" + k.usage.requests_per_day + "/day), " + (k.usage.error_rate * 100).toFixed(1) + " % errors" : "—"),
        el("td", {}, when(k.expires_at)), el("td", { class: "status-" + k.status }, k.status), actions);
      return row;
    });

    async function roll(k) {
      const hours = el("input", { id: "roll-hours", type: "number", min: "0", max: "168", value: "24" });
      const ok = await ask("Roll “" + k.name + "”?", [
        "A replacement key with a new secret, the same name, roles and expiry is created.",
        el("div", { class: "field" }, el("label", { for: "roll-hours" }, "Hours the old key keeps working (0–168)"), hours)], "Roll key", false);
      if (!ok) return;
      perform(ctx, () => api("POST", "/settings/integration-keys/" + k.id + "/roll", { expires_in_hours: Number(hours.value) || 0 }),
        (nk) => showSecret(nk, "Rolled key “" + nk.name + "”"));
    }

    async function revoke(k) {
      if (!(await ask("Revoke “" + k.name + "”?", "Requests with this " + k.environment + " key are refused from the very next one on. This cannot be undone.", "Revoke key", true))) return;
      perform(ctx, () => api("POST", "/settings/integration-keys/" + k.id + "/revoke", undefined, { asked: true }), () => "Revoked “" + k.name + "”.");
    }

    function editRoles(k, row) {
      const boxes = roleChooser(ctx, roles, "key-roles-" + k.id, k.roles);
      const editor = el("tr", { class: "editor" }, el("td", { colspan: "9" },
        el("form", {
          onsubmit: async (ev) => {
            ev.preventDefault();
            const chosen = chosenRoles(boxes);
            // What the new roles would do to the key's logged requests, first.
            const effect = await impact({ integration_key: { id: k.id, roles: chosen } });
            if (!(await ask("Give “" + k.name + "” these roles?", [chosen.join(", ") || "no roles", effect], "Save roles", false))) return;
            perform(ctx, () => api("PUT", "/admin/integration-keys/" + k.id + "/roles", { roles: chosen }), () => "Saved the roles of “" + k.name + "”.");
          },
        }, boxes, el("button", { type: "submit" }, "Save roles"), " ",
        el("button", { type: "button", class: "secondary", onclick: () => editor.remove() }, "Cancel"))));
      row.after(editor);
      editor.querySelector("input").focus();
    }

    say(ctx.box,
      el("p", { class: "muted" }, "Keys of the " + env + " environment (switch at the top of the page). A key works only there."),
      reveal, form,
      table("Integration keys", ["Name", "Prefix", "Environment", "Roles", "Created by", "Last used", "Last 7 days", "Expires", "Status", "Actions"], rows),
      ctx.can(POLICIES) ? null : ctx.needs(POLICIES, "Changing a key's roles"));
  },
};
