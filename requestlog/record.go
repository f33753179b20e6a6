// Package requestlog writes the request log: one row per API request of a
// tenant's credential, queued by the edge without waiting and written in
// batches by one goroutine per instance. The queue is bounded; a full
// queue or a failed write drops records (counted in /metrics and logged),
// never a request. Reads go through ent (settings.request-logs.view,
// scoped to tenant and environment like every business row).
package requestlog

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
		r.ID, r.TenantID, r.Env, r.Time.UTC().Truncate(time.Microsecond), text(r.Subject, maxShort),
		nullUUID(r.KeyID), text(r.KeyName, maxShort), nullUUID(r.UserID), text(r.UserEmail, maxShort), r.Via,
		text(r.Method, maxShort), text(r.Route, maxPath), text(r.Path, maxPath), r.Status, r.Latency.Microseconds(),
		text(r.RequestID, maxShort), text(r.IdemKey, maxShort), text(r.ErrorCode, maxShort), r.Permission,
		r.Decision, text(r.Role, maxShort), r.Rule, strings.Join(r.Permissions, ","), text(r.ClientIP, maxShort),
		text(r.UserAgent, maxUserAgent), text(r.Operation, maxShort), r.Cost,
	}
}

// text is s as a database keeps any text: valid UTF-8 without NUL (a path
// may carry %00 or %FF; PostgreSQL would refuse the whole batch), at most
// n characters.
func text(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	return cut(s, n)
}

// copyLine appends r to buf as a line of COPY's text format, its values
// in the order of columns (the same as values).
func (r Record) copyLine(buf *bytes.Buffer) {
	for i, v := range r.values() {
		if i > 0 {
			buf.WriteByte('\t')
		}
		switch v := v.(type) {
		case nil:
			buf.WriteString(`\N`)
		case uuid.UUID:
			buf.WriteString(v.String())
		case time.Time:
			buf.WriteString(v.Format(time.RFC3339Nano))
		case int:
			buf.WriteString(strconv.Itoa(v))
		case int64:
			buf.WriteString(strconv.FormatInt(v, 10))
		case string:
			copyText(buf, v)
		default:
			copyText(buf, fmt.Sprint(v))
		}
	}
	buf.WriteByte('\n')
}

// copyText writes s escaped for COPY's text format.
func copyText(buf *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			buf.WriteString(`\\`)
		case '\t':
			buf.WriteString(`\t`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		default:
			buf.WriteByte(c)
		}
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
