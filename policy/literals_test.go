package policy_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/modules"
	"github.com/cienerp/cienerp/policy"
)

// TestNamesAreDeclaredOnce keeps each permission, event type and audit
// action declared once, in its module's declaration under modules/:
// hand-written code elsewhere names one only through its constant, every
// catalog permission and change has a constant, and every constant is
// used: a permission by an operation of its module or elsewhere, a change
// outside its declaration (by the service).
// Tests and generated code are not read; undotted names ("ping", also the
// health check's object) are not checked.
func TestNamesAreDeclaredOnce(t *testing.T) {
	t.Parallel()
	known := map[string]bool{}
	for _, p := range policy.Catalog() {
		known[p.Name] = true
	}
	for _, e := range modules.Events() {
		known[string(e.Change)] = true
	}

	fset := token.NewFileSet()
	constOf := map[string]string{} // pkg.Name → value, from modules/*/*.go
	used := map[string]bool{}
	var literals []string
	root := ".."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == "ent" || (rel != "." && strings.HasPrefix(d.Name(), ".")) || d.Name() == "node_modules" {
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
		declaration := strings.HasPrefix(filepath.ToSlash(rel), "modules/") && strings.Count(filepath.ToSlash(rel), "/") == 2
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				if declaration && len(n.Values) == 1 {
					if lit, ok := n.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, _ := strconv.Unquote(lit.Value)
						constOf[f.Name.Name+"."+n.Names[0].Name] = v
					}
				}
			case *ast.BasicLit:
				v, err := strconv.Unquote(n.Value)
				if !declaration && err == nil && n.Kind == token.STRING && known[v] && strings.Contains(v, ".") {
					literals = append(literals, fset.Position(n.Pos()).String()+": "+n.Value)
				}
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && !declaration {
					used[x.Name+"."+n.Sel.Name] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(constOf) == 0 {
		t.Fatal("no constants found under modules/: the walk is broken")
	}
	for _, l := range literals {
		t.Errorf("a permission, event type or audit action named by a string literal (use its module's constant): %s", l)
	}
	for name := range known {
		found := false
		for _, v := range constOf {
			found = found || v == name
		}
		if !found {
			t.Errorf("%s has no constant in its module's declaration", name)
		}
	}
	bound := map[string]bool{} // permissions an operation needs, a field group's or a gate's
	for _, m := range modules.All() {
		for _, op := range m.Ops {
			bound[op.Permission] = true
		}
		for _, o := range m.Objects {
			for _, g := range o.FieldGroups {
				bound[g.Permission] = true
			}
			for _, g := range o.Gates {
				bound[g.Permission] = true
			}
		}
	}
	for c, v := range constOf {
		if known[v] && !used[c] && !bound[v] {
			t.Errorf("%s (%s) is declared but used nowhere", v, c)
		}
	}
}
