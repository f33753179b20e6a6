package main

import (
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent/predicate"
	"github.com/cienerp/cienerp/ent/tenant"
)

type tenantRef struct {
	ID   uuid.UUID
	Slug string
}

// tenantIDIs matches by id when s is one, and nothing otherwise.
func tenantIDIs(s string) predicate.Tenant {
	id, err := uuid.Parse(s)
	if err != nil {
		return tenant.IDIn()
	}
	return tenant.ID(id)
}
