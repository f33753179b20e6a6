package graph

import (
	"github.com/gin-gonic/gin"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/service"
)

// codes is the one mapping from a kind of failure to extensions.code.
var codes = map[service.Kind]string{
	service.KindUnauthenticated:    "UNAUTHENTICATED",
	service.KindForbidden:          "FORBIDDEN",
	service.KindRateLimited:        "RATE_LIMITED",
	service.KindNotFound:           "NOT_FOUND",
	service.KindInvalid:            "VALIDATION",
	service.KindBadRequest:         "BAD_REQUEST",
	service.KindTooLarge:           "BAD_REQUEST",
	service.KindUnsupported:        "BAD_REQUEST",
	service.KindNotAllowed:         "BAD_REQUEST",
	service.KindConflict:           "CONFLICT",
	service.KindUnavailable:        "UNAVAILABLE",
	service.KindPreconditionFailed: "PRECONDITION_FAILED",
	service.KindUnexpected:         "INTERNAL",
}

// problemError is a problem as an error of the operation itself, refused
// before anything runs.
func problemError(p service.Problem) *gqlerror.Error {
	e := gqlerror.Errorf("%s", p.Message)
	e.Extensions = extensions(p)
	return e
}

// extensions describes a problem the GraphQL way: extensions.code from its
// kind, reason from its code, and what the client needs to act on it.
func extensions(p service.Problem) map[string]any {
	ext := map[string]any{"code": codes[p.Kind], "reason": p.Code}
	switch {
	case p.Fields != nil:
		ext["errors"] = p.Fields
	case p.Permission != "":
		ext["permission"] = p.Permission
	case p.MaxBytes != 0:
		ext["maxBytes"] = p.MaxBytes
	case p.AllowedTypes != nil:
		ext["allowedTypes"] = p.AllowedTypes
	case p.RetryAfter != 0:
		ext["retryAfter"] = p.RetryAfter
	}
	return ext
}

// render answers a failure of the edge (authentication, rate limit, body
// limits) before the GraphQL server ran: a GraphQL response with errors
// and no data, at the edge's status.
func render(c *gin.Context, f edge.Failure) {
	ext := extensions(f.Problem)
	ext["request_id"] = f.RequestID
	c.JSON(f.Status, gin.H{"errors": []gin.H{{"message": f.Message, "extensions": ext}}})
}
