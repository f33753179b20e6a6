package service

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/money"
	"github.com/cienerp/cienerp/policy"
)

// The public JSON shape of each object, exactly as its REST GET returns it:
// REST responses and event payloads (data.object) are built here, so an
// event never describes an object differently from the API.

type TicketJSON struct {
	ID          uuid.UUID         `json:"id"`
	Object      string            `json:"object"`
	Number      string            `json:"number"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Status      string            `json:"status"`
	Priority    string            `json:"priority"`
	RequesterID uuid.UUID         `json:"requester_id"`
	AssigneeID  *uuid.UUID        `json:"assignee_id"`
	CreatedBy   string            `json:"created_by"`
	Environment policy.Env        `json:"environment"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	ResolvedAt  *time.Time        `json:"resolved_at"`
	ClosedAt    *time.Time        `json:"closed_at"`
	ExternalID  *string           `json:"external_id"`
	Metadata    map[string]string `json:"metadata"`
}

func TicketObject(t *ent.Ticket) TicketJSON {
	return TicketJSON{
		ID: t.ID, Object: "ticket", Number: TicketNumber(t.Number), Title: t.Title,
		Description: t.Description, Status: string(t.Status), Priority: string(t.Priority),
		RequesterID: t.RequesterID, AssigneeID: t.AssigneeID, CreatedBy: t.CreatedBy, Environment: t.Env,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, ResolvedAt: t.ResolvedAt, ClosedAt: t.ClosedAt,
		ExternalID: t.ExternalID, Metadata: MetadataView(t.Metadata),
	}
}

type CommentJSON struct {
	ID        uuid.UUID `json:"id"`
	Object    string    `json:"object"`
	TicketID  uuid.UUID `json:"ticket_id"`
	Body      string    `json:"body"`
	Internal  bool      `json:"internal"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

func CommentObject(c *ent.TicketComment) CommentJSON {
	return CommentJSON{ID: c.ID, Object: "ticket_comment", TicketID: c.TicketID, Body: c.Body, Internal: c.Internal, Author: c.Author, CreatedAt: c.CreatedAt}
}

type DocumentJSON struct {
	ID          string            `json:"id"`
	Object      string            `json:"object"`
	Title       string            `json:"title"`
	Filename    string            `json:"filename"`
	ContentType string            `json:"content_type"`
	Size        int64             `json:"size"`
	SHA256      string            `json:"sha256"`
	Category    string            `json:"category"`
	Tags        []string          `json:"tags"`
	Status      string            `json:"status"`
	UploadedBy  string            `json:"uploaded_by"`
	ReviewedBy  *string           `json:"reviewed_by"`
	ReviewedAt  *time.Time        `json:"reviewed_at"`
	ReviewNote  string            `json:"review_note"`
	Environment string            `json:"environment"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	Metadata    map[string]string `json:"metadata"`
}

func DocumentObject(d *ent.Document) DocumentJSON {
	tags := d.Tags
	if tags == nil {
		tags = []string{}
	}
	return DocumentJSON{
		ID: d.ID.String(), Object: "document", Title: d.Title, Filename: d.Filename, ContentType: d.ContentType,
		Size: d.Size, SHA256: d.Sha256, Category: d.Category, Tags: tags, Status: string(d.Status),
		UploadedBy: d.UploadedBy, ReviewedBy: d.ReviewedBy, ReviewedAt: d.ReviewedAt, ReviewNote: d.ReviewNote,
		Environment: string(d.Env), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Metadata: MetadataView(d.Metadata),
	}
}

func CustomerObject(cu *ent.Customer) map[string]any {
	return map[string]any{"id": cu.ID, "object": "customer", "name": cu.Name, "email": cu.Email, "phone": cu.Phone, "tax_id": cu.TaxID,
		"address": cu.Address, "currency": cu.Currency, "notes": cu.Notes, "environment": cu.Env, "created_at": cu.CreatedAt, "updated_at": cu.UpdatedAt,
		"external_id": cu.ExternalID, "metadata": MetadataView(cu.Metadata)}
}

