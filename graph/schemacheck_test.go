package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/policy"
)

// TestServedSchemaLoadsInGraphQLClients builds the served schema the way
// clients do, and validates it: graphql-js (buildClientSchema on the
// introspection download and on a live introspection, buildSchema on the
// SDL, then assertValidSchema), and Python's graphql-core where it is
// installed (build_client_schema + validate_schema). Before, @deprecated
// listed DIRECTIVE_DEFINITION, which is no location of the spec's, and
// graphql-core refused the whole schema.
func TestServedSchemaLoadsInGraphQLClients(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "admin")
	base := e.Serve() + "/api/sandbox"
	var js struct {
		OK     bool
		Errors []string
	}
	out := testenv.Node(t, "graphql-schema-check.mjs", base, key)
	if err := json.Unmarshal(out, &js); err != nil || !js.OK {
		t.Fatalf("graphql-js: %s", out)
	}

	if exec.Command("python3", "-c", "import graphql; assert graphql.version_info >= (3, 2)").Run() != nil {
		t.Log("graphql-core 3.2 (Python) is not installed here: only graphql-js checked the schema")
		return
	}
	res, err := http.Get(base + "/graphql/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	py := exec.Command("python3", "-c", `
import json, sys
from graphql import build_client_schema, validate_schema
errors = validate_schema(build_client_schema(json.load(sys.stdin)["data"]))
print("\n".join(str(e) for e in errors) or "ok")`)
	py.Stdin = strings.NewReader(string(raw))
	if got, err := py.CombinedOutput(); err != nil || strings.TrimSpace(string(got)) != "ok" {
		t.Fatalf("graphql-core: %v\n%s", err, got)
	}
}
