package schema

import (
	"context"
	"fmt"

	"entgo.io/ent"

	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/policy"
)

// requireQuery denies reads to viewers lacking perm.
func requireQuery(perm string) privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, _ ent.Query) error {
		return decide(ctx, perm)
	})
}

// requireMutation denies the given operations to viewers lacking perm.
func requireMutation(perm string, op ent.Op) privacy.MutationRule {
	return privacy.OnMutationOperation(privacy.MutationRuleFunc(func(ctx context.Context, _ ent.Mutation) error {
		return decide(ctx, perm)
	}), op)
}

// anyViewer allows any authenticated viewer (scope rules still apply).
var anyViewer = privacy.ContextQueryMutationRule(func(ctx context.Context) error {
	if policy.FromContext(ctx) == nil {
		return privacy.Denyf("no viewer in context")
	}
	return privacy.Allow
})

func decide(ctx context.Context, perm string) error {
	v := policy.FromContext(ctx)
	if v == nil {
		return privacy.Denyf("no viewer in context")
	}
	if permissionsBypassed(ctx) {
		return privacy.Skip
	}
	if !v.Holds(perm) { // both a privacy denial and the permission REST and GraphQL name
		return fmt.Errorf("%w: %w", privacy.Deny, &policy.DeniedError{Permission: perm})
	}
	return privacy.Skip
}

// requireAnyQuery denies reads to viewers holding none of perms.
func requireAnyQuery(perms ...string) privacy.QueryRule {
	return privacy.QueryRuleFunc(func(ctx context.Context, _ ent.Query) error {
		return decideAny(ctx, perms)
	})
}

// requireAnyMutation denies the operations to viewers holding none of perms
// (the domain code checks the exact permission of each change).
func requireAnyMutation(op ent.Op, perms ...string) privacy.MutationRule {
	return privacy.OnMutationOperation(privacy.MutationRuleFunc(func(ctx context.Context, _ ent.Mutation) error {
		return decideAny(ctx, perms)
	}), op)
}

func decideAny(ctx context.Context, perms []string) error {
	v := policy.FromContext(ctx)
	if v == nil {
		return privacy.Denyf("no viewer in context")
	}
	if permissionsBypassed(ctx) {
		return privacy.Skip
	}
	for _, p := range perms {
		if v.Can(p) {
			return privacy.Skip
		}
	}
	return privacy.Denyf("missing one of the permissions %v", perms)
}
