package rest

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/internal/jsonwire"
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
	write(c, status, gin.H{"status": "success", "data": data})
}

// respondList writes a page with its meta.
func respondList(c *gin.Context, data any, meta Meta) {
	write(c, http.StatusOK, gin.H{"status": "success", "data": data, "meta": meta})
}

// write sends body with its length, so that a page goes out in one
// piece rather than chunked.
func write(c *gin.Context, status int, body any) {
	b, err := jsonwire.Marshal(body)
	if err != nil {
		edge.Fail(c, err)
		return
	}
	c.Header("Content-Length", strconv.Itoa(len(b)))
	c.Data(status, "application/json; charset=utf-8", b)
}

// render is REST's error body: the Laravel shape for invalid input,
// {"status":"error",…} for everything else.
func render(c *gin.Context, f edge.Failure) {
	c.JSON(f.Status, errorBody(f))
}

// errorBody is f in REST's words: the body of an error answer, or of a
// stream's closing error event.
func errorBody(f edge.Failure) gin.H {
	if f.Kind == service.KindInvalid {
		return gin.H{"message": f.Message, "errors": f.Fields, "code": f.Code, "request_id": f.RequestID}
	}
	body := gin.H{"status": "error", "message": f.Message, "code": f.Code, "request_id": f.RequestID}
	switch {
	case f.Fields != nil:
		body["errors"] = f.Fields
	case f.Permission != "":
		body["permission"] = f.Permission
	case f.MaxBytes != 0:
		body["max_bytes"] = f.MaxBytes
	case f.AllowedTypes != nil:
		body["allowed_types"] = f.AllowedTypes
	case f.RetryAfter != 0:
		body["retry_after"] = f.RetryAfter
	}
	return body
}
