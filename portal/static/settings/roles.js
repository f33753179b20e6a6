// Roles & permissions: the catalog (grouped by module) × roles matrix,
// saved after a diff is shown, with each grant's row condition marked;
// the condition editor (validated and previewed as the admin types); role
// create, rename, describe and delete; and the explain panel (who may do
// what, which rule decided, and whether a given object passes).
import { ask, el } from "../dom.js";
import { base } from "../env.js";
import { api, liveOK } from "./session.js";
import { failure, field, matches, perform, say } from "./ui.js";
import { impact } from "./simulation.js";

const POLICIES = "admin.policies.manage";
const KEYS = "settings.integration-keys.manage";

export default {
  id: "roles",
  permission: POLICIES,
  async render(ctx) {
    const [catRes, rolesRes, membersRes, keysRes] = await Promise.all([
      fetch(base() + "/permissions").then((r) => r.json()),
      api("GET", "/admin/roles"),
      api("GET", "/admin/members"),
      ctx.can(KEYS) ? api("GET", "/settings/integration-keys") : null,
    ]);
    if (!rolesRes.ok) return failure(ctx.status, rolesRes);
    const catalog = catRes.data;
    const roles = rolesRes.json.data;
    const modules = {};
    for (const p of catalog) (modules[p.module] = modules[p.module] || []).push(p);
    const rows = ["*"];
    for (const [m, perms] of Object.entries(modules)) rows.push(m + ".*", ...perms.map((p) => p.name));
    const known = new Set(rows);
    const saved = Object.fromEntries(roles.map((r) => [r.name, new Set(r.permissions)]));
    const draft = Object.fromEntries(roles.map((r) => [r.name, new Set(r.permissions)]));

    // Each checkbox stands for one pattern of one role; paint() sets its state
    // from the draft: ticked, or ticked and locked when a wider rule covers it.
    const boxes = [];
    const cellId = (role, pattern) => "perm-" + role + "-" + pattern.replace(/[^a-z0-9-]/gi, "_");
    const box = (role, pattern) => {
      const input = el("input", { type: "checkbox", id: cellId(role, pattern), "data-role": role, "data-pattern": pattern });
      input.addEventListener("change", () => {
        if (input.checked) draft[role].add(pattern); else draft[role].delete(pattern);
        paint();
      });
      boxes.push(input);
      const cond = (roles.find((r) => r.name === role).conditions || {})[pattern];
      return el("td", {}, input, el("span", { class: "via", "aria-hidden": "true" }),
        cond ? el("code", { class: "cond", title: "Only rows where " + JSON.stringify(cond) }, "where " + JSON.stringify(cond)) : null);
    };
    function paint() {
      for (const input of boxes) {
        const { role, pattern } = input.dataset;
        const wider = [...draft[role]].find((q) => q !== pattern && matches(q, pattern));
        input.checked = draft[role].has(pattern) || !!wider;
        input.disabled = !!wider;
        const label = pattern + " for " + role + (wider ? " (granted by " + wider + ")" : "");
        input.setAttribute("aria-label", label);
        input.title = label;
        input.nextSibling.textContent = wider ? "via " + wider : "";
      }
      const changed = changes().length;
      save.disabled = !changed;
      pending.textContent = changed ? changed + " role(s) changed, not saved yet." : "";
    }

    const head = el("tr", {}, el("th", { scope: "col" }, "Permission"),
      roles.map((r) => el("th", { scope: "col" }, r.name, r.builtin ? el("span", { class: "badge", title: "Built-in role" }, "built-in") : null)));
    const body = [el("tr", { class: "all" }, el("th", { scope: "row" }, el("code", {}, "*"), " every permission"), roles.map((r) => box(r.name, "*")))];
    for (const [m, perms] of Object.entries(modules)) {
      body.push(el("tr", { class: "module-row" }, el("th", { scope: "row" }, el("strong", {}, m), " — all ", el("code", {}, m + ".*")), roles.map((r) => box(r.name, m + ".*"))));
      for (const p of perms) body.push(el("tr", {}, el("th", { scope: "row" }, el("code", {}, p.name), el("span", { class: "muted desc" }, p.description),
        p.object ? el("span", { class: "muted desc" }, "Rows: " + p.object + "s; a grant may carry a condition.") : null,
        p.shows ? el("span", { class: "muted desc" }, "Fields: " + p.shows.join(", ") + ".") : null), roles.map((r) => box(r.name, p.name))));
    }
    const others = roles.filter((r) => r.permissions.some((p) => !known.has(p)))
      .map((r) => el("li", {}, r.name + ": ", el("code", {}, r.permissions.filter((p) => !known.has(p)).join(", ")), " (kept as they are)"));

    function changes() {
      const out = [];
      for (const r of roles) {
        const added = [...draft[r.name]].filter((p) => !saved[r.name].has(p));
        const removed = [...saved[r.name]].filter((p) => !draft[r.name].has(p));
        if (added.length || removed.length) out.push({ role: r.name, added, removed });
      }
      return out;
    }

    const pending = el("span", { class: "muted", "aria-live": "polite" });
    const save = el("button", { type: "button", id: "save-matrix" }, "Save changes");
    save.addEventListener("click", async () => {
      say(ctx.status);
      const list = changes();
      const summary = el("ul", { id: "matrix-diff" }, list.map((c) => el("li", {}, el("strong", {}, c.role), ": ",
        c.added.map((p) => el("span", { class: "added" }, "+ " + p + " ")), c.removed.map((p) => el("span", { class: "removed" }, "− " + p + " ")))));
      // What each change would do to the logged traffic, before it is saved.
      const effects = await Promise.all(list.map(async (c) => el("div", {}, el("h4", {}, "Role " + c.role),
        await impact({ role: { name: c.role, permissions: [...draft[c.role]] } }))));
      if (!(await ask("Apply these permission changes?", [summary, ...effects], "Apply changes", false))) return;
      if (!(await liveOK("Save the permissions of " + list.map((c) => c.role).join(", ") + "."))) return;
      for (const c of list) {
        const res = await api("PATCH", "/admin/roles/" + encodeURIComponent(c.role), { permissions: [...draft[c.role]] }, { asked: true });
        if (!res.ok) return failure(ctx.status, res);
      }
      await ctx.refresh();
      say(ctx.status, "Saved: " + list.map((c) => c.role).join(", ") + ".");
    });

    const matrix = el("div", { class: "table-wrap matrix-wrap", tabindex: "0", role: "region", "aria-label": "Permissions by role" }, el("table", { class: "matrix", id: "matrix" },
      el("caption", {}, "Permissions by role. A ticked box locked by a wider rule shows which rule grants it."),
      el("thead", {}, head), el("tbody", {}, body)));

    say(ctx.box, matrix, others.length ? el("div", {}, el("p", {}, "Other rules:"), el("ul", {}, others)) : null,
      el("div", { class: "row" }, save, pending),
      conditionEditor(ctx, roles, catalog, membersRes), roleEditor(ctx, roles), explain(ctx, catalog, membersRes, keysRes));
    paint();
  },
};

