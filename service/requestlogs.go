package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/auditevent"
	"github.com/cienerp/cienerp/ent/event"
	"github.com/cienerp/cienerp/ent/predicate"
	"github.com/cienerp/cienerp/ent/requestlog"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/modules/settings"
	"github.com/cienerp/cienerp/policy"
)

// The request log (settings.request-logs.view): every API request of the
// tenant's credentials in the viewer's environment, written by package
// requestlog and read here with the privacy layer's tenancy rule.

// RequestLogWindowDefault is the window of the error summary, the usage
// figures and the policy simulator when none is given.
const RequestLogWindowDefault = 7 * 24 * time.Hour

// RequestLogWindowMax bounds a window (the longest retention worth reading).
const RequestLogWindowMax = 90 * 24 * time.Hour

// RequestLogFilter selects request log records, newest first.
type RequestLogFilter struct {
	Credential string // key:<id>, user:<id>, or a key's or user's id
	User       string // a user's id or email
	Status     string // 404, or a class: 4xx
	Method     string
	Route      string // the template: /tickets/{id}
	ErrorCode  string
	RequestID  string
	Decision   string // allowed or denied
	Operation  string // GraphQL operation name
	Since      string // RFC 3339, inclusive
	Until      string // RFC 3339, exclusive
	Limit      int
	Cursor     string
}

var statusRE = regexp.MustCompile(`^([1-5])(xx|\d\d)$`)

// where turns f into predicates (and validation errors).
func (f RequestLogFilter) where(verr *ValidationError) []predicate.RequestLog {
	var ps []predicate.RequestLog
	if f.Credential != "" {
		ps = append(ps, credentialIs(f.Credential))
	}
	if f.User != "" {
		if id, err := uuid.Parse(f.User); err == nil {
			ps = append(ps, requestlog.UserID(id))
		} else {
			ps = append(ps, requestlog.UserEmailEqualFold(f.User))
		}
	}
	if f.Status != "" {
		m := statusRE.FindStringSubmatch(strings.ToLower(f.Status))
		switch {
		case m == nil:
			verr.Add("status", "Status must be a status code such as 404 or a class such as 4xx.")
		case m[2] == "xx":
			lo, _ := strconv.Atoi(m[1])
			ps = append(ps, requestlog.StatusGTE(lo*100), requestlog.StatusLT(lo*100+100))
		default:
			n, _ := strconv.Atoi(f.Status)
			ps = append(ps, requestlog.Status(n))
		}
	}
	if f.Method != "" {
		ps = append(ps, requestlog.Method(strings.ToUpper(f.Method)))
	}
	if f.Decision != "" {
		if f.Decision != "allowed" && f.Decision != "denied" {
			verr.Add("decision", "Decision must be allowed or denied.")
		}
		ps = append(ps, requestlog.Decision(f.Decision))
	}
	for _, p := range []struct {
		v    string
		pred func(string) predicate.RequestLog
	}{{f.Route, requestlog.Route}, {f.ErrorCode, requestlog.ErrorCode}, {f.RequestID, requestlog.RequestID}, {f.Operation, requestlog.Operation}} {
		if p.v != "" {
			ps = append(ps, p.pred(p.v))
		}
	}
	since, until := rfc3339("since", f.Since, verr), rfc3339("until", f.Until, verr)
	if since != nil {
		ps = append(ps, requestlog.CreatedAtGTE(*since))
	}
	if until != nil {
		ps = append(ps, requestlog.CreatedAtLT(*until))
	}
	if since != nil && until != nil && until.Before(*since) {
		verr.Add("until", "Until must not be before since.")
	}
	return ps
}

// credentialIs matches a subject (key:<id>, user:<id>) or a bare id of
// either kind.
func credentialIs(c string) predicate.RequestLog {
	if strings.HasPrefix(c, "key:") || strings.HasPrefix(c, "user:") {
		return requestlog.Subject(c)
	}
	return requestlog.Or(requestlog.Subject(policy.KeySubject(c)), requestlog.Subject(policy.UserSubject(c)))
}

