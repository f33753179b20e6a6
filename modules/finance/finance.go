// Package finance declares the finance module: customers, invoices and
// payments.
package finance

import "github.com/cienerp/cienerp/module"

const (
	CustomersView   = "finance.customers.view"
	CustomersCreate = "finance.customers.create"
	CustomersUpdate = "finance.customers.update"
	CustomersDelete = "finance.customers.delete"
	// CustomersContactView shows a customer's contact and tax fields.
	CustomersContactView = "finance.customers.contact.view"
	InvoicesView         = "finance.invoices.view"
	InvoicesCreate       = "finance.invoices.create"
	InvoicesUpdate       = "finance.invoices.update"
	InvoicesIssue        = "finance.invoices.issue"
	InvoicesVoid         = "finance.invoices.void"
	PaymentsView         = "finance.payments.view"
	PaymentsCreate       = "finance.payments.create"
	PaymentsRefund       = "finance.payments.refund"
)

const (
	CustomerCreated      module.Change = "customer.created"
	CustomerUpdated      module.Change = "customer.updated"
	CustomerDeleted      module.Change = "customer.deleted"
	InvoiceCreated       module.Change = "invoice.created"
	InvoiceUpdated       module.Change = "invoice.updated"
	InvoiceIssued        module.Change = "invoice.issued"
	InvoicePartiallyPaid module.Change = "invoice.partially_paid"
	InvoicePaid          module.Change = "invoice.paid"
	InvoiceVoided        module.Change = "invoice.voided"
	PaymentCreated       module.Change = "payment.created"
	PaymentRefunded      module.Change = "payment.refunded"
)

// The operations and the permission each needs: REST routes name these,
// GraphQL fields are listed in them.
var (
	ViewCustomers  = module.Op{Permission: CustomersView, GraphQL: []string{"Query.customers"}}
	CreateCustomer = module.Op{Permission: CustomersCreate, GraphQL: []string{"Mutation.createCustomer"}}
	UpdateCustomer = module.Op{Permission: CustomersUpdate, GraphQL: []string{"Mutation.updateCustomer"}}
	DeleteCustomer = module.Op{Permission: CustomersDelete, GraphQL: []string{"Mutation.deleteCustomer"}}
	UpsertCustomer = module.Op{GraphQL: []string{"Mutation.upsertCustomer"}}
	ViewInvoices   = module.Op{Permission: InvoicesView, GraphQL: []string{"Query.invoices"}}
	CreateInvoice  = module.Op{Permission: InvoicesCreate, GraphQL: []string{"Mutation.createInvoice"}}
	UpdateInvoice  = module.Op{Permission: InvoicesUpdate, GraphQL: []string{"Mutation.updateInvoice"}}
	UpsertInvoice  = module.Op{GraphQL: []string{"Mutation.upsertInvoice"}}
	IssueInvoice   = module.Op{Permission: InvoicesIssue, GraphQL: []string{"Mutation.issueInvoice"}}
	VoidInvoice    = module.Op{Permission: InvoicesVoid, GraphQL: []string{"Mutation.voidInvoice"}}
	ViewPayments   = module.Op{Permission: PaymentsView, GraphQL: []string{"Query.payments"}}
	RecordPayment  = module.Op{Permission: PaymentsCreate, GraphQL: []string{"Mutation.recordPayment"}}
	RefundPayment  = module.Op{Permission: PaymentsRefund, GraphQL: []string{"Mutation.refundPayment"}}
)

// InvoiceStatuses are an invoice's states in workflow order.
var InvoiceStatuses = []string{"draft", "issued", "partially_paid", "paid", "void"}