const act = (ctx, call, message) => perform(ctx, call, () => message);

// conditionEditor sets or removes the row condition of one role's grant:
// the JSON is checked and previewed by the server as the admin types
// ("would see 12 of 40 tickets"), then saved on the role.
function conditionEditor(ctx, roles, catalog, membersRes) {
  const objectOf = Object.fromEntries(catalog.filter((p) => p.object).map((p) => [p.name, p]));
  const editable = roles.filter((r) => r.name !== "owner");
  const role = el("select", { id: "cond-role" }, editable.map((r) => el("option", { value: r.name }, r.name)));
  const perm = el("select", { id: "cond-permission" });
  const as = el("select", { id: "cond-subject" }, el("option", { value: "" }, "me"),
    (membersRes && membersRes.ok ? membersRes.json.data : []).map((m) => el("option", { value: "user:" + m.user_id }, m.email)));
  const text = el("textarea", { id: "cond-json", rows: "4", spellcheck: "false", "aria-describedby": "cond-help cond-preview" });
  const fields = el("p", { class: "muted", id: "cond-help" });
  const preview = el("p", { id: "cond-preview", "aria-live": "polite" });
  const saveBtn = el("button", { type: "submit", id: "save-condition" }, "Save condition");
  const removeBtn = el("button", { type: "button", class: "danger", id: "remove-condition" }, "Remove condition");
  const current = () => editable.find((r) => r.name === role.value);
  const fillPerms = () => {
    const r = current();
    const options = (r ? r.permissions : []).filter((p) => objectOf[p]);
    perm.replaceChildren(...options.map((p) => el("option", { value: p }, p)));
    if (!options.length) perm.append(el("option", { value: "" }, "no permission of this role takes a condition"));
    fillText();
  };
  const fillText = () => {
    const r = current();
    const c = r && perm.value ? (r.conditions || {})[perm.value] : null;
    text.value = c ? JSON.stringify(c, null, 1) : "";
    const p = objectOf[perm.value];
    fields.textContent = p ? "Fields of " + p.object + ": " + p.condition_fields.join(", ") + ". Operators _eq _neq _in _nin _null _lt _lte _gt _gte, _and _or _not; $user, $user.email." : "";
    removeBtn.disabled = !c;
    check();
  };
  let timer = 0;
  let seq = 0;
  const check = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++seq;
      saveBtn.disabled = true;
      if (!perm.value) return preview.replaceChildren();
      if (!text.value.trim()) return preview.replaceChildren(el("span", { class: "muted" }, "No condition: the grant admits every row."));
      let cond;
      try { cond = JSON.parse(text.value); } catch (e) {
        return preview.replaceChildren(el("span", { class: "problem" }, "Not JSON yet: " + e.message));
      }
      const res = await api("POST", "/admin/conditions/preview", { permission: perm.value, condition: cond, subject: as.value });
      if (mine !== seq) return;
      if (!res.ok) {
        const errs = res.json.errors ? Object.values(res.json.errors).flat().join(" ") : res.json.message;
        return preview.replaceChildren(el("span", { class: "problem" }, errs || "HTTP " + res.status));
      }
      const p = res.json.data;
      saveBtn.disabled = false;
      preview.replaceChildren(el("span", { class: "allowed" }, "This role would see " + p.matching + " of " + p.total + " " + p.object + "s" +
        " here (as " + (as.value ? as.selectedOptions[0].textContent : "you") + ")."));
    }, 250);
  };
  // A condition is saved after the simulator's answer is shown.
  const put = async (conds, message) => {
    const effect = await impact({ role: { name: role.value, conditions: conds } });
    if (!(await ask("Save the conditions of " + role.value + "?", [effect], "Save", false))) return;
    act(ctx, () => api("PATCH", "/admin/roles/" + encodeURIComponent(role.value), { conditions: conds }), message);
  };
  role.addEventListener("change", fillPerms);
  perm.addEventListener("change", fillText);
  as.addEventListener("change", check);
  text.addEventListener("input", check);
  const form = el("form", { id: "condition-editor", class: "card" }, el("h3", {}, "Row condition"),
    el("p", { class: "muted" }, "Limit a role's grant to the rows that pass a condition, e.g. {\"requester_id\": {\"_eq\": \"$user\"}}."),
    el("div", { class: "field" }, el("label", { for: "cond-role" }, "Role"), role),
    el("div", { class: "field" }, el("label", { for: "cond-permission" }, "Permission"), perm),
    el("div", { class: "field" }, el("label", { for: "cond-json" }, "Condition (JSON)"), text, fields),
    el("div", { class: "field" }, el("label", { for: "cond-subject" }, "Preview as"), as),
    preview, el("div", { class: "row" }, saveBtn, removeBtn));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const conds = Object.assign({}, current().conditions || {}, { [perm.value]: JSON.parse(text.value) });
    put(conds, "Saved the condition of " + role.value + " on " + perm.value + ".");
  });
  removeBtn.addEventListener("click", () => {
    const conds = Object.assign({}, current().conditions || {});
    delete conds[perm.value];
    put(conds, "Removed the condition of " + role.value + " on " + perm.value + ".");
  });
  if (editable.length) fillPerms();
  return form;
}