// ListRequestLogs pages through the request log, newest first.
func (s *Service) ListRequestLogs(ctx context.Context, f RequestLogFilter) (*Page[*ent.RequestLog], error) {
	verr := &ValidationError{}
	ps := f.where(verr)
	if err := verr.OrNil(); err != nil {
		return nil, err
	}
	after, err := pageArgs(f.Limit, f.Cursor, "request_log")
	if err != nil {
		return nil, err
	}
	q := s.Client.RequestLog.Query().Where(ps...)
	if after != nil {
		q.Where(afterNewest(*after))
	}
	rows, err := q.Order(ent.Desc(requestlog.FieldCreatedAt), ent.Desc(requestlog.FieldID)).Limit(f.Limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, f.Limit, "request_log", func(r *ent.RequestLog) (time.Time, uuid.UUID) { return r.CreatedAt, r.ID }), nil
}

// RequestLogJSON is a request log record's public shape.
type RequestLogJSON struct {
	ID             uuid.UUID  `json:"id"`
	Object         string     `json:"object"`
	Environment    policy.Env `json:"environment"`
	CreatedAt      time.Time  `json:"created_at"`
	RequestID      string     `json:"request_id"`
	Method         string     `json:"method"`
	Route          string     `json:"route"`
	Path           string     `json:"path"`
	Status         int        `json:"status"`
	LatencyMS      float64    `json:"latency_ms"`
	Credential     string     `json:"credential"`
	KeyID          *uuid.UUID `json:"key_id"`
	KeyName        string     `json:"key_name"`
	UserID         *uuid.UUID `json:"user_id"`
	UserEmail      string     `json:"user_email"`
	Via            string     `json:"via"`
	IdempotencyKey string     `json:"idempotency_key"`
	ErrorCode      string     `json:"error_code"`
	Permission     string     `json:"permission"`
	Decision       string     `json:"decision"`
	Role           string     `json:"role"`
	Rule           string     `json:"rule"`
	Permissions    []string   `json:"permissions"`
	ClientIP       string     `json:"client_ip"`
	UserAgent      string     `json:"user_agent"`
	Operation      string     `json:"operation"`
	Cost           int        `json:"cost"`
}

// RequestLogObject is r's public shape.
func RequestLogObject(r *ent.RequestLog) RequestLogJSON {
	perms := []string{}
	if r.Permissions != "" {
		perms = strings.Split(r.Permissions, ",")
	}
	return RequestLogJSON{
		ID: r.ID, Object: "request_log", Environment: r.Env, CreatedAt: r.CreatedAt, RequestID: r.RequestID,
		Method: r.Method, Route: r.Route, Path: r.Path, Status: r.Status, LatencyMS: float64(r.LatencyUs) / 1000,
		Credential: r.Subject, KeyID: r.KeyID, KeyName: r.KeyName, UserID: r.UserID, UserEmail: r.UserEmail, Via: r.Via,
		IdempotencyKey: r.IdempotencyKey, ErrorCode: r.ErrorCode, Permission: r.Permission, Decision: r.Decision,
		Role: r.Role, Rule: r.Rule, Permissions: perms, ClientIP: r.ClientIP, UserAgent: r.UserAgent,
		Operation: r.Operation, Cost: r.Cost,
	}
}

// RequestLogDetail is one request with what it produced.
type RequestLogDetail struct {
	Request RequestLogJSON `json:"request"`
	// Events are the integration events the request produced, as the
	// events feed shows them to the caller.
	Events []map[string]any `json:"events"`
	// AuditEvents are its audit entries; null when the caller lacks
	// admin.audit.view.
	AuditEvents []map[string]any `json:"audit_events"`
}

