package schema_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/ticket"
	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
)

// BypassPermissions skips the permission rules and nothing else: another
// tenant's or environment's rows stay invisible and untouchable.
func TestBypassPermissionsKeepsTenancy(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a, b := e.Tenant("alpha"), e.Tenant("beta")
	mine, err := e.App.Service.CreateTicket(e.As(a.ID, policy.Sandbox, policy.UserSubject(a.Owner.ID.String())), service.CreateTicketInput{Title: "A's sandbox ticket", RequesterID: &a.Owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := e.App.Service.CreateTicket(e.As(b.ID, policy.Sandbox, policy.UserSubject(b.Owner.ID.String())), service.CreateTicketInput{Title: "B's ticket", RequesterID: &b.Owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	live, err := e.App.Service.CreateTicket(e.As(a.ID, policy.Live, policy.UserSubject(a.Owner.ID.String())), service.CreateTicketInput{Title: "A's live ticket", RequesterID: &a.Owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	// A viewer of A's sandbox holding no permission at all.
	nobody := e.As(a.ID, policy.Sandbox, "user:nobody")
	if _, err := e.App.DB.Client.Ticket.Get(nobody, mine.ID); !errors.Is(err, privacy.Deny) {
		t.Fatalf("without the bypass a viewer lacking the permission must be denied, got %v", err)
	}
	ctx := schema.BypassPermissions(nobody, "test: the tenancy rule still holds")
	ids, err := e.App.DB.Client.Ticket.Query().Where(ticket.IDIn(mine.ID, theirs.ID, live.ID)).IDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != mine.ID {
		t.Fatalf("bypassing permissions saw %v; want only %v (not B's %v, not live %v)", ids, mine.ID, theirs.ID, live.ID)
	}
	n, err := e.App.DB.Client.Ticket.Update().Where(ticket.IDIn(theirs.ID, live.ID)).SetTitle("taken over").Save(ctx)
	if err != nil || n != 0 {
		t.Fatalf("bypassing permissions updated %d rows of another tenant or environment (%v)", n, err)
	}
	if n, err := e.App.DB.Client.Ticket.Delete().Where(ticket.IDIn(theirs.ID, live.ID)).Exec(ctx); err != nil || n != 0 {
		t.Fatalf("bypassing permissions deleted %d rows of another tenant or environment (%v)", n, err)
	}
	// A create is stamped with the viewer's tenant and environment whatever it asks for.
	c, err := e.App.DB.Client.Ticket.Create().SetTitle("stamped").SetNumber(999).SetRequesterID(a.Owner.ID).SetCreatedBy("test").
		SetTenantID(b.ID).SetEnv(policy.Live).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.TenantID != a.ID || c.Env != policy.Sandbox {
		t.Fatalf("a create under the bypass landed in tenant %v env %s", c.TenantID, c.Env)
	}
}

// Every way past the privacy layer goes through schema.Bypass or
// schema.BypassPermissions with a reason written at the call, so that
// searching for Bypass lists them all; privacy.DecisionContext appears
// nowhere else in hand-written code.
func TestEveryBypassSaysWhy(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if (rel != "." && strings.HasPrefix(d.Name(), ".")) || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if ast.IsGenerated(f) {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, _ := sel.X.(*ast.Ident)
			at := fset.Position(call.Pos()).String()
			switch {
			case pkg != nil && pkg.Name == "privacy" && sel.Sel.Name == "DecisionContext" && rel != filepath.Join("ent", "schema", "tenancy.go"):
				t.Errorf("%s: privacy.DecisionContext outside ent/schema/tenancy.go; use schema.Bypass with a reason", at)
			case pkg != nil && pkg.Name == "schema" && (sel.Sel.Name == "Bypass" || sel.Sel.Name == "BypassPermissions"):
				var reason string
				if lit, ok := call.Args[1].(*ast.BasicLit); ok {
					reason, _ = strconv.Unquote(lit.Value)
				}
				if len(strings.Fields(reason)) < 3 {
					t.Errorf("%s: schema.%s needs a reason written at the call", at, sel.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