// roleEditor creates a role, or renames, describes or deletes one.
function roleEditor(ctx, roles) {
  const create = el("form", { id: "create-role", class: "card" }, el("h3", {}, "Create role"),
    field("Name", "new-role-name", { required: true, pattern: "[a-z0-9][a-z0-9\\-]{0,62}", title: "Lower-case letters, digits and dashes", spellcheck: "false" }),
    field("Description", "new-role-description", {}),
    el("button", { type: "submit" }, "Create role"));
  create.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const name = create.querySelector("#new-role-name").value.trim();
    act(ctx, () => api("POST", "/admin/roles", { name, description: create.querySelector("#new-role-description").value, permissions: [] }),
      "Created the role “" + name + "”: tick its permissions in the matrix.");
  });

  const pick = el("select", { id: "edit-role-pick" }, roles.map((r) => el("option", { value: r.name }, r.name + (r.builtin ? " (built-in)" : ""))));
  const name = el("input", { id: "edit-role-name", spellcheck: "false" });
  const desc = el("input", { id: "edit-role-description" });
  const del = el("button", { type: "button", class: "danger", id: "delete-role" }, "Delete role");
  const note = el("p", { class: "muted" });
  const fillFrom = () => {
    const r = roles.find((x) => x.name === pick.value);
    name.value = r.name;
    desc.value = r.description || "";
    del.disabled = r.builtin;
    note.textContent = (r.builtin ? "Built-in roles cannot be deleted. " : "") + (r.holders || 0) + " member(s) and key(s) hold it.";
  };
  pick.addEventListener("change", fillFrom);
  const edit = el("form", { id: "edit-role", class: "card" }, el("h3", {}, "Edit role"),
    el("div", { class: "field" }, el("label", { for: "edit-role-pick" }, "Role"), pick),
    el("div", { class: "field" }, el("label", { for: "edit-role-name" }, "Name"), name),
    el("div", { class: "field" }, el("label", { for: "edit-role-description" }, "Description"), desc),
    note, el("div", { class: "row" }, el("button", { type: "submit" }, "Save role"), del));
  edit.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const body = {};
    const r = roles.find((x) => x.name === pick.value);
    if (name.value.trim() !== r.name) body.name = name.value.trim();
    if (desc.value !== (r.description || "")) body.description = desc.value;
    act(ctx, () => api("PATCH", "/admin/roles/" + encodeURIComponent(r.name), body), "Saved the role “" + (body.name || r.name) + "”.");
  });
  del.addEventListener("click", async () => {
    const r = pick.value;
    if (!(await ask("Delete the role “" + r + "”?", "Members and keys holding it lose it.", "Delete role", true))) return;
    act(ctx, () => api("DELETE", "/admin/roles/" + encodeURIComponent(r), undefined, { asked: true }), "Deleted the role “" + r + "”.");
  });
  if (roles.length) fillFrom();
  return el("div", { class: "cards" }, create, edit);
}

