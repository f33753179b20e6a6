// Members: invite (a generated password shown once), set roles, remove.
// Refusals such as the lockout rule's 422 are shown as the server words them.
import { ask, el } from "../dom.js";
import { api } from "./session.js";
import { checkedRoles, failure, field, perform, roleBoxes, say, secretOnce, table, when } from "./ui.js";
import { impact } from "./simulation.js";

const POLICIES = "admin.policies.manage";

export default {
  id: "members",
  permission: POLICIES,
  async render(ctx) {
    const [list, rolesRes] = await Promise.all([api("GET", "/admin/members"), api("GET", "/admin/roles")]);
    if (!list.ok) return failure(ctx.status, list);
    if (!rolesRes.ok) return failure(ctx.status, rolesRes);
    const roles = rolesRes.json.data;

    const run = (call, done) => perform(ctx, call, done);

    const chooser = roleBoxes("Roles", "invite-roles", roles, []);
    const invite = el("form", { id: "invite", class: "card" }, el("h3", {}, "Invite member"),
      field("Email", "invite-email", { type: "email", required: true }),
      field("Name", "invite-name", {}),
      field("Password (optional: generated and shown once when left empty)", "invite-password", { type: "password", autocomplete: "new-password" }),
      chooser, el("button", { type: "submit" }, "Invite"));
    invite.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const body = { email: invite.querySelector("#invite-email").value.trim(), name: invite.querySelector("#invite-name").value.trim(), roles: checkedRoles(chooser) };
      const pw = invite.querySelector("#invite-password").value;
      if (pw) body.password = pw;
      run(() => api("POST", "/admin/members", body), (m) => {
        const panel = document.getElementById("member-secret");
        if (m.password) panel.replaceChildren(secretOnce("Password of " + m.email, m.password));
        return m.new_login ? "Created the login " + m.email + " and added it." : "Added " + m.email + " (an existing login: its password is unchanged).";
      });
    });

    const rows = list.json.data.map((m) => {
      const row = el("tr", { "data-member": m.user_id },
        el("td", {}, m.email), el("td", {}, m.name || "—"), el("td", {}, m.roles.join(", ") || "none"), el("td", {}, m.status || "active"),
        el("td", {}, when(m.joined_at)),
        el("td", { class: "actions" },
          el("button", { type: "button", class: "secondary", "aria-label": "Set roles of " + m.email, onclick: () => editRoles(m, row) }, "Set roles"),
          el("button", { type: "button", class: "danger", "aria-label": "Remove " + m.email, onclick: () => remove(m) }, "Remove")));
      return row;
    });

    function editRoles(m, row) {
      const boxes = roleBoxes("Roles of " + m.email, "member-roles-" + m.user_id, roles, m.roles);
      const editor = el("tr", { class: "editor" }, el("td", { colspan: "6" }, el("form", {
        onsubmit: async (ev) => {
          ev.preventDefault();
          const chosen = checkedRoles(boxes);
          // What the new roles would do to the member's logged requests, first.
          const effect = await impact({ member: { id: m.user_id, roles: chosen } });
          if (!(await ask("Give " + m.email + " these roles?", [chosen.join(", ") || "no roles", effect], "Save roles", false))) return;
          run(() => api("PUT", "/admin/members/" + m.user_id + "/roles", { roles: chosen }), () => "Saved the roles of " + m.email + ".");
        },
      }, boxes, el("button", { type: "submit" }, "Save roles"), " ", el("button", { type: "button", class: "secondary", onclick: () => editor.remove() }, "Cancel"))));
      row.after(editor);
      editor.querySelector("input").focus();
    }

    async function remove(m) {
      if (!(await ask("Remove " + m.email + "?", "They lose every role in this tenant; their login stays.", "Remove member", true))) return;
      run(() => api("DELETE", "/admin/members/" + m.user_id, undefined, { asked: true }), () => "Removed " + m.email + ".");
    }

    say(ctx.box, el("div", { id: "member-secret" }), invite,
      table("Members", ["Email", "Name", "Roles", "Status", "Joined", "Actions"], rows));
  },
};
