// Policy as data: export (a JSON download), import a file → the dry-run
// diff → apply.
import { el } from "../dom.js";
import { api, Cancelled } from "./session.js";
import { failure, say } from "./ui.js";
import { impact } from "./simulation.js";

const POLICIES = "admin.policies.manage";

// changeList renders the import's diff (the PolicyImport changes object).
function changeList(c) {
  const items = [];
  for (const r of c.roles_created || []) items.push(el("li", { class: "added" }, "Role created: " + r));
  for (const r of c.roles_deleted || []) items.push(el("li", { class: "removed" }, "Role deleted: " + r));
  for (const r of c.roles_changed || []) {
    items.push(el("li", {}, "Role " + r.name + ": ",
      (r.permissions_added || []).map((p) => el("span", { class: "added" }, "+ " + p + " ")),
      (r.permissions_removed || []).map((p) => el("span", { class: "removed" }, "− " + p + " ")),
      r.description !== undefined && r.description !== "" ? "description → “" + r.description + "”" : ""));
  }
  for (const a of c.assignments_added || []) items.push(el("li", { class: "added" }, a.subject + " gets " + a.role));
  for (const a of c.assignments_removed || []) items.push(el("li", { class: "removed" }, a.subject + " loses " + a.role));
  return items.length ? el("ul", { id: "import-diff" }, items) : el("p", { id: "import-diff" }, "No changes: the tenant's policy is already this document.");
}

export default {
  id: "policy",
  permission: POLICIES,
  async render(ctx) {
    const exportBtn = el("button", { type: "button", id: "export-policy" }, "Export policy");
    exportBtn.addEventListener("click", async () => {
      const res = await api("GET", "/admin/policy");
      if (!res.ok) return failure(ctx.status, res);
      const url = URL.createObjectURL(new Blob([JSON.stringify(res.json.data, null, 2) + "\n"], { type: "application/json" }));
      const a = el("a", { href: url, download: "policy.json" });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      say(ctx.status, "Downloaded policy.json.");
    });

    const file = el("input", { type: "file", id: "import-file", accept: "application/json,.json" });
    const result = el("div", { id: "import-result", "aria-live": "polite" });
    let doc = null;
    const apply = el("button", { type: "button", id: "apply-import", hidden: true }, "Apply import");
    file.addEventListener("change", async () => {
      apply.hidden = true;
      result.replaceChildren();
      if (!file.files[0]) return;
      try {
        doc = JSON.parse(await file.files[0].text());
      } catch (e) {
        return result.replaceChildren(el("p", { class: "problem", role: "alert" }, "The file is not valid JSON: " + e.message));
      }
      const res = await api("POST", "/admin/policy/import?dry_run=1", doc, { dryRun: true });
      if (!res.ok) return failure(result, res);
      result.replaceChildren(el("h3", {}, "Changes this import makes (dry run)"), changeList(res.json.data.changes),
        el("h3", {}, "Effect on logged traffic"), await impact({ policy: doc }));
      apply.hidden = false;
    });
    apply.addEventListener("click", async () => {
      try {
        const res = await api("POST", "/admin/policy/import", doc);
        if (!res.ok) return failure(result, res);
        apply.hidden = true;
        result.replaceChildren(el("h3", {}, "Applied"), changeList(res.json.data.changes));
        say(ctx.status, "The policy was imported.");
      } catch (e) {
        if (e instanceof Cancelled) say(ctx.status, e.message); else failure(ctx.status, e);
      }
    });

    say(ctx.box,
      el("div", { class: "card" }, el("h3", {}, "Export"),
        el("p", {}, "Roles, members' roles and the roles of this environment's active keys, as JSON."), exportBtn),
      el("div", { class: "card" }, el("h3", {}, "Import"),
        el("p", {}, "Roles become exactly the file's; listed members and keys get exactly their listed roles. You see the changes before anything is applied; the import is all or nothing."),
        el("div", { class: "field" }, el("label", { for: "import-file" }, "Policy file (JSON)"), file), result, apply));
  },
};
