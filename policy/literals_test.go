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

	"github.com/cienerp/cienerp/policy"
)

// TestPermissionsAreNamedByConstant keeps each permission declared once:
// hand-written code outside the catalog names a permission only through
// its constant, and every catalog entry is used by some route, resolver or
// role. Tests and generated code are not read.
func TestPermissionsAreNamedByConstant(t *testing.T) {
	known := map[string]bool{}
	for _, p := range policy.Catalog() {
		known[p.Name] = true
	}
	// The constants as declared in catalog.go: name → value.
	fset := token.NewFileSet()
	cat, err := parser.ParseFile(fset, "catalog.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	constOf := map[string]string{}
	ast.Inspect(cat, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Values) == 1 {
			if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				v, _ := strconv.Unquote(lit.Value)
				constOf[vs.Names[0].Name] = v
			}
		}
		return true
	})
	for name := range known {
		found := false
		for _, v := range constOf {
			found = found || v == name
		}
		if !found {
			t.Errorf("catalog permission %s has no constant", name)
		}
	}

	used := map[string]bool{}
	var literals []string
	root := ".."
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
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
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || rel == filepath.Join("policy", "catalog.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if ast.IsGenerated(f) {
			return nil
		}
		inPolicy := f.Name.Name == "policy"
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if v, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING && known[v] {
					literals = append(literals, fset.Position(n.Pos()).String()+": "+n.Value)
				}
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "policy" {
					used[n.Sel.Name] = true
				}
			case *ast.Ident:
				if inPolicy {
					used[n.Name] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range literals {
		t.Errorf("a permission named by a string literal (use its constant in policy): %s", l)
	}
	for c, v := range constOf {
		if known[v] && !used[c] {
			t.Errorf("catalog permission %s (policy.%s) is used nowhere", v, c)
		}
	}
}
