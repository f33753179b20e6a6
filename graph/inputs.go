package graph

import (
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/service"
)

// Update inputs in the service's terms, where an update and an upsert
// read the same GraphQL input.

// customerUpdate is an UpdateCustomerInput in the service's terms.
func customerUpdate(input UpdateCustomerInput) service.CustomerInput {
	return service.CustomerInput{Name: opt(input.Name), Email: opt(input.Email), Phone: opt(input.Phone),
		TaxID: opt(input.TaxID), Address: opt(input.Address), Currency: opt(input.Currency), Notes: opt(input.Notes),
		Metadata: input.Metadata, ExternalID: omittable[string](input.ExternalID)}
}

// invoiceUpdate is an UpdateInvoiceInput in the service's terms.
func invoiceUpdate(input UpdateInvoiceInput) service.InvoiceInput {
	in := service.InvoiceInput{CustomerID: omittable[uuid.UUID](input.CustomerID), Currency: opt(input.Currency),
		DueDate: omittable[string](input.DueDate), Notes: opt(input.Notes), Metadata: input.Metadata, ExternalID: omittable[string](input.ExternalID)}
	if input.Items != nil {
		in.Items = service.Some(priceItems(input.Items))
	}
	return in
}

// metadataOf is an object's metadata as the JSON scalar writes it: {}
// when it has none, as REST shows it.
func metadataOf(m map[string]string) service.MetadataInput {
	out := make(service.MetadataInput, len(m))
	for k, v := range m {
		out[k] = &v
	}
	return out
}
