package rest

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/service"
)

// Meta accompanies lists.
type Meta struct {
	Limit      int    `json:"limit,omitempty"` // the page size asked for; absent on lists that are not paged
	HasMore    bool   `json:"has_more"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// respond writes the success envelope.
func respond(c *gin.Context, status int, data any) {
	c.JSON(status, gin.H{"status": "success", "data": data})
}

// respondList writes a page with its meta.
func respondList(c *gin.Context, data any, meta Meta) {
	c.JSON(http.StatusOK, gin.H{"status": "success", "data": data, "meta": meta})
}

// apiError is an error that already knows its status and code.
type apiError struct {
	Status  int
	Code    string
	Message string
	Extra   gin.H
}

func (e *apiError) Error() string { return e.Message }

func newError(status int, code, format string, a ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, a...)}
}

// abortWith renders err and stops the chain: auth and transport errors as
// they are, everything else as service.ProblemOf describes it (the same
// description GraphQL gives). Errors nobody knows become a generic 500;
// their text is logged, never sent.
func abortWith(c *gin.Context, err error) {
	var (
		aerr   *auth.Error
		api    *apiError
		fields map[string][]string
	)
	switch {
	case errors.As(err, &aerr):
		api = &apiError{Status: aerr.Status, Code: aerr.Code, Message: aerr.Message}
	case errors.As(err, &api):
	default:
		p := service.ProblemOf(err)
		api, fields = problemError(c, p, err), p.Fields
	}
	if api.Status == http.StatusUnauthorized && c.Writer.Header().Get("WWW-Authenticate") == "" {
		c.Header("WWW-Authenticate", `Bearer realm="cienerp"`)
	}
	if api.Status == http.StatusServiceUnavailable && c.Writer.Header().Get("Retry-After") == "" {
		c.Header("Retry-After", strconv.Itoa(retryAfterSeconds))
	}
	if strings.HasSuffix(c.FullPath(), "/graphql") {
		// GraphQL clients read errors[].extensions.code, whatever the status.
		ext := gin.H{"code": service.GraphQLCode(api.Status), "reason": api.Code, "request_id": requestID(c)}
		if fields != nil {
			ext["errors"] = fields
		}
		for k, v := range api.Extra {
			ext[k] = v
		}
		c.AbortWithStatusJSON(api.Status, gin.H{"errors": []gin.H{{"message": api.Message, "extensions": ext}}})
		return
	}
	if fields != nil { // the Laravel shape
		c.AbortWithStatusJSON(api.Status, gin.H{"message": api.Message, "errors": fields, "code": api.Code, "request_id": requestID(c)})
		return
	}
	body := gin.H{"status": "error", "message": api.Message, "code": api.Code, "request_id": requestID(c)}
	for k, v := range api.Extra {
		body[k] = v
	}
	c.AbortWithStatusJSON(api.Status, body)
}

// retryAfterSeconds is what a 503 asks clients to wait.
const retryAfterSeconds = 5

// problemError turns a service problem into REST's answer.
func problemError(c *gin.Context, p service.Problem, err error) *apiError {
	ctx := c.Request.Context()
	api := &apiError{Status: p.Status, Code: p.Code, Message: p.Message}
	switch {
	case p.Permission != "":
		api.Extra = gin.H{"permission": p.Permission}
	case p.MaxBytes != 0:
		api.Extra = gin.H{"max_bytes": p.MaxBytes}
	case p.AllowedTypes != nil:
		api.Extra = gin.H{"allowed_types": p.AllowedTypes}
	case p.Status == http.StatusServiceUnavailable:
		slog.WarnContext(ctx, "dependency unavailable", "code", p.Code, "error", err.Error(), "request_id", requestID(c))
	case p.Unexpected():
		slog.ErrorContext(ctx, "request failed", "error", err.Error(), "request_id", requestID(c))
		api.Message = "Something went wrong on our side; quote the request id when you contact support."
	}
	return api
}

// handler is a gin handler that returns its error for abortWith.
type handler func(c *gin.Context) error

func (h handler) gin() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			abortWith(c, err)
		}
	}
}
