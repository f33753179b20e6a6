package service

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/customer"
	"github.com/cienerp/cienerp/ent/invoice"
	"github.com/cienerp/cienerp/ent/predicate"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/money"
	"github.com/cienerp/cienerp/policy"
)

// CustomerInput creates a customer or, with Opt semantics, edits one.
type CustomerInput struct {
	Name     Opt[string] `json:"name"`
	Email    Opt[string] `json:"email"`
	Phone    Opt[string] `json:"phone"`
	TaxID    Opt[string] `json:"tax_id"`
	Address  Opt[string] `json:"address"`
	Currency Opt[string] `json:"currency"`
	Notes    Opt[string] `json:"notes"`
	// Metadata is merged into the customer's; a null value deletes a key.
	Metadata   MetadataInput `json:"metadata"`
	ExternalID Opt[string]   `json:"external_id"` // null removes it
}

// ExternalIDField is the input's external id, which an upsert sets from
// its path.
func (in *CustomerInput) ExternalIDField() *Opt[string] { return &in.ExternalID }

func (in CustomerInput) check(creating bool, verr *ValidationError) {
	for field, o := range map[string]Opt[string]{"name": in.Name, "email": in.Email, "phone": in.Phone, "tax_id": in.TaxID, "address": in.Address, "currency": in.Currency, "notes": in.Notes} {
		if o.Null {
			verr.Add(field, "The %s field cannot be null.", field)
		}
	}
	if (creating || in.Name.Set) && strings.TrimSpace(in.Name.V) == "" {
		verr.Add("name", "Name is required.")
	}
	for field, c := range map[string]struct {
		o   Opt[string]
		max int
	}{"name": {in.Name, schema.MaxName}, "email": {in.Email, schema.MaxEmail}, "phone": {in.Phone, schema.MaxPhone}, "tax_id": {in.TaxID, schema.MaxTaxID},
		"address": {in.Address, schema.MaxAddress}, "notes": {in.Notes, schema.MaxNotes}} {
		checkText(verr, field, c.o.V, c.max)
	}
	if e := strings.TrimSpace(in.Email.V); e != "" {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			verr.Add("email", "Email must be a valid address.")
		}
	}
	if c := in.Currency.V; c != "" {
		if _, ok := money.Lookup(c); !ok {
			verr.Add("currency", "Unknown currency %q; use an ISO 4217 code such as EUR.", c)
		}
	}
	checkExternalID(in.ExternalID.Ptr(), verr)
}

// customerExternalID refuses an external id another customer holds.
func customerExternalID(ctx context.Context, tx *ent.Tx, id *string, self uuid.UUID) error {
	if id == nil {
		return nil
	}
	taken, err := tx.Customer.Query().Where(customer.ExternalID(*id), customer.IDNEQ(self)).Exist(ctx)
	return takenExternalID("customer", *id, taken, err)
}

// CreateCustomer adds a customer.
func (s *Service) CreateCustomer(ctx context.Context, in CustomerInput) (*ent.Customer, error) {
	verr := &ValidationError{}
	in.check(true, verr)
	md := mergeMetadata(nil, in.Metadata, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	var c *ent.Customer
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		if err := customerExternalID(ctx, tx, in.ExternalID.Ptr(), uuid.Nil); err != nil {
			return err
		}
		var err error
		c, err = tx.Customer.Create().SetName(strings.TrimSpace(in.Name.V)).SetEmail(strings.TrimSpace(in.Email.V)).
			SetPhone(in.Phone.V).SetTaxID(in.TaxID.V).SetAddress(in.Address.V).SetCurrency(in.Currency.V).SetNotes(in.Notes.V).
			SetNillableExternalID(in.ExternalID.Ptr()).SetMetadata(md).Save(ctx)
		if err != nil {
			return err
		}
		if err := record(ctx, tx, finance.CustomerCreated, "customer", c.ID.String(), nil, c); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: finance.CustomerCreated, ObjectID: c.ID.String(), Object: CustomerObject(c)})
	})
	return c, err
}

// GetCustomer reads one customer.
func (s *Service) GetCustomer(ctx context.Context, id uuid.UUID) (*ent.Customer, error) {
	c, err := s.Client.Customer.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "customer"}
	}
	return c, err
}

// ListCustomers pages through customers, newest first; q searches name and email.
func (s *Service) ListCustomers(ctx context.Context, q string, metadata map[string]string, limit int, cur string) (*Page[*ent.Customer], error) {
	after, err := pageArgs(limit, cur, "customers")
	verr := validationOf(err)
	meta := MetadataFilter[predicate.Customer](metadata, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	query := s.Client.Customer.Query().Where(meta...)
	if q != "" {
		query.Where(CustomerSearch(ctx, q))
	}
	if after != nil {
		query.Where(afterNewest(*after))
	}
	rows, err := query.Order(ent.Desc(customer.FieldCreatedAt), ent.Desc(customer.FieldID)).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, limit, "customers", func(c *ent.Customer) (time.Time, uuid.UUID) { return c.CreatedAt, c.ID }), nil
}

