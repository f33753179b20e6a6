package service

import (
	"context"
	"encoding/json"
	"reflect"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/module"
	"github.com/cienerp/cienerp/policy"
)

// record writes the audit event of change in the caller's transaction, so
// the event exists exactly when the change does; its action is the
// change's one name. before/after are any JSON-able values; for updates
// only the fields that changed are kept.
func record(ctx context.Context, tx *ent.Tx, change module.Change, entityType, entityID string, before, after any) error {
	v := policy.FromContext(ctx)
	b, a := toMap(before), toMap(after)
	if b != nil && a != nil {
		for k := range b {
			if reflect.DeepEqual(b[k], a[k]) {
				delete(b, k)
				delete(a, k)
			}
		}
	}
	credential := v.Via + ":" + v.Subject
	return tx.AuditEvent.Create().
		SetEnv(v.Env).SetActor(v.Subject).SetCredential(credential).SetRequestID(v.RequestID).
		SetAction(string(change)).SetEntityType(entityType).SetEntityID(entityID).
		SetBefore(b).SetAfter(a).
		Exec(ctx)
}

func toMap(v any) map[string]any {
	if v == nil || (reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil()) {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return map[string]any{"error": "unserialisable"}
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return m
}