// Module is the declaration the registry (modules.All) lists.
var Module = module.Module{
	Name: "finance",
	Tag:  "Finance & POS", TagDescription: "Customers, invoices, payments, register sessions and sales; the public quote calculator. Amounts are exact decimal strings in the object's currency.",
	Permissions: []module.Permission{
		{Name: CustomersView, Description: "List and read customers.", Object: "customer"},
		{Name: CustomersCreate, Description: "Create customers.", Object: "customer"},
		{Name: CustomersUpdate, Description: "Edit customers.", Object: "customer"},
		{Name: CustomersDelete, Description: "Delete customers.", Object: "customer"},
		{Name: CustomersContactView, Description: "See and edit customers' contact and tax details: email, phone, address and tax id."},
		{Name: InvoicesView, Description: "List and read invoices.", Object: "invoice"},
		{Name: InvoicesCreate, Description: "Create draft invoices.", Object: "invoice"},
		{Name: InvoicesUpdate, Description: "Edit draft invoices.", Object: "invoice"},
		{Name: InvoicesIssue, Description: "Issue invoices (assigns the invoice number).", Object: "invoice"},
		{Name: InvoicesVoid, Description: "Void unpaid invoices.", Object: "invoice"},
		{Name: PaymentsView, Description: "List and read payments.", Object: "payment"},
		{Name: PaymentsCreate, Description: "Record payments against issued invoices.", Object: "payment"},
		{Name: PaymentsRefund, Description: "Refund payments.", Object: "payment"},
	},
	Grants: map[string][]string{
		"admin":      {"finance.*"},
		"accountant": {"finance.*"},
		"cashier":    {CustomersView, CustomersCreate, CustomersContactView, InvoicesView, PaymentsView},
		"viewer":     {CustomersView, InvoicesView, PaymentsView},
	},
	Objects: []module.Object{
		{Type: "customer", Schema: "Customer", View: CustomersView, Events: []module.Event{
			{Change: CustomerCreated, Description: "A customer was created.", Was: []string{"customer.create"}},
			{Change: CustomerUpdated, Description: "A customer changed.", Was: []string{"customer.update"}},
			{Change: CustomerDeleted, Description: "A customer was deleted.", Was: []string{"customer.delete"}},
		}, Fields: []module.Field{
			{Name: "name", Kind: module.KindString},
			{Name: "currency", Kind: module.KindString},
			{Name: "created_at", Kind: module.KindTime},
		}, FieldGroups: []module.FieldGroup{
			{Name: "contact", Permission: CustomersContactView, Fields: []string{"email", "phone", "address", "tax_id"}},
		}},
		{Type: "invoice", Schema: "Invoice", View: InvoicesView, Events: []module.Event{
			{Change: InvoiceCreated, Description: "A draft invoice was created.", Was: []string{"invoice.create"}},
			{Change: InvoiceUpdated, Description: "A draft invoice was edited, or a refund changed what is paid.", Was: []string{"invoice.update"}},
			{Change: InvoiceIssued, Description: "An invoice was issued and numbered.", Was: []string{"invoice.issue"}},
			{Change: InvoicePartiallyPaid, Description: "A payment covered part of an invoice."},
			{Change: InvoicePaid, Description: "Payments now cover the whole invoice."},
			{Change: InvoiceVoided, Description: "An unpaid invoice was voided.", Was: []string{"invoice.void"}},
		}, Relations: []module.Relation{{Name: "customer", Object: "customer", Ref: "customer_id"}, {Name: "payments", Object: "payment"}},
			Fields: []module.Field{
				{Name: "customer_id", Kind: module.KindID},
				{Name: "status", Kind: module.KindEnum, Values: InvoiceStatuses},
				{Name: "currency", Kind: module.KindString},
				{Name: "created_by", Kind: module.KindSubject},
				{Name: "issue_date", Kind: module.KindDate},
				{Name: "due_date", Kind: module.KindDate},
				{Name: "created_at", Kind: module.KindTime},
			}},
		{Type: "payment", Schema: "Payment", View: PaymentsView, Events: []module.Event{
			{Change: PaymentCreated, Description: "A payment was recorded against an invoice (directly or by a POS sale).", Was: []string{"payment.create"}},
			{Change: PaymentRefunded, Description: "A payment was refunded, in part or in full.", Was: []string{"payment.refund"}},
		}, Relations: []module.Relation{{Name: "invoice", Object: "invoice", Ref: "invoice_id"}, {Name: "sale", Object: "pos_sale", Ref: "sale_id"}},
			Fields: []module.Field{
				{Name: "invoice_id", Kind: module.KindID},
				{Name: "method", Kind: module.KindEnum, Values: []string{"cash", "card", "bank_transfer", "other"}},
				{Name: "currency", Kind: module.KindString},
				{Name: "created_by", Kind: module.KindSubject},
				{Name: "created_at", Kind: module.KindTime},
			}},
	},
	Ops: []module.Op{ViewCustomers, CreateCustomer, UpdateCustomer, DeleteCustomer, UpsertCustomer, ViewInvoices, CreateInvoice, UpdateInvoice, UpsertInvoice, IssueInvoice, VoidInvoice, ViewPayments, RecordPayment, RefundPayment},
}