func InvoiceObject(i *ent.Invoice) map[string]any {
	f := func(n int64) string { return money.FormatMinorIn(i.Currency, n) }
	return map[string]any{"id": i.ID, "object": "invoice", "number": i.Number, "status": i.Status, "customer_id": i.CustomerID,
		"currency": i.Currency, "lines": i.Lines, "subtotal": f(i.SubtotalMinor), "discount_total": f(i.DiscountMinor),
		"tax_total": f(i.TaxMinor), "total": f(i.TotalMinor), "amount_paid": f(i.PaidMinor), "balance": f(InvoiceBalance(i)),
		"issue_date": dateOnly(i.IssueDate), "due_date": dateOnly(i.DueDate), "notes": i.Notes, "voided_at": i.VoidedAt,
		"environment": i.Env, "created_at": i.CreatedAt, "updated_at": i.UpdatedAt, "external_id": i.ExternalID, "metadata": MetadataView(i.Metadata)}
}

func dateOnly(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.DateOnly)
	return &s
}

func PaymentObject(p *ent.Payment) map[string]any {
	return map[string]any{"id": p.ID, "object": "payment", "invoice_id": p.InvoiceID, "currency": p.Currency,
		"amount": money.FormatMinorIn(p.Currency, p.AmountMinor), "amount_refunded": money.FormatMinorIn(p.Currency, p.RefundedMinor), "status": PaymentStatus(p),
		"method": p.Method, "reference": p.Reference, "sale_id": p.SaleID, "created_by": p.CreatedBy, "environment": p.Env, "created_at": p.CreatedAt,
		"metadata": MetadataView(p.Metadata)}
}

func SessionObject(p *ent.PosSession) map[string]any {
	f := func(n int64) string { return money.FormatMinorIn(p.Currency, n) }
	out := map[string]any{"id": p.ID, "object": "pos_session", "register": p.Register, "currency": p.Currency, "status": p.Status,
		"opening_float": f(p.OpeningFloatMinor), "cash_sales": f(p.CashInMinor), "expected_cash": f(SessionExpected(p)),
		"counted_cash": nil, "over_short": nil, "opened_by": p.OpenedBy, "closed_by": p.ClosedBy, "opened_at": p.CreatedAt, "closed_at": p.ClosedAt}
	if d := SessionOverShort(p); d != nil {
		out["counted_cash"], out["over_short"] = f(*p.CountedMinor), f(*d)
	}
	return out
}

func SaleObject(s *Sale) map[string]any {
	inv := s.Invoice
	return map[string]any{"id": s.ID, "object": "pos_sale", "receipt_number": s.ReceiptNumber, "session_id": s.SessionID, "invoice_id": s.InvoiceID,
		"currency": s.Currency, "lines": inv.Lines, "subtotal": money.FormatMinorIn(inv.Currency, inv.SubtotalMinor),
		"discount_total": money.FormatMinorIn(inv.Currency, inv.DiscountMinor), "tax_total": money.FormatMinorIn(inv.Currency, inv.TaxMinor),
		"total": money.FormatMinorIn(s.Currency, s.TotalMinor), "tenders": s.Tenders, "change": money.FormatMinorIn(s.Currency, s.ChangeMinor),
		"payments": paymentObjects(s.Payments), "created_by": s.CreatedBy, "environment": s.Env, "created_at": s.CreatedAt,
		"metadata": MetadataView(s.PosSale.Metadata)}
}

func paymentObjects(ps []*ent.Payment) []map[string]any {
	out := make([]map[string]any, len(ps))
	for i, p := range ps {
		out[i] = PaymentObject(p)
	}
	return out
}

