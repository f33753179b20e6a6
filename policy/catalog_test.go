package policy

import (
	"strings"
	"testing"

	"github.com/cienerp/cienerp/modules"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/modules/itsupport"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, perm string
		want          bool
	}{
		{"*", "documents.verify", true},
		{"documents.*", "documents.verify", true},
		{"documents.*", "documents.x.y", true},
		{"documents.*", "documentsX.verify", false},
		{"documents.*", "documents", false},
		{"documents.verify", "documents.verify", true},
		{"documents.verify", "documents.view", false},
		{"documents*", "documents.verify", false},
		{"it-support.tickets.*", "it-support.comments.create", false},
		{"", "documents.view", false},
	}
	for _, c := range cases {
		if got := Match(c.pattern, c.perm); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.perm, got, c.want)
		}
	}
}

func TestValidPattern(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]bool{
		"*": true, "documents.*": true, "it-support.tickets.*": true, "documents.verify": true,
		"documents.fly": false, "nothing.*": false, "documents": false, "": false, "*.view": false,
	} {
		if got := ValidPattern(p); got != want {
			t.Errorf("ValidPattern(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestDefaultRolesNameOnlyCatalogPermissions(t *testing.T) {
	t.Parallel()
	for _, r := range DefaultRoles() {
		if len(r.Permissions) == 0 {
			t.Errorf("role %s grants nothing", r.Name)
		}
		for _, p := range r.Permissions {
			if !ValidPattern(p) {
				t.Errorf("role %s names unknown permission %q", r.Name, p)
			}
		}
	}
}

func TestEnforcerDecidesWithRolesWildcardsAndDomains(t *testing.T) {
	t.Parallel()
	en, err := NewEnforcer(memoryAdapter{})
	if err != nil {
		t.Fatal(err)
	}
	en.Apply(
		PolicyRule("agent", "t1", "it-support.*", ""),
		PolicyRule("auditor", "t1", admin.AuditView, ""),
		GroupingRule("user:1", "agent", "t1"),
		GroupingRule("user:2", "auditor", "t2"), // a role of t1's name, bound in t2: grants nothing
	)
	check := func(sub, tenant, perm string, want bool) {
		t.Helper()
		if got := en.Allowed(sub, tenant, perm); got != want {
			t.Errorf("Allowed(%s, %s, %s) = %v, want %v", sub, tenant, perm, got, want)
		}
	}
	check("user:1", "t1", itsupport.TicketsCreate, true)
	check("user:1", "t1", admin.AuditView, false)
	check("user:1", "t2", itsupport.TicketsView, false)
	check("user:2", "t2", admin.AuditView, false)
	check("user:3", "t1", itsupport.TicketsView, false)
	// A change applies at once, cached decisions included.
	en.Apply(GroupingRule("user:1", "auditor", "t1"))
	check("user:1", "t1", admin.AuditView, true)
	en.RemoveSubject("user:1", "t1")
	check("user:1", "t1", itsupport.TicketsCreate, false)
}

// TestDeclarationsAreConsistent: a module's grants name default roles, its
// permissions carry its name as their prefix (so that "finance.*" is the
// module), no permission, object type or change is declared twice, and a
// relation embeds a declared object.
func TestDeclarationsAreConsistent(t *testing.T) {
	t.Parallel()
	roles := map[string]bool{}
	for _, r := range DefaultRoles() {
		roles[r.Name] = true
	}
	seen := map[string]string{}
	once := func(kind, name, mod string) {
		if prev, ok := seen[kind+" "+name]; ok {
			t.Errorf("%s %s is declared by %s and by %s", kind, name, prev, mod)
		}
		seen[kind+" "+name] = mod
	}
	for _, m := range modules.All() {
		for role := range m.Grants {
			if !roles[role] {
				t.Errorf("module %s grants to %q, which is no default role", m.Name, role)
			}
		}
		for _, p := range m.Permissions {
			once("permission", p.Name, m.Name)
			if !strings.HasPrefix(p.Name, m.Name+".") {
				t.Errorf("module %s declares %s, outside its prefix %s.", m.Name, p.Name, m.Name)
			}
		}
		for _, o := range m.Objects {
			once("object", o.Type, m.Name)
			if !Known(o.View) {
				t.Errorf("object %s is shown by %q, no catalog permission", o.Type, o.View)
			}
			for _, e := range o.Events {
				once("change", string(e.Change), m.Name)
				for _, w := range e.Was {
					once("old audit action", w, m.Name)
				}
			}
		}
		for _, op := range m.Ops {
			if op.Permission != "" && !Known(op.Permission) {
				t.Errorf("module %s binds an operation to %q, no catalog permission", m.Name, op.Permission)
			}
		}
	}
	for _, r := range modules.Relations() {
		if r.Target.Type == "" {
			t.Errorf("%s.%s embeds %q, which no module declares", r.Of.Type, r.Name, r.Object)
		}
	}
}
