package rest

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/auth"
	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/privacy"
	"github.com/cienerp/cienerp/policy"
	"github.com/cienerp/cienerp/service"
	"github.com/cienerp/cienerp/storage"
)

// Meta accompanies lists.
type Meta struct {
	Limit      int    `json:"limit"`
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

// invalidMessage is the fixed message of every 422.
const invalidMessage = "The given data was invalid."

// abortWith renders err and stops the chain. Errors it does not know become
// a generic 500; their text is logged, never sent.
func abortWith(c *gin.Context, err error) {
	var (
		tooBig *service.TooLargeError
		badTyp *service.UnsupportedTypeError
		verr   *service.ValidationError
		nf     *service.NotFoundError
		denied *policy.DeniedError
		aerr   *auth.Error
		api    *apiError
	)
	switch {
	case errors.As(err, &verr):
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{
			"message": invalidMessage, "errors": verr.Fields, "code": "validation_failed", "request_id": requestID(c),
		})
		return
	case errors.As(err, &tooBig):
		api = &apiError{Status: http.StatusRequestEntityTooLarge, Code: "file_too_large", Message: tooBig.Error(), Extra: gin.H{"max_bytes": tooBig.Limit}}
	case errors.As(err, &badTyp):
		api = &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_file_type", Message: badTyp.Error(), Extra: gin.H{"allowed_types": badTyp.Allowed}}
	case errors.Is(err, storage.ErrUnavailable):
		slog.WarnContext(c.Request.Context(), "storage unavailable", "error", err.Error(), "request_id", requestID(c))
		c.Header("Retry-After", "5")
		api = newError(http.StatusServiceUnavailable, "storage_unavailable", "Document storage is unavailable right now; nothing was changed. Retry in a moment.")
	case errors.As(err, &nf):
		api = newError(http.StatusNotFound, "not_found", "No such %s.", nf.Entity)
	case errors.As(err, &denied):
		api = newError(http.StatusForbidden, "forbidden", "This credential lacks the permission %s.", denied.Permission)
		api.Extra = gin.H{"permission": denied.Permission}
	case errors.As(err, &aerr):
		api = &apiError{Status: aerr.Status, Code: aerr.Code, Message: aerr.Message}
	case errors.As(err, &api):
	case errors.Is(err, privacy.Deny):
		api = newError(http.StatusForbidden, "forbidden", "This credential may not do that.")
	case errors.Is(err, service.ErrConflict), ent.IsConstraintError(err):
		api = newError(http.StatusConflict, "conflict", "The request conflicted with a concurrent change; retry it.")
	default:
		slog.ErrorContext(c.Request.Context(), "request failed", "error", err.Error(), "request_id", requestID(c))
		api = newError(http.StatusInternalServerError, "internal_error", "Something went wrong on our side; quote the request id when you contact support.")
	}
	if api.Status == http.StatusUnauthorized && c.Writer.Header().Get("WWW-Authenticate") == "" {
		c.Header("WWW-Authenticate", `Bearer realm="cienerp"`)
	}
	if strings.HasSuffix(c.FullPath(), "/graphql") {
		// GraphQL clients read errors[].extensions.code, whatever the status.
		ext := gin.H{"code": graphQLCode(api), "reason": api.Code, "request_id": requestID(c)}
		for k, v := range api.Extra {
			ext[k] = v
		}
		c.AbortWithStatusJSON(api.Status, gin.H{"errors": []gin.H{{"message": api.Message, "extensions": ext}}})
		return
	}
	body := gin.H{"status": "error", "message": api.Message, "code": api.Code, "request_id": requestID(c)}
	for k, v := range api.Extra {
		body[k] = v
	}
	c.AbortWithStatusJSON(api.Status, body)
}

// graphQLCode names an error the way GraphQL clients expect.
func graphQLCode(api *apiError) string {
	switch api.Status {
	case http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case http.StatusForbidden:
		return "FORBIDDEN"
	case http.StatusTooManyRequests:
		return "RATE_LIMITED"
	case http.StatusNotFound:
		return "NOT_FOUND"
	case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		return "BAD_REQUEST"
	}
	return "INTERNAL"
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