// EventJSON is an event as the feed lists it and webhooks deliver it.
type EventJSON struct {
	ID          string          `json:"id"`
	Object      string          `json:"object"`
	Type        string          `json:"type"`
	Sequence    int64           `json:"sequence"`
	CreatedAt   time.Time       `json:"created_at"`
	Environment policy.Env      `json:"environment"`
	RequestID   string          `json:"request_id"`
	Actor       string          `json:"actor"`
	Data        json.RawMessage `json:"data"`
}

func EventObject(e *ent.Event) EventJSON {
	return EventJSON{ID: EventID(e.ID), Object: "event", Type: e.Type, Sequence: e.Seq, CreatedAt: e.CreatedAt, Environment: e.Env,
		RequestID: e.RequestID, Actor: e.Actor, Data: json.RawMessage(e.Data)}
}

// WebhookEndpointObject never carries the secret.
func WebhookEndpointObject(ep *ent.WebhookEndpoint) map[string]any {
	return map[string]any{"id": ep.ID, "object": "webhook_endpoint", "url": ep.URL, "description": ep.Description, "enabled": ep.Enabled,
		"event_types": ep.EventTypes, "owner": ep.Owner, "failing_since": ep.FailingSince, "disabled_reason": ep.DisabledReason,
		"previous_secret_expires_at": ep.PreviousSecretExpiresAt, "environment": ep.Env, "created_at": ep.CreatedAt, "updated_at": ep.UpdatedAt}
}

func DeliveryObject(d *ent.WebhookDelivery) map[string]any {
	return map[string]any{"id": DeliveryID(d.ID), "object": "webhook_delivery", "endpoint_id": d.EndpointID, "event_id": EventID(d.EventID),
		"event_type": d.EventType, "status": d.Status, "attempts": d.Attempts, "next_attempt_at": d.NextAttemptAt,
		"delivered_at": d.DeliveredAt, "last_error": d.LastError, "environment": d.Env, "created_at": d.CreatedAt, "updated_at": d.UpdatedAt}
}

// DeliveryWithAttempts is a delivery with its attempts, oldest first.
func DeliveryWithAttempts(d *Delivery) map[string]any {
	out := DeliveryObject(d.WebhookDelivery)
	as := make([]map[string]any, len(d.Attempts))
	for i, a := range d.Attempts {
		as[i] = map[string]any{"created_at": a.CreatedAt, "status_code": a.StatusCode, "latency_ms": a.LatencyMs,
			"response_body": a.ResponseBody, "error": a.Error}
	}
	out["attempt_log"] = as
	return out
}

// KeyJSON is an integration key's public shape; Secret is set only in the
// answer that created or rolled it, never in events.
type KeyJSON struct {
	ID          uuid.UUID  `json:"id"`
	Object      string     `json:"object"`
	Name        string     `json:"name"`
	Prefix      string     `json:"prefix"`
	Secret      string     `json:"secret,omitempty"`
	Environment policy.Env `json:"environment"`
	Roles       []string   `json:"roles"`
	Status      string     `json:"status"`
	CreatedBy   *uuid.UUID `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   *time.Time `json:"expires_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
	RolledAt    *time.Time `json:"rolled_at"`
	RolledFrom  *uuid.UUID `json:"rolled_from"`
	LastUsedAt  *time.Time `json:"last_used_at"`
}

// KeyObject is k's public shape, without its secret.
func KeyObject(k *Key) KeyJSON {
	roles := k.Roles
	if roles == nil {
		roles = []string{}
	}
	return KeyJSON{
		ID: k.ID, Object: "integration_key", Name: k.Name, Prefix: k.Prefix,
		Environment: k.Env, Roles: roles, Status: k.Status(time.Now()), CreatedBy: k.CreatedBy, CreatedAt: k.CreatedAt,
		ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt, RolledAt: k.RolledAt, RolledFrom: k.RolledFrom, LastUsedAt: k.LastUsedAt,
	}
}
