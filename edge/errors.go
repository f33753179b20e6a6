package edge

import (
	"cmp"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/service"
)

// Failure is a failure as the edge answers it: the classification of
// service.ProblemOf, the HTTP status the edge gives it, and the request.
type Failure struct {
	service.Problem
	Status    int
	RequestID string
}

// Renderer writes a failure's body in a transport's shape.
type Renderer func(c *gin.Context, f Failure)

const ctxRenderer = "renderer"

func withRenderer(r Renderer) gin.HandlerFunc {
	return func(c *gin.Context) { c.Set(ctxRenderer, r); c.Next() }
}

// retryAfterSeconds is what a 503 (or a 429 that knows no better, such as
// a credential with all its subscriptions open) asks clients to wait.
const retryAfterSeconds = 5

const unexpectedMessage = "Something went wrong on our side; quote the request id when you contact support."

// statuses is the one mapping from a kind of failure to an HTTP status.
var statuses = map[service.Kind]int{
	service.KindUnexpected:         http.StatusInternalServerError,
	service.KindInvalid:            http.StatusUnprocessableEntity,
	service.KindBadRequest:         http.StatusBadRequest,
	service.KindUnauthenticated:    http.StatusUnauthorized,
	service.KindForbidden:          http.StatusForbidden,
	service.KindNotFound:           http.StatusNotFound,
	service.KindNotAllowed:         http.StatusMethodNotAllowed,
	service.KindConflict:           http.StatusConflict,
	service.KindTooLarge:           http.StatusRequestEntityTooLarge,
	service.KindUnsupported:        http.StatusUnsupportedMediaType,
	service.KindRateLimited:        http.StatusTooManyRequests,
	service.KindUnavailable:        http.StatusServiceUnavailable,
	service.KindPreconditionFailed: http.StatusPreconditionFailed,
}

// Fail answers err and stops the chain, in the shape of the route's
// transport. Errors nobody knows become a generic 500; their text is
// logged, never sent.
func Fail(c *gin.Context, err error) {
	f := FailureOf(c, err)
	c.Set(ctxErrorCode, f.Code)
	switch f.Kind {
	case service.KindUnauthenticated:
		if c.Writer.Header().Get("WWW-Authenticate") == "" {
			c.Header("WWW-Authenticate", `Bearer realm="cienerp"`)
		}
	case service.KindPreconditionFailed:
		c.Header("ETag", f.ETag)
	case service.KindUnavailable, service.KindRateLimited:
		// Every 429 and 503 says when to come back; the limiter's own
		// refusal has set it from its budget already.
		if c.Writer.Header().Get("Retry-After") == "" {
			c.Header("Retry-After", strconv.Itoa(cmp.Or(f.RetryAfter, retryAfterSeconds)))
		}
	}
	r, _ := c.Get(ctxRenderer)
	render := r.(Renderer)
	render(c, f)
	c.Abort()
}

// FailureOf is what the client is told of err, logged as Fail logs it:
// for an answer that cannot be an HTTP error any more (a stream's end).
func FailureOf(c *gin.Context, err error) Failure {
	f := Failure{Problem: service.ProblemOf(err), RequestID: RequestID(c)}
	f.Status = statuses[f.Kind]
	ctx := c.Request.Context()
	switch f.Kind {
	case service.KindUnavailable:
		slog.WarnContext(ctx, "dependency unavailable", "code", f.Code, "error", err.Error(), "request_id", f.RequestID)
	case service.KindUnexpected:
		slog.ErrorContext(ctx, "request failed", "error", err.Error(), "request_id", f.RequestID)
		f.Message = unexpectedMessage
	}
	return f
}
