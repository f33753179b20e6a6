package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"testing"

	"github.com/cienerp/cienerp/modules/inventory"
)

// TestCLIKeysUseTheInventoryByRole: keys made by "key create" with a
// default role get that role's share of the products & stock module from
// a running server: a cashier reads products and sells them but neither
// creates products nor reads stock; an accountant reads stock.
func TestCLIKeysUseTheInventoryByRole(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base, stdout := startServe(t, dir)
	readUntil(t, stdout, "curl")
	key := func(role string) string {
		return regexp.MustCompile(`cien_test_\w+`).FindString(cli(t, dir, "key", "create", "-tenant", "demo", "-env", "sandbox", "-role", role))
	}
	admin, cashier, accountant := key("admin"), key("cashier"), key("accountant")
	// The CLI's changes are pushed to the server within 100 ms (sync_test.go).
	obeyed(t, "the keys made by the CLI", func() bool {
		_, me := get(t, base+"/api/sandbox/me", accountant)
		data, _ := me["data"].(map[string]any)
		roles, _ := data["roles"].([]any)
		return len(roles) == 1 && roles[0] == "accountant"
	})
	post := func(key, path string, body any) (int, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", base+"/api/sandbox"+path, bytes.NewReader(b))
		req.Header.Set("X-API-Key", key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, body := post(admin, "/products", map[string]any{"sku": "CLI-1", "name": "Made by a CLI key", "currency": "EUR", "unit_price": "2.00"}); code != 201 {
		t.Fatalf("admin creates a product: %d %v", code, body)
	}
	if code, body := get(t, base+"/api/sandbox/products?sku=CLI-1", cashier); code != 200 || len(body["data"].([]any)) != 1 {
		t.Fatalf("cashier lists products: %d %v", code, body)
	}
	if code, body := post(cashier, "/products", map[string]any{"sku": "CLI-2", "name": "x", "currency": "EUR", "unit_price": "1"}); code != 403 || body["permission"] != inventory.ProductsCreate {
		t.Fatalf("cashier creates a product: %d %v", code, body)
	}
	if code, body := get(t, base+"/api/sandbox/stock/levels", cashier); code != 403 || body["permission"] != inventory.StockView {
		t.Fatalf("cashier reads stock: %d %v", code, body)
	}
	if code, body := get(t, base+"/api/sandbox/stock/levels", accountant); code != 200 {
		t.Fatalf("accountant reads stock: %d %v", code, body)
	}
}