// UpdateCustomer edits a customer.
func (s *Service) UpdateCustomer(ctx context.Context, id uuid.UUID, in CustomerInput) (*ent.Customer, error) {
	verr := &ValidationError{}
	in.check(false, verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	var out *ent.Customer
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c, err := s.lockCustomer(ctx, tx, id)
		if err != nil {
			return err
		}
		u := tx.Customer.UpdateOne(c)
		set := func(o Opt[string], f func(string) *ent.CustomerUpdateOne) {
			if o.Set {
				f(strings.TrimSpace(o.V))
			}
		}
		set(in.Name, u.SetName)
		set(in.Email, u.SetEmail)
		set(in.Phone, u.SetPhone)
		set(in.TaxID, u.SetTaxID)
		set(in.Address, u.SetAddress)
		set(in.Currency, u.SetCurrency)
		set(in.Notes, u.SetNotes)
		setExternalID(u.Mutation(), in.ExternalID)
		if err := customerExternalID(ctx, tx, in.ExternalID.Ptr(), id); err != nil {
			return err
		}
		setMetadata(u.Mutation(), c.Metadata, in.Metadata, verr)
		if err := verr.OrNil(); err != nil {
			return err
		}
		if out, err = u.Save(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, finance.CustomerUpdated, "customer", id.String(), c, out); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: finance.CustomerUpdated, ObjectID: id.String(), Object: CustomerObject(out), Before: CustomerObject(c)})
	})
	return out, err
}

// lockCustomer reads a customer for a change.
func (s *Service) lockCustomer(ctx context.Context, tx *ent.Tx, id uuid.UUID) (*ent.Customer, error) {
	return lockRow(s, ctx, tx.Customer.Query().Where(customer.ID(id)), "customer", CustomerObject)
}

func getCustomer(ctx context.Context, c *ent.Client, id uuid.UUID) (*ent.Customer, error) {
	cu, err := c.Customer.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &NotFoundError{Entity: "customer"}
	}
	return cu, err
}

// DeleteCustomer removes a customer that has no invoices.
func (s *Service) DeleteCustomer(ctx context.Context, id uuid.UUID) error {
	return s.inTx(ctx, func(tx *ent.Tx) error {
		c, err := s.lockCustomer(ctx, tx, id)
		if err != nil {
			return err
		}
		// Counted whatever the viewer may read of invoices: the rule holds for all.
		if n, err := tx.Invoice.Query().Where(invoice.CustomerID(id)).Count(schema.BypassPermissions(ctx, "a customer with invoices is kept, whatever the viewer may read of invoices")); err != nil {
			return err
		} else if n > 0 {
			return Invalid("id", "This customer has %d invoices and cannot be deleted.", n)
		}
		if err := tx.Customer.DeleteOne(c).Exec(ctx); err != nil {
			return err
		}
		if err := record(ctx, tx, finance.CustomerDeleted, "customer", id.String(), c, nil); err != nil {
			return err
		}
		return s.emit(ctx, tx, change{Type: finance.CustomerDeleted, ObjectID: id.String(), Object: CustomerObject(c)})
	})
}

func CustomerObject(cu *ent.Customer) map[string]any {
	return map[string]any{"id": cu.ID, "object": "customer", "name": cu.Name, "email": cu.Email, "phone": cu.Phone, "tax_id": cu.TaxID,
		"address": cu.Address, "currency": cu.Currency, "notes": cu.Notes, "environment": cu.Env, "created_at": cu.CreatedAt, "updated_at": cu.UpdatedAt,
		"external_id": cu.ExternalID, "metadata": MetadataView(cu.Metadata)}
}

// CustomerSearch: q in the name or the email, case-insensitive; in the
// name only for a caller who may not see emails (a search must not reveal
// a hidden field's value).
func CustomerSearch(ctx context.Context, q string) predicate.Customer {
	if _, hidden := policy.FromContext(ctx).Hidden("customer")["email"]; hidden {
		return customer.NameContainsFold(q)
	}
	return customer.Or(customer.NameContainsFold(q), customer.EmailContainsFold(q))
}

// RelatedCustomers are customers by id.
func (s *Service) RelatedCustomers(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]any, error) {
	rows, err := s.Client.Customer.Query().Where(customer.IDIn(ids...)).All(ctx)
	return keyedViews(rows, err, func(c *ent.Customer) uuid.UUID { return c.ID }, CustomerObject)
}

// CustomerByExternalID finds the customer another system knows as id.
func (s *Service) CustomerByExternalID(ctx context.Context, id string) (uuid.UUID, bool, error) {
	return found(s.Client.Customer.Query().Where(customer.ExternalID(id)).
		OnlyID(schema.BypassPermissions(ctx, "an upsert finds its customer by external id; the write checks its own permission")))
}
