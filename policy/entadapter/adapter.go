// Package entadapter stores Casbin rules in the database through ent.
//
// The enforcer runs with auto-save off: callers write rules with Save and
// Delete inside their own transaction and apply them to the enforcer after
// commit. The Adapter methods exist for Casbin's interface and for loading.
package entadapter

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/casbinrule"
	"github.com/cienerp/cienerp/ent/predicate"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/policy"
)

// Adapter implements persist.Adapter on the casbin_rules table.
type Adapter struct{ client *ent.Client }

var _ persist.Adapter = (*Adapter)(nil)

// New returns an adapter on client.
func New(client *ent.Client) *Adapter { return &Adapter{client: client} }

// system marks a context as the platform itself: Casbin rules are never
// read or written on behalf of a viewer directly.
func system(ctx context.Context) context.Context {
	return schema.Bypass(ctx, "Casbin rules are platform rows, read and written only by the enforcer")
}

// LoadPolicy loads every rule into m.
func (a *Adapter) LoadPolicy(m model.Model) error {
	rows, err := a.client.CasbinRule.Query().All(system(context.Background()))
	if err != nil {
		return fmt.Errorf("load casbin rules: %w", err)
	}
	for _, r := range rows {
		line := []string{r.Ptype}
		for i, v := range []string{r.V0, r.V1, r.V2, r.V3, r.V4, r.V5} {
			if v == "" && (r.Ptype != "p" || i > 3) { // a p rule's condition may be empty
				break
			}
			line = append(line, v)
		}
		if err := persist.LoadPolicyArray(line, m); err != nil {
			return err
		}
	}
	return nil
}

// SavePolicy replaces every stored rule with those in m.
func (a *Adapter) SavePolicy(m model.Model) error {
	ctx := system(context.Background())
	tx, err := a.client.Tx(ctx)
	if err != nil {
		return err
	}
	if _, err := tx.CasbinRule.Delete().Exec(ctx); err != nil {
		return rollback(tx, err)
	}
	for _, sec := range []string{"p", "g"} {
		for ptype, ast := range m[sec] {
			for _, rule := range ast.Policy {
				if err := Save(ctx, tx.Client(), policy.Rule{Ptype: ptype, V: rule}); err != nil {
					return rollback(tx, err)
				}
			}
		}
	}
	return tx.Commit()
}

// AddPolicy stores one rule.
func (a *Adapter) AddPolicy(_ string, ptype string, rule []string) error {
	return Save(system(context.Background()), a.client, policy.Rule{Ptype: ptype, V: rule})
}

// RemovePolicy deletes one rule.
func (a *Adapter) RemovePolicy(_ string, ptype string, rule []string) error {
	return Delete(system(context.Background()), a.client, ptype, 0, rule...)
}

// RemoveFilteredPolicy deletes the rules whose fields from fieldIndex on
// equal fieldValues (empty values match anything).
func (a *Adapter) RemoveFilteredPolicy(_ string, ptype string, fieldIndex int, fieldValues ...string) error {
	return Delete(system(context.Background()), a.client, ptype, fieldIndex, fieldValues...)
}

// Save stores rules with client (a transaction's client in practice).
func Save(ctx context.Context, client *ent.Client, rules ...policy.Rule) error {
	ctx = system(ctx)
	for _, r := range rules {
		if len(r.V) > 6 {
			return fmt.Errorf("casbin rule has %d fields, at most 6 are stored", len(r.V))
		}
		v := make([]string, 6)
		copy(v, r.V)
		err := client.CasbinRule.Create().SetPtype(r.Ptype).
			SetV0(v[0]).SetV1(v[1]).SetV2(v[2]).SetV3(v[3]).SetV4(v[4]).SetV5(v[5]).
			OnConflict().DoNothing().Exec(ctx)
		// ON CONFLICT DO NOTHING returns no row for an existing rule.
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("save casbin rule: %w", err)
		}
	}
	return nil
}

// Delete removes rules of ptype whose fields from fieldIndex on equal
// fieldValues; an empty value matches anything.
func Delete(ctx context.Context, client *ent.Client, ptype string, fieldIndex int, fieldValues ...string) error {
	cols := []func(string) predicate.CasbinRule{casbinrule.V0, casbinrule.V1, casbinrule.V2, casbinrule.V3, casbinrule.V4, casbinrule.V5}
	preds := []predicate.CasbinRule{casbinrule.Ptype(ptype)}
	for i, v := range fieldValues {
		if v != "" && fieldIndex+i < len(cols) {
			preds = append(preds, cols[fieldIndex+i](v))
		}
	}
	_, err := client.CasbinRule.Delete().Where(preds...).Exec(system(ctx))
	return err
}

func rollback(tx *ent.Tx, err error) error {
	_ = tx.Rollback()
	return err
}