// RequestLogEntry is the newest record of requestID with the events and
// audit entries that request produced, each as the caller may see it.
func (s *Service) RequestLogEntry(ctx context.Context, requestID string) (RequestLogDetail, error) {
	r, err := s.Client.RequestLog.Query().Where(requestlog.RequestID(requestID)).
		Order(ent.Desc(requestlog.FieldCreatedAt)).First(ctx)
	if err != nil {
		return RequestLogDetail{}, err
	}
	d := RequestLogDetail{Request: RequestLogObject(r), Events: []map[string]any{}}
	evs, err := s.Client.Event.Query().Where(event.RequestID(requestID)).Order(ent.Asc(event.FieldSeq)).Limit(MaxPageSize).All(ctx)
	if err != nil {
		return RequestLogDetail{}, err
	}
	v := policy.FromContext(ctx)
	if d.Events, err = redactedList(v, evs, EventObject); err != nil {
		return RequestLogDetail{}, err
	}
	audits, err := s.Client.AuditEvent.Query().Where(auditevent.RequestID(requestID)).Order(ent.Asc(auditevent.FieldCreatedAt)).Limit(MaxPageSize).All(ctx)
	var denied *policy.DeniedError
	switch {
	case errors.As(err, &denied):
		return d, nil
	case err != nil:
		return RequestLogDetail{}, err
	}
	d.AuditEvents, err = redactedList(v, audits, AuditObject)
	return d, err
}

// redactedList is items in their public shape, less what field rules hide
// from v (GraphQL hands the maps out as they are).
func redactedList[T, J any](v *policy.Viewer, items []T, shape func(T) J) ([]map[string]any, error) {
	out := make([]J, 0, len(items))
	for _, it := range items {
		out = append(out, shape(it))
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	if b, err = Redact(v, b); err != nil {
		return nil, err
	}
	list := []map[string]any{}
	return list, json.Unmarshal(b, &list)
}

// Window is a time range of the request log: [Since, Until).
type Window struct{ Since, Until time.Time }

// window reads since/until (RFC 3339), by default the last def.
func window(since, until string, def time.Duration) (Window, error) {
	verr := &ValidationError{}
	s, u := rfc3339("since", since, verr), rfc3339("until", until, verr)
	if err := verr.OrNil(); err != nil {
		return Window{}, err
	}
	w := Window{Until: schema.Now()}
	if u != nil {
		w.Until = *u
	}
	w.Since = w.Until.Add(-def)
	if s != nil {
		w.Since = *s
	}
	switch {
	case !w.Since.Before(w.Until):
		return Window{}, Invalid("since", "Since must be before until.")
	case w.Until.Sub(w.Since) > RequestLogWindowMax:
		return Window{}, Invalid("since", "A window may span at most %d days.", int(RequestLogWindowMax.Hours()/24))
	}
	return w, nil
}

func (w Window) where() []predicate.RequestLog {
	return []predicate.RequestLog{requestlog.CreatedAtGTE(w.Since), requestlog.CreatedAtLT(w.Until)}
}

// ErrorGroup is one kind of failure over a window.
type ErrorGroup struct {
	Code             string    `json:"code"`
	Method           string    `json:"method"`
	Route            string    `json:"route"`
	Status           int       `json:"status"`
	Count            int       `json:"count"`
	LastSeenAt       time.Time `json:"last_seen_at"`
	ExampleRequestID string    `json:"example_request_id"`
}

// ErrorSummary is the failed requests of a window, grouped.
type ErrorSummary struct {
	Since  time.Time    `json:"since"`
	Until  time.Time    `json:"until"`
	Groups []ErrorGroup `json:"groups"`
}

// MaxErrorGroups bounds the error summary (the most frequent first).
const MaxErrorGroups = 100

// RequestLogErrors groups the failed requests (status ≥ 400) of a window
// by error code, method, route and status, the most frequent first.
// credential narrows it to one key or user (as the list's filter).
func (s *Service) RequestLogErrors(ctx context.Context, since, until, credential string) (ErrorSummary, error) {
	w, err := window(since, until, RequestLogWindowDefault)
	if err != nil {
		return ErrorSummary{}, err
	}
	q := s.Client.RequestLog.Query().Where(w.where()...).Where(requestlog.StatusGTE(http.StatusBadRequest))
	if credential != "" {
		q.Where(credentialIs(credential))
	}
	var rows []struct {
		Code    string `json:"error_code"`
		Method  string `json:"method"`
		Route   string `json:"route"`
		Status  int    `json:"status"`
		Count   int    `json:"n"`
		Last    any    `json:"last"`
		Example string `json:"example"`
	}
	err = q.Modify(func(sel *sql.Selector) {
		code, method, route, status := sel.C(requestlog.FieldErrorCode), sel.C(requestlog.FieldMethod), sel.C(requestlog.FieldRoute), sel.C(requestlog.FieldStatus)
		sel.Select(sql.As(code, "error_code"), sql.As(method, "method"), sql.As(route, "route"), sql.As(status, "status"),
			sql.As(sql.Count("*"), "n"), sql.As(sql.Max(sel.C(requestlog.FieldCreatedAt)), "last"), sql.As(sql.Max(sel.C(requestlog.FieldRequestID)), "example")).
			GroupBy(code, method, route, status).OrderExpr(sql.Expr("n DESC"), sql.Expr("last DESC")).Limit(MaxErrorGroups)
	}).Scan(ctx, &rows)
	if err != nil {
		return ErrorSummary{}, err
	}
	out := make([]ErrorGroup, 0, len(rows))
	for _, r := range rows {
		out = append(out, ErrorGroup{Code: r.Code, Method: r.Method, Route: r.Route, Status: r.Status, Count: r.Count, LastSeenAt: dbTime(r.Last), ExampleRequestID: r.Example})
	}
	return ErrorSummary{Since: w.Since, Until: w.Until, Groups: out}, nil
}

// dbTime reads a time an aggregate returned: a time on PostgreSQL, the
// driver's text on SQLite.
func dbTime(v any) time.Time {
	switch v := v.(type) {
	case time.Time:
		return v.UTC()
	case []byte:
		return dbTime(string(v))
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano} {
			if t, err := time.Parse(layout, v); err == nil {
				return t.UTC()
			}
		}
	}
	return time.Time{}
}