// explain asks the server's own decision for a member or key and a permission.
function explain(ctx, catalog, membersRes, keysRes) {
  const subjects = [];
  if (membersRes && membersRes.ok) for (const m of membersRes.json.data) subjects.push(["user:" + m.user_id, "Member " + m.email]);
  if (keysRes && keysRes.ok) for (const k of keysRes.json.data) if (k.status === "active") subjects.push(["key:" + k.id, "Key " + k.name + " (" + k.environment + ")"]);
  const who = el("select", { id: "explain-subject" }, subjects.map(([v, l]) => el("option", { value: v }, l)));
  const what = el("select", { id: "explain-permission" }, catalog.map((p) => el("option", { value: p.name }, p.name)));
  const object = el("input", { id: "explain-object", spellcheck: "false", placeholder: "optional: an object's id" });
  const out = el("div", { id: "explain-result", "aria-live": "polite" });
  const form = el("form", { id: "explain", class: "card" }, el("h3", {}, "Explain a decision"),
    el("div", { class: "field" }, el("label", { for: "explain-subject" }, "Member or key"), who),
    el("div", { class: "field" }, el("label", { for: "explain-permission" }, "Permission"), what),
    el("div", { class: "field" }, el("label", { for: "explain-object" }, "Object id (does it pass?)"), object),
    el("button", { type: "submit" }, "Explain"), out);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const q = { subject: who.value, permission: what.value };
    if (object.value.trim()) q.object_id = object.value.trim();
    const res = await api("GET", "/permissions/check?" + new URLSearchParams(q));
    if (!res.ok) return out.replaceChildren(el("p", { class: "problem" }, res.json.message || "HTTP " + res.status));
    const e = res.json.data;
    out.replaceChildren(el("p", { class: e.allowed ? "allowed" : "denied" }, el("strong", {}, e.allowed ? "Allowed" : "Denied")),
      el("dl", { class: "facts" },
        el("dt", {}, "Role"), el("dd", {}, e.role || "—"), el("dt", {}, "Rule"), el("dd", {}, e.rule ? el("code", {}, e.rule) : "—"),
        el("dt", {}, "Roles held"), el("dd", {}, e.roles.join(", ") || "none"),
        el("dt", {}, "Conditions"), el("dd", {}, e.conditions.length ? e.conditions.map((c) => el("div", {}, c.role + ": ", el("code", {}, JSON.stringify(c.condition)))) : "none (every row)"),
        e.object_id ? [el("dt", {}, "Object"), el("dd", { id: "explain-passes" }, e.object_passes ? "passes" : "does not pass")] : null,
        el("dt", {}, "Reason"), el("dd", {}, e.reason)));
  });
  return form;
}
