package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/cienerp/cienerp/internal/testenv"
	"github.com/cienerp/cienerp/modules/inventory"
	"github.com/cienerp/cienerp/policy"
)

// TestGraphQLProductsAndStock: the module over GraphQL runs the same
// service calls as REST (checks, stock rules, upsert), filters with where,
// and its relation fields are behind the related object's view permission,
// nested too.
func TestGraphQLProductsAndStock(t *testing.T) {
	t.Parallel()
	e := testenv.New(t)
	a := e.Tenant("acme")
	_, key := e.Key(a.ID, policy.Sandbox, "admin")
	c := gql(e, "/api/sandbox", key)

	var p struct {
		CreateProduct struct{ ID, UnitPrice, TaxRate string }
	}
	c.MustPost(`mutation { createProduct(input: {sku: "LAMP", name: "Desk lamp", currency: "EUR", unitPrice: "24.5", taxRate: "19.0"}) { id unitPrice taxRate } }`, &p)
	if p.CreateProduct.UnitPrice != "24.50" || p.CreateProduct.TaxRate != "19" {
		t.Fatalf("create: %+v", p)
	}
	raw, _ := c.RawPost(`mutation { createProduct(input: {sku: "LAMP", name: "x", currency: "EUR", unitPrice: "1"}) { id } }`)
	if !strings.Contains(string(raw.Errors), `"VALIDATION"`) || !strings.Contains(string(raw.Errors), "sku") {
		t.Fatalf("duplicate SKU: %s", raw.Errors)
	}
	var up struct{ UpsertProduct struct{ Created bool } }
	for i, want := range []bool{true, false} {
		c.MustPost(`mutation { upsertProduct(externalId: "pim-9", input: {sku: "BULB", name: "Bulb", currency: "EUR", unitPrice: "3"}) { created } }`, &up)
		if up.UpsertProduct.Created != want {
			t.Fatalf("upsert %d: created=%v", i, up.UpsertProduct.Created)
		}
	}
	var loc struct{ CreateStockLocation struct{ ID string } }
	c.MustPost(`mutation { createStockLocation(input: {name: "Shop", code: "shop"}) { id } }`, &loc)
	var mv struct {
		MoveStock struct {
			OnHand   int
			Movement struct{ Kind string }
		}
	}
	c.MustPost(`mutation { moveStock(input: {sku: "LAMP", kind: receipt, quantity: 2}) { onHand movement { kind } } }`, &mv)
	if mv.MoveStock.OnHand != 2 || mv.MoveStock.Movement.Kind != "receipt" {
		t.Fatalf("receipt: %+v", mv)
	}
	raw, _ = c.RawPost(`mutation { moveStock(input: {sku: "LAMP", kind: adjustment, quantity: -3, reason: "count"}) { onHand } }`)
	if !strings.Contains(string(raw.Errors), "Only 2 of LAMP are on hand") {
		t.Fatalf("below zero: %s", raw.Errors)
	}
	// A sale by product over GraphQL takes the stock.
	var sess struct{ OpenPosSession struct{ ID string } }
	c.MustPost(`mutation { openPosSession(register: "front", currency: "EUR", openingFloat: "0") { id } }`, &sess)
	var sale struct {
		CreatePosSale struct {
			Lines []struct{ ProductID, Sku, Description, UnitPrice string }
		}
	}
	c.MustPost(`mutation($s: UUID!) { createPosSale(input: {sessionId: $s, items: [{sku: "LAMP", quantity: "1"}], tenders: [{method: "card", amount: "29.16"}]}) { lines { productId sku description unitPrice } } }`,
		&sale, client.Var("s", sess.OpenPosSession.ID))
	if l := sale.CreatePosSale.Lines; len(l) != 1 || l[0].ProductID != p.CreateProduct.ID || l[0].Description != "Desk lamp" || l[0].UnitPrice != "24.50" {
		t.Fatalf("sale: %+v", sale)
	}
	// where filters and the nested relations.
	var q struct {
		Products struct {
			TotalCount int
			Edges      []struct{ Node struct{ Sku string } }
		}
		StockLevels struct {
			Edges []struct {
				Node struct {
					OnHand  int
					Product struct{ Sku string }
				}
			}
		}
	}
	c.MustPost(`{ products(first: 10, where: {search: "lam", active: true}) { totalCount edges { node { sku } } }
		stockLevels(first: 10) { edges { node { onHand product { sku } } } } }`, &q)
	if q.Products.TotalCount != 1 || q.Products.Edges[0].Node.Sku != "LAMP" || len(q.StockLevels.Edges) != 1 ||
		q.StockLevels.Edges[0].Node.OnHand != 1 || q.StockLevels.Edges[0].Node.Product.Sku != "LAMP" {
		t.Fatalf("lists: %+v", q)
	}

	// A role that may view stock but not products: the levels list, the
	// product field refused naming the permission (the onHand beside it is
	// the canary that the row was there to be seen).
	e.Expect(e.Do("POST", "/api/sandbox/admin/roles", map[string]any{"name": "stock-only", "permissions": []string{inventory.StockView}}, testenv.Key(key)), 201)
	_, stockOnly := e.Key(a.ID, policy.Sandbox, "stock-only")
	raw, err := gql(e, "/api/sandbox", stockOnly).RawPost(`{ stockMovements(first: 10) { edges { node { quantity product { sku } } } } }`)
	if err != nil {
		t.Fatal(err)
	}
	var errs []struct {
		Path       []any
		Extensions map[string]any
	}
	_ = json.Unmarshal(raw.Errors, &errs)
	data, _ := json.Marshal(raw.Data)
	if !strings.Contains(string(data), `"quantity":-1`) || strings.Contains(string(data), "LAMP") || len(errs) == 0 {
		t.Fatalf("stock-only: data %s errors %s", data, raw.Errors)
	}
	for _, er := range errs {
		if er.Extensions["code"] != "FORBIDDEN" || er.Extensions["permission"] != inventory.ProductsView {
			t.Fatalf("stock-only: %s", raw.Errors)
		}
	}
}