// failedCount is the SQL that counts a group's failed requests (status ≥ 400).
func failedCount(sel *sql.Selector) string {
	return fmt.Sprintf("COUNT(*) FILTER (WHERE %s >= %d)", sel.C(requestlog.FieldStatus), http.StatusBadRequest)
}

// Bucket is one hour's or day's requests and failures.
type Bucket struct {
	Start    time.Time `json:"start"`
	Requests int       `json:"requests"`
	Errors   int       `json:"errors"`
}

// RequestStats is what a window of the log says of one credential (or all).
type RequestStats struct {
	Since         time.Time  `json:"since"`
	Until         time.Time  `json:"until"`
	Bucket        string     `json:"bucket"`
	Requests      int        `json:"requests"`
	Errors        int        `json:"errors"`
	ErrorRate     float64    `json:"error_rate"`
	LastRequestAt *time.Time `json:"last_request_at"`
	Buckets       []Bucket   `json:"buckets"`
}

// RequestLogStats counts requests and failures (status ≥ 400) per hour or
// day over a window, for one credential or all: the per-key chart.
func (s *Service) RequestLogStats(ctx context.Context, since, until, credential, bucket string) (RequestStats, error) {
	width, keyLen := time.Hour, 13 // "2006-01-02 15"
	switch bucket {
	case "", "hour":
		bucket = "hour"
	case "day":
		width, keyLen = 24*time.Hour, 10
	default:
		return RequestStats{}, Invalid("bucket", "Bucket must be hour or day.")
	}
	w, err := window(since, until, RequestLogWindowDefault)
	if err != nil {
		return RequestStats{}, err
	}
	if w.Until.Sub(w.Since)/width > 24*31 {
		return RequestStats{}, Invalid("bucket", "At most %d buckets: use bucket=day for windows longer than 31 days.", 24*31)
	}
	q := s.Client.RequestLog.Query().Where(w.where()...)
	if credential != "" {
		q.Where(credentialIs(credential))
	}
	var rows []struct {
		Key      string `json:"bucket"`
		Requests int    `json:"requests"`
		Errors   int    `json:"errors"`
		Last     any    `json:"last"`
	}
	err = q.Modify(func(sel *sql.Selector) {
		at := sel.C(requestlog.FieldCreatedAt)
		expr := fmt.Sprintf("substr(%s, 1, %d)", at, keyLen) // SQLite keeps the driver's text, UTC
		if s.Dialect == dialect.Postgres {
			expr = fmt.Sprintf("to_char(%s AT TIME ZONE 'UTC', '%s')", at, map[int]string{13: "YYYY-MM-DD HH24", 10: "YYYY-MM-DD"}[keyLen])
		}
		sel.Select(sql.As(expr, "bucket"), sql.As(sql.Count("*"), "requests"),
			sql.As(failedCount(sel), "errors"), sql.As(sql.Max(at), "last")).
			GroupBy(expr)
	}).Scan(ctx, &rows)
	if err != nil {
		return RequestStats{}, err
	}
	layout := map[int]string{13: "2006-01-02 15", 10: "2006-01-02"}[keyLen]
	got := map[time.Time]Bucket{}
	u := RequestStats{Since: w.Since, Until: w.Until, Bucket: bucket, Buckets: []Bucket{}}
	for _, r := range rows {
		t, err := time.Parse(layout, r.Key)
		if err != nil {
			continue
		}
		got[t] = Bucket{Start: t, Requests: r.Requests, Errors: r.Errors}
		u.Requests += r.Requests
		u.Errors += r.Errors
		if last := dbTime(r.Last); u.LastRequestAt == nil || last.After(*u.LastRequestAt) {
			u.LastRequestAt = &last
		}
	}
	for t := w.Since.Truncate(width); t.Before(w.Until); t = t.Add(width) {
		b, ok := got[t]
		if !ok {
			b = Bucket{Start: t}
		}
		u.Buckets = append(u.Buckets, b)
	}
	u.ErrorRate = rate(u.Errors, u.Requests)
	return u, nil
}

