package service

import (
	"context"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/tenant"
	"github.com/cienerp/cienerp/policy"
)

// UpdateTenantInput changes a tenant's operator settings; nil stays.
type UpdateTenantInput struct {
	Name               *string
	Status             *string
	RateLimitPerMinute *int
}

// UpdateTenant changes name, status or rate limit (an operator action) and
// drops the tenant from the credential cache so the change applies at once.
func (s *Service) UpdateTenant(ctx context.Context, id uuid.UUID, in UpdateTenantInput) (*ent.Tenant, error) {
	verr := &ValidationError{}
	if in.Name != nil && *in.Name == "" {
		verr.Add("name", "Name cannot be empty.")
	}
	if in.Status != nil && tenant.StatusValidator(tenant.Status(*in.Status)) != nil {
		verr.Add("status", "Status must be active or suspended.")
	}
	if in.RateLimitPerMinute != nil && (*in.RateLimitPerMinute < 1 || *in.RateLimitPerMinute > 1_000_000) {
		verr.Add("rate_limit", "The rate limit must be between 1 and 1000000 requests per minute.")
	}
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	ctx = schema.Bypass(ctx, "tenants are platform rows (CLI)")
	var out *ent.Tenant
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		before, err := tx.Tenant.Get(ctx, id)
		if ent.IsNotFound(err) {
			return &NotFoundError{Entity: "tenant"}
		}
		if err != nil {
			return err
		}
		u := tx.Tenant.UpdateOne(before)
		if in.Name != nil {
			u.SetName(*in.Name)
		}
		if in.Status != nil {
			u.SetStatus(tenant.Status(*in.Status))
		}
		if in.RateLimitPerMinute != nil {
			u.SetRateLimitPerMinute(*in.RateLimitPerMinute)
		}
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		return record(OperatorContext(ctx, id, policy.Live), tx, "tenant.update", "tenant", id.String(), before, out)
	})
	if err != nil {
		return nil, err
	}
	s.changed(ctx, policy.Change{Kind: policy.ChangedTenant, ID: id.String()})
	return out, nil
}
