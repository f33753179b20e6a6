package policy

import "testing"

func TestMatch(t *testing.T) {
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
	en, err := NewEnforcer(memoryAdapter{})
	if err != nil {
		t.Fatal(err)
	}
	en.Apply(
		PolicyRule("agent", "t1", "it-support.*"),
		PolicyRule("auditor", "t1", AuditView),
		GroupingRule("user:1", "agent", "t1"),
		GroupingRule("user:2", "auditor", "t2"), // a role of t1's name, bound in t2: grants nothing
	)
	check := func(sub, tenant, perm string, want bool) {
		t.Helper()
		if got := en.Allowed(sub, tenant, perm); got != want {
			t.Errorf("Allowed(%s, %s, %s) = %v, want %v", sub, tenant, perm, got, want)
		}
	}
	check("user:1", "t1", TicketsCreate, true)
	check("user:1", "t1", AuditView, false)
	check("user:1", "t2", TicketsView, false)
	check("user:2", "t2", AuditView, false)
	check("user:3", "t1", TicketsView, false)
	// A change applies at once, cached decisions included.
	en.Apply(GroupingRule("user:1", "auditor", "t1"))
	check("user:1", "t1", AuditView, true)
	en.RemoveSubject("user:1", "t1")
	check("user:1", "t1", TicketsCreate, false)
}