func rate(errs, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(int(float64(errs)/float64(total)*10000)) / 10000
}

// KeyUsage is one integration key's figures over the last 7 days (the keys
// list shows them).
type KeyUsage struct {
	Requests       int        `json:"requests"`
	Errors         int        `json:"errors"`
	ErrorRate      float64    `json:"error_rate"`
	RequestsPerDay float64    `json:"requests_per_day"`
	LastRequestAt  *time.Time `json:"last_request_at"`
}

// KeysUsage reads the last 7 days' figures of every key of the viewer's
// tenant and environment in one query. A caller without
// settings.request-logs.view gets none (nil, no error).
func (s *Service) KeysUsage(ctx context.Context) (map[uuid.UUID]KeyUsage, error) {
	if !policy.FromContext(ctx).Can(settings.RequestLogsView) {
		return nil, nil
	}
	w, err := window("", "", RequestLogWindowDefault)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Key      uuid.UUID `json:"key_id"`
		Requests int       `json:"requests"`
		Errors   int       `json:"errors"`
		Last     any       `json:"last"`
	}
	err = s.Client.RequestLog.Query().Where(w.where()...).Where(requestlog.KeyIDNotNil()).Modify(func(sel *sql.Selector) {
		key := sel.C(requestlog.FieldKeyID)
		sel.Select(sql.As(key, "key_id"), sql.As(sql.Count("*"), "requests"),
			sql.As(failedCount(sel), "errors"),
			sql.As(sql.Max(sel.C(requestlog.FieldCreatedAt)), "last")).GroupBy(key)
	}).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := map[uuid.UUID]KeyUsage{}
	days := RequestLogWindowDefault.Hours() / 24
	for _, r := range rows {
		last := dbTime(r.Last)
		out[r.Key] = KeyUsage{Requests: r.Requests, Errors: r.Errors, ErrorRate: rate(r.Errors, r.Requests),
			RequestsPerDay: float64(int(float64(r.Requests)/days*10)) / 10, LastRequestAt: &last}
	}
	return out, nil
}

// PruneRequestLog deletes the records of every tenant older than before.
func (s *Service) PruneRequestLog(ctx context.Context, before time.Time) (int, error) {
	return s.Client.RequestLog.Delete().Where(requestlog.CreatedAtLT(before)).Exec(schema.Bypass(ctx, "retention prunes the request log of every tenant"))
}
