package service

import (
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/sqljson"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent/customer"
	"github.com/cienerp/cienerp/ent/document"
	"github.com/cienerp/cienerp/ent/invoice"
	"github.com/cienerp/cienerp/ent/predicate"
	"github.com/cienerp/cienerp/ent/ticket"
)

// The list rules that are more than a column equal to a value: REST's list
// parameters and GraphQL's where fields of the same name call these, so
// that both transports filter alike (the parity test lists them).

// TicketSearch: q in the title or the description, case-insensitive.
func TicketSearch(q string) predicate.Ticket {
	return ticket.Or(ticket.TitleContainsFold(q), ticket.DescriptionContainsFold(q))
}

// DocumentSearch: q in the title or the file name, case-insensitive.
func DocumentSearch(q string) predicate.Document {
	return document.Or(document.TitleContainsFold(q), document.FilenameContainsFold(q))
}

// DocumentTagged: documents carrying tag.
func DocumentTagged(tag string) predicate.Document {
	return predicate.Document(func(s *sql.Selector) { s.Where(sqljson.ValueContains(document.FieldTags, tag)) })
}

// CustomerSearch: q in the name or the email, case-insensitive.
func CustomerSearch(q string) predicate.Customer {
	return customer.Or(customer.NameContainsFold(q), customer.EmailContainsFold(q))
}

// InvoiceOverdue: issued or partially paid, due before today (UTC).
func InvoiceOverdue(now time.Time) predicate.Invoice {
	return invoice.And(invoice.StatusIn(invoice.StatusIssued, invoice.StatusPartiallyPaid), invoice.DueDateLT(now.UTC().Truncate(24*time.Hour)))
}

// enumList checks that every value is one of an enum's (valid), naming
// field and the accepted values otherwise.
func enumList[T ~string](field string, values []string, valid func(T) error, accepted []string, verr *ValidationError) []T {
	if !CheckListSize(verr, field, len(values), MaxListValues) {
		return nil
	}
	var out []T
	for _, v := range values {
		if valid(T(v)) != nil {
			verr.Add(field, "Unknown %s %q; use %s.", field, v, orList(accepted))
			continue
		}
		out = append(out, T(v))
	}
	return out
}

// idParam reads an optional id filter.
func idParam(field, label, v string, verr *ValidationError) *uuid.UUID {
	if v == "" {
		return nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		verr.Add(field, "%s must be %s id.", strings.ToUpper(field[:1])+field[1:], label)
		return nil
	}
	return &id
}

// orList words values as "a, b or c".
func orList(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// validationOf continues the field errors of err (nil or a
// *ValidationError, as pageArgs returns).
func validationOf(err error) *ValidationError {
	if verr, ok := err.(*ValidationError); ok {
		return verr
	}
	return &ValidationError{}
}

// rfc3339 reads an optional time filter.
func rfc3339(field, v string, verr *ValidationError) *time.Time {
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		verr.Add(field, "The %s parameter must be an RFC 3339 date-time, e.g. 2026-01-31T00:00:00Z.", field)
		return nil
	}
	return &t
}
