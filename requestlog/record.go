// Package requestlog writes the request log: one row per API request of a
// tenant's credential, queued by the edge without waiting and written in
// batches by one goroutine per instance. The queue is bounded; a full
// queue or a failed write drops records (counted in /metrics and logged),
// never a request. Reads go through ent (settings.request-logs.view,
// scoped to tenant and environment like every business row).
package requestlog

import (
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	entlog "github.com/cienerp/cienerp/ent/requestlog"
)

// Record is one request as the log keeps it. It never holds a body, a
// secret or a credential header; text that could carry one (the path, the
// user agent, ids the client chose) is scrubbed by Scrub.
type Record struct {
	ID        uuid.UUID
	Time      time.Time
	TenantID  uuid.UUID
	Env       string
	Subject   string // key:<id> or user:<id>
	KeyID     uuid.UUID
	KeyName   string
	UserID    uuid.UUID
	UserEmail string
	Via       string
	Method    string
	Route     string // the template below the base URL: /tickets/{id}
	Path      string
	Status    int
	Latency   time.Duration
	RequestID string
	IdemKey   string
	ErrorCode string
	// Permission is the one the route needed (the denied one when the
	// request was refused); Decision is allowed, denied or "".
	Permission, Decision, Role, Rule string
	Permissions                      []string // every permission required, in order
	ClientIP, UserAgent              string
	Operation                        string // GraphQL
	Cost                             int    // GraphQL
}

// columns are the stored columns in the order values gives them.
var columns = []string{
	entlog.FieldID, entlog.FieldTenantID, entlog.FieldEnv, entlog.FieldCreatedAt, entlog.FieldSubject,
	entlog.FieldKeyID, entlog.FieldKeyName, entlog.FieldUserID, entlog.FieldUserEmail, entlog.FieldVia,
	entlog.FieldMethod, entlog.FieldRoute, entlog.FieldPath, entlog.FieldStatus, entlog.FieldLatencyUs,
	entlog.FieldRequestID, entlog.FieldIdempotencyKey, entlog.FieldErrorCode, entlog.FieldPermission,
	entlog.FieldDecision, entlog.FieldRole, entlog.FieldRule, entlog.FieldPermissions, entlog.FieldClientIP,
	entlog.FieldUserAgent, entlog.FieldOperation, entlog.FieldCost,
}

// Text limits: what a client sends is cut, not refused.
const (
	maxPath      = 2048
	maxUserAgent = 512
	maxShort     = 255
)

func (r Record) values() []any {
	return []any{
		r.ID, r.TenantID, r.Env, r.Time.UTC().Truncate(time.Microsecond), r.Subject,
		nullUUID(r.KeyID), cut(r.KeyName, maxShort), nullUUID(r.UserID), r.UserEmail, r.Via,
		r.Method, r.Route, cut(r.Path, maxPath), r.Status, r.Latency.Microseconds(),
		cut(r.RequestID, maxShort), cut(r.IdemKey, maxShort), r.ErrorCode, r.Permission,
		r.Decision, r.Role, r.Rule, strings.Join(r.Permissions, ","), cut(r.ClientIP, maxShort),
		cut(r.UserAgent, maxUserAgent), cut(r.Operation, maxShort), r.Cost,
	}
}

func nullUUID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

// cut keeps the first n characters of s.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// secretShapes are the shapes of the secrets the platform issues: keys,
// bearer and refresh tokens (JWTs) and webhook signing secrets.
var secretShapes = regexp.MustCompile(`cien_(?:test|live)_[0-9A-Za-z]+|eyJ[0-9A-Za-z_-]*\.[0-9A-Za-z_-]*\.[0-9A-Za-z_-]*|whsec_[0-9A-Za-z+/=]+`)

// Scrub replaces anything shaped like a secret in s (a key pasted into a
// path, a token in a user agent) with [redacted].
func Scrub(s string) string {
	if !strings.Contains(s, "cien_") && !strings.Contains(s, "eyJ") && !strings.Contains(s, "whsec_") {
		return s
	}
	return secretShapes.ReplaceAllString(s, "[redacted]")
}
