package webhooks

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cienerp/cienerp/internal/netguard"
	"github.com/cienerp/cienerp/service"
)

// Timeout bounds one attempt, connection to last byte.
const Timeout = 10 * time.Second

// newHTTPClient dials only addresses netguard allows (checked on the
// resolved address, so DNS rebinding gains nothing), follows no redirects
// and uses no proxy from the environment.
func newHTTPClient(allowPrivate bool) *http.Client {
	t := &http.Transport{
		DialContext:         netguard.Dialer(allowPrivate, 5*time.Second).DialContext,
		TLSHandshakeTimeout: 5 * time.Second,
		MaxIdleConns:        200,
		MaxIdleConnsPerHost: 50,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{
		Timeout:   Timeout,
		Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a 3xx is an answer, and not a 2xx
		},
	}
}

// send makes one attempt and says what came of it.
func send(ctx context.Context, client *http.Client, m *service.WebhookMessage) service.AttemptResult {
	ts := time.Now().Unix()
	sig, err := Sign(m.Secrets, m.WebhookID, ts, m.Body)
	if err != nil {
		return service.AttemptResult{Err: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL, bytes.NewReader(m.Body))
	if err != nil {
		return service.AttemptResult{Err: "The endpoint's url cannot be requested: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "CienERP-Webhooks/1")
	req.Header.Set("webhook-id", m.WebhookID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return service.AttemptResult{Latency: time.Since(start), Err: describe(err)}
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	r := service.AttemptResult{StatusCode: resp.StatusCode, Latency: time.Since(start), Body: string(head)}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		r.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return r
}

// describe words a transport error for the attempt log.
func describe(err error) string {
	switch {
	case errors.Is(err, netguard.ErrBlocked):
		return "Refused to connect: the endpoint's host resolves to a loopback, private, link-local or reserved address."
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "No answer within 10 s."
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// retryAfter reads Retry-After: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
